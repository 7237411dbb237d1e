#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: swift_s3_endpoint_fix
short_description: Point the Keystone catalog's Swift and S3 endpoints at the real swift-proxy
version_added: 1.0.0
description:
  - Repairs the Keystone catalog so that the C(object-store) (swift) and C(s3) (swift_s3) services
    point at the host where swift-proxy really listens, as packstack-style installs often get wrong.
  - Finds every endpoint of those services in one region; repairs a wrong host, port or path in place,
    creates missing interfaces, deletes duplicates and leaves correct endpoints alone.
  - An endpoint disabled in Keystone was disabled on purpose; it is left alone (not repaired, enabled or
    deleted, and no new endpoint is created beside it) and reported in RV(disabled_endpoints) and a warning,
    unless O(enable_disabled=true).
  - Everything is read and planned before the first change. When Keystone refuses a change part-way, the
    module fails with RV(ignore:changed=true) when something was already changed, and names what was done
    (RV(actions)) and what was not (RV(actions_not_done)); a second run continues from the catalog as it is.
  - Before changing anything it checks that the proxy answers C(GET /healthcheck) with 200
    (O(verify_proxy)), so a typo cannot move the catalog to a dead address.
  - Only the endpoints of the named services are read (filtered by Keystone), so the number of API
    requests does not grow with the size of the rest of the catalog.
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
  diff_mode:
    support: full
    details: The before and after endpoints of the services.
  platform:
    support: full
    platforms: posix
options:
  proxy_url:
    description:
      - Where swift-proxy really listens, as C(scheme://host:port), for example V(http://storage:8080).
      - The catalog is readable by every user, so a URL with credentials (C(user:password@host)) is refused,
        and is masked in the result. Blanks, control characters, a query or a fragment are refused too.
    type: str
    required: true
  services:
    description:
      - The services to repair. Each is found by its type (and name, when several share the type).
    type: list
    elements: dict
    default: [{name: swift, type: object-store}, {name: swift_s3, type: s3}]
    suboptions:
      name:
        description: Service name in Keystone.
        type: str
        required: true
      type:
        description: Service type in Keystone.
        type: str
        required: true
  region:
    description: Region whose endpoints are repaired (it must exist).
    type: str
    default: RegionOne
  interfaces:
    description: Endpoint interfaces to repair; endpoints of other interfaces are left alone.
    type: list
    elements: str
    choices: [public, internal, admin]
    default: [public, internal, admin]
  url_templates:
    description:
      - Endpoint URL per service type and interface, with C({proxy_url}) replaced by O(proxy_url);
        merged over the defaults.
      - Keys are service types of O(services) and, under each, interfaces (V(public), V(internal), V(admin));
        values are strings. Each URL, once filled in, must be an http(s) URL with a host and without
        credentials, blanks, query or fragment, or the module fails before it changes anything.
      - "Defaults: C(object-store) V({proxy_url}/v1/AUTH_%(tenant_id\\)s) on public and internal and
        V({proxy_url}) on admin; C(s3) V({proxy_url}) on every interface."
    type: dict
    default: {}
  verify_proxy:
    description:
      - Require C(GET <proxy_url>/healthcheck) to answer 200 before the catalog is changed.
    type: bool
    default: true
  healthcheck_timeout:
    description: Seconds to wait for the proxy's healthcheck answer.
    type: int
    default: 10
  create_missing_services:
    description:
      - Create a service of O(services) that Keystone does not have. When false, a missing service
        is an error.
    type: bool
    default: false
  enable_disabled:
    description:
      - Repair and enable endpoints of the repaired interfaces that are disabled in Keystone, and delete
        disabled duplicates.
      - When false, disabled endpoints are left as they are and reported in RV(disabled_endpoints); an
        interface that only has disabled endpoints gets no new one.
    type: bool
    default: false
requirements:
  - openstacksdk
seealso:
  - module: openstack.cloud.endpoint
  - module: openstack.cloud.catalog_service
'''

EXAMPLES = r'''
- name: Point swift and swift_s3 at the storage node
  stackops.openstack.swift_s3_endpoint_fix:
    cloud: overcloud
    proxy_url: http://storage01.example.com:8080

- name: Preview the repair without changing Keystone
  stackops.openstack.swift_s3_endpoint_fix:
    cloud: overcloud
    proxy_url: https://swift.example.com
  check_mode: true
  diff: true
  register: preview

- name: Repair the catalog and also enable endpoints someone disabled
  stackops.openstack.swift_s3_endpoint_fix:
    cloud: overcloud
    proxy_url: http://storage01.example.com:8080
    enable_disabled: true

- name: Register the S3 API too, with a public URL on another name
  stackops.openstack.swift_s3_endpoint_fix:
    auth:
      auth_url: http://keystone.example.com:5000/v3
      username: admin
      password: "{{ vault_admin_password }}"
      project_name: admin
      user_domain_name: Default
      project_domain_name: Default
    proxy_url: http://10.0.0.20:8080
    create_missing_services: true
    url_templates:
      s3:
        public: https://s3.example.com
'''

RETURN = r'''
proxy_url:
  description: The proxy URL the endpoints now point at (without a trailing slash).
  returned: success
  type: str
  sample: http://storage01.example.com:8080
services:
  description: The services repaired.
  returned: success
  type: list
  elements: dict
  sample: [{"name": "swift", "type": "object-store", "id": "5d3c...", "created": false}]
endpoints_before:
  description: The endpoints of those services in the region before the change.
  returned: success
  type: list
  elements: dict
  sample: [{"service": "swift", "interface": "public", "url": "http://192.168.0.5:8080/v1/AUTH_%(tenant_id)s",
            "id": "0c1f...", "enabled": true}]
endpoints_after:
  description: The same after the change (as it would be, in check mode; new endpoints have id V(null) there).
  returned: success
  type: list
  elements: dict
  sample: [{"service": "swift", "interface": "public", "url": "http://storage01:8080/v1/AUTH_%(tenant_id)s",
            "id": "0c1f...", "enabled": true}]
actions:
  description:
    - What was (or in check mode would be) done, one entry per endpoint.
    - When Keystone failed part-way, only what was done before the failure, including a created service
      (action V(create_service)).
  returned: success, or failure after a change
  type: list
  elements: dict
  sample: [{"service": "swift", "action": "update", "interface": "public", "id": "0c1f...",
            "url": "http://storage01:8080/v1/AUTH_%(tenant_id)s", "old_url": "http://192.168.0.5:8080/v1/AUTH_%(tenant_id)s",
            "old_enabled": true}]
actions_not_done:
  description: When Keystone failed part-way, the planned changes that were not made, the failed one first, in words.
  returned: failure while changing the catalog
  type: list
  elements: str
  sample: ["create swift_s3 public endpoint http://storage01:8080"]
disabled_endpoints:
  description:
    - Endpoints of the repaired interfaces that are disabled in Keystone and were left alone (empty with
      O(enable_disabled=true)). C(only) is V(true) when the interface has no enabled endpoint at all.
  returned: success
  type: list
  elements: dict
  sample: [{"service": "swift", "interface": "internal", "url": "http://192.168.0.5:8080/v1/AUTH_%(tenant_id)s",
            "id": "77ab...", "enabled": false, "only": true}]
'''

try:
    # openstack.cloud 2.5 (the one in the ansible 12 package) reads openstack.version,
    # which openstacksdk 4.15 and later no longer import themselves
    import openstack.version  # noqa: F401 pylint: disable=unused-import
except ImportError:
    pass

from ansible.module_utils.urls import open_url
from ansible.module_utils.six.moves.urllib.error import HTTPError, URLError

from ansible_collections.openstack.cloud.plugins.module_utils.openstack import OpenStackModule
from ansible_collections.stackops.openstack.plugins.module_utils import swift_endpoints as plan


class SwiftS3EndpointFixModule(OpenStackModule):
    argument_spec = dict(
        proxy_url=dict(type="str", required=True),
        services=dict(type="list", elements="dict", default=[dict(s) for s in plan.DEFAULT_SERVICES], options=dict(
            name=dict(type="str", required=True),
            type=dict(type="str", required=True),
        )),
        region=dict(type="str", default="RegionOne"),
        interfaces=dict(type="list", elements="str", choices=list(plan.INTERFACES), default=list(plan.INTERFACES)),
        url_templates=dict(type="dict", default={}),
        verify_proxy=dict(type="bool", default=True),
        healthcheck_timeout=dict(type="int", default=10),
        create_missing_services=dict(type="bool", default=False),
        enable_disabled=dict(type="bool", default=False),
    )
    module_kwargs = dict(supports_check_mode=True)

    def run(self):
        self._hide_credentials()
        try:
            proxy_url = plan.normalize_proxy_url(self.params["proxy_url"])
            plan.check_url_templates(self.params["url_templates"], [s["type"] for s in self.params["services"]])
            wanted = dict((s["type"], plan.wanted_urls(s["type"], proxy_url, self.params["interfaces"],
                                                       self.params["url_templates"]))
                          for s in self.params["services"])
        except ValueError as exc:
            self.fail_json(msg=str(exc))
        if self.params["verify_proxy"]:
            self._check_proxy(proxy_url)
        region = self.params["region"]
        if self.conn.identity.find_region(region) is None:
            self.fail_json(msg="region %s does not exist in Keystone" % region)

        # Everything is read and planned before the first write, so that a refusal (a missing
        # service, an ambiguous name) never comes after a part of the catalog was changed.
        plans = []
        for spec in self.params["services"]:
            service = self._service(spec)
            existing = self._endpoints(service, region) if service else []
            steps = plan.plan_endpoints(existing, wanted[spec["type"]], self.params["enable_disabled"])
            disabled = [] if self.params["enable_disabled"] else plan.disabled_endpoints(existing, wanted[spec["type"]])
            plans.append({"spec": spec, "service": service, "existing": existing, "steps": steps,
                          "disabled": disabled})
        if not self.check_mode:
            self._apply(plans, region)

        services, before, after, actions, disabled = [], [], [], [], []
        for item in plans:
            spec, service = item["spec"], item["service"]
            services.append({"name": spec["name"], "type": spec["type"], "id": service.id if service else None,
                             "created": item.get("created", service is None)})
            label = {"service": spec["name"]}
            before += [dict(label, **e) for e in item["existing"]]
            after += [dict(label, **e) for e in plan.apply_plan(item["existing"], item["steps"])]
            actions += [dict(label, **step) for step in item["steps"]]
            disabled += [dict(label, **e) for e in item["disabled"]]
        for endpoint in disabled:
            alone = ": this interface has no enabled endpoint" if endpoint["only"] else ""
            self.warn("%s %s endpoint %s (%s) is disabled in Keystone and was left alone%s; set enable_disabled=true "
                      "to repair and enable it"
                      % (endpoint["service"], endpoint["interface"], endpoint["id"], endpoint["url"], alone))

        changed = bool(actions) or any(s["created"] for s in services)
        self.exit_json(changed=changed, proxy_url=proxy_url, services=services, endpoints_before=before,
                       endpoints_after=after, actions=actions, disabled_endpoints=disabled,
                       diff={"before": _describe(before), "after": _describe(after)})

    def _hide_credentials(self):
        """Mask, in every result, a URL argument that holds '@' (credentials): it is refused, never shown."""
        values = [self.params["proxy_url"]]
        templates = self.params["url_templates"]
        if isinstance(templates, dict):
            values += [template for per_type in templates.values() if isinstance(per_type, dict)
                       for template in per_type.values()]
        for value in values:
            if isinstance(value, str) and "@" in value:
                self.ansible.no_log_values.add(value)

    def _check_proxy(self, proxy_url):
        url = proxy_url + "/healthcheck"
        try:
            response = open_url(url, method="GET", timeout=self.params["healthcheck_timeout"],
                                validate_certs=self.params["validate_certs"] is not False)
            status = response.getcode()
        except HTTPError as exc:
            status = exc.code
        except (URLError, OSError) as exc:
            self.fail_json(msg="swift-proxy does not answer at %s (%s): the catalog was not changed; check proxy_url "
                               "or set verify_proxy=false" % (url, getattr(exc, "reason", exc)))
        if status != 200:
            self.fail_json(msg="swift-proxy healthcheck %s answered %s, expected 200: the catalog was not changed"
                               % (url, status))

    def _service(self, spec):
        """The Keystone service of spec; None when it is missing and may be created."""
        found = list(self.conn.identity.services(type=spec["type"]))
        named = [s for s in found if s.name == spec["name"]]
        if len(named) == 1 or (len(found) == 1 and not named):
            return (named or found)[0]
        if len(named) > 1:
            self.fail_json(msg="Keystone has %d services named %s of type %s; remove the extra ones first"
                               % (len(named), spec["name"], spec["type"]))
        if found:
            self.fail_json(msg="Keystone has several services of type %s (%s) and none named %s"
                               % (spec["type"], ", ".join(s.name for s in found), spec["name"]))
        if not self.params["create_missing_services"]:
            self.fail_json(msg="Keystone has no service of type %s (name %s); set create_missing_services=true to "
                               "create it" % (spec["type"], spec["name"]))
        return None

    def _endpoints(self, service, region):
        # filtered by Keystone, so the cost does not depend on the rest of the catalog
        return [{"id": e.id, "interface": e.interface, "url": e.url, "enabled": e.is_enabled is not False}
                for e in self.conn.identity.endpoints(service_id=service.id, region_id=region)
                if e.region_id == region]

    def _apply(self, plans, region):
        """Carry out the plans; when Keystone fails part-way, fail saying what was already changed."""
        done, current = [], None
        try:
            for item in plans:
                spec = item["spec"]
                if item["service"] is None:
                    current = "create service %s (type %s)" % (spec["name"], spec["type"])
                    item["service"] = self.conn.identity.create_service(name=spec["name"], type=spec["type"],
                                                                        is_enabled=True)
                    item["created"] = True
                    done.append((None, {"service": spec["name"], "action": "create_service",
                                        "id": item["service"].id}, "%s (id %s)" % (current, item["service"].id)))
                for step in item["steps"]:
                    current = plan.describe_action(spec["name"], step)
                    self._apply_step(item["service"], region, step)
                    done.append((step, dict(step, service=spec["name"]), plan.describe_action(spec["name"], step)))
        except Exception as exc:  # whatever broke, what was already written must be reported
            self._fail_part_way(plans, done, current, exc)

    def _apply_step(self, service, region, step):
        if step["action"] == plan.CREATE:
            step["id"] = self.conn.identity.create_endpoint(
                service_id=service.id, interface=step["interface"], url=step["url"], region_id=region,
                is_enabled=True).id
        elif step["action"] == plan.UPDATE:
            if step.get("enable"):
                self.conn.identity.update_endpoint(step["id"], url=step["url"], is_enabled=True)
            else:
                self.conn.identity.update_endpoint(step["id"], url=step["url"])
        else:
            self.conn.identity.delete_endpoint(step["id"], ignore_missing=True)

    def _fail_part_way(self, plans, done, current, exc):
        applied = [step for step, action, text in done]
        not_done = []
        for item in plans:
            name = item["spec"]["name"]
            if item["service"] is None:
                not_done.append("create service %s (type %s)" % (name, item["spec"]["type"]))
            not_done += [plan.describe_action(name, step) for step in item["steps"]
                         if not any(step is other for other in applied)]
        error = str(exc)
        if not error.startswith(type(exc).__name__):  # openstacksdk's errors already name themselves
            error = "%s: %s" % (type(exc).__name__, error)
        if done:
            state = "Already done, so the catalog was changed: %s." % "; ".join(text for step, action, text in done)
        else:
            state = "Nothing was changed."
        self.fail_json(
            msg="Keystone failed to %s (%s). %s Not done: %s. Run again once the cause is fixed: the repair "
                "starts from the catalog as it is then." % (current, error, state, "; ".join(not_done)),
            changed=bool(done), actions=[action for step, action, text in done], actions_not_done=not_done)


def _describe(endpoints):
    """One line per endpoint, in the same order before and after, so the diff shows only what changed."""
    lines = ["%s %s %s%s\n" % (e["service"], e["interface"], e["url"], "" if e.get("enabled", True) else " (disabled)")
             for e in endpoints]
    return "".join(sorted(lines))


def main():
    module = SwiftS3EndpointFixModule()
    module()


if __name__ == "__main__":
    main()
