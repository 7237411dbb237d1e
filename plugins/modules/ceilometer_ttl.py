#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: ceilometer_ttl
short_description: Set how long Ceilometer keeps samples and events, and whether alarm history is recorded
version_added: 0.1.0
description:
  - Sets the data retention of Ceilometer's own database (Juno to Pike) in C(ceilometer.conf), with the option
    names of the release being edited, touching only the lines that need to change.
  - V(juno) has C([database] time_to_live) only, and no event TTL.
  - V(kilo) gets C([database] time_to_live) (read as the option, or as the deprecated name of
    C(metering_time_to_live); a C(metering_time_to_live) line, which would shadow it, is removed) and
    C([database] event_time_to_live).
  - V(liberty) to V(pike) have C([database] metering_time_to_live) and C([database] event_time_to_live).
    C(time_to_live) is the deprecated name of C(metering_time_to_live) there; oslo.config ignores it once the new
    name is set, so the module removes it whenever it writes O(metering_ttl).
  - Alarm history recording (C(record_history)) is in C([alarm]) of C(ceilometer.conf) on V(juno) and V(kilo),
    and in C([DEFAULT]) of C(aodh.conf) from V(liberty) on (O(alarm_service)). In C(aodh.conf) a deprecated
    C([alarm] record_history) is removed, since aodh 1.x and 2.x would still read it.
  - On V(queens) and later a TTL, O(purge) or O(mongodb_compact) is refused with a message that points at the
    Gnocchi archive policy, where retention is set once Ceilometer's API and collector, and with them its own
    database, are gone (ceilometer 10.0.0, Queens); O(alarm_history) still works there (aodh).
  - With O(purge=true) runs C(ceilometer-expirer) after the change and returns its output, exit status and
    duration. With O(mongodb_compact=true) removes the samples older than the metering TTL from MongoDB and
    compacts the C(meter) collection, reporting the database sizes before and after.
  - Does not restart any service; notify handlers for the Ceilometer collector/API or the aodh services when
    RV(ignore:changed) is V(true).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports the same RV(ignore:changed), RV(files) and diff and writes nothing. Neither
        C(ceilometer-expirer) nor the MongoDB shell runs; RV(purge) and RV(mongodb) say so.
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
      - The aodh configuration file, edited only for O(alarm_history) when the alarm service is aodh.
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
      - Every name from V(queens) on is accepted only to fail with the Gnocchi message.
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
      - Written as seconds to C(time_to_live) (V(juno), V(kilo)) or C(metering_time_to_live) (V(liberty) to
        V(pike)).
      - Unset leaves the option as it is.
    type: raw
  event_ttl:
    description:
      - How long events are kept, in the forms of O(metering_ttl). Written to C(event_time_to_live).
      - Refused on V(juno), which has no event TTL.
      - Unset leaves the option as it is.
    type: raw
  alarm_history:
    description:
      - Whether alarm state changes are recorded (C(record_history)).
      - Unset leaves the option as it is.
    type: bool
  alarm_service:
    description:
      - Which service's file holds C(record_history).
      - V(auto) is V(ceilometer) on V(juno) and V(kilo), V(aodh) from V(liberty) on.
      - V(ceilometer) is possible up to V(liberty) (its alarm service still ran, deprecated, in Liberty), V(aodh)
        from V(liberty) on.
    type: str
    choices: [auto, ceilometer, aodh]
    default: auto
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
        collection and run C(compact) on it, with C(mongosh) or else the legacy C(mongo) shell, reporting
        C(db.stats()) before and after. Runs after the expirer when O(purge=true). Not in check mode.
      - Requires O(mongodb_uri) and a metering TTL other than forever.
      - C(compact) blocks the database while it runs on MongoDB before 4.4, and on a replica set works on the member
        it is connected to only.
      - Untested against a real MongoDB (none could be installed where this module was written); the script and
        the command line are unit-tested.
    type: bool
    default: false
  mongodb_uri:
    description:
      - The MongoDB connection URI of the Ceilometer database, with the database name,
        for example V(mongodb://ceilometer:PASSWORD@controller:27017/ceilometer).
      - It is passed to the shell on standard input, inside the script, never on the command line or in the
        environment; it and its password are masked in everything the module returns.
    type: str
notes:
  - Files are replaced atomically (a temporary file renamed over them) and keep their owner, group and mode.
  - Both files are read and their new text computed, and the expirer and the MongoDB shell are found, before
    anything is written.
  - Run O(purge) as the C(ceilometer) user (C(become_user)) if the configuration logs to a file, or the log file may
    end up owned by root.
  - O(purge) and O(mongodb_compact) report RV(ignore:changed) as V(true) whenever they run, since they may have
    deleted data.
  - "Sources of the option names, sections and release boundaries: ceilometer C(ceilometer/storage/__init__.py) and
    C(ceilometer/cmd/storage.py) (Juno: C(time_to_live); Kilo onward: C(metering_time_to_live) with
    C(time_to_live) as deprecated alias, C(event_time_to_live)), telemetry-specs C(specs/kilo/event-database-ttl),
    the Liberty config reference (C([alarm] record_history)), aodh C(aodh/evaluator/__init__.py) and
    C(aodh/opts.py) (C([DEFAULT] record_history), deprecated group C(alarm)), ceilometer Queens release notes
    (API and collector removed), the Rocky C(ceilometer.cmd.storage) reference (no expirer). Details in
    C(plugins/module_utils/ceilometer_retention.py)."
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
  description: As RV(metering_ttl_seconds), for events; V(null) on V(juno).
  returned: always
  type: int
  sample: 604800
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
      description: The Ceilometer file; absent when it was not needed.
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
  description: What O(mongodb_compact=true) did; V(null) without it.
  returned: always
  type: dict
  contains:
    ran:
      description: V(false) in check mode.
      type: bool
      sample: true
    command:
      description: The shell command line (the script and the URI went through standard input).
      type: list
      elements: str
      sample: [/usr/bin/mongosh, --nodb, --quiet, --norc]
    ttl_seconds:
      description: Samples older than this were removed.
      type: int
      sample: 604800
    cutoff:
      description: Samples with a C(timestamp) before this time (UTC, ISO 8601) were removed.
      type: str
      sample: "2026-11-16T00:12:00.000Z"
    compact_bytes_freed:
      description: C(bytesFreed) as C(compact) reports it (MongoDB 4.4 and later), else V(null).
      type: int
      sample: 4012474368
    removed:
      description: Documents removed from C(meter) (V(null) with a MongoDB 2.4 shell).
      type: int
      sample: 1843211
    before:
      description: C(db.stats()) sizes in bytes before (dataSize, storageSize, indexSize, fileSize, objects).
      type: dict
      sample: {dataSize: 9126805504, storageSize: 10200547328, indexSize: 2114977792, fileSize: null,
               objects: 20123344}
    after:
      description: The same after C(compact).
      type: dict
      sample: {dataSize: 5110000000, storageSize: 5600000000, indexSize: 1200000000, fileSize: null,
               objects: 18280133}
    rc:
      description: Exit status of the shell.
      type: int
      sample: 0
    duration:
      description: Seconds the shell ran.
      type: float
      sample: 412.5
'''

import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackops.openstack.plugins.module_utils import ceilometer_retention as cr
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module

DEB_PACKAGES = ("ceilometer-common", "python3-ceilometer", "python-ceilometer")
RPM_PACKAGES = ("openstack-ceilometer-common", "openstack-ceilometer", "python3-ceilometer", "python-ceilometer")


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


def _failed(argv, rc, out, err):
    """The message of a command that failed: the command, its status and the end of its output."""
    output = (err or out or "").strip()[-2000:] or "(no output)"
    return "%s failed with exit status %d: %s" % (cr.command_line(argv), rc, output)


def _purge(module, argv, done):
    """Run the expirer; `done` (files edited so far) goes along with a failure."""
    if module.check_mode:
        return {"ran": False, "command": argv}
    start = time.monotonic()
    rc, out, err = module.run_command(argv)
    result = {"ran": True, "command": argv, "rc": rc, "stdout": out, "stderr": err,
              "duration": round(time.monotonic() - start, 3)}
    if rc != 0:
        module.fail_json(msg=_failed(argv, rc, out, err), purge=result, **done)
    return result


def _mongodb_shell(module):
    for shell in cr.MONGODB_SHELLS:
        found = module.get_bin_path(shell)
        if found:
            return found
    module.fail_json(msg="mongodb_compact needs the MongoDB shell: neither mongosh nor mongo is in PATH")
    return None  # not reached


def _mongodb_plan(module, uri, ttl_seconds, path):
    """(argv, script) of the MongoDB sequence, checked before any file is written."""
    if ttl_seconds is None:
        module.fail_json(msg="mongodb_compact: the metering TTL in %s is not an integer; set metering_ttl" % path)
    try:
        script = cr.mongodb_script(uri, ttl_seconds)
    except cr.RetentionError as exc:
        module.fail_json(msg="mongodb_compact: %s" % cr.redact(str(exc), [uri, cr.mongodb_password(uri)]))
    return cr.mongodb_argv(_mongodb_shell(module)), script


def _mongodb(module, uri, ttl_seconds, plan, done):
    """Run the sequence through the shell's stdin; `done` goes along with a failure."""
    argv, script = plan
    secrets = [uri, cr.mongodb_password(uri)]
    result = {"ran": False, "command": argv, "ttl_seconds": ttl_seconds}
    if module.check_mode:
        return result
    start = time.monotonic()
    rc, out, err = module.run_command(argv, data=script)
    result.update(ran=True, rc=rc, duration=round(time.monotonic() - start, 3))
    out, err = cr.redact(out, secrets), cr.redact(err, secrets)
    if rc != 0:
        module.fail_json(msg=_failed(argv, rc, out, err), mongodb=result, **done)
    try:
        report = cr.parse_mongodb_output(out)
    except cr.RetentionError as exc:
        module.fail_json(msg="%s: %s; it printed: %s" % (cr.command_line(argv), exc, (out + err).strip()[-2000:]),
                         mongodb=result, **done)
    result.update(removed=report.get("removed"), before=report.get("before"), after=report.get("after"),
                  cutoff=report.get("cutoff"), compact_bytes_freed=report.get("compact_bytes_freed"))
    if report.get("compact_ok") != 1:
        module.fail_json(msg="compact of the meter collection failed: %s" % report.get("compact_error"),
                         mongodb=result, **done)
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/ceilometer/ceilometer.conf"),
            aodh_path=dict(type="path", default="/etc/aodh/aodh.conf"),
            release=dict(type="str", required=True, choices=["detect"] + list(cr.RELEASE_CHOICES)),
            metering_ttl=dict(type="raw"),
            event_ttl=dict(type="raw"),
            alarm_history=dict(type="bool"),
            alarm_service=dict(type="str", choices=list(cr.ALARM_SERVICES), default="auto"),
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
    # not required_one_of: purge and mongodb_compact default to false, which would always satisfy it
    if all(params[key] is None for key in ("metering_ttl", "event_ttl", "alarm_history")) \
            and not params["purge"] and not params["mongodb_compact"]:
        module.fail_json(msg="nothing to do: set metering_ttl, event_ttl or alarm_history, or purge=true or "
                             "mongodb_compact=true")
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
        service = cr.alarm_service(spec, params["alarm_service"])
        if event is not None:
            cr.require_event_ttl(spec)
        if params["mongodb_compact"]:
            cr.mongodb_database(params["mongodb_uri"])
    except cr.RetentionError as exc:
        module.fail_json(msg=str(exc), release=release, package_version=version)

    alarm = params["alarm_history"]
    needs_ceilometer = (metering is not None or event is not None or params["purge"] or params["mongodb_compact"]
                        or (alarm is not None and service == cr.CEILOMETER))
    needs_aodh = alarm is not None and service == cr.AODH

    # every file read and every new text computed before anything is written
    edits = []
    if needs_ceilometer:
        before = ini_module.read_config(module, params["path"], "ceilometer")
        try:
            after = cr.edit_ceilometer(before, spec, metering, event, alarm, service)
        except (cr.RetentionError, ini.IniError) as exc:
            module.fail_json(msg="%s: %s" % (params["path"], exc))
        edits.append(("ceilometer", params["path"], before, after))
        for warning in cr.stale_options(after, spec):
            module.warn("%s: %s" % (params["path"], warning))
    if needs_aodh:
        before = ini_module.read_config(module, params["aodh_path"], "aodh", option="aodh_path")
        try:
            after = cr.edit_aodh(before, alarm)
        except ini.IniError as exc:
            module.fail_json(msg="%s: %s" % (params["aodh_path"], exc))
        edits.append(("aodh", params["aodh_path"], before, after))

    ceilometer_text = next((after for role, path, before, after in edits if role == "ceilometer"), None)
    metering_now = event_now = None
    if ceilometer_text is not None:
        metering_now = cr.effective_metering_ttl(ceilometer_text, spec)
        event_now = cr.effective_event_ttl(ceilometer_text, spec)

    # the commands to run are found, and checked, before anything is written too
    expirer = mongodb_plan = None
    if params["purge"]:
        expirer = cr.expirer_argv(_resolve(module, params["expirer_command"], "expirer_command"), params["path"])
    if params["mongodb_compact"]:
        mongodb_plan = _mongodb_plan(module, params["mongodb_uri"], metering_now, params["path"])

    if spec.deprecated:
        module.warn("the Ceilometer API and its database are deprecated since Ocata and gone in Queens: plan the "
                    "move to Gnocchi, whose archive policies then set retention")

    files, diffs, changed = {}, [], False
    for role, path, before, after in edits:
        written = ini_module.write_config(module, path, before, after, params["backup"])
        changed = changed or written["changed"]
        files[role] = dict(path=path, changed=written["changed"], changes=written["changes"],
                           backup_file=written["backup_file"])
        diffs.append(ini.diff(before, after, path))

    purge = mongodb = None
    if expirer:
        purge = _purge(module, expirer, {"files": files})
        changed = changed or purge["ran"]
    if mongodb_plan:
        mongodb = _mongodb(module, params["mongodb_uri"], metering_now, mongodb_plan,
                           {"files": files, "purge": purge})
        changed = changed or mongodb["ran"]

    result = dict(
        changed=changed,
        release=spec.name,
        package_version=version,
        alarm_service=service,
        metering_ttl_seconds=metering_now,
        event_ttl_seconds=event_now,
        alarm_history=alarm,
        files=files,
        purge=purge,
        mongodb=mongodb,
    )
    if module._diff:
        result["diff"] = diffs
    module.exit_json(**result)


if __name__ == "__main__":
    main()
