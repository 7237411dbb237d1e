"""community.general's xenserver modules (from the ansible package) run unchanged against the XAPI simulator.

They run through ``ansible`` ad hoc on localhost, the way a playbook would run them.
xenserver_guest_info talks HTTP to the simulator's port.  xenserver_facts only knows xapi's
local socket, /var/lib/xcp/xapi: it runs in a private mount namespace whose /var/lib is an
empty tmpfs holding a link from xcp/xapi to the simulator's socket, so the host's /var/lib is
neither seen nor touched.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from xapi_lab_helpers import XenAPI

ANSIBLE = Path(sys.executable).with_name("ansible")
NAMESPACE_SETUP = 'mount -t tmpfs lab-xcp /var/lib && mkdir /var/lib/xcp && ln -s "$0" /var/lib/xcp/xapi && exec "$@"'


def run_module(tmp_path: Path, module: str, args: str = "", password: str | None = None, wrapper: list[str] | None = None) -> dict:
    """One module run on localhost; its result as the json callback reports it."""
    env = dict(os.environ, ANSIBLE_STDOUT_CALLBACK="json", ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_LOCALHOST_WARNING="0",
               ANSIBLE_INVENTORY_UNPARSED_WARNING="0", ANSIBLE_LOCAL_TEMP=str(tmp_path / "ansible-local"))
    env.pop("XENSERVER_PASSWORD", None)
    if password is not None:
        env["XENSERVER_PASSWORD"] = password  # the module's env fallback: no password on a command line
    command = [str(ANSIBLE), "localhost", "-c", "local", "-e", f"ansible_python_interpreter={sys.executable}", "-m", module]
    if args:
        command += ["-a", args]
    ran = subprocess.run((wrapper or []) + command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
    try:
        report = json.loads(ran.stdout)
    except ValueError:
        pytest.fail(f"no JSON from ansible (rc {ran.returncode}): {ran.stdout[-2000:]} {ran.stderr[-2000:]}")
    return report["plays"][0]["tasks"][0]["hosts"]["localhost"]


def test_xenserver_guest_info_describes_the_compute_domu(tmp_path, xapi_lab):
    result = run_module(tmp_path, "community.general.xenserver_guest_info",
                        f"hostname={xapi_lab['host']}:{xapi_lab['port']} username=root name={xapi_lab['domu_name']}",
                        password=xapi_lab["password"])
    assert not result.get("failed"), result.get("msg")
    instance = result["instance"]
    assert instance["name"] == xapi_lab["domu_name"]
    assert instance["state"] == "poweredon"
    assert instance["is_template"] is False
    assert instance["home_server"] == xapi_lab["host_name"]
    assert instance["hardware"] == {"num_cpus": 2, "num_cpu_cores_per_socket": 2, "memory_mb": 4096}
    assert [disk["sr"] for disk in instance["disks"]] == ["Local storage"]
    assert instance["cdrom"] == {"type": "none"}
    assert [(net["vif_device"], net["name"]) for net in instance["networks"]] == [("0", "Pool-wide network associated with eth0")]
    assert instance["networks"][0]["ip"] == "192.0.2.20"
    assert "mac_seed" in instance["other_config"]


def test_xenserver_guest_info_reports_a_wrong_password(tmp_path, xapi_lab):
    result = run_module(tmp_path, "community.general.xenserver_guest_info",
                        f"hostname={xapi_lab['host']}:{xapi_lab['port']} username=root name={xapi_lab['domu_name']}",
                        password="not the password")
    assert result["failed"] is True
    assert "SESSION_AUTHENTICATION_FAILED" in result["msg"]
    assert "not the password" not in json.dumps(result)


def test_xenserver_guest_info_refuses_an_ambiguous_name(tmp_path, xapi_lab):
    session = XenAPI.Session(xapi_lab["url"])
    session.xenapi.login_with_password("root", xapi_lab["password"])
    template = next(ref for ref, vm in session.xenapi.VM.get_all_records().items() if vm["is_a_template"])
    twin = session.xenapi.VM.clone(template, "twin")
    session.xenapi.VM.clone(template, "twin")
    try:
        result = run_module(tmp_path, "community.general.xenserver_guest_info",
                            f"hostname={xapi_lab['host']}:{xapi_lab['port']} username=root name=twin", password=xapi_lab["password"])
        assert result["failed"] is True
        assert "multiple VMs with name 'twin' found" in result["msg"]
        uuid = session.xenapi.VM.get_uuid(twin)
        result = run_module(tmp_path, "community.general.xenserver_guest_info",
                            f"hostname={xapi_lab['host']}:{xapi_lab['port']} username=root uuid={uuid}", password=xapi_lab["password"])
        assert result["instance"]["uuid"] == uuid
        assert result["instance"]["is_template"] is True  # a clone of a template is a template until set otherwise
    finally:
        session.xenapi.session.logout()


def namespace_wrapper(socket_path: str) -> list[str]:
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("a private mount namespace needs root and unshare")
    probe = subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", NAMESPACE_SETUP, socket_path, "true"],
                           capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a private /var/lib here: {probe.stderr.strip()}")
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", NAMESPACE_SETUP, socket_path]


def test_xenserver_facts_reads_the_pool_through_the_local_socket(tmp_path, xapi_lab):
    result = run_module(tmp_path, "community.general.xenserver_facts", wrapper=namespace_wrapper(xapi_lab["socket"]))
    assert not result.get("failed"), result.get("msg")
    facts = result["ansible_facts"]
    assert set(facts["xs_pifs"]) == {"eth0", "eth1"}
    assert facts["xs_pifs"]["eth0"]["management"] is True
    assert facts["xs_networks"]["Host internal management network"]["bridge"] == "xenapi"
    assert facts["xs_networks"]["Pool-wide network associated with eth0"]["bridge"] == "xenbr0"
    assert facts["xs_srs"]["Local storage"]["uuid"]
    vms = facts["xs_vms"]
    assert vms[xapi_lab["domu_name"]]["power_state"] == "Running"
    assert vms[f"Control domain on host: {xapi_lab['host_name']}"]["is_control_domain"] is True
    assert not Path("/var/lib/xcp/xapi").exists() or Path("/var/lib/xcp/xapi").resolve() != Path(xapi_lab["socket"])


def test_xenserver_facts_lists_vlans_by_tag(tmp_path, xapi_lab):
    session = XenAPI.Session(xapi_lab["url"])
    session.xenapi.login_with_password("root", xapi_lab["password"])
    network = session.xenapi.network.create({"name_label": "vlan 300", "other_config": {}})
    session.xenapi.pool.create_VLAN("eth1", network, "300")
    session.xenapi.session.logout()
    result = run_module(tmp_path, "community.general.xenserver_facts", wrapper=namespace_wrapper(xapi_lab["socket"]))
    assert not result.get("failed"), result.get("msg")
    assert result["ansible_facts"]["xs_vlans"]["300"]["tag"] == "300"
