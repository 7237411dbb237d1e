#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: spice_console_config
short_description: Configure nova.conf for SPICE HTML5 consoles, per node role
version_added: 1.0.0
description:
  - Edits C(nova.conf) so that instances get SPICE consoles reachable through C(nova-spicehtml5proxy), writing only
    the options the node's role needs and touching only their lines; every comment and every other option stays.
  - A new option goes right under its commented default (C(#html5proxy_port = 6082)) when the file has one, as in the
    C(nova.conf) that Debian ships; otherwise at the end of its section.
  - O(node_role=control) (runs C(nova-spicehtml5proxy)) writes C([spice]) C(enabled), C(html5proxy_host),
    C(html5proxy_port) and C(html5proxy_base_url), and with O(release=legacy) also C([DEFAULT] web).
  - O(node_role=compute) (runs C(nova-compute)) writes C([spice]) C(enabled), C(agent_enabled), C(server_listen),
    C(server_proxyclient_address), C(html5proxy_base_url) and, when given, C(keymap).
  - O(node_role=all_in_one) writes both sets.
  - With O(disable_vnc=true), every role turns VNC off, which nova requires for SPICE consoles.
  - The SPICE servers of the instances have no authentication of their own, so by default they listen on the
    node's management address (O(server_proxyclient_address)), where the proxy connects, and not on every
    interface. A wildcard O(server_listen) (V(0.0.0.0), V(::)) is written when asked for, with a warning.
  - Addresses may be oslo.config substitutions such as V($my_ip) (what Debian's C(nova.conf) ships for
    C(server_proxyclient_address)), V(${my_ip}) or, except with O(release=legacy), V(${DEFAULT.my_ip}). A reference
    is resolved in the edited file and its value checked like a literal one; a reference to an option the file
    does not set is accepted only where nova has a default for it (C(my_ip) is then the host's IPv4 address).
  - Does not restart any service; notify handlers that restart C(nova-compute) or C(nova-spicehtml5proxy) when
    RV(ignore:changed) is V(true).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports the same RV(ignore:changed), RV(settings), RV(changes) and diff, and writes nothing.
  diff_mode:
    support: full
    details:
      - The diff is of the whole file, with the values of secret options (passwords, database and transport URLs)
        masked.
  platform:
    support: full
    platforms: posix
options:
  path:
    description:
      - The nova configuration file. It must exist; the module does not create one.
    type: path
    default: /etc/nova/nova.conf
  node_role:
    description:
      - What runs on this node, which decides the options written (see the description).
      - V(control) for the node running C(nova-spicehtml5proxy), V(compute) for a node running C(nova-compute),
        V(all_in_one) for a node running both.
    type: str
    required: true
    choices: [control, compute, all_in_one]
  html5proxy_base_url:
    description:
      - The URL users open for a console, C([spice] html5proxy_base_url). nova appends C(?token=...) to it.
      - Must be an V(http) or V(https) URL with a host whose path ends in C(/spice_auto.html), without query,
        fragment or credentials, for example V(http://controller:6082/spice_auto.html).
      - Its host and port are those users reach the proxy at, which can differ from O(html5proxy_host) and
        O(html5proxy_port) behind a load balancer; they are not compared.
    type: str
    required: true
  html5proxy_host:
    description:
      - IP address, host name or oslo.config reference (V($my_ip)) C(nova-spicehtml5proxy) listens on,
        C([spice] html5proxy_host). Control roles only.
    type: str
    default: 0.0.0.0
  html5proxy_port:
    description:
      - Port C(nova-spicehtml5proxy) listens on, C([spice] html5proxy_port), from 1 to 65535. Control roles only.
    type: int
    default: 6082
  server_listen:
    description:
      - IP address (or oslo.config reference such as V($my_ip)) the SPICE servers of the instances listen on,
        C([spice] server_listen). Compute roles only; checked but not written for V(control).
      - Unset, it is O(server_proxyclient_address), the node's management address. nova's own default is
        V(127.0.0.1), which the proxy on another node cannot reach; V(0.0.0.0) exposes the unauthenticated consoles
        on every interface of the node and gives a warning.
    type: str
  server_proxyclient_address:
    description:
      - IP address of this compute node that C(nova-spicehtml5proxy) connects to, C([spice]
        server_proxyclient_address), or an oslo.config reference to an option holding it, such as V($my_ip).
        A host name, or an unspecified address (V(0.0.0.0), V(::)), is refused.
      - Required when O(node_role) is V(compute) or V(all_in_one); checked but not written for V(control).
    type: str
  keymap:
    description:
      - Keyboard layout of the SPICE server, C([spice] keymap), such as V(en-us) or V(de-ch). Compute roles only,
        and only written when given.
      - Only with O(release=legacy). nova removed C([spice] keymap) in 22.0.0 (Victoria) and ignores it since,
        so with O(release=current) the module fails rather than write an option that does nothing; set the
        keyboard layout in the guest instead.
    type: str
  agent_enabled:
    description:
      - Enable the SPICE guest agent support (copy and paste, resolution follows the client), C([spice]
        agent_enabled). Compute roles only.
    type: bool
    default: true
  disable_vnc:
    description:
      - Turn VNC consoles off, which nova needs for SPICE consoles to be offered; C([vnc] enabled = false) with
        O(release=current), C([DEFAULT] vnc_enabled = False) with O(release=legacy).
      - V(false) leaves the VNC options as they are.
    type: bool
    default: true
  release:
    description:
      - The nova generation of the file.
      - V(current) is nova 26 (Zed, Debian 12) and the releases around it; VNC is switched off in C([vnc]), booleans
        are written V(true) and V(false).
      - V(legacy) is the Kilo era (nova 2015.1); VNC is switched off by C([DEFAULT] vnc_enabled), the proxy gets
        C([DEFAULT] web = /usr/share/spice-html5) (the spice-html5 client it serves), O(keymap) is accepted, and
        booleans are written V(True) and V(False).
      - A boolean already in the file with other words for the same truth (V(True) for V(true), V(yes), V(1)) is
        kept as it is.
    type: str
    choices: [current, legacy]
    default: current
  backup:
    description:
      - Before changing the file, copy it to a file whose name includes a timestamp, returned as RV(backup_file).
    type: bool
    default: false
notes:
  - The file is replaced atomically (a temporary file renamed over it) and keeps its owner, group and mode.
  - Options of the other console types are not touched, nor is a stale C([DEFAULT] vnc_enabled) with
    O(release=current) (nova reads C([vnc] enabled) first), nor a C([vnc]) section with O(release=legacy).
  - With O(release=legacy), C([DEFAULT] web) is shared by C(nova-novncproxy) and C(nova-spicehtml5proxy) in Kilo;
    with it set, a noVNC proxy on the same node would serve the SPICE client, which is what O(disable_vnc) wants.
seealso:
  - name: nova configuration reference, [spice] and [vnc]
    description: The options this module writes, for the current release.
    link: https://docs.openstack.org/nova/zed/configuration/config.html#spice
  - name: nova remote consoles
    description: How SPICE consoles and nova-spicehtml5proxy work together.
    link: https://docs.openstack.org/nova/zed/admin/remote-console-access.html
'''

EXAMPLES = r'''
- name: SPICE console proxy on the controller
  stackops.openstack.spice_console_config:
    node_role: control
    html5proxy_base_url: http://controller:6082/spice_auto.html
    backup: true
  notify: Restart nova-spicehtml5proxy

- name: SPICE consoles on a compute node, listening on its management address only
  stackops.openstack.spice_console_config:
    node_role: compute
    html5proxy_base_url: http://controller:6082/spice_auto.html
    server_proxyclient_address: "{{ ansible_default_ipv4.address }}"
  notify: Restart nova-compute

- name: SPICE consoles on a compute node whose nova.conf sets my_ip (as Debian's does)
  stackops.openstack.spice_console_config:
    node_role: compute
    html5proxy_base_url: http://controller:6082/spice_auto.html
    server_proxyclient_address: $my_ip
  notify: Restart nova-compute

- name: Show what would change on an all-in-one node, without changing it
  stackops.openstack.spice_console_config:
    node_role: all_in_one
    html5proxy_base_url: https://cloud.example.com:6082/spice_auto.html
    server_proxyclient_address: 192.0.2.10
  check_mode: true
  diff: true
  register: spice

- name: Report the options the role writes
  ansible.builtin.debug:
    msg: "{{ spice.settings | map(attribute='key') | join(', ') }}"

- name: A Kilo-era compute node with a German keyboard
  stackops.openstack.spice_console_config:
    node_role: compute
    release: legacy
    html5proxy_base_url: http://controller:6082/spice_auto.html
    server_proxyclient_address: 10.0.0.31
    keymap: de
'''

RETURN = r'''
settings:
  description:
    - The options the role writes, in the order written, with their values as they stand in the file (in check
      mode, as they would stand); a boolean already spelled another way for the same truth keeps its spelling.
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: The section of the option.
      type: str
      sample: spice
    key:
      description: The option name.
      type: str
      sample: html5proxy_base_url
    value:
      description: The value, as INI text.
      type: str
      sample: http://controller:6082/spice_auto.html
  sample:
    - {section: spice, key: enabled, value: "true"}
    - {section: spice, key: html5proxy_host, value: 0.0.0.0}
    - {section: spice, key: html5proxy_port, value: "6082"}
    - {section: spice, key: html5proxy_base_url, value: "http://controller:6082/spice_auto.html"}
    - {section: vnc, key: enabled, value: "false"}
changes:
  description:
    - Every option that was added or changed, with its values before and after; secret values are masked.
    - A value is a string, a list for an option that occurs several times, or V(null) when absent.
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: The section of the option.
      type: str
      sample: spice
    key:
      description: The option name.
      type: str
      sample: server_proxyclient_address
    action:
      description: V(added), V(changed) or V(removed).
      type: str
      sample: changed
    before:
      description: The value before, V(null) when the option was absent.
      type: raw
      sample: $my_ip
    after:
      description: The value after, V(null) when the option was removed.
      type: raw
      sample: 192.0.2.31
  sample:
    - {section: spice, key: server_proxyclient_address, action: changed, before: $my_ip, after: 192.0.2.31}
    - {section: vnc, key: enabled, action: added, before: null, after: "false"}
backup_file:
  description: The copy made by O(backup=true) before the change; V(null) when none was made.
  returned: always
  type: str
  sample: /etc/nova/nova.conf.2026-11-23@00:12:00~
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module
from ansible_collections.stackops.openstack.plugins.module_utils import nova_spice


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/nova/nova.conf"),
            node_role=dict(type="str", required=True, choices=list(nova_spice.ROLES)),
            html5proxy_base_url=dict(type="str", required=True),
            html5proxy_host=dict(type="str", default=nova_spice.DEFAULTS["html5proxy_host"]),
            html5proxy_port=dict(type="int", default=nova_spice.DEFAULTS["html5proxy_port"]),
            server_listen=dict(type="str"),
            server_proxyclient_address=dict(type="str"),
            keymap=dict(type="str", no_log=False),
            agent_enabled=dict(type="bool", default=nova_spice.DEFAULTS["agent_enabled"]),
            disable_vnc=dict(type="bool", default=nova_spice.DEFAULTS["disable_vnc"]),
            release=dict(type="str", choices=list(nova_spice.RELEASES), default=nova_spice.DEFAULTS["release"]),
            backup=dict(type="bool", default=False),
        ),
        required_if=[
            ("node_role", "compute", ("server_proxyclient_address",)),
            ("node_role", "all_in_one", ("server_proxyclient_address",)),
        ],
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"]

    before = ini_module.read_config(module, path, "nova (nova-common)")

    try:
        edit = nova_spice.configure_spice(
            before, params["node_role"], params["html5proxy_base_url"],
            html5proxy_host=params["html5proxy_host"], html5proxy_port=params["html5proxy_port"],
            server_listen=params["server_listen"], server_proxyclient_address=params["server_proxyclient_address"],
            keymap=params["keymap"], agent_enabled=params["agent_enabled"], disable_vnc=params["disable_vnc"],
            release=params["release"])
    except (nova_spice.SpiceConfigError, ini.IniError) as exc:
        module.fail_json(msg="%s: %s" % (path, exc))

    for warning in edit.warnings:
        module.warn("%s: %s" % (path, warning))
    result = ini_module.write_config(module, path, before, edit.text, params["backup"])
    result["settings"] = edit.settings
    module.exit_json(**result)


if __name__ == "__main__":
    main()
