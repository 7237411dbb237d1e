# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/nova_compute_api.py: the pure helpers (Placement's capacity
rule, the plan over resource providers, Nova's answers into plain values) and the client against
the fake Nova and Placement of tests/unit/nova_fakes.py."""

from __future__ import annotations

import pytest

from ansible_collections.stackops.openstack.plugins.module_utils import nova_compute_api as api
from ansible_collections.stackops.openstack.tests.unit.nova_fakes import FakeCloud, FakeConnection, Proxy, Response


def inventory(vcpu=8, ram=16384, disk=100, reserved_ram=512, cpu_ratio=4.0, ram_ratio=1.0):
    return {
        "VCPU": {"total": vcpu, "reserved": 0, "allocation_ratio": cpu_ratio, "min_unit": 1, "max_unit": vcpu},
        "MEMORY_MB": {"total": ram, "reserved": reserved_ram, "allocation_ratio": ram_ratio, "min_unit": 1,
                      "max_unit": ram},
        "DISK_GB": {"total": disk, "reserved": 0, "allocation_ratio": 1.0, "min_unit": 1, "max_unit": disk},
    }


def room(ram, vcpu=8, disk=100):
    """One resource provider's free capacity with ram MB free (reserved 0, nothing used)."""
    return api.free_capacity("p", inventory(vcpu=vcpu, ram=ram, disk=disk, reserved_ram=0), {})


def vm(name, vcpu=1, ram=2048, disk=10):
    return {"id": "id-" + name, "name": name, "resources": {"VCPU": vcpu, "MEMORY_MB": ram, "DISK_GB": disk}}


def server(name, vcpus=1, ram=1024, disk=10, ephemeral=0, swap=0, image="img"):
    return {"id": "id-" + name, "name": name, "image": {"id": image} if image else "",
            "flavor": {"vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": ephemeral, "swap": swap}}


# ------------------------------------------------------------------ Placement's capacity rule


def test_free_capacity_is_placements_rule():
    free = api.free_capacity("b", inventory(), {"VCPU": 6, "MEMORY_MB": 4096, "DISK_GB": 30})
    # (8 - 0) * 4.0 - 6, (16384 - 512) * 1.0 - 4096, 100 - 30
    assert {rc: r["free"] for rc, r in free.items()} == {"VCPU": 26.0, "MEMORY_MB": 11776.0, "DISK_GB": 70.0}
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
        api.free_capacity("b", inventories, usages)
    assert str(error.value) == message


@pytest.mark.parametrize("resources, words", [
    ({"VCPU": 2, "MEMORY_MB": 4096, "DISK_GB": 20}, "2 VCPU, 4096 MB of RAM and 20 GB of disk"),
    ({"DISK_GB": 20, "VCPU": 2}, "2 VCPU and 20 GB of disk"),
    ({"MEMORY_MB": 1536.5}, "1536.5 MB of RAM"),
    ({"CUSTOM_GOLD": 1, "PCPU": 2, "VCPU": 1}, "1 VCPU, 1 CUSTOM_GOLD and 2 PCPU"),
    ({}, "nothing"),
])
def test_describe(resources, words):
    assert api.describe(resources) == words


@pytest.mark.parametrize("capacity, words", [
    (room(2048), "32 VCPU, 2048 MB of RAM and 100 GB of disk"),
    ([room(2048)], "32 VCPU, 2048 MB of RAM and 100 GB of disk"),
    ([room(2048), room(1024, vcpu=2)], "2 resource providers, each for itself: 32 VCPU, 2048 MB of RAM and 100 GB "
                                       "of disk; 8 VCPU, 1024 MB of RAM and 100 GB of disk"),
    ([], "nothing (no resource provider in Placement)"),
])
def test_describe_capacity(capacity, words):
    assert api.describe_capacity(capacity) == words


# ------------------------------------------------------------------ the plan, one provider per instance


def placed(plan):
    return sorted((instance["name"], host) for instance, host in plan["placements"])


@pytest.mark.parametrize("providers, instances, expected_placed, expected_unplaced, shortfall", [
    # one instance never lands on the sum of a host's providers: 2 x 2000 MB do not hold 3072 MB
    ([room(2000), room(2000)], [vm("big", ram=3072)], [], ["big"], {}),
    # each instance on one provider: the small second provider still takes one (the biggest alone would not)
    ([room(2048), room(1500)], [vm("x", ram=1024), vm("y", ram=1024), vm("z", ram=1024)],
     [("x", "h"), ("y", "h"), ("z", "h")], [], {}),
    # the last provider is not the host's only room (the first one takes it)
    ([room(4096), room(512)], [vm("x", ram=2048)], [("x", "h")], [], {}),
    # a provider with RAM but no VCPU left cannot take an instance that another provider can
    ([room(8192, vcpu=0), room(2048)], [vm("x", ram=2048)], [("x", "h")], [], {}),
    # the shortfall counts every provider's room: 3000 + 1000 free, 6144 needed
    ([room(3000), room(1000)], [vm("x", ram=3072), vm("y", ram=3072)], [], ["x", "y"], {"MEMORY_MB": 2144}),
    # a host without a resource provider has no room
    ([], [vm("x")], [], ["x"], {"VCPU": 1, "MEMORY_MB": 2048, "DISK_GB": 10}),
])
def test_a_host_with_several_providers_places_each_instance_on_one(
        providers, instances, expected_placed, expected_unplaced, shortfall):
    plan = api.plan_placement(instances, {"h": providers})
    assert placed(plan) == expected_placed
    assert sorted(i["name"] for i in plan["unplaced"]) == expected_unplaced
    assert plan["shortfall"] == shortfall


def test_the_provider_with_most_free_ram_takes_the_instance_across_hosts():
    capacities = {"b": [room(1024), room(3072)], "c": [room(2048)]}
    plan = api.plan_placement([vm("x", ram=1024), vm("y", ram=1024), vm("z", ram=1024)], capacities)
    # x on b's 3072 provider (2048 left); y: b's 2048 and c's 2048 tie, the first host in order wins; z: c
    assert placed(plan) == [("x", "b"), ("y", "b"), ("z", "c")]


def test_max_unit_limits_one_allocation():
    capacity = inventory()
    capacity["VCPU"]["max_unit"] = 4
    plan = api.plan_placement([vm("wide", vcpu=8)], {"b": api.free_capacity("b", capacity, {})})
    assert [i["name"] for i in plan["unplaced"]] == ["wide"] and plan["shortfall"] == {}


def test_boot_from_volume_needs_no_disk_on_the_target():
    capacity = inventory(disk=5)
    plan = api.plan_placement([vm("bfv", disk=0)], {"b": api.free_capacity("b", capacity, {})})
    assert [host for _instance, host in plan["placements"]] == ["b"]


def test_no_host_at_all_is_a_shortfall():
    plan = api.plan_placement([vm("a1")], {})
    assert plan["shortfall"] == {"VCPU": 1, "MEMORY_MB": 2048, "DISK_GB": 10}


def test_bad_instance_resources_name_the_instance():
    with pytest.raises(ValueError, match="a1: resources: VCPU is 'two', expected a number"):
        api.plan_placement([vm("a1", vcpu="two")], {})


# ------------------------------------------------------------------ Nova's answers into plain values


def test_compute_services_leave_other_binaries_out():
    found = api.compute_services([{"host": "a", "binary": "nova-compute"},
                                  {"host": "ctl", "binary": "nova-scheduler"}])
    assert sorted(found) == ["a"]


@pytest.mark.parametrize("host, marker, path", [
    ("c1", None, "/servers/detail?all_tenants=1&host=c1"),
    ("rack 1/c1", "id-9", "/servers/detail?all_tenants=1&host=rack%201/c1&marker=id-9"),
])
def test_servers_path(host, marker, path):
    assert api.servers_path(host, marker) == path


@pytest.mark.parametrize("page, marker", [
    ({"servers": [{"id": "a"}, {"id": "b"}], "servers_links": [{"rel": "next", "href": "..."}]}, "b"),
    ({"servers": [{"id": "a"}, {"id": "b"}]}, None),
    ({"servers": [], "servers_links": [{"rel": "next", "href": "..."}]}, None),
    ({}, None),
])
def test_next_marker_follows_novas_next_link(page, marker):
    assert api.next_marker(page) == marker


def test_providers_by_host_keep_every_node():
    hypervisors = [{"id": "u1", "service": {"host": "a"}}, {"id": "u2", "service": {"host": "b"}},
                   {"id": "u3", "service": {"host": "a"}}, {"id": "u4", "service": None}]
    assert api.providers_by_host(hypervisors) == {"a": ["u1", "u3"], "b": ["u2"]}


@pytest.mark.parametrize("kwargs, resources", [
    ({"vcpus": 2, "ram": 4096, "disk": 20, "ephemeral": 5, "swap": 1536}, {"VCPU": 2, "MEMORY_MB": 4096,
                                                                           "DISK_GB": 27}),  # swap: 2 GB
    ({"disk": 20, "image": None}, {"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 0}),  # boot from volume
    ({"disk": 20, "swap": 1}, {"VCPU": 1, "MEMORY_MB": 1024, "DISK_GB": 21}),
])
def test_flavor_resources_as_novas_scheduler_asks(kwargs, resources):
    assert api.flavor_resources(server("a", **kwargs)) == resources


@pytest.mark.parametrize("flavor, message", [
    ({"id": "small", "links": []}, "server a: no embedded flavor with vcpus, ram and disk (compute microversion 2.47 "
                                   "or newer is needed); got {'id': 'small', 'links': []}"),
    ({"vcpus": "2", "ram": 1, "disk": 1}, "server a: flavor gives VCPU '2', expected a number of at least 0"),
])
def test_bad_flavor_names_the_server(flavor, message):
    with pytest.raises(ValueError) as error:
        api.flavor_resources(dict(server("a"), flavor=flavor))
    assert str(error.value) == message


# ------------------------------------------------------------------ the client against the fake Nova


@pytest.fixture
def cloud():
    return FakeCloud()


def test_servers_follow_every_page(cloud):
    for n in range(5):
        cloud.add_server("vm%d" % n)
    found = api.NovaComputeApi(FakeConnection(cloud)).servers("c3")
    assert [s["name"] for s in found] == ["vm0", "vm1", "vm2", "vm3", "vm4"]
    pages = [r[2] for r in cloud.requests if r[2].startswith("/servers/detail")]
    assert pages == ["/servers/detail?all_tenants=1&host=c3", "/servers/detail?all_tenants=1&host=c3&marker=id-vm1",
                     "/servers/detail?all_tenants=1&host=c3&marker=id-vm3"]


def test_capacities_list_each_provider_of_a_host(cloud):
    cloud.add_node("c1", "c1-b", usages={"MEMORY_MB": 1000}, ram=2000, reserved_ram=0)
    capacities = api.NovaComputeApi(FakeConnection(cloud)).capacities(["c1", "c2"])
    assert [c["MEMORY_MB"]["free"] for c in capacities["c1"]] == [7488.0, 1000.0]
    assert [c["MEMORY_MB"]["free"] for c in capacities["c2"]] == [7488.0]


def test_a_host_without_a_hypervisor_has_no_provider(cloud):
    cloud.nodes["c2"] = []
    assert api.NovaComputeApi(FakeConnection(cloud)).capacities(["c2"]) == {"c2": []}


@pytest.mark.parametrize("allocated, resources", [
    (True, {"VCPU": 2, "MEMORY_MB": 2048, "DISK_GB": 15}),   # Placement's allocation
    (False, {"VCPU": 2, "MEMORY_MB": 2048, "DISK_GB": 16}),  # the flavor's size, swap included
])
def test_instance_resources_from_placement_else_the_flavor(cloud, allocated, resources):
    cloud.add_server("a", vcpus=2, ram=2048, disk=15, swap=512, allocated=allocated)
    client = api.NovaComputeApi(FakeConnection(cloud))
    assert client.instance_resources(cloud.public(cloud.servers["id-a"]), ["rp-c3"]) == resources


def test_an_error_status_names_the_request_without_its_query(cloud, monkeypatch):
    monkeypatch.setattr(FakeCloud, "request", lambda *args: Response(403, {"forbidden": {"message": "Policy forbids it"}}))
    with pytest.raises(api.ApiError) as error:
        api.NovaComputeApi(FakeConnection(cloud)).services()
    assert str(error.value) == "compute API: GET /os-services answered 403: Policy forbids it"
    assert error.value.status == 403 and error.value.cause is None


def test_no_answer_keeps_the_librarys_exception(cloud, monkeypatch):
    class ConnectFailure(Exception):
        pass

    def refuse(*args, **kwargs):
        raise ConnectFailure("Unable to establish connection to http://127.0.0.1:8774")

    monkeypatch.setattr(Proxy, "request", refuse)
    with pytest.raises(api.ApiError) as error:
        api.NovaComputeApi(FakeConnection(cloud)).servers("c1")
    assert str(error.value) == ("compute API: GET /servers/detail?all_tenants=1&host=c1: Unable to establish "
                                "connection to http://127.0.0.1:8774")
    assert error.value.status is None and isinstance(error.value.cause, ConnectFailure)


def test_an_empty_answer_is_an_empty_dict(cloud):
    cloud.add_server("a")
    cloud.stop_compute("c3")
    assert api.NovaComputeApi(FakeConnection(cloud)).compute("POST", "/servers/id-a/action", "2.94",
                                                             {"evacuate": {}}) == {}


def test_max_microversion_and_a_version_document_without_one(cloud):
    client = api.NovaComputeApi(FakeConnection(cloud))
    assert client.max_microversion() == "2.104"
    cloud.max_version = ""
    with pytest.raises(api.ApiError, match="Nova's version document has no microversion"):
        client.max_microversion()


def test_aggregate_hosts(cloud):
    cloud.aggregates.append({"id": 1, "name": "rack2", "hosts": ["c1", "c2"]})
    client = api.NovaComputeApi(FakeConnection(cloud))
    assert client.aggregate_hosts("rack2") == ["c1", "c2"]
    with pytest.raises(api.ApiError, match="no host aggregate named rack9"):
        client.aggregate_hosts("rack9")


def test_update_service_puts_the_body_at_2_53(cloud):
    service = api.NovaComputeApi(FakeConnection(cloud)).update_service("svc-3", {"status": "disabled",
                                                                                 "disabled_reason": "why"})
    assert service["status"] == "disabled" and service["disabled_reason"] == "why"
    assert cloud.writes == [("PUT", "/os-services/svc-3", {"status": "disabled", "disabled_reason": "why"})]
    assert ("compute", "PUT", "/os-services/svc-3", "2.53") in cloud.requests
