# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: host_networks
short_description: The addresses of a host's interfaces with their prefix length, from its facts
version_added: 1.0.0
author:
  - stackops maintainers (@stackops)
description:
  - Reads the interface facts gathered by M(ansible.builtin.setup) (primary and secondary IPv4 addresses,
    IPv6 addresses) and returns each address with its prefix length, for example V(10.0.0.11/24), so that
    the network an address belongs to can be worked out (the galera_cluster role opens its client ports
    to the networks of the cluster members this way).
  - Loopback and IPv6 link-local addresses are left out; so are interfaces without an address.
options:
  _input:
    description: The host's facts (V(ansible_facts)).
    type: dict
    required: true
'''

EXAMPLES = r'''
- name: Where this host has addresses
  ansible.builtin.debug:
    msg: "{{ ansible_facts | stackops.openstack.host_networks }}"
  # ['10.0.0.11/24', '192.168.122.5/24', 'fd00::11/64']
'''

RETURN = r'''
_value:
  description: Interface addresses as C(address/prefix), IPv4 first, each once, in a stable order.
  type: list
  elements: str
'''

import ipaddress

from ansible.errors import AnsibleFilterError


def _entries(interface):
    ipv4 = interface.get("ipv4")
    for entry in ([ipv4] if isinstance(ipv4, dict) else []) + list(interface.get("ipv4_secondaries") or []):
        yield entry.get("address"), entry.get("prefix") or entry.get("netmask")
    for entry in interface.get("ipv6") or []:
        yield entry.get("address"), entry.get("prefix")


def host_networks_from_facts(facts):
    """Return the ``address/prefix`` strings of every interface found in ``facts``."""
    if not isinstance(facts, dict):
        raise ValueError("expected the host's facts (a dict), got %s" % type(facts).__name__)
    found = []
    # interface facts are the dicts that carry a "device" name, whatever key they are under
    for interface in facts.values():
        if not isinstance(interface, dict) or "device" not in interface:
            continue
        for address, prefix in _entries(interface):
            if not address or prefix in (None, ""):
                continue
            try:
                iface = ipaddress.ip_interface("%s/%s" % (str(address).split("%", maxsplit=1)[0], prefix))
            except ValueError:
                continue
            if iface.ip.is_loopback or (iface.version == 6 and iface.ip.is_link_local):
                continue
            found.append(iface)
    unique = sorted(set(found), key=lambda i: (i.version, int(i.ip), i.network.prefixlen))
    return [i.with_prefixlen for i in unique]


def host_networks(facts):
    """Filter front of host_networks_from_facts()."""
    try:
        return host_networks_from_facts(facts)
    except ValueError as exc:
        raise AnsibleFilterError("host_networks: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"host_networks": host_networks}
