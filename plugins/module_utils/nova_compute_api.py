# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Nova and Placement layer of compute_host_drain and compute_host_evacuate.

NovaComputeApi wraps an openstacksdk connection: every request is a raw one with the
microversion the caller chose (never the library's preference), and any answer of 400 or
more, or a request that gets no answer, becomes an ApiError naming the request. On top of
it: the nova-compute services, the servers on a host (all projects, every page), the
resource providers of each host, their free capacity and what an instance holds.

The capacity rule is Placement's own, in pure functions: a resource provider can take an
allocation while used + amount <= (total - reserved) * allocation_ratio, and one allocation
must lie between min_unit and max_unit.

A host with several compute nodes (ironic, or a driver with several nodes) has one resource
provider per node. One instance is placed on ONE of them, never split, so a host's room is
neither the sum of its providers nor any single one of them: plan_placement places each
instance on one provider and reports the provider's service host.
"""

from __future__ import annotations

from ansible.module_utils.six.moves.urllib.parse import quote

from ansible_collections.stackops.openstack.plugins.module_utils import openstack_api

SERVICES_MICROVERSION = "2.53"  # services addressed by id, forced_down shown and writable
SERVERS_MICROVERSION = "2.47"  # the flavor embedded in the server
HYPERVISORS_MICROVERSION = "2.53"  # a hypervisor's id is its resource provider's uuid, with its service host
PLACEMENT_MICROVERSION = "1.10"

# the classes every flavor asks for, in the order messages name them (others follow by name)
RESOURCE_CLASSES = ("VCPU", "MEMORY_MB", "DISK_GB")
UNITS = {"VCPU": "VCPU", "MEMORY_MB": "MB of RAM", "DISK_GB": "GB of disk"}


class ApiError(Exception):
    """A Nova or Placement answer the caller cannot go on with.

    status is the HTTP status (None when no answer came); cause is the library's exception
    when the request got no answer (authentication, connection), else None.
    """

    def __init__(self, message, status=None, cause=None):
        super(ApiError, self).__init__(message)
        self.status = status
        self.cause = cause


class NovaComputeApi(object):
    """Nova and Placement requests over an openstacksdk connection (conn.compute, conn.placement).

    An error names the request without its query string, which can be long:
    "compute API: GET /os-services answered 403: ...".
    """

    def __init__(self, conn):
        self.conn = conn

    # -- raw requests

    def request(self, service, method, path, microversion, body=None):
        """The JSON body of the answer ({} when empty); ApiError for a status of 400 or more or no answer."""
        name = "%s API:" % service
        try:
            response = getattr(self.conn, service).request(path, method, json=body, microversion=microversion,
                                                           raise_exc=False)
        # keystoneauth's connection and authentication errors and more: each ends in a message, not a traceback
        except Exception as exc:  # pylint: disable=broad-except
            raise ApiError("%s %s %s: %s" % (name, method, path, exc), cause=exc)
        if response.status_code >= 400:
            raise ApiError("%s %s %s answered %s: %s" % (
                name, method, path.split("?")[0], response.status_code,
                openstack_api.error_text(response)), status=response.status_code)
        return response.json() if response.content else {}

    def compute(self, method, path, microversion, body=None):
        return self.request("compute", method, path, microversion, body)

    def placement(self, path):
        return self.request("placement", "GET", path, PLACEMENT_MICROVERSION)

    # -- Nova

    def max_microversion(self):
        """The newest compute microversion this Nova offers, from its version document."""
        version = self.compute("GET", "/", None).get("version") or {}
        if not version.get("version"):
            raise ApiError("Nova's version document has no microversion: %r" % (version,))
        return version["version"]

    def services(self):
        """{host: service} of the nova-compute services."""
        found = self.compute("GET", "/os-services?binary=nova-compute", SERVICES_MICROVERSION)["services"]
        return compute_services(found)

    def update_service(self, service_id, body):
        """PUT /os-services/{id} (status, disabled_reason, forced_down); the service afterwards."""
        return self.compute("PUT", "/os-services/%s" % service_id, SERVICES_MICROVERSION, body)["service"]

    def servers(self, host):
        """Every server on host, all projects, following Nova's pages (its max_limit decides their size)."""
        servers, marker = [], None
        while True:
            page = self.compute("GET", servers_path(host, marker), SERVERS_MICROVERSION)
            servers.extend(page.get("servers") or [])
            marker = next_marker(page)
            if marker is None:
                return servers

    def aggregate_hosts(self, name):
        """The hosts of the host aggregate called name; ApiError when there is none."""
        found = [a for a in self.compute("GET", "/os-aggregates", SERVICES_MICROVERSION)["aggregates"]
                 if a["name"] == name]
        if not found:
            raise ApiError("no host aggregate named %s" % name)
        return found[0].get("hosts") or []

    def providers(self):
        """{service host: [resource provider uuid]}: a hypervisor's id is its provider's uuid (2.53)."""
        return providers_by_host(self.compute("GET", "/os-hypervisors/detail", HYPERVISORS_MICROVERSION)["hypervisors"])

    # -- Placement

    def provider_capacity(self, host, provider):
        """free_capacity() of one resource provider."""
        return free_capacity(host, self.placement("/resource_providers/%s/inventories" % provider)["inventories"],
                             self.placement("/resource_providers/%s/usages" % provider)["usages"])

    def capacities(self, hosts, providers=None):
        """{host: [free capacity of each of its resource providers]} ([] for a host without one), the
        input of plan_placement. providers: providers() when the caller already has it."""
        if providers is None:
            providers = self.providers()
        return dict((host, [self.provider_capacity(host, p) for p in providers.get(host, [])]) for host in hosts)

    def instance_resources(self, server, source_providers):
        """What a server holds in Placement on the providers of its host ({class: amount}, summed over them),
        else, when Placement has no allocation for it there, what its flavor asks for."""
        allocations = self.placement("/allocations/%s" % server["id"]).get("allocations") or {}
        held = {}
        for provider in source_providers:
            for rc, amount in (allocations.get(provider) or {}).get("resources", {}).items():
                held[rc] = held.get(rc, 0) + amount
        return held or flavor_resources(server)


# ------------------------------------------------------------------ answers into plain values (pure)


def compute_services(services):
    """{host: service} of the nova-compute services of a GET /os-services body's list."""
    return dict((s["host"], s) for s in services if s.get("binary", "nova-compute") == "nova-compute")


def servers_path(host, marker=None):
    """The servers/detail request of every project's servers on host, from marker on."""
    return "/servers/detail?all_tenants=1&host=%s" % quote(host) + ("&marker=%s" % marker if marker else "")


def next_marker(page):
    """The marker of the next page of a servers/detail body, or None when Nova links no next page."""
    servers = page.get("servers") or []
    if servers and any(link.get("rel") == "next" for link in page.get("servers_links") or []):
        return servers[-1]["id"]
    return None


def providers_by_host(hypervisors):
    """{service host: [provider uuid]} of an os-hypervisors/detail list (2.53), in Nova's order."""
    found = {}
    for hypervisor in hypervisors:
        host = (hypervisor.get("service") or {}).get("host")
        if host:
            found.setdefault(host, []).append(hypervisor["id"])
    return found


def flavor_resources(server):
    """{class: amount} Nova asks Placement for, from a server's embedded flavor (microversion >= 2.47).

    DISK_GB counts root (unless the server boots from a volume: no image), ephemeral and swap
    (MB rounded up to GB), as Nova's scheduler does.
    """
    name = server.get("name") or server.get("id")
    flavor = server.get("flavor")
    if not isinstance(flavor, dict) or "vcpus" not in flavor:
        raise ValueError("server %s: no embedded flavor with vcpus, ram and disk (compute microversion 2.47 or "
                         "newer is needed); got %r" % (name, flavor))
    volume_backed = not server.get("image")
    swap = flavor.get("swap") or 0
    disk = (0 if volume_backed else flavor.get("disk", 0)) + (flavor.get("ephemeral") or 0) + (-(-swap // 1024))
    resources = {"VCPU": flavor["vcpus"], "MEMORY_MB": flavor.get("ram", 0), "DISK_GB": disk}
    for key, amount in resources.items():
        if isinstance(amount, bool) or not isinstance(amount, (int, float)) or amount < 0:
            raise ValueError("server %s: flavor gives %s %r, expected a number of at least 0" % (name, key, amount))
    return resources


# ------------------------------------------------------------------ Placement's capacity rule (pure)


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


def _providers(capacity):
    """A host's value in capacities as a list of provider capacities (one dict is one provider)."""
    return list(capacity) if isinstance(capacity, (list, tuple)) else [capacity]


def describe_capacity(capacity):
    """A host's free room in words: one provider's, or each provider's when it has several."""
    providers = [describe(dict((rc, room["free"]) for rc, room in p.items())) for p in _providers(capacity)]
    if not providers:
        return "nothing (no resource provider in Placement)"
    if len(providers) == 1:
        return providers[0]
    return "%d resource providers, each for itself: %s" % (len(providers), "; ".join(providers))


def _fits(resources, capacity):
    for rc, amount in resources.items():
        if not amount:
            continue
        room = capacity.get(rc)
        if room is None or amount > room["free"] or amount > room["max_unit"] or amount < room["min_unit"]:
            return False
    return True


def plan_placement(instances, capacities):
    """Place every instance on one resource provider of a host of capacities.

    capacities: {host: [free_capacity(...) of each of its resource providers]} (a single dict counts
    as one provider). An instance needs all its resources on ONE provider, as Placement allocates
    them, so several small providers of one host do not add up to room for a big instance.

    Largest first (RAM, then VCPU), each on the provider with the most free RAM that fits it, as
    Nova's default RAM weigher spreads. The scheduler still chooses the real destinations; the
    plan proves that a placement exists. Returns {"placements": [(instance, host)],
    "unplaced": [instance], "shortfall": {class: amount}} where shortfall is what all providers
    lack in total (empty when only the way free capacity is split among them stops the plan).
    """
    remaining = dict((host, [dict((rc, dict(room)) for rc, room in p.items()) for p in _providers(capacity)])
                     for host, capacity in capacities.items())
    needed = {}
    for instance in instances:
        for rc, amount in instance["resources"].items():
            _number("%s: resources" % (instance.get("name") or instance["id"]), rc, amount)
            needed[rc] = needed.get(rc, 0) + amount
    order = sorted(instances, key=lambda i: (-i["resources"].get("MEMORY_MB", 0), -i["resources"].get("VCPU", 0),
                                             i.get("name") or i["id"]))
    placements, unplaced = [], []
    for instance in order:
        candidates = [(host, provider) for host in sorted(remaining) for provider in remaining[host]
                      if _fits(instance["resources"], provider)]
        if not candidates:
            unplaced.append(instance)
            continue
        host, provider = max(candidates, key=lambda c: c[1].get("MEMORY_MB", {"free": 0})["free"])
        for rc, amount in instance["resources"].items():
            if amount:
                provider[rc]["free"] -= amount
        placements.append((instance, host))
    providers = [p for capacity in capacities.values() for p in _providers(capacity)]
    available = dict((rc, sum(max(p[rc]["free"], 0) for p in providers if rc in p)) for rc in needed)
    shortfall = dict((rc, needed[rc] - available[rc]) for rc in _in_order(needed) if needed[rc] > available[rc])
    return {"placements": placements, "unplaced": unplaced, "shortfall": shortfall}
