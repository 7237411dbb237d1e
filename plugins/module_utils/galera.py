# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Pure helpers that turn a Galera node's raw state into typed facts and a verdict.

Nothing here talks to a server or touches the module object, so every branch is
unit-tested with plain values: the module feeds in what it read.
"""

from __future__ import annotations

import re

ZERO_UUID = "00000000-0000-0000-0000-000000000000"
SYNCED_STATE = 4

# wsrep status variables that get a type; everything else stays in the raw map.
_INT_FIELDS = {
    "cluster_size": "wsrep_cluster_size",
    "cluster_conf_id": "wsrep_cluster_conf_id",
    "local_state": "wsrep_local_state",
    "last_committed": "wsrep_last_committed",
    "local_index": "wsrep_local_index",
}
_FLOAT_FIELDS = {
    "flow_control_paused": "wsrep_flow_control_paused",
    "local_recv_queue_avg": "wsrep_local_recv_queue_avg",
    "local_send_queue_avg": "wsrep_local_send_queue_avg",
}
_BOOL_FIELDS = {
    "ready": "wsrep_ready",
    "connected": "wsrep_connected",
}
_STR_FIELDS = {
    "cluster_status": "wsrep_cluster_status",
    "cluster_state_uuid": "wsrep_cluster_state_uuid",
    "local_state_uuid": "wsrep_local_state_uuid",
    "local_state_comment": "wsrep_local_state_comment",
    "provider_name": "wsrep_provider_name",
    "provider_version": "wsrep_provider_version",
    "gcomm_uuid": "wsrep_gcomm_uuid",
}
# Server variables (not status) the verdict and the report need. Listed one by one
# so that secrets such as wsrep_sst_auth are never read.
WSREP_VARIABLES = (
    "wsrep_on",
    "wsrep_provider",
    "wsrep_cluster_name",
    "wsrep_cluster_address",
    "wsrep_node_name",
    "wsrep_node_address",
    "wsrep_sst_method",
    "version",
    "version_comment",
)

WAIT_CONDITIONS = ("synced", "primary", "size")


class GaleraStateError(ValueError):
    """A state file or status value that cannot be understood."""


def _to_int(value, name):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise GaleraStateError("%s is %r, expected an integer" % (name, value))


def _to_float(value, name):
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        raise GaleraStateError("%s is %r, expected a number" % (name, value))


def _to_bool(value):
    return str(value).strip().upper() in ("ON", "1", "YES", "TRUE")


def parse_addresses(value):
    """wsrep_incoming_addresses is a comma list; empty entries mean 'not known yet'."""
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def is_galera(variables):
    """A server is a Galera node when wsrep is on and a provider library is loaded."""
    provider = str(variables.get("wsrep_provider", "none")).strip().lower()
    return _to_bool(variables.get("wsrep_on", "OFF")) and provider not in ("", "none")


def not_galera_reason(variables):
    return "wsrep_on=%s, wsrep_provider=%s" % (
        variables.get("wsrep_on", "unset"),
        variables.get("wsrep_provider", "unset"),
    )


def parse_wsrep_status(raw_status, variables=None):
    """Type the `SHOW GLOBAL STATUS LIKE 'wsrep_%'` map (names as the server gives them).

    Missing variables become None rather than an error: older providers and
    non-Primary nodes do not report every field.
    """
    raw = {str(k).lower(): v for k, v in (raw_status or {}).items()}
    variables = {str(k).lower(): v for k, v in (variables or {}).items()}
    status = {}
    for key, name in _INT_FIELDS.items():
        status[key] = _to_int(raw[name], name) if raw.get(name) not in (None, "") else None
    for key, name in _FLOAT_FIELDS.items():
        status[key] = _to_float(raw[name], name) if raw.get(name) not in (None, "") else None
    for key, name in _BOOL_FIELDS.items():
        status[key] = _to_bool(raw[name]) if name in raw else None
    for key, name in _STR_FIELDS.items():
        status[key] = str(raw[name]) if name in raw else None
    status["incoming_addresses"] = parse_addresses(raw.get("wsrep_incoming_addresses"))
    status["node_name"] = variables.get("wsrep_node_name") or None
    status["node_address"] = variables.get("wsrep_node_address") or None
    status["cluster_name"] = variables.get("wsrep_cluster_name") or None
    return status


def _read_like_galera(text, source, single_keys, list_keys=()):
    """Read a Galera state file the way Galera itself does.

    Galera (codership/galera 4.x: galera/src/saved_state.cpp for grastate.dat,
    gcomm/src/view.cpp for gvwstate.dat) takes the first whitespace-separated word of
    each line as the key, lets a later line override an earlier one, skips lines it
    does not know and never sees a last line without a newline (its getline loop
    stops at end of file). Matching that is what makes our reading the server's.
    Returns ``(values, warnings)``: each value is the list of words after the key
    (a list of such lists for ``list_keys``).
    """
    values, lines_seen, warnings = {}, {}, []
    lines = text.split("\n")
    if lines[-1].strip():
        warnings.append("%s: the last line %r has no newline at its end, so Galera does not read it"
                        % (source, lines[-1][:80]))
    for lineno, line in enumerate(lines[:-1], 1):
        words = line.split()
        if not words or words[0].startswith("#"):
            continue
        key = words[0][:-1] if words[0].endswith(":") else None
        if key in list_keys:
            values.setdefault(key, []).append(words[1:])
            continue
        if key not in single_keys:
            warnings.append("%s line %d %r is not a setting Galera knows; Galera ignores it"
                            % (source, lineno, line.strip()[:80]))
            continue
        if key in lines_seen:
            warnings.append("%s sets %s on line %d and again on line %d; Galera uses the last one"
                            % (source, key, lines_seen[key], lineno))
        values[key] = words[1:]
        lines_seen[key] = lineno
    return values, warnings


_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def _first_word(values, key, source):
    words = values.get(key)
    if words is None:
        return None
    if not words:
        raise GaleraStateError("%s has a %s line without a value" % (source, key))
    return words[0]


def _check_uuid(value, source):
    if not _UUID_RE.match(value):
        raise GaleraStateError("%s has uuid %r, expected a UUID" % (source, value))
    return value


def parse_grastate(text, source="grastate.dat"):
    """Parse grastate.dat: the node's saved position and whether it may bootstrap.

    Read as Galera reads it (see _read_like_galera). What Galera assumes for a missing
    line is used too: no uuid is the undefined (all-zero) UUID, no seqno is -1, and no
    safe_to_bootstrap line means 1 (SavedState's initial value). Values Galera would
    misread (a seqno that is not a number) are errors here rather than guesses.
    """
    values, warnings = _read_like_galera(text, source, ("version", "uuid", "seqno", "safe_to_bootstrap"))
    uuid = _first_word(values, "uuid", source)
    seqno = _first_word(values, "seqno", source)
    safe = _first_word(values, "safe_to_bootstrap", source)
    if safe not in (None, "0", "1"):
        raise GaleraStateError("%s has safe_to_bootstrap %r, expected 0 or 1" % (source, safe))
    if uuid is None:
        warnings.append("%s has no uuid line: Galera reads it as no saved state" % source)
    if seqno is None:
        warnings.append("%s has no seqno line: Galera reads it as seqno -1" % source)
    return {
        "version": _first_word(values, "version", source),
        "uuid": ZERO_UUID if uuid is None else _check_uuid(uuid, source),
        "seqno": -1 if seqno is None else _to_int(seqno, source + " seqno"),
        "safe_to_bootstrap": safe != "0",
        "warnings": warnings,
    }


def parse_gvwstate(text, source="gvwstate.dat"):
    """Parse gvwstate.dat: the last Primary component view this node saw."""
    values, warnings = _read_like_galera(text, source, ("my_uuid", "view_id", "bootstrap"), ("member",))
    view = values.get("view_id") or []
    my_uuid = _first_word(values, "my_uuid", source)
    if my_uuid is None or len(view) < 3:
        raise GaleraStateError("%s has no my_uuid or view_id line" % source)
    return {
        "my_uuid": my_uuid,
        "view_id": {"type": _to_int(view[0], source + " view type"), "uuid": view[1],
                    "seqno": _to_int(view[2], source + " view seqno")},
        "bootstrap": _first_word(values, "bootstrap", source) == "1",
        "members": [member[0] for member in values.get("member", []) if member],
        "warnings": warnings,
    }


# MariaDB logs "WSREP: Recovered position: <uuid>:<seqno>", MySQL 8 / Percona XtraDB
# Cluster 8 "[WSREP] Recovered position: <uuid>:<seqno>".
_RECOVERED_RE = re.compile(r"WSREP(?::|\])\s+Recovered position:?\s+([0-9a-f-]{36}):(-?\d+)")


def parse_recovered_position(output):
    """Find the position `--wsrep-recover` printed; None when it printed none."""
    matches = _RECOVERED_RE.findall(output or "")
    if not matches:
        return None
    uuid, seqno = matches[-1]
    return {"uuid": uuid, "seqno": int(seqno)}


def has_state(grastate):
    """False for a node that never joined a cluster (no grastate, or the zero UUID)."""
    return bool(grastate) and grastate.get("uuid") not in (None, ZERO_UUID)


# Where a node's position comes from (position.source)
POSITION_SOURCES = ("live", "grastate", "recovered", "none", "unknown")


def recovery_needed(grastate_status, grastate):
    """Whether only --wsrep-recover can tell a stopped node's committed position.

    grastate.dat holds the position only after a clean stop. When it is missing, empty
    (a state transfer writes it empty), has the all-zero UUID or seqno -1 (a crash, or
    the server was running), the position is in InnoDB and nowhere else.
    """
    if grastate_status != "present":
        return True
    return not has_state(grastate) or grastate.get("seqno", -1) < 0


def state_conflict(grastate, recovered):
    """A sentence when grastate.dat and the position recovered from InnoDB disagree, else None."""
    if not has_state(grastate) or not recovered:
        return None
    if recovered.get("uuid") in (None, ZERO_UUID):
        return ("grastate.dat names cluster state %s but InnoDB holds no Galera position: the data may "
                "come from an interrupted state transfer or a restored backup" % grastate["uuid"])
    if recovered["uuid"] != grastate["uuid"]:
        return ("grastate.dat names cluster state %s but InnoDB's recovered position is in %s: the "
                "datadir holds another cluster's data or a restored backup" % (grastate["uuid"], recovered["uuid"]))
    return None


def effective_position(live, grastate, recovered, datadir_kind=None):
    """The node's last committed position and where it came from.

    A running node's own counter is the truth; a stopped node's grastate.dat holds
    it after a clean stop; otherwise only --wsrep-recover knows it. "none" is said
    only on positive evidence that the node never held Galera data: an empty
    datadir, or recovery that found no position and no grastate.dat naming a cluster.
    Everything else is "unknown", which the bootstrap choice refuses.
    """
    if live and live.get("last_committed") is not None and live["last_committed"] >= 0:
        uuid = live.get("local_state_uuid") or live.get("cluster_state_uuid")
        if uuid and uuid != ZERO_UUID:
            return {"uuid": uuid, "seqno": live["last_committed"], "source": "live"}
    if has_state(grastate) and grastate["seqno"] >= 0:
        return {"uuid": grastate["uuid"], "seqno": grastate["seqno"], "source": "grastate"}
    conflict = state_conflict(grastate, recovered)
    if not conflict and recovered and recovered.get("seqno", -1) >= 0 \
            and recovered.get("uuid") not in (None, ZERO_UUID):
        return {"uuid": recovered["uuid"], "seqno": recovered["seqno"], "source": "recovered"}
    if not has_state(grastate) and not live and (
            datadir_kind == "empty" or (recovered and recovered.get("uuid") in (None, ZERO_UUID))):
        return {"uuid": None, "seqno": -1, "source": "none"}
    uuid = grastate.get("uuid") if has_state(grastate) else None
    return {"uuid": uuid, "seqno": -1, "source": "unknown"}


def assess(reachable, live, expected_cluster_size=None, max_flow_control_paused=0.1,
           connection_error=None):
    """Return the list of problems, in words an operator can act on (empty = healthy)."""
    if not reachable:
        return ["server is not reachable: %s" % (connection_error or "no connection")]
    problems = []
    status = live.get("cluster_status")
    if status == "non-Primary":
        # One node cannot tell a partition from a lost quorum: both look like a
        # component too small to be Primary. The bootstrap choice, which sees every
        # node, says which it is.
        problems.append("node is non-Primary (component of %s): it is cut off from the Primary component, "
                        "or no Primary component remains (quorum lost)" % (live.get("cluster_size") or "?"))
    elif status == "Disconnected":
        problems.append("node is disconnected from the cluster")
    elif status != "Primary":
        problems.append("node reports cluster status %r, expected Primary" % status)
    if live.get("connected") is False:
        problems.append("node is not connected to the group (wsrep_connected=OFF)")
    comment = live.get("local_state_comment")
    if comment and comment != "Synced":
        problems.append("node is %s, not Synced" % comment)
    if live.get("ready") is False:
        problems.append("node does not accept queries (wsrep_ready=OFF)")
    size = live.get("cluster_size")
    if expected_cluster_size is not None and size != expected_cluster_size:
        problems.append("cluster size %s, expected %d" % (size, expected_cluster_size))
    paused = live.get("flow_control_paused")
    if paused is not None and max_flow_control_paused is not None and paused > max_flow_control_paused:
        problems.append("flow control paused %d%% of the time" % round(paused * 100))
    return problems


def unmet_conditions(conditions, reachable, live, expected_cluster_size=None):
    """Which of the wait_for conditions do not hold yet, each as a short phrase."""
    unmet = []
    live = live or {}
    for condition in conditions:
        if condition == "synced":
            if not (reachable and live.get("local_state") == SYNCED_STATE and live.get("ready")):
                unmet.append("synced (node is %s)" % (live.get("local_state_comment") or "unreachable"))
        elif condition == "primary":
            if not (reachable and live.get("cluster_status") == "Primary"):
                unmet.append("primary (node is %s)" % (live.get("cluster_status") or "unreachable"))
        elif condition == "size":
            if not (reachable and live.get("cluster_size") == expected_cluster_size):
                unmet.append("size %s (cluster size is %s)" % (expected_cluster_size, live.get("cluster_size")))
        else:
            raise ValueError("unknown wait condition %r, expected one of %s"
                             % (condition, ", ".join(WAIT_CONDITIONS)))
    return unmet
