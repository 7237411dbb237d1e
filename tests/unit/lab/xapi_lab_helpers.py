"""Starting and stopping XAPI simulator labs through the lab's own CLI, for the tests in this directory.

A module of its own (not conftest.py) so that test modules import it by a name no other
directory uses.
"""

from __future__ import annotations

import json
import os
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


def run_collection_module(tmp_path: Path, lab: dict, module: str, args: dict, check: bool = False,
                          password: str | None = None) -> dict:
    """One run of a module of this collection on localhost through `ansible`, with --diff; its result as the json
    callback reports it. The password travels in a vars file, never on the command line."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"),
               ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"))
    secrets = tmp_path / "secrets.json"
    secrets.write_text(json.dumps({"xs_password": lab["password"] if password is None else password}))
    module_args = dict({"hostname": lab["url"], "username": "root", "password": "{{ xs_password }}"}, **args)
    command = [str(Path(sys.executable).with_name("ansible")), "localhost", "-c", "local",
               "-e", f"ansible_python_interpreter={sys.executable}", "-e", f"@{secrets}",
               "-m", module, "-a", json.dumps(module_args), "--diff"]
    if check:
        command.append("--check")
    ran = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    try:
        report = json.loads(ran.stdout)
    except ValueError:
        pytest.fail(f"no JSON from ansible (rc {ran.returncode}): {ran.stdout[-2000:]} {ran.stderr[-2000:]}")
    return report["plays"][0]["tasks"][0]["hosts"]["localhost"]
