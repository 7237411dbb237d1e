#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: swift_s3api_config
short_description: Enable Swift's S3 API with Keystone (EC2 credentials) in proxy-server.conf
version_added: 1.0.0
description:
  - Edits a Swift C(proxy-server.conf) so that the proxy answers S3 requests signed with Keystone EC2
    credentials, touching only the lines that need to change; every comment and every other option stays.
  - Puts the S3 filters into the pipeline in the order that works for O(style), whatever order or style
    they had before, and keeps every other element of the pipeline in place.
  - V(current) (Swift's own s3api, Swift 2.18 and later) gives C(... authtoken s3api s3token keystoneauth ...);
    measured on Swift 2.38 with Keystone, the other order answers C(SignatureDoesNotMatch).
  - V(legacy) (the separate C(swift3) egg of the Kilo era) gives C(... swift3 s3token authtoken keystoneauth ...).
  - Writes C([filter:s3api]) (or C([filter:swift3])) and C([filter:s3token]) with the loader and Keystone URL of
    the style, and points C([filter:authtoken]) at Keystone. The other style's S3 filter section is removed when no
    pipeline names it any more.
  - The proxy must already use Keystone (C(authtoken) and C(keystoneauth) in the pipeline, a C([filter:authtoken])
    section); the module refuses a proxy set up for C(tempauth), such as the one Debian ships.
  - Refuses a file that paste.deploy (which swift-proxy loads it with) would refuse, one with a section that appears
    twice (such as a second C([filter:authtoken])) or an option repeated within a section. Writing into it would leave
    a proxy that cannot start.
  - With V(current), sets C(delay_auth_decision) of C([filter:authtoken]) to true unless it already is, since there
    C(authtoken) runs before C(s3api) and would otherwise answer every S3 request with 401 (Swift's s3api
    documentation requires it for this order). V(legacy) leaves it alone.
  - When the pipeline switches from one style to the other, the options of the S3 filter in use (C(location),
    C(s3_acl), C(storage_domain), ...) are copied to the new one. Without a C(location) (in the section or in
    C([DEFAULT])), the old filter's own default is written (C(US) for swift3, C(us-east-1) for s3api), since the region
    is part of every S3 signature. A different value already in the new section is refused; O(s3api_options) decides.
  - Does not restart the proxy; notify a handler that restarts C(swift-proxy) when RV(ignore:changed) is V(true).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports the same RV(ignore:changed), RV(pipeline_after), RV(changes) and diff, and writes nothing.
  diff_mode:
    support: full
    details:
      - The diff is of the whole file, with the values of secret options (passwords, tokens, keys) and the
        passwords in URLs masked.
  platform:
    support: full
    platforms: posix
options:
  path:
    description:
      - The proxy server configuration file. It must exist; the module does not create one.
    type: path
    default: /etc/swift/proxy-server.conf
  style:
    description:
      - Which S3 middleware to configure.
      - V(current) uses Swift's built-in C(egg:swift#s3api) and C(egg:swift#s3token), with C(auth_uri) of
        C([filter:s3token]) set to O(keystone_url) plus C(/v3), and C(www_authenticate_uri) and C(auth_url) in
        C([filter:authtoken]).
      - V(legacy) uses C(egg:swift3#swift3) and keystonemiddleware's
        C(keystonemiddleware.s3_token:filter_factory), with C(auth_uri) of C([filter:s3token]) set to
        O(keystone_url), and C(identity_uri) and C(auth_uri) in C([filter:authtoken]).
    type: str
    choices: [current, legacy]
    default: current
  keystone_url:
    description:
      - Base URL of Keystone, V(http) or V(https), without the API version, for example
        V(http://controller:5000). A trailing C(/) is dropped; a URL ending in C(/v3) or C(/v2.0) is refused.
    type: str
    required: true
  pipeline:
    description:
      - Name of the pipeline to edit, the part after C(pipeline:) of the section name.
    type: str
    default: main
  s3api_options:
    description:
      - Further options of the S3 filter section (C([filter:s3api]) or C([filter:swift3])), such as
        C(location) or C(s3_acl).
      - A value of V(null) removes the option. A boolean keeps a value already written with other words for
        the same truth (C(False) for V(false)).
      - C(use) is set by the module from O(style) and cannot be given here.
    type: dict
    default: {}
  s3token_options:
    description:
      - Further options of C([filter:s3token]), such as C(reseller_prefix), C(http_timeout) or the credentials of
        the secret cache (C(secret_cache_duration), C(auth_url), C(username), C(password)).
      - A value of V(null) removes the option. A boolean keeps a value already written with other words for
        the same truth.
      - C(use), C(paste.filter_factory) and C(auth_uri) are set by the module from O(style) and O(keystone_url) and
        cannot be given here.
      - Values of secret options (the INI engine's list, taken from the options OpenStack declares secret) and
        the password of any URL are masked in the diff, in RV(changes) and in the returned invocation.
    type: dict
    default: {}
  backup:
    description:
      - Before changing the file, copy it to a file whose name includes a timestamp, returned as RV(backup_file).
    type: bool
    default: false
notes:
  - The file is replaced atomically (a temporary file renamed over it) and keeps its owner, group and mode.
  - The options of C([filter:authtoken]) other than its Keystone URLs and C(delay_auth_decision) (credentials,
    C(cache)) are not touched, nor are the other style's URL options in it when the style changes.
  - The other style's loader line in C([filter:s3token]) (C(use) or C(paste.filter_factory)) is removed, because
    paste.deploy would otherwise load the wrong middleware.
seealso:
  - name: Swift S3 API middleware
    description: Pipeline order, options of s3api and s3token.
    link: https://docs.openstack.org/swift/latest/middleware.html
'''

EXAMPLES = r'''
- name: Enable the S3 API with Keystone EC2 credentials
  stackops.openstack.swift_s3api_config:
    keystone_url: http://controller:5000
    backup: true
  notify: Restart swift-proxy

- name: Show what would change on a proxy, without changing it
  stackops.openstack.swift_s3api_config:
    keystone_url: https://keystone.example.com:5000
  check_mode: true
  diff: true
  register: swift_s3api

- name: Report the pipeline that would be written
  ansible.builtin.debug:
    msg: "{{ swift_s3api.pipeline_after | join(' ') }}"

- name: Region, S3 ACLs and a cached secret for S3 signatures
  stackops.openstack.swift_s3api_config:
    keystone_url: http://controller:5000
    s3api_options:
      location: RegionOne
      s3_acl: true
    s3token_options:
      secret_cache_duration: 60
      auth_url: http://controller:5000
      auth_type: password
      project_domain_id: default
      user_domain_id: default
      project_name: service
      username: swift
      password: "{{ swift_keystone_password }}"

- name: A Kilo-era proxy with the separate swift3 egg
  stackops.openstack.swift_s3api_config:
    path: /etc/swift/proxy-server.conf
    style: legacy
    keystone_url: http://controller:5000
'''

RETURN = r'''
pipeline_before:
  description: The elements of the pipeline as they were.
  returned: always
  type: list
  elements: str
  sample: [catch_errors, gatekeeper, healthcheck, proxy-logging, cache, container_sync, bulk, tempurl, ratelimit,
           authtoken, keystoneauth, copy, container-quotas, account-quotas, slo, dlo, versioned_writes, symlink,
           proxy-logging, proxy-server]
pipeline_after:
  description: The elements of the pipeline as written (in check mode, as they would be written).
  returned: always
  type: list
  elements: str
  sample: [catch_errors, gatekeeper, healthcheck, proxy-logging, cache, container_sync, bulk, tempurl, ratelimit,
           authtoken, s3api, s3token, keystoneauth, copy, container-quotas, account-quotas, slo, dlo,
           versioned_writes, symlink, proxy-logging, proxy-server]
changes:
  description:
    - Every option that was added, changed or removed, with its values before and after; secret values are masked.
    - A value is a string, a list for an option that occurs several times, or V(null) when absent.
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: The section of the option.
      type: str
      sample: filter:authtoken
    key:
      description: The option name.
      type: str
      sample: www_authenticate_uri
    action:
      description: V(added), V(changed) or V(removed).
      type: str
      sample: changed
    before:
      description: The value before, V(null) when the option was absent.
      type: raw
      sample: http://keystonehost:5000
    after:
      description: The value after, V(null) when the option was removed.
      type: raw
      sample: http://controller:5000
  sample:
    - {section: "pipeline:main", key: pipeline, action: changed,
       before: "catch_errors ... authtoken keystoneauth ... proxy-server",
       after: "catch_errors ... authtoken s3api s3token keystoneauth ... proxy-server"}
    - {section: "filter:s3token", key: auth_uri, action: changed,
       before: "http://keystonehost:5000/v3", after: "http://controller:5000/v3"}
backup_file:
  description: The copy made by O(backup=true) before the change; V(null) when none was made.
  returned: always
  type: str
  sample: /etc/swift/proxy-server.conf.2026-11-23@00:12:00~
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module
from ansible_collections.stackops.openstack.plugins.module_utils import swift_pipeline


def _hide_secrets(module):
    """Mask the values of secret-looking options everywhere in the result, invocation included."""
    is_secret = ini.secret_predicate()
    for kind, section in (("s3api_options", "filter:s3api"), ("s3token_options", "filter:s3token")):
        for key, value in (module.params[kind] or {}).items():
            if value in (None, "") or isinstance(value, bool):
                continue
            # a URL with a password (a cache or memcache URL, say) is as secret as a password option
            if is_secret(section, str(key)) or ini.mask_urls(str(value)) != str(value):
                module.no_log_values.add(str(value))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/swift/proxy-server.conf"),
            style=dict(type="str", choices=list(swift_pipeline.STYLES), default="current"),
            keystone_url=dict(type="str", required=True, no_log=False),
            pipeline=dict(type="str", default="main"),
            s3api_options=dict(type="dict", default={}),
            s3token_options=dict(type="dict", default={}, no_log=False),
            backup=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    _hide_secrets(module)
    params = module.params
    path = params["path"]

    before = ini_module.read_config(module, path, "the Swift proxy (swift-proxy)")

    try:
        edit = swift_pipeline.configure_s3api(
            before, params["keystone_url"], style=params["style"],
            pipeline_section="pipeline:%s" % params["pipeline"],
            s3api_options=params["s3api_options"], s3token_options=params["s3token_options"])
    except (swift_pipeline.SwiftPipelineError, ini.IniError) as exc:
        module.fail_json(msg="%s: %s" % (path, exc))

    result = ini_module.write_config(module, path, before, edit.text, params["backup"])
    result.update(pipeline_before=edit.pipeline_before, pipeline_after=edit.pipeline_after)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
