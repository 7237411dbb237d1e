"""stackops.openstack.xenserver_network against the XAPI simulator, run through ``ansible`` as a playbook would.

Each case checks the simulator's state file or XenAPI records, not only the module's answer: check mode
leaves the state file byte for byte as it was, a second run reports no change, keys of other-config the
module was not given stay.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xapi_lab_helpers import XenAPI, lab_command, run_collection_module, start_lab

MODULE = "stackops.openstack.xenserver_network"


def run_module(tmp_path: Path, lab: dict, args: dict, check: bool = False, password: str | None = None) -> dict:
    return run_collection_module(tmp_path, lab, MODULE, args, check=check, password=password)


def records(api, cls: str) -> dict:
    return getattr(api, cls).get_all_records()


def network_named(api, name: str):
    refs = api.network.get_by_name_label(name)
    assert len(refs) <= 1
    return (refs[0], api.network.get_record(refs[0])) if refs else (None, None)


def test_check_mode_changes_nothing_then_the_network_is_created_once(tmp_path, xapi_lab, xenapi):
    args = {"name": "openstack-vm", "mtu": 9000, "other_config": {"automatic": "false"}, "vlan": {"tag": 300, "device": "eth1"}}
    state_before = Path(xapi_lab["state_file"]).read_bytes()

    checked = run_module(tmp_path, xapi_lab, args, check=True)
    assert checked["changed"] is True, checked
    assert checked["actions"] == ["create network openstack-vm", "create VLAN 300 on eth1"]
    assert checked["diff"]["before"] == {}
    assert checked["diff"]["after"]["vlan"] == {"tag": 300, "device": "eth1"}
    assert Path(xapi_lab["state_file"]).read_bytes() == state_before

    created = run_module(tmp_path, xapi_lab, args)
    assert created["changed"] is True, created
    ref, record = network_named(xenapi, "openstack-vm")
    assert created["uuid"] == record["uuid"]
    assert created["bridge"] == record["bridge"] and record["bridge"].startswith("xapi")
    assert record["MTU"] == "9000"
    assert record["other_config"] == {"automatic": "false"}
    vlan_pifs = [pif for pif in records(xenapi, "PIF").values() if pif["network"] == ref]
    assert [(pif["device"], pif["VLAN"]) for pif in vlan_pifs] == [("eth1", "300")]

    again = run_module(tmp_path, xapi_lab, args)
    assert again["changed"] is False, again
    assert again["actions"] == []
    assert again["diff"]["before"] == again["diff"]["after"]
    assert again["network"] == {"name": "openstack-vm", "mtu": 9000, "other_config": {"automatic": "false"},
                                "vlan": {"tag": 300, "device": "eth1"}}


def test_other_config_keys_are_set_one_by_one_and_others_stay(tmp_path, xapi_lab, xenapi):
    ref = xenapi.network.create({"name_label": "openstack-public", "other_config": {"keep": "me", "automatic": "true"}})
    result = run_module(tmp_path, xapi_lab, {"name": "openstack-public", "other_config": {"automatic": False, "new": "1"}})
    assert result["changed"] is True, result
    assert result["actions"] == ["set other-config:automatic", "set other-config:new"]
    assert xenapi.network.get_other_config(ref) == {"keep": "me", "automatic": "false", "new": "1"}
    assert run_module(tmp_path, xapi_lab, {"name": "openstack-public", "other_config": {"automatic": False}})["changed"] is False


def test_a_network_carrying_another_vlan_is_refused_and_left_alone(tmp_path, xapi_lab, xenapi):
    ref = xenapi.network.create({"name_label": "storage", "other_config": {}})
    xenapi.pool.create_VLAN("eth1", ref, "400")
    state_before = Path(xapi_lab["state_file"]).read_bytes()
    result = run_module(tmp_path, xapi_lab, {"name": "storage", "vlan": {"tag": 401, "device": "eth1"}})
    assert result["failed"] is True
    assert "already carries VLAN 400 on eth1: moving it to VLAN 401 on eth1" in result["msg"]
    assert Path(xapi_lab["state_file"]).read_bytes() == state_before


def test_absent_removes_the_network_and_its_vlans_and_a_second_run_changes_nothing(tmp_path, xapi_lab, xenapi):
    ref = xenapi.network.create({"name_label": "old-storage", "other_config": {}})
    xenapi.pool.create_VLAN("eth1", ref, "500")
    checked = run_module(tmp_path, xapi_lab, {"name": "old-storage", "state": "absent"}, check=True)
    assert checked["changed"] is True and network_named(xenapi, "old-storage")[0] == ref
    removed = run_module(tmp_path, xapi_lab, {"name": "old-storage", "state": "absent"})
    assert removed["changed"] is True, removed
    assert network_named(xenapi, "old-storage") == (None, None)
    assert not [pif for pif in records(xenapi, "PIF").values() if pif["VLAN"] == "500"]
    assert not [vlan for vlan in records(xenapi, "VLAN").values() if vlan["tag"] == "500"]
    assert run_module(tmp_path, xapi_lab, {"name": "old-storage", "state": "absent"})["changed"] is False


def test_a_network_a_running_vm_uses_is_not_removed_and_xenserver_says_why(tmp_path, xapi_lab, xenapi):
    domu = xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0]
    ref = xenapi.network.create({"name_label": "in-use", "other_config": {}})
    vif = xenapi.VIF.create({"VM": domu, "network": ref, "device": "7", "MAC": "", "MTU": "1500",
                             "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    xenapi.VIF.plug(vif)
    try:
        result = run_module(tmp_path, xapi_lab, {"name": "in-use", "state": "absent"})
        assert result["failed"] is True
        assert "cannot converge network in-use: XenAPI error NETWORK_CONTAINS_VIF" in result["msg"]
        assert network_named(xenapi, "in-use")[0] == ref
    finally:
        xenapi.VIF.unplug(vif)
        xenapi.VIF.destroy(vif)


def test_two_networks_of_the_name_are_refused_with_their_uuids(tmp_path, xapi_lab, xenapi):
    first = xenapi.network.create({"name_label": "twin-net", "other_config": {}})
    second = xenapi.network.create({"name_label": "twin-net", "other_config": {}})
    result = run_module(tmp_path, xapi_lab, {"name": "twin-net", "mtu": 1500})
    assert result["failed"] is True
    assert "2 networks are named 'twin-net'" in result["msg"]
    assert xenapi.network.get_uuid(first) in result["msg"] and xenapi.network.get_uuid(second) in result["msg"]


def test_a_wrong_password_is_reported_in_words_and_never_echoed(tmp_path, xapi_lab):
    result = run_module(tmp_path, xapi_lab, {"name": "openstack-vm"}, password="not-the-password")
    assert result["failed"] is True
    assert "XenServer refused the login of user 'root': wrong user name or password" in result["msg"]
    assert "not-the-password" not in json.dumps(result)
    assert "Traceback" not in json.dumps(result)


def test_bad_input_names_the_value_and_what_was_expected(tmp_path, xapi_lab):
    result = run_module(tmp_path, xapi_lab, {"name": "x", "vlan": {"tag": 5000, "device": "eth1"}})
    assert result["failed"] is True and result["msg"] == "vlan.tag 5000 is out of range: expected 0 to 4094"
    result = run_module(tmp_path, xapi_lab, {"name": "x", "mtu": 20})
    assert result["failed"] is True and result["msg"] == "mtu 20 is out of range: expected 68 to 9216"


def test_an_unreachable_host_is_reported_in_words(tmp_path):
    result = run_module(tmp_path, {"url": "http://127.0.0.1:9", "password": "x"}, {"name": "x"})
    assert result["failed"] is True
    assert result["msg"].startswith("cannot reach XenServer at http://127.0.0.1:9:")


@pytest.fixture(scope="module")
def xapi_tls_lab(tmp_path_factory):
    state_dir = tmp_path_factory.mktemp("xapi-tls") / "lab"
    env = start_lab(state_dir, "--tls")
    yield env
    assert lab_command(state_dir, "down").returncode == 0


def test_a_self_signed_certificate_is_refused_unless_validate_certs_is_false(tmp_path, xapi_tls_lab):
    assert xapi_tls_lab["url"].startswith("https://")
    refused = run_module(tmp_path, xapi_tls_lab, {"name": "tls-net"})
    assert refused["failed"] is True
    assert "CERTIFICATE_VERIFY_FAILED" in refused["msg"] and "validate_certs=false" in refused["msg"]
    accepted = run_module(tmp_path, xapi_tls_lab, {"name": "tls-net", "validate_certs": False})
    assert accepted["changed"] is True, accepted
    session = XenAPI.Session(xapi_tls_lab["url"], ignore_ssl=True)
    session.xenapi.login_with_password("root", xapi_tls_lab["password"], "1.0", "stackops tests")
    try:
        assert len(session.xenapi.network.get_by_name_label("tls-net")) == 1
    finally:
        session.xenapi.session.logout()
