# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: galera_bootstrap_choice
short_description: Choose the Galera node to bootstrap after an outage, or say why none
version_added: 1.0.0
author:
  - stackops maintainers (@stackops)
description:
  - Takes the cluster's hosts in inventory order and every host's
    M(stackops.openstack.galera_cluster_status) result, and answers one of
  - V(join) some node is in a Primary component, nothing must be bootstrapped; RV(_value.node) names it.
  - V(bootstrap) bootstrap RV(_value.node); RV(_value.reason) says why it is the right one.
  - V(refuse) bootstrapping now could lose data or split the cluster; RV(_value.reason) says what to check.
  - "Rules: every node must report (else refuse unless forced); every node's committed position must be
    known (the live counter, C(grastate.dat) after a clean stop, or the position recovered with
    O(stackops.openstack.galera_cluster_status#module:recover) where C(grastate.dat) is missing, empty,
    all-zero or says -1), else refuse, also in check mode, where recovery does not run; a node whose
    C(grastate.dat) contradicts its recovered position means refuse; all nodes with state must share
    one cluster state UUID (else refuse, saying which nodes hold which history); the most advanced
    position wins; a node marked C(safe_to_bootstrap) that is behind means refuse; a winner whose
    C(grastate.dat) is empty (an interrupted state transfer) means refuse; ties go to the
    C(safe_to_bootstrap) node, then to inventory order."
  - A node counts as never having held Galera data only on positive evidence (an empty datadir, or
    recovery found no position and no C(grastate.dat) names a cluster). Such nodes join by state
    transfer; a cluster is called new, and its first node bootstrapped, only when every node is one.
  - When some node is Primary the answer is V(join); running nodes outside that component are named as
    cut off from it, with the advice to check the network.
  - A forced choice (O(force_node)) overrides the refusals, never a running Primary component, and
    adds warnings that say what was overridden.
options:
  _input:
    description: The cluster's inventory hostnames, in inventory order (for example V(groups['galera'])).
    type: list
    elements: str
    required: true
  hostvars:
    description: Where each host's status result is found (normally the V(hostvars) magic variable).
    type: dict
    required: true
  status_var:
    description: Name of the registered variable that holds each host's status result.
    type: str
    default: galera_status
  force_node:
    description: Bootstrap this host whatever the rules say (except while a Primary component exists).
    type: str
'''

EXAMPLES = r'''
- name: Read every node's state; where a server is down and grastate.dat lacks the position, recover it
  stackops.openstack.galera_cluster_status:
    login_unix_socket: /run/mysqld/mysqld.sock
    recover: true
  register: galera_status

- name: Choose
  ansible.builtin.set_fact:
    galera_choice: "{{ groups['galera'] | stackops.openstack.galera_bootstrap_choice(hostvars, 'galera_status') }}"
  run_once: true

- name: Stop with the reason when bootstrapping is not safe
  ansible.builtin.fail:
    msg: "{{ galera_choice.reason }}"
  when: galera_choice.action == 'refuse'
  run_once: true
'''

RETURN = r'''
_value:
  description: The decision.
  type: dict
  contains:
    action:
      description: V(join), V(bootstrap) or V(refuse).
      type: str
    bootstrap_needed:
      description: Whether RV(_value.action) is V(bootstrap).
      type: bool
    node:
      description: The node to bootstrap (V(bootstrap)) or to join (V(join)); V(null) on V(refuse).
      type: str
    node_running:
      description: Whether that node's server answers (a running non-Primary node is bootstrapped with
        C(pc.bootstrap=YES) instead of a restart).
      type: bool
    needs_safe_to_bootstrap:
      description: Whether C(safe_to_bootstrap) must be set to 1 in the node's C(grastate.dat) first.
      type: bool
    restore_grastate:
      description: The position (uuid, seqno) to write into the chosen node's C(grastate.dat), with
        C(safe_to_bootstrap 1), before its bootstrap start, when that position is known only from
        C(--wsrep-recover); without it the server would start a new history. V(null) otherwise.
      type: dict
    needs_recovery:
      description: Nodes whose position only C(--wsrep-recover) can tell but which was not run
        (check mode, or O(stackops.openstack.galera_cluster_status#module:recover=false)).
      type: list
      elements: str
    reason:
      description: Why, in one sentence.
      type: str
    forced:
      description: Whether O(force_node) decided.
      type: bool
    positions:
      description: Each node's committed position (uuid, seqno, source) as used for the decision.
      type: dict
    warnings:
      description: What a forced or ignored choice overrode.
      type: list
      elements: str
'''

from ansible.errors import AnsibleFilterError
from ansible.utils.display import Display

from ansible_collections.stackops.openstack.plugins.module_utils.galera_bootstrap import choose_bootstrap

display = Display()


def galera_bootstrap_choice(hosts, hostvars, status_var="galera_status", force_node=None):
    if isinstance(hosts, (str, bytes, dict)) or not hasattr(hosts, "__iter__"):
        raise AnsibleFilterError("galera_bootstrap_choice expects the list of cluster hosts, got %r" % (hosts,))
    if isinstance(hostvars, (str, bytes)) or not (hasattr(hostvars, "__contains__") and hasattr(hostvars, "__getitem__")):
        raise AnsibleFilterError("galera_bootstrap_choice: hostvars is %s, expected the hostvars magic variable"
                                 % type(hostvars).__name__)
    if not isinstance(status_var, str) or not status_var:
        raise AnsibleFilterError("galera_bootstrap_choice: status_var is %r, expected the name of a variable"
                                 % (status_var,))
    if force_node not in (None, "") and not isinstance(force_node, str):
        raise AnsibleFilterError("galera_bootstrap_choice: force_node is %r, expected a host name" % (force_node,))
    nodes = []
    for host in hosts:
        if not isinstance(host, str):
            raise AnsibleFilterError("galera_bootstrap_choice: host %r (%s) is not a host name"
                                     % (host, type(host).__name__))
        # HostVars answers an unknown host with an undefined value, not a KeyError
        if host not in hostvars:
            raise AnsibleFilterError("galera_bootstrap_choice: host %r is not in the inventory" % (host,))
        host_vars = hostvars[host]
        nodes.append((host, host_vars.get(status_var) if hasattr(host_vars, "get") else None))
    try:
        choice = choose_bootstrap(nodes, force_node=force_node or None)
    except ValueError as exc:
        raise AnsibleFilterError("galera_bootstrap_choice: %s" % exc)
    for warning in choice["warnings"]:
        display.warning(warning)
    return choice


class FilterModule(object):
    def filters(self):
        return {"galera_bootstrap_choice": galera_bootstrap_choice}
