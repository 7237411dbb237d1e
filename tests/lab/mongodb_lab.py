"""MongoDB wire-protocol servers on loopback, for ceilometer_ttl's MongoDB purge.

No mongod can be installed here (Debian does not ship it, its download site is not
reachable), so the lab runs two servers from PyPI that speak MongoDB's wire protocol,
from a venv of their own (tools/requirements/mongodb-servers.txt):

- ``plain``: nx-27017 (the protocol over SQLite) on 127.0.0.1:27941, no login. It
  answers dbStats, delete and compact: the whole remove-then-compact sequence.
- ``auth``: SecantusDB (the protocol over WiredTiger) on 127.0.0.1:27942 with
  SCRAM-SHA-256 logins required; user ``ceilometer`` with a generated password that
  needs URI quoting. It has no compact command (CommandNotFound): a real server that
  refuses compact after a real removal, for the partial-failure drill.

``install`` also installs Debian's python3-pymongo (3.11, the lower bound in
requirements.txt) for /usr/bin/python3, so a module run with that interpreter uses the
oldest pymongo the collection supports; it talks to ``auth`` (nx-27017 needs wire
version 17, newer than pymongo 3.x speaks).

One lab per host (fixed ports). Stdlib only, so it runs before any venv exists.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

from labcli import LabError, run_command, shield

REPO = Path(__file__).resolve().parents[2]
REQUIREMENTS = REPO / "tools" / "requirements" / "mongodb-servers.txt"
VENV = REPO / ".build" / "venvs" / "mongodb-servers"
DEFAULT_STATE = REPO / ".lab" / "mongodb"
HOST = "127.0.0.1"
PLAIN_PORT = 27941
AUTH_PORT = 27942
DATABASE = "ceilometer"
USER = "ceilometer"
SYSTEM_PYTHON = "/usr/bin/python3"
DEB_PYMONGO = "python3-pymongo"
START_TIMEOUT = 60


def state_dir() -> Path:
    return Path(os.environ.get("LAB_STATE_DIR", DEFAULT_STATE))


def run(*cmd: object, check: bool = True, **kw) -> subprocess.CompletedProcess:
    res = subprocess.run([str(c) for c in cmd], check=False, capture_output=True, text=True, **kw)
    if check and res.returncode != 0:
        raise LabError(f"{' '.join(str(c) for c in cmd)} failed: {(res.stderr or res.stdout).strip()[-2000:]}")
    return res


def stamp() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def venv_ready() -> bool:
    marker = VENV / ".stamp"
    return marker.exists() and marker.read_text().strip() == stamp() and (VENV / "bin" / "nx-27017").exists()


def deb_pymongo_version() -> str | None:
    res = run(SYSTEM_PYTHON, "-c", "import pymongo; print(pymongo.version)", check=False)
    return res.stdout.strip() if res.returncode == 0 else None


def cmd_install(args: argparse.Namespace) -> None:
    start = time.monotonic()
    if venv_ready() and not args.force:
        print(f"venv: {VENV.relative_to(REPO)} is current (stamp matches {REQUIREMENTS.name})")
    else:
        step = time.monotonic()
        if VENV.exists():
            print(f"venv: {VENV.relative_to(REPO)} is stale or incomplete; recreating it", flush=True)
            shutil.rmtree(VENV)
        VENV.parent.mkdir(parents=True, exist_ok=True)
        run(sys.executable, "-m", "venv", VENV)
        print(f"venv: pip install -r {REQUIREMENTS.relative_to(REPO)}", flush=True)
        run(VENV / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check",
            "-r", REQUIREMENTS)
        (VENV / ".stamp").write_text(stamp() + "\n")
        print(f"venv: done in {time.monotonic() - step:.1f}s", flush=True)
    version = deb_pymongo_version()
    if version is None:
        if os.geteuid():
            raise LabError(f"{DEB_PYMONGO} is missing and installing it needs root (apt-get)")
        step = time.monotonic()
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ("apt-get", "install", "-y", "-q", "--no-install-recommends", DEB_PYMONGO)
        print(f"apt: installing {DEB_PYMONGO}", flush=True)
        if run(*install, check=False, env=env).returncode:
            print("  apt-get install failed; updating the package lists and retrying", flush=True)
            run("apt-get", "update", "-q", env=env)
            run(*install, env=env)
        version = deb_pymongo_version()
        print(f"apt: done in {time.monotonic() - step:.1f}s", flush=True)
    print(f"apt: {DEB_PYMONGO} gives {SYSTEM_PYTHON} pymongo {version}")
    print(f"install done in {time.monotonic() - start:.1f}s")


# --- processes -------------------------------------------------------------------------


def answering(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def alive(pid: int) -> bool:
    """Running and not a zombie (kill -0 would count zombies as alive)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1] != "Z"
    except OSError:
        return False
    return False


def start(name: str, argv: list[str], port: int) -> int:
    state = state_dir()
    if answering(port):
        raise LabError(f"{HOST}:{port} already answers: another {name} server (run down first)")
    log = open(state / f"{name}.log", "ab")  # pylint: disable=consider-using-with
    proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            start_new_session=True, cwd=state)
    log.close()
    (state / f"{name}.pid").write_text(f"{proc.pid}\n")
    began = time.monotonic()
    last_report = began
    while not answering(port):
        if proc.poll() is not None:
            tail = (state / f"{name}.log").read_text(errors="replace")[-1500:]
            raise LabError(f"{name} server exited with status {proc.returncode} before answering: {tail}")
        now = time.monotonic()
        if now - began > START_TIMEOUT:
            raise LabError(f"{name} server did not answer on {HOST}:{port} within {START_TIMEOUT}s")
        if now - last_report >= 5:
            print(f"  waiting for {name} on {HOST}:{port} ({now - began:.0f}s)", flush=True)
            last_report = now
        time.sleep(0.1)
    print(f"{name}: answering on {HOST}:{port} after {time.monotonic() - began:.1f}s (pid {proc.pid})", flush=True)
    return proc.pid


def stop(name: str) -> None:
    pid_file = state_dir() / f"{name}.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return
    if alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if alive(pid):
            os.kill(pid, signal.SIGKILL)
    pid_file.unlink(missing_ok=True)


def python() -> str:
    return str(VENV / "bin" / "python")


def secantus(storage: Path, auth: bool) -> list[str]:
    argv = [python(), "-m", "secantus", "--host", HOST, "--port", str(AUTH_PORT), "--storage-path", str(storage),
            "--standalone", "--log-level", "WARNING"]
    return argv + ["--auth"] if auth else argv


def create_user(password: str) -> None:
    """The login ceilometer uses, in its own database, with the rights the purge needs."""
    script = (
        "import json, sys, pymongo\n"
        "conf = json.load(sys.stdin)\n"
        "client = pymongo.MongoClient(conf['uri'], serverSelectionTimeoutMS=10000)\n"
        "client[conf['db']].command('createUser', conf['user'], pwd=conf['password'],\n"
        "                           roles=[{'role': 'readWrite', 'db': conf['db']},\n"
        "                                  {'role': 'dbAdmin', 'db': conf['db']}])\n"
    )
    # the password goes through stdin, never a command line
    conf = {"uri": f"mongodb://{HOST}:{AUTH_PORT}/", "db": DATABASE, "user": USER, "password": password}
    run(python(), "-c", script, input=json.dumps(conf))


def cmd_up(args: argparse.Namespace) -> None:
    began = time.monotonic()
    if not venv_ready():
        raise LabError(f"{VENV.relative_to(REPO)} is missing or stale: run `{Path(__file__).name} install` first")
    cmd_down(args)
    state = state_dir()
    state.mkdir(parents=True)
    state.chmod(0o700)
    try:
        (state / "nx").mkdir()
        start("plain", [str(VENV / "bin" / "nx-27017"), "--data-dir", str(state / "nx"), "--host", HOST, "-p",
                        str(PLAIN_PORT), "--log-file", str(state / "plain-server.log"), "--pid-file",
                        str(state / "plain-server.pid")], PLAIN_PORT)
        # characters that a URI must quote, so the test sees the quoting work
        password = f"pw:{secrets.token_urlsafe(12)}@/%"
        storage = state / "secantus"
        start("auth", secantus(storage, auth=False), AUTH_PORT)
        create_user(password)
        stop("auth")
        start("auth", secantus(storage, auth=True), AUTH_PORT)
    except BaseException:
        shield()
        cmd_down(args)
        raise
    env = {
        "plain_uri": f"mongodb://{HOST}:{PLAIN_PORT}/{DATABASE}",
        "auth_uri": f"mongodb://{USER}:{quote(password, safe='')}@{HOST}:{AUTH_PORT}/{DATABASE}",
        "auth_password": password,
        "auth_password_quoted": quote(password, safe=""),
        "servers_python": python(),
        "oldest_pymongo_python": SYSTEM_PYTHON,
        "oldest_pymongo": deb_pymongo_version(),
        "state_dir": str(state),
    }
    env_file = state / "env.json"
    env_file.touch(mode=0o600)
    env_file.write_text(json.dumps(env, indent=2) + "\n")
    secrets_dir = os.environ.get("STACKOPS_LAB_SECRETS_DIR")
    if secrets_dir:  # run.sh's leak check searches the target's output for these
        Path(secrets_dir, "passwords.json").write_text(json.dumps(
            {key: env[key] for key in ("auth_uri", "auth_password", "auth_password_quoted")}) + "\n")
    print(f"up in {time.monotonic() - began:.1f}s")


def cmd_down(args: argparse.Namespace) -> None:  # pylint: disable=unused-argument
    state = state_dir()
    for name in ("auth", "plain"):
        stop(name)
    shutil.rmtree(state, ignore_errors=True)


def cmd_status(args: argparse.Namespace) -> int:  # pylint: disable=unused-argument
    rc = 0
    for name, port in (("plain", PLAIN_PORT), ("auth", AUTH_PORT)):
        up = answering(port)
        rc = rc or (0 if up else 1)
        print(f"{name}: {HOST}:{port} {'answering' if up else 'not answering'}")
    return rc


def cmd_env(args: argparse.Namespace) -> None:  # pylint: disable=unused-argument
    env_file = state_dir() / "env.json"
    if not env_file.exists():
        raise LabError("the lab is not up")
    print(env_file.read_text(), end="")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    sub = p.add_subparsers(dest="command", required=True)
    install = sub.add_parser("install", help=f"the servers' venv and {DEB_PYMONGO}")
    install.add_argument("--force", action="store_true", help="recreate the venv")
    sub.add_parser("up", help="start both servers (stops an earlier lab first)")
    sub.add_parser("down", help="stop both servers and remove the state (always safe)")
    sub.add_parser("status", help="whether each server answers")
    sub.add_parser("env", help="URIs, password and interpreters as JSON")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    commands = {"install": cmd_install, "up": cmd_up, "down": cmd_down, "status": cmd_status, "env": cmd_env}
    return run_command(lambda: commands[args.command](args))


if __name__ == "__main__":
    sys.exit(main())
