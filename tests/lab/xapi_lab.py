"""A XAPI simulator: a XenServer pool master's XenAPI over XML-RPC on loopback, for the XenServer work.

No XenServer, xapi or XCP-ng can run here, so this serves XAPI's object model (tests/lab/xapi/:
field names, types and defaults from XAPI's API reference, the behaviour of the calls the
collection's XenServer modules and role use) the way xapi answers: every reply a struct
``{Status: Success, Value}`` or ``{Status: Failure, ErrorDescription: [code, params...]}``,
references ``OpaqueRef:<uuid>``.  The real ``XenAPI`` client and community.general's
xenserver modules talk to it unchanged.

- TCP on 127.0.0.1 (``http://127.0.0.1:PORT``, or ``https://`` with ``--tls`` and a self-signed
  certificate for 127.0.0.1, as a fresh XenServer has): logins need the lab's password, like
  xapi's HTTPS port; ``--slave-of ADDRESS`` makes every login there answer HOST_IS_SLAVE.
- A Unix socket (``xapi.sock`` in the state dir, or ``--socket PATH``), xapi's /var/lib/xcp/xapi:
  logins need no password, as on a real dom0.
- ``host.call_plugin`` runs plugin files from a plugins directory (``plugins/`` in the state
  dir by default), the way xapi runs /etc/xapi.d/plugins: the call as XML-RPC in argv[1].
- ``--guest-xenstore NAME=DIR`` (repeatable): whenever the VM named NAME starts (VM.start,
  clean_reboot, hard_reboot, and at server start if it runs), its guest's xenstore domain
  directory is written to DIR/xenstore.json, which tests/lab/xenstore-read reads in the guest.
  DIR and the socket may lie in a container's filesystem (``/proc/<pid>/root/...``).
- State is a JSON file (``state.json``) rewritten after every change, so a test can compare it
  before and after a run; sessions are not part of it.

Commands: ``up`` (start in the background on a free or given port), ``status``, ``env``
(addresses, files and password as JSON), ``down`` (stop and remove the state; always safe) and
``serve`` (the server itself, in the foreground).  Stdlib only.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import secrets
import shutil
import signal
import ssl
import socketserver
import subprocess
import sys
import threading
import time
import xmlrpc.client
from pathlib import Path
from xmlrpc.server import SimpleXMLRPCDispatcher, SimpleXMLRPCRequestHandler, SimpleXMLRPCServer

sys.path.insert(0, str(Path(__file__).resolve().parent))

from labcli import LabError, run_command, shield  # pylint: disable=wrong-import-position
from xapi.api import Options, Xapi  # pylint: disable=wrong-import-position
from xapi.model import Database  # pylint: disable=wrong-import-position
from xapi.seed import seed  # pylint: disable=wrong-import-position

REPO = Path(__file__).resolve().parents[2]
DEFAULT_STATE = REPO / ".lab" / "xapi"
HOST = "127.0.0.1"
START_TIMEOUT = 30
LOG = logging.getLogger("xapi_lab")


# ----- the server ------------------------------------------------------------------------


class QuietHandler(SimpleXMLRPCRequestHandler):
    """XenAPI clients post to / (XenAPI.Session) or /RPC2; xapi answers on any path."""

    rpc_paths = ()

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        LOG.debug("%s %s", self.address_string(), format % args)

    def address_string(self) -> str:
        # a Unix socket peer has no address tuple
        return self.client_address[0] if isinstance(self.client_address, tuple) and self.client_address else "unix"


class UnixHandler(QuietHandler):
    """TCP_NODELAY is refused on a Unix socket, and nothing is gained by it there."""

    disable_nagle_algorithm = False


class XapiTcpServer(socketserver.ThreadingMixIn, SimpleXMLRPCServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, xapi: Xapi, port: int, certificate: tuple[str, str] | None = None):
        self.xapi = xapi
        super().__init__((HOST, port), requestHandler=QuietHandler, logRequests=False, allow_none=False)
        if certificate:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*certificate)
            # the handshake happens in the request's thread: a silent client cannot stall accept()
            self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def _dispatch(self, method, params):
        return self.xapi.call(method, params, local=False)


class XapiUnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer, SimpleXMLRPCDispatcher):
    daemon_threads = True

    def __init__(self, xapi: Xapi, path: Path):
        self.xapi = xapi
        self.logRequests = False  # pylint: disable=invalid-name
        SimpleXMLRPCDispatcher.__init__(self, allow_none=False, encoding=None)
        socketserver.UnixStreamServer.__init__(self, str(path), UnixHandler)

    def _dispatch(self, method, params):
        return self.xapi.call(method, params, local=True)


def serve(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    password = Path(args.password_file).read_text().strip() if args.password_file else ""
    database = Database(Path(args.state))
    if not database.load():
        seed(database, host_name=args.host_name, domu_name=args.domu_name, domu_power_state="Halted" if args.domu_halted else "Running")
        database.save()
        LOG.info("seeded %s", args.state)
    options = Options(password=password, plugins_dir=Path(args.plugins_dir) if args.plugins_dir else None, slave_of=args.slave_of,
                      auth_delay=args.auth_delay, socket=Path(args.socket) if args.socket else None,
                      guest_xenstore={name: Path(directory) for name, directory in args.guest_xenstore})
    xapi = Xapi(database, options)
    with database.lock:
        xapi.publish_running_guests()  # a guest running already has its xenstore
    certificate = (args.tls_cert, args.tls_key) if args.tls_cert else None
    servers: list = [XapiTcpServer(xapi, args.port, certificate)]
    port = servers[0].server_address[1]
    if args.socket:
        Path(args.socket).unlink(missing_ok=True)
        servers.append(XapiUnixServer(xapi, Path(args.socket)))
    threads = [threading.Thread(target=server.serve_forever, name=type(server).__name__, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    if args.port_file:
        Path(args.port_file).write_text(f"{port}\n")
    LOG.info("XAPI simulator on %s://%s:%s%s", "https" if certificate else "http", HOST, port, f" and {args.socket}" if args.socket else "")
    try:
        while all(thread.is_alive() for thread in threads):
            time.sleep(0.5)
    except KeyboardInterrupt:  # SIGTERM from down or a CI timeout arrives as this too (labcli)
        LOG.info("stopping")
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
        if args.socket:
            Path(args.socket).unlink(missing_ok=True)
    return 0


# ----- the lab commands ----------------------------------------------------------------------


def state_dir(args: argparse.Namespace) -> Path:
    return Path(args.state_dir or os.environ.get("LAB_STATE_DIR") or DEFAULT_STATE).resolve()


def alive(pid: int) -> bool:
    """Running and not a zombie (kill -0 would count zombies as alive)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1] != "Z"
    except OSError:
        return False
    return False


def read_env(directory: Path) -> dict:
    try:
        return json.loads((directory / "env.json").read_text())
    except (OSError, ValueError) as exc:
        raise LabError(f"no XAPI lab in {directory} (run up first)") from exc


def answers(env: dict) -> bool:
    """A login over TCP works (HOST_IS_SLAVE counts too: the server answered as XAPI)."""
    context = ssl.create_default_context(cafile=env["certificate"]) if env.get("certificate") else None
    proxy = xmlrpc.client.ServerProxy(env["url"], context=context)
    try:
        reply = proxy.session.login_with_password(env["username"], env["password"], "1.0", "xapi_lab status")
    except (OSError, xmlrpc.client.Error):
        return False
    if reply.get("Status") == "Success":
        proxy.session.logout(reply["Value"])
        return True
    return reply.get("ErrorDescription", [""])[0] == "HOST_IS_SLAVE"


def cmd_up(args: argparse.Namespace) -> int:
    began = time.monotonic()
    directory = state_dir(args)
    if (directory / "env.json").exists():
        raise LabError(f"a XAPI lab exists in {directory}; run down first")
    directory.mkdir(parents=True, exist_ok=True)
    directory.chmod(0o700)
    try:
        return start(args, directory, began)
    except BaseException:
        shield()
        stop(directory)
        raise


def start(args: argparse.Namespace, directory: Path, began: float) -> int:
    password = Path(args.password_file).read_text().strip() if args.password_file else f"lab:{secrets.token_urlsafe(12)}&<'\""
    password_file = directory / "password"
    password_file.touch(mode=0o600)
    password_file.write_text(password + "\n")
    # abspath, not resolve(): /proc/<pid>/root is a symlink that resolve() would turn into the host's /
    plugins = Path(os.path.abspath(args.plugins_dir)) if args.plugins_dir else directory / "plugins"
    plugins.mkdir(parents=True, exist_ok=True)
    socket = Path(os.path.abspath(args.socket)) if args.socket else directory / "xapi.sock"
    socket.parent.mkdir(parents=True, exist_ok=True)
    port_file = directory / "port"
    port_file.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "serve", "--state", str(directory / "state.json"), "--port", str(args.port),
               "--port-file", str(port_file), "--socket", str(socket), "--password-file", str(password_file),
               "--plugins-dir", str(plugins), "--domu-name", args.domu_name, "--host-name", args.host_name]
    for name, guest_directory in args.guest_xenstore:
        command += ["--guest-xenstore", f"{name}={guest_directory}"]
    if args.domu_halted:
        command.append("--domu-halted")
    if args.slave_of:
        command += ["--slave-of", args.slave_of]
    if args.auth_delay:
        command += ["--auth-delay", str(args.auth_delay)]
    certificate = make_certificate(directory) if args.tls else None
    if certificate:
        command += ["--tls-cert", certificate[0], "--tls-key", certificate[1]]
    with open(directory / "xapi.log", "ab") as log:
        # own session: a Ctrl-C in the terminal must not take the server down mid-test
        server = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    (directory / "xapi.pid").write_text(f"{server.pid}\n")
    while not port_file.exists() or not port_file.read_text().strip():
        if server.poll() is not None:
            tail = (directory / "xapi.log").read_text(errors="replace")[-1500:]
            raise LabError(f"the XAPI simulator exited with status {server.returncode}: {tail}")
        if time.monotonic() - began > START_TIMEOUT:
            raise LabError(f"the XAPI simulator did not start within {START_TIMEOUT} s")
        time.sleep(0.05)
    port = int(port_file.read_text())
    env = {
        "url": f"{'https' if certificate else 'http'}://{HOST}:{port}", "certificate": certificate[0] if certificate else None,
        "host": HOST, "port": port, "username": "root", "password": password,
        "password_file": str(password_file), "socket": str(socket), "state_file": str(directory / "state.json"),
        "plugins_dir": str(plugins), "pid": server.pid, "log": str(directory / "xapi.log"), "domu_name": args.domu_name,
        "host_name": args.host_name, "slave_of": args.slave_of, "state_dir": str(directory),
        "guest_xenstore": dict(args.guest_xenstore),
    }
    env_file = directory / "env.json"
    env_file.touch(mode=0o600)
    env_file.write_text(json.dumps(env, indent=2) + "\n")
    if not answers(env):
        raise LabError(f"the XAPI simulator does not answer logins on {env['url']} (see {env['log']})")
    print(f"XAPI simulator up on {env['url']} and {env['socket']} in {time.monotonic() - began:.1f} s (pid {server.pid})")
    return 0


def make_certificate(directory: Path) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, like the one a XenServer host makes for itself at install."""
    cert, key = directory / "xapi-ssl.pem", directory / "xapi-ssl.key"
    made = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={HOST}",
                           "-addext", f"subjectAltName=IP:{HOST}", "-keyout", str(key), "-out", str(cert)],
                          capture_output=True, text=True, check=False)
    if made.returncode != 0:
        raise LabError(f"openssl could not make the lab's certificate: {made.stderr.strip()}")
    key.chmod(0o600)
    return str(cert), str(key)


def stop(directory: Path) -> None:
    try:
        pid = int((directory / "xapi.pid").read_text())
    except (OSError, ValueError):
        pid = None
    if pid and alive(pid) and "xapi_lab.py" in command_line(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    with_reaped(pid)
    shutil.rmtree(directory, ignore_errors=True)


def command_line(pid: int) -> str:
    """What the process runs; empty when it is gone (the PID file may outlive it, and PIDs are reused)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def with_reaped(pid: int | None) -> None:
    """Collect our own child's exit status when up cleans up after itself, so it leaves no zombie."""
    if pid is None:
        return
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def cmd_down(args: argparse.Namespace) -> int:
    directory = state_dir(args)
    shield()
    stop(directory)
    print(f"XAPI lab in {directory} removed")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    env = read_env(state_dir(args))
    running = alive(int(env["pid"]))
    answering = running and answers(env)
    if args.json:
        print(json.dumps({"running": running, "answering": answering, "url": env["url"], "pid": env["pid"]}))
    else:
        print(f"XAPI simulator pid {env['pid']}: {'running' if running else 'not running'}, "
              f"{env['url']} {'answering' if answering else 'not answering'}")
    return 0 if answering else 1


def cmd_env(args: argparse.Namespace) -> int:
    print(json.dumps(read_env(state_dir(args)), indent=2))
    return 0


def guest_xenstore_option(text: str) -> tuple[str, str]:
    """NAME=DIR (split at the last "=", so a name-label may hold one); DIR made absolute without following symlinks."""
    name, equals, directory = text.rpartition("=")
    if not equals or not name or not directory:
        raise argparse.ArgumentTypeError(f"expected VM_NAME_LABEL=DIR, got {text!r}")
    return name, os.path.abspath(directory)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--state-dir", help=f"where the lab keeps its files (default $LAB_STATE_DIR or {DEFAULT_STATE})")
    sub = parser.add_subparsers(dest="command", required=True)

    def seed_options(command: argparse.ArgumentParser) -> None:
        command.add_argument("--domu-name", default="compute", help="name-label of the compute domU in the seed")
        command.add_argument("--domu-halted", action="store_true", help="seed the domU halted instead of running")
        command.add_argument("--host-name", default="xenserver-lab", help="the host's name-label and hostname")
        command.add_argument("--plugins-dir", help="directory host.call_plugin runs plugins from")
        command.add_argument("--slave-of", metavar="ADDRESS", help="act as a pool member: logins over TCP answer HOST_IS_SLAVE ADDRESS")
        command.add_argument("--password-file", help="file holding root's password (default for up: a generated one)")
        command.add_argument("--auth-delay", type=float, default=0.0, help="seconds to wait before refusing a password (xapi: 5)")
        command.add_argument("--guest-xenstore", metavar="VM_NAME_LABEL=DIR", type=guest_xenstore_option, action="append", default=[],
                             help="write DIR/xenstore.json, the guest's xenstore view, whenever that VM starts (repeatable)")

    up = sub.add_parser("up", help="start the simulator in the background (seeded state, free port unless --port)")
    up.add_argument("--port", type=int, default=0)
    up.add_argument("--tls", action="store_true", help="serve HTTPS with a self-signed certificate (env: certificate)")
    up.add_argument("--socket", metavar="PATH", help="the Unix socket (default: xapi.sock in the state dir), e.g. dom0's /var/lib/xcp/xapi")
    seed_options(up)
    sub.add_parser("down", help="stop the simulator and remove the lab's files (always safe)")
    status = sub.add_parser("status", help="whether the simulator runs and answers a login")
    status.add_argument("--json", action="store_true")
    sub.add_parser("env", help="URL, socket, state file, plugins dir and password as JSON")
    serve_command = sub.add_parser("serve", help="run the simulator in the foreground")
    serve_command.add_argument("--state", required=True, help="JSON state file (seeded when missing)")
    serve_command.add_argument("--port", type=int, default=0)
    serve_command.add_argument("--port-file", help="write the port here once listening")
    serve_command.add_argument("--socket", help="also listen on this Unix socket (local logins need no password)")
    serve_command.add_argument("--tls-cert", help="serve HTTPS with this certificate (PEM)")
    serve_command.add_argument("--tls-key", help="the certificate's key")
    serve_command.add_argument("--verbose", action="store_true")
    seed_options(serve_command)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands = {"up": cmd_up, "down": cmd_down, "status": cmd_status, "env": cmd_env, "serve": serve}
    return run_command(lambda: commands[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
