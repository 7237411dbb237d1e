# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""How long Ceilometer keeps samples and events, and whether alarm history is recorded.

Pure functions on plain values and on ini.IniDocument texts (the one INI engine), so
they unit-test without Ansible. Errors are RetentionError with a sentence a person
can act on.

What each release reads, checked against the projects themselves (search tool,
code corpus = public repositories, docs/pages corpus = docs.openstack.org and
the like):

- Juno (2014.2): ``[database] time_to_live`` is the only TTL. Juno-era
  ceilometer/storage/__init__.py (``from oslo.config import cfg``) registers
  ``IntOpt('time_to_live')`` in group ``database``; the expirer of that time reads
  ``cfg.CONF.database.time_to_live``. No event TTL.
- Kilo (2015.1) already has both new names. The Kilo telemetry spec
  specs/kilo/event-database-ttl (specs.openstack.org) adds ``event_time_to_live``
  "such as what we do for metering database"; the Kilo-era ceilometer/cmd/storage.py
  (``oslo_config`` namespace with stdlib logging, i.e. between Kilo's move to
  oslo_config and Liberty's move to oslo_log) expires with
  ``database.metering_time_to_live`` and ``database.event_time_to_live``; the
  Liberty-cycle spec specs/liberty/delete-alarmhistory calls the option
  "metering_time_to_live (aka time_to_live)". On Kilo ``time_to_live`` is therefore
  read either way (as the option, or as the deprecated alias while the new name is
  absent), so Kilo gets ``time_to_live``, as the operators' notes write it, and a
  ``metering_time_to_live`` line is removed so that it cannot shadow it.
- Liberty .. Pike: ceilometer/storage/__init__.py registers
  ``IntOpt('metering_time_to_live', deprecated_opts=[DeprecatedOpt('time_to_live',
  'database')])`` and ``IntOpt('event_time_to_live')`` in ``[database]``; a generated
  Liberty ceilometer.conf prints "Deprecated group/name - [database]/time_to_live"
  above ``#metering_time_to_live = -1``. oslo.config reads the deprecated name only
  while the new one is absent, so a stale ``time_to_live`` silently stops counting
  once the new name is written; it is removed whenever the metering TTL is written.
- Queens (ceilometer 10.0.0) and later: the Queens release notes say "The deprecated
  Ceilometer API has been removed" and "The collector service is removed" (nothing
  writes to or reads from ceilometer's own database any more); by Rocky
  ceilometer.cmd.storage has only ``upgrade()`` (docs.openstack.org ceilometer/rocky
  API reference), no expirer. Samples go to Gnocchi, whose archive policies decide
  retention (``gnocchi archive-policy update NAME -d granularity:5m,timespan:30d``,
  ``gnocchi archive-policy-rule create``, gnocchiclient CLI reference). Pike (9.0.x)
  packages still ship ceilometer-expirer (openSUSE Cloud:OpenStack:Pike changelog),
  so Pike is the last release this module edits. The API was deprecated in Ocata
  (release note ceilometer-api-deprecate), hence a warning on Ocata and Pike.
- Alarm history: ceilometer's ``ALARM_API_OPTS`` register ``BoolOpt('record_history')``
  in group ``alarm`` (Juno, Kilo; Liberty with deprecated_for_removal; the Liberty
  config reference lists ``[alarm] record_history = True``). Aodh was "split out to
  this independent project in Liberty development cycle" (aodh
  doc/source/architecture.rst) and "In Mitaka all alarm relative code has been
  deleted from the Ceilometer project" (fuel-specs fuel-aodh-integration). Aodh's
  aodh/evaluator/__init__.py registers ``record_history`` listed under ``DEFAULT`` by
  aodh/opts.py, with ``deprecated_group="alarm"`` in the Liberty/Mitaka code and
  without it later; the Zed aodh.conf (aodh-common 15.0.0) has it in ``[DEFAULT]``.
- MongoDB: ceilometer's MongoDB driver keeps a TTL index ``meter_ttl`` on
  ``meter.timestamp`` (``expireAfterSeconds`` = the TTL, rebuilt by dbsync) and its
  ``clear_expired_*`` are no-ops ("based on native MongoDB time to live feature"), so
  ceilometer-expirer frees nothing there; removing old documents and ``compact`` is
  what gives disk space back. That sequence (mongodb_script) is untested against a
  real MongoDB.
"""

from __future__ import annotations

import collections
import json
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

# Where alarm history recording lives: (file, section, key, legacy (section, key) pairs)
_ALARM_HOME = {
    CEILOMETER: (CEILOMETER, "alarm", "record_history", ()),
    # aodh 1.x/2.x still read [alarm] as the deprecated group: drop it so it cannot mislead
    AODH: (AODH, "DEFAULT", "record_history", (("alarm", "record_history"),)),
}

Release = collections.namedtuple(
    "Release", "name metering_key legacy_metering_keys event_key alarm_services deprecated")

_EDITABLE = (
    Release("juno", "time_to_live", (), None, (CEILOMETER,), False),
    # Kilo reads time_to_live (the operators' notes use it; Kilo also knows it as the deprecated
    # name of metering_time_to_live, which is removed so that it cannot shadow it)
    Release("kilo", "time_to_live", ("metering_time_to_live",), "event_time_to_live", (CEILOMETER,), False),
    # Liberty: aodh is new, ceilometer's own alarm service still runs (deprecated)
    Release("liberty", "metering_time_to_live", ("time_to_live",), "event_time_to_live",
            (AODH, CEILOMETER), False),
    Release("mitaka", "metering_time_to_live", ("time_to_live",), "event_time_to_live", (AODH,), False),
    Release("newton", "metering_time_to_live", ("time_to_live",), "event_time_to_live", (AODH,), False),
    Release("ocata", "metering_time_to_live", ("time_to_live",), "event_time_to_live", (AODH,), True),
    Release("pike", "metering_time_to_live", ("time_to_live",), "event_time_to_live", (AODH,), True),
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

GNOCCHI_ADVICE = (
    "ceilometer has no database TTL on {release}: from Queens (ceilometer 10.0.0) its API and collector are "
    "gone (and with them its own database) and samples are stored in Gnocchi, so retention is the timespan of "
    "the Gnocchi archive "
    "policy the metrics use; change it there, for example 'gnocchi archive-policy update ceilometer-low "
    "-d granularity:5m,timespan:30d', or choose the policy for new metrics with archive policy rules "
    "('gnocchi archive-policy-rule create -a POLICY -m \"*\" RULE'); events (if stored) are kept by Panko's "
    "[database] event_time_to_live")


class RetentionError(ValueError):
    """A value, release or file this module cannot act on."""


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


def release_spec(name, retention=True):
    """The Release for a series name; RetentionError for an unknown name.

    Queens and later keep no samples of their own (Gnocchi does): asking them for
    retention (``retention``) is a RetentionError naming the archive policy; without
    it they are a release whose only setting here is aodh's alarm history.
    """
    key = str(name).strip().lower() if name is not None else ""
    if key in RELEASES:
        return RELEASES[key]
    if key in GNOCCHI_RELEASES:
        if retention:
            raise RetentionError(GNOCCHI_ADVICE.format(release=key))
        return Release(key, None, (), None, (AODH,), False)
    raise RetentionError("release %r is not a release this module knows; expected one of %s (or a Queens or "
                         "later name, which is refused: retention is set in Gnocchi there)"
                         % (name, ", ".join(RELEASES)))


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
    """Which service's file holds record_history on this release (ceilometer or aodh)."""
    spec = release_spec(release) if not isinstance(release, Release) else release
    if requested in (None, "auto"):
        return spec.alarm_services[0]
    if requested not in spec.alarm_services:
        reason = ("alarms moved to aodh in Liberty and ceilometer's alarm code was deleted in Mitaka"
                  if requested == CEILOMETER else "aodh first shipped with Liberty")
        raise RetentionError("alarm_service %s is not possible on %s (%s); use %s"
                             % (requested, spec.name, reason, " or ".join(spec.alarm_services)))
    return requested


def require_event_ttl(release):
    """The release's event TTL option; RetentionError on Juno, which has none."""
    spec = release_spec(release) if not isinstance(release, Release) else release
    if spec.event_key is None:
        raise RetentionError("ceilometer %s has no event TTL: event_time_to_live arrived in Kilo; leave "
                             "event_ttl unset" % spec.name)
    return spec.event_key


def alarm_location(service):
    """(file, section, key) of record_history for a service."""
    file_, section, key, _legacy = _ALARM_HOME[service]
    return file_, section, key


# --------------------------------------------------------------------------- edits

def effective_metering_ttl(text, release):
    """The metering TTL ceilometer would use from this text: seconds, FOREVER, or None if unreadable."""
    spec = release_spec(release) if not isinstance(release, Release) else release
    doc = ini.parse(text)
    for key in _metering_read_order(spec):
        value = doc.get("database", key)
        if value is not None:
            number = read_int(value)
            if number is None:
                return None
            return FOREVER if number <= 0 else number
    return FOREVER


def _metering_read_order(spec):
    """The names the release reads, in oslo.config's order: where both exist, the new name
    metering_time_to_live wins and time_to_live (its deprecated alias) counts only without it."""
    keys = (spec.metering_key,) + spec.legacy_metering_keys
    return tuple(sorted(keys, key=lambda key: key != "metering_time_to_live"))


def effective_event_ttl(text, release):
    spec = release_spec(release) if not isinstance(release, Release) else release
    if spec.event_key is None:
        return None
    value = ini.parse(text).get("database", spec.event_key)
    if value is None:
        return FOREVER
    number = read_int(value)
    return None if number is None else (FOREVER if number <= 0 else number)


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
                    alarm_service_name=CEILOMETER):
    """ceilometer.conf text with the release's TTL options (and [alarm] record_history) set.

    metering_seconds goes to the release's metering option and removes the deprecated
    names of the same setting; event_seconds to event_time_to_live (RetentionError on
    Juno, which has none); alarm_history to [alarm] record_history only when the alarm
    service is ceilometer. None leaves an option as it is.
    """
    spec = release_spec(release) if not isinstance(release, Release) else release
    doc = ini.parse(text)
    if metering_seconds is not None:
        _set_seconds(doc, "database", spec.metering_key, metering_seconds)
        for legacy in spec.legacy_metering_keys:
            doc.remove("database", legacy)
    if event_seconds is not None:
        _set_seconds(doc, "database", require_event_ttl(spec), event_seconds)
    if alarm_history is not None and alarm_service_name == CEILOMETER:
        _file, section, key, _legacy = _ALARM_HOME[CEILOMETER]
        _set_bool(doc, section, key, alarm_history)
    return doc.text


def edit_aodh(text, alarm_history):
    """aodh.conf text with [DEFAULT] record_history set and the deprecated [alarm] one removed."""
    doc = ini.parse(text)
    _file, section, key, legacy = _ALARM_HOME[AODH]
    _set_bool(doc, section, key, alarm_history)
    for old_section, old_key in legacy:
        doc.remove(old_section, old_key)
    return doc.text


def stale_options(text, release):
    """Warnings for options this release does not read but the file sets (left as they are)."""
    spec = release_spec(release) if not isinstance(release, Release) else release
    doc = ini.parse(text)
    warnings = []
    if spec.name == "juno":
        for key in ("metering_time_to_live", "event_time_to_live"):
            if doc.get("database", key) is not None:
                warnings.append("[database] %s is set but ceilometer juno does not read it (it arrived in "
                                "Kilo); time_to_live is the Juno name" % key)
    elif spec.name == "kilo" and doc.get("database", "metering_time_to_live") is not None \
            and doc.get("database", "time_to_live") is not None:
        warnings.append("[database] metering_time_to_live and time_to_live are both set; Kilo uses "
                        "metering_time_to_live (%s) and ignores time_to_live; set metering_ttl to settle it"
                        % doc.get("database", "metering_time_to_live"))
    return warnings


# --------------------------------------------------------------------------- purge


def expirer_argv(command, config_path):
    """The ceilometer-expirer command line, reading the file this module edited."""
    return [command, "--config-file", config_path]


MONGODB_SHELLS = ("mongosh", "mongo")
MONGODB_MARKER = "STACKOPS_CEILOMETER_COMPACT "


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


def mongodb_argv(shell):
    """The shell command line: no URI, no password, no script on it (they go through stdin)."""
    if shell.rsplit("/", 1)[-1] not in MONGODB_SHELLS:
        raise RetentionError("MongoDB shell %r is not one of %s" % (shell, ", ".join(MONGODB_SHELLS)))
    return [shell, "--nodb", "--quiet", "--norc"]


def mongodb_script(uri, ttl_seconds, collection="meter"):
    """The JavaScript fed to mongo/mongosh on stdin: stats, remove older than the TTL, compact, stats.

    Works in both shells (legacy mongo 2.x-4.x and mongosh): connect(), remove(),
    runCommand({compact}) and db.stats() exist in both; remove() answers a WriteResult
    with nRemoved (mongo >= 2.6, mongosh) or nothing (2.4). The one line starting with
    MONGODB_MARKER carries the result as JSON. The URI, password included, is inside
    the script only: it never reaches a command line or the environment.
    """
    mongodb_database(uri)
    if not isinstance(ttl_seconds, int) or isinstance(ttl_seconds, bool) or ttl_seconds <= 0:
        raise RetentionError("the metering TTL is %r: nothing is older than forever, so there is nothing to "
                             "remove; set metering_ttl to a duration" % (ttl_seconds,))
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", collection):
        raise RetentionError("collection %r is not a plain MongoDB collection name" % collection)
    return "\n".join((
        "var db = connect(%s);" % json.dumps(uri),
        # NumberLong (legacy shell) and Long (mongosh) become plain numbers for JSON
        "function num(x) { return (x === undefined || x === null) ? null : Number(x); }",
        "function sizes() { var s = db.stats(1);",
        "  return {dataSize: num(s.dataSize), storageSize: num(s.storageSize), indexSize: num(s.indexSize),",
        "          fileSize: num(s.fileSize), objects: num(s.objects)}; }",
        "var before = sizes();",
        "var cutoff = new Date(new Date().getTime() - %d * 1000);" % ttl_seconds,
        "var removed = db.%s.remove({timestamp: {$lt: cutoff}});" % collection,
        "var compacted = db.runCommand({compact: %s});" % json.dumps(collection),
        "var after = sizes();",
        "print(%s + JSON.stringify({before: before, after: after, cutoff: cutoff.toISOString(),"
        % json.dumps(MONGODB_MARKER),
        "  removed: (removed && removed.nRemoved !== undefined) ? num(removed.nRemoved) : null,",
        "  compact_ok: num(compacted.ok), compact_error: compacted.errmsg || null,",
        "  compact_bytes_freed: num(compacted.bytesFreed)}));",
        "",
    ))


def parse_mongodb_output(stdout):
    """The result dict printed by mongodb_script(); RetentionError when it is missing."""
    for line in (stdout or "").splitlines():
        if line.startswith(MONGODB_MARKER):
            try:
                return json.loads(line[len(MONGODB_MARKER):])
            except ValueError as exc:
                raise RetentionError("cannot read the MongoDB shell's result line: %s" % exc) from exc
    raise RetentionError("the MongoDB shell printed no result line (%s...)" % MONGODB_MARKER.strip())


def redact(text, secrets):
    """text with every secret (URI, password) replaced by ini.MASK."""
    text = text if isinstance(text, str) else ("" if text is None else str(text))
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, ini.MASK)
    return text


def command_line(argv):
    """argv as one shell-quoted string, for messages."""
    return " ".join(shlex.quote(part) for part in argv)
