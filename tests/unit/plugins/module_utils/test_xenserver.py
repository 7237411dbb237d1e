# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/xenserver.py: addresses, failures in words, lookups, network plans.

The XenAPI behaviours these rely on (MAP_DUPLICATE_KEY for an existing key, HOST_IS_SLAVE naming the
master, get_by_name_label returning a list) are pinned against the XAPI simulator in tests/unit/lab.
"""

from __future__ import annotations

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver
from ansible_collections.stackops.openstack.plugins.module_utils.xenserver import XenServerError


@pytest.mark.parametrize("given, url", [
    ("xs1.example.com", "https://xs1.example.com"),
    ("xs1.example.com:8443", "https://xs1.example.com:8443"),
    ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
    ("https://xs1/some/path", "https://xs1"),
    (" xs1 ", "https://xs1"),
])
def test_server_url_defaults_to_https_and_keeps_the_port(given, url):
    assert xenserver.server_url(given) == url


@pytest.mark.parametrize("given", ["", "ftp://xs1", "https://"])
def test_server_url_refuses_what_is_not_an_address_and_names_it(given):
    with pytest.raises(XenServerError, match="hostname"):
        xenserver.server_url(given)


@pytest.mark.parametrize("url, master, expected", [
    ("https://xs2.example.com", "192.0.2.1", "https://192.0.2.1"),
    ("http://127.0.0.1:8080", "127.0.0.2", "http://127.0.0.2:8080"),
    ("https://xs2:443", "2001:db8::1", "https://[2001:db8::1]:443"),
])
def test_master_url_keeps_scheme_and_port(url, master, expected):
    assert xenserver.master_url(url, master) == expected


@pytest.mark.parametrize("details, words", [
    (["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"], "wrong user name or password"),
    (["HOST_IS_SLAVE", "192.0.2.1"], "master at 192.0.2.1"),
    (["XENAPI_MISSING_PLUGIN", "xenhost"], "no XenAPI plugin 'xenhost'"),
    (["VM_BAD_POWER_STATE", "OpaqueRef:1", "running", "halted"], "the VM is halted, and this needs it running"),
    (["MAP_DUPLICATE_KEY", "network", "other_config", "OpaqueRef:1", "k"], "XenAPI error MAP_DUPLICATE_KEY network"),
])
def test_describe_failure_says_what_to_check(details, words):
    assert words in xenserver.describe_failure(details)


def test_describe_failure_names_the_user_not_the_password():
    message = xenserver.describe_failure(["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"], "ops")
    assert "'ops'" in message and "SESSION_AUTHENTICATION_FAILED" in message


class FakeFailure(Exception):
    def __init__(self, details):
        super().__init__(details)
        self.details = details


class FakeSession:
    """Stands for XenAPI.Session: answers logins from a table of URL -> failure details (or None)."""

    answers = {}
    opened = []

    def __init__(self, url, ignore_ssl=False):
        self.url = url
        self.opened.append((url, ignore_ssl))
        self.xenapi = self

    def login_with_password(self, username, password, version, originator):
        assert (version, originator) == ("1.0", "stackops.openstack")
        answer = self.answers.get(self.url)
        if isinstance(answer, Exception):
            raise answer
        if answer:
            raise FakeFailure(answer)


@pytest.fixture
def fake_session():
    FakeSession.answers = {}
    FakeSession.opened = []
    return FakeSession


def test_connect_follows_one_host_is_slave_to_the_master(fake_session):
    fake_session.answers = {"https://xs2:443": ["HOST_IS_SLAVE", "192.0.2.1"]}
    session = xenserver.connect("xs2:443", "root", "secret", validate_certs=False, session_class=fake_session)
    assert session.url == "https://192.0.2.1:443"
    assert fake_session.opened == [("https://xs2:443", True), ("https://192.0.2.1:443", True)]


def test_connect_does_not_follow_a_second_redirect(fake_session):
    fake_session.answers = {"https://xs2": ["HOST_IS_SLAVE", "xs3"], "https://xs3": ["HOST_IS_SLAVE", "xs2"]}
    with pytest.raises(XenServerError, match="cannot log in to XenServer at https://xs3: the host is a pool member"):
        xenserver.connect("xs2", "root", "secret", session_class=fake_session)


def test_connect_reports_a_wrong_password_without_it(fake_session):
    fake_session.answers = {"https://xs1": ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"]}
    with pytest.raises(XenServerError) as caught:
        xenserver.connect("xs1", "root", "s3cret-pw", session_class=fake_session)
    assert "wrong user name or password" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value)


def test_connect_reports_an_unreachable_host_in_words(fake_session):
    fake_session.answers = {"https://xs1": ConnectionRefusedError(111, "Connection refused")}
    with pytest.raises(XenServerError, match="cannot reach XenServer at https://xs1: .*Connection refused"):
        xenserver.connect("xs1", "root", "pw", session_class=fake_session)


VMS = {
    "OpaqueRef:dom0": {"name_label": "Control domain on host: xs1", "uuid": "u-dom0", "is_control_domain": True,
                       "is_a_template": False},
    "OpaqueRef:tpl": {"name_label": "Debian Buster 10", "uuid": "u-tpl", "is_control_domain": False, "is_a_template": True},
    "OpaqueRef:c1": {"name_label": "compute", "uuid": "u-c1", "is_control_domain": False, "is_a_template": False},
    "OpaqueRef:t1": {"name_label": "twin", "uuid": "u-t1", "is_control_domain": False, "is_a_template": False},
    "OpaqueRef:t2": {"name_label": "twin", "uuid": "u-t2", "is_control_domain": False, "is_a_template": False},
}


def test_find_vm_returns_the_one_guest_of_that_name():
    assert xenserver.find_vm(VMS, "compute") == ("OpaqueRef:c1", VMS["OpaqueRef:c1"])


@pytest.mark.parametrize("name, words", [
    ("nothing", "no VM is named 'nothing'"),
    ("twin", "2 VMs are named 'twin' (uuids u-t1, u-t2)"),
    ("Debian Buster 10", "'Debian Buster 10' is a template, not a VM"),
    ("Control domain on host: xs1", "control domain (dom0)"),
])
def test_find_vm_refuses_what_it_must_not_touch(name, words):
    with pytest.raises(XenServerError) as caught:
        xenserver.find_vm(VMS, name)
    assert words in str(caught.value)


def test_find_network_is_none_for_a_new_name_and_refuses_two():
    networks = {"OpaqueRef:a": {"name_label": "vm", "uuid": "ua"}, "OpaqueRef:b": {"name_label": "vm", "uuid": "ub"}}
    assert xenserver.find_network(networks, "other") == (None, None)
    with pytest.raises(XenServerError, match="2 networks are named 'vm' .uuids ua, ub."):
        xenserver.find_network(networks, "vm")


def test_map_key_changes_touch_only_the_given_keys_and_compare_as_strings():
    current = {"automatic": "true", "keep": "me", "mtu_hint": "9000"}
    assert xenserver.map_key_changes(current, {"automatic": False, "mtu_hint": 9000, "new": "x"}) == [
        ("automatic", "true", "false"), ("new", None, "x")]


def wanted(**overrides):
    base = {"state": "present", "mtu": None, "other_config": {}, "vlan": None}
    base.update(overrides)
    return base


def test_plan_creates_a_missing_network_then_its_vlan():
    steps = xenserver.plan_network(None, [], wanted(mtu=9000, other_config={"a": 1}, vlan={"tag": 300, "device": "eth1"}))
    assert steps == [("create", 9000, {"a": "1"}), ("create_vlan", "eth1", 300)]


def test_plan_converges_only_what_differs():
    record = {"name_label": "vm", "MTU": "1500", "other_config": {"a": "1", "b": "2"}}
    steps = xenserver.plan_network(record, [{"tag": 300, "device": "eth1"}],
                                   wanted(mtu=1500, other_config={"a": "1", "b": "3"}, vlan={"tag": 300, "device": "eth1"}))
    assert steps == [("set_other_config", "b", "2", "3")]


def test_plan_is_empty_when_everything_matches_and_for_an_absent_network():
    record = {"name_label": "vm", "MTU": "1500", "other_config": {"a": "1"}}
    assert not xenserver.plan_network(record, [], wanted(mtu=1500, other_config={"a": "1"}))
    assert not xenserver.plan_network(None, [], wanted(state="absent"))
    assert xenserver.plan_network(record, [], wanted(state="absent")) == [("destroy",)]


def test_plan_refuses_to_move_a_vlan():
    record = {"name_label": "vm", "MTU": "1500", "other_config": {}}
    with pytest.raises(XenServerError, match="already carries VLAN 300 on eth1: moving it to VLAN 301 on eth1"):
        xenserver.plan_network(record, [{"tag": 300, "device": "eth1"}], wanted(vlan={"tag": 301, "device": "eth1"}))


@pytest.mark.parametrize("given, normalized", [
    (None, None), ("", None), ("02:16:3E:00:00:01", "02:16:3e:00:00:01"), ("02-16-3e-00-00-01", "02:16:3e:00:00:01"),
])
def test_normalize_mac(given, normalized):
    assert xenserver.normalize_mac(given) == normalized


@pytest.mark.parametrize("given", ["02:16:3e:00:00", "zz:16:3e:00:00:01", "0216.3e00.0001"])
def test_normalize_mac_refuses_what_is_not_a_mac_and_names_it(given):
    with pytest.raises(XenServerError, match="mac %r is not a MAC address" % given):
        xenserver.normalize_mac(given)


VIF = {"device": "2", "MAC": "02:16:3e:00:00:02", "currently_attached": True, "uuid": "v2"}


def vif_wanted(**overrides):
    base = {"state": "present", "network": "vm-net", "mac": None, "replace": False}
    base.update(overrides)
    return base


@pytest.mark.parametrize("vif, network, wanted, running, steps", [
    (None, None, vif_wanted(), True, [("create", ""), ("plug",)]),
    (None, None, vif_wanted(mac="02:00:00:00:00:09"), False, [("create", "02:00:00:00:00:09")]),
    (VIF, "vm-net", vif_wanted(), True, []),
    (VIF, "vm-net", vif_wanted(mac="02:16:3e:00:00:02"), True, []),
    (dict(VIF, currently_attached=False), "vm-net", vif_wanted(), True, [("plug",)]),
    (dict(VIF, currently_attached=False), "vm-net", vif_wanted(), False, []),
    (VIF, "other", vif_wanted(replace=True), True, [("unplug",), ("destroy",), ("create", "02:16:3e:00:00:02"), ("plug",)]),
    (VIF, "other", vif_wanted(replace=True), False, [("destroy",), ("create", "02:16:3e:00:00:02")]),
    (VIF, "vm-net", vif_wanted(mac="02:00:00:00:00:07", replace=True), True,
     [("unplug",), ("destroy",), ("create", "02:00:00:00:00:07"), ("plug",)]),
    (VIF, "vm-net", vif_wanted(state="absent"), True, [("unplug",), ("destroy",)]),
    (VIF, "vm-net", vif_wanted(state="absent"), False, [("destroy",)]),
    (None, None, vif_wanted(state="absent"), True, []),
])
def test_plan_vif(vif, network, wanted, running, steps):
    assert xenserver.plan_vif(vif, network, wanted, running) == steps


def test_plan_vif_refuses_to_move_a_device_unless_asked_and_says_why():
    with pytest.raises(XenServerError) as caught:
        xenserver.plan_vif(VIF, "other", vif_wanted(mac="02:00:00:00:00:07"), True)
    assert str(caught.value) == ("device 2 is on network 'other', not 'vm-net' and has MAC 02:16:3e:00:00:02, not "
                                 "02:00:00:00:00:07: set replace=true to recreate it (the guest loses that interface "
                                 "while it is replaced)")
