# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/compute_host_drain.py: main() against a fake Nova and Placement.

openstack.connect() is replaced by the fake connection of tests/unit/nova_fakes.py (shared with the
compute_host_evacuate tests): an in-memory cloud of hosts c1..c3 with their services, compute nodes,
servers, aggregates, Placement inventories, usages and allocations, and live-migration records. A live
migration moves the server to its destination and then completes its record after a few polls, as Nova
does (host first, record later). The module's clock is a fake one that only its sleep moves, so nothing
waits. exit_json and fail_json are the real ones: the test reads the JSON the module prints.
"""

from __future__ import annotations

import json

import openstack
import pytest
from ansible.module_utils.testing import patch_module_args
from ansible_collections.stackops.openstack.plugins.modules import compute_host_drain as module
from ansible_collections.stackops.openstack.tests.unit.nova_fakes import FakeCloud, FakeConnection, Response

PASSWORD = "Adm1n-Pa55-never-shown"
DEFAULT_REASON = "drained for maintenance by stackops.openstack.compute_host_drain"
NO_VALID_HOST = "No valid host was found. There are not enough hosts available."


class FakeTime:
    """The module's time: monotonic() and a sleep() that only moves it."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = 0

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps += 1
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeTime()
    monkeypatch.setattr(module, "time", fake)
    return fake


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
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        module.main()
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert "Traceback" not in result.get("msg", "")
    assert PASSWORD not in out
    return exc.value.code, result


def by_name(items):
    return dict((item["name"], item) for item in items)


def on_host(cloud, host):
    return cloud.on_host(host)


# ------------------------------------------------------------------ check mode and refusals: nothing is written


def test_check_mode_returns_the_plan_and_writes_nothing(monkeypatch, capsys, cloud, clock):
    cloud.add_server("stopped", status="SHUTOFF")
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True, _ansible_diff=True)
    assert rc == 0 and result["changed"] is True
    assert cloud.writes == []
    assert cloud.services["c3"]["status"] == "enabled"
    plan = by_name(result["plan"])
    assert sorted(plan) == ["stopped", "vm1", "vm2", "vm3"]
    assert plan["vm1"]["resources"] == {"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 10}
    assert set(plan[n]["planned_host"] for n in ("vm1", "vm2", "vm3")) <= {"c1", "c2"}
    assert plan["stopped"]["planned_host"] is None
    assert result["migrations"] == [] and result["most_in_flight"] == 0
    assert [item["name"] for item in result["leftovers"]] == ["stopped"]
    assert result["service"]["status"] == "disabled" and result["service"]["disabled_reason"] == DEFAULT_REASON
    assert "vm1: will move (room on %s)" % plan["vm1"]["planned_host"] in result["report"]
    assert "stays: stopped is SHUTOFF; only ACTIVE or PAUSED instances can be live-migrated" in result["report"]
    assert result["diff"]["before"] == "nova-compute on c3: enabled\ninstances: stopped, vm1, vm2, vm3\n"
    assert result["diff"]["after"] == "nova-compute on c3: disabled (%s)\ninstances: stopped\n" % DEFAULT_REASON


def test_check_mode_on_an_empty_drained_host_is_unchanged(monkeypatch, capsys, clock):
    cloud = FakeCloud()
    cloud.services["c3"].update(status="disabled", disabled_reason=DEFAULT_REASON)
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True)
    assert rc == 0 and result["changed"] is False and cloud.writes == []
    assert result["report"] == ["nova-compute on c3: disabled (%s)" % DEFAULT_REASON, "nothing to move"]


def test_a_shortfall_fails_before_any_write_in_words(monkeypatch, capsys, cloud, clock):
    # free RAM: c1 7488 - 6800 = 688, c2 7488 - 7000 = 488; the three need 3072
    cloud.usages["c1"] = {"MEMORY_MB": 6800}
    cloud.usages["c2"] = {"MEMORY_MB": 7000}
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["msg"] == ("draining c3 needs more than c1, c2 have free: 1896 MB of RAM short. Free room or add "
                             "hosts, then run the drain again; nothing was migrated")
    assert cloud.writes == []
    assert cloud.services["c3"]["status"] == "enabled" and result["service"]["status"] == "enabled"
    assert on_host(cloud, "c3") == ["vm1", "vm2", "vm3"]


def test_room_split_among_hosts_is_refused_naming_the_instance(monkeypatch, capsys, cloud, clock):
    # free RAM: 7488 - 3400 = 4088 on each, 8176 in all for the 7168 needed, but big needs 4096 on one
    cloud.add_server("big", ram=4096, vcpus=2, disk=20)
    cloud.usages["c1"] = {"MEMORY_MB": 3400}
    cloud.usages["c2"] = {"MEMORY_MB": 3400}
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True)
    assert rc == 1
    assert result["msg"].startswith("draining c3: c1, c2 have enough free in total, but no single host has room for "
                                    "big (2 VCPU, 4096 MB of RAM and 20 GB of disk)")
    assert cloud.writes == []


def test_no_other_usable_host_is_refused(monkeypatch, capsys, cloud, clock):
    cloud.services["c1"].update(status="disabled", disabled_reason="broken fan")
    cloud.services["c2"]["forced_down"] = True
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1 and result["msg"] == ("draining c3: there is no other enabled nova-compute host to move its "
                                         "instances to; nothing was migrated")
    assert cloud.writes == []


@pytest.mark.parametrize("args, message", [
    ({"host": "nope"}, "host nope is not a nova-compute host; known hosts: c1, c2, c3"),
    ({"targets": ["c1", "c3"]}, "target hosts include c3, the host being drained"),
    ({"targets": ["c1", "c9"]}, "target host(s) c9 are not nova-compute hosts; known hosts: c1, c2, c3"),
    ({"max_in_flight": 0}, "max_in_flight is 0, expected at least 1"),
    ({"timeout": 0}, "timeout is 0, expected at least 1"),
    ({"aggregate": "rack9"}, "no host aggregate named rack9"),
])
def test_bad_input_fails_naming_it_and_writes_nothing(monkeypatch, capsys, cloud, clock, args, message):
    rc, result = run(monkeypatch, capsys, cloud, **args)
    assert rc == 1 and result["msg"] == message
    assert cloud.writes == []


def test_max_in_flight_zero_fails_before_nova_is_asked(monkeypatch, capsys, cloud, clock):
    run(monkeypatch, capsys, cloud, max_in_flight=0)
    assert cloud.requests == []


def test_targets_and_aggregate_exclude_each_other(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud, targets=["c1"], aggregate="rack2")
    assert rc == 1 and result["msg"] == "parameters are mutually exclusive: targets|aggregate"
    assert cloud.requests == []


def test_a_disabled_target_is_refused(monkeypatch, capsys, cloud, clock):
    cloud.services["c2"].update(status="disabled", disabled_reason="broken fan")
    rc, result = run(monkeypatch, capsys, cloud, targets=["c1", "c2"])
    assert rc == 1 and result["msg"] == ("cannot drain c3 into c2 (disabled: broken fan): only enabled, up "
                                         "nova-compute hosts take instances")
    assert cloud.writes == []


@pytest.mark.parametrize("hosts, message", [
    (["c1", "c7"], "aggregate rack2 lists host(s) c7 that run no nova-compute"),
    (["c3"], "aggregate rack2 has no host other than c3"),
])
def test_a_bad_aggregate_is_refused(monkeypatch, capsys, cloud, clock, hosts, message):
    cloud.aggregates.append({"id": 1, "name": "rack2", "hosts": hosts})
    rc, result = run(monkeypatch, capsys, cloud, aggregate="rack2")
    assert rc == 1 and result["msg"] == message
    assert cloud.writes == []


def test_a_down_source_service_is_refused(monkeypatch, capsys, cloud, clock):
    cloud.services["c3"]["state"] = "down"
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["msg"] == ("nova-compute on c3 is down: live migration needs it running. For a dead host, fence "
                             "it and use stackops.openstack.compute_host_evacuate; nothing was changed")
    assert result["service"]["state"] == "down"
    assert cloud.writes == []


def test_an_api_error_names_the_request(monkeypatch, capsys, cloud, clock):
    original = FakeCloud.request

    def forbidden(self, service, method, path, microversion, body):
        if path.startswith("/os-hypervisors"):
            return Response(403, {"forbidden": {"code": 403, "message": "Policy doesn't allow "
                                                                        "os_compute_api:os-hypervisors:detail"}})
        return original(self, service, method, path, microversion, body)

    monkeypatch.setattr(FakeCloud, "request", forbidden)
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1 and result["msg"] == ("compute API: GET /os-hypervisors/detail answered 403: Policy doesn't allow "
                                         "os_compute_api:os-hypervisors:detail")
    assert cloud.writes == []


# ------------------------------------------------------------------ the drain


def test_a_drain_moves_every_active_instance(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud, disabled_reason="RAM replacement, OPS-1234", _ansible_diff=True)
    assert rc == 0 and result["changed"] is True
    # disabled with the reason before any migration starts, at 2.53 by the service's id
    assert cloud.writes[0] == ("PUT", "/os-services/svc-3",
                               {"status": "disabled", "disabled_reason": "RAM replacement, OPS-1234"})
    assert ("compute", "PUT", "/os-services/svc-3", "2.53") in cloud.requests
    posts = cloud.writes_of("POST")
    assert sorted(p[1] for p in posts) == ["/servers/id-vm1/action", "/servers/id-vm2/action",
                                           "/servers/id-vm3/action"]
    # the scheduler picks: no host, no force, block migration left to Nova
    assert all(p[2] == {"os-migrateLive": {"host": None, "block_migration": "auto"}} for p in posts)
    assert on_host(cloud, "c3") == [] and on_host(cloud, "c1") == ["vm1", "vm2", "vm3"]
    assert cloud.services["c3"]["status"] == "disabled"
    assert cloud.services["c3"]["disabled_reason"] == "RAM replacement, OPS-1234"
    assert result["service"]["status"] == "disabled"
    migrations = by_name(result["migrations"])
    assert sorted(migrations) == ["vm1", "vm2", "vm3"]
    for name in ("vm1", "vm2", "vm3"):
        entry = migrations[name]
        assert (entry["from"], entry["to"], entry["result"], entry["message"]) == ("c3", "c1", "migrated", "")
        assert entry["seconds"] == 3.0  # three polls a second apart
    assert result["leftovers"] == []
    assert result["most_in_flight"] == 2 and cloud.peak == 2  # the default max_in_flight
    assert result["report"][0] == "nova-compute on c3: disabled (RAM replacement, OPS-1234)"
    assert "vm1: c3 -> c1 in 3.0 s: migrated" in result["report"]
    assert result["diff"] == {"before": "nova-compute on c3: enabled\ninstances: vm1, vm2, vm3\n",
                              "after": "nova-compute on c3: disabled (RAM replacement, OPS-1234)\ninstances: none\n"}
    assert result["progress"][0] == "0.0s disabled nova-compute on c3: RAM replacement, OPS-1234"
    assert any(line.endswith("vm1: live migration from c3 to a host the scheduler picks started (1 in flight)")
               for line in result["progress"])
    assert any(line.endswith("vm1: on c1 after 3.0s") for line in result["progress"])
    assert result["seconds"] == 6.0


@pytest.mark.parametrize("max_in_flight, peak", [(1, 1), (2, 2), (3, 3), (9, 4)])
def test_never_more_than_max_in_flight(monkeypatch, capsys, cloud, clock, max_in_flight, peak):
    cloud.add_server("vm4")
    rc, result = run(monkeypatch, capsys, cloud, max_in_flight=max_in_flight)
    assert rc == 0 and on_host(cloud, "c3") == []
    assert cloud.peak == peak and result["most_in_flight"] == peak <= max_in_flight


def test_an_older_migration_record_is_not_taken_for_this_one(monkeypatch, capsys, cloud, clock):
    # vm1 failed to move last week; its error record must not fail this drain, nor a completed one end it early
    cloud.migrations.append({"id": 7, "uuid": "mig-7", "instance_uuid": "id-vm1", "migration_type": "live-migration",
                             "status": "error", "source_compute": "c3", "dest_compute": "c2", "_looks": 0})
    cloud.migrations.append({"id": 8, "uuid": "mig-8", "instance_uuid": "id-vm2", "migration_type": "live-migration",
                             "status": "completed", "source_compute": "c2", "dest_compute": "c3", "_looks": 0})
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 0
    assert [m["result"] for m in result["migrations"]] == ["migrated"] * 3
    assert by_name(result["migrations"])["vm2"]["seconds"] == 3.0


def test_targets_pin_each_instance_to_its_planned_host(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud, targets=["c2"], block_migration="false")
    assert rc == 0
    assert all(p[2] == {"os-migrateLive": {"host": "c2", "block_migration": False}}
               for p in cloud.writes_of("POST"))
    assert on_host(cloud, "c2") == ["elsewhere", "vm1", "vm2", "vm3"]
    assert set(m["to"] for m in result["migrations"]) == {"c2"}


def test_an_aggregate_limits_the_hosts(monkeypatch, capsys, cloud, clock):
    cloud.aggregates.append({"id": 1, "name": "rack2", "hosts": ["c2", "c3"]})
    rc, result = run(monkeypatch, capsys, cloud, aggregate="rack2", max_in_flight=1)
    assert rc == 0
    assert set(p["planned_host"] for p in result["plan"]) == {"c2"}
    assert on_host(cloud, "c2") == ["elsewhere", "vm1", "vm2", "vm3"] and result["most_in_flight"] == 1


def test_without_an_allocation_the_flavor_counts(monkeypatch, capsys, clock):
    cloud = FakeCloud()
    cloud.add_server("old", ram=2048, vcpus=2, disk=15, allocated=False)
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True)
    assert rc == 0 and result["plan"][0]["resources"] == {"VCPU": 2, "MEMORY_MB": 2048, "DISK_GB": 15}


def test_a_shutoff_instance_is_a_leftover_and_fails_the_task(monkeypatch, capsys, cloud, clock):
    cloud.add_server("stopped", status="SHUTOFF")
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1 and result["changed"] is True
    assert result["msg"] == ("draining c3 moved 3 of 4 instance(s); still there: stopped is SHUTOFF; only ACTIVE or "
                             "PAUSED instances can be live-migrated. The service stays disabled; fix those and run "
                             "again, or set fail_on_leftovers=false")
    assert [item["name"] for item in result["leftovers"]] == ["stopped"]
    assert "/servers/id-stopped/action" not in [w[1] for w in cloud.writes]
    assert on_host(cloud, "c3") == ["stopped"] and cloud.services["c3"]["status"] == "disabled"
    assert "stays: stopped is SHUTOFF; only ACTIVE or PAUSED instances can be live-migrated" in result["report"]
    assert [m["result"] for m in result["migrations"]] == ["migrated"] * 3


def test_leftovers_can_be_tolerated(monkeypatch, capsys, cloud, clock):
    cloud.add_server("stopped", status="SHUTOFF")
    cloud.add_server("resizing", task_state="resize_prep")
    rc, result = run(monkeypatch, capsys, cloud, fail_on_leftovers=False, _ansible_diff=True)
    assert rc == 0 and result["changed"] is True
    assert by_name(result["leftovers"]) == {
        "stopped": {"id": "id-stopped", "name": "stopped", "status": "SHUTOFF",
                    "reason": "stopped is SHUTOFF; only ACTIVE or PAUSED instances can be live-migrated"},
        "resizing": {"id": "id-resizing", "name": "resizing", "status": "ACTIVE",
                     "reason": "resizing is busy with the task resize_prep"}}
    assert result["diff"]["after"].endswith("instances: resizing, stopped\n")


def test_no_valid_host_is_a_refused_leftover_and_the_others_move(monkeypatch, capsys, cloud, clock):
    cloud.refuse["vm2"] = (400, NO_VALID_HOST)
    rc, result = run(monkeypatch, capsys, cloud, max_in_flight=1)
    assert rc == 1 and result["changed"] is True
    migrations = by_name(result["migrations"])
    assert migrations["vm2"]["result"] == "refused" and migrations["vm2"]["to"] is None
    assert migrations["vm2"]["message"] == ("compute API: POST /servers/id-vm2/action answered 400: " + NO_VALID_HOST)
    assert migrations["vm1"]["result"] == migrations["vm3"]["result"] == "migrated"
    assert [w[1] for w in cloud.writes_of("POST")].count("/servers/id-vm2/action") == 1
    assert result["leftovers"] == [{"id": "id-vm2", "name": "vm2", "status": "ACTIVE", "reason": "refused: " +
                                    migrations["vm2"]["message"]}]
    assert "still there: vm2 (refused: compute API: POST /servers/id-vm2/action answered 400: No valid host" \
        in result["msg"]
    assert on_host(cloud, "c3") == ["vm2"]
    assert any(line.endswith("vm2: Nova refused to migrate it: compute API: POST /servers/id-vm2/action answered "
                             "400: " + NO_VALID_HOST) for line in result["progress"])


def test_a_failed_migration_is_reported_and_not_retried(monkeypatch, capsys, cloud, clock):
    cloud.fails.add("vm3")
    rc, result = run(monkeypatch, capsys, cloud, fail_on_leftovers=False)
    assert rc == 0
    vm3 = by_name(result["migrations"])["vm3"]
    assert vm3["result"] == "failed" and vm3["to"] is None
    assert vm3["message"] == "the migration record says error (instance status ACTIVE, on c3)"
    assert [w[1] for w in cloud.writes_of("POST")].count("/servers/id-vm3/action") == 1
    assert [item["name"] for item in result["leftovers"]] == ["vm3"]


def test_the_timeout_reports_timed_out_and_not_started(monkeypatch, capsys, cloud, clock):
    cloud.looks = 100
    rc, result = run(monkeypatch, capsys, cloud, timeout=5, max_in_flight=2)
    assert rc == 1
    assert [m["result"] for m in result["migrations"]] == ["timed_out", "timed_out", "not_started"]
    assert [m["name"] for m in result["leftovers"]] == ["vm1", "vm2", "vm3"]
    assert "not_started: not started: the 5s timeout ran out first" in result["msg"]
    assert clock.sleeps == 5


def test_a_second_run_on_the_empty_disabled_host_changes_nothing(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 0 and result["changed"] is True
    del cloud.writes[:]
    rc, result = run(monkeypatch, capsys, cloud, _ansible_diff=True)
    assert rc == 0 and result["changed"] is False and cloud.writes == []
    assert result["plan"] == [] and result["migrations"] == [] and result["leftovers"] == []
    assert result["report"] == ["nova-compute on c3: disabled (%s)" % DEFAULT_REASON, "nothing to move"]
    assert result["diff"]["before"] == result["diff"]["after"]


def test_a_new_reason_on_a_disabled_host_is_a_change(monkeypatch, capsys, clock):
    cloud = FakeCloud()
    cloud.services["c3"].update(status="disabled", disabled_reason="old reason")
    rc, result = run(monkeypatch, capsys, cloud, disabled_reason="new reason")
    assert rc == 0 and result["changed"] is True
    assert cloud.writes == [("PUT", "/os-services/svc-3", {"status": "disabled", "disabled_reason": "new reason"})]


def test_an_instance_landing_before_the_disable_is_planned_again(monkeypatch, capsys, cloud, clock):
    # the scheduler placed a big one on c3 between the first look and the disable: the second plan refuses
    original = FakeCloud.request

    def late_arrival(self, service, method, path, microversion, body):
        response = original(self, service, method, path, microversion, body)
        if method == "PUT" and body["status"] == "disabled":
            self.add_server("late", ram=7000)
        return response

    monkeypatch.setattr(FakeCloud, "request", late_arrival)
    cloud.usages["c1"] = {"MEMORY_MB": 4000}
    cloud.usages["c2"] = {"MEMORY_MB": 4000}
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["msg"].endswith("nothing was migrated (the service was put back as it was: enabled)")
    assert [w[2]["status"] for w in cloud.writes] == ["disabled", "enabled"]
    assert cloud.services["c3"]["status"] == "enabled"


# ------------------------------------------------------------------ undrained


def test_undrained_enables_the_service(monkeypatch, capsys, cloud, clock):
    cloud.services["c3"].update(status="disabled", disabled_reason="RAM replacement")
    rc, result = run(monkeypatch, capsys, cloud, state="undrained", _ansible_diff=True)
    assert rc == 0 and result["changed"] is True
    assert cloud.writes == [("PUT", "/os-services/svc-3", {"status": "enabled"})]
    assert cloud.services["c3"]["status"] == "enabled"
    assert result["service"]["status"] == "enabled" and result["service"]["disabled_reason"] is None
    assert result["diff"] == {"before": "nova-compute on c3: disabled (RAM replacement)\n",
                              "after": "nova-compute on c3: enabled\n"}
    assert result["report"] == ["nova-compute on c3: enabled"]
    # the instances stay where they are
    assert on_host(cloud, "c3") == ["vm1", "vm2", "vm3"]


def test_undrained_in_check_mode_writes_nothing(monkeypatch, capsys, cloud, clock):
    cloud.services["c3"].update(status="disabled", disabled_reason="RAM replacement")
    rc, result = run(monkeypatch, capsys, cloud, state="undrained", check_mode=True)
    assert rc == 0 and result["changed"] is True and cloud.writes == []
    assert result["service"]["status"] == "enabled"


def test_undrained_on_an_enabled_host_is_unchanged(monkeypatch, capsys, cloud, clock):
    rc, result = run(monkeypatch, capsys, cloud, state="undrained")
    assert rc == 0 and result["changed"] is False and cloud.writes == []


def test_undrained_works_on_a_down_service(monkeypatch, capsys, cloud, clock):
    cloud.services["c3"].update(status="disabled", disabled_reason="RAM replacement", state="down")
    rc, result = run(monkeypatch, capsys, cloud, state="undrained")
    assert rc == 0 and result["changed"] is True and cloud.services["c3"]["status"] == "enabled"


# ------------------------------------------------------------------ errors and races during the drain


def test_an_instance_deleted_during_the_drain_does_not_stop_the_others(monkeypatch, capsys, cloud, clock):
    original = FakeCloud.request

    def deleted(self, service, method, path, microversion, body):
        if path == "/servers/id-vm2" and self.servers["id-vm2"]["OS-EXT-STS:task_state"] == "migrating":
            return Response(404, {"itemNotFound": {"code": 404, "message": "Instance id-vm2 could not be found."}})
        return original(self, service, method, path, microversion, body)

    monkeypatch.setattr(FakeCloud, "request", deleted)
    rc, result = run(monkeypatch, capsys, cloud)
    assert "report" in result and "seconds" in result
    migrations = by_name(result["migrations"])
    assert migrations["vm1"]["result"] == migrations["vm3"]["result"] == "migrated"
    assert migrations["vm2"]["result"] == "failed"


def test_a_refused_second_plan_puts_a_disabled_host_back_as_it_was(monkeypatch, capsys, cloud, clock):
    cloud.services["c3"].update(status="disabled", disabled_reason="operator's own reason")
    original = FakeCloud.request

    def others_fill_up(self, service, method, path, microversion, body):
        response = original(self, service, method, path, microversion, body)
        if method == "PUT" and body["status"] == "disabled":
            self.usages["c1"] = {"MEMORY_MB": 7000}
            self.usages["c2"] = {"MEMORY_MB": 7000}
        return response

    monkeypatch.setattr(FakeCloud, "request", others_fill_up)
    rc, result = run(monkeypatch, capsys, cloud, disabled_reason="RAM replacement")
    assert rc == 1 and "nothing was migrated" in result["msg"]
    assert cloud.services["c3"]["status"] == "disabled"
    assert cloud.services["c3"]["disabled_reason"] == "operator's own reason"
    assert result["msg"].endswith("(the service was put back as it was: disabled (operator's own reason))")
    assert result["service"]["disabled_reason"] == "operator's own reason"


def test_a_passing_api_error_while_polling_is_waited_out(monkeypatch, capsys, cloud, clock):
    original = FakeCloud.request
    failures = {"left": 3}

    def flaky(self, service, method, path, microversion, body):
        if path.startswith("/os-migrations?instance_uuid=id-vm1&migration_type") and failures["left"]:
            failures["left"] -= 1
            return Response(503, {"message": "Service Unavailable"})
        return original(self, service, method, path, microversion, body)

    monkeypatch.setattr(FakeCloud, "request", flaky)
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 0, result.get("msg")
    assert failures["left"] == 0
    assert {m["name"]: m["result"] for m in result["migrations"]} == {
        "vm1": "migrated", "vm2": "migrated", "vm3": "migrated"}
    assert sum("vm1: could not read its migration state, will ask again" in line and "503" in line
               for line in result["progress"]) == 3


def test_an_instance_deleted_during_the_drain_is_not_a_leftover(monkeypatch, capsys, cloud, clock):
    original = FakeCloud.request

    def deleted(self, service, method, path, microversion, body):
        if path == "/servers/id-vm2" and self.servers["id-vm2"]["OS-EXT-STS:task_state"] == "migrating":
            self.servers.pop("id-vm2")
            return Response(404, {"itemNotFound": {"code": 404, "message": "Instance id-vm2 could not be found."}})
        return original(self, service, method, path, microversion, body)

    monkeypatch.setattr(FakeCloud, "request", deleted)
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 0, result.get("msg")
    vm2 = by_name(result["migrations"])["vm2"]
    assert vm2["result"] == "failed" and "no longer exists" in vm2["message"]
    assert result["leftovers"] == []


# ------------------------------------------------------------------ hosts with several compute nodes (providers)


def test_each_instance_is_planned_on_one_provider_of_a_host_with_several(monkeypatch, capsys, cloud, clock):
    # c1's first node has 7488 MB free, its second 500; c2 is full. One instance lands on one node, so c1 takes
    # the three on its first node (counting only its last node, 500 MB, would refuse the drain)
    cloud.add_node("c1", "c1-b", ram=500, reserved_ram=0)
    cloud.usages["c2"] = {"MEMORY_MB": 7488}
    rc, result = run(monkeypatch, capsys, cloud, check_mode=True)
    assert rc == 0, result.get("msg")
    assert set(p["planned_host"] for p in result["plan"]) == {"c1"}
    assert ("placement", "GET", "/resource_providers/rp-c1-b/usages", "1.10") in cloud.requests


def test_room_split_over_the_nodes_of_a_host_does_not_hold_one_instance(monkeypatch, capsys, clock):
    # 2000 + 2000 MB free on c1's two nodes, nothing on c2: the 3072 MB instance fits on neither node
    cloud = FakeCloud()
    cloud.add_server("big", ram=3072)
    cloud.usages["c1"] = {"MEMORY_MB": 5488}
    cloud.add_node("c1", "c1-b", ram=2000, reserved_ram=0)
    cloud.usages["c2"] = {"MEMORY_MB": 7488}
    rc, result = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["msg"].startswith("draining c3: c1, c2 have enough free in total, but no single host has room for "
                                    "big (1 VCPU, 3072 MB of RAM and 10 GB of disk)")
    assert cloud.writes == []
