# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/ceilometer_ttl.py: main() on copies of the fixture files.

Commands (ceilometer-expirer, dpkg-query, rpm) never run: get_bin_path and run_command
are patched, and every call is recorded with its stdin and keyword arguments, so the
tests see exactly what would be executed. MongoDB is a recording stand-in for the pymongo
calls (tests/unit/mongodb_fakes.py); the integration target ceilometer_ttl_mongodb runs
the module against MongoDB wire-protocol servers.
"""

from __future__ import annotations

import datetime
import json
import os
import types
from pathlib import Path

import pytest
from ansible.module_utils import basic
from ansible_collections.stackops.openstack.plugins.module_utils import ceilometer_retention as cr
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.modules import ceilometer_ttl as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import changed_lines, exit_result, fail_result, patch_exits
from ansible_collections.stackops.openstack.tests.unit.mongodb_fakes import FakeClient, FakeDatabase

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
MONGO_PASSWORD = "M0ng0:s3cr3t"
MONGO_URI = "mongodb://ceilometer:M0ng0%3As3cr3t@mongo1:27017/ceilometer"
FILES = {  # release -> (ceilometer fixture, aodh fixture), each in the layout of that release's sample
    "juno": ("ceilometer-juno.conf", None),
    "kilo": ("ceilometer-kilo.conf", None),
    "liberty": ("ceilometer-liberty.conf", "aodh-liberty.conf"),
    "mitaka": ("ceilometer-newton.conf", "aodh-liberty.conf"),
    "newton": ("ceilometer-newton.conf", "aodh-pike.conf"),
    "ocata": ("ceilometer-pike.conf", "aodh-pike.conf"),
    "pike": ("ceilometer-pike.conf", "aodh-pike.conf"),
    "zed": ("ceilometer.conf", "aodh.conf"),
}


# --------------------------------------------------------------------------- harness

@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch, mask_failures=True, collect_warnings=True)


class Commands:
    """Stands in for get_bin_path and run_command; answers are set per test."""

    def __init__(self):
        self.paths = {"ceilometer-expirer": "/usr/bin/ceilometer-expirer", "dpkg-query": "/usr/bin/dpkg-query",
                      "rpm": None}
        self.calls = []
        self.answers = []  # (predicate(argv) -> bool, (rc, out, err) or callable(argv, kwargs))

    def answer(self, first, reply):
        self.answers.append((lambda argv: argv[0].endswith(first), reply))

    def get_bin_path(self, arg, required=False, opt_dirs=None):  # pylint: disable=unused-argument
        return self.paths.get(arg)

    def run_command(self, args, **kwargs):
        self.calls.append((list(args), kwargs))
        for matches, reply in self.answers:
            if matches(args):
                return reply(args, kwargs) if callable(reply) else reply
        return 1, "", "unexpected command %s" % args


@pytest.fixture
def commands(monkeypatch):
    fake = Commands()
    monkeypatch.setattr(basic.AnsibleModule, "get_bin_path",
                        lambda self, arg, required=False, opt_dirs=None: fake.get_bin_path(arg, required, opt_dirs))
    monkeypatch.setattr(basic.AnsibleModule, "run_command", lambda self, args, **kw: fake.run_command(args, **kw))
    return fake


def copy(tmp_path, release):
    """Copies of the release's files under tmp_path: (ceilometer.conf, aodh.conf or a missing path)."""
    ceilometer, aodh = FILES[release]
    (tmp_path / "ceilometer").mkdir(exist_ok=True)
    (tmp_path / "aodh").mkdir(exist_ok=True)
    conf = tmp_path / "ceilometer" / "ceilometer.conf"
    conf.write_text((FIXTURES / ceilometer).read_text(encoding="utf-8"), encoding="utf-8")
    conf.chmod(0o640)
    aodh_conf = tmp_path / "aodh" / "aodh.conf"
    if aodh:
        aodh_conf.write_text((FIXTURES / aodh).read_text(encoding="utf-8"), encoding="utf-8")
        aodh_conf.chmod(0o640)
    return conf, aodh_conf


def args_for(conf, aodh_conf, **args):
    args.update(path=str(conf), aodh_path=str(aodh_conf))
    return args


def run(conf, aodh_conf, check_mode=False, diff=False, **args):
    return exit_result(module.main, args_for(conf, aodh_conf, _ansible_check_mode=check_mode, _ansible_diff=diff, **args))


def run_fail(conf, aodh_conf, check_mode=False, **args):
    return fail_result(module.main, args_for(conf, aodh_conf, _ansible_check_mode=check_mode, **args))


def text(path):
    return path.read_text(encoding="utf-8") if path.exists() else None


def snapshot(*paths):
    return [(text(path), path.stat().st_mtime_ns if path.exists() else None) for path in paths]


def without_invocation(result):
    return {key: value for key, value in result.items() if key != "invocation"}


# --------------------------------------------------------------------------- per release

EXPECTED = {
    # release: (ceilometer.conf lines, aodh.conf lines) for metering 14d, event 1d (where ceilometer keeps
    # events), alarm history off
    "juno": None,  # no event TTL: tested apart
    # Kilo registers metering_time_to_live (ceilometer 2015.1.0): it is written, the deprecated name goes
    "kilo": (["+record_history = false", "+metering_time_to_live = 1209600", "+event_time_to_live = 86400",
              "-time_to_live = 604800"], None),
    "liberty": (["-metering_time_to_live = 2592000", "+metering_time_to_live = 1209600",
                 "+event_time_to_live = 86400"], ["+record_history = false"]),
    "ocata": (["-metering_time_to_live = 2592000", "+metering_time_to_live = 1209600"],
              ["+record_history = false"]),
}
for _name in ("mitaka", "newton"):
    EXPECTED[_name] = EXPECTED["liberty"]
EXPECTED["pike"] = EXPECTED["ocata"]
WITH_EVENTS = ("kilo", "liberty", "mitaka", "newton")


@pytest.mark.parametrize("release", ["kilo", "liberty", "mitaka", "newton", "ocata", "pike"])
def test_release_writes_its_options_then_reports_no_change(tmp_path, release):
    conf, aodh_conf = copy(tmp_path, release)
    before, aodh_before = text(conf), text(aodh_conf)
    event = "1d" if release in WITH_EVENTS else None
    result = run(conf, aodh_conf, release=release, metering_ttl="2w", event_ttl=event, alarm_history=False)
    ceilometer_lines, aodh_lines = EXPECTED[release]
    assert result["changed"] is True
    assert changed_lines(before, text(conf)) == ceilometer_lines
    assert result["release"] == release and result["package_version"] is None
    assert result["metering_ttl_seconds"] == 1209600
    assert result["event_ttl_seconds"] == (86400 if event else None)
    assert result["alarm_history"] is False
    # the alarm file was read: its alarm history TTL is reported (unset: forever), Kilo has none
    assert result["alarm_history_ttl_seconds"] == (None if release == "kilo" else cr.FOREVER)
    assert result["files"]["ceilometer"]["path"] == str(conf)
    assert result["files"]["ceilometer"]["changed"] is True
    assert result["files"]["ceilometer"]["changes"] == ini.changes(before, text(conf))
    assert result["purge"] is None and result["mongodb"] is None
    if aodh_lines is None:
        assert result["alarm_service"] == "ceilometer"
        assert "aodh" not in result["files"]
    else:
        assert result["alarm_service"] == "aodh"
        assert changed_lines(aodh_before, text(aodh_conf)) == aodh_lines
        assert result["files"]["aodh"]["changes"] == [
            {"section": "DEFAULT", "key": "record_history", "action": "added", "before": None, "after": "false"}]
    assert ("the Ceilometer API and its database are deprecated since Ocata" in " ".join(result.get("warnings", []))
            ) is (release in ("ocata", "pike"))

    state = snapshot(conf, aodh_conf)
    again = run(conf, aodh_conf, release=release, metering_ttl=1209600, event_ttl=event and "86400",
                alarm_history=False)
    assert again["changed"] is False
    assert all(entry["changed"] is False and entry["changes"] == [] for entry in again["files"].values())
    assert snapshot(conf, aodh_conf) == state


def test_kilo_writes_metering_time_to_live_and_drops_its_deprecated_alias(tmp_path):
    # ceilometer 2015.1.0 (Kilo) storage/__init__.py: IntOpt('metering_time_to_live',
    # deprecated_opts=[DeprecatedOpt('time_to_live', 'database')])
    conf, aodh_conf = copy(tmp_path, "kilo")
    result = run(conf, aodh_conf, release="kilo", metering_ttl="30d")
    assert result["files"]["ceilometer"]["changes"] == [
        {"section": "database", "key": "metering_time_to_live", "action": "added", "before": None,
         "after": "2592000"},
        {"section": "database", "key": "time_to_live", "action": "removed", "before": "604800", "after": None},
    ]
    doc = ini.parse(text(conf))
    assert doc.get("database", "metering_time_to_live") == "2592000"
    assert doc.get("database", "time_to_live") is None
    assert result["metering_ttl_seconds"] == 2592000
    assert result["event_ttl_seconds"] == cr.FOREVER  # unset: the ceilometer default
    assert not aodh_conf.exists()


def test_kilo_with_metering_time_to_live_set_keeps_it(tmp_path):
    conf, aodh_conf = copy(tmp_path, "kilo")
    conf.write_text(text(conf).replace("#metering_time_to_live = -1\n",
                                       "#metering_time_to_live = -1\nmetering_time_to_live = 2592000\n"),
                    encoding="utf-8")
    before = text(conf)
    result = run(conf, aodh_conf, release="kilo", metering_ttl="2w")
    assert changed_lines(before, text(conf)) == ["-metering_time_to_live = 2592000",
                                                 "+metering_time_to_live = 1209600", "-time_to_live = 604800"]
    assert result["files"]["ceilometer"]["changes"] == [
        {"section": "database", "key": "metering_time_to_live", "action": "changed", "before": "2592000",
         "after": "1209600"},
        {"section": "database", "key": "time_to_live", "action": "removed", "before": "604800", "after": None},
    ]
    assert result["metering_ttl_seconds"] == 1209600
    assert run(conf, aodh_conf, release="kilo", metering_ttl=1209600)["changed"] is False


def test_juno_writes_time_to_live(tmp_path):
    conf, aodh_conf = copy(tmp_path, "juno")
    before = text(conf)
    result = run(conf, aodh_conf, release="juno", metering_ttl="12h", alarm_history=True)
    assert changed_lines(before, text(conf)) == ["+record_history=true", "+time_to_live=43200"]
    assert result["metering_ttl_seconds"] == 43200 and result["event_ttl_seconds"] is None
    assert run(conf, aodh_conf, release="juno", metering_ttl=43200, alarm_history=True)["changed"] is False


def test_juno_refuses_event_ttl_before_reading_anything(tmp_path):
    conf, aodh_conf = copy(tmp_path, "juno")
    state = snapshot(conf)
    result = run_fail(conf, aodh_conf, release="juno", event_ttl="7d")
    assert result["msg"] == ("ceilometer juno has no event TTL: event_time_to_live arrived in Kilo; "
                             "leave event_ttl unset")
    assert snapshot(conf) == state


def test_juno_file_with_a_kilo_option_set_contradicts_juno(tmp_path):
    conf, aodh_conf = copy(tmp_path, "juno")
    conf.write_text(text(conf).replace("#time_to_live=-1\n", "#time_to_live=-1\nevent_time_to_live=60\n"),
                    encoding="utf-8")
    state = snapshot(conf)
    result = run_fail(conf, aodh_conf, release="juno", metering_ttl="1d")
    assert result["msg"].startswith("%s does not look like the ceilometer.conf of juno: [database] "
                                    "event_time_to_live is set (ceilometer registers it from 2015.1.0 (Kilo) to "
                                    "7.x (Newton))" % conf)
    assert snapshot(conf) == state
    # release_mismatch=warn: the same sentence as a warning, and the edit goes on
    warned = run(conf, aodh_conf, release="juno", metering_ttl="1d", release_mismatch="warn")
    assert warned["changed"] is True
    assert [warning for warning in warned["warnings"] if "does not look like" in warning] == [result["msg"]]


def test_liberty_can_keep_alarms_in_ceilometer(tmp_path):
    conf, aodh_conf = copy(tmp_path, "liberty")
    aodh_state = snapshot(aodh_conf)
    before = text(conf)
    result = run(conf, aodh_conf, release="liberty", alarm_history=False, alarm_service="ceilometer")
    assert result["alarm_service"] == "ceilometer"
    assert changed_lines(before, text(conf)) == ["+record_history = false"]
    assert snapshot(aodh_conf) == aodh_state and "aodh" not in result["files"]


@pytest.mark.parametrize("check_mode", [False, True], ids=["apply", "check"])
def test_alarm_history_only_needs_no_ceilometer_conf(tmp_path, check_mode):
    conf, aodh_conf = copy(tmp_path, "mitaka")
    conf.unlink()
    result = run(conf, aodh_conf, check_mode=check_mode, release="mitaka", alarm_history=True)
    assert result["changed"] is True and list(result["files"]) == ["aodh"]
    assert result["metering_ttl_seconds"] is None and result["event_ttl_seconds"] is None
    assert result["alarm_history_ttl_seconds"] == cr.FOREVER  # aodh's default, the file sets none
    assert not conf.exists()


# --------------------------------------------------------------------------- check mode, diff, backup


@pytest.mark.parametrize("release", ["kilo", "liberty", "pike"])
def test_check_mode_writes_nothing_and_reports_the_same(tmp_path, release):
    conf, aodh_conf = copy(tmp_path, release)
    state = snapshot(conf, aodh_conf)
    args = dict(release=release, metering_ttl="2w", event_ttl="1d" if release in WITH_EVENTS else None,
                alarm_history=False, alarm_history_ttl="30d" if release != "kilo" else None, backup=True)
    checked = run(conf, aodh_conf, check_mode=True, diff=True, **args)
    assert snapshot(conf, aodh_conf) == state
    assert sorted(os.listdir(conf.parent)) == ["ceilometer.conf"]
    assert all(entry["backup_file"] is None for entry in checked["files"].values())
    assert checked["changed"] is True
    real = run(conf, aodh_conf, diff=True, **args)
    for entry in real["files"].values():
        assert entry.pop("backup_file") is not None
    for entry in checked["files"].values():
        entry.pop("backup_file")
    assert without_invocation(checked) == without_invocation(real)


def test_diff_of_both_files_with_secrets_masked(tmp_path):
    conf, aodh_conf = copy(tmp_path, "liberty")
    before, aodh_before = text(conf), text(aodh_conf)
    result = run(conf, aodh_conf, diff=True, release="liberty", metering_ttl="7d", alarm_history=False)
    assert [entry["before_header"] for entry in result["diff"]] == [str(conf), str(aodh_conf)]
    first, second = result["diff"]
    assert changed_lines(first["before"], first["after"]) == ["-metering_time_to_live = 2592000",
                                                              "+metering_time_to_live = 604800"]
    assert changed_lines(second["before"], second["after"]) == ["+record_history = false"]
    dumped = json.dumps(result)
    for secret in ("CEILOMETER_DBPASS", "AODH_DBPASS", "AODH_PASS", "TELEMETRY_SECRET", "CEILOMETER_PASS"):
        assert secret not in dumped
    assert "connection = %s" % ini.MASK in first["after"]
    assert before != text(conf) and aodh_before != text(aodh_conf)


def test_backup_only_of_files_that_change(tmp_path):
    conf, aodh_conf = copy(tmp_path, "liberty")
    before = text(conf)
    result = run(conf, aodh_conf, release="liberty", metering_ttl="1w", alarm_history=True, backup=True)
    backup = Path(result["files"]["ceilometer"]["backup_file"])
    assert backup.parent == conf.parent and backup.read_text(encoding="utf-8") == before
    assert result["files"]["aodh"]["backup_file"] is not None
    again = run(conf, aodh_conf, release="liberty", metering_ttl="1w", alarm_history=True, backup=True)
    assert [entry["backup_file"] for entry in again["files"].values()] == [None, None]


# --------------------------------------------------------------------------- Queens and later


@pytest.mark.parametrize("release", ["queens", "rocky", "train", "zed", "2024.1", "epoxy"])
def test_queens_and_later_refused_on_the_real_debian_zed_files(tmp_path, release):
    conf, aodh_conf = copy(tmp_path, "zed")
    state = snapshot(conf, aodh_conf)
    result = run_fail(conf, aodh_conf, release=release, metering_ttl="7d", event_ttl="1d", alarm_history=False)
    assert result["msg"].startswith("ceilometer has no database TTL on %s: from Queens (ceilometer 10.0.0)"
                                    % release)
    assert "gnocchi archive-policy update" in result["msg"]
    assert snapshot(conf, aodh_conf) == state
    assert sorted(os.listdir(conf.parent)) == ["ceilometer.conf"]


def test_detect_on_a_zed_host_is_refused(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "zed")
    state = snapshot(conf, aodh_conf)
    commands.answer("dpkg-query", (0, "ii  1:19.0.0-3", ""))
    result = run_fail(conf, aodh_conf, release="detect", metering_ttl="7d")
    assert result["release"] == "zed" and result["package_version"] == "1:19.0.0-3"
    assert "Gnocchi archive policy" in result["msg"]
    assert snapshot(conf, aodh_conf) == state


# --------------------------------------------------------------------------- detect


def test_detect_with_dpkg(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "mitaka")
    replies = {"ceilometer-common": (1, "", "dpkg-query: no packages found matching ceilometer-common"),
               "python3-ceilometer": (0, "un ", ""),
               "python-ceilometer": (0, "ii  1:6.1.5-1", "")}
    commands.answers.append((lambda argv: argv[0] == "/usr/bin/dpkg-query", lambda argv, kw: replies[argv[-1]]))
    result = run(conf, aodh_conf, release="detect", metering_ttl="1d")
    assert result["release"] == "mitaka" and result["package_version"] == "1:6.1.5-1"
    assert [call[0] for call in commands.calls] == [
        ["/usr/bin/dpkg-query", "-W", "-f=${db:Status-Abbrev} ${Version}", package]
        for package in ("ceilometer-common", "python3-ceilometer", "python-ceilometer")]


def test_detect_with_rpm(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "kilo")
    commands.paths.update({"dpkg-query": None, "rpm": "/usr/bin/rpm"})
    commands.answer("rpm", (0, "2015.1.1", ""))
    result = run(conf, aodh_conf, release="detect", metering_ttl="1d", check_mode=True)
    assert result["release"] == "kilo" and result["package_version"] == "2015.1.1"
    assert commands.calls[0][0] == ["/usr/bin/rpm", "-q", "--qf", "%{VERSION}", "openstack-ceilometer-common"]


@pytest.mark.parametrize("dpkg, rpm, fragment", [
    ("/usr/bin/dpkg-query", None, "found no installed ceilometer package (tried ceilometer-common, "
                                  "python3-ceilometer, python-ceilometer)"),
    (None, None, "needs dpkg-query or rpm"),
])
def test_detect_without_a_package(tmp_path, commands, dpkg, rpm, fragment):
    conf, aodh_conf = copy(tmp_path, "kilo")
    commands.paths.update({"dpkg-query": dpkg, "rpm": rpm})
    commands.answer("dpkg-query", (1, "", "no packages found"))
    assert fragment in run_fail(conf, aodh_conf, release="detect", metering_ttl="1d")["msg"]


def test_detect_unreadable_version(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "kilo")
    commands.answer("dpkg-query", (0, "ii  2013.2.4-0ubuntu1", ""))
    assert "older than Juno" in run_fail(conf, aodh_conf, release="detect", metering_ttl="1d")["msg"]


# --------------------------------------------------------------------------- missing and broken files


def test_missing_ceilometer_conf_fails_before_any_change(tmp_path):
    conf, aodh_conf = copy(tmp_path, "liberty")
    conf.unlink()
    state = snapshot(aodh_conf)
    result = run_fail(conf, aodh_conf, release="liberty", metering_ttl="1d", alarm_history=False)
    assert result["msg"] == ("%s does not exist; is ceilometer installed? Set path to its configuration file"
                             % conf)
    assert snapshot(aodh_conf) == state


def test_missing_aodh_conf_fails_only_when_alarm_history_goes_there(tmp_path):
    conf, aodh_conf = copy(tmp_path, "newton")
    aodh_conf.unlink()
    state = snapshot(conf)
    result = run_fail(conf, aodh_conf, release="newton", metering_ttl="1d", alarm_history=True)
    assert result["msg"] == ("%s does not exist; is aodh installed? Set aodh_path to its configuration file"
                             % aodh_conf)
    assert snapshot(conf) == state
    assert run(conf, aodh_conf, release="newton", metering_ttl="1d")["changed"] is True
    assert not aodh_conf.exists()


def test_kilo_alarm_history_never_reads_aodh_conf(tmp_path):
    conf, aodh_conf = copy(tmp_path, "kilo")
    assert not aodh_conf.exists()
    assert run(conf, aodh_conf, release="kilo", alarm_history=False)["changed"] is True


def test_broken_aodh_conf_leaves_ceilometer_conf_untouched(tmp_path):
    conf, aodh_conf = copy(tmp_path, "pike")
    aodh_conf.write_text("record_history = true\n[DEFAULT]\n", encoding="utf-8")
    state = snapshot(conf)
    msg = run_fail(conf, aodh_conf, release="pike", metering_ttl="1d", alarm_history=True)["msg"]
    assert msg.startswith("cannot parse %s: line 1: option before the first [section]" % aodh_conf)
    assert snapshot(conf) == state


def test_directory_is_refused(tmp_path):
    conf, aodh_conf = copy(tmp_path, "kilo")
    assert "is a directory" in run_fail(conf.parent, aodh_conf, release="kilo", metering_ttl="1d")["msg"]


def test_not_utf8(tmp_path):
    conf, aodh_conf = copy(tmp_path, "kilo")
    conf.write_bytes(b"[database]\nconnection = \xff\n")
    assert "is not UTF-8 text" in run_fail(conf, aodh_conf, release="kilo", metering_ttl="1d")["msg"]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("args, fragment", [
    ({"metering_ttl": "7 days"}, "metering_ttl: '7 days' is not a duration; expected seconds as an integer"),
    ({"metering_ttl": 0}, "metering_ttl: 0 is not a duration (0 would mean keep forever"),
    ({"event_ttl": "1.5d"}, "event_ttl: '1.5d' is not a duration"),
    ({"event_ttl": [1]}, "event_ttl: [1] is not a duration"),
    ({"metering_ttl": "-7d"}, "(only -1 means keep forever)"),
    ({"metering_ttl": "1d", "release": "mitaka", "alarm_service": "ceilometer", "alarm_history": True},
     "alarm_service ceilometer is not possible on mitaka"),
    ({"metering_ttl": "1d", "alarm_service": "aodh", "alarm_history": True},
     "alarm_service aodh is not possible on kilo"),
    ({"metering_ttl": "1d", "release": "Kilo"}, "value of release must be one of"),
    ({"metering_ttl": "1d", "release": "havana"}, "value of release must be one of"),
    ({}, "nothing to do: set metering_ttl, event_ttl, alarm_history or alarm_history_ttl, or purge=true or "
         "mongodb_compact=true"),
    ({"alarm_history_ttl": "3 months"}, "alarm_history_ttl: '3 months' is not a duration"),
    ({"alarm_history_ttl": "90d"}, "ceilometer kilo has no alarm history TTL: alarm_history_time_to_live arrived "
                                   "in Liberty (ceilometer 5.0.0 and aodh 1.0.0)"),
    ({"metering_ttl": "1d", "release_mismatch": "ignore"}, "value of release_mismatch must be one of: fail, warn"),
    ({"purge": False, "mongodb_compact": False}, "nothing to do"),
    ({"mongodb_compact": True}, "mongodb_compact is True but all of the following are missing: mongodb_uri"),
    ({"mongodb_compact": True, "mongodb_uri": "mongodb://u:P4ss@h:27017"}, "names no database"),
    ({"metering_ttl": "1d", "bogus": 1}, "Unsupported parameters"),
])
def test_bad_input_is_refused_and_nothing_changes(tmp_path, args, fragment):
    conf, aodh_conf = copy(tmp_path, "kilo")
    state = snapshot(conf)
    args.setdefault("release", "kilo")
    result = run_fail(conf, aodh_conf, **args)
    assert fragment in result["msg"]
    assert snapshot(conf) == state
    assert "P4ss" not in json.dumps(result)


# --------------------------------------------------------------------------- purge


def test_purge_runs_the_expirer_after_the_change(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "liberty")
    seen = {}

    def expirer(argv, kwargs):
        seen["ttl"] = ini.parse(text(conf)).get("database", "metering_time_to_live")
        return 0, "", "INFO ceilometer.cmd.storage Nothing to clean, database event time to live is disabled\n"
    commands.answer("ceilometer-expirer", expirer)
    result = run(conf, aodh_conf, release="liberty", metering_ttl="7d", purge=True)
    assert commands.calls == [(["/usr/bin/ceilometer-expirer", "--config-file", str(conf)], {})]
    assert seen["ttl"] == "604800"  # the file was written before the expirer ran
    purge = result["purge"]
    assert purge["ran"] is True and purge["rc"] == 0 and purge["stdout"] == ""
    assert "Nothing to clean" in purge["stderr"]
    assert purge["command"] == ["/usr/bin/ceilometer-expirer", "--config-file", str(conf)]
    assert isinstance(purge["duration"], float) and purge["duration"] >= 0
    # the second run changes no file but purges again, which is a change
    again = run(conf, aodh_conf, release="liberty", metering_ttl="7d", purge=True)
    assert again["files"]["ceilometer"]["changed"] is False and again["changed"] is True


def test_purge_alone_uses_the_file_as_it_is(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "kilo")
    state = snapshot(conf)
    commands.answer("ceilometer-expirer", (0, "", ""))
    result = run(conf, aodh_conf, release="kilo", purge=True)
    assert result["changed"] is True and result["files"]["ceilometer"]["changed"] is False
    assert result["metering_ttl_seconds"] == 604800  # time_to_live, the name Kilo is given
    assert snapshot(conf) == state


def test_purge_with_an_absolute_expirer(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "kilo")
    expirer = tmp_path / "bin" / "ceilometer-expirer"
    expirer.parent.mkdir()
    expirer.write_text("#!/bin/sh\n", encoding="utf-8")
    expirer.chmod(0o755)
    commands.answer("ceilometer-expirer", (0, "done", ""))
    result = run(conf, aodh_conf, release="kilo", purge=True, expirer_command=str(expirer))
    assert result["purge"]["command"][0] == str(expirer)


def test_purge_not_in_check_mode(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "kilo")
    result = run(conf, aodh_conf, check_mode=True, release="kilo", metering_ttl="7d", purge=True)
    assert commands.calls == []
    assert result["purge"] == {"ran": False,
                               "command": ["/usr/bin/ceilometer-expirer", "--config-file", str(conf)]}


def test_purge_failure_reports_the_output(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "kilo")
    before = text(conf)
    commands.answer("ceilometer-expirer", (1, "", "CRITICAL ceilometer [-] OperationalError: (2003, \"Can't "
                                                  "connect to MySQL server on 'controller'\")\n"))
    # 2w, not the 7d already in the Kilo file, so that there is an edit to report
    result = run_fail(conf, aodh_conf, release="kilo", metering_ttl="2w", purge=True)
    assert result["msg"].startswith("/usr/bin/ceilometer-expirer --config-file %s failed with exit status 1: "
                                    "CRITICAL ceilometer [-] OperationalError" % conf)
    # what was already done is reported: changed, and the file named, so the restart can still happen
    assert result["changed"] is True
    assert result["msg"].endswith("Before this failure the module already wrote %s: restart the services that "
                                  "read the files written" % conf)
    assert result["purge"]["rc"] == 1
    assert result["files"]["ceilometer"]["changed"] is True
    assert result["files"]["ceilometer"]["changes"] == [
        {"section": "database", "key": "metering_time_to_live", "action": "added", "before": None,
         "after": "1209600"},
        {"section": "database", "key": "time_to_live", "action": "removed", "before": "604800", "after": None},
    ]
    # the edit stays: it was done before the expirer ran
    assert changed_lines(before, text(conf)) == ["+metering_time_to_live = 1209600", "-time_to_live = 604800"]


def test_purge_failure_without_an_edit_is_still_a_change(tmp_path, commands):
    # the expirer may have deleted samples before it failed
    conf, aodh_conf = copy(tmp_path, "kilo")
    commands.answer("ceilometer-expirer", (1, "", "CRITICAL ceilometer [-] killed\n"))
    result = run_fail(conf, aodh_conf, release="kilo", purge=True)
    assert result["changed"] is True
    assert result["files"]["ceilometer"]["changed"] is False
    assert "already" not in result["msg"]


@pytest.mark.parametrize("command, fragment", [
    ("ceilometer-expirer", "expirer_command ceilometer-expirer is not in PATH"),
    ("/nonexistent/ceilometer-expirer", "expirer_command /nonexistent/ceilometer-expirer is not an executable"),
])
def test_purge_without_an_expirer_fails_before_the_edit(tmp_path, commands, command, fragment):
    conf, aodh_conf = copy(tmp_path, "kilo")
    state = snapshot(conf)
    commands.paths["ceilometer-expirer"] = None
    result = run_fail(conf, aodh_conf, release="kilo", metering_ttl="1d", purge=True, expirer_command=command)
    assert fragment in result["msg"]
    assert commands.calls == []
    assert snapshot(conf) == state


# --------------------------------------------------------------------------- MongoDB


@pytest.fixture
def mongodb(monkeypatch):
    """pymongo importable, and MongoClient(uri) giving a FakeDatabase (client.database) that records calls."""
    client = FakeClient(FakeDatabase())
    client.database.stats.insert(0, dict(client.database.stats[0]))  # the preflight's dbStats answer
    monkeypatch.setattr(module, "pymongo", types.SimpleNamespace(MongoClient=client.connect))
    return client


def dumped_without_secret(result):
    dumped = json.dumps(result)
    assert MONGO_PASSWORD not in dumped and MONGO_URI not in dumped and "M0ng0" not in dumped
    return dumped


def test_mongodb_removes_then_compacts_through_the_library(tmp_path, commands, mongodb):
    conf, aodh_conf = copy(tmp_path, "kilo")
    commands.answer("ceilometer-expirer", (0, "", ""))
    started = datetime.datetime.now(datetime.timezone.utc)
    result = run(conf, aodh_conf, release="kilo", metering_ttl="7d", purge=True, mongodb_compact=True,
                 mongodb_uri=MONGO_URI)
    # the expirer is the only command run; the URI went to the library only, in this process
    (expirer_argv, expirer_kwargs), = commands.calls
    assert expirer_argv[0] == "/usr/bin/ceilometer-expirer" and expirer_kwargs == {}
    assert mongodb.uris == [MONGO_URI] and mongodb.names == ["ceilometer"] and mongodb.closed
    calls = mongodb.database.calls
    # checked before the edit (ping, dbStats), then the purge after the expirer
    assert [call[0] for call in calls] == ["ping", "dbStats", "dbStats", "delete_many", "compact", "dbStats"]
    cutoff = calls[3][2]["timestamp"]["$lt"]
    assert calls[3][:2] == ("delete_many", "meter") and calls[4][:2] == ("compact", "meter")
    assert abs(cutoff - (started - datetime.timedelta(days=7))) < datetime.timedelta(seconds=60)
    assert result["changed"] is True
    assert result["mongodb"] == {
        "ran": True, "database": "ceilometer", "collection": "meter", "ttl_seconds": 604800,
        "cutoff": cr.iso_utc(cutoff), "removed": 15, "compact_bytes_freed": 400,
        "before": {"dataSize": 900, "storageSize": 1000, "indexSize": 100, "fileSize": None, "objects": 40},
        "after": {"dataSize": 500, "storageSize": 600, "indexSize": 60, "fileSize": 2048, "objects": 25},
        "duration": result["mongodb"]["duration"],
    }
    dumped_without_secret(result)


def test_mongodb_uses_the_ttl_in_the_file(tmp_path, mongodb):
    conf, aodh_conf = copy(tmp_path, "liberty")
    result = run(conf, aodh_conf, release="liberty", mongodb_compact=True, mongodb_uri=MONGO_URI)
    assert result["mongodb"]["ttl_seconds"] == 2592000
    assert result["files"]["ceilometer"]["changed"] is False


def test_mongodb_with_nothing_to_remove_or_free_is_no_change(tmp_path, mongodb):
    conf, aodh_conf = copy(tmp_path, "liberty")  # the file already says 30 days
    mongodb.database.removed = 0
    mongodb.database.compact = {"ok": 1.0, "bytesFreed": 0}
    result = run(conf, aodh_conf, release="liberty", metering_ttl="30d", mongodb_compact=True,
                 mongodb_uri=MONGO_URI)
    assert result["changed"] is False
    assert result["mongodb"]["ran"] is True and result["mongodb"]["removed"] == 0


@pytest.mark.parametrize("check_mode", [False, True])
def test_mongodb_without_pymongo_fails_before_the_edit(tmp_path, monkeypatch, check_mode):
    conf, aodh_conf = copy(tmp_path, "kilo")
    state = snapshot(conf)
    monkeypatch.setattr(module, "pymongo", None)
    msg = run_fail(conf, aodh_conf, check_mode=check_mode, release="kilo", metering_ttl="2d", mongodb_compact=True,
                   mongodb_uri=MONGO_URI)["msg"]
    assert msg.startswith("Failed to import the required Python library (pymongo) on ")
    assert "This is required for mongodb_compact." in msg
    assert snapshot(conf) == state


def test_mongodb_needs_a_ttl(tmp_path, commands, mongodb):
    conf, aodh_conf = copy(tmp_path, "pike")  # the Pike sample: no event TTL, metering unset
    state = snapshot(conf)
    result = run_fail(conf, aodh_conf, release="pike", metering_ttl=-1, mongodb_compact=True,
                      mongodb_uri=MONGO_URI)
    assert "nothing is older than forever" in result["msg"]
    assert commands.calls == [] and mongodb.uris == []
    assert snapshot(conf) == state
    dumped_without_secret(result)


def test_mongodb_with_an_unreadable_ttl(tmp_path, commands, mongodb):
    conf, aodh_conf = copy(tmp_path, "liberty")
    conf.write_text(text(conf).replace("metering_time_to_live = 2592000", "metering_time_to_live = 30d"),
                    encoding="utf-8")
    result = run_fail(conf, aodh_conf, release="liberty", mongodb_compact=True, mongodb_uri=MONGO_URI)
    assert result["msg"] == ("mongodb_compact: the metering TTL in %s is not an integer; set metering_ttl" % conf)
    assert commands.calls == [] and mongodb.uris == []


def test_mongodb_not_in_check_mode(tmp_path, commands, mongodb):
    conf, aodh_conf = copy(tmp_path, "kilo")
    state = snapshot(conf)
    result = run(conf, aodh_conf, check_mode=True, release="kilo", metering_ttl="7d", purge=True,
                 mongodb_compact=True, mongodb_uri=MONGO_URI)
    # no command, no connection: the database is not contacted at all
    assert commands.calls == [] and mongodb.uris == [] and mongodb.database.calls == []
    assert result["changed"] is True  # the file would change
    assert snapshot(conf) == state
    cutoff = result["mongodb"].pop("cutoff")
    assert result["mongodb"] == {"ran": False, "database": "ceilometer", "collection": "meter",
                                 "ttl_seconds": 604800}
    assert cutoff.endswith("Z") and len(cutoff) == len("2026-11-16T00:12:00.000Z")


URI_IN_ERROR = "Authentication failed for %s (user ceilometer:%s)" % (MONGO_URI, MONGO_PASSWORD)


@pytest.mark.parametrize("fail, step", [("ping", "ping"), ("dbStats", "dbStats")])
def test_mongodb_unreachable_or_refused_fails_before_anything_is_written(tmp_path, commands, mongodb, fail, step):
    conf, aodh_conf = copy(tmp_path, "kilo")
    state = snapshot(conf)
    mongodb.database.fail, mongodb.database.error = fail, URI_IN_ERROR
    result = run_fail(conf, aodh_conf, release="kilo", metering_ttl="2d", purge=True, mongodb_compact=True,
                      mongodb_uri=MONGO_URI)
    assert result["msg"] == ("mongodb_compact: cannot use the MongoDB database ceilometer at mongo1:27017: %s failed: "
                             "FakeOperationFailure: Authentication failed for ******** (user ceilometer:********); "
                             "nothing was changed" % step)
    assert "changed" not in result
    assert snapshot(conf) == state and commands.calls == []
    dumped_without_secret(result)


def test_mongodb_uri_refused_by_the_library_fails_before_anything_is_written(tmp_path, monkeypatch):
    conf, aodh_conf = copy(tmp_path, "kilo")
    state = snapshot(conf)

    def refuse(uri):
        raise ValueError("Unknown option tlz in %s" % uri)
    monkeypatch.setattr(module, "pymongo", types.SimpleNamespace(MongoClient=refuse))
    result = run_fail(conf, aodh_conf, release="kilo", metering_ttl="2d", mongodb_compact=True,
                      mongodb_uri=MONGO_URI)
    assert result["msg"] == ("mongodb_compact: cannot use the MongoDB database ceilometer at mongo1:27017: "
                             "ValueError: Unknown option tlz in ********; nothing was changed")
    assert snapshot(conf) == state
    dumped_without_secret(result)


def test_mongodb_failing_before_the_removal_with_nothing_done_is_no_change(tmp_path, mongodb):
    conf, aodh_conf = copy(tmp_path, "liberty")  # already 30 days: nothing to write
    mongodb.database.fail = ("dbStats", 2)  # the preflight's passes, the purge's fails
    result = run_fail(conf, aodh_conf, release="liberty", metering_ttl="30d", mongodb_compact=True,
                      mongodb_uri=MONGO_URI)
    assert "changed" not in result
    assert result["msg"] == "mongodb_compact: dbStats failed on ceilometer.meter: FakeOperationFailure: command failed"
    assert result["mongodb"]["ran"] is True and result["mongodb"]["removed"] is None


# --------------------------------------------------------------------------- a failure after a write (item 13)


def failing_aodh_write(monkeypatch, aodh_conf):
    """Let write_config fail for aodh.conf the way it does on an OSError (disk full), after ceilometer.conf."""
    real = module.ini_module.write_config

    def write_config(mod, path, before, after, backup, secret=None):
        if path == str(aodh_conf):
            mod.fail_json(msg="cannot write %s: [Errno 28] No space left on device" % path)
        return real(mod, path, before, after, backup, secret)
    monkeypatch.setattr(module.ini_module, "write_config", write_config)


def test_aodh_write_failing_after_ceilometer_conf_reports_the_written_file(tmp_path, monkeypatch):
    conf, aodh_conf = copy(tmp_path, "liberty")
    before, aodh_state = text(conf), snapshot(aodh_conf)
    failing_aodh_write(monkeypatch, aodh_conf)
    result = run_fail(conf, aodh_conf, release="liberty", metering_ttl="1w", alarm_history=False)
    assert result["changed"] is True
    assert result["msg"] == ("cannot write %s: [Errno 28] No space left on device. Before this failure the module "
                             "already wrote %s: restart the services that read the files written" % (aodh_conf, conf))
    assert list(result["files"]) == ["ceilometer"]
    assert result["files"]["ceilometer"]["changed"] is True and result["files"]["ceilometer"]["path"] == str(conf)
    assert changed_lines(before, text(conf)) == ["-metering_time_to_live = 2592000", "+metering_time_to_live = 604800"]
    assert snapshot(aodh_conf) == aodh_state


def test_aodh_write_failing_with_nothing_written_before_is_no_change(tmp_path, monkeypatch):
    conf, aodh_conf = copy(tmp_path, "liberty")
    failing_aodh_write(monkeypatch, aodh_conf)
    # ceilometer.conf already says 30 days: it is read and left, then aodh.conf fails
    result = run_fail(conf, aodh_conf, release="liberty", metering_ttl="30d", alarm_history=False)
    assert "changed" not in result
    assert result["msg"] == "cannot write %s: [Errno 28] No space left on device" % aodh_conf
    assert result["files"]["ceilometer"]["changed"] is False


def test_an_unwritable_second_file_fails_before_the_first_is_written(tmp_path, monkeypatch):
    conf, aodh_conf = copy(tmp_path, "pike")
    state = snapshot(conf, aodh_conf)
    real = os.access
    monkeypatch.setattr(module.os, "access",
                        lambda path, mode: False if str(path) == str(aodh_conf) else real(path, mode))
    result = run_fail(conf, aodh_conf, release="pike", metering_ttl="1w", alarm_history=False)
    assert result["msg"] == ("cannot write %s: the file %s is not writable (run as root, e.g. become: true); "
                             "nothing was changed" % (aodh_conf, aodh_conf))
    assert "changed" not in result
    assert snapshot(conf, aodh_conf) == state
    # check mode does not ask: it writes nothing
    assert run(conf, aodh_conf, check_mode=True, release="pike", metering_ttl="1w",
               alarm_history=False)["changed"] is True


def test_mongodb_compact_failing_after_the_removal_names_the_edit_the_expirer_and_the_removal(
        tmp_path, commands, mongodb):
    conf, aodh_conf = copy(tmp_path, "kilo")
    commands.answer("ceilometer-expirer", (0, "", ""))
    mongodb.database.fail, mongodb.database.error = "compact", "compact not allowed on secondary; " + URI_IN_ERROR
    result = run_fail(conf, aodh_conf, release="kilo", metering_ttl="2w", purge=True, mongodb_compact=True,
                      mongodb_uri=MONGO_URI)
    cutoff = result["mongodb"]["cutoff"]
    assert result["changed"] is True
    assert result["msg"] == (
        "mongodb_compact: compact failed on ceilometer.meter: FakeOperationFailure: compact not allowed on "
        "secondary; Authentication failed for ******** (user ceilometer:********). Before this failure the module "
        "already wrote %s and ran /usr/bin/ceilometer-expirer and removed 15 samples older than %s from "
        "ceilometer.meter: restart the services that read the files written" % (conf, cutoff))
    assert result["purge"]["rc"] == 0
    assert result["mongodb"]["ran"] is True and result["mongodb"]["removed"] == 15
    assert result["mongodb"]["before"]["objects"] == 40 and result["mongodb"]["after"] is None
    assert result["files"]["ceilometer"]["changed"] is True
    dumped_without_secret(result)


def test_mongodb_removal_failing_part_way_is_a_change(tmp_path, mongodb):
    conf, aodh_conf = copy(tmp_path, "liberty")  # already 30 days: nothing written
    mongodb.database.fail, mongodb.database.error = "delete_many", "connection reset by peer"
    result = run_fail(conf, aodh_conf, release="liberty", metering_ttl="30d", mongodb_compact=True,
                      mongodb_uri=MONGO_URI)
    cutoff = result["mongodb"]["cutoff"]
    assert result["changed"] is True
    assert result["msg"] == (
        "mongodb_compact: the removal of the samples older than %s failed on ceilometer.meter: FakeOperationFailure: "
        "connection reset by peer. Before this failure the module already started removing the samples older than "
        "%s from ceilometer.meter (some may be gone)" % (cutoff, cutoff))


# --------------------------------------------------------------------------- alarm history TTL (item 16)


@pytest.mark.parametrize("release, fixture", [
    ("liberty", "aodh-liberty.conf"), ("mitaka", "aodh-liberty.conf"), ("newton", "aodh-pike.conf"),
    ("pike", "aodh-pike.conf"), ("queens", "aodh-pike.conf"), ("wallaby", "aodh-pike.conf"),
    ("xena", "aodh.conf"), ("zed", "aodh.conf"), ("2024.1", "aodh.conf"), ("epoxy", "aodh.conf"),
])
def test_alarm_history_ttl_goes_to_aodh_on_every_release_with_aodh(tmp_path, release, fixture):
    # aodh 1.0.0 (Liberty) to 22.0.0 (2026.1): aodh/storage/__init__.py [database] alarm_history_time_to_live
    conf, aodh_conf = copy(tmp_path, "zed")
    aodh_conf.write_text((FIXTURES / fixture).read_text(encoding="utf-8"), encoding="utf-8")
    conf.unlink()  # never read for aodh's settings
    before = text(aodh_conf)
    result = run(conf, aodh_conf, release=release, alarm_history_ttl="90d")
    assert result["changed"] is True and result["alarm_service"] == "aodh"
    assert result["alarm_history_ttl_seconds"] == 7776000 and result["alarm_history"] is None
    assert changed_lines(before, text(aodh_conf)) == ["+alarm_history_time_to_live = 7776000"]
    lines = text(aodh_conf).splitlines()
    assert lines[lines.index("alarm_history_time_to_live = 7776000") - 1] == "#alarm_history_time_to_live = -1"
    assert result["files"] == {"aodh": {"path": str(aodh_conf), "changed": True, "backup_file": None, "changes": [
        {"section": "database", "key": "alarm_history_time_to_live", "action": "added", "before": None,
         "after": "7776000"}]}}
    again = run(conf, aodh_conf, release=release, alarm_history_ttl=7776000)
    assert again["changed"] is False and again["alarm_history_ttl_seconds"] == 7776000


def test_alarm_history_and_its_ttl_together_on_the_real_zed_aodh_conf(tmp_path):
    conf, aodh_conf = copy(tmp_path, "zed")
    before = text(aodh_conf)
    result = run(conf, aodh_conf, release="zed", alarm_history=True, alarm_history_ttl="30d", diff=True)
    assert changed_lines(before, text(aodh_conf)) == ["+record_history = true",
                                                      "+alarm_history_time_to_live = 2592000"]
    assert [entry["before_header"] for entry in result["diff"]] == [str(aodh_conf)]
    assert "ceilometer" not in result["files"]


def test_alarm_history_ttl_in_ceilometer_conf_on_liberty(tmp_path):
    # ceilometer 5.0.0 storage/__init__.py: alarm_history_time_to_live (deprecated_for_removal), Liberty only
    conf, aodh_conf = copy(tmp_path, "liberty")
    aodh_state = snapshot(aodh_conf)
    before = text(conf)
    result = run(conf, aodh_conf, release="liberty", alarm_history_ttl="1w", alarm_service="ceilometer")
    assert changed_lines(before, text(conf)) == ["+alarm_history_time_to_live = 604800"]
    assert result["alarm_history_ttl_seconds"] == 604800
    assert snapshot(aodh_conf) == aodh_state


@pytest.mark.parametrize("release, alarm_service, fragment", [
    ("juno", "auto", "ceilometer juno has no alarm history TTL"),
    ("kilo", "ceilometer", "ceilometer kilo has no alarm history TTL"),
    ("mitaka", "ceilometer", "alarm_service ceilometer is not possible on mitaka"),
])
def test_alarm_history_ttl_refused_where_there_is_none(tmp_path, release, alarm_service, fragment):
    conf, aodh_conf = copy(tmp_path, release)
    state = snapshot(conf, aodh_conf)
    assert fragment in run_fail(conf, aodh_conf, release=release, alarm_history_ttl="1d",
                                alarm_service=alarm_service)["msg"]
    assert snapshot(conf, aodh_conf) == state


# --------------------------------------------------------------------------- events after Newton (item 16)


@pytest.mark.parametrize("release", ["ocata", "pike"])
def test_event_ttl_on_ocata_and_pike_points_at_panko(tmp_path, release):
    # ceilometer 8.0.0 "Remove events storage and API"; panko 1.0.0..10.0.0 [database] event_time_to_live
    conf, aodh_conf = copy(tmp_path, release)
    state = snapshot(conf)
    msg = run_fail(conf, aodh_conf, release=release, metering_ttl="1d", event_ttl="1d")["msg"]
    assert msg.startswith("ceilometer %s has no event TTL (leave event_ttl unset): " % release)
    assert "event_time_to_live in panko.conf" in msg and "Panko itself is retired" in msg
    assert snapshot(conf) == state


@pytest.mark.parametrize("release, panko", [("queens", True), ("wallaby", True), ("xena", False), ("zed", False),
                                            ("2025.2", False)])
def test_event_advice_after_queens_says_what_replaced_panko(tmp_path, release, panko):
    conf, aodh_conf = copy(tmp_path, "zed")
    msg = run_fail(conf, aodh_conf, release=release, event_ttl="7d")["msg"]
    assert "Gnocchi archive policy" in msg
    if panko:
        assert "event_time_to_live in panko.conf" in msg
    else:
        assert "Panko, their store from Newton to Wallaby, is retired" in msg
        assert "notifier://" in msg and "nothing replaced it" in msg


# --------------------------------------------------------------------------- release against file (item 16)


def test_a_pike_run_on_the_real_zed_files_is_refused(tmp_path):
    conf, aodh_conf = copy(tmp_path, "zed")
    state = snapshot(conf, aodh_conf)
    msg = run_fail(conf, aodh_conf, release="pike", metering_ttl="7d")["msg"]
    assert msg.startswith("%s does not look like the ceilometer.conf of pike: [notification] pipelines is listed as "
                          "a commented default (ceilometer registers it from 10.0.0 (Queens) on)" % conf)
    assert "release_mismatch=warn" in msg
    msg = run_fail(conf, aodh_conf, release="pike", alarm_history=False)["msg"]
    assert msg.startswith("%s does not look like the aodh.conf of pike: [database] alarm_histories_delete_batch_size "
                          "is listed as a commented default (aodh registers it from 13.0.0 (Xena) on)" % aodh_conf)
    assert snapshot(conf, aodh_conf) == state
    assert sorted(os.listdir(conf.parent)) == ["ceilometer.conf"]


def test_a_zed_run_on_a_pike_aodh_conf_is_refused(tmp_path):
    conf, aodh_conf = copy(tmp_path, "pike")
    state = snapshot(aodh_conf)
    msg = run_fail(conf, aodh_conf, release="zed", alarm_history_ttl="7d")["msg"]
    assert ("does not look like the aodh.conf of zed: [database] alarm_histories_delete_batch_size is missing beside "
            "the commented default of alarm_history_time_to_live") in msg
    assert snapshot(aodh_conf) == state


@pytest.mark.parametrize("release, files, fragment", [
    ("kilo", "juno", "[database] time_to_live is listed as a commented default (Juno's sample lists it"),
    ("juno", "kilo", "[database] metering_time_to_live is listed as a commented default"),
    ("pike", "newton", "[database] event_time_to_live is listed as a commented default"),
    ("kilo", "pike", "[database] event_time_to_live is missing beside the commented default of "
                     "metering_time_to_live"),
    ("mitaka", "liberty", "[database] alarm_history_time_to_live is listed as a commented default (ceilometer "
                          "registers it in 5.x (Liberty) only)"),
])
def test_release_contradicted_by_the_ceilometer_sample(tmp_path, release, files, fragment):
    conf, aodh_conf = copy(tmp_path, files)
    state = snapshot(conf)
    msg = run_fail(conf, aodh_conf, release=release, metering_ttl="1d")["msg"]
    assert msg.startswith("%s does not look like the ceilometer.conf of %s: " % (conf, release))
    assert fragment in msg
    assert snapshot(conf) == state


def test_detected_release_is_checked_against_the_file(tmp_path, commands):
    conf, aodh_conf = copy(tmp_path, "kilo")
    commands.answer("dpkg-query", (0, "ii  1:9.0.7-1", ""))
    result = run_fail(conf, aodh_conf, release="detect", metering_ttl="1d")
    assert result["msg"].startswith("%s does not look like the ceilometer.conf of pike" % conf)
    assert "release=detect reads it from the ceilometer package" in result["msg"]


def test_release_mismatch_warn_edits_a_file_kept_through_upgrades(tmp_path):
    # a Liberty ceilometer.conf kept on a Mitaka install: the sample is Liberty's, the code Mitaka's
    conf, aodh_conf = copy(tmp_path, "liberty")
    before = text(conf)
    result = run(conf, aodh_conf, release="mitaka", metering_ttl="1w", release_mismatch="warn")
    assert result["changed"] is True
    assert changed_lines(before, text(conf)) == ["-metering_time_to_live = 2592000", "+metering_time_to_live = 604800"]
    mismatch = [warning for warning in result["warnings"] if "does not look like" in warning]
    assert len(mismatch) == 1 and "the ceilometer.conf of mitaka" in mismatch[0]


def test_options_the_release_no_longer_reads_are_warned_about_and_kept(tmp_path):
    conf, aodh_conf = copy(tmp_path, "pike")
    conf.write_text(text(conf).replace("metering_time_to_live = 2592000\n",
                                       "metering_time_to_live = 2592000\nevent_time_to_live = 86400\n"),
                    encoding="utf-8")
    result = run(conf, aodh_conf, release="pike", metering_ttl="1w")
    assert ("%s: [database] event_time_to_live is set but ceilometer pike does not read it (ceilometer registers it "
            "from 2015.1.0 (Kilo) to 7.x (Newton)); it is left as it is" % conf) in result["warnings"]
    assert ini.parse(text(conf)).get("database", "event_time_to_live") == "86400"
