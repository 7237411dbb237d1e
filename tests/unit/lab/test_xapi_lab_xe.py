"""The ``xe`` stand-in (tests/lab/xapi/xe.py) run as a command against the XAPI simulator.

What xe creates or changes is read back through the real XenAPI client; outputs and exit codes are xe's
(records, --minimal, errors on stderr with status 1).  Every test makes its own objects, so the order
and the split across workers do not matter.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest
from xapi_lab_helpers import REPO

XE = REPO / "tests" / "lab" / "xapi" / "xe.py"


def run_xe(lab: dict, *args: str, socket: bool = True) -> subprocess.CompletedProcess:
    env = {key: value for key, value in os.environ.items() if key not in ("XE_SOCKET", "XE_CONFIG")}
    env["HOME"] = lab["state_dir"]  # no ~/.xe of the person running the tests
    if socket:
        env["XE_SOCKET"] = lab["socket"]
    return subprocess.run([sys.executable, str(XE), *args], capture_output=True, text=True, env=env, timeout=30, check=False)


def xe_ok(lab: dict, *args: str) -> str:
    ran = run_xe(lab, *args)
    assert ran.returncode == 0, ran.stderr
    assert ran.stderr == ""
    return ran.stdout


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def domu_uuid(xapi_lab, xenapi):
    return xenapi.VM.get_uuid(xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0])


def free_device(xenapi, domu_uuid) -> str:
    return xenapi.VM.get_allowed_VIF_devices(xenapi.VM.get_by_uuid(domu_uuid))[0]


def test_network_create_prints_the_uuid_and_network_list_minimal_finds_it(xapi_lab, xenapi):
    name = unique("xe-net")
    created = xe_ok(xapi_lab, "network-create", f"name-label={name}", "MTU=9000")
    network_uuid = created.strip()
    assert created == network_uuid + "\n"
    ref = xenapi.network.get_by_uuid(network_uuid)
    assert xenapi.network.get_name_label(ref) == name
    assert xenapi.network.get_MTU(ref) == "9000"
    assert xe_ok(xapi_lab, "network-list", f"name-label={name}", "--minimal") == network_uuid + "\n"
    assert xe_ok(xapi_lab, "network-param-get", f"uuid={network_uuid}", "param-name=bridge") == xenapi.network.get_bridge(ref) + "\n"
    everything = xe_ok(xapi_lab, "network-list", "params=uuid", "--minimal").strip().split(",")
    assert network_uuid in everything and len(everything) == len(xenapi.network.get_all())
    assert xe_ok(xapi_lab, "network-list", "name-label=no such network", "--minimal") == "\n"
    xe_ok(xapi_lab, "network-destroy", f"uuid={network_uuid}")
    assert xenapi.network.get_by_name_label(name) == []


def test_list_records_are_xes_name_value_blocks(xapi_lab, xenapi):
    host = xenapi.host.get_all()[0]
    listing = xe_ok(xapi_lab, "host-list")
    width = len("name-description ( RW)") + 4
    assert listing == (f"{'uuid ( RO)'.ljust(width)}: {xenapi.host.get_uuid(host)}\n"
                       f"{'name-label ( RW)'.rjust(width)}: {xenapi.host.get_name_label(host)}\n"
                       f"{'name-description ( RW)'.rjust(width)}: {xenapi.host.get_name_description(host)}\n\n\n")
    dom0 = xe_ok(xapi_lab, "vm-list", "is-control-domain=true", "params=uuid,power-state")
    assert dom0.splitlines()[1].strip() == "power-state ( RO): running"


def test_vif_create_and_plug_on_the_running_domu(xapi_lab, xenapi, domu_uuid):
    network_uuid = xe_ok(xapi_lab, "network-create", f"name-label={unique('xe-vif')}").strip()
    device = free_device(xenapi, domu_uuid)
    vif_uuid = xe_ok(xapi_lab, "vif-create", f"vm-uuid={domu_uuid}", f"network-uuid={network_uuid}", f"device={device}").strip()
    vif = xenapi.VIF.get_by_uuid(vif_uuid)
    assert xenapi.VIF.get_device(vif) == device
    assert xenapi.VIF.get_currently_attached(vif) is False
    assert xe_ok(xapi_lab, "vif-plug", f"uuid={vif_uuid}") == ""
    assert xenapi.VIF.get_currently_attached(vif) is True
    assert xe_ok(xapi_lab, "vif-param-get", f"uuid={vif_uuid}", "param-name=currently-attached") == "true\n"
    listed = xe_ok(xapi_lab, "vif-list", f"vm-uuid={domu_uuid}", f"device={device}", "--minimal")
    assert listed == vif_uuid + "\n"


def test_vif_plug_without_uuid_is_refused_as_xe_refuses_a_missing_parameter(xapi_lab, xenapi, domu_uuid):
    vif_uuid = xenapi.VIF.get_uuid(xenapi.VM.get_VIFs(xenapi.VM.get_by_uuid(domu_uuid))[0])
    ran = run_xe(xapi_lab, "vif-plug", vif_uuid)
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert ran.stderr == "Required parameter not found: uuid\nFor usage run: 'xe help'\n"


def test_vm_param_set_other_config_then_get_and_remove(xapi_lab, xenapi, domu_uuid):
    key = unique("xe-key")
    xe_ok(xapi_lab, "vm-param-set", f"uuid={domu_uuid}", f"other-config:{key}=one", f"xenstore-data:vm-data/{key}=two")
    vm = xenapi.VM.get_by_uuid(domu_uuid)
    assert xenapi.VM.get_other_config(vm)[key] == "one"
    assert xenapi.VM.get_xenstore_data(vm)[f"vm-data/{key}"] == "two"
    assert xe_ok(xapi_lab, "vm-param-get", f"uuid={domu_uuid}", "param-name=other-config", f"param-key={key}") == "one\n"
    xe_ok(xapi_lab, "vm-param-set", f"uuid={domu_uuid}", f"other-config:{key}=three")  # an existing key is replaced
    assert xenapi.VM.get_other_config(vm)[key] == "three"
    xe_ok(xapi_lab, "vm-param-remove", f"uuid={domu_uuid}", "param-name=other-config", f"param-key={key}")
    assert key not in xenapi.VM.get_other_config(vm)
    missing = run_xe(xapi_lab, "vm-param-get", f"uuid={domu_uuid}", "param-name=other-config", f"param-key={key}")
    assert missing.returncode == 1
    assert missing.stderr.splitlines()[-1] == f"message: Failure: Key {key} not found in map"


def test_a_xenapi_failure_prints_xes_error_text_and_exits_1(xapi_lab, xenapi, domu_uuid):
    network_uuid = xenapi.network.get_uuid(xenapi.network.get_all()[0])
    used = xenapi.VIF.get_device(xenapi.VM.get_VIFs(xenapi.VM.get_by_uuid(domu_uuid))[0])
    before = len(xenapi.VIF.get_all())
    ran = run_xe(xapi_lab, "vif-create", f"vm-uuid={domu_uuid}", f"network-uuid={network_uuid}", f"device={used}")
    assert ran.returncode == 1
    assert ran.stdout == ""
    assert ran.stderr == f"A device with the name given already exists on the selected VM\ndevice: {used}\n"
    assert len(xenapi.VIF.get_all()) == before
    bad = run_xe(xapi_lab, "vif-plug", "uuid=not-a-uuid")
    assert (bad.returncode, bad.stderr) == (1, "The uuid you supplied was invalid.\ntype: VIF\nuuid: not-a-uuid\n")


def test_unknown_command_and_unknown_filter(xapi_lab):
    ran = run_xe(xapi_lab, "vm-frobnicate", "uuid=x")
    assert (ran.returncode, ran.stdout) == (1, "")
    assert ran.stderr == "Unknown command: vm-frobnicate\nFor usage run: 'xe help'\n"
    bad = run_xe(xapi_lab, "vm-list", "no-such-field=1")
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[-1] == "message: Failure: Unknown field 'no-such-field'"


def test_tcp_logins_check_the_password(xapi_lab):
    address = ["-s", "127.0.0.1", "-p", str(xapi_lab["port"]), "-u", "root"]
    wrong = run_xe(xapi_lab, *address, "-pw", "wrong", "host-list", "--minimal", socket=False)
    assert (wrong.returncode, wrong.stdout) == (1, "")
    assert wrong.stderr == "Authentication failed\nFor usage run: 'xe help'\n"
    right = run_xe(xapi_lab, *address, "-pw", xapi_lab["password"], "host-list", "--minimal", socket=False)
    assert right.returncode == 0, right.stderr
    assert len(right.stdout.strip().split(",")) == 1


def test_pool_vlan_create_makes_the_vlan_pif(xapi_lab, xenapi):
    network_uuid = xe_ok(xapi_lab, "network-create", f"name-label={unique('xe-vlan')}").strip()
    pif_uuid = xe_ok(xapi_lab, "pif-list", "device=eth1", "VLAN=-1", "--minimal").strip()
    tag = str(100 + int(uuid.uuid4().int % 3000))
    created = xe_ok(xapi_lab, "pool-vlan-create", f"network-uuid={network_uuid}", f"pif-uuid={pif_uuid}", f"vlan={tag}").strip()
    pif = xenapi.PIF.get_by_uuid(created)
    assert xenapi.PIF.get_VLAN(pif) == tag
    assert xenapi.network.get_uuid(xenapi.PIF.get_network(pif)) == network_uuid
    assert xe_ok(xapi_lab, "pif-list", f"VLAN={tag}", "--minimal") == created + "\n"


def test_host_call_plugin_reports_a_missing_plugin(xapi_lab, xenapi):
    host_uuid = xenapi.host.get_uuid(xenapi.host.get_all()[0])
    ran = run_xe(xapi_lab, "host-call-plugin", f"host-uuid={host_uuid}", "plugin=no-such-plugin", "fn=x", "args:a=b")
    assert (ran.returncode, ran.stderr) == (1, "The requested plug-in could not be found.\nname: no-such-plugin\n")
