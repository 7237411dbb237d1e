"""The OpenStack lab: real Keystone, Swift, Octavia, Neutron and Nova from PyPI on loopback.

Integration tests of the OpenStack-facing modules and roles run against the real services,
installed into a cached venv (/var/cache/stackops/openstack-venv-*, or under
$STACKOPS_LAB_CACHE; shared by every checkout on the machine) and started as plain
background processes (no containers, no systemd), everything bound to 127.0.0.1. Stdlib
only: it runs before any venv exists. Each service's database is migrated by its own tool
once per venv; later `up` runs load the migrated schema kept beside the venv
(openstack-schemas-*: SQLite copies and MariaDB dumps taken before any secret is written).

    python3 tests/lab/openstack_lab.py install
    python3 tests/lab/openstack_lab.py up [--services keystone,swift,octavia,neutron,glance,nova] [--computes 3]
                                          [--broken-swift-catalog]
    python3 tests/lab/openstack_lab.py env          # JSON: auth_url, clouds.yaml, service URLs
    python3 tests/lab/openstack_lab.py status
    python3 tests/lab/openstack_lab.py restart swift-proxy
    python3 tests/lab/openstack_lab.py stop nova-compute-2
    python3 tests/lab/openstack_lab.py down

Default services: keystone,swift,octavia (Keystone is always there; MariaDB, RabbitMQ and memcached
follow from what is asked). Octavia runs the amphora provider with no-op compute/network/amphora
drivers: objects go ACTIVE, nothing is built, and any UUID passes as VIP subnet through the API, but
the `openstack loadbalancer` CLI looks subnets up in Neutron, so ask for neutron too when using it.
Nova runs the fake driver with Placement: --computes N (1-3) nova-compute processes, hosts lab-compute1..N,
each its own Placement resource provider. With glance too (a file store, the image lab-raw), servers boot
through the API; without it nothing boots. Every service user has the admin and service roles in the
service project (keystonemiddleware wants `service` on the service tokens nova sends neutron).

Every process `up` starts gets its own process group (recorded in the state directory),
the environment variable STACKOPS_OPENSTACK_LAB=<state dir> and a working directory inside
the state directory, so `down` finds all of them (uWSGI workers, RabbitMQ's beam and epmd,
mariadbd, memcached) even after an interrupted run, and nothing else.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import FIRST_EXCEPTION, Future, ThreadPoolExecutor, wait
from pathlib import Path

from labcli import LabError, run_command, shield

REPO = Path(__file__).resolve().parents[2]
LAB_DIR = REPO / ".lab"
STATE = LAB_DIR / "openstack"
FAILED_UP_LOGS = LAB_DIR / "openstack-failed-logs"  # where a failed `up` moves the logs
CONSTRAINTS = Path(__file__).resolve().parent / "openstack-constraints.txt"
# The venv lives outside the checkout, like podman's images, so that a fresh clone reuses
# it: its name carries what it is built from (stamp()), so clones that pin other versions
# get their own. Installing one removes the others (each is about 700 MB).
VENV_CACHE = Path(os.environ.get("STACKOPS_LAB_CACHE", "/var/cache/stackops"))
MARKER = "STACKOPS_OPENSTACK_LAB"

PIP_PACKAGES = (
    "keystone", "swift", "octavia", "neutron", "nova", "openstack-placement", "glance",
    "python-openstackclient", "python-octaviaclient", "python-swiftclient", "openstacksdk",
    "keystonemiddleware", "python-memcached", "uWSGI", "PyMySQL", "boto3",
)  # fmt: skip
# python-memcached: keystonemiddleware's token cache (memcached_servers) imports `memcache`.
# Debian packages: the services the Python ones talk to, and what pip builds (uWSGI) need.
APT_PACKAGES = ("memcached", "mariadb-server", "rabbitmq-server", "openssl", "build-essential", "python3-dev")

HOST = "127.0.0.1"
WRONG_HOST = "127.0.0.2"  # where a packstack answer file's controller would be; nothing listens there
REGION = "RegionOne"
SERVICES = ("keystone", "swift", "octavia", "neutron", "glance", "nova")
DEFAULT_SERVICES = "keystone,swift,octavia"
PORTS = {
    "keystone": 5000,
    "swift-proxy": 8080,
    "swift-object": 6200,
    "swift-container": 6201,
    "swift-account": 6202,
    "memcached": 11211,
    "octavia-api": 9876,
    "neutron-api": 9696,
    "nova-api": 8774,
    "placement-api": 8778,
    "glance-api": 9292,
    "mariadb": 3307,
    "rabbitmq": 5672,
    "rabbitmq-dist": 25672,
    "epmd": 4370,  # a private epmd: never share one with another Erlang node on the host
}
SERVICE_PORTS = {
    "keystone": ("keystone", "memcached"),
    "swift": ("swift-proxy", "swift-object", "swift-container", "swift-account"),
    "octavia": ("octavia-api", "mariadb", "rabbitmq", "rabbitmq-dist", "epmd"),
    "neutron": ("neutron-api", "mariadb"),
    "glance": ("glance-api",),
    "nova": ("nova-api", "placement-api", "mariadb", "rabbitmq", "rabbitmq-dist", "epmd"),
}
# nova-compute hosts: the first reads the shared nova.conf (daemon "nova-compute", as before),
# the others their own copy plus an override file (daemon "nova-compute-<n>")
MAX_COMPUTES = 3
IMAGE_NAME = "lab-raw"  # what `up` uploads when glance runs: 1 MiB of zeros, raw
SWIFT_STORAGE = (("account", 6202), ("container", 6201), ("object", 6200))


class Stopping(Exception):
    """Raised in the start-up threads once `up` has begun to tear everything down."""


def url(name: str, path: str = "") -> str:
    return f"http://{HOST}:{PORTS[name]}{path}"


# --- processes -------------------------------------------------------------------------

STOP = threading.Event()
SPAWN_LOCK = threading.Lock()  # held while starting a process, so teardown never misses one
STARTED_AT = time.monotonic()


def say(who: str, msg: str) -> None:
    print(f"[{time.monotonic() - STARTED_AT:5.1f}s] {who}: {msg}", flush=True)


def lab_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{VENV / 'bin'}:{env.get('PATH') or '/usr/sbin:/usr/bin:/sbin:/bin'}"
    env[MARKER] = str(STATE)
    env["NO_PROXY"] = env["no_proxy"] = f"{HOST},{WRONG_HOST},localhost"
    env.update(extra or {})
    return env


def run(
    *cmd: str | Path,
    check: bool = True,
    env: dict | None = None,
    cwd: Path | None = None,
    stdin: str | None = None,
    timeout: float | None = None,
    lab: bool = True,
) -> subprocess.CompletedProcess:
    """Run a command to completion in its own process group; an interrupt kills that group.

    lab=True marks the command as a lab process (environment, working directory), so that
    teardown finds it even when it was started by a thread teardown did not wait for.
    """
    argv = [str(c) for c in cmd]
    if lab:
        env = lab_env(env)
        cwd = cwd or STATE
    feed = subprocess.PIPE if stdin is not None else subprocess.DEVNULL
    pipe = subprocess.PIPE
    with SPAWN_LOCK:
        if lab and STOP.is_set():
            raise Stopping
        proc = subprocess.Popen(
            argv, stdin=feed, stdout=pipe, stderr=pipe, text=True, env=env, cwd=cwd, start_new_session=True
        )
    with proc:
        try:
            out, err = proc.communicate(stdin, timeout=timeout)
        except BaseException as exc:
            kill_group(proc.pid)
            proc.communicate()
            if isinstance(exc, subprocess.TimeoutExpired):
                raise LabError(f"`{shlex.join(argv)}` did not finish in {timeout:.0f}s") from None
            raise
    if check and proc.returncode:
        if STOP.is_set():
            raise Stopping
        detail = (err or out).strip()
        raise LabError(f"`{shlex.join(argv)}` exited {proc.returncode}: {detail[-3000:]}")
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


class Daemons:
    """The long-running processes of this `up`, recorded in <state>/processes.json."""

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen] = {}
        self.lock = threading.Lock()

    def start(self, name: str, argv: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> None:
        env = env or {}
        process_env = lab_env(env)
        # recorded with the program's full path, so that `restart` starts the same program
        # whatever PATH it is run with
        program = shutil.which(str(argv[0]), path=process_env["PATH"]) or str(argv[0])
        argv = [program, *(str(a) for a in argv[1:])]
        cwd.mkdir(parents=True, exist_ok=True)
        log_path = STATE / "logs" / f"{name}.log"
        with SPAWN_LOCK:
            if STOP.is_set():
                raise Stopping
            with open(log_path, "ab") as log:
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=cwd,
                    env=process_env,
                    start_new_session=True,
                )
            with self.lock:
                self.procs[name] = proc
                records = read_records()
                records[name] = {"pid": proc.pid, "argv": argv, "cwd": str(cwd), "env": env, "log": str(log_path)}
                write_private(STATE / "processes.json", json.dumps(records, indent=2) + "\n")
        say(name, f"started (pid {proc.pid}), log {log_path.relative_to(REPO)}")

    def check_alive(self, *names: str) -> None:
        for name in names:
            proc = self.procs.get(name)
            if proc is not None and proc.poll() is not None:
                raise LabError(f"{name} exited with status {proc.returncode}; last log lines:\n{log_tail(name)}")


def log_tail(name: str, lines: int = 25) -> str:
    path = STATE / "logs" / f"{name}.log"
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text[-lines:])


def read_records() -> dict[str, dict]:
    try:
        return json.loads((STATE / "processes.json").read_text())
    except (OSError, ValueError):
        return {}


def write_private(path: Path, text: str) -> None:
    """Write a file only root can read (it may hold passwords), atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def write_fernet_key_repository(directory: Path) -> None:
    """A new key repository as keystone-manage fernet_setup (or credential_setup) leaves it:
    key 1 the primary, key 0 the staged one, each a Fernet key only root can read."""
    directory.mkdir(mode=0o700)
    for name in ("0", "1"):
        write_private(directory / name, base64.urlsafe_b64encode(secrets.token_bytes(32)).decode())


def proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, process group) of a process; None once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[0], int(fields[2])


def lab_pids() -> dict[int, str]:
    """Every live process of the lab, with what it runs.

    A process is ours when its environment carries the marker, or when it is in a process
    group we recorded and works inside the state directory (setproctitle, which oslo
    services use, overwrites /proc/PID/environ, but children keep group and directory).
    """
    marker = f"{MARKER}={STATE}".encode()
    groups = {record["pid"] for record in read_records().values()}
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        stat = proc_stat(pid)
        if stat is None or stat[0] == "Z":
            continue
        try:
            ours = marker in Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
            if not ours and stat[1] in groups:
                cwd = os.readlink(f"/proc/{pid}/cwd")
                ours = cwd == str(STATE) or cwd.startswith(f"{STATE}/")
            if ours:
                found[pid] = (
                    Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:100]
                )
        except OSError:
            continue
    return found


def stop_processes(grace: float = 8.0, only: set[int] | None = None) -> int:
    """SIGTERM every lab process (or the given ones), SIGKILL what is left after `grace` seconds."""

    def targets() -> dict[int, str]:
        found = lab_pids()
        return found if only is None else {p: c for p, c in found.items() if p in only}

    with SPAWN_LOCK:
        STOP.set()
    pids = targets()
    seen = set(pids)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + grace
    while pids and time.monotonic() < deadline:
        time.sleep(0.2)
        pids = targets()
        seen |= set(pids)
    for attempt in range(50):
        if not pids:
            return len(seen)
        if attempt == 0:
            print(
                f"  still running after {grace:.0f}s, killing: "
                + ", ".join(f"{p} ({c.split(maxsplit=1)[0]})" for p, c in pids.items()),
                flush=True,
            )
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.2)
        pids = targets()
        seen |= set(pids)
    raise LabError(f"processes survive SIGKILL: {pids}")


def port_open(port: int, host: str = HOST) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def http(
    method: str,
    target: str,
    body: dict | bytes | None = None,
    token: str | None = None,
    timeout: float = 10,
    content_type: str = "application/json",
) -> tuple[int, dict, bytes]:
    """One HTTP request, no proxies; (status, headers, body), status 0 when nothing answers.

    A dict body is sent as JSON, bytes as they are (with content_type)."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers["Content-Type"] = content_type
    if token:
        headers["X-Auth-Token"] = token
    request = urllib.request.Request(target, data=data, method=method, headers=headers)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return 0, {}, str(getattr(exc, "reason", exc)).encode()


def wait_for(
    who: str,
    what: str,
    probe: Callable[[], tuple[bool, str]],
    timeout: float,
    daemons: Daemons | None = None,
    watch: tuple[str, ...] = (),
) -> None:
    """Poll probe() until done, printing its answer when it changes or every 5 s, so a slow step never looks hung."""
    start = time.monotonic()
    last_detail, last_print = None, start
    while True:
        if STOP.is_set():
            raise Stopping
        if daemons:
            daemons.check_alive(*watch)
        done, detail = probe()
        now = time.monotonic()
        if done:
            say(who, f"{what}: {detail} ({now - start:.1f}s)")
            return
        if detail != last_detail or now - last_print >= 5:
            say(who, f"waiting for {what}: {detail}")
            last_detail, last_print = detail, now
        if now - start > timeout:
            tails = "".join(f"\n  last lines of {name}.log:\n{log_tail(name, 12)}" for name in watch)
            raise LabError(f"{who}: gave up after {timeout:.0f}s waiting for {what}: {detail}{tails}")
        time.sleep(0.3)


def http_probe(target: str, want: tuple[int, ...] = (200,), token: Callable[[], str] | None = None):
    def probe() -> tuple[bool, str]:
        status, _headers, body = http("GET", target, token=token() if token else None, timeout=5)
        if status == 0:
            return False, body.decode(errors="replace")
        return status in want, f"HTTP {status}"

    return probe


def tcp_probe(port: int):
    return lambda: (True, f"port {port} open") if port_open(port) else (False, f"port {port} closed")


# --- install ---------------------------------------------------------------------------


def stamp() -> str:
    """What the venv was built from: constraints, package list and interpreter."""
    digest = hashlib.sha256(CONSTRAINTS.read_bytes())
    digest.update(" ".join(PIP_PACKAGES).encode())
    digest.update(sys.version.encode())
    return digest.hexdigest()


VENV = VENV_CACHE / f"openstack-venv-{stamp()[:16]}"


def venv_ready() -> bool:
    stamp_file = VENV / ".stamp"
    return stamp_file.is_file() and stamp_file.read_text().strip() == stamp()


# With PYTHONDONTWRITEBYTECODE set (as on our machines), pip left most of the venv without
# bytecode, and every service start, CLI call and module run compiled its imports from source
# again: a lab start with Nova and three computes took 62 s of CPU, 42 s once compiled, and the
# openstack CLI 2.3 s per call instead of 1.2 s (idle machine). Compiled once, after the install.
COMPILED_MARKER = ".compiled"


def compile_venv() -> None:
    step = time.monotonic()
    print(f"venv: compiling {VENV}'s Python files to bytecode", flush=True)
    result = run(VENV / "bin" / "python", "-m", "compileall", "-q", "-j", "0", VENV / "lib", check=False, lab=False)
    if result.returncode:
        # Python compiles what it imports itself; this only costs time, so it is not fatal.
        print(f"venv: compileall could not compile every file:\n{(result.stdout + result.stderr).strip()[-1000:]}")
    (VENV / COMPILED_MARKER).write_text("compileall done\n")
    print(f"venv: compiled in {time.monotonic() - step:.1f}s", flush=True)


# --- migrated schemas ------------------------------------------------------------------------
# Every `up` used to migrate each service's database from nothing: 15-40 s of CPU per service,
# in each of the ~6 lab sessions of make test. The migrated schemas depend only on the venv's
# packages, so the first session keeps them (SQLite files, MariaDB dumps) beside the venv and
# later ones load them in about a second. What is kept is taken right after the migrations,
# before any password, key or Keystone bootstrap is written (nova's cell mappings hold URL templates,
# not URLs): no secret is cached.
# -2: nova_api holds the cell mappings (as URL templates) since the second layout
SCHEMAS = VENV_CACHE / f"openstack-schemas-{stamp()[:16]}-2"
# a cell mapping's URL as nova's template of the local configuration's own URL
CELL_URL_TEMPLATE = "{scheme}://{username}:{password}@{hostname}:{port}/{path}"


def mariadb_cnf() -> Path:
    return STATE / "mariadb" / "my.cnf"


def store_atomically(path: Path, fill) -> None:
    """fill(tmp) writes the file; readers see it whole or not at all (lab sessions never overlap,
    but an interrupted one must not leave half a dump)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        fill(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def cached_sqlite(who: str, database: Path, migrate) -> None:
    """Put a migrated SQLite database at `database`: the cached copy, or migrate() and keep a copy."""
    cached = SCHEMAS / f"{who}.sqlite"
    step = time.monotonic()
    if cached.is_file():
        shutil.copyfile(cached, database)
        say(who, f"database loaded from the schema cache {cached} ({time.monotonic() - step:.1f}s)")
        return
    migrate()
    store_atomically(cached, lambda tmp: shutil.copyfile(database, tmp))
    say(who, f"database migrated ({time.monotonic() - step:.1f}s), kept in the schema cache")


def load_dumps(databases: tuple[str, ...]) -> bool:
    """Load the cached dumps of these MariaDB databases; False (nothing loaded) unless all are cached."""
    dumps = [SCHEMAS / f"{name}.sql" for name in databases]
    if not all(dump.is_file() for dump in dumps):
        return False
    for name, dump in zip(databases, dumps):
        run("mariadb", f"--defaults-file={mariadb_cnf()}", name, stdin=dump.read_text())
    return True


def keep_dumps(databases: tuple[str, ...]) -> None:
    for name in databases:

        def dump(tmp: Path, name: str = name) -> None:
            out = run("mariadb-dump", f"--defaults-file={mariadb_cnf()}", "--skip-comments", "--skip-dump-date", name)
            tmp.write_text(out.stdout)

        store_atomically(SCHEMAS / f"{name}.sql", dump)


def cached_mariadb(who: str, databases: tuple[str, ...], migrate) -> None:
    """Bring these MariaDB databases to their migrated schema: the cached dumps, or migrate() and dump them."""
    step = time.monotonic()
    if load_dumps(databases):
        say(who, f"database loaded from the schema cache {SCHEMAS} ({time.monotonic() - step:.1f}s)")
        return
    migrate()
    keep_dumps(databases)
    say(who, f"database migrated ({time.monotonic() - step:.1f}s), kept in the schema cache")


def missing_debs(names: tuple[str, ...]) -> list[str]:
    missing = []
    for name in names:
        query = run("dpkg-query", "-W", "-f=${Status}", name, check=False, lab=False)
        if query.returncode or "install ok installed" not in query.stdout:
            missing.append(name)
    return missing


def install_debs(names: list[str]) -> None:
    """apt-get install without letting the package scripts start services on this host."""
    policy = Path("/usr/sbin/policy-rc.d")
    created_policy = False
    if not policy.exists():
        policy.write_text("#!/bin/sh\n# written by tests/lab/openstack_lab.py install; removed afterwards\nexit 101\n")
        policy.chmod(0o755)
        created_policy = True
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ("apt-get", "install", "-y", "-q", "--no-install-recommends", *names)
    try:
        if run(*install, check=False, env=env, lab=False).returncode:
            print("  apt-get install failed; updating the package lists and retrying", flush=True)
            run("apt-get", "update", "-q", env=env, lab=False)
            run(*install, env=env, lab=False)
    finally:
        if created_policy:
            policy.unlink(missing_ok=True)


def cmd_install(args: argparse.Namespace) -> None:
    start = time.monotonic()
    if os.geteuid():
        raise LabError("install needs root (apt-get)")
    missing = missing_debs(APT_PACKAGES)
    if missing:
        print(f"apt: installing {' '.join(missing)}", flush=True)
        step = time.monotonic()
        install_debs(missing)
        print(f"apt: done in {time.monotonic() - step:.1f}s", flush=True)
    else:
        print("apt: all present: " + " ".join(APT_PACKAGES))
    if venv_ready() and not args.force:
        print(f"venv: {VENV} is current (stamp matches {CONSTRAINTS.name})")
    else:
        step = time.monotonic()
        if VENV.exists():
            print(f"venv: {VENV} is stale or incomplete; recreating it", flush=True)
            shutil.rmtree(VENV)
        for other in [*VENV_CACHE.glob("openstack-venv-*"), *VENV_CACHE.glob("openstack-schemas-*")]:
            print(f"venv: removing {other}, built from other versions", flush=True)
            shutil.rmtree(other)
        VENV_CACHE.mkdir(parents=True, exist_ok=True)
        run(sys.executable, "-m", "venv", VENV, lab=False)
        pip = (VENV / "bin" / "python", "-m", "pip", "install", "-q", "--disable-pip-version-check")
        print(f"venv: pip install -c {CONSTRAINTS.relative_to(REPO)} {' '.join(PIP_PACKAGES)}", flush=True)
        run(*pip, "-c", CONSTRAINTS, *PIP_PACKAGES, lab=False)
        (VENV / ".stamp").write_text(stamp() + "\n")
        print(f"venv: done in {time.monotonic() - step:.1f}s", flush=True)
    if not (VENV / COMPILED_MARKER).is_file():
        compile_venv()
    for old_layout in VENV_CACHE.glob("openstack-schemas-*"):
        if old_layout != SCHEMAS:
            print(f"venv: removing {old_layout}, schemas cached in an older layout", flush=True)
            shutil.rmtree(old_layout)
    print(f"install done in {time.monotonic() - start:.1f}s")


# --- configuration ---------------------------------------------------------------------


def ini(sections: dict[str, dict[str, object]]) -> str:
    out = ["# Written by tests/lab/openstack_lab.py up; rewritten on every run.\n"]
    for section, options in sections.items():
        out.append(f"[{section}]\n")
        out.extend(f"{key} = {value}\n" for key, value in options.items())
        out.append("\n")
    return "".join(out)


def authtoken(user: str, password: str) -> dict[str, str]:
    return {
        "www_authenticate_uri": url("keystone"),
        "auth_url": url("keystone"),
        "memcached_servers": f"{HOST}:{PORTS['memcached']}",
        "auth_type": "password",
        "project_domain_name": "Default",
        "user_domain_name": "Default",
        "project_name": "service",
        "username": user,
        "password": password,
        "region_name": REGION,
    }


def swift_endpoints(broken: bool) -> list[tuple[str, str]]:
    """(interface, URL) of the object-store service.

    Broken the packstack way: the endpoints name the controller, not the node where
    swift-proxy listens, the public one is there twice and the internal one is missing.
    """
    if broken:
        account = f"http://{WRONG_HOST}:{PORTS['swift-proxy']}/v1/AUTH_%(tenant_id)s"
        return [("public", account), ("public", account), ("admin", f"http://{WRONG_HOST}:{PORTS['swift-proxy']}/v1")]
    account = url("swift-proxy", "/v1/AUTH_%(tenant_id)s")
    return [("public", account), ("internal", account), ("admin", url("swift-proxy"))]


class Lab:
    """One `up`: the plan (services, passwords, paths) and the start-up steps."""

    def __init__(self, services: list[str], broken_swift_catalog: bool, computes: int = 1) -> None:
        self.services = services
        self.broken = broken_swift_catalog
        self.computes = computes
        self.image_id = ""
        self.daemons = Daemons()
        self.passwords = {
            name: secrets.token_hex(16)
            for name in (
                *("admin", "rabbitmq", "octavia_ca", "octavia_amp"),
                *("swift", "octavia", "neutron", "glance", "nova", "placement"),  # service users
                *("octavia_db", "neutron_db", "nova_db", "placement_db"),  # their MariaDB users
            )
        }
        self.admin_project_id = ""
        self.futures: dict[str, Future] = {}

    def db_url(self, user: str, database: str = "") -> str:
        """A database on the lab's private MariaDB; by default the one named like its user."""
        return f"mysql+pymysql://{user}:{self.passwords[user + '_db']}@{HOST}:{PORTS['mariadb']}/{database or user}"

    def transport_url(self) -> str:
        return f"rabbit://lab:{self.passwords['rabbitmq']}@{HOST}:{PORTS['rabbitmq']}/"

    def needs(self, *names: str) -> bool:
        return any(name in self.services for name in names)

    def after(self, *steps: str) -> None:
        """Wait for earlier steps; their failure is reported by them, not here."""
        for step in steps:
            try:
                self.futures[step].result()
            except Exception:  # noqa: BLE001 - any failure of a step it needs
                raise Stopping from None

    # -- infrastructure

    def memcached(self) -> None:
        self.daemons.start(
            "memcached",
            ["memcached", "-l", HOST, "-p", PORTS["memcached"], "-U", "0", "-u", "root", "-m", "64", "-c", "1024"],
            STATE / "memcached",
        )
        wait_for("memcached", "its port", tcp_probe(PORTS["memcached"]), 30, self.daemons, ("memcached",))

    def mariadb(self) -> None:
        home = STATE / "mariadb"
        (home / "data").mkdir(parents=True)
        cnf = home / "my.cnf"
        cnf.write_text(
            ini(
                {
                    "mysqld": {
                        "user": "root",
                        "datadir": home / "data",
                        "socket": home / "mysqld.sock",
                        "port": PORTS["mariadb"],
                        "bind-address": HOST,
                        "pid-file": home / "mariadbd.pid",
                        "skip-name-resolve": "ON",
                        "innodb_buffer_pool_size": "64M",
                        "innodb_log_file_size": "32M",
                        "innodb_flush_log_at_trx_commit": 2,
                        "performance_schema": "OFF",
                        "max_connections": 300,
                        "character-set-server": "utf8mb4",
                        "collation-server": "utf8mb4_general_ci",
                    },
                    "client": {"socket": home / "mysqld.sock", "user": "root"},
                }
            )
        )
        step = time.monotonic()
        run(
            "mariadb-install-db",
            f"--defaults-file={cnf}",
            "--auth-root-authentication-method=socket",
            "--skip-test-db",
            cwd=home,
            timeout=120,
        )
        say("mariadb", f"datadir initialised ({time.monotonic() - step:.1f}s)")
        self.daemons.start("mariadb", ["/usr/sbin/mariadbd", f"--defaults-file={cnf}"], home)

        def answers() -> tuple[bool, str]:
            query = run("mariadb", f"--defaults-file={cnf}", "-N", "-e", "select version()", check=False)
            return query.returncode == 0, (query.stdout or query.stderr).strip()[-120:]

        wait_for("mariadb", "a query on its socket", answers, 60, self.daemons, ("mariadb",))
        sql = []
        databases = {"octavia": ("octavia",), "neutron": ("neutron",), "nova": ("nova", "nova_api", "nova_cell0")}
        if self.needs("nova"):
            databases["placement"] = ("placement",)
        for user, names in databases.items():
            if self.needs(user) or user == "placement" and self.needs("nova"):
                sql.append(f"CREATE USER '{user}'@'{HOST}' IDENTIFIED BY '{self.passwords[user + '_db']}';")
                for name in names:
                    sql.append(f"CREATE DATABASE {name} CHARACTER SET utf8mb4;")
                    sql.append(f"GRANT ALL PRIVILEGES ON {name}.* TO '{user}'@'{HOST}';")
        run("mariadb", f"--defaults-file={cnf}", stdin="\n".join(sql) + "\n")
        say("mariadb", "databases and users created")

    def rabbitmq(self) -> None:
        home = STATE / "rabbitmq"
        home.mkdir()
        (home / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = {HOST}:{PORTS['rabbitmq']}\n"
            f"distribution.listener.interface = {HOST}\n"
            f"distribution.listener.port_range.min = {PORTS['rabbitmq-dist']}\n"
            f"distribution.listener.port_range.max = {PORTS['rabbitmq-dist']}\n"
            "default_user = lab\n"
            f"default_pass = {self.passwords['rabbitmq']}\n"
            "loopback_users = none\n"
            "log.console = true\nlog.file = false\n"
        )
        os.chmod(home / "rabbitmq.conf", 0o600)
        (home / "enabled_plugins").write_text("[].\n")
        env = {
            "HOME": str(home),  # the Erlang cookie goes there, not to /root
            "RABBITMQ_NODENAME": "stackops@localhost",
            "RABBITMQ_NODE_IP_ADDRESS": HOST,
            "RABBITMQ_NODE_PORT": str(PORTS["rabbitmq"]),
            "RABBITMQ_DIST_PORT": str(PORTS["rabbitmq-dist"]),
            "RABBITMQ_CONFIG_FILE": str(home / "rabbitmq.conf"),
            "RABBITMQ_ADVANCED_CONFIG_FILE": str(home / "advanced.config"),
            "RABBITMQ_CONF_ENV_FILE": str(home / "rabbitmq-env.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(home / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(home / "mnesia"),
            "RABBITMQ_LOG_BASE": str(home / "log"),
            "RABBITMQ_PID_FILE": str(home / "rabbitmq.pid"),
            "ERL_EPMD_ADDRESS": HOST,
            "ERL_EPMD_PORT": str(PORTS["epmd"]),
        }
        (home / "rabbitmq-env.conf").write_text("# empty: everything comes from the environment\n")
        self.daemons.start("rabbitmq", ["/usr/lib/rabbitmq/bin/rabbitmq-server"], home, env)
        wait_for("rabbitmq", "its AMQP port", tcp_probe(PORTS["rabbitmq"]), 120, self.daemons, ("rabbitmq",))

    # -- keystone

    def keystone(self) -> None:
        home = STATE / "keystone"
        home.mkdir()
        conf = home / "keystone.conf"
        conf.write_text(
            ini(
                {
                    "DEFAULT": {"debug": "false"},
                    "database": {"connection": f"sqlite:///{home / 'keystone.db'}"},
                    # bcrypt's fewest rounds: every password login (each Ansible task authenticates
                    # anew) cost 0.39 s of CPU at Keystone's default 12 rounds, 0.001 s at 4; these
                    # passwords live as long as the lab and never leave this host
                    "identity": {"password_hash_rounds": 4},
                    "token": {"provider": "fernet", "expiration": 86400},
                    "fernet_tokens": {"key_repository": home / "fernet-keys"},
                    "fernet_receipts": {"key_repository": home / "fernet-keys"},
                    "credential": {"key_repository": home / "credential-keys"},
                    "cache": {"enabled": "true", "backend": "dogpile.cache.memory"},
                }
            )
        )
        manage = ("keystone-manage", "--config-file", conf)
        step = time.monotonic()
        # What fernet_setup and credential_setup leave, written here: two keystone-manage runs
        # cost 7 s of CPU (idle machine) on every `up`, on the way to Keystone's start
        for repository in ("fernet-keys", "credential-keys"):
            write_fernet_key_repository(home / repository)
        cached_sqlite("keystone", home / "keystone.db", lambda: run(*manage, "db_sync", cwd=home, timeout=300))
        say("keystone", f"database and key repositories ready ({time.monotonic() - step:.1f}s)")
        # The API loads while bootstrap runs (each is seconds of imports): nothing calls it
        # before the bootstrap is done, and it reads the database only when called.
        self.daemons.start(
            "keystone",
            uwsgi("keystone.wsgi.api:application", PORTS["keystone"]),
            home,
            {"OS_KEYSTONE_CONFIG_FILES": str(conf)},
        )
        identity = url("keystone", "/v3")
        run(
            *manage, "bootstrap", "--bootstrap-username", "admin", "--bootstrap-project-name", "admin",
            "--bootstrap-role-name", "admin", "--bootstrap-service-name", "keystone", "--bootstrap-region-id", REGION,
            "--bootstrap-admin-url", identity, "--bootstrap-internal-url", identity, "--bootstrap-public-url", identity,
            cwd=home, env={"OS_BOOTSTRAP_PASSWORD": self.passwords["admin"]},  # never on a command line
        )  # fmt: skip
        say("keystone", f"bootstrapped ({time.monotonic() - step:.1f}s)")
        wait_for("keystone", "GET /v3", http_probe(url("keystone", "/v3")), 90, self.daemons, ("keystone",))
        self.register()

    def admin_token(self) -> str:
        return keystone_token(self.passwords["admin"])[0]

    def register(self) -> None:
        """Projects, users and catalog entries the services need, through Keystone's API."""
        token, body = keystone_token(self.passwords["admin"])
        self.admin_project_id = body["token"]["project"]["id"]
        kst = Keystone(token)
        service_project = kst.create(
            "projects",
            "project",
            {"name": "service", "domain_id": "default", "description": "service users of the lab"},
        )
        # `service`: keystonemiddleware requires it on service tokens (nova -> neutron answers 500 without it)
        roles = [kst.find("roles", "admin"), kst.find_or_create_role("service")]
        for user in ("swift", "octavia", "neutron", "glance", "nova", "placement"):
            if not self.needs("nova" if user == "placement" else user):
                continue
            user_id = kst.create(
                "users", "user", {"name": user, "domain_id": "default", "password": self.passwords[user]}
            )
            for role in roles:
                kst.call("PUT", f"/projects/{service_project}/users/{user_id}/roles/{role}")
        catalog = []
        if self.needs("swift"):
            catalog.append(("swift", "object-store", "OpenStack Object Storage", swift_endpoints(self.broken)))
        if self.needs("octavia"):
            lb_url = url("octavia-api")
            catalog.append(
                (
                    "octavia",
                    "load-balancer",
                    "OpenStack Load Balancing",
                    [(i, lb_url) for i in ("public", "internal", "admin")],
                )
            )
        if self.needs("neutron"):
            net_url = url("neutron-api")
            catalog.append(
                ("neutron", "network", "OpenStack Networking", [(i, net_url) for i in ("public", "internal", "admin")])
            )
        if self.needs("glance"):
            image_url = url("glance-api")
            catalog.append(
                ("glance", "image", "OpenStack Image", [(i, image_url) for i in ("public", "internal", "admin")])
            )
        if self.needs("nova"):
            for name, kind, description, target in (
                ("nova", "compute", "OpenStack Compute", url("nova-api", "/v2.1")),
                ("placement", "placement", "OpenStack Placement", url("placement-api")),
            ):
                catalog.append((name, kind, description, [(i, target) for i in ("public", "internal", "admin")]))
        for name, kind, description, endpoints in catalog:
            service_id = kst.create("services", "service", {"name": name, "type": kind, "description": description})
            for interface, target in endpoints:
                kst.create(
                    "endpoints",
                    "endpoint",
                    {"service_id": service_id, "interface": interface, "url": target, "region_id": REGION},
                )
        say(
            "keystone",
            "registered "
            + (", ".join(f"{name} ({kind})" for name, kind, _d, _e in catalog) or "nothing")
            + (" with the BROKEN swift endpoints" if self.broken and self.needs("swift") else ""),
        )

    # -- swift

    def swift(self) -> None:
        home = STATE / "swift"
        (home / "devices" / "d1").mkdir(parents=True)
        (home / "swift.conf").write_text(
            ini(
                {
                    "swift-hash": {
                        "swift_hash_path_suffix": secrets.token_hex(8),
                        "swift_hash_path_prefix": secrets.token_hex(8),
                    },
                    "storage-policy:0": {"name": "Policy-0", "default": "yes"},
                }
            )
        )
        for kind, port in SWIFT_STORAGE:
            (home / f"{kind}-server.conf").write_text(
                ini(
                    {
                        "DEFAULT": {
                            "bind_ip": HOST,
                            "bind_port": port,
                            "workers": 0,
                            "user": "root",
                            "swift_dir": home,
                            "devices": home / "devices",
                            "mount_check": "false",
                            "disable_fallocate": "true",
                            "log_name": f"{kind}-server",
                        },
                        "pipeline:main": {"pipeline": f"healthcheck {kind}-server"},
                        f"app:{kind}-server": {"use": f"egg:swift#{kind}"},
                        "filter:healthcheck": {"use": "egg:swift#healthcheck"},
                    }
                )
            )
        write_private(home / "proxy-server.conf", self.proxy_conf(home))
        step = time.monotonic()
        for kind, port in SWIFT_STORAGE:
            builder = home / f"{kind}.builder"
            run("swift-ring-builder", builder, "create", "8", "1", "1", cwd=home)
            run(
                "swift-ring-builder",
                builder,
                "add",
                "--region",
                "1",
                "--zone",
                "1",
                "--ip",
                HOST,
                "--port",
                str(port),
                "--device",
                "d1",
                "--weight",
                "100",
                cwd=home,
            )
            rebalance = run("swift-ring-builder", builder, "rebalance", cwd=home, check=False)
            if rebalance.returncode not in (0, 1) or not (home / f"{kind}.ring.gz").is_file():  # 1 is a warning
                raise LabError(f"swift-ring-builder {builder} rebalance failed: {rebalance.stdout}{rebalance.stderr}")
        say("swift", f"rings built ({time.monotonic() - step:.1f}s)")
        for kind, port in SWIFT_STORAGE:
            self.daemons.start(
                f"swift-{kind}", [f"swift-{kind}-server", home / f"{kind}-server.conf", "--verbose"], home
            )
        self.daemons.start("swift-proxy", ["swift-proxy-server", home / "proxy-server.conf", "--verbose"], home)
        for kind, port in (*SWIFT_STORAGE, ("proxy", PORTS["swift-proxy"])):
            wait_for(
                f"swift-{kind}",
                "GET /healthcheck",
                http_probe(f"http://{HOST}:{port}/healthcheck"),
                60,
                self.daemons,
                (f"swift-{kind}",),
            )
        self.after("memcached", "keystone")
        account = url("swift-proxy", f"/v1/AUTH_{self.admin_project_id}")
        wait_for(
            "swift-proxy",
            f"an authenticated GET {account}",
            http_probe(account, (200, 204), self.admin_token),
            30,
            self.daemons,
            ("swift-proxy",),
        )

    def proxy_conf(self, home: Path) -> str:
        """The proxy as a packstack/RDO node has it: Keystone auth, no s3api/s3token.

        Adding those is what the swift_s3api role does, and what its tests check.
        """
        pipeline = (
            "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats bulk tempurl ratelimit "
            "authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink "
            "proxy-logging proxy-server"
        )
        sections: dict[str, dict[str, object]] = {
            "DEFAULT": {
                "bind_ip": HOST,
                "bind_port": PORTS["swift-proxy"],
                "workers": 1,
                "user": "root",
                "swift_dir": home,
                "log_name": "proxy-server",
            },
            "pipeline:main": {"pipeline": pipeline},
            "app:proxy-server": {"use": "egg:swift#proxy", "account_autocreate": "true"},
            "filter:authtoken": {
                "paste.filter_factory": "keystonemiddleware.auth_token:filter_factory",
                **authtoken("swift", self.passwords["swift"]),
                "delay_auth_decision": "true",
            },
            "filter:keystoneauth": {
                "use": "egg:swift#keystoneauth",
                "operator_roles": "admin, member",
                "reseller_prefix": "AUTH_",
            },
            "filter:cache": {"use": "egg:swift#memcache", "memcache_servers": f"{HOST}:{PORTS['memcached']}"},
        }
        for name in (
            "catch_errors",
            "gatekeeper",
            "healthcheck",
            "proxy-logging",
            "listing_formats",
            "bulk",
            "tempurl",
            "ratelimit",
            "copy",
            "container-quotas",
            "account-quotas",
            "slo",
            "dlo",
            "versioned_writes",
            "symlink",
        ):
            sections[f"filter:{name}"] = {"use": f"egg:swift#{name.replace('-', '_')}"}
        return ini(sections)

    # -- octavia

    def octavia(self) -> None:
        home = STATE / "octavia"
        (home / "certs").mkdir(parents=True)
        (home / "lock").mkdir()
        certs = self.octavia_certs(home / "certs")
        conf = home / "octavia.conf"
        service_auth = authtoken("octavia", self.passwords["octavia"])
        write_private(
            conf,
            ini(
                {
                    "DEFAULT": {
                        "debug": "false",
                        "transport_url": self.transport_url(),
                        # cotyledon waits 60 s for the consumer by default: `down` would always end in SIGKILL
                        "graceful_shutdown_timeout": 2,
                    },
                    "api_settings": {
                        "bind_host": HOST,
                        "bind_port": PORTS["octavia-api"],
                        "auth_strategy": "keystone",
                        "api_base_uri": url("octavia-api"),
                        "enabled_provider_drivers": "amphora:The Octavia amphora driver with no-op backends",
                        "default_provider_driver": "amphora",
                    },
                    "database": {"connection": self.db_url("octavia")},
                    "keystone_authtoken": service_auth,
                    "service_auth": {
                        k: v for k, v in service_auth.items() if k not in ("www_authenticate_uri", "region_name")
                    },
                    "certificates": {
                        "cert_generator": "local_cert_generator",
                        "ca_certificate": certs["ca"],
                        "ca_private_key": certs["ca_key"],
                        "ca_private_key_passphrase": self.passwords["octavia_ca"],
                        "server_certs_key_passphrase": self.passwords["octavia_amp"],
                    },
                    "haproxy_amphora": {"client_cert": certs["client"], "server_ca": certs["ca"]},
                    "controller_worker": {
                        "amphora_driver": "amphora_noop_driver",
                        "compute_driver": "compute_noop_driver",
                        "network_driver": "network_noop_driver",
                        "volume_driver": "volume_noop_driver",
                        "image_driver": "image_noop_driver",
                        "client_ca": certs["ca"],
                        "amp_boot_network_list": "00000000-0000-4000-8000-000000000001",
                        "amp_secgroup_list": "00000000-0000-4000-8000-000000000002",
                        "amp_flavor_id": "lab-amphora",
                        "amp_image_tag": "amphora",
                        "loadbalancer_topology": "SINGLE",
                        "workers": 1,
                    },
                    "health_manager": {"heartbeat_key": secrets.token_hex(8), "bind_ip": HOST},
                    "oslo_messaging": {"topic": "octavia_prov"},
                    "oslo_concurrency": {"lock_path": home / "lock"},
                }
            ),
        )
        self.after("mariadb")
        cached_mariadb(
            "octavia", ("octavia",), lambda: run("octavia-db-manage", "--config-file", conf, "upgrade", "head", cwd=home, timeout=300)
        )
        self.after("rabbitmq")
        self.daemons.start("octavia-worker", ["octavia-worker", "--config-file", conf], home)
        self.daemons.start(
            "octavia-api",
            uwsgi("octavia.wsgi.api:application", PORTS["octavia-api"], "--pyargv", f"--config-file {conf}"),
            home,
        )
        wait_for("octavia-api", "GET /", http_probe(url("octavia-api", "/")), 90, self.daemons, ("octavia-api",))

        def consuming() -> tuple[bool, str]:
            started = "Starting V2 consumer" in (STATE / "logs" / "octavia-worker.log").read_text(errors="replace")
            return started, "consuming its queue" if started else "not consuming yet"

        wait_for("octavia-worker", "its RPC consumer", consuming, 90, self.daemons, ("octavia-worker",))
        self.after("keystone")
        wait_for(
            "octavia-api",
            "an authenticated GET /v2/lbaas/loadbalancers",
            http_probe(url("octavia-api", "/v2/lbaas/loadbalancers"), (200,), self.admin_token),
            30,
            self.daemons,
            ("octavia-api",),
        )

    def octavia_certs(self, certs: Path) -> dict[str, Path]:
        """A CA whose key has a passphrase (the worker signs amphora certificates with it) and a client cert."""
        passfile = certs / "ca.pass"
        write_private(passfile, self.passwords["octavia_ca"] + "\n")
        run(
            "openssl",
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-aes-256-cbc",
            "-pass",
            f"file:{passfile}",
            "-out",
            certs / "ca.key",
            cwd=certs,
        )
        run(
            "openssl",
            "req",
            "-x509",
            "-new",
            "-key",
            certs / "ca.key",
            "-passin",
            f"file:{passfile}",
            "-sha256",
            "-days",
            "3650",
            "-subj",
            "/CN=stackops lab octavia CA",
            "-out",
            certs / "ca.pem",
            cwd=certs,
        )
        run(
            "openssl",
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            certs / "client.key",
            cwd=certs,
        )
        run(
            "openssl",
            "req",
            "-new",
            "-key",
            certs / "client.key",
            "-subj",
            "/CN=stackops lab octavia controller",
            "-out",
            certs / "client.csr",
            cwd=certs,
        )
        run(
            "openssl",
            "x509",
            "-req",
            "-in",
            certs / "client.csr",
            "-CA",
            certs / "ca.pem",
            "-CAkey",
            certs / "ca.key",
            "-passin",
            f"file:{passfile}",
            "-CAcreateserial",
            "-days",
            "3650",
            "-sha256",
            "-out",
            certs / "client.crt",
            cwd=certs,
        )
        write_private(certs / "client.pem", (certs / "client.crt").read_text() + (certs / "client.key").read_text())
        return {"ca": certs / "ca.pem", "ca_key": certs / "ca.key", "client": certs / "client.pem"}

    # -- neutron

    def neutron(self) -> None:
        home = STATE / "neutron"
        (home / "lock").mkdir(parents=True)
        conf = home / "neutron.conf"
        write_private(
            conf,
            ini(
                {
                    "DEFAULT": {
                        "debug": "false",
                        "core_plugin": "ml2",
                        "service_plugins": "router",
                        "auth_strategy": "keystone",
                        "api_paste_config": VENV / "etc" / "neutron" / "api-paste.ini",
                        "state_path": home,
                        # no agents listen: casts stay in memory instead of piling up in a broker
                        "transport_url": "fake://",
                        "host": "lab",
                        "notify_nova_on_port_status_changes": "false",
                        "notify_nova_on_port_data_changes": "false",
                    },
                    "database": {"connection": self.db_url("neutron")},
                    "keystone_authtoken": authtoken("neutron", self.passwords["neutron"]),
                    "ml2": {
                        "type_drivers": "flat,vlan,vxlan",
                        "tenant_network_types": "vxlan",
                        "mechanism_drivers": "",
                        "extension_drivers": "port_security",
                    },
                    "ml2_type_vxlan": {"vni_ranges": "1:1000"},
                    "ml2_type_flat": {"flat_networks": "*"},
                    "oslo_concurrency": {"lock_path": home / "lock"},
                }
            ),
        )
        self.after("mariadb")
        cached_mariadb(
            "neutron", ("neutron",), lambda: run("neutron-db-manage", "--config-file", conf, "upgrade", "heads", cwd=home, timeout=600)
        )
        self.daemons.start(
            "neutron-api",
            uwsgi("neutron.wsgi.api:application", PORTS["neutron-api"]),
            home,
            {"OS_NEUTRON_CONFIG_DIR": str(home), "OS_NEUTRON_CONFIG_FILES": conf.name},
        )
        wait_for("neutron-api", "GET /", http_probe(url("neutron-api", "/")), 120, self.daemons, ("neutron-api",))
        self.after("keystone")
        wait_for(
            "neutron-api",
            "an authenticated GET /v2.0/networks",
            http_probe(url("neutron-api", "/v2.0/networks"), (200,), self.admin_token),
            30,
            self.daemons,
            ("neutron-api",),
        )

    # -- glance

    def glance(self) -> None:
        """Glance with a file store on SQLite, and one small raw image every project can boot."""
        home = STATE / "glance"
        for sub in ("images", "staging", "lock"):
            (home / sub).mkdir(parents=True)
        write_private(home / "glance-api.conf", ini({
            "DEFAULT": {"debug": "false", "node_staging_uri": f"file://{home / 'staging'}"},
            "database": {"connection": f"sqlite:///{home / 'glance.sqlite'}"},
            "glance_store": {"stores": "file", "default_store": "file", "filesystem_store_datadir": home / "images"},
            "keystone_authtoken": authtoken("glance", self.passwords["glance"]),
            "paste_deploy": {"flavor": "keystone"},
            "oslo_concurrency": {"lock_path": home / "lock"},
        }))  # fmt: skip
        shutil.copy(VENV / "etc" / "glance" / "glance-api-paste.ini", home / "glance-api-paste.ini")
        cached_sqlite(
            "glance",
            home / "glance.sqlite",
            lambda: run("glance-manage", "--config-file", home / "glance-api.conf", "db_sync", cwd=home, timeout=300),
        )
        self.daemons.start(
            "glance-api",
            uwsgi("glance.wsgi.api:application", PORTS["glance-api"]),
            home,
            {"OS_GLANCE_CONFIG_DIR": str(home)},
        )
        wait_for(
            "glance-api", "GET /healthcheck", http_probe(url("glance-api", "/healthcheck")), 90, self.daemons, ("glance-api",)
        )
        self.after("keystone")
        # once in a while the first authenticated request right after Keystone registered glance
        # got a 401 (glance's token check): wait for one that passes, as for neutron
        wait_for(
            "glance-api",
            "an authenticated GET /v2/images",
            http_probe(url("glance-api", "/v2/images"), (200,), self.admin_token),
            30,
            self.daemons,
            ("glance-api",),
        )
        token = self.admin_token()
        status, _headers, body = http(
            "POST",
            url("glance-api", "/v2/images"),
            {"name": IMAGE_NAME, "disk_format": "raw", "container_format": "bare", "visibility": "public"},
            token,
        )
        if status != 201:
            raise LabError(f"glance: creating the image {IMAGE_NAME}: HTTP {status} {body[:300]!r}")
        self.image_id = json.loads(body)["id"]
        status, _headers, body = http(
            "PUT",
            url("glance-api", f"/v2/images/{self.image_id}/file"),
            bytes(1024 * 1024),
            token,
            content_type="application/octet-stream",
        )
        if status != 204:
            raise LabError(f"glance: uploading the image {IMAGE_NAME}: HTTP {status} {body[:300]!r}")
        say("glance", f"image {IMAGE_NAME} ({self.image_id}) uploaded, 1 MiB raw")

    # -- nova and placement

    def service_auth(self, user: str) -> dict[str, str]:
        """Credentials one service uses to call another (nova -> placement, neutron)."""
        auth = authtoken(user, self.passwords[user])
        return {k: v for k, v in auth.items() if k not in ("www_authenticate_uri", "memcached_servers")}

    def nova(self) -> None:
        home = STATE / "nova"
        for sub in ("instances", "lock"):
            (home / sub).mkdir(parents=True)
        conf = home / "nova.conf"
        write_private(conf, ini({
            "DEFAULT": {
                "debug": "false", "transport_url": self.transport_url(), "host": "lab-compute1", "my_ip": HOST,
                "compute_driver": "fake.FakeDriverWithoutFakeNodes", "state_path": home,
                "instances_path": home / "instances", "enabled_apis": "osapi_compute", "graceful_shutdown_timeout": 2,
                # a stopped nova-compute is reported down after 20 s, not nova's 60
                "report_interval": 5, "service_down_time": 20,
                # periodic tasks (the scheduler's host discovery, nova-compute's resource updates)
                # start at once, not after a random wait of up to 60 s: each lab session waited
                # 17-40 s for its compute hosts to appear in the API
                "periodic_fuzzy_delay": 0,
            },
            "api": {"auth_strategy": "keystone"},
            "api_database": {"connection": self.db_url("nova", "nova_api")},
            "database": {"connection": self.db_url("nova")},
            "keystone_authtoken": authtoken("nova", self.passwords["nova"]),
            "placement": self.service_auth("nova"),
            **({"neutron": self.service_auth("nova")} if self.needs("neutron") else {}),
            "scheduler": {"discover_hosts_in_cells_interval": 2},  # maps the fake compute host by itself
            # no [vnc] or [spice]: nova's defaults (VNC on, SPICE off), as packstack leaves them;
            # the nova_spice_console integration target switches SPICE on with the module
            "oslo_concurrency": {"lock_path": home / "lock"},
            "oslo_messaging_notifications": {"driver": "noop"},
        }))  # fmt: skip
        placement_home = STATE / "placement"
        placement_home.mkdir()
        placement_conf = placement_home / "placement.conf"
        write_private(placement_conf, ini({
            "DEFAULT": {"debug": "false"},
            "api": {"auth_strategy": "keystone"},
            "placement_database": {"connection": self.db_url("placement")},
            "keystone_authtoken": authtoken("placement", self.passwords["placement"]),
        }))  # fmt: skip
        self.after("mariadb")
        step = time.monotonic()
        manage = ("nova-manage", "--config-file", conf)
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="nova") as pool:
            placement_sync = pool.submit(
                cached_mariadb,
                "placement",
                ("placement",),
                lambda: run("placement-manage", "--config-file", placement_conf, "db", "sync", cwd=placement_home, timeout=300),
            )

            # The cell mappings' URLs are templates nova fills from this nova.conf's
            # [database]/connection and transport_url when it reads them: no password in the
            # mappings, so the API database is kept with them (two nova-manage runs fewer on
            # each `up`: 10 s of CPU, and 20 s on the way to nova-api's start on a loaded machine).
            def migrate_api_database() -> None:
                run(*manage, "api_db", "sync", cwd=home, timeout=300)
                run(*manage, "cell_v2", "map_cell0", "--database_connection", CELL_URL_TEMPLATE + "_cell0", cwd=home)
                run(*manage, "cell_v2", "create_cell", "--name", "cell1", "--transport-url", CELL_URL_TEMPLATE,
                    "--database_connection", CELL_URL_TEMPLATE, cwd=home)  # fmt: skip

            cached_mariadb("nova", ("nova_api",), migrate_api_database)
            cached_mariadb("nova", ("nova", "nova_cell0"), lambda: run(*manage, "db", "sync", cwd=home, timeout=300))
            placement_sync.result()
        say("nova", f"databases ready, cell0 and cell1 mapped ({time.monotonic() - step:.1f}s)")
        self.daemons.start(
            "placement-api",
            uwsgi("placement.wsgi.api:application", PORTS["placement-api"]),
            placement_home,
            {"OS_PLACEMENT_CONFIG_DIR": str(placement_home)},
        )
        # nova's WSGI app reads its paste pipeline from the first of these files
        shutil.copy(VENV / "etc" / "nova" / "api-paste.ini", home / "api-paste.ini")
        nova_env = {"OS_NOVA_CONFIG_DIR": str(home), "OS_NOVA_CONFIG_FILES": f"api-paste.ini;{conf.name}"}
        self.daemons.start("nova-api", uwsgi("nova.wsgi.osapi_compute:application", PORTS["nova-api"]), home, nova_env)
        self.after("rabbitmq")
        # nova-conductor logs in to Keystone as it starts and exits on a 401 (its user must exist);
        # nova-compute reports its resources to placement right away
        self.after("keystone")
        for name in ("nova-conductor", "nova-scheduler"):
            self.daemons.start(name, [name, "--config-file", conf], home)
        wait_for("placement-api", "GET /", http_probe(url("placement-api", "/")), 90, self.daemons, ("placement-api",))
        computes = [self.start_compute(number, conf) for number in range(1, self.computes + 1)]
        wait_for("nova-api", "GET /", http_probe(url("nova-api", "/")), 120, self.daemons, ("nova-api",))
        expected = {c["host"] for c in computes}

        def hypervisors() -> tuple[bool, str]:
            status, _headers, body = http("GET", url("nova-api", "/v2.1/os-hypervisors"), token=self.admin_token())
            if status != 200:
                return False, f"HTTP {status}"
            found = {h["hypervisor_hostname"] for h in json.loads(body)["hypervisors"]}
            return expected <= found, f"hypervisors: {', '.join(sorted(found))}" if found else "no hypervisor yet"

        watch = ("nova-api", "nova-conductor", "nova-scheduler", "placement-api", *(c["daemon"] for c in computes))
        what = "their hypervisors" if len(computes) > 1 else "its hypervisor"
        wait_for("nova-compute", f"{what} in the API", hypervisors, 120, self.daemons, watch)

    def compute_plan(self, number: int) -> dict:
        """Host name, daemon name and config files of the number-th nova-compute (1-based)."""
        home = STATE / "nova"
        if number == 1:
            return {"host": "lab-compute1", "daemon": "nova-compute", "home": home, "config_files": [home / "nova.conf"]}
        own = home / f"lab-compute{number}"
        return {
            "host": f"lab-compute{number}",
            "daemon": f"nova-compute-{number}",
            "home": own,
            "config_files": [own / "nova.conf", own / "override.conf"],
        }

    def start_compute(self, number: int, shared_conf: Path) -> dict:
        """Start one nova-compute. The others never read the shared nova.conf: nova looks for its
        compute_id file next to every config file, and a second host finding the first one's
        refuses to start ("Possible rename detected")."""
        plan = self.compute_plan(number)
        if number > 1:
            (plan["home"] / "instances").mkdir(parents=True)
            write_private(plan["config_files"][0], shared_conf.read_text())
            write_private(plan["config_files"][1], ini({"DEFAULT": {
                "host": plan["host"], "state_path": plan["home"], "instances_path": plan["home"] / "instances",
            }}))  # fmt: skip
        argv: list[str | Path] = ["nova-compute"]
        for path in plan["config_files"]:
            argv += ["--config-file", path]
        self.daemons.start(plan["daemon"], argv, plan["home"])
        return plan

    # -- the whole start-up

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        plan: list[tuple[str, Callable[[], None]]] = [("memcached", self.memcached)]
        if self.needs("octavia", "neutron", "nova"):
            plan.append(("mariadb", self.mariadb))
        if self.needs("octavia", "nova"):
            plan.append(("rabbitmq", self.rabbitmq))
        plan.append(("keystone", self.keystone))
        for name in ("swift", "octavia", "neutron", "glance", "nova"):
            if self.needs(name):
                plan.append((name, getattr(self, name)))
        return plan

    def start(self) -> None:
        """Run the steps in threads (each waits for what it needs); the first failure stops all."""
        plan = self.steps()
        pool = ThreadPoolExecutor(max_workers=len(plan), thread_name_prefix="lab")
        try:
            for name, step in plan:
                self.futures[name] = pool.submit(step)
            pending = set(self.futures.values())
            while pending:
                done, pending = wait(pending, timeout=0.5, return_when=FIRST_EXCEPTION)
                errors = [f.exception() for f in done if f.exception() is not None]
                for error in errors:
                    if not isinstance(error, Stopping):
                        raise error
                if errors:
                    raise LabError("a start-up step stopped early")
        except BaseException as exc:
            shield()  # a second Ctrl-C must not leave half a lab behind
            reason = "interrupted" if isinstance(exc, KeyboardInterrupt) else "failed"
            print(f"up {reason}; stopping everything it started", file=sys.stderr, flush=True)
            # Kill first: a thread may be waiting for a child (a db_sync) and must not wait for it to finish.
            stop_processes(grace=3)
            raise
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    def write_client_files(self) -> dict:
        auth_url = url("keystone", "/v3")
        clouds = STATE / "clouds.yaml"
        write_private(
            clouds,
            "# Written by tests/lab/openstack_lab.py up; use with OS_CLIENT_CONFIG_FILE.\n"
            "clouds:\n  lab:\n    auth:\n"
            f"      auth_url: {auth_url}\n      username: admin\n"
            f"      password: {json.dumps(self.passwords['admin'])}\n"
            "      project_name: admin\n      user_domain_name: Default\n      project_domain_name: Default\n"
            f"    region_name: {REGION}\n    interface: public\n    identity_api_version: 3\n",
        )
        openrc = STATE / "admin-openrc"
        variables = {
            "OS_AUTH_URL": auth_url,
            "OS_USERNAME": "admin",
            "OS_PASSWORD": self.passwords["admin"],
            "OS_PROJECT_NAME": "admin",
            "OS_USER_DOMAIN_NAME": "Default",
            "OS_PROJECT_DOMAIN_NAME": "Default",
            "OS_REGION_NAME": REGION,
            "OS_IDENTITY_API_VERSION": "3",
            "OS_INTERFACE": "public",
        }
        write_private(openrc, "".join(f"export {k}={shlex.quote(v)}\n" for k, v in variables.items()))
        endpoints = {"keystone": auth_url}
        if self.needs("swift"):
            endpoints["swift"] = url("swift-proxy")
        if self.needs("octavia"):
            endpoints["octavia"] = url("octavia-api")
        if self.needs("neutron"):
            endpoints["neutron"] = url("neutron-api")
        if self.needs("glance"):
            endpoints["glance"] = url("glance-api")
        if self.needs("nova"):
            endpoints["nova"] = url("nova-api", "/v2.1")
            endpoints["placement"] = url("placement-api")
        env = {
            "auth_url": auth_url,
            "region": REGION,
            "cloud": "lab",
            "clouds_yaml": str(clouds),
            "admin_credentials_file": str(openrc),
            "admin_project_id": self.admin_project_id,
            "services": self.services,
            "endpoints": endpoints,
            "swift_catalog": [{"interface": i, "url": u} for i, u in swift_endpoints(self.broken)]
            if self.needs("swift")
            else [],
            "swift_catalog_broken": self.broken,
            "swift_proxy_config": str(STATE / "swift" / "proxy-server.conf") if self.needs("swift") else None,
            "service_passwords_file": str(STATE / "passwords.json"),
            # per nova-compute: host, lab daemon name (for `restart`), config files in the order it reads them
            "compute_hosts": [
                {"host": c["host"], "daemon": c["daemon"], "config_files": [str(p) for p in c["config_files"]]}
                for c in map(self.compute_plan, range(1, self.computes + 1))
            ]
            if self.needs("nova")
            else [],
            "image_id": self.image_id or None,
            "mariadb_socket": str(STATE / "mariadb" / "mysqld.sock")
            if self.needs("octavia", "neutron", "nova")
            else None,
            "venv": str(VENV),
            "state_dir": str(STATE),
            "logs": str(STATE / "logs"),
        }
        write_private(STATE / "passwords.json", json.dumps(self.passwords, indent=2) + "\n")
        write_private(STATE / "env.json", json.dumps(env, indent=2) + "\n")
        return env


def uwsgi(module: str, port: int, *extra: str) -> list[str | Path]:
    """One process with threads; `Connection: close` or openstacksdk's second request gets a reset.

    --worker-reload-mercy: nova-api's worker does not exit on SIGINT (non-daemon threads);
    without it the master waits 60 s before killing it.
    """
    return [
        VENV / "bin" / "uwsgi", "--master", "--die-on-term", "--need-app", "--worker-reload-mercy", "3",
        "--http-socket", f"{HOST}:{port}", "--processes", "1", "--threads", "4", "--virtualenv", VENV,
        "--module", module, "--add-header", "Connection: close", "--buffer-size", "65535", "--disable-logging",
        *extra,
    ]  # fmt: skip


def keystone_token(password: str) -> tuple[str, dict]:
    status, headers, body = http(
        "POST",
        url("keystone", "/v3/auth/tokens"),
        {
            "auth": {
                "identity": {
                    "methods": ["password"],
                    "password": {"user": {"name": "admin", "domain": {"id": "default"}, "password": password}},
                },
                "scope": {"project": {"name": "admin", "domain": {"id": "default"}}},
            }
        },
    )
    if status != 201:
        raise LabError(f"keystone: no admin token: HTTP {status} {body[:300]!r}")
    return headers["X-Subject-Token"], json.loads(body)


class Keystone:
    def __init__(self, token: str) -> None:
        self.token = token

    def call(self, method: str, path: str, body: dict | None = None) -> dict:
        status, _headers, answer = http(method, url("keystone", "/v3" + path), body, self.token)
        if status not in (200, 201, 204):
            raise LabError(f"keystone: {method} {path}: HTTP {status} {answer[:300]!r}")
        return json.loads(answer) if answer else {}

    def create(self, plural: str, singular: str, attrs: dict) -> str:
        return self.call("POST", f"/{plural}", {singular: attrs})[singular]["id"]

    def find(self, plural: str, name: str) -> str:
        found = self.call("GET", f"/{plural}?name={name}")[plural]
        if not found:
            raise LabError(f"keystone: no {plural[:-1]} named {name}")
        return found[0]["id"]

    def find_or_create_role(self, name: str) -> str:
        found = self.call("GET", f"/roles?name={name}")["roles"]
        return found[0]["id"] if found else self.create("roles", "role", {"name": name})


# --- up / down / status / env -----------------------------------------------------------


def parse_services(text: str) -> list[str]:
    services = [s.strip() for s in text.split(",") if s.strip()]
    unknown = sorted(set(services) - set(SERVICES))
    if unknown:
        raise LabError(f"unknown service(s) {', '.join(unknown)}; choose from {', '.join(SERVICES)}")
    if "keystone" not in services:
        services.insert(0, "keystone")
    return [s for s in SERVICES if s in services]


def read_env() -> dict | None:
    try:
        return json.loads((STATE / "env.json").read_text())
    except (OSError, ValueError):
        return None


def cmd_up(args: argparse.Namespace) -> None:
    services = parse_services(args.services)
    if not venv_ready():
        raise LabError(f"the venv {VENV} is missing or stale; run: python3 tests/lab/openstack_lab.py install")
    if os.geteuid():
        raise LabError("up needs root (mariadbd, rabbitmq and swift run as root here)")
    current = read_env()
    if lab_pids():
        answering = {name for name, ok in probe_services(current).items() if ok} if current else set()
        if (
            current
            and current["services"] == services
            and current["swift_catalog_broken"] == args.broken_swift_catalog
            and len(current.get("compute_hosts") or [None]) == args.computes
            and answering == set(services)
        ):
            print(f"lab already up with {', '.join(services)}; kept (see `env`)")
            return
        raise LabError("a lab is already running with other settings or not healthy; run `down` first")
    if STATE.exists():
        print(f"removing the stale state directory {STATE.relative_to(REPO)} (no process of it runs)")
        shutil.rmtree(STATE)
    ports = sorted({p for s in services for p in SERVICE_PORTS[s]} | {"memcached"})
    busy = [f"{name} ({PORTS[name]})" for name in ports if port_open(PORTS[name])]
    if busy:
        raise LabError("ports already in use on 127.0.0.1 by something else: " + ", ".join(busy))
    (STATE / "logs").mkdir(parents=True)
    STATE.chmod(0o700)
    print(
        f"starting {', '.join(services)} in {STATE.relative_to(REPO)}"
        + (" (swift catalog deliberately broken)" if args.broken_swift_catalog else ""),
        flush=True,
    )
    lab = Lab(services, args.broken_swift_catalog, args.computes)
    try:
        lab.start()
        env = lab.write_client_files()
    except BaseException as exc:
        shield()
        interrupted = isinstance(exc, KeyboardInterrupt)
        stop_processes()  # again: Lab.start() stopped what its threads started, this catches any late one
        shutil.rmtree(FAILED_UP_LOGS, ignore_errors=True)
        if not interrupted and (STATE / "logs").is_dir():
            shutil.move(STATE / "logs", FAILED_UP_LOGS)
            print(f"logs of the failed run: {FAILED_UP_LOGS.relative_to(REPO)} (`down` removes them)", file=sys.stderr)
        shutil.rmtree(STATE, ignore_errors=True)
        raise
    if "swift" in services:
        install_init_script("swift-proxy")
    if "nova" in services:
        install_init_script("nova-scheduler")
    print(
        f"lab up in {time.monotonic() - STARTED_AT:.1f}s: " + ", ".join(f"{k} {v}" for k, v in env["endpoints"].items())
    )
    print(f"  export OS_CLIENT_CONFIG_FILE={env['clouds_yaml']} OS_CLOUD=lab")


# Roles restart lab daemons with ansible.builtin.service, as on a real host; on this host (no
# systemd) that runs /etc/init.d/NAME, so those daemons get a script there: swift-proxy (the
# swift_s3api role) and nova-scheduler (the compute_aggregates role, after adding a filter).
INIT_SCRIPTS = {
    "swift-proxy": Path("/etc/init.d/stackops-lab-swift-proxy"),
    "nova-scheduler": Path("/etc/init.d/stackops-lab-nova-scheduler"),
}


def install_init_script(daemon: str) -> None:
    # this interpreter, not whichever python3 is first on the PATH the service manager gives:
    # the venv's path depends on the interpreter (stamp()), and another one would look for the
    # daemons in a venv that does not exist
    lab = f"{shlex.quote(sys.executable)} {shlex.quote(str(Path(__file__).resolve()))}"
    INIT_SCRIPTS[daemon].write_text(f"""#!/bin/sh
# Written by tests/lab/openstack_lab.py up, removed by down: the lab's {daemon} as a service.
case "$1" in
  start|restart|reload|force-reload) exec {lab} restart {daemon} ;;
  status) {lab} status >/dev/null 2>&1 && exit 0 || exit 3 ;;
  stop) exit 0 ;;
  *) echo "usage: $0 start|stop|restart|status" >&2; exit 2 ;;
esac
""")
    INIT_SCRIPTS[daemon].chmod(0o755)


def cmd_down(args: argparse.Namespace) -> None:
    start = time.monotonic()
    shield()  # finish the teardown even when interrupted
    for script in INIT_SCRIPTS.values():
        script.unlink(missing_ok=True)
    count = stop_processes()
    existed = STATE.exists()
    kept = ""
    # the running lab's logs, or those a failed `up` set aside
    logs = next((d for d in (STATE / "logs", FAILED_UP_LOGS) if d.is_dir()), None)
    if args.keep_logs and logs:
        shutil.rmtree(args.keep_logs, ignore_errors=True)
        args.keep_logs.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(logs, args.keep_logs)
        kept = f", its logs kept in {args.keep_logs}"
    shutil.rmtree(STATE, ignore_errors=True)
    shutil.rmtree(FAILED_UP_LOGS, ignore_errors=True)
    what = f"removed {STATE.relative_to(REPO)}" if existed else "no state directory"
    print(f"stopped {count} process(es), {what}{kept}, in {time.monotonic() - start:.1f}s")


def probe_services(env: dict) -> dict[str, bool]:
    checks = {
        "nova": url("nova-api", "/"),
        "keystone": url("keystone", "/v3"),
        "swift": url("swift-proxy", "/healthcheck"),
        "octavia": url("octavia-api", "/"),
        "neutron": url("neutron-api", "/"),
        "glance": url("glance-api", "/healthcheck"),
    }
    return {name: http("GET", checks[name], timeout=3)[0] == 200 for name in env["services"] if name in checks}


def cmd_status(args: argparse.Namespace) -> None:
    env = read_env()
    pids = lab_pids()
    if env is None:
        print(f"no lab is up ({len(pids)} stray process(es); `down` removes them)" if pids else "no lab is up")
        return
    print(f"lab in {STATE.relative_to(REPO)}, {len(pids)} process(es)")
    answers = probe_services(env)
    for name, ok in answers.items():
        print(f"  {name:9} {'answers' if ok else 'DOES NOT ANSWER'}  {env['endpoints'][name]}")
    records = read_records()
    for name, record in records.items():
        alive = proc_stat(record["pid"])
        print(f"  {name:16} pid {record['pid']:<7} {'running' if alive and alive[0] != 'Z' else 'GONE'}")
    if not all(answers.values()):
        raise LabError("some services do not answer")


def cmd_env(args: argparse.Namespace) -> None:
    env = read_env()
    if env is None:
        raise LabError("no lab is up; run: python3 tests/lab/openstack_lab.py up")
    print(json.dumps(env, indent=2))


def cmd_restart(args: argparse.Namespace) -> None:
    """Restart one daemon from its recorded command line, e.g. swift-proxy after its config changed."""
    records = read_records()
    if args.name not in records:
        raise LabError(f"no daemon {args.name!r}; recorded: {', '.join(records) or 'none'}")
    record = records[args.name]
    group = {pid for pid in lab_pids() if (proc_stat(pid) or ("", 0))[1] == record["pid"]}
    stop_processes(only=group)
    STOP.clear()
    daemons = Daemons()
    daemons.start(args.name, record["argv"], Path(record["cwd"]), record["env"])
    probes = {
        "swift-proxy": url("swift-proxy", "/healthcheck"),
        "keystone": url("keystone", "/v3"),
        "octavia-api": url("octavia-api", "/"),
        "neutron-api": url("neutron-api", "/"),
        "nova-api": url("nova-api", "/"),
        "placement-api": url("placement-api", "/"),
        "glance-api": url("glance-api", "/healthcheck"),
    }
    if args.name in probes:
        wait_for(args.name, f"GET {probes[args.name]}", http_probe(probes[args.name]), 60, daemons, (args.name,))


def cmd_stop(args: argparse.Namespace) -> None:
    """Stop one daemon (its whole process group), e.g. a nova-compute to make its host look dead.
    `restart NAME` starts it again from its recorded command line."""
    records = read_records()
    if args.name not in records:
        raise LabError(f"no daemon {args.name!r}; recorded: {', '.join(records) or 'none'}")
    record = records[args.name]
    group = {pid for pid in lab_pids() if (proc_stat(pid) or ("", 0))[1] == record["pid"]}
    count = stop_processes(only=group) if group else 0
    print(f"stopped {args.name} ({count} process(es))" if count else f"{args.name} was not running")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    commands = parser.add_subparsers(dest="command", required=True)
    install = commands.add_parser("install", help=f"Debian packages and the cached venv {VENV}")
    install.add_argument("--force", action="store_true", help="rebuild the venv even when its stamp matches")
    install.set_defaults(func=cmd_install)
    up = commands.add_parser("up", help="start the services and register them in Keystone")
    up.add_argument(
        "--services",
        default=DEFAULT_SERVICES,
        help=f"comma-separated, from {','.join(SERVICES)} (keystone is always started); default {DEFAULT_SERVICES}",
    )
    up.add_argument(
        "--computes",
        type=int,
        choices=range(1, MAX_COMPUTES + 1),
        default=1,
        metavar="N",
        help=f"nova-compute hosts lab-compute1..N (1-{MAX_COMPUTES}, each ~150 MB); default 1",
    )
    up.add_argument(
        "--broken-swift-catalog",
        action="store_true",
        help="register object-store endpoints the packstack way: wrong host, duplicate public, no internal",
    )
    up.set_defaults(func=cmd_up)
    commands.add_parser("env", help="JSON: auth_url, credentials, clouds.yaml, endpoints").set_defaults(func=cmd_env)
    commands.add_parser("status", help="which services answer").set_defaults(func=cmd_status)
    restart = commands.add_parser("restart", help="restart one daemon (e.g. swift-proxy after a config change)")
    restart.add_argument("name")
    restart.set_defaults(func=cmd_restart)
    stop = commands.add_parser("stop", help="stop one daemon (e.g. nova-compute-2, to make its host look dead)")
    stop.add_argument("name")
    stop.set_defaults(func=cmd_stop)
    down = commands.add_parser("down", help="stop every lab process and remove the state directory")
    down.add_argument(
        "--keep-logs", type=Path, metavar="DIR", help="move the daemons' logs to DIR first (replacing it), to read after a failure"
    )
    down.set_defaults(func=cmd_down)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return run_command(lambda: args.func(args))


if __name__ == "__main__":
    sys.exit(main())
