"""A real 3-node MariaDB Galera cluster in network namespaces, for fast tests.

Containers or VMs would make each drill cost minutes; namespaces give every
node its own IP (Galera needs distinct addresses, one port 3306 each) while
sharing the host's binaries and file system, so a fresh cluster is up in
seconds and a node can be stopped, killed or bootstrapped with a signal.

Only one lab can exist per host at a time: the bridge, veth and namespace
names are fixed so that ``down`` can find them even without a state dir.
Stdlib only, so it runs before any virtualenv exists.  Must run as root.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from labcli import LabError, run_command

BRIDGE = "sogbr0"
NET = "10.213.7"
BRIDGE_ADDRESS = f"{NET}.1"
NS_PREFIX = "sog-"
VETH_PREFIX = "sogv-"
PLAIN = "plain"
PROVIDER = "/usr/lib/galera/libgalera_smm.so"
MARIADBD = "/usr/sbin/mariadbd"
LAB_USER = "lab_admin"
DEFAULT_STATE = Path(__file__).resolve().parents[2] / ".lab/netns"
WSREP_VARS = (
    "wsrep_cluster_size",
    "wsrep_cluster_status",
    "wsrep_local_state_comment",
    "wsrep_last_committed",
    "wsrep_ready",
)


def run(cmd: list[str], check: bool = True, **kw) -> subprocess.CompletedProcess:
    """Run a helper command; failures carry its stderr, which is what one needs."""
    res = subprocess.run(cmd, check=False, capture_output=True, text=True, **kw)
    if check and res.returncode != 0:
        raise LabError(f"{' '.join(cmd)} failed: {res.stderr.strip()}")
    return res


def proc_state(pid: int) -> str | None:
    """Process state letter; kill -0 would report zombies as still alive."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("State:"):
                return line.split()[1]
    except OSError:
        return None
    return None


def alive(pid: int) -> bool:
    """True for a process that still holds ports and files (not a zombie)."""
    if reaped(pid):
        return False
    return proc_state(pid) not in (None, "Z", "X")


def reaped(pid: int) -> bool:
    """Reap our own dead children (started in this run) so they do not linger."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    return done == pid


def cmdline(pid: int) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def scan_mariadbd(needle: str) -> list[int]:
    """mariadbd processes whose command line mentions needle, found via /proc.

    Catches strays whose PID was never recorded (e.g. up interrupted between
    Popen and writing the pid file).
    """
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        args = cmdline(int(entry.name))
        if (args and os.path.basename(args[0]) == "mariadbd"
                and any(needle in a for a in args) and alive(int(entry.name))):
            found.append(int(entry.name))
    return found


def wait_gone(pids: list[int], timeout: float) -> list[int]:
    """Wait until the processes are really gone; returns the survivors."""
    deadline = time.monotonic() + timeout
    while True:
        left = [p for p in pids if alive(p)]
        if not left or time.monotonic() >= deadline:
            return left
        time.sleep(0.1)


def signal_all(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def namespaces() -> list[str]:
    out = run(["ip", "netns", "list"], check=False).stdout
    return [ln.split()[0] for ln in out.splitlines() if ln.startswith(NS_PREFIX)]


def lab_links() -> list[str]:
    out = run(["ip", "-o", "link", "show"], check=False).stdout
    names = [ln.split(":")[1].strip().split("@")[0] for ln in out.splitlines() if ":" in ln]
    return [n for n in names if n == BRIDGE or n.startswith(VETH_PREFIX)]


class Lab:
    """Paths and operations of one lab, all derived from its state dir."""

    def __init__(self, state: Path):
        self.state = state.resolve()
        self.meta_file = self.state / "lab.json"
        self.credentials_file = self.state / "credentials.json"
        self._helpers: list[subprocess.Popen] = []
        self._log_offset = 0  # error.log size when this run started a node

    # ----- layout -------------------------------------------------------
    @property
    def node_count(self) -> int:
        try:
            return int(json.loads(self.meta_file.read_text())["nodes"])
        except (OSError, ValueError, KeyError) as exc:
            raise LabError(f"no lab in {self.state} (run up first)") from exc

    def galera_nodes(self, count: int | None = None) -> list[str]:
        return [f"node{i}" for i in range(1, (count or self.node_count) + 1)]

    def all_nodes(self) -> list[str]:
        return [*self.galera_nodes(), PLAIN]

    def check_node(self, name: str) -> str:
        if name not in self.all_nodes():
            raise LabError(f"unknown node {name!r}; nodes: {', '.join(self.all_nodes())}")
        return name

    @staticmethod
    def address(name: str) -> str:
        return f"{NET}.20" if name == PLAIN else f"{NET}.{10 + int(name[4:])}"

    def dir(self, name: str) -> Path:
        return self.state / name

    def cnf(self, name: str) -> Path:
        return self.dir(name) / "my.cnf"

    def error_log(self, name: str) -> Path:
        return self.dir(name) / "error.log"

    def node_info(self, name: str) -> dict:
        pid = self.pid(name)
        return {
            "address": self.address(name),
            "port": 3306,
            "datadir": str(self.dir(name) / "data"),
            "defaults_file": str(self.cnf(name)),
            "socket": str(self.dir(name) / "mysqld.sock"),
            "pid_file": str(self.dir(name) / "mariadbd.pid"),
            "error_log": str(self.error_log(name)),
            "running": pid is not None,
            "pid": pid,
        }

    # ----- processes ----------------------------------------------------
    def pid(self, name: str) -> int | None:
        """PID of the node's mariadbd, by recorded PID or, failing that, /proc."""
        needle = str(self.cnf(name))
        try:
            pid = int((self.dir(name) / "lab.pid").read_text())
            args = cmdline(pid)  # empty for a moment while ip netns exec execs
            if alive(pid) and (not args or any(needle in a for a in args)):
                return pid
        except (OSError, ValueError):
            pass
        found = scan_mariadbd(needle)
        return found[0] if found else None

    def start(self, name: str, bootstrap: bool = False) -> int:
        pid = self.pid(name)
        if pid:
            raise LabError(f"{name} is already running (pid {pid}); stop or kill it first")
        if NS_PREFIX + name not in namespaces():
            raise LabError(f"namespace {NS_PREFIX}{name} is missing; run down, then up")
        # --defaults-file must come first: mariadbd hands its args to the SST script.
        cmd = ["ip", "netns", "exec", NS_PREFIX + name, MARIADBD,
               f"--defaults-file={self.cnf(name)}", "--user=mysql"]
        if bootstrap:
            cmd.append("--wsrep-new-cluster")
        log = self.error_log(name)
        self._log_offset = log.stat().st_size if log.exists() else 0
        with open(self.dir(name) / "stdout.log", "ab") as out:
            # Own session: a Ctrl-C in the terminal must not kill the nodes
            # (cleanup does that); ip netns exec execs, so this PID is mariadbd.
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        (self.dir(name) / "lab.pid").write_text(f"{proc.pid}\n")
        return proc.pid

    def stop(self, names: list[str], sig: int, timeout: float) -> None:
        """Signal nodes; SIGKILL hits all at once (a simultaneous crash), SIGTERM in order."""
        pids = {n: self.pid(n) for n in names}
        for name, pid in pids.items():
            if pid is None:
                print(f"{name} is not running")
        targets = [(n, p) for n, p in pids.items() if p]
        groups = [targets] if sig == signal.SIGKILL else [[t] for t in targets]
        for group in groups:
            signal_all([pid for _node, pid in group], sig)
            t0 = time.monotonic()
            left = wait_gone([pid for _node, pid in group], timeout)
            if left:
                raise LabError(f"pid(s) {left} still alive after {timeout:.0f} s; try kill")
            for name, pid in group:
                how = "killed" if sig == signal.SIGKILL else "stopped"
                print(f"{name} {how} (pid {pid}, {time.monotonic() - t0:.1f} s)")

    # ----- SQL ----------------------------------------------------------
    def client(self, name: str, sql: str, timeout: float = 30) -> subprocess.CompletedProcess:
        """Root over the unix socket: socket auth needs no password and no network."""
        cmd = ["mariadb", f"--defaults-file={self.cnf(name)}", "-N", "-B", "--connect-timeout=3"]
        try:
            return subprocess.run(cmd, check=False, input=sql, capture_output=True,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return subprocess.CompletedProcess(cmd, 124, "", f"timed out after {timeout} s")

    def sql(self, name: str, sql: str) -> str:
        res = self.client(name, sql)
        if res.returncode != 0:
            raise LabError(f"SQL on {name} failed: {res.stderr.strip()}")
        return res.stdout

    def wsrep(self, name: str) -> dict | None:
        """wsrep status of a node, or None while it does not answer."""
        names = ",".join(f"'{v}'" for v in WSREP_VARS)
        res = self.client(name, f"SHOW GLOBAL STATUS WHERE Variable_name IN ({names})", timeout=10)
        if res.returncode != 0:
            return None
        return dict(ln.split("\t", 1) for ln in res.stdout.splitlines() if "\t" in ln)

    # ----- waiting ------------------------------------------------------
    def wait(self, name: str, cond: str, timeout: float) -> None:
        """Poll until cond holds, failing fast (with the log) if mariadbd dies."""
        label = {"synced": "Synced", "primary": "Primary", "ready": "ready",
                 "non-primary": "non-Primary"}.get(cond, cond)
        if name == PLAIN and cond != "ready":
            raise LabError("the plain node only supports: ready")
        t0 = time.monotonic()
        last = -10.0
        while True:
            if self.pid(name) is None:
                tail = self.log_tail(name)
                raise LabError(f"{name} is not running (waiting for {label})\n{tail}")
            if self.satisfied(name, cond):
                return
            elapsed = time.monotonic() - t0
            if elapsed > timeout:
                raise LabError(f"{name} not {label} after {timeout:.0f} s: {self.wsrep(name)}")
            if elapsed - last >= 2:
                print(f"waiting for {name} to be {label} ({elapsed:.0f} s)", flush=True)
                last = elapsed
            time.sleep(0.3)

    def satisfied(self, name: str, cond: str) -> bool:
        if cond == "ready":
            return self.client(name, "SELECT 1", timeout=10).returncode == 0
        st = self.wsrep(name)
        if not st:
            return False
        primary = st.get("wsrep_cluster_status") == "Primary"
        if cond == "synced":
            return primary and st.get("wsrep_local_state_comment") == "Synced" \
                and st.get("wsrep_ready") == "ON"
        if cond == "primary":
            return primary
        if cond == "non-primary":
            return not primary
        if cond.startswith("size="):
            return st.get("wsrep_cluster_size") == cond[5:]
        raise LabError(f"unknown condition {cond!r}: synced|primary|non-primary|size=N|ready")

    def log_tail(self, name: str, lines: int = 15) -> str:
        """Last error.log lines of the current start, which say why a node died."""
        try:
            with open(self.error_log(name), "rb") as fh:
                fh.seek(self._log_offset)
                text = fh.read().decode(errors="replace")
        except OSError:
            return "(no error.log)"
        return "\n".join(f"  | {ln}" for ln in text.splitlines()[-lines:])

    # ----- up / down ----------------------------------------------------
    def up(self, count: int) -> None:
        if self.meta_file.exists() or namespaces() or lab_links():
            raise LabError("a lab (or leftovers of one) exists; run down first")
        if not 1 <= count <= 9:  # node10 would collide with the plain node's .20
            raise LabError("--nodes must be between 1 and 9")
        if os.geteuid() != 0:
            raise LabError("must run as root (namespaces, bridge, --user=mysql)")
        t0 = time.monotonic()
        # SIGTERM/SIGHUP take the same cleanup path as Ctrl-C (unless nohup'ed).
        for sig in (signal.SIGTERM, signal.SIGHUP):
            if signal.getsignal(sig) is not signal.SIG_IGN:
                signal.signal(sig, signal.default_int_handler)
        try:
            self._up(count, t0)
        except BaseException as exc:
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)  # let the cleanup finish
            why = "interrupted" if isinstance(exc, KeyboardInterrupt) else f"failed: {exc}"
            print(f"up {why}; cleaning up", file=sys.stderr, flush=True)
            for helper in self._helpers:
                helper.kill()
                helper.wait()
            self.down(grace=3)  # the data is thrown away: no need for a clean stop
            raise
        print(f"lab up in {time.monotonic() - t0:.1f} s ({self.state})")

    def _up(self, count: int, t0: float) -> None:
        self.state.mkdir(parents=True, exist_ok=True)
        self.state.chmod(0o755)  # mysql must traverse it to reach its datadir
        self.meta_file.write_text(json.dumps({"nodes": count}) + "\n")
        nodes = self.all_nodes()
        print(f"creating bridge {BRIDGE} and namespaces for {', '.join(nodes)}")
        self.network_up(nodes)
        for name in nodes:
            self.write_config(name, count)
        print("initialising datadirs")
        self.install_db(nodes)
        self.start("node1", bootstrap=True)
        self.wait("node1", "synced", 120)
        print(f"node1 bootstrapped ({time.monotonic() - t0:.1f} s)")
        for name in self.galera_nodes()[1:]:
            self.start(name)
            self.wait(name, "synced", 180)
            print(f"{name} joined ({time.monotonic() - t0:.1f} s)")
        self.start(PLAIN)
        self.wait(PLAIN, "ready", 60)
        password = secrets.token_urlsafe(18)
        grant = (f"CREATE USER '{LAB_USER}'@'%' IDENTIFIED BY '{password}';\n"
                 f"GRANT ALL PRIVILEGES ON *.* TO '{LAB_USER}'@'%' WITH GRANT OPTION;\n")
        self.sql("node1", grant + "CREATE DATABASE labdb;\n"
                 "CREATE TABLE labdb.rows (id INT AUTO_INCREMENT PRIMARY KEY,"
                 " node VARCHAR(16), note VARCHAR(64));\n")
        self.sql(PLAIN, grant)
        fd = os.open(self.credentials_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            os.fchmod(fd, 0o600)
            json.dump({"user": LAB_USER, "password": password}, fh)
            fh.write("\n")

    def network_up(self, nodes: list[str]) -> None:
        run(["ip", "link", "add", BRIDGE, "type", "bridge"])
        run(["ip", "addr", "add", f"{BRIDGE_ADDRESS}/24", "dev", BRIDGE])
        run(["ip", "link", "set", BRIDGE, "up"])
        for name in nodes:
            ns, veth = NS_PREFIX + name, VETH_PREFIX + name
            run(["ip", "netns", "add", ns])
            run(["ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns])
            run(["ip", "link", "set", veth, "master", BRIDGE, "up"])
            run(["ip", "-n", ns, "addr", "add", f"{self.address(name)}/24", "dev", "eth0"])
            run(["ip", "-n", ns, "link", "set", "eth0", "up"])
            run(["ip", "-n", ns, "link", "set", "lo", "up"])

    def write_config(self, name: str, count: int) -> None:
        d = self.dir(name)
        (d / "tmp").mkdir(parents=True, exist_ok=True)
        members = ",".join(self.address(n) for n in self.galera_nodes(count))
        wsrep = "wsrep_on=OFF\n" if name == PLAIN else f"""\
wsrep_on=ON
wsrep_provider={PROVIDER}
wsrep_provider_options="gcache.size=64M"
wsrep_cluster_name=sog_lab
wsrep_cluster_address=gcomm://{members}
wsrep_node_name={name}
wsrep_node_address={self.address(name)}
wsrep_sst_method=rsync
"""
        # skip-name-resolve: namespaces cannot reach DNS and each reverse lookup
        # stalls 10 s; open_files_limit stays below root's hard nofile limit.
        self.cnf(name).write_text(f"""\
[mysqld]
user=mysql
datadir={d}/data
socket={d}/mysqld.sock
pid-file={d}/mariadbd.pid
log-error={d}/error.log
tmpdir={d}/tmp
bind-address={self.address(name)}
port=3306
skip-name-resolve
open_files_limit=4096
max_connections=64
table_open_cache=256
performance_schema=OFF
innodb_buffer_pool_size=32M
innodb_log_file_size=32M
innodb_log_buffer_size=4M
innodb_flush_log_at_trx_commit=2
key_buffer_size=4M
aria_pagecache_buffer_size=8M
query_cache_size=0
binlog_format=ROW
innodb_autoinc_lock_mode=2
default_storage_engine=InnoDB
{wsrep}
[client]
socket={d}/mysqld.sock
user=root
""")
        self.cnf(name).chmod(0o644)
        for path in (d, d / "tmp"):
            shutil.chown(path, "mysql", "mysql")

    def install_db(self, nodes: list[str]) -> None:
        """Initialise all datadirs in parallel: it is the slowest step besides SST."""
        procs = {}
        for name in nodes:
            log = open(self.dir(name) / "install.log", "wb")  # noqa: SIM115 - closed below
            procs[name] = (subprocess.Popen(
                ["mariadb-install-db", f"--defaults-file={self.cnf(name)}", "--user=mysql",
                 "--auth-root-authentication-method=socket", "--skip-test-db"],
                stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT), log)
            self._helpers.append(procs[name][0])
        for name, (proc, log) in procs.items():
            rc = proc.wait()
            log.close()
            if rc != 0:
                tail = Path(log.name).read_text(errors="replace").splitlines()[:3]
                raise LabError(f"mariadb-install-db for {name} failed:\n{self.log_tail(name)}\n"
                               + "\n".join(tail))
        self._helpers.clear()

    def down(self, grace: float = 20) -> None:
        """Remove everything a lab may have left, whatever state it is in."""
        pids = set(scan_mariadbd(f"{self.state}/"))
        for pidfile in self.state.glob("*/lab.pid"):
            try:
                pid = int(pidfile.read_text())
            except (OSError, ValueError):
                continue
            if alive(pid) and any(str(self.state) in a for a in cmdline(pid)):
                pids.add(pid)
        if pids:
            print(f"stopping mariadbd pid(s) {sorted(pids)}")
            signal_all(list(pids), signal.SIGTERM)
            left = wait_gone(list(pids), grace)
            if left:
                print(f"SIGKILL for {left} (no clean exit within {grace:.0f} s)")
                signal_all(left, signal.SIGKILL)
                wait_gone(left, 10)
        for ns in namespaces():
            # Anything else still in our namespaces (SST rsync daemons...) is ours.
            strays = [int(p) for p in run(["ip", "netns", "pids", ns], check=False).stdout.split()]
            signal_all(strays, signal.SIGKILL)
            wait_gone(strays, 10)
            run(["ip", "netns", "del", ns], check=False)
        for link in lab_links():
            run(["ip", "link", "del", link], check=False)
        if self.state.exists():
            shutil.rmtree(self.state)
        leftovers = namespaces() + lab_links()
        if leftovers:
            raise LabError(f"could not remove {leftovers}")
        print("lab is down")

    # ----- reporting ----------------------------------------------------
    def env(self) -> dict:
        return {
            "state_dir": str(self.state),
            "bridge_address": BRIDGE_ADDRESS,
            "credentials_file": str(self.credentials_file),
            "user": LAB_USER,
            "nodes": {n: self.node_info(n) for n in self.all_nodes()},
        }

    def status(self) -> dict:
        out = {}
        for name in self.all_nodes():
            pid = self.pid(name)
            entry: dict = {"running": pid is not None, "pid": pid}
            if pid and name != PLAIN:
                st = self.wsrep(name) or {}
                for key in WSREP_VARS[:4]:
                    value = st.get(key)
                    entry[key] = int(value) if value and value.lstrip("-").isdigit() else value
            out[name] = entry
        return out


def print_status(status: dict) -> None:
    for name, st in status.items():
        if not st["running"]:
            print(f"{name:6} stopped")
            continue
        line = f"{name:6} running pid {st['pid']}"
        if name != PLAIN:
            if st.get("wsrep_cluster_status") is None:
                line += "  (not answering)"
            else:
                line += (f"  size={st['wsrep_cluster_size']} status={st['wsrep_cluster_status']}"
                         f" state={st['wsrep_local_state_comment']}"
                         f" last_committed={st['wsrep_last_committed']}")
        print(line)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    p.add_argument("--state-dir", type=Path, default=DEFAULT_STATE)
    sub = p.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="create network, datadirs and start the cluster")
    up.add_argument("--nodes", type=int, default=3)
    sub.add_parser("down", help="stop everything and remove the lab (always safe)")
    for name, what in (("stop", "clean shutdown (SIGTERM), in order"),
                       ("kill", "SIGKILL, all at the same instant")):
        sp = sub.add_parser(name, help=what)
        sp.add_argument("nodes", nargs="+")
        sp.add_argument("--timeout", type=float, default=120)
    start = sub.add_parser("start", help="start node(s) that join via the gcomm list")
    start.add_argument("nodes", nargs="+")
    start.add_argument("--wait", choices=("synced", "none"), default="synced")
    start.add_argument("--timeout", type=float, default=120)
    boot = sub.add_parser("bootstrap", help="start a node with --wsrep-new-cluster")
    boot.add_argument("node")
    boot.add_argument("--timeout", type=float, default=120)
    sql = sub.add_parser("sql", help="run SQL as root through the node's socket")
    sql.add_argument("node")
    sql.add_argument("sql")
    sub.add_parser("env", help="print paths, addresses and state as JSON")
    st = sub.add_parser("status", help="running state and wsrep status per node")
    st.add_argument("--json", action="store_true")
    for name, what in (("isolate", "cut a node off the network (its link goes down; the server keeps running)"),
                       ("reconnect", "bring an isolated node's link back up")):
        sub.add_parser(name, help=what).add_argument("node")
    wr = sub.add_parser("write", help="insert rows into labdb.rows, print max id")
    wr.add_argument("node")
    wr.add_argument("count", type=int)
    wt = sub.add_parser("wait", help="wait for synced|primary|non-primary|size=N|ready")
    wt.add_argument("node")
    wt.add_argument("condition")
    wt.add_argument("--timeout", type=float, default=120)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(lambda: command(args))


def command(args: argparse.Namespace) -> int:
    lab = Lab(args.state_dir)
    cmd = args.cmd
    if cmd == "up":
        lab.up(args.nodes)
    elif cmd == "down":
        lab.down()
    elif cmd in ("stop", "kill"):
        names = [lab.check_node(n) for n in args.nodes]
        lab.stop(names, signal.SIGTERM if cmd == "stop" else signal.SIGKILL, args.timeout)
    elif cmd == "start":
        for name in (lab.check_node(n) for n in args.nodes):
            print(f"starting {name} (pid {lab.start(name)})")
            if args.wait != "none":
                lab.wait(name, "ready" if name == PLAIN else "synced", args.timeout)
                print(f"{name} is {'ready' if name == PLAIN else 'Synced'}")
    elif cmd == "bootstrap":
        name = lab.check_node(args.node)
        if name == PLAIN:
            raise LabError("the plain node is not a Galera node")
        print(f"bootstrapping {name} (pid {lab.start(name, bootstrap=True)})")
        lab.wait(name, "primary", args.timeout)
        print(f"{name} is Primary")
    elif cmd == "sql":
        res = lab.client(lab.check_node(args.node), args.sql)
        sys.stdout.write(res.stdout)
        sys.stderr.write(res.stderr)
        return res.returncode
    elif cmd == "env":
        print(json.dumps(lab.env(), indent=2))
    elif cmd == "status":
        status = lab.status()
        print(json.dumps(status, indent=2)) if args.json else print_status(status)
    elif cmd == "write":
        name = lab.check_node(args.node)
        if args.count < 1:
            raise LabError("COUNT must be at least 1")
        values = ",".join(f"('{name}','write {i}/{args.count}')" for i in range(1, args.count + 1))
        out = lab.sql(name, f"INSERT INTO labdb.rows (node, note) VALUES {values};\n"
                            "SELECT MAX(id) FROM labdb.rows;\n")
        print(out.strip())
    elif cmd in ("isolate", "reconnect"):
        name = lab.check_node(args.node)
        run(["ip", "link", "set", VETH_PREFIX + name, "down" if cmd == "isolate" else "up"])
        print(f"{name} {'isolated' if cmd == 'isolate' else 'reconnected'}")
    elif cmd == "wait":
        name = lab.check_node(args.node)
        lab.wait(name, args.condition, args.timeout)
        print(f"{name}: {args.condition}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
