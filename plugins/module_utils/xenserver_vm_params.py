# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The pure planning behind the xenserver_vm_params module: single keys of a VM's maps and its description.

Everything here takes plain values (a VM record as XenAPI returns it, the module's parameters) and
raises ``xenserver.XenServerError`` for input to refuse, so it unit-tests without Ansible or XenAPI.
"""

from __future__ import annotations

from ansible_collections.stackops.openstack.plugins.module_utils.xenserver import XenServerError, map_key_changes, map_string

# The VM maps the module manages: XenAPI field -> the name xe and operators use
MAP_LABELS = {"other_config": "other-config", "xenstore_data": "xenstore-data"}

# Power states in which the VM has a live domain that read its xenstore-data when it started
LIVE_POWER_STATES = ("Running", "Paused")
RESTART_REASON = "xenstore-data reaches the guest at its next start"


def map_value(option, key, value):
    """A map value as XenServer stores it: a string; YAML booleans as V(true)/V(false), as xe writes them."""
    if value is None:
        raise XenServerError("%s key %r has no value: give a string, or list the key in remove_%s to remove it"
                             % (option, key, option))
    if isinstance(value, (dict, list, tuple, set)):
        raise XenServerError("%s key %r has a %s value %r: expected a string (XenServer maps hold strings only)"
                             % (option, key, type(value).__name__, value))
    return map_string(value)


def normalize(option, values):
    """The ``option`` dict with its values as strings; an empty key is refused."""
    normalized = {}
    for key, value in sorted((values or {}).items()):
        if not str(key).strip():
            raise XenServerError("%s has an empty key: expected a non-empty key name" % option)
        normalized[str(key)] = map_value(option, key, value)
    return normalized


def validate(params):
    """The wanted maps and removals of the module's ``params``, normalized; contradictions refused by key.

    Returns ``{"other_config": {...}, "xenstore_data": {...}, "remove_other_config": [...],
    "remove_xenstore_data": [...], "name_description": str or None}``.
    """
    wanted = {"name_description": params.get("name_description")}
    for field in MAP_LABELS:
        values = normalize(field, params.get(field))
        removals = []
        for key in params.get("remove_" + field) or []:
            key = str(key)
            if not key.strip():
                raise XenServerError("remove_%s has an empty key: expected a non-empty key name" % field)
            if key in values:
                raise XenServerError("key %r is both in %s (to set to %r) and in remove_%s: give it in one of them only"
                                     % (key, field, values[key], field))
            if key not in removals:
                removals.append(key)
        wanted[field] = values
        wanted["remove_" + field] = sorted(removals)
    return wanted


def plan_vm_params(record, wanted):
    """The XenAPI steps that take the VM ``record`` to ``wanted`` (from ``validate``).

    Steps, each a tuple naming itself first:
    ``("set", field, key, old or None, new)`` (an existing key: remove it, then add it),
    ``("remove", field, key, old)`` (absent keys are skipped: no step, no change),
    ``("set_name_description", old, new)``.
    """
    steps = []
    for field in MAP_LABELS:
        current = record.get(field) or {}
        for key, old, new in map_key_changes(current, wanted.get(field)):
            steps.append(("set", field, key, old, new))
        for key in wanted.get("remove_" + field) or []:
            if key in current:
                steps.append(("remove", field, key, current[key]))
    description = wanted.get("name_description")
    if description is not None and (record.get("name_description") or "") != description:
        steps.append(("set_name_description", record.get("name_description") or "", description))
    return steps


def describe_step(step):
    """One step in words: C(set other-config:os-vpx), C(remove xenstore-data:vm-data/x), C(set name-description)."""
    if step[0] == "set":
        return "set %s:%s" % (MAP_LABELS[step[1]], step[2])
    if step[0] == "remove":
        return "remove %s:%s" % (MAP_LABELS[step[1]], step[2])
    return "set name-description"


def managed_view(record, wanted):
    """The managed part of a VM ``record``: the given and removed keys that it has, and its description if given."""
    view = {}
    for field in MAP_LABELS:
        current = record.get(field) or {}
        keys = set((wanted.get(field) or {}).keys()) | set(wanted.get("remove_" + field) or [])
        view[field] = dict((key, current[key]) for key in sorted(keys) if key in current)
    if wanted.get("name_description") is not None:
        view["name_description"] = record.get("name_description") or ""
    return view


def planned_record(record, steps):
    """A copy of the maps and description of ``record`` as they are once ``steps`` ran (for check mode)."""
    after = {"name_description": record.get("name_description") or ""}
    for field in MAP_LABELS:
        after[field] = dict(record.get(field) or {})
    for step in steps:
        if step[0] == "set":
            after[step[1]][step[2]] = step[4]
        elif step[0] == "remove":
            after[step[1]].pop(step[2], None)
        elif step[0] == "set_name_description":
            after["name_description"] = step[2]
    return after


def restart_needed(power_state, steps):
    """(needed, reason): a VM with a live domain gets changed xenstore-data only when it starts again.

    other-config and the description take effect without a restart.
    """
    if power_state in LIVE_POWER_STATES and any(step[0] in ("set", "remove") and step[1] == "xenstore_data" for step in steps):
        return True, RESTART_REASON
    return False, ""
