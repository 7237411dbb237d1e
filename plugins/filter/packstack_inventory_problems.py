# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: packstack_inventory_problems
short_description: What is wrong with a packstack cloud's inventory and variables, in words
version_added: 1.1.0
author:
  - stackops maintainers (@stackops)
description:
  - The checks the P(stackops.openstack.packstack#role) role runs before any change, as one pure function - the
    group sizes, hosts in two groups that exclude each other, the install path of the hosts' OS family, the L2 agent,
    the shape of the external network and the router, the keys of the settings and passwords, unknown C(packstack_*)
    variables.
  - Returns an empty list when everything is right, else one sentence per problem that names the bad value and what
    was expected. Password values never appear in a sentence, only their keys.
  - The storage group is exclusive - its host (at most one) may be in no other group, as packstack's
    C(CONFIG_STORAGE_HOST) is a separate storage node; to keep storage on the controller leave the group empty. A host
    may be in the controller, network and compute groups together (all-in-one and collapsed layouts).
options:
  _input:
    description: The cloud to check.
    type: dict
    required: true
    suboptions:
      groups:
        description: Group names by role (V(controller), V(network), V(compute), V(storage)).
        type: dict
      members:
        description: The hosts of each group, by role.
        type: dict
      hosts:
        description:
          - Per host its C(address), C(os_family), C(distribution) and C(variables) (the names of the C(packstack_*)
            variables set for it).
        type: dict
      play_hosts:
        description: The hosts of the play.
        type: list
        elements: str
      config:
        description:
          - The role's variables without their prefix - V(neutron_l2_agent), V(external_bridge),
            V(external_interface), V(external_physnet), V(external_network), V(router), V(settings), V(passwords),
            V(allow_unknown), V(rdo_release_rpm).
        type: dict
      known_variables:
        description: The role's variables (its argument spec); any other C(packstack_*) variable is reported.
        type: list
        elements: str
      derived_keys:
        description: Answer keys the role sets from its own variables, with the variables to use instead.
        type: dict
'''

EXAMPLES = r'''
- name: Check the cloud before any change
  ansible.builtin.assert:
    that: _problems | length == 0
    fail_msg: "{{ _problems | join('; ') }}"
  vars:
    _problems: "{{ _packstack_cloud | stackops.openstack.packstack_inventory_problems }}"
'''

RETURN = r'''
_value:
  description: One sentence per problem; empty when the cloud can be installed.
  type: list
  elements: str
'''

import ipaddress
import re

from ansible.errors import AnsibleFilterError

try:
    from ansible_collections.stackops.openstack.plugins.module_utils.packstack_answers import (
        PackstackAnswersError, normalize_passwords, normalize_settings)
except ImportError:  # pragma: no cover - only when the collection is not importable
    PackstackAnswersError = ValueError
    normalize_passwords = normalize_settings = None

ROLES = ("controller", "network", "compute", "storage")
# storage is a separate node for packstack (CONFIG_STORAGE_HOST): its host may be in no other group
EXCLUSIVE = (("storage", "controller"), ("storage", "network"), ("storage", "compute"))
L2_AGENTS = ("ovn", "openvswitch", "linuxbridge")
# packstack 26 (the RedHat family path) dropped the linuxbridge agent
L2_AGENTS_BY_FAMILY = {"RedHat": ("ovn", "openvswitch"), "Debian": L2_AGENTS}
EXTERNAL_NETWORK_KEYS = {
    "name": "the network's name", "cidr": "its subnet (CIDR)", "gateway": "the upstream router's address",
    "pool_start": "the first floating address", "pool_end": "the last floating address",
    "dns_nameservers": "a list of DNS server addresses",
}
EXTERNAL_NETWORK_REQUIRED = ("cidr", "gateway", "pool_start", "pool_end")
ROUTER_KEYS = {"name": "the router's name", "enable_snat": "true or false"}
# Linux interface names: at most 15 characters, no blank, '/' or ':'
_IFNAME = re.compile(r"[A-Za-z0-9_.-]{1,15}\Z")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}\Z")


def _quote(value):
    return "'%s'" % value if isinstance(value, str) else repr(value)


def _group_problems(groups, members):
    problems = []
    controllers = members.get("controller") or []
    if len(controllers) != 1:
        problems.append(
            "group %s (packstack_controller_group) has %s, expected exactly one controller"
            % (groups["controller"], "no host" if not controllers else "%d hosts (%s)" % (len(controllers), ", ".join(controllers))))
    for role in ("network", "compute"):
        if not members.get(role):
            problems.append("group %s (packstack_%s_group) has no host, expected at least one %s node"
                            % (groups[role], role, role))
    storage = members.get("storage") or []
    if len(storage) > 1:
        problems.append("group %s (packstack_storage_group) has %d hosts (%s), expected at most one storage node"
                        % (groups["storage"], len(storage), ", ".join(storage)))
    for first, second in EXCLUSIVE:
        for host in members.get(first) or []:
            if host in (members.get(second) or []):
                problems.append(
                    "%s is in both %s and %s, which exclude each other: the storage node is a separate host (leave "
                    "%s empty to keep storage on the controller)" % (host, groups[first], groups[second], groups["storage"]))
    return problems


def _host_problems(cloud_hosts, hosts, play_hosts, config):
    problems = []
    missing = [host for host in cloud_hosts if host not in play_hosts]
    if missing:
        problems.append("%s of the cloud's groups did not run this role in this play (--limit, unreachable or failed), "
                        "expected every cloud host in the play" % ", ".join(missing))
    families = {}
    seen = {}
    for host in cloud_hosts:
        facts = hosts.get(host) or {}
        family = facts.get("os_family")
        if host in play_hosts:
            families.setdefault(family, []).append(host)
        address = facts.get("address")
        if host not in play_hosts:
            continue
        if not address:
            problems.append("%s has no node address: set packstack_node_address for it (an address the other nodes "
                            "reach), expected one when the host has no default IPv4 route" % host)
            continue
        if address in seen:
            problems.append("%s and %s have the same node address %s, expected one address per host"
                            % (seen[address], host, address))
        seen.setdefault(address, host)
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            continue  # a host name: packstack accepts those
        if ip.is_loopback or ip.is_unspecified or ip.is_multicast:
            problems.append("%s has the node address %s, expected an address the other nodes reach (not loopback, "
                            "unspecified or multicast)" % (host, address))
    known = [family for family in families if family in L2_AGENTS_BY_FAMILY]
    for family, members in families.items():
        if family not in L2_AGENTS_BY_FAMILY:
            problems.append("%s %s OS family %s, expected RedHat (packstack) or Debian (native packages)"
                            % (", ".join(members), "is of" if len(members) == 1 else "are of", _quote(family)))
    if len(known) > 1:
        problems.append("the cloud mixes OS families (%s), expected one: packstack installs RedHat-family hosts, the "
                        "Debian path Debian-family hosts"
                        % "; ".join("%s: %s" % (family, ", ".join(families[family])) for family in sorted(known)))
    agent = config.get("neutron_l2_agent")
    for family in known:
        if agent not in L2_AGENTS_BY_FAMILY[family]:
            problems.append(
                "packstack_neutron_l2_agent is %s, but %s %s RedHat family (packstack 26 path), which supports only %s"
                % (_quote(agent), ", ".join(families[family]), "is" if len(families[family]) == 1 else "are",
                   " or ".join(L2_AGENTS_BY_FAMILY[family]))
                if family == "RedHat" else
                "packstack_neutron_l2_agent is %s, expected one of %s" % (_quote(agent), ", ".join(L2_AGENTS)))
    if "RedHat" in known and not config.get("rdo_release_rpm"):
        rhel = [host for host in families["RedHat"] if (hosts.get(host) or {}).get("distribution") not in ("CentOS",)]
        if rhel:
            problems.append(
                "%s %s RedHat Enterprise Linux (not CentOS Stream, which has centos-release-openstack-*): set "
                "packstack_rdo_release_rpm to the URL of the rdo-release RPM of packstack_release, expected a URL"
                % (", ".join(rhel), "is" if len(rhel) == 1 else "are"))
    return problems


def _address(value, what, problems):
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        problems.append("%s is %s, expected an IP address" % (what, _quote(value)))
        return None


def _external_network_problems(network):
    if network in (None, {}):
        return []
    if not isinstance(network, dict):
        return ["packstack_external_network is %s, expected a dict with %s (or {} for none)"
                % (_quote(network), ", ".join(EXTERNAL_NETWORK_KEYS))]
    problems = []
    for key in network:
        if key not in EXTERNAL_NETWORK_KEYS:
            problems.append("packstack_external_network has the unknown key %s, expected some of %s"
                            % (_quote(key), ", ".join(EXTERNAL_NETWORK_KEYS)))
    for key in EXTERNAL_NETWORK_REQUIRED:
        if key not in network or network[key] in (None, ""):
            problems.append("packstack_external_network lacks %s, expected %s" % (key, EXTERNAL_NETWORK_KEYS[key]))
    if "name" in network and not (isinstance(network["name"], str) and _NAME.match(network["name"])):
        problems.append("packstack_external_network.name is %s, expected a name of letters, digits, '.', '_' or '-'"
                        % _quote(network["name"]))
    subnet = None
    if network.get("cidr") not in (None, ""):
        try:
            subnet = ipaddress.ip_network(str(network["cidr"]), strict=True)
        except ValueError as exc:
            problems.append("packstack_external_network.cidr is %s, expected a network such as 203.0.113.0/24 (%s)"
                            % (_quote(network["cidr"]), exc))
    addresses = {}
    for key in ("gateway", "pool_start", "pool_end"):
        if network.get(key) in (None, ""):
            continue
        ip = _address(str(network[key]), "packstack_external_network.%s" % key, problems)
        if ip is None:
            continue
        addresses[key] = ip
        if subnet is not None and (ip.version != subnet.version or ip not in subnet):
            problems.append("packstack_external_network.%s %s is not in cidr %s, expected an address of that subnet"
                            % (key, ip, subnet))
        elif subnet is not None and subnet.num_addresses > 2 and ip in (subnet.network_address, subnet.broadcast_address):
            problems.append("packstack_external_network.%s %s is the network or broadcast address of %s, expected a "
                            "host address" % (key, ip, subnet))
    if "pool_start" in addresses and "pool_end" in addresses:
        start, end = addresses["pool_start"], addresses["pool_end"]
        if start.version == end.version and start > end:
            problems.append("packstack_external_network.pool_start %s comes after pool_end %s, expected start <= end"
                            % (start, end))
        gateway = addresses.get("gateway")
        if gateway is not None and gateway.version == start.version == end.version and start <= gateway <= end:
            problems.append("packstack_external_network.gateway %s is inside the pool %s-%s, expected it outside"
                            % (gateway, start, end))
    servers = network.get("dns_nameservers")
    if servers is not None:
        if not isinstance(servers, list):
            problems.append("packstack_external_network.dns_nameservers is %s, expected a list of addresses"
                            % _quote(servers))
        else:
            for server in servers:
                _address(str(server), "packstack_external_network.dns_nameservers item", problems)
    return problems


def _router_problems(router, network):
    if router in (None, {}):
        return []
    if not isinstance(router, dict):
        return ["packstack_router is %s, expected a dict with %s (or {} for none)"
                % (_quote(router), ", ".join(ROUTER_KEYS))]
    problems = ["packstack_router has the unknown key %s, expected some of %s" % (_quote(key), ", ".join(ROUTER_KEYS))
                for key in router if key not in ROUTER_KEYS]
    if not router.get("name") or not (isinstance(router["name"], str) and _NAME.match(router["name"])):
        problems.append("packstack_router.name is %s, expected a name of letters, digits, '.', '_' or '-'"
                        % _quote(router.get("name")))
    if "enable_snat" in router and not isinstance(router["enable_snat"], bool):
        problems.append("packstack_router.enable_snat is %s, expected true or false" % _quote(router["enable_snat"]))
    if network in (None, {}):
        problems.append("packstack_router is set but packstack_external_network is not, expected the external network "
                        "the router's gateway is on")
    return problems


def _bridge_problems(config):
    problems = []
    bridge = config.get("external_bridge")
    if not (isinstance(bridge, str) and _IFNAME.match(bridge)):
        problems.append("packstack_external_bridge is %s, expected an interface name of at most 15 letters, digits, "
                        "'.', '_' or '-'" % _quote(bridge))
    interface = config.get("external_interface")
    if interface not in (None, "") and not (isinstance(interface, str) and _IFNAME.match(interface)):
        problems.append("packstack_external_interface is %s, expected an interface name of at most 15 letters, digits, "
                        "'.', '_' or '-', or empty" % _quote(interface))
    if interface and interface == bridge:
        problems.append("packstack_external_interface is the bridge itself (%s), expected the interface to enslave to "
                        "it" % _quote(interface))
    physnet = config.get("external_physnet")
    if not (isinstance(physnet, str) and _NAME.match(physnet)):
        problems.append("packstack_external_physnet is %s, expected a physical network name of letters, digits, '.', "
                        "'_' or '-'" % _quote(physnet))
    return problems


def _answers_problems(config, derived_keys):
    problems = []
    settings = config.get("settings")
    passwords = config.get("passwords")
    allow_unknown = bool(config.get("allow_unknown"))
    if normalize_settings is None:  # pragma: no cover
        return problems
    if isinstance(settings, dict):
        for key in settings:
            if key in derived_keys:
                problems.append("packstack_settings has %s, which the role sets from %s, expected that variable instead"
                                % (key, derived_keys[key]))
        settings = dict((key, value) for key, value in settings.items() if key not in derived_keys)
    problems.extend(_refusals(settings, normalize_settings, allow_unknown))
    problems.extend(_refusals(passwords, normalize_passwords, allow_unknown))
    return problems


def _refusals(values, normalize, allow_unknown):
    """What normalize (normalize_settings or normalize_passwords) refuses: of each entry of a mapping, so that one
    message names every bad key, or of values as a whole when it is not a mapping."""
    parts = [{key: value} for key, value in values.items()] if isinstance(values, dict) else [values]
    refusals = []
    for part in parts:
        try:
            normalize(part, allow_unknown=allow_unknown)
        except PackstackAnswersError as exc:
            refusals.append("packstack_%s" % exc)
    return refusals


def inventory_problems(cloud):
    """Every problem of the cloud definition ``cloud`` as a sentence; [] when it can be installed."""
    if not isinstance(cloud, dict):
        raise AnsibleFilterError("packstack_inventory_problems expects a dict, got %s" % type(cloud).__name__)
    groups = dict(("%s" % role, "packstack_%s" % role) for role in ROLES)
    groups.update(cloud.get("groups") or {})
    members = dict((role, list((cloud.get("members") or {}).get(role) or [])) for role in ROLES)
    hosts = cloud.get("hosts") or {}
    play_hosts = list(cloud.get("play_hosts") or [])
    config = cloud.get("config") or {}
    cloud_hosts = []
    for role in ROLES:
        cloud_hosts.extend(host for host in members[role] if host not in cloud_hosts)

    problems = _group_problems(groups, members)
    problems.extend(_host_problems(cloud_hosts, hosts, play_hosts, config))
    problems.extend(_bridge_problems(config))
    problems.extend(_external_network_problems(config.get("external_network")))
    problems.extend(_router_problems(config.get("router"), config.get("external_network")))
    problems.extend(_answers_problems(config, cloud.get("derived_keys") or {}))
    known = set(cloud.get("known_variables") or [])
    if known:
        # hosts with the same unknown variables (an extra variable: all of them) in one sentence
        by_names = {}
        for host in cloud_hosts:
            unknown = tuple(sorted(name for name in (hosts.get(host) or {}).get("variables") or []
                                   if name.startswith("packstack_") and name not in known))
            if unknown:
                by_names.setdefault(unknown, []).append(host)
        for unknown, owners in by_names.items():
            problems.append("%s %s the variable%s %s, which the packstack role does not know (a typo?), expected "
                            "one of its variables (ansible-doc -t role stackops.openstack.packstack)"
                            % (", ".join(owners), "has" if len(owners) == 1 else "have", "s" if len(unknown) > 1 else "",
                               ", ".join(unknown)))
    return problems


class FilterModule:
    """The packstack role's inventory checks."""

    def filters(self):
        return {"packstack_inventory_problems": inventory_problems}
