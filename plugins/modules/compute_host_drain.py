#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: compute_host_drain
short_description: Empty a hypervisor by live migration, after proving the other hosts have room
version_added: 1.1.0
description:
  - Empties one nova-compute host for maintenance, the safe version of the operators' "live-migrate
    everything off a hypervisor" loop. It plans before it acts and never retries forever.
  - "First the plan: every instance on the host and the resources it holds in Placement (its flavor's
    when Placement has no allocation for it), and the free room of the other enabled, up nova-compute
    hosts (or of O(targets) or O(aggregate)) by Placement's rule (total - reserved) * allocation_ratio - used.
    When those hosts cannot take every instance that can move, the module fails before it changes
    anything, saying how much is missing or which instance has no host with room, and the service stays
    enabled."
  - Then it disables the host's nova-compute service with O(disabled_reason), so the scheduler places
    nothing new there, and live-migrates the instances, at most O(max_in_flight) at a time, each to the
    host the scheduler picks (or to the planned host when O(targets) or O(aggregate) is given). An
    instance counts as moved when its migration record (C(/os-migrations)) says completed and the server
    is on another host; Nova changes the host before the record completes.
  - Instances that cannot be live-migrated (not ACTIVE or PAUSED, busy with a task) and migrations that
    Nova refuses or that fail are listed in RV(leftovers) with the reason; each is tried once.
    O(fail_on_leftovers) decides whether the task then fails. The host stays disabled either way.
  - Progress (each start and end, with seconds since the module started) is returned in RV(progress) and
    written to the managed host's syslog.
  - O(state=undrained) enables the service again (the instances stay where they are).
  - openstack.cloud has no module for this (no live migration in C(server_action), nothing that disables a
    compute service or reads Placement), hence this one. It uses the same authentication options, and its
    C(module_defaults) group C(group/stackops.openstack.openstack) also holds every module of
    C(group/openstack.cloud.openstack).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackops.openstack.action_groups.openstack
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Returns the plan (RV(plan)) and the refusal, if any; the service stays as it is.
  diff_mode:
    support: full
    details: The service's status and reason and the instances on the host, before and after.
  platform:
    support: full
    platforms: posix
options:
  host:
    description: The nova-compute host to drain, as C(openstack compute service list) names it.
    type: str
    required: true
  state:
    description:
      - V(drained) disables the service and moves every instance that can move.
      - V(undrained) enables the service again.
    type: str
    choices: [drained, undrained]
    default: drained
  disabled_reason:
    description: The reason recorded on the disabled service (C(openstack compute service list --long)).
    type: str
    default: drained for maintenance by stackops.openstack.compute_host_drain
  targets:
    description:
      - Move the instances only to these hosts, each to the host the plan chose for it (the scheduler still
        checks it). Each must be an enabled, up nova-compute host other than O(host).
      - When empty, every other enabled, up nova-compute host counts, and the scheduler picks.
    type: list
    elements: str
    default: []
  aggregate:
    description: Move the instances only to the hosts of this host aggregate (as O(targets), which it excludes).
    type: str
  max_in_flight:
    description: The most live migrations under way at the same time.
    type: int
    default: 2
  block_migration:
    description:
      - V(auto) lets Nova decide (block migration unless the instance's disks are on shared storage).
    type: str
    choices: [auto, 'true', 'false']
    default: auto
  timeout:
    description:
      - Seconds for the whole drain. Migrations still running then are reported as V(timed_out) and the ones
        not started as V(not_started); none is cancelled.
    type: int
    default: 3600
  fail_on_leftovers:
    description: Fail when an instance is still on the host at the end (RV(leftovers) says why).
    type: bool
    default: true
requirements:
  - openstacksdk
notes:
  - Live migration needs the source's nova-compute running; for a dead host use
    M(stackops.openstack.compute_host_evacuate).
  - Compute API microversions used, whatever the client library prefers - 2.53 (services by id), 2.47
    (flavor in the server), 2.30 (live migration, no C(force)), 2.59 (migration records).
  - A host with several compute nodes (ironic, or a driver with several nodes) has one Placement resource
    provider per node, and Placement puts an instance on ONE of them. So the plan places each instance on one
    provider that has room for all of it, never on the sum of a host's providers, and RV(plan) names the
    provider's nova-compute host in C(planned_host). M(stackops.openstack.compute_host_evacuate) plans the same way.
seealso:
  - module: stackops.openstack.compute_host_evacuate
  - module: openstack.cloud.compute_service_info
'''

EXAMPLES = r'''
- name: Show the plan for draining compute03, changing nothing
  stackops.openstack.compute_host_drain:
    cloud: overcloud
    host: compute03
  check_mode: true
  register: drain_plan

- name: Drain compute03, two migrations at a time
  stackops.openstack.compute_host_drain:
    cloud: overcloud
    host: compute03
    disabled_reason: "RAM replacement, ticket OPS-1234"
    timeout: 7200

- name: Drain into the hosts of one aggregate, one at a time, and go on with what cannot move
  stackops.openstack.compute_host_drain:
    cloud: overcloud
    host: compute03
    aggregate: rack2
    max_in_flight: 1
    fail_on_leftovers: false
  register: drain

- name: Back in service after the maintenance
  stackops.openstack.compute_host_drain:
    cloud: overcloud
    host: compute03
    state: undrained
'''

RETURN = r'''
host:
  description: The host drained.
  returned: always
  type: str
  sample: compute03
service:
  description: The host's nova-compute service afterwards (as it would be, in check mode).
  returned: success
  type: dict
  sample: {"id": "5b1c...", "status": "disabled", "state": "up", "disabled_reason": "RAM replacement"}
plan:
  description:
    - The instances on the host when the drain started, with the resources they hold and the host the plan
      found room on (V(null) for those that cannot move).
  returned: with O(state=drained)
  type: list
  elements: dict
  sample: [{"id": "0f5e...", "name": "web1", "status": "ACTIVE",
            "resources": {"VCPU": 2, "MEMORY_MB": 4096, "DISK_GB": 20}, "planned_host": "compute01"}]
migrations:
  description:
    - One entry per migration tried, in the order they started - from, to (where the instance is now, or
      V(null)), seconds, and result V(migrated), V(refused), V(failed), V(timed_out) or V(not_started),
      with Nova's or the module's message.
  returned: with O(state=drained)
  type: list
  elements: dict
  sample: [{"id": "0f5e...", "name": "web1", "from": "compute03", "to": "compute01", "seconds": 4.2,
            "result": "migrated", "message": ""}]
leftovers:
  description: Instances still on the host, each with the reason.
  returned: with O(state=drained)
  type: list
  elements: dict
  sample: [{"id": "9a77...", "name": "db2", "status": "SHUTOFF",
            "reason": "db2 is SHUTOFF; only ACTIVE or PAUSED instances can be live-migrated"}]
most_in_flight:
  description: The most migrations that were under way at the same time.
  returned: with O(state=drained)
  type: int
  sample: 2
report:
  description: The outcome in lines for a person - the service, each instance moved (or, in check mode, planned), what stays.
  returned: success, and failure once the drain has begun
  type: list
  elements: str
  sample: ["nova-compute on compute03: disabled (RAM replacement)", "web1: compute03 -> compute01 in 4.2 s: migrated",
           "stays: db2 is SHUTOFF; only ACTIVE or PAUSED instances can be live-migrated"]
seconds:
  description: How long the drain took, planning included.
  returned: success, and failure once the drain has begun
  type: float
  sample: 41.5
progress:
  description: What happened when, in seconds since the module started.
  returned: with O(state=drained)
  type: list
  elements: str
  sample: ["0.4s web1: live migration from compute03 to a host the scheduler picks started (1 in flight)"]
'''

import time

try:
    # openstack.cloud 2.5 (the one in the ansible 12 package) reads openstack.version,
    # which openstacksdk 4.15 and later no longer import themselves
    import openstack.version  # noqa: F401 pylint: disable=unused-import
except ImportError:
    pass

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.stackops.openstack.plugins.module_utils import compute_drain as drain
from ansible_collections.stackops.openstack.plugins.module_utils import nova_compute_api as api
from ansible_collections.stackops.openstack.plugins.module_utils.nova_compute_api import ApiError

# the Compute API microversions this module speaks besides nova_compute_api's (services 2.53, servers 2.47,
# hypervisors 2.53), chosen rather than left to the library
MV_LIVE_MIGRATE = "2.30"  # block_migration auto; host checked by the scheduler (no force)
MV_MIGRATIONS = "2.59"  # migration records with uuid, filtered by instance_uuid


class ComputeHostDrainModule(OpenStackModule):
    argument_spec = dict(
        host=dict(type="str", required=True),
        state=dict(type="str", choices=["drained", "undrained"], default="drained"),
        disabled_reason=dict(type="str", default="drained for maintenance by stackops.openstack.compute_host_drain"),
        targets=dict(type="list", elements="str", default=[]),
        aggregate=dict(type="str"),
        max_in_flight=dict(type="int", default=2),
        block_migration=dict(type="str", choices=["auto", "true", "false"], default="auto"),
        timeout=dict(type="int", default=3600),
        fail_on_leftovers=dict(type="bool", default=True),
    )
    module_kwargs = dict(
        supports_check_mode=True,
        mutually_exclusive=[("targets", "aggregate")],
    )

    def run(self):
        self.began = time.monotonic()
        self.progress = []
        self.api = api.NovaComputeApi(self.conn)
        host = self.params["host"]
        for name in ("max_in_flight", "timeout"):
            if self.params[name] < 1:
                self.fail_json(msg="%s is %s, expected at least 1" % (name, self.params[name]), host=host)
        try:
            services = self._compute_services()
            error = drain.check_targets(host, self.params["targets"], set(services))
            if error:
                self.fail_json(msg=error, host=host)
            if self.params["state"] == "undrained":
                self._undrain(services[host])
            self._drain(host, services)
        except (ApiError, ValueError) as exc:
            self.fail_json(msg=str(exc), host=host)

    # -- the two states

    def _undrain(self, service):
        before = _service_view(service)
        changed = service["status"] != "enabled"
        after = dict(before, status="enabled", disabled_reason=None)
        if changed and not self.ansible.check_mode:
            after = _service_view(self._update_service(service, {"status": "enabled"}))
        self.exit_json(changed=changed, host=service["host"], service=after, report=[_describe_service(after).strip()],
                       diff=dict(before=_describe_service(before), after=_describe_service(after)))

    def _drain(self, host, services):
        service = services[host]
        if service["state"] != "up":
            self.fail_json(
                host=host, service=_service_view(service),
                msg="nova-compute on %s is %s: live migration needs it running. For a dead host, fence it and "
                    "use stackops.openstack.compute_host_evacuate; nothing was changed" % (host, service["state"]))
        reason = self.params["disabled_reason"]
        plan, refusal = self._plan(host, services)
        before = _service_view(service)
        instances_before = [i["name"] for i in plan]
        disable = service["status"] != "disabled" or service.get("disabled_reason") != reason
        if refusal:
            self.fail_json(msg=refusal, host=host, service=before, plan=plan)
        movable = [i for i in plan if i["planned_host"]]
        after_view = dict(before, status="disabled", disabled_reason=reason)
        leftovers_planned = [dict(id=i["id"], name=i["name"], status=i["status"], reason=i["reason"])
                             for i in plan if not i["planned_host"]]
        if self.ansible.check_mode:
            self.exit_json(
                changed=bool(disable or movable), host=host, service=after_view, plan=plan, migrations=[],
                leftovers=leftovers_planned, most_in_flight=0, progress=[],
                report=_report(after_view, plan, None, leftovers_planned),
                diff=self._diff(before, after_view, instances_before, [i["name"] for i in plan if not i["planned_host"]]))
        if disable:
            service = self._update_service(service, {"status": "disabled", "disabled_reason": reason})
            self._say("disabled nova-compute on %s: %s" % (host, reason))
            # instances may have landed between the first look and the disable: plan again with what is there now
            plan, refusal = self._plan(host, self._compute_services())
            if refusal:
                restored = self._update_service(service, _restoring_body(before))
                self.fail_json(msg=refusal + " (the service was put back as it was: %s)" % _service_state(restored),
                               host=host, plan=plan, service=_service_view(restored))
        jobs = [dict(id=i["id"], name=i["name"], **{"from": host, "to": i["planned_host"] if self._pinned() else None})
                for i in plan if i["planned_host"]]
        known = {job["id"]: self._migration_ids(job["id"]) for job in jobs}
        results, most = drain.run_migrations(
            jobs, self._start_migration, lambda job: self._poll(job, known[job["id"]]),
            self.params["max_in_flight"], self.params["timeout"], time.monotonic, time.sleep, self._say)
        try:
            servers_now = {s["id"]: s for s in self._servers(host)}
            service_after = _service_view(self._compute_services()[host])
        except ApiError as exc:
            self.fail_json(
                msg="the migrations ended as listed in migrations, but reading %s afterwards failed: %s. Check it "
                    "with `openstack server list --all-projects --host %s`" % (host, exc, host),
                host=host, plan=plan, migrations=results, most_in_flight=most, progress=self.progress,
                report=_report(_service_view(service), plan, results, []),
                seconds=round(time.monotonic() - self.began, 1))
        # leftovers are what is still on the host; an instance deleted meanwhile is not, and one still
        # migrating at the timeout counts until its migration record completes
        leftovers = [dict(id=i["id"], name=i["name"], status=i["status"], reason=i["reason"])
                     for i in plan if not i["planned_host"] and i["id"] in servers_now]
        for result in results:
            if result["result"] != "migrated" and (result["id"] in servers_now or result["result"] == "timed_out"):
                now = servers_now.get(result["id"], {})
                leftovers.append(dict(id=result["id"], name=result["name"], status=now.get("status"),
                                      reason="%s: %s" % (result["result"], result["message"])))
        # an instance that arrived after the second plan is still there too
        for server_id, server in servers_now.items():
            if not any(item["id"] == server_id for item in leftovers):
                leftovers.append(dict(id=server_id, name=server["name"], status=server["status"],
                                      reason="appeared on the host during the drain"))
        moved = sum(1 for r in results if r["result"] == "migrated")
        outcome = dict(
            changed=bool(disable or results), host=host, service=service_after, plan=plan, migrations=results,
            leftovers=leftovers, most_in_flight=most, progress=self.progress,
            report=_report(service_after, plan, results, leftovers),
            seconds=round(time.monotonic() - self.began, 1),
            diff=self._diff(before, service_after, instances_before, [i["name"] for i in leftovers]))
        if leftovers and self.params["fail_on_leftovers"]:
            self.fail_json(
                msg="draining %s moved %d of %d instance(s); still there: %s. The service stays disabled; fix "
                    "those and run again, or set fail_on_leftovers=false" % (
                        host, moved, len(plan), "; ".join(item["reason"] if item["reason"].startswith(item["name"])
                                                          else "%s (%s)" % (item["name"], item["reason"])
                                                          for item in leftovers)),
                **outcome)
        self.exit_json(**outcome)

    def _pinned(self):
        return bool(self.params["targets"] or self.params["aggregate"])

    # -- planning

    def _plan(self, host, services):
        """(plan entries, refusal text or None) for the instances on host now."""
        servers = self._servers(host)
        providers = self.api.providers()
        for server in servers:
            server["resources"] = self.api.instance_resources(server, providers.get(host, []))
        migratable, leftovers = drain.split_instances(servers)
        # {host: [each resource provider's room]}: one instance goes to one provider, never to their sum
        capacities = self.api.capacities(self._candidate_hosts(host, services), providers)
        placement = api.plan_placement(migratable, capacities)
        planned = {instance["id"]: target for instance, target in placement["placements"]}
        reasons = {item["id"]: item["reason"] for item in leftovers}
        plan = [dict(id=s["id"], name=s["name"], status=s["status"], resources=s["resources"],
                     planned_host=planned.get(s["id"]), reason=reasons.get(s["id"]))
                for s in servers]
        return plan, drain.refusal(host, placement, capacities)

    def _candidate_hosts(self, host, services):
        if self.params["aggregate"]:
            hosts = self.api.aggregate_hosts(self.params["aggregate"])
            unknown = sorted(h for h in hosts if h not in services)
            if unknown:
                raise ApiError("aggregate %s lists host(s) %s that run no nova-compute" % (
                    self.params["aggregate"], ", ".join(unknown)))
            hosts = [h for h in hosts if h != host]
            if not hosts:
                raise ApiError("aggregate %s has no host other than %s" % (self.params["aggregate"], host))
        else:
            hosts = self.params["targets"]
        if hosts:
            unusable = ["%s (%s)" % (h, _unusable(services[h])) for h in hosts if _unusable(services[h])]
            if unusable:
                raise ApiError("cannot drain %s into %s: only enabled, up nova-compute hosts take instances" % (
                    host, ", ".join(unusable)))
            return sorted(set(hosts))
        return sorted(h for h, s in services.items() if h != host and not _unusable(s))

    # -- migrating

    def _start_migration(self, job):
        block = {"auto": "auto", "true": True, "false": False}[self.params["block_migration"]]
        body = {"os-migrateLive": {"host": job["to"], "block_migration": block}}
        try:
            self.api.compute("POST", "/servers/%s/action" % job["id"], MV_LIVE_MIGRATE, body)
        except ApiError as exc:
            raise drain.MigrationRefused(str(exc))

    def _poll(self, job, known_ids):
        try:
            records = self.api.compute(
                "GET", "/os-migrations?instance_uuid=%s&migration_type=live-migration" % job["id"], MV_MIGRATIONS
            ).get("migrations", [])
            server = self.api.compute("GET", "/servers/%s" % job["id"], api.SERVERS_MICROVERSION)["server"]
        except ApiError as exc:
            if exc.status == 404:
                return "failed", "the instance no longer exists (deleted during the drain?): %s" % exc
            # an API restart or a 5xx must not end the drain: the migration goes on server-side, and the
            # overall timeout still bounds the wait
            self._say("%s: could not read its migration state, will ask again: %s" % (job["name"], exc))
            return "running", "state unknown: %s" % exc
        now = {"host": server.get("OS-EXT-SRV-ATTR:host"), "status": server.get("status"),
               "task_state": server.get("OS-EXT-STS:task_state")}
        return drain.migration_state(records, known_ids, job["from"], now)

    def _migration_ids(self, server_id):
        return {r.get("id") for r in self.api.compute(
            "GET", "/os-migrations?instance_uuid=%s" % server_id, MV_MIGRATIONS).get("migrations", [])}

    def _say(self, text):
        line = "%.1fs %s" % (time.monotonic() - self.began, text)
        self.progress.append(line)
        self.log("compute_host_drain: " + line)

    # -- API reads and writes (nova_compute_api's)

    def _compute_services(self):
        return self.api.services()

    def _update_service(self, service, body):
        return self.api.update_service(service["id"], body)

    def _servers(self, host):
        return [dict(id=s["id"], name=s.get("name") or s["id"], status=s.get("status"),
                     task_state=s.get("OS-EXT-STS:task_state"), flavor=s.get("flavor"), image=s.get("image"),
                     host=s.get("OS-EXT-SRV-ATTR:host")) for s in self.api.servers(host)]

    def _diff(self, before, after, instances_before, instances_after):
        return dict(before=_describe_service(before) + _describe_instances(instances_before),
                    after=_describe_service(after) + _describe_instances(instances_after))


def _restoring_body(service):
    """The PUT body that gives a service back the status and reason it had."""
    if service["status"] == "enabled":
        return {"status": "enabled"}
    body = {"status": "disabled"}
    if service.get("disabled_reason"):
        body["disabled_reason"] = service["disabled_reason"]
    return body


def _unusable(service):
    if service["status"] != "enabled":
        return "disabled" + (": %s" % service["disabled_reason"] if service.get("disabled_reason") else "")
    if service["state"] != "up":
        return "down"
    if service.get("forced_down"):
        return "forced down"
    return None


def _service_view(service):
    return dict(id=service.get("id"), host=service.get("host"), status=service.get("status"),
                state=service.get("state"), disabled_reason=service.get("disabled_reason"),
                forced_down=service.get("forced_down"))


def _service_state(service):
    """'enabled', 'disabled' or 'disabled (its reason)'."""
    reason = " (%s)" % service["disabled_reason"] if service["status"] == "disabled" and service.get(
        "disabled_reason") else ""
    return service["status"] + reason


def _describe_service(service):
    return "nova-compute on %s: %s\n" % (service["host"], _service_state(service))


def _report(service, plan, results, leftovers):
    """Lines for a person: the service, then each instance (planned or done), then what stays."""
    lines = [_describe_service(service).strip()]
    if results is None:
        lines += ["%s: will move (room on %s)" % (i["name"], i["planned_host"]) for i in plan if i["planned_host"]]
    else:
        lines += ["%s: %s -> %s in %.1f s: %s%s" % (
            r["name"], r["from"], r["to"] or "-", r["seconds"], r["result"],
            (" (%s)" % r["message"]) if r["message"] else "") for r in results]
    lines += ["stays: %s" % (item["reason"] if item["reason"].startswith(item["name"])
                             else "%s (%s)" % (item["name"], item["reason"])) for item in leftovers]
    if len(lines) == 1:
        lines.append("nothing to move")
    return lines


def _describe_instances(names):
    return "instances: %s\n" % (", ".join(sorted(names)) if names else "none")


def main():
    module = ComputeHostDrainModule()
    module()


if __name__ == "__main__":
    main()
