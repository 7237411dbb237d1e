# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/xenserver_vm_params.py: input checks, plans, views, restart advice.

The XenAPI behaviour the plans rely on (MAP_DUPLICATE_KEY for an existing key even with the same value,
removing an absent key being no error) is exercised against the XAPI simulator in
tests/unit/lab/test_xenserver_vm_params_lab.py.
"""

from __future__ import annotations

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver_vm_params as vm_params
from ansible_collections.stackops.openstack.plugins.module_utils.xenserver import XenServerError


def params(**given):
    values = dict(other_config={}, remove_other_config=[], xenstore_data={}, remove_xenstore_data=[], name_description=None)
    values.update(given)
    return values


def vm(**fields):
    record = dict(uuid="vm-uuid", power_state="Running", name_description="", other_config={}, xenstore_data={})
    record.update(fields)
    return record


@pytest.mark.parametrize("value, expected", [
    ("true", "true"),
    (True, "true"),
    (False, "false"),
    (1500, "1500"),
    (0, "0"),
    ("", ""),
    ("fe:ff:ff:ff:ff:ff", "fe:ff:ff:ff:ff:ff"),
])
def test_map_values_are_strings_and_booleans_are_written_as_xenserver_writes_them(value, expected):
    assert vm_params.map_value("other_config", "k", value) == expected


@pytest.mark.parametrize("value, words", [
    (None, "other_config key 'os-vpx' has no value: give a string, or list the key in remove_other_config"),
    (["a"], "other_config key 'os-vpx' has a list value ['a']: expected a string"),
    ({"a": 1}, "other_config key 'os-vpx' has a dict value {'a': 1}: expected a string"),
])
def test_a_value_that_is_no_string_is_refused_naming_the_key(value, words):
    with pytest.raises(XenServerError) as raised:
        vm_params.map_value("other_config", "os-vpx", value)
    assert str(raised.value).startswith(words)


@pytest.mark.parametrize("given, words", [
    (params(other_config={"os-vpx": "true"}, remove_other_config=["os-vpx"]),
     "key 'os-vpx' is both in other_config (to set to 'true') and in remove_other_config: give it in one of them only"),
    (params(xenstore_data={"vm-data/x": 1}, remove_xenstore_data=["vm-data/x"]),
     "key 'vm-data/x' is both in xenstore_data (to set to '1') and in remove_xenstore_data"),
    (params(other_config={" ": "x"}), "other_config has an empty key"),
    (params(remove_xenstore_data=[""]), "remove_xenstore_data has an empty key"),
    (params(xenstore_data={"vm-data/x": None}), "xenstore_data key 'vm-data/x' has no value"),
])
def test_contradicting_or_empty_input_is_refused_naming_the_value(given, words):
    with pytest.raises(XenServerError) as raised:
        vm_params.validate(given)
    assert str(raised.value).startswith(words)


def test_the_same_key_in_one_map_and_removed_from_the_other_is_fine():
    wanted = vm_params.validate(params(other_config={"k": True}, remove_xenstore_data=["k", "k", "a"]))
    assert wanted == {"other_config": {"k": "true"}, "remove_other_config": [], "xenstore_data": {},
                      "remove_xenstore_data": ["a", "k"], "name_description": None}


@pytest.mark.parametrize("record, given, steps", [
    (vm(), params(other_config={"os-vpx": True}),
     [("set", "other_config", "os-vpx", None, "true")]),
    (vm(other_config={"os-vpx": "false"}), params(other_config={"os-vpx": True}),
     [("set", "other_config", "os-vpx", "false", "true")]),
    (vm(other_config={"os-vpx": "true", "keep": "me"}), params(other_config={"os-vpx": "true"}), []),
    (vm(xenstore_data={"vm-data/x": "1"}), params(remove_xenstore_data=["vm-data/x", "vm-data/absent"]),
     [("remove", "xenstore_data", "vm-data/x", "1")]),
    (vm(), params(remove_other_config=["absent"]), []),
    (vm(name_description="old"), params(name_description="new"), [("set_name_description", "old", "new")]),
    (vm(name_description="same"), params(name_description="same"), []),
    (vm(name_description="kept"), params(), []),
    (vm(other_config={"a": "1"}, xenstore_data={"b": "2"}),
     params(other_config={"a": 2}, xenstore_data={"c": "3"}, remove_other_config=["z"], remove_xenstore_data=["b"],
            name_description="d"),
     [("set", "other_config", "a", "1", "2"), ("set", "xenstore_data", "c", None, "3"),
      ("remove", "xenstore_data", "b", "2"), ("set_name_description", "", "d")]),
])
def test_the_plan_touches_only_keys_that_differ(record, given, steps):
    assert vm_params.plan_vm_params(record, vm_params.validate(given)) == steps


@pytest.mark.parametrize("step, words", [
    (("set", "other_config", "os-vpx", None, "true"), "set other-config:os-vpx"),
    (("set", "xenstore_data", "vm-data/himn_mac", "a", "b"), "set xenstore-data:vm-data/himn_mac"),
    (("remove", "xenstore_data", "vm-data/x", "1"), "remove xenstore-data:vm-data/x"),
    (("remove", "other_config", "auto_poweron", "true"), "remove other-config:auto_poweron"),
    (("set_name_description", "", "d"), "set name-description"),
])
def test_each_step_is_described_as_xe_names_the_map(step, words):
    assert vm_params.describe_step(step) == words


def test_the_view_shows_only_the_managed_keys_the_vm_has_and_the_description_only_when_given():
    record = vm(other_config={"os-vpx": "false", "mac_seed": "s"}, xenstore_data={"vm-data/x": "1", "vm-data/y": "2"},
                name_description="old")
    wanted = vm_params.validate(params(other_config={"os-vpx": True, "auto_poweron": True}, remove_xenstore_data=["vm-data/x"]))
    assert vm_params.managed_view(record, wanted) == {"other_config": {"os-vpx": "false"}, "xenstore_data": {"vm-data/x": "1"}}
    wanted["name_description"] = "new"
    assert vm_params.managed_view(record, wanted)["name_description"] == "old"


def test_the_planned_record_is_the_record_after_the_steps_and_the_original_is_left_alone():
    record = vm(other_config={"os-vpx": "false", "keep": "me"}, xenstore_data={"vm-data/x": "1"})
    wanted = vm_params.validate(params(other_config={"os-vpx": True}, remove_xenstore_data=["vm-data/x"], name_description="d"))
    after = vm_params.planned_record(record, vm_params.plan_vm_params(record, wanted))
    assert after == {"name_description": "d", "other_config": {"os-vpx": "true", "keep": "me"}, "xenstore_data": {}}
    assert record["other_config"]["os-vpx"] == "false" and record["xenstore_data"] == {"vm-data/x": "1"}
    assert vm_params.managed_view(after, wanted) == {"other_config": {"os-vpx": "true"}, "xenstore_data": {},
                                                     "name_description": "d"}


@pytest.mark.parametrize("power_state, steps, needed", [
    ("Running", [("set", "xenstore_data", "vm-data/x", None, "1")], True),
    ("Paused", [("remove", "xenstore_data", "vm-data/x", "1")], True),
    ("Halted", [("set", "xenstore_data", "vm-data/x", None, "1")], False),
    ("Suspended", [("set", "xenstore_data", "vm-data/x", None, "1")], False),
    ("Running", [("set", "other_config", "os-vpx", None, "true"), ("set_name_description", "", "d")], False),
    ("Running", [], False),
])
def test_a_restart_is_needed_only_for_xenstore_data_of_a_live_domain(power_state, steps, needed):
    assert vm_params.restart_needed(power_state, steps) == (
        (True, "xenstore-data reaches the guest at its next start") if needed else (False, ""))
