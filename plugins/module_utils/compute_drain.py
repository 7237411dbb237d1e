# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a hypervisor drain: what can move, whether the other hosts have room, and where.

Pure functions over what Nova and Placement report (no API calls), so that the drain is
decided before the first migration: a drain that cannot finish must be refused while the
source still runs everything, not after half of its instances have moved.

Capacity is Placement's own rule: a resource provider can take an allocation while
used + amount <= (total - reserved) * allocation_ratio, and one allocation must lie
between min_unit and max_unit.
"""

from __future__ import annotations

# states Nova live-migrates (others are refused by the API with 409)
MIGRATABLE_STATES = ("ACTIVE", "PAUSED")
# the classes every flavor asks for, in the order messages name them (others follow by name)
RESOURCE_CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")
UNITS = {"VCPU": "VCPU", "MEMORY_MB": "MB of RAM", "DISK_GB": "GB of disk"}


def _number(where, field, value, minimum=0):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("%s: %s is %r, expected a number" % (where, field, value))
    if value < minimum:
        raise ValueError("%s: %s is %s, expected at least %s" % (where, field, value, minimum))
    return value


def _amount(value):
    return ("%d" % value) if float(value).is_integer() else ("%.1f" % value)


def _in_order(classes):
    """The standard classes first, in RESOURCE_CLASSES order, then any other (PCPU, VGPU, CUSTOM_*) by name."""
    return [rc for rc in RESOURCE_CLASSES if rc in classes] + sorted(rc for rc in classes if rc not in RESOURCE_CLASSES)


def describe(resources):
    """'2 VCPU, 4096 MB of RAM and 20 GB of disk' for a {class: amount} dict; other classes by name."""
    parts = ["%s %s" % (_amount(resources[rc]), UNITS.get(rc, rc)) for rc in _in_order(resources)]
    if not parts:
        return "nothing"
    return parts[0] if len(parts) == 1 else "%s and %s" % (", ".join(parts[:-1]), parts[-1])


def free_capacity(host, inventories, usages):
    """{class: {"free": amount, "min_unit": n, "max_unit": n}} of one resource provider, from
    Placement's GET /resource_providers/{uuid}/inventories and .../usages bodies."""
    if not isinstance(inventories, dict) or not isinstance(usages, dict):
        raise ValueError("%s: the inventories and usages must be dicts of resource classes" % host)
    capacity = {}
    for rc, inventory in inventories.items():
        where = "%s: inventory of %s" % (host, rc)
        if not isinstance(inventory, dict):
            raise ValueError("%s is %r, expected a dict" % (where, inventory))
        total = _number(where, "total", inventory.get("total"))
        reserved = _number(where, "reserved", inventory.get("reserved", 0))
        ratio = _number(where, "allocation_ratio", inventory.get("allocation_ratio", 1.0))
        used = _number("%s: usage" % host, rc, usages.get(rc, 0))
        capacity[rc] = {
            "free": (total - reserved) * ratio - used,
            "min_unit": _number(where, "min_unit", inventory.get("min_unit", 1)),
            "max_unit": _number(where, "max_unit", inventory.get("max_unit", total)),
        }
    return capacity


def split_instances(instances):
    """(migratable, leftovers): leftovers carry the reason they cannot be live-migrated."""
    migratable, leftovers = [], []
    for index, instance in enumerate(instances):
        if not isinstance(instance, dict) or not instance.get("id"):
            raise ValueError("instance %d is %r, expected a dict with an id" % (index, instance))
        name = instance.get("name") or instance["id"]
        status = instance.get("status")
        task_state = instance.get("task_state")
        if status not in MIGRATABLE_STATES:
            leftovers.append(dict(instance, reason="%s is %s; only %s instances can be live-migrated" % (
                name, status, " or ".join(MIGRATABLE_STATES))))
        elif task_state:
            leftovers.append(dict(instance, reason="%s is busy with the task %s" % (name, task_state)))
        else:
            migratable.append(instance)
    return migratable, leftovers


def _fits(resources, capacity):
    for rc, amount in resources.items():
        if not amount:
            continue
        room = capacity.get(rc)
        if room is None or amount > room["free"] or amount > room["max_unit"] or amount < room["min_unit"]:
            return False
    return True


def plan_placement(instances, capacities):
    """Place every instance on a host of capacities ({host: free_capacity(...)}).

    Largest first (RAM, then VCPU), each on the host with the most free RAM that fits it, as
    Nova's default RAM weigher spreads. The scheduler still chooses the real destinations; the
    plan proves that a placement exists. Returns {"placements": [(instance, host)],
    "unplaced": [instance], "shortfall": {class: amount}} where shortfall is what the hosts lack
    in total (empty when only the way free capacity is split among hosts stops the plan).
    """
    remaining = {host: {rc: dict(room) for rc, room in capacity.items()} for host, capacity in capacities.items()}
    needed = {}
    for instance in instances:
        for rc, amount in instance["resources"].items():
            _number("%s: resources" % (instance.get("name") or instance["id"]), rc, amount)
            needed[rc] = needed.get(rc, 0) + amount
    order = sorted(instances, key=lambda i: (-i["resources"].get("MEMORY_MB", 0), -i["resources"].get("VCPU", 0),
                                             i.get("name") or i["id"]))
    placements, unplaced = [], []
    for instance in order:
        candidates = [host for host in sorted(remaining) if _fits(instance["resources"], remaining[host])]
        if not candidates:
            unplaced.append(instance)
            continue
        host = max(candidates, key=lambda h: remaining[h].get("MEMORY_MB", {"free": 0})["free"])
        for rc, amount in instance["resources"].items():
            if amount:
                remaining[host][rc]["free"] -= amount
        placements.append((instance, host))
    available = {rc: sum(max(cap[rc]["free"], 0) for cap in capacities.values() if rc in cap) for rc in needed}
    shortfall = {rc: needed[rc] - available[rc] for rc in _in_order(needed) if needed[rc] > available[rc]}
    return {"placements": placements, "unplaced": unplaced, "shortfall": shortfall}


def refusal(source, plan, capacities):
    """The operator's sentence for a plan that leaves instances without a host, or None."""
    if not plan["unplaced"]:
        return None
    if not capacities:
        return ("draining %s: there is no other enabled nova-compute host to move its instances to; "
                "nothing was migrated" % source)
    hosts = ", ".join(sorted(capacities))
    if plan["shortfall"]:
        return ("draining %s needs more than %s have free: %s short. Free room or add hosts, then run "
                "the drain again; nothing was migrated" % (source, hosts, describe(plan["shortfall"])))
    names = ", ".join("%s (%s)" % (i.get("name") or i["id"], describe(i["resources"])) for i in plan["unplaced"])
    return ("draining %s: %s have enough free in total, but no single host has room for %s. Free room on "
            "one host, then run the drain again; nothing was migrated" % (source, hosts, names))


def check_targets(source, targets, known_hosts):
    """Error text for a target list naming the source or an unknown host, else None."""
    if source not in known_hosts:
        return "host %s is not a nova-compute host; known hosts: %s" % (source, ", ".join(sorted(known_hosts)))
    unknown = [t for t in targets if t not in known_hosts]
    if unknown:
        return "target host(s) %s are not nova-compute hosts; known hosts: %s" % (
            ", ".join(unknown), ", ".join(sorted(known_hosts)))
    if source in targets:
        return "target hosts include %s, the host being drained" % source
    return None
