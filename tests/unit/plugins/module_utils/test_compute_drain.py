# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.stackops.openstack.plugins.module_utils import compute_drain as drain
from ansible_collections.stackops.openstack.plugins.module_utils import nova_compute_api as api


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
        "b": api.free_capacity("b", inventory(), {}),
        "c": api.free_capacity("c", inventory(), {"MEMORY_MB": 2048}),
    }
    plan = api.plan_placement([vm("a1"), vm("a2"), vm("a3", ram=4096), vm("a4")], capacities)
    assert plan["unplaced"] == [] and plan["shortfall"] == {}
    # largest first, each on the host with the most free RAM
    assert [(i["name"], host) for i, host in plan["placements"]] == [
        ("a3", "b"), ("a1", "c"), ("a2", "b"), ("a4", "c")]
    assert drain.refusal("a", plan, capacities) is None


def test_total_shortfall_is_said_in_words_and_nothing_is_placed_silently():
    capacities = {"b": api.free_capacity("b", inventory(ram=4096, reserved_ram=0), {}),
                  "c": api.free_capacity("c", inventory(ram=4096, reserved_ram=1024), {})}
    plan = api.plan_placement([vm("a1", ram=3072), vm("a2", ram=3072), vm("a3", ram=2048)], capacities)
    assert plan["shortfall"] == {"MEMORY_MB": 1024.0}
    assert [i["name"] for i in plan["unplaced"]] == ["a3"]
    assert drain.refusal("a", plan, capacities) == (
        "draining a needs more than b, c have free: 1024 MB of RAM short. Free room or add hosts, "
        "then run the drain again; nothing was migrated")


def test_fragmented_room_is_told_apart_from_a_shortfall():
    capacities = {"b": api.free_capacity("b", inventory(ram=4096, reserved_ram=0), {}),
                  "c": api.free_capacity("c", inventory(ram=4096, reserved_ram=0), {})}
    plan = api.plan_placement([vm("big", vcpu=2, ram=6144, disk=20)], capacities)
    assert plan["shortfall"] == {}
    assert drain.refusal("a", plan, capacities) == (
        "draining a: b, c have enough free in total, but no single host has room for big (2 VCPU, "
        "6144 MB of RAM and 20 GB of disk). Free room on one host, then run the drain again; nothing was migrated")


def test_a_class_beyond_the_standard_three_counts_in_the_shortfall():
    pinned = vm("pinned", vcpu=0)
    pinned["resources"]["PCPU"] = 4
    capacities = {"b": api.free_capacity("b", dict(inventory(), PCPU={"total": 2}), {})}
    plan = api.plan_placement([pinned], capacities)
    assert plan["shortfall"] == {"PCPU": 2}
    assert drain.refusal("a", plan, capacities) == (
        "draining a needs more than b have free: 2 PCPU short. Free room or add hosts, then run the drain "
        "again; nothing was migrated")


def test_max_unit_limits_one_allocation():
    capacity = inventory(vcpu=16)
    capacity["VCPU"]["max_unit"] = 4
    plan = api.plan_placement([vm("wide", vcpu=8)], {"b": api.free_capacity("b", capacity, {})})
    assert [i["name"] for i in plan["unplaced"]] == ["wide"]


def test_boot_from_volume_needs_no_disk_on_the_target():
    capacity = inventory(disk=0)
    del capacity["DISK_GB"]
    plan = api.plan_placement([vm("bfv", disk=0)], {"b": api.free_capacity("b", capacity, {})})
    assert [host for _instance, host in plan["placements"]] == ["b"]


def test_no_other_host_is_a_shortfall():
    plan = api.plan_placement([vm("a1")], {})
    assert plan["shortfall"] == {"VCPU": 1, "MEMORY_MB": 2048, "DISK_GB": 10}
    assert drain.refusal("a", plan, {}) == (
        "draining a: there is no other enabled nova-compute host to move its instances to; nothing was migrated")


def test_bad_instance_resources_name_the_instance():
    with pytest.raises(ValueError, match=r"a1: resources: VCPU is 'two', expected a number"):
        api.plan_placement([vm("a1", vcpu="two")], {})


@pytest.mark.parametrize("targets, message", [
    (["b", "z"], "target host(s) z are not nova-compute hosts; known hosts: a, b, c"),
    (["a", "b"], "target hosts include a, the host being drained"),
    (["b"], None),
])
def test_targets_are_checked(targets, message):
    assert drain.check_targets("a", targets, {"a", "b", "c"}) == message


def test_unknown_source_is_named():
    assert drain.check_targets("x", [], {"a", "b"}) == "host x is not a nova-compute host; known hosts: a, b"


# ------------------------------------------------------------------ run_migrations: bounded, never retried, always ends


class Clock:
    """time.monotonic and time.sleep for run_migrations: only sleep moves the time."""

    def __init__(self):
        self.now = 100.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class FakeNova:
    """start and poll over migrations that end after `looks` polls: done on host b unless told otherwise."""

    def __init__(self, looks=None, refuse=(), fail=(), never=()):
        self.looks = looks or {}           # name: polls until it ends (default 2)
        self.refuse, self.fail, self.never = set(refuse), set(fail), set(never)
        self.started, self.polls = [], []
        self.moving = set()
        self.peak = 0

    def start(self, job):
        self.started.append(job["name"])
        if job["name"] in self.refuse:
            raise drain.MigrationRefused("No valid host was found. There are not enough hosts available.")
        self.moving.add(job["name"])
        self.peak = max(self.peak, len(self.moving))

    def poll(self, job):
        assert job["name"] in self.moving, "%s polled while not migrating" % job["name"]
        self.polls.append(job["name"])
        if job["name"] in self.never or self.polls.count(job["name"]) < self.looks.get(job["name"], 2):
            return "running", "migration running"
        self.moving.discard(job["name"])
        if job["name"] in self.fail:
            return "failed", "the migration record says error (instance status ACTIVE, on a)"
        return "done", job["to"] or "b"


def jobs(*names, to=None):
    return [{"id": "id-" + n, "name": n, "from": "a", "to": to} for n in names]


def migrate(nova, todo, max_in_flight=2, timeout=60, clock=None, said=None):
    clock = clock or Clock()
    return drain.run_migrations(todo, nova.start, nova.poll, max_in_flight, timeout, clock, clock.sleep,
                                None if said is None else said.append)


@pytest.mark.parametrize("max_in_flight, count, peak", [(1, 5, 1), (2, 5, 2), (3, 5, 3), (5, 5, 5), (8, 3, 3)])
def test_never_more_than_max_in_flight_and_all_of_it_when_there_is_work(max_in_flight, count, peak):
    nova = FakeNova(looks={"v1": 3, "v2": 1, "v4": 4})
    results, most = migrate(nova, jobs(*["v%d" % n for n in range(1, count + 1)]), max_in_flight=max_in_flight)
    assert nova.peak == peak and most == peak
    assert [r["result"] for r in results] == ["migrated"] * count
    assert all(r["to"] == "b" and r["message"] == "" for r in results)
    assert sorted(nova.started) == sorted(set(nova.started))  # each started once


def test_results_come_in_the_order_of_jobs_not_of_endings():
    nova = FakeNova(looks={"slow": 5, "quick": 1})
    clock = Clock()
    results, _most = migrate(nova, jobs("slow", "quick", "third"), clock=clock)
    assert [r["name"] for r in results] == ["slow", "quick", "third"]
    # quick ended after 1 s, third started then and took 2 s, slow took 5 s
    assert [r["seconds"] for r in results] == [5.0, 1.0, 2.0]
    assert results[0] == {"id": "id-slow", "name": "slow", "from": "a", "to": "b", "seconds": 5.0,
                          "result": "migrated", "message": ""}
    assert clock.now == 105.0


def test_a_planned_destination_is_kept_in_the_result():
    results, _most = migrate(FakeNova(), jobs("v1", to="c"))
    assert results[0]["to"] == "c" and results[0]["result"] == "migrated"


def test_a_refused_start_is_a_result_and_the_next_job_starts():
    nova = FakeNova(refuse={"v1"})
    results, most = migrate(nova, jobs("v1", "v2", "v3"), max_in_flight=1)
    assert nova.started == ["v1", "v2", "v3"]
    assert results[0] == {"id": "id-v1", "name": "v1", "from": "a", "to": None, "seconds": 0.0, "result": "refused",
                          "message": "No valid host was found. There are not enough hosts available."}
    assert [r["result"] for r in results[1:]] == ["migrated", "migrated"]
    assert most == 1


def test_only_refusals_end_without_waiting():
    clock = Clock()
    nova = FakeNova(refuse={"v1", "v2"})
    results, most = migrate(nova, jobs("v1", "v2"), clock=clock)
    assert [r["result"] for r in results] == ["refused", "refused"]
    assert most == 0 and clock.sleeps == [] and nova.polls == []


def test_a_failed_migration_is_reported_and_not_retried():
    nova = FakeNova(fail={"v2"})
    results, _most = migrate(nova, jobs("v1", "v2", "v3"))
    assert nova.started == ["v1", "v2", "v3"]
    assert nova.polls.count("v2") == 2  # not polled again once failed
    assert results[1]["result"] == "failed" and results[1]["to"] is None and results[1]["seconds"] == 2.0
    assert results[1]["message"] == "the migration record says error (instance status ACTIVE, on a)"
    assert [results[0]["result"], results[2]["result"]] == ["migrated", "migrated"]


def test_the_timeout_ends_the_run_with_timed_out_and_not_started():
    clock = Clock()
    nova = FakeNova(never={"v1", "v2", "v3", "v4"})
    results, most = migrate(nova, jobs("v1", "v2", "v3", "v4"), max_in_flight=2, timeout=5, clock=clock)
    assert [r["result"] for r in results] == ["timed_out", "timed_out", "not_started", "not_started"]
    assert [r["seconds"] for r in results] == [5.0, 5.0, 0.0, 0.0]
    assert results[0]["message"] == ("still migrating after the 5s timeout; check it with "
                                     "`openstack server migration list --server id-v1`")
    assert results[2]["message"] == "not started: the 5s timeout ran out first"
    assert nova.started == ["v1", "v2"] and most == 2
    assert clock.now == 105.0 and clock.sleeps == [1.0] * 5


def test_a_job_that_ends_before_the_timeout_is_counted_and_the_rest_time_out():
    clock = Clock()
    nova = FakeNova(looks={"v1": 2}, never={"v2", "v3"})
    results, _most = migrate(nova, jobs("v1", "v2", "v3", "v4"), max_in_flight=2, timeout=4, clock=clock)
    assert [r["result"] for r in results] == ["migrated", "timed_out", "timed_out", "not_started"]
    # v3 took v1's place after 2 s
    assert [r["seconds"] for r in results] == [2.0, 4.0, 2.0, 0.0]


def test_a_poll_that_never_ends_still_lets_the_run_end():
    clock = Clock()
    nova = FakeNova(never={"v1"})
    results, _most = migrate(nova, jobs("v1"), timeout=30, clock=clock)
    assert results[0]["result"] == "timed_out"
    assert len(clock.sleeps) == 30 and len(nova.polls) == 30


def test_the_poll_interval_is_slept_between_looks():
    clock = Clock()
    nova = FakeNova(looks={"v1": 1})
    drain.run_migrations(jobs("v1"), nova.start, nova.poll, 1, 60, clock, clock.sleep, poll_interval=2.5)
    assert clock.sleeps == [2.5]


def test_no_jobs_is_no_work():
    clock = Clock()
    assert drain.run_migrations([], None, None, 2, 60, clock, clock.sleep) == ([], 0)
    assert clock.sleeps == []


@pytest.mark.parametrize("max_in_flight", [0, -1])
def test_max_in_flight_below_one_is_refused_by_name(max_in_flight):
    nova = FakeNova()
    with pytest.raises(ValueError) as error:
        migrate(nova, jobs("v1"), max_in_flight=max_in_flight)
    assert str(error.value) == "max_in_flight is %d, expected at least 1" % max_in_flight
    assert nova.started == []


def test_say_hears_every_start_and_end():
    said = []
    nova = FakeNova(refuse={"r"}, fail={"f"}, looks={"ok": 1, "f": 2})
    todo = jobs("ok", "r") + jobs("f", to="c")
    migrate(nova, todo, max_in_flight=2, said=said)
    assert said == [
        "ok: live migration from a to a host the scheduler picks started (1 in flight)",
        "r: Nova refused to migrate it: No valid host was found. There are not enough hosts available.",
        "f: live migration from a to c started (2 in flight)",
        "ok: on b after 1.0s",
        "f: migration failed: the migration record says error (instance status ACTIVE, on a)",
    ]


def test_say_is_optional():
    results, _most = migrate(FakeNova(refuse={"r"}), jobs("r", "ok"))
    assert [r["result"] for r in results] == ["refused", "migrated"]


# ------------------------------------------------------------------ migration_state: one look at one instance

SERVER_MOVED = {"host": "b", "status": "ACTIVE", "task_state": None}
SERVER_MIGRATING = {"host": "a", "status": "ACTIVE", "task_state": "migrating"}
SERVER_STILL_ON_SOURCE = {"host": "a", "status": "ACTIVE", "task_state": None}


@pytest.mark.parametrize("records, server, expected", [
    # the failed attempt from before this drain (id 7) is not this migration
    ([{"id": 7, "status": "failed"}], SERVER_MOVED, ("running", "no migration record yet")),
    ([], {"host": "a", "status": "ACTIVE", "task_state": "migrating"}, ("running", "no migration record yet")),
    ([{"id": 7, "status": "failed"}, {"id": 9, "status": "running"}], SERVER_MIGRATING,
     ("running", "migration running")),
    ([{"id": 9, "status": "queued"}], {"host": "a"}, ("running", "migration queued")),
    ([{"id": 9, "status": "completed"}], {"host": "a", "status": "ACTIVE", "task_state": None},
     ("failed", "the migration record says completed, but the instance is still on a")),
    ([{"id": 9, "status": "completed"}], {"host": "b", "status": "ACTIVE", "task_state": "migrating"},
     ("running", "completed, instance still busy with migrating")),
    ([{"id": 9, "status": "completed"}], SERVER_MOVED, ("done", "b")),
    # the newest new record counts, whatever order Nova lists them in
    ([{"id": 11, "status": "completed"}, {"id": 9, "status": "error"}], SERVER_MOVED, ("done", "b")),
    ([{"id": 7, "status": "completed"}, {"id": 9, "status": "error"}], SERVER_STILL_ON_SOURCE,
     ("failed", "the migration record says error (instance status ACTIVE, on a)")),
])
def test_migration_state(records, server, expected):
    assert drain.migration_state(records, {7}, "a", server) == expected


@pytest.mark.parametrize("status", ["failed", "error", "cancelled"])
def test_a_failed_record_fails_naming_its_status(status):
    state, reason = drain.migration_state([{"id": 9, "status": status}], set(), "a",
                                          {"host": "a", "status": "ACTIVE", "task_state": None})
    assert state == "failed"
    assert reason == "the migration record says %s (instance status ACTIVE, on a)" % status


def test_an_older_completed_record_does_not_count_as_moved():
    # an earlier drain moved the instance here and back: its completed record is not this migration
    assert drain.migration_state([{"id": 3, "status": "completed"}], {3}, "a", SERVER_MOVED) == (
        "running", "no migration record yet")


def test_migration_refused_is_an_exception_with_nova_words():
    error = drain.MigrationRefused("No valid host was found.")
    assert isinstance(error, Exception) and str(error) == "No valid host was found."
