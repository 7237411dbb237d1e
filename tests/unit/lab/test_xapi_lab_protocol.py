"""The XAPI simulator driven by the real XenAPI client from PyPI, unchanged: what a client sees on the wire."""

from __future__ import annotations

import json
import re
import ssl
import stat
import sys
import xmlrpc.client
from pathlib import Path

import pytest
from xapi_lab_helpers import XenAPI, lab_command, start_lab

REF = re.compile(r"^OpaqueRef:[0-9a-f-]{36}$")
MAC = re.compile(r"^[0-9a-f]{2}(:[0-9a-f]{2}){5}$")


def by_name(records: dict, name: str) -> tuple[str, dict]:
    matches = [(ref, record) for ref, record in records.items() if record["name_label"] == name]
    assert len(matches) == 1, f"{name}: {len(matches)} records"
    return matches[0]


def test_login_reports_the_api_version_and_logout_ends_the_session(xapi_lab):
    session = XenAPI.Session(xapi_lab["url"])
    session.xenapi.login_with_password("root", xapi_lab["password"], "1.0", "stackops tests")
    handle = session.handle
    assert REF.match(handle)
    assert session.API_version == "2.16"
    session.xenapi.session.logout()
    raw = xmlrpc.client.ServerProxy(xapi_lab["url"])
    assert raw.VM.get_all(handle) == {"Status": "Failure", "ErrorDescription": ["SESSION_INVALID", handle]}


def test_the_seed_holds_host_pool_storage_networks_and_domains(xenapi, xapi_lab):
    hosts = xenapi.host.get_all_records()
    assert len(hosts) == 1
    host_ref, host = next(iter(hosts.items()))
    pool = xenapi.pool.get_record(xenapi.pool.get_all()[0])
    assert pool["master"] == host_ref
    local_sr = xenapi.SR.get_record(pool["default_SR"])
    assert local_sr["name_label"] == "Local storage"
    assert re.match(r"^[0-9a-f-]{36}$", local_sr["uuid"])

    networks = xenapi.network.get_all_records()
    xenbr0_ref, xenbr0 = next((ref, net) for ref, net in networks.items() if net["bridge"] == "xenbr0")
    eth0 = xenapi.PIF.get_record(xenbr0["PIFs"][0])
    assert (eth0["device"], eth0["host"], eth0["management"], eth0["VLAN"]) == ("eth0", host_ref, True, "-1")
    assert eth0["network"] == xenbr0_ref
    himn = next(net for net in networks.values() if net["bridge"] == "xenapi")
    assert himn["other_config"]["is_host_internal_management_network"] == "true"
    assert himn["PIFs"] == []

    vms = xenapi.VM.get_all_records()
    dom0_ref, dom0 = next((ref, vm) for ref, vm in vms.items() if vm["is_control_domain"])
    assert (dom0["power_state"], dom0["domid"], dom0["resident_on"]) == ("Running", "0", host_ref)
    assert any(vm["is_a_template"] for vm in vms.values())
    domu_ref, domu = by_name(vms, xapi_lab["domu_name"])
    assert (domu["power_state"], domu["is_a_template"], domu["is_control_domain"]) == ("Running", False, False)
    assert sorted(host["resident_VMs"]) == sorted([dom0_ref, domu_ref])
    assert xenapi.VIF.get_record(domu["VIFs"][0])["network"] == xenbr0_ref
    assert xenapi.VM_guest_metrics.get_record(domu["guest_metrics"])["networks"]["0/ip"]


def test_values_travel_with_xapis_wire_types(xenapi, xapi_lab):
    domu = xenapi.VM.get_record(xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0])
    assert domu["VCPUs_max"] == "2"  # int64 as a decimal string
    assert domu["memory_static_max"] == str(4 << 30)
    assert isinstance(domu["is_a_template"], bool)
    assert isinstance(domu["snapshot_time"], xmlrpc.client.DateTime)
    assert domu["suspend_VDI"] == "OpaqueRef:NULL"
    metrics = xenapi.host.get_software_version(xenapi.host.get_all()[0])
    assert metrics["product_version"] == "8.2.1"


def test_get_by_name_label_returns_a_list_of_none_one_or_several(xenapi):
    assert xenapi.network.get_by_name_label("no such network") == []
    first = xenapi.network.create({"name_label": "twice", "other_config": {}})
    assert xenapi.network.get_by_name_label("twice") == [first]
    second = xenapi.network.create({"name_label": "twice", "other_config": {}})
    assert sorted(xenapi.network.get_by_name_label("twice")) == sorted([first, second])
    assert xenapi.network.get_by_uuid(xenapi.network.get_uuid(second)) == second


def test_network_create_picks_a_free_xapi_bridge_and_the_default_mtu(xenapi):
    ref = xenapi.network.create({"name_label": "vm-net", "name_description": "", "MTU": "0", "other_config": {"lab": "1"}})
    record = xenapi.network.get_record(ref)
    assert re.match(r"^xapi\d+$", record["bridge"])
    assert record["MTU"] == "1500"
    assert record["other_config"] == {"lab": "1"}
    assert ref in xenapi.network.get_all_records()
    other = xenapi.network.create({"name_label": "vm-net-2", "other_config": {}})
    assert xenapi.network.get_bridge(other) != record["bridge"]


def test_vif_create_and_plug_on_the_running_domu(xenapi, xapi_lab):
    domu = xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0]
    network = xenapi.network.create({"name_label": "public", "other_config": {}})
    assert "1" in xenapi.VM.get_allowed_VIF_devices(domu)
    vif = xenapi.VIF.create({"device": "1", "network": network, "VM": domu, "MAC": "", "MTU": "1500", "other_config": {},
                             "qos_algorithm_type": "", "qos_algorithm_params": {}})
    mac = xenapi.VIF.get_MAC(vif)
    assert MAC.match(mac)
    assert int(mac[:2], 16) & 0x03 == 0x02  # locally administered, unicast
    assert xenapi.VIF.get_currently_attached(vif) is False
    xenapi.VIF.plug(vif)
    assert xenapi.VIF.get_currently_attached(vif) is True
    assert vif in xenapi.VM.get_VIFs(domu)
    assert vif in xenapi.network.get_VIFs(network)
    assert "1" not in xenapi.VM.get_allowed_VIF_devices(domu)
    xenapi.VIF.unplug(vif)
    xenapi.VIF.destroy(vif)
    assert vif not in xenapi.VM.get_VIFs(domu)


def test_vif_keeps_a_given_mac(xenapi, xapi_lab):
    domu = xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0]
    network = xenapi.network.create({"name_label": "storage", "other_config": {}})
    vif = xenapi.VIF.create({"device": "3", "network": network, "VM": domu, "MAC": "02:16:3e:00:00:03", "MTU": "1500",
                             "other_config": {}, "qos_algorithm_type": "", "qos_algorithm_params": {}})
    assert xenapi.VIF.get_record(vif)["MAC"] == "02:16:3e:00:00:03"
    assert xenapi.VIF.get_record(vif)["MAC_autogenerated"] is False


def test_other_config_and_xenstore_data_take_single_keys(xenapi, xapi_lab):
    domu = xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0]
    xenapi.VM.add_to_other_config(domu, "os-vpx", "true")
    assert xenapi.VM.get_other_config(domu)["os-vpx"] == "true"
    assert "mac_seed" in xenapi.VM.get_other_config(domu)  # the other keys stay
    with pytest.raises(XenAPI.Failure) as refused:
        xenapi.VM.add_to_other_config(domu, "os-vpx", "true")
    assert refused.value.details == ["MAP_DUPLICATE_KEY", "VM", "other_config", domu, "os-vpx"]
    xenapi.VM.remove_from_other_config(domu, "os-vpx")
    xenapi.VM.remove_from_other_config(domu, "os-vpx")  # removing an absent key is no error
    xenapi.VM.add_to_other_config(domu, "os-vpx", "false")
    assert xenapi.VM.get_other_config(domu)["os-vpx"] == "false"
    xenapi.VM.add_to_xenstore_data(domu, "vm-data/himn_mac", "02:00:00:00:00:09")
    assert xenapi.VM.get_record(domu)["xenstore_data"] == {"vm-data/himn_mac": "02:00:00:00:00:09"}
    xenapi.VM.remove_from_xenstore_data(domu, "vm-data/himn_mac")
    assert xenapi.VM.get_xenstore_data(domu) == {}


def test_vlan_create_and_pool_create_vlan_make_an_untagged_pif(xenapi):
    eth1 = next(ref for ref, pif in xenapi.PIF.get_all_records().items() if pif["device"] == "eth1" and pif["VLAN"] == "-1")
    network = xenapi.network.create({"name_label": "vlan 100", "other_config": {}})
    vlan = xenapi.VLAN.create(eth1, "100", network)
    record = xenapi.VLAN.get_record(vlan)
    assert (record["tagged_PIF"], record["tag"]) == (eth1, "100")
    untagged = xenapi.PIF.get_record(record["untagged_PIF"])
    assert (untagged["device"], untagged["VLAN"], untagged["network"], untagged["physical"]) == ("eth1", "100", network, False)
    assert untagged["VLAN_master_of"] == vlan
    assert vlan in xenapi.PIF.get_VLAN_slave_of(eth1)
    other = xenapi.network.create({"name_label": "vlan 101", "other_config": {}})
    pifs = xenapi.pool.create_VLAN("eth1", other, "101")
    assert len(pifs) == 1 and xenapi.PIF.get_VLAN(pifs[0]) == "101"
    assert {vlan_record["tag"] for vlan_record in xenapi.VLAN.get_all_records().values()} >= {"100", "101"}


def test_vm_power_cycle_attaches_and_detaches_devices(xenapi):
    template = next(ref for ref, vm in xenapi.VM.get_all_records().items() if vm["is_a_template"])
    clone = xenapi.VM.clone(template, "cycled")
    xenapi.VM.set_is_a_template(clone, False)
    network = xenapi.network.create({"name_label": "cycle", "other_config": {}})
    vif = xenapi.VIF.create({"device": "0", "network": network, "VM": clone, "MAC": "", "MTU": "1500", "other_config": {},
                             "qos_algorithm_type": "", "qos_algorithm_params": {}})
    xenapi.VM.start(clone, False, False)
    assert xenapi.VM.get_power_state(clone) == "Running"
    assert xenapi.VIF.get_currently_attached(vif) is True
    task = xenapi.Async.VM.clean_shutdown(clone)
    assert xenapi.task.get_status(task) == "success"
    assert xenapi.VM.get_power_state(clone) == "Halted"
    assert xenapi.VIF.get_currently_attached(vif) is False


def test_state_file_changes_only_with_the_objects(xenapi, xapi_lab):
    state = Path(xapi_lab["state_file"])
    before = state.read_bytes()
    xenapi.VM.get_all_records()
    xenapi.network.get_by_name_label("nothing")
    session = XenAPI.Session(xapi_lab["url"])
    session.xenapi.login_with_password("root", xapi_lab["password"])
    session.xenapi.session.logout()
    assert state.read_bytes() == before
    network = xenapi.network.create({"name_label": "persisted", "other_config": {}})
    stored = json.loads(state.read_text())["objects"]
    assert stored["network"][network]["name_label"] == "persisted"


def test_the_client_logs_in_again_when_its_session_became_invalid(xapi_lab):
    session = XenAPI.Session(xapi_lab["url"])
    session.xenapi.login_with_password("root", xapi_lab["password"], "1.0", "stackops tests")
    first = session.handle
    xmlrpc.client.ServerProxy(xapi_lab["url"]).session.logout(first)
    assert session.xenapi.pool.get_all()  # SESSION_INVALID made the client log in again
    assert session.handle != first
    session.xenapi.session.logout()


def test_unix_socket_logins_need_no_password(xapi_lab):
    local = XenAPI.Session("http://" + xapi_lab["socket"].replace("/", "_") + "/", transport=XenAPI.UDSTransport())
    local.xenapi.login_with_password("", "")
    assert len(local.xenapi.host.get_all()) == 1
    local.xenapi.session.logout()


def test_call_plugin_runs_executable_plugins_with_xapis_convention(xenapi, xapi_lab):
    plugin = Path(xapi_lab["plugins_dir"]) / "echo.py"
    plugin.write_text(
        "#!/usr/bin/env python3\n"
        "import sys, xmlrpc.client\n"
        "params, method = xmlrpc.client.loads(sys.argv[1])\n"
        "session, args = params\n"
        "value = method + ':' + ','.join(f'{k}={v}' for k, v in sorted(args.items()))\n"
        "sys.stdout.write(xmlrpc.client.dumps(({'Status': 'Success', 'Value': value},), methodresponse=True))\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    host = xenapi.host.get_all()[0]
    assert xenapi.host.call_plugin(host, "echo.py", "ping", {"b": "2", "a": "1"}) == "ping:a=1,b=2"


def test_plugins_written_with_xenapiplugin_run_and_call_back(xenapi, xapi_lab):
    plugin = Path(xapi_lab["plugins_dir"]) / "lab_host.py"
    plugin.write_text(
        f"#!{sys.executable}\n"
        "import XenAPIPlugin\n"
        "def host_name(session, args):\n"
        "    host = session.xenapi.session.get_this_host(session.handle)\n"
        "    return session.xenapi.host.get_name_label(host) + args.get('suffix', '')\n"
        "def refuse(session, args):\n"
        "    raise XenAPIPlugin.Failure('LAB_REFUSED', [args['why']])\n"
        "XenAPIPlugin.dispatch({'host_name': host_name, 'refuse': refuse})\n")
    plugin.chmod(plugin.stat().st_mode | stat.S_IXUSR)
    host = xenapi.host.get_all()[0]
    assert xenapi.host.call_plugin(host, "lab_host.py", "host_name", {"suffix": "!"}) == xapi_lab["host_name"] + "!"
    with pytest.raises(XenAPI.Failure) as refused:
        xenapi.host.call_plugin(host, "lab_host.py", "refuse", {"why": "testing"})
    assert refused.value.details == ["LAB_REFUSED", "testing"]
    with pytest.raises(XenAPI.Failure) as unknown:
        xenapi.host.call_plugin(host, "lab_host.py", "nope", {})
    assert unknown.value.details == ["UNKNOWN_XENAPI_PLUGIN_FUNCTION", "nope"]


def test_event_from_reports_changes_after_a_token(xenapi):
    first = getattr(xenapi.event, "from")(["network"], "", 0.0)
    assert {event["class"] for event in first["events"]} == {"network"}
    created = xenapi.network.create({"name_label": "watched", "other_config": {}})
    later = getattr(xenapi.event, "from")(["network"], first["token"], 1.0)
    assert [(event["operation"], event["ref"]) for event in later["events"]] == [("add", created)]
    assert later["events"][0]["snapshot"]["name_label"] == "watched"


def test_lab_cli_status_and_down(tmp_path):
    state_dir = tmp_path / "lab"
    env = start_lab(state_dir, "--domu-name", "nova-domu", "--domu-halted")
    try:
        status = lab_command(state_dir, "status", "--json")
        assert status.returncode == 0, status.stderr
        assert json.loads(status.stdout)["answering"] is True
        session = XenAPI.Session(env["url"])
        session.xenapi.login_with_password("root", env["password"])
        domu = session.xenapi.VM.get_by_name_label("nova-domu")
        assert [session.xenapi.VM.get_power_state(ref) for ref in domu] == ["Halted"]
        session.xenapi.session.logout()
        again = lab_command(state_dir, "up")
        assert again.returncode == 1 and "run down first" in again.stderr
    finally:
        down = lab_command(state_dir, "down")
    assert down.returncode == 0
    assert not state_dir.exists()
    assert lab_command(state_dir, "status").returncode == 1


def test_a_new_vif_also_changes_its_vm_and_network(xenapi, xapi_lab):
    domu = xenapi.VM.get_by_name_label(xapi_lab["domu_name"])[0]
    network = xenapi.network.create({"name_label": "vm network", "other_config": {}})
    token = getattr(xenapi.event, "from")(["VM", "VIF", "network"], "", 0.0)["token"]
    vif = xenapi.VIF.create({"device": "2", "network": network, "VM": domu, "MAC": "", "MTU": "1500", "other_config": {},
                             "qos_algorithm_type": "", "qos_algorithm_params": {}})
    events = getattr(xenapi.event, "from")(["VM", "VIF", "network"], token, 1.0)["events"]
    assert sorted((event["class"], event["operation"], event["ref"]) for event in events) == sorted(
        [("vif", "add", vif), ("vm", "mod", domu), ("network", "mod", network)])


def test_https_with_the_hosts_self_signed_certificate(tmp_path):
    state_dir = tmp_path / "tls"
    env = start_lab(state_dir, "--tls")
    try:
        assert env["url"].startswith("https://127.0.0.1:")
        unverified = XenAPI.Session(env["url"], ignore_ssl=True)
        unverified.xenapi.login_with_password("root", env["password"])
        assert len(unverified.xenapi.host.get_all()) == 1
        unverified.xenapi.session.logout()
        with pytest.raises(ssl.SSLCertVerificationError):
            XenAPI.Session(env["url"]).xenapi.login_with_password("root", env["password"])
    finally:
        assert lab_command(state_dir, "down").returncode == 0


def test_a_clone_of_a_template_is_a_template_with_its_own_mac_seed(xenapi):
    template_ref, template = next((ref, vm) for ref, vm in xenapi.VM.get_all_records().items() if vm["is_default_template"])
    clone = xenapi.VM.get_record(xenapi.VM.clone(template_ref, "from template"))
    assert (clone["is_a_template"], clone["is_default_template"], clone["power_state"]) == (True, False, "Halted")
    assert "default_template" not in clone["other_config"]
    assert clone["other_config"]["mac_seed"] != template["other_config"]["mac_seed"]
