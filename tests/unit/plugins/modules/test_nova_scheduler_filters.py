# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/nova_scheduler_filters.py: main() on copies of Debian's nova.conf."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.modules import nova_scheduler_filters as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import changed_lines, exit_result, fail_result, patch_exits

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
ISOLATION = "AggregateMultiTenancyIsolation"
DEFAULTS = "ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,ServerGroupAntiAffinityFilter," \
           "ServerGroupAffinityFilter"
DB_SECRET = "N0va-db-s3cr3t"


@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch, collect_warnings=True)


@pytest.fixture
def conf(tmp_path):
    text = (FIXTURES / "nova.conf").read_text(encoding="utf-8")
    text = text.replace("\n[database]\n", "\n[database]\nconnection = mysql+pymysql://nova:%s@db/nova\n" % DB_SECRET, 1)
    path = tmp_path / "nova.conf"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o640)
    return path


def run(path, check_mode=False, diff=False, **args):
    args.setdefault("filters", [ISOLATION])
    return exit_result(module.main, dict(args, path=str(path), _ansible_check_mode=check_mode, _ansible_diff=diff))


def test_check_mode_reports_and_writes_nothing(conf):
    before = conf.read_text()
    result = run(conf, check_mode=True, diff=True)
    assert result["changed"] is True
    assert conf.read_text() == before
    assert result["added"] == [ISOLATION]
    assert result["option"] == "[filter_scheduler] enabled_filters"
    assert result["filters"] == DEFAULTS.split(",") + [ISOLATION]
    assert changed_lines(result["diff"]["before"], result["diff"]["after"]) == [
        "+enabled_filters = %s,%s" % (DEFAULTS, ISOLATION)]
    assert DB_SECRET not in str(result)


def test_change_then_nothing_to_do(conf):
    before = conf.read_text()
    result = run(conf, backup=True)
    assert result["changed"] is True and result["backup_file"]
    assert Path(result["backup_file"]).read_text() == before
    assert changed_lines(before, conf.read_text()) == ["+enabled_filters = %s,%s" % (DEFAULTS, ISOLATION)]
    assert oct(conf.stat().st_mode & 0o777) == "0o640"
    assert result["changes"] == [{"section": "filter_scheduler", "key": "enabled_filters", "action": "added",
                                  "before": None, "after": "%s,%s" % (DEFAULTS, ISOLATION)}]
    again = run(conf)
    assert again["changed"] is False and again["added"] == [] and again["changes"] == []
    removed = run(conf, state="absent")
    assert removed["changed"] is True and removed["removed"] == [ISOLATION]
    assert removed["filters"] == DEFAULTS.split(",")


def test_legacy_style_forced(tmp_path):
    path = tmp_path / "nova.conf"
    path.write_text("[DEFAULT]\nverbose = True\n")
    result = run(path, style="legacy")
    assert result["style"] == "legacy" and result["option"] == "[DEFAULT] scheduler_default_filters"
    assert "scheduler_default_filters = RetryFilter,AvailabilityZoneFilter,RamFilter," in path.read_text()


def test_warning_when_both_options_are_set(tmp_path):
    path = tmp_path / "nova.conf"
    path.write_text("[DEFAULT]\nscheduler_default_filters = RamFilter\n[filter_scheduler]\nenabled_filters = A\n")
    result = run(path)
    assert result["filters"] == ["A", ISOLATION]
    assert any("scheduler_default_filters is also set" in w for w in result["warnings"])


@pytest.mark.parametrize("args, fragment", [
    ({"filters": ["Aggregate Multi"]}, "filters has 'Aggregate Multi', expected a nova filter class name"),
    ({"filters": [ISOLATION], "state": "absent"}, "would leave [filter_scheduler] enabled_filters empty"),
])
def test_refusals_name_the_value_and_change_nothing(tmp_path, args, fragment):
    path = tmp_path / "nova.conf"
    text = "[filter_scheduler]\nenabled_filters = %s\n" % ISOLATION
    path.write_text(text)
    result = fail_result(module.main, dict(args, path=str(path)))
    assert result["msg"].startswith(str(path) + ": ")
    assert fragment in result["msg"]
    assert path.read_text() == text


def test_missing_file_fails_clearly(tmp_path):
    result = fail_result(module.main, {"path": str(tmp_path / "nope.conf"), "filters": [ISOLATION]})
    assert "does not exist; is nova (nova-common) installed?" in result["msg"]
