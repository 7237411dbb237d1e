# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a Galera cluster's definition that must pass before anything is changed.

Pure: takes the members as plain dicts, returns the errors and warnings in words.
"""

from __future__ import annotations

import ipaddress

SST_METHODS = {"mariadb": ("mariabackup", "rsync"), "percona": ("xtrabackup-v2",)}
SST_NEEDS_CREDENTIALS = ("mariabackup",)


def check_cluster(members, flavor, sst_method, sst_password_set, client_sources=()):
    """Return (errors, warnings, cluster_address) for ``members`` in bootstrap order.

    Each member is ``{"name", "address", "host_addresses"}``; ``host_addresses`` (the
    host's own IPv4/IPv6 addresses, from facts) may be empty when unknown.
    ``client_sources`` are the networks the firewall lets reach the client port.
    """
    errors = []
    warnings = []
    if not members:
        return ["the cluster group has no hosts"], [], None

    if flavor not in SST_METHODS:
        errors.append("flavor %r is not supported, expected one of %s" % (flavor, ", ".join(sorted(SST_METHODS))))
    elif sst_method not in SST_METHODS[flavor]:
        errors.append("SST method %r does not work with flavor %s, expected one of %s"
                      % (sst_method, flavor, ", ".join(SST_METHODS[flavor])))
    if sst_method in SST_NEEDS_CREDENTIALS and not sst_password_set:
        errors.append("SST method %s needs credentials: set galera_cluster_sst_password (vault it)" % sst_method)

    seen_names = {}
    seen_addresses = {}
    for member in members:
        name = member.get("name")
        if name in seen_names:
            errors.append("node name %r is used twice" % name)
        seen_names[name] = True
        address = str(member.get("address") or "").strip()
        try:
            ipaddress.ip_address(address)
        except ValueError:
            errors.append("%s: node address %r is not an IP address" % (name, address))
            continue
        if address in seen_addresses:
            errors.append("%s: node address %s is already the address of %s" % (name, address, seen_addresses[address]))
        seen_addresses[address] = name
        own = [str(a) for a in member.get("host_addresses") or []]
        if own and address not in own:
            errors.append("%s: node address %s is not one of the host's addresses (%s), so the other nodes "
                          "could never reach it" % (name, address, ", ".join(own)))

    for source in client_sources:
        try:
            ipaddress.ip_network(str(source), strict=False)
        except ValueError:
            errors.append("client source %r is not an address or a network (CIDR)" % (source,))

    size = len(members)
    if size == 1:
        warnings.append("the cluster has a single node: no redundancy, and no quorum to keep when it fails")
    elif size % 2 == 0:
        warnings.append("the cluster has an even number of nodes (%d): when half of them fail the rest lose quorum "
                        "and stop; add a node or a Galera arbitrator (garbd)" % size)

    cluster_address = "gcomm://" + ",".join(_bracketed(m.get("address")) for m in members)
    return errors, warnings, cluster_address


def _bracketed(address):
    address = str(address or "").strip()
    return "[%s]" % address if ":" in address else address
