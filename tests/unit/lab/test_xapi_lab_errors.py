"""Every failure the XAPI simulator models, pinned by code and parameters as xapi sends them.

The calls go through the real XenAPI client, so each one also shows the failure reaching a
client as ``XenAPI.Failure`` with ``details == [code, params...]`` (never an XML-RPC fault).
SESSION_INVALID is the exception: the client answers it by logging in again, so that case
uses a bare XML-RPC proxy.
"""

from __future__ import annotations

import stat
import xmlrpc.client
from pathlib import Path

import pytest
from xapi_lab_helpers import XenAPI, lab_command, start_lab


@pytest.fixture(scope="module")
def objects(xapi_lab):
    """References of the seeded objects the cases act on, plus a halted VM of their own."""
    session = XenAPI.Session(xapi_lab["url"])
    session.xenapi.login_with_password("root", xapi_lab["password"])
    api = session.xenapi
    vms = api.VM.get_all_records()
    networks = api.network.get_all_records()
    pifs = api.PIF.get_all_records()
    found = {
        "host": api.host.get_all()[0],
        "domu": the_one(vms, lambda vm: vm["name_label"] == xapi_lab["domu_name"]),
        "dom0": the_one(vms, lambda vm: vm["is_control_domain"]),
        "template": the_one(vms, lambda vm: vm["is_a_template"]),
        "himn": the_one(networks, lambda net: net["bridge"] == "xenapi"),
        "xenbr0": the_one(networks, lambda net: net["bridge"] == "xenbr0"),
        "eth0": the_one(pifs, lambda pif: pif["device"] == "eth0"),
        "eth1": the_one(pifs, lambda pif: pif["device"] == "eth1"),
        "tools_iso": the_one(api.VDI.get_all_records(), lambda vdi: vdi["is_tools_iso"]),
    }
    domu = vms[found["domu"]]
    found["vif0"] = domu["VIFs"][0]
    vbds = {api.VBD.get_type(vbd): vbd for vbd in domu["VBDs"]}
    found["disk_vbd"], found["cd_vbd"] = vbds["Disk"], vbds["CD"]
    halted = api.VM.clone(found["template"], "halted guest")
    api.VM.set_is_a_template(halted, False)
    found["halted"] = halted
    found["halted_vif"] = api.VIF.create(vif_record(halted, found["xenbr0"], "0"))
    yield found
    session.xenapi.session.logout()


def the_one(records: dict, matches) -> str:
    """The reference of the only record that matches (the seed has exactly one of each)."""
    found = [ref for ref, record in records.items() if matches(record)]
    assert len(found) == 1, found
    return found[0]


def vif_record(vm: str, network: str, device: str, **changes) -> dict:
    record = {"device": device, "network": network, "VM": vm, "MAC": "", "MTU": "1500", "other_config": {},
              "qos_algorithm_type": "", "qos_algorithm_params": {}}
    record.update(changes)
    return record


def new_network(api, name: str, **changes) -> str:
    return api.network.create({"name_label": name, "other_config": {}, **changes})


def key_added_twice(api, class_name: str, ref: str, field: str, key: str, value: str, second_value: str | None = None):
    """The key is added once; adding it again fails, even with the same value."""
    add = getattr(getattr(api, class_name), f"add_to_{field}")
    add(ref, key, value)
    return lambda: add(ref, key, second_value or value), [class_name, field, ref, key]


def vlan_on_vlan(api, refs):
    network = new_network(api, "vlan 400")
    untagged = api.VLAN.get_untagged_PIF(api.VLAN.create(refs["eth1"], "400", network))
    return lambda: api.VLAN.create(untagged, "401", new_network(api, "vlan 401")), [untagged]


def vlan_twice(api, refs):
    api.VLAN.create(refs["eth1"], "500", new_network(api, "vlan 500"))
    return lambda: api.VLAN.create(refs["eth1"], "500", new_network(api, "vlan 500 again")), ["eth1"]


def bridge_twice(api, refs):
    del refs
    new_network(api, "own bridge", bridge="br-lab")
    return lambda: new_network(api, "same bridge", bridge="br-lab"), ["br-lab"]


def network_with_vlan(api, refs):
    network = new_network(api, "vlan 800")
    untagged = api.VLAN.get_untagged_PIF(api.VLAN.create(refs["eth1"], "800", network))
    return lambda: api.network.destroy(network), [untagged]


def cd_with_iso(api, refs):
    api.VBD.insert(refs["cd_vbd"], refs["tools_iso"])
    return lambda: api.VBD.insert(refs["cd_vbd"], refs["tools_iso"]), [refs["cd_vbd"]]


def unplugged_vif(api, refs):
    vif = api.VIF.create(vif_record(refs["domu"], refs["xenbr0"], "5"))
    return lambda: api.VIF.unplug(vif), [vif]


def plugin_not_executable(api, refs, plugins_dir: Path):
    (plugins_dir / "not_executable.py").write_text("#!/bin/sh\necho never\n")
    return lambda: api.host.call_plugin(refs["host"], "not_executable.py", "f", {}), None


# (case id, setup returning (the failing call, expected parameters), expected code)
CASES = [
    ("handle-invalid", lambda api, refs: (lambda: api.VM.get_record("OpaqueRef:00000000-0000-0000-0000-000000000000"),
                                          ["VM", "OpaqueRef:00000000-0000-0000-0000-000000000000"]), "HANDLE_INVALID"),
    ("handle-invalid-network-field", lambda api, refs: (lambda: api.network.get_bridge("OpaqueRef:NULL"), ["network", "OpaqueRef:NULL"]),
     "HANDLE_INVALID"),
    ("uuid-invalid", lambda api, refs: (lambda: api.network.get_by_uuid("no-such-uuid"), ["network", "no-such-uuid"]), "UUID_INVALID"),
    ("message-method-unknown", lambda api, refs: (lambda: api.VM.frobnicate(refs["domu"]), ["VM.frobnicate"]), "MESSAGE_METHOD_UNKNOWN"),
    ("message-parameter-count-mismatch", lambda api, refs: (api.VM.get_record, ["VM.get_record", "1", "0"]),
     "MESSAGE_PARAMETER_COUNT_MISMATCH"),
    ("not-implemented", lambda api, refs: (api.Bond.get_all, ["Bond.get_all"]), "NOT_IMPLEMENTED"),
    ("map-duplicate-key-other-config-same-value", lambda api, refs: key_added_twice(api, "VM", refs["domu"], "other_config", "auto_poweron", "true"),
     "MAP_DUPLICATE_KEY"),
    ("map-duplicate-key-xenstore-data",
     lambda api, refs: key_added_twice(api, "VM", refs["domu"], "xenstore_data", "vm-data/himn_mac", "02:00:00:00:00:09", "02:00:00:00:00:10"),
     "MAP_DUPLICATE_KEY"),
    ("map-duplicate-key-network", lambda api, refs: key_added_twice(api, "network", refs["xenbr0"], "other_config", "lab", "1", "2"),
     "MAP_DUPLICATE_KEY"),
    ("vif-plug-halted-vm", lambda api, refs: (lambda: api.VIF.plug(refs["halted_vif"]), [refs["halted"], "running", "halted"]),
     "VM_BAD_POWER_STATE"),
    ("vm-clean-shutdown-halted", lambda api, refs: (lambda: api.VM.clean_shutdown(refs["halted"]), [refs["halted"], "running", "halted"]),
     "VM_BAD_POWER_STATE"),
    ("vm-start-running", lambda api, refs: (lambda: api.VM.start(refs["domu"], False, False), [refs["domu"], "halted", "running"]),
     "VM_BAD_POWER_STATE"),
    ("vm-hard-shutdown-halted", lambda api, refs: (lambda: api.VM.hard_shutdown(refs["halted"]),
                                                   [refs["halted"], "paused, suspended, running", "halted"]), "VM_BAD_POWER_STATE"),
    ("vm-clone-running", lambda api, refs: (lambda: api.VM.clone(refs["domu"], "copy"), [refs["domu"], "halted", "running"]),
     "VM_BAD_POWER_STATE"),
    ("vm-destroy-running", lambda api, refs: (lambda: api.VM.destroy(refs["domu"]), [refs["domu"], "halted, suspended", "running"]),
     "VM_BAD_POWER_STATE"),
    ("vm-start-template", lambda api, refs: (lambda: api.VM.start(refs["template"], False, False), [refs["template"], "start"]),
     "VM_IS_TEMPLATE"),
    ("vif-device-already-exists", lambda api, refs: (lambda: api.VIF.create(vif_record(refs["domu"], refs["himn"], "0")), ["0"]),
     "DEVICE_ALREADY_EXISTS"),
    ("vif-plug-attached", lambda api, refs: (lambda: api.VIF.plug(refs["vif0"]), [refs["vif0"]]), "DEVICE_ALREADY_ATTACHED"),
    ("vif-unplug-detached", unplugged_vif, "DEVICE_ALREADY_DETACHED"),
    ("vif-destroy-attached", lambda api, refs: (lambda: api.VIF.destroy(refs["vif0"]), ["VIF currently attached to a running VM"]),
     "OPERATION_NOT_ALLOWED"),
    ("vif-create-without-device", lambda api, refs: (
        lambda: api.VIF.create({key: value for key, value in vif_record(refs["domu"], refs["xenbr0"], "6").items() if key != "device"}),
        ['Server_helpers.Dispatcher_FieldNotFound("device")']), "INTERNAL_ERROR"),
    ("vif-create-bad-mac", lambda api, refs: (lambda: api.VIF.create(vif_record(refs["domu"], refs["xenbr0"], "6", MAC="02:00:00:00:00")),
                                              ["02:00:00:00:00"]), "MAC_INVALID"),
    ("vif-create-bad-device", lambda api, refs: (lambda: api.VIF.create(vif_record(refs["domu"], refs["xenbr0"], "eth1")), ["eth1"]),
     "INVALID_DEVICE"),
    ("vif-create-unknown-network", lambda api, refs: (lambda: api.VIF.create(vif_record(refs["domu"], "OpaqueRef:NULL", "6")),
                                                      ["network", "OpaqueRef:NULL"]), "HANDLE_INVALID"),
    ("network-bridge-exists", bridge_twice, "BRIDGE_NAME_EXISTS"),
    ("network-bridge-reserved-prefix", lambda api, refs: (lambda: new_network(api, "reserved", bridge="xenbr7"), ["bridge", "xenbr7"]),
     "INVALID_VALUE"),
    ("network-destroy-himn", lambda api, refs: (lambda: api.network.destroy(refs["himn"]), [refs["himn"]]), "CANNOT_DESTROY_SYSTEM_NETWORK"),
    ("network-destroy-with-attached-vif", lambda api, refs: (lambda: api.network.destroy(refs["xenbr0"]), [refs["vif0"]]),
     "NETWORK_CONTAINS_VIF"),
    ("network-destroy-with-pif", network_with_vlan, "NETWORK_CONTAINS_PIF"),
    ("vlan-tag-invalid", lambda api, refs: (lambda: api.VLAN.create(refs["eth1"], "4095", new_network(api, "vlan 4095")), ["4095"]),
     "VLAN_TAG_INVALID"),
    ("vlan-exists", vlan_twice, "PIF_VLAN_EXISTS"),
    ("vlan-on-vlan", vlan_on_vlan, "PIF_IS_VLAN"),
    ("vlan-on-connected-network", lambda api, refs: (lambda: api.VLAN.create(refs["eth1"], "600", refs["xenbr0"]), [refs["host"], refs["eth0"]]),
     "NETWORK_ALREADY_CONNECTED"),
    ("pool-create-vlan-unknown-device", lambda api, refs: (lambda: api.pool.create_VLAN("eth9", new_network(api, "vlan on eth9"), "700"),
                                                           ["device", "eth9"]), "INVALID_VALUE"),
    ("vbd-insert-into-full-cd", cd_with_iso, "VBD_NOT_EMPTY"),
    ("vbd-eject-disk", lambda api, refs: (lambda: api.VBD.eject(refs["disk_vbd"]), [refs["disk_vbd"]]), "VBD_NOT_REMOVABLE_MEDIA"),
    ("vbd-create-userdevice-used", lambda api, refs: (lambda: api.VBD.create({
        "VM": refs["domu"], "VDI": "OpaqueRef:NULL", "userdevice": "3", "bootable": False, "mode": "RO", "type": "CD", "empty": True,
        "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}}), ["3"]), "DEVICE_ALREADY_EXISTS"),
    ("call-plugin-missing", lambda api, refs: (lambda: api.host.call_plugin(refs["host"], "nova_plugin_version.py", "get_version", {}),
                                               ["nova_plugin_version.py"]), "XENAPI_MISSING_PLUGIN"),
    ("call-plugin-path", lambda api, refs: (lambda: api.host.call_plugin(refs["host"], "../xapi.log", "f", {}), ["../xapi.log"]),
     "XENAPI_MISSING_PLUGIN"),
]


@pytest.mark.parametrize("setup, code", [pytest.param(setup, code, id=case) for case, setup, code in CASES])
def test_failure_code_and_parameters(xenapi, objects, setup, code):
    call, params = setup(xenapi, objects)
    with pytest.raises(XenAPI.Failure) as failure:
        call()
    assert failure.value.details == [code, *params]


def test_a_plugin_that_cannot_run_fails_as_xapi_reports_it(xenapi, objects, xapi_lab):
    call, unused = plugin_not_executable(xenapi, objects, Path(xapi_lab["plugins_dir"]))
    assert unused is None
    with pytest.raises(XenAPI.Failure) as failure:
        call()
    code, reason, stdout, stderr = failure.value.details
    assert (code, reason, stdout) == ("XENAPI_PLUGIN_FAILURE", "non-zero exit", "")
    assert "Permission denied" in stderr


def test_a_failing_plugin_passes_its_output_on(xenapi, objects, xapi_lab):
    plugin = Path(xapi_lab["plugins_dir"]) / "broken.sh"
    plugin.write_text("#!/bin/sh\necho partial\necho broken >&2\nexit 3\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(XenAPI.Failure) as failure:
        xenapi.host.call_plugin(objects["host"], "broken.sh", "f", {})
    assert failure.value.details == ["XENAPI_PLUGIN_FAILURE", "non-zero exit", "partial\n", "broken\n"]


def test_wrong_password(xapi_lab):
    session = XenAPI.Session(xapi_lab["url"])
    with pytest.raises(XenAPI.Failure) as failure:
        session.xenapi.login_with_password("root", "wrong", "1.0", "stackops tests")
    assert failure.value.details == ["SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure"]


def test_unknown_user(xapi_lab):
    session = XenAPI.Session(xapi_lab["url"])
    with pytest.raises(XenAPI.Failure) as failure:
        session.xenapi.login_with_password("admin", xapi_lab["password"])
    assert failure.value.details == ["SESSION_AUTHENTICATION_FAILED", "admin", "Authentication failure"]


@pytest.mark.parametrize("session", ["OpaqueRef:00000000-0000-0000-0000-000000000001", "OpaqueRef:NULL", "not a ref"])
def test_unknown_sessions_are_session_invalid(xapi_lab, session):
    proxy = xmlrpc.client.ServerProxy(xapi_lab["url"])
    assert proxy.VM.get_all(session) == {"Status": "Failure", "ErrorDescription": ["SESSION_INVALID", session]}


def test_failures_are_never_xml_rpc_faults(xapi_lab):
    proxy = xmlrpc.client.ServerProxy(xapi_lab["url"])
    assert proxy.no_such_class.method() == {"Status": "Failure", "ErrorDescription": ["MESSAGE_METHOD_UNKNOWN", "no_such_class.method"]}
    assert proxy.session.login_with_password("root") == {
        "Status": "Failure", "ErrorDescription": ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "2", "1"]}


def test_a_pool_member_sends_clients_to_the_master(tmp_path):
    state_dir = tmp_path / "member"
    env = start_lab(state_dir, "--slave-of", "192.0.2.1")
    try:
        session = XenAPI.Session(env["url"])
        with pytest.raises(XenAPI.Failure) as failure:
            session.xenapi.login_with_password("root", env["password"], "1.0", "stackops tests")
        assert failure.value.details == ["HOST_IS_SLAVE", "192.0.2.1"]
        with pytest.raises(XenAPI.Failure) as wrong_password:
            session.xenapi.login_with_password("root", "wrong")
        assert wrong_password.value.details == ["HOST_IS_SLAVE", "192.0.2.1"]  # a member refuses before it checks passwords
    finally:
        assert lab_command(state_dir, "down").returncode == 0
