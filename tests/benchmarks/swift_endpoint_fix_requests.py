"""Benchmark: swift_s3_endpoint_fix on a correct catalog, with and without 500 unrelated endpoints.

Counts the HTTP requests the module sends (keystoneauth's request log, sdk_log_level
DEBUG) and its wall time through Ansible, median of 5 no-change runs each: first on the
lab's catalog, then after adding 500 endpoints of an unrelated service. The request count
must not grow with the unrelated endpoints. Prints figures; it is not a pass/fail test.

    python3 tests/benchmarks/swift_endpoint_fix_requests.py

Needs the OpenStack lab (python3 tests/lab/openstack_lab.py install); starts it with
Keystone and Swift when it is not up, and stops it again in that case.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LAB = [sys.executable, str(REPO / "tests" / "lab" / "openstack_lab.py")]
RUNS = 5
UNRELATED = 500


def lab_env():
    result = subprocess.run(LAB + ["env"], capture_output=True, text=True, check=False)
    return json.loads(result.stdout) if result.returncode == 0 else None


def run_module(env, log_path):
    args = ("cloud=lab proxy_url=http://127.0.0.1:8080 create_missing_services=true "
            "sdk_log_level=DEBUG sdk_log_path=%s" % log_path)
    run_env = dict(os.environ, OS_CLIENT_CONFIG_FILE=env["clouds_yaml"], ANSIBLE_CONFIG=str(REPO / "ansible.cfg"),
                   ANSIBLE_LOCALHOST_WARNING="false", ANSIBLE_INVENTORY_UNPARSED_WARNING="false")
    started = time.monotonic()
    out = subprocess.run(["ansible", "localhost", "-m", "stackops.openstack.swift_s3_endpoint_fix", "-a", args],
                         env=run_env, capture_output=True, text=True, check=True).stdout
    return time.monotonic() - started, out


def measure(env, label):
    times, requests = [], []
    with tempfile.TemporaryDirectory() as work:
        for run in range(RUNS):
            log = Path(work, "sdk-%d.log" % run)
            seconds, out = run_module(env, log)
            if "changed: false" not in out and '"changed": false' not in out:
                raise SystemExit("%s: run %d changed the catalog; the benchmark needs a repaired one" % (label, run))
            times.append(seconds)
            requests.append(sum(1 for line in log.read_text().splitlines() if "REQ: curl" in line))
    return statistics.median(times), statistics.median(requests)


def add_unrelated(env, count):
    script = """
import openstack
conn = openstack.connect(cloud="lab")
service = conn.identity.create_service(name="bench-unrelated", type="bench-unrelated")
for i in range(%d):
    conn.identity.create_endpoint(service_id=service.id, interface="public", region_id="RegionOne",
                                  url="http://192.0.2.1:%%d/bench" %% (10000 + i))
""" % count
    subprocess.run([env["venv"] + "/bin/python", "-c", script], check=True,
                   env=dict(os.environ, OS_CLIENT_CONFIG_FILE=env["clouds_yaml"]))


def main():
    started_lab = False
    env = lab_env()
    if not env:
        subprocess.run(LAB + ["up", "--services", "keystone,swift"], check=True, stdout=subprocess.DEVNULL)
        started_lab, env = True, lab_env()
    try:
        run_module(env, "/dev/null")  # repair first, so that every measured run is a no-change run
        base_time, base_requests = measure(env, "baseline")
        add_unrelated(env, UNRELATED)
        big_time, big_requests = measure(env, "with %d unrelated endpoints" % UNRELATED)
    finally:
        if started_lab:
            subprocess.run(LAB + ["down"], check=False, stdout=subprocess.DEVNULL)
    print("no-change runs of swift_s3_endpoint_fix, median of %d each, through Ansible:" % RUNS)
    print("  catalog as is:                 %d API requests, %.2f s" % (base_requests, base_time))
    print("  + %d unrelated endpoints:     %d API requests, %.2f s" % (UNRELATED, big_requests, big_time))
    print("  ratio (with / without): requests %.2f, wall time %.2f" % (big_requests / base_requests, big_time / base_time))


if __name__ == "__main__":
    main()
