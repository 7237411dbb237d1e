#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: galera_cluster_status
short_description: Report one Galera node's state, health and saved position
version_added: 1.0.0
description:
  - Reads the live C(wsrep_%) status of a MariaDB Galera or Percona XtraDB Cluster node and returns it
    typed (integers, booleans, lists), together with the raw status map.
  - Reads C(grastate.dat) and C(gvwstate.dat) from the data directory, also when the server is down
    or unreachable, so that the state of a stopped cluster can be judged. The files are read the way
    Galera reads them (a repeated line overrides an earlier one, a last line without a newline is
    ignored); what Galera would ignore is returned as a warning.
  - The data directory is checked first. It must be the one the server uses (the running server's
    C(datadir), or what its option files set when it is down), exist, and be a server's data directory
    (or empty); otherwise the module fails, because the state files of a wrong directory would make a
    node with data look like a node without. A state file that exists but is not a readable regular file
    (a dangling or looping symbolic link, a directory, a FIFO, binary or oversized content) is an error,
    never "absent".
  - With O(recover=true), runs the server's C(--wsrep-recover) to find the committed position of a
    stopped node whose C(grastate.dat) does not hold it (missing, empty, all-zero UUID or C(seqno -1)).
  - Gives a verdict, RV(healthy), and the list of RV(problems) in words.
  - Optionally waits until the node is Synced, Primary or part of a cluster of the expected size,
    which is what rolling operations gate on.
  - Never changes the server or the data directory; C(changed) is always V(false).
  - To choose which node to bootstrap after a full outage, feed every node's result to the
    P(stackops.openstack.galera_bootstrap_choice#filter) filter.
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - community.mysql.mysql
  - stackops.openstack.action_groups.galera
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads. In check mode O(recover=true) does not run C(--wsrep-recover), which starts
        the server on the data directory (InnoDB crash recovery writes to it); RV(recovery) then says the
        position needs a run without C(--check), and RV(position) stays V(unknown).
  diff_mode:
    support: none
    details:
      - Nothing is changed, so there is nothing to diff.
  platform:
    support: full
    platforms: posix
options:
  datadir:
    description:
      - Absolute path of the node's data directory, where C(grastate.dat) and C(gvwstate.dat) live.
      - When unset, the server's C(datadir) variable is used if the server answers, else the datadir its
        option files set (C(--verbose --help) of O(server_binary), which starts nothing), else
        V(/var/lib/mysql).
      - When set, it must name the same directory as the server's; the module fails otherwise.
    type: path
  expected_cluster_size:
    description:
      - Number of nodes the cluster should have. A different C(wsrep_cluster_size) is a problem.
      - Required when O(wait_for) contains V(size).
    type: int
  max_flow_control_paused:
    description:
      - Fraction of time (0 to 1) flow control may have paused replication since the status was last
        flushed before it counts as a problem.
    type: float
    default: 0.1
  wait_for:
    description:
      - Conditions to wait for before returning. All must hold at the same time.
      - V(synced) the node is Synced and ready for queries; V(primary) the node is in a Primary
        component; V(size) the cluster has O(expected_cluster_size) nodes.
      - A node that is down or unreachable is waited for too (it may be restarting).
      - The module fails with the last observed state when O(timeout) passes.
      - The module cannot print while it waits; run the task with C(async) and C(poll) to see
        it is still alive during long waits.
    type: list
    elements: str
    choices: [synced, primary, size]
    default: []
  timeout:
    description:
      - Seconds to wait for O(wait_for).
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two checks while waiting.
    type: int
    default: 2
  recover:
    description:
      - When the server is stopped and C(grastate.dat) does not hold the committed position (missing, empty,
        all-zero UUID, or C(seqno -1) after a crash), run the server binary with C(--wsrep-recover) to read
        the position from InnoDB, returned as RV(recovered). Not run in check mode.
      - Nothing is recovered while the server answers (its live position is known). The module refuses when
        a server process uses O(datadir) but does not answer.
    type: bool
    default: false
  server_binary:
    description:
      - The server program used for O(recover) and to read the configured datadir of a stopped server.
        Defaults to the first of C(mariadbd) and C(mysqld) found in C(/usr/sbin), C(/usr/libexec) or E(PATH).
    type: path
  server_defaults_file:
    description:
      - Absolute path of an option file passed as C(--defaults-file) to the server for O(recover) and for reading
        its datadir setting, when the node does not use the server's default option files.
    type: path
  server_user:
    description:
      - Operating-system account the server runs as, for O(recover).
    type: str
    default: mysql
notes:
  - Only the wsrep variables listed in RV(galera) are read, never C(wsrep_sst_auth).
  - The login user needs no privileges beyond connecting; C(SHOW STATUS) and C(SHOW VARIABLES)
    work on non-Primary nodes too.
seealso:
  - module: community.mysql.mysql_info
  - plugin: stackops.openstack.galera_bootstrap_choice
    plugin_type: filter
'''

EXAMPLES = r'''
- name: Report the state of this node (root through the unix socket)
  stackops.openstack.galera_cluster_status:
    login_unix_socket: /run/mysqld/mysqld.sock
    expected_cluster_size: "{{ groups['galera'] | length }}"
  register: galera_status

- name: Stop when the node is not healthy
  ansible.builtin.assert:
    that: galera_status.healthy
    fail_msg: "{{ inventory_hostname }}: {{ galera_status.problems | join('; ') }}"

- name: Wait until the node rejoined and the cluster is complete again
  stackops.openstack.galera_cluster_status:
    login_unix_socket: /run/mysqld/mysqld.sock
    wait_for: [synced, size]
    expected_cluster_size: 3
    timeout: 600

- name: After a full outage, read every node's position, recovering it from InnoDB where grastate.dat lacks it
  stackops.openstack.galera_cluster_status:
    login_unix_socket: /run/mysqld/mysqld.sock
    recover: true
  register: galera_status

- name: Decide which node to bootstrap
  ansible.builtin.debug:
    msg: "{{ groups['galera'] | stackops.openstack.galera_bootstrap_choice(hostvars, 'galera_status') }}"
  run_once: true
'''

RETURN = r'''
reachable:
  description: Whether the server answered.
  returned: always
  type: bool
  sample: true
connection_error:
  description: Why the server could not be reached, when it could not.
  returned: always
  type: str
  sample: "cannot connect to 10.0.0.11:3306: Can't connect to MySQL server on '10.0.0.11' ([Errno 111] Connection refused)"
server_version:
  description: The server's version and version comment, when it answered.
  returned: always
  type: str
  sample: 10.11.11-MariaDB-0+deb12u1 Debian 12
galera:
  description: Typed live status. Empty when the server did not answer.
  returned: always
  type: dict
  contains:
    cluster_size:
      description: Number of nodes in the component (C(wsrep_cluster_size)).
      type: int
      sample: 3
    cluster_status:
      description: V(Primary), V(non-Primary) or V(Disconnected) (C(wsrep_cluster_status)).
      type: str
      sample: Primary
    cluster_state_uuid:
      description: UUID of the cluster's history (C(wsrep_cluster_state_uuid)).
      type: str
      sample: 6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11
    cluster_conf_id:
      description: Number of membership changes seen (C(wsrep_cluster_conf_id)).
      type: int
      sample: 3
    cluster_name:
      description: C(wsrep_cluster_name).
      type: str
      sample: openstack_db
    local_state:
      description: Numeric local state (4 is Synced).
      type: int
      sample: 4
    local_state_comment:
      description: V(Joining), V(Donor/Desynced), V(Joined), V(Synced) or V(Initialized).
      type: str
      sample: Synced
    local_state_uuid:
      description: UUID of the history this node holds.
      type: str
      sample: 6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11
    local_index:
      description: This node's index in the component.
      type: int
      sample: 0
    ready:
      description: Whether the node accepts queries (C(wsrep_ready)).
      type: bool
      sample: true
    connected:
      description: Whether the provider is connected to the group (C(wsrep_connected)).
      type: bool
      sample: true
    last_committed:
      description: Sequence number of the last committed transaction.
      type: int
      sample: 1843
    flow_control_paused:
      description: Fraction of time replication was paused by flow control since the last C(FLUSH STATUS).
      type: float
      sample: 0.0
    local_recv_queue_avg:
      description: Average length of the receive queue.
      type: float
      sample: 0.0
    local_send_queue_avg:
      description: Average length of the send queue.
      type: float
      sample: 0.0
    incoming_addresses:
      description: Client addresses of the component's members.
      type: list
      elements: str
      sample: ["10.0.0.11:3306", "10.0.0.12:3306", "10.0.0.13:3306"]
    provider_name:
      description: Galera provider name.
      type: str
      sample: Galera
    provider_version:
      description: Galera provider version.
      type: str
      sample: 26.4.20(r7c0b1bd)
    gcomm_uuid:
      description: This node's group communication UUID.
      type: str
      sample: 7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a
    node_name:
      description: C(wsrep_node_name).
      type: str
      sample: db1
    node_address:
      description: C(wsrep_node_address).
      type: str
      sample: 10.0.0.11
wsrep_status:
  description: Every C(wsrep_%) status variable as the server reported it (strings), for anything not typed.
  returned: always
  type: dict
  sample: {"wsrep_cluster_size": "3", "wsrep_local_state_comment": "Synced"}
datadir:
  description: The data directory that was read, and what it holds.
  returned: always
  type: dict
  contains:
    path:
      description: The directory.
      type: str
      sample: /var/lib/mysql
    kind:
      description: V(server) (a server initialised it) or V(empty) (nothing in it yet).
      type: str
      sample: server
grastate:
  description: Contents of C(grastate.dat), read as Galera reads it.
  returned: always
  type: dict
  contains:
    path:
      description: Where the file was looked for.
      type: str
      sample: /var/lib/mysql/grastate.dat
    exists:
      description: Whether the file exists.
      type: bool
      sample: true
    status:
      description: V(absent), V(empty) (Galera empties it during a state transfer) or V(present).
      type: str
      sample: present
    warnings:
      description: Lines Galera ignores or overrides (a repeated key, an unknown line, a last line without a newline).
      type: list
      elements: str
      sample: ["/var/lib/mysql/grastate.dat sets seqno on line 3 and again on line 5; Galera uses the last one"]
    version:
      description: File format version.
      type: str
      sample: "2.1"
    uuid:
      description: Cluster state UUID saved by the node.
      type: str
      sample: 6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11
    seqno:
      description: Saved position; V(-1) while the server runs or after a crash (and when the line is missing).
      type: int
      sample: 1843
    safe_to_bootstrap:
      description: Whether this node was the last to leave the Primary component (V(true) when the line is
        missing, as Galera assumes).
      type: bool
      sample: false
gvwstate:
  description: Contents of C(gvwstate.dat), the last Primary view (present while running and after a crash).
  returned: always
  type: dict
  sample: {"path": "/var/lib/mysql/gvwstate.dat", "exists": true, "status": "present", "warnings": [], "my_uuid": "7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a",
           "view_id": {"type": 3, "uuid": "7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a", "seqno": 3},
           "bootstrap": false, "members": ["7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a"]}
recovered:
  description: Position printed by C(--wsrep-recover), when O(recover=true) ran it; V(null) otherwise.
    The all-zero UUID with seqno V(-1) means InnoDB holds no Galera position.
  returned: always
  type: dict
  sample: {"uuid": "6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11", "seqno": 1843}
recovery:
  description: Whether the position could only come from C(--wsrep-recover), whether that ran, and if not, why.
  returned: always
  type: dict
  sample: {"needed": true, "ran": false, "skipped_reason": "check mode does not run --wsrep-recover; ..."}
state_transfer:
  description: What an empty C(grastate.dat) means; V(in progress) (the server runs and is not Synced),
    V(interrupted) (the server is down), V(finished), or V(null) when the file is not empty.
  returned: always
  type: str
  sample: interrupted
state_conflict:
  description: Set when C(grastate.dat) names a cluster state that the position recovered from InnoDB contradicts;
    the bootstrap choice refuses such a node.
  returned: always
  type: str
  sample: "grastate.dat names cluster state 6c1a5a5e-... but InnoDB's recovered position is in 9e4d3b2a-..."
position:
  description:
    - The node's last committed position and its source; V(live) (the running server),
      V(grastate) (clean stop), V(recovered) (O(recover)), V(none) (positively no Galera data; an empty
      datadir, or recovery found no position and no C(grastate.dat) names a cluster) or V(unknown).
  returned: always
  type: dict
  sample: {"uuid": "6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11", "seqno": 1843, "source": "grastate"}
healthy:
  description: True when the node answers, is Primary, Synced, ready, of the expected size and not throttled.
  returned: always
  type: bool
  sample: false
problems:
  description: What is wrong, one sentence each; empty when healthy.
  returned: always
  type: list
  elements: str
  sample: ["node is non-Primary (component of 1): it is cut off from the Primary component, or no Primary component
           remains (quorum lost)", "cluster size 1, expected 3"]
waited:
  description: Seconds spent waiting for O(wait_for).
  returned: always
  type: float
  sample: 12.4
'''

import os
import time

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.community.mysql.plugins.module_utils.mysql import mysql_common_argument_spec
from ansible_collections.stackops.openstack.plugins.module_utils import galera
from ansible_collections.stackops.openstack.plugins.module_utils import mysql_connection as conn
from ansible_collections.stackops.openstack.plugins.module_utils.galera_server import (
    StateFileError,
    find_server_binary,
    find_server_processes,
    inspect_datadir,
    parse_help_datadir,
    private_log_file,
    read_log_tail,
    read_state_file,
    same_directory,
)

DEFAULT_DATADIR = "/var/lib/mysql"
CHECK_MODE_NO_RECOVERY = ("check mode does not run --wsrep-recover: it starts the server on the datadir, and "
                          "InnoDB crash recovery writes to it; a run without --check recovers the position")


def read_live(module):
    """Ask the server; return (reachable, error, variables, raw_status)."""
    try:
        connection = conn.connect(module)
    except conn.ServerUnreachable as exc:
        return False, str(exc), {}, {}
    try:
        wanted = galera.WSREP_VARIABLES + ("datadir",)
        placeholders = ", ".join(["%s"] * len(wanted))
        variables = conn.query_map(connection, "SHOW GLOBAL VARIABLES WHERE Variable_name IN (%s)" % placeholders,
                                   wanted)
        raw = conn.query_map(connection, "SHOW GLOBAL STATUS LIKE 'wsrep\\_%'")
    finally:
        connection.close()
    return True, None, variables, raw


def _server_command(params, binary):
    # --defaults-file must come right after the program name, or the server ignores it
    command = [binary]
    if params["server_defaults_file"]:
        command.append("--defaults-file=%s" % params["server_defaults_file"])
    return command


def configured_datadir(module, binary):
    """The datadir the server's option files give it (read-only: --verbose --help starts nothing)."""
    command = _server_command(module.params, binary) + ["--verbose", "--help"]
    rc, out, err = module.run_command(command)
    datadir = parse_help_datadir(out)
    if rc != 0 or not datadir:
        tail = "\n".join((out + err).strip().splitlines()[-5:])
        module.fail_json(msg="cannot read the server's datadir setting with %s --verbose --help (rc=%d): %s"
                             % (binary, rc, tail), cmd=command)
    return datadir


def resolve_datadir(module, reachable, variables):
    """The datadir to read, checked against the one the server uses or would use."""
    params = module.params
    wanted = params["datadir"]
    if reachable and variables.get("datadir"):
        actual, whose = variables["datadir"], "the running server uses"
    else:
        binary = params["server_binary"] or find_server_binary()
        if not binary:
            return wanted or DEFAULT_DATADIR
        actual, whose = configured_datadir(module, binary), "the server's option files set"
    if wanted and not same_directory(wanted, actual):
        module.fail_json(msg="datadir is %s, but %s datadir %s: the state files of another directory say nothing "
                             "about this node; fix galera datadir settings or the option files" % (wanted, whose, actual))
    return wanted or actual.rstrip("/") or "/"


def read_state(module, path, parser):
    try:
        status, text = read_state_file(path)
    except StateFileError as exc:
        module.fail_json(msg=str(exc))
    result = {"path": path, "exists": status != "absent", "status": status, "warnings": []}
    if status == "present":
        try:
            result.update(parser(text, path))
        except galera.GaleraStateError as exc:
            module.fail_json(msg="malformed state file: %s" % exc)
    for warning in result["warnings"]:
        module.warn(warning)
    return result


def recover_position(module, datadir):
    params = module.params
    running = find_server_processes(datadir)
    if running:
        module.fail_json(msg="recover=true needs the server stopped, but %s (pid %d) is running on %s"
                             % (running[0]["name"], running[0]["pid"], datadir))
    binary = params["server_binary"] or find_server_binary()
    if not binary:
        module.fail_json(msg="recover=true needs the server binary: neither mariadbd nor mysqld was found; "
                             "set server_binary")
    # The report goes to the error log. --disable-log-error (stderr) is MariaDB's alone, so a
    # log file of our own serves MariaDB and MySQL/Percona alike; the server writes it as
    # server_user.
    log_path = private_log_file(params["server_user"])
    command = _server_command(params, binary) + [
        "--datadir=%s" % datadir, "--user=%s" % params["server_user"], "--wsrep-recover",
        "--log-error=%s" % log_path]
    try:
        rc, out, err = module.run_command(command)
        report = read_log_tail(log_path)
    finally:
        os.unlink(log_path)
    output = "\n".join((out, err, report))
    recovered = galera.parse_recovered_position(output)
    if recovered is None:
        tail = "\n".join(output.strip().splitlines()[-8:])
        module.fail_json(msg="%s --wsrep-recover printed no recovered position (rc=%d); last lines:\n%s"
                             % (binary, rc, tail), cmd=command)
    return recovered


def state_transfer(grastate, reachable, live):
    """What an empty grastate.dat means: Galera empties it while a state transfer runs."""
    if grastate["status"] != "empty":
        return None
    if reachable and live.get("local_state_comment") != "Synced":
        return "in progress"
    return "finished" if reachable else "interrupted"


def state_problems(transfer, live, conflict, recovery):
    problems = []
    if transfer == "in progress":
        problems.append("grastate.dat is empty: a state transfer to this node is in progress (node is %s)"
                        % (live.get("local_state_comment") or "not Synced"))
    elif transfer == "interrupted":
        problems.append("grastate.dat is empty: a state transfer to this node was interrupted, so its data may be "
                        "incomplete; it should join by a new state transfer, not be bootstrapped")
    if conflict:
        problems.append(conflict)
    if recovery["needed"] and not recovery["ran"]:
        problems.append("the committed position is unknown: %s" % recovery["skipped_reason"])
    return problems


def main():
    argument_spec = mysql_common_argument_spec()
    argument_spec.update(
        datadir=dict(type="path"),
        expected_cluster_size=dict(type="int"),
        max_flow_control_paused=dict(type="float", default=0.1),
        wait_for=dict(type="list", elements="str", choices=list(galera.WAIT_CONDITIONS), default=[]),
        timeout=dict(type="int", default=300),
        poll_interval=dict(type="int", default=2),
        recover=dict(type="bool", default=False),
        server_binary=dict(type="path"),
        server_defaults_file=dict(type="path"),
        server_user=dict(type="str", default="mysql"),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    if conn.mysql_driver is None:
        module.fail_json(msg=missing_required_lib("PyMySQL"))
    if params["expected_cluster_size"] is not None and params["expected_cluster_size"] < 1:
        module.fail_json(msg="expected_cluster_size is %d, expected a number of nodes >= 1"
                             % params["expected_cluster_size"])
    if "size" in params["wait_for"] and params["expected_cluster_size"] is None:
        module.fail_json(msg="wait_for contains size, so expected_cluster_size is required")
    if not 0 <= params["max_flow_control_paused"] <= 1:
        module.fail_json(msg="max_flow_control_paused is %s, expected a fraction between 0 and 1"
                             % params["max_flow_control_paused"])
    for name in ("datadir", "server_defaults_file", "server_binary"):
        if params[name] and not os.path.isabs(params[name]):
            module.fail_json(msg="%s is %r, expected an absolute path" % (name, params[name]))
    for name in ("timeout", "poll_interval", "connect_timeout"):
        if params[name] < (0 if name == "timeout" else 1):
            module.fail_json(msg="%s is %d, expected a positive number of seconds" % (name, params[name]))

    started = time.monotonic()
    while True:
        try:
            reachable, error, variables, raw = read_live(module)
        except conn.ConnectionRefused as exc:
            module.fail_json(msg=str(exc))
        except conn.mysql_driver.Error as exc:
            module.fail_json(msg="reading the wsrep status from %s failed: %s" % (conn.describe_target(params), exc))
        if reachable and not galera.is_galera(variables):
            reason = galera.not_galera_reason(variables)
            module.fail_json(msg="%s is not a Galera node (%s)" % (conn.describe_target(params), reason),
                             reachable=True, server_version=_version(variables))
        try:
            live = galera.parse_wsrep_status(raw, variables) if reachable else {}
        except galera.GaleraStateError as exc:
            module.fail_json(msg="the server reported an unexpected wsrep status: %s" % exc)
        unmet = galera.unmet_conditions(params["wait_for"], reachable, live, params["expected_cluster_size"])
        waited = time.monotonic() - started
        if not unmet:
            break
        if waited >= params["timeout"]:
            module.fail_json(msg="timed out after %d s waiting for %s; last observed: %s"
                                 % (params["timeout"], ", ".join(params["wait_for"]), "; ".join(unmet)),
                             reachable=reachable, connection_error=error, galera=live, wsrep_status=raw,
                             waited=round(waited, 1))
        time.sleep(min(params["poll_interval"], max(0.1, params["timeout"] - waited)))

    datadir = resolve_datadir(module, reachable, variables)
    try:
        datadir_kind = inspect_datadir(datadir)
    except StateFileError as exc:
        module.fail_json(msg=str(exc))
    grastate = read_state(module, os.path.join(datadir, "grastate.dat"), galera.parse_grastate)
    gvwstate = read_state(module, os.path.join(datadir, "gvwstate.dat"), galera.parse_gvwstate)

    recovered = None
    recovery = {"needed": False, "ran": False, "skipped_reason": None}
    if not reachable and datadir_kind == "server" and galera.recovery_needed(grastate["status"], grastate):
        recovery["needed"] = True
        if not params["recover"]:
            recovery["skipped_reason"] = ("grastate.dat does not hold it (%s) and recover=false"
                                          % _grastate_summary(grastate))
        elif module.check_mode:
            recovery["skipped_reason"] = CHECK_MODE_NO_RECOVERY
        else:
            recovered = recover_position(module, datadir)
            recovery["ran"] = True

    transfer = state_transfer(grastate, reachable, live)
    conflict = galera.state_conflict(grastate, recovered)
    position = galera.effective_position(live, grastate if grastate["status"] == "present" else {}, recovered,
                                         datadir_kind)
    problems = galera.assess(reachable, live, params["expected_cluster_size"],
                             params["max_flow_control_paused"], error)
    problems += state_problems(transfer, live, conflict, recovery)
    module.exit_json(
        changed=False,
        reachable=reachable,
        connection_error=error,
        server_version=_version(variables),
        galera=live,
        wsrep_status=raw,
        datadir={"path": datadir, "kind": datadir_kind},
        grastate=grastate,
        gvwstate=gvwstate,
        recovered=recovered,
        recovery=recovery,
        state_transfer=transfer,
        state_conflict=conflict,
        position=position,
        healthy=not problems,
        problems=problems,
        waited=round(waited, 1),
    )


def _grastate_summary(grastate):
    if grastate["status"] != "present":
        return "it is %s" % grastate["status"]
    if not galera.has_state(grastate):
        return "it has the all-zero UUID"
    return "seqno %d" % grastate["seqno"]


def _version(variables):
    return " ".join(v for v in (variables.get("version"), variables.get("version_comment")) if v) or None


if __name__ == "__main__":
    main()
