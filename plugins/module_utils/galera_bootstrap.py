# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Galera node to bootstrap after an outage, or why none may be.

Input is every node's galera_cluster_status result in inventory order; output is a
decision with a reason written for the operator. Bootstrapping the wrong node loses
committed transactions, so every doubt ends in a refusal that says what to check:
a node whose position is not known is never read as a node without data.
"""

from __future__ import annotations

from ansible_collections.stackops.openstack.plugins.module_utils.galera import (
    effective_position,
    state_conflict,
)

JOIN = "join"
BOOTSTRAP = "bootstrap"
REFUSE = "refuse"


def _describe(position):
    return "%s:%s (%s)" % (position["uuid"], position["seqno"], position["source"])


def _type_name(value):
    return type(value).__name__


def _field(name, result, path, kinds, expected, optional=True):
    """result[path...] checked against kinds; a ValueError that names the host and field otherwise."""
    value = result
    for key in path:
        if value is None and optional:
            return None
        if not isinstance(value, dict):
            where = ".".join(path[:-1]) or "the status"
            raise ValueError("%s: %s is %s, expected a dict" % (name, where, _type_name(value)))
        value = value.get(key)
    if value is None and optional:
        return None
    # bool is an int in Python; a seqno of True is as wrong as one of "12"
    if isinstance(value, bool) and bool not in kinds:
        ok = False
    else:
        ok = isinstance(value, kinds)
    if not ok:
        raise ValueError("%s: %s is %r (%s), expected %s"
                         % (name, ".".join(path), value, _type_name(value), expected))
    return value


def _check_result(name, result):
    """Refuse a status that is not shaped like galera_cluster_status's, naming the host and field."""
    _field(name, result, ("reachable",), (bool,), "true or false")
    _field(name, result, ("galera",), (dict,), "a dict")
    _field(name, result, ("grastate",), (dict,), "a dict", optional=False)
    _field(name, result, ("grastate", "exists"), (bool,), "true or false")
    _field(name, result, ("grastate", "status"), (str,), "absent, empty or present")
    _field(name, result, ("grastate", "uuid"), (str,), "a UUID")
    _field(name, result, ("grastate", "seqno"), (int,), "an integer")
    _field(name, result, ("grastate", "safe_to_bootstrap"), (bool,), "true or false")
    _field(name, result, ("galera", "last_committed"), (int,), "an integer")
    _field(name, result, ("galera", "cluster_size"), (int,), "an integer")
    _field(name, result, ("galera", "cluster_status"), (str,), "a string")
    if result.get("recovered") is not None:
        _field(name, result, ("recovered",), (dict,), "a dict")
        _field(name, result, ("recovered", "uuid"), (str,), "a UUID", optional=False)
        _field(name, result, ("recovered", "seqno"), (int,), "an integer", optional=False)
    for key in ("recovery", "datadir"):
        _field(name, result, (key,), (dict,), "a dict")
    _field(name, result, ("datadir", "kind"), (str,), "server or empty")
    _field(name, result, ("state_transfer",), (str,), "a string")


def _grastate_status(grastate):
    if "status" in grastate:
        return grastate["status"]
    return "present" if grastate.get("exists") else "absent"


def _node_facts(name, result):
    """Reduce one module result to what the decision needs; None if the node could not be asked."""
    if result is None:
        return None
    if not isinstance(result, dict):
        raise ValueError("%s: the status is %s, expected a galera_cluster_status result (a dict)"
                         % (name, _type_name(result)))
    if result.get("failed") or result.get("unreachable") or result.get("skipped") or "grastate" not in result:
        return None
    _check_result(name, result)
    reachable = bool(result.get("reachable"))
    live = (result.get("galera") or {}) if reachable else {}
    grastate = result["grastate"]
    status = _grastate_status(grastate)
    state = grastate if status == "present" else {}
    recovered = result.get("recovered")
    datadir_kind = (result.get("datadir") or {}).get("kind")
    position = effective_position(live, state, recovered, datadir_kind)
    recovery = result.get("recovery") or {}
    return {
        "name": name,
        "running": reachable,
        "primary": reachable and live.get("cluster_status") == "Primary",
        "component_size": live.get("cluster_size"),
        "position": position,
        "grastate_status": status,
        # Galera assumes 1 when grastate.dat does not say (galera/src/saved_state.cpp)
        "safe_to_bootstrap": bool(state.get("safe_to_bootstrap")) if status == "present" else True,
        "conflict": state_conflict(state, recovered),
        "transfer_interrupted": result.get("state_transfer") == "interrupted" or (
            status == "empty" and not reachable),
        "unknown_why": recovery.get("skipped_reason"),
    }


def _decision(action, node, reason, facts, forced=False, warnings=None, chosen=None, needs_recovery=None):
    running = bool(chosen and chosen["running"])
    # A running node is bootstrapped with pc.bootstrap=YES, which ignores grastate.dat.
    needs_safe = bool(chosen) and not running and chosen["grastate_status"] == "present" \
        and chosen["position"]["source"] in (("grastate", "unknown") if forced else ("grastate",)) \
        and not chosen["safe_to_bootstrap"]
    if forced and chosen is None:
        needs_safe = True  # nothing is known about it; the role marks it only if grastate.dat says 0
    # A position known only from InnoDB goes back into grastate.dat before the bootstrap start,
    # so the server continues that history instead of starting a new one.
    restore = None
    if chosen and not running and chosen["position"]["source"] == "recovered":
        restore = {"uuid": chosen["position"]["uuid"], "seqno": chosen["position"]["seqno"]}
    return {
        "action": action,
        "bootstrap_needed": action == BOOTSTRAP,
        "node": node,
        "node_running": running,
        "reason": reason,
        "forced": forced,
        "needs_safe_to_bootstrap": needs_safe,
        "restore_grastate": restore,
        "needs_recovery": needs_recovery or [],
        "positions": dict((f["name"], f["position"]) for f in facts if f),
        "warnings": warnings or [],
    }


def _join(primary, facts, force_node):
    component = primary[0]
    reason = "%s is in a Primary component (component of %s): no bootstrap needed" % (
        component["name"], component["component_size"] or "?")
    cut_off = [f for f in facts if f and f["running"] and not f["primary"]]
    stopped = [f["name"] for f in facts if f and not f["running"]]
    if cut_off:
        reason += "; %s %s running but cut off from it (%s): check the network between %s and %s, they rejoin " \
                  "by themselves once they reach it" % (
                      ", ".join(f["name"] for f in cut_off), "is" if len(cut_off) == 1 else "are",
                      ", ".join("component of %s" % (f["component_size"] or "?") for f in cut_off),
                      "them" if len(cut_off) > 1 else cut_off[0]["name"], component["name"])
    if stopped:
        reason += "; start %s to join it" % ", ".join(stopped)
    warnings = []
    if force_node is not None:
        warnings.append("force_node %s ignored: bootstrapping while %s is Primary would split the cluster"
                        % (force_node, component["name"]))
    return _decision(JOIN, component["name"], reason, facts, warnings=warnings, chosen=component)


def _refuse_unknown(unknown_positions, facts):
    skipped = [f for f in unknown_positions if f["unknown_why"]]
    names = ", ".join(f["name"] for f in unknown_positions)
    if skipped and all(f["unknown_why"] == skipped[0]["unknown_why"] for f in unknown_positions):
        why = skipped[0]["unknown_why"]
    else:
        why = "; ".join("%s: %s" % (f["name"], f["unknown_why"] or _why_unknown(f)) for f in unknown_positions)
    return _decision(REFUSE, None, "the committed position of %s is unknown (%s); every node's position must be "
                     "known before one is chosen, or force a node" % (names, why), facts,
                     needs_recovery=[f["name"] for f in unknown_positions if f["unknown_why"]])


def _why_unknown(fact):
    if fact["grastate_status"] != "present":
        return "grastate.dat is %s and no position was recovered from InnoDB" % fact["grastate_status"]
    return "grastate.dat says seqno -1 and no position was recovered from InnoDB"


def choose_bootstrap(nodes, force_node=None):
    """Decide for a cluster whose nodes are given as ``[(name, status_result), ...]``.

    ``status_result`` is a galera_cluster_status result, or None / a failed result when
    the node could not be asked. ``force_node`` names a node to bootstrap regardless
    of positions and unknown nodes (never while a Primary component exists).
    Raises ValueError, naming the host and field, for a result of the wrong shape.
    """
    if isinstance(nodes, (str, bytes, dict)) or not hasattr(nodes, "__iter__"):
        raise ValueError("expected a list of (host, status) pairs, got %s" % _type_name(nodes))
    nodes = list(nodes)
    for item in nodes:
        if not isinstance(item, (list, tuple)) or len(item) != 2 or not isinstance(item[0], str):
            raise ValueError("expected (host, status) pairs with a host name, got %r" % (item,))
    names = [name for name, _result in nodes]
    if len(set(names)) != len(names):
        raise ValueError("node names must be unique, got %s" % ", ".join(names))
    if not names:
        raise ValueError("no nodes given: expected every node of the cluster with its status")
    if force_node is not None and force_node not in names:
        raise ValueError("force_node %r is not one of the cluster's nodes: %s" % (force_node, ", ".join(names)))

    facts = [_node_facts(name, result) for name, result in nodes]
    known = [f for f in facts if f]
    unknown = [name for name, f in zip(names, facts) if f is None]

    primary = [f for f in known if f["primary"]]
    if primary:
        return _join(primary, facts, force_node)

    if force_node is not None:
        return _forced(force_node, facts, unknown)

    if unknown:
        return _decision(REFUSE, None, "the state of %s is unknown (no status could be read); every node must "
                         "report before a bootstrap is chosen, or force a node" % ", ".join(unknown), facts)

    conflicts = [f for f in known if f["conflict"]]
    if conflicts:
        reasons = "; ".join("%s: %s" % (f["name"], f["conflict"]) for f in conflicts)
        return _decision(REFUSE, None, reasons + ": check by hand which data is right and force a node", facts)

    unknown_positions = [f for f in known if f["position"]["source"] == "unknown"]
    if unknown_positions:
        return _refuse_unknown(unknown_positions, facts)

    never = [f for f in known if f["position"]["source"] == "none"]
    with_state = [f for f in known if f["position"]["source"] not in ("none", "unknown")]
    if not with_state:
        first = known[0]
        return _decision(BOOTSTRAP, first["name"], "new cluster: every node shows a datadir that never held Galera "
                         "data (empty, or --wsrep-recover found no position), bootstrap the first node %s"
                         % first["name"], facts, chosen=first)

    groups = {}
    for f in with_state:
        groups.setdefault(f["position"]["uuid"], []).append(f)
    if len(groups) > 1:
        return _decision(REFUSE, None, _different_histories(groups), facts)

    best = max(f["position"]["seqno"] for f in with_state)
    candidates = [f for f in with_state if f["position"]["seqno"] == best]
    safe = [f for f in with_state if f["safe_to_bootstrap"] and f["grastate_status"] == "present"]
    behind_but_safe = [f for f in safe if f not in candidates]
    if behind_but_safe:
        return _decision(REFUSE, None, "%s is marked safe_to_bootstrap but %s is more advanced (%s > %s): "
                         "inconsistent state, check by hand and force"
                         % (behind_but_safe[0]["name"], candidates[0]["name"], best,
                            behind_but_safe[0]["position"]["seqno"]), facts)
    interrupted = [f for f in candidates if f["transfer_interrupted"]]
    if interrupted:
        return _decision(REFUSE, None, "%s has the most advanced recovered position %s but its grastate.dat is empty, "
                         "which an interrupted state transfer leaves: its data may be incomplete; check by hand and "
                         "force" % (interrupted[0]["name"], _describe(interrupted[0]["position"])), facts)
    safe_candidates = [f for f in candidates if f in safe]
    chosen = (safe_candidates or candidates)[0]
    reason = "%s has the most advanced committed position %s" % (chosen["name"], _describe(chosen["position"]))
    if safe_candidates:
        reason += " and is marked safe_to_bootstrap"
    elif len(candidates) > 1:
        reason += "; tied with %s, first in inventory order wins" % ", ".join(
            f["name"] for f in candidates if f is not chosen)
    if never:
        reason += "; %s never held Galera data and will join by state transfer" % ", ".join(f["name"] for f in never)
    return _decision(BOOTSTRAP, chosen["name"], reason, facts, chosen=chosen)


def _different_histories(groups):
    """Say which nodes hold which history, and which one is ahead by its own counter."""
    summaries = []
    for uuid, members in groups.items():
        top = max(members, key=lambda f: f["position"]["seqno"])
        summaries.append((top["position"]["seqno"], uuid, members, top))
    summaries.sort(key=lambda item: -item[0])
    parts = ["%s %s %s up to seqno %d (most advanced: %s)" % (
        ", ".join(f["name"] for f in members), "holds" if len(members) == 1 else "hold", uuid, seqno, top["name"])
        for seqno, uuid, members, top in summaries]
    ahead = summaries[0]
    return ("nodes disagree on the cluster state UUID: %s. The %s group is ahead by seqno, but seqnos of different "
            "histories do not compare: one history was started anew (a bootstrap with a new UUID or a restored "
            "backup); check which one holds the data you need and force a node of it"
            % ("; ".join(parts), ahead[1]))


def _forced(force_node, facts, unknown):
    chosen = next(f for f in facts if f and f["name"] == force_node) if force_node not in unknown else None
    warnings = ["bootstrap of %s forced: the automatic safety checks were overridden" % force_node]
    if unknown:
        warnings.append("the state of %s is unknown" % ", ".join(unknown))
    unknown_positions = [f["name"] for f in facts if f and f["position"]["source"] == "unknown"]
    if unknown_positions:
        warnings.append("the committed position of %s is unknown" % ", ".join(unknown_positions))
    known = [f for f in facts if f and f["position"]["source"] not in ("none", "unknown")]
    if chosen and known:
        best = max(known, key=lambda f: f["position"]["seqno"])
        if best["position"]["seqno"] > chosen["position"]["seqno"]:
            warnings.append("%s is more advanced (%s) than %s (%s): transactions after %s will be lost"
                            % (best["name"], best["position"]["seqno"], force_node,
                               chosen["position"]["seqno"], chosen["position"]["seqno"]))
    return _decision(BOOTSTRAP, force_node, "bootstrap of %s forced by the operator" % force_node, facts,
                     forced=True, warnings=warnings, chosen=chosen)
