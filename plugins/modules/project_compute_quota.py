#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: project_compute_quota
short_description: Set a project's nova quotas, below current usage too when forced
version_added: 1.1.0
description:
  - Sets nova (compute) limits of a project, only those that differ from the current ones.
  - nova refuses a limit below what the project already uses and reserves, unless the request says C(force);
    M(openstack.cloud.quota) cannot say it. With O(force=true) this module does, so that an operator can shrink a
    project's quota on purpose (new instances are then refused until the project is under the limit).
  - Without O(force), a limit below usage fails with nova's own message, and nothing is changed.
  - Uses the same authentication options as the openstack.cloud modules.
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackops.openstack.action_groups.openstack
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Reports what would change and changes nothing.
  diff_mode:
    support: full
    details: The limits that change, before and after.
  platform:
    support: full
    platforms: posix
options:
  project:
    description: The project, by name or ID. An unknown project fails naming it.
    type: str
    required: true
  domain:
    description: The domain of O(project) (name or ID), for a project name that exists in several domains.
    type: str
  limits:
    description:
      - nova limits, a dict of resource names to limits, V(-1) for unlimited; for example V(instances=10).
      - The resources of M(stackops.openstack.project_quota_usage)'s O(stackops.openstack.project_quota_usage#module:compute).
    type: dict
    required: true
  force:
    description: Send nova's C(force) flag, which lets a limit go below current usage.
    type: bool
    default: false
requirements:
  - openstacksdk
seealso:
  - module: stackops.openstack.project_quota_usage
  - module: openstack.cloud.quota
'''

EXAMPLES = r'''
- name: Shrink a project to one instance, although it runs two
  stackops.openstack.project_compute_quota:
    cloud: overcloud
    project: batch
    limits:
      instances: 1
      cores: 2
    force: true
'''

RETURN = r'''
project:
  description: The project found.
  returned: success
  type: dict
  sample: {id: 6a1c0ef2c8c44a3e9d3b9b3b1c2d4e5f, name: batch, domain_id: default}
changes:
  description: The limits that changed (in check mode, would change).
  returned: success
  type: list
  elements: dict
  sample: [{resource: instances, before: 10, after: 1}]
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


class ProjectComputeQuotaModule(OpenStackModule):
    argument_spec = dict(
        project=dict(type="str", required=True),
        domain=dict(type="str"),
        limits=dict(type="dict", required=True),
        force=dict(type="bool", default=False),
    )
    module_kwargs = dict(supports_check_mode=True)

    def run(self):
        try:
            project_quotas.check_limits({"compute": self.params["limits"]}, where="limits")
        except project_quotas.QuotaError as exc:
            self.fail_json(msg=str(exc).replace("limits.compute", "limits", 1))
        name = self.params["project"]
        try:
            project = self._project()
            current = self.conn.compute.get_quota_set(project.id).to_dict(computed=False)
            current = dict((k, v) for k, v in current.items() if k in project_quotas.RESOURCES["compute"])
            try:
                changes = project_quotas.compute_changes(current, self.params["limits"])
            except project_quotas.QuotaError as exc:
                self.fail_json(msg="project %s: %s" % (project.name, exc))
            if changes and not self.check_mode:
                attrs = dict((c["resource"], c["after"]) for c in changes)
                if self.params["force"]:
                    attrs["force"] = True
                self.conn.compute.update_quota_set(project.id, **attrs)
        except self.sdk.exceptions.SDKException as exc:
            self.fail_json(msg="cannot set the nova quotas of project %s: %s" % (name, exc))
        except KeystoneError as exc:
            self.fail_json(msg="cannot set the nova quotas of project %s: %s: %s (check the cloud and its credentials)"
                               % (name, type(exc).__name__, exc))
        before = "".join("%s = %s\n" % (c["resource"], c["before"]) for c in changes)
        after = "".join("%s = %s\n" % (c["resource"], c["after"]) for c in changes)
        self.exit_json(changed=bool(changes),
                       project={"id": project.id, "name": project.name, "domain_id": project.domain_id},
                       changes=changes, diff={"before": before, "after": after})

    def _project(self):
        try:
            return keystone_project.find_project(self.conn.identity, self.params["project"], self.params["domain"])
        except LookupError as exc:
            self.fail_json(msg=str(exc))


def main():
    module = ProjectComputeQuotaModule()
    module()


if __name__ == "__main__":
    main()
