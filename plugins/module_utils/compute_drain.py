# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Planning a hypervisor drain: what can move, whether the other hosts have room, and where.

Pure functions over what Nova and Placement report (no API calls), so that the drain is
decided before the first migration: a drain that cannot finish must be refused while the
source still runs everything, not after half of its instances have moved.

Capacity (Placement's rule) and the placement plan are nova_compute_api's, shared with
compute_evacuate; this file says a refusal in the drain's words.
"""

from __future__ import annotations

from ansible_collections.stackops.openstack.plugins.module_utils.nova_compute_api import describe

# states Nova live-migrates (others are refused by the API with 409)
MIGRATABLE_STATES = ("ACTIVE", "PAUSED")


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
