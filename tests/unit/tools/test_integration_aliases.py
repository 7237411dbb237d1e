"""Integration targets start root-only labs: a plain `ansible-test integration` must skip them
(their aliases), while tests/integration/run.sh (`make integration`) still runs every one.

Run: .venv/bin/python -m pytest -q tests/unit/tools/test_integration_aliases.py
"""

import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
TARGETS = REPO / "tests" / "integration" / "targets"
NAMES = sorted(p.name for p in TARGETS.iterdir() if p.is_dir())
# ansible-test skips these unless asked: --allow-unsupported, --allow-destructive (on a host it
# does not manage), --allow-root when not root
SKIPPED_BY_ANSIBLE_TEST = {"unsupported", "destructive", "needs/root"}


def aliases(name):
    path = TARGETS / name / "aliases"
    lines = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    # ansible-test drops everything from a hash to the end of the line, and blank lines
    return {line.split("#", 1)[0].strip() for line in lines} - {""}


@pytest.mark.parametrize("name", NAMES)
def test_target_is_kept_from_a_plain_ansible_test_run(name):
    assert (TARGETS / name / "runme.sh").is_file()
    assert SKIPPED_BY_ANSIBLE_TEST <= aliases(name), f"{name}/aliases lacks {sorted(SKIPPED_BY_ANSIBLE_TEST - aliases(name))}"


def test_run_sh_runs_every_target_whatever_its_aliases():
    listed = subprocess.run([str(REPO / "tests" / "integration" / "run.sh"), "--list"],
                            check=True, capture_output=True, text=True).stdout.splitlines()
    assert [line.split()[0] for line in listed] == NAMES
    assert all("unsupported" in line for line in listed)
