# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # The connection options of the xenserver_* modules (plugins/module_utils/xenserver.py)

    DOCUMENTATION = r'''
options:
  hostname:
    description:
      - The XenServer pool master, as C(host), C(host:port) or an C(http://) or C(https://) URL; C(https) when no
        scheme is given.
      - A pool member answers that it is not the master (C(HOST_IS_SLAVE)); the module then talks to the master it
        names, once.
    type: str
    required: true
    aliases: [host, pool]
  username:
    description: The XenAPI user (dom0's root or an RBAC user allowed to change networks and VMs).
    type: str
    default: root
    aliases: [user, admin]
  password:
    description: The password of O(username). It is never logged or returned.
    type: str
    required: true
    aliases: [pass, pwd]
  validate_certs:
    description:
      - Check the pool master's TLS certificate. XenServer's own certificate is self-signed; V(false) accepts it
        without checking (only on a network you trust).
    type: bool
    default: true
notes:
  - XenAPI calls run where the module runs (usually the controller, with C(delegate_to)); dom0's own Python is not
    used.
requirements:
  - XenAPI (the Python client on PyPI)
'''
