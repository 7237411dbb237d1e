# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.stackops.openstack.plugins.module_utils import compute_evacuate as evac
from ansible_collections.stackops.openstack.plugins.module_utils import nova_compute_api as api


def service(host, status="enabled", state="up", forced_down=False, reason=None):
    return {"id": "svc-" + host, "host": host, "binary": "nova-compute", "status": status, "state": state,
            "forced_down": forced_down, "disabled_reason": reason, "updated_at": "2026-12-03T01:00:00.000000"}


def server(name, status="ACTIVE", task=None, vcpus=1, ram=1024, disk=10, ephemeral=0, swap=0, image="img"):
    return {"id": "id-" + name, "name": name, "status": status, "OS-EXT-STS:task_state": task,
            "image": {"id": image} if image else "",
            "flavor": {"vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": ephemeral, "swap": swap,
                       "original_name": "small"}}


@pytest.mark.parametrize("target_state, newest, chosen", [
    ("active", "2.104", "2.94"),   # never newer than 2.94: from 2.95 the instance would end SHUTOFF
    ("active", "2.95", "2.94"),
    ("active", "2.94", "2.94"),
    ("active", "2.60", "2.60"),    # an older Nova: its newest, which keeps the state too
    ("active", "2.53", "2.53"),
    ("shutoff", "2.104", "2.95"),
    ("shutoff", "2.95", "2.95"),
])
def test_microversion_is_chosen_for_the_target_state(target_state, newest, chosen):
    assert evac.choose_microversion(target_state, newest) == chosen


@pytest.mark.parametrize("target_state, newest, message", [
    ("shutoff", "2.94", "target_state=shutoff needs compute microversion 2.95 (Nova 2023.1 Antelope); this Nova "
                        "offers up to 2.94. Use target_state=active"),
    ("active", "2.52", "Nova offers compute microversions up to 2.52; evacuating needs at least 2.53 (Pike)"),
    ("running", "2.95", "target_state is 'running', expected one of active, shutoff"),
    ("active", "two", "microversion 'two' is not MAJOR.MINOR"),
])
def test_microversion_refusals_name_the_value(target_state, newest, message):
    with pytest.raises(ValueError) as error:
        evac.choose_microversion(target_state, newest)
    assert str(error.value) == message


def test_version_compares_as_numbers_not_text():
    assert evac.parse_version("2.100") > evac.parse_version("2.95")


@pytest.mark.parametrize("status, target_state, expected", [
    ("ACTIVE", "active", "ACTIVE"),
    ("ERROR", "active", "ACTIVE"),
    ("SHUTOFF", "active", "SHUTOFF"),
    ("ACTIVE", "shutoff", "SHUTOFF"),
    ("ERROR", "shutoff", "ACTIVE"),   # Nova stops only instances that were not in error
])
def test_expected_status(status, target_state, expected):
    assert evac.expected_status(status, target_state) == expected


@pytest.mark.parametrize("svc, fenced", [
    (service("a", state="down"), False),
    (service("a", state="down", forced_down=True), False),
    (service("a", state="up", forced_down=True), False),
    (service("a", state="up"), True),
])
def test_service_down_or_fenced_is_allowed(svc, fenced):
    assert evac.service_refusal("a", svc, fenced) is None


def test_service_up_and_not_fenced_is_refused_saying_what_to_check():
    message = evac.service_refusal("a", service("a"), False)
    assert message.startswith("nova-compute on a still reports up (last heartbeat 2026-12-03T01:00:00.000000)")
    assert "run each one twice" in message
    assert "Nothing was changed" in message
    assert "power it off or cut it off from its storage" in message
    assert "host_fenced=true" in message


@pytest.mark.parametrize("source, target, message", [
    ("x", None, "host x is not a nova-compute host; known hosts: a, b, c, d"),
    ("a", "a", "target_host a is the host being evacuated; name another host or leave target_host out"),
    ("a", "z", "target_host z is not a nova-compute host; known hosts: a, b, c, d"),
    ("a", "c", "target_host c cannot take instances: its nova-compute service is disabled (maintenance)"),
    ("a", "d", "target_host d cannot take instances: its nova-compute service is forced down"),
    ("a", "b", None),
    ("a", None, None),
])
def test_hosts_are_checked(source, target, message):
    services = {"a": service("a", state="down"), "b": service("b"), "c": service("c", "disabled", reason="maintenance"),
                "d": service("d", forced_down=True, state="down")}
    assert evac.check_hosts(source, target, services) == message


def test_no_service_at_all_is_named():
    assert evac.check_hosts("a", None, {}) == "host a is not a nova-compute host; known hosts: none"


def test_candidates_are_enabled_up_other_hosts_or_the_target():
    services = {"a": service("a", state="down"), "b": service("b"), "c": service("c", "disabled"),
                "d": service("d", state="down"), "e": service("e")}
    assert evac.candidate_hosts("a", services) == ["b", "e"]
    assert evac.candidate_hosts("a", services, "e") == ["e"]


@pytest.mark.parametrize("svc, body", [
    (service("a", state="down"), {"status": "disabled", "disabled_reason": "why", "forced_down": True}),
    (service("a", "disabled", reason="earlier"), {"forced_down": True}),   # an operator's reason is kept
    (service("a", forced_down=True), {"status": "disabled", "disabled_reason": "why"}),
    (service("a", "disabled", forced_down=True), {}),
])
def test_service_update_is_only_what_is_missing(svc, body):
    assert evac.service_update(svc, "why") == body


def test_service_after_forced_down_reads_down():
    after = evac.service_after(service("a"), {"forced_down": True})
    assert after["state"] == "down" and after["forced_down"] is True


@pytest.mark.parametrize("reason, message", [
    ("", "disabled_reason is empty; give the reason the service is disabled for"),
    ("  ", "disabled_reason is empty; give the reason the service is disabled for"),
    ("x" * 256, "disabled_reason has 256 characters; Nova keeps at most 255"),
    ("x" * 255, None),
])
def test_reason_is_checked(reason, message):
    assert evac.check_reason(reason) == message


def test_split_says_why_an_instance_cannot_be_evacuated():
    views = [evac.instance_view(s, "a") for s in (
        server("on"), server("off", "SHUTOFF"), server("err", "ERROR"), server("pause", "PAUSED"),
        server("busy", task="rebuilding"))]
    evacuable, leftovers = evac.split_evacuable(views)
    assert [i["name"] for i in evacuable] == ["on", "off", "err"]
    assert [i["reason"] for i in leftovers] == [
        "pause is PAUSED; Nova evacuates only ACTIVE, SHUTOFF, ERROR instances",
        "busy is busy with the task rebuilding (an evacuation already under way?); run again once it has ended"]
    assert evacuable[0]["from"] == "a"


def inventory(ram=8000, reserved=512):
    return {"VCPU": {"total": 8, "allocation_ratio": 4.0, "max_unit": 8},
            "MEMORY_MB": {"total": ram, "reserved": reserved, "max_unit": ram},
            "DISK_GB": {"total": 500, "max_unit": 500}}


def test_capacity_refusal_names_the_shortfall():
    instances = [dict(evac.instance_view(server(n, ram=3072), "a")) for n in ("x", "y", "z")]
    capacities = {"b": api.free_capacity("b", inventory(), {"MEMORY_MB": 5120})}
    plan = api.plan_placement(instances, capacities)
    assert evac.capacity_refusal("a", plan, capacities) == (
        "evacuating a needs more than b have free: 6848 MB of RAM short (in Placement). Free room or add hosts, "
        "then run again. Nothing was changed")
    assert evac.capacity_refusal("a", plan, capacities, "b") == (
        "evacuating a needs more than target_host b has free: 6848 MB of RAM short (in Placement). Free room or "
        "add hosts, or leave target_host out, then run again. Nothing was changed")


def test_capacity_refusal_for_room_split_across_hosts_and_for_no_host():
    instances = [evac.instance_view(server("big", ram=6000), "a")]
    capacities = {"b": api.free_capacity("b", inventory(), {"MEMORY_MB": 4000}),
                  "c": api.free_capacity("c", inventory(), {"MEMORY_MB": 4000})}
    plan = api.plan_placement(instances, capacities)
    assert evac.capacity_refusal("a", plan, capacities) == (
        "evacuating a: b, c have enough free in total, but no single host has room for big (1 VCPU, 6000 MB of "
        "RAM and 10 GB of disk). Free room on one host, then run again. Nothing was changed")
    assert evac.capacity_refusal("a", api.plan_placement(instances, {}), {}).startswith(
        "evacuating a: there is no other enabled nova-compute host that is up")


def test_capacity_that_fits_is_no_refusal():
    instances = [evac.instance_view(server(n), "a") for n in ("x", "y")]
    capacities = {"b": api.free_capacity("b", inventory(), {})}
    assert evac.capacity_refusal("a", api.plan_placement(instances, capacities), capacities) is None


def detail(status, host, task=None, fault=None):
    body = {"status": status, "OS-EXT-SRV-ATTR:host": host, "OS-EXT-STS:task_state": task}
    if fault:
        body["fault"] = {"message": fault}
    return body


@pytest.mark.parametrize("body, expected, outcome", [
    (detail("ACTIVE", "a", "rebuilding"), "ACTIVE", (False, False, "ACTIVE on a (rebuilding)")),
    (detail("REBUILD", "b", "rebuild_spawning"), "ACTIVE", (False, False, "REBUILD on b (rebuild_spawning)")),
    (detail("ACTIVE", "b"), "ACTIVE", (True, False, "ACTIVE on b")),
    (detail("ACTIVE", "a"), "ACTIVE", (False, False, "ACTIVE on a")),          # not moved yet
    (detail("ACTIVE", "b"), "SHUTOFF", (False, False, "ACTIVE on b")),          # not stopped yet
    (detail("SHUTOFF", "b"), "SHUTOFF", (True, False, "SHUTOFF on b")),
    (detail("ERROR", "a", fault="No valid host was found."), "ACTIVE",
     (False, True, "ERROR on a: No valid host was found.")),
])
def test_poll_state(body, expected, outcome):
    assert evac.poll_state(body, "a", expected) == outcome


def test_summary_and_leftover_message():
    records = [
        {"name": "ok", "result": evac.EVACUATED},
        {"name": "bad", "result": evac.FAILED, "message": "ERROR on a: No valid host was found."},
        {"name": "slow", "result": evac.TIMED_OUT, "expected_status": "ACTIVE", "message": "REBUILD on b"},
        {"name": "later", "result": evac.NOT_STARTED},
        {"name": "paused", "result": evac.NOT_EVACUABLE, "message": "paused is PAUSED; Nova evacuates only ..."},
    ]
    assert evac.summarize(records) == {"would_evacuate": 0, "evacuated": 1, "failed": 1, "timed_out": 1,
                                       "not_started": 1, "not_evacuable": 1}
    assert evac.leftover_message("a", records, 60) == (
        "4 instance(s) are not evacuated from a: bad failed (ERROR on a: No valid host was found.); slow did not "
        "reach ACTIVE within 60 s (last seen REBUILD on b); later was not started before the timeout; paused is "
        "PAUSED; Nova evacuates only .... Run again to retry them")
    assert evac.leftover_message("a", records[:1], 60) is None
