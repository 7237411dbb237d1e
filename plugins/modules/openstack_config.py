#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: openstack_config
short_description: Set or remove options in an OpenStack INI file (nova.conf, neutron.conf, ml2_conf.ini, ...)
version_added: 1.1.0
description:
  - Sets or removes single options in an INI file of an OpenStack service or its helpers, as C(openstack-config) or
    C(crudini --set)/C(--del) do - C(nova.conf), C(neutron.conf), C(keystone.conf), C(ml2_conf.ini), C(placement.conf),
    uwsgi C(.ini) files and the like - many options of one file in one task (O(settings)).
  - Only the lines of the options it changes are rewritten. Every comment, every other option, unknown sections,
    repeated keys and the order of the file stay as they are. A new option goes right under its commented default
    (C(#connection = <None>)) when the file has one, as the files Debian ships do, else at the end of its section; a new
    section goes at the end of the file, C([DEFAULT]) at its start.
  - Values of secret options - passwords, secrets, secret keys, tokens, database C(connection) and C(transport_url)
    URLs and the other options the OpenStack projects declare secret, the password of a URL in any option, and the
    options of O(secret_options) - are shown as C(********) in the diff and in RV(changes), and are added to Ansible's
    C(no_log) values, so they appear in no output, message or log of the task.
  - Does not restart any service; notify a handler when RV(ignore:changed) is V(true).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
  - ansible.builtin.files
attributes:
  check_mode:
    support: full
    details:
      - Reports the same RV(ignore:changed), RV(changes) and diff and writes nothing, file attributes included.
  diff_mode:
    support: full
    details:
      - The diff is of the whole file, before and after, with secret values shown as C(********); changed owner, group
        or mode follow as a second diff.
  platform:
    support: full
    platforms: posix
options:
  path:
    description:
      - The INI file to edit. A symbolic link is followed, and the file it points to is edited.
    type: path
    required: true
  settings:
    description:
      - The options to set or remove, as a mapping of section names to mappings of option names to values (see
        EXAMPLES), for one file many options of many sections in one task.
      - Section and option names are case-sensitive and written as given. oslo.config reads only the exact C(DEFAULT) as
        the default section (a C(default) section gets a warning) and other section names in lower case.
      - A string is written as it is (a newline in it makes indented continuation lines); leading or trailing blanks
        and control characters are refused, as INI cannot keep them.
      - An integer or a float is written as its text.
      - A boolean is written V(true) or V(false), as oslo.config spells them. An option that already holds the same
        truth in other words (V(True), V(yes), V(1) and what else oslo.config reads as that boolean) keeps them.
      - A list makes the option hold exactly these values, in this order, as repeated keys, which is how oslo.config
        reads a multi-valued option (C(MultiStrOpt)), such as nova's C([pci] alias) and C([pci] device_spec) or
        keystone's C([DEFAULT] notification_opt_out).
        A list is B(not) a comma-separated value; give a C(ListOpt) such as C(enabled_apis) as one string,
        V(osapi_compute,metadata).
      - V(null) (or an empty list) removes every occurrence of the option; its commented default stays.
      - A section with an empty mapping, C({}), only makes sure the section exists (with O(create=true)).
      - A value that is itself a mapping, or a section that is not a mapping, fails the task, naming it.
    type: dict
    required: true
  create:
    description:
      - Create the file when it is missing (with the sections and options of O(settings)), and sections the file lacks.
      - A new file gets mode C(0640) unless O(mode) says otherwise, and is private to its owner (C(0600)) until its
        owner, group and mode are set.
      - With V(false), a missing file or section fails the task and nothing changes; removing an option of a missing
        section is no change.
    type: bool
    default: true
  secret_options:
    description:
      - More option names whose values are secret, in any section, besides those known as secret (see the
        description). Matched case-insensitively; shell-style wildcards are allowed, for example V(*_pass).
    type: list
    elements: str
    default: []
  backup:
    description:
      - Before changing the file, copy it to a file whose name includes a timestamp, returned as RV(backup_file). The
        copy is as private as the file.
    type: bool
    default: false
notes:
  - The file is replaced atomically (a temporary file renamed over it) and keeps its owner, group, mode and SELinux
    context unless O(owner), O(group), O(mode) or the SELinux options say otherwise; those are applied also when no
    option changes.
  - Only regular UTF-8 files up to 2 MiB with a single hard link are edited; anything else fails with the reason.
  - A secret value is masked wherever it appears in the task's output, also where the same text is not a secret; a
    short or common password masks that word everywhere in the diff.
  - Options are checked as text only; the module does not know which options a service has or what values they take.
seealso:
  - module: community.general.ini_file
    description: General INI editing, one option per task.
  - name: oslo.config configuration file format
    description: How OpenStack services read these files (sections, repeated keys, booleans).
    link: https://docs.openstack.org/oslo.config/latest/configuration/format.html
'''

EXAMPLES = r'''
- name: Nova's database, message queue and Keystone settings on a controller
  stackops.openstack.openstack_config:
    path: /etc/nova/nova.conf
    settings:
      DEFAULT:
        transport_url: "rabbit://openstack:{{ rabbit_password }}@controller:5672/"
        my_ip: "{{ ansible_default_ipv4.address }}"
      api_database:
        connection: "mysql+pymysql://nova:{{ nova_db_password }}@controller/nova_api"
      database:
        connection: "mysql+pymysql://nova:{{ nova_db_password }}@controller/nova"
      api:
        auth_strategy: keystone
      keystone_authtoken:
        www_authenticate_uri: http://controller:5000/
        auth_url: http://controller:5000/
        memcached_servers: controller:11211
        auth_type: password
        project_domain_name: Default
        user_domain_name: Default
        project_name: service
        username: nova
        password: "{{ nova_service_password }}"
      vnc:
        enabled: true
    backup: true
  notify: Restart nova services

- name: ML2 with Open vSwitch, VXLAN tenant networks
  stackops.openstack.openstack_config:
    path: /etc/neutron/plugins/ml2/ml2_conf.ini
    settings:
      ml2:
        type_drivers: flat,vlan,vxlan
        tenant_network_types: vxlan
        mechanism_drivers: openvswitch,l2population
      ml2_type_vxlan:
        vni_ranges: "1:1000"
  notify: Restart neutron-server

- name: Remove an option, and give a multi-valued one two values (repeated keys)
  stackops.openstack.openstack_config:
    path: /etc/nova/nova.conf
    settings:
      DEFAULT:
        debug: null
      pci:
        alias:
          - '{"vendor_id": "10de", "product_id": "1db4", "name": "gpu-v100"}'
          - '{"vendor_id": "8086", "product_id": "154d", "name": "nic-x520"}'

- name: A new uwsgi file readable by the service's group only, with a custom secret option
  stackops.openstack.openstack_config:
    path: /etc/myservice/myservice-uwsgi.ini
    settings:
      uwsgi:
        processes: 4
        http-socket: "[::]:8778"
        master: true
        env: "APP_SIGNING_PASS={{ signing_pass }}"
    secret_options: [env]
    owner: root
    group: myservice
    mode: "0640"

- name: Preview a change without making it
  stackops.openstack.openstack_config:
    path: /etc/keystone/keystone.conf
    settings:
      token:
        provider: fernet
        expiration: 7200
    create: false
  check_mode: true
  diff: true
  register: keystone_conf

- name: Show which options would change (secret values are masked)
  ansible.builtin.debug:
    msg: "{{ keystone_conf.changes | map(attribute='key') | join(', ') }}"
'''

RETURN = r'''
changes:
  description:
    - Every option that was added, changed or removed, in the order of the file, with its values before and after;
      secret values are C(********).
    - A value is a string, a list for an option that occurs several times, or V(null) when absent.
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: The section of the option.
      type: str
      sample: database
    key:
      description: The option name.
      type: str
      sample: connection
    action:
      description: V(added), V(changed) or V(removed).
      type: str
      sample: changed
    before:
      description: The value before, V(null) when the option was absent.
      type: raw
      sample: "********"
    after:
      description: The value after, V(null) when the option was removed.
      type: raw
      sample: "********"
  sample:
    - {section: database, key: connection, action: changed, before: "********", after: "********"}
    - {section: DEFAULT, key: debug, action: removed, before: "true", after: null}
    - {section: ml2_type_vxlan, key: vni_ranges, action: added, before: null, after: "1:1000"}
backup_file:
  description: The copy made by O(backup=true) before the change; V(null) when none was made.
  returned: always
  type: str
  sample: /etc/nova/nova.conf.2026-12-03@10:12:00~
created:
  description: V(true) when the file did not exist and was created (in check mode, would be).
  returned: always
  type: bool
  sample: false
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module
from ansible_collections.stackops.openstack.plugins.module_utils import openstack_config

NEW_FILE_MODE = "0640"


class _ConfigModule(AnsibleModule):
    """AnsibleModule that logs its invocation only once the secrets among the settings are no_log values.

    AnsibleModule logs its arguments to syslog/the journal from its constructor, before the module could tell
    it which values in ``settings`` are secret; here that log waits for log_invocation().
    """

    _secrets_known = False

    def _log_invocation(self):
        if self._secrets_known:
            super()._log_invocation()

    def log_invocation(self, secrets):
        self.no_log_values.update(secrets)
        self._secrets_known = True
        if not self.no_log:
            self._log_invocation()


def _read(module, path, create):
    """The file's text, and whether it is missing (then "" and created when create is true)."""
    if os.path.exists(path):
        return ini_module.read_config(module, path, "INI"), False
    if os.path.islink(path):
        module.fail_json(msg="%s is a symbolic link to %s, which does not exist" % (path, os.readlink(path)))
    if not create:
        module.fail_json(msg="%s does not exist and create is false; set create to true to create it" % path)
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        module.fail_json(msg="%s cannot be created: its directory %s does not exist"
                             % (path, os.path.dirname(os.path.abspath(path))))
    return "", True


def _create_private(module, path):
    """A new empty file, 0600 from its first byte; owner, group and mode come after the text."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        module.fail_json(msg="cannot create %s: %s" % (path, exc))


def _file_attributes(module, path, created, changed):
    """Owner, group, mode and SELinux context as asked (a new file: mode 0640 unless told); (changed, diff)."""
    path = os.path.realpath(path)  # the file a symbolic link points to, as the text went there
    file_args = module.load_file_common_arguments(module.params, path=path)
    if created and file_args.get("mode") is None:
        file_args["mode"] = NEW_FILE_MODE
    if created and module.check_mode:
        return True, None  # nothing to compare with: the file would be new
    diff = {"before": {"path": path}, "after": {"path": path}}
    changed = module.set_fs_attributes_if_different(file_args, changed, diff=diff)
    if len(diff["before"]) == 1 and len(diff["after"]) == 1:
        diff = None
    return changed, diff


def main():
    module = _ConfigModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            settings=dict(type="dict", required=True),
            create=dict(type="bool", default=True),
            secret_options=dict(type="list", elements="str", default=[], no_log=False),
            backup=dict(type="bool", default=False),
        ),
        add_file_common_args=True,
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"]
    secret = params["secret_options"]
    module.log_invocation(openstack_config.secret_values(params["settings"], secret))

    before, missing = _read(module, path, params["create"])
    try:
        edit = openstack_config.edit_config(before, params["settings"], create=params["create"])
    except (openstack_config.OpenstackConfigError, ini.IniError) as exc:
        module.fail_json(msg="%s: %s" % (path, exc))
    for warning in edit.warnings:
        module.warn("%s: %s" % (path, warning))

    created = missing and bool(edit.text)
    if missing and not created:
        module.exit_json(changed=False, changes=[], backup_file=None, created=False)  # only removals: no file
    if created and not module.check_mode:
        _create_private(module, path)
    try:
        result = ini_module.write_config(module, path, before, edit.text, params["backup"], secret=secret)
    finally:
        if created and not module.check_mode and os.path.exists(path) and os.path.getsize(path) == 0:
            os.unlink(path)
    result["created"] = created
    result["changed"], attributes_diff = _file_attributes(module, path, created, result["changed"])
    if "diff" in result and attributes_diff:
        result["diff"] = [result["diff"], attributes_diff]
    module.exit_json(**result)


if __name__ == "__main__":
    main()
