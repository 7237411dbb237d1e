# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.stackops.openstack.plugins.module_utils import compute_drain as drain


def inventory(vcpu=8, ram=16384, disk=100, reserved_ram=512, cpu_ratio=4.0, ram_ratio=1.0):
    return {
        "VCPU": {"total": vcpu, "reserved": 0, "allocation_ratio": cpu_ratio, "min_unit": 1, "max_unit": vcpu},
        "MEMORY_MB": {"total": ram, "reserved": reserved_ram, "allocation_ratio": ram_ratio, "min_unit": 1,
                      "max_unit": ram},
        "DISK_GB": {"total": disk, "reserved": 0, "allocation_ratio": 1.0, "min_unit": 1, "max_unit": disk},
    }


def vm(name, vcpu=1, ram=2048, disk=10, status="ACTIVE", task_state=None):
    return {"id": "id-" + name, "name": name, "status": status, "task_state": task_state,
            "resources": {"VCPU": vcpu, "MEMORY_MB": ram, "DISK_GB": disk}}


def test_free_capacity_is_placements_rule():
    free = drain.free_capacity("b", inventory(), {"VCPU": 6, "MEMORY_MB": 4096, "DISK_GB": 30})
    # (8 - 0) * 4.0 - 6, (16384 - 512) * 1.0 - 4096, 100 - 30
    assert {rc: room["free"] for rc, room in free.items()} == {"VCPU": 26.0, "MEMORY_MB": 11776.0, "DISK_GB": 70.0}
    assert free["MEMORY_MB"]["max_unit"] == 16384


@pytest.mark.parametrize("inventories, usages, message", [
    ({"VCPU": {"total": "8"}}, {}, "b: inventory of VCPU: total is '8', expected a number"),
    ({"VCPU": {"total": 8, "reserved": -1}}, {}, "b: inventory of VCPU: reserved is -1, expected at least 0"),
    ({"VCPU": {"total": True}}, {}, "b: inventory of VCPU: total is True, expected a number"),
    ({"VCPU": 8}, {}, "b: inventory of VCPU is 8, expected a dict"),
    ({"VCPU": {"total": 8}}, {"VCPU": None}, "b: usage: VCPU is None, expected a number"),
    ([], {}, "b: the inventories and usages must be dicts of resource classes"),
])
def test_bad_placement_data_names_host_and_field(inventories, usages, message):
    with pytest.raises(ValueError) as error:
        drain.free_capacity("b", inventories, usages)
    assert str(error.value) == message


def test_split_lists_what_cannot_move_with_the_reason():
    movable, leftovers = drain.split_instances([
        vm("a"), vm("p", status="PAUSED"), vm("s", status="SHUTOFF"), vm("r", task_state="resize_migrating")])
    assert [i["name"] for i in movable] == ["a", "p"]
    assert [i["reason"] for i in leftovers] == [
        "s is SHUTOFF; only ACTIVE or PAUSED instances can be live-migrated",
        "r is busy with the task resize_migrating"]


def test_split_refuses_an_instance_without_id():
    with pytest.raises(ValueError, match=r"instance 1 is \{'name': 'x'\}, expected a dict with an id"):
        drain.split_instances([vm("a"), {"name": "x"}])


def test_four_instances_fit_on_two_hosts_spread_by_free_ram():
    capacities = {
        "b": drain.free_capacity("b", inventory(), {}),
        "c": drain.free_capacity("c", inventory(), {"MEMORY_MB": 2048}),
    }
    plan = drain.plan_placement([vm("a1"), vm("a2"), vm("a3", ram=4096), vm("a4")], capacities)
    assert plan["unplaced"] == [] and plan["shortfall"] == {}
    # largest first, each on the host with the most free RAM
    assert [(i["name"], host) for i, host in plan["placements"]] == [
        ("a3", "b"), ("a1", "c"), ("a2", "b"), ("a4", "c")]
    assert drain.refusal("a", plan, capacities) is None


def test_total_shortfall_is_said_in_words_and_nothing_is_placed_silently():
    capacities = {"b": drain.free_capacity("b", inventory(ram=4096, reserved_ram=0), {}),
                  "c": drain.free_capacity("c", inventory(ram=4096, reserved_ram=1024), {})}
    plan = drain.plan_placement([vm("a1", ram=3072), vm("a2", ram=3072), vm("a3", ram=2048)], capacities)
    assert plan["shortfall"] == {"MEMORY_MB": 1024.0}
    assert [i["name"] for i in plan["unplaced"]] == ["a3"]
    assert drain.refusal("a", plan, capacities) == (
        "draining a needs more than b, c have free: 1024 MB of RAM short. Free room or add hosts, "
        "then run the drain again; nothing was migrated")


def test_fragmented_room_is_told_apart_from_a_shortfall():
    capacities = {"b": drain.free_capacity("b", inventory(ram=4096, reserved_ram=0), {}),
                  "c": drain.free_capacity("c", inventory(ram=4096, reserved_ram=0), {})}
    plan = drain.plan_placement([vm("big", vcpu=2, ram=6144, disk=20)], capacities)
    assert plan["shortfall"] == {}
    assert drain.refusal("a", plan, capacities) == (
        "draining a: b, c have enough free in total, but no single host has room for big (2 VCPU, "
        "6144 MB of RAM and 20 GB of disk). Free room on one host, then run the drain again; nothing was migrated")


def test_a_class_beyond_the_standard_three_counts_in_the_shortfall():
    pinned = vm("pinned", vcpu=0)
    pinned["resources"]["PCPU"] = 4
    capacities = {"b": drain.free_capacity("b", dict(inventory(), PCPU={"total": 2}), {})}
    plan = drain.plan_placement([pinned], capacities)
    assert plan["shortfall"] == {"PCPU": 2}
    assert drain.refusal("a", plan, capacities) == (
        "draining a needs more than b have free: 2 PCPU short. Free room or add hosts, then run the drain "
        "again; nothing was migrated")


def test_max_unit_limits_one_allocation():
    capacity = inventory(vcpu=16)
    capacity["VCPU"]["max_unit"] = 4
    plan = drain.plan_placement([vm("wide", vcpu=8)], {"b": drain.free_capacity("b", capacity, {})})
    assert [i["name"] for i in plan["unplaced"]] == ["wide"]


def test_boot_from_volume_needs_no_disk_on_the_target():
    capacity = inventory(disk=0)
    del capacity["DISK_GB"]
    plan = drain.plan_placement([vm("bfv", disk=0)], {"b": drain.free_capacity("b", capacity, {})})
    assert [host for _instance, host in plan["placements"]] == ["b"]


def test_no_other_host_is_a_shortfall():
    plan = drain.plan_placement([vm("a1")], {})
    assert plan["shortfall"] == {"VCPU": 1, "MEMORY_MB": 2048, "DISK_GB": 10}
    assert drain.refusal("a", plan, {}) == (
        "draining a: there is no other enabled nova-compute host to move its instances to; nothing was migrated")


def test_bad_instance_resources_name_the_instance():
    with pytest.raises(ValueError, match=r"a1: resources: VCPU is 'two', expected a number"):
        drain.plan_placement([vm("a1", vcpu="two")], {})


@pytest.mark.parametrize("targets, message", [
    (["b", "z"], "target host(s) z are not nova-compute hosts; known hosts: a, b, c"),
    (["a", "b"], "target hosts include a, the host being drained"),
    (["b"], None),
])
def test_targets_are_checked(targets, message):
    assert drain.check_targets("a", targets, {"a", "b", "c"}) == message


def test_unknown_source_is_named():
    assert drain.check_targets("x", [], {"a", "b"}) == "host x is not a nova-compute host; known hosts: a, b"
