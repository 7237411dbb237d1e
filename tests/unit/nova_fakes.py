# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One fake Nova and Placement for the compute_host_drain and compute_host_evacuate unit tests.

FakeConnection(cloud) stands in for openstack.connect(): its compute and placement proxies answer
the raw requests nova_compute_api makes (request(path, method, json=..., microversion=...,
raise_exc=False)) from FakeCloud, an in-memory cloud of hosts c1..c3 with their nova-compute
services, compute nodes (one resource provider each; add_node gives a host more), servers,
aggregates, Placement inventories, usages and allocations, live migrations with their records,
and evacuations. Both behave as Nova does: a live migration moves the server to its destination
and completes its record a look later (host first, record after); an evacuated server is
REBUILD on its new host, then ACTIVE or SHUTOFF (microversion 2.95 and newer stop it).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlparse

MIGRATABLE = ("ACTIVE", "PAUSED")


class Response:
    def __init__(self, status_code, body=None):
        self.status_code = status_code
        self.body = body
        self.text = "" if body is None else json.dumps(body)
        self.content = self.text.encode()

    def json(self):
        if not self.text:
            raise ValueError("no JSON")
        return self.body


def inventory(vcpu=8, ram=8000, disk=500, reserved_ram=512):
    """A compute node's Placement inventory: 32 VCPU (ratio 4), ram - reserved_ram MB, disk GB free when unused."""
    return {"VCPU": {"total": vcpu, "reserved": 0, "allocation_ratio": 4.0, "min_unit": 1, "max_unit": vcpu},
            "MEMORY_MB": {"total": ram, "reserved": reserved_ram, "allocation_ratio": 1.0, "min_unit": 1,
                          "max_unit": ram},
            "DISK_GB": {"total": disk, "reserved": 0, "allocation_ratio": 1.0, "min_unit": 1, "max_unit": disk}}


def provider_uuid(node):
    return "rp-" + node


def version(text):
    major, minor = text.split(".")
    return int(major), int(minor)


class FakeCloud:
    """Nova (services, servers, hypervisors, aggregates, live migration and its records, evacuate) and Placement.

    Every host starts with one compute node named as the host; inventories and usages are keyed by
    node name, so cloud.usages["c1"] is the usage of c1's (first) resource provider.
    """

    def __init__(self, max_version="2.104", looks=3, steps=2, page_size=2):
        self.max_version = max_version
        self.looks = looks                  # polls of a live migration until its record is completed
        self.steps = steps                  # looks until an evacuated server is at its destination
        self.page_size = page_size          # Nova's max_limit: servers per page of servers/detail
        self.services = {}
        self.nodes = {}                     # host: [node names], one resource provider each
        for n in (1, 2, 3):
            host = "c%d" % n
            self.services[host] = {"id": "svc-%d" % n, "binary": "nova-compute", "host": host, "zone": "nova",
                                   "status": "enabled", "state": "up", "forced_down": False, "disabled_reason": None,
                                   "updated_at": "2026-12-03T01:00:00.000000"}
            self.nodes[host] = [host]
        self.inventories = dict((h, inventory()) for h in self.services)
        self.usages = dict((h, {}) for h in self.services)
        self.aggregates = []
        self.servers = {}
        self.migrations = []                # records: id, instance_uuid, status, source, dest
        self.next_migration = 100
        self.writes = []                    # (method, path, body) of every PUT and POST
        self.evacuations = []               # (server id, microversion, body) of every evacuate request
        self.requests = []                  # (service, method, path, microversion) of every request
        self.refuse = {}                    # server name: (status, message) Nova answers its action with
        self.fails = set()                  # server names whose live migration ends in error
        self.goes_error = set()             # server names whose evacuation (rebuild) ends in ERROR
        self.never_arrives = set()          # server names that stay rebuilding
        self.destination = "c1"             # the scheduler's choice when no host is given
        self.moving = set()
        self.peak = 0                       # the most live migrations under way at once, as Nova saw them

    def add_server(self, name, host="c3", status="ACTIVE", task_state=None, vcpus=1, ram=1024, disk=10, swap=0,
                   allocated=True, volume_backed=False):
        """A server on host, its flavor embedded; allocated: Placement holds its flavor on the host's first node."""
        server_id = "id-" + name
        self.servers[server_id] = {"id": server_id, "name": name, "status": status,
                                   "OS-EXT-SRV-ATTR:host": host, "OS-EXT-STS:task_state": task_state,
                                   "image": "" if volume_backed else {"id": "img"},
                                   "flavor": {"vcpus": vcpus, "ram": ram, "disk": disk, "ephemeral": 0, "swap": swap,
                                              "original_name": "m1"},
                                   "_allocated": allocated}

    def add_node(self, host, node, usages=None, **inventory_args):
        """One more compute node (resource provider) on host, e.g. an ironic host's second node."""
        self.nodes[host].append(node)
        self.inventories[node] = inventory(**inventory_args)
        self.usages[node] = dict(usages or {})

    def stop_compute(self, host):
        self.services[host]["state"] = "down"

    def writes_of(self, method):
        return [w for w in self.writes if w[0] == method]

    def on_host(self, host):
        return sorted(s["name"] for s in self.servers.values() if s["OS-EXT-SRV-ATTR:host"] == host)

    @staticmethod
    def public(server):
        return dict((k, v) for k, v in server.items() if not k.startswith("_"))

    # ------------------------------------------------------------ the API
    def request(self, service, method, path, microversion, body):
        self.requests.append((service, method, path, microversion))
        url = urlparse(path)
        query = dict((k, v[0]) for k, v in parse_qs(url.query).items())
        parts = url.path.strip("/").split("/")
        if method in ("PUT", "POST"):
            self.writes.append((method, url.path, body))
        if service == "placement":
            return self.placement(method, parts)
        if parts == [""] and method == "GET":
            return Response(200, {"version": {"id": "v2.1", "version": self.max_version, "min_version": "2.1"}})
        if parts == ["os-services"] and method == "GET":
            assert query == {"binary": "nova-compute"} and microversion == "2.53"
            return Response(200, {"services": [dict(s) for s in self.services.values()]})
        if parts[0] == "os-services" and method == "PUT":
            assert microversion == "2.53"
            return self.update_service(parts[1], body)
        if parts == ["os-hypervisors", "detail"]:
            assert microversion == "2.53"
            return Response(200, {"hypervisors": [
                {"id": provider_uuid(node), "hypervisor_hostname": node + ".example.org",
                 "service": {"host": h, "id": s["id"]}} for h, s in self.services.items() for node in self.nodes[h]]})
        if parts == ["os-aggregates"]:
            return Response(200, {"aggregates": [dict(a) for a in self.aggregates]})
        if parts == ["os-migrations"]:
            return self.migration_records(query)
        if parts == ["servers", "detail"] and method == "GET":
            assert query["all_tenants"] == "1" and microversion == "2.47"
            return self.servers_page(query)
        if len(parts) == 3 and parts[0] == "servers" and parts[2] == "action" and method == "POST":
            if "evacuate" in body:
                return self.evacuate(parts[1], microversion, body)
            return self.live_migrate(parts[1], microversion, body)
        if len(parts) == 2 and parts[0] == "servers" and method == "GET":
            return self.show(parts[1])
        raise AssertionError("unexpected request %s %s %s" % (service, method, path))

    def update_service(self, service_id, body):
        svc = [s for s in self.services.values() if s["id"] == service_id][0]
        if "status" in body:
            svc["status"] = body["status"]
            svc["disabled_reason"] = body.get("disabled_reason") if body["status"] == "disabled" else None
        if "forced_down" in body:
            svc["forced_down"] = body["forced_down"]
            svc["state"] = "down" if body["forced_down"] else svc["state"]
        return Response(200, {"service": dict(svc)})

    def servers_page(self, query):
        """One page of the servers on the host, page_size at most, with a next link when it is full (as Nova)."""
        found = sorted((s for s in self.servers.values() if s["OS-EXT-SRV-ATTR:host"] == query["host"]),
                       key=lambda s: s["id"])
        if "marker" in query:
            found = [s for s in found if s["id"] > query["marker"]]
        page = {"servers": [self.public(s) for s in found[:self.page_size]]}
        if len(found) >= self.page_size:
            page["servers_links"] = [{"rel": "next", "href": "..."}]
        return Response(200, page)

    def placement(self, method, parts):
        assert method == "GET"
        if parts[0] == "allocations":
            server = self.servers[parts[1]]
            if not server["_allocated"]:
                return Response(200, {"allocations": {}})
            flavor = server["flavor"]
            node = self.nodes[server["OS-EXT-SRV-ATTR:host"]][0]
            return Response(200, {"allocations": {provider_uuid(node): {"resources": {
                "VCPU": flavor["vcpus"], "MEMORY_MB": flavor["ram"], "DISK_GB": flavor["disk"]}}}})
        node = parts[1][len("rp-"):]
        if parts[2] == "inventories":
            return Response(200, {"resource_provider_generation": 1, "inventories": self.inventories[node]})
        return Response(200, {"resource_provider_generation": 1, "usages": self.usages[node]})

    def live_migrate(self, server_id, microversion, body):
        assert microversion == "2.30"
        server = self.servers[server_id]
        if server["name"] in self.refuse:
            status, message = self.refuse[server["name"]]
            return Response(status, {"badRequest": {"code": status, "message": message}})
        if server["status"] not in MIGRATABLE:
            return Response(409, {"conflictingRequest": {"code": 409, "message": "Cannot 'os-migrateLive' instance "
                                                         "%s while it is in vm_state %s" % (server_id,
                                                                                            server["status"])}})
        self.next_migration += 1
        self.migrations.append({"id": self.next_migration, "uuid": "mig-%d" % self.next_migration,
                                "instance_uuid": server_id, "migration_type": "live-migration",
                                "status": "queued", "source_compute": server["OS-EXT-SRV-ATTR:host"],
                                "dest_compute": body["os-migrateLive"]["host"] or self.destination, "_looks": 0})
        server["OS-EXT-STS:task_state"] = "migrating"
        self.moving.add(server_id)
        self.peak = max(self.peak, len(self.moving))
        return Response(202)

    def migration_records(self, query):
        """The instance's records; each look at a live one moves it on: running, host changed, completed."""
        records = [m for m in self.migrations if m["instance_uuid"] == query["instance_uuid"]
                   and query.get("migration_type", m["migration_type"]) == m["migration_type"]]
        for record in records:
            if record["status"] in ("completed", "error", "failed", "cancelled") or "migration_type" not in query:
                continue
            record["_looks"] += 1
            server = self.servers[record["instance_uuid"]]
            if server["name"] in self.fails and record["_looks"] >= 2:
                record["status"] = "error"
                server["OS-EXT-STS:task_state"] = None
                self.moving.discard(server["id"])
            elif record["_looks"] >= self.looks:
                record["status"] = "completed"
                server["OS-EXT-STS:task_state"] = None
                self.moving.discard(server["id"])
            elif record["_looks"] >= self.looks - 1:
                # Nova moves the instance to its new host before the record says completed
                record["status"] = "post-migrating"
                server["OS-EXT-SRV-ATTR:host"] = record["dest_compute"]
            else:
                record["status"] = "running"
        return Response(200, {"migrations": [self.public(m) for m in records]})

    def evacuate(self, server_id, microversion, body):
        self.evacuations.append((server_id, microversion, body))
        server = self.servers[server_id]
        if server["name"] in self.refuse:
            status, message = self.refuse[server["name"]]
            return Response(status, {"badRequest": {"code": status, "message": message}})
        source = self.services[server["OS-EXT-SRV-ATTR:host"]]
        if source["state"] == "up" and not source["forced_down"]:
            return Response(400, {"badRequest": {"message": "Service is still in use."}})
        host = body["evacuate"].get("host") or self.destination
        stopped = version(microversion) >= (2, 95) and server["status"] != "ERROR" or server["status"] == "SHUTOFF"
        server.update({"OS-EXT-STS:task_state": "rebuilding", "_dest": host, "_looks": 0,
                       "_end": "SHUTOFF" if stopped else "ACTIVE"})
        return Response(200)

    def show(self, server_id):
        """The server; an evacuating one is REBUILD on its new host at the first look, at its end after steps."""
        server = self.servers[server_id]
        if server.get("_dest"):
            server["_looks"] += 1
            if server["_looks"] == 1:
                server.update({"status": "REBUILD", "OS-EXT-STS:task_state": "rebuild_spawning",
                               "OS-EXT-SRV-ATTR:host": server["_dest"]})
            elif server["_looks"] >= self.steps and server["name"] not in self.never_arrives:
                if server["name"] in self.goes_error:
                    server.update({"status": "ERROR", "OS-EXT-STS:task_state": None,
                                   "fault": {"message": "Build of instance aborted: fake failure"}})
                else:
                    server.update({"status": server["_end"], "OS-EXT-STS:task_state": None})
                server.pop("_dest")
        return Response(200, {"server": self.public(server)})


class Proxy:
    """conn.compute or conn.placement: request() as keystoneauth's Adapter takes it."""

    def __init__(self, cloud, service):
        self.cloud, self.service = cloud, service

    def request(self, path, method, json=None, microversion=None, raise_exc=True):  # pylint: disable=redefined-outer-name
        assert raise_exc is False
        return self.cloud.request(self.service, method, path, microversion, json)


class FakeConnection:
    def __init__(self, cloud):
        self.compute = Proxy(cloud, "compute")
        self.placement = Proxy(cloud, "placement")
