"""Fixtures for the XAPI simulator tests: a seeded lab per test module and a logged-in XenAPI client."""

from __future__ import annotations

import pytest
from xapi_lab_helpers import XenAPI, lab_command, start_lab


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
