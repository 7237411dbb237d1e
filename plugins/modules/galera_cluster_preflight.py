#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: galera_cluster_preflight
short_description: Check a Galera cluster's definition before anything is changed
version_added: 0.1.0
description:
  - Checks the members of a Galera cluster as the inventory describes them, and the SST settings,
    and fails with every problem found, in words, before a role touches any host.
  - Fails when a node address is not an IP address, is used twice, or is not one of the host's own
    addresses; when the SST method does not fit the flavor; when the SST method needs credentials and
    none are set; when a client source is not an address or a network.
  - Warns (without failing) when the cluster cannot keep quorum well, a single node or an even number
    of nodes.
  - Returns the C(gcomm://) cluster address in bootstrap order.
  - Changes nothing; runs anywhere (usually once, delegated to the controller).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: none
  platform:
    support: full
    platforms: posix
options:
  members:
    description:
      - The cluster's nodes in bootstrap order (inventory order).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Inventory name of the node.
        type: str
        required: true
      address:
        description: Address the node uses for replication (C(wsrep_node_address)).
        type: str
        required: true
      host_addresses:
        description: The host's own addresses (from facts), to check O(members[].address) against.
        type: list
        elements: str
        default: []
  flavor:
    description: V(mariadb) (MariaDB Galera) or V(percona) (Percona XtraDB Cluster).
    type: str
    required: true
    choices: [mariadb, percona]
  sst_method:
    description: The State Snapshot Transfer method the nodes will use.
    type: str
    required: true
  sst_password_set:
    description: Whether SST credentials are configured (the password itself is not passed).
    type: bool
    default: false
  client_sources:
    description: Networks (addresses or CIDRs) the firewall will let reach the client port.
    type: list
    elements: str
    default: []
'''

EXAMPLES = r'''
- name: Check the cluster before any change
  stackops.openstack.galera_cluster_preflight:
    members:
      - {name: db1, address: 10.0.0.11, host_addresses: [10.0.0.11, 192.168.1.11]}
      - {name: db2, address: 10.0.0.12}
      - {name: db3, address: 10.0.0.13}
    flavor: mariadb
    sst_method: mariabackup
    sst_password_set: "{{ galera_cluster_sst_password | length > 0 }}"
  delegate_to: localhost
  run_once: true
  register: preflight
'''

RETURN = r'''
cluster_address:
  description: The C(wsrep_cluster_address) for these members.
  returned: success
  type: str
  sample: gcomm://10.0.0.11,10.0.0.12,10.0.0.13
size:
  description: Number of members.
  returned: success
  type: int
  sample: 3
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackops.openstack.plugins.module_utils.galera_preflight import check_cluster


def main():
    module = AnsibleModule(
        argument_spec=dict(
            members=dict(type="list", elements="dict", required=True, options=dict(
                name=dict(type="str", required=True),
                address=dict(type="str", required=True),
                host_addresses=dict(type="list", elements="str", default=[]),
            )),
            flavor=dict(type="str", required=True, choices=["mariadb", "percona"]),
            sst_method=dict(type="str", required=True),
            sst_password_set=dict(type="bool", default=False, no_log=False),
            client_sources=dict(type="list", elements="str", default=[]),
        ),
        supports_check_mode=True,
    )
    params = module.params
    errors, warnings, cluster_address = check_cluster(params["members"], params["flavor"], params["sst_method"],
                                                      params["sst_password_set"], params["client_sources"])
    for warning in warnings:
        module.warn(warning)
    if errors:
        module.fail_json(msg="the Galera cluster definition has %d problem(s): %s" % (len(errors), "; ".join(errors)),
                         errors=errors)
    module.exit_json(changed=False, cluster_address=cluster_address, size=len(params["members"]))


if __name__ == "__main__":
    main()
