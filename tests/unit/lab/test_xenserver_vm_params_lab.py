"""stackops.openstack.xenserver_vm_params against the XAPI simulator, run through ``ansible`` as a playbook would.

Each case checks the VM's record through XenAPI or the simulator's state file, not only the module's answer:
check mode leaves the state file byte for byte as it was, a second run reports no change, keys the module was
not given stay, a key that exists with another value is replaced although XenAPI refuses to add it again.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xapi_lab_helpers import XenAPI, run_collection_module

MODULE = "stackops.openstack.xenserver_vm_params"
TEMPLATE = "Debian Buster 10"


def run_module(tmp_path: Path, lab: dict, args: dict, check: bool = False, password: str | None = None) -> dict:
    return run_collection_module(tmp_path, lab, MODULE, args, check=check, password=password)


def vm_named(api, name: str) -> str:
    refs = api.VM.get_by_name_label(name)
    assert len(refs) == 1, refs
    return refs[0]


def halted_vm(api, name: str) -> str:
    """A halted guest made as xe vm-install does: a clone of the template, then no longer a template."""
    ref = api.VM.clone(vm_named(api, TEMPLATE), name)
    api.VM.set_is_a_template(ref, False)
    assert api.VM.get_power_state(ref) == "Halted"
    return ref


def test_check_mode_changes_nothing_then_the_keys_are_set_once_and_others_stay(tmp_path, xapi_lab, xenapi):
    domu = vm_named(xenapi, xapi_lab["domu_name"])
    assert xenapi.VM.get_power_state(domu) == "Running"
    other_before = xenapi.VM.get_other_config(domu)
    xenapi.VM.add_to_xenstore_data(domu, "vm-data/keep", "me")
    args = {"name": xapi_lab["domu_name"], "other_config": {"os-vpx": True, "auto_poweron": True},
            "xenstore_data": {"vm-data/himn_mac": "fe:ff:ff:ff:ff:01"}}
    state_before = Path(xapi_lab["state_file"]).read_bytes()

    checked = run_module(tmp_path, xapi_lab, args, check=True)
    assert checked["changed"] is True, checked
    assert checked["changes"] == ["set other-config:auto_poweron", "set other-config:os-vpx", "set xenstore-data:vm-data/himn_mac"]
    assert checked["restart_needed"] is True
    assert checked["restart_reason"] == "xenstore-data reaches the guest at its next start"
    assert checked["diff"] == {"before": {"other_config": {}, "xenstore_data": {}},
                               "after": {"other_config": {"auto_poweron": "true", "os-vpx": "true"},
                                         "xenstore_data": {"vm-data/himn_mac": "fe:ff:ff:ff:ff:01"}}}
    assert Path(xapi_lab["state_file"]).read_bytes() == state_before

    changed = run_module(tmp_path, xapi_lab, args)
    assert changed["changed"] is True, changed
    assert changed["changes"] == checked["changes"] and changed["diff"] == checked["diff"]
    assert changed["uuid"] == xenapi.VM.get_uuid(domu)
    assert changed["power_state"] == "Running"
    assert changed["restart_needed"] is True
    assert xenapi.VM.get_other_config(domu) == dict(other_before, **{"os-vpx": "true", "auto_poweron": "true"})
    assert xenapi.VM.get_xenstore_data(domu) == {"vm-data/keep": "me", "vm-data/himn_mac": "fe:ff:ff:ff:ff:01"}

    again = run_module(tmp_path, xapi_lab, args)
    assert again["changed"] is False, again
    assert again["changes"] == []
    assert again["restart_needed"] is False and again["restart_reason"] == ""
    assert again["diff"]["before"] == again["diff"]["after"] == changed["diff"]["after"]


def test_a_key_that_exists_with_another_value_is_replaced_although_xenapi_refuses_to_add_it(tmp_path, xapi_lab, xenapi):
    domu = vm_named(xenapi, xapi_lab["domu_name"])
    xenapi.VM.add_to_other_config(domu, "nova-role", "old")
    with pytest.raises(XenAPI.Failure) as refused:
        xenapi.VM.add_to_other_config(domu, "nova-role", "old")  # even for the same value
    assert refused.value.details[0] == "MAP_DUPLICATE_KEY"
    xenapi.VM.add_to_xenstore_data(domu, "vm-data/role", "old")

    result = run_module(tmp_path, xapi_lab, {"name": xapi_lab["domu_name"], "other_config": {"nova-role": "compute"},
                                             "xenstore_data": {"vm-data/role": "compute"}})
    assert result["changed"] is True, result
    assert result["changes"] == ["set other-config:nova-role", "set xenstore-data:vm-data/role"]
    assert result["diff"]["before"] == {"other_config": {"nova-role": "old"}, "xenstore_data": {"vm-data/role": "old"}}
    assert xenapi.VM.get_other_config(domu)["nova-role"] == "compute"
    assert xenapi.VM.get_xenstore_data(domu)["vm-data/role"] == "compute"


def test_keys_are_removed_and_absent_keys_are_no_change(tmp_path, xapi_lab, xenapi):
    domu = vm_named(xenapi, xapi_lab["domu_name"])
    xenapi.VM.add_to_other_config(domu, "stale", "1")
    xenapi.VM.add_to_xenstore_data(domu, "vm-data/stale", "1")
    args = {"name": xapi_lab["domu_name"], "remove_other_config": ["stale", "never-there"],
            "remove_xenstore_data": ["vm-data/stale"]}
    removed = run_module(tmp_path, xapi_lab, args)
    assert removed["changed"] is True, removed
    assert removed["changes"] == ["remove other-config:stale", "remove xenstore-data:vm-data/stale"]
    assert removed["diff"] == {"before": {"other_config": {"stale": "1"}, "xenstore_data": {"vm-data/stale": "1"}},
                               "after": {"other_config": {}, "xenstore_data": {}}}
    assert removed["restart_needed"] is True
    assert "stale" not in xenapi.VM.get_other_config(domu)
    assert "vm-data/stale" not in xenapi.VM.get_xenstore_data(domu)
    state_before = Path(xapi_lab["state_file"]).read_bytes()
    again = run_module(tmp_path, xapi_lab, args)
    assert again["changed"] is False and again["changes"] == [], again
    assert Path(xapi_lab["state_file"]).read_bytes() == state_before


def test_other_config_and_description_of_a_running_vm_need_no_restart(tmp_path, xapi_lab, xenapi):
    domu = vm_named(xenapi, xapi_lab["domu_name"])
    args = {"name": xapi_lab["domu_name"], "other_config": {"owner": "openstack"}, "name_description": "OpenStack compute domU"}
    result = run_module(tmp_path, xapi_lab, args)
    assert result["changed"] is True, result
    assert result["changes"] == ["set other-config:owner", "set name-description"]
    assert result["restart_needed"] is False and result["restart_reason"] == ""
    assert result["diff"]["after"] == {"other_config": {"owner": "openstack"}, "xenstore_data": {},
                                       "name_description": "OpenStack compute domU"}
    assert xenapi.VM.get_name_description(domu) == "OpenStack compute domU"
    assert run_module(tmp_path, xapi_lab, args)["changed"] is False


def test_xenstore_data_of_a_halted_vm_needs_no_restart(tmp_path, xapi_lab, xenapi):
    ref = halted_vm(xenapi, "halted-guest")
    result = run_module(tmp_path, xapi_lab, {"name": "halted-guest", "xenstore_data": {"vm-data/himn_mac": "fe:ff:ff:ff:ff:02"}})
    assert result["changed"] is True, result
    assert result["power_state"] == "Halted"
    assert result["restart_needed"] is False and result["restart_reason"] == ""
    assert xenapi.VM.get_xenstore_data(ref) == {"vm-data/himn_mac": "fe:ff:ff:ff:ff:02"}


@pytest.mark.parametrize("name, words", [
    (TEMPLATE, "'Debian Buster 10' is a template, not a VM: refusing to change it"),
    ("Control domain on host: xenserver-lab", "is a host's control domain (dom0), not a guest: refusing to change it"),
    ("no-such-vm", "no VM is named 'no-such-vm' on this pool"),
])
def test_templates_control_domains_and_unknown_names_are_refused(tmp_path, xapi_lab, name, words):
    state_before = Path(xapi_lab["state_file"]).read_bytes()
    result = run_module(tmp_path, xapi_lab, {"name": name, "other_config": {"os-vpx": "true"}})
    assert result["failed"] is True
    assert words in result["msg"]
    assert Path(xapi_lab["state_file"]).read_bytes() == state_before


def test_two_vms_of_the_name_are_refused_with_their_uuids(tmp_path, xapi_lab, xenapi):
    first, second = halted_vm(xenapi, "twin-vm"), halted_vm(xenapi, "twin-vm")
    result = run_module(tmp_path, xapi_lab, {"name": "twin-vm", "other_config": {"os-vpx": "true"}})
    assert result["failed"] is True
    assert "2 VMs are named 'twin-vm'" in result["msg"]
    assert xenapi.VM.get_uuid(first) in result["msg"] and xenapi.VM.get_uuid(second) in result["msg"]
    assert "os-vpx" not in xenapi.VM.get_other_config(first) and "os-vpx" not in xenapi.VM.get_other_config(second)


def test_a_key_both_set_and_removed_is_refused_naming_it(tmp_path, xapi_lab):
    result = run_module(tmp_path, xapi_lab, {"name": xapi_lab["domu_name"], "xenstore_data": {"vm-data/x": "1"},
                                             "remove_xenstore_data": ["vm-data/x"]})
    assert result["failed"] is True
    assert result["msg"] == ("key 'vm-data/x' is both in xenstore_data (to set to '1') and in remove_xenstore_data: "
                             "give it in one of them only")


def test_a_wrong_password_is_reported_in_words_and_never_echoed(tmp_path, xapi_lab):
    result = run_module(tmp_path, xapi_lab, {"name": xapi_lab["domu_name"]}, password="not-the-password")
    assert result["failed"] is True
    assert "XenServer refused the login of user 'root': wrong user name or password" in result["msg"]
    assert "not-the-password" not in json.dumps(result)
    assert "Traceback" not in json.dumps(result)
