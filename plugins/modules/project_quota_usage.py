#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: project_quota_usage
short_description: A project's compute and network quotas against its usage, and proposed limits checked
version_added: 1.1.0
description:
  - Reads a project's quotas with their usage from nova (compute, C(GET /os-quota-sets/{project}/detail)) and
    neutron (network, C(GET /quotas/{project}/details)), and reports per resource the limit, what is in use and
    reserved, and what is left.
  - Given proposed limits (O(compute), O(network)), reports them beside the usage and lists, in words, every
    proposed limit that is below what the project already uses (RV(below_usage)), so a playbook can refuse to set
    it. nova refuses such a limit unless forced (M(stackops.openstack.project_compute_quota)); neutron accepts it
    before 2025.1 and from 2025.1 (Epoxy) refuses it unless forced. A limit below usage refuses every new resource
    of that kind.
  - nova and neutron quotas are independent - instances, cores and RAM are nova's, floating IPs, networks, ports,
    routers and security groups neutron's. nova's own C(floating_ips), C(networks) and C(security_groups) quotas left
    its API in microversion 2.36, so they are refused under O(compute) with a pointer to O(network).
  - Read-only; it never changes a quota. Set them with M(openstack.cloud.quota).
  - Uses the same authentication options as the openstack.cloud modules, and needs a user that may read other
    projects' quotas (the admin role).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackops.openstack.action_groups.openstack
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module changes nothing, so it runs the same in check mode.
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
options:
  project:
    description:
      - The project, by name or ID. An unknown project fails naming it.
    type: str
    required: true
  domain:
    description:
      - The domain of O(project) (name or ID), for a project name that exists in several domains.
    type: str
  compute:
    description:
      - Proposed nova limits to check against usage, a dict of resource names to limits, for example
        V(instances=10), V(cores=20) and V(ram=51200). V(-1) is unlimited.
      - "Resources: C(instances), C(cores), C(ram) (MiB), C(key_pairs), C(metadata_items), C(server_groups),
        C(server_group_members), C(injected_files), C(injected_file_content_bytes), C(injected_file_path_bytes)."
    type: dict
    default: {}
  network:
    description:
      - Proposed neutron limits to check against usage, a dict of resource names to limits. V(-1) is unlimited.
      - "Resources: C(floating_ips), C(networks), C(subnets), C(subnet_pools), C(ports), C(routers),
        C(security_groups), C(security_group_rules), C(rbac_policies)."
    type: dict
    default: {}
requirements:
  - openstacksdk
seealso:
  - module: openstack.cloud.quota
'''

EXAMPLES = r'''
- name: Report a project's usage against its quotas
  stackops.openstack.project_quota_usage:
    cloud: overcloud
    project: web
  register: usage

- name: Show it
  ansible.builtin.debug:
    var: usage.lines

- name: Check the new limits before setting them
  stackops.openstack.project_quota_usage:
    cloud: overcloud
    project: web
    compute: {instances: 10, cores: 20, ram: 40960}
    network: {floating_ips: 4, ports: 40}
  register: check

- name: Refuse limits below usage
  ansible.builtin.assert:
    that: check.below_usage | length == 0
    fail_msg: "{{ check.below_usage | join('; ') }}"

- name: Set them
  openstack.cloud.quota:
    cloud: overcloud
    name: web
    instances: 10
    cores: 20
    ram: 40960
    floating_ips: 4
    ports: 40
'''

RETURN = r'''
project:
  description: The project found.
  returned: success
  type: dict
  sample: {id: 6a1c0ef2c8c44a3e9d3b9b3b1c2d4e5f, name: web, domain_id: default}
quotas:
  description:
    - Per service (C(compute), C(network)) and resource, the current limit, what is in use and what is reserved.
    - C(network) is missing when the cloud has no network service.
  returned: success
  type: dict
  sample: {compute: {instances: {limit: 10, in_use: 2, reserved: 0}, cores: {limit: 20, in_use: 2, reserved: 0}},
           network: {floating_ips: {limit: 50, in_use: 1, reserved: 0}}}
report:
  description: One row per resource, in a fixed order (compute, then network).
  returned: success
  type: list
  elements: dict
  contains:
    service:
      description: V(compute) or V(network).
      type: str
      sample: compute
    resource:
      description: The quota's name, as M(openstack.cloud.quota) calls it.
      type: str
      sample: instances
    limit:
      description: The current limit, V(-1) for unlimited.
      type: int
      sample: 10
    in_use:
      description: What the project uses.
      type: int
      sample: 2
    reserved:
      description: What is reserved for requests in progress.
      type: int
      sample: 0
    proposed:
      description: The proposed limit, V(null) when none was given for this resource.
      type: int
      sample: 1
    free:
      description: What is left under the proposed limit (the current one when none is proposed); V(null) when
        unlimited; negative when the limit is below usage.
      type: int
      sample: -1
    below_usage:
      description: Whether the proposed limit is below what is in use and reserved.
      type: bool
      sample: true
  sample:
    - {service: compute, resource: instances, limit: 10, in_use: 2, reserved: 0, proposed: 1, free: -1,
       below_usage: true}
lines:
  description: The report in words, one line per resource.
  returned: success
  type: list
  elements: str
  sample: ["compute instances: 2 in use of 10, new limit 1 (BELOW USAGE)", "network ports: 3 in use of 50"]
below_usage:
  description: Every proposed limit below usage, in words; empty when every proposed limit is at or above usage.
  returned: success
  type: list
  elements: str
  sample: ["compute instances: the new limit 1 is below the 2 in use (instances)"]
changes:
  description: The proposed limits that differ from the current ones.
  returned: success
  type: list
  elements: dict
  sample: [{service: compute, resource: instances, before: 10, after: 1}]
'''

try:
    # openstack.cloud 2.5 (the one in the ansible 12 package) reads openstack.version,
    # which openstacksdk 4.15 and later no longer import themselves
    import openstack.version  # noqa: F401 pylint: disable=unused-import
except ImportError:
    pass

try:
    # what keystoneauth1 raises for wrong credentials or an unreachable Keystone; openstacksdk needs it
    from keystoneauth1.exceptions import ClientException as KeystoneError
except ImportError:
    KeystoneError = ()

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.stackops.openstack.plugins.module_utils import keystone_project, project_quotas


class ProjectQuotaUsageModule(OpenStackModule):
    argument_spec = dict(
        project=dict(type="str", required=True),
        domain=dict(type="str"),
        compute=dict(type="dict", default={}),
        network=dict(type="dict", default={}),
    )
    module_kwargs = dict(supports_check_mode=True)

    def run(self):
        try:
            proposed = project_quotas.check_limits(
                {"compute": self.params["compute"], "network": self.params["network"]}, where="limits")
        except project_quotas.QuotaError as exc:
            self.fail_json(msg=str(exc).replace("limits.", "", 1))
        try:
            project = self._project()
            quotas = self._quotas(project, proposed)
        except self.sdk.exceptions.SDKException as exc:
            self.fail_json(msg="cannot read the quotas of project %s: %s" % (self.params["project"], exc))
        except KeystoneError as exc:  # wrong credentials, Keystone unreachable
            self.fail_json(msg="cannot read the quotas of project %s: %s: %s (check the cloud and its credentials)"
                               % (self.params["project"], type(exc).__name__, exc))
        try:
            rows, below, changes = project_quotas.report(quotas, proposed)
        except project_quotas.QuotaError as exc:
            self.fail_json(msg="project %s: %s" % (project.name, exc))
        self.exit_json(changed=False, project={"id": project.id, "name": project.name,
                                               "domain_id": project.domain_id},
                       quotas=quotas, report=rows, lines=project_quotas.describe(rows), below_usage=below,
                       changes=changes)

    def _project(self):
        try:
            return keystone_project.find_project(self.conn.identity, self.params["project"], self.params["domain"])
        except LookupError as exc:
            self.fail_json(msg=str(exc))

    def _quotas(self, project, proposed):
        compute = self.conn.compute.get_quota_set(project.id, usage=True)
        quotas = {"compute": project_quotas.normalise_compute(
            compute.to_dict(computed=False), compute.usage, compute.reservation)}
        if self.conn.has_service("network"):
            details = self.conn.network.get_quota(project.id, details=True)
            quotas["network"] = project_quotas.normalise_network(details.to_dict(computed=False))
        elif proposed.get("network"):
            self.fail_json(msg="network limits were given for project %s, but the cloud has no network service "
                               "(neutron)" % project.name)
        return quotas


def main():
    module = ProjectQuotaUsageModule()
    module()


if __name__ == "__main__":
    main()
