# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure planning behind the xenserver_vm_cd module: which ISO a VM's CD drive holds.

Everything here takes plain values (VBD, VDI and SR records as XenAPI returns them, the module's
parameters) and raises ``xenserver.XenServerError`` for input to refuse, so it unit-tests without
Ansible or XenAPI.

A CD drive is a VBD of type C(CD); its ISO is a VDI in an SR whose content_type is C(iso). The plan
works on "drives", plain dicts made by ``cd_drive``:
``{"ref", "uuid", "userdevice", "vdi" (ref or None when empty), "iso" (name-label or ""), "attached"}``.
"""

from __future__ import annotations

from ansible_collections.stackops.openstack.plugins.module_utils.xenserver import NULL_REF, XenServerError

CD_TYPE = "CD"
ISO_CONTENT_TYPE = "iso"
# How many ISO names an error about a missing ISO lists before "and N more"
LISTED_ISOS = 20


def check_device(device):
    """The userdevice number of a CD drive to create, as XenAPI wants it (a decimal string)."""
    text = str(device if device is not None else "").strip()
    if not text.isdigit():
        raise XenServerError("device %r is not a userdevice number: expected 0 or more (a CD drive is usually 3)" % device)
    return str(int(text))


def _sr_name(srs, ref):
    return (srs.get(ref) or {}).get("name_label") or ref


def _sr_content_type(srs, ref):
    return (srs.get(ref) or {}).get("content_type") or ""


def iso_names(vdis, srs):
    """The name-labels of the VDIs in ISO SRs (content_type C(iso)), sorted, each once."""
    return sorted(set(record.get("name_label", "") for record in vdis.values()
                      if _sr_content_type(srs, record.get("SR")) == ISO_CONTENT_TYPE))


def _listing(names):
    shown = ", ".join(names[:LISTED_ISOS])
    if len(names) > LISTED_ISOS:
        shown += " and %d more" % (len(names) - LISTED_ISOS)
    return shown


def find_iso(vdis, srs, name):
    """The (ref, record) of the one VDI named ``name`` in an ISO SR, among ``vdis`` (ref -> VDI record).

    ``srs``: ref -> SR record. A name no ISO has, a name only VDIs of other SRs have and a name several
    ISOs share are refused, saying what was found.
    """
    named = sorted((ref, record) for ref, record in vdis.items() if record.get("name_label") == name)
    isos = [(ref, record) for ref, record in named if _sr_content_type(srs, record.get("SR")) == ISO_CONTENT_TYPE]
    if len(isos) == 1:
        return isos[0]
    if len(isos) > 1:
        where = ", ".join("%s in SR %r" % (record.get("uuid", ref), _sr_name(srs, record.get("SR"))) for ref, record in isos)
        raise XenServerError("%d ISOs are named %r (%s): rename or remove all but one, the module needs a unique name"
                             % (len(isos), name, where))
    if named:
        where = ", ".join("SR %r (content_type %r)" % (_sr_name(srs, record.get("SR")), _sr_content_type(srs, record.get("SR")))
                          for dummy, record in named)
        raise XenServerError("no ISO is named %r: the VDI of that name is in %s, not in an ISO SR (content_type 'iso')"
                             % (name, where))
    available = iso_names(vdis, srs)
    if not available:
        raise XenServerError("no ISO is named %r: the pool has no ISO in an ISO SR (content_type 'iso'); create an ISO "
                             "library SR or check the XenServer Tools SR" % name)
    raise XenServerError("no ISO is named %r: the ISO SRs hold %s (xe vdi-list sr-uuid=... params=name-label)"
                         % (name, _listing(available)))


def cd_drive(ref, vbd, vdis):
    """The plain view of the CD VBD ``vbd`` (its ref ``ref``) that the plan works on; ``vdis``: ref -> VDI record."""
    vdi = vbd.get("VDI")
    if vbd.get("empty") or not vdi or vdi == NULL_REF:
        vdi, iso = None, ""
    else:
        iso = (vdis.get(vdi) or {}).get("name_label") or vdi
    return {"ref": ref, "uuid": vbd.get("uuid", ""), "userdevice": str(vbd.get("userdevice", "")), "vdi": vdi,
            "iso": iso, "attached": bool(vbd.get("currently_attached"))}


def _userdevice_order(drive):
    device = drive["userdevice"]
    return (0, int(device), "") if device.isdigit() else (1, 0, device)


def cd_drives(vbds, vdis):
    """The CD drives among ``vbds`` (ref -> VBD record of one VM), as ``cd_drive`` dicts sorted by userdevice."""
    drives = [cd_drive(ref, record, vdis) for ref, record in vbds.items() if record.get("type") == CD_TYPE]
    return sorted(drives, key=_userdevice_order)


def select_drive(drives, device):
    """The VM's CD drive: the one at userdevice ``device``, else the one with the lowest userdevice, else None."""
    for drive in drives:
        if drive["userdevice"] == device:
            return drive
    return drives[0] if drives else None


def target_drive(drives, wanted):
    """The CD drive the module reports on: for O(state=present) one that holds the wanted ISO, for
    O(state=absent) with an ISO one that holds it, else ``select_drive``."""
    if wanted["state"] == "present":
        holding = [drive for drive in drives if drive["vdi"] is not None and drive["vdi"] == wanted["vdi"]]
    elif wanted.get("iso"):
        holding = [drive for drive in drives if drive["vdi"] is not None and drive["iso"] == wanted["iso"]]
    else:
        holding = []
    return holding[0] if holding else select_drive(drives, wanted["device"])


def plan_cd(drives, wanted, vm_running, used_devices=()):
    """The XenAPI steps that make the VM's CD drive hold ``wanted``.

    ``drives``: the VM's CD drives (``cd_drives``). ``wanted``: ``state`` (present/absent), ``iso`` (name or
    None), ``vdi`` (the ISO's ref, for present), ``device`` (userdevice of a CD drive to create, from
    ``check_device``). ``used_devices``: the userdevices of all the VM's VBDs, disks too.

    Steps, each a tuple naming itself first; a ref of None means the drive created by the plan:
    ``("create", userdevice)``, ``("plug", ref, userdevice)``, ``("eject", ref, userdevice, iso)``,
    ``("insert", ref, userdevice, vdi, iso)``.

    present: a CD drive that holds the ISO is no change (plugged if the running VM has it unplugged);
    otherwise the VM's CD drive (``select_drive``) is ejected if it holds another ISO, then the ISO
    inserted; a VM without a CD drive gets one at ``device``, plugged when the VM runs (before the insert:
    on a running VM XenServer changes the medium of a plugged drive). absent: with ``iso``, every CD drive
    that holds it is ejected; without, the VM's CD drive is ejected.
    """
    if wanted["state"] == "absent":
        if wanted.get("iso"):
            return [("eject", drive["ref"], drive["userdevice"], drive["iso"]) for drive in drives
                    if drive["vdi"] is not None and drive["iso"] == wanted["iso"]]
        drive = select_drive(drives, wanted["device"])
        if drive is None or drive["vdi"] is None:
            return []
        return [("eject", drive["ref"], drive["userdevice"], drive["iso"])]
    drive = target_drive(drives, wanted)
    if drive is None:
        device = wanted["device"]
        if device in set(str(used) for used in used_devices):
            raise XenServerError("the VM has no CD drive and device %s is taken by another of its disks: choose a free "
                                 "device for the CD drive (xe vm-disk-list vm=... shows the used ones)" % device)
        steps = [("create", device)]
        if vm_running:
            steps.append(("plug", None, device))
        return steps + [("insert", None, device, wanted["vdi"], wanted["iso"])]
    steps = []
    if vm_running and not drive["attached"]:
        steps.append(("plug", drive["ref"], drive["userdevice"]))
    if drive["vdi"] is not None and drive["vdi"] == wanted["vdi"]:
        return steps
    if drive["vdi"] is not None:
        steps.append(("eject", drive["ref"], drive["userdevice"], drive["iso"]))
    return steps + [("insert", drive["ref"], drive["userdevice"], wanted["vdi"], wanted["iso"])]


def describe_step(step):
    """One step in words, as the module's C(actions) list says it."""
    if step[0] == "create":
        return "create a CD drive at device %s" % step[1]
    if step[0] == "plug":
        return "plug the CD drive at device %s" % step[2]
    if step[0] == "eject":
        return "eject %s from the CD drive at device %s" % (step[3], step[2])
    return "insert %s into the CD drive at device %s" % (step[4], step[2])


def drive_view(drive):
    """What the module shows of a CD drive in its diff: its userdevice and the ISO it holds ("" when empty)."""
    if drive is None:
        return {}
    return {"device": drive["userdevice"], "iso": drive["iso"]}


def planned_drive(drive, steps):
    """A copy of ``drive`` (or the drive the steps create) as it is once ``steps`` ran (for check mode).

    Returns None when there is no drive before and the steps create none.
    """
    after = dict(drive) if drive is not None else None
    for step in steps:
        if step[0] == "create":
            after = {"ref": None, "uuid": "", "userdevice": step[1], "vdi": None, "iso": "", "attached": False}
        elif after is None or (step[1] is not None and step[1] != after["ref"]):
            continue  # a step on another drive (absent ejects every drive holding the ISO)
        elif step[0] == "plug":
            after["attached"] = True
        elif step[0] == "eject":
            after.update(vdi=None, iso="")
        elif step[0] == "insert":
            after.update(vdi=step[3], iso=step[4])
    return after


def appears_at_next_start(steps, vm_running):
    """Whether the guest sees the inserted ISO (and a new drive) only when the VM starts: it is not running."""
    return not vm_running and any(step[0] == "insert" for step in steps)
