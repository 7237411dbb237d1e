"""Benchmark: draining a hypervisor with compute_host_drain, one migration at a time against two.

Against the OpenStack lab with three nova-compute hosts (fake virt driver: a live migration is
Nova's real RPC and database work with no guest memory to copy), N instances are booted on
lab-compute1 and drained to the other two, for N = 4 and 8, at max_in_flight 1 and 2, in one
run. Each drain is one real Ansible task timed by the task_durations callback; the module's own
figure (RV seconds) is printed beside it. Prints the wall times and, per N, the ratio of
concurrency 1 to concurrency 2. A figure to read, not a pass/fail test.

    tests/integration/with_openstack_lab.sh keystone,glance,nova --computes 3 -- \\
        python3 tests/benchmarks/compute_drain_concurrency.py [--sizes 4,8] [--concurrency 1,2]

(`make benchmark` runs it so.) Needs the lab up with at least 3 compute hosts and glance.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB = [sys.executable, str(REPO / "tests" / "lab" / "openstack_lab.py")]
SERVERS = REPO / "tests" / "integration" / "targets" / "compute_day2" / "files" / "lab_servers.py"
SOURCE = "lab-compute1"
FLAVOR = "bench.512"


def play(tasks):
    return [{"name": "Benchmark", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": sys.executable},
             "module_defaults": {"group/stackops.openstack.openstack": {"cloud": "lab"}}, "tasks": tasks}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--sizes", default="4,8")
    parser.add_argument("--concurrency", default="1,2")
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    levels = [int(n) for n in args.concurrency.split(",")]
    found = subprocess.run(LAB + ["env"], capture_output=True, text=True, check=False)
    env = json.loads(found.stdout) if found.returncode == 0 else None
    if not env or len(env.get("compute_hosts") or []) < 3 or not env.get("image_id"):
        raise SystemExit("needs the OpenStack lab with glance and 3 compute hosts; run it as the docstring says")
    lab_python = str(Path(env["venv"]) / "bin" / "python")
    run_env = dict(os.environ, OS_CLIENT_CONFIG_FILE=env["clouds_yaml"], OS_CLOUD="lab",
                   ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                   ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).parent / "callback_plugins"),
                   ANSIBLE_CALLBACKS_ENABLED="task_durations",
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    subprocess.run([str(Path(env["venv"]) / "bin" / "openstack"), "flavor", "create", "--ram", "512", "--vcpus",
                    "1", "--disk", "1", FLAVOR], env=run_env, check=True, stdout=subprocess.DEVNULL)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for size in sizes:
            for level in levels:
                booted = subprocess.run([lab_python, str(SERVERS), "boot", "bench-%d-%d-" % (size, level), str(size),
                                         SOURCE, FLAVOR], env=run_env, check=False, capture_output=True, text=True)
                if booted.returncode != 0:
                    sys.exit("booting %d servers on %s failed (exit %d):\n%s%s" % (
                        size, SOURCE, booted.returncode, booted.stdout, booted.stderr))
                ids = [server["id"] for server in json.loads(booted.stdout)]
                durations = Path(work, "durations-%d-%d.jsonl" % (size, level))
                result_file = Path(work, "result-%d-%d.json" % (size, level))
                playbook = Path(work, "drain-%d-%d.yml" % (size, level))
                playbook.write_text(json.dumps(play([
                    {"name": "drain", "register": "drained", "stackops.openstack.compute_host_drain": {
                        "host": SOURCE, "max_in_flight": level, "timeout": 900}},
                    {"name": "keep the result", "ansible.builtin.copy": {
                        "content": "{{ drained | to_json }}", "dest": str(result_file), "mode": "0600"}},
                    {"name": "undrain", "stackops.openstack.compute_host_drain": {
                        "host": SOURCE, "state": "undrained"}},
                ])))
                subprocess.run(["ansible-playbook", str(playbook)], env=dict(run_env, TASK_DURATIONS_FILE=str(durations)),
                               check=True, stdout=subprocess.DEVNULL)
                task = [json.loads(line) for line in durations.read_text().splitlines()][0]
                result = json.loads(result_file.read_text())
                moved = sum(1 for m in result["migrations"] if m["result"] == "migrated")
                if moved != size:
                    raise SystemExit("drain of %d at max_in_flight %d moved only %d" % (size, level, moved))
                rows.append({"size": size, "level": level, "task": task["seconds"], "module": result["seconds"],
                             "most": result["most_in_flight"]})
                subprocess.run([lab_python, str(SERVERS), "delete", *ids], env=run_env, check=True,
                               stdout=subprocess.DEVNULL)
    print("drain of N instances from %s to 2 other hosts (fake driver), one run:" % SOURCE)
    print("%4s %14s %14s %16s %12s" % ("N", "max_in_flight", "task wall (s)", "module total (s)", "most seen"))
    for row in rows:
        print("%4d %14d %14.1f %16.1f %12d" % (row["size"], row["level"], row["task"], row["module"], row["most"]))
    for size in sizes:
        by_level = {row["level"]: row for row in rows if row["size"] == size}
        if 1 in by_level and 2 in by_level:
            print("N=%d: concurrency 1 / concurrency 2 = %.2f (task wall), %.2f (module)" % (
                size, by_level[1]["task"] / by_level[2]["task"], by_level[1]["module"] / by_level[2]["module"]))


if __name__ == "__main__":
    main()
