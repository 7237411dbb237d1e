# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: xenserver_nova_settings
short_description: nova.conf settings of a XenServer compute domU with the option names of a nova release
version_added: 1.1.0
author:
  - stackops maintainers (@stackops)
description:
  - Takes a nova release name and the XenAPI settings of a compute domU, and returns the nova.conf sections and
    options for M(stackops.openstack.openstack_config)'s O(stackops.openstack.openstack_config#module:settings).
  - Grizzly and Havana name the options C(xenapi_*) in C([DEFAULT]); Icehouse to Ussuri put them in C([xenserver])
    without the prefix. C(vif_driver) exists until Queens, C(image_handler) from Rocky, and from Ocata
    C(ovs_integration_bridge) has no default and must be given. C(compute_driver) is C(xenapi.XenAPIDriver).
  - Victoria (nova 22.0.0) removed the XenAPI driver; that release and later ones, an unknown release, a setting the
    release does not have and a missing required setting fail with a message that says which.
options:
  _input:
    description: The nova release, by its code name (V(grizzly) to V(ussuri)), in any case.
    type: str
    required: true
  settings:
    description:
      - The XenAPI settings, some of V(connection_url), V(connection_username), V(connection_password) (the three
        are required), V(sr_base_path), V(vif_driver), V(ovs_integration_bridge), V(image_handler),
        V(sr_matching_filter). An empty or null value leaves the option out.
    type: dict
    required: true
  networking:
    description:
      - What the XenAPI driver needs for the cloud's networking.
      - V(neutron) adds the Open vSwitch VIF driver (C(vif_driver), until Queens).
      - V(flatdhcp) adds nova-network's FlatDHCP options in C([DEFAULT]) (C(network_manager), C(flat_network_bridge),
        C(flat_interface), C(public_interface), the dom0 iptables C(firewall_driver)) and the bridge VIF driver; it
        ends at Queens, and later releases fail with the reason (Rocky removed the bridge VIF driver, Ussuri
        nova-network).
      - A V(vif_driver) given in O(settings) wins over the one chosen here.
    type: str
    choices: [none, neutron, flatdhcp]
    default: none
  network:
    description:
      - For O(networking=flatdhcp), V(flat_network_bridge) (the XenServer bridge of the VM network, for example
        V(xapi1)), V(flat_interface) and V(public_interface) (the domU's interfaces on the VM and public networks).
    type: dict
    default: {}
'''

EXAMPLES = r'''
- name: nova.conf of the compute domU, Ussuri names
  stackops.openstack.openstack_config:
    path: /etc/nova/nova.conf
    settings: "{{ 'ussuri' | stackops.openstack.xenserver_nova_settings(xenapi_settings) }}"
  vars:
    xenapi_settings:
      connection_url: http://169.254.0.1
      connection_username: root
      connection_password: "{{ vault_xenserver_password }}"
      ovs_integration_bridge: xapi1

- name: Queens with nova-network's FlatDHCP
  stackops.openstack.openstack_config:
    path: /etc/nova/nova.conf
    settings: >-
      {{ 'queens' | stackops.openstack.xenserver_nova_settings(xenapi_settings, networking='flatdhcp',
         network={'flat_network_bridge': 'xapi1', 'flat_interface': 'eth2', 'public_interface': 'eth1'}) }}
'''

RETURN = r'''
_value:
  description: Sections of nova.conf, each a mapping of option names to values.
  type: dict
  sample: {DEFAULT: {compute_driver: xenapi.XenAPIDriver}, xenserver: {connection_url: "http://169.254.0.1",
           connection_username: root, connection_password: secret, ovs_integration_bridge: xapi1}}
'''

from ansible.errors import AnsibleFilterError
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver_nova


def xenserver_nova_settings(release, settings, networking="none", network=None):
    if not isinstance(settings, dict):
        raise AnsibleFilterError("xenserver_nova_settings expects a dict of settings, got %s" % type(settings).__name__)
    if network is not None and not isinstance(network, dict):
        raise AnsibleFilterError("xenserver_nova_settings expects network as a dict, got %s" % type(network).__name__)
    try:
        return xenserver_nova.merge_settings(xenserver_nova.network_settings(release, networking, network),
                                             xenserver_nova.nova_settings(release, settings))
    except xenserver_nova.XenServerNovaError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule:
    """nova.conf settings of a XenServer compute domU."""

    def filters(self):
        return {"xenserver_nova_settings": xenserver_nova_settings}
