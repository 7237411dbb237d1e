"""tests/awx/awx_job.py, and every shipped playbook run as an AWX job on an inventory without its hosts.

The summaries are checked on hand-made job events; the playbooks run for real through ansible-runner
(the collection built and installed as an AWX project update installs it, the survey's extra
variables): each must fail in its first play, naming the group and how to fill it, instead of
skipping every play and reporting success. No host is contacted.
Run: .venv/bin/python -m pytest -q tests/unit/awx
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def load():
    spec = importlib.util.spec_from_file_location("awx_job", REPO / "tests" / "awx" / "awx_job.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


awx_job = load()


def event(counter, kind, **data):
    return {"counter": counter, "event": kind, "event_data": data}


EVENTS = [
    event(1, "playbook_on_start"),
    event(2, "runner_on_ok", play="P", task="Gathering Facts", task_action="gather_facts", host="db1", res={}),
    event(3, "runner_on_ok", play="P", task="Gathering Facts", task_action="gather_facts", host="db2", res={}),
    event(4, "runner_item_on_ok", play="P", task="Write", task_action="copy", host="db1", res={"changed": True}),
    event(5, "runner_on_ok", play="P", task="Write", task_action="copy", host="db1", res={"changed": True}),
    event(6, "runner_on_ok", play="P", task="Write", task_action="copy", host="db2", res={"changed": False}),
    event(7, "runner_on_failed", play="P", task="Probe", task_action="command", host="db1", ignore_errors=True,
          res={"msg": "ignored"}),
    event(8, "runner_on_skipped", play="P", task="Probe", task_action="command", host="db2", res={}),
    event(9, "runner_on_ok", play="P", task="Show the cluster as a table", task_action="ansible.builtin.debug",
          host="db1", res={"msg": ["node  state", "db1   Synced"]}),
    event(10, "runner_on_unreachable", play="Q", task="Write", task_action="copy", host="db3", res={"msg": "gone"}),
    event(11, "runner_on_failed", play="Q", task="Check", task_action="assert", host="db2", res={"msg": "bad"}),
    event(12, "playbook_on_stats", ok={"db1": 4, "db2": 3}, changed={"db1": 1}, failures={"db2": 1}, dark={"db3": 1},
          ignored={"db1": 1}),
]


def test_counts_per_task_host_by_host():
    summary = awx_job.summarize(list(reversed(EVENTS)))  # the counter orders them
    assert [(entry["play"], entry["task"]) for entry in summary["tasks"]] == [
        ("P", "Gathering Facts"), ("P", "Write"), ("P", "Probe"), ("P", "Show the cluster as a table"),
        ("Q", "Write"), ("Q", "Check")]
    assert awx_job.task_counts(summary, "Gathering Facts")["ok"] == 2
    assert awx_job.task_counts(summary, "Write") == {
        "ok": 1, "changed": 1, "failed": 0, "skipped": 0, "unreachable": 1, "ignored": 0}
    assert awx_job.task_counts(summary, "Probe") == {
        "ok": 0, "changed": 0, "failed": 0, "skipped": 1, "unreachable": 0, "ignored": 1}
    assert summary["counts"] == {"Gathering Facts": {"ok": 2}, "Write": {"ok": 1, "changed": 1, "unreachable": 1},
                                 "Probe": {"skipped": 1, "ignored": 1}, "Show the cluster as a table": {"ok": 1},
                                 "Check": {"failed": 1}}
    assert summary["messages"] == {"Show the cluster as a table": [["node  state", "db1   Synced"]]}
    assert summary["failures"] == [{"task": "Check", "host": "db2", "msg": "bad"}]
    assert summary["stats"]["db1"] == {"ok": 4, "changed": 1, "failures": 0, "skipped": 0, "dark": 0, "ignored": 1,
                                       "rescued": 0}
    assert summary["stats"]["db3"]["dark"] == 1


def test_the_printed_summary_names_every_task_and_host():
    summary = awx_job.summarize(EVENTS)
    text = awx_job.format_summary(summary, "failed", 2, 3.25)
    assert "Show the cluster as a table" in text
    assert "db2 ok=3 changed=0 failed=1 skipped=0 unreachable=0" in text
    assert text.endswith("status=failed rc=2 events counted over 6 tasks in 3.2 s")


def test_job_environment_drops_the_callers_ansible_settings():
    env = awx_job.job_environment({"ANSIBLE_CONFIG": "/repo/ansible.cfg", "ANSIBLE_COLLECTIONS_PATH": "/repo/.build",
                                   "MOLECULE_FILE": "x", "OS_CLOUD": "lab", "HOME": "/root", "PATH": "/usr/bin"},
                                  Path("/jobs/collections"))
    assert "ANSIBLE_CONFIG" not in env and "MOLECULE_FILE" not in env and "OS_CLOUD" not in env
    assert env["ANSIBLE_COLLECTIONS_PATH"].split(":")[0] == "/jobs/collections"
    assert env["PATH"].startswith(str(REPO / ".venv" / "bin") + ":") and env["HOME"] == "/root"


def test_the_project_installs_the_tarball():
    assert awx_job.project_requirements(Path("/d/stackops-openstack-1.0.0.tar.gz")) == {
        "collections": [{"name": "/d/stackops-openstack-1.0.0.tar.gz", "type": "file"}]}


# ---------------------------------------------------------------- every playbook, no hosts

# playbook -> (inventory, survey answers, the pattern the message names, how to fill it)
EMPTY = {
    "db_cluster": ("declared", {}, "galera", "add the database nodes to the inventory group galera"),
    "galera_status": ("missing", {}, "galera", "add the Galera nodes to the inventory group galera"),
    "galera_rolling_restart": ("declared", {"galera_cluster_group": "dbnodes"}, "dbnodes",
                               "or set galera_cluster_group (an extra variable) to the group that holds them"),
    "galera_recover": ("missing", {}, "galera", "add the Galera nodes to the inventory group galera"),
    "swift_s3": ("declared", {"swift_s3api_keystone_url": "http://keystone.example.com:5000"}, "swift_proxy",
                 "add the Swift proxy nodes to the inventory group swift_proxy"),
    "spice_console": ("missing", {"nova_spice_console_html5proxy_base_url": "https://c.example.com:6082/spice_auto.html"},
                      "nova_control:nova_compute", "add the control nodes to the inventory group nova_control"),
    "ceilometer_retention": ("declared", {"ceilometer_retention_alarm_history": "false"}, "ceilometer",
                             "add the telemetry hosts (ceilometer and aodh) to the inventory group ceilometer"),
    "compute_aggregates": ("missing", {}, "nova_scheduler",
                           "add the nova-scheduler hosts to the inventory group nova_scheduler"),
    "packstack_install": ("missing", {}, "packstack_controller:packstack_network:packstack_compute:packstack_storage",
                          "add the controller to the inventory group packstack_controller"),
    "xenserver_compute": ("missing", {"xenserver_domu_nova_release": "ussuri", "xenserver_domu_xenapi_password": "pw"},
                          "xenserver_domu", "add the compute domUs to the inventory group xenserver_domu"),
}
# playbooks that run on the controller (localhost) and talk to the OpenStack APIs only: no group
# can be empty; the integration target compute_day2 runs them
CONTROLLER_PLAYBOOKS = {"compute_drain", "compute_evacuate", "release_floating_ips", "project_quotas"}
INVENTORIES = {
    # every group the playbooks use, without a host
    "declared": "[galera]\n[dbnodes]\n[swift_proxy]\n[nova_control]\n[nova_compute]\n[ceilometer]\n[nova_scheduler]\n",
    # the groups do not exist: only an unrelated host
    "missing": "[web]\nweb1 ansible_connection=local\n",
}


def test_every_shipped_playbook_is_covered():
    assert sorted(set(EMPTY) | CONTROLLER_PLAYBOOKS) == sorted(path.stem for path in (REPO / "playbooks").glob("*.yml"))


@pytest.mark.parametrize("playbook", sorted(EMPTY))
def test_playbook_fails_without_hosts(playbook, tmp_path):
    inventory_kind, answers, pattern, how = EMPTY[playbook]
    inventory = tmp_path / "hosts.ini"
    inventory.write_text(INVENTORIES[inventory_kind])
    summary = tmp_path / "summary.json"
    # one of them as a Check job with diff mode, as the job template's prompts allow
    prompts = ["--job-type", "check", "--diff"] if playbook == "galera_recover" else []
    rc = awx_job.main(["--playbook", playbook, "--inventory", str(inventory), "--answers", json.dumps(answers),
                       "--expect-rc", "2", "--summary", str(summary)] + prompts)
    result = json.loads(summary.read_text())
    assert rc == 0, result
    assert result["status"] == "failed" and result["rc"] == 2
    assert result["command"][:1] == ["ansible-playbook"] and result["command"][-1] == f"{playbook}.yml"
    assert ("--check" in result["command"] and "--diff" in result["command"]) is bool(prompts)
    # the first play stopped the job: one task ran, on localhost, and failed
    assert [(entry["task"], entry["failed"]) for entry in result["tasks"]] == [("The target hosts are in the inventory", 1)]
    assert list(result["stats"]) == ["localhost"]
    message = " ".join(result["failures"][0]["msg"].split())
    assert f"No host matches '{pattern}' in the inventory, so stackops.openstack.{playbook} has nothing to work on" in message
    assert how in message
    # the roles ran from the project update's install of the tarball, not from this checkout
    assert "/.build/awx/collections/" in result["collection_path"]
