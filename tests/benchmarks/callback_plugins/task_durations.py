# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Records the wall time of every task (start to result) as JSON lines, for benchmarks."""

from __future__ import annotations

DOCUMENTATION = r'''
name: task_durations
type: aggregate
short_description: Write each task's wall time to a file
description:
  - Appends one JSON line per task result (task name, module, seconds) to the file named by the
    E(TASK_DURATIONS_FILE) environment variable.
requirements:
  - enabled with C(callbacks_enabled)
'''

import json
import os
import time

from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = "aggregate"
    CALLBACK_NAME = "task_durations"
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self):
        super().__init__()
        self._started = {}
        self._path = os.environ.get("TASK_DURATIONS_FILE")

    def v2_playbook_on_task_start(self, task, is_conditional):
        self._started[task._uuid] = time.monotonic()

    def v2_runner_on_ok(self, result):
        self._record(result, ok=True)

    def v2_runner_on_failed(self, result, ignore_errors=False):
        self._record(result, ok=False)

    def _record(self, result, ok):
        if not self._path:
            return
        task = result._task
        seconds = time.monotonic() - self._started.get(task._uuid, time.monotonic())
        with open(self._path, "a") as handle:
            handle.write(json.dumps({"task": task.get_name(), "action": task.action, "ok": ok,
                                     "seconds": seconds}) + "\n")
