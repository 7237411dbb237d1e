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


# states of a migration record that end it (nova.objects.migration); the rest are in progress
MIGRATION_DONE = ("completed",)
MIGRATION_FAILED = ("failed", "error", "cancelled")


class MigrationRefused(Exception):
    """Nova refused to start a live migration (for example 400 NoValidHost): nothing moved."""


def run_migrations(jobs, start, poll, max_in_flight, timeout, clock, sleep, say=None, poll_interval=1.0):
    """Live-migrate jobs with at most max_in_flight migrations under way at any time.

    jobs: dicts with "id", "name", "from" and "to" (a host, or None for the scheduler's choice), in
    the order to start them. start(job) asks Nova to begin (MigrationRefused when it will not);
    poll(job) answers ("running", detail), ("done", host) or ("failed", reason). A job is never
    retried: a refused or failed migration is a result, so the run always ends, at the latest
    when timeout seconds have passed. say(text) hears about every start and end.

    Returns (results, most_in_flight): one result per job, in the order of jobs, with "seconds"
    and "result": migrated, refused, failed, timed_out (still under way at the timeout) or
    not_started (the timeout came first).
    """
    if max_in_flight < 1:
        raise ValueError("max_in_flight is %r, expected at least 1" % max_in_flight)
    say = say or (lambda text: None)
    began = clock()
    queue = list(jobs)
    results = {}
    in_flight = []  # (job, started_at)
    most_in_flight = 0

    def finish(job, started_at, result, to=None, message=""):
        seconds = round(clock() - started_at, 1) if started_at is not None else 0.0
        results[job["id"]] = dict(job, to=to, seconds=seconds, result=result, message=message)

    while queue or in_flight:
        overdue = clock() - began >= timeout
        while queue and len(in_flight) < max_in_flight and not overdue:
            job = queue.pop(0)
            started_at = clock()
            try:
                start(job)
            except MigrationRefused as exc:
                finish(job, started_at, "refused", message=str(exc))
                say("%s: Nova refused to migrate it: %s" % (job["name"], exc))
                continue
            in_flight.append((job, started_at))
            most_in_flight = max(most_in_flight, len(in_flight))
            say("%s: live migration from %s to %s started (%d in flight)" % (
                job["name"], job["from"], job["to"] or "a host the scheduler picks", len(in_flight)))
        if overdue:
            for job, started_at in in_flight:
                finish(job, started_at, "timed_out",
                       message="still migrating after the %ss timeout; check it with "
                               "`openstack server migration list --server %s`" % (timeout, job["id"]))
            for job in queue:
                finish(job, None, "not_started", message="not started: the %ss timeout ran out first" % timeout)
            break
        if not in_flight:
            continue
        sleep(poll_interval)
        still = []
        for job, started_at in in_flight:
            state, detail = poll(job)
            if state == "done":
                finish(job, started_at, "migrated", to=detail)
                say("%s: on %s after %.1fs" % (job["name"], detail, clock() - started_at))
            elif state == "failed":
                finish(job, started_at, "failed", message=detail)
                say("%s: migration failed: %s" % (job["name"], detail))
            else:
                still.append((job, started_at))
        in_flight = still
    return [results[job["id"]] for job in jobs], most_in_flight


def migration_state(records, known_ids, source, server):
    """What poll() answers for one instance, from its live-migration records and its server.

    records: the instance's live-migration records (os-migrations); known_ids: the ids that
    existed before this drain started the migration (an older, failed one must not count);
    server: {"host", "status", "task_state"} now. The instance's host changes before the
    record is completed, so both must agree before the instance counts as moved.
    """
    new = sorted((r for r in records if r.get("id") not in known_ids), key=lambda r: r.get("id") or 0)
    if not new:
        return "running", "no migration record yet"
    record = new[-1]
    status = record.get("status")
    if status in MIGRATION_FAILED:
        return "failed", "the migration record says %s (instance status %s, on %s)" % (
            status, server.get("status"), server.get("host"))
    if status in MIGRATION_DONE:
        if server.get("host") == source:
            return "failed", "the migration record says completed, but the instance is still on %s" % source
        if server.get("task_state"):
            return "running", "completed, instance still busy with %s" % server["task_state"]
        return "done", server.get("host")
    return "running", "migration %s" % status
