#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: xenserver_network
short_description: A XenServer network by name, with its MTU, other-config keys and an optional VLAN
version_added: 1.1.0
description:
  - Creates, converges or removes a XenServer (XCP-ng, Citrix Hypervisor) network found by its name-label, through
    XenAPI on the pool master. A new network gets a C(xapiN) bridge from XenServer, as C(xe network-create) does.
  - Sets single keys of the network's C(other-config) and leaves its other keys alone.
  - With O(vlan), the network carries that VLAN tag on the physical interface O(vlan.device) of every host of the
    pool (C(xe pool-vlan-create)). A network that already carries another VLAN is not moved; the module refuses.
  - O(state=absent) removes the network and its VLANs; XenServer refuses while a running VM has a VIF on it, and the
    module reports that.
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
    details: The network's name, MTU, managed other-config keys and VLAN, before and after.
  platform:
    support: full
    platforms: posix
options:
  name:
    description:
      - The network's name-label. Two networks with this name make the module fail, naming their UUIDs.
    type: str
    required: true
  state:
    description: Whether the network exists.
    type: str
    choices: [present, absent]
    default: present
  mtu:
    description: The network's MTU. Left as it is when not given (XenServer makes new networks V(1500)).
    type: int
  other_config:
    description:
      - Keys of the network's C(other-config) map and their values (strings; V(true) and V(false) as C(xe) writes
        them). Only these keys are set; other keys stay.
    type: dict
    default: {}
  description:
    description: The network's name-description, set when the network is created.
    type: str
    default: ''
  vlan:
    description: A VLAN for the network, on a physical interface of every host of the pool.
    type: dict
    suboptions:
      tag:
        description: The 802.1Q tag, V(0) to V(4094).
        type: int
        required: true
      device:
        description: The physical interface (PIF device) that carries the VLAN, for example V(eth1).
        type: str
        required: true
requirements:
  - XenAPI (the Python client on PyPI)
seealso:
  - module: community.general.xenserver_facts
'''

EXAMPLES = r'''
- name: The VM network of the compute domU, VLAN 300 on eth1
  stackops.openstack.xenserver_network:
    hostname: xenserver1.example.com
    username: root
    password: "{{ vault_xenserver_password }}"
    name: openstack-vm
    mtu: 1500
    other_config:
      automatic: "false"
    vlan:
      tag: 300
      device: eth1
  delegate_to: localhost
  register: vm_network

- name: Remove a network no guest uses any more
  stackops.openstack.xenserver_network:
    hostname: xenserver1.example.com
    password: "{{ vault_xenserver_password }}"
    name: old-storage
    state: absent
  delegate_to: localhost
'''

RETURN = r'''
uuid:
  description: The network's UUID (in check mode, empty for a network that would be created).
  returned: state is present
  type: str
  sample: 9f1c0b6e-4a0e-4d6b-8f3b-1e2d3c4b5a69
bridge:
  description: The network's bridge in dom0 (in check mode, empty for a network that would be created).
  returned: state is present
  type: str
  sample: xapi3
network:
  description: The network as the module manages it (name, MTU, other-config, VLAN).
  returned: state is present
  type: dict
  sample: {name: openstack-vm, mtu: 1500, other_config: {automatic: "false"}, vlan: {tag: 300, device: eth1}}
actions:
  description: The XenAPI steps taken (in check mode, that would be taken).
  returned: always
  type: list
  elements: str
  sample: ["create network openstack-vm", "create VLAN 300 on eth1"]
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver


def network_vlans(api, network_ref):
    """The VLANs on a network: tag, device and the VLAN object (one per host)."""
    vlans = []
    for pif in api.PIF.get_all_records().values():
        if pif["network"] == network_ref and int(pif["VLAN"]) >= 0:
            vlans.append({"tag": int(pif["VLAN"]), "device": pif["device"], "vlan_ref": pif["VLAN_master_of"]})
    return vlans


def describe(step, name):
    if step[0] == "create":
        return "create network %s" % name
    if step[0] == "create_vlan":
        return "create VLAN %d on %s" % (step[2], step[1])
    if step[0] == "set_mtu":
        return "set MTU %d" % step[1]
    if step[0] == "set_other_config":
        return "set other-config:%s" % step[1]
    return "destroy network %s and its VLANs" % name


def apply(api, ref, record, vlans, steps, params):
    for step in steps:
        if step[0] == "create":
            network = {"name_label": params["name"], "name_description": params["description"],
                       "other_config": step[2]}
            if step[1] is not None:
                network["MTU"] = str(step[1])
            ref = api.network.create(network)
        elif step[0] == "create_vlan":
            api.pool.create_VLAN(step[1], ref, str(step[2]))
        elif step[0] == "set_mtu":
            api.network.set_MTU(ref, str(step[1]))
        elif step[0] == "set_other_config":
            # add_to_other_config refuses a key that exists, even with the same value
            if step[2] is not None:
                api.network.remove_from_other_config(ref, step[1])
            api.network.add_to_other_config(ref, step[1], step[3])
        elif step[0] == "destroy":
            for vlan_ref in sorted(set(v["vlan_ref"] for v in vlans)):
                api.VLAN.destroy(vlan_ref)
            api.network.destroy(ref)
    return ref


def main():
    argument_spec = xenserver.xenserver_argument_spec()
    argument_spec.update(
        name=dict(type="str", required=True),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        mtu=dict(type="int"),
        other_config=dict(type="dict", default={}),
        description=dict(type="str", default=""),
        vlan=dict(type="dict", options=dict(tag=dict(type="int", required=True), device=dict(type="str", required=True))),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["mtu"] is not None and not 68 <= params["mtu"] <= 9216:
        module.fail_json(msg="mtu %d is out of range: expected 68 to 9216" % params["mtu"])
    if params["vlan"] and not 0 <= params["vlan"]["tag"] <= 4094:
        module.fail_json(msg="vlan.tag %d is out of range: expected 0 to 4094" % params["vlan"]["tag"])
    name = params["name"]
    session = xenserver.module_session(module)
    api = session.xenapi
    try:
        try:
            ref, record = xenserver.find_network(api.network.get_all_records(), name)
            vlans = network_vlans(api, ref) if ref else []
            steps = xenserver.plan_network(record, vlans, params)
            before = xenserver.network_view(record, *((vlans[0]["tag"], vlans[0]["device"]) if vlans else ()))
            if steps and not module.check_mode:
                ref = apply(api, ref, record, vlans, steps, params)
        except xenserver.XenServerError as exc:
            module.fail_json(msg=str(exc))
        except Exception as exc:  # XenAPI.Failure and transport errors: reported in words, never a traceback
            module.fail_json(msg=xenserver.failure_message(exc, "converge network %s" % name))
        result = dict(changed=bool(steps), actions=[describe(step, name) for step in steps])
        if params["state"] == "absent":
            after = {}
        elif module.check_mode or not steps:
            after = dict(before or {"name": name, "mtu": 1500, "other_config": {}})
            if params["mtu"] is not None:
                after["mtu"] = params["mtu"]
            after["other_config"] = dict(after["other_config"], **dict((k, xenserver.map_string(v)) for k, v in params["other_config"].items()))
            if params["vlan"]:
                after["vlan"] = dict(tag=params["vlan"]["tag"], device=params["vlan"]["device"])
            result.update(uuid=record["uuid"] if record else "", bridge=record["bridge"] if record else "", network=after)
        else:
            record = api.network.get_record(ref)
            vlans = network_vlans(api, ref)
            after = xenserver.network_view(record, *((vlans[0]["tag"], vlans[0]["device"]) if vlans else ()))
            result.update(uuid=record["uuid"], bridge=record["bridge"], network=after)
        if module._diff:
            result["diff"] = dict(before=before, after=after)
        module.exit_json(**result)
    finally:
        xenserver.logout(session)


if __name__ == "__main__":
    main()
