# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Evacuating a dead compute host: when it is allowed, which microversion, what each instance needs.

Pure functions over what Nova reports (os-services, servers with their embedded flavor), no
API calls, so the rules are unit-tested without a cloud. The capacity rule, the placement plan
and a flavor's resources are nova_compute_api's (shared with compute_drain): this file says a
refusal in evacuation's words.
"""

from __future__ import annotations

from ansible_collections.stackops.openstack.plugins.module_utils import nova_compute_api as api

# from 2.95 Nova stops every evacuated instance at the destination (SHUTOFF); up to 2.94 an
# evacuated instance keeps the state it had (ACTIVE stays ACTIVE, SHUTOFF stays SHUTOFF)
KEEP_STATE_MICROVERSION = "2.94"
STOPPED_MICROVERSION = "2.95"
# service UUIDs and PUT /os-services/{id} with status/forced_down; on_shared_storage decided by Nova from 2.14
MIN_MICROVERSION = "2.53"
TARGET_STATES = ("active", "shutoff")
# the states Nova evacuates (vm_state active, stopped, error) and no task running
EVACUABLE_STATES = ("ACTIVE", "SHUTOFF", "ERROR")
MAX_REASON = 255

# per-instance results
WOULD_EVACUATE = "would_evacuate"
EVACUATED = "evacuated"
FAILED = "failed"
TIMED_OUT = "timed_out"
NOT_STARTED = "not_started"
NOT_EVACUABLE = "not_evacuable"
RESULTS = (WOULD_EVACUATE, EVACUATED, FAILED, TIMED_OUT, NOT_STARTED, NOT_EVACUABLE)


def parse_version(text):
    """(2, 94) for '2.94'; ValueError naming the text otherwise."""
    try:
        major, minor = str(text).split(".")
        return int(major), int(minor)
    except ValueError:
        raise ValueError("microversion %r is not MAJOR.MINOR" % (text,))


def choose_microversion(target_state, max_version):
    """The evacuate microversion for target_state on a Nova whose newest microversion is max_version.

    active: 2.94, the last one where an evacuated instance keeps its state (never newer: from
    2.95 it would end SHUTOFF and a wait for ACTIVE would never end). shutoff: 2.95.
    """
    if target_state not in TARGET_STATES:
        raise ValueError("target_state is %r, expected one of %s" % (target_state, ", ".join(TARGET_STATES)))
    newest = parse_version(max_version)
    if newest < parse_version(MIN_MICROVERSION):
        raise ValueError("Nova offers compute microversions up to %s; evacuating needs at least %s (Pike)"
                         % (max_version, MIN_MICROVERSION))
    if target_state == "shutoff":
        if newest < parse_version(STOPPED_MICROVERSION):
            raise ValueError("target_state=shutoff needs compute microversion %s (Nova 2023.1 Antelope); this Nova "
                             "offers up to %s. Use target_state=active" % (STOPPED_MICROVERSION, max_version))
        return STOPPED_MICROVERSION
    if newest < parse_version(KEEP_STATE_MICROVERSION):
        return "%d.%d" % newest
    return KEEP_STATE_MICROVERSION


def expected_status(status, target_state):
    """The server status an evacuation ends in. With active the state is kept (a SHUTOFF instance
    stays SHUTOFF); with shutoff every instance is stopped. An ERROR instance is rebuilt ACTIVE
    either way (Nova's rebuild applies the target state only to instances that were not in error)."""
    if status == "ERROR":
        return "ACTIVE"
    if target_state == "shutoff" or status == "SHUTOFF":
        return "SHUTOFF"
    return "ACTIVE"


def check_reason(reason):
    """Error text for a disabled reason Nova would refuse, else None."""
    if not reason or not reason.strip():
        return "disabled_reason is empty; give the reason the service is disabled for"
    if len(reason) > MAX_REASON:
        return "disabled_reason has %d characters; Nova keeps at most %d" % (len(reason), MAX_REASON)
    return None


def check_hosts(source, target, services):
    """Error text when the source or the target host is wrong, else None. services: {host: service}."""
    known = ", ".join(sorted(services)) or "none"
    if source not in services:
        return "host %s is not a nova-compute host; known hosts: %s" % (source, known)
    if target is None:
        return None
    if target == source:
        return "target_host %s is the host being evacuated; name another host or leave target_host out" % target
    if target not in services:
        return "target_host %s is not a nova-compute host; known hosts: %s" % (target, known)
    problems = usable_problems(services[target])
    if problems:
        return "target_host %s cannot take instances: its nova-compute service is %s" % (target, " and ".join(problems))
    return None


def usable_problems(service):
    """Why a service's host cannot take instances (disabled, down, forced down), in words; [] when it can."""
    problems = []
    if service.get("status") != "enabled":
        problems.append("disabled (%s)" % service["disabled_reason"] if service.get("disabled_reason") else "disabled")
    if service.get("forced_down"):
        problems.append("forced down")
    elif service.get("state") != "up":
        problems.append("down")
    return problems


def candidate_hosts(source, services, target=None):
    """The hosts an instance may go to: target alone when given, else every enabled, up, not forced
    down nova-compute host other than source."""
    if target is not None:
        return [target]
    return sorted(host for host, service in services.items() if host != source and not usable_problems(service))


def service_refusal(host, service, host_fenced):
    """The operator's sentence when the host may still run its instances, else None.

    Nova itself refuses to evacuate from a service that reports up; forcing it down is only
    safe when the host is fenced, so that needs the operator's word (host_fenced).
    """
    if service.get("state") != "up" or service.get("forced_down") or host_fenced:
        return None
    return ("nova-compute on %s still reports up (last heartbeat %s): its instances may still be running there, "
            "and evacuating them would run each one twice on the same disks. Nothing was changed. Check that %s is "
            "really dead: power it off or cut it off from its storage (IPMI/BMC, PDU, storage fencing), then run "
            "again with host_fenced=true; or wait until the service reports down (Nova's service_down_time after "
            "the last heartbeat) and check that the host is off anyway"
            % (host, service.get("updated_at") or "unknown", host))


def service_update(service, reason):
    """The PUT /os-services/{id} body (microversion 2.53) that leaves the service forced down and
    disabled; {} when it already is. An existing disabled reason is kept."""
    body = {}
    if service.get("status") != "disabled":
        body.update(status="disabled", disabled_reason=reason)
    if not service.get("forced_down"):
        body["forced_down"] = True
    return body


def service_view(service):
    """The service fields the result and the diff show."""
    return {"id": service.get("id"), "host": service.get("host"), "status": service.get("status"),
            "state": service.get("state"), "forced_down": bool(service.get("forced_down")),
            "disabled_reason": service.get("disabled_reason"), "updated_at": service.get("updated_at")}


def service_after(service, body):
    """The service as it is after the update body (forced down reads as state down)."""
    after = dict(service)
    after.update(body)
    if after.get("forced_down"):
        after["state"] = "down"
    return after


def instance_view(server, source):
    """The plain instance dict the planner and the result use, from a server detail body."""
    return {"id": server["id"], "name": server.get("name") or server["id"], "status": server.get("status"),
            "task_state": server.get("OS-EXT-STS:task_state"), "from": source,
            "resources": api.flavor_resources(server)}


def split_evacuable(instances):
    """(evacuable, leftovers): a leftover carries the reason Nova would refuse to evacuate it."""
    evacuable, leftovers = [], []
    for instance in instances:
        if instance["status"] not in EVACUABLE_STATES:
            leftovers.append(dict(instance, reason="%s is %s; Nova evacuates only %s instances" % (
                instance["name"], instance["status"], ", ".join(EVACUABLE_STATES))))
        elif instance.get("task_state"):
            reason = "%s is busy with the task %s (an evacuation already under way?); run again once it has ended" % (
                instance["name"], instance["task_state"])
            leftovers.append(dict(instance, reason=reason))
        else:
            evacuable.append(instance)
    return evacuable, leftovers


def capacity_refusal(source, plan, capacities, target=None):
    """The operator's sentence for a plan that leaves instances without a host, or None."""
    if not plan["unplaced"]:
        return None
    if not capacities:
        return ("evacuating %s: there is no other enabled nova-compute host that is up to take its instances; enable "
                "or repair one, then run again. Nothing was changed" % source)
    hosts = ", ".join(sorted(capacities))
    where = "target_host %s has" % target if target else "%s have" % hosts
    if plan["shortfall"]:
        hint = ", or leave target_host out" if target else ""
        return ("evacuating %s needs more than %s free: %s short (in Placement). Free room or add hosts%s, then run "
                "again. Nothing was changed" % (source, where, api.describe(plan["shortfall"]), hint))
    names = ", ".join("%s (%s)" % (i["name"], api.describe(i["resources"])) for i in plan["unplaced"])
    return ("evacuating %s: %s enough free in total, but no single host has room for %s. Free room on one host, then "
            "run again. Nothing was changed" % (source, where, names))


def poll_state(server, source, expected):
    """(done, failed, text) for an evacuating server's detail body: done when it is expected on
    another host with no task left, failed when it is ERROR (with Nova's fault message)."""
    status = server.get("status")
    host = server.get("OS-EXT-SRV-ATTR:host")
    task = server.get("OS-EXT-STS:task_state")
    text = "%s on %s%s" % (status, host, " (%s)" % task if task else "")
    if status == "ERROR" and not task:
        fault = (server.get("fault") or {}).get("message")
        return False, True, text + (": %s" % fault if fault else "")
    if status == expected and host and host != source and not task:
        return True, False, text
    return False, False, text


def summarize(records):
    """{result: count} over every result name (zeros included)."""
    counts = dict((name, 0) for name in RESULTS)
    for record in records:
        counts[record["result"]] += 1
    return counts


def leftover_message(host, records, timeout):
    """One sentence naming every instance that was not evacuated and why, or None."""
    parts = []
    for record in records:
        if record["result"] == FAILED:
            parts.append("%s failed (%s)" % (record["name"], record.get("message") or "ERROR"))
        elif record["result"] == TIMED_OUT:
            parts.append("%s did not reach %s within %d s (last seen %s)" % (
                record["name"], record["expected_status"], timeout, record.get("message")))
        elif record["result"] == NOT_STARTED:
            parts.append("%s was not started before the timeout" % record["name"])
        elif record["result"] == NOT_EVACUABLE:
            parts.append(record.get("message") or "%s cannot be evacuated" % record["name"])
    if not parts:
        return None
    return "%d instance(s) are not evacuated from %s: %s. Run again to retry them" % (
        len(parts), host, "; ".join(parts))
