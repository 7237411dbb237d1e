# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Which Galera node to bootstrap after an outage, or why none may be.

Input is every node's galera_cluster_status result in inventory order; output is a
decision with a reason written for the operator. Bootstrapping the wrong node loses
committed transactions, so every doubt ends in a refusal that says what to check.
"""

from __future__ import annotations

from ansible_collections.stackops.openstack.plugins.module_utils.galera import (
    effective_position,
    has_state,
)

JOIN = "join"
BOOTSTRAP = "bootstrap"
REFUSE = "refuse"


def _describe(position):
    return "%s:%s (%s)" % (position["uuid"], position["seqno"], position["source"])


def _node_facts(name, result):
    """Reduce one module result to what the decision needs; None if it is unusable."""
    if not isinstance(result, dict) or result.get("failed") or result.get("unreachable") \
            or result.get("skipped") or "grastate" not in result:
        return None
    live = result.get("galera") or {}
    grastate = result.get("grastate") or {}
    state = grastate if grastate.get("exists") else {}
    position = effective_position(live if result.get("reachable") else None, state,
                                  result.get("recovered"))
    return {
        "name": name,
        "running": bool(result.get("reachable")),
        "primary": bool(result.get("reachable")) and live.get("cluster_status") == "Primary",
        "has_state": has_state(state) or position["source"] in ("live", "recovered"),
        "safe_to_bootstrap": bool(state.get("safe_to_bootstrap")),
        "position": position,
    }


def _decision(action, node, reason, facts, forced=False, warnings=None, needs_safe=False,
              running=False):
    # A running node is bootstrapped with pc.bootstrap=YES, which ignores grastate.dat.
    needs_safe = needs_safe and not running
    return {
        "action": action,
        "bootstrap_needed": action == BOOTSTRAP,
        "node": node,
        "node_running": running,
        "reason": reason,
        "forced": forced,
        "needs_safe_to_bootstrap": needs_safe,
        "positions": dict((f["name"], f["position"]) for f in facts if f),
        "warnings": warnings or [],
    }


def choose_bootstrap(nodes, force_node=None):
    """Decide for a cluster whose nodes are given as ``[(name, status_result), ...]``.

    ``status_result`` is a galera_cluster_status result, or None / a failed result when
    the node could not be asked. ``force_node`` names a node to bootstrap regardless
    of positions and unknown nodes (never while a Primary component exists).
    """
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
        reason = "%s is in a Primary component: no bootstrap needed, join the others to it" % primary[0]["name"]
        warnings = []
        if force_node is not None:
            warnings.append("force_node %s ignored: bootstrapping while %s is Primary would split the cluster"
                            % (force_node, primary[0]["name"]))
        return _decision(JOIN, primary[0]["name"], reason, facts, warnings=warnings, running=True)

    if force_node is not None:
        return _forced(force_node, facts, unknown)

    if unknown:
        return _decision(REFUSE, None, "the state of %s is unknown (no status could be read); every node must "
                         "report before a bootstrap is chosen, or force a node" % ", ".join(unknown), facts)

    with_state = [f for f in known if f["has_state"]]
    if not with_state:
        first = known[0]
        return _decision(BOOTSTRAP, first["name"], "new cluster: no node has Galera state, bootstrap the first "
                         "node %s" % first["name"], facts, running=first["running"])

    uuids = {}
    for f in with_state:
        uuids.setdefault(f["position"]["uuid"], []).append(f["name"])
    if len(uuids) > 1:
        groups = "; ".join("%s has %s" % (", ".join(members), uuid) for uuid, members in sorted(uuids.items()))
        return _decision(REFUSE, None, "nodes disagree on the cluster state UUID (%s): they hold different "
                         "histories, choose by hand and force" % groups, facts)

    lost = [f["name"] for f in with_state if f["position"]["seqno"] < 0]
    if lost:
        return _decision(REFUSE, None, "the committed position of %s is unknown (grastate.dat seqno -1 after a "
                         "crash): run galera_cluster_status with recover=true while the server is down"
                         % ", ".join(lost), facts)

    best = max(f["position"]["seqno"] for f in with_state)
    candidates = [f for f in with_state if f["position"]["seqno"] == best]
    safe = [f for f in with_state if f["safe_to_bootstrap"]]
    behind_but_safe = [f for f in safe if f not in candidates]
    if behind_but_safe:
        return _decision(REFUSE, None, "%s is marked safe_to_bootstrap but %s is more advanced (%s > %s): "
                         "inconsistent state, check by hand and force"
                         % (behind_but_safe[0]["name"], candidates[0]["name"], best,
                            behind_but_safe[0]["position"]["seqno"]), facts)
    safe_candidates = [f for f in candidates if f["safe_to_bootstrap"]]
    chosen = (safe_candidates or candidates)[0]
    reason = "%s has the most advanced committed position %s" % (chosen["name"], _describe(chosen["position"]))
    if safe_candidates:
        reason += " and is marked safe_to_bootstrap"
    elif len(candidates) > 1:
        reason += "; tied with %s, first in inventory order wins" % ", ".join(
            f["name"] for f in candidates if f is not chosen)
    return _decision(BOOTSTRAP, chosen["name"], reason, facts, needs_safe=not chosen["safe_to_bootstrap"],
                     running=chosen["running"])


def _forced(force_node, facts, unknown):
    chosen = next(f for f in facts if f and f["name"] == force_node) if force_node not in unknown else None
    warnings = ["bootstrap of %s forced: the automatic safety checks were overridden" % force_node]
    if unknown:
        warnings.append("the state of %s is unknown" % ", ".join(unknown))
    known = [f for f in facts if f and f["has_state"] and f["position"]["seqno"] >= 0]
    if chosen and known:
        best = max(known, key=lambda f: f["position"]["seqno"])
        if best["position"]["seqno"] > chosen["position"]["seqno"]:
            warnings.append("%s is more advanced (%s) than %s (%s): transactions after %s will be lost"
                            % (best["name"], best["position"]["seqno"], force_node,
                               chosen["position"]["seqno"], chosen["position"]["seqno"]))
    return _decision(BOOTSTRAP, force_node, "bootstrap of %s forced by the operator" % force_node, facts,
                     forced=True, warnings=warnings,
                     needs_safe=not (chosen and chosen["safe_to_bootstrap"]),
                     running=bool(chosen and chosen["running"]))
