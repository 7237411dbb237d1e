"""stackops.openstack.xenserver_vm_cd against the XAPI simulator, run through ``ansible`` as a playbook would.

The seed's compute domU runs, with an empty CD drive at userdevice 3; the SR "XenServer Tools" holds guest-tools.iso.
Each case sets the drive up through XenAPI first, then reads the result back through XenAPI.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from xapi_lab_helpers import run_collection_module

MODULE = "stackops.openstack.xenserver_vm_cd"
TOOLS_ISO = "guest-tools.iso"


def run_module(tmp_path: Path, lab: dict, args: dict, check: bool = False, password: str | None = None) -> dict:
    return run_collection_module(tmp_path, lab, MODULE, args, check=check, password=password)


def cd_drives(api, vm_ref):
    """The VM's CD drives as (ref, record), by userdevice."""
    drives = [(ref, api.VBD.get_record(ref)) for ref in api.VM.get_VBDs(vm_ref)]
    return sorted(((ref, record) for ref, record in drives if record["type"] == "CD"), key=lambda item: int(item[1]["userdevice"]))


def empty_cd_drive(api, vm_ref):
    """The VM's one CD drive, emptied if it holds something."""
    [(ref, record)] = cd_drives(api, vm_ref)
    if not record["empty"]:
        api.VBD.eject(ref)
    return ref


def iso_vdi(api, name: str, sr_name: str = "XenServer Tools") -> str:
    refs = api.VDI.get_by_name_label(name)
    if refs:
        return refs[0]
    return api.VDI.create({"name_label": name, "SR": api.SR.get_by_name_label(sr_name)[0], "virtual_size": str(64 << 20),
                           "type": "user", "sharable": True, "read_only": True, "other_config": {}})


@pytest.fixture
def domu(xapi_lab, xenapi):
    return xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0]


@pytest.fixture
def tools_iso(xenapi):
    return xenapi.VDI.get_by_name_label(TOOLS_ISO)[0]


def test_check_mode_then_the_iso_inserted_into_the_empty_drive_then_no_change(tmp_path, xapi_lab, xenapi, domu, tools_iso):
    drive = empty_cd_drive(xenapi, domu)
    args = {"vm": xapi_lab["domu_name"], "iso": TOOLS_ISO}
    state_before = Path(xapi_lab["state_file"]).read_bytes()
    checked = run_module(tmp_path, xapi_lab, args, check=True)
    assert checked["changed"] is True, checked
    assert checked["actions"] == ["insert guest-tools.iso into the CD drive at device 3"]
    assert checked["diff"] == {"before": {"device": "3", "iso": ""}, "after": {"device": "3", "iso": TOOLS_ISO}}
    assert Path(xapi_lab["state_file"]).read_bytes() == state_before
    assert xenapi.VBD.get_empty(drive) is True

    inserted = run_module(tmp_path, xapi_lab, args)
    assert inserted["changed"] is True, inserted
    record = xenapi.VBD.get_record(drive)
    assert record["VDI"] == tools_iso and record["empty"] is False
    assert inserted["vbd"] == record["uuid"] and inserted["iso"] == TOOLS_ISO
    assert inserted["appears_at_next_start"] is False

    again = run_module(tmp_path, xapi_lab, args)
    assert again["changed"] is False, again
    assert again["actions"] == [] and again["diff"]["before"] == again["diff"]["after"]
    assert again["vbd"] == record["uuid"] and again["iso"] == TOOLS_ISO


def test_another_iso_is_ejected_then_the_wanted_one_inserted(tmp_path, xapi_lab, xenapi, domu, tools_iso):
    drive = empty_cd_drive(xenapi, domu)
    xenapi.VBD.insert(drive, iso_vdi(xenapi, "old-tools.iso"))
    swapped = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "iso": TOOLS_ISO})
    assert swapped["changed"] is True, swapped
    assert swapped["actions"] == ["eject old-tools.iso from the CD drive at device 3",
                                  "insert guest-tools.iso into the CD drive at device 3"]
    assert swapped["diff"]["before"]["iso"] == "old-tools.iso" and swapped["diff"]["after"]["iso"] == TOOLS_ISO
    assert xenapi.VBD.get_VDI(drive) == tools_iso


def test_absent_ejects_then_changes_nothing(tmp_path, xapi_lab, xenapi, domu, tools_iso):
    drive = empty_cd_drive(xenapi, domu)
    xenapi.VBD.insert(drive, tools_iso)
    args = {"vm": xapi_lab["domu_name"], "state": "absent"}
    other = run_module(tmp_path, xapi_lab, dict(args, iso="old-tools.iso"))
    assert other["changed"] is False and other["iso"] == TOOLS_ISO, other
    checked = run_module(tmp_path, xapi_lab, args, check=True)
    assert checked["actions"] == ["eject guest-tools.iso from the CD drive at device 3"]
    assert xenapi.VBD.get_VDI(drive) == tools_iso

    ejected = run_module(tmp_path, xapi_lab, args)
    assert ejected["changed"] is True, ejected
    assert ejected["iso"] == ""
    assert ejected["diff"] == {"before": {"device": "3", "iso": TOOLS_ISO}, "after": {"device": "3", "iso": ""}}
    record = xenapi.VBD.get_record(drive)
    assert record["empty"] is True and record["VDI"] == "OpaqueRef:NULL"
    assert run_module(tmp_path, xapi_lab, args)["changed"] is False


def test_a_vm_without_a_cd_drive_gets_one_plugged(tmp_path, xapi_lab, xenapi, domu, tools_iso):
    for ref, record in cd_drives(xenapi, domu):
        if record["currently_attached"]:
            xenapi.VBD.unplug(ref)
        xenapi.VBD.destroy(ref)
    assert cd_drives(xenapi, domu) == []

    taken = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "iso": TOOLS_ISO, "device": "0"})
    assert taken["failed"] is True
    assert "device 0 is taken by another of its disks" in taken["msg"]

    args = {"vm": xapi_lab["domu_name"], "iso": TOOLS_ISO}
    checked = run_module(tmp_path, xapi_lab, args, check=True)
    assert checked["vbd"] == "" and checked["diff"] == {"before": {}, "after": {"device": "3", "iso": TOOLS_ISO}}
    assert cd_drives(xenapi, domu) == []

    created = run_module(tmp_path, xapi_lab, args)
    assert created["changed"] is True, created
    assert created["actions"] == ["create a CD drive at device 3", "plug the CD drive at device 3",
                                  "insert guest-tools.iso into the CD drive at device 3"]
    [(ref, record)] = cd_drives(xenapi, domu)
    assert record["userdevice"] == "3" and record["mode"] == "RO" and record["bootable"] is False
    assert record["VDI"] == tools_iso and record["empty"] is False and record["currently_attached"] is True
    assert created["vbd"] == record["uuid"] and created["appears_at_next_start"] is False

    again = run_module(tmp_path, xapi_lab, args)
    assert again["changed"] is False and again["vbd"] == record["uuid"], again


def test_a_halted_vm_gets_the_iso_at_its_next_start(tmp_path, xapi_lab, xenapi, domu, tools_iso):
    drive = empty_cd_drive(xenapi, domu)
    xenapi.VM.clean_shutdown(domu)
    try:
        args = {"vm": xapi_lab["domu_name"], "iso": TOOLS_ISO}
        checked = run_module(tmp_path, xapi_lab, args, check=True)
        assert checked["appears_at_next_start"] is True, checked
        inserted = run_module(tmp_path, xapi_lab, args)
        assert inserted["changed"] is True, inserted
        assert inserted["actions"] == ["insert guest-tools.iso into the CD drive at device 3"]
        assert inserted["appears_at_next_start"] is True
        record = xenapi.VBD.get_record(drive)
        assert record["VDI"] == tools_iso and record["currently_attached"] is False
    finally:
        xenapi.VM.start(domu, False, False)
    assert xenapi.VBD.get_currently_attached(drive) is True


def test_a_halted_vm_without_a_cd_drive_gets_one_unplugged(tmp_path, xapi_lab, xenapi, domu, tools_iso):
    xenapi.VM.clean_shutdown(domu)
    try:
        for ref, dummy in cd_drives(xenapi, domu):
            xenapi.VBD.destroy(ref)
        created = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "iso": TOOLS_ISO, "device": "5"})
        assert created["changed"] is True, created
        assert created["actions"] == ["create a CD drive at device 5", "insert guest-tools.iso into the CD drive at device 5"]
        assert created["appears_at_next_start"] is True
        [(ref, record)] = cd_drives(xenapi, domu)
        assert record["userdevice"] == "5" and record["VDI"] == tools_iso and record["currently_attached"] is False
    finally:
        xenapi.VM.start(domu, False, False)


@pytest.mark.parametrize("iso, words", [
    ("guest-tool.iso", "no ISO is named 'guest-tool.iso': the ISO SRs hold guest-tools.iso"),
    ("compute root", "no ISO is named 'compute root': the VDI of that name is in SR 'Local storage' (content_type 'user')"),
])
def test_a_wrong_iso_name_is_refused_naming_what_there_is(tmp_path, xapi_lab, xenapi, domu, iso, words):
    before = [record["VDI"] for dummy, record in cd_drives(xenapi, domu)]
    result = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "iso": iso})
    assert result["failed"] is True and words in result["msg"], result
    assert [record["VDI"] for dummy, record in cd_drives(xenapi, domu)] == before


def test_two_isos_of_one_name_are_refused(tmp_path, xapi_lab, xenapi):
    iso_vdi(xenapi, "twin.iso")
    xenapi.VDI.create({"name_label": "twin.iso", "SR": xenapi.SR.get_by_name_label("XenServer Tools")[0],
                       "virtual_size": "1024", "type": "user", "sharable": True, "read_only": True, "other_config": {}})
    result = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "iso": "twin.iso"})
    assert result["failed"] is True and "2 ISOs are named 'twin.iso'" in result["msg"], result


@pytest.mark.parametrize("args, words", [
    ({"vm": "no-such-vm", "iso": TOOLS_ISO}, "no VM is named 'no-such-vm'"),
    ({"vm": "Debian Buster 10", "iso": TOOLS_ISO}, "'Debian Buster 10' is a template, not a VM"),
    ({"vm": "compute", "iso": TOOLS_ISO, "device": "xvdd"}, "device 'xvdd' is not a userdevice number"),
    ({"vm": "compute"}, "state is present but all of the following are missing: iso"),
])
def test_what_is_not_one_guest_or_bad_input_is_refused(tmp_path, xapi_lab, args, words):
    result = run_module(tmp_path, xapi_lab, args)
    assert result["failed"] is True and words in result["msg"], result


def test_a_wrong_password_is_reported_in_words_and_never_echoed(tmp_path, xapi_lab):
    result = run_module(tmp_path, xapi_lab, {"vm": xapi_lab["domu_name"], "iso": TOOLS_ISO}, password="not-the-password")
    assert result["failed"] is True and "wrong user name or password" in result["msg"]
    assert "not-the-password" not in json.dumps(result)
