# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import copy

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.stackops.openstack.plugins.filter.packstack_inventory_problems import (
    FilterModule, inventory_problems)

KNOWN = ["packstack_neutron_l2_agent", "packstack_node_address", "packstack_passwords"]


def cloud(**changes):
    """A valid three-host Debian cloud; changes replace top-level or config keys (config.x=...)."""
    base = {
        "groups": {"controller": "packstack_controller", "network": "packstack_network",
                   "compute": "packstack_compute", "storage": "packstack_storage"},
        "members": {"controller": ["ctl"], "network": ["net"], "compute": ["cmp1", "cmp2"], "storage": []},
        "hosts": {
            "ctl": {"address": "192.0.2.10", "os_family": "Debian", "distribution": "Debian", "variables": []},
            "net": {"address": "192.0.2.11", "os_family": "Debian", "distribution": "Debian", "variables": []},
            "cmp1": {"address": "192.0.2.12", "os_family": "Debian", "distribution": "Debian",
                     "variables": ["packstack_node_address"]},
            "cmp2": {"address": "192.0.2.13", "os_family": "Debian", "distribution": "Debian", "variables": []},
        },
        "play_hosts": ["ctl", "net", "cmp1", "cmp2"],
        "known_variables": KNOWN,
        "derived_keys": {"CONFIG_NEUTRON_L2_AGENT": "packstack_neutron_l2_agent"},
        "config": {
            "neutron_l2_agent": "linuxbridge", "external_bridge": "br-ex", "external_interface": "eth1",
            "external_physnet": "extnet",
            "external_network": {"name": "public", "cidr": "203.0.113.0/24", "gateway": "203.0.113.1",
                                 "pool_start": "203.0.113.100", "pool_end": "203.0.113.200"},
            "router": {"name": "router1"},
            "settings": {"CONFIG_NTP_SERVERS": "0.pool.ntp.org"},
            "passwords": {"CONFIG_KEYSTONE_ADMIN_PW": "s3cret-admin"},
            "allow_unknown": False, "rdo_release_rpm": "",
        },
    }
    result = copy.deepcopy(base)
    for key, value in changes.items():
        if key.startswith("config_"):
            result["config"][key[len("config_"):]] = value
        else:
            result[key] = value
    return result


def redhat(data, distribution="CentOS"):
    for facts in data["hosts"].values():
        facts.update(os_family="RedHat", distribution=distribution)
    return data


def test_a_valid_cloud_has_no_problem():
    assert inventory_problems(cloud()) == []


def test_the_filter_is_registered():
    assert FilterModule().filters()["packstack_inventory_problems"] is inventory_problems


def test_not_a_dict_is_an_error():
    with pytest.raises(AnsibleFilterError, match="expects a dict, got list"):
        inventory_problems([])


@pytest.mark.parametrize("controllers, words", [
    ([], "group packstack_controller (packstack_controller_group) has no host, expected exactly one controller"),
    (["ctl", "net"], "has 2 hosts (ctl, net), expected exactly one controller"),
])
def test_exactly_one_controller(controllers, words):
    data = cloud()
    data["members"]["controller"] = controllers
    assert [p for p in inventory_problems(data) if "controller" in p and words in p]


@pytest.mark.parametrize("role", ["network", "compute"])
def test_network_and_compute_need_a_host(role):
    data = cloud()
    data["members"][role] = []
    assert ("group packstack_%s (packstack_%s_group) has no host, expected at least one %s node" % (role, role, role)
            in inventory_problems(data))


def test_at_most_one_storage_node():
    data = cloud()
    data["members"]["storage"] = ["st1", "st2"]
    data["hosts"].update(st1={"address": "192.0.2.20", "os_family": "Debian"},
                         st2={"address": "192.0.2.21", "os_family": "Debian"})
    data["play_hosts"] += ["st1", "st2"]
    assert inventory_problems(data) == [
        "group packstack_storage (packstack_storage_group) has 2 hosts (st1, st2), expected at most one storage node"]


@pytest.mark.parametrize("other", ["controller", "network", "compute"])
def test_storage_excludes_every_other_group(other):
    data = cloud()
    host = data["members"][other][0]
    data["members"]["storage"] = [host]
    problems = inventory_problems(data)
    assert problems == ["%s is in both packstack_storage and packstack_%s, which exclude each other: the storage node "
                        "is a separate host (leave packstack_storage empty to keep storage on the controller)"
                        % (host, other)]


def test_controller_network_and_compute_may_share_a_host():
    data = cloud()
    data["members"].update(network=["ctl"], compute=["ctl"])
    assert inventory_problems(data) == []


def test_group_names_come_from_the_variables():
    data = cloud()
    data["groups"]["controller"] = "ctl_group"
    data["members"]["controller"] = []
    assert "group ctl_group (packstack_controller_group) has no host" in inventory_problems(data)[0]


def test_linuxbridge_is_refused_on_the_packstack_path():
    problems = inventory_problems(redhat(cloud()))
    assert problems == ["packstack_neutron_l2_agent is 'linuxbridge', but ctl, net, cmp1, cmp2 are RedHat family "
                        "(packstack 26 path), which supports only ovn or openvswitch"]


@pytest.mark.parametrize("agent", ["ovn", "openvswitch"])
def test_ovs_agents_pass_on_the_packstack_path(agent):
    assert inventory_problems(redhat(cloud(config_neutron_l2_agent=agent))) == []


def test_rhel_needs_the_rdo_release_rpm():
    data = redhat(cloud(config_neutron_l2_agent="ovn"), distribution="RedHat")
    assert inventory_problems(data) == [
        "ctl, net, cmp1, cmp2 are RedHat Enterprise Linux (not CentOS Stream, which has centos-release-openstack-*): set "
        "packstack_rdo_release_rpm to the URL of the rdo-release RPM of packstack_release, expected a URL"]
    data["config"]["rdo_release_rpm"] = "https://example.invalid/rdo-release.rpm"
    assert inventory_problems(data) == []


def test_mixed_and_unknown_os_families():
    data = cloud(config_neutron_l2_agent="ovn")
    data["hosts"]["cmp2"].update(os_family="RedHat", distribution="CentOS")
    data["hosts"]["net"]["os_family"] = "Suse"
    problems = inventory_problems(data)
    assert "net is of OS family 'Suse', expected RedHat (packstack) or Debian (native packages)" in problems
    assert ("the cloud mixes OS families (Debian: ctl, cmp1; RedHat: cmp2), expected one: packstack installs "
            "RedHat-family hosts, the Debian path Debian-family hosts") in problems


def test_hosts_outside_the_play_and_addresses():
    data = cloud()
    data["play_hosts"].remove("cmp2")
    data["hosts"]["net"]["address"] = ""
    data["hosts"]["cmp1"]["address"] = "127.0.0.1"
    problems = inventory_problems(data)
    assert problems[0].startswith("cmp2 of the cloud's groups did not run this role in this play")
    assert any(p.startswith("net has no node address: set packstack_node_address") for p in problems)
    assert any("cmp1 has the node address 127.0.0.1, expected an address the other nodes reach" in p for p in problems)


def test_duplicate_addresses():
    data = cloud()
    data["hosts"]["cmp2"]["address"] = "192.0.2.12"
    assert inventory_problems(data) == ["cmp1 and cmp2 have the same node address 192.0.2.12, expected one address per "
                                        "host"]


def test_host_names_are_accepted_as_addresses():
    data = cloud()
    data["hosts"]["cmp2"]["address"] = "cmp2.example.com"
    assert inventory_problems(data) == []


@pytest.mark.parametrize("network, words", [
    ("203.0.113.0/24", "packstack_external_network is '203.0.113.0/24', expected a dict with name, cidr"),
    ({"cidr": "203.0.113.0/24", "gateway": "203.0.113.1", "pool_start": "203.0.113.100",
      "pool_end": "203.0.113.200", "dhcp": True},
     "packstack_external_network has the unknown key 'dhcp', expected some of name, cidr, gateway"),
    ({"cidr": "203.0.113.0/24", "gateway": "203.0.113.1", "pool_start": "203.0.113.100"},
     "packstack_external_network lacks pool_end, expected the last floating address"),
    ({"cidr": "203.0.113.1/24", "gateway": "203.0.113.1", "pool_start": "203.0.113.100", "pool_end": "203.0.113.200"},
     "packstack_external_network.cidr is '203.0.113.1/24', expected a network such as 203.0.113.0/24"),
    ({"cidr": "203.0.113.0/24", "gateway": "198.51.100.1", "pool_start": "203.0.113.100", "pool_end": "203.0.113.200"},
     "packstack_external_network.gateway 198.51.100.1 is not in cidr 203.0.113.0/24"),
    ({"cidr": "203.0.113.0/24", "gateway": "203.0.113.1", "pool_start": "203.0.113.200", "pool_end": "203.0.113.100"},
     "packstack_external_network.pool_start 203.0.113.200 comes after pool_end 203.0.113.100, expected start <= end"),
    ({"cidr": "203.0.113.0/24", "gateway": "203.0.113.150", "pool_start": "203.0.113.100", "pool_end": "203.0.113.200"},
     "packstack_external_network.gateway 203.0.113.150 is inside the pool 203.0.113.100-203.0.113.200"),
    ({"cidr": "203.0.113.0/24", "gateway": "gw", "pool_start": "203.0.113.100", "pool_end": "203.0.113.255"},
     "packstack_external_network.gateway is 'gw', expected an IP address"),
    ({"cidr": "203.0.113.0/24", "gateway": "203.0.113.1", "pool_start": "203.0.113.100", "pool_end": "203.0.113.255"},
     "packstack_external_network.pool_end 203.0.113.255 is the network or broadcast address of 203.0.113.0/24"),
    ({"name": "pub net", "cidr": "203.0.113.0/24", "gateway": "203.0.113.1", "pool_start": "203.0.113.100",
      "pool_end": "203.0.113.200"}, "packstack_external_network.name is 'pub net', expected a name"),
    ({"cidr": "203.0.113.0/24", "gateway": "203.0.113.1", "pool_start": "203.0.113.100", "pool_end": "203.0.113.200",
      "dns_nameservers": "8.8.8.8"}, "packstack_external_network.dns_nameservers is '8.8.8.8', expected a list"),
])
def test_bad_external_networks(network, words):
    problems = inventory_problems(cloud(config_external_network=network))
    assert [p for p in problems if words in p], problems


def test_no_external_network_and_no_router():
    assert inventory_problems(cloud(config_external_network={}, config_router={})) == []


@pytest.mark.parametrize("router, words", [
    ({"name": "r1", "ha": True}, "packstack_router has the unknown key 'ha', expected some of name, enable_snat"),
    ({}, None),
    ({"enable_snat": True}, "packstack_router.name is None, expected a name"),
    ({"name": "r1", "enable_snat": "yes"}, "packstack_router.enable_snat is 'yes', expected true or false"),
    (["r1"], "packstack_router is ['r1'], expected a dict"),
])
def test_bad_routers(router, words):
    problems = inventory_problems(cloud(config_router=router))
    assert (problems == []) if words is None else [p for p in problems if words in p], problems


def test_a_router_needs_the_external_network():
    assert inventory_problems(cloud(config_external_network={})) == [
        "packstack_router is set but packstack_external_network is not, expected the external network the router's "
        "gateway is on"]


@pytest.mark.parametrize("key, value, words", [
    ("external_bridge", "br-external-network", "packstack_external_bridge is 'br-external-network', expected an "
                                               "interface name of at most 15"),
    ("external_interface", "eth1:0", "packstack_external_interface is 'eth1:0', expected an interface name"),
    ("external_interface", "br-ex", "packstack_external_interface is the bridge itself ('br-ex')"),
    ("external_physnet", "ext net", "packstack_external_physnet is 'ext net', expected a physical network name"),
])
def test_bad_bridge_variables(key, value, words):
    problems = inventory_problems(cloud(**{"config_" + key: value}))
    assert [p for p in problems if words in p], problems


def test_an_empty_password_names_the_key_not_a_value():
    problems = inventory_problems(cloud(config_passwords={"CONFIG_KEYSTONE_ADMIN_PW": "s3cret-admin",
                                                          "CONFIG_NOVA_DB_PW": ""}))
    assert problems == ["packstack_passwords.CONFIG_NOVA_DB_PW is empty, expected a password (packstack refuses an "
                        "empty one; leave the key out to keep or generate it)"]
    assert "s3cret" not in " ".join(problems)


def test_unknown_and_misplaced_answer_keys():
    problems = inventory_problems(cloud(config_settings={"CONFIG_NOVA_INSTAL": True, "CONFIG_MARIADB_PW": "x"},
                                        config_passwords={"CONFIG_KEYSTONE_ADMIN_PWD": "s3cret-admin"}))
    assert any(p.startswith("packstack_settings has the key CONFIG_NOVA_INSTAL, which packstack") for p in problems)
    assert any(p.startswith("packstack_settings has CONFIG_MARIADB_PW, a secret; give it in passwords") for p in problems)
    assert any(p.startswith("packstack_passwords has the key CONFIG_KEYSTONE_ADMIN_PWD") for p in problems)
    assert "s3cret" not in " ".join(problems)
    assert inventory_problems(cloud(config_settings={"CONFIG_NOVA_INSTAL": "y"}, config_allow_unknown=True)) == []


def test_derived_keys_name_the_variable_to_use():
    assert inventory_problems(cloud(config_settings={"CONFIG_NEUTRON_L2_AGENT": "ovn"})) == [
        "packstack_settings has CONFIG_NEUTRON_L2_AGENT, which the role sets from packstack_neutron_l2_agent, expected "
        "that variable instead"]


def test_settings_and_passwords_must_be_dicts():
    problems = inventory_problems(cloud(config_settings=["CONFIG_X"], config_passwords="secret"))
    assert any(p.startswith("packstack_settings is ['CONFIG_X'], expected a dict") for p in problems)
    assert "packstack_passwords is not a dict, expected a dict of packstack password keys" in problems
    assert "'secret'" not in " ".join(problems)


def test_unknown_role_variables_are_reported_per_host():
    data = cloud()
    data["hosts"]["net"]["variables"] = ["packstack_extrenal_bridge", "packstack_neutron_l2_agent"]
    assert inventory_problems(data) == [
        "net has the variable packstack_extrenal_bridge, which the packstack role does not know (a typo?), expected "
        "one of its variables (ansible-doc -t role stackops.openstack.packstack)"]


def test_unknown_variables_of_several_hosts_are_reported_once():
    data = cloud()
    for name in ("ctl", "net", "cmp1", "cmp2"):
        data["hosts"][name]["variables"] = ["packstack_l2_agent", "packstack_swfit"]
    assert inventory_problems(data) == [
        "ctl, net, cmp1, cmp2 have the variables packstack_l2_agent, packstack_swfit, which the packstack role does not "
        "know (a typo?), expected one of its variables (ansible-doc -t role stackops.openstack.packstack)"]
