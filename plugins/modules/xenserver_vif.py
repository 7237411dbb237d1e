#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: xenserver_vif
short_description: A XenServer VM's network interface (VIF) on a network at a device number
version_added: 1.1.0
description:
  - Makes sure a VM has a VIF at device O(device) on the network O(network) (by name-label), through XenAPI on the
    pool master, as C(xe vif-create) and C(xe vif-plug uuid=...) do.
  - A new VIF is plugged at once when the VM runs; on a halted VM it appears at the VM's next start, and the result
    says so (RV(appears_at_next_start)).
  - The MAC address stays what it is. A new VIF gets O(mac), or one XenServer derives from the VM's C(mac_seed).
  - A VIF already at O(device) on another network, or with another MAC than O(mac), is not moved unless
    O(replace=true); it is then unplugged, destroyed and created again on the new network with the same MAC (unless
    O(mac) gives another one), so the guest keeps its interface naming.
  - The host-internal management network (HIMN) is the network named C(Host internal management network) (bridge
    C(xenapi)).
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
    details: The VIF's device, network, MAC and whether it is attached, before and after.
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
  device:
    description: The VIF's device number (C(eth0) in the guest is usually device V(0)).
    type: int
    required: true
  network:
    description: The name-label of the network the VIF is on. Required with O(state=present).
    type: str
  mac:
    description:
      - The MAC address of a new (or replaced) VIF. When not given, an existing VIF keeps its MAC and a new one gets
        XenServer's.
    type: str
  mtu:
    description: The MTU of a new VIF. When not given, the network's MTU.
    type: int
  replace:
    description: Recreate a VIF at O(device) that is on another network or has another MAC than O(mac).
    type: bool
    default: false
  state:
    description: Whether the VM has a VIF at O(device).
    type: str
    choices: [present, absent]
    default: present
requirements:
  - XenAPI (the Python client on PyPI)
seealso:
  - module: stackops.openstack.xenserver_network
  - module: community.general.xenserver_guest
'''

EXAMPLES = r'''
- name: The compute domU's VM network on eth2
  stackops.openstack.xenserver_vif:
    hostname: xenserver1.example.com
    password: "{{ vault_xenserver_password }}"
    vm: compute1
    device: 2
    network: openstack-vm
  delegate_to: localhost

- name: The host-internal management network (HIMN) on device 9
  stackops.openstack.xenserver_vif:
    hostname: xenserver1.example.com
    password: "{{ vault_xenserver_password }}"
    vm: compute1
    device: 9
    network: Host internal management network
  delegate_to: localhost
  register: himn_vif
'''

RETURN = r'''
uuid:
  description: The VIF's UUID (in check mode, empty for a VIF that would be created).
  returned: state is present
  type: str
  sample: 4b0e1f7c-9a1d-4a53-8d3e-5c2b1a0f9e8d
mac:
  description: The VIF's MAC address (in check mode, empty for a VIF whose MAC XenServer would choose).
  returned: state is present
  type: str
  sample: 02:16:3e:5a:00:09
attached:
  description: Whether the VIF is plugged into the running VM (in check mode, would be).
  returned: state is present
  type: bool
  sample: true
appears_at_next_start:
  description: The VM is not running, so a new or replaced VIF reaches the guest at its next start.
  returned: state is present
  type: bool
  sample: false
actions:
  description: The XenAPI steps taken (in check mode, that would be taken).
  returned: always
  type: list
  elements: str
  sample: ["create VIF at device 2 on openstack-vm", "plug it"]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver


def describe(step, params):
    if step[0] == "create":
        return "create VIF at device %d on %s" % (params["device"], params["network"])
    if step[0] == "plug":
        return "plug it"
    if step[0] == "unplug":
        return "unplug the VIF at device %d" % params["device"]
    return "destroy the VIF at device %d" % params["device"]


def apply(api, vm_ref, vif_ref, network_ref, steps, params):
    for step in steps:
        if step[0] == "unplug":
            api.VIF.unplug(vif_ref)
        elif step[0] == "destroy":
            api.VIF.destroy(vif_ref)
            vif_ref = None
        elif step[0] == "create":
            mtu = params["mtu"] if params["mtu"] is not None else int(api.network.get_MTU(network_ref))
            vif_ref = api.VIF.create({
                "VM": vm_ref, "network": network_ref, "device": str(params["device"]), "MAC": step[1],
                "MTU": str(mtu), "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {},
            })
        elif step[0] == "plug":
            api.VIF.plug(vif_ref)
    return vif_ref


def main():
    argument_spec = xenserver.xenserver_argument_spec()
    argument_spec.update(
        vm=dict(type="str", required=True),
        device=dict(type="int", required=True),
        network=dict(type="str"),
        mac=dict(type="str"),
        mtu=dict(type="int"),
        replace=dict(type="bool", default=False),
        state=dict(type="str", choices=["present", "absent"], default="present"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True,
                           required_if=[("state", "present", ("network",))])
    params = module.params
    if params["device"] < 0:
        module.fail_json(msg="device %d is not a device number: expected 0 or more" % params["device"])
    if params["mtu"] is not None and not 68 <= params["mtu"] <= 9216:
        module.fail_json(msg="mtu %d is out of range: expected 68 to 9216" % params["mtu"])
    try:
        wanted = dict(params, mac=xenserver.normalize_mac(params["mac"]))
    except xenserver.XenServerError as exc:
        module.fail_json(msg=str(exc))
    session = xenserver.module_session(module)
    api = session.xenapi
    doing = "converge the VIF at device %d of VM %s" % (params["device"], params["vm"])
    try:
        try:
            vm_ref, vm = xenserver.find_vm(api.VM.get_all_records(), params["vm"])
            running = vm["power_state"] == "Running"
            networks = api.network.get_all_records()
            vif_ref, vif = None, None
            for ref in vm["VIFs"]:
                record = api.VIF.get_record(ref)
                if int(record["device"]) == params["device"]:
                    vif_ref, vif = ref, record
            vif_network = networks.get(vif["network"], {}).get("name_label") if vif else None
            network_ref = None
            if params["state"] == "present":
                network_ref, dummy = xenserver.find_network(networks, params["network"])
                if network_ref is None:
                    raise xenserver.XenServerError("no network is named %r: create it first (stackops.openstack."
                                                   "xenserver_network)" % params["network"])
            steps = xenserver.plan_vif(vif, vif_network, wanted, running)
            before = xenserver.vif_view(vif, vif_network, running)
            if steps and not module.check_mode:
                vif_ref = apply(api, vm_ref, vif_ref, network_ref, steps, params)
        except xenserver.XenServerError as exc:
            module.fail_json(msg=str(exc))
        except Exception as exc:  # XenAPI.Failure and transport errors: reported in words, never a traceback
            module.fail_json(msg=xenserver.failure_message(exc, doing))
        result = dict(changed=bool(steps), actions=[describe(step, params) for step in steps])
        if params["state"] == "absent":
            after = {}
        elif module.check_mode:
            recreated = any(step[0] == "create" for step in steps)
            mac = (wanted["mac"] or (vif["MAC"] if vif else "")) if recreated else vif["MAC"]
            after = {"device": params["device"], "network": params["network"], "mac": mac, "attached": running}
            result.update(uuid="" if recreated else vif["uuid"], mac=mac, attached=running,
                          appears_at_next_start=recreated and not running)
        else:
            vif = api.VIF.get_record(vif_ref)
            after = xenserver.vif_view(vif, params["network"], running)
            recreated = any(step[0] == "create" for step in steps)
            result.update(uuid=vif["uuid"], mac=vif["MAC"], attached=after["attached"],
                          appears_at_next_start=recreated and not running)
        if module._diff:
            result["diff"] = dict(before=before, after=after)
        module.exit_json(**result)
    finally:
        xenserver.logout(session)


if __name__ == "__main__":
    main()
