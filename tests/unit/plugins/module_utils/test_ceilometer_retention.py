# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/ceilometer_retention.py.

Edits run on hand-written Juno, Kilo, Liberty, Newton and Pike files in the layout of each
release's generated sample (tests/unit/fixtures/ini/README.md) and on the real Debian 12
(Zed) ceilometer.conf and aodh.conf; every edit is checked with difflib, line by line.
The release facts the tests pin were read in openstack/ceilometer, openstack/aodh and
openstack/panko at the tags named next to them.
"""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ceilometer_retention as cr
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils.ceilometer_retention import RetentionError
from ansible_collections.stackops.openstack.tests.unit.module_harness import changed_lines
from ansible_collections.stackops.openstack.tests.unit.mongodb_fakes import FakeDatabase

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
URI = "mongodb://ceilometer:S3cr%40t-pw@mongo1:27017,mongo2:27017/ceilometer?replicaSet=rs0"
PASSWORD = "S3cr@t-pw"


def fixture(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def inserted_after(text, line):
    """The line right after `line` in text (to check where an option went)."""
    lines = text.splitlines()
    return lines[lines.index(line) + 1]


# --------------------------------------------------------------------------- durations


@pytest.mark.parametrize("value, seconds", [
    (3600, 3600), (1, 1), (2147483647, 2147483647),
    ("3600", 3600), ("1", 1), ("007", 7),
    ("45s", 45), ("30m", 1800), ("12h", 43200), ("7d", 604800), ("2w", 1209600), ("1w", 604800),
    ("90d", 7776000), ("0001m", 60),
    (-1, cr.FOREVER), ("-1", cr.FOREVER),
])
def test_durations(value, seconds):
    assert cr.parse_duration(value) == seconds


@pytest.mark.parametrize("value, hint", [
    (0, "0 would mean keep forever"), ("0", "0 would mean keep forever"), ("0d", "0 would mean keep forever"),
    (-2, "only -1 means keep forever"), ("-2", "only -1 means keep forever"), ("-1d", "only -1 means keep"),
    ("-0", "only -1 means keep forever"),
    (2147483648, "more than 2147483647 seconds"), ("24856d", "more than 2147483647 seconds"),
    ("1.5h", ""), (1.5, ""), (3600.0, ""), ("1e3", ""),
    ("7D", ""), ("12H", ""), ("7 d", ""), (" 7d", ""), ("7d ", ""), ("7\n", ""),
    ("1d12h", ""), ("d", ""), ("7y", ""), ("7mo", ""), ("7days", ""), ("+7d", ""), ("P7D", ""),
    ("", ""), ("forever", ""), ("-1 ", ""), (None, ""), (True, ""), (False, ""),
    ([7], ""), ({"d": 7}, ""), ("٧d", ""),
])
def test_bad_durations_name_the_value_and_the_forms(value, hint):
    with pytest.raises(RetentionError) as exc:
        cr.parse_duration(value, "metering_ttl")
    msg = str(exc.value)
    assert msg.startswith("metering_ttl: %r is not a duration" % (value,))
    assert hint in msg
    assert msg.endswith("expected " + cr.DURATION_FORMS)
    for form in ("3600", "45s", "30m", "12h", "7d", "2w", "-1"):
        assert form in msg


@pytest.mark.parametrize("seconds, text", [
    (-1, "forever"), (0, "forever"), (45, "45s"), (1800, "30m"), (43200, "12h"), (604800, "1w"),
    (1209600, "2w"), (86400, "1d"), (90061, "90061s"), (None, None),
])
def test_format_duration(seconds, text):
    assert cr.format_duration(seconds) == text


@pytest.mark.parametrize("text, value", [
    ("true", True), ("True", True), (" yes ", True), ("1", True), ("on", True), ("t", True), ("y", True),
    ("false", False), ("FALSE", False), ("no", False), ("0", False), ("off", False), ("f", False), ("n", False),
    ("maybe", None), ("", None), (None, None),
])
def test_read_bool_like_oslo(text, value):
    assert cr.read_bool(text) is value


@pytest.mark.parametrize("text, value", [("604800", 604800), (" -1 ", -1), ("7d", None), ("", None), (None, None)])
def test_read_int(text, value):
    assert cr.read_int(text) == value


# --------------------------------------------------------------------------- releases


@pytest.mark.parametrize("name, metering, legacy, event, alarm", [
    # ceilometer 2014.2 storage/__init__.py: IntOpt('time_to_live')
    ("juno", "time_to_live", (), None, ("ceilometer",)),
    # ceilometer 2015.1.0: metering_time_to_live (deprecated name time_to_live) and event_time_to_live
    ("kilo", "metering_time_to_live", ("time_to_live",), "event_time_to_live", ("ceilometer",)),
    ("liberty", "metering_time_to_live", ("time_to_live",), "event_time_to_live", ("aodh", "ceilometer")),
    ("mitaka", "metering_time_to_live", ("time_to_live",), "event_time_to_live", ("aodh",)),
    ("newton", "metering_time_to_live", ("time_to_live",), "event_time_to_live", ("aodh",)),
    # ceilometer 8.0.0 and 9.0.0: no event_time_to_live ("Remove events storage and API")
    ("ocata", "metering_time_to_live", ("time_to_live",), None, ("aodh",)),
    ("pike", "metering_time_to_live", ("time_to_live",), None, ("aodh",)),
])
def test_release_table(name, metering, legacy, event, alarm):
    spec = cr.release_spec(name)
    assert (spec.metering_key, spec.legacy_metering_keys, spec.event_key, spec.alarm_services) == \
        (metering, legacy, event, alarm)
    assert spec.deprecated is (name in ("ocata", "pike"))


@pytest.mark.parametrize("name", cr.GNOCCHI_RELEASES)
def test_queens_and_later_point_at_gnocchi(name):
    with pytest.raises(RetentionError) as exc:
        cr.release_spec(name)
    msg = str(exc.value)
    assert msg.startswith("ceilometer has no database TTL on %s: from Queens (ceilometer 10.0.0)" % name)
    assert "Gnocchi archive policy" in msg
    assert "gnocchi archive-policy update" in msg and "gnocchi archive-policy-rule create" in msg


@pytest.mark.parametrize("name", ["havana", "icehouse", "", None, "latest", "master", "2015.1"])
def test_unknown_release(name):
    with pytest.raises(RetentionError) as exc:
        cr.release_spec(name)
    assert "is not a release this module knows" in str(exc.value)
    assert "juno, kilo, liberty, mitaka, newton, ocata, pike" in str(exc.value)


def test_release_names_any_case_are_lowered():
    # the module's choices only admit lower case; the helper itself is lenient
    assert cr.release_spec("Kilo").name == "kilo"
    assert cr.release_spec(" pike ").name == "pike"


@pytest.mark.parametrize("version, series", [
    ("2014.2", "juno"), ("2014.2.3-1", "juno"), ("1:2014.2.4-0ubuntu1", "juno"),
    ("2015.1.0", "kilo"), ("1:2015.1.4-0ubuntu2", "kilo"), ("2015.1.1-1.el7", "kilo"),
    ("1:5.0.0-2", "liberty"), ("5.0.3", "liberty"), ("6.1.5", "mitaka"), ("1:6.0.0-1~bpo8+1", "mitaka"),
    ("7.1.0-1.el7", "newton"), ("1:8.1.3-1", "ocata"), ("9.0.7", "pike"), ("9.0.8.dev7", "pike"),
    ("1:10.0.1-1", "queens"), ("11.0.0", "rocky"), ("13.1.2", "train"), ("1:19.0.0-3", "zed"),
    ("20.0.0", "2023.1"), ("25.0.0", "2025.2"), ("31.0.0", "2026.1"),
])
def test_release_from_package_version(version, series):
    assert cr.release_from_version(version) == series


@pytest.mark.parametrize("version", ["", None, "abc", "1:", "2013.2.1", "2015.2.0", "4.0.0", "1:3.0"])
def test_release_from_bad_version(version):
    with pytest.raises(RetentionError):
        cr.release_from_version(version)


@pytest.mark.parametrize("release, requested, service", [
    ("juno", "auto", "ceilometer"), ("kilo", "auto", "ceilometer"), ("kilo", "ceilometer", "ceilometer"),
    ("liberty", "auto", "aodh"), ("liberty", "aodh", "aodh"), ("liberty", "ceilometer", "ceilometer"),
    ("mitaka", "auto", "aodh"), ("pike", None, "aodh"), ("pike", "aodh", "aodh"),
])
def test_alarm_service(release, requested, service):
    assert cr.alarm_service(release, requested) == service


@pytest.mark.parametrize("release, requested, reason", [
    ("juno", "aodh", "aodh first shipped with Liberty"), ("kilo", "aodh", "aodh first shipped with Liberty"),
    ("mitaka", "ceilometer", "deleted in Mitaka"), ("pike", "ceilometer", "deleted in Mitaka"),
])
def test_alarm_service_refused(release, requested, reason):
    with pytest.raises(RetentionError) as exc:
        cr.alarm_service(release, requested)
    assert "alarm_service %s is not possible on %s" % (requested, release) in str(exc.value)
    assert reason in str(exc.value)


@pytest.mark.parametrize("service, location", [
    ("ceilometer", ("ceilometer", "alarm", "record_history")), ("aodh", ("aodh", "DEFAULT", "record_history")),
])
def test_alarm_location(service, location):
    assert cr.alarm_location(service) == location


# --------------------------------------------------------------------------- ceilometer.conf, per release

JUNO, KILO, LIBERTY = "ceilometer-juno.conf", "ceilometer-kilo.conf", "ceilometer-liberty.conf"
NEWTON, PIKE = "ceilometer-newton.conf", "ceilometer-pike.conf"
ALL_EDITABLE = list(cr.RELEASES)


def test_juno_writes_time_to_live_below_its_commented_default():
    before = fixture(JUNO)
    after = cr.edit_ceilometer(before, "juno", 1209600, None, False)
    assert changed_lines(before, after) == ["+record_history=false", "+time_to_live=1209600"]
    assert inserted_after(after, "#time_to_live=-1") == "time_to_live=1209600"
    assert inserted_after(after, "#record_history=true") == "record_history=false"
    doc = ini.parse(after)
    assert doc.get("database", "time_to_live") == "1209600"
    assert doc.get("database", "metering_time_to_live") is None
    assert doc.get("alarm", "record_history") == "false"
    assert cr.edit_ceilometer(after, "juno", 1209600, None, False) == after


def test_juno_has_no_event_ttl():
    with pytest.raises(RetentionError) as exc:
        cr.edit_ceilometer(fixture(JUNO), "juno", None, 3600)
    assert str(exc.value) == ("ceilometer juno has no event TTL: event_time_to_live arrived in Kilo; "
                              "leave event_ttl unset")


def test_kilo_writes_metering_time_to_live_and_event_time_to_live():
    # Kilo registers metering_time_to_live; the time_to_live kept from Juno is its deprecated alias,
    # which oslo.config would ignore beside it: it goes
    before = fixture(KILO)
    after = cr.edit_ceilometer(before, "kilo", 2592000, 604800, True)
    assert changed_lines(before, after) == [
        "+record_history = true",
        "+metering_time_to_live = 2592000",
        "+event_time_to_live = 604800",
        "-time_to_live = 604800",
    ]
    assert inserted_after(after, "#metering_time_to_live = -1") == "metering_time_to_live = 2592000"
    assert inserted_after(after, "#event_time_to_live = -1") == "event_time_to_live = 604800"
    doc = ini.parse(after)
    assert doc.get_all("database", "metering_time_to_live") == ["2592000"]
    assert doc.get("database", "time_to_live") is None
    assert doc.get_all("database", "event_time_to_live") == ["604800"]
    assert cr.effective_metering_ttl(after, "kilo") == 2592000
    assert cr.effective_event_ttl(after, "kilo") == 604800
    assert cr.edit_ceilometer(after, "kilo", 2592000, 604800, True) == after


KILO_METERING = "#metering_time_to_live = -1\nmetering_time_to_live = 2592000\n"
KILO_KEPT = "\n# Kept from the Juno configuration: one week of samples.\ntime_to_live = 604800\n"


@pytest.mark.parametrize("keep_time_to_live, lines", [
    # both names set (the new one under its commented default, time_to_live kept from Juno)
    (True, ["-metering_time_to_live = 2592000", "+metering_time_to_live = 1209600", "-time_to_live = 604800"]),
    (False, ["-metering_time_to_live = 2592000", "+metering_time_to_live = 1209600"]),
], ids=["with-time_to_live", "without-time_to_live"])
def test_kilo_changes_metering_time_to_live_in_place(keep_time_to_live, lines):
    before = fixture(KILO).replace("#metering_time_to_live = -1\n", KILO_METERING)
    if not keep_time_to_live:
        before = before.replace(KILO_KEPT, "")
    after = cr.edit_ceilometer(before, "kilo", 1209600)
    assert changed_lines(before, after) == lines
    doc = ini.parse(after)
    assert doc.get_all("database", "metering_time_to_live") == ["1209600"]
    assert doc.get_all("database", "time_to_live") == []
    assert cr.effective_metering_ttl(after, "kilo") == 1209600
    assert cr.edit_ceilometer(after, "kilo", 1209600) == after


def test_kilo_same_value_in_time_to_live_moves_to_metering_time_to_live():
    before = fixture(KILO)
    after = cr.edit_ceilometer(before, "kilo", 604800)
    assert ini.changes(before, after) == [
        {"section": "database", "key": "metering_time_to_live", "action": "added", "before": None,
         "after": "604800"},
        {"section": "database", "key": "time_to_live", "action": "removed", "before": "604800", "after": None},
    ]
    assert cr.effective_metering_ttl(before, "kilo") == cr.effective_metering_ttl(after, "kilo") == 604800


def test_kilo_event_only_leaves_the_deprecated_metering_name_alone():
    before = fixture(KILO)
    after = cr.edit_ceilometer(before, "kilo", None, 86400)
    assert changed_lines(before, after) == ["+event_time_to_live = 86400"]
    assert ini.parse(after).get("database", "time_to_live") == "604800"
    assert cr.effective_metering_ttl(after, "kilo") == 604800


@pytest.mark.parametrize("release", ["liberty", "mitaka", "newton"])
def test_liberty_to_newton_change_metering_and_add_event(release):
    before = fixture(LIBERTY)
    after = cr.edit_ceilometer(before, release, 604800, 86400, alarm_history=False,
                               alarm_service_name=cr.alarm_service(release))
    # record_history lives in aodh.conf from Liberty on: ceilometer.conf keeps [alarm] as it is
    assert changed_lines(before, after) == [
        "-metering_time_to_live = 2592000",
        "+metering_time_to_live = 604800",
        "+event_time_to_live = 86400",
    ]
    assert cr.edit_ceilometer(after, release, 604800, 86400, False, cr.alarm_service(release)) == after


@pytest.mark.parametrize("release", ["ocata", "pike"])
def test_ocata_and_pike_change_metering_and_have_no_event_ttl(release):
    before = fixture(PIKE)
    after = cr.edit_ceilometer(before, release, 604800, None, alarm_history=False,
                               alarm_service_name=cr.alarm_service(release))
    assert changed_lines(before, after) == ["-metering_time_to_live = 2592000", "+metering_time_to_live = 604800"]
    with pytest.raises(RetentionError) as exc:
        cr.edit_ceilometer(before, release, None, 86400)
    assert str(exc.value).startswith("ceilometer %s has no event TTL (leave event_ttl unset): events are not "
                                     "ceilometer's on %s: ceilometer 8.0.0 (Ocata) moved event storage to Panko"
                                     % (release, release))
    assert cr.effective_event_ttl(before, release) is None


def test_liberty_with_ceilometer_alarms_writes_alarm_section():
    before = fixture(LIBERTY)
    after = cr.edit_ceilometer(before, "liberty", None, None, False, "ceilometer")
    assert changed_lines(before, after) == ["+record_history = false"]
    assert inserted_after(after, "#record_history = true") == "record_history = false"


@pytest.mark.parametrize("release", ALL_EDITABLE[1:])
def test_kilo_file_loses_time_to_live_from_kilo_on(release):
    before = fixture(KILO)
    after = cr.edit_ceilometer(before, release, 604800, None, None, cr.alarm_service(release))
    assert changed_lines(before, after) == ["+metering_time_to_live = 604800", "-time_to_live = 604800"]
    doc = ini.parse(after)
    assert doc.get("database", "time_to_live") is None
    assert cr.effective_metering_ttl(after, release) == 604800


def test_kilo_file_reads_its_time_to_live_on_kilo():
    assert cr.effective_metering_ttl(fixture(KILO), "kilo") == 604800


def test_both_names_present_the_deprecated_one_goes():
    text = fixture(LIBERTY).replace("metering_time_to_live = 2592000\n",
                                    "metering_time_to_live = 2592000\ntime_to_live = 86400\n")
    after = cr.edit_ceilometer(text, "liberty", 2592000, None)
    assert changed_lines(text, after) == ["-time_to_live = 86400"]


def test_same_number_keeps_its_line():
    text = fixture(JUNO).replace("#time_to_live=-1\n", "#time_to_live=-1\ntime_to_live = 604800\n")
    assert cr.edit_ceilometer(text, "juno", 604800) == text
    text = fixture(LIBERTY).replace("metering_time_to_live = 2592000", "metering_time_to_live =  2592000")
    assert cr.edit_ceilometer(text, "liberty", 2592000) == text


def test_boolean_with_other_words_keeps_its_line():
    text = fixture(KILO).replace("#record_history = true\n", "#record_history = true\nrecord_history = True\n")
    assert cr.edit_ceilometer(text, "kilo", alarm_history=True) == text
    after = cr.edit_ceilometer(text, "kilo", alarm_history=False)
    assert changed_lines(text, after) == ["-record_history = True", "+record_history = false"]


def test_repeated_option_collapses_to_one_line():
    text = fixture(LIBERTY).replace("metering_time_to_live = 2592000\n",
                                    "metering_time_to_live = 2592000\nmetering_time_to_live = 2592000\n")
    after = cr.edit_ceilometer(text, "liberty", 2592000)
    assert changed_lines(text, after) == ["-metering_time_to_live = 2592000"]
    assert ini.parse(after).get_all("database", "metering_time_to_live") == ["2592000"]


def test_forever_is_written_as_minus_one():
    before = fixture(LIBERTY)
    after = cr.edit_ceilometer(before, "newton", cr.FOREVER, cr.FOREVER)
    assert changed_lines(before, after) == ["-metering_time_to_live = 2592000", "+metering_time_to_live = -1",
                                            "+event_time_to_live = -1"]


def test_missing_database_section_is_added():
    text = "[DEFAULT]\ndebug = false\n"
    after = cr.edit_ceilometer(text, "mitaka", 3600, 60)
    assert after == "[DEFAULT]\ndebug = false\n\n[database]\nmetering_time_to_live = 3600\nevent_time_to_live = 60\n"


def test_nothing_requested_changes_nothing():
    for name in (JUNO, KILO, LIBERTY):
        assert cr.edit_ceilometer(fixture(name), "kilo" if name == KILO else "liberty") == fixture(name)


def test_ini_errors_come_through():
    with pytest.raises(ini.IniError):
        cr.edit_ceilometer("debug = true\n", "kilo", 60)


@pytest.mark.parametrize("name, release, metering, event", [
    (JUNO, "juno", cr.FOREVER, None),
    (KILO, "kilo", 604800, cr.FOREVER),
    (LIBERTY, "liberty", 2592000, cr.FOREVER),
    (NEWTON, "newton", 2592000, cr.FOREVER),
    (PIKE, "pike", 2592000, None),
])
def test_effective_values(name, release, metering, event):
    assert cr.effective_metering_ttl(fixture(name), release) == metering
    assert cr.effective_event_ttl(fixture(name), release) == event


def test_effective_values_of_odd_lines():
    text = fixture(LIBERTY).replace("metering_time_to_live = 2592000", "metering_time_to_live = 30d")
    assert cr.effective_metering_ttl(text, "liberty") is None
    text = fixture(LIBERTY).replace("metering_time_to_live = 2592000", "metering_time_to_live = 0")
    assert cr.effective_metering_ttl(text, "liberty") == cr.FOREVER
    text = fixture(LIBERTY).replace("#event_time_to_live = -1\n", "#event_time_to_live = -1\nevent_time_to_live = x\n")
    assert cr.effective_event_ttl(text, "liberty") is None


def test_new_names_on_juno_contradict_it_and_are_not_removed():
    text = fixture(JUNO).replace("#time_to_live=-1\n", "#time_to_live=-1\nmetering_time_to_live=60\n")
    assert cr.edit_ceilometer(text, "juno", 120).count("metering_time_to_live=60\n") == 1
    assert cr.release_markers(text, "ceilometer", "juno") == (
        ["[database] metering_time_to_live is set (ceilometer registers it from 2015.1.0 (Kilo) to 9.x (Pike))"], [])
    assert cr.stale_options(fixture(KILO), "kilo") == []


# --------------------------------------------------------------------------- aodh.conf


def test_aodh_liberty_record_history_in_default():
    before = fixture("aodh-liberty.conf")
    after = cr.edit_aodh(before, False)
    assert changed_lines(before, after) == ["+record_history = false"]
    assert inserted_after(after, "#record_history = true") == "record_history = false"
    assert ini.parse(after).get("DEFAULT", "record_history") == "false"
    assert cr.edit_aodh(after, False) == after
    again = cr.edit_aodh(after, True)
    assert changed_lines(after, again) == ["-record_history = false", "+record_history = true"]


def test_aodh_deprecated_alarm_section_value_is_removed():
    before = fixture("aodh-liberty.conf") + "\n[alarm]\nrecord_history = true\n"
    after = cr.edit_aodh(before, False)
    assert changed_lines(before, after) == ["+record_history = false", "-record_history = true"]
    assert ini.parse(after).get("alarm", "record_history") is None


def test_real_debian_zed_aodh_conf():
    before = fixture("aodh.conf")
    after = cr.edit_aodh(before, False)
    assert changed_lines(before, after) == ["+record_history = false"]
    assert after.splitlines()[8] == "record_history = false"  # right under '#record_history = true' (line 8)


# --------------------------------------------------------------------------- Queens and later, on real files


def test_real_debian_zed_ceilometer_conf_is_refused_untouched():
    text = fixture("ceilometer.conf")
    assert not ini.parse(text).has_section("database")  # nothing of the old storage left in Zed
    with pytest.raises(RetentionError) as exc:
        cr.edit_ceilometer(text, "zed", 604800)
    assert "Gnocchi archive policy" in str(exc.value)
    assert fixture("ceilometer.conf") == text


# --------------------------------------------------------------------------- purge commands


def test_expirer_argv():
    assert cr.expirer_argv("/usr/bin/ceilometer-expirer", "/etc/ceilometer/ceilometer.conf") == [
        "/usr/bin/ceilometer-expirer", "--config-file", "/etc/ceilometer/ceilometer.conf"]


@pytest.mark.parametrize("uri, database", [
    (URI, "ceilometer"), ("mongodb://localhost/ceilometer", "ceilometer"),
    ("mongodb+srv://u:p@cluster.example.com/telemetry?retryWrites=true", "telemetry"),
])
def test_mongodb_database(uri, database):
    assert cr.mongodb_database(uri) == database


@pytest.mark.parametrize("uri, fragment", [
    ("", "mongodb_uri is empty"), (None, "mongodb_uri is empty"),
    ("mysql://ceilometer:S3cr%40t-pw@db/ceilometer", "must start with mongodb://"),
    ("mongodb://ceilometer:S3cr%40t-pw@mongo1:27017", "names no database"),
    ("mongodb://ceilometer:S3cr%40t-pw@mongo1:27017/", "names no database"),
    ("mongodb:///ceilometer", "must start with mongodb://"),
    ("mongodb://ceilometer:S3cr%40t-pw@[::1/ceilometer", "is not a valid URL"),
])
def test_mongodb_uri_refused_without_showing_the_password(uri, fragment):
    with pytest.raises(RetentionError) as exc:
        cr.mongodb_database(uri)
    assert fragment in str(exc.value)
    assert "S3cr" not in str(exc.value)


@pytest.mark.parametrize("uri, password", [
    (URI, PASSWORD), ("mongodb://u@h/db", None), ("mongodb://h/db", None), ("mongodb://u:p%3Aq@h/db", "p:q"),
    ("mongodb://u:p@[::1/db", None),
])
def test_mongodb_password(uri, password):
    assert cr.mongodb_password(uri) == password


@pytest.mark.parametrize("uri, hosts", [
    (URI, "mongo1:27017,mongo2:27017"), ("mongodb://localhost/ceilometer", "localhost"),
    ("mongodb+srv://u:p@cluster.example.com/telemetry", "cluster.example.com"), ("mongodb://u:p@[::1/db", "?"),
])
def test_mongodb_hosts_leave_the_login_out(uri, hosts):
    assert cr.mongodb_hosts(uri) == hosts


NOW = datetime.datetime(2026, 11, 23, 0, 12, 0, 123456, tzinfo=datetime.timezone.utc)


def test_mongodb_cutoff_is_utc_to_the_millisecond():
    cutoff = cr.mongodb_cutoff(604800, NOW)
    assert cutoff == datetime.datetime(2026, 11, 16, 0, 12, 0, 123000, tzinfo=datetime.timezone.utc)
    assert cr.iso_utc(cutoff) == "2026-11-16T00:12:00.123Z"
    # a clock in another zone gives the same instant
    paris = datetime.timezone(datetime.timedelta(hours=1))
    assert cr.mongodb_cutoff(604800, NOW.astimezone(paris)) == cutoff


@pytest.mark.parametrize("ttl", [cr.FOREVER, 0, None, True, "604800", 1.5])
def test_mongodb_cutoff_needs_a_ttl(ttl):
    with pytest.raises(RetentionError) as exc:
        cr.mongodb_cutoff(ttl, NOW)
    assert "nothing to remove" in str(exc.value)


def test_mongodb_cutoff_needs_an_aware_time():
    with pytest.raises(RetentionError):
        cr.mongodb_cutoff(60, NOW.replace(tzinfo=None))


class Int64(int):
    """bson.int64.Int64 is an int subclass."""


@pytest.mark.parametrize("stats, sizes", [
    ({"dataSize": Int64(9), "storageSize": 10.0, "indexSize": 2, "objects": 3, "ok": 1.0},
     {"dataSize": 9, "storageSize": 10, "indexSize": 2, "fileSize": None, "objects": 3}),
    ({"dataSize": True, "storageSize": "10", "fileSize": 4096},
     {"dataSize": None, "storageSize": None, "indexSize": None, "fileSize": 4096, "objects": None}),
])
def test_mongodb_sizes(stats, sizes):
    assert cr.mongodb_sizes(stats) == sizes


def test_purge_mongodb_runs_stats_remove_compact_stats():
    database = FakeDatabase()
    report = cr.purge_mongodb(database, 3600, NOW)
    cutoff = datetime.datetime(2026, 11, 22, 23, 12, 0, 123000, tzinfo=datetime.timezone.utc)
    assert database.calls == [
        ("dbStats", 1, {"scale": 1}),
        ("delete_many", "meter", {"timestamp": {"$lt": cutoff}}),
        ("compact", "meter", {}),
        ("dbStats", 1, {"scale": 1}),
    ]
    assert report == {
        "cutoff": "2026-11-22T23:12:00.123Z", "removed": 15, "compact_bytes_freed": 400,
        "before": {"dataSize": 900, "storageSize": 1000, "indexSize": 100, "fileSize": None, "objects": 40},
        "after": {"dataSize": 500, "storageSize": 600, "indexSize": 60, "fileSize": 2048, "objects": 25},
    }
    assert cr.mongodb_changed(report) is True


def test_purge_mongodb_without_bytes_freed_reports_none():
    # MongoDB before 4.4: compact answers {ok: 1} only
    report = cr.purge_mongodb(FakeDatabase(compact={"ok": 1.0}), 3600, NOW)
    assert report["compact_bytes_freed"] is None


@pytest.mark.parametrize("fail, step, done, removing", [
    ("dbStats", "dbStats", {"removed": None, "before": None}, False),
    ("delete_many", "the removal of the samples older than 2026-11-22T23:12:00.123Z",
     {"removed": None, "compact_bytes_freed": None}, True),
    ("compact", "compact", {"removed": 15, "compact_bytes_freed": None, "after": None}, False),
    (("dbStats", 2), "dbStats after compact", {"removed": 15, "compact_bytes_freed": 400, "after": None}, False),
])
def test_purge_mongodb_failure_says_which_step_and_what_was_done(fail, step, done, removing):
    database = FakeDatabase(fail=fail, error="not authorized on ceilometer to execute command")
    with pytest.raises(cr.MongoPurgeError) as exc:
        cr.purge_mongodb(database, 3600, NOW)
    assert exc.value.step == step
    assert exc.value.error == "FakeOperationFailure: not authorized on ceilometer to execute command"
    assert exc.value.removing is removing
    assert exc.value.report["cutoff"] == "2026-11-22T23:12:00.123Z"
    for key, value in done.items():
        assert exc.value.report[key] == value, key
    # nothing runs after the failed step
    assert database.calls[-1][0] == (fail[0] if isinstance(fail, tuple) else fail)


class OperationFailure(Exception):
    """As pymongo's: the server's answer in details, and (pymongo 4) the raw document in the text."""

    def __init__(self, details):
        super().__init__("%s, full error: %r" % (details.get("errmsg"), details))
        self.details = details


@pytest.mark.parametrize("exc, text", [
    (OperationFailure({"ok": 0.0, "errmsg": "authentication failed", "code": 18, "codeName": "AuthenticationFailed"}),
     "OperationFailure: authentication failed (code 18 AuthenticationFailed)"),
    (OperationFailure({"ok": 0.0, "errmsg": "compact not allowed on\nsecondary"}),
     "OperationFailure: compact not allowed on secondary"),
    (KeyError("payload"), "KeyError: 'payload'"),
    (TimeoutError(), "TimeoutError"),
])
def test_library_error_is_one_line(exc, text):
    assert cr.library_error(exc) == text


def test_purge_mongodb_refuses_an_odd_collection_before_any_call():
    database = FakeDatabase()
    with pytest.raises(RetentionError):
        cr.purge_mongodb(database, 60, NOW, collection="meter; db.dropDatabase()")
    assert database.calls == []


def test_mongodb_preflight_pings_then_reads_the_stats():
    database = FakeDatabase()
    cr.mongodb_preflight(database)
    assert [call[0] for call in database.calls] == ["ping", "dbStats"]
    with pytest.raises(cr.MongoPurgeError) as exc:
        cr.mongodb_preflight(FakeDatabase(fail="dbStats", error="command dbStats requires authentication"))
    assert exc.value.step == "dbStats" and "requires authentication" in exc.value.error


@pytest.mark.parametrize("report, changed", [
    ({"removed": 3, "compact_bytes_freed": 0}, True),
    ({"removed": 0, "compact_bytes_freed": 0}, False),
    ({"removed": 0, "compact_bytes_freed": 4096}, True),
    # MongoDB before 4.4: no bytesFreed, the storage size tells
    ({"removed": 0, "compact_bytes_freed": None, "before": {"storageSize": 10}, "after": {"storageSize": 8}}, True),
    ({"removed": 0, "compact_bytes_freed": None, "before": {"storageSize": 10}, "after": {"storageSize": 10}}, False),
    ({"removed": 0, "compact_bytes_freed": None, "before": {"storageSize": None}, "after": {"storageSize": 8}}, False),
])
def test_mongodb_changed(report, changed):
    assert cr.mongodb_changed(report) is changed


def test_redact():
    text = "connecting to %s failed for ceilometer:%s" % (URI, PASSWORD)
    expected = "connecting to %s failed for ceilometer:%s" % (ini.MASK, ini.MASK)
    assert cr.redact(text, [URI, PASSWORD, None]) == expected
    assert cr.redact(None, [URI]) == ""


def test_command_line_quotes():
    assert cr.command_line(["/usr/bin/ceilometer-expirer", "--config-file", "/etc/my ceilometer.conf"]) == \
        "/usr/bin/ceilometer-expirer --config-file '/etc/my ceilometer.conf'"


def test_kilo_with_both_names_reads_metering_time_to_live_and_drops_the_alias_on_write():
    text = "[database]\nconnection = mongodb://ceilometer@db/ceilometer\nmetering_time_to_live = 2592000\n" \
           "time_to_live = 86400\n"
    assert cr.effective_metering_ttl(text, "kilo") == 2592000
    assert changed_lines(text, cr.edit_ceilometer(text, "kilo", 2592000)) == ["-time_to_live = 86400"]


@pytest.mark.parametrize("name", ["queens", "zed", "2026.1"])
def test_gnocchi_era_releases_refuse_retention_but_know_alarm_history(name):
    with pytest.raises(cr.RetentionError) as exc:
        cr.release_spec(name)
    assert "archive" in str(exc.value).lower()
    spec = cr.release_spec(name, retention=False)
    assert spec.metering_key is None and spec.event_key is None
    assert cr.alarm_service(spec, "auto") == cr.AODH


# --------------------------------------------------------------------------- alarm history TTL


@pytest.mark.parametrize("name, line_before", [
    ("aodh-liberty.conf", "#alarm_history_time_to_live = -1"),
    ("aodh-pike.conf", "#alarm_history_time_to_live = -1"),
    ("aodh.conf", "#alarm_history_time_to_live = -1"),
])
def test_aodh_alarm_history_ttl_under_its_commented_default(name, line_before):
    before = fixture(name)
    after = cr.edit_aodh(before, alarm_history_seconds=7776000)
    assert changed_lines(before, after) == ["+alarm_history_time_to_live = 7776000"]
    assert inserted_after(after, line_before) == "alarm_history_time_to_live = 7776000"
    assert cr.effective_alarm_history_ttl(after) == 7776000
    assert cr.edit_aodh(after, alarm_history_seconds=7776000) == after
    assert cr.effective_alarm_history_ttl(before) == cr.FOREVER


def test_aodh_nothing_requested_changes_nothing():
    assert cr.edit_aodh(fixture("aodh.conf")) == fixture("aodh.conf")


def test_liberty_ceilometer_alarm_history_ttl():
    before = fixture(LIBERTY)
    after = cr.edit_ceilometer(before, "liberty", alarm_service_name="ceilometer", alarm_history_seconds=86400)
    assert changed_lines(before, after) == ["+alarm_history_time_to_live = 86400"]
    assert inserted_after(after, "#alarm_history_time_to_live = -1") == "alarm_history_time_to_live = 86400"
    # with aodh as the alarm service ceilometer.conf keeps its alarm options as they are
    assert cr.edit_ceilometer(before, "liberty", alarm_service_name="aodh", alarm_history_seconds=86400) == before


@pytest.mark.parametrize("release, service, has", [
    ("juno", "ceilometer", False), ("kilo", "ceilometer", False), ("liberty", "ceilometer", True),
    ("liberty", "aodh", True), ("pike", "aodh", True), ("zed", "aodh", True), ("2026.1", "aodh", True),
])
def test_has_alarm_history_ttl(release, service, has):
    spec = cr.release_spec(release, retention=False)
    assert cr.has_alarm_history_ttl(spec, service) is has
    if not has:
        with pytest.raises(RetentionError) as exc:
            cr.require_alarm_history_ttl(spec, service)
        assert str(exc.value) == ("ceilometer %s has no alarm history TTL: alarm_history_time_to_live arrived in "
                                  "Liberty (ceilometer 5.0.0 and aodh 1.0.0); leave alarm_history_ttl unset" % release)
    else:
        assert cr.require_alarm_history_ttl(spec, service) == ("database", "alarm_history_time_to_live")


# --------------------------------------------------------------------------- events and Panko


@pytest.mark.parametrize("release, store", [
    ("ocata", "panko"), ("pike", "panko"), ("queens", "panko"), ("wallaby", "panko"),
    ("xena", "none"), ("yoga", "none"), ("zed", "none"), ("2023.1", "none"), ("antelope", "none"),
    ("gazpacho", "none"),
])
def test_event_advice_by_release(release, store):
    advice = cr.event_advice(release)
    if store == "panko":
        # panko 1.0.0..10.0.0 panko/storage/__init__.py: [database] event_time_to_live; retired after Wallaby
        assert "set [database] event_time_to_live in panko.conf" in advice
        assert "Panko itself is retired after Wallaby (panko 10.0.0)" in advice
    else:
        # ceilometer 17.0.0 "Remove dependency to panko": event_pipeline.yaml publishes to notifier://
        assert advice.startswith("events are stored by no OpenStack service on %s: Panko" % release)
        assert "since ceilometer 17.0.0 (Xena) the default event_pipeline.yaml publishes events to notifier://" \
            in advice
        assert "panko.conf" not in advice


@pytest.mark.parametrize("name", ["queens", "wallaby", "xena", "zed", "2025.2"])
def test_gnocchi_advice_ends_with_the_event_advice(name):
    with pytest.raises(RetentionError) as exc:
        cr.release_spec(name)
    assert str(exc.value).endswith(cr.event_advice(name))
    assert "Panko's [database] event_time_to_live" not in str(exc.value)


# --------------------------------------------------------------------------- which release wrote a file


SERIES = ["juno", "kilo", "liberty", "mitaka", "newton", "ocata", "pike", "queens", "rocky", "stein", "train",
          "ussuri", "victoria", "wallaby", "xena", "yoga", "zed", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1",
          "2025.2", "2026.1"]


def test_series_in_order():
    assert list(cr.SERIES) == SERIES


@pytest.mark.parametrize("name, service, releases", [
    # what each sample's options allow, from the MARKERS facts
    ("ceilometer-juno.conf", "ceilometer", ["juno"]),
    ("ceilometer-kilo.conf", "ceilometer", ["kilo", "liberty"]),
    ("ceilometer-liberty.conf", "ceilometer", ["liberty"]),
    ("ceilometer-newton.conf", "ceilometer", ["kilo", "liberty", "mitaka", "newton"]),
    ("ceilometer-pike.conf", "ceilometer", ["ocata", "pike"]),
    ("ceilometer.conf", "ceilometer", SERIES[SERIES.index("queens"):]),
    ("aodh-liberty.conf", "aodh", ["liberty", "mitaka"]),
    ("aodh-pike.conf", "aodh", SERIES[SERIES.index("liberty"):SERIES.index("xena")]),
    ("aodh.conf", "aodh", SERIES[SERIES.index("xena"):]),
])
def test_releases_each_sample_is_consistent_with(name, service, releases):
    text = fixture(name)
    consistent = [release for release in SERIES if not cr.release_markers(text, service, release)[0]]
    if service == "aodh":  # aodh's markers say nothing about releases before aodh existed
        consistent = [release for release in consistent if cr.series_index(release) >= cr.series_index("liberty")]
    assert consistent == releases


def test_juno_style_commented_defaults_are_recognised():
    # generate_sample.sh (Juno) writes '#key=value', oslo-config-generator '#key = value'
    assert ("database", "time_to_live") in cr._sample_lines(fixture(JUNO))
    assert ("database", "metering_time_to_live") in cr._sample_lines(fixture(KILO))
    # a deprecated alias appears in a comment sentence only, which is no listing
    assert ("database", "time_to_live") not in cr._sample_lines(fixture(KILO))


def test_help_text_and_commented_sections_are_not_listings():
    text = "#[database]\n# time_to_live is set in seconds, e.g. time_to_live = 60\n[database]\n#  x = 1\n"
    assert cr._sample_lines(text) == set()


def test_absence_needs_the_companion_listed():
    # a hand-written file without the sample's comments says nothing by what it lacks
    text = "[database]\nmetering_time_to_live = 600\nconnection = mysql+pymysql://c@db/c\n"
    assert cr.release_markers(text, "ceilometer", "kilo") == ([], [])
    assert cr.release_markers("[database]\n#alarm_history_time_to_live = -1\n", "aodh", "zed")[0] == [
        "[database] alarm_histories_delete_batch_size is missing beside the commented default of "
        "alarm_history_time_to_live (a sample of aodh 13.0.0 (Xena) or later lists it beside "
        "alarm_history_time_to_live)"]


def test_stale_set_options_of_older_releases_are_warnings_not_contradictions():
    text = fixture(PIKE) + "\n[alarm]\nrecord_history = false\n"
    contradictions, stale = cr.release_markers(text, "ceilometer", "pike")
    assert contradictions == []
    assert stale == ["[alarm] record_history is set but ceilometer pike does not read it (ceilometer registers it "
                     "from 2014.2 (Juno) to 5.x (Liberty)); it is left as it is"]
    aodh = fixture("aodh-pike.conf") + "\n[alarm]\nrecord_history = false\n"
    assert cr.stale_options(aodh, "newton", "aodh") == [
        "[alarm] record_history is set but aodh newton does not read it (aodh reads [alarm] record_history (the "
        "deprecated group) in 1.x (Liberty) and 2.x (Mitaka) only); it is left as it is"]


def test_mismatch_message_names_file_release_and_the_way_out():
    contradictions = cr.release_markers(fixture("ceilometer.conf"), "ceilometer", "pike")[0]
    assert cr.release_mismatch_message("/etc/ceilometer/ceilometer.conf", "ceilometer", "pike", contradictions) == (
        "/etc/ceilometer/ceilometer.conf does not look like the ceilometer.conf of pike: [notification] pipelines is "
        "listed as a commented default (ceilometer registers it from 10.0.0 (Queens) on). Set release to the series "
        "installed there (release=detect reads it from the ceilometer package), or set release_mismatch=warn if "
        "this file was kept through upgrades from another release")


@pytest.mark.parametrize("name, index", [("juno", 0), ("Pike", 6), ("zed", 16), ("antelope", 17), ("2023.1", 17),
                                         ("gazpacho", 23), ("havana", None), (None, None)])
def test_series_index(name, index):
    assert cr.series_index(name) == index


def test_unknown_release_for_markers():
    with pytest.raises(RetentionError):
        cr.release_markers("", "ceilometer", "havana")
