# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/compute_host_evacuate.py: main() against a fake Nova and Placement.

openstack.connect() is replaced by a fake connection whose compute and placement proxies answer
the REST calls the module makes (get/put/post with a microversion) from an in-memory cloud: three
hosts, their services, servers and Placement inventories. An evacuation moves a server to its
destination after a few looks, as the real one does. exit_json and fail_json are the real ones:
the test reads the JSON the module prints.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

import openstack
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.stackops.openstack.plugins.modules import compute_host_evacuate as module

PASSWORD = "Adm1n-Pa55-never-shown"


class Response:
    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self.body = body
        self.text = "" if body is None else json.dumps(body)

    def json(self):
        if not self.text:
            raise ValueError("no JSON")
        return self.body


def flavor(vcpus=1, ram=1024, disk=1):
    return {"vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": 0, "swap": 0, "original_name": "evac"}


class FakeCloud:
    """Nova (services, servers, hypervisors, evacuate) and Placement for hosts c1..c3."""

    def __init__(self, max_version="2.104", steps=2):
        self.max_version = max_version
        self.steps = steps                  # looks until an evacuated server is at its destination
        self.services = {}
        for n in (1, 2, 3):
            host = "c%d" % n
            self.services[host] = {"id": "svc-%d" % n, "binary": "nova-compute", "host": host, "zone": "nova",
                                   "status": "enabled", "state": "up", "forced_down": False, "disabled_reason": None,
                                   "updated_at": "2026-12-03T01:00:00.000000"}
        self.usages = {"c1": {}, "c2": {}, "c3": {}}
        self.servers = {}
        self.writes = []
        self.requests = []
        self.fail_evacuate = {}             # server name: (status, message) Nova answers the POST with
        self.goes_error = set()             # server names whose rebuild ends in ERROR
        self.never_arrives = set()          # server names that stay rebuilding
        self.destination = None             # the scheduler's choice when no host is given

    def add_server(self, name, host="c3", status="ACTIVE", **flavor_args):
        self.servers["id-" + name] = {"id": "id-" + name, "name": name, "status": status,
                                      "OS-EXT-SRV-ATTR:host": host, "OS-EXT-STS:task_state": None,
                                      "image": {"id": "img"}, "flavor": flavor(**flavor_args)}

    def stop_compute(self, host):
        self.services[host]["state"] = "down"

    # ------------------------------------------------------------ the API
    def request(self, service, method, path, microversion, body):
        self.requests.append((service, method, path, microversion))
        url = urlparse(path)
        query = dict((k, v[0]) for k, v in parse_qs(url.query).items())
        parts = url.path.strip("/").split("/")
        if service == "placement":
            uuid, what = parts[1], parts[2]
            host = uuid.replace("node-", "")
            if what == "inventories":
                return Response(200, {"inventories": {
                    "VCPU": {"total": 8, "reserved": 0, "allocation_ratio": 4.0, "min_unit": 1, "max_unit": 8},
                    "MEMORY_MB": {"total": 8000, "reserved": 512, "allocation_ratio": 1.0, "min_unit": 1,
                                  "max_unit": 8000},
                    "DISK_GB": {"total": 500, "reserved": 0, "allocation_ratio": 1.0, "min_unit": 1,
                                "max_unit": 500}}})
            return Response(200, {"usages": self.usages[host]})
        if path == "/":
            return Response(200, {"version": {"id": "v2.1", "version": self.max_version, "min_version": "2.1"}})
        if parts[0] == "os-services" and method == "GET":
            return Response(200, {"services": [dict(s) for s in self.services.values()]})
        if parts[0] == "os-services" and method == "PUT":
            self.writes.append(("service", parts[1], body))
            svc = [s for s in self.services.values() if s["id"] == parts[1]][0]
            if "status" in body:
                svc["status"] = body["status"]
                svc["disabled_reason"] = body.get("disabled_reason")
            if "forced_down" in body:
                svc["forced_down"] = body["forced_down"]
                svc["state"] = "down" if body["forced_down"] else svc["state"]
            return Response(200, {"service": dict(svc)})
        if parts[0] == "os-hypervisors":
            return Response(200, {"hypervisors": [
                {"id": "node-" + h, "hypervisor_hostname": h, "service": {"host": h, "id": s["id"]}}
                for h, s in self.services.items()]})
        if parts == ["servers", "detail"]:
            found = sorted((s for s in self.servers.values() if s["OS-EXT-SRV-ATTR:host"] == query["host"]),
                           key=lambda s: s["id"])
            if "marker" in query:
                found = [s for s in found if s["id"] > query["marker"]]
            page = {"servers": [dict(s) for s in found[:2]]}  # pages of two, as with Nova's max_limit
            if len(found) > 2:
                page["servers_links"] = [{"rel": "next", "href": "..."}]
            return Response(200, page)
        if len(parts) == 3 and parts[2] == "action":
            return self.evacuate(parts[1], microversion, body)
        if parts[0] == "servers":
            return self.show(parts[1])
        raise AssertionError("unexpected request %s %s" % (method, path))

    def evacuate(self, server_id, microversion, body):
        self.writes.append(("evacuate", server_id, microversion, body))
        server = self.servers[server_id]
        if server["name"] in self.fail_evacuate:
            status, message = self.fail_evacuate[server["name"]]
            return Response(status, {"badRequest": {"code": status, "message": message}})
        source = self.services[server["OS-EXT-SRV-ATTR:host"]]
        if source["state"] == "up" and not source["forced_down"]:
            return Response(400, {"badRequest": {"message": "Service is still in use."}})
        host = body["evacuate"].get("host") or self.destination or "c1"
        server.update({"OS-EXT-STS:task_state": "rebuilding", "_dest": host, "_looks": 0,
                       "_end": "SHUTOFF" if microversion >= "2.95" or server["status"] == "SHUTOFF" else "ACTIVE"})
        return Response(200)

    def show(self, server_id):
        server = self.servers[server_id]
        if server.get("_dest"):
            server["_looks"] += 1
            if server["_looks"] == 1:
                server.update({"status": "REBUILD", "OS-EXT-STS:task_state": "rebuild_spawning",
                               "OS-EXT-SRV-ATTR:host": server["_dest"]})
            elif server["_looks"] >= self.steps and server["name"] not in self.never_arrives:
                if server["name"] in self.goes_error:
                    server.update({"status": "ERROR", "OS-EXT-STS:task_state": None,
                                   "fault": {"message": "Build of instance aborted: fake failure"}})
                else:
                    server.update({"status": server["_end"], "OS-EXT-STS:task_state": None})
                server.pop("_dest")
        return Response(200, {"server": dict((k, v) for k, v in server.items() if not k.startswith("_"))})


class Proxy:
    def __init__(self, cloud, service):
        self.cloud, self.service = cloud, service

    def get(self, path, microversion=None):
        return self.cloud.request(self.service, "GET", path, microversion, None)

    def put(self, path, json=None, microversion=None):  # pylint: disable=redefined-outer-name
        return self.cloud.request(self.service, "PUT", path, microversion, json)

    def post(self, path, json=None, microversion=None):  # pylint: disable=redefined-outer-name
        return self.cloud.request(self.service, "POST", path, microversion, json)


class FakeConnection:
    def __init__(self, cloud):
        self.compute = Proxy(cloud, "compute")
        self.placement = Proxy(cloud, "placement")


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
        lab.add_server(name)
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

    monkeypatch.setattr(Proxy, "get", refuse)
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
        "compute GET /os-services?binary=nova-compute answered 403: Policy doesn't allow "
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
    assert cloud.writes[0] == ("service", "svc-3", {"status": "disabled", "disabled_reason": "PSU died, OPS-1",
                                                    "forced_down": True})
    assert [w[0] for w in cloud.writes[1:]] == ["evacuate"] * 3
    assert all(w[2] == "2.94" and w[3] == {"evacuate": {}} for w in cloud.writes[1:])
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
    assert all(w[2] == "2.95" and w[3] == {"evacuate": {"host": "c2"}} for w in cloud.writes[1:])
    assert set((r["status"], r["to"]) for r in result["instances"]) == {("SHUTOFF", "c2")}


def test_an_already_disabled_service_keeps_its_reason(monkeypatch, capsys, cloud, clock):
    cloud.stop_compute("c3")
    cloud.services["c3"].update(status="disabled", disabled_reason="operator's own reason")
    run(monkeypatch, capsys, cloud)
    assert cloud.writes[0] == ("service", "svc-3", {"forced_down": True})
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
    assert [w[1] for w in cloud.writes if w[0] == "evacuate"].count("id-vm2") == 1


def test_leftovers_can_be_tolerated(monkeypatch, capsys, cloud, clock, warnings):
    cloud.stop_compute("c3")
    cloud.fail_evacuate["vm1"] = (409, "Cannot 'evacuate' instance id-vm1 while it is in task_state rebuilding")
    cloud.add_server("paused", status="PAUSED")
    rc, result = run(monkeypatch, capsys, cloud, fail_on_leftovers=False)
    assert rc == 0 and result["changed"] is True
    vms = by_name(result)
    assert vms["vm1"]["result"] == "failed"
    assert vms["vm1"]["message"] == ("Nova refused the evacuation: compute POST /servers/id-vm1/action answered 409: "
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
