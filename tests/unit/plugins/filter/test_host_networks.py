# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/filter/host_networks.py on facts shaped as ansible.builtin.setup gathers them."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.stackops.openstack.plugins.filter.host_networks import FilterModule, host_networks

# trimmed from a podman container's and a host's `setup` output
FACTS = {
    "interfaces": ["lo", "eth0", "br-lan", "eth1"],
    "default_ipv4": {"address": "10.89.0.5", "interface": "eth0"},
    "lo": {"device": "lo", "active": True, "ipv4": {"address": "127.0.0.1", "netmask": "255.0.0.0", "prefix": "8"},
           "ipv6": [{"address": "::1", "prefix": "128", "scope": "host"}]},
    "eth0": {"device": "eth0", "active": True,
             "ipv4": {"address": "10.89.0.5", "broadcast": "10.89.0.255", "netmask": "255.255.255.0",
                      "network": "10.89.0.0", "prefix": "24"},
             "ipv4_secondaries": [{"address": "192.0.2.12", "netmask": "255.255.255.255", "prefix": "32"}],
             "ipv6": [{"address": "fe80::1c2e:3ff:fe4d:5e6f", "prefix": "64", "scope": "link"},
                      {"address": "fd00:89::5", "prefix": "64", "scope": "global"}]},
    "br_lan": {"device": "br-lan", "active": True,
               "ipv4": {"address": "172.16.0.1", "netmask": "255.255.0.0", "prefix": "16"}},
    "eth1": {"device": "eth1", "active": False},
    "all_ipv4_addresses": ["10.89.0.5", "192.0.2.12", "172.16.0.1"],
    "hostname": "db1",
}


def test_every_interface_address_with_its_prefix():
    assert host_networks(FACTS) == ["10.89.0.5/24", "172.16.0.1/16", "192.0.2.12/32", "fd00:89::5/64"]


def test_netmask_when_prefix_is_missing():
    facts = {"eth0": {"device": "eth0", "ipv4": {"address": "10.0.0.5", "netmask": "255.255.254.0"}}}
    assert host_networks(facts) == ["10.0.0.5/23"]


def test_no_interfaces_no_networks():
    assert host_networks({"hostname": "x"}) == []


def test_broken_entries_are_skipped():
    facts = {"eth0": {"device": "eth0", "ipv4": {"address": "not-an-ip", "prefix": "24"},
                      "ipv6": [{"address": "fd00::1"}]}}
    assert host_networks(facts) == []


def test_facts_must_be_a_dict():
    with pytest.raises(AnsibleFilterError, match="host_networks: expected the host's facts"):
        host_networks(["eth0"])


def test_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {"host_networks": host_networks}
