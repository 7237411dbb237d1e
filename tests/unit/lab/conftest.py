"""XAPI simulator labs for the tests in this directory, started and removed through the lab's own CLI."""

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


@pytest.fixture(scope="module")
def xapi_lab(tmp_path_factory):
    """A seeded XAPI simulator for one test module; ``down`` removes it whatever happened."""
    state_dir = tmp_path_factory.mktemp("xapi") / "lab"
    env = start_lab(state_dir)
    yield env
    stopped = lab_command(state_dir, "down")
    assert stopped.returncode == 0, stopped.stderr
    assert not state_dir.exists()


@pytest.fixture
def xenapi(xapi_lab):
    """A logged-in session of the real XenAPI client; logged out afterwards."""
    session = XenAPI.Session(xapi_lab["url"])
    session.xenapi.login_with_password(xapi_lab["username"], xapi_lab["password"], "1.0", "stackops tests")
    yield session.xenapi
    session.xenapi.session.logout()
