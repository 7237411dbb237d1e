# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Running a module's main() inside a unit test, and comparing config files.

AnsibleModule.exit_json and fail_json end the process; patch_exits makes them raise
instead, so a test gets the result as a dict. Each test module installs it from an
autouse fixture with the options it needs.
"""

from __future__ import annotations

import difflib
import json

import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args


class AnsibleExitJson(Exception):
    """exit_json was called; args[0] is the result."""


class AnsibleFailJson(Exception):
    """fail_json was called; args[0] is the result."""


def patch_exits(monkeypatch, *, as_returned=True, mask_failures=False, collect_warnings=False):
    """Make exit_json/fail_json raise AnsibleExitJson/AnsibleFailJson with the result.

    as_returned: the exit result as AnsibleModule returns it (invocation added, no_log
    values masked); False gives exactly what the module passed, so a test can see a
    secret the module itself let through. mask_failures: mask no_log values in failure
    results too. collect_warnings: module.warn() goes to the result's ``warnings``
    (otherwise it goes to a process-wide collector, or to the controller's display once
    another test imported controller code).
    """
    warnings = []
    if collect_warnings:
        monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kw: warnings.append(warning))

    def exit_json(self, **kwargs):
        if collect_warnings:
            kwargs["warnings"] = list(warnings)
            del warnings[:]
        if as_returned:
            kwargs.setdefault("invocation", {"module_args": self.params})
            kwargs = basic.remove_values(kwargs, self.no_log_values)
        raise AnsibleExitJson(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs.update(failed=True, msg=msg)
        raise AnsibleFailJson(basic.remove_values(kwargs, self.no_log_values) if mask_failures else kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)


def exit_result(main, args):
    """main() with these module arguments must exit; its result, checked to be JSON as Ansible sends it."""
    with patch_module_args(args), pytest.raises(AnsibleExitJson) as exc:
        main()
    result = exc.value.args[0]
    json.dumps(result)
    return result


def fail_result(main, args):
    """main() with these module arguments must fail, with a message that is not a traceback; the result."""
    with patch_module_args(args), pytest.raises(AnsibleFailJson) as exc:
        main()
    result = exc.value.args[0]
    assert "Traceback" not in result["msg"]
    return result


def changed_lines(before, after):
    """The lines a text edit removed (-) and added (+), in diff order, without context."""
    return [line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
