# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/galera.py (pure helpers, no server)."""

from __future__ import annotations

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import galera
from ansible_collections.stackops.openstack.plugins.module_utils.galera import (
    GaleraStateError,
)

UUID = "6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11"
OTHER_UUID = "9e4d3b2a-1c0f-11f0-8b7e-52540a1b2c3d"
GCOMM_UUID = "7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a"
ZERO = galera.ZERO_UUID

# What `SHOW GLOBAL STATUS LIKE 'wsrep\_%'` returns on a healthy MariaDB 10.11 node,
# as strings, with the names lower-cased the way query_map hands them over.
SYNCED_STATUS = {
    "wsrep_cluster_size": "3",
    "wsrep_cluster_conf_id": "7",
    "wsrep_cluster_status": "Primary",
    "wsrep_cluster_state_uuid": UUID,
    "wsrep_local_state_uuid": UUID,
    "wsrep_local_state": "4",
    "wsrep_local_state_comment": "Synced",
    "wsrep_last_committed": "1843",
    "wsrep_local_index": "0",
    "wsrep_ready": "ON",
    "wsrep_connected": "ON",
    "wsrep_flow_control_paused": "0.0125",
    "wsrep_local_recv_queue_avg": "0.5",
    "wsrep_local_send_queue_avg": "0",
    "wsrep_incoming_addresses": "10.0.0.11:3306,10.0.0.12:3306,10.0.0.13:3306",
    "wsrep_provider_name": "Galera",
    "wsrep_provider_version": "26.4.20(r7c0b1bd)",
    "wsrep_gcomm_uuid": GCOMM_UUID,
    "wsrep_evs_state": "OPERATIONAL",
}
VARIABLES = {
    "wsrep_on": "ON",
    "wsrep_provider": "/usr/lib/galera/libgalera_smm.so",
    "wsrep_cluster_name": "openstack_db",
    "wsrep_node_name": "db1",
    "wsrep_node_address": "10.0.0.11",
}


# --------------------------------------------------------------------------- parse_wsrep_status

def test_parse_wsrep_status_types_every_field():
    status = galera.parse_wsrep_status(SYNCED_STATUS, VARIABLES)
    assert status == {
        "cluster_size": 3,
        "cluster_conf_id": 7,
        "local_state": 4,
        "last_committed": 1843,
        "local_index": 0,
        "flow_control_paused": 0.0125,
        "local_recv_queue_avg": 0.5,
        "local_send_queue_avg": 0.0,
        "ready": True,
        "connected": True,
        "cluster_status": "Primary",
        "cluster_state_uuid": UUID,
        "local_state_uuid": UUID,
        "local_state_comment": "Synced",
        "provider_name": "Galera",
        "provider_version": "26.4.20(r7c0b1bd)",
        "gcomm_uuid": GCOMM_UUID,
        "incoming_addresses": ["10.0.0.11:3306", "10.0.0.12:3306", "10.0.0.13:3306"],
        "node_name": "db1",
        "node_address": "10.0.0.11",
        "cluster_name": "openstack_db",
    }
    for key in ("cluster_size", "cluster_conf_id", "local_state", "last_committed", "local_index"):
        assert isinstance(status[key], int) and not isinstance(status[key], bool), key
    for key in ("flow_control_paused", "local_recv_queue_avg", "local_send_queue_avg"):
        assert isinstance(status[key], float), key
    assert status["ready"] is True and status["connected"] is True


def test_parse_wsrep_status_accepts_integers_as_the_driver_may_return_them():
    status = galera.parse_wsrep_status({"wsrep_cluster_size": 3, "wsrep_flow_control_paused": 0,
                                        "wsrep_last_committed": " 12 "})
    assert status["cluster_size"] == 3
    assert status["flow_control_paused"] == 0.0 and isinstance(status["flow_control_paused"], float)
    assert status["last_committed"] == 12


def test_parse_wsrep_status_names_are_case_insensitive():
    raw = {name.upper(): value for name, value in SYNCED_STATUS.items()}
    variables = {"WSREP_NODE_NAME": "db1", "Wsrep_Cluster_Name": "openstack_db"}
    status = galera.parse_wsrep_status(raw, variables)
    assert status["cluster_size"] == 3
    assert status["cluster_status"] == "Primary"
    assert status["ready"] is True
    assert status["incoming_addresses"] == ["10.0.0.11:3306", "10.0.0.12:3306", "10.0.0.13:3306"]
    assert status["node_name"] == "db1"
    assert status["cluster_name"] == "openstack_db"


@pytest.mark.parametrize("raw", [None, {}])
def test_parse_wsrep_status_missing_fields_are_none(raw):
    status = galera.parse_wsrep_status(raw)
    expected_none = [key for key in status if key != "incoming_addresses"]
    assert len(expected_none) == 20
    assert all(status[key] is None for key in expected_none), status
    assert status["incoming_addresses"] == []


def test_parse_wsrep_status_empty_numbers_are_none():
    # A non-Primary node may report empty values for some counters.
    status = galera.parse_wsrep_status({"wsrep_cluster_size": "", "wsrep_flow_control_paused": "",
                                        "wsrep_cluster_status": "non-Primary"})
    assert status["cluster_size"] is None
    assert status["flow_control_paused"] is None
    assert status["cluster_status"] == "non-Primary"


@pytest.mark.parametrize("value, expected", [
    ("ON", True), ("on", True), ("1", True), ("YES", True), ("true", True), (" ON ", True), (1, True),
    ("OFF", False), ("0", False), ("", False), ("NO", False), (0, False),
])
def test_parse_wsrep_status_booleans(value, expected):
    status = galera.parse_wsrep_status({"wsrep_ready": value, "wsrep_connected": value})
    assert status["ready"] is expected
    assert status["connected"] is expected


@pytest.mark.parametrize("name, value, expected", [
    ("wsrep_cluster_size", "three", "wsrep_cluster_size is 'three', expected an integer"),
    ("wsrep_last_committed", "12.5", "wsrep_last_committed is '12.5', expected an integer"),
    ("wsrep_flow_control_paused", "n/a", "wsrep_flow_control_paused is 'n/a', expected a number"),
    ("wsrep_local_recv_queue_avg", "x", "wsrep_local_recv_queue_avg is 'x', expected a number"),
])
def test_parse_wsrep_status_bad_numbers_raise_naming_the_variable(name, value, expected):
    with pytest.raises(GaleraStateError) as exc:
        galera.parse_wsrep_status({name: value})
    assert str(exc.value) == expected


def test_galera_state_error_is_a_value_error():
    assert issubclass(GaleraStateError, ValueError)


@pytest.mark.parametrize("value, expected", [
    ("10.0.0.11:3306,10.0.0.12:3306", ["10.0.0.11:3306", "10.0.0.12:3306"]),
    ("10.0.0.11:3306,,10.0.0.13:3306", ["10.0.0.11:3306", "10.0.0.13:3306"]),
    (",10.0.0.12:3306,", ["10.0.0.12:3306"]),
    (" 10.0.0.11:3306 , 10.0.0.12:3306 ", ["10.0.0.11:3306", "10.0.0.12:3306"]),
    ("[fd00::11]:3306", ["[fd00::11]:3306"]),
    (",,", []),
    ("", []),
    (None, []),
])
def test_parse_addresses(value, expected):
    assert galera.parse_addresses(value) == expected


def test_parse_wsrep_status_incoming_addresses_with_unknown_members():
    status = galera.parse_wsrep_status({"wsrep_incoming_addresses": "10.0.0.11:3306,,"})
    assert status["incoming_addresses"] == ["10.0.0.11:3306"]


def test_parse_wsrep_status_empty_variables_become_none():
    status = galera.parse_wsrep_status(SYNCED_STATUS, {"wsrep_node_name": "", "wsrep_node_address": ""})
    assert status["node_name"] is None
    assert status["node_address"] is None
    assert status["cluster_name"] is None


def test_parse_wsrep_status_does_not_modify_its_input():
    raw = dict(SYNCED_STATUS)
    galera.parse_wsrep_status(raw, VARIABLES)
    assert raw == SYNCED_STATUS


# --------------------------------------------------------------------------- is_galera

@pytest.mark.parametrize("variables, expected", [
    ({"wsrep_on": "ON", "wsrep_provider": "/usr/lib/galera/libgalera_smm.so"}, True),
    ({"wsrep_on": "1", "wsrep_provider": "/usr/lib64/galera-4/libgalera_smm.so"}, True),
    ({"wsrep_on": "OFF", "wsrep_provider": "/usr/lib/galera/libgalera_smm.so"}, False),
    ({"wsrep_on": "ON", "wsrep_provider": "none"}, False),
    ({"wsrep_on": "ON", "wsrep_provider": "NONE"}, False),
    ({"wsrep_on": "ON", "wsrep_provider": ""}, False),
    ({"wsrep_on": "ON"}, False),
    ({"wsrep_provider": "/usr/lib/galera/libgalera_smm.so"}, False),
    ({}, False),
])
def test_is_galera(variables, expected):
    assert galera.is_galera(variables) is expected


@pytest.mark.parametrize("variables, expected", [
    ({"wsrep_on": "OFF", "wsrep_provider": "none"}, "wsrep_on=OFF, wsrep_provider=none"),
    ({"wsrep_on": "ON", "wsrep_provider": "none"}, "wsrep_on=ON, wsrep_provider=none"),
    ({}, "wsrep_on=unset, wsrep_provider=unset"),
])
def test_not_galera_reason(variables, expected):
    assert galera.not_galera_reason(variables) == expected


def test_wsrep_variables_never_include_the_sst_secret():
    assert "wsrep_sst_auth" not in galera.WSREP_VARIABLES
    assert {"wsrep_on", "wsrep_provider", "wsrep_node_name"} <= set(galera.WSREP_VARIABLES)


# --------------------------------------------------------------------------- parse_grastate

GRASTATE_CLEAN = """# GALERA saved state
version: 2.1
uuid:    6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11
seqno:   1843
safe_to_bootstrap: 1
"""

GRASTATE_CRASHED = """# GALERA saved state
version: 2.1
uuid:    6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11
seqno:   -1
safe_to_bootstrap: 0
"""

# Galera 3 / older 2.1 writers have no safe_to_bootstrap line.
GRASTATE_NO_SAFE = """# GALERA saved state
version: 2.1
uuid:    6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11
seqno:   25
cert_index:
"""


def test_parse_grastate_clean_stop():
    assert galera.parse_grastate(GRASTATE_CLEAN) == {
        "version": "2.1", "uuid": UUID, "seqno": 1843, "safe_to_bootstrap": True, "warnings": [],
    }


def test_parse_grastate_crash():
    state = galera.parse_grastate(GRASTATE_CRASHED)
    assert state == {"version": "2.1", "uuid": UUID, "seqno": -1, "safe_to_bootstrap": False, "warnings": []}
    assert isinstance(state["seqno"], int)


def test_parse_grastate_without_safe_to_bootstrap_line_is_safe_as_galera_assumes():
    # galera/src/saved_state.cpp starts with safe_to_bootstrap_(true) and only a line changes it
    state = galera.parse_grastate(GRASTATE_NO_SAFE)
    assert state["safe_to_bootstrap"] is True
    assert state["seqno"] == 25
    assert state["warnings"] == ["grastate.dat line 5 'cert_index:' is not a setting Galera knows; Galera ignores it"]


def test_parse_grastate_new_node_with_zero_uuid():
    text = "# GALERA saved state\nversion: 2.1\nuuid:    %s\nseqno:   -1\nsafe_to_bootstrap: 0\n" % ZERO
    assert galera.parse_grastate(text)["uuid"] == ZERO


def test_parse_grastate_without_version_and_with_crlf_and_blank_lines():
    text = "\r\nuuid: %s\r\n\r\nseqno: 7\r\n" % UUID
    assert galera.parse_grastate(text) == {"version": None, "uuid": UUID, "seqno": 7,
                                           "safe_to_bootstrap": True, "warnings": []}


@pytest.mark.parametrize("text, expected", [
    # Galera's SavedState loop assigns every line it reads: the last one counts. Seen on
    # MariaDB 10.11 + Galera 26.4 (tests/integration/targets/galera_cluster_status): with
    # "safe_to_bootstrap: 1" then "safe_to_bootstrap: 0" the server refuses to bootstrap.
    pytest.param(GRASTATE_CLEAN + "seqno: 99\n", {"seqno": 99}, id="seqno"),
    pytest.param(GRASTATE_CLEAN + "safe_to_bootstrap: 0\n", {"safe_to_bootstrap": False}, id="safe"),
    pytest.param(GRASTATE_CLEAN + "uuid: %s\n" % OTHER_UUID, {"uuid": OTHER_UUID}, id="uuid"),
])
def test_parse_grastate_last_value_wins_like_galera(text, expected):
    state = galera.parse_grastate(text, "/var/lib/mysql/grastate.dat")
    for key, value in expected.items():
        assert state[key] == value
    assert len(state["warnings"]) == 1
    key = list(expected)[0]
    assert "sets %s on line" % key in state["warnings"][0] and "Galera uses the last one" in state["warnings"][0]


def test_parse_grastate_ignores_a_last_line_without_newline_like_galera():
    # getline() then good() in SavedState: the unterminated last line is never used.
    # Seen on the lab: "safe_to_bootstrap: 1\nsafe_to_bootstrap: 0" without "\n" bootstraps.
    text = GRASTATE_CLEAN + "safe_to_bootstrap: 0"
    state = galera.parse_grastate(text)
    assert state["safe_to_bootstrap"] is True
    assert state["warnings"] == ["grastate.dat: the last line 'safe_to_bootstrap: 0' has no newline at its end, "
                                 "so Galera does not read it"]


@pytest.mark.parametrize("text, expected, warning", [
    pytest.param("version: 2.1\nseqno: 5\nsafe_to_bootstrap: 0\n", {"uuid": ZERO, "seqno": 5},
                 "has no uuid line", id="missing-uuid"),
    pytest.param("version: 2.1\nuuid: %s\nsafe_to_bootstrap: 0\n" % UUID, {"uuid": UUID, "seqno": -1},
                 "has no seqno line", id="missing-seqno"),
    # Galera reads the key as the first word: "uuid" without the colon is not the uuid line
    pytest.param("version: 2.1\nuuid %s\nseqno: 5\n" % UUID, {"uuid": ZERO}, "is not a setting Galera knows",
                 id="line-without-colon"),
    pytest.param("version: 2.1\nuuid:%s\nseqno: 5\n" % UUID, {"uuid": ZERO}, "is not a setting Galera knows",
                 id="no-space-after-colon"),
])
def test_parse_grastate_missing_lines_read_as_galera_does(text, expected, warning):
    state = galera.parse_grastate(text)
    for key, value in expected.items():
        assert state[key] == value
    assert any(warning in item for item in state["warnings"]), state["warnings"]


@pytest.mark.parametrize("text, fragments", [
    pytest.param("version: 2.1\nuuid: not-a-uuid\nseqno: 5\n",
                 ["/var/lib/mysql/grastate.dat", "'not-a-uuid'", "expected a UUID"], id="bad-uuid"),
    pytest.param("version: 2.1\nuuid: %s\nseqno: 5\n" % UUID.upper(),
                 [repr(UUID.upper()), "expected a UUID"], id="uppercase-uuid"),
    pytest.param("version: 2.1\nuuid: %s\nseqno: twelve\n" % UUID,
                 ["/var/lib/mysql/grastate.dat seqno", "'twelve'", "expected an integer"], id="bad-seqno"),
    pytest.param("version: 2.1\nuuid: %s\nseqno: \n" % UUID,
                 ["/var/lib/mysql/grastate.dat", "seqno line without a value"], id="empty-seqno"),
    pytest.param("version: 2.1\nuuid: %s\nseqno: 5\nsafe_to_bootstrap: 2\n" % UUID,
                 ["/var/lib/mysql/grastate.dat", "safe_to_bootstrap '2'", "expected 0 or 1"],
                 id="safe-to-bootstrap-2"),
])
def test_parse_grastate_malformed(text, fragments):
    with pytest.raises(GaleraStateError) as exc:
        galera.parse_grastate(text, "/var/lib/mysql/grastate.dat")
    for fragment in fragments:
        assert fragment in str(exc.value)


# --------------------------------------------------------------------------- parse_gvwstate

GVWSTATE = """my_uuid: 7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a
#vwbeg
view_id: 3 7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a 5
bootstrap: 0
member: 7f3e0a3c-7d0c-11ef-8a33-3b6a4d0e1c2a 0
member: 8a1b2c3d-7d0c-11ef-9b44-4c7b5e1f2d3b 0
member: 9c2d3e4f-7d0c-11ef-ac55-5d8c6f203e4c 0
#vwend
"""


def test_parse_gvwstate():
    assert galera.parse_gvwstate(GVWSTATE) == {
        "my_uuid": GCOMM_UUID,
        "view_id": {"type": 3, "uuid": GCOMM_UUID, "seqno": 5},
        "bootstrap": False,
        "members": [GCOMM_UUID, "8a1b2c3d-7d0c-11ef-9b44-4c7b5e1f2d3b",
                    "9c2d3e4f-7d0c-11ef-ac55-5d8c6f203e4c"],
        "warnings": [],
    }


def test_parse_gvwstate_bootstrapped_single_member_with_leading_space():
    # MariaDB writes " my_uuid:" with a leading space on some versions.
    text = (" my_uuid: %s\n#vwbeg\nview_id: 3 %s 1\nbootstrap: 1\nmember: %s 0\n#vwend\n"
            % (GCOMM_UUID, GCOMM_UUID, GCOMM_UUID))
    state = galera.parse_gvwstate(text)
    assert state["bootstrap"] is True
    assert state["members"] == [GCOMM_UUID]
    assert state["view_id"]["seqno"] == 1


def test_parse_gvwstate_without_members():
    text = "my_uuid: %s\nview_id: 3 %s 2\n" % (GCOMM_UUID, GCOMM_UUID)
    state = galera.parse_gvwstate(text)
    assert state["members"] == []
    assert state["bootstrap"] is False


@pytest.mark.parametrize("text, fragments", [
    pytest.param("#vwbeg\nview_id: 3 %s 5\n#vwend\n" % GCOMM_UUID,
                 ["/var/lib/mysql/gvwstate.dat", "no my_uuid or view_id line"], id="missing-my-uuid"),
    pytest.param("my_uuid: %s\n#vwbeg\nbootstrap: 0\n#vwend\n" % GCOMM_UUID,
                 ["no my_uuid or view_id line"], id="missing-view-id"),
    pytest.param("my_uuid: %s\nview_id: 3 %s\n" % (GCOMM_UUID, GCOMM_UUID),
                 ["no my_uuid or view_id line"], id="view-id-two-fields"),
    pytest.param("my_uuid: %s\nview_id: x %s 5\n" % (GCOMM_UUID, GCOMM_UUID),
                 ["/var/lib/mysql/gvwstate.dat view type", "'x'", "expected an integer"], id="bad-view-type"),
    pytest.param("my_uuid: %s\nview_id: 3 %s five\n" % (GCOMM_UUID, GCOMM_UUID),
                 ["/var/lib/mysql/gvwstate.dat view seqno", "'five'"], id="bad-view-seqno"),
    pytest.param("my_uuid %s\n" % GCOMM_UUID,
                 ["/var/lib/mysql/gvwstate.dat", "no my_uuid or view_id line"], id="line-without-colon"),
])
def test_parse_gvwstate_malformed(text, fragments):
    with pytest.raises(GaleraStateError) as exc:
        galera.parse_gvwstate(text, "/var/lib/mysql/gvwstate.dat")
    for fragment in fragments:
        assert fragment in str(exc.value)


# --------------------------------------------------------------------------- parse_recovered_position

RECOVER_OUTPUT = """\
2026-11-23  0:12:00 0 [Note] Starting MariaDB 10.11.11-MariaDB-0+deb12u1 source revision as process 4242
2026-11-23  0:12:00 0 [Note] InnoDB: Compressed tables use zlib 1.2.13
2026-11-23  0:12:01 0 [Note] InnoDB: Starting crash recovery from checkpoint LSN=46846
2026-11-23  0:12:01 0 [Note] InnoDB: 10.11.11 started; log sequence number 47012; transaction id 31
2026-11-23  0:12:01 0 [Note] WSREP: Recovered position: 6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11:25
"""


def test_parse_recovered_position_mariadb_output():
    assert galera.parse_recovered_position(RECOVER_OUTPUT) == {"uuid": UUID, "seqno": 25}


def test_parse_recovered_position_mysql_wsrep_style_without_colon():
    line = "2026-11-23T00:12:01.123456Z 0 [Note] [MY-000000] [Galera] WSREP: Recovered position %s:1843" % UUID
    assert galera.parse_recovered_position(line) == {"uuid": UUID, "seqno": 1843}


@pytest.mark.parametrize("output", [
    "",
    None,
    "2026-11-23  0:12:01 0 [ERROR] InnoDB: Unable to lock ./ibdata1 error: 11\n",
    "WSREP: Recovered position: not-a-position\n",
])
def test_parse_recovered_position_none_found(output):
    assert galera.parse_recovered_position(output) is None


def test_parse_recovered_position_last_line_wins():
    output = RECOVER_OUTPUT + (
        "2026-11-23  0:12:02 0 [Note] WSREP: Recovered position: %s:31\n" % OTHER_UUID)
    assert galera.parse_recovered_position(output) == {"uuid": OTHER_UUID, "seqno": 31}


def test_parse_recovered_position_negative_seqno():
    output = "2026-11-23  0:12:01 0 [Note] WSREP: Recovered position: %s:-1\n" % ZERO
    recovered = galera.parse_recovered_position(output)
    assert recovered == {"uuid": ZERO, "seqno": -1}
    assert isinstance(recovered["seqno"], int)


# --------------------------------------------------------------------------- has_state

@pytest.mark.parametrize("grastate, expected", [
    ({"uuid": UUID, "seqno": 25}, True),
    ({"uuid": UUID, "seqno": -1}, True),
    ({"uuid": ZERO, "seqno": -1}, False),
    ({"uuid": None}, False),
    ({"seqno": 3}, False),
    ({}, False),
    (None, False),
])
def test_has_state(grastate, expected):
    assert galera.has_state(grastate) is expected


# --------------------------------------------------------------------------- effective_position

LIVE = {"last_committed": 1843, "local_state_uuid": UUID, "cluster_state_uuid": UUID}
GRASTATE = {"uuid": UUID, "seqno": 1800, "safe_to_bootstrap": False}
RECOVERED = {"uuid": UUID, "seqno": 1700}


@pytest.mark.parametrize("live, grastate, recovered, expected", [
    pytest.param(LIVE, GRASTATE, RECOVERED, {"uuid": UUID, "seqno": 1843, "source": "live"},
                 id="live-wins"),
    pytest.param({"last_committed": 0, "local_state_uuid": UUID}, {}, None,
                 {"uuid": UUID, "seqno": 0, "source": "live"}, id="live-seqno-zero"),
    pytest.param({"last_committed": 9, "local_state_uuid": None, "cluster_state_uuid": OTHER_UUID}, {}, None,
                 {"uuid": OTHER_UUID, "seqno": 9, "source": "live"}, id="live-falls-back-to-cluster-uuid"),
    pytest.param({"last_committed": 9, "local_state_uuid": ZERO, "cluster_state_uuid": ZERO}, GRASTATE, None,
                 {"uuid": UUID, "seqno": 1800, "source": "grastate"}, id="live-zero-uuid-ignored"),
    pytest.param({"last_committed": -1, "local_state_uuid": UUID}, GRASTATE, None,
                 {"uuid": UUID, "seqno": 1800, "source": "grastate"}, id="live-negative-ignored"),
    pytest.param({"last_committed": None, "local_state_uuid": UUID}, GRASTATE, None,
                 {"uuid": UUID, "seqno": 1800, "source": "grastate"}, id="live-missing-counter"),
    pytest.param({}, GRASTATE, RECOVERED, {"uuid": UUID, "seqno": 1800, "source": "grastate"},
                 id="grastate-beats-recovered"),
    pytest.param(None, dict(GRASTATE, seqno=-1), RECOVERED, {"uuid": UUID, "seqno": 1700, "source": "recovered"},
                 id="crash-recovered"),
    pytest.param(None, {}, RECOVERED, {"uuid": UUID, "seqno": 1700, "source": "recovered"},
                 id="no-grastate-recovered"),
    pytest.param(None, {"uuid": ZERO, "seqno": -1}, RECOVERED, {"uuid": UUID, "seqno": 1700, "source": "recovered"},
                 id="zero-grastate-recovered"),
    pytest.param(None, dict(GRASTATE, seqno=-1), None, {"uuid": UUID, "seqno": -1, "source": "unknown"},
                 id="crash-not-recovered"),
    pytest.param(None, dict(GRASTATE, seqno=-1), {"uuid": UUID, "seqno": -1},
                 {"uuid": UUID, "seqno": -1, "source": "unknown"}, id="recovered-negative"),
    # InnoDB holds no Galera position and no grastate.dat names a cluster: positively never a member
    pytest.param(None, {}, {"uuid": ZERO, "seqno": -1}, {"uuid": None, "seqno": -1, "source": "none"},
                 id="recovered-nothing"),
    pytest.param(None, {"uuid": ZERO, "seqno": -1}, {"uuid": ZERO, "seqno": -1},
                 {"uuid": None, "seqno": -1, "source": "none"}, id="zero-grastate-recovered-nothing"),
    # Without recovery a missing or all-zero grastate.dat proves nothing: the data may be there
    pytest.param(None, {"uuid": ZERO, "seqno": -1}, None, {"uuid": None, "seqno": -1, "source": "unknown"},
                 id="zero-grastate-not-recovered"),
    pytest.param(None, {}, None, {"uuid": None, "seqno": -1, "source": "unknown"}, id="nothing"),
    # grastate.dat and InnoDB disagree: neither is trusted
    pytest.param(None, dict(GRASTATE, seqno=-1), {"uuid": OTHER_UUID, "seqno": 1900},
                 {"uuid": UUID, "seqno": -1, "source": "unknown"}, id="recovered-other-uuid"),
    pytest.param(None, dict(GRASTATE, seqno=-1), {"uuid": ZERO, "seqno": -1},
                 {"uuid": UUID, "seqno": -1, "source": "unknown"}, id="grastate-names-cluster-innodb-nothing"),
])
def test_effective_position(live, grastate, recovered, expected):
    assert galera.effective_position(live, grastate, recovered) == expected


@pytest.mark.parametrize("grastate, recovered, expected", [
    pytest.param({}, None, "none", id="empty-datadir-no-grastate"),
    pytest.param({"uuid": ZERO, "seqno": -1}, None, "none", id="empty-datadir-zero-grastate"),
    pytest.param(dict(GRASTATE, seqno=-1), None, "unknown", id="empty-datadir-but-grastate-names-a-cluster"),
    pytest.param(GRASTATE, None, "grastate", id="grastate-position-kept"),
])
def test_effective_position_empty_datadir(grastate, recovered, expected):
    assert galera.effective_position(None, grastate, recovered, "empty")["source"] == expected


def test_effective_position_server_datadir_without_grastate_is_unknown():
    assert galera.effective_position(None, {}, None, "server")["source"] == "unknown"


@pytest.mark.parametrize("status, grastate, expected", [
    pytest.param("absent", {}, True, id="absent"),
    pytest.param("empty", {}, True, id="empty"),
    pytest.param("present", {"uuid": ZERO, "seqno": -1}, True, id="zero-uuid"),
    pytest.param("present", {"uuid": ZERO, "seqno": 12}, True, id="zero-uuid-with-seqno"),
    pytest.param("present", dict(GRASTATE, seqno=-1), True, id="crash"),
    pytest.param("present", GRASTATE, False, id="clean-stop"),
])
def test_recovery_needed(status, grastate, expected):
    assert galera.recovery_needed(status, grastate) is expected


@pytest.mark.parametrize("grastate, recovered, fragment", [
    pytest.param(dict(GRASTATE, seqno=-1), {"uuid": OTHER_UUID, "seqno": 3},
                 "grastate.dat names cluster state %s but InnoDB's recovered position is in %s" % (UUID, OTHER_UUID),
                 id="other-uuid"),
    pytest.param(dict(GRASTATE, seqno=-1), {"uuid": ZERO, "seqno": -1},
                 "grastate.dat names cluster state %s but InnoDB holds no Galera position" % UUID, id="innodb-nothing"),
])
def test_state_conflict(grastate, recovered, fragment):
    assert fragment in galera.state_conflict(grastate, recovered)


@pytest.mark.parametrize("grastate, recovered", [
    pytest.param(dict(GRASTATE, seqno=-1), RECOVERED, id="same-uuid"),
    pytest.param({}, {"uuid": OTHER_UUID, "seqno": 3}, id="no-grastate"),
    pytest.param({"uuid": ZERO, "seqno": -1}, {"uuid": OTHER_UUID, "seqno": 3}, id="zero-grastate"),
    pytest.param(GRASTATE, None, id="not-recovered"),
])
def test_no_state_conflict(grastate, recovered):
    assert galera.state_conflict(grastate, recovered) is None


# --------------------------------------------------------------------------- assess

HEALTHY = galera.parse_wsrep_status(SYNCED_STATUS, VARIABLES)


def test_assess_healthy():
    assert galera.assess(True, HEALTHY, expected_cluster_size=3) == []
    assert galera.assess(True, HEALTHY) == []


@pytest.mark.parametrize("changes, expected", [
    ({"cluster_status": "non-Primary"}, "node is non-Primary (component of 3): it is cut off "
     "from the Primary component, or no Primary component remains (quorum lost)"),
    ({"cluster_status": "Disconnected"}, "node is disconnected from the cluster"),
    ({"cluster_status": "Garbage"}, "node reports cluster status 'Garbage', expected Primary"),
    ({"cluster_status": None}, "node reports cluster status None, expected Primary"),
    ({"connected": False}, "node is not connected to the group (wsrep_connected=OFF)"),
    ({"local_state_comment": "Donor/Desynced"}, "node is Donor/Desynced, not Synced"),
    ({"local_state_comment": "Joining: receiving State Transfer"},
     "node is Joining: receiving State Transfer, not Synced"),
    ({"ready": False}, "node does not accept queries (wsrep_ready=OFF)"),
    ({"cluster_size": 2}, "cluster size 2, expected 3"),
    ({"cluster_size": None}, "cluster size None, expected 3"),
    ({"flow_control_paused": 0.37}, "flow control paused 37% of the time"),
    ({"flow_control_paused": 1.0}, "flow control paused 100% of the time"),
])
def test_assess_each_problem(changes, expected):
    live = dict(HEALTHY, **changes)
    assert galera.assess(True, live, expected_cluster_size=3, max_flow_control_paused=0.1) == [expected]


@pytest.mark.parametrize("changes", [
    {"connected": None},
    {"ready": None},
    {"local_state_comment": None},
    {"local_state_comment": ""},
    {"flow_control_paused": None},
    {"flow_control_paused": 0.1},
])
def test_assess_unknown_or_borderline_values_are_not_problems(changes):
    assert galera.assess(True, dict(HEALTHY, **changes), max_flow_control_paused=0.1) == []


def test_assess_flow_control_threshold_none_disables_the_check():
    live = dict(HEALTHY, flow_control_paused=0.99)
    assert galera.assess(True, live, max_flow_control_paused=None) == []
    assert galera.assess(True, live, max_flow_control_paused=0.1) == ["flow control paused 99% of the time"]


def test_assess_size_not_checked_without_expected_size():
    assert galera.assess(True, dict(HEALTHY, cluster_size=1)) == []


def test_assess_quorum_loss_lists_every_problem_in_order():
    live = dict(HEALTHY, cluster_status="non-Primary", local_state_comment="Initialized", ready=False,
                cluster_size=1, flow_control_paused=0.5)
    assert galera.assess(True, live, expected_cluster_size=3) == [
        "node is non-Primary (component of 1): it is cut off from the Primary component, or no Primary component "
        "remains (quorum lost)",
        "node is Initialized, not Synced",
        "node does not accept queries (wsrep_ready=OFF)",
        "cluster size 1, expected 3",
        "flow control paused 50% of the time",
    ]


@pytest.mark.parametrize("error, expected", [
    ("cannot connect to db1:3306: Connection refused",
     "server is not reachable: cannot connect to db1:3306: Connection refused"),
    (None, "server is not reachable: no connection"),
])
def test_assess_unreachable(error, expected):
    assert galera.assess(False, {}, expected_cluster_size=3, connection_error=error) == [expected]


# --------------------------------------------------------------------------- unmet_conditions

SYNCED_LIVE = {"local_state": 4, "local_state_comment": "Synced", "ready": True, "cluster_status": "Primary",
               "cluster_size": 3}


@pytest.mark.parametrize("conditions", [
    [], ["synced"], ["primary"], ["size"], ["synced", "primary", "size"],
])
def test_unmet_conditions_all_met(conditions):
    assert galera.unmet_conditions(conditions, True, SYNCED_LIVE, expected_cluster_size=3) == []


@pytest.mark.parametrize("condition, reachable, changes, expected", [
    ("synced", True, {"local_state": 2, "local_state_comment": "Donor/Desynced"},
     "synced (node is Donor/Desynced)"),
    ("synced", True, {"ready": False}, "synced (node is Synced)"),
    ("synced", True, {"ready": None}, "synced (node is Synced)"),
    ("synced", True, {"local_state": None, "local_state_comment": None}, "synced (node is unreachable)"),
    ("synced", False, {}, "synced (node is Synced)"),
    ("primary", True, {"cluster_status": "non-Primary"}, "primary (node is non-Primary)"),
    ("primary", False, {}, "primary (node is Primary)"),
    ("size", True, {"cluster_size": 2}, "size 3 (cluster size is 2)"),
    ("size", False, {}, "size 3 (cluster size is 3)"),
])
def test_unmet_conditions_each_unmet(condition, reachable, changes, expected):
    live = dict(SYNCED_LIVE, **changes)
    assert galera.unmet_conditions([condition], reachable, live, expected_cluster_size=3) == [expected]


def test_unmet_conditions_unreachable_without_live_state():
    assert galera.unmet_conditions(["synced", "primary", "size"], False, None, expected_cluster_size=3) == [
        "synced (node is unreachable)",
        "primary (node is unreachable)",
        "size 3 (cluster size is None)",
    ]


def test_unmet_conditions_unknown_condition():
    with pytest.raises(ValueError) as exc:
        galera.unmet_conditions(["synced", "quorum"], True, SYNCED_LIVE, expected_cluster_size=3)
    assert "'quorum'" in str(exc.value)
    assert "synced, primary, size" in str(exc.value)


def test_wait_conditions():
    assert galera.WAIT_CONDITIONS == ("synced", "primary", "size")
