# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long Ceilometer and aodh keep samples, events and alarm history.

Pure functions on plain values and on ini.IniDocument texts (the one INI engine), so
they unit-test without Ansible. Errors are RetentionError with a sentence a person
can act on.

The facts below were read in the projects' own git history (openstack/ceilometer,
openstack/aodh, openstack/panko; tags named as released), not in secondary sources:

- Juno, ceilometer 2014.2: ``ceilometer/storage/__init__.py`` registers
  ``IntOpt('time_to_live')`` in ``[database]``; ``ceilometer/cmd/storage.py`` expires
  with ``cfg.CONF.database.time_to_live``. No event TTL, no alarm history TTL.
- Kilo, ceilometer 2015.1.0: ``ceilometer/storage/__init__.py`` registers
  ``IntOpt('metering_time_to_live', deprecated_opts=[DeprecatedOpt('time_to_live',
  'database')])`` and ``IntOpt('event_time_to_live')``; the expirer reads
  ``database.metering_time_to_live``. So Kilo is written ``metering_time_to_live``
  (what it registers); ``time_to_live`` is only its deprecated alias, ignored by
  oslo.config once the new name is set, and is removed whenever the TTL is written.
- Liberty, ceilometer 5.0.0: the same two, plus ``IntOpt('alarm_history_time_to_live',
  deprecated_for_removal=True)`` in ``[database]`` for ceilometer's own (deprecated)
  alarm service, expired by ``ceilometer/cmd/eventlet/storage.py``.
- Mitaka 6.0.0 and Newton 7.0.0: metering and event TTL; the alarm code is gone.
- Ocata 8.0.0 and Pike 9.0.0: only ``metering_time_to_live`` (commit "Remove events
  storage and API", first in 8.0.0; the 8.0.0 expirer clears metering data only).
  Events are Panko's there: panko 1.0.0 (Newton) to 10.0.0 (Wallaby) register
  ``[database] event_time_to_live`` in ``panko/storage/__init__.py`` (``panko-expirer``).
- Queens, ceilometer 10.0.0: ``ceilometer/storage`` is gone (no TTL, no expirer);
  samples live in Gnocchi, whose archive policies set retention. Pike is the last
  release this module edits ceilometer.conf for; the API was deprecated in Ocata
  (release note ceilometer-api-deprecate), hence a warning on Ocata and Pike.
- Panko is retired: openstack/panko commit "Retire panko, the code is no longer
  maintained" (May 2021, after 10.0.0), and ceilometer 17.0.0 (Xena, "Remove dependency
  to panko") changed the default ``event_pipeline.yaml`` publisher from ``panko://`` to
  ``notifier://``. Nothing replaced it as an event store: events go to the publishers of
  event_pipeline.yaml (``notifier``, ``http``/``https``, ``zaqar``, ``file``; setup.cfg
  ``ceilometer.event.publisher``), whose consumer decides how long they are kept;
  the ``gnocchi`` event publisher only updates or ends Gnocchi resources.
- Alarm history recording: ceilometer registers ``BoolOpt('record_history')`` in
  ``[alarm]`` (2014.2 ``api/controllers/v2.py``; 2015.1.0 and 5.0.0
  ``api/controllers/v2/alarms.py``), gone in 6.0.0. aodh registers it in ``[DEFAULT]``
  (``aodh/evaluator/__init__.py``, listed under DEFAULT by ``aodh/opts.py``) with
  ``deprecated_group="alarm"`` in 1.0.0 and 2.0.0 (Liberty, Mitaka), without it from
  3.0.0 (Newton) on.
- Alarm history retention: aodh registers ``IntOpt('alarm_history_time_to_live')`` in
  ``[database]`` (``aodh/storage/__init__.py``) in every release, 1.0.0 (Liberty) to
  22.0.0 (2026.1); ``aodh-expirer`` (``aodh/cmd/storage.py``) deletes older history.
  aodh's major version is ceilometer's minus 4 (aodh 15.0.0 is Zed, as in Debian 12).
- MongoDB: ceilometer's MongoDB driver keeps a TTL index ``meter_ttl`` on
  ``meter.timestamp`` (``expireAfterSeconds`` = the TTL, rebuilt by dbsync) and its
  ``clear_expired_*`` are no-ops ("based on native MongoDB time to live feature"), so
  ceilometer-expirer frees nothing there; removing old documents and ``compact`` is
  what gives disk space back. purge_mongodb runs that sequence through pymongo;
  tests/integration/targets/ceilometer_ttl_mongodb runs it against MongoDB wire-protocol
  servers from PyPI (no mongod can be installed where it was written).

Which release wrote a file (release_markers): options that exist in a range of
releases, found either set or as the commented default of the generated sample
(``#name = default``). The sample lists an option under its own name only, a
deprecated alias only in a "Deprecated group/name" comment, which the markers never
match. See MARKERS for each one and its source.
"""

from __future__ import annotations

import collections
import datetime
import re
import shlex

from urllib.parse import unquote, urlsplit

from ansible_collections.stackops.openstack.plugins.module_utils import ini

FOREVER = -1
# oslo.config IntOpt has no upper bound, but MongoDB's TTL index takes a 32-bit
# expireAfterSeconds and the SQL expirer computes now - timedelta(seconds=ttl):
# anything past 2**31 - 1 seconds (about 68 years) is a typo, not a retention policy.
MAX_SECONDS = 2 ** 31 - 1
UNITS = collections.OrderedDict((("s", 1), ("m", 60), ("h", 3600), ("d", 86400), ("w", 604800)))
DURATION_FORMS = ("seconds as an integer or a numeric string (3600), a number with one unit "
                  "s, m, h, d or w (45s, 30m, 12h, 7d, 2w; w is 7 days), or -1 to keep forever")
_DURATION_RE = re.compile(r"(?P<number>[0-9]+)(?P<unit>[smhdw]?)")

# oslo.utils strutils.bool_from_string, as oslo.config reads a BoolOpt
_TRUE = ("1", "t", "true", "on", "y", "yes")
_FALSE = ("0", "f", "false", "off", "n", "no")

CEILOMETER = "ceilometer"
AODH = "aodh"
ALARM_SERVICES = ("auto", CEILOMETER, AODH)
RELEASE_MISMATCH = ("fail", "warn")

# Where alarm history recording lives: (file, section, key, legacy (section, key) pairs)
_ALARM_HOME = {
    CEILOMETER: (CEILOMETER, "alarm", "record_history", ()),
    # aodh 1.x/2.x still read [alarm] as the deprecated group: drop it so it cannot mislead
    AODH: (AODH, "DEFAULT", "record_history", (("alarm", "record_history"),)),
}
# Where alarm history retention lives, (section, key) in the service's file: aodh 1.0.0
# onwards aodh/storage/__init__.py; ceilometer 5.0.0 (Liberty only) ceilometer/storage/__init__.py
ALARM_HISTORY_TTL = ("database", "alarm_history_time_to_live")

Release = collections.namedtuple(
    "Release", "name metering_key legacy_metering_keys event_key alarm_services deprecated")

_EDITABLE = (
    # ceilometer 2014.2 storage/__init__.py: IntOpt('time_to_live')
    Release("juno", "time_to_live", (), None, (CEILOMETER,), False),
    # ceilometer 2015.1.0 storage/__init__.py: metering_time_to_live (deprecated name time_to_live),
    # event_time_to_live
    Release("kilo", "metering_time_to_live", ("time_to_live",), "event_time_to_live", (CEILOMETER,), False),
    # Liberty: aodh 1.0.0 is new, ceilometer 5.0.0's own alarm service still runs (deprecated)
    Release("liberty", "metering_time_to_live", ("time_to_live",), "event_time_to_live",
            (AODH, CEILOMETER), False),
    Release("mitaka", "metering_time_to_live", ("time_to_live",), "event_time_to_live", (AODH,), False),
    Release("newton", "metering_time_to_live", ("time_to_live",), "event_time_to_live", (AODH,), False),
    # ceilometer 8.0.0 and 9.0.0: event storage removed ("Remove events storage and API"), Panko keeps events
    Release("ocata", "metering_time_to_live", ("time_to_live",), None, (AODH,), True),
    Release("pike", "metering_time_to_live", ("time_to_live",), None, (AODH,), True),
)
RELEASES = collections.OrderedDict((release.name, release) for release in _EDITABLE)

# ceilometer major version -> series, from Liberty (5.0.0) on; numbered series after Zed
_SERIES_BY_MAJOR = collections.OrderedDict((
    (5, "liberty"), (6, "mitaka"), (7, "newton"), (8, "ocata"), (9, "pike"), (10, "queens"),
    (11, "rocky"), (12, "stein"), (13, "train"), (14, "ussuri"), (15, "victoria"), (16, "wallaby"),
    (17, "xena"), (18, "yoga"), (19, "zed"), (20, "2023.1"), (21, "2023.2"), (22, "2024.1"),
    (23, "2024.2"), (24, "2025.1"), (25, "2025.2"),
))
GNOCCHI_RELEASES = (
    "queens", "rocky", "stein", "train", "ussuri", "victoria", "wallaby", "xena", "yoga", "zed",
    "antelope", "bobcat", "caracal", "dalmatian", "epoxy", "flamingo", "gazpacho",
    "2023.1", "2023.2", "2024.1", "2024.2", "2025.1", "2025.2", "2026.1",
)
RELEASE_CHOICES = tuple(RELEASES) + GNOCCHI_RELEASES

# Every series in order, for comparing releases; the code names of the numbered series
SERIES = (
    "juno", "kilo", "liberty", "mitaka", "newton", "ocata", "pike", "queens", "rocky", "stein", "train",
    "ussuri", "victoria", "wallaby", "xena", "yoga", "zed", "2023.1", "2023.2", "2024.1", "2024.2", "2025.1",
    "2025.2", "2026.1",
)
SERIES_ALIASES = {"antelope": "2023.1", "bobcat": "2023.2", "caracal": "2024.1", "dalmatian": "2024.2",
                  "epoxy": "2025.1", "flamingo": "2025.2", "gazpacho": "2026.1"}
LATEST = SERIES[-1]

GNOCCHI_ADVICE = (
    "ceilometer has no database TTL on {release}: from Queens (ceilometer 10.0.0) its API and collector are "
    "gone (and with them its own database) and samples are stored in Gnocchi, so retention is the timespan of "
    "the Gnocchi archive "
    "policy the metrics use; change it there, for example 'gnocchi archive-policy update ceilometer-low "
    "-d granularity:5m,timespan:30d', or choose the policy for new metrics with archive policy rules "
    "('gnocchi archive-policy-rule create -a POLICY -m \"*\" RULE'); {events}")

# Events after ceilometer stopped storing them (8.0.0, Ocata): Panko from Newton to Wallaby, then nothing
PANKO_ADVICE = (
    "events are not ceilometer's on {release}: ceilometer 8.0.0 (Ocata) moved event storage to Panko, so if "
    "Panko stores your events set [database] event_time_to_live in panko.conf (panko-expirer deletes older "
    "ones); Panko itself is retired after Wallaby (panko 10.0.0) and nothing replaced it as an event store")
NO_EVENT_STORE_ADVICE = (
    "events are stored by no OpenStack service on {release}: Panko, their store from Newton to Wallaby, is "
    "retired (its last release is 10.0.0) and nothing replaced it; since ceilometer 17.0.0 (Xena) the default "
    "event_pipeline.yaml publishes events to notifier:// (back onto the message bus), and events are kept only "
    "by whatever consumes the publishers you set there (notifier://, http(s)://, zaqar://, file://), for as "
    "long as that system keeps them")


class RetentionError(ValueError):
    """A value, release or file this module cannot act on."""


# ceilometer.conf / aodh.conf options that only some releases have, used to tell from a file which
# release it belongs to. first/last: the releases that register the name (LATEST: still there).
# form: "listed" matches the option set or as a commented default, "set" only set, "sample" only
# as the commented default of a generated sample (which prints deprecated aliases in a comment only).
Marker = collections.namedtuple("Marker", "service section key form first last facts")

MARKERS = (
    # ceilometer 2014.2 storage/__init__.py IntOpt('time_to_live'); from 2015.1.0 it is the deprecated
    # name of metering_time_to_live (still read, so a set line is fine up to 9.0.0, Pike)
    Marker(CEILOMETER, "database", "time_to_live", "sample", "juno", "juno",
           "Juno's sample lists it; from Kilo it is only the deprecated name of metering_time_to_live"),
    Marker(CEILOMETER, "database", "time_to_live", "set", "juno", "pike",
           "read by ceilometer 2014.2 (Juno) to 9.x (Pike); ceilometer 10.0.0 (Queens) has no storage options"),
    # ceilometer 2015.1.0 .. 9.0.x storage/__init__.py; ceilometer/storage removed in 10.0.0
    Marker(CEILOMETER, "database", "metering_time_to_live", "listed", "kilo", "pike",
           "ceilometer registers it from 2015.1.0 (Kilo) to 9.x (Pike)"),
    # ceilometer 2015.1.0 .. 7.x storage/__init__.py; "Remove events storage and API" is in 8.0.0
    Marker(CEILOMETER, "database", "event_time_to_live", "listed", "kilo", "newton",
           "ceilometer registers it from 2015.1.0 (Kilo) to 7.x (Newton)"),
    # ceilometer 5.0.0 storage/__init__.py, deprecated_for_removal; the alarm code is gone in 6.0.0
    Marker(CEILOMETER, "database", "alarm_history_time_to_live", "listed", "liberty", "liberty",
           "ceilometer registers it in 5.x (Liberty) only"),
    # ceilometer 2014.2 api/controllers/v2.py, 2015.1.0 and 5.0.0 api/controllers/v2/alarms.py
    Marker(CEILOMETER, "alarm", "record_history", "listed", "juno", "liberty",
           "ceilometer registers it from 2014.2 (Juno) to 5.x (Liberty)"),
    # ceilometer 10.0.0 notification.py MultiStrOpt('pipelines'), still in 26.0.0 (2026.1)
    Marker(CEILOMETER, "notification", "pipelines", "listed", "queens", LATEST,
           "ceilometer registers it from 10.0.0 (Queens) on"),
    # aodh 1.0.0 and 2.0.0 storage/__init__.py (deprecated_for_removal); removed in 3.0.0
    Marker(AODH, "database", "alarm_connection", "listed", "liberty", "mitaka",
           "aodh registers it in 1.x (Liberty) and 2.x (Mitaka) only"),
    # aodh 1.0.0 and 2.0.0 evaluator/__init__.py: record_history with deprecated_group="alarm"
    Marker(AODH, "alarm", "record_history", "set", "liberty", "mitaka",
           "aodh reads [alarm] record_history (the deprecated group) in 1.x (Liberty) and 2.x (Mitaka) only"),
    # aodh 13.0.0 storage/__init__.py adds it (commit 02179e0c), still in 22.0.0
    Marker(AODH, "database", "alarm_histories_delete_batch_size", "listed", "xena", LATEST,
           "aodh registers it from 13.0.0 (Xena) on"),
)

# A generated sample lists every option of a namespace, so an option missing beside its
# companion (listed as a commented default) dates the file too: (marker, companion).
ABSENCE_MARKERS = (
    # ceilometer 2015.1.0 .. 7.x register event_time_to_live beside metering_time_to_live; 8.0.0 and 9.0.0 not
    (Marker(CEILOMETER, "database", "event_time_to_live", "absent", "ocata", "pike",
            "a sample of ceilometer 2015.1.0 (Kilo) to 7.x (Newton) lists it beside metering_time_to_live"),
     "metering_time_to_live"),
    # aodh 13.0.0 (Xena) and later list alarm_histories_delete_batch_size beside alarm_history_time_to_live
    (Marker(AODH, "database", "alarm_histories_delete_batch_size", "absent", "liberty", "wallaby",
            "a sample of aodh 13.0.0 (Xena) or later lists it beside alarm_history_time_to_live"),
     "alarm_history_time_to_live"),
)


# --------------------------------------------------------------------------- values


def parse_duration(value, name="duration"):
    """Seconds for a duration, or FOREVER (-1); RetentionError names the value and the forms.

    Accepted: an int (3600), a numeric string ("3600"), a number with one unit suffix
    s, m, h, d, w ("45s", "30m", "12h", "7d", "2w"), and -1 / "-1" for forever. Not
    accepted: 0 or other negatives (ceilometer reads every value <= 0 as forever; say
    -1), fractions, combined units ("1d12h"), upper case, blanks, booleans.
    """
    def bad(reason=""):
        return RetentionError("%s: %r is not a duration%s; expected %s"
                              % (name, value, reason, DURATION_FORMS))

    if isinstance(value, bool):
        raise bad()
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, str):
        text = value
    else:
        raise bad()
    if text == "-1":
        return FOREVER
    match = _DURATION_RE.fullmatch(text)
    if not match:
        if re.fullmatch(r"-[0-9]+[smhdw]?", text):
            raise bad(" (only -1 means keep forever)")
        raise bad()
    seconds = int(match.group("number")) * UNITS[match.group("unit") or "s"]
    if seconds == 0:
        raise bad(" (0 would mean keep forever to ceilometer; write -1 for that)")
    if seconds > MAX_SECONDS:
        raise bad(" (more than %d seconds)" % MAX_SECONDS)
    return seconds


def format_duration(seconds):
    """A human reading of seconds (604800 -> '7d'), 'forever' for FOREVER."""
    if seconds is None:
        return None
    if seconds <= 0:
        return "forever"
    for unit in ("w", "d", "h", "m"):
        if seconds % UNITS[unit] == 0:
            return "%d%s" % (seconds // UNITS[unit], unit)
    return "%ds" % seconds


def read_int(text):
    """An integer option as oslo.config reads it; None if absent or not an integer."""
    if text is None:
        return None
    try:
        return int(text.strip())
    except ValueError:
        return None


def read_bool(text):
    """A boolean option as oslo.config reads it; None if absent or not a boolean word."""
    if text is None:
        return None
    word = text.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return None


# --------------------------------------------------------------------------- releases


def series_index(name):
    """The position of a series in SERIES (code names of numbered series accepted); None if unknown."""
    key = str(name).strip().lower() if name is not None else ""
    key = SERIES_ALIASES.get(key, key)
    return SERIES.index(key) if key in SERIES else None


def event_advice(release):
    """Where events are kept on a release whose ceilometer keeps none (Ocata and later)."""
    index = series_index(release)
    if index is not None and index >= series_index("xena"):
        return NO_EVENT_STORE_ADVICE.format(release=release)
    return PANKO_ADVICE.format(release=release)


def gnocchi_advice(release):
    """The refusal of a sample TTL on Queens and later: the archive policy, and where events went."""
    return GNOCCHI_ADVICE.format(release=release, events=event_advice(release))


def release_spec(name, retention=True):
    """The Release for a series name; RetentionError for an unknown name.

    Queens and later keep no samples of their own (Gnocchi does): asking them for
    retention (``retention``) is a RetentionError naming the archive policy; without
    it they are a release whose only settings here are aodh's alarm history ones.
    """
    key = str(name).strip().lower() if name is not None else ""
    if key in RELEASES:
        return RELEASES[key]
    if key in GNOCCHI_RELEASES:
        if retention:
            raise RetentionError(gnocchi_advice(key))
        return Release(key, None, (), None, (AODH,), False)
    raise RetentionError("release %r is not a release this module knows; expected one of %s (or a Queens or "
                         "later name, which is refused: retention is set in Gnocchi there)"
                         % (name, ", ".join(RELEASES)))


def _spec(release):
    return release if isinstance(release, Release) else release_spec(release)


def release_from_version(version):
    """The series of an installed ceilometer package version, e.g. '1:19.0.0-3' -> 'zed'.

    Debian/RPM forms are accepted: an epoch ('1:') and a packaging revision ('-3',
    '-0ubuntu1', '-1.el7') are dropped. 2014.2.x is Juno, 2015.1.x Kilo, then the
    major version: 5 Liberty .. 9 Pike, 10 Queens .. 19 Zed, 20+ the numbered series.
    """
    text = str(version or "").strip()
    upstream = text.split(":", 1)[1] if re.match(r"^[0-9]+:", text) else text
    match = re.match(r"^([0-9]+)\.([0-9]+)", upstream)
    if not match:
        raise RetentionError("cannot read a ceilometer version from %r" % version)
    major, minor = int(match.group(1)), int(match.group(2))
    if (major, minor) == (2014, 2):
        return "juno"
    if (major, minor) == (2015, 1):
        return "kilo"
    if major in _SERIES_BY_MAJOR:
        return _SERIES_BY_MAJOR[major]
    if max(_SERIES_BY_MAJOR) < major < 2000:  # 2011.x-2015.x are the date-based versions
        return "2026.1"  # newer than this table: Gnocchi era all the same
    raise RetentionError("ceilometer %s is older than Juno or not a ceilometer version; set release "
                         "explicitly" % version)


def alarm_service(release, requested="auto"):
    """Which service's file holds the alarm history settings on this release (ceilometer or aodh)."""
    spec = _spec(release)
    if requested in (None, "auto"):
        return spec.alarm_services[0]
    if requested not in spec.alarm_services:
        reason = ("alarms moved to aodh in Liberty and ceilometer's alarm code was deleted in Mitaka"
                  if requested == CEILOMETER else "aodh first shipped with Liberty")
        raise RetentionError("alarm_service %s is not possible on %s (%s); use %s"
                             % (requested, spec.name, reason, " or ".join(spec.alarm_services)))
    return requested


def require_event_ttl(release):
    """The release's event TTL option; RetentionError where ceilometer keeps no events (Juno, Ocata, Pike)."""
    spec = _spec(release)
    if spec.event_key is None:
        if spec.name == "juno":
            raise RetentionError("ceilometer juno has no event TTL: event_time_to_live arrived in Kilo; leave "
                                 "event_ttl unset")
        raise RetentionError("ceilometer %s has no event TTL (leave event_ttl unset): %s"
                             % (spec.name, event_advice(spec.name)))
    return spec.event_key


def require_alarm_history_ttl(release, service):
    """(section, key) of the alarm history TTL in the service's file; RetentionError where there is none.

    aodh has it in every release; ceilometer only in 5.0.0 (Liberty), for its deprecated
    alarm service; Juno and Kilo keep alarm history until it is deleted by hand.
    """
    spec = _spec(release)
    if service == CEILOMETER and spec.name != "liberty":
        raise RetentionError("ceilometer %s has no alarm history TTL: alarm_history_time_to_live arrived in "
                             "Liberty (ceilometer 5.0.0 and aodh 1.0.0); leave alarm_history_ttl unset"
                             % spec.name)
    return ALARM_HISTORY_TTL


def has_alarm_history_ttl(release, service):
    """Whether the service's file has an alarm history TTL on this release."""
    try:
        require_alarm_history_ttl(release, service)
    except RetentionError:
        return False
    return True


def alarm_location(service):
    """(file, section, key) of record_history for a service."""
    file_, section, key, _legacy = _ALARM_HOME[service]
    return file_, section, key


# --------------------------------------------------------------------------- which release wrote a file

_SECTION_RE = re.compile(r"^\s*\[([^\]]+)\]\s*$")
# oslo-config-generator prints '#name = default', Juno's generate_sample.sh '#name=default'
_SAMPLE_RE = re.compile(r"^#\s?([A-Za-z_][A-Za-z0-9_.-]*)\s*=")


def _sample_lines(text):
    """The (section, key) pairs listed as commented defaults, the way a generated sample lists options."""
    listed, section = set(), None
    for line in text.splitlines():
        header = _SECTION_RE.match(line)
        if header:
            section = header.group(1).strip()
            continue
        option = _SAMPLE_RE.match(line)
        if option and section is not None:
            listed.add((section, option.group(1)))
    return listed


def _release_label(index):
    return SERIES[index]


def release_markers(text, service, release):
    """(contradictions, stale) for a service's file (ceilometer or aodh) and a release.

    contradictions: markers that say the file belongs to another release: an option
    listed as a commented default that the release does not have, or set although it
    arrived after the release. stale: options set that the release no longer reads (left
    as they are; oslo.config ignores them). Both are sentences naming the option.
    """
    index = series_index(_spec(release).name if isinstance(release, Release) else release)
    if index is None:
        raise RetentionError("release %r is not a series this module knows" % (release,))
    doc = ini.parse(text)
    listed = _sample_lines(text)
    contradictions, stale = [], []
    for marker in MARKERS:
        if marker.service != service:
            continue
        first, last = series_index(marker.first), series_index(marker.last)
        where = "[%s] %s" % (marker.section, marker.key)
        if marker.form in ("listed", "sample") and (marker.section, marker.key) in listed \
                and not first <= index <= last:
            contradictions.append("%s is listed as a commented default (%s)" % (where, marker.facts))
        if marker.form in ("listed", "set") and doc.get(marker.section, marker.key) is not None:
            if index < first:
                contradictions.append("%s is set (%s)" % (where, marker.facts))
            elif index > last:
                stale.append("%s is set but %s %s does not read it (%s); it is left as it is"
                             % (where, service, _release_label(index), marker.facts))
    for marker, companion in ABSENCE_MARKERS:
        if marker.service != service or (marker.section, companion) not in listed:
            continue
        if (marker.section, marker.key) not in listed and doc.get(marker.section, marker.key) is None \
                and not series_index(marker.first) <= index <= series_index(marker.last):
            contradictions.append("[%s] %s is missing beside the commented default of %s (%s)"
                                  % (marker.section, marker.key, companion, marker.facts))
    return contradictions, stale


def release_mismatch_message(path, service, release, contradictions):
    """The refusal (or warning) when a file contradicts the release it is edited for."""
    return ("%s does not look like the %s.conf of %s: %s. Set release to the series installed there "
            "(release=detect reads it from the ceilometer package), or set release_mismatch=warn if this file "
            "was kept through upgrades from another release"
            % (path, service, release, "; ".join(contradictions)))


def stale_options(text, release, service=CEILOMETER):
    """Warnings for options this release does not read but the file sets (left as they are)."""
    return release_markers(text, service, release)[1]


# --------------------------------------------------------------------------- edits

def effective_metering_ttl(text, release):
    """The metering TTL ceilometer would use from this text: seconds, FOREVER, or None if unreadable."""
    spec = _spec(release)
    doc = ini.parse(text)
    for key in _metering_read_order(spec):
        value = doc.get("database", key)
        if value is not None:
            return _effective(value)
    return FOREVER


def _effective(value):
    """An option's TTL as the expirers read it: seconds, FOREVER for <= 0 or unset, None if no integer."""
    if value is None:
        return FOREVER
    number = read_int(value)
    return None if number is None else (FOREVER if number <= 0 else number)


def _metering_read_order(spec):
    """The names the release reads, in oslo.config's order: where both exist, the new name
    metering_time_to_live wins and time_to_live (its deprecated alias) counts only without it."""
    keys = (spec.metering_key,) + spec.legacy_metering_keys
    return tuple(sorted(keys, key=lambda key: key != "metering_time_to_live"))


def effective_event_ttl(text, release):
    """The event TTL ceilometer would use; None where ceilometer has none or the value is no integer."""
    spec = _spec(release)
    if spec.event_key is None:
        return None
    return _effective(ini.parse(text).get("database", spec.event_key))


def effective_alarm_history_ttl(text):
    """[database] alarm_history_time_to_live as aodh (or Liberty's ceilometer) reads it."""
    return _effective(ini.parse(text).get(*ALARM_HISTORY_TTL))


def _set_seconds(doc, section, key, seconds):
    """Write seconds unless the line already says the same number (keeps '604800' as is)."""
    if read_int(doc.get(section, key)) == seconds and len(doc.get_all(section, key)) == 1:
        return
    doc.set(section, key, str(seconds))


def _set_bool(doc, section, key, value):
    """Write true/false unless the line already means the same (keeps 'True' as is)."""
    if read_bool(doc.get(section, key)) is value and len(doc.get_all(section, key)) == 1:
        return
    doc.set(section, key, "true" if value else "false")


def edit_ceilometer(text, release, metering_seconds=None, event_seconds=None, alarm_history=None,
                    alarm_service_name=CEILOMETER, alarm_history_seconds=None):
    """ceilometer.conf text with the release's TTL options (and its alarm settings) set.

    metering_seconds goes to the release's metering option and removes the deprecated
    names of the same setting; event_seconds to event_time_to_live (RetentionError where
    ceilometer keeps no events); alarm_history to [alarm] record_history and
    alarm_history_seconds to [database] alarm_history_time_to_live (Liberty only) when the
    alarm service is ceilometer. None leaves an option as it is.
    """
    spec = _spec(release)
    doc = ini.parse(text)
    if metering_seconds is not None:
        _set_seconds(doc, "database", spec.metering_key, metering_seconds)
        for legacy in spec.legacy_metering_keys:
            doc.remove("database", legacy)
    if event_seconds is not None:
        _set_seconds(doc, "database", require_event_ttl(spec), event_seconds)
    if alarm_service_name == CEILOMETER:
        if alarm_history is not None:
            _file, section, key, _legacy = _ALARM_HOME[CEILOMETER]
            _set_bool(doc, section, key, alarm_history)
        if alarm_history_seconds is not None:
            _set_seconds(doc, *require_alarm_history_ttl(spec, CEILOMETER), seconds=alarm_history_seconds)
    return doc.text


def edit_aodh(text, alarm_history=None, alarm_history_seconds=None):
    """aodh.conf text with [DEFAULT] record_history (the deprecated [alarm] one removed) and
    [database] alarm_history_time_to_live set; None leaves an option as it is."""
    doc = ini.parse(text)
    if alarm_history is not None:
        _file, section, key, legacy = _ALARM_HOME[AODH]
        _set_bool(doc, section, key, alarm_history)
        for old_section, old_key in legacy:
            doc.remove(old_section, old_key)
    if alarm_history_seconds is not None:
        _set_seconds(doc, *ALARM_HISTORY_TTL, seconds=alarm_history_seconds)
    return doc.text


# --------------------------------------------------------------------------- purge


def expirer_argv(command, config_path):
    """The ceilometer-expirer command line, reading the file this module edited."""
    return [command, "--config-file", config_path]


# The Ceilometer samples collection (impl_mongodb: "meter - the raw incoming data") and
# the db.stats() sizes reported before and after (fileSize: MMAPv1 only, else None)
MONGODB_COLLECTION = "meter"
MONGODB_SIZES = ("dataSize", "storageSize", "indexSize", "fileSize", "objects")


class MongoPurgeError(RetentionError):
    """A step of the MongoDB purge failed.

    step: which, in words; error: the library's error (secrets not yet masked); report: what
    the steps before it found or did; removing: the failed step was the removal, which may
    have removed part of the samples before it failed.
    """

    def __init__(self, step, error, report, removing=False):
        super().__init__("%s failed: %s" % (step, error))
        self.step = step
        self.error = error
        self.report = report
        self.removing = removing


def mongodb_database(uri):
    """The database named by a mongodb:// URI; RetentionError (without the password) if unusable."""
    if not isinstance(uri, str) or not uri.strip():
        raise RetentionError("mongodb_uri is empty; expected mongodb://USER:PASSWORD@HOST:27017/ceilometer")
    try:
        parts = urlsplit(uri)
    except ValueError as exc:
        raise RetentionError("mongodb_uri is not a valid URL: %s" % redact(str(exc), [uri])) from exc
    if parts.scheme not in ("mongodb", "mongodb+srv") or not parts.netloc:
        raise RetentionError("mongodb_uri must start with mongodb:// or mongodb+srv:// and name a host, "
                             "e.g. mongodb://ceilometer:PASSWORD@controller:27017/ceilometer")
    name = unquote(parts.path.lstrip("/"))
    if not name or "/" in name:
        host = parts.hostname or "?"
        raise RetentionError("mongodb_uri for host %s names no database; append the ceilometer database, "
                             "e.g. .../ceilometer" % host)
    return name


def mongodb_password(uri):
    """The password inside a MongoDB URI (to mask it in any output), or None."""
    try:
        password = urlsplit(uri).password
    except ValueError:
        return None
    return unquote(password) if password else None


def mongodb_hosts(uri):
    """The host list of a MongoDB URI without the credentials (host1:27017,host2:27017), for messages."""
    try:
        netloc = urlsplit(uri).netloc
    except ValueError:
        return "?"
    return netloc.rpartition("@")[2] or "?"


def mongodb_cutoff(ttl_seconds, now):
    """The time before which samples are expired: now - ttl, in UTC, to the millisecond (BSON dates).

    RetentionError when the TTL is not a positive number of seconds (forever has nothing to remove).
    """
    if not isinstance(ttl_seconds, int) or isinstance(ttl_seconds, bool) or ttl_seconds <= 0:
        raise RetentionError("the metering TTL is %r: nothing is older than forever, so there is nothing to "
                             "remove; set metering_ttl to a duration" % (ttl_seconds,))
    if now.tzinfo is None:
        raise RetentionError("the current time must carry a time zone")
    cutoff = now.astimezone(datetime.timezone.utc) - datetime.timedelta(seconds=ttl_seconds)
    return cutoff.replace(microsecond=cutoff.microsecond // 1000 * 1000)


def iso_utc(moment):
    """A UTC datetime as ISO 8601 with milliseconds and Z (2026-11-16T00:12:00.000Z)."""
    return "%s.%03dZ" % (moment.strftime("%Y-%m-%dT%H:%M:%S"), moment.microsecond // 1000)


def _count(value):
    """A size or count from dbStats as an int (they come as int, Int64 or float), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return int(value)


def mongodb_sizes(stats):
    """The sizes of a dbStats answer that the module reports."""
    return dict((key, _count(stats.get(key))) for key in MONGODB_SIZES)


def library_error(exc):
    """A library error in one line: its class and its text (the caller masks secrets).

    pymongo's OperationFailure carries the server's answer in ``details``: its errmsg and
    code are given, without the raw document pymongo 4 appends to the text.
    """
    details = getattr(exc, "details", None)
    if isinstance(details, dict) and details.get("errmsg"):
        text = str(details["errmsg"])
        code = " ".join(str(part) for part in (details.get("code"), details.get("codeName")) if part is not None)
        text = "%s (code %s)" % (text, code) if code else text
    else:
        text = str(exc)
    text = " ".join(text.split())[:2000]
    return "%s: %s" % (type(exc).__name__, text) if text else type(exc).__name__


def _step(name, action, report, removing=False):
    try:
        return action()
    except Exception as exc:  # pymongo's errors, and whatever a server that answers oddly makes it raise
        raise MongoPurgeError(name, library_error(exc), report, removing) from exc


def mongodb_preflight(database):
    """Before anything is written: the server answers and this login may read the database's stats.

    database: a pymongo Database (or anything with its command() method).
    """
    report = {}
    _step("ping", lambda: database.command("ping"), report)
    _step("dbStats", lambda: database.command("dbStats", scale=1), report)


def purge_mongodb(database, ttl_seconds, now, collection=MONGODB_COLLECTION):
    """Remove the samples older than the TTL from the collection, then compact it.

    The sequence: dbStats, delete_many({timestamp: {$lt: cutoff}}), compact, dbStats.
    database is a pymongo Database (anything with command() and [collection].delete_many());
    now a timezone-aware datetime. Returns the report (cutoff, removed, compact_bytes_freed,
    before, after); a failing step raises MongoPurgeError naming the step, with the report
    of what was done before it (so a failed compact still says how many samples went).
    """
    cutoff = mongodb_cutoff(ttl_seconds, now)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", collection):
        raise RetentionError("collection %r is not a plain MongoDB collection name" % collection)
    report = {"cutoff": iso_utc(cutoff), "removed": None, "compact_bytes_freed": None, "before": None,
              "after": None}
    report["before"] = mongodb_sizes(_step("dbStats", lambda: database.command("dbStats", scale=1), report))
    # ceilometer's meter documents carry the sample time as a BSON date in 'timestamp'
    deleted = _step("the removal of the samples older than %s" % report["cutoff"],
                    lambda: database[collection].delete_many({"timestamp": {"$lt": cutoff}}), report, True)
    report["removed"] = _count(deleted.deleted_count)
    compacted = _step("compact", lambda: database.command("compact", collection), report)
    report["compact_bytes_freed"] = _count(compacted.get("bytesFreed"))
    report["after"] = mongodb_sizes(_step("dbStats after compact", lambda: database.command("dbStats", scale=1),
                                          report))
    return report


def mongodb_changed(report):
    """Whether the purge changed anything: samples removed, or compact gave space back.

    compact's bytesFreed (MongoDB 4.4 and later) says so; without it, a smaller storageSize.
    A second run right after the first removes nothing and frees nothing: no change.
    """
    if report.get("removed"):
        return True
    freed = report.get("compact_bytes_freed")
    if freed is not None:
        return freed > 0
    before, after = report.get("before") or {}, report.get("after") or {}
    if before.get("storageSize") is None or after.get("storageSize") is None:
        return False
    return after["storageSize"] < before["storageSize"]


def redact(text, secrets):
    """text with every secret (URI, password) replaced by ini.MASK."""
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, ini.MASK)
    return text


def command_line(argv):
    """argv as one shell-quoted string, for messages."""
    return " ".join(shlex.quote(part) for part in argv)
