"""The guests' xenstore of the XAPI simulator (``--guest-xenstore``) and the ``xenstore-read`` stand-in.

As on XenServer, a guest sees its VM's xenstore_data as it was when the domain was built: the simulator
writes DIR/xenstore.json when the VM starts or reboots (and at server start for a running VM), never
when the record changes through add_to_/remove_from_xenstore_data.  tests/lab/xenstore-read reads that
file the way the real tool reads xenstored (texts and exit codes of Debian 12's xenstore-utils 4.17).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from xapi_lab_helpers import REPO, XenAPI, lab_command, start_lab

XENSTORE_READ = REPO / "tests" / "lab" / "xenstore-read"
XE = REPO / "tests" / "lab" / "xe"
SPARE = "spare guest"


@pytest.fixture(scope="module")
def guest_lab(tmp_path_factory):
    """A lab whose compute domU (running) and a VM named SPARE (made by the tests) each have a guest directory."""
    root = tmp_path_factory.mktemp("xenstore")
    state_dir = root / "lab"
    dirs = {"compute": root / "domu" / "run" / "xenstore-lab", SPARE: root / "spare"}
    env = start_lab(state_dir, "--socket", str(root / "dom0" / "var" / "lib" / "xcp" / "xapi"),
                    *[arg for name, path in dirs.items() for arg in ("--guest-xenstore", f"{name}={path}")])
    env["dirs"] = dirs
    yield env
    stopped = lab_command(state_dir, "down")
    assert stopped.returncode == 0, stopped.stderr


@pytest.fixture
def api(guest_lab):
    session = XenAPI.Session(guest_lab["url"])
    session.xenapi.login_with_password("root", guest_lab["password"], "1.0", "stackops tests")
    yield session.xenapi
    session.xenapi.session.logout()


def guest_file(lab: dict, name: str) -> Path:
    return lab["dirs"][name] / "xenstore.json"


def guest_view(lab: dict, name: str) -> dict:
    return json.loads(guest_file(lab, name).read_text())


def xenstore_read(*args: str, file: Path | None = None) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key != "XENSTORE_LAB_FILE"}
    if file is not None:
        env["XENSTORE_LAB_FILE"] = str(file)
    return subprocess.run([str(XENSTORE_READ), *args], capture_output=True, text=True, env=env, timeout=30, check=False)


def test_up_records_the_options_and_serves_the_socket_where_asked(guest_lab):
    socket = Path(guest_lab["socket"])
    assert socket.parent.name == "xcp" and stat.S_ISSOCK(socket.stat().st_mode)  # parents made by up
    assert guest_lab["guest_xenstore"] == {name: str(path) for name, path in guest_lab["dirs"].items()}
    # dom0's xe finds the simulator on that socket without a password
    env = dict(os.environ, XE_SOCKET=str(socket), HOME=guest_lab["state_dir"])
    listed = subprocess.run([str(XE), "vm-list", "name-label=compute", "params=power-state", "--minimal"],
                            capture_output=True, text=True, env=env, timeout=30, check=False)
    assert (listed.returncode, listed.stdout, listed.stderr) == (0, "running\n", "")


def test_a_running_vm_has_its_guest_xenstore_from_server_start(tmp_path):
    guest = tmp_path / "domu" / "run" / "xenstore-lab"
    lab = start_lab(tmp_path / "lab", "--domu-name", "nova compute", "--guest-xenstore", f"nova compute={guest}",
                    "--guest-xenstore", f"{SPARE}={tmp_path / 'spare'}")
    try:
        view = json.loads((guest / "xenstore.json").read_text())  # before any call
        session = XenAPI.Session(lab["url"])
        session.xenapi.login_with_password("root", lab["password"], "1.0", "stackops tests")
        record = session.xenapi.VM.get_record(session.xenapi.VM.get_by_name_label("nova compute")[0])
        session.xenapi.session.logout()
    finally:
        stopped = lab_command(tmp_path / "lab", "down")
    assert stopped.returncode == 0, stopped.stderr
    assert view == {"name": "nova compute", "vm": f"/vm/{record['uuid']}", "domid": record["domid"]}
    assert record["domid"] == "1"
    assert stat.S_IMODE((guest / "xenstore.json").stat().st_mode) == 0o644
    assert [path.name for path in guest.iterdir()] == ["xenstore.json"]  # no temporary file left
    assert not (tmp_path / "spare").exists()  # no VM of that name: nothing written
    assert (guest / "xenstore.json").exists()  # down leaves the guest's file


def test_xenstore_data_reaches_the_guest_only_when_the_vm_reboots(guest_lab, api):
    domu = api.VM.get_by_name_label("compute")[0]
    key, value = f"vm-data/key-{uuid.uuid4().hex[:8]}", "fe:ff:ff:ff:ff:01"
    api.VM.add_to_xenstore_data(domu, key, value)
    api.VM.add_to_xenstore_data(domu, f"other/{key}", "x")  # xenopsd copies only vm-data/ and FIST/
    assert key not in guest_view(guest_lab, "compute")
    api.VM.clean_reboot(domu)
    view = guest_view(guest_lab, "compute")
    assert view[key] == value
    assert f"other/{key}" not in view
    api.VM.remove_from_xenstore_data(domu, key)
    assert guest_view(guest_lab, "compute")[key] == value  # still what the guest booted with
    api.VM.hard_reboot(domu)
    assert key not in guest_view(guest_lab, "compute")


def test_set_xenstore_data_reaches_a_running_guest_at_once(guest_lab, api):
    """xapi hands the whole map to a running domain (xenopsd VM.set_xsdata); add_to_ does not."""
    domu = api.VM.get_by_name_label("compute")[0]
    key = f"vm-data/set-{uuid.uuid4().hex[:8]}"
    api.VM.set_xenstore_data(domu, dict(api.VM.get_xenstore_data(domu), **{key: "now"}))
    assert guest_view(guest_lab, "compute")[key] == "now"


def test_a_halted_vm_gets_its_guest_xenstore_when_it_starts(guest_lab, api):
    template = api.VM.get_by_name_label("Debian Buster 10")[0]
    spare = api.VM.clone(template, SPARE)
    api.VM.set_is_a_template(spare, False)
    api.VM.add_to_xenstore_data(spare, "vm-data/himn_mac", "fe:ff:ff:ff:ff:02")
    assert not guest_file(guest_lab, SPARE).exists()
    api.VM.start(spare, False, False)
    record = api.VM.get_record(spare)
    assert guest_view(guest_lab, SPARE) == {"vm-data/himn_mac": "fe:ff:ff:ff:ff:02", "name": SPARE,
                                            "vm": f"/vm/{record['uuid']}", "domid": record["domid"]}
    assert record["domid"] not in ("0", "-1")
    api.VM.clean_shutdown(spare)
    assert guest_view(guest_lab, SPARE)["vm-data/himn_mac"] == "fe:ff:ff:ff:ff:02"  # halting leaves the file


def test_xenstore_read_prints_the_values_the_guest_booted_with(guest_lab, api):
    domu = api.VM.get_by_name_label("compute")[0]
    api.VM.add_to_xenstore_data(domu, "vm-data/himn_mac", "fe:ff:ff:ff:ff:03")
    api.VM.clean_reboot(domu)
    read = xenstore_read("vm-data/himn_mac", "name", file=guest_file(guest_lab, "compute"))
    assert (read.returncode, read.stdout, read.stderr) == (0, "fe:ff:ff:ff:ff:03\ncompute\n", "")
    prefixed = xenstore_read("-p", "vm-data/himn_mac", file=guest_file(guest_lab, "compute"))
    assert prefixed.stdout == "vm-data/himn_mac: fe:ff:ff:ff:ff:03\n"
    domid = api.VM.get_domid(domu)
    absolute = xenstore_read(f"/local/domain/{domid}/vm-data/himn_mac", "vm-data", file=guest_file(guest_lab, "compute"))
    assert absolute.stdout == "fe:ff:ff:ff:ff:03\n\n"  # a node with children reads empty


def test_xenstore_read_fails_like_the_real_tool_on_a_missing_key(guest_lab):
    read = xenstore_read("name", "vm-data/no-such-key", "domid", file=guest_file(guest_lab, "compute"))
    assert (read.returncode, read.stderr) == (1, "xenstore-read: couldn't read path vm-data/no-such-key\n")
    assert read.stdout == "compute\n"  # what was read before the missing key is still printed, nothing after it


def test_xenstore_read_without_a_file_fails_like_the_real_tool_without_xenstored(tmp_path):
    read = xenstore_read("vm-data/himn_mac", file=tmp_path / "none.json")
    assert (read.returncode, read.stdout, read.stderr) == (1, "", "xenstore-read: xs_open: No such file or directory\n")
    default = xenstore_read("vm-data/himn_mac")  # /run/xenstore-lab/xenstore.json is not on the host running tests
    if not Path("/run/xenstore-lab/xenstore.json").exists():
        assert default.stderr == read.stderr
    usage = xenstore_read(file=tmp_path / "none.json")
    assert (usage.returncode, usage.stderr) == (1, f"xenstore-read: Usage: {XENSTORE_READ} [-h] [-p] [-s] [-R] key [...]\n")


def test_xenstore_read_is_stdlib_only_python3_behind_an_sh_line():
    """Executable as it is (sh hands it to python3) and as Python without site-packages (stdlib only)."""
    assert os.access(XENSTORE_READ, os.X_OK)
    assert XENSTORE_READ.read_text().startswith("#!/bin/sh\n")
    ran = subprocess.run([sys.executable, "-I", "-S", str(XENSTORE_READ), "name"], capture_output=True, text=True,
                         env={"XENSTORE_LAB_FILE": "/nonexistent"}, timeout=30, check=False)
    assert (ran.returncode, ran.stderr) == (1, "xenstore-read: xs_open: No such file or directory\n")
