# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/spice_console_config.py: main() on copies of Debian's nova.conf."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.modules import spice_console_config as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import changed_lines, exit_result, fail_result, patch_exits

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
URL = "http://controller:6082/spice_auto.html"
ADDRESS = "192.0.2.31"
DB_SECRET = "N0va-db-s3cr3t"


# --------------------------------------------------------------------------- harness

@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch)


def debian_with_database():
    """Debian's nova.conf with a database connection set, so there is a secret to mask."""
    text = (FIXTURES / "nova.conf").read_text(encoding="utf-8")
    marker = "\n[database]\n"
    assert marker in text
    return text.replace(marker, marker + "connection = mysql+pymysql://nova:%s@controller/nova\n" % DB_SECRET, 1)


@pytest.fixture
def conf(tmp_path):
    """A copy of Debian's nova.conf (with a database password), mode 0640."""
    path = tmp_path / "nova.conf"
    path.write_text(debian_with_database(), encoding="utf-8")
    path.chmod(0o640)
    return path


@pytest.fixture
def kilo_conf(tmp_path):
    path = tmp_path / "nova.conf"
    path.write_text((FIXTURES / "nova-kilo.conf").read_text(encoding="utf-8"), encoding="utf-8")
    return path


OMIT = object()


def _args(path, args):
    """The module arguments: defaults for the test, a value of OMIT leaves the argument out."""
    args.setdefault("html5proxy_base_url", URL)
    args.setdefault("node_role", "compute")
    if args["node_role"] != "control":
        args.setdefault("server_proxyclient_address", ADDRESS)
    args.update(path=str(path))
    return {key: value for key, value in args.items() if value is not OMIT}


def run(path, check_mode=False, diff=False, **args):
    return exit_result(module.main, dict(_args(path, args), _ansible_check_mode=check_mode, _ansible_diff=diff))


def run_fail(path, **args):
    return fail_result(module.main, _args(path, args))


EXPECTED_LINES = {
    "control": ["+html5proxy_base_url = %s" % URL, "+html5proxy_host = 0.0.0.0", "+html5proxy_port = 6082",
                "+enabled = false"],
    # Debian's server_listen = 0.0.0.0 becomes the management address (server_proxyclient_address)
    "compute": ["+agent_enabled = true", "+html5proxy_base_url = %s" % URL,
                "-server_listen = 0.0.0.0", "+server_listen = %s" % ADDRESS,
                "-server_proxyclient_address = $my_ip", "+server_proxyclient_address = %s" % ADDRESS,
                "+enabled = false"],
    "all_in_one": ["+agent_enabled = true", "+html5proxy_base_url = %s" % URL,
                   "-server_listen = 0.0.0.0", "+server_listen = %s" % ADDRESS,
                   "-server_proxyclient_address = $my_ip", "+server_proxyclient_address = %s" % ADDRESS,
                   "+html5proxy_host = 0.0.0.0", "+html5proxy_port = 6082", "+enabled = false"],
}

EXPECTED_SETTINGS = {
    "control": [("spice", "enabled", "true"), ("spice", "html5proxy_host", "0.0.0.0"),
                ("spice", "html5proxy_port", "6082"), ("spice", "html5proxy_base_url", URL),
                ("vnc", "enabled", "false")],
    "compute": [("spice", "enabled", "true"), ("spice", "agent_enabled", "true"),
                ("spice", "server_listen", ADDRESS), ("spice", "server_proxyclient_address", ADDRESS),
                ("spice", "html5proxy_base_url", URL), ("vnc", "enabled", "false")],
    "all_in_one": [("spice", "enabled", "true"), ("spice", "html5proxy_host", "0.0.0.0"),
                   ("spice", "html5proxy_port", "6082"), ("spice", "html5proxy_base_url", URL),
                   ("spice", "agent_enabled", "true"), ("spice", "server_listen", ADDRESS),
                   ("spice", "server_proxyclient_address", ADDRESS), ("vnc", "enabled", "false")],
}


def as_dicts(settings):
    return [{"section": section, "key": key, "value": value} for section, key, value in settings]


# --------------------------------------------------------------------------- changes


@pytest.mark.parametrize("role", ["control", "compute", "all_in_one"])
def test_role_writes_its_lines_then_reports_no_change(conf, role):
    before = conf.read_text(encoding="utf-8")
    result = run(conf, node_role=role)
    after = conf.read_text(encoding="utf-8")
    assert result["changed"] is True
    assert changed_lines(before, after) == EXPECTED_LINES[role]
    assert result["settings"] == as_dicts(EXPECTED_SETTINGS[role])
    assert {(item["section"], item["key"]) for item in result["changes"]} <= \
        {(section, key) for section, key, value in EXPECTED_SETTINGS[role]}
    assert result["backup_file"] is None
    assert "diff" not in result
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640

    mtime = conf.stat().st_mtime_ns
    again = run(conf, node_role=role)
    assert again["changed"] is False
    assert again["changes"] == []
    assert again["settings"] == result["settings"]
    assert conf.read_text(encoding="utf-8") == after
    assert conf.stat().st_mtime_ns == mtime


def test_changes_of_the_compute_role(conf):
    assert run(conf)["changes"] == [
        {"section": "spice", "key": "agent_enabled", "action": "added", "before": None, "after": "true"},
        {"section": "spice", "key": "html5proxy_base_url", "action": "added", "before": None, "after": URL},
        {"section": "spice", "key": "server_listen", "action": "changed", "before": "0.0.0.0", "after": ADDRESS},
        {"section": "spice", "key": "server_proxyclient_address", "action": "changed", "before": "$my_ip",
         "after": ADDRESS},
        {"section": "vnc", "key": "enabled", "action": "added", "before": None, "after": "false"},
    ]


def test_vnc_off_lands_under_its_commented_default(conf):
    run(conf, node_role="control")
    lines = conf.read_text(encoding="utf-8").splitlines()
    at = lines.index("enabled = false")
    assert lines[at - 1] == "#enabled = true"
    assert "[vnc]" in lines[:at] and lines[:at][::-1].index("[vnc]") < lines[:at][::-1].index("[spice]")


def test_check_mode_writes_nothing_and_reports_the_same(conf):
    before = conf.read_bytes()
    mtime = conf.stat().st_mtime_ns
    checked = run(conf, check_mode=True, diff=True, node_role="all_in_one")
    assert conf.read_bytes() == before
    assert conf.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(conf.parent)) == ["nova.conf"]
    assert checked["changed"] is True
    real = run(conf, diff=True, node_role="all_in_one")
    assert {key: value for key, value in checked.items() if key != "invocation"} == \
        {key: value for key, value in real.items() if key != "invocation"}


def test_diff_has_only_the_changed_lines_and_masks_secrets(conf):
    result = run(conf, diff=True)
    diff = result["diff"]
    assert diff["before_header"] == diff["after_header"] == str(conf)
    assert changed_lines(diff["before"], diff["after"]) == EXPECTED_LINES["compute"]
    assert DB_SECRET not in json.dumps(result)
    assert "connection = %s" % ini.MASK in diff["after"]
    assert DB_SECRET in conf.read_text(encoding="utf-8")
    again = run(conf, diff=True)
    assert again["diff"]["before"] == again["diff"]["after"]


def test_backup(conf):
    before = conf.read_text(encoding="utf-8")
    result = run(conf, backup=True)
    backup = Path(result["backup_file"])
    assert backup.parent == conf.parent and backup.name.startswith("nova.conf.")
    assert backup.read_text(encoding="utf-8") == before
    assert run(conf, backup=True)["backup_file"] is None  # nothing changed, nothing copied
    assert len(os.listdir(conf.parent)) == 2


def test_check_mode_makes_no_backup(conf):
    assert run(conf, check_mode=True, backup=True)["backup_file"] is None
    assert os.listdir(conf.parent) == ["nova.conf"]


def test_options_are_written(conf):
    result = run(conf, node_role="all_in_one", html5proxy_base_url="https://cloud.example.com/spice_auto.html",
                 html5proxy_host="192.0.2.10", html5proxy_port=6083, server_listen="::", agent_enabled=False,
                 disable_vnc=False)
    doc = ini.parse(conf.read_text(encoding="utf-8"))
    assert doc.get("spice", "html5proxy_base_url") == "https://cloud.example.com/spice_auto.html"
    assert doc.get("spice", "html5proxy_host") == "192.0.2.10"
    assert doc.get("spice", "html5proxy_port") == "6083"
    assert doc.get("spice", "server_listen") == "::"
    assert doc.get("spice", "agent_enabled") == "false"
    assert doc.get("vnc", "enabled") is None
    assert "vnc" not in [item["section"] for item in result["settings"]]


def test_legacy_on_a_kilo_file(kilo_conf):
    before = kilo_conf.read_text(encoding="utf-8")
    result = run(kilo_conf, node_role="all_in_one", release="legacy", server_proxyclient_address="10.0.0.31",
                 keymap="de", diff=True)
    after = kilo_conf.read_text(encoding="utf-8")
    assert changed_lines(before, after) == [
        "+web=/usr/share/spice-html5", "+vnc_enabled=False", "+html5proxy_host=0.0.0.0", "+html5proxy_port=6082",
        "+html5proxy_base_url=%s" % URL, "+server_listen=10.0.0.31", "+server_proxyclient_address=10.0.0.31",
        "+enabled=True", "+agent_enabled=True", "+keymap=de"]
    assert {"section": "DEFAULT", "key": "vnc_enabled", "value": "False"} in result["settings"]
    assert {"section": "DEFAULT", "key": "web", "value": "/usr/share/spice-html5"} in result["settings"]
    assert "NOVA_DBPASS" not in json.dumps(result)
    assert run(kilo_conf, node_role="all_in_one", release="legacy", server_proxyclient_address="10.0.0.31",
               keymap="de")["changed"] is False


# --------------------------------------------------------------------------- refusals


def test_missing_file_fails_before_anything(tmp_path):
    path = tmp_path / "nova" / "nova.conf"
    result = run_fail(path, html5proxy_base_url="not a url")
    assert result["msg"] == ("%s does not exist; is nova (nova-common) installed? "
                             "Set path to its configuration file" % path)
    assert not path.parent.exists()


def test_directory_is_refused(tmp_path):
    assert "is a directory" in run_fail(tmp_path)["msg"]


@pytest.mark.parametrize("args, fragment", [
    ({"node_role": "controller"}, "value of node_role must be one of: control, compute, all_in_one, "
                                  "got: controller"),
    ({"release": "zed"}, "value of release must be one of: current, legacy, got: zed"),
    ({"node_role": "compute", "server_proxyclient_address": OMIT},
     "node_role is compute but all of the following are missing: server_proxyclient_address"),
    ({"node_role": "all_in_one", "server_proxyclient_address": OMIT},
     "node_role is all_in_one but all of the following are missing: server_proxyclient_address"),
    ({"html5proxy_port": "port"}, "argument 'html5proxy_port' is of type str and we were unable to convert to int"),
])
def test_argument_spec_refuses(conf, args, fragment):
    before = conf.read_bytes()
    result = run_fail(conf, **args)
    assert fragment in result["msg"]
    assert conf.read_bytes() == before


@pytest.mark.parametrize("args, fragment", [
    ({"html5proxy_base_url": "ftp://controller:6082/spice_auto.html"},
     "html5proxy_base_url 'ftp://controller:6082/spice_auto.html' must be an http or https URL"),
    ({"html5proxy_base_url": "http://controller:6080/vnc_auto.html"},
     "its path must end in /spice_auto.html (path is '/vnc_auto.html')"),
    ({"server_proxyclient_address": "compute1.example.com"},
     "server_proxyclient_address is 'compute1.example.com', expected an IP address"),
    ({"server_proxyclient_address": "0.0.0.0"}, "server_proxyclient_address is 0.0.0.0, which nova-spicehtml5proxy "
                                                "cannot connect to"),
    ({"server_listen": "$my_ip/32"}, "server_listen is '$my_ip/32', expected an IP address"),
    ({"server_listen": "$no_such_option"},
     "[spice] server_listen = $no_such_option refers to [DEFAULT] no_such_option, which this nova.conf does not "
     "set and nova gives no address by default"),
    ({"server_proxyclient_address": "$host"},
     "[spice] server_proxyclient_address = $host refers to [DEFAULT] host, which this nova.conf does not set"),
    ({"html5proxy_port": 70000}, "html5proxy_port is 70000, out of range: expected a port number from 1 to 65535"),
    ({"html5proxy_port": 0}, "html5proxy_port is 0, out of range"),
    ({"keymap": "de"}, "keymap 'de' cannot be set with release=current: [spice] keymap was removed from nova"),
    # an explicit null passes required_if (the key is there), the module still refuses it
    ({"server_proxyclient_address": None}, "server_proxyclient_address is required for node_role=compute"),
])
def test_bad_input_is_refused(conf, args, fragment):
    before = conf.read_bytes()
    result = run_fail(conf, **args)
    assert result["msg"].startswith(str(conf) + ": ")
    assert fragment in result["msg"]
    assert conf.read_bytes() == before


def test_malformed_line_is_reported_with_its_number(conf):
    lines = conf.read_text(encoding="utf-8").splitlines(True)
    lines.insert(41, "this is not ini\n")
    conf.write_text("".join(lines), encoding="utf-8")
    msg = run_fail(conf)["msg"]
    assert msg.startswith("cannot parse %s: line 42: " % conf)
    assert "'this is not ini'" in msg


def test_not_utf8_is_reported(conf):
    conf.write_bytes(b"[DEFAULT]\nx = \xff\n")
    assert "is not UTF-8 text" in run_fail(conf)["msg"]


# --------------------------------------------------------------------------- closed by default (issue 8 item 10)


def test_debian_my_ip_is_accepted_and_server_listen_follows_it(conf):
    before = conf.read_text(encoding="utf-8")
    result = run(conf, server_proxyclient_address="$my_ip")
    assert changed_lines(before, conf.read_text(encoding="utf-8")) == [
        "+agent_enabled = true", "+html5proxy_base_url = %s" % URL, "-server_listen = 0.0.0.0",
        "+server_listen = $my_ip", "+enabled = false"]
    assert {"section": "spice", "key": "server_listen", "value": "$my_ip"} in result["settings"]
    assert run(conf, server_proxyclient_address="$my_ip")["changed"] is False


def test_no_wildcard_by_default_and_a_warning_when_asked_for(conf, monkeypatch):
    patch_exits(monkeypatch, collect_warnings=True)
    result = run(conf)
    assert ini.parse(conf.read_text(encoding="utf-8")).get("spice", "server_listen") == ADDRESS
    assert result["warnings"] == []
    result = run(conf, server_listen="0.0.0.0")
    assert ini.parse(conf.read_text(encoding="utf-8")).get("spice", "server_listen") == "0.0.0.0"
    assert len(result["warnings"]) == 1
    assert result["warnings"][0].startswith("%s: [spice] server_listen = 0.0.0.0: the SPICE servers of the "
                                            "instances listen on every interface" % conf)
