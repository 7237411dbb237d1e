#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: packstack_answers
short_description: Keep a packstack answer file in line with the inventory, keeping its passwords
version_added: 1.1.0
description:
  - Edits a packstack (RDO) answer file, the INI file with a C([general]) section that
    C(packstack --gen-answer-file) writes and C(packstack --answer-file) reads, from inventory groups
    (O(hosts)), settings (O(settings)) and passwords from a vault (O(passwords)).
  - Only the keys it manages change (the host keys, the keys of O(settings) and O(passwords), missing secrets,
    C(EXCLUDE_SERVERS) with O(installed_hosts)); every other line and every comment stays as it is.
  - Every real password already in the file is kept. A password that is missing, or C(PW_PLACEHOLDER), of a service
    packstack will configure is filled the way packstack fills it - C(CONFIG_DEFAULT_PASSWORD) when that is set, else
    16 random hexadecimal digits - so that the file, not packstack's next run, holds it. Placeholders of services that
    are off are left for packstack (it would write them back as placeholders). Passwords in O(passwords) win.
  - Refuses, before anything changes and naming the value, what packstack 26 would reject late or silently get wrong -
    missing controller, network or compute hosts (packstack would use the address of the host it runs on),
    C(bridge:interface) pairs that are malformed or name a bridge that is not in the bridge mappings,
    C(CONFIG_STORAGE_HOST) without C(CONFIG_UNSUPPORTED=y) (ignored), deprecated key names, keys packstack does not
    know (dropped when it rewrites the file) unless O(allow_unknown=true), y/n keys with other values,
    C(CONFIG_NEUTRON_INSTALL=n), the L2 agent C(linuxbridge) (removed in packstack 26), keys of the other L2 agent,
    settings of a service that is off (packstack would write their defaults back), empty passwords, and a file with a
    key in lower case or set twice.
  - Returns RV(packstack_needed) (the answers changed, or O(installed_hosts) lacks a host of the answers) and
    RV(exclude_servers), so that a play runs C(packstack --answer-file) only when needed, and on a grown cloud only on
    the new hosts.
  - Does not run packstack and does not connect to the hosts.
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports the same RV(ignore:changed), RV(packstack_needed), RV(changes) and diff and writes nothing. Passwords it
        would generate are not kept, so a real run generates others.
  diff_mode:
    support: full
    details:
      - The diff is of the whole file with every secret (passwords, C(CONFIG_SWIFT_HASH), C(CONFIG_HEAT_AUTH_ENC_KEY),
        every key packstack masks) shown as C(********).
  platform:
    support: full
    platforms: posix
options:
  path:
    description:
      - The answer file. A missing file is created (mode C(0600), as packstack writes it) with a C([general]) section
        holding only the managed keys and generated secrets; packstack uses its defaults for the others.
      - An existing file keeps its owner, group and mode.
    type: path
    required: true
  hosts:
    description:
      - The hosts of the cloud, typically from inventory groups, as IP addresses or host names that packstack reaches
        over SSH from the machine it runs on.
      - C(CONFIG_AMQP_HOST), C(CONFIG_MARIADB_HOST) and C(CONFIG_REDIS_HOST) (when redis coordinates ceilometer) go to
        the controller too, as packstack's C(--install-hosts) does, unless O(settings) sets them.
      - Unset, the host keys of the file stay as they are (they must then name the hosts).
    type: dict
    suboptions:
      controller:
        description:
          - The controller (C(CONFIG_CONTROLLER_HOST)).
        type: str
        required: true
      network:
        description:
          - The network nodes (C(CONFIG_NETWORK_HOSTS)), at least one.
        type: list
        elements: str
        required: true
      compute:
        description:
          - The compute nodes (C(CONFIG_COMPUTE_HOSTS)), at least one.
        type: list
        elements: str
        required: true
      storage:
        description:
          - A separate storage node (C(CONFIG_STORAGE_HOST)). packstack honours it only with C(CONFIG_UNSUPPORTED=y)
            (in O(settings) or the file); without it, it is refused.
          - Unset, C(CONFIG_STORAGE_HOST) stays as it is and storage goes to the controller.
        type: str
  settings:
    description:
      - Any other packstack parameters, for example C(CONFIG_HEAT_INSTALL) or C(CONFIG_NEUTRON_OVN_BRIDGE_IFACES), by
        their upper-case names.
      - A boolean becomes V(y) or V(n) for a y/n key; a list is joined with commas; a number becomes its text.
      - Secrets are refused here; give them in O(passwords), which is not logged.
      - The host keys of O(hosts) are refused here when O(hosts) is set, and C(EXCLUDE_SERVERS) when
        O(installed_hosts) is set.
    type: dict
    default: {}
  passwords:
    description:
      - Passwords and other secrets (C(CONFIG_*_PW), C(CONFIG_*_PASSWORD), C(CONFIG_SWIFT_HASH),
        C(CONFIG_DEFAULT_PASSWORD), ...), for example from Ansible Vault. They replace what the file has.
      - An empty password is refused (C(CONFIG_DEFAULT_PASSWORD) may be empty). A password of a service that is off is
        not written, with a warning, as packstack would write its placeholder back.
      - Never shown in a diff, a return value or a message.
    type: dict
    default: {}
  allow_unknown:
    description:
      - Accept keys in O(settings) and O(passwords) that packstack 26.0.0 does not know (for a newer packstack).
    type: bool
    default: false
  installed_hosts:
    description:
      - The hosts packstack has already installed with these answers (for example recorded by the play after a
        successful run).
      - When a host of the answers is not among them, RV(packstack_needed) is V(true). When only hosts were added,
        C(EXCLUDE_SERVERS) is set to the installed ones, so packstack leaves them alone; when the answers changed,
        C(EXCLUDE_SERVERS) is emptied, as every node must take the new answers. When nothing is to be done,
        C(EXCLUDE_SERVERS) stays as it is.
      - Unset, C(EXCLUDE_SERVERS) is not managed (it may then be set in O(settings)).
    type: list
    elements: str
  validate:
    description:
      - V(packstack) also runs packstack's own per-parameter processors and validators (the code behind
        C(packstack --answer-file)) on the new answers before writing; they need the C(packstack) Python package
        (26.0.0) on the managed host, every host key reachable on TCP port 22 from it, and C(CONFIG_SSH_KEY) a public
        key file there. A refusal fails the task with packstack's message, secrets masked, and the file unchanged.
      - V(none) checks only what this module knows.
    type: str
    choices: [none, packstack]
    default: none
  backup:
    description:
      - Before changing the file, copy it to a file whose name includes a timestamp, returned as RV(backup_file).
        The copy is as private as the file.
    type: bool
    default: false
requirements:
  - packstack (Python package) for O(validate=packstack) only
notes:
  - packstack rewrites the answer file on each run (comments regenerated, unknown keys dropped, boolean keys such as
    C(CONFIG_KEYSTONE_FERNET_TOKEN_ROTATE_ENABLE) written as C(True)); the module reads such a file as unchanged.
  - Never run C(packstack --gen-answer-file) again for an installed cloud, it makes new passwords; keep the file and let
    this module maintain it.
  - The file is replaced atomically (a temporary file renamed over it).
seealso:
  - name: packstack
    description: RDO's installer, whose answer file this is.
    link: https://www.rdoproject.org/install/packstack/
'''

EXAMPLES = r'''
- name: Answer file from the inventory groups, passwords from the vault
  stackops.openstack.packstack_answers:
    path: /root/packstack-answers.txt
    hosts:
      controller: "{{ groups['packstack_controller'] | first }}"
      network: "{{ groups['packstack_network'] }}"
      compute: "{{ groups['packstack_compute'] }}"
    settings:
      CONFIG_NEUTRON_L2_AGENT: ovn
      CONFIG_NEUTRON_OVN_BRIDGE_MAPPINGS: extnet:br-ex
      CONFIG_NEUTRON_OVN_BRIDGE_IFACES: br-ex:eth1
      CONFIG_PROVISION_DEMO: false
      CONFIG_HEAT_INSTALL: true
    passwords:
      CONFIG_KEYSTONE_ADMIN_PW: "{{ vault_keystone_admin_password }}"
    installed_hosts: "{{ packstack_installed_hosts | default([]) }}"
    backup: true
  register: answers

- name: Run packstack only when the answers changed or a host was added
  ansible.builtin.command:
    cmd: packstack --answer-file=/root/packstack-answers.txt
  when: answers.packstack_needed
  changed_when: true

- name: Preview a change, checked by packstack's own validators
  stackops.openstack.packstack_answers:
    path: /root/packstack-answers.txt
    settings:
      CONFIG_SWIFT_INSTALL: false
    validate: packstack
  check_mode: true
  diff: true

- name: A separate storage node, which packstack supports only as unsupported
  stackops.openstack.packstack_answers:
    path: /root/packstack-answers.txt
    hosts:
      controller: 192.0.2.10
      network: [192.0.2.11]
      compute: [192.0.2.12, 192.0.2.13]
      storage: 192.0.2.14
    settings:
      CONFIG_UNSUPPORTED: true
'''

RETURN = r'''
packstack_needed:
  description:
    - V(true) when packstack must run - the answers changed, or a host of the answers is not in O(installed_hosts).
  returned: always
  type: bool
  sample: true
exclude_servers:
  description: The hosts of C(EXCLUDE_SERVERS) after the edit, which packstack will leave alone.
  returned: always
  type: list
  elements: str
  sample: [192.0.2.10, 192.0.2.11, 192.0.2.12]
hosts:
  description: Every host packstack installs with these answers, in the order of the answer keys.
  returned: always
  type: list
  elements: str
  sample: [192.0.2.10, 192.0.2.11, 192.0.2.12, 192.0.2.13]
new_hosts:
  description: The hosts of RV(hosts) that are not in O(installed_hosts); empty when that is unset.
  returned: always
  type: list
  elements: str
  sample: [192.0.2.13]
generated:
  description: The secrets that were missing or C(PW_PLACEHOLDER) and were filled (names only).
  returned: always
  type: list
  elements: str
  sample: [CONFIG_HEAT_DB_PW, CONFIG_HEAT_KS_PW, CONFIG_HEAT_DOMAIN_PASSWORD]
changes:
  description:
    - Every key that was added or changed, with its values before and after; secrets are C(********).
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: Always V(general).
      type: str
      sample: general
    key:
      description: The answer key.
      type: str
      sample: CONFIG_COMPUTE_HOSTS
    action:
      description: V(added), V(changed) or V(removed).
      type: str
      sample: changed
    before:
      description: The value before, V(null) when the key was absent.
      type: raw
      sample: 192.0.2.12
    after:
      description: The value after.
      type: raw
      sample: 192.0.2.12,192.0.2.13
  sample:
    - {section: general, key: CONFIG_COMPUTE_HOSTS, action: changed, before: 192.0.2.12, after: "192.0.2.12,192.0.2.13"}
    - {section: general, key: CONFIG_HEAT_DB_PW, action: changed, before: "********", after: "********"}
validated_by:
  description: C(packstack <version>) when O(validate=packstack) ran packstack's validators, else V(null).
  returned: always
  type: str
  sample: packstack 26.0.0
backup_file:
  description: The copy made by O(backup=true) before the change; V(null) when none was made.
  returned: always
  type: str
  sample: /root/packstack-answers.txt.2026-12-03@07:12:00~
'''

import os
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module
from ansible_collections.stackops.openstack.plugins.module_utils import packstack_answers

try:
    from packstack.installer import run_setup as packstack_run_setup
    from packstack import version as packstack_version
    PACKSTACK_IMPORT_ERROR = None
except Exception:  # pylint: disable=broad-exception-caught
    packstack_run_setup = packstack_version = None
    PACKSTACK_IMPORT_ERROR = traceback.format_exc()


def _packstack_version():
    try:
        return packstack_version.version_info.version_string()
    except Exception:  # pylint: disable=broad-exception-caught
        return "(version unknown)"


def _read(module, path):
    """The file's text, "" for a missing one (then created)."""
    if os.path.lexists(path) or os.path.isdir(path):
        return ini_module.read_config(module, path, "packstack (the answer file)")
    if not os.path.isdir(os.path.dirname(os.path.abspath(path))):
        module.fail_json(msg="%s cannot be created: its directory does not exist" % path)
    return ""


def _create_private(module, path):
    """A new empty answer file, 0600 from its first byte, as packstack creates it."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as exc:
        module.fail_json(msg="cannot create %s: %s" % (path, exc))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            hosts=dict(type="dict", options=dict(
                controller=dict(type="str", required=True),
                network=dict(type="list", elements="str", required=True),
                compute=dict(type="list", elements="str", required=True),
                storage=dict(type="str"),
            )),
            settings=dict(type="dict", default={}),
            passwords=dict(type="dict", default={}, no_log=True),
            allow_unknown=dict(type="bool", default=False),
            installed_hosts=dict(type="list", elements="str"),
            validate=dict(type="str", choices=list(packstack_answers.VALIDATE), default="none"),
            backup=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"]
    for value in params["passwords"].values():
        if isinstance(value, str) and value:
            module.no_log_values.add(value)

    if params["validate"] == "packstack" and packstack_run_setup is None:
        module.fail_json(msg=missing_required_lib("packstack", reason="for validate=packstack"),
                         exception=PACKSTACK_IMPORT_ERROR)

    before = _read(module, path)
    hosts = params["hosts"]
    if hosts is not None:
        hosts = dict((key, value) for key, value in hosts.items() if value is not None)
    try:
        edit = packstack_answers.edit_answers(
            before, hosts=hosts, settings=params["settings"], passwords=params["passwords"],
            allow_unknown=params["allow_unknown"], installed_hosts=params["installed_hosts"])
    except (packstack_answers.PackstackAnswersError, ini.IniError) as exc:
        module.fail_json(msg="%s: %s" % (path, exc))
    for key in edit.generated:
        value = ini.parse(edit.text).get(packstack_answers.SECTION, key)
        if value:
            module.no_log_values.add(value)

    validated_by = None
    if params["validate"] == "packstack":
        try:
            packstack_answers.packstack_validate(edit.text, packstack_run_setup)
        except packstack_answers.PackstackAnswersError as exc:
            module.fail_json(msg="%s: %s" % (path, exc))
        validated_by = "packstack %s" % _packstack_version()

    for warning in edit.warnings:
        module.warn("%s: %s" % (path, warning))
    created = False
    if not before and not os.path.lexists(path) and not module.check_mode and edit.text:
        _create_private(module, path)
        created = True
    try:
        result = ini_module.write_config(module, path, before, edit.text, params["backup"],
                                         secret=packstack_answers.secret_predicate)
    finally:
        if created and os.path.exists(path) and os.path.getsize(path) == 0:
            os.unlink(path)
    result.update(packstack_needed=edit.packstack_needed, exclude_servers=edit.exclude_servers, hosts=edit.hosts,
                  new_hosts=edit.new_hosts, generated=edit.generated, validated_by=validated_by)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
