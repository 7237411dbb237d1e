# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/compute_host_evacuate.py: main() against a fake Nova and Placement.

openstack.connect() is replaced by the fake connection of tests/unit/nova_fakes.py (shared with the
compute_host_drain tests): three hosts, their services, compute nodes, servers (two a page, as with a
small max_limit) and Placement inventories. An evacuation moves a server to its destination after a
few looks, as the real one does. exit_json and fail_json are the real ones: the test reads the JSON
the module prints.
"""

from __future__ import annotations

import json

import openstack
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.stackops.openstack.plugins.modules import compute_host_evacuate as module
from ansible_collections.stackops.openstack.tests.unit.nova_fakes import FakeCloud, FakeConnection, Proxy, Response

PASSWORD = "Adm1n-Pa55-never-shown"


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = Clock()
    monkeypatch.setattr(module, "_clock", fake)
    monkeypatch.setattr(module, "_sleep", fake.sleep)
    return fake


@pytest.fixture
def warnings(monkeypatch):
    collected = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kw: collected.append(warning))
    return collected


@pytest.fixture
def cloud():
    lab = FakeCloud()
    for name in ("vm1", "vm2", "vm3"):
        lab.add_server(name, disk=1)
    lab.add_server("elsewhere", host="c2")
    return lab


def run(monkeypatch, capsys, cloud, check_mode=False, **args):
    """main() with these arguments; (rc, the JSON the module printed)."""
    monkeypatch.setattr(openstack, "connect", lambda **kw: FakeConnection(cloud))
    args.setdefault("auth", {"auth_url": "http://127.0.0.1:5000/v3", "username": "admin", "password": PASSWORD,
                             "project_name": "admin"})
    args.setdefault("host", "c3")
    args.setdefault("poll_interval", 1)
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        module.main()
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert "Traceback" not in result.get("msg", "")
    assert PASSWORD not in out
    return exc.value.code, result


def by_name(result):
    return dict((r["name"], r) for r in result["instances"])


# ------------------------------------------------------------------ refusals before any change


def test_service_still_up_is_refused_and_nothing_changes(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["msg"].startswith("nova-compute on c3 still reports up (last heartbeat 2026-12-03T01:00:00.000000)")
    assert "host_fenced=true" in result["msg"]
    assert result["service_before"]["state"] == "up"
    assert cloud.writes == []


def test_check_mode_refuses_too_while_the_service_is_up(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True)
    assert rc == 1 and "still reports up" in result["msg"]


@pytest.mark.parametrize("args, message", [
    ({"host": "nope"}, "host nope is not a nova-compute host; known hosts: c1, c2, c3. Nothing was changed"),
    ({"target_host": "c3"}, "target_host c3 is the host being evacuated; name another host or leave target_host out"),
    ({"target_host": "c9"}, "target_host c9 is not a nova-compute host; known hosts: c1, c2, c3. Nothing was changed"),
    ({"target_host": "c2", "disabled_reason": ""}, "disabled_reason is empty; give the reason the service is "
                                                   "disabled for"),
    ({"timeout": 0}, "timeout is 0, expected at least 1"),
])
def test_bad_input_fails_clearly_and_changes_nothing(monkeypatch, capsys, cloud, clock, args, message):
    cloud.stop_compute("c3")
    rc, result = run(monkeypatch, capsys, cloud, host_fenced=True, **args)
    assert rc == 1 and result["msg"] == message
    assert cloud.writes == []


def test_target_equal_to_source_fails_before_any_request(monkeypatch, capsys, cloud, clock):
    run(monkeypatch, capsys, cloud, target_host="c3")
    assert cloud.requests == []


def test_a_disabled_target_is_refused(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.services["c2"].update(status="disabled", disabled_reason="maintenance")
    rc, result = run(monkeypatch, capsys, cloud, target_host="c2")
    assert rc == 1 and result["msg"] == (
        "target_host c2 cannot take instances: its nova-compute service is disabled (maintenance). Nothing was changed")
    assert cloud.writes == []


def test_shutoff_on_an_old_nova_is_refused(monkeypatch, capsys, cloud, clock):
    cloud.max_version = "2.93"
    cloud.stop_compute("c3")
    rc, result = run(monkeypatch, capsys, cloud, target_state="shutoff")
    assert rc == 1 and result["msg"].startswith("target_state=shutoff needs compute microversion 2.95")
    assert cloud.writes == []


def test_no_room_is_refused_with_the_shortfall(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.usages["c1"] = {"MEMORY_MB": 6500}
    cloud.usages["c2"] = {"MEMORY_MB": 6000}
    for name in ("vm1", "vm2", "vm3"):
        cloud.servers["id-" + name]["flavor"]["ram"] = 2048
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1
    # free: c1 7488 - 6500 = 988, c2 7488 - 6000 = 1488; needed 6144
    assert result["msg"] == ("evacuating c3 needs more than c1, c2 have free: 3668 MB of RAM short (in Placement). "
                             "Free room or add hosts, then run again. Nothing was changed")
    assert result["capacity"]["c1"] == "32 VCPU, 988 MB of RAM and 500 GB of disk"
    assert cloud.writes == []


def test_a_target_without_room_is_refused(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.usages["c1"] = {"MEMORY_MB": 5000}
    rc, result = run(monkeypatch, capsys, cloud, target_host="c1")
    assert rc == 1 and result["msg"].startswith("evacuating c3 needs more than target_host c1 has free: 584 MB of RAM")
    assert cloud.writes == []


def test_wrong_credentials_fail_clearly(monkeypatch, capsys, cloud, clock):
    class Unauthorized(Exception):
        pass

    def refuse(*args, **kwargs):
        raise Unauthorized("The request you have made requires authentication. (HTTP 401)")

    monkeypatch.setattr(Proxy, "request", refuse)
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1 and result["msg"] == (
        "could not read host c3 from Nova and Placement (Unauthorized: The request you have made requires "
        "authentication. (HTTP 401)). Nothing was changed")


def test_an_api_error_names_the_request(monkeypatch, capsys, cloud, clock):
    original = FakeCloud.request

    def forbidden(self, service, method, path, microversion, body):
        if path.startswith("/os-services"):
            return Response(403, {"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:os-services"
                                                                        ":list to be performed."}})
        return original(self, service, method, path, microversion, body)

    monkeypatch.setattr(FakeCloud, "request", forbidden)
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1 and result["msg"] == (
        "compute API: GET /os-services answered 403: Policy doesn't allow "
        "os_compute_api:os-services:list to be performed. Nothing was changed")


# ------------------------------------------------------------------ check mode, the evacuation, a second run


def test_check_mode_lists_the_plan_and_changes_nothing(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True, host_fenced=True, _ansible_diff=True)
    assert rc == 0 and result["changed"] is True
    assert cloud.writes == []
    assert sorted(by_name(result)) == ["vm1", "vm2", "vm3"]
    assert set(r["planned_host"] for r in result["instances"]) <= {"c1", "c2"}
    assert all(r["result"] == "would_evacuate" and r["to"] is None for r in result["instances"])
    assert result["service_after"] == dict(result["service_before"], status="disabled", state="down",
                                           forced_down=True, disabled_reason=module.ComputeHostEvacuateModule
                                           .argument_spec["disabled_reason"]["default"])
    assert result["summary"]["would_evacuate"] == 3
    assert "instance vm1 (id-vm1): ACTIVE on c3\n" in result["diff"]["before"]
    assert "service nova-compute on c3: disabled, down, forced down" in result["diff"]["after"]


def test_fenced_host_is_forced_down_disabled_and_evacuated(monkeypatch, capsys, cloud, clock, warnings):
    cloud.servers["id-vm2"]["status"] = "SHUTOFF"
    rc, result = run(monkeypatch, capsys, cloud, host_fenced=True, disabled_reason="PSU died, OPS-1")
    assert rc == 0 and result["changed"] is True
    # one PUT, before any evacuation, at 2.53 by the service's id
    assert cloud.writes[0] == ("PUT", "/os-services/svc-3", {"status": "disabled", "disabled_reason": "PSU died, OPS-1",
                                                             "forced_down": True})
    assert [w[1] for w in cloud.writes[1:]] == ["/servers/id-%s/action" % n for n in ("vm1", "vm2", "vm3")]
    assert [e[1:] for e in cloud.evacuations] == [("2.94", {"evacuate": {}})] * 3
    assert ("compute", "PUT", "/os-services/svc-3", "2.53") in cloud.requests
    assert result["microversion"] == "2.94"
    vms = by_name(result)
    assert vms["vm1"]["result"] == "evacuated" and vms["vm1"]["to"] == "c1" and vms["vm1"]["status"] == "ACTIVE"
    assert vms["vm2"]["status"] == "SHUTOFF" and vms["vm2"]["expected_status"] == "SHUTOFF"  # 2.94 keeps the state
    assert vms["vm1"]["seconds"] == 2.0 and vms["vm1"]["from"] == "c3"
    assert cloud.services["c3"]["forced_down"] is True and cloud.services["c3"]["status"] == "disabled"
    assert result["service_after"]["forced_down"] is True
    assert result["summary"]["evacuated"] == 3
    assert any(line.endswith("vm1: ACTIVE on c1") for line in result["progress"])
    assert any("vm1: evacuation requested (microversion 2.94)" in line for line in result["progress"])
    assert any("still reports up; host_fenced=true" in w for w in warnings)

    # a second run finds the host empty and the service as wanted
    del cloud.writes[:]
    rc, result = run(monkeypatch, capsys, cloud, host_fenced=True, disabled_reason="PSU died, OPS-1")
    assert rc == 0 and result["changed"] is False and result["instances"] == [] and cloud.writes == []


def test_a_down_service_is_evacuated_without_fencing_but_with_a_warning(monkeypatch, capsys, cloud, clock, warnings):
    cloud.stop_compute("c3")
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 0 and result["summary"]["evacuated"] == 3
    assert any("a missing heartbeat does not prove that the host is off" in w for w in warnings)


def test_target_state_shutoff_uses_2_95_and_waits_for_shutoff(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    rc, result = run(monkeypatch, capsys, cloud, target_state="shutoff", target_host="c2")
    assert rc == 0 and result["microversion"] == "2.95"
    assert [e[1:] for e in cloud.evacuations] == [("2.95", {"evacuate": {"host": "c2"}})] * 3
    assert set((r["status"], r["to"]) for r in result["instances"]) == {("SHUTOFF", "c2")}


def test_an_already_disabled_service_keeps_its_reason(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.services["c3"].update(status="disabled", disabled_reason="operator's own reason")
    run(monkeypatch, capsys, cloud)
    assert cloud.writes[0] == ("PUT", "/os-services/svc-3", {"forced_down": True})
    assert cloud.services["c3"]["disabled_reason"] == "operator's own reason"


def test_at_most_max_parallel_evacuations_run_at_once(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.steps = 3
    in_flight, peak = [0], [0]
    original = FakeCloud.show

    def show(self, server_id):
        response = original(self, server_id)
        moving = [s for s in self.servers.values() if s.get("_dest")]
        peak[0] = max(peak[0], len(moving))
        in_flight[0] = len(moving)
        return response

    monkeypatch.setattr(FakeCloud, "show", show)
    rc, result = run(monkeypatch, capsys, cloud, max_parallel=2)
    assert rc == 0 and result["summary"]["evacuated"] == 3 and peak[0] == 2


def test_an_instance_in_error_is_reported_not_retried(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.goes_error.add("vm2")
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1 and result["changed"] is True
    assert result["msg"] == ("1 instance(s) are not evacuated from c3: vm2 failed (ERROR on c1: Build of instance "
                             "aborted: fake failure). Run again to retry them")
    assert by_name(result)["vm2"]["result"] == "failed" and by_name(result)["vm1"]["result"] == "evacuated"
    assert [e[0] for e in cloud.evacuations].count("id-vm2") == 1


def test_leftovers_can_be_tolerated(monkeypatch, capsys, cloud, clock, warnings):
    cloud.stop_compute("c3")
    cloud.refuse["vm1"] = (409, "Cannot 'evacuate' instance id-vm1 while it is in task_state rebuilding")
    cloud.add_server("paused", status="PAUSED")
    rc, result = run(monkeypatch, capsys, cloud, fail_on_leftovers=False)
    assert rc == 0 and result["changed"] is True
    vms = by_name(result)
    assert vms["vm1"]["result"] == "failed"
    assert vms["vm1"]["message"] == ("Nova refused the evacuation: compute API: POST /servers/id-vm1/action answered 409: "
                                     "Cannot 'evacuate' instance id-vm1 while it is in task_state rebuilding")
    assert vms["paused"]["result"] == "not_evacuable"
    assert result["summary"] == {"would_evacuate": 0, "evacuated": 2, "failed": 1, "timed_out": 0, "not_started": 0,
                                 "not_evacuable": 1}
    assert any(w.startswith("2 instance(s) are not evacuated from c3") for w in warnings)


def test_the_timeout_ends_the_wait(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.never_arrives.update(["vm1", "vm2", "vm3"])
    rc, result = run(monkeypatch, capsys, cloud, timeout=10, max_parallel=2, poll_interval=2)
    assert rc == 1
    vms = by_name(result)
    assert vms["vm1"]["result"] == "timed_out" and vms["vm1"]["seconds"] == 10.0
    assert vms["vm1"]["message"] == "REBUILD on c1 (rebuild_spawning)"
    assert vms["vm3"]["result"] == "not_started"
    assert "vm1 did not reach ACTIVE within 10 s (last seen REBUILD on c1 (rebuild_spawning))" in result["msg"]
    assert clock.now - 1000.0 == 10.0


# ------------------------------------------------------------------ hosts with several compute nodes (providers)


def test_each_instance_is_planned_on_one_provider_of_a_host_with_several(monkeypatch, capsys, cloud, clock):
    # c1's nodes have 2048 and 1500 MB free, c2 none: two instances fit the first node, the third the second
    # (counting only c1's biggest node would refuse the evacuation, 1024 MB short)
    cloud.stop_compute("c3")
    cloud.usages["c1"] = {"MEMORY_MB": 5440}
    cloud.add_node("c1", "c1-b", ram=1500, reserved_ram=0)
    cloud.usages["c2"] = {"MEMORY_MB": 7488}
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True)
    assert rc == 0, result.get("msg")
    assert set(r["planned_host"] for r in result["instances"]) == {"c1"}
    assert result["capacity"]["c1"] == ("2 resource providers, each for itself: 32 VCPU, 2048 MB of RAM and 500 GB "
                                        "of disk; 32 VCPU, 1500 MB of RAM and 500 GB of disk")
    assert result["capacity"]["c2"] == "32 VCPU, 0 MB of RAM and 500 GB of disk"


def test_room_split_over_the_nodes_of_a_host_does_not_hold_one_instance(monkeypatch, capsys, clock):
    cloud = FakeCloud()
    cloud.add_server("big", ram=3072)
    cloud.stop_compute("c3")
    cloud.usages["c1"] = {"MEMORY_MB": 5488}
    cloud.add_node("c1", "c1-b", ram=2000, reserved_ram=0)
    cloud.usages["c2"] = {"MEMORY_MB": 7488}
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["msg"].startswith("evacuating c3: c1, c2 have enough free in total, but no single host has room "
                                    "for big (1 VCPU, 3072 MB of RAM and 10 GB of disk)")
    assert cloud.writes == []
