# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/galera_bootstrap.py: every branch of choose_bootstrap."""

from __future__ import annotations

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils.galera import ZERO_UUID
from ansible_collections.stackops.openstack.plugins.module_utils.galera_bootstrap import (
    BOOTSTRAP,
    JOIN,
    REFUSE,
    choose_bootstrap,
)

UUID = "6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11"
OTHER_UUID = "9e4d3b2a-1c0f-11f0-8b7e-52540a1b2c3d"

DECISION_KEYS = {"action", "bootstrap_needed", "node", "node_running", "reason", "forced",
                 "needs_safe_to_bootstrap", "restore_grastate", "needs_recovery", "positions", "warnings"}
NOT_RECOVERED = "grastate.dat does not hold it (seqno -1) and recover=false"
CHECK_MODE = "check mode does not run --wsrep-recover"


def node(reachable=False, cluster_status=None, last_committed=None, uuid=UUID, grastate=True,
         seqno=-1, safe=False, grastate_uuid=None, recovered=None, datadir_kind="server", skipped_reason=None):
    """A galera_cluster_status result, shaped like the module's return.

    ``grastate`` False means no grastate.dat in the datadir, "empty" a 0-byte one;
    ``recovered`` is a seqno (the position --wsrep-recover printed, with ``uuid``) or a
    full dict; ``skipped_reason`` says why recovery did not run where it was needed.
    """
    galera = {}
    if reachable:
        galera = {
            "cluster_status": cluster_status,
            "cluster_size": 3 if cluster_status == "Primary" else 1,
            "local_state": 4 if cluster_status == "Primary" else 0,
            "local_state_comment": "Synced" if cluster_status == "Primary" else "Initialized",
            "last_committed": last_committed,
            "local_state_uuid": uuid,
            "cluster_state_uuid": uuid,
            "ready": cluster_status == "Primary",
            "connected": True,
        }
    status = {True: "present", False: "absent", "empty": "empty"}[grastate]
    state = {"path": "/var/lib/mysql/grastate.dat", "exists": status != "absent", "status": status, "warnings": []}
    if status == "present":
        state.update(version="2.1", uuid=grastate_uuid or uuid, seqno=seqno, safe_to_bootstrap=safe)
    if isinstance(recovered, int):
        recovered = {"uuid": uuid, "seqno": recovered}
    needed = not reachable and datadir_kind == "server" and (
        status != "present" or state["uuid"] == ZERO_UUID or seqno < 0)
    if needed and recovered is None and skipped_reason is None:
        skipped_reason = NOT_RECOVERED
    return {
        "changed": False,
        "reachable": reachable,
        "connection_error": None if reachable else "socket /run/mysqld/mysqld.sock does not exist",
        "server_version": "10.11.11-MariaDB-0+deb12u1 Debian 12" if reachable else None,
        "galera": galera,
        "wsrep_status": {},
        "datadir": {"path": "/var/lib/mysql", "kind": datadir_kind},
        "grastate": state,
        "gvwstate": {"path": "/var/lib/mysql/gvwstate.dat", "exists": False, "status": "absent", "warnings": []},
        "recovered": recovered,
        "recovery": {"needed": needed, "ran": recovered is not None, "skipped_reason": None if recovered else skipped_reason},
        "state_transfer": "interrupted" if status == "empty" and not reachable else None,
        "state_conflict": None,
        "healthy": reachable and cluster_status == "Primary",
        "problems": [],
        "waited": 0.0,
    }


def primary(last_committed=1843):
    return node(reachable=True, cluster_status="Primary", last_committed=last_committed)


def stopped(seqno, safe=False, **kwargs):
    """Cleanly stopped node: grastate.dat holds the position."""
    return node(seqno=seqno, safe=safe, **kwargs)


def crashed(recovered=None, **kwargs):
    """Killed node: grastate.dat says seqno -1, optionally with the recovered position."""
    return node(seqno=-1, safe=False, recovered=recovered, **kwargs)


def fresh():
    """A node that never joined a cluster: no grastate.dat, and InnoDB holds no Galera position."""
    return node(grastate=False, recovered={"uuid": ZERO_UUID, "seqno": -1})


def unseen():
    """A stopped node without grastate.dat whose InnoDB was not asked: its position is unknown."""
    return node(grastate=False)


def failed():
    return {"failed": True, "msg": "db2:3306 refused the connection (error 1045): Access denied"}


def unreachable_host():
    return {"unreachable": True, "msg": "Failed to connect to the host via ssh"}


def skipped():
    return {"skipped": True, "skip_reason": "Conditional result was False", "changed": False}


# --------------------------------------------------------------------------- input validation

def test_duplicate_names_raise():
    with pytest.raises(ValueError, match="node names must be unique, got db1, db2, db1"):
        choose_bootstrap([("db1", stopped(5)), ("db2", stopped(5)), ("db1", stopped(5))])


def test_empty_node_list_raises():
    with pytest.raises(ValueError, match="no nodes given"):
        choose_bootstrap([])


def test_force_node_not_in_nodes_raises():
    with pytest.raises(ValueError) as exc:
        choose_bootstrap([("db1", stopped(5)), ("db2", stopped(6))], force_node="db9")
    assert "'db9'" in str(exc.value)
    assert "db1, db2" in str(exc.value)


# --------------------------------------------------------------------------- a Primary component exists

def test_primary_node_means_join():
    decision = choose_bootstrap([("db1", crashed(20)), ("db2", primary(1843)), ("db3", stopped(25))])
    assert set(decision) == DECISION_KEYS
    assert decision["action"] == JOIN
    assert decision["bootstrap_needed"] is False
    assert decision["node"] == "db2"
    assert decision["node_running"] is True
    assert decision["forced"] is False
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["warnings"] == []
    assert decision["reason"] == ("db2 is in a Primary component (component of 3): no bootstrap needed; "
                                  "start db1, db3 to join it")


def test_first_primary_in_inventory_order_is_named():
    decision = choose_bootstrap([("db1", stopped(3)), ("db2", primary()), ("db3", primary())])
    assert decision["node"] == "db2"


def test_primary_wins_over_unknown_nodes():
    decision = choose_bootstrap([("db1", None), ("db2", primary()), ("db3", failed())])
    assert decision["action"] == JOIN
    assert decision["node"] == "db2"


def test_force_node_ignored_while_a_primary_exists():
    decision = choose_bootstrap([("db1", stopped(25, safe=True)), ("db2", primary())], force_node="db1")
    assert decision["action"] == JOIN
    assert decision["node"] == "db2"
    assert decision["forced"] is False
    assert decision["warnings"] == [
        "force_node db1 ignored: bootstrapping while db2 is Primary would split the cluster"]


def test_non_primary_running_node_is_not_a_primary():
    decision = choose_bootstrap([("db1", node(reachable=True, cluster_status="non-Primary", last_committed=30))])
    assert decision["action"] == BOOTSTRAP


def test_primary_status_of_an_unreachable_result_is_ignored():
    # A stale galera map on a result that says the server did not answer is not trusted.
    result = stopped(25)
    result["galera"] = {"cluster_status": "Primary", "last_committed": 99, "local_state_uuid": UUID}
    decision = choose_bootstrap([("db1", result), ("db2", stopped(20))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db1"
    assert decision["positions"]["db1"] == {"uuid": UUID, "seqno": 25, "source": "grastate"}


# --------------------------------------------------------------------------- forced choice

def test_forced_choice_with_unknown_nodes():
    decision = choose_bootstrap([("db1", stopped(25, safe=True)), ("db2", None), ("db3", failed())],
                                force_node="db1")
    assert decision["action"] == BOOTSTRAP
    assert decision["bootstrap_needed"] is True
    assert decision["node"] == "db1"
    assert decision["forced"] is True
    assert decision["reason"] == "bootstrap of db1 forced by the operator"
    assert decision["warnings"] == [
        "bootstrap of db1 forced: the automatic safety checks were overridden",
        "the state of db2, db3 is unknown",
    ]
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["node_running"] is False
    assert set(decision["positions"]) == {"db1"}


def test_forced_choice_of_a_less_advanced_node_warns_about_lost_transactions():
    decision = choose_bootstrap([("db1", stopped(21)), ("db2", stopped(23)), ("db3", stopped(25, safe=True))],
                                force_node="db1")
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db1"
    assert decision["forced"] is True
    assert decision["needs_safe_to_bootstrap"] is True
    assert decision["warnings"][0] == "bootstrap of db1 forced: the automatic safety checks were overridden"
    assert decision["warnings"][1] == "db3 is more advanced (25) than db1 (21): transactions after 21 will be lost"
    assert len(decision["warnings"]) == 2


def test_forced_choice_of_the_most_advanced_node_has_only_the_override_warning():
    decision = choose_bootstrap([("db1", stopped(21)), ("db2", stopped(25))], force_node="db2")
    assert decision["node"] == "db2"
    assert decision["warnings"] == ["bootstrap of db2 forced: the automatic safety checks were overridden"]
    assert decision["needs_safe_to_bootstrap"] is True


def test_forced_choice_overrides_a_uuid_disagreement():
    decision = choose_bootstrap([("db1", stopped(5)), ("db2", stopped(9, uuid=OTHER_UUID))], force_node="db1")
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db1"
    # The more advanced check compares seqnos only.
    assert "db2 is more advanced (9) than db1 (5)" in decision["warnings"][1]


def test_forced_choice_of_an_unknown_node():
    decision = choose_bootstrap([("db1", None), ("db2", stopped(25, safe=True))], force_node="db1")
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db1"
    assert decision["forced"] is True
    assert decision["needs_safe_to_bootstrap"] is True
    assert decision["node_running"] is False
    assert "the state of db1 is unknown" in decision["warnings"]
    assert not any("more advanced" in warning for warning in decision["warnings"])


def test_forced_choice_of_a_running_non_primary_node():
    survivor = node(reachable=True, cluster_status="non-Primary", last_committed=30)
    decision = choose_bootstrap([("db1", survivor), ("db2", crashed())], force_node="db1")
    assert decision["node"] == "db1"
    assert decision["node_running"] is True
    assert decision["positions"]["db1"] == {"uuid": UUID, "seqno": 30, "source": "live"}
    assert decision["positions"]["db2"] == {"uuid": UUID, "seqno": -1, "source": "unknown"}


def test_forced_choice_of_a_crashed_node_without_recovery():
    decision = choose_bootstrap([("db1", crashed()), ("db2", stopped(25))], force_node="db1")
    assert decision["node"] == "db1"
    assert "db2 is more advanced (25) than db1 (-1): transactions after -1 will be lost" in decision["warnings"]


# --------------------------------------------------------------------------- unknown nodes refuse

@pytest.mark.parametrize("bad", [
    pytest.param(None, id="none"),
    pytest.param(failed(), id="failed"),
    pytest.param(unreachable_host(), id="unreachable"),
    pytest.param(skipped(), id="skipped"),
    pytest.param({"reachable": False, "galera": {}}, id="no-grastate-key"),
])
def test_unknown_node_refuses_naming_it(bad):
    decision = choose_bootstrap([("db1", stopped(25, safe=True)), ("db2", bad), ("db3", stopped(23))])
    assert decision["action"] == REFUSE
    assert decision["bootstrap_needed"] is False
    assert decision["node"] is None
    assert decision["node_running"] is False
    assert decision["reason"].startswith("the state of db2 is unknown")
    assert "or force a node" in decision["reason"]
    assert set(decision["positions"]) == {"db1", "db3"}


def test_every_unknown_node_is_named():
    decision = choose_bootstrap([("db1", None), ("db2", stopped(3)), ("db3", skipped())])
    assert decision["action"] == REFUSE
    assert "the state of db1, db3 is unknown" in decision["reason"]


# --------------------------------------------------------------------------- new cluster

def test_new_cluster_only_when_every_node_shows_no_galera_data():
    decision = choose_bootstrap([("db1", fresh()), ("db2", fresh()),
                                 ("db3", node(grastate=False, datadir_kind="empty"))])
    assert decision["action"] == BOOTSTRAP
    assert decision["bootstrap_needed"] is True
    assert decision["node"] == "db1"
    assert decision["reason"] == ("new cluster: every node shows a datadir that never held Galera data (empty, or "
                                  "--wsrep-recover found no position), bootstrap the first node db1")
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["restore_grastate"] is None
    assert decision["node_running"] is False
    assert decision["positions"] == {name: {"uuid": None, "seqno": -1, "source": "none"}
                                     for name in ("db1", "db2", "db3")}


def test_missing_grastate_everywhere_is_not_a_new_cluster():
    # Reproduced on a real cluster: grastate.dat deleted on every node after a clean stop
    # read as "new cluster", the first node got a new UUID and the others a full SST.
    decision = choose_bootstrap([("db1", unseen()), ("db2", unseen()), ("db3", unseen())])
    assert decision["action"] == REFUSE
    assert decision["node"] is None
    assert decision["reason"].startswith("the committed position of db1, db2, db3 is unknown (grastate.dat does not "
                                         "hold it (seqno -1) and recover=false)")


def test_zero_uuid_grastate_without_recovery_is_unknown():
    zero = node(uuid=ZERO_UUID, seqno=-1)
    decision = choose_bootstrap([("db1", zero), ("db2", fresh())])
    assert decision["action"] == REFUSE
    assert "the committed position of db1 is unknown" in decision["reason"]


def test_zero_uuid_grastate_with_recovery_that_found_nothing_is_new():
    zero = node(uuid=ZERO_UUID, seqno=-1, recovered={"uuid": ZERO_UUID, "seqno": -1})
    decision = choose_bootstrap([("db1", zero), ("db2", fresh())])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db1"
    assert decision["reason"].startswith("new cluster")


def test_running_node_without_a_position_is_not_proof_of_a_new_cluster():
    running = node(reachable=True, cluster_status="Disconnected", last_committed=-1, uuid=ZERO_UUID,
                   grastate_uuid=ZERO_UUID)
    decision = choose_bootstrap([("db1", running), ("db2", fresh())])
    assert decision["action"] == REFUSE
    assert "the committed position of db1 is unknown" in decision["reason"]


def test_node_without_galera_data_is_left_out_and_named_when_others_have_state():
    decision = choose_bootstrap([("db1", fresh()), ("db2", stopped(25, safe=True)), ("db3", stopped(23))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"
    assert decision["reason"].endswith("; db1 never held Galera data and will join by state transfer")


def test_unseen_node_is_not_left_out_when_others_have_state():
    # grastate.dat deleted on the most advanced node: it must not drop out of the comparison
    decision = choose_bootstrap([("db1", stopped(21)), ("db2", stopped(23)), ("db3", unseen())])
    assert decision["action"] == REFUSE
    assert "the committed position of db3 is unknown" in decision["reason"]


def test_deleted_grastate_on_the_most_advanced_node_is_recovered_and_chosen():
    decision = choose_bootstrap([("db1", stopped(21)), ("db2", stopped(23)),
                                 ("db3", node(grastate=False, recovered=25))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db3"
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["restore_grastate"] == {"uuid": UUID, "seqno": 25}


# --------------------------------------------------------------------------- check mode and unknown positions

def test_check_mode_without_recovery_refuses_and_says_a_real_run_recovers():
    reason = CHECK_MODE + ": it starts the server on the datadir; a run without --check recovers the position"
    decision = choose_bootstrap([("db1", crashed(skipped_reason=reason)), ("db2", crashed(skipped_reason=reason)),
                                 ("db3", stopped(20))])
    assert decision["action"] == REFUSE
    assert decision["reason"] == ("the committed position of db1, db2 is unknown (%s); every node's position must "
                                  "be known before one is chosen, or force a node" % reason)
    assert decision["needs_recovery"] == ["db1", "db2"]


def test_different_reasons_for_unknown_positions_are_given_per_node():
    decision = choose_bootstrap([("db1", crashed(skipped_reason="check mode")), ("db2", crashed())])
    assert "db1: check mode; db2: %s" % NOT_RECOVERED in decision["reason"]


def test_result_without_recovery_details_says_what_to_run():
    result = crashed()
    del result["recovery"]
    decision = choose_bootstrap([("db1", result), ("db2", stopped(3))])
    assert decision["action"] == REFUSE
    assert "grastate.dat says seqno -1 and no position was recovered from InnoDB" in decision["reason"]


# --------------------------------------------------------------------------- grastate.dat and InnoDB disagree

def test_grastate_contradicting_the_recovered_uuid_refuses():
    odd = node(seqno=-1, grastate_uuid=OTHER_UUID, recovered=40)
    decision = choose_bootstrap([("db1", odd), ("db2", crashed(30))])
    assert decision["action"] == REFUSE
    assert decision["reason"].startswith("db1: grastate.dat names cluster state %s but InnoDB's recovered position "
                                         "is in %s" % (OTHER_UUID, UUID))
    assert decision["reason"].endswith("check by hand which data is right and force a node")


def test_grastate_naming_a_cluster_while_innodb_has_nothing_refuses():
    odd = node(seqno=-1, recovered={"uuid": ZERO_UUID, "seqno": -1})
    decision = choose_bootstrap([("db1", odd), ("db2", crashed(30))])
    assert decision["action"] == REFUSE
    assert "InnoDB holds no Galera position" in decision["reason"]


# --------------------------------------------------------------------------- empty grastate.dat (state transfer)

def test_interrupted_state_transfer_node_behind_is_not_a_problem():
    decision = choose_bootstrap([("db1", node(grastate="empty", recovered=10)), ("db2", stopped(25, safe=True))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"


def test_interrupted_state_transfer_node_never_wins():
    decision = choose_bootstrap([("db1", node(grastate="empty", recovered=30)), ("db2", stopped(25))])
    assert decision["action"] == REFUSE
    assert decision["reason"].startswith("db1 has the most advanced recovered position %s:30 (recovered) but its "
                                         "grastate.dat is empty" % UUID)


def test_empty_grastate_without_recovery_is_unknown():
    decision = choose_bootstrap([("db1", node(grastate="empty")), ("db2", stopped(25))])
    assert decision["action"] == REFUSE
    assert "the committed position of db1 is unknown" in decision["reason"]


# --------------------------------------------------------------------------- partitions

def test_running_node_cut_off_from_a_primary_component_points_at_the_network():
    cut_off = node(reachable=True, cluster_status="non-Primary", last_committed=30)
    decision = choose_bootstrap([("db1", cut_off), ("db2", primary()), ("db3", primary())])
    assert decision["action"] == JOIN
    assert decision["node"] == "db2"
    assert decision["reason"] == ("db2 is in a Primary component (component of 3): no bootstrap needed; db1 is "
                                  "running but cut off from it (component of 1): check the network between db1 and "
                                  "db2, they rejoin by themselves once they reach it")


# --------------------------------------------------------------------------- malformed input

@pytest.mark.parametrize("mutate, fragment", [
    pytest.param(lambda r: "not a dict", "db2: the status is str, expected a galera_cluster_status result",
                 id="string"),
    pytest.param(lambda r: dict(r, grastate="present"), "db2: grastate is 'present' (str), expected a dict",
                 id="grastate-string"),
    pytest.param(lambda r: dict(r, grastate=dict(r["grastate"], seqno="25")),
                 "db2: grastate.seqno is '25' (str), expected an integer", id="seqno-string"),
    pytest.param(lambda r: dict(r, grastate=dict(r["grastate"], seqno=True)),
                 "db2: grastate.seqno is True (bool), expected an integer", id="seqno-bool"),
    pytest.param(lambda r: dict(r, grastate=dict(r["grastate"], uuid=5)),
                 "db2: grastate.uuid is 5 (int), expected a UUID", id="uuid-int"),
    pytest.param(lambda r: dict(r, reachable="no"), "db2: reachable is 'no' (str), expected true or false",
                 id="reachable-string"),
    pytest.param(lambda r: dict(r, recovered=[1]), "db2: recovered is [1] (list), expected a dict",
                 id="recovered-list"),
    pytest.param(lambda r: dict(r, recovered={"uuid": UUID}), "db2: recovered.seqno is None (NoneType), "
                 "expected an integer", id="recovered-without-seqno"),
    pytest.param(lambda r: dict(r, galera=[]), "db2: galera is [] (list), expected a dict", id="galera-list"),
    pytest.param(lambda r: dict(r, galera={"last_committed": "7"}),
                 "db2: galera.last_committed is '7' (str), expected an integer", id="last-committed-string"),
    pytest.param(lambda r: dict(r, datadir="/var/lib/mysql"),
                 "db2: datadir is '/var/lib/mysql' (str), expected a dict", id="datadir-string"),
])
def test_malformed_status_names_the_host_and_field(mutate, fragment):
    with pytest.raises(ValueError) as exc:
        choose_bootstrap([("db1", stopped(5)), ("db2", mutate(stopped(6)))])
    assert str(exc.value).startswith(fragment), str(exc.value)


@pytest.mark.parametrize("nodes, fragment", [
    pytest.param("db1", "expected a list of (host, status) pairs, got str", id="string"),
    pytest.param({"db1": None}, "expected a list of (host, status) pairs, got dict", id="dict"),
    pytest.param([("db1",)], "expected (host, status) pairs with a host name", id="short-pair"),
    pytest.param([(1, None)], "expected (host, status) pairs with a host name", id="int-name"),
])
def test_malformed_node_list(nodes, fragment):
    with pytest.raises(ValueError) as exc:
        choose_bootstrap(nodes)
    assert str(exc.value).startswith(fragment)


# --------------------------------------------------------------------------- different histories

def test_different_uuids_refuse_naming_the_groups():
    decision = choose_bootstrap([
        ("db1", stopped(25)),
        ("db2", stopped(40, uuid=OTHER_UUID)),
        ("db3", stopped(23)),
    ])
    assert decision["action"] == REFUSE
    assert decision["node"] is None
    assert decision["reason"] == (
        "nodes disagree on the cluster state UUID: db2 holds %s up to seqno 40 (most advanced: db2); db1, db3 hold %s "
        "up to seqno 25 (most advanced: db1). The %s group is ahead by seqno, but seqnos of different histories do "
        "not compare: one history was started anew (a bootstrap with a new UUID or a restored backup); check which "
        "one holds the data you need and force a node of it" % (OTHER_UUID, UUID, OTHER_UUID))


def test_uuid_disagreement_between_live_and_recovered_positions():
    survivor = node(reachable=True, cluster_status="non-Primary", last_committed=30, uuid=OTHER_UUID)
    decision = choose_bootstrap([("db1", survivor), ("db2", crashed(40))])
    assert decision["action"] == REFUSE
    assert "db2 holds %s up to seqno 40" % UUID in decision["reason"]
    assert "db1 holds %s up to seqno 30" % OTHER_UUID in decision["reason"]


# --------------------------------------------------------------------------- crash without recovery

def test_seqno_minus_one_without_recovery_refuses_naming_the_node():
    decision = choose_bootstrap([("db1", stopped(25)), ("db2", crashed()), ("db3", crashed())])
    assert decision["action"] == REFUSE
    assert decision["node"] is None
    assert "the committed position of db2, db3 is unknown" in decision["reason"]
    assert "seqno -1" in decision["reason"]
    assert "recover=false" in decision["reason"]
    assert decision["needs_recovery"] == ["db2", "db3"]
    assert decision["positions"]["db2"] == {"uuid": UUID, "seqno": -1, "source": "unknown"}


def test_recovered_negative_position_still_refuses():
    decision = choose_bootstrap([("db1", crashed({"uuid": UUID, "seqno": -1})), ("db2", crashed(30))])
    assert decision["action"] == REFUSE
    assert "the committed position of db1 is unknown" in decision["reason"]


# --------------------------------------------------------------------------- clean full stop

def test_clean_full_stop_bootstraps_the_last_node_to_leave():
    decision = choose_bootstrap([("db1", stopped(21)), ("db2", stopped(23)), ("db3", stopped(25, safe=True))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db3"
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["node_running"] is False
    assert decision["forced"] is False
    assert decision["warnings"] == []
    assert decision["reason"] == ("db3 has the most advanced committed position %s:25 (grastate) "
                                  "and is marked safe_to_bootstrap" % UUID)
    assert decision["positions"] == {
        "db1": {"uuid": UUID, "seqno": 21, "source": "grastate"},
        "db2": {"uuid": UUID, "seqno": 23, "source": "grastate"},
        "db3": {"uuid": UUID, "seqno": 25, "source": "grastate"},
    }


# --------------------------------------------------------------------------- full crash

def test_full_crash_with_recovered_positions_picks_the_most_advanced():
    decision = choose_bootstrap([("db1", crashed(40)), ("db2", crashed(42)), ("db3", crashed(41))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"
    # the recovered position goes into grastate.dat with safe_to_bootstrap 1 instead
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["restore_grastate"] == {"uuid": UUID, "seqno": 42}
    assert decision["reason"] == "db2 has the most advanced committed position %s:42 (recovered)" % UUID
    assert decision["positions"]["db1"] == {"uuid": UUID, "seqno": 40, "source": "recovered"}


def test_mixed_sources_are_compared_by_seqno():
    decision = choose_bootstrap([("db1", stopped(41)), ("db2", crashed(44)), ("db3", crashed(43))])
    assert decision["node"] == "db2"
    assert decision["positions"]["db1"]["source"] == "grastate"
    assert decision["positions"]["db2"]["source"] == "recovered"


# --------------------------------------------------------------------------- ties

def test_tie_goes_to_the_safe_to_bootstrap_node():
    decision = choose_bootstrap([("db1", stopped(25)), ("db2", stopped(25, safe=True)), ("db3", stopped(20))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["reason"].endswith("and is marked safe_to_bootstrap")
    assert "tied" not in decision["reason"]


def test_tie_without_safe_node_goes_to_inventory_order():
    decision = choose_bootstrap([("db1", crashed(30)), ("db2", crashed(42)), ("db3", crashed(42))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"
    assert decision["restore_grastate"] == {"uuid": UUID, "seqno": 42}
    assert decision["reason"] == ("db2 has the most advanced committed position %s:42 (recovered); "
                                  "tied with db3, first in inventory order wins" % UUID)


def test_three_way_tie_names_both_others():
    decision = choose_bootstrap([("db3", crashed(7)), ("db1", crashed(7)), ("db2", crashed(7))])
    assert decision["node"] == "db3"
    assert "tied with db1, db2" in decision["reason"]


def test_single_most_advanced_node_not_safe_needs_safe_to_bootstrap():
    decision = choose_bootstrap([("db1", stopped(21)), ("db2", stopped(25))])
    assert decision["node"] == "db2"
    assert decision["needs_safe_to_bootstrap"] is True
    assert "tied" not in decision["reason"]
    assert "safe_to_bootstrap" not in decision["reason"]


# --------------------------------------------------------------------------- inconsistent safe_to_bootstrap

def test_safe_to_bootstrap_node_behind_refuses():
    decision = choose_bootstrap([("db1", stopped(21, safe=True)), ("db2", stopped(25)), ("db3", stopped(23))])
    assert decision["action"] == REFUSE
    assert decision["node"] is None
    assert decision["reason"] == ("db1 is marked safe_to_bootstrap but db2 is more advanced (25 > 21): "
                                  "inconsistent state, check by hand and force")


def test_safe_node_behind_refuses_even_when_another_candidate_is_safe():
    decision = choose_bootstrap([("db1", stopped(25, safe=True)), ("db2", stopped(21, safe=True))])
    assert decision["action"] == REFUSE
    assert decision["reason"].startswith("db2 is marked safe_to_bootstrap but db1 is more advanced (25 > 21)")


# --------------------------------------------------------------------------- running non-Primary survivor

def test_running_non_primary_survivor_ahead_of_killed_nodes():
    survivor = node(reachable=True, cluster_status="non-Primary", last_committed=57)
    decision = choose_bootstrap([("db1", crashed(55)), ("db2", survivor), ("db3", crashed(56))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"
    assert decision["node_running"] is True
    assert decision["reason"] == "db2 has the most advanced committed position %s:57 (live)" % UUID
    assert decision["positions"] == {
        "db1": {"uuid": UUID, "seqno": 55, "source": "recovered"},
        "db2": {"uuid": UUID, "seqno": 57, "source": "live"},
        "db3": {"uuid": UUID, "seqno": 56, "source": "recovered"},
    }


def test_killed_node_ahead_of_running_survivor():
    survivor = node(reachable=True, cluster_status="non-Primary", last_committed=50)
    decision = choose_bootstrap([("db1", survivor), ("db2", crashed(52)), ("db3", crashed(51))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"
    assert decision["node_running"] is False


def test_survivor_without_grastate_uses_its_live_position():
    survivor = node(reachable=True, cluster_status="non-Primary", last_committed=60, grastate=False)
    decision = choose_bootstrap([("db1", survivor), ("db2", stopped(59))])
    assert decision["node"] == "db1"
    assert decision["node_running"] is True
    assert decision["positions"]["db1"]["source"] == "live"


def test_running_survivor_needs_no_grastate_edit():
    survivor = node(reachable=True, cluster_status="non-Primary", last_committed=57)
    decision = choose_bootstrap([("db1", survivor), ("db2", crashed(57)), ("db3", crashed(57))])
    assert decision["node"] == "db1"
    assert decision["needs_safe_to_bootstrap"] is False


# --------------------------------------------------------------------------- recovered without grastate.dat

def test_recovered_positions_without_grastate_count_as_state():
    def recovered_only(seqno):
        return node(grastate=False, recovered=seqno)

    decision = choose_bootstrap([("db1", recovered_only(10)), ("db2", recovered_only(25)),
                                 ("db3", recovered_only(20))])
    assert decision["action"] == BOOTSTRAP
    assert decision["node"] == "db2"
    assert decision["positions"]["db2"] == {"uuid": UUID, "seqno": 25, "source": "recovered"}


def test_recovered_position_without_grastate_beats_a_lower_grastate():
    decision = choose_bootstrap([("db1", node(grastate=False, recovered=30)), ("db2", stopped(25)),
                                 ("db3", stopped(20))])
    assert decision["node"] == "db1"
    assert decision["needs_safe_to_bootstrap"] is False
    assert decision["restore_grastate"] == {"uuid": UUID, "seqno": 30}
