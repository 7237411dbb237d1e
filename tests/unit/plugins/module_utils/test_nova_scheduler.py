# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/nova_scheduler.py: the scheduler's filter list in nova.conf."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import nova_scheduler as ns

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
ISOLATION = "AggregateMultiTenancyIsolation"
CURRENT_DEFAULT = ",".join(ns.NOVA_DEFAULT_FILTERS["current"])


def debian():
    return (FIXTURES / "nova.conf").read_text(encoding="utf-8")


def changed(before, after):
    return [line for line in after.splitlines() if line not in before.splitlines()]


@pytest.mark.parametrize("text, style", [
    ("[filter_scheduler]\nenabled_filters = ComputeFilter\n", "current"),
    ("[DEFAULT]\nscheduler_default_filters = RamFilter\n", "legacy"),
    # both set: nova reads the new name first
    ("[DEFAULT]\nscheduler_default_filters = RamFilter\n[filter_scheduler]\nenabled_filters = ComputeFilter\n",
     "current"),
    ("[DEFAULT]\ndebug = true\n[filter_scheduler]\nhost_subset_size = 1\n", "current"),
    ("[DEFAULT]\n#scheduler_default_filters=RetryFilter,RamFilter\n", "legacy"),
    ("[DEFAULT]\ndebug = true\n", "current"),
    ("", "current"),
])
def test_detect_style(text, style):
    assert ns.detect_style(text) == style


def test_current_default_is_the_one_the_packaged_nova_conf_shows():
    # the generated nova.conf of Debian 12's nova-common 26.2.2 (nova 26, Zed) comments nova's default;
    # nova 34.0.0 and openstack/nova master (nova/conf/scheduler.py) have the same five filters
    found = [line for line in debian().splitlines() if line.startswith("#enabled_filters = ")]
    assert len(found) == 1
    assert ns.split_filters(found[0].split("=", 1)[1]) == list(ns.NOVA_DEFAULT_FILTERS["current"])


def test_legacy_default_is_kilos():
    # openstack/nova tag 2015.1.0 (Kilo), nova/scheduler/host_manager.py: cfg.ListOpt('scheduler_default_filters')
    assert ns.NOVA_DEFAULT_FILTERS["legacy"] == (
        "RetryFilter", "AvailabilityZoneFilter", "RamFilter", "ComputeFilter", "ComputeCapabilitiesFilter",
        "ImagePropertiesFilter", "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter")


def test_debian_nova_conf_is_current_and_the_filter_goes_under_its_commented_default():
    text = debian()
    edit = ns.ensure_filters(text, [ISOLATION])
    assert edit.style == "current"
    assert edit.before == list(ns.NOVA_DEFAULT_FILTERS["current"])
    assert edit.after == edit.before + [ISOLATION]
    assert changed(text, edit.text) == ["enabled_filters = %s,%s" % (CURRENT_DEFAULT, ISOLATION)]
    lines = edit.text.splitlines()
    index = lines.index("enabled_filters = %s,%s" % (CURRENT_DEFAULT, ISOLATION))
    assert lines[index - 1].startswith("#enabled_filters = ")
    assert len(lines) == len(text.splitlines()) + 1
    # idempotent
    again = ns.ensure_filters(edit.text, [ISOLATION])
    assert again.text == edit.text and again.added == []


@pytest.mark.parametrize("value, expected", [
    ("ComputeFilter,RamFilter", "ComputeFilter,RamFilter,%s" % ISOLATION),
    ("ComputeFilter, RamFilter", "ComputeFilter, RamFilter, %s" % ISOLATION),
    ("ComputeFilter", "ComputeFilter,%s" % ISOLATION),
    ("", ISOLATION),
])
def test_added_at_the_end_keeping_the_others_and_the_separator(value, expected):
    text = "[DEFAULT]\ndebug = true\n\n[filter_scheduler]\n# kept\nenabled_filters = %s\nother = 1\n" % value
    edit = ns.ensure_filters(text, [ISOLATION])
    assert ini.parse(edit.text).get("filter_scheduler", "enabled_filters") == expected
    assert "# kept\n" in edit.text and "other = 1\n" in edit.text
    assert edit.added == [ISOLATION]


def test_present_filter_changes_nothing_even_with_other_spacing():
    text = "[filter_scheduler]\nenabled_filters =ComputeFilter ,  %s,RamFilter\n" % ISOLATION
    edit = ns.ensure_filters(text, [ISOLATION, "ComputeFilter"])
    assert edit.text == text
    assert edit.added == [] and edit.after == ["ComputeFilter", ISOLATION, "RamFilter"]


def test_unset_option_starts_from_nova_default_not_the_filter_alone():
    text = "[DEFAULT]\ndebug = true\n"
    edit = ns.ensure_filters(text, [ISOLATION])
    assert ini.parse(edit.text).get("filter_scheduler", "enabled_filters") == "%s,%s" % (CURRENT_DEFAULT, ISOLATION)


def test_unset_option_with_a_given_default_list():
    edit = ns.ensure_filters("[DEFAULT]\n", [ISOLATION], default_filters=["AvailabilityZoneFilter", "ComputeFilter"])
    assert edit.after == ["AvailabilityZoneFilter", "ComputeFilter", ISOLATION]


def test_legacy_file_gets_the_kilo_default_in_default_section():
    text = "[DEFAULT]\nverbose = True\n#scheduler_default_filters=RetryFilter\n\n[database]\nconnection = x\n"
    edit = ns.ensure_filters(text, [ISOLATION])
    assert edit.style == "legacy" and edit.section == "DEFAULT" and edit.option == "scheduler_default_filters"
    value = ini.parse(edit.text).get("DEFAULT", "scheduler_default_filters")
    assert value.split(",") == list(ns.NOVA_DEFAULT_FILTERS["legacy"]) + [ISOLATION]
    assert not ini.parse(edit.text).has_section("filter_scheduler")


def test_style_forced_legacy_on_a_current_file_warns_about_the_other_option():
    text = "[DEFAULT]\nscheduler_default_filters = RamFilter\n[filter_scheduler]\nenabled_filters = ComputeFilter\n"
    edit = ns.ensure_filters(text, [ISOLATION], style="legacy")
    assert ini.parse(edit.text).get("DEFAULT", "scheduler_default_filters") == "RamFilter,%s" % ISOLATION
    assert ini.parse(edit.text).get("filter_scheduler", "enabled_filters") == "ComputeFilter"
    assert "wins over" in edit.warnings[0]


def test_both_set_auto_edits_current_and_warns():
    text = "[DEFAULT]\nscheduler_default_filters = RamFilter\n[filter_scheduler]\nenabled_filters = ComputeFilter\n"
    edit = ns.ensure_filters(text, [ISOLATION])
    assert edit.style == "current"
    assert "ignore it" in edit.warnings[0]


def test_absent_removes_only_that_filter():
    text = "[filter_scheduler]\nenabled_filters = ComputeFilter, %s, RamFilter\n" % ISOLATION
    edit = ns.ensure_filters(text, [ISOLATION], state="absent")
    assert ini.parse(edit.text).get("filter_scheduler", "enabled_filters") == "ComputeFilter, RamFilter"
    assert edit.removed == [ISOLATION]
    again = ns.ensure_filters(edit.text, [ISOLATION], state="absent")
    assert again.text == edit.text and again.removed == []


def test_absent_when_unset_and_not_a_default_filter_changes_nothing():
    text = "[DEFAULT]\ndebug = true\n"
    edit = ns.ensure_filters(text, [ISOLATION], state="absent")
    assert edit.text == text and edit.removed == []


def test_absent_refuses_to_empty_the_list():
    with pytest.raises(ns.SchedulerFiltersError, match="would leave \\[filter_scheduler\\] enabled_filters empty"):
        ns.ensure_filters("[filter_scheduler]\nenabled_filters = %s\n" % ISOLATION, [ISOLATION], state="absent")


@pytest.mark.parametrize("filters, fragment", [
    (["Aggregate MultiTenancy"], "filters has 'Aggregate MultiTenancy', expected a nova filter class name"),
    (["A,B"], "filters has 'A,B'"),
    ([""], "filters has ''"),
    ("AggregateMultiTenancyIsolation", "filters must be a list"),
    ([], "filters is empty"),
])
def test_bad_filter_names_are_refused_naming_them(filters, fragment):
    with pytest.raises(ns.SchedulerFiltersError) as exc:
        ns.ensure_filters("[DEFAULT]\n", filters)
    assert fragment in str(exc.value)


@pytest.mark.parametrize("kwargs, fragment", [
    ({"state": "gone"}, "state is 'gone'"),
    ({"style": "kilo"}, "style is 'kilo'"),
    ({"default_filters": ["Bad Name"]}, "default_filters has 'Bad Name'"),
])
def test_bad_arguments(kwargs, fragment):
    with pytest.raises(ns.SchedulerFiltersError, match=fragment):
        ns.ensure_filters("[DEFAULT]\n", [ISOLATION], **kwargs)


def test_dotted_filter_path_is_accepted_and_duplicates_collapse():
    edit = ns.ensure_filters("[filter_scheduler]\nenabled_filters = A\n", ["my.filters.Mine", "my.filters.Mine"])
    assert edit.after == ["A", "my.filters.Mine"]
