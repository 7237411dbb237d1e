# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/galera_cluster_status.py: main() with the server simulated."""

from __future__ import annotations

import json
import os

import pymysql
import pytest
from ansible.module_utils import basic
from ansible_collections.stackops.openstack.plugins.module_utils import (
    mysql_connection as conn,
)
from ansible_collections.stackops.openstack.plugins.modules import (
    galera_cluster_status as gcs,
)
from ansible_collections.stackops.openstack.tests.unit.module_harness import exit_result, fail_result, patch_exits

PASSWORD = "Zq8-s3cr3t-pw"
UUID = "6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11"
GCOMM_UUID = "7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a"
PEER_UUID = "8a1b2c3d-7d0c-11ef-9b44-4c7b5e1f2d3b"

VARIABLES = {
    "wsrep_on": "ON",
    "wsrep_provider": "/usr/lib/galera/libgalera_smm.so",
    "wsrep_cluster_name": "openstack_db",
    "wsrep_cluster_address": "gcomm://10.0.0.11,10.0.0.12,10.0.0.13",
    "wsrep_node_name": "db1",
    "wsrep_node_address": "10.0.0.11",
    "wsrep_sst_method": "mariabackup",
    "version": "10.11.11-MariaDB-0+deb12u1",
    "version_comment": "Debian 12",
}


def status(**changes):
    """`SHOW GLOBAL STATUS LIKE 'wsrep\\_%'` of a node, Synced in a 3-node Primary component by default."""
    raw = {
        "wsrep_cluster_size": "3",
        "wsrep_cluster_conf_id": "3",
        "wsrep_cluster_status": "Primary",
        "wsrep_cluster_state_uuid": UUID,
        "wsrep_local_state_uuid": UUID,
        "wsrep_local_state": "4",
        "wsrep_local_state_comment": "Synced",
        "wsrep_last_committed": "1843",
        "wsrep_local_index": "0",
        "wsrep_ready": "ON",
        "wsrep_connected": "ON",
        "wsrep_flow_control_paused": "0",
        "wsrep_local_recv_queue_avg": "0",
        "wsrep_local_send_queue_avg": "0",
        "wsrep_incoming_addresses": "10.0.0.11:3306,10.0.0.12:3306,10.0.0.13:3306",
        "wsrep_provider_name": "Galera",
        "wsrep_provider_version": "26.4.20(r7c0b1bd)",
        "wsrep_gcomm_uuid": GCOMM_UUID,
    }
    raw.update(changes)
    return raw


NON_PRIMARY = {"wsrep_cluster_size": "1", "wsrep_cluster_status": "non-Primary", "wsrep_local_state": "0",
               "wsrep_local_state_comment": "Initialized", "wsrep_ready": "OFF",
               "wsrep_local_index": "18446744073709551615", "wsrep_incoming_addresses": "10.0.0.11:3306"}
DONOR = {"wsrep_cluster_size": "2", "wsrep_local_state": "2", "wsrep_local_state_comment": "Donor/Desynced"}
JOINED = {"wsrep_local_state": "3", "wsrep_local_state_comment": "Joined"}

GRASTATE_RUNNING = "# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   -1\nsafe_to_bootstrap: 0\n" % UUID
GRASTATE_CLEAN = "# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   25\nsafe_to_bootstrap: 1\n" % UUID
GVWSTATE = (f"my_uuid: {GCOMM_UUID}\n#vwbeg\nview_id: 3 {GCOMM_UUID} 3\nbootstrap: 0\n"
            f"member: {GCOMM_UUID} 0\nmember: {PEER_UUID} 0\n#vwend\n")

RECOVER_STDERR = """\
2026-11-23  0:12:00 0 [Note] Starting MariaDB 10.11.11-MariaDB-0+deb12u1 source revision as process 4242
2026-11-23  0:12:01 0 [Note] InnoDB: Starting crash recovery from checkpoint LSN=46846
2026-11-23  0:12:01 0 [Note] InnoDB: 10.11.11 started; log sequence number 47012; transaction id 31
2026-11-23  0:12:01 0 [Note] WSREP: Recovered position: 6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11:25
"""


# --------------------------------------------------------------------------- harness

@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    # the results as the module made them, unmasked: a password it let through must show
    patch_exits(monkeypatch, as_returned=False, collect_warnings=True)


@pytest.fixture(autouse=True)
def no_server_binary(monkeypatch):
    """This host has mariadbd; tests that want one name it (server_binary) or install it."""
    monkeypatch.setattr(gcs, "find_server_binary", lambda: None)


class FakeClock:
    """Replaces the module's `time`: sleeping advances the monotonic clock instantly."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = []

    def monotonic(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(gcs, "time", fake)
    return fake


class FakeReadLive:
    """Replaces read_live: answers each call with the next outcome (the last one repeats)."""

    def __init__(self, *outcomes):
        self.outcomes = list(outcomes)
        self.calls = []

    def __call__(self, module):
        self.calls.append(dict(module.params))
        outcome = self.outcomes[min(len(self.calls), len(self.outcomes)) - 1]
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


@pytest.fixture
def read_live(monkeypatch):
    def install(*outcomes):
        fake = FakeReadLive(*outcomes)
        monkeypatch.setattr(gcs, "read_live", fake)
        return fake
    return install


def up(raw=None, variables=None, **changes):
    return True, None, dict(VARIABLES, **(variables or {})), raw if raw is not None else status(**changes)


def down(error="cannot connect to db1:3306: Can't connect to MySQL server on 'db1' ([Errno 111] Connection refused)"):
    return False, error, {}, {}


@pytest.fixture
def datadir(tmp_path):
    """An initialised server datadir (InnoDB's system tablespace is there)."""
    path = tmp_path / "mysql"
    path.mkdir()
    (path / "ibdata1").write_text("")
    return path


def absent(path):
    return {"path": str(path), "exists": False, "status": "absent", "warnings": []}


def write_state(datadir, grastate=None, gvwstate=None):
    if grastate is not None:
        (datadir / "grastate.dat").write_text(grastate)
    if gvwstate is not None:
        (datadir / "gvwstate.dat").write_text(gvwstate)


def module_args(**args):
    values = {"login_user": "root", "login_password": PASSWORD, "login_host": "db1",
              "config_file": "/nonexistent/.my.cnf"}
    values.update(args)
    return values


def assert_no_password(result):
    assert PASSWORD not in json.dumps(result, default=str)


def run_exit(**args):
    result = exit_result(gcs.main, module_args(**args))
    assert_no_password(result)
    assert result["changed"] is False
    return result


def run_fail(**args):
    result = fail_result(gcs.main, module_args(**args))
    assert_no_password(result)
    assert result["failed"] is True
    return result


# --------------------------------------------------------------------------- healthy node

def test_healthy_synced_node(read_live, datadir):
    write_state(datadir, GRASTATE_RUNNING, GVWSTATE)
    fake = read_live(up(variables={"datadir": str(datadir) + "/"}))
    result = run_exit(expected_cluster_size=3)

    assert result["reachable"] is True
    assert result["connection_error"] is None
    assert result["healthy"] is True
    assert result["problems"] == []
    assert result["server_version"] == "10.11.11-MariaDB-0+deb12u1 Debian 12"
    galera = result["galera"]
    assert galera["cluster_size"] == 3 and isinstance(galera["cluster_size"], int) and not isinstance(galera["cluster_size"], bool)
    assert galera["last_committed"] == 1843 and isinstance(galera["last_committed"], int) and not isinstance(galera["last_committed"], bool)
    assert galera["local_state"] == 4
    assert galera["ready"] is True and galera["connected"] is True
    assert galera["flow_control_paused"] == 0.0 and isinstance(galera["flow_control_paused"], float)
    assert galera["cluster_status"] == "Primary"
    assert galera["incoming_addresses"] == ["10.0.0.11:3306", "10.0.0.12:3306", "10.0.0.13:3306"]
    assert galera["node_name"] == "db1"
    assert galera["cluster_name"] == "openstack_db"
    assert result["wsrep_status"] == status()
    # The datadir came from the server's datadir variable.
    assert result["grastate"] == {"path": str(datadir / "grastate.dat"), "exists": True, "status": "present",
                                  "version": "2.1", "uuid": UUID, "seqno": -1, "safe_to_bootstrap": False,
                                  "warnings": []}
    assert result["datadir"] == {"path": str(datadir), "kind": "server"}
    assert result["recovery"] == {"needed": False, "ran": False, "skipped_reason": None}
    assert result["state_transfer"] is None and result["state_conflict"] is None
    assert result["gvwstate"]["exists"] is True
    assert result["gvwstate"]["members"] == [GCOMM_UUID, PEER_UUID]
    assert result["recovered"] is None
    assert result["position"] == {"uuid": UUID, "seqno": 1843, "source": "live"}
    assert result["waited"] == 0.0
    assert len(fake.calls) == 1
    assert fake.calls[0]["login_password"] == PASSWORD


def test_datadir_that_differs_from_the_running_server_fails(read_live, datadir, tmp_path):
    # a typo or a later .cnf with another datadir: reading these files would make a node
    # with data look like a node without
    write_state(datadir, GRASTATE_CLEAN)
    read_live(up(variables={"datadir": str(tmp_path / "elsewhere") + "/"}))
    result = run_fail(datadir=str(datadir))
    assert result["msg"] == ("datadir is %s, but the running server uses datadir %s/: the state files of another "
                             "directory say nothing about this node; fix galera datadir settings or the option files"
                             % (datadir, tmp_path / "elsewhere"))


def test_datadir_with_a_trailing_slash_matches_the_server(read_live, datadir):
    write_state(datadir, GRASTATE_RUNNING)
    read_live(up(variables={"datadir": str(datadir) + "/"}))
    assert run_exit(datadir=str(datadir) + "/")["healthy"] is True


def test_default_datadir_when_the_server_does_not_answer_and_no_binary_is_found(read_live, datadir, monkeypatch):
    monkeypatch.setattr(gcs, "DEFAULT_DATADIR", str(datadir))
    read_live(down())
    result = run_exit()
    assert result["datadir"] == {"path": str(datadir), "kind": "server"}
    assert result["grastate"] == absent(datadir / "grastate.dat")
    assert result["gvwstate"] == absent(datadir / "gvwstate.dat")


def test_stopped_server_datadir_comes_from_its_option_files(read_live, datadir, run_command):
    write_state(datadir, GRASTATE_CLEAN)
    calls = run_command(help_datadir=str(datadir) + "/")
    read_live(down())
    result = run_exit(server_binary="/usr/sbin/mariadbd", server_defaults_file="/etc/mysql/my.cnf")
    assert result["datadir"]["path"] == str(datadir)
    assert result["position"] == {"uuid": UUID, "seqno": 25, "source": "grastate"}
    # --defaults-file first, and --verbose --help only reads the options: nothing starts
    assert calls == [["/usr/sbin/mariadbd", "--defaults-file=/etc/mysql/my.cnf", "--verbose", "--help"]]


def test_stopped_server_whose_option_files_set_another_datadir_fails(read_live, datadir, run_command):
    run_command(help_datadir="/data/mysql/")
    read_live(down())
    result = run_fail(datadir=str(datadir), server_binary="/usr/sbin/mariadbd")
    assert result["msg"].startswith("datadir is %s, but the server's option files set datadir /data/mysql/:" % datadir)


def test_unreadable_datadir_setting_fails(read_live, datadir, run_command):
    run_command(rc=1, out="", err="/usr/sbin/mariadbd: unknown variable 'wsrep_foo=1'", help_datadir=None)
    read_live(down())
    result = run_fail(datadir=str(datadir), server_binary="/usr/sbin/mariadbd")
    assert result["msg"].startswith("cannot read the server's datadir setting with /usr/sbin/mariadbd --verbose "
                                    "--help (rc=1): /usr/sbin/mariadbd: unknown variable")


@pytest.mark.parametrize("make, fragment", [
    pytest.param(lambda d: None, "does not exist; check galera datadir settings", id="missing"),
    pytest.param(lambda d: d.write_text(""), "expected a directory", id="file"),
    pytest.param(lambda d: d.mkdir() or (d / "notes.txt").write_text(""), "is not a database server's datadir",
                 id="foreign"),
])
def test_unusable_datadir_fails(read_live, tmp_path, make, fragment):
    path = tmp_path / "mysq"
    make(path)
    read_live(down())
    result = run_fail(datadir=str(path))
    assert fragment in result["msg"]
    assert str(path) in result["msg"]


def test_empty_datadir_is_a_node_without_galera_data(read_live, tmp_path, run_command):
    path = tmp_path / "fresh"
    path.mkdir()
    calls = run_command()
    read_live(down())
    result = run_exit(datadir=str(path), recover=True, server_binary="/usr/sbin/mariadbd")
    assert result["datadir"] == {"path": str(path), "kind": "empty"}
    assert result["position"] == {"uuid": None, "seqno": -1, "source": "none"}
    assert result["recovery"]["needed"] is False
    assert not any("--wsrep-recover" in call for call in calls)


def test_check_mode_reports_the_same(read_live, datadir):
    read_live(up())
    result = run_exit(datadir=str(datadir), _ansible_check_mode=True)
    assert result["healthy"] is True


# --------------------------------------------------------------------------- state files that cannot be used

def test_dangling_grastate_link_is_an_error_not_absent(read_live, datadir):
    (datadir / "grastate.dat").symlink_to("/nonexistent/grastate.dat")
    read_live(down())
    result = run_fail(datadir=str(datadir))
    assert result["msg"] == ("%s is a symbolic link to /nonexistent/grastate.dat, which does not exist"
                             % (datadir / "grastate.dat"))


def test_grastate_link_loop_is_an_error(read_live, datadir):
    (datadir / "grastate.dat").symlink_to("grastate.dat")
    read_live(down())
    assert "is a symbolic link that loops" in run_fail(datadir=str(datadir))["msg"]


def test_binary_grastate_is_an_error(read_live, datadir):
    (datadir / "grastate.dat").write_bytes(b"\x00\xff\xfe garbage")
    read_live(down())
    assert run_fail(datadir=str(datadir))["msg"].endswith("is not text (byte 1 is not UTF-8): the file is damaged")


def test_duplicate_keys_are_read_as_galera_reads_them_and_warned_about(read_live, datadir):
    write_state(datadir, GRASTATE_CLEAN + "safe_to_bootstrap: 0\n")
    read_live(down())
    result = run_exit(datadir=str(datadir))
    assert result["grastate"]["safe_to_bootstrap"] is False
    warning = ("%s sets safe_to_bootstrap on line 5 and again on line 6; Galera uses the last one"
               % (datadir / "grastate.dat"))
    assert result["grastate"]["warnings"] == [warning]
    assert result["warnings"] == [warning]


# --------------------------------------------------------------------------- empty grastate.dat: state transfer

def test_empty_grastate_on_a_stopped_node_is_an_interrupted_state_transfer(read_live, datadir, run_command,
                                                                           no_server):
    write_state(datadir, "")
    calls = run_command()
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert result["grastate"] == {"path": str(datadir / "grastate.dat"), "exists": True, "status": "empty",
                                  "warnings": []}
    assert result["state_transfer"] == "interrupted"
    assert result["recovered"] == {"uuid": UUID, "seqno": 25}
    assert "a state transfer to this node was interrupted" in " ".join(result["problems"])
    assert any("--wsrep-recover" in call for call in calls)


def test_empty_grastate_on_a_joining_node_is_a_state_transfer_in_progress(read_live, datadir):
    write_state(datadir, "")
    read_live(up(wsrep_local_state="1", wsrep_local_state_comment="Joining: receiving State Transfer",
                 wsrep_last_committed="-1"))
    result = run_exit(datadir=str(datadir))
    assert result["state_transfer"] == "in progress"
    assert ("grastate.dat is empty: a state transfer to this node is in progress (node is Joining: receiving State "
            "Transfer)") in result["problems"]


# --------------------------------------------------------------------------- the real read_live over a fake PyMySQL

class FakeCursor:
    def __init__(self, connection):
        self.connection = connection

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def close(self):
        pass

    def execute(self, sql, args=None):
        if self.connection.query_error is not None:
            raise self.connection.query_error
        self.connection.queries.append((sql, args))
        # PyMySQL interpolates the escaped arguments with %: placeholders and arguments must match.
        self.connection.rendered.append(sql % tuple("'%s'" % arg for arg in args) if args is not None else sql)
        if sql.startswith("SHOW GLOBAL VARIABLES"):
            self.rows = [(name.upper() if name.startswith("wsrep") else name, value)
                         for name, value in self.connection.variables.items() if name in args]
        else:
            self.rows = list(self.connection.status.items())

    def fetchall(self):
        return self.rows


class FakeConnection:
    def __init__(self, variables, status):
        self.variables = variables
        self.status = status
        self.queries = []
        self.rendered = []
        self.closed = False
        self.query_error = None

    def cursor(self):
        return FakeCursor(self)

    def close(self):
        self.closed = True


def test_read_live_through_pymysql(monkeypatch, datadir):
    write_state(datadir, GRASTATE_RUNNING)
    variables = dict(VARIABLES, datadir=str(datadir), wsrep_sst_auth="sst:%s" % PASSWORD)
    connection = FakeConnection(variables, status())
    calls = []
    monkeypatch.setattr(conn.mysql_driver, "connect", lambda **kwargs: calls.append(kwargs) or connection)

    result = run_exit()

    assert calls[0]["password"] == PASSWORD
    assert calls[0]["host"] == "db1"
    assert connection.closed is True
    variables_sql, variables_args = connection.queries[0]
    assert variables_sql.startswith("SHOW GLOBAL VARIABLES WHERE Variable_name IN (")
    assert "wsrep_sst_auth" not in variables_args
    assert "datadir" in variables_args
    assert connection.rendered[0] == "SHOW GLOBAL VARIABLES WHERE Variable_name IN (%s)" % ", ".join(
        "'%s'" % name for name in variables_args)
    assert connection.queries[1] == ("SHOW GLOBAL STATUS LIKE 'wsrep\\_%'", None)
    assert result["healthy"] is True
    assert result["galera"]["node_name"] == "db1"
    assert result["grastate"]["path"] == str(datadir / "grastate.dat")
    assert result["position"]["source"] == "live"


def test_read_live_closes_the_connection_when_a_query_fails(monkeypatch):
    connection = FakeConnection(VARIABLES, status())
    connection.query_error = pymysql.err.OperationalError(1205, "Lock wait timeout exceeded")
    monkeypatch.setattr(conn.mysql_driver, "connect", lambda **kwargs: connection)
    result = run_fail()
    assert result["msg"] == ("reading the wsrep status from db1:3306 failed: "
                             "(1205, 'Lock wait timeout exceeded')")
    assert connection.closed is True


def test_unreachable_through_pymysql(monkeypatch, datadir):
    write_state(datadir, GRASTATE_CLEAN)
    message = "Can't connect to MySQL server on 'db1' ([Errno 111] Connection refused)"

    def refuse(**kwargs):
        raise pymysql.err.OperationalError(2003, message)

    monkeypatch.setattr(conn.mysql_driver, "connect", refuse)
    result = run_exit(datadir=str(datadir))
    assert result["reachable"] is False
    assert result["connection_error"] == "cannot connect to db1:3306: %s" % message
    assert result["problems"] == ["server is not reachable: cannot connect to db1:3306: %s" % message]


def test_missing_socket_is_unreachable(datadir):
    socket = str(datadir / "mysqld.sock")
    result = run_exit(login_unix_socket=socket, datadir=str(datadir))
    assert result["reachable"] is False
    assert result["connection_error"] == "socket %s does not exist (is the server running?)" % socket


def test_access_denied_through_pymysql(monkeypatch):
    def deny(**kwargs):
        raise pymysql.err.OperationalError(1045, "Access denied for user 'root'@'10.0.0.1' (using password: YES)")

    monkeypatch.setattr(conn.mysql_driver, "connect", deny)
    result = run_fail()
    assert result["msg"] == ("db1:3306 refused the connection (error 1045): "
                             "Access denied for user 'root'@'10.0.0.1' (using password: YES)")


# --------------------------------------------------------------------------- unhealthy and unreachable nodes

def test_non_primary_node(read_live, datadir):
    write_state(datadir, GRASTATE_RUNNING, GVWSTATE)
    read_live(up(**NON_PRIMARY))
    result = run_exit(datadir=str(datadir), expected_cluster_size=3)
    assert result["reachable"] is True
    assert result["healthy"] is False
    assert result["problems"] == [
        "node is non-Primary (component of 1): it is cut off from the Primary component, or no Primary component "
        "remains (quorum lost)",
        "node is Initialized, not Synced",
        "node does not accept queries (wsrep_ready=OFF)",
        "cluster size 1, expected 3",
    ]
    assert result["galera"]["cluster_status"] == "non-Primary"
    assert result["galera"]["ready"] is False
    assert result["galera"]["local_index"] == 18446744073709551615
    assert result["position"] == {"uuid": UUID, "seqno": 1843, "source": "live"}


def test_flow_control_threshold(read_live, datadir):
    read_live(up(wsrep_flow_control_paused="0.37"))
    assert run_exit(datadir=str(datadir))["problems"] == ["flow control paused 37% of the time"]
    assert run_exit(datadir=str(datadir), max_flow_control_paused=0.5)["healthy"] is True


def test_unreachable_server_with_grastate(read_live, datadir):
    write_state(datadir, GRASTATE_CLEAN)
    error = "cannot connect to db1:3306: Can't connect to MySQL server on 'db1' ([Errno 111] Connection refused)"
    read_live(down(error))
    result = run_exit(datadir=str(datadir), expected_cluster_size=3)
    assert result["reachable"] is False
    assert result["connection_error"] == error
    assert result["server_version"] is None
    assert result["galera"] == {}
    assert result["wsrep_status"] == {}
    assert result["healthy"] is False
    assert result["problems"] == ["server is not reachable: %s" % error]
    assert result["grastate"] == {"path": str(datadir / "grastate.dat"), "exists": True, "status": "present",
                                  "version": "2.1", "uuid": UUID, "seqno": 25, "safe_to_bootstrap": True,
                                  "warnings": []}
    assert result["gvwstate"] == absent(datadir / "gvwstate.dat")
    assert result["recovered"] is None
    assert result["position"] == {"uuid": UUID, "seqno": 25, "source": "grastate"}


def test_unreachable_crashed_node_without_recover(read_live, datadir):
    write_state(datadir, GRASTATE_RUNNING, GVWSTATE)
    read_live(down())
    result = run_exit(datadir=str(datadir))
    assert result["position"] == {"uuid": UUID, "seqno": -1, "source": "unknown"}
    assert result["gvwstate"]["view_id"] == {"type": 3, "uuid": GCOMM_UUID, "seqno": 3}
    assert result["recovery"] == {"needed": True, "ran": False,
                                  "skipped_reason": "grastate.dat does not hold it (seqno -1) and recover=false"}
    assert result["problems"][-1] == ("the committed position is unknown: grastate.dat does not hold it (seqno -1) "
                                      "and recover=false")


def test_unreachable_node_without_state_files(read_live, datadir):
    read_live(down())
    result = run_exit(datadir=str(datadir))
    assert result["grastate"] == absent(datadir / "grastate.dat")
    # a server datadir without grastate.dat: the data may be there, only InnoDB knows
    assert result["position"] == {"uuid": None, "seqno": -1, "source": "unknown"}
    assert result["recovery"]["skipped_reason"] == "grastate.dat does not hold it (it is absent) and recover=false"


# --------------------------------------------------------------------------- failures

def test_auth_refused(read_live, datadir):
    message = "db1:3306 refused the connection (error 1045): Access denied for user 'root'@'10.0.0.1'"
    read_live(conn.ConnectionRefused(message))
    result = run_fail(datadir=str(datadir))
    assert result["msg"] == message


def test_query_error(read_live, datadir):
    read_live(pymysql.err.OperationalError(1047, "WSREP has not yet prepared node for application use"))
    result = run_fail(datadir=str(datadir))
    assert result["msg"].startswith("reading the wsrep status from db1:3306 failed: ")
    assert "WSREP has not yet prepared node" in result["msg"]


@pytest.mark.parametrize("variables, reason", [
    ({"wsrep_on": "OFF", "wsrep_provider": "none"}, "wsrep_on=OFF, wsrep_provider=none"),
    ({"wsrep_on": "ON", "wsrep_provider": "none"}, "wsrep_on=ON, wsrep_provider=none"),
])
def test_not_a_galera_node(read_live, datadir, variables, reason):
    read_live(up(raw={}, variables=variables))
    result = run_fail(datadir=str(datadir))
    assert "not a Galera node" in result["msg"]
    assert result["msg"] == "db1:3306 is not a Galera node (%s)" % reason
    assert result["reachable"] is True
    assert result["server_version"] == "10.11.11-MariaDB-0+deb12u1 Debian 12"


def test_not_a_galera_node_through_the_socket(read_live, datadir):
    socket = datadir / "mysqld.sock"
    read_live(up(raw={}, variables={"wsrep_on": "OFF"}))
    result = run_fail(datadir=str(datadir), login_unix_socket=str(socket))
    assert result["msg"].startswith("socket %s is not a Galera node" % socket)


def test_unexpected_wsrep_status(read_live, datadir):
    read_live(up(wsrep_cluster_size="three"))
    result = run_fail(datadir=str(datadir))
    assert result["msg"] == ("the server reported an unexpected wsrep status: "
                             "wsrep_cluster_size is 'three', expected an integer")


@pytest.mark.parametrize("filename, content, fragment", [
    ("grastate.dat", GRASTATE_CLEAN.replace("safe_to_bootstrap: 1", "safe_to_bootstrap: 2"),
     "safe_to_bootstrap '2', expected 0 or 1"),
    ("grastate.dat", "# GALERA saved state\nversion: 2.1\nuuid: %s\nseqno: twelve\n" % UUID,
     "seqno is 'twelve', expected an integer"),
    ("gvwstate.dat", "my_uuid: %s\n#vwbeg\nbootstrap: 0\n#vwend\n" % GCOMM_UUID, "no my_uuid or view_id line"),
])
def test_malformed_state_file(read_live, datadir, filename, content, fragment):
    write_state(datadir, GRASTATE_CLEAN)
    (datadir / filename).write_text(content)
    read_live(down())
    result = run_fail(datadir=str(datadir))
    path = str(datadir / filename)
    assert result["msg"].startswith("malformed state file: %s" % path)
    assert fragment in result["msg"]


def test_unreadable_state_file(read_live, datadir):
    (datadir / "grastate.dat").mkdir()
    read_live(down())
    result = run_fail(datadir=str(datadir))
    path = str(datadir / "grastate.dat")
    assert result["msg"] == "%s is a directory, expected a regular file" % path


def test_pymysql_missing(read_live, monkeypatch):
    fake = read_live(up())
    monkeypatch.setattr(conn, "mysql_driver", None)
    result = run_fail()
    assert "PyMySQL" in result["msg"]
    assert result["msg"].startswith("Failed to import the required Python library (PyMySQL)")
    assert fake.calls == []


# --------------------------------------------------------------------------- option validation

@pytest.mark.parametrize("args, message", [
    ({"wait_for": ["size"]}, "wait_for contains size, so expected_cluster_size is required"),
    ({"wait_for": ["synced", "size"]}, "wait_for contains size, so expected_cluster_size is required"),
    ({"expected_cluster_size": 0}, "expected_cluster_size is 0, expected a number of nodes >= 1"),
    ({"expected_cluster_size": -3}, "expected_cluster_size is -3, expected a number of nodes >= 1"),
    ({"max_flow_control_paused": 1.5}, "max_flow_control_paused is 1.5, expected a fraction between 0 and 1"),
    ({"max_flow_control_paused": -0.1}, "max_flow_control_paused is -0.1, expected a fraction between 0 and 1"),
    ({"timeout": -1}, "timeout is -1, expected a positive number of seconds"),
    ({"poll_interval": 0}, "poll_interval is 0, expected a positive number of seconds"),
    ({"connect_timeout": 0}, "connect_timeout is 0, expected a positive number of seconds"),
])
def test_invalid_options(read_live, args, message):
    fake = read_live(up())
    result = run_fail(**args)
    assert result["msg"] == message
    assert fake.calls == []


def test_unknown_wait_condition_is_rejected_by_the_argument_spec(read_live):
    fake = read_live(up())
    result = run_fail(wait_for=["quorum"])
    assert "wait_for" in result["msg"]
    assert "quorum" in result["msg"]
    assert fake.calls == []


@pytest.mark.parametrize("args", [{"timeout": 0}, {"max_flow_control_paused": 0}, {"max_flow_control_paused": 1}])
def test_boundary_options_are_accepted(read_live, datadir, args):
    read_live(up())
    assert run_exit(datadir=str(datadir), **args)["healthy"] is True


# --------------------------------------------------------------------------- waiting

def test_wait_for_synced_reached_after_two_polls(read_live, datadir, clock):
    fake = read_live(up(**DONOR), up(**JOINED), up())
    result = run_exit(datadir=str(datadir), wait_for=["synced"], poll_interval=3, timeout=60)
    assert len(fake.calls) == 3
    assert clock.sleeps == [3, 3]
    assert result["waited"] == 6.0
    assert result["healthy"] is True
    assert result["galera"]["local_state_comment"] == "Synced"


def test_wait_for_a_restarting_node(read_live, datadir, clock):
    fake = read_live(down(), down(), up())
    result = run_exit(datadir=str(datadir), wait_for=["synced", "primary", "size"], expected_cluster_size=3)
    assert len(fake.calls) == 3
    assert clock.sleeps == [2, 2]
    assert result["reachable"] is True
    assert result["waited"] == 4.0


def test_wait_already_met_does_not_sleep(read_live, datadir, clock):
    fake = read_live(up())
    result = run_exit(datadir=str(datadir), wait_for=["synced", "primary"])
    assert len(fake.calls) == 1
    assert clock.sleeps == []
    assert result["waited"] == 0.0


def test_wait_for_size_ignores_other_problems(read_live, datadir):
    read_live(up(wsrep_local_state_comment="Donor/Desynced", wsrep_local_state="2"))
    result = run_exit(datadir=str(datadir), wait_for=["size"], expected_cluster_size=3)
    assert result["healthy"] is False
    assert result["problems"] == ["node is Donor/Desynced, not Synced"]


def test_wait_timeout(read_live, datadir, clock):
    fake = read_live(up(**DONOR))
    result = run_fail(datadir=str(datadir), wait_for=["synced", "size"], expected_cluster_size=3, timeout=5,
                      poll_interval=2)
    assert "timed out" in result["msg"]
    assert result["msg"] == ("timed out after 5 s waiting for synced, size; last observed: "
                             "synced (node is Donor/Desynced); size 3 (cluster size is 2)")
    # The last sleep is shortened so that the deadline is not overshot.
    assert clock.sleeps == [2, 2, 1]
    assert len(fake.calls) == 4
    assert result["waited"] == 5.0
    assert result["reachable"] is True
    assert result["connection_error"] is None
    assert result["galera"]["local_state_comment"] == "Donor/Desynced"
    assert result["wsrep_status"]["wsrep_local_state_comment"] == "Donor/Desynced"


def test_wait_timeout_while_unreachable(read_live, datadir, clock):
    error = "socket /run/mysqld/mysqld.sock does not exist (is the server running?)"
    read_live(down(error))
    result = run_fail(datadir=str(datadir), wait_for=["primary"], timeout=3, poll_interval=5)
    assert result["msg"] == "timed out after 3 s waiting for primary; last observed: primary (node is unreachable)"
    assert clock.sleeps == [3]
    assert result["reachable"] is False
    assert result["connection_error"] == error
    assert result["galera"] == {}


def test_wait_with_zero_timeout_fails_at_once(read_live, datadir, clock):
    fake = read_live(up(**DONOR))
    result = run_fail(datadir=str(datadir), wait_for=["synced"], timeout=0)
    assert result["msg"].startswith("timed out after 0 s waiting for synced")
    assert clock.sleeps == []
    assert len(fake.calls) == 1


def test_auth_refused_while_waiting_fails_at_once(read_live, datadir, clock):
    read_live(down(), conn.ConnectionRefused("db1:3306 refused the connection (error 1045): Access denied"))
    result = run_fail(datadir=str(datadir), wait_for=["synced"])
    assert result["msg"] == "db1:3306 refused the connection (error 1045): Access denied"
    assert clock.sleeps == [2]


# --------------------------------------------------------------------------- recover

@pytest.fixture
def run_command(monkeypatch):
    """Replaces AnsibleModule.run_command; returns the list of commands run.

    ``--verbose --help`` answers with the datadir the test names (by default the one
    the task gave, as the option files of a well-configured node would), anything
    else with the recovery output.
    """
    calls = []

    def install(rc=0, out="", err=RECOVER_STDERR, help_datadir=""):
        def fake(self, args, **kwargs):
            calls.append(list(args))
            if "--help" in args:
                if help_datadir is None:
                    return rc, out, err
                datadir = help_datadir or self.params["datadir"].rstrip("/") + "/"
                return 0, "Variables (--variable-name=value)\ndatadir" + " " * 54 + datadir + "\n", ""
            return rc, out, err
        monkeypatch.setattr(basic.AnsibleModule, "run_command", fake)
        return calls
    return install


@pytest.fixture
def no_server(monkeypatch):
    seen = []
    monkeypatch.setattr(gcs, "find_server_processes", lambda datadir: seen.append(datadir) or [])
    return seen


def test_recover_while_reachable_runs_nothing(read_live, datadir, run_command, no_server):
    # the running server's own counter is the position; recovery is for stopped nodes only
    write_state(datadir, GRASTATE_RUNNING)
    calls = run_command()
    read_live(up())
    result = run_exit(datadir=str(datadir), recover=True)
    assert result["position"]["source"] == "live"
    assert result["recovery"] == {"needed": False, "ran": False, "skipped_reason": None}
    assert calls == []


def test_recover_after_a_crash(read_live, datadir, run_command, no_server):
    write_state(datadir, GRASTATE_RUNNING, GVWSTATE)
    calls = run_command()
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd",
                      server_defaults_file="/etc/mysql/my.cnf", server_user="mysql")
    assert result["recovered"] == {"uuid": UUID, "seqno": 25}
    assert result["position"] == {"uuid": UUID, "seqno": 25, "source": "recovered"}
    assert result["grastate"]["seqno"] == -1
    assert calls[0] == ["/usr/sbin/mariadbd", "--defaults-file=/etc/mysql/my.cnf", "--verbose", "--help"]
    assert calls[1][:-1] == ["/usr/sbin/mariadbd", "--defaults-file=/etc/mysql/my.cnf", "--datadir=%s" % datadir,
                             "--user=mysql", "--wsrep-recover"]
    assert calls[1][-1].startswith("--log-error=/")
    assert len(calls) == 2
    assert no_server == [str(datadir)]
    assert result["recovery"] == {"needed": True, "ran": True, "skipped_reason": None}


def test_recover_reads_stdout_too_and_finds_the_binary(read_live, datadir, run_command, no_server, monkeypatch):
    write_state(datadir, GRASTATE_RUNNING)
    monkeypatch.setattr(gcs, "find_server_binary", lambda: "/usr/libexec/mysqld")
    calls = run_command(out=RECOVER_STDERR, err="")
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_user="mysql-galera")
    assert result["recovered"] == {"uuid": UUID, "seqno": 25}
    assert calls[1][:-1] == ["/usr/libexec/mysqld", "--datadir=%s" % datadir, "--user=mysql-galera",
                             "--wsrep-recover"]


def test_recover_without_grastate(read_live, datadir, run_command, no_server):
    calls = run_command()
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert result["grastate"]["exists"] is False
    assert result["recovered"] == {"uuid": UUID, "seqno": 25}
    assert result["position"]["source"] == "recovered"
    assert len(calls) == 2


def test_recover_not_needed_after_a_clean_stop(read_live, datadir, run_command, no_server):
    write_state(datadir, GRASTATE_CLEAN)
    calls = run_command()
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert not any("--wsrep-recover" in call for call in calls)
    assert result["recovered"] is None
    assert result["position"] == {"uuid": UUID, "seqno": 25, "source": "grastate"}


def test_recover_refuses_while_a_server_process_uses_the_datadir(read_live, datadir, run_command, monkeypatch):
    write_state(datadir, GRASTATE_RUNNING)
    calls = run_command()
    monkeypatch.setattr(gcs, "find_server_processes", lambda path: [{"pid": 4242, "name": "mariadbd"}])
    read_live(down())
    result = run_fail(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert result["msg"] == ("recover=true needs the server stopped, but mariadbd (pid 4242) is running on %s"
                             % datadir)
    assert not any("--wsrep-recover" in call for call in calls)


def test_recover_without_a_server_binary(read_live, datadir, run_command, no_server, monkeypatch):
    write_state(datadir, GRASTATE_RUNNING)
    calls = run_command()
    monkeypatch.setattr(gcs, "find_server_binary", lambda: None)
    read_live(down())
    result = run_fail(datadir=str(datadir), recover=True)
    assert result["msg"] == ("recover=true needs the server binary: neither mariadbd nor mysqld was found; "
                             "set server_binary")
    assert calls == []


def test_recover_that_prints_no_position(read_live, datadir, run_command, no_server):
    write_state(datadir, GRASTATE_RUNNING)
    err = "\n".join("2026-11-23  0:12:0%d 0 [Note] line %d" % (i, i) for i in range(10)) + \
        "\n2026-11-23  0:12:10 0 [ERROR] InnoDB: Unable to lock ./ibdata1 error: 11\n"
    run_command(rc=1, err=err)
    read_live(down())
    result = run_fail(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert result["msg"].startswith("/usr/sbin/mariadbd --wsrep-recover printed no recovered position (rc=1); "
                                    "last lines:\n")
    lines = result["msg"].split("last lines:\n", 1)[1].splitlines()
    assert len(lines) == 8
    assert lines[-1].endswith("Unable to lock ./ibdata1 error: 11")
    assert "line 2" not in result["msg"]
    assert result["cmd"][0] == "/usr/sbin/mariadbd"
    assert "--wsrep-recover" in result["cmd"]


@pytest.mark.parametrize("grastate", [
    pytest.param(None, id="missing"),
    pytest.param("", id="empty"),
    pytest.param("version: 2.1\nuuid: 00000000-0000-0000-0000-000000000000\nseqno: -1\n", id="zero-uuid"),
    pytest.param(GRASTATE_RUNNING, id="seqno-minus-one"),
])
def test_recover_runs_whenever_grastate_lacks_the_position(read_live, datadir, run_command, no_server, grastate):
    if grastate is not None:
        write_state(datadir, grastate)
    calls = run_command()
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert any("--wsrep-recover" in call for call in calls)
    assert result["position"] == {"uuid": UUID, "seqno": 25, "source": "recovered"}


def test_check_mode_runs_no_recovery_and_says_a_real_run_is_needed(read_live, datadir, run_command, no_server):
    # --wsrep-recover runs InnoDB crash recovery, which writes to the datadir
    write_state(datadir, GRASTATE_RUNNING)
    calls = run_command()
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd",
                      _ansible_check_mode=True)
    assert calls == [["/usr/sbin/mariadbd", "--verbose", "--help"]]
    assert result["recovered"] is None
    assert result["position"] == {"uuid": UUID, "seqno": -1, "source": "unknown"}
    assert result["recovery"] == {"needed": True, "ran": False, "skipped_reason": gcs.CHECK_MODE_NO_RECOVERY}
    assert gcs.CHECK_MODE_NO_RECOVERY.startswith("check mode does not run --wsrep-recover")
    assert "the committed position is unknown: " + gcs.CHECK_MODE_NO_RECOVERY in result["problems"]


def test_recovered_uuid_that_contradicts_grastate_is_flagged(read_live, datadir, run_command, no_server):
    write_state(datadir, GRASTATE_RUNNING.replace(UUID, GCOMM_UUID))
    run_command()
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert result["state_conflict"] == (
        "grastate.dat names cluster state %s but InnoDB's recovered position is in %s: the datadir holds another "
        "cluster's data or a restored backup" % (GCOMM_UUID, UUID))
    assert result["state_conflict"] in result["problems"]
    assert result["position"] == {"uuid": GCOMM_UUID, "seqno": -1, "source": "unknown"}


def test_recovery_that_finds_no_position_on_a_node_without_grastate(read_live, datadir, run_command, no_server):
    run_command(err="[Note] WSREP: Recovered position: 00000000-0000-0000-0000-000000000000:-1\n")
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mariadbd")
    assert result["position"] == {"uuid": None, "seqno": -1, "source": "none"}
    assert result["state_conflict"] is None


def test_recovered_position_read_from_the_error_log_in_mysql_8_format(read_live, datadir, monkeypatch, no_server):
    # PXC 8 logs "[WSREP] Recovered position" to its error log; nothing on stdout or stderr
    write_state(datadir, GRASTATE_RUNNING)
    logs = []

    def fake(self, args, **kwargs):
        if "--help" in args:
            return 0, "datadir" + " " * 54 + str(datadir) + "/\n", ""
        log = next(arg.split("=", 1)[1] for arg in args if arg.startswith("--log-error="))
        logs.append(log)
        # appended to the file the module made (owned by the mysql account when there is one):
        # no O_CREAT, which fs.protected_regular refuses even to root in /tmp for another's file
        with open(log, "r+") as handle:
            handle.seek(0, os.SEEK_END)
            handle.write("2026-11-23T00:12:01.123Z 0 [Note] [MY-000000] [WSREP] Recovered position: %s:31\n" % UUID)
        return 0, "", ""

    monkeypatch.setattr(basic.AnsibleModule, "run_command", fake)
    read_live(down())
    result = run_exit(datadir=str(datadir), recover=True, server_binary="/usr/sbin/mysqld")
    assert result["recovered"] == {"uuid": UUID, "seqno": 31}
    assert len(logs) == 1 and not os.path.exists(logs[0])
