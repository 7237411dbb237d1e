"""`openstack_lab.py restart` must start the same daemon whatever interpreter and PATH it runs with.

The lab's venv path depends on the interpreter that built it (stamp()). A role restarts
nova-scheduler through /etc/init.d/stackops-lab-nova-scheduler, which the service manager runs
with its own PATH: when that script ran the first python3 on it (not the one that started the
lab), the restart looked for nova-scheduler in a venv that did not exist, and the scheduler
stayed down (compute_day2, part aggregates).
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))
import openstack_lab  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def lab_state(tmp_path, monkeypatch):
    """The lab's globals pointed at a temporary state directory and venv."""
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    daemon = venv / "bin" / "stackops-test-daemon"
    daemon.write_text("#!/bin/sh\nexec sleep 60\n")
    daemon.chmod(0o755)
    monkeypatch.setattr(openstack_lab, "REPO", tmp_path)
    monkeypatch.setattr(openstack_lab, "STATE", tmp_path / "state")
    monkeypatch.setattr(openstack_lab, "VENV", venv)
    # down removes the init scripts: these, not the host's
    monkeypatch.setattr(openstack_lab, "INIT_SCRIPTS", {"nova-scheduler": tmp_path / "init.d" / "stackops-lab-nova-scheduler"})
    (tmp_path / "state" / "logs").mkdir(parents=True)
    openstack_lab.STOP.clear()
    yield daemon
    openstack_lab.stop_processes(grace=2)
    openstack_lab.STOP.clear()


def alive(pid: int) -> bool:
    state = openstack_lab.proc_stat(pid)
    return state is not None and not state[0].startswith("Z")


def test_a_daemon_is_recorded_with_its_full_path(lab_state, tmp_path):
    openstack_lab.Daemons().start("test-daemon", ["stackops-test-daemon", "--flag"], tmp_path / "cwd")
    record = openstack_lab.read_records()["test-daemon"]
    assert record["argv"] == [str(lab_state), "--flag"]
    assert alive(record["pid"])


def test_restart_finds_the_daemon_when_the_venv_path_differs(lab_state, tmp_path, monkeypatch):
    openstack_lab.Daemons().start("test-daemon", ["stackops-test-daemon"], tmp_path / "cwd")
    first = openstack_lab.read_records()["test-daemon"]["pid"]
    # what another interpreter computes as the venv: a directory that does not exist
    monkeypatch.setattr(openstack_lab, "VENV", tmp_path / "openstack-venv-of-another-python")
    monkeypatch.setenv("PATH", "/usr/bin:/bin")

    openstack_lab.cmd_restart(argparse.Namespace(name="test-daemon"))

    second = openstack_lab.read_records()["test-daemon"]["pid"]
    assert second != first
    assert alive(second)
    assert not alive(first)


def test_the_init_script_runs_the_interpreter_that_wrote_it(tmp_path, monkeypatch):
    script = tmp_path / "stackops-lab-nova-scheduler"
    monkeypatch.setattr(openstack_lab, "INIT_SCRIPTS", {"nova-scheduler": script})

    openstack_lab.install_init_script("nova-scheduler")

    text = script.read_text()
    lab = f"{shlex.quote(sys.executable)} {shlex.quote(str(Path(openstack_lab.__file__).resolve()))}"
    assert f"exec {lab} restart nova-scheduler" in text
    assert f"status) {lab} status" in text
    assert "python3 " not in text.replace(sys.executable, "")
    assert os.access(script, os.X_OK)


@pytest.mark.parametrize("logs_of", ["a running lab", "a failed up"])
def test_down_keeps_the_logs_where_asked(lab_state, tmp_path, monkeypatch, logs_of):
    """with_openstack_lab.sh keeps them after a failure: also when `up` itself failed and set them aside."""
    monkeypatch.setattr(openstack_lab, "FAILED_UP_LOGS", tmp_path / "openstack-failed-logs")
    logs = openstack_lab.STATE / "logs"
    if logs_of == "a failed up":
        logs.rename(openstack_lab.FAILED_UP_LOGS)
        logs = openstack_lab.FAILED_UP_LOGS
    (logs / "nova-api.log").write_text("the daemon's log\n")
    kept = tmp_path / "kept" / "lab-logs"

    openstack_lab.cmd_down(argparse.Namespace(keep_logs=kept))

    assert (kept / "nova-api.log").read_text() == "the daemon's log\n"
    assert not openstack_lab.STATE.exists()
    assert not openstack_lab.FAILED_UP_LOGS.exists()
