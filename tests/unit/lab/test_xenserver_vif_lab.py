"""stackops.openstack.xenserver_vif against the XAPI simulator, run through ``ansible`` as a playbook would.

The seed's compute domU runs, with eth0 (device 0) on xenbr0; the cases add the seed layout's other devices and the
HIMN (device 9) and read the result back through XenAPI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xapi_lab_helpers import run_collection_module

MODULE = "stackops.openstack.xenserver_vif"
HIMN = "Host internal management network"


def run_module(tmp_path: Path, lab: dict, args: dict, check: bool = False, password: str | None = None) -> dict:
    return run_collection_module(tmp_path, lab, MODULE, args, check=check, password=password)


def vif_at(api, vm_ref, device: int):
    for ref in api.VM.get_VIFs(vm_ref):
        record = api.VIF.get_record(ref)
        if int(record["device"]) == device:
            return ref, record
    return None, None


@pytest.fixture
def domu(xapi_lab, xenapi):
    return xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0]


@pytest.fixture
def vm_network(xenapi):
    refs = xenapi.network.get_by_name_label("vif-test-vm")
    return refs[0] if refs else xenapi.network.create({"name_label": "vif-test-vm", "other_config": {}})


def test_check_mode_then_a_vif_plugged_into_the_running_domu_then_no_change(tmp_path, xapi_lab, xenapi, domu, vm_network):
    args = {"vm": xapi_lab["domu_name"], "device": 2, "network": "vif-test-vm"}
    state_before = Path(xapi_lab["state_file"]).read_bytes()
    checked = run_module(tmp_path, xapi_lab, args, check=True)
    assert checked["changed"] is True, checked
    assert checked["actions"] == ["create VIF at device 2 on vif-test-vm", "plug it"]
    assert Path(xapi_lab["state_file"]).read_bytes() == state_before

    created = run_module(tmp_path, xapi_lab, args)
    assert created["changed"] is True, created
    ref, record = vif_at(xenapi, domu, 2)
    assert record["network"] == vm_network
    assert record["currently_attached"] is True
    assert created["uuid"] == record["uuid"] and created["mac"] == record["MAC"]
    assert created["attached"] is True and created["appears_at_next_start"] is False

    again = run_module(tmp_path, xapi_lab, args)
    assert again["changed"] is False, again
    assert again["mac"] == record["MAC"] and again["diff"]["before"] == again["diff"]["after"]
    assert vif_at(xenapi, domu, 2)[0] == ref


def test_the_himn_at_device_9_with_a_given_mac(tmp_path, xapi_lab, xenapi, domu):
    args = {"vm": xapi_lab["domu_name"], "device": 9, "network": HIMN, "mac": "02:16:3E:AA:00:09"}
    created = run_module(tmp_path, xapi_lab, args)
    assert created["changed"] is True, created
    ref, record = vif_at(xenapi, domu, 9)
    assert xenapi.network.get_bridge(record["network"]) == "xenapi"
    assert record["MAC"] == "02:16:3e:aa:00:09"
    assert run_module(tmp_path, xapi_lab, args)["changed"] is False
    assert vif_at(xenapi, domu, 9)[0] == ref


@pytest.mark.usefixtures("vm_network")
def test_a_device_on_another_network_is_refused_unless_replace_and_keeps_its_mac(tmp_path, xapi_lab, xenapi, domu):
    refused = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "device": 0, "network": "vif-test-vm"})
    assert refused["failed"] is True
    assert refused["msg"].startswith("device 0 is on network 'Pool-wide network associated with eth0', not 'vif-test-vm'")
    old_ref, old = vif_at(xenapi, domu, 0)
    assert old["currently_attached"] is True

    if not xenapi.network.get_by_name_label("vif-test-mgmt"):
        xenapi.network.create({"name_label": "vif-test-mgmt", "other_config": {}})
    moved = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "device": 0, "network": "vif-test-mgmt",
                                            "replace": True})
    assert moved["changed"] is True, moved
    assert moved["actions"] == ["unplug the VIF at device 0", "destroy the VIF at device 0",
                                "create VIF at device 0 on vif-test-mgmt", "plug it"]
    new_ref, new = vif_at(xenapi, domu, 0)
    assert new_ref != old_ref
    assert new["MAC"] == old["MAC"]
    assert xenapi.network.get_name_label(new["network"]) == "vif-test-mgmt"
    assert new["currently_attached"] is True


def test_a_halted_vm_gets_the_vif_at_its_next_start(tmp_path, xapi_lab, xenapi, domu, vm_network):
    xenapi.VM.clean_shutdown(domu)
    try:
        created = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "device": 3, "network": "vif-test-vm"})
        assert created["changed"] is True, created
        assert created["actions"] == ["create VIF at device 3 on vif-test-vm"]
        assert created["appears_at_next_start"] is True and created["attached"] is False
        assert vif_at(xenapi, domu, 3)[1]["currently_attached"] is False
    finally:
        xenapi.VM.start(domu, False, False)


def test_absent_unplugs_and_destroys_then_changes_nothing(tmp_path, xapi_lab, xenapi, domu, vm_network):
    args = {"vm": xapi_lab["domu_name"], "device": 6, "state": "absent"}
    vif = xenapi.VIF.create({"VM": domu, "network": vm_network, "device": "6", "MAC": "", "MTU": "1500",
                             "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    xenapi.VIF.plug(vif)
    checked = run_module(tmp_path, xapi_lab, args, check=True)
    assert checked["actions"] == ["unplug the VIF at device 6", "destroy the VIF at device 6"]
    assert vif_at(xenapi, domu, 6)[0] == vif
    removed = run_module(tmp_path, xapi_lab, args)
    assert removed["changed"] is True, removed
    assert vif_at(xenapi, domu, 6) == (None, None)
    assert run_module(tmp_path, xapi_lab, args)["changed"] is False


@pytest.mark.parametrize("vm_name, words", [
    ("no-such-vm", "no VM is named 'no-such-vm'"),
    ("Debian Buster 10", "'Debian Buster 10' is a template, not a VM"),
])
def test_what_is_not_one_guest_is_refused(tmp_path, xapi_lab, vm_name, words):
    result = run_module(tmp_path, xapi_lab, {"vm": vm_name, "device": 4, "network": "vif-test-vm"})
    assert result["failed"] is True and words in result["msg"]


def test_the_control_domain_and_two_vms_of_one_name_are_refused(tmp_path, xapi_lab, xenapi):
    dom0 = next(r for r in xenapi.VM.get_all_records().values() if r["is_control_domain"])
    result = run_module(tmp_path, xapi_lab, {"vm": dom0["name_label"], "device": 4, "network": "vif-test-vm"})
    assert result["failed"] is True and "control domain (dom0)" in result["msg"]
    template = xenapi.VM.get_by_name_label("Debian Buster 10")[0]
    for clone in (xenapi.VM.clone(template, "vif-twin"), xenapi.VM.clone(template, "vif-twin")):
        xenapi.VM.set_is_a_template(clone, False)
    result = run_module(tmp_path, xapi_lab, {"vm": "vif-twin", "device": 4, "network": "vif-test-vm"})
    assert result["failed"] is True and "2 VMs are named 'vif-twin'" in result["msg"]


def test_bad_input_and_a_missing_network_are_named(tmp_path, xapi_lab, vm_network):
    result = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "device": 5, "network": "vif-test-vm",
                                             "mac": "not-a-mac"})
    assert result["failed"] is True and result["msg"].startswith("mac 'not-a-mac' is not a MAC address")
    result = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "device": 5, "network": "nowhere"})
    assert result["failed"] is True and "no network is named 'nowhere'" in result["msg"]


def test_a_wrong_password_is_reported_in_words_and_never_echoed(tmp_path, xapi_lab):
    result = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "device": 5, "network": "vif-test-vm"},
                        password="not-the-password")
    assert result["failed"] is True and "wrong user name or password" in result["msg"]
    assert "not-the-password" not in json.dumps(result)
