#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ceilometer_ttl
short_description: Set how long Ceilometer and aodh keep samples, events and alarm history
version_added: 1.0.0
description:
  - Sets the data retention of Ceilometer's own database (Juno to Pike) in C(ceilometer.conf), with the option
    names of the release being edited, touching only the lines that need to change.
  - V(juno) has C([database] time_to_live) only, and no event TTL.
  - V(kilo) to V(pike) have C([database] metering_time_to_live), which the module writes; C(time_to_live) is its
    deprecated name there, which oslo.config ignores once the new name is set, so the module removes it whenever
    it writes O(metering_ttl).
  - V(kilo) to V(newton) have C([database] event_time_to_live). From V(ocata) (ceilometer 8.0.0) Ceilometer
    keeps no events, so O(event_ttl) is refused with where events are kept instead (Panko up to Wallaby; Panko
    is retired and no service stores events after it).
  - Alarm history recording (C(record_history)) is in C([alarm]) of C(ceilometer.conf) on V(juno) and V(kilo),
    and in C([DEFAULT]) of C(aodh.conf) from V(liberty) on (O(alarm_service)). In C(aodh.conf) a deprecated
    C([alarm] record_history) is removed, since aodh 1.x and 2.x would still read it.
  - Alarm history retention (O(alarm_history_ttl)) is C([database] alarm_history_time_to_live) of C(aodh.conf) on
    every release that has aodh (V(liberty) and later, V(queens) and later included), or of C(ceilometer.conf)
    on V(liberty) with O(alarm_service=ceilometer); V(juno) and V(kilo) have none.
  - On V(queens) and later a sample or event TTL, O(purge) or O(mongodb_compact) is refused with a message that
    points at the Gnocchi archive policy, where retention is set once Ceilometer's API and collector, and with them
    its own database, are gone (ceilometer 10.0.0, Queens); O(alarm_history) and O(alarm_history_ttl) still work
    there (aodh).
  - Before anything is written, each file read is cross-checked against O(release). Options that only some
    releases have, set or listed as the commented defaults of the shipped sample, tell which release the file
    belongs to (for example C([notification] pipelines) in C(ceilometer.conf) means Queens or later, and
    C([database] alarm_histories_delete_batch_size) in C(aodh.conf) aodh 13.0.0, Xena, or later). A file that
    contradicts O(release) is refused, or only warned about with O(release_mismatch=warn). A file without such
    options is not judged.
  - With O(purge=true) runs C(ceilometer-expirer) after the change and returns its output, exit status and
    duration. With O(mongodb_compact=true) removes the samples older than the metering TTL from MongoDB and
    compacts the C(meter) collection through the C(pymongo) client library, reporting how many samples went and
    the database sizes before and after.
  - Does not restart any service; notify handlers for the Ceilometer collector/API or the aodh services when
    RV(ignore:changed) is V(true).
  - A failure after a file was written or data was removed (the second file, the expirer, the MongoDB removal or
    compact) reports RV(ignore:changed=true) and names what was already written, run and removed in the message
    and in RV(files) and RV(mongodb), so that the services reading those files can still be restarted.
author:
  - stackops maintainers (@stackops)
requirements:
  - pymongo >= 3.11.0, for O(mongodb_compact) only (on the host that runs the module)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports the same RV(ignore:changed), RV(files) and diff and writes nothing. C(ceilometer-expirer) does
        not run and MongoDB is not contacted; RV(purge) and RV(mongodb) say so.
  diff_mode:
    support: full
    details:
      - One diff per file that is edited, with the values of secret options (database connections, passwords)
        masked.
  platform:
    support: full
    platforms: posix
options:
  path:
    description:
      - The Ceilometer configuration file. It must exist whenever the module edits it, purges, or reads the
        metering TTL from it for O(mongodb_compact); the module does not create one.
    type: path
    default: /etc/ceilometer/ceilometer.conf
  aodh_path:
    description:
      - The aodh configuration file, edited only for O(alarm_history) or O(alarm_history_ttl) when the alarm
        service is aodh.
      - A missing file fails only then; otherwise it is not read.
    type: path
    default: /etc/aodh/aodh.conf
  release:
    description:
      - The OpenStack series of the Ceilometer being configured, in lower case.
      - V(detect) reads the version of the installed ceilometer package (C(ceilometer-common),
        C(python3-ceilometer) or C(python-ceilometer) with dpkg; C(openstack-ceilometer-common),
        C(openstack-ceilometer), C(python3-ceilometer) or C(python-ceilometer) with rpm) and maps it to the series
        (2014.2 Juno, 2015.1 Kilo, 5 Liberty ... 9 Pike, 10 Queens and later).
      - From V(queens) on, only O(alarm_history) and O(alarm_history_ttl) are accepted (they are aodh's); a sample
        or event TTL, O(purge) or O(mongodb_compact) fails with the Gnocchi message.
    type: str
    required: true
    choices: [detect, juno, kilo, liberty, mitaka, newton, ocata, pike, queens, rocky, stein, train, ussuri,
              victoria, wallaby, xena, yoga, zed, antelope, bobcat, caracal, dalmatian, epoxy, flamingo, gazpacho,
              '2023.1', '2023.2', '2024.1', '2024.2', '2025.1', '2025.2', '2026.1']
  metering_ttl:
    description:
      - How long samples are kept.
      - Seconds as an integer or a numeric string (V(3600)), or a number with one unit V(s), V(m), V(h), V(d) or
        V(w) (V(45s), V(30m), V(12h), V(7d), V(2w); V(w) is 7 days), or V(-1) to keep them forever.
      - V(0) and other negative numbers, fractions, combined units (V(1d12h)), upper-case units and blanks are
        refused, as is anything above 2147483647 seconds.
      - Written as seconds to C(time_to_live) (V(juno)) or C(metering_time_to_live) (V(kilo) to V(pike)).
      - Unset leaves the option as it is.
    type: raw
  event_ttl:
    description:
      - How long events are kept, in the forms of O(metering_ttl). Written to C(event_time_to_live).
      - Only V(kilo) to V(newton) have it. Refused on V(juno) (not yet) and from V(ocata) on (Ceilometer keeps no
        events; the message says where they are kept).
      - Unset leaves the option as it is.
    type: raw
  alarm_history:
    description:
      - Whether alarm state changes are recorded (C(record_history)).
      - Unset leaves the option as it is.
    type: bool
  alarm_history_ttl:
    description:
      - How long alarm history is kept, in the forms of O(metering_ttl), written as seconds to C([database]
        alarm_history_time_to_live) of the alarm service's file (see O(alarm_service)). C(aodh-expirer) (or
        C(ceilometer-expirer) on V(liberty) with O(alarm_service=ceilometer)) deletes older history.
      - Refused on V(juno) and V(kilo), which have no alarm history TTL.
      - Unset leaves the option as it is.
    type: raw
  alarm_service:
    description:
      - Which service's file holds C(record_history) and C(alarm_history_time_to_live).
      - V(auto) is V(ceilometer) on V(juno) and V(kilo), V(aodh) from V(liberty) on.
      - V(ceilometer) is possible up to V(liberty) (its alarm service still ran, deprecated, in Liberty), V(aodh)
        from V(liberty) on.
    type: str
    choices: [auto, ceilometer, aodh]
    default: auto
  release_mismatch:
    description:
      - What to do when a file read contradicts O(release) (see the description).
      - V(fail) refuses before anything is written; V(warn) warns with the same sentence and goes on, for a file
        that was kept through upgrades from another release and still has that release's options.
    type: str
    choices: [fail, warn]
    default: fail
  backup:
    description:
      - Before changing a file, copy it to a file whose name includes a timestamp, returned in RV(files).
    type: bool
    default: false
  purge:
    description:
      - After the change, run O(expirer_command) C(--config-file) O(path) and return what it printed, its exit
        status and how long it took. Not in check mode.
      - A failure (non-zero exit) fails the task with the expirer's output; the file edits stay.
      - On MongoDB the expirer removes nothing (Ceilometer relies on MongoDB's TTL index there); see
        O(mongodb_compact).
    type: bool
    default: false
  expirer_command:
    description:
      - The expirer to run for O(purge), a name looked up in C(PATH) or an absolute path.
    type: path
    default: ceilometer-expirer
  mongodb_compact:
    description:
      - Remove the samples older than the metering TTL (O(metering_ttl), or the value in O(path)) from the C(meter)
        collection (their C(timestamp) before the cutoff) and run C(compact) on it, reporting C(dbStats) before and
        after. Runs after the expirer when O(purge=true). Not in check mode.
      - Uses the C(pymongo) library on the host that runs the module, 3.11 or later (C(python3-pymongo) of Debian 12
        and Ubuntu 22.04 is 3.11); no MongoDB shell is needed. The 3.x line still talks to MongoDB 2.6 to 3.4, the
        servers of Ceilometer's own-database years, which pymongo 4 no longer supports.
      - Before any file is written, the server must answer a C(ping) and a C(dbStats) with the login of
        O(mongodb_uri); an unreachable server or a refused login fails the task with nothing changed.
      - Requires O(mongodb_uri) and a metering TTL other than forever.
      - C(compact) blocks the database while it runs on MongoDB before 4.4, and on a replica set works on the member
        it is connected to only (add C(directConnection=true) to a one-host URI to pick the member); MongoDB
        before 4.4 refuses it on a primary.
      - Tested against MongoDB wire-protocol servers from PyPI (nx-27017 on SQLite and SecantusDB on WiredTiger,
        with a SCRAM login), not against a MongoDB server, which cannot be installed where this module is tested.
    type: bool
    default: false
  mongodb_uri:
    description:
      - The MongoDB connection URI of the Ceilometer database, with the database name,
        for example V(mongodb://ceilometer:PASSWORD@controller:27017/ceilometer).
      - Its options are the driver's (for example V(tls=true), V(replicaSet=rs0), V(authSource=admin),
        V(serverSelectionTimeoutMS=5000)).
      - It is handed to the library inside the module's process, never to a command line or the environment; it and
        its password are masked in everything the module returns.
    type: str
notes:
  - Files are replaced atomically (a temporary file renamed over them) and keep their owner, group and mode.
  - Both files are read, checked against O(release) and their new text computed, the files to change are checked
    to be writable, the expirer is found and MongoDB answers with the login of O(mongodb_uri), before anything is
    written.
  - Run O(purge) as the C(ceilometer) user (C(become_user)) if the configuration logs to a file, or the log file may
    end up owned by root.
  - O(purge) reports RV(ignore:changed) as V(true) whenever it runs, since it may have deleted data.
    O(mongodb_compact) reports it when samples were removed or C(compact) gave space back (C(bytesFreed), or a
    smaller C(storageSize) before MongoDB 4.4), so a second run right after the first reports no change.
  - "Sources of the option names, sections and release boundaries, read per release tag in the projects' own
    repositories: ceilometer C(ceilometer/storage/__init__.py) and C(ceilometer/cmd/storage.py) (2014.2 Juno:
    C(time_to_live); 2015.1.0 Kilo to 9.0.x Pike: C(metering_time_to_live) with C(time_to_live) as deprecated alias;
    2015.1.0 to 7.x Newton: C(event_time_to_live); 5.0.0 Liberty: C(alarm_history_time_to_live); 10.0.0 Queens:
    no storage), ceilometer C(api/controllers/v2) (C([alarm] record_history) up to 5.x), aodh
    C(aodh/storage/__init__.py), C(aodh/evaluator/__init__.py) and C(aodh/opts.py) (C([database]
    alarm_history_time_to_live) in every release, C([DEFAULT] record_history) with deprecated group C(alarm) in
    1.x and 2.x), panko C(panko/storage/__init__.py) (C(event_time_to_live), 1.0.0 to 10.0.0) and its retirement.
    Details in C(plugins/module_utils/ceilometer_retention.py)."
seealso:
  - name: Gnocchi archive policies
    description: Where retention is set from Queens on.
    link: https://gnocchi.osci.io/operating.html
  - name: Aodh configuration options
    description: C(record_history) in C([DEFAULT]).
    link: https://docs.openstack.org/aodh/latest/configuration/aodh-config-options.html
'''

EXAMPLES = r'''
- name: Keep samples for 30 days and events for a week (Mitaka)
  stackops.openstack.ceilometer_ttl:
    release: mitaka
    metering_ttl: 30d
    event_ttl: 7d
    backup: true
  notify: Restart ceilometer-collector

- name: Show what would change, with the release read from the installed package
  stackops.openstack.ceilometer_ttl:
    release: detect
    metering_ttl: 2w
  check_mode: true
  diff: true

- name: Stop recording alarm history in aodh (Liberty and later)
  stackops.openstack.ceilometer_ttl:
    release: newton
    alarm_history: false
  notify: Restart aodh services

- name: Keep 90 days of alarm history on a Zed cloud (aodh)
  stackops.openstack.ceilometer_ttl:
    release: zed
    alarm_history_ttl: 90d
  notify: Restart aodh services

- name: A Juno controller keeps samples for 12 hours
  stackops.openstack.ceilometer_ttl:
    release: juno
    metering_ttl: 12h

- name: Set the TTL, expire now and give the disk space back on MongoDB
  stackops.openstack.ceilometer_ttl:
    release: kilo
    metering_ttl: 7d
    purge: true
    mongodb_compact: true
    mongodb_uri: "mongodb://ceilometer:{{ ceilometer_db_password }}@controller:27017/ceilometer"
  become: true
  become_user: ceilometer
  register: ceilometer_purge

- name: Report the disk use before and after
  ansible.builtin.debug:
    msg: "{{ ceilometer_purge.mongodb.before.storageSize }} -> {{ ceilometer_purge.mongodb.after.storageSize }}"
'''

RETURN = r'''
release:
  description: The series the options were chosen for (the detected one with O(release=detect)).
  returned: always
  type: str
  sample: mitaka
package_version:
  description: The ceilometer package version O(release=detect) read; V(null) otherwise.
  returned: always
  type: str
  sample: "1:6.1.5-1"
alarm_service:
  description: Whose file holds C(record_history) on this release (V(ceilometer) or V(aodh)).
  returned: always
  type: str
  sample: aodh
metering_ttl_seconds:
  description:
    - The metering TTL in C(ceilometer.conf) after the run (as it would be, in check mode), in seconds; V(-1) for
      forever (also when unset, the Ceilometer default).
    - V(null) when the file was not read or holds a value that is not an integer.
  returned: always
  type: int
  sample: 2592000
event_ttl_seconds:
  description: As RV(metering_ttl_seconds), for events; V(null) where Ceilometer has no event TTL (V(juno), V(ocata)
    and later).
  returned: always
  type: int
  sample: 604800
alarm_history_ttl_seconds:
  description:
    - C([database] alarm_history_time_to_live) in the alarm service's file after the run (as it would be, in check
      mode), in seconds; V(-1) for forever (also when unset, the default).
    - V(null) when that file was not read (neither O(alarm_history) nor O(alarm_history_ttl) was given), on
      releases without the option (V(juno), V(kilo)), or when it holds a value that is not an integer.
  returned: always
  type: int
  sample: 7776000
alarm_history:
  description: O(alarm_history) as set, V(null) when not managed.
  returned: always
  type: bool
  sample: false
files:
  description: Each file the module read, by role.
  returned: always
  type: dict
  contains:
    ceilometer:
      description:
        - The Ceilometer file; absent when it was not needed.
        - In a failure after a write, only the files already written are listed.
      type: dict
      contains:
        path:
          description: The file.
          type: str
          sample: /etc/ceilometer/ceilometer.conf
        changed:
          description: Whether the file changed (would change, in check mode).
          type: bool
          sample: true
        changes:
          description: Every option added, changed or removed, secret values masked (as swift_s3api_config's).
          type: list
          elements: dict
          sample:
            - {section: database, key: metering_time_to_live, action: added, before: null, after: "2592000"}
            - {section: database, key: time_to_live, action: removed, before: "604800", after: null}
        backup_file:
          description: The copy made by O(backup=true); V(null) when none was made.
          type: str
          sample: /etc/ceilometer/ceilometer.conf.2026-11-23@00:12:00~
    aodh:
      description: The aodh file, with the same keys; absent when not edited.
      type: dict
  sample:
    ceilometer:
      path: /etc/ceilometer/ceilometer.conf
      changed: true
      changes:
        - {section: database, key: metering_time_to_live, action: added, before: null, after: "2592000"}
      backup_file: null
purge:
  description: What O(purge=true) ran; V(null) without it.
  returned: always
  type: dict
  contains:
    ran:
      description: V(false) in check mode.
      type: bool
      sample: true
    command:
      description: The command line.
      type: list
      elements: str
      sample: [/usr/bin/ceilometer-expirer, --config-file, /etc/ceilometer/ceilometer.conf]
    rc:
      description: Exit status; absent when it did not run.
      type: int
      sample: 0
    stdout:
      description: What it printed on standard output.
      type: str
      sample: ""
    stderr:
      description: What it printed on standard error (oslo.log logs there when no log file is set).
      type: str
      sample: "INFO ceilometer.cmd.storage Nothing to clean, database event time to live is disabled"
    duration:
      description: Seconds it ran.
      type: float
      sample: 3.2
mongodb:
  description:
    - What O(mongodb_compact=true) did (would do, in check mode); V(null) without it.
    - In a failure part-way, the keys of the steps that ran; the message names the step that failed.
  returned: always
  type: dict
  contains:
    ran:
      description: V(false) in check mode, where the database is not contacted.
      type: bool
      sample: true
    database:
      description: The database named in O(mongodb_uri).
      type: str
      sample: ceilometer
    collection:
      description: The collection purged and compacted.
      type: str
      sample: meter
    ttl_seconds:
      description: Samples older than this were removed.
      type: int
      sample: 604800
    cutoff:
      description: Samples with a C(timestamp) before this time (UTC, ISO 8601, to the millisecond) were removed
        (would be, in check mode, if the module ran now).
      type: str
      sample: "2026-11-16T00:12:00.000Z"
    removed:
      description: Samples removed from the collection; absent in check mode.
      type: int
      sample: 1843211
    compact_bytes_freed:
      description: C(bytesFreed) as C(compact) reports it (MongoDB 4.4 and later), else V(null); absent in check mode.
      type: int
      sample: 4012474368
    before:
      description: C(dbStats) sizes in bytes before the removal (dataSize, storageSize, indexSize, fileSize,
        objects); V(null) where the server does not report one (fileSize is MMAPv1's). Absent in check mode.
      type: dict
      sample: {dataSize: 9126805504, storageSize: 10200547328, indexSize: 2114977792, fileSize: null,
               objects: 20123344}
    after:
      description: The same after C(compact); absent in check mode.
      type: dict
      sample: {dataSize: 5110000000, storageSize: 5600000000, indexSize: 1200000000, fileSize: null,
               objects: 18280133}
    duration:
      description: Seconds the removal and compact took; absent in check mode.
      type: float
      sample: 412.5
'''

import datetime
import os
import time
import traceback

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.stackops.openstack.plugins.module_utils import ceilometer_retention as cr
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module

try:
    import pymongo
except ImportError:
    pymongo = None
    PYMONGO_IMPORT_ERROR = traceback.format_exc()
else:
    PYMONGO_IMPORT_ERROR = None

DEB_PACKAGES = ("ceilometer-common", "python3-ceilometer", "python-ceilometer")
RPM_PACKAGES = ("openstack-ceilometer-common", "openstack-ceilometer", "python3-ceilometer", "python-ceilometer")


class _Done:
    """What the run has already changed, so that any later failure can say so."""

    def __init__(self):
        self.files = {}
        self.written = []
        self.ran = []
        self.actions = []  # other things done, in words (samples removed from MongoDB)

    def summary(self):
        steps = ["wrote %s" % path for path in self.written] + ["ran %s" % command for command in self.ran]
        steps += self.actions
        text = "Before this failure the module already " + " and ".join(steps)
        if self.written:
            text += ": restart the services that read the files written"
        return text


def _report_done_on_failure(module, done):
    """Every failure from here on (ours, ini_module's, AnsibleModule's own) carries what was already done.

    A failed task notifies no handler and its rerun finds the files already as wanted, so
    a failure that hid an earlier write would leave services running on the old settings.
    """
    fail = module.fail_json

    def fail_json(msg, **kwargs):
        if done.files:
            kwargs.setdefault("files", done.files)
        if done.written or done.ran or done.actions:
            kwargs["changed"] = True
            msg = "%s. %s" % (msg, done.summary())
        fail(msg=msg, **kwargs)

    module.fail_json = fail_json


def _detect(module):
    """(release, version) of the installed ceilometer package; fails when there is none."""
    dpkg = module.get_bin_path("dpkg-query")
    rpm = module.get_bin_path("rpm")
    tried = []
    if dpkg:
        for package in DEB_PACKAGES:
            tried.append(package)
            rc, out, dummy = module.run_command([dpkg, "-W", "-f=${db:Status-Abbrev} ${Version}", package])
            fields = out.split()  # 'ii  1:19.0.0-3'; 'un ' for a package known but not installed
            if rc == 0 and len(fields) == 2 and fields[0] == "ii":
                return fields[1]
    if rpm:
        for package in RPM_PACKAGES:
            tried.append(package)
            rc, out, dummy = module.run_command([rpm, "-q", "--qf", "%{VERSION}", package])
            if rc == 0 and out.strip():
                return out.strip()
    if not tried:
        module.fail_json(msg="release=detect needs dpkg-query or rpm, neither is in PATH; set release to the "
                             "series, e.g. mitaka")
    module.fail_json(msg="release=detect found no installed ceilometer package (tried %s); set release to the "
                         "series, e.g. mitaka" % ", ".join(tried))
    return None  # not reached


def _resolve(module, command, what):
    if "/" in command:
        if os.path.isfile(command) and os.access(command, os.X_OK):
            return command
        module.fail_json(msg="%s %s is not an executable file" % (what, command))
    found = module.get_bin_path(command)
    if not found:
        module.fail_json(msg="%s %s is not in PATH; is it installed? Give its absolute path" % (what, command))
    return found


def _check_writable(module, path):
    """Fail before the first write if a file to change could not be replaced (atomic rename in its directory)."""
    directory = os.path.dirname(os.path.abspath(path))
    for target, what in ((path, "file"), (directory, "directory")):
        if not os.access(target, os.W_OK):
            module.fail_json(msg="cannot write %s: the %s %s is not writable (run as root, e.g. become: true); "
                                 "nothing was changed" % (path, what, target))


def _failed(argv, rc, out, err):
    """The message of a command that failed: the command, its status and the end of its output."""
    output = (err or out or "").strip()[-2000:] or "(no output)"
    return "%s failed with exit status %d: %s" % (cr.command_line(argv), rc, output)


def _purge(module, argv, done):
    """Run the expirer."""
    if module.check_mode:
        return {"ran": False, "command": argv}
    start = time.monotonic()
    rc, out, err = module.run_command(argv)
    result = {"ran": True, "command": argv, "rc": rc, "stdout": out, "stderr": err,
              "duration": round(time.monotonic() - start, 3)}
    if rc != 0:
        # it may have deleted samples before it failed
        module.fail_json(msg=_failed(argv, rc, out, err), purge=result, changed=True)
    done.ran.append(argv[0])
    return result


def _mongodb_plan(module, uri, ttl_seconds, path):
    """The database name, with pymongo there and a TTL to purge by, checked before any file is written."""
    if pymongo is None:
        module.fail_json(msg=missing_required_lib("pymongo", reason="for mongodb_compact"),
                         exception=PYMONGO_IMPORT_ERROR)
    if ttl_seconds is None:
        module.fail_json(msg="mongodb_compact: the metering TTL in %s is not an integer; set metering_ttl" % path)
    try:
        cr.mongodb_cutoff(ttl_seconds, datetime.datetime.now(datetime.timezone.utc))
        return cr.mongodb_database(uri)
    except cr.RetentionError as exc:
        module.fail_json(msg="mongodb_compact: %s" % cr.redact(str(exc), [uri, cr.mongodb_password(uri)]))
    return None  # not reached


def _mongodb_client(uri):
    """A pymongo client for the URI, which carries the host(s), the login and any option (tls, replicaSet...)."""
    return pymongo.MongoClient(uri)


def _mongodb_connect(module, uri, name):
    """The database, after a ping and a dbStats with the URI's login, before any file is written."""
    secrets = [uri, cr.mongodb_password(uri)]
    where = "the MongoDB database %s at %s" % (name, cr.mongodb_hosts(uri))
    try:
        client = _mongodb_client(uri)
        database = client[name]
        cr.mongodb_preflight(database)
    except cr.MongoPurgeError as exc:
        module.fail_json(msg="mongodb_compact: cannot use %s: %s failed: %s; nothing was changed"
                             % (where, exc.step, cr.redact(exc.error, secrets)))
    except Exception as exc:  # the URI refused by pymongo (an unknown option, a bad port)
        module.fail_json(msg="mongodb_compact: cannot use %s: %s; nothing was changed"
                             % (where, cr.redact(cr.library_error(exc), secrets)))
    return client, database


def _mongodb(module, uri, name, database, ttl_seconds, purge, done):
    """Remove the expired samples and compact, through pymongo; fail with what was done before a failure."""
    now = datetime.datetime.now(datetime.timezone.utc)
    result = {"ran": False, "database": name, "collection": cr.MONGODB_COLLECTION, "ttl_seconds": ttl_seconds,
              "cutoff": cr.iso_utc(cr.mongodb_cutoff(ttl_seconds, now))}
    if module.check_mode:
        return result, False
    where = "%s.%s" % (name, cr.MONGODB_COLLECTION)
    start = time.monotonic()
    try:
        report = cr.purge_mongodb(database, ttl_seconds, now)
    except cr.MongoPurgeError as exc:
        result.update(exc.report, ran=True, duration=round(time.monotonic() - start, 3))
        if exc.report.get("removed"):
            done.actions.append("removed %d samples older than %s from %s"
                                % (exc.report["removed"], exc.report["cutoff"], where))
        elif exc.removing:  # a removal that failed part-way may have removed some: a change, said so
            done.actions.append("started removing the samples older than %s from %s (some may be gone)"
                                % (exc.report["cutoff"], where))
        module.fail_json(msg="mongodb_compact: %s failed on %s: %s"
                             % (exc.step, where, cr.redact(exc.error, [uri, cr.mongodb_password(uri)])),
                         mongodb=result, purge=purge)
    result.update(report, ran=True, duration=round(time.monotonic() - start, 3))
    return result, cr.mongodb_changed(report)


def _cross_check(module, path, text, service, release, mismatch):
    """Refuse (or warn about) a file whose options say it belongs to another release."""
    contradictions, dummy = cr.release_markers(text, service, release)
    if contradictions:
        message = cr.release_mismatch_message(path, service, release, contradictions)
        if mismatch == "fail":
            module.fail_json(msg=message, release=release)
        module.warn(message)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/ceilometer/ceilometer.conf"),
            aodh_path=dict(type="path", default="/etc/aodh/aodh.conf"),
            release=dict(type="str", required=True, choices=["detect"] + list(cr.RELEASE_CHOICES)),
            metering_ttl=dict(type="raw"),
            event_ttl=dict(type="raw"),
            alarm_history=dict(type="bool"),
            alarm_history_ttl=dict(type="raw"),
            alarm_service=dict(type="str", choices=list(cr.ALARM_SERVICES), default="auto"),
            release_mismatch=dict(type="str", choices=list(cr.RELEASE_MISMATCH), default="fail"),
            backup=dict(type="bool", default=False),
            purge=dict(type="bool", default=False),
            expirer_command=dict(type="path", default="ceilometer-expirer"),
            mongodb_compact=dict(type="bool", default=False),
            mongodb_uri=dict(type="str", no_log=True),
        ),
        required_if=[("mongodb_compact", True, ("mongodb_uri",))],
        supports_check_mode=True,
    )
    params = module.params
    done = _Done()
    _report_done_on_failure(module, done)
    # not required_one_of: purge and mongodb_compact default to false, which would always satisfy it
    if all(params[key] is None for key in ("metering_ttl", "event_ttl", "alarm_history", "alarm_history_ttl")) \
            and not params["purge"] and not params["mongodb_compact"]:
        module.fail_json(msg="nothing to do: set metering_ttl, event_ttl, alarm_history or alarm_history_ttl, or "
                             "purge=true or mongodb_compact=true")
    password = cr.mongodb_password(params["mongodb_uri"] or "")
    if password:
        module.no_log_values.add(password)

    version = None
    release = params["release"]
    if release == "detect":
        version = _detect(module)
        try:
            release = cr.release_from_version(version)
        except cr.RetentionError as exc:
            module.fail_json(msg=str(exc))
    retention = any(params[name] not in (None, False)
                    for name in ("metering_ttl", "event_ttl", "purge", "mongodb_compact"))
    try:
        spec = cr.release_spec(release, retention=retention)
        metering = (None if params["metering_ttl"] is None
                    else cr.parse_duration(params["metering_ttl"], "metering_ttl"))
        event = None if params["event_ttl"] is None else cr.parse_duration(params["event_ttl"], "event_ttl")
        alarm_ttl = (None if params["alarm_history_ttl"] is None
                     else cr.parse_duration(params["alarm_history_ttl"], "alarm_history_ttl"))
        service = cr.alarm_service(spec, params["alarm_service"])
        if event is not None:
            cr.require_event_ttl(spec)
        if alarm_ttl is not None:
            cr.require_alarm_history_ttl(spec, service)
        if params["mongodb_compact"]:
            cr.mongodb_database(params["mongodb_uri"])
    except cr.RetentionError as exc:
        module.fail_json(msg=str(exc), release=release, package_version=version)

    alarm = params["alarm_history"]
    alarm_managed = alarm is not None or alarm_ttl is not None
    needs_ceilometer = any((metering is not None, event is not None, params["purge"], params["mongodb_compact"],
                            alarm_managed and service == cr.CEILOMETER))
    needs_aodh = alarm_managed and service == cr.AODH

    # every file read, checked against the release and its new text computed before anything is written
    edits = []
    if needs_ceilometer:
        before = ini_module.read_config(module, params["path"], "ceilometer")
        _cross_check(module, params["path"], before, cr.CEILOMETER, spec.name, params["release_mismatch"])
        try:
            after = cr.edit_ceilometer(before, spec, metering, event, alarm, service, alarm_ttl)
        except (cr.RetentionError, ini.IniError) as exc:
            module.fail_json(msg="%s: %s" % (params["path"], exc))
        edits.append((cr.CEILOMETER, params["path"], before, after))
    if needs_aodh:
        before = ini_module.read_config(module, params["aodh_path"], "aodh", option="aodh_path")
        _cross_check(module, params["aodh_path"], before, cr.AODH, spec.name, params["release_mismatch"])
        try:
            after = cr.edit_aodh(before, alarm, alarm_ttl)
        except ini.IniError as exc:
            module.fail_json(msg="%s: %s" % (params["aodh_path"], exc))
        edits.append((cr.AODH, params["aodh_path"], before, after))
    for role, path, before, after in edits:
        for warning in cr.stale_options(after, spec.name, role):
            module.warn("%s: %s" % (path, warning))

    texts = dict((role, after) for role, path, before, after in edits)
    metering_now = event_now = alarm_ttl_now = None
    if cr.CEILOMETER in texts:
        metering_now = cr.effective_metering_ttl(texts[cr.CEILOMETER], spec)
        event_now = cr.effective_event_ttl(texts[cr.CEILOMETER], spec)
    if alarm_managed and service in texts and cr.has_alarm_history_ttl(spec, service):
        alarm_ttl_now = cr.effective_alarm_history_ttl(texts[service])

    # the commands to run are found, and checked, before anything is written too
    expirer = mongodb_name = None
    if params["purge"]:
        expirer = cr.expirer_argv(_resolve(module, params["expirer_command"], "expirer_command"), params["path"])
    if params["mongodb_compact"]:
        mongodb_name = _mongodb_plan(module, params["mongodb_uri"], metering_now, params["path"])
    if not module.check_mode:
        for role, path, before, after in edits:
            if after != before:
                _check_writable(module, path)
    # and the database answers, with this login (not in check mode, which touches no database)
    client = database = None
    if mongodb_name and not module.check_mode:
        client, database = _mongodb_connect(module, params["mongodb_uri"], mongodb_name)

    if spec.deprecated:
        module.warn("the Ceilometer API and its database are deprecated since Ocata and gone in Queens: plan the "
                    "move to Gnocchi, whose archive policies then set retention")

    diffs, changed = [], False
    for role, path, before, after in edits:
        written = ini_module.write_config(module, path, before, after, params["backup"])
        changed = changed or written["changed"]
        done.files[role] = dict(path=path, changed=written["changed"], changes=written["changes"],
                                backup_file=written["backup_file"])
        if written["changed"] and not module.check_mode:
            done.written.append(path)
        diffs.append(ini.diff(before, after, path))

    purge = mongodb = None
    if expirer:
        purge = _purge(module, expirer, done)
        changed = changed or purge["ran"]
    if mongodb_name:
        mongodb, freed = _mongodb(module, params["mongodb_uri"], mongodb_name, database, metering_now, purge, done)
        changed = changed or freed
    if client is not None:
        client.close()

    result = dict(
        changed=changed,
        release=spec.name,
        package_version=version,
        alarm_service=service,
        metering_ttl_seconds=metering_now,
        event_ttl_seconds=event_now,
        alarm_history=alarm,
        alarm_history_ttl_seconds=alarm_ttl_now,
        files=done.files,
        purge=purge,
        mongodb=mongodb,
    )
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
