#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: galera_cluster_preflight
short_description: Check a Galera cluster's definition before anything is changed
version_added: 1.0.0
description:
  - Checks the members of a Galera cluster as the inventory describes them, the SST settings and every
    value that the P(stackops.openstack.galera_cluster#role) role writes into the server's option files,
    the member list and the clustercheck configuration, and fails with every problem found, in words,
    before a role touches any host.
  - "Member addresses: an IP address, used once, one of the host's own addresses; not the unspecified
    address (V(0.0.0.0), V(::)), not loopback, not multicast, not zone-scoped (V(fe80::1%eth0)) and not IPv6
    link-local."
  - "Names: node and cluster names are 1 to 64 letters, digits, C(.), C(_) or C(-), starting with a letter or
    a digit; SQL user names (SST, clustercheck) 1 to 80 letters, digits, C(_), C(.) or C(-) (no C(:), which
    separates user and password in C(wsrep_sst_auth)). No value may hold a control character (a line break
    would start a new option line)."
  - "Other values: ports 1 to 65535, sizes such as V(128M), the datadir an absolute path of letters, digits
    and C(/ . _ - + @ :), server setting names and Galera provider option names to their documented shapes,
    provider option values without C(;) or a backslash."
  - Fails when the SST method does not fit the flavor, when the SST method needs credentials and none are
    set, when a client source is not an address or a network, or when it opens the client ports to every
    address (prefix length 0) without O(allow_world_clients).
  - Warns (without failing) when the cluster cannot keep quorum well (a single node or an even number of
    nodes), when a world-open client source is allowed, and when a node's server listens on every interface.
  - Returns the C(gcomm://) cluster address in bootstrap order and the networks allowed on the client ports.
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
      host:
        description: Inventory hostname of the node, used in messages. Defaults to O(members[].name).
        type: str
      name:
        description: Name of the node in the cluster (C(wsrep_node_name)).
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
      host_networks:
        description:
          - The host's interface addresses with their prefix length, for example V(10.0.0.11/24)
            (P(stackops.openstack.host_networks#filter) of the host's facts). The network of the interface
            that carries O(members[].address) is one of the cluster's own networks. When none carries it,
            the address alone counts.
        type: list
        elements: str
        default: []
      config:
        description:
          - The node's other values that reach its option files, keyed by the role variable that sets them
            (C(galera_cluster_name), C(galera_cluster_bind_address), C(galera_cluster_port),
            C(galera_cluster_datadir), C(galera_cluster_sst_user), C(galera_cluster_clustercheck_user),
            C(galera_cluster_clustercheck_port), C(galera_cluster_innodb_buffer_pool_size),
            C(galera_cluster_innodb_log_file_size), C(galera_cluster_gcache_size),
            C(galera_cluster_max_connections), C(galera_cluster_settings),
            C(galera_cluster_provider_options)); each one given is checked, and C(galera_cluster_name) and
            C(galera_cluster_sst_user) must be the same on every node.
        type: dict
        default: {}
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
    description:
      - Networks (addresses or CIDRs) the firewall will let reach the client ports besides the cluster's own
        networks.
    type: list
    elements: str
    default: []
  allow_world_clients:
    description:
      - Accept a client source with prefix length 0 (V(0.0.0.0/0), V(::/0)), which opens the client ports to
        every address; a warning says so. Without it such a source is an error.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Check the cluster before any change
  stackops.openstack.galera_cluster_preflight:
    members:
      - name: db1
        address: 10.0.0.11
        host_addresses: [10.0.0.11, 192.168.1.11]
        host_networks: [10.0.0.11/24, 192.168.1.11/24]
        config:
          galera_cluster_name: openstack_db
          galera_cluster_settings: {max_allowed_packet: 64M}
      - {name: db2, address: 10.0.0.12}
      - {name: db3, address: 10.0.0.13}
    flavor: mariadb
    sst_method: mariabackup
    sst_password_set: "{{ galera_cluster_sst_password | length > 0 }}"
    client_sources: [192.168.10.0/24]
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
cluster_networks:
  description: The networks of the members' addresses (the cluster's own networks), each once.
  returned: success
  type: list
  elements: str
  sample: [10.0.0.0/24]
client_networks:
  description: O(client_sources) as networks, each once.
  returned: success
  type: list
  elements: str
  sample: [192.168.10.0/24]
errors:
  description: Every problem found.
  returned: failure
  type: list
  elements: str
  sample:
    - "db2: node address '127.0.0.1' (galera_cluster_node_address) is a loopback address: the other nodes would
      reach themselves; expected an address the other nodes can reach"
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackops.openstack.plugins.module_utils.galera_preflight import plan_cluster


def main():
    module = AnsibleModule(
        argument_spec=dict(
            members=dict(type="list", elements="dict", required=True, options=dict(
                host=dict(type="str"),
                name=dict(type="str", required=True),
                address=dict(type="str", required=True),
                host_addresses=dict(type="list", elements="str", default=[]),
                host_networks=dict(type="list", elements="str", default=[]),
                config=dict(type="dict", default={}),
            )),
            flavor=dict(type="str", required=True, choices=["mariadb", "percona"]),
            sst_method=dict(type="str", required=True),
            sst_password_set=dict(type="bool", default=False, no_log=False),
            client_sources=dict(type="list", elements="str", default=[]),
            allow_world_clients=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    plan = plan_cluster(params["members"], params["flavor"], params["sst_method"], params["sst_password_set"],
                        params["client_sources"], params["allow_world_clients"])
    for warning in plan["warnings"]:
        module.warn(warning)
    if plan["errors"]:
        module.fail_json(msg="the Galera cluster definition has %d problem(s): %s"
                         % (len(plan["errors"]), "; ".join(plan["errors"])), errors=plan["errors"])
    module.exit_json(changed=False, cluster_address=plan["cluster_address"], size=len(params["members"]),
                     cluster_networks=plan["cluster_networks"], client_networks=plan["client_networks"])


if __name__ == "__main__":
    main()
