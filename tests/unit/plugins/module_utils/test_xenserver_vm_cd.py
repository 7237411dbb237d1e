# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/xenserver_vm_cd.py: the ISO lookup, CD drives, plans, views.

The XenAPI behaviour the plans rely on (VBD.insert refusing a drive that is not empty, VBD.create's
required fields, plugging only on a running VM) is exercised against the XAPI simulator in
tests/unit/lab/test_xenserver_vm_cd_lab.py.
"""

from __future__ import annotations

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver_vm_cd as vm_cd
from ansible_collections.stackops.openstack.plugins.module_utils.xenserver import NULL_REF, XenServerError

SRS = {
    "OpaqueRef:local": {"name_label": "Local storage", "content_type": "user"},
    "OpaqueRef:tools": {"name_label": "XenServer Tools", "content_type": "iso"},
    "OpaqueRef:lib": {"name_label": "ISO library", "content_type": "iso"},
}
VDIS = {
    "OpaqueRef:root": {"name_label": "compute root", "uuid": "u-root", "SR": "OpaqueRef:local"},
    "OpaqueRef:tools-iso": {"name_label": "guest-tools.iso", "uuid": "u-tools", "SR": "OpaqueRef:tools"},
    "OpaqueRef:debian": {"name_label": "debian-10.iso", "uuid": "u-deb", "SR": "OpaqueRef:lib"},
    "OpaqueRef:twin1": {"name_label": "twin.iso", "uuid": "u-tw1", "SR": "OpaqueRef:lib"},
    "OpaqueRef:twin2": {"name_label": "twin.iso", "uuid": "u-tw2", "SR": "OpaqueRef:tools"},
}


def drive(ref="OpaqueRef:cd", userdevice="3", vdi=None, iso="", attached=True):
    return {"ref": ref, "uuid": "u-" + ref.split(":")[1], "userdevice": userdevice, "vdi": vdi, "iso": iso, "attached": attached}


def present(iso="guest-tools.iso", vdi="OpaqueRef:tools-iso", device="3"):
    return {"state": "present", "iso": iso, "vdi": vdi, "device": device}


def absent(iso=None, device="3"):
    return {"state": "absent", "iso": iso, "vdi": None, "device": device}


@pytest.mark.parametrize("given, expected", [("3", "3"), (" 3 ", "3"), ("03", "3"), ("0", "0"), (7, "7")])
def test_check_device_gives_the_decimal_string_xenapi_wants(given, expected):
    assert vm_cd.check_device(given) == expected


@pytest.mark.parametrize("given", ["", "xvdd", "-1", "3.0", None])
def test_check_device_refuses_what_is_not_a_userdevice_and_names_it(given):
    with pytest.raises(XenServerError, match="device %r is not a userdevice number" % (given,)):
        vm_cd.check_device(given)


def test_find_iso_returns_the_one_iso_of_that_name():
    assert vm_cd.find_iso(VDIS, SRS, "guest-tools.iso") == ("OpaqueRef:tools-iso", VDIS["OpaqueRef:tools-iso"])
    assert vm_cd.find_iso(VDIS, SRS, "debian-10.iso")[0] == "OpaqueRef:debian"


def test_find_iso_names_the_isos_there_are_when_none_matches():
    with pytest.raises(XenServerError) as caught:
        vm_cd.find_iso(VDIS, SRS, "guest-tool.iso")
    assert str(caught.value).startswith("no ISO is named 'guest-tool.iso': the ISO SRs hold debian-10.iso, "
                                        "guest-tools.iso, twin.iso")


def test_find_iso_says_when_the_name_is_a_vdi_of_another_sr():
    with pytest.raises(XenServerError) as caught:
        vm_cd.find_iso(VDIS, SRS, "compute root")
    assert "the VDI of that name is in SR 'Local storage' (content_type 'user'), not in an ISO SR" in str(caught.value)


def test_find_iso_refuses_two_isos_of_one_name_with_their_srs():
    with pytest.raises(XenServerError) as caught:
        vm_cd.find_iso(VDIS, SRS, "twin.iso")
    assert "2 ISOs are named 'twin.iso' (u-tw1 in SR 'ISO library', u-tw2 in SR 'XenServer Tools')" in str(caught.value)


def test_find_iso_on_a_pool_without_isos_says_so():
    with pytest.raises(XenServerError, match="the pool has no ISO in an ISO SR"):
        vm_cd.find_iso({"OpaqueRef:root": VDIS["OpaqueRef:root"]}, SRS, "guest-tools.iso")


def test_find_iso_shortens_a_long_list_of_names():
    many = dict(("OpaqueRef:%d" % n, {"name_label": "iso-%02d.iso" % n, "SR": "OpaqueRef:lib"}) for n in range(25))
    with pytest.raises(XenServerError) as caught:
        vm_cd.find_iso(many, SRS, "other.iso")
    assert str(caught.value).count(".iso,") == vm_cd.LISTED_ISOS - 1
    assert "iso-19.iso and 5 more" in str(caught.value)


def test_cd_drives_are_the_cd_vbds_sorted_by_userdevice_with_their_iso_names():
    vbds = {
        "OpaqueRef:disk": {"uuid": "u-disk", "type": "Disk", "userdevice": "0", "VDI": "OpaqueRef:root", "empty": False,
                           "currently_attached": True},
        "OpaqueRef:cd5": {"uuid": "u-cd5", "type": "CD", "userdevice": "5", "VDI": "OpaqueRef:debian", "empty": False,
                          "currently_attached": False},
        "OpaqueRef:cd3": {"uuid": "u-cd3", "type": "CD", "userdevice": "3", "VDI": NULL_REF, "empty": True,
                          "currently_attached": True},
    }
    assert vm_cd.cd_drives(vbds, VDIS) == [
        {"ref": "OpaqueRef:cd3", "uuid": "u-cd3", "userdevice": "3", "vdi": None, "iso": "", "attached": True},
        {"ref": "OpaqueRef:cd5", "uuid": "u-cd5", "userdevice": "5", "vdi": "OpaqueRef:debian", "iso": "debian-10.iso",
         "attached": False},
    ]


def test_a_held_vdi_the_lookup_does_not_know_is_shown_by_its_ref():
    vbd = {"uuid": "u", "type": "CD", "userdevice": "3", "VDI": "OpaqueRef:gone", "empty": False}
    assert vm_cd.cd_drive("OpaqueRef:cd", vbd, VDIS)["iso"] == "OpaqueRef:gone"


def test_the_vms_cd_drive_is_the_one_at_device_else_the_lowest():
    low, high = drive("OpaqueRef:a", "1"), drive("OpaqueRef:b", "3")
    assert vm_cd.select_drive([low, high], "3") is high
    assert vm_cd.select_drive([low, high], "4") is low
    assert vm_cd.select_drive([], "3") is None


@pytest.mark.parametrize("drives, running, steps", [
    ([drive(vdi="OpaqueRef:tools-iso", iso="guest-tools.iso")], True, []),
    ([drive()], True, [("insert", "OpaqueRef:cd", "3", "OpaqueRef:tools-iso", "guest-tools.iso")]),
    ([drive(attached=False)], False, [("insert", "OpaqueRef:cd", "3", "OpaqueRef:tools-iso", "guest-tools.iso")]),
    ([drive(vdi="OpaqueRef:debian", iso="debian-10.iso")], True,
     [("eject", "OpaqueRef:cd", "3", "debian-10.iso"),
      ("insert", "OpaqueRef:cd", "3", "OpaqueRef:tools-iso", "guest-tools.iso")]),
    ([], True, [("create", "3"), ("plug", None, "3"), ("insert", None, "3", "OpaqueRef:tools-iso", "guest-tools.iso")]),
    ([], False, [("create", "3"), ("insert", None, "3", "OpaqueRef:tools-iso", "guest-tools.iso")]),
    ([drive(attached=False)], True, [("plug", "OpaqueRef:cd", "3"),
                                     ("insert", "OpaqueRef:cd", "3", "OpaqueRef:tools-iso", "guest-tools.iso")]),
    ([drive(vdi="OpaqueRef:tools-iso", iso="guest-tools.iso", attached=False)], True, [("plug", "OpaqueRef:cd", "3")]),
], ids=["holds-it", "empty", "empty-halted", "holds-another", "no-drive-running", "no-drive-halted", "unplugged",
        "holds-it-unplugged"])
def test_plan_present(drives, running, steps):
    assert vm_cd.plan_cd(drives, present(), running, ["0"] + [d["userdevice"] for d in drives]) == steps


def test_present_is_no_change_when_another_cd_drive_holds_the_iso():
    drives = [drive("OpaqueRef:a", "1", vdi="OpaqueRef:tools-iso", iso="guest-tools.iso"), drive("OpaqueRef:b", "3")]
    assert vm_cd.plan_cd(drives, present(), True) == []
    assert vm_cd.target_drive(drives, present())["ref"] == "OpaqueRef:a"


def test_present_with_several_drives_uses_the_one_at_device():
    drives = [drive("OpaqueRef:a", "1"), drive("OpaqueRef:b", "3", vdi="OpaqueRef:debian", iso="debian-10.iso")]
    assert vm_cd.plan_cd(drives, present(device="1"), True) == [
        ("insert", "OpaqueRef:a", "1", "OpaqueRef:tools-iso", "guest-tools.iso")]


def test_a_new_cd_drive_on_a_device_a_disk_uses_is_refused():
    with pytest.raises(XenServerError, match="the VM has no CD drive and device 0 is taken by another of its disks"):
        vm_cd.plan_cd([], present(device="0"), True, ["0", "1"])


@pytest.mark.parametrize("drives, wanted, steps", [
    ([drive(vdi="OpaqueRef:tools-iso", iso="guest-tools.iso")], absent(),
     [("eject", "OpaqueRef:cd", "3", "guest-tools.iso")]),
    ([drive()], absent(), []),
    ([], absent(), []),
    ([drive(vdi="OpaqueRef:debian", iso="debian-10.iso")], absent(iso="guest-tools.iso"), []),
    ([drive("OpaqueRef:a", "1", vdi="OpaqueRef:tools-iso", iso="guest-tools.iso"),
      drive("OpaqueRef:b", "3", vdi="OpaqueRef:twin2", iso="guest-tools.iso")], absent(iso="guest-tools.iso"),
     [("eject", "OpaqueRef:a", "1", "guest-tools.iso"), ("eject", "OpaqueRef:b", "3", "guest-tools.iso")]),
], ids=["holds-it", "empty", "no-drive", "holds-another-than-iso", "every-drive-holding-iso"])
def test_plan_absent(drives, wanted, steps):
    assert vm_cd.plan_cd(drives, wanted, True) == steps


@pytest.mark.parametrize("step, words", [
    (("create", "3"), "create a CD drive at device 3"),
    (("plug", None, "3"), "plug the CD drive at device 3"),
    (("eject", "OpaqueRef:cd", "3", "debian-10.iso"), "eject debian-10.iso from the CD drive at device 3"),
    (("insert", "OpaqueRef:cd", "3", "OpaqueRef:tools-iso", "guest-tools.iso"),
     "insert guest-tools.iso into the CD drive at device 3"),
])
def test_steps_in_words(step, words):
    assert vm_cd.describe_step(step) == words


def test_views_and_the_planned_drive_of_check_mode():
    assert vm_cd.drive_view(None) == {}
    held = drive(vdi="OpaqueRef:debian", iso="debian-10.iso")
    assert vm_cd.drive_view(held) == {"device": "3", "iso": "debian-10.iso"}
    steps = vm_cd.plan_cd([held], present(), True)
    assert vm_cd.drive_view(vm_cd.planned_drive(held, steps)) == {"device": "3", "iso": "guest-tools.iso"}
    assert held["iso"] == "debian-10.iso"
    created = vm_cd.planned_drive(None, vm_cd.plan_cd([], present(device="4"), True))
    assert created == {"ref": None, "uuid": "", "userdevice": "4", "vdi": "OpaqueRef:tools-iso", "iso": "guest-tools.iso",
                       "attached": True}
    assert vm_cd.planned_drive(None, []) is None
    ejected = vm_cd.planned_drive(held, vm_cd.plan_cd([held], absent(), True))
    assert vm_cd.drive_view(ejected) == {"device": "3", "iso": ""}


def test_the_planned_drive_ignores_steps_on_other_drives():
    first = drive("OpaqueRef:a", "1", vdi="OpaqueRef:tools-iso", iso="guest-tools.iso")
    assert vm_cd.planned_drive(first, [("eject", "OpaqueRef:b", "3", "guest-tools.iso")]) == first


@pytest.mark.parametrize("steps, running, expected", [
    ([("insert", "OpaqueRef:cd", "3", "OpaqueRef:tools-iso", "guest-tools.iso")], False, True),
    ([("create", "3"), ("insert", None, "3", "OpaqueRef:tools-iso", "guest-tools.iso")], False, True),
    ([("insert", "OpaqueRef:cd", "3", "OpaqueRef:tools-iso", "guest-tools.iso")], True, False),
    ([("eject", "OpaqueRef:cd", "3", "guest-tools.iso")], False, False),
    ([], False, False),
])
def test_appears_at_next_start_only_for_an_insert_into_a_vm_that_does_not_run(steps, running, expected):
    assert vm_cd.appears_at_next_start(steps, running) is expected
