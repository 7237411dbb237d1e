# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What every config-editing module does around the INI engine: read the file or
fail with a sentence the operator can act on, then write it and report the change.

The only module_utils here that take the AnsibleModule: they end the run with
fail_json, and they hand the engine Ansible's own AnsibleModule.atomic_move (which keeps
the file's SELinux context, and knows the file systems where a rename is not enough)
and SELinux helpers for the backup copy.

Why not AnsibleModule.backup_local for the backup: it copies with shutil.copy2, which
creates the copy with the umask's mode, writes the secrets into it and only then narrows
the mode and changes the owner, so a 0600 file has a 0644 copy for a moment; and it
writes through whatever sits at its predictable name, a planted symlink included. The
engine's copy is private from its first byte and gets a name that did not exist; the
SELinux context comes from the same AnsibleModule helpers backup_local uses.
"""

from __future__ import annotations

import os

from ansible_collections.stackops.openstack.plugins.module_utils import ini


class _AtomicMoveFailed(Exception):
    """AnsibleModule.atomic_move called fail_json (ansible-core before 2.19 does)."""


def read_config(module, path, what, option="path"):
    """The text of ``path``, checked to parse; fails naming the file and what to do.

    ``what`` names the software the file belongs to ("nova (nova-common)"), ``option``
    the module option that sets the path. A FIFO, device or socket is refused without
    opening it, a file over ini.MAX_FILE_BYTES or not UTF-8 with a sentence, never a
    traceback.
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


def _atomic_move(module):
    """AnsibleModule.atomic_move as the engine's replace(tmp, path)."""

    def replace(tmp, path):
        # atomic_move gives a new file 0666 minus the umask before the engine sets its mode:
        # keep that moment private
        umask = os.umask(0o077) if not os.path.lexists(path) else None

        def fail_json(msg, **kwargs):
            raise _AtomicMoveFailed(msg)

        # ansible-core 2.17 and 2.18 end the run with fail_json inside atomic_move; here that
        # must come back as an error, so the engine can drop or report its backup copy
        own = vars(module).get("fail_json")
        module.fail_json = fail_json
        try:
            module.atomic_move(tmp, path)
        finally:
            if own is None:
                del module.fail_json
            else:
                module.fail_json = own
            if umask is not None:
                os.umask(umask)
    return replace


def _selinux_label(module):
    """The engine's label(copy, original): the original's SELinux context on the backup copy."""
    if not module.selinux_enabled():
        return None

    def label(copy, original):
        module.set_context_if_different(copy, module.selinux_context(original), False)
    return label


def write_config(module, path, before, after, backup, secret=None):
    """Write ``after`` (nothing in check mode or when unchanged) and describe the change.

    Returns changed, changes and backup_file, plus diff when the task asked for one.
    A failure says whether the file was changed and names a backup copy it kept.
    """
    try:
        written = ini.write_file(path, after, backup=backup, check_mode=module.check_mode,
                                 replace=_atomic_move(module), label=_selinux_label(module))
    except ini.IniWriteError as exc:
        module.fail_json(msg="cannot write %s: %s" % (path, exc), changed=exc.changed, backup_file=exc.backup_file)
    except (OSError, ini.IniError) as exc:
        module.fail_json(msg="cannot write %s: %s" % (path, exc))
    result = dict(changed=written["changed"], changes=ini.changes(before, after, secret),
                  backup_file=written["backup_file"])
    if module._diff:
        result["diff"] = ini.diff(before, after, path, secret)
    return result
