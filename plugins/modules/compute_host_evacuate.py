#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: compute_host_evacuate
short_description: Evacuate every instance of a dead nova-compute host to the other hosts
version_added: 1.1.0
description:
  - Rebuilds every instance of a crashed compute host on other hosts through Nova's evacuate API
    (C(POST /servers/{id}/action) with C(evacuate)), never through the database.
  - Refuses while the host's nova-compute service still reports C(up), unless O(host_fenced=true), because an
    instance evacuated from a host that still runs it runs twice, on the same volumes and ports. The refusal
    says what to check.
  - Plans first. The instances' resources (from their embedded flavors) are placed, largest first, on the
    free capacity Placement reports for the other enabled, up nova-compute hosts (or O(target_host) alone);
    when they do not fit, the module refuses with the shortfall in words and changes nothing. The plan
    proves that room exists; Nova's scheduler still chooses each destination unless O(target_host) is
    given, and the plan does not model availability zones, aggregates or server groups.
  - Then it disables the service with O(disabled_reason) (so nothing is scheduled to the host) and marks it
    forced down (C(PUT /os-services/{id}), microversion 2.53), both in one request. A service that is
    already disabled keeps its reason. When the host is repaired, restart its nova-compute first (it
    deletes the evacuated copies and completes the evacuation records), then unset forced down and
    enable the service; Nova refuses to unset forced down before that restart.
  - Evacuates at most O(max_parallel) instances at a time and waits for each to reach its end state on
    another host, with one overall O(timeout). Each state change is logged (syslog/journal) and listed in
    RV(progress). An instance that ends in C(ERROR) is reported and never retried by the module; a second
    run retries what is left on the host.
  - "Microversion: with O(target_state=active) the evacuation uses 2.94, the last microversion where an
    evacuated instance keeps its state: C(ACTIVE) (and C(ERROR)) instances end C(ACTIVE), C(SHUTOFF)
    instances stay C(SHUTOFF). From 2.95 Nova stops every evacuated instance (C(SHUTOFF)) except one
    that was in C(ERROR) (rebuilt C(ACTIVE)), which is what O(target_state=shutoff) asks for. The module
    never uses a newer microversion by accident (openstacksdk's own evacuate uses 2.100, where an instance
    ends C(SHUTOFF) and a wait for C(ACTIVE) never ends)."
  - "Shared storage: from microversion 2.14 Nova decides by itself whether the instance's disk is on storage
    shared with the destination (it asks the destination's driver), and the API no longer accepts
    C(onSharedStorage). So there is no O(ignore:on_shared_storage) option: every microversion this module
    uses is newer than 2.14."
  - Instances Nova cannot evacuate (not C(ACTIVE), C(SHUTOFF) or C(ERROR), or busy with a task) are listed
    with the reason and count as leftovers (O(fail_on_leftovers)).
  - Uses the same authentication options as the openstack.cloud modules and needs an admin (the
    os-services, os-hypervisors and evacuate APIs and Placement are admin only by default).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackops.openstack.action_groups.openstack
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Returns the plan (RV(instances), each with its C(planned_host)); the service is not disabled or
      forced down and nothing is evacuated.
  diff_mode:
    support: full
    details: The service's status and each instance's host and status, before and after (planned, in check mode).
  platform:
    support: full
    platforms: posix
options:
  host:
    description:
      - The dead compute host, as its nova-compute service names it (C(openstack compute service list)).
    type: str
    required: true
  host_fenced:
    description:
      - Confirms that O(host) is fenced, which allows the evacuation while its service still reports C(up)
        (the heartbeat has not yet timed out, or the host is alive but broken).
      - Set it only when the host is powered off (IPMI/BMC, PDU) or cut off from its storage and networks.
        Otherwise its instances keep running there and the evacuated copies run a second time, writing to
        the same volumes.
      - Without it, the module proceeds only when the service already reports C(down) or is forced down,
        and warns that the host must be off anyway.
    type: bool
    default: false
  target_state:
    description:
      - The state the evacuated instances end in.
      - V(active) uses microversion 2.94; each instance keeps its state (C(ACTIVE) stays C(ACTIVE), C(SHUTOFF) stays
        C(SHUTOFF), C(ERROR) is rebuilt C(ACTIVE)).
      - V(shutoff) uses microversion 2.95 (Nova 2023.1 or newer); every instance ends C(SHUTOFF) and is started
        later by its owner or the operator, except an instance that was in C(ERROR), which Nova rebuilds C(ACTIVE).
    type: str
    choices: [active, shutoff]
    default: active
  target_host:
    description:
      - The host every instance is evacuated to. Nova's scheduler still checks it (the evacuation is never
        forced), so it must be an enabled, up nova-compute host with room for all of them.
      - Without it the scheduler chooses a host per instance.
      - The source host or an unknown host is refused before anything changes.
    type: str
  disabled_reason:
    description:
      - Why the service is disabled, as Nova shows it (at most 255 characters). Not changed when the service
        is already disabled.
    type: str
    default: host down, instances evacuated by stackops.openstack.compute_host_evacuate
  timeout:
    description:
      - Seconds to wait, overall, for all evacuations to end. Instances still on their way are reported as
        V(timed_out), those not yet started as V(not_started).
    type: int
    default: 900
  poll_interval:
    description: Seconds between two looks at the evacuating instances.
    type: int
    default: 5
  max_parallel:
    description: How many evacuations run at the same time.
    type: int
    default: 4
  fail_on_leftovers:
    description:
      - Fail when an instance is not evacuated (failed, timed out, not started, or not evacuable). The result
        still lists every instance.
      - When false, leftovers are reported in RV(instances), RV(summary) and a warning.
    type: bool
    default: true
requirements:
  - openstacksdk
notes:
  - The capacity plan reads Placement's inventories and usages per compute node (the node's UUID from
    C(os-hypervisors) is its resource provider). Allocations the evacuated instances still hold on the dead
    host are released by its nova-compute when it starts again.
  - A host with several compute nodes (ironic, or a driver with several nodes) has one resource provider per
    node, and Placement puts an instance on ONE of them. So the plan places each instance on one provider that
    has room for all of it, never on the sum of a host's providers (nor on its biggest provider alone), and
    C(planned_host) names the provider's nova-compute host; RV(capacity) then lists each provider's room.
    M(stackops.openstack.compute_host_drain) plans the same way.
seealso:
  - name: Nova's evacuate guide
    description: Evacuating instances, fencing and the forced-down flag.
    link: https://docs.openstack.org/nova/latest/admin/evacuate.html
  - name: Compute API microversion history
    description: 2.14 (Nova decides shared storage), 2.53 (services by UUID), 2.95 (evacuated instances stopped).
    link: https://docs.openstack.org/nova/latest/reference/api-microversion-history.html
'''

EXAMPLES = r'''
- name: Preview what would be evacuated from the dead host, and where
  stackops.openstack.compute_host_evacuate:
    cloud: overcloud
    host: compute07
    host_fenced: true
  check_mode: true
  register: plan

- name: Evacuate compute07 after it was powered off through its BMC
  stackops.openstack.compute_host_evacuate:
    cloud: overcloud
    host: compute07
    host_fenced: true
    disabled_reason: "PSU failure, ticket OPS-1234"
  register: evacuation

- name: Evacuate to one host and leave the instances stopped, without failing on leftovers
  stackops.openstack.compute_host_evacuate:
    cloud: overcloud
    host: compute07
    target_host: compute08
    target_state: shutoff
    timeout: 1800
    fail_on_leftovers: false
'''

RETURN = r'''
host:
  description: The evacuated host.
  returned: success, or failure after the plan
  type: str
  sample: compute07
microversion:
  description: The compute microversion of the evacuate requests, chosen from O(target_state).
  returned: success, or failure after the plan
  type: str
  sample: "2.94"
service_before:
  description: The host's nova-compute service before the run.
  returned: success, or failure after the plan
  type: dict
  sample: {"id": "8d3b...", "host": "compute07", "status": "enabled", "state": "down", "forced_down": false,
           "disabled_reason": null, "updated_at": "2026-12-03T01:02:03.000000"}
service_after:
  description: The service after the run (as it would be, in check mode).
  returned: success, or failure after the plan
  type: dict
  sample: {"id": "8d3b...", "host": "compute07", "status": "disabled", "state": "down", "forced_down": true,
           "disabled_reason": "host down, instances evacuated by stackops.openstack.compute_host_evacuate",
           "updated_at": "2026-12-03T01:02:03.000000"}
capacity:
  description: Free capacity Placement reports per candidate host, in words, before the evacuation.
  returned: success, or failure after the plan
  type: dict
  sample: {"compute08": "60 VCPU, 24064 MB of RAM and 430 GB of disk"}
instances:
  description:
    - One entry per instance found on the host.
    - C(result) is V(would_evacuate) (check mode), V(evacuated), V(failed) (Nova refused the request or the
      instance went C(ERROR)), V(timed_out), V(not_started) (the timeout came first) or V(not_evacuable).
    - C(from) is the source host, C(planned_host) where the plan found room, C(to) the host the instance is on
      at the end (V(null) in check mode), C(seconds) how long its evacuation took, C(message) Nova's fault or
      the reason.
  returned: success, or failure after the plan
  type: list
  elements: dict
  sample: [{"id": "5a1e...", "name": "web1", "from": "compute07", "planned_host": "compute08", "to": "compute09",
            "status_before": "ACTIVE", "expected_status": "ACTIVE", "status": "ACTIVE", "seconds": 41.2,
            "result": "evacuated", "message": null}]
summary:
  description: How many instances ended with each result.
  returned: success, or failure after the plan
  type: dict
  sample: {"would_evacuate": 0, "evacuated": 3, "failed": 0, "timed_out": 0, "not_started": 0, "not_evacuable": 0}
progress:
  description: The state changes seen while waiting, one line each, with the seconds since the first evacuation.
  returned: success, or failure after the plan
  type: list
  elements: str
  sample: ["0.0s web1: evacuation requested (microversion 2.94)", "6.1s web1: ACTIVE on compute09"]
'''

import time

try:
    # openstack.cloud 2.5 (the one in the ansible 12 package) reads openstack.version,
    # which openstacksdk 4.15 and later no longer import themselves
    import openstack.version  # noqa: F401 pylint: disable=unused-import
except ImportError:
    pass

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.stackops.openstack.plugins.module_utils import compute_evacuate as evac
from ansible_collections.stackops.openstack.plugins.module_utils import nova_compute_api as api
from ansible_collections.stackops.openstack.plugins.module_utils.nova_compute_api import ApiError

# the clock and the pause of the wait loop (unit tests replace them)
_clock = time.monotonic
_sleep = time.sleep


class Refusal(Exception):
    """The evacuation must not start; args[0] is the message, result what the failure returns besides."""

    def __init__(self, msg, **result):
        super(Refusal, self).__init__(msg)
        self.result = result


class ComputeHostEvacuateModule(OpenStackModule):
    argument_spec = dict(
        host=dict(type="str", required=True),
        host_fenced=dict(type="bool", default=False),
        target_state=dict(type="str", choices=list(evac.TARGET_STATES), default="active"),
        target_host=dict(type="str"),
        disabled_reason=dict(type="str", default="host down, instances evacuated by "
                                                 "stackops.openstack.compute_host_evacuate"),
        timeout=dict(type="int", default=900),
        poll_interval=dict(type="int", default=5),
        max_parallel=dict(type="int", default=4),
        fail_on_leftovers=dict(type="bool", default=True),
    )
    module_kwargs = dict(supports_check_mode=True)

    def run(self):
        self.api = api.NovaComputeApi(self.conn)
        source, target = self.params["host"], self.params["target_host"]
        for name in ("timeout", "poll_interval", "max_parallel"):
            if self.params[name] < 1:
                self.fail_json(msg="%s is %d, expected at least 1" % (name, self.params[name]))
        error = evac.check_reason(self.params["disabled_reason"])
        if target is not None and target == source:
            error = evac.check_hosts(source, target, {source: {}})
        if error:
            self.fail_json(msg=error)

        # Everything is read and decided before the first change: a refusal never comes after
        # the service was forced down.
        try:
            microversion, service, evacuable, leftovers, plan, capacities = self._plan(source, target)
        except Refusal as refusal:
            self.fail_json(msg=refusal.args[0], **refusal.result)
        error = evac.capacity_refusal(source, plan, capacities, target)
        if error:
            self.fail_json(msg=error, capacity=_words(capacities), service_before=evac.service_view(service))
        if service.get("state") == "up" and not service.get("forced_down"):
            self.warn("nova-compute on %s still reports up; host_fenced=true says the host is fenced, so its "
                      "service %s forced down" % (source, "would be" if self.check_mode else "is"))
        elif evacuable and not self.params["host_fenced"]:
            self.warn("nova-compute on %s reports down; a missing heartbeat does not prove that the host is off. "
                      "Its instances are evacuated now: make sure it stays powered off or fenced" % source)

        planned = dict((instance["id"], host) for instance, host in plan["placements"])
        records = [self._record(i, planned.get(i["id"])) for i in evacuable]
        records += [dict(self._record(i, None), result=evac.NOT_EVACUABLE, message=i["reason"]) for i in leftovers]
        body = evac.service_update(service, self.params["disabled_reason"])
        result = dict(host=source, microversion=microversion, service_before=evac.service_view(service),
                      service_after=evac.service_view(evac.service_after(service, body)),
                      capacity=_words(capacities), instances=records, progress=[])
        changed = bool(body) or bool(evacuable)
        if not self.check_mode and changed:
            if body:
                try:
                    updated = self.api.update_service(service["id"], body)
                except Exception as exc:
                    self.fail_json(msg="Nova refused to disable and force down nova-compute on %s (%s). Nothing was "
                                       "changed" % (source, exc), **result)
                result["service_after"] = evac.service_view(dict(service, **updated))
            self._evacuate([r for r in records if r["result"] == evac.WOULD_EVACUATE], microversion,
                           result["progress"])
        result["summary"] = evac.summarize(records)
        result["diff"] = {"before": _describe(result["service_before"], records, before=True),
                          "after": _describe(result["service_after"], records, before=False)}
        message = evac.leftover_message(source, records, self.params["timeout"])
        if message and self.params["fail_on_leftovers"] and not self.check_mode:
            self.fail_json(msg=message, changed=changed, **result)
        if message:
            self.warn(message)
        self.exit_json(changed=changed, **result)

    # ---------------------------------------------------------------- reading

    def _plan(self, source, target):
        """(microversion, service, evacuable, leftovers, plan, capacities); Refusal when the host, the
        target or the service state forbid the evacuation or Nova and Placement cannot be read."""
        try:
            microversion = evac.choose_microversion(self.params["target_state"], self.api.max_microversion())
            services = self.api.services()
            error = evac.check_hosts(source, target, services)
            if error:
                raise Refusal(error + ". Nothing was changed")
            service = services[source]
            error = evac.service_refusal(source, service, self.params["host_fenced"])
            if error:
                raise Refusal(error, service_before=evac.service_view(service))
            instances = [evac.instance_view(s, source) for s in self.api.servers(source)]
            evacuable, leftovers = evac.split_evacuable(instances)
            # {host: [each resource provider's room]}: one instance goes to one provider, never to their sum
            capacities = self.api.capacities(evac.candidate_hosts(source, services, target)) if evacuable else {}
            return microversion, service, evacuable, leftovers, api.plan_placement(evacuable, capacities), capacities
        except Refusal:
            raise
        # auth, connection: openstacksdk and keystoneauth raise their own kinds (an ApiError's cause)
        except Exception as exc:  # pylint: disable=broad-except
            raise Refusal(_reading_failed(source, exc))

    def _record(self, instance, planned_host):
        return {"id": instance["id"], "name": instance["name"], "from": instance["from"],
                "planned_host": planned_host, "to": None, "status_before": instance["status"],
                "expected_status": evac.expected_status(instance["status"], self.params["target_state"]),
                "status": instance["status"], "seconds": None, "result": evac.WOULD_EVACUATE, "message": None}

    # ---------------------------------------------------------------- evacuating

    def _evacuate(self, records, microversion, progress):
        source, target = self.params["host"], self.params["target_host"]
        timeout, interval = self.params["timeout"], self.params["poll_interval"]
        start = _clock()
        queue, running = list(records), []

        def note(record, text):
            line = "%.1fs %s: %s" % (_clock() - start, record["name"], text)
            progress.append(line)
            self.log(line)

        while queue or running:
            while queue and len(running) < self.params["max_parallel"]:
                record = queue.pop(0)
                record["started"] = _clock()
                body = {"evacuate": {"host": target} if target else {}}
                try:
                    self.api.compute("POST", "/servers/%s/action" % record["id"], microversion, body)
                except Exception as exc:  # one refused instance must not stop the others
                    record.update(result=evac.FAILED, message="Nova refused the evacuation: %s" % exc,
                                  seconds=round(_clock() - record.pop("started"), 1))
                    note(record, record["message"])
                    continue
                note(record, "evacuation requested (microversion %s)" % microversion)
                record["seen"] = None
                running.append(record)
            if not running:
                continue
            if _clock() - start >= timeout:
                break
            _sleep(interval)
            for record in list(running):
                try:
                    server = self.api.compute("GET", "/servers/%s" % record["id"], api.SERVERS_MICROVERSION)["server"]
                except Exception as exc:  # a lost answer is retried at the next look, until the timeout
                    note(record, "could not read the server (%s)" % exc)
                    continue
                done, failed, text = evac.poll_state(server, source, record["expected_status"])
                record.update(status=server.get("status"), to=server.get("OS-EXT-SRV-ATTR:host"))
                if text != record["seen"]:
                    record["seen"] = text
                    note(record, text)
                if done or failed:
                    running.remove(record)
                    record.update(result=evac.EVACUATED if done else evac.FAILED, message=None if done else text,
                                  seconds=round(_clock() - record.pop("started"), 1))
                    record.pop("seen", None)
            if _clock() - start >= timeout:
                break
        for record in running:
            record.update(result=evac.TIMED_OUT, message=record.pop("seen", None),
                          seconds=round(_clock() - record.pop("started"), 1))
        for record in queue:
            record.update(result=evac.NOT_STARTED, message="not started before the timeout of %d s" % timeout)


def _reading_failed(source, exc):
    """The refusal when reading Nova or Placement failed: the API's answer, or the library's words when none came."""
    cause = getattr(exc, "cause", None)
    if cause is None and isinstance(exc, (ApiError, ValueError)):
        return "%s. Nothing was changed" % str(exc).rstrip(".")
    cause = cause or exc
    return "could not read host %s from Nova and Placement (%s: %s). Nothing was changed" % (
        source, type(cause).__name__, cause)


def _words(capacities):
    return dict((host, api.describe_capacity(capacity)) for host, capacity in capacities.items())


def _describe(service, records, before):
    """The service line and one line per instance, so the diff shows what moves."""
    lines = ["service nova-compute on %s: %s, %s%s%s\n" % (
        service["host"], service["status"], service["state"], ", forced down" if service["forced_down"] else "",
        " (%s)" % service["disabled_reason"] if service["disabled_reason"] else "")]
    for record in records:
        if before:
            where, status = record["from"], record["status_before"]
        elif record["result"] == evac.WOULD_EVACUATE:
            where, status = "%s (planned)" % record["planned_host"], record["expected_status"]
        else:
            where, status = record["to"] or record["from"], record["status"]
        lines.append("instance %s (%s): %s on %s\n" % (record["name"], record["id"], status, where))
    return "".join(lines)


def main():
    module = ComputeHostEvacuateModule()
    module()


if __name__ == "__main__":
    main()
