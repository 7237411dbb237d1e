"""Benchmark: galera_cluster_status against community.mysql.mysql_info (filter global_status).

Both modules ask the same healthy node of the netns lab for its status, 20 times each,
alternating so that both see the same machine load; every call is a real Ansible task
(module packaging, transfer, execution) timed by the task_durations callback. Prints the
median wall time of each and the ratio. A figure to read, not a pass/fail test.

    python3 tests/benchmarks/galera_status_vs_mysql_info.py [--calls 20]

Starts the lab when it is not up, and stops it again in that case.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB = [sys.executable, str(REPO / "tests" / "lab" / "galera_netns.py")]


def lab_env():
    result = subprocess.run(LAB + ["env"], capture_output=True, text=True, check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


def playbook(calls, node, credentials):
    login = {"login_host": node["address"], "login_user": credentials["user"],
             "login_password": credentials["password"]}
    tasks = []
    for call in range(calls):
        tasks.append({"name": "galera_cluster_status %d" % call,
                      "stackops.openstack.galera_cluster_status": dict(login, datadir=node["datadir"])})
        tasks.append({"name": "mysql_info %d" % call,
                      "community.mysql.mysql_info": dict(login, filter=["global_status"])})
    return [{"name": "Benchmark", "hosts": "localhost", "connection": "local", "gather_facts": False,
             "vars": {"ansible_python_interpreter": sys.executable}, "tasks": tasks}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    started_lab = False
    env = lab_env()
    if not env or not env["nodes"]["node1"]["running"]:
        subprocess.run(LAB + ["up"], check=True)
        started_lab = True
        env = lab_env()
    try:
        credentials = json.loads(Path(env["credentials_file"]).read_text())
        with tempfile.TemporaryDirectory() as work:
            play = Path(work, "benchmark.yml")
            play.write_text(json.dumps(playbook(args.calls, env["nodes"]["node1"], credentials)))
            durations = Path(work, "durations.jsonl")
            run_env = dict(os.environ, TASK_DURATIONS_FILE=str(durations),
                           ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                           ANSIBLE_CALLBACK_PLUGINS=str(Path(__file__).parent / "callback_plugins"),
                           ANSIBLE_CALLBACKS_ENABLED="task_durations",
                           ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
            subprocess.run(["ansible-playbook", str(play)], env=run_env, check=True,
                           stdout=subprocess.DEVNULL)
            rows = [json.loads(line) for line in durations.read_text().splitlines()]
    finally:
        if started_lab:
            subprocess.run(LAB + ["down"], check=False, stdout=subprocess.DEVNULL)

    by_module = {}
    for row in rows:
        if not row["ok"]:
            raise SystemExit("a benchmark call failed: %s" % row["task"])
        by_module.setdefault(row["action"].rsplit(".", 1)[-1], []).append(row["seconds"])
    ours = statistics.median(by_module["galera_cluster_status"])
    theirs = statistics.median(by_module["mysql_info"])
    print("calls per module: %d (alternating, same healthy node, through ansible-playbook)" % args.calls)
    print("galera_cluster_status median %.3f s  (min %.3f, max %.3f)"
          % (ours, min(by_module["galera_cluster_status"]), max(by_module["galera_cluster_status"])))
    print("mysql_info (global_status) median %.3f s  (min %.3f, max %.3f)"
          % (theirs, min(by_module["mysql_info"]), max(by_module["mysql_info"])))
    print("ratio galera_cluster_status / mysql_info: %.2f" % (ours / theirs))


if __name__ == "__main__":
    main()
