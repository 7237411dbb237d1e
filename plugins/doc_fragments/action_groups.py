# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # The module_defaults groups of meta/runtime.yml. A collection cannot add its modules to
    # another collection's group, so each of ours extends the other collection's group instead:
    # group/stackops.openstack.X reaches our modules and theirs; their group does not reach ours.

    GALERA = r'''
options: {}
attributes:
  action_group:
    description:
      - Use C(group/stackops.openstack.galera) in C(module_defaults) to set the connection options once
        for this module and for every module of C(group/community.mysql.all) (M(community.mysql.mysql_query),
        M(community.mysql.mysql_info), ...), which this group extends.
      - C(group/community.mysql.all) alone does not reach this module.
      - Put only options that all of them take (the C(login_*) options, O(config_file), O(connect_timeout),
        the TLS options) under the group; a module's own options go under its name.
    support: full
    membership:
      - stackops.openstack.galera
'''

    OPENSTACK = r'''
options: {}
attributes:
  action_group:
    description:
      - Use C(group/stackops.openstack.openstack) in C(module_defaults) to set the authentication options
        (O(cloud), O(auth), O(region_name), ...) once for this module and for every module of
        C(group/openstack.cloud.openstack), which this group extends.
      - C(group/openstack.cloud.openstack) alone does not reach this module.
      - Put only options that all of them take under the group; a module's own options go under its name.
    support: full
    membership:
      - stackops.openstack.openstack
'''

    XENSERVER = r'''
options: {}
attributes:
  action_group:
    description:
      - Use C(group/stackops.openstack.xenserver) in C(module_defaults) to set the connection options
        (O(hostname), O(username), O(password), O(validate_certs)) once for every xenserver module of this collection.
    support: full
    membership:
      - stackops.openstack.xenserver
'''
