# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/filter/galera_bootstrap_choice.py with plain dicts as hostvars."""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.stackops.openstack.plugins.filter import (
    galera_bootstrap_choice as flt,
)
from ansible_collections.stackops.openstack.plugins.filter.galera_bootstrap_choice import (
    FilterModule,
    galera_bootstrap_choice,
)

UUID = "6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11"


def stopped(seqno, safe=False):
    return {
        "changed": False,
        "reachable": False,
        "connection_error": "socket /run/mysqld/mysqld.sock does not exist (is the server running?)",
        "galera": {},
        "wsrep_status": {},
        "grastate": {"path": "/var/lib/mysql/grastate.dat", "exists": True, "version": "2.1", "uuid": UUID,
                     "seqno": seqno, "safe_to_bootstrap": safe},
        "gvwstate": {"path": "/var/lib/mysql/gvwstate.dat", "exists": False},
        "recovered": None,
        "healthy": False,
        "problems": ["server is not reachable: socket /run/mysqld/mysqld.sock does not exist"],
    }


def primary():
    result = stopped(-1)
    result.update(reachable=True, connection_error=None, healthy=True, problems=[],
                  galera={"cluster_status": "Primary", "last_committed": 90, "local_state_uuid": UUID,
                          "cluster_state_uuid": UUID, "local_state_comment": "Synced", "ready": True})
    return result


HOSTS = ["db1", "db2", "db3"]


def hostvars(**statuses):
    """hostvars as a plain dict: every host has some inventory vars, plus its registered status."""
    return {host: dict({"ansible_host": "10.0.0.%d" % (11 + index)}, **statuses.get(host, {}))
            for index, host in enumerate(HOSTS)}


CLEAN_STOP = hostvars(db1={"galera_status": stopped(21)}, db2={"galera_status": stopped(23)},
                      db3={"galera_status": stopped(25, safe=True)})


class Warnings(list):
    def warning(self, message):
        self.append(message)


@pytest.fixture(autouse=True)
def warnings(monkeypatch):
    captured = Warnings()
    monkeypatch.setattr(flt, "display", captured)
    return captured


def test_filter_is_exposed():
    filters = FilterModule().filters()
    assert filters == {"galera_bootstrap_choice": galera_bootstrap_choice}


def test_clean_stop_choice(warnings):
    choice = galera_bootstrap_choice(HOSTS, CLEAN_STOP)
    assert choice["action"] == "bootstrap"
    assert choice["node"] == "db3"
    assert choice["needs_safe_to_bootstrap"] is False
    assert choice["positions"]["db1"] == {"uuid": UUID, "seqno": 21, "source": "grastate"}
    assert warnings == []


def test_hosts_order_is_the_inventory_order():
    tied = hostvars(db1={"galera_status": stopped(30)}, db2={"galera_status": stopped(30)},
                    db3={"galera_status": stopped(30)})
    assert galera_bootstrap_choice(["db3", "db1", "db2"], tied)["node"] == "db3"
    assert galera_bootstrap_choice(("db2", "db3", "db1"), tied)["node"] == "db2"


def test_custom_status_var():
    vars_ = hostvars(db1={"db_state": stopped(5)}, db2={"db_state": stopped(9)}, db3={"db_state": stopped(7)})
    assert galera_bootstrap_choice(HOSTS, vars_, "db_state")["node"] == "db2"
    assert galera_bootstrap_choice(HOSTS, vars_, status_var="db_state")["node"] == "db2"


def test_default_status_var_is_galera_status():
    vars_ = hostvars(db1={"db_state": stopped(5)}, db2={"db_state": stopped(9)}, db3={"db_state": stopped(7)})
    choice = galera_bootstrap_choice(HOSTS, vars_)
    assert choice["action"] == "refuse"
    assert "the state of db1, db2, db3 is unknown" in choice["reason"]


def test_host_without_a_registered_status_is_unknown():
    vars_ = dict(CLEAN_STOP, db2={"ansible_host": "10.0.0.12"})
    choice = galera_bootstrap_choice(HOSTS, vars_)
    assert choice["action"] == "refuse"
    assert choice["reason"].startswith("the state of db2 is unknown")


def test_host_vars_that_are_not_a_mapping_count_as_unknown():
    vars_ = dict(CLEAN_STOP, db1="not a mapping")
    choice = galera_bootstrap_choice(HOSTS, vars_)
    assert choice["action"] == "refuse"
    assert "the state of db1 is unknown" in choice["reason"]


def test_primary_means_join():
    vars_ = dict(CLEAN_STOP, db2={"galera_status": primary()})
    choice = galera_bootstrap_choice(HOSTS, vars_)
    assert choice["action"] == "join"
    assert choice["node"] == "db2"


class UndefinedForUnknownHosts(dict):
    """Like Ansible's HostVars: an unknown host gives a value, not a KeyError."""

    def __getitem__(self, host):
        return dict.get(self, host, "undefined")


@pytest.mark.parametrize("hostvars", [CLEAN_STOP, UndefinedForUnknownHosts(CLEAN_STOP)])
def test_missing_host_raises(hostvars):
    with pytest.raises(AnsibleFilterError) as exc:
        galera_bootstrap_choice(HOSTS + ["db4"], hostvars)
    assert "host 'db4' is not in the inventory" in str(exc.value)


@pytest.mark.parametrize("hosts", ["db1,db2,db3", "db1", 42, None])
def test_bad_hosts_input_raises(hosts):
    with pytest.raises(AnsibleFilterError) as exc:
        galera_bootstrap_choice(hosts, CLEAN_STOP)
    assert "expects the list of cluster hosts" in str(exc.value)
    assert repr(hosts) in str(exc.value)


def test_unknown_force_node_raises():
    with pytest.raises(AnsibleFilterError) as exc:
        galera_bootstrap_choice(HOSTS, CLEAN_STOP, force_node="db9")
    assert str(exc.value).startswith("galera_bootstrap_choice: force_node 'db9' is not one of the cluster's nodes")


@pytest.mark.parametrize("hosts, message", [
    ([], "no nodes given"),
    (["db1", "db1"], "node names must be unique"),
])
def test_invalid_host_lists_raise(hosts, message):
    with pytest.raises(AnsibleFilterError) as exc:
        galera_bootstrap_choice(hosts, CLEAN_STOP)
    assert message in str(exc.value)


def test_forced_choice_shows_warnings(warnings):
    choice = galera_bootstrap_choice(HOSTS, CLEAN_STOP, force_node="db1")
    assert choice["action"] == "bootstrap"
    assert choice["node"] == "db1"
    assert choice["forced"] is True
    assert warnings == choice["warnings"]
    assert warnings == [
        "bootstrap of db1 forced: the automatic safety checks were overridden",
        "db3 is more advanced (25) than db1 (21): transactions after 21 will be lost",
    ]


def test_ignored_force_node_is_shown(warnings):
    vars_ = dict(CLEAN_STOP, db2={"galera_status": primary()})
    choice = galera_bootstrap_choice(HOSTS, vars_, force_node="db1")
    assert choice["action"] == "join"
    assert warnings == ["force_node db1 ignored: bootstrapping while db2 is Primary would split the cluster"]


@pytest.mark.parametrize("force_node", ["", None])
def test_empty_force_node_means_no_force(warnings, force_node):
    choice = galera_bootstrap_choice(HOSTS, CLEAN_STOP, force_node=force_node)
    assert choice["forced"] is False
    assert choice["node"] == "db3"
    assert warnings == []


# --------------------------------------------------------------------------- malformed input: a message, never a TypeError

@pytest.mark.parametrize("db2_status, fragment", [
    pytest.param("stopped", "db2: the status is str, expected a galera_cluster_status result (a dict)", id="string"),
    pytest.param(dict(stopped(23), grastate=[23]), "db2: grastate is [23] (list), expected a dict", id="grastate-list"),
    pytest.param(dict(stopped(23), grastate=dict(stopped(23)["grastate"], seqno="23")),
                 "db2: grastate.seqno is '23' (str), expected an integer", id="seqno-string"),
    pytest.param(dict(stopped(23), recovered="db2:23"), "db2: recovered is 'db2:23' (str), expected a dict",
                 id="recovered-string"),
])
def test_malformed_status_fails_naming_host_and_field(db2_status, fragment):
    vars_ = dict(CLEAN_STOP, db2={"galera_status": db2_status})
    with pytest.raises(AnsibleFilterError) as exc:
        galera_bootstrap_choice(HOSTS, vars_)
    assert str(exc.value) == "galera_bootstrap_choice: " + fragment


@pytest.mark.parametrize("args, fragment", [
    pytest.param({"hostvars": "hostvars"}, "hostvars is str, expected the hostvars magic variable", id="hostvars-str"),
    pytest.param({"hostvars": 7}, "hostvars is int, expected the hostvars magic variable", id="hostvars-int"),
    pytest.param({"status_var": ["galera_status"]}, "status_var is ['galera_status'], expected the name of a variable",
                 id="status-var-list"),
    pytest.param({"status_var": ""}, "status_var is '', expected the name of a variable", id="status-var-empty"),
    pytest.param({"force_node": 3}, "force_node is 3, expected a host name", id="force-node-int"),
    pytest.param({"hosts": ["db1", 2]}, "host 2 (int) is not a host name", id="host-int"),
    pytest.param({"hosts": {"db1": 1}}, "expects the list of cluster hosts, got {'db1': 1}", id="hosts-dict"),
])
def test_bad_filter_arguments_fail_with_a_message(args, fragment):
    call = dict({"hosts": HOSTS, "hostvars": CLEAN_STOP}, **args)
    with pytest.raises(AnsibleFilterError) as exc:
        galera_bootstrap_choice(call.pop("hosts"), call.pop("hostvars"), **call)
    assert fragment in str(exc.value)
