# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/floating_ips.py: which floating IPs go, which stay and why."""

from __future__ import annotations

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import floating_ips as fips


def ip(address, port_id=None, fixed_ip=None, id_=None):
    return {"id": id_ or "id-" + address, "address": address, "port_id": port_id, "fixed_ip": fixed_ip}


PROJECT = [
    ip("203.0.113.20"),
    ip("203.0.113.3", "port-a", "10.0.0.5"),
    ip("203.0.113.100"),
    ip("2001:db8::7", "port-b", "fd00::7"),
    ip("203.0.113.4", "port-c", "10.0.0.6"),
]


def addresses(items):
    return [i["address"] for i in items]


@pytest.mark.parametrize("keep, expected", [
    ([], []),
    (None, []),
    (["203.0.113.3"], ["203.0.113.3"]),
    ([" 203.0.113.3 ", "203.0.113.3"], ["203.0.113.3"]),
    (["2001:DB8:0:0::7"], ["2001:db8::7"]),
    (["203.0.113.4", "203.0.113.3"], ["203.0.113.4", "203.0.113.3"]),
])
def test_check_keep_normalizes(keep, expected):
    assert fips.check_keep(keep) == expected


@pytest.mark.parametrize("keep, named", [
    (["web.example.com"], ["'web.example.com'"]),
    (["203.0.113.0/24"], ["'203.0.113.0/24'"]),
    (["203.0.113.300"], ["'203.0.113.300'"]),
    (["203.0.113.3", "", "bad one"], ["''", "'bad one'"]),
])
def test_check_keep_names_every_bad_entry(keep, named):
    with pytest.raises(ValueError) as exc:
        fips.check_keep(keep)
    message = str(exc.value)
    assert message.startswith("keep must list floating IP addresses")
    for bad in named:
        assert bad in message
    assert "203.0.113.3'" not in message
    assert ("these entries are" in message) == (len(named) > 1)


@pytest.mark.parametrize("keep, message", [
    (["web.example.com"], "keep must list floating IP addresses (like 203.0.113.10 or 2001:db8::10), but this entry "
                          "is not an IP address: 'web.example.com'"),
    (["203.0.113.3", "a", "b c"], "keep must list floating IP addresses (like 203.0.113.10 or 2001:db8::10), but these "
                                  "entries are not IP addresses: 'a', 'b c'"),
])
def test_check_keep_message(keep, message):
    with pytest.raises(ValueError) as exc:
        fips.check_keep(keep)
    assert str(exc.value) == message


def test_sort_is_by_address_not_text():
    assert addresses(fips.sort_ips(PROJECT)) == [
        "203.0.113.3", "203.0.113.4", "203.0.113.20", "203.0.113.100", "2001:db8::7"]


@pytest.mark.parametrize("keep, only_unassociated, released, kept, not_found", [
    ([], False, ["203.0.113.3", "203.0.113.4", "203.0.113.20", "203.0.113.100", "2001:db8::7"], [], []),
    (["203.0.113.20"], False, ["203.0.113.3", "203.0.113.4", "203.0.113.100", "2001:db8::7"], ["203.0.113.20"], []),
    ([], True, ["203.0.113.20", "203.0.113.100"], ["203.0.113.3", "203.0.113.4", "2001:db8::7"], []),
    (["203.0.113.100", "198.51.100.1"], True, ["203.0.113.20"],
     ["203.0.113.3", "203.0.113.4", "203.0.113.100", "2001:db8::7"], ["198.51.100.1"]),
    (["2001:db8:0::7"], False, ["203.0.113.3", "203.0.113.4", "203.0.113.20", "203.0.113.100"], ["2001:db8::7"], []),
])
def test_select(keep, only_unassociated, released, kept, not_found):
    release, kept_ips, missing = fips.select(PROJECT, fips.check_keep(keep), only_unassociated)
    assert addresses(release) == released
    assert addresses(kept_ips) == kept
    assert missing == not_found
    assert all("reason" not in i for i in release)


def test_select_gives_reasons_and_leaves_the_input_alone():
    before = [dict(i) for i in PROJECT]
    release, kept, missing = fips.select(PROJECT, ["203.0.113.3"], only_unassociated=True)
    reasons = dict((i["address"], i["reason"]) for i in kept)
    assert reasons == {
        "203.0.113.3": "listed in keep",
        "203.0.113.4": "associated with port port-c (fixed IP 10.0.0.6) and only_unassociated is true",
        "2001:db8::7": "associated with port port-b (fixed IP fd00::7) and only_unassociated is true",
    }
    assert PROJECT == before
    assert missing == []


def test_select_nothing_left():
    assert fips.select([], ["203.0.113.3"]) == ([], [], ["203.0.113.3"])


@pytest.mark.parametrize("port, expected", [
    (None, None),
    ({"device_owner": "compute:nova", "device_id": "srv-1"}, "srv-1"),
    ({"device_owner": "compute:az2", "device_id": "srv-2"}, "srv-2"),
    ({"device_owner": "compute:nova", "device_id": ""}, None),
    ({"device_owner": "network:router_interface", "device_id": "router-1"}, None),
    ({"device_owner": "", "device_id": ""}, None),
    ({"device_owner": None, "device_id": None}, None),
])
def test_server_id(port, expected):
    assert fips.server_id(port) == expected


def test_describe_with_a_server():
    entry = fips.describe(ip("203.0.113.3", "port-a", "10.0.0.5"),
                          {"device_owner": "compute:nova", "device_id": "srv-1"}, "web1")
    assert entry == {"address": "203.0.113.3", "id": "id-203.0.113.3", "port_id": "port-a", "fixed_ip": "10.0.0.5",
                     "server_id": "srv-1", "server_name": "web1"}


def test_describe_without_a_server_keeps_the_reason():
    kept = dict(ip("203.0.113.9", "port-r", "10.0.0.1"), reason="listed in keep")
    entry = fips.describe(kept, {"device_owner": "network:router_gateway", "device_id": "r1"}, "ignored")
    assert entry["server_id"] is None and entry["server_name"] is None
    assert entry["reason"] == "listed in keep"


@pytest.mark.parametrize("item, words", [
    (ip("203.0.113.3", "port-a", "10.0.0.5"), "disassociate 203.0.113.3 from port port-a and delete it"),
    (ip("203.0.113.20"), "delete 203.0.113.20"),
])
def test_describe_action(item, words):
    assert fips.describe_action(item) == words


def test_diff_text():
    assert fips.diff_text(PROJECT) == "203.0.113.3\n203.0.113.4\n203.0.113.20\n203.0.113.100\n2001:db8::7\n"
    assert fips.diff_text([]) == ""
