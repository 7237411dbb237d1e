# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A project's quotas against its usage, and proposed limits checked before they are set.

nova and neutron keep their quotas apart: instances, cores and RAM are nova's (compute),
floating IPs, networks, ports, routers and security groups are neutron's (network). nova's
own floating_ips, networks and security_groups quotas left its API in microversion 2.36
(they only proxied neutron), so they are refused under ``compute`` with a pointer to
``network``.

Usage as the two services report it, normalised by the module to
``{service: {resource: {"limit": int, "in_use": int, "reserved": int}}}``:
nova's ``GET /os-quota-sets/{project}/detail`` gives ``in_use``/``reserved``/``limit``,
neutron's ``GET /quotas/{project}/details`` gives ``used``/``reserved``/``limit``.
A limit of -1 is unlimited. A proposed limit is below usage when it is not -1 and is
smaller than in_use + reserved. nova refuses such a limit unless the request says ``force``
(openstack.cloud.quota cannot), neutron accepts it; either then refuses every new resource of
that kind, which is rarely what the operator meant.

Pure functions on plain values; errors are QuotaError with a sentence naming the bad value.
"""

from __future__ import annotations

SERVICES = ("compute", "network")

# The resources each service keeps a quota for, with the words used in reports.
RESOURCES = {
    "compute": {
        "instances": "instances",
        "cores": "vCPUs (cores)",
        "ram": "RAM (MiB)",
        "key_pairs": "key pairs",
        "metadata_items": "metadata items",
        "server_groups": "server groups",
        "server_group_members": "members per server group",
        "injected_files": "injected files",
        "injected_file_content_bytes": "bytes per injected file",
        "injected_file_path_bytes": "bytes per injected file path",
    },
    "network": {
        "floating_ips": "floating IPs",
        "networks": "networks",
        "subnets": "subnets",
        "subnet_pools": "subnet pools",
        "ports": "ports",
        "routers": "routers",
        "security_groups": "security groups",
        "security_group_rules": "security group rules",
        "rbac_policies": "RBAC policies",
    },
}

# compute keys that belong to neutron now (nova API 2.36 dropped them)
_MOVED_TO_NETWORK = ("floating_ips", "fixed_ips", "networks", "security_groups", "security_group_rules")

# neutron's names in its API body, for the module's normalisation (openstacksdk renames them)
NEUTRON_BODY_NAMES = {
    "floatingip": "floating_ips", "network": "networks", "subnet": "subnets", "subnetpool": "subnet_pools",
    "port": "ports", "router": "routers", "security_group": "security_groups",
    "security_group_rule": "security_group_rules", "rbac_policy": "rbac_policies",
}

UNLIMITED = -1


class QuotaError(ValueError):
    """Proposed limits, or a usage report, that cannot be checked."""


def _is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def check_limits(limits, where="limits"):
    """The proposed limits as {service: {resource: int}}, only services and resources named.

    ``limits`` is {"compute": {...}, "network": {...}}; either may be missing or None.
    QuotaError names a wrong service, resource or value.
    """
    if limits is None:
        return {}
    if not isinstance(limits, dict):
        raise QuotaError("%s must be a dict with compute and/or network, got %r" % (where, limits))
    result = {}
    for service, wanted in limits.items():
        if service not in SERVICES:
            raise QuotaError("%s has the service %r, expected compute (nova) or network (neutron)" % (where, service))
        if wanted is None:
            continue
        if not isinstance(wanted, dict):
            raise QuotaError("%s.%s must be a dict of resource: limit, got %r" % (where, service, wanted))
        checked = {}
        for resource, limit in wanted.items():
            if resource not in RESOURCES[service]:
                if service == "compute" and resource in _MOVED_TO_NETWORK:
                    raise QuotaError("%s.compute.%s: nova's %s quota left its API in microversion 2.36; it is a "
                                     "neutron quota, set it under network" % (where, resource, resource)
                                     if resource != "fixed_ips" else
                                     "%s.compute.fixed_ips: nova's fixed_ips quota left its API in microversion "
                                     "2.36; neutron limits ports instead (network.ports)" % where)
                other = [s for s in SERVICES if resource in RESOURCES[s]]
                hint = ("; it is a %s quota, set it under %s" % (other[0], other[0])) if other else (
                    ", expected one of: %s" % ", ".join(sorted(RESOURCES[service])))
                raise QuotaError("%s.%s has the resource %r%s" % (where, service, resource, hint))
            if isinstance(limit, str) and limit.strip().lstrip("-").isdigit():
                limit = int(limit.strip())
            if not _is_int(limit) or limit < UNLIMITED:
                raise QuotaError("%s.%s.%s is %r, expected a whole number >= 0, or -1 for unlimited"
                                 % (where, service, resource, limit))
            checked[resource] = limit
        result[service] = checked
    return result


def normalise_compute(limits, usage=None, reservation=None):
    """nova's quota set ({resource: limit}, usage {resource: in_use}, reservation) as the usage dict.

    Only the resources of RESOURCES["compute"] that nova reported are kept.
    """
    usage = usage or {}
    reservation = reservation or {}
    result = {}
    for resource in RESOURCES["compute"]:
        if _is_int(limits.get(resource)):
            result[resource] = {"limit": limits[resource], "in_use": int(usage.get(resource) or 0),
                                "reserved": int(reservation.get(resource) or 0)}
    return result


def normalise_network(details):
    """neutron's quota details ({resource: {"limit", "used", "reserved"}}, either name style) as the usage dict."""
    result = {}
    for key, value in details.items():
        resource = NEUTRON_BODY_NAMES.get(key, key)
        if resource not in RESOURCES["network"] or not isinstance(value, dict) or not _is_int(value.get("limit")):
            continue
        result[resource] = {"limit": value["limit"], "in_use": int(value.get("used") or 0),
                            "reserved": int(value.get("reserved") or 0)}
    return result


def _words(limit):
    return "unlimited" if limit == UNLIMITED else str(limit)


def _usage_words(row):
    text = "%d in use" % row["in_use"]
    if row["reserved"]:
        text += " and %d reserved" % row["reserved"]
    return text


def report(quotas, proposed=None):
    """Rows of usage against the current and proposed limits, and the refusals in words.

    quotas: {service: {resource: {"limit", "in_use", "reserved"}}} (normalised).
    proposed: checked limits (check_limits). Returns (rows, below_usage, changes):
    rows one per resource reported, in RESOURCES order; below_usage a sentence per proposed
    limit under usage; changes the proposed limits that differ from the current ones.
    A proposed limit for a resource the service did not report is an error (the cloud does not
    have it: no neutron, or an extension missing).
    """
    proposed = proposed or {}
    for service, wanted in proposed.items():
        missing = [r for r in wanted if r not in quotas.get(service, {})]
        if missing:
            raise QuotaError("%s quota %s: the cloud reports no such quota for this project%s"
                             % (service, ", ".join(missing),
                                "" if quotas.get(service) else " (is the %s service there?)" % service))
    rows, below, changes = [], [], []
    for service in SERVICES:
        current = quotas.get(service, {})
        for resource in RESOURCES[service]:
            if resource not in current:
                continue
            row = dict(current[resource], service=service, resource=resource)
            new = proposed.get(service, {}).get(resource)
            row["proposed"] = new
            used = row["in_use"] + row["reserved"]
            effective = row["limit"] if new is None else new
            row["free"] = None if effective == UNLIMITED else effective - used
            row["below_usage"] = new is not None and new != UNLIMITED and new < used
            if row["below_usage"]:
                below.append("%s %s: the new limit %d is below the %s (%s)"
                             % (service, resource, new, _usage_words(row), RESOURCES[service][resource]))
            if new is not None and new != row["limit"]:
                changes.append({"service": service, "resource": resource, "before": row["limit"], "after": new})
            rows.append(row)
    return rows, below, changes


def describe(rows):
    """One line per row, for a report: 'compute instances: 2 in use of 10 (proposed 5)'."""
    lines = []
    for row in rows:
        line = "%s %s: %s of %s" % (row["service"], row["resource"], _usage_words(row), _words(row["limit"]))
        if row["proposed"] is not None and row["proposed"] != row["limit"]:
            line += ", new limit %s" % _words(row["proposed"])
        if row["below_usage"]:
            line += " (BELOW USAGE)"
        lines.append(line)
    return lines


def compute_changes(current, wanted):
    """The nova limits of ``wanted`` ({resource: int}) that differ from ``current`` ({resource: int}).

    ``wanted`` is checked like check_limits' compute part; a resource nova did not report is an error.
    Returns [{"resource", "before", "after"}] in RESOURCES order.
    """
    wanted = check_limits({"compute": wanted or {}}).get("compute", {})
    missing = [r for r in wanted if r not in current]
    if missing:
        raise QuotaError("compute quota %s: nova reports no such quota for this project" % ", ".join(missing))
    return [{"resource": r, "before": current[r], "after": wanted[r]}
            for r in RESOURCES["compute"] if r in wanted and wanted[r] != current[r]]
