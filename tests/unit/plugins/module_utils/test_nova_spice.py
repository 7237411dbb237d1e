# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/nova_spice.py.

Current release: on the nova.conf Debian 12 ships (nova-common 26.2.2, Zed), which already
has ``[spice] enabled = true``, ``server_listen = 0.0.0.0`` and
``server_proxyclient_address = $my_ip`` uncommented and every other option commented out
at its default. Legacy release: on nova-kilo.conf, a hand-written Kilo-era excerpt (see
tests/unit/fixtures/ini/README.md). Every edit is checked with difflib, so nothing but
the intended lines may change, each new one right under its commented default.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import nova_spice as ns
from ansible_collections.stackops.openstack.plugins.module_utils.nova_spice import SpiceConfigError, Setting

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
URL = "http://controller:6082/spice_auto.html"
ADDRESS = "192.0.2.31"


def debian():
    return (FIXTURES / "nova.conf").read_text(encoding="utf-8")


def kilo():
    return (FIXTURES / "nova-kilo.conf").read_text(encoding="utf-8")


def hunks(before, after):
    """Each change as (line before it in `before`, [removed], [added]), with no context."""
    old, new = before.splitlines(), after.splitlines()
    result = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            result.append((old[i1 - 1] if i1 else None, old[i1:i2], new[j1:j2]))
    return result


def section_of(text, line_text):
    """The section the (first) line equal to line_text is in."""
    section = None
    for line in text.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        if line == line_text:
            return section
    raise AssertionError("no line %r" % line_text)


# What each role changes in Debian's nova.conf: (line above, removed, added).
_DEBIAN_CONTROL = [
    ("#html5proxy_base_url = http://127.0.0.1:6082/spice_auto.html", [], ["html5proxy_base_url = %s" % URL]),
    ("#html5proxy_host = 0.0.0.0", [], ["html5proxy_host = 0.0.0.0"]),
    ("#html5proxy_port = 6082", [], ["html5proxy_port = 6082"]),
]
_DEBIAN_COMPUTE = [
    ("#agent_enabled = true", [], ["agent_enabled = true"]),
    ("#html5proxy_base_url = http://127.0.0.1:6082/spice_auto.html", [], ["html5proxy_base_url = %s" % URL]),
    # Debian ships server_listen = 0.0.0.0: by default it becomes the management address
    ("#  (string value)", ["server_listen = 0.0.0.0"], ["server_listen = %s" % ADDRESS]),
    ("#  (string value)", ["server_proxyclient_address = $my_ip"], ["server_proxyclient_address = %s" % ADDRESS]),
]
_DEBIAN_VNC = [("#enabled = true", [], ["enabled = false"])]

DEBIAN_EXPECTED = {
    "control": _DEBIAN_CONTROL + _DEBIAN_VNC,
    "compute": _DEBIAN_COMPUTE + _DEBIAN_VNC,
    "all_in_one": [_DEBIAN_COMPUTE[0], _DEBIAN_COMPUTE[1], _DEBIAN_COMPUTE[2], _DEBIAN_COMPUTE[3],
                   _DEBIAN_CONTROL[1], _DEBIAN_CONTROL[2]] + _DEBIAN_VNC,
}

SETTINGS_CURRENT = {
    "control": [
        Setting("spice", "enabled", "true"),
        Setting("spice", "html5proxy_host", "0.0.0.0"),
        Setting("spice", "html5proxy_port", "6082"),
        Setting("spice", "html5proxy_base_url", URL),
        Setting("vnc", "enabled", "false"),
    ],
    "compute": [
        Setting("spice", "enabled", "true"),
        Setting("spice", "agent_enabled", "true"),
        Setting("spice", "server_listen", ADDRESS),
        Setting("spice", "server_proxyclient_address", ADDRESS),
        Setting("spice", "html5proxy_base_url", URL),
        Setting("vnc", "enabled", "false"),
    ],
    "all_in_one": [
        Setting("spice", "enabled", "true"),
        Setting("spice", "html5proxy_host", "0.0.0.0"),
        Setting("spice", "html5proxy_port", "6082"),
        Setting("spice", "html5proxy_base_url", URL),
        Setting("spice", "agent_enabled", "true"),
        Setting("spice", "server_listen", ADDRESS),
        Setting("spice", "server_proxyclient_address", ADDRESS),
        Setting("vnc", "enabled", "false"),
    ],
}


def plan(role, **params):
    params.setdefault("server_proxyclient_address", ADDRESS if role != "control" else None)
    return ns.plan_settings(role, URL, **params)


# --------------------------------------------------------------------------- planning


@pytest.mark.parametrize("role", ns.ROLES)
def test_plan_current(role):
    assert plan(role) == SETTINGS_CURRENT[role]


@pytest.mark.parametrize("role, expected", [
    ("control", [("spice", "enabled", "True"), ("spice", "html5proxy_host", "0.0.0.0"),
                 ("spice", "html5proxy_port", "6082"), ("spice", "html5proxy_base_url", URL),
                 ("DEFAULT", "web", "/usr/share/spice-html5"), ("DEFAULT", "vnc_enabled", "False")]),
    ("compute", [("spice", "enabled", "True"), ("spice", "agent_enabled", "True"),
                 ("spice", "server_listen", ADDRESS), ("spice", "server_proxyclient_address", ADDRESS),
                 ("spice", "html5proxy_base_url", URL), ("spice", "keymap", "de"),
                 ("DEFAULT", "vnc_enabled", "False")]),
    ("all_in_one", [("spice", "enabled", "True"), ("spice", "html5proxy_host", "0.0.0.0"),
                    ("spice", "html5proxy_port", "6082"), ("spice", "html5proxy_base_url", URL),
                    ("spice", "agent_enabled", "True"), ("spice", "server_listen", ADDRESS),
                    ("spice", "server_proxyclient_address", ADDRESS), ("spice", "keymap", "de"),
                    ("DEFAULT", "web", "/usr/share/spice-html5"), ("DEFAULT", "vnc_enabled", "False")]),
])
def test_plan_legacy(role, expected):
    assert plan(role, release="legacy", keymap="de") == [Setting(*item) for item in expected]


def test_plan_options():
    settings = plan("all_in_one", html5proxy_host="proxy.example.com", html5proxy_port="6083",
                    server_listen="::", agent_enabled=False, disable_vnc=False)
    assert Setting("spice", "server_proxyclient_address", ADDRESS) in settings
    assert Setting("spice", "html5proxy_host", "proxy.example.com") in settings
    assert Setting("spice", "html5proxy_port", "6083") in settings
    assert Setting("spice", "server_listen", "::") in settings
    assert Setting("spice", "agent_enabled", "false") in settings
    assert not [item for item in settings if item.section in ("vnc", "DEFAULT")]


def test_keymap_is_not_written_when_not_given_nor_for_the_control_role():
    assert "keymap" not in [item.key for item in plan("compute", release="legacy")]
    assert "keymap" not in [item.key for item in plan("control", release="legacy", keymap="de")]


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("role, params, fragment", [
    ("controller", {}, "node_role is 'controller', expected one of: control, compute, all_in_one"),
    ("control", {"release": "kilo"}, "release is 'kilo', expected one of: current, legacy"),
    ("control", {"url": "ftp://controller:6082/spice_auto.html"},
     "html5proxy_base_url 'ftp://controller:6082/spice_auto.html' must be an http or https URL (got scheme 'ftp')"),
    ("control", {"url": "controller:6082/spice_auto.html"}, "must be an http or https URL"),
    ("control", {"url": "http://controller:6082/vnc_auto.html"},
     "its path must end in /spice_auto.html (path is '/vnc_auto.html')"),
    ("control", {"url": "http://controller:6082/"}, "its path must end in /spice_auto.html (path is '/')"),
    ("control", {"url": "http://controller:6082/myspice_auto.html"}, "must end in /spice_auto.html"),
    ("control", {"url": "http://controller:6082/spice_auto.html?x=1"}, "must not have a query or fragment"),
    ("control", {"url": "http://u:p@controller:6082/spice_auto.html"}, "must not contain credentials"),
    ("control", {"url": "http:///spice_auto.html"}, "has no host"),
    ("control", {"url": "http://controller:99999/spice_auto.html"}, "is not a valid URL"),
    ("control", {"url": "http://controller:0/spice_auto.html"}, "has port 0"),
    ("control", {"url": "http://controller 6082/spice_auto.html"}, "contains blanks"),
    ("control", {"url": ""}, "html5proxy_base_url is empty"),
    ("compute", {"server_proxyclient_address": None},
     "server_proxyclient_address is required for node_role=compute"),
    ("all_in_one", {"server_proxyclient_address": None},
     "server_proxyclient_address is required for node_role=all_in_one"),
    ("compute", {"server_proxyclient_address": "compute1"},
     "server_proxyclient_address is 'compute1', expected an IP address (IPv4 or IPv6) such as 192.0.2.31, or a "
     "reference to an option holding one such as $my_ip"),
    ("compute", {"server_proxyclient_address": "0.0.0.0"},
     "server_proxyclient_address is 0.0.0.0, which nova-spicehtml5proxy cannot connect to"),
    ("compute", {"server_proxyclient_address": "::"}, "server_proxyclient_address is ::, which"),
    ("compute", {"server_proxyclient_address": "$my ip"}, "server_proxyclient_address is '$my ip'"),
    ("compute", {"server_proxyclient_address": "${my_ip"}, "server_proxyclient_address is '${my_ip'"),
    ("compute", {"server_proxyclient_address": "$my_ip/24"}, "server_proxyclient_address is '$my_ip/24'"),
    ("compute", {"server_proxyclient_address": "10.0.0.$x"}, "server_proxyclient_address is '10.0.0.$x'"),
    ("compute", {"server_proxyclient_address": "$1ip"}, "server_proxyclient_address is '$1ip'"),
    ("compute", {"server_proxyclient_address": "${DEFAULT.my_ip}", "release": "legacy"},
     "server_proxyclient_address is '${DEFAULT.my_ip}': the group.option form of a substitution needs "
     "oslo.config 1.12.0 or later, and Kilo's nova pins oslo.config<1.10; use $my_ip"),
    ("compute", {"server_listen": "$DEFAULT.my_ip", "release": "legacy"}, "server_listen is '$DEFAULT.my_ip'"),
    ("control", {"html5proxy_host": "${DEFAULT.my_ip}", "release": "legacy"}, "html5proxy_host is"),
    ("compute", {"server_proxyclient_address": "10.0.0.256"}, "server_proxyclient_address is '10.0.0.256'"),
    ("control", {"server_proxyclient_address": "compute1"}, "server_proxyclient_address is 'compute1'"),
    ("compute", {"server_listen": "everywhere"}, "server_listen is 'everywhere', expected an IP address"),
    ("control", {"html5proxy_port": 0}, "html5proxy_port is 0, out of range: expected a port number from 1 to 65535"),
    ("control", {"html5proxy_port": 65536}, "html5proxy_port is 65536, out of range"),
    ("control", {"html5proxy_port": "http"}, "html5proxy_port is 'http', expected a port number"),
    ("control", {"html5proxy_port": True}, "html5proxy_port is True, expected a port number"),
    ("control", {"html5proxy_host": "bad host"}, "html5proxy_host is 'bad host', expected an IP address or a host"),
    ("control", {"html5proxy_host": "-x.example.com"}, "html5proxy_host is '-x.example.com'"),
    ("compute", {"keymap": "de"}, "keymap 'de' cannot be set with release=current: [spice] keymap was removed "
                                  "from nova in 22.0.0 (Victoria)"),
    ("control", {"keymap": "de"}, "cannot be set with release=current"),
    ("compute", {"keymap": "de ch", "release": "legacy"}, "keymap is 'de ch', expected a QEMU keymap name"),
    ("compute", {"agent_enabled": "yes"}, "agent_enabled is 'yes', expected true or false"),
    ("compute", {"disable_vnc": None}, "disable_vnc is None, expected true or false"),
])
def test_bad_input(role, params, fragment):
    url = params.pop("url", URL)
    params.setdefault("server_proxyclient_address", ADDRESS if role != "control" else None)
    with pytest.raises(SpiceConfigError) as exc:
        ns.plan_settings(role, url, **params)
    assert fragment in str(exc.value)


@pytest.mark.parametrize("url", [
    URL, "https://cloud.example.com/spice_auto.html", "http://[2001:db8::1]:6082/spice_auto.html",
    "https://cloud.example.com/console/spice/spice_auto.html", "http://10.0.0.11:6082/spice_auto.html",
])
def test_good_urls(url):
    assert ns.check_base_url(url) == url


@pytest.mark.parametrize("port, text", [(1, "1"), (6082, "6082"), (65535, "65535"), ("6083", "6083")])
def test_good_ports(port, text):
    assert ns.check_port(port) == text


@pytest.mark.parametrize("text, value", [
    ("true", True), ("True", True), ("TRUE", True), ("yes", True), ("1", True), ("on", True),
    ("false", False), ("False", False), ("no", False), ("0", False), ("off", False),
    ("t", None), ("enabled", None), (None, None),
])
def test_boolean_reads_as_oslo_config(text, value):
    assert ns.boolean(text) is value


# --------------------------------------------------------------------------- Debian's nova.conf


@pytest.mark.parametrize("role", ns.ROLES)
def test_debian_role_changes_only_its_lines(role):
    before = debian()
    edit = ns.configure_spice(before, role, URL,
                              server_proxyclient_address=ADDRESS if role != "control" else None)
    assert hunks(before, edit.text) == DEBIAN_EXPECTED[role]
    assert [ns.Setting(**item) for item in edit.settings] == SETTINGS_CURRENT[role]
    doc = ini.parse(edit.text)
    for section, key, value in SETTINGS_CURRENT[role]:
        assert doc.get_all(section, key) == [value]
    # the VNC switch is in [vnc], right under its commented default, not in [spice]
    assert section_of(edit.text, "enabled = false") == "vnc"
    lines = edit.text.splitlines()
    at = lines.index("enabled = false")
    assert lines[at - 2:at] == ["# Deprecated group/name - [DEFAULT]/vnc_enabled", "#enabled = true"]
    # idempotent: the second run changes nothing
    again = ns.configure_spice(edit.text, role, URL,
                               server_proxyclient_address=ADDRESS if role != "control" else None)
    assert again.text == edit.text
    assert again.settings == edit.settings


def test_debian_without_disable_vnc_leaves_vnc_alone():
    before = debian()
    edit = ns.configure_spice(before, "control", URL, disable_vnc=False)
    assert hunks(before, edit.text) == _DEBIAN_CONTROL
    assert ini.parse(edit.text).get("vnc", "enabled") is None


def test_debian_changes_report():
    before = debian()
    edit = ns.configure_spice(before, "compute", URL, server_proxyclient_address=ADDRESS)
    assert edit.warnings == []
    assert ini.changes(before, edit.text) == [
        {"section": "spice", "key": "agent_enabled", "action": "added", "before": None, "after": "true"},
        {"section": "spice", "key": "html5proxy_base_url", "action": "added", "before": None, "after": URL},
        {"section": "spice", "key": "server_listen", "action": "changed", "before": "0.0.0.0", "after": ADDRESS},
        {"section": "spice", "key": "server_proxyclient_address", "action": "changed", "before": "$my_ip",
         "after": ADDRESS},
        {"section": "vnc", "key": "enabled", "action": "added", "before": None, "after": "false"},
    ]


@pytest.mark.parametrize("existing", ["True", "TRUE", "yes", "1", "on"])
def test_a_boolean_spelled_otherwise_is_kept(existing):
    before = debian().replace("\nenabled = true\n", "\nenabled = %s\n" % existing, 1)
    assert ini.parse(before).get("spice", "enabled") == existing
    edit = ns.configure_spice(before, "control", URL)
    assert ini.parse(edit.text).get("spice", "enabled") == existing
    assert {"section": "spice", "key": "enabled", "value": existing} in edit.settings
    assert len(hunks(before, edit.text)) == 4  # only the three proxy options and [vnc] enabled


def test_a_boolean_of_the_other_truth_is_rewritten():
    before = debian().replace("\nenabled = true\n", "\nenabled = False\n", 1)
    edit = ns.configure_spice(before, "control", URL)
    assert ("#  (boolean value)", ["enabled = False"], ["enabled = true"]) in hunks(before, edit.text)


def test_duplicate_option_is_collapsed_to_one():
    before = debian().replace("\nserver_listen = 0.0.0.0\n", "\nserver_listen = 0.0.0.0\nserver_listen = ::\n", 1)
    edit = ns.configure_spice(before, "compute", URL, server_proxyclient_address=ADDRESS)
    assert ini.parse(edit.text).get_all("spice", "server_listen") == [ADDRESS]


def test_a_minimal_file_gets_the_sections():
    edit = ns.configure_spice("[DEFAULT]\nmy_ip = 10.0.0.11\n", "all_in_one", URL,
                              server_proxyclient_address="10.0.0.11")
    assert edit.text == (
        "[DEFAULT]\nmy_ip = 10.0.0.11\n\n"
        "[spice]\nenabled = true\nhtml5proxy_host = 0.0.0.0\nhtml5proxy_port = 6082\n"
        "html5proxy_base_url = %s\nagent_enabled = true\nserver_listen = 10.0.0.11\n"
        "server_proxyclient_address = 10.0.0.11\n\n[vnc]\nenabled = false\n" % URL)


def test_an_ini_document_is_accepted_and_left_alone():
    doc = ini.parse(debian())
    edit = ns.apply_settings(doc, SETTINGS_CURRENT["control"])
    assert doc.text == debian()
    assert edit.text != debian()


# --------------------------------------------------------------------------- Kilo-era nova.conf


KILO_EXPECTED = {
    # (line above, removed, added): keys written in the file's own `key=value` style
    "control": [
        ("#web=/usr/share/spice-html5", [], ["web=/usr/share/spice-html5"]),
        ("#vnc_enabled=true", [], ["vnc_enabled=False"]),
        ("#html5proxy_host=0.0.0.0", [], ["html5proxy_host=0.0.0.0"]),
        ("#html5proxy_port=6082", [], ["html5proxy_port=6082"]),
        ("#html5proxy_base_url=http://127.0.0.1:6082/spice_auto.html", [], ["html5proxy_base_url=%s" % URL]),
        ("#enabled=false", [], ["enabled=True"]),
    ],
    "compute": [
        ("#vnc_enabled=true", [], ["vnc_enabled=False"]),
        ("#html5proxy_base_url=http://127.0.0.1:6082/spice_auto.html", [], ["html5proxy_base_url=%s" % URL]),
        ("#server_listen=127.0.0.1", [], ["server_listen=10.0.0.31"]),
        ("#server_proxyclient_address=127.0.0.1", [], ["server_proxyclient_address=10.0.0.31"]),
        ("#enabled=false", [], ["enabled=True"]),
        ("#agent_enabled=true", [], ["agent_enabled=True"]),
        ("#keymap=en-us", [], ["keymap=de"]),
    ],
}
KILO_EXPECTED["all_in_one"] = KILO_EXPECTED["control"][:5] + KILO_EXPECTED["compute"][2:]


@pytest.mark.parametrize("role", ns.ROLES)
def test_kilo_legacy_role_changes_only_its_lines(role):
    before = kilo()
    params = dict(release="legacy", keymap="de",
                  server_proxyclient_address="10.0.0.31" if role != "control" else None)
    edit = ns.configure_spice(before, role, URL, **params)
    assert hunks(before, edit.text) == KILO_EXPECTED[role]
    assert section_of(edit.text, "vnc_enabled=False") == "DEFAULT"
    assert not ini.parse(edit.text).has_section("vnc")
    # the VNC options of the file stay as they were
    doc = ini.parse(edit.text)
    assert doc.get("DEFAULT", "novncproxy_base_url") == "http://controller:6080/vnc_auto.html"
    assert doc.get("database", "connection") == "mysql://nova:NOVA_DBPASS@controller/nova"
    assert ns.configure_spice(edit.text, role, URL, **params).text == edit.text


def test_kilo_with_vnc_enabled_set():
    before = kilo().replace("#vnc_enabled=true\n", "#vnc_enabled=true\nvnc_enabled=true\n")
    edit = ns.configure_spice(before, "compute", URL, server_proxyclient_address="10.0.0.31", release="legacy")
    assert ("#vnc_enabled=true", ["vnc_enabled=true"], ["vnc_enabled=False"]) in hunks(before, edit.text)
    # false spelled otherwise is kept
    before = kilo().replace("#vnc_enabled=true\n", "#vnc_enabled=true\nvnc_enabled=false\n")
    edit = ns.configure_spice(before, "compute", URL, server_proxyclient_address="10.0.0.31", release="legacy")
    assert ini.parse(edit.text).get("DEFAULT", "vnc_enabled") == "false"


# --------------------------------------------------------------------------- closed by default (issue 8 item 10)


@pytest.mark.parametrize("role", ["compute", "all_in_one"])
def test_server_listen_defaults_to_the_management_address(role):
    # nova's own default is 127.0.0.1 (nova 26.0.0 nova/conf/spice.py); 0.0.0.0 would expose the
    # unauthenticated SPICE servers on every interface: listen where the proxy connects
    settings = plan(role, server_proxyclient_address="10.20.0.31")
    assert Setting("spice", "server_listen", "10.20.0.31") in settings
    assert "0.0.0.0" not in [item.value for item in settings if item.key == "server_listen"]
    assert ns.DEFAULTS["server_listen"] is None


def test_server_listen_given_is_kept_and_checked_for_the_control_role_too():
    assert Setting("spice", "server_listen", "10.20.0.99") in plan("compute", server_listen="10.20.0.99")
    assert "server_listen" not in [item.key for item in plan("control", server_listen="10.20.0.99")]
    with pytest.raises(SpiceConfigError):
        plan("control", server_listen="anywhere")


def test_debian_my_ip_is_accepted_and_becomes_the_listen_address():
    # Debian's nova.conf: [spice] server_proxyclient_address = $my_ip, my_ip commented out (nova then
    # uses the host's IPv4 address, nova/conf/netconf.py)
    before = debian()
    edit = ns.configure_spice(before, "compute", URL, server_proxyclient_address="$my_ip")
    assert hunks(before, edit.text) == [
        _DEBIAN_COMPUTE[0], _DEBIAN_COMPUTE[1],
        ("#  (string value)", ["server_listen = 0.0.0.0"], ["server_listen = $my_ip"])] + _DEBIAN_VNC
    assert edit.warnings == []
    doc = ini.parse(edit.text)
    assert doc.get("spice", "server_proxyclient_address") == "$my_ip"
    assert ns.configure_spice(edit.text, "compute", URL, server_proxyclient_address="$my_ip").text == edit.text


@pytest.mark.parametrize("value, name", [
    ("$my_ip", "my_ip"), ("${my_ip}", "my_ip"), ("$DEFAULT.my_ip", "DEFAULT.my_ip"),
    ("${DEFAULT.my_ip}", "DEFAULT.my_ip"), ("$_x1", "_x1"), ("$My_Ip", "My_Ip"),
    ("10.0.0.1", None), ("$", None), ("$$my_ip", None), ("${my_ip", None), ("$my_ip ", None), (" $my_ip", None),
    ("$my-ip", None), ("$1", None), ("x$my_ip", None), ("$my_ip$my_ip", None), (None, None), (5, None),
])
def test_reference_syntax_of_oslo_config(value, name):
    # oslo.config ConfigOpts.Template: string.Template with idpattern [_a-z][._a-z0-9]*, case-insensitive
    assert ns.reference(value) == name


def minimal(default_lines=""):
    return "[DEFAULT]\n%s\n[spice]\n" % default_lines


@pytest.mark.parametrize("text, params", [
    (minimal("my_ip = 10.0.0.11\n"), {"server_proxyclient_address": "$my_ip"}),
    (minimal("my_ip = 10.0.0.11\n"), {"server_proxyclient_address": "${DEFAULT.my_ip}"}),
    (minimal("my_ip = 2001:db8::11\n"), {"server_proxyclient_address": "${my_ip}"}),
    (minimal(), {"server_proxyclient_address": "$my_block_storage_ip"}),
    (minimal("mgmt_ip = 10.0.0.11\n"), {"server_proxyclient_address": "$mgmt_ip"}),
    (minimal("my_ip = 10.0.0.11\n"),
     {"server_proxyclient_address": "10.0.0.11", "server_listen": "$server_proxyclient_address"}),
    (minimal("my_ip = 10.0.0.11\nproxy_name = console1.example.com\n"),
     {"server_proxyclient_address": "$my_ip", "html5proxy_host": "$proxy_name"}),
])
def test_references_that_resolve_to_addresses_are_accepted(text, params):
    edit = ns.configure_spice(text, "all_in_one", URL, **params)
    assert edit.warnings == []
    doc = ini.parse(edit.text)
    assert doc.get("spice", "server_proxyclient_address") == params["server_proxyclient_address"]
    assert doc.get("spice", "server_listen") == params.get("server_listen", params["server_proxyclient_address"])


@pytest.mark.parametrize("text, params, fragment", [
    (minimal("my_ip = compute1\n"), {"server_proxyclient_address": "$my_ip"},
     "[spice] server_proxyclient_address = $my_ip (compute1, from [DEFAULT] my_ip) is not an IP address"),
    (minimal("my_ip = 0.0.0.0\n"), {"server_proxyclient_address": "$my_ip"},
     "[spice] server_proxyclient_address = $my_ip (0.0.0.0, from [DEFAULT] my_ip), which nova-spicehtml5proxy "
     "cannot connect to"),
    (minimal(), {"server_proxyclient_address": "$mgmt_ip"},
     "[spice] server_proxyclient_address = $mgmt_ip refers to [DEFAULT] mgmt_ip, which this nova.conf does not set"),
    (minimal(), {"server_proxyclient_address": "$MY_IP"}, "refers to [DEFAULT] MY_IP, which this nova.conf does not"),
    (minimal("a = $b\nb = $a\n"), {"server_proxyclient_address": "$a"}, "refers back to itself through [DEFAULT] a"),
    (minimal("my_ip = 10.0.0.11\n"), {"server_proxyclient_address": "$my_ip", "server_listen": "$server_listen"},
     "[spice] server_listen = $server_listen refers back to itself"),
    (minimal("my_ip = 10.0.0.11\n"), {"server_proxyclient_address": "$my_ip", "html5proxy_host": "$my_name"},
     "[spice] html5proxy_host = $my_name refers to [DEFAULT] my_name"),
    (minimal("my_ip = 10.0.0.11\nname = bad name\n"),
     {"server_proxyclient_address": "$my_ip", "html5proxy_host": "$name"},
     "[spice] html5proxy_host = $name (bad name, from [DEFAULT] name) is not an IP address or a host name"),
])
def test_references_that_do_not_resolve_to_an_address_are_refused(text, params, fragment):
    with pytest.raises(SpiceConfigError) as exc:
        ns.configure_spice(text, "all_in_one", URL, **params)
    assert fragment in str(exc.value)


@pytest.mark.parametrize("text, listen", [
    (minimal(), "0.0.0.0"), (minimal(), "::"), (minimal("any = 0.0.0.0\n"), "$any"),
])
def test_a_wildcard_listen_address_is_written_with_a_warning(text, listen):
    edit = ns.configure_spice(text, "compute", URL, server_proxyclient_address="10.0.0.11", server_listen=listen)
    assert ini.parse(edit.text).get("spice", "server_listen") == listen
    assert len(edit.warnings) == 1
    assert edit.warnings[0].startswith("[spice] server_listen = %s" % listen)
    assert "listen on every interface of this node, and they have no authentication of their own" in edit.warnings[0]


def test_kilo_my_ip_resolves_in_the_kilo_file():
    # nova-kilo.conf sets my_ip=10.0.0.31 in [DEFAULT] (nova 2015.1.0 nova/netconf.py)
    edit = ns.configure_spice(kilo(), "compute", URL, release="legacy", server_proxyclient_address="$my_ip")
    doc = ini.parse(edit.text)
    assert doc.get("spice", "server_listen") == "$my_ip"
    assert doc.get("spice", "server_proxyclient_address") == "$my_ip"
    assert edit.warnings == []
