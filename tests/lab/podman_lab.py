"""The local lab: podman containers with systemd as init, standing in for database hosts.

`make demo` (and later the playbooks) need hosts where systemctl, packages and a real
Galera cluster behave as on a server, on a machine whose PID 1 is not systemd and which
reaches no registry; the images come from tools/lab_images.sh.

    python3 tests/lab/podman_lab.py up [--nodes 3] [--image localhost/stackops-galera]
    python3 tests/lab/podman_lab.py status
    python3 tests/lab/podman_lab.py exec db1 mariadb -e "show status like 'wsrep_cluster_size'"
    python3 tests/lab/podman_lab.py down

Everything the lab creates carries the label stackops.lab=1, so `down` finds it all,
even what an interrupted run left behind.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from labcli import LabError, run_command, shield

REPO = Path(__file__).resolve().parents[2]
LABEL = "stackops.lab=1"
NETWORK = "stackops-lab"
SUBNET = "10.89.77.0/24"
CNI_IPAM = Path("/var/lib/cni/networks") / NETWORK  # host-local IPAM state of podman's CNI backend


@dataclass(frozen=True, order=True)
class Node:
    number: int

    @property
    def host(self) -> str:
        return f"db{self.number}"

    @property
    def container(self) -> str:
        return f"stackops-{self.host}"

    @property
    def ip(self) -> str:
        # .11 for db1: node numbers and addresses read alike in logs
        return f"10.89.77.{10 + self.number}"


def run(*cmd: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run a command to completion, even when we are interrupted meanwhile.

    A `podman run` killed half-way leaves its network namespace and CNI address reservation
    behind, and the next `up` then finds its static address taken. So the child gets its own
    session (Ctrl-C does not reach it), is waited for, and the interrupt is raised afterwards.
    """
    feed = subprocess.PIPE if stdin is not None else subprocess.DEVNULL
    pipe = subprocess.PIPE
    with subprocess.Popen(cmd, stdin=feed, stdout=pipe, stderr=pipe, text=True, start_new_session=True) as proc:
        try:
            out, err = proc.communicate(stdin)
        except KeyboardInterrupt:
            shield()
            proc.communicate()
            raise
    if check and proc.returncode:
        raise LabError(f"`{shlex.join(cmd)}` exited {proc.returncode}: {(err or out).strip()}")
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def podman(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return run("podman", *args, **kwargs)


def in_node(node: Node, *cmd: str, **kwargs) -> subprocess.CompletedProcess:
    interactive = ["-i"] if kwargs.get("stdin") is not None else []
    return podman("exec", *interactive, node.container, *cmd, **kwargs)


def wait_for(what: str, probe: Callable[[], tuple[bool, str]], timeout: float) -> float:
    """Poll probe() until done, printing its answer when it changes or every 5 s, so a slow step never looks hung."""
    start = time.monotonic()
    last_detail, last_print = None, 0.0
    while True:
        done, detail = probe()
        elapsed = time.monotonic() - start
        if done or detail != last_detail or elapsed - last_print >= 5:
            print(f"  [{elapsed:5.1f}s] waiting for {what}: {detail}", flush=True)
            last_detail, last_print = detail, elapsed
        if done:
            return elapsed
        if elapsed > timeout:
            raise LabError(f"gave up after {timeout:.0f}s waiting for {what}: {detail}")
        time.sleep(1)


def lab_containers() -> dict[Node, str]:
    """Every lab container, running or not, with its state."""
    # JSON because the template field {{.State}} prints "Up 3 seconds ago" on podman 4.3
    listing = json.loads(podman("ps", "-a", "--filter", f"label={LABEL}", "--format", "json").stdout or "[]")
    found = {}
    for container in listing:
        for name in container["Names"]:
            if match := re.fullmatch(r"stackops-db(\d+)", name):
                found[Node(int(match[1]))] = container["State"]
    return dict(sorted(found.items()))


def running_nodes() -> list[Node]:
    containers = lab_containers()
    if not containers:
        raise LabError("no lab containers; start them with: tests/lab/podman_lab.py up")
    stopped = [n.container for n, state in containers.items() if state != "running"]
    if stopped:
        raise LabError(f"not running: {', '.join(stopped)}; run `up` again")
    return list(containers)


# --- up / down -------------------------------------------------------------------------


def cmd_up(args: argparse.Namespace) -> None:
    if podman("image", "exists", args.image, check=False).returncode:
        raise LabError(f"image {args.image} is missing; build it with tools/lab_images.sh")
    start = time.monotonic()
    nodes = [Node(i) for i in range(1, args.nodes + 1)]
    created: list[Node] = []
    created_network = False
    try:
        release_stale_addresses()
        if podman("network", "exists", NETWORK, check=False).returncode:
            podman("network", "create", "--subnet", SUBNET, "--label", LABEL, NETWORK)
            created_network = True
        # The CNI setup here has no DNS plugin, so peers learn each other's names from /etc/hosts.
        hosts = [f"--add-host={name}:{n.ip}" for n in nodes for name in (n.host, n.container)]
        existing = lab_containers()
        for node in nodes:
            state = existing.get(node)
            if state == "running":
                print(f"{node.container}: already running, kept")
                continue
            if state:
                print(f"{node.container}: {state}, starting it")
                podman("start", node.container)
                continue
            if not podman("container", "exists", node.container, check=False).returncode:
                raise LabError(f"{node.container} exists without the label {LABEL}; not touching it")
            print(f"{node.container}: creating ({node.ip})")
            # Recorded before `run`: an interrupted run can still leave a container behind.
            created.append(node)
            podman(
                "run", "--detach", "--name", node.container, "--hostname", node.host,
                "--network", NETWORK, "--ip", node.ip, *hosts,
                "--systemd=always", "--label", LABEL, args.image, "/sbin/init",
            )  # fmt: skip
        wait_for("systemd in " + ", ".join(n.host for n in nodes), lambda: systemd_ready(nodes), 180)
        inventory = write_inventory(args.state_dir, list(lab_containers()))
    except BaseException:
        shield()  # a second Ctrl-C must not leave half a lab behind
        print("up failed or was interrupted; removing what this run created", file=sys.stderr)
        for node in created:
            podman("rm", "--force", "--time", "0", node.container, check=False)
        if created_network:
            podman("network", "rm", NETWORK, check=False)
        release_stale_addresses()
        raise
    print(f"lab up in {time.monotonic() - start:.1f}s; inventory: {inventory}")


def systemd_ready(nodes: list[Node]) -> tuple[bool, str]:
    states = []
    for node in nodes:
        answer = in_node(node, "systemctl", "is-system-running", check=False).stdout.strip()
        if not answer and lab_containers().get(node) != "running":
            logs = podman("logs", "--tail", "20", node.container, check=False).stdout
            raise LabError(f"{node.container} stopped while booting; last log lines:\n{logs}")
        states.append(f"{node.host}={answer or 'no answer'}")
    return all(s.endswith(("=running", "=degraded")) for s in states), " ".join(states)


def write_inventory(state_dir: Path, nodes: list[Node]) -> Path:
    hosts = "".join(
        f"        {n.host}:\n          ansible_host: {n.container}\n          galera_cluster_node_address: {n.ip}\n"
        for n in nodes
    )
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "inventory.yml"
    path.write_text(f"""\
# Written by tests/lab/podman_lab.py up; rewritten on every run.
all:
  children:
    galera:
      hosts:
{hosts}      vars:
        ansible_python_interpreter: /usr/bin/python3
        # ssh through podman exec (tests/lab/podman_sshd_proxy): pipelined, about 3x faster a
        # task than the podman connection
        ansible_connection: ansible.builtin.ssh
        ansible_user: root
        ansible_ssh_private_key_file: {lab_ssh_key()}
        ansible_ssh_common_args: >-
          -o ProxyCommand="{REPO / 'tests/lab/podman_sshd_proxy'} %h"
          -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR
        ansible_ssh_pipelining: true
""")
    return path


def lab_ssh_key() -> Path:
    """The key tests/lab/podman_sshd_proxy lets in (make link makes it too)."""
    key = REPO / ".build/lab_ssh/id_ed25519"
    if not key.exists():
        key.parent.mkdir(parents=True, exist_ok=True)
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "stackops-lab", "-f", str(key))
    return key


def release_stale_addresses() -> None:
    """Drop CNI address reservations of our network whose container no longer exists.

    podman 4.3 with CNI keeps them when `podman run` dies half-way (kill -9, a crash), and
    with static addresses the next `up` would fail: "requested IP address ... is not available".
    Each file holds the owning container id; the IPAM plugin serialises on the `lock` file.
    """
    if not CNI_IPAM.is_dir():
        return  # netavark, or the network was never created
    with open(CNI_IPAM / "lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        for entry in CNI_IPAM.glob("10.89.77.*"):
            owner = entry.read_text().split()[:1]
            if not owner or podman("container", "exists", owner[0], check=False).returncode:
                print(f"releasing stale address reservation {entry.name}")
                entry.unlink()


def cmd_down(args: argparse.Namespace) -> None:
    containers = podman("ps", "-a", "-q", "--filter", f"label={LABEL}").stdout.split()
    if containers:
        # No graceful stop: the containers and their data are thrown away anyway.
        podman("rm", "--force", "--time", "0", *containers)
    networks = podman("network", "ls", "--filter", f"label={LABEL}", "--format", "{{.Name}}").stdout.split()
    if networks:
        podman("network", "rm", *networks)
    release_stale_addresses()
    (args.state_dir / "inventory.yml").unlink(missing_ok=True)
    print(f"removed {len(containers)} container(s), {len(networks)} network(s)")


def wsrep(node: Node, like: str = "wsrep_%") -> dict[str, str]:
    """The node's wsrep status variables; empty when mariadb does not answer."""
    proc = in_node(node, "mariadb", "-N", "-B", "-e", f"show status like '{like}'", check=False)
    if proc.returncode:
        return {}
    return dict(line.split("\t", 1) for line in proc.stdout.splitlines() if "\t" in line)


# --- status / exec ---------------------------------------------------------------------


def print_status() -> None:
    containers = lab_containers()
    if not containers:
        print("no lab containers")
        return
    print(f"{'node':6} {'container':14} {'state':9} {'mariadb':9} {'size':>4}  {'cluster':9} local state")
    for node, state in containers.items():
        unit, status = "-", {}
        if state == "running":
            unit = in_node(node, "systemctl", "is-active", "mariadb", check=False).stdout.strip() or "?"
            status = wsrep(node) if unit == "active" else {}
        print(
            f"{node.host:6} {node.container:14} {state:9} {unit:9} "
            f"{status.get('wsrep_cluster_size', '-'):>4}  {status.get('wsrep_cluster_status', '-'):9} "
            f"{status.get('wsrep_local_state_comment', '-')}"
        )


def cmd_exec(args: argparse.Namespace) -> None:
    if not args.cmd:
        raise LabError("exec needs a command, e.g.: exec db1 systemctl status mariadb")
    number = re.fullmatch(r"(?:stackops-)?db(\d+)", args.node)
    if not number:
        raise LabError(f"unknown node {args.node!r}; expected db1, db2, ...")
    tty = ["-t"] if sys.stdin.isatty() and sys.stdout.isatty() else []
    container = Node(int(number[1])).container
    os.execvp("podman", ["podman", "exec", "-i", *tty, container, *args.cmd])


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--state-dir", type=Path, default=REPO / ".lab" / "podman", help="where inventory.yml goes")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="create the network and the containers, wait for systemd")
    up.add_argument("--nodes", type=int, default=3, choices=range(1, 10), metavar="N")
    up.add_argument("--image", default="localhost/stackops-galera")
    up.set_defaults(func=cmd_up)
    commands.add_parser("status", help="containers and cluster state").set_defaults(func=lambda _: print_status())
    commands.add_parser("down", help="remove everything labelled " + LABEL).set_defaults(func=cmd_down)
    exec_ = commands.add_parser("exec", help="run a command in a node: exec db1 CMD...")
    exec_.add_argument("node")
    exec_.add_argument("cmd", nargs=argparse.REMAINDER)
    exec_.set_defaults(func=cmd_exec)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    return run_command(lambda: args.func(args))


if __name__ == "__main__":
    sys.exit(main())
