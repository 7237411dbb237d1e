# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which of a project's floating IPs to release, which to keep and why.

Pure functions over plain values: a floating IP is a dict with ``id``, ``address``,
``port_id`` (None when unassociated) and ``fixed_ip``; a port is a dict with
``device_owner`` and ``device_id``. The module only reads and writes Neutron.
"""

from __future__ import annotations

import ipaddress

KEPT_LISTED = "listed in keep"
KEPT_ASSOCIATED = "associated with port %s (fixed IP %s) and only_unassociated is true"


def normalize_address(value):
    """The canonical text of an IP address (IPv6 compressed, lower case); ValueError if it is not one."""
    return str(ipaddress.ip_address(str(value).strip()))


def check_keep(keep):
    """The entries of keep as canonical addresses, duplicates dropped, in the given order.

    Raise ValueError naming every entry that is not an IP address (a name or a network
    cannot be kept: only floating IP addresses are compared).
    """
    result, bad = [], []
    for entry in keep or []:
        try:
            address = normalize_address(entry)
        except ValueError:
            bad.append(entry)
            continue
        if address not in result:
            result.append(address)
    if bad:
        raise ValueError("keep must list floating IP addresses (like 203.0.113.10 or 2001:db8::10), but %s: %s"
                         % ("this entry is not an IP address" if len(bad) == 1
                            else "these entries are not IP addresses", ", ".join(repr(b) for b in bad)))
    return result


def _sort_key(ip):
    try:
        address = ipaddress.ip_address(ip["address"])
        return (0, address.version, int(address), ip["id"])
    except ValueError:  # Neutron always answers with addresses; this keeps the order total anyway
        return (1, 0, 0, str(ip["address"]))


def sort_ips(ips):
    """The floating IPs in address order (IPv4 first), so results and diffs are stable."""
    return sorted(ips, key=_sort_key)


def select(ips, keep=(), only_unassociated=False):
    """Split a project's floating IPs into (release, kept, keep_not_found).

    release: the IPs to release, in address order. kept: the others, each with a
    ``reason`` in words. keep_not_found: the entries of keep (already checked by
    check_keep) that are none of the project's floating IPs.
    """
    keep = [normalize_address(k) for k in keep]
    release, kept, found = [], [], set()
    for ip in sort_ips(ips):
        try:
            address = normalize_address(ip["address"])
        except ValueError:
            address = ip["address"]
        if address in keep:
            found.add(address)
            kept.append(dict(ip, reason=KEPT_LISTED))
        elif only_unassociated and ip.get("port_id"):
            kept.append(dict(ip, reason=KEPT_ASSOCIATED % (ip["port_id"], ip.get("fixed_ip") or "unknown")))
        else:
            release.append(dict(ip))
    return release, kept, [k for k in keep if k not in found]


def server_id(port):
    """The server a port belongs to (its device_id when device_owner is compute:*), else None."""
    if not port:
        return None
    owner = port.get("device_owner") or ""
    if owner.startswith("compute:") and port.get("device_id"):
        return port["device_id"]
    return None


def describe(ip, port=None, server_name=None):
    """What the module returns for one floating IP: address, id, port, fixed IP, server id and name."""
    server = server_id(port)
    result = {
        "address": ip["address"],
        "id": ip["id"],
        "port_id": ip.get("port_id"),
        "fixed_ip": ip.get("fixed_ip"),
        "server_id": server,
        "server_name": server_name if server else None,
    }
    if "reason" in ip:
        result["reason"] = ip["reason"]
    return result


def describe_action(ip):
    """One planned release in words, for a failure part-way."""
    if ip.get("port_id"):
        return "disassociate %s from port %s and delete it" % (ip["address"], ip["port_id"])
    return "delete %s" % ip["address"]


def diff_text(ips):
    """The diff side for these floating IPs: one address per line, in address order."""
    return "".join("%s\n" % ip["address"] for ip in sort_ips(ips))
