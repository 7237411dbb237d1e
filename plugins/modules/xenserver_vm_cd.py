#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: xenserver_vm_cd
short_description: The ISO in a XenServer VM's CD drive (the guest tools ISO, for one)
version_added: 1.1.0
description:
  - Makes the CD drive of a VM hold the ISO named O(iso), or hold nothing with O(state=absent), through XenAPI on the
    pool master, as C(xe vm-cd-insert), C(xe vm-cd-eject) and C(xe vm-cd-add) do.
  - The ISO is a VDI found by its name-label in an SR whose content type is C(iso), such as C(guest-tools.iso) in
    the C(XenServer Tools) SR. No such VDI, a VDI of that name only in other SRs, or several ISOs of that name make
    the module fail without a change, saying what it found.
  - The VM's CD drive is the one at userdevice O(device), else its CD drive with the lowest userdevice. A drive that
    holds another ISO is ejected before the insert. When any CD drive of the VM already holds the ISO, nothing
    changes.
  - A VM without a CD drive gets one at O(device) (read-only, empty, not bootable). On a running VM it is plugged at
    once; on a halted VM it and the ISO appear at the VM's next start, and the result says so
    (RV(appears_at_next_start)).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - stackops.openstack.xenserver
  - stackops.openstack.action_groups.xenserver
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what would change and calls no XenAPI message that writes.
  diff_mode:
    support: full
    details: The CD drive's userdevice and the name of the ISO it holds (empty when none), before and after.
  platform:
    support: full
    platforms: posix
options:
  vm:
    description:
      - The VM's name-label. No VM, several VMs of that name, a template or a control domain (dom0) make the module
        fail without a change.
    type: str
    required: true
  iso:
    description:
      - The name-label of the ISO (a VDI in an SR of content type C(iso)). Required with O(state=present).
      - With O(state=absent), only CD drives that hold an ISO of this name are ejected.
    type: str
  state:
    description:
      - V(present) makes the VM's CD drive hold O(iso); V(absent) ejects what the VM's CD drive holds (only O(iso),
        when given).
    type: str
    choices: [present, absent]
    default: present
  device:
    description:
      - The userdevice of the CD drive to create when the VM has none, and the CD drive meant when the VM has
        several.
    type: str
    default: "3"
requirements:
  - XenAPI (the Python client on PyPI)
seealso:
  - module: stackops.openstack.xenserver_vif
  - module: community.general.xenserver_guest
'''

EXAMPLES = r'''
- name: The guest tools ISO in the compute domU's CD drive
  stackops.openstack.xenserver_vm_cd:
    hostname: xenserver1.example.com
    password: "{{ vault_xenserver_password }}"
    vm: compute1
    iso: guest-tools.iso
  delegate_to: localhost
  register: tools_cd

- name: Say when the guest sees the ISO only after a start
  ansible.builtin.debug:
    msg: "compute1 sees {{ tools_cd.iso }} at its next start"
  when: tools_cd.appears_at_next_start

- name: Eject the guest tools ISO once they are installed
  stackops.openstack.xenserver_vm_cd:
    hostname: xenserver1.example.com
    password: "{{ vault_xenserver_password }}"
    vm: compute1
    iso: guest-tools.iso
    state: absent
  delegate_to: localhost
'''

RETURN = r'''
vbd:
  description: The UUID of the CD drive (VBD); in check mode empty for a drive that would be created, and empty when
    the VM has no CD drive and none is needed.
  returned: always
  type: str
  sample: 9c1f3e52-7d4a-4b8e-a1f0-3e6d2c5b4a19
iso:
  description: The name of the ISO the CD drive holds after the run (in check mode, would hold); empty when none.
  returned: always
  type: str
  sample: guest-tools.iso
appears_at_next_start:
  description: The VM is not running, so the inserted ISO (and a new CD drive) reaches the guest at its next start.
  returned: always
  type: bool
  sample: false
actions:
  description: The XenAPI steps taken (in check mode, that would be taken).
  returned: always
  type: list
  elements: str
  sample: ["eject old-tools.iso from the CD drive at device 3", "insert guest-tools.iso into the CD drive at device 3"]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver_vm_cd as vm_cd


def apply(api, vm_ref, steps):
    """Runs the plan's steps; returns the ref of the drive created (None when none was)."""
    created = None
    for step in steps:
        ref = created if step[0] == "create" or step[1] is None else step[1]
        if step[0] == "create":
            created = api.VBD.create({
                "VM": vm_ref, "VDI": xenserver.NULL_REF, "userdevice": step[1], "bootable": False, "mode": "RO",
                "type": vm_cd.CD_TYPE, "empty": True, "unpluggable": True, "other_config": {},
                "qos_algorithm_type": "", "qos_algorithm_params": {},
            })
        elif step[0] == "plug":
            api.VBD.plug(ref)
        elif step[0] == "eject":
            api.VBD.eject(ref)
        elif step[0] == "insert":
            api.VBD.insert(ref, step[3])
    return created


def main():
    argument_spec = xenserver.xenserver_argument_spec()
    argument_spec.update(
        vm=dict(type="str", required=True),
        iso=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        device=dict(type="str", default="3"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[("state", "present", ("iso",))])
    params = module.params
    try:
        device = vm_cd.check_device(params["device"])
    except xenserver.XenServerError as exc:
        module.fail_json(msg=str(exc))
    wanted = {"state": params["state"], "iso": params["iso"], "device": device, "vdi": None}
    session = xenserver.module_session(module)
    api = session.xenapi
    if params["state"] == "present":
        doing = "put ISO %s in the CD drive of VM %s" % (params["iso"], params["vm"])
    else:
        doing = "eject the CD of VM %s" % params["vm"]
    try:
        try:
            vm_ref, vm = xenserver.find_vm(api.VM.get_all_records(), params["vm"])
            running = vm["power_state"] == "Running"
            vbds = dict((ref, api.VBD.get_record(ref)) for ref in vm["VBDs"])
            vdis = api.VDI.get_all_records()
            if params["state"] == "present":
                wanted["vdi"], dummy = vm_cd.find_iso(vdis, api.SR.get_all_records(), params["iso"])
            drives = vm_cd.cd_drives(vbds, vdis)
            steps = vm_cd.plan_cd(drives, wanted, running, [record.get("userdevice") for record in vbds.values()])
            drive = vm_cd.target_drive(drives, wanted)
            before = vm_cd.drive_view(drive)
            if steps and not module.check_mode:
                created = apply(api, vm_ref, steps)
                ref = created or (drive["ref"] if drive else None)
                drive = vm_cd.cd_drive(ref, api.VBD.get_record(ref), vdis) if ref else None
            else:
                drive = vm_cd.planned_drive(drive, steps)
        except xenserver.XenServerError as exc:
            module.fail_json(msg=str(exc))
        except Exception as exc:  # XenAPI.Failure and transport errors: reported in words, never a traceback
            module.fail_json(msg=xenserver.failure_message(exc, doing))
        after = vm_cd.drive_view(drive)
        result = dict(changed=bool(steps), actions=[vm_cd.describe_step(step) for step in steps],
                      vbd=drive["uuid"] if drive else "", iso=drive["iso"] if drive else "",
                      appears_at_next_start=vm_cd.appears_at_next_start(steps, running))
        if module._diff:
            result["diff"] = dict(before=before, after=after)
        module.exit_json(**result)
    finally:
        xenserver.logout(session)


if __name__ == "__main__":
    main()
