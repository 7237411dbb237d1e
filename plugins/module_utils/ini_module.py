# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every config-editing module does around the INI engine: read the file or
fail with a sentence the operator can act on, then write it and report the change.

The only module_utils here that take the AnsibleModule: they end the run with
fail_json, so the modules stay a few lines of glue over the pure edit functions.
"""

from __future__ import annotations

import os

from ansible_collections.stackops.openstack.plugins.module_utils import ini


def read_config(module, path, what, option="path"):
    """The text of ``path``, checked to parse; fails naming the file and what to do.

    ``what`` names the software the file belongs to ("nova (nova-common)"), ``option``
    the module option that sets the path.
    """
    if os.path.isdir(path):
        module.fail_json(msg="%s is a directory, expected the %s configuration file" % (path, what))
    try:
        text = ini.read_file(path)
    except (OSError, ini.IniError) as exc:
        module.fail_json(msg="cannot read %s: %s" % (path, exc))
    if text is None:
        module.fail_json(msg="%s does not exist; is %s installed? Set %s to its configuration file"
                             % (path, what, option))
    try:
        ini.parse(text)
    except ini.IniError as exc:
        module.fail_json(msg="cannot parse %s: %s" % (path, exc))
    return text


def write_config(module, path, before, after, backup, secret=None):
    """Write ``after`` (nothing in check mode or when unchanged) and describe the change.

    Returns changed, changes and backup_file, plus diff when the task asked for one.
    """
    try:
        written = ini.write_file(path, after, backup=backup, check_mode=module.check_mode)
    except OSError as exc:
        module.fail_json(msg="cannot write %s: %s" % (path, exc))
    result = dict(changed=written["changed"], changes=ini.changes(before, after, secret),
                  backup_file=written["backup_file"])
    if module._diff:
        result["diff"] = ini.diff(before, after, path, secret)
    return result
