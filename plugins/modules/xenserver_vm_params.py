#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: xenserver_vm_params
short_description: Single other-config and xenstore-data keys and the description of an existing XenServer VM
version_added: 1.1.0
description:
  - Sets and removes single keys of the C(other-config) and C(xenstore-data) maps of an existing XenServer (XCP-ng,
    Citrix Hypervisor) VM found by its name-label, through XenAPI on the pool master, as C(xe vm-param-set) and
    C(xe vm-param-remove) do. Keys the module is not given stay as they are.
  - Optionally sets the VM's name-description.
  - Values are compared as strings. A key that exists with another value is removed and added again (XenAPI refuses
    to add a key that exists); removing a key the VM does not have is no change.
  - C(xenstore-data) reaches the guest only when the VM starts; for a running or paused VM whose C(xenstore-data)
    changed the module returns RV(restart_needed=true) and does not restart it. C(other-config) and the
    name-description need no restart.
  - The VM must be a guest; a template, a snapshot, a host's control domain, a name no VM has and a name several VMs
    share are refused.
  - Runs where the XenAPI Python library is, usually the controller; dom0 is not contacted over SSH.
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
    details: The managed keys of C(other-config) and C(xenstore-data) (those given and those to remove) and the
      name-description when O(name_description) is given, before and after.
  platform:
    support: full
    platforms: posix
options:
  name:
    description:
      - The VM's name-label. Two VMs with this name make the module fail, naming their UUIDs.
    type: str
    required: true
  other_config:
    description:
      - Keys of the VM's C(other-config) map and their values. Only these keys are set; other keys stay.
      - Values are strings; YAML booleans become V(true) and V(false), as XenServer writes them, numbers their
        decimal form. A key without a value is refused (list it in O(remove_other_config) to remove it).
      - The VM's automatic start with its host is not a VM field but the key C(auto_poweron) of this map
        (C(auto_poweron=true), and the pool's C(other-config:auto_poweron) too).
    type: dict
    default: {}
  remove_other_config:
    description:
      - Keys to remove from the VM's C(other-config) map. A key the VM does not have is skipped.
      - A key may not be both here and in O(other_config).
    type: list
    elements: str
    default: []
  xenstore_data:
    description:
      - Keys of the VM's C(xenstore-data) map and their values, written to the guest's xenstore when the VM starts
        (for example V(vm-data/...) keys a guest agent reads). Only these keys are set; other keys stay.
      - Values as for O(other_config).
    type: dict
    default: {}
  remove_xenstore_data:
    description:
      - Keys to remove from the VM's C(xenstore-data) map. A key the VM does not have is skipped.
      - A key may not be both here and in O(xenstore_data).
    type: list
    elements: str
    default: []
  name_description:
    description: The VM's name-description. Left as it is when not given.
    type: str
requirements:
  - XenAPI (the Python client on PyPI)
notes:
  - Only the VM's record is changed; the module never starts, stops or restarts the VM. Act on RV(restart_needed),
    for example with a reboot the guest's owner agrees to.
seealso:
  - module: stackops.openstack.xenserver_network
  - module: community.general.xenserver_guest
'''

EXAMPLES = r'''
- name: The compute domU runs nova-compute for XenServer, starts with its host and knows the HIMN's MAC
  stackops.openstack.xenserver_vm_params:
    hostname: xenserver1.example.com
    username: root
    password: "{{ vault_xenserver_password }}"
    name: compute
    other_config:
      os-vpx: true
      auto_poweron: true
    xenstore_data:
      vm-data/himn_mac: "{{ himn_vif_mac }}"
  delegate_to: localhost
  register: domu_params

- name: Tell when the guest has not seen its new xenstore-data yet
  ansible.builtin.debug:
    msg: "{{ domu_params.restart_reason }}: restart the compute domU"
  when: domu_params.restart_needed

- name: Drop a key no longer used and describe the VM
  stackops.openstack.xenserver_vm_params:
    hostname: xenserver1.example.com
    password: "{{ vault_xenserver_password }}"
    name: compute
    remove_xenstore_data:
      - vm-data/old_key
    name_description: OpenStack compute domU
  delegate_to: localhost
'''

RETURN = r'''
uuid:
  description: The VM's UUID.
  returned: success
  type: str
  sample: 5d4b7a0e-3c1f-4e8a-9b2d-7f6e5d4c3b2a
power_state:
  description: The VM's power state as XenAPI names it.
  returned: success
  type: str
  sample: Running
changes:
  description: The changes made (in check mode, that would be made), one per key, in order.
  returned: success
  type: list
  elements: str
  sample: ["set other-config:os-vpx", "set xenstore-data:vm-data/himn_mac", "remove xenstore-data:vm-data/old_key",
           "set name-description"]
restart_needed:
  description:
    - Whether the VM must start again before its guest sees the changes. V(true) when C(xenstore-data) changed (in
      check mode, would change) while the VM is V(Running) or V(Paused).
  returned: success
  type: bool
  sample: true
restart_reason:
  description: Why a restart is needed; empty when RV(restart_needed) is V(false).
  returned: success
  type: str
  sample: xenstore-data reaches the guest at its next start
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver_vm_params as vm_params


def apply(api, ref, steps):
    for step in steps:
        if step[0] == "set":
            # add_to_<map> refuses a key that exists (MAP_DUPLICATE_KEY), even with the same value
            if step[3] is not None:
                getattr(api.VM, "remove_from_" + step[1])(ref, step[2])
            getattr(api.VM, "add_to_" + step[1])(ref, step[2], step[4])
        elif step[0] == "remove":
            getattr(api.VM, "remove_from_" + step[1])(ref, step[2])
        elif step[0] == "set_name_description":
            api.VM.set_name_description(ref, step[2])


def main():
    argument_spec = xenserver.xenserver_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        other_config=dict(type="dict", default={}),
        remove_other_config=dict(type="list", elements="str", default=[]),
        xenstore_data=dict(type="dict", default={}),
        remove_xenstore_data=dict(type="list", elements="str", default=[]),
        name_description=dict(type="str"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    name = params["name"]
    try:
        wanted = vm_params.validate(params)
    except xenserver.XenServerError as exc:
        module.fail_json(msg=str(exc))
    session = xenserver.module_session(module)
    api = session.xenapi
    try:
        try:
            ref, record = xenserver.find_vm(api.VM.get_all_records(), name)
            steps = vm_params.plan_vm_params(record, wanted)
            before = vm_params.managed_view(record, wanted)
            if steps and not module.check_mode:
                apply(api, ref, steps)
                after_record = api.VM.get_record(ref)
            else:
                after_record = vm_params.planned_record(record, steps)
        except xenserver.XenServerError as exc:
            module.fail_json(msg=str(exc))
        except Exception as exc:  # XenAPI.Failure and transport errors: reported in words, never a traceback
            module.fail_json(msg=xenserver.failure_message(exc, "change the parameters of VM %s" % name))
        needed, reason = vm_params.restart_needed(record.get("power_state"), steps)
        result = dict(changed=bool(steps), uuid=record["uuid"], power_state=record.get("power_state"),
                      changes=[vm_params.describe_step(step) for step in steps], restart_needed=needed, restart_reason=reason)
        if module._diff:
            result["diff"] = dict(before=before, after=vm_params.managed_view(after_record, wanted))
        module.exit_json(**result)
    finally:
        xenserver.logout(session)


if __name__ == "__main__":
    main()
