"""Starting and stopping XAPI simulator labs through the lab's own CLI, for the tests in this directory.

A module of its own (not conftest.py) so that test modules import it by a name no other
directory uses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

XenAPI = pytest.importorskip("XenAPI")

REPO = Path(__file__).resolve().parents[3]
XAPI_LAB = REPO / "tests" / "lab" / "xapi_lab.py"


def lab_command(state_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(XAPI_LAB), "--state-dir", str(state_dir), *args],
                          capture_output=True, text=True, timeout=60, check=False)


def start_lab(state_dir: Path, *options: str) -> dict:
    started = lab_command(state_dir, "up", *options)
    assert started.returncode == 0, started.stderr
    return json.loads((state_dir / "env.json").read_text())
