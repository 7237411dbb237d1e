#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: project_floating_ips
short_description: Release a project's floating IPs, except those kept
version_added: 1.1.0
description:
  - Releases the floating IPs of one OpenStack project (Neutron), as an operator does before a project is
    closed or when its quota of public addresses must be given back. Each floating IP still associated with
    a port is first disassociated, then deleted.
  - Addresses listed in O(keep) stay, and with O(only_unassociated=true) every floating IP that is associated
    with a port stays too. The result says what was released (RV(released)) and what was kept and why
    (RV(kept)).
  - Everything is read before the first change. In check mode nothing is changed and RV(released) lists what
    would be released. A second run finds nothing left to release and reports no change.
  - M(openstack.cloud.floating_ip) does not do this job. It manages the floating IP of one server (it needs
    O(openstack.cloud.floating_ip#module:server) and adds or removes that server's address), so it can neither
    find every floating IP of a project nor release addresses that are not attached to any server.
  - The connected user must be allowed to list and delete other projects' floating IPs, which is normally an
    administrator.
  - Uses the same authentication options as the openstack.cloud modules. Its C(module_defaults) group
    C(group/stackops.openstack.openstack) also holds every module of C(group/openstack.cloud.openstack),
    so one entry covers both; C(group/openstack.cloud.openstack) alone does not reach this module.
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - openstack.cloud.openstack
  - stackops.openstack.action_groups.openstack
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: Lists in RV(released) what would be released and changes nothing.
  diff_mode:
    support: full
    details: The project's floating IP addresses before and after, one per line.
  platform:
    support: full
    platforms: posix
options:
  project:
    description:
      - Name or ID of the project (Keystone) whose floating IPs are released.
      - A project that does not exist is an error; so is a name that several projects share (in different
        domains), then give the ID.
    type: str
    required: true
  keep:
    description:
      - Floating IP addresses of the project that are not released, for example the address a DNS name
        still points at.
      - Each entry must be an IP address (IPv4 or IPv6), or the module fails before it changes anything.
      - An entry that is none of the project's floating IPs is reported in a warning.
    type: list
    elements: str
    default: []
  only_unassociated:
    description:
      - Release only floating IPs that are not associated with a port; associated ones are kept and reported
        in RV(kept).
    type: bool
    default: false
  state:
    description:
      - V(absent) is the only state. The project's floating IPs, except those kept, are absent afterwards.
    type: str
    choices: [absent]
    default: absent
requirements:
  - openstacksdk
seealso:
  - module: openstack.cloud.floating_ip
  - module: openstack.cloud.floating_ip_info
'''

EXAMPLES = r'''
- name: Release every floating IP of the project "webshop"
  stackops.openstack.project_floating_ips:
    cloud: overcloud
    project: webshop

- name: Preview what would be released, keeping the address the DNS name points at
  stackops.openstack.project_floating_ips:
    cloud: overcloud
    project: webshop
    keep:
      - 203.0.113.10
  check_mode: true
  diff: true
  register: preview

- name: Release only the addresses no port uses any more
  stackops.openstack.project_floating_ips:
    cloud: overcloud
    project: 0b6f1c4e2a5d4c3b9e8f7a6d5c4b3a21
    only_unassociated: true
  register: released

- name: Show what was released
  ansible.builtin.debug:
    msg: "{{ released.released | map(attribute='address') | list }}"
'''

RETURN = r'''
project:
  description: The project whose floating IPs were looked at.
  returned: success
  type: dict
  sample: {"id": "0b6f1c4e2a5d4c3b9e8f7a6d5c4b3a21", "name": "webshop"}
released:
  description:
    - The floating IPs released (in check mode, those that would be released), in address order.
    - C(port_id) and C(fixed_ip) are where the address pointed before it was released (V(null) when it was
      not associated); C(server_id) and C(server_name) name the server whose port it was (ports with a
      C(device_owner) of C(compute:*)), else V(null).
    - When Neutron failed part-way, only the floating IPs released before the failure.
  returned: success, or failure after a change
  type: list
  elements: dict
  sample: [{"address": "203.0.113.21", "id": "5e0d7b2c-...", "port_id": "a3c1f9e0-...", "fixed_ip": "10.0.0.12",
            "server_id": "9f1d6c3a-...", "server_name": "web1"},
           {"address": "203.0.113.22", "id": "77ab01c9-...", "port_id": null, "fixed_ip": null,
            "server_id": null, "server_name": null}]
kept:
  description:
    - The project's floating IPs that were not released, with the same keys as RV(released) and C(reason),
      in words (V(listed in keep), or associated and O(only_unassociated=true)).
  returned: success
  type: list
  elements: dict
  sample: [{"address": "203.0.113.10", "id": "0c1f7e3d-...", "port_id": null, "fixed_ip": null,
            "server_id": null, "server_name": null, "reason": "listed in keep"}]
not_released:
  description: When Neutron failed part-way, the planned releases that were not done, the failed one first, in words.
  returned: failure while releasing
  type: list
  elements: str
  sample: ["disassociate 203.0.113.21 from port a3c1f9e0-... and delete it", "delete 203.0.113.22"]
'''

try:
    # openstack.cloud 2.5 (the one in the ansible 12 package) reads openstack.version,
    # which openstacksdk 4.15 and later no longer import themselves
    import openstack.version  # noqa: F401 pylint: disable=unused-import
except ImportError:
    pass

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.stackops.openstack.plugins.module_utils import floating_ips as fips


class ProjectFloatingIpsModule(OpenStackModule):
    argument_spec = dict(
        project=dict(type="str", required=True),
        keep=dict(type="list", elements="str", default=[]),
        only_unassociated=dict(type="bool", default=False),
        state=dict(type="str", choices=["absent"], default="absent"),
    )
    module_kwargs = dict(supports_check_mode=True)

    def run(self):
        try:
            keep = fips.check_keep(self.params["keep"])
        except ValueError as exc:
            self.fail_json(msg="%s. Nothing was changed." % exc)
        name = self.params["project"]
        project = self._project(name)

        # read everything (floating IPs, their ports and servers) before the first change
        try:
            ips = [_ip_dict(ip) for ip in self.conn.network.ips(project_id=project.id)]
        except self.sdk.exceptions.SDKException as exc:
            self.fail_json(msg="cannot list the floating IPs of project %s (%s) in Neutron: %s. Nothing was changed."
                               % (name, project.id, _error(exc)))
        release, kept, keep_not_found = fips.select(ips, keep, self.params["only_unassociated"])
        released_info = [self._describe(ip) for ip in release]
        kept_info = [self._describe(ip) for ip in kept]
        for address in keep_not_found:
            self.warn("keep lists %s, which is not a floating IP of project %s" % (address, name))

        if not self.check_mode:
            self._release(name, release, released_info)
        self.exit_json(changed=bool(release), project={"id": project.id, "name": project.name},
                       released=released_info, kept=kept_info,
                       diff={"before": fips.diff_text(ips), "after": fips.diff_text(kept),
                             "before_header": "floating IPs of project %s" % project.name,
                             "after_header": "floating IPs of project %s" % project.name})

    def _project(self, name):
        try:
            project = self.conn.identity.find_project(name, ignore_missing=True)
        except self.sdk.exceptions.DuplicateResource:
            self.fail_json(msg="several projects are named %s (in different domains): give the project's ID "
                               "instead. Nothing was changed." % name)
        except Exception as exc:  # the first request: a login refused by keystoneauth is not an SDKException
            self.fail_json(msg="cannot look up project %s in Keystone: %s. Nothing was changed." % (name, _error(exc)))
        if project is None:
            self.fail_json(msg="project %s does not exist in Keystone (neither as a name nor as an ID). "
                               "Nothing was changed." % name)
        return project

    def _describe(self, ip):
        """The returned entry of one floating IP, with its port's server when the port belongs to one."""
        port = None
        server_name = None
        if ip["port_id"]:
            try:
                found = self.conn.network.get_port(ip["port_id"])
                port = {"device_owner": found.device_owner, "device_id": found.device_id}
            except self.sdk.exceptions.NotFoundException:
                port = None
            server = fips.server_id(port)
            if server:
                server_name = self._server_name(server, ip["address"])
        return fips.describe(ip, port, server_name)

    def _server_name(self, server, address):
        try:
            return self.conn.compute.get_server(server).name
        except self.sdk.exceptions.NotFoundException:
            return None
        except self.sdk.exceptions.SDKException as exc:
            self.warn("cannot read the name of server %s (the port of %s) from Nova: %s" % (server, address, _error(exc)))
            return None

    def _release(self, name, release, released_info):
        """Disassociate then delete each floating IP; when Neutron fails, say what was and was not done."""
        done = []
        for ip, info in zip(release, released_info):
            disassociated = False
            try:
                if ip["port_id"]:
                    self.conn.network.update_ip(ip["id"], port_id=None)
                    disassociated = True
                self.conn.network.delete_ip(ip["id"], ignore_missing=True)
            except Exception as exc:  # whatever broke, what was already released must be reported
                self._fail_part_way(name, release, done, ip, disassociated, exc)
            done.append(info)

    def _fail_part_way(self, name, release, done, ip, disassociated, exc):
        not_done = [fips.describe_action(other) for other in release[len(done):]]
        state = []
        if done:
            state.append("Already released: %s." % ", ".join(i["address"] for i in done))
        if disassociated:
            state.append("%s was disassociated from port %s but not deleted." % (ip["address"], ip["port_id"]))
        self.fail_json(msg="Neutron failed to %s (floating IP %s of project %s): %s. %s Run again once the "
                           "cause is fixed: the release continues from what is left."
                           % (fips.describe_action(ip), ip["id"], name, _error(exc),
                              " ".join(state) or "Nothing was changed."),
                       changed=bool(done) or disassociated, released=done, not_released=not_done)


def _ip_dict(ip):
    return {"id": ip.id, "address": ip.floating_ip_address, "port_id": ip.port_id or None,
            "fixed_ip": ip.fixed_ip_address or None}


def _error(exc):
    error = str(exc)
    if not error.startswith(type(exc).__name__):  # openstacksdk's errors often name themselves
        error = "%s: %s" % (type(exc).__name__, error)
    return error


def main():
    module = ProjectFloatingIpsModule()
    module()


if __name__ == "__main__":
    main()
