# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/openstack_config.py, on Debian 12's real configuration files."""

from __future__ import annotations

from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import openstack_config as oc
from ansible_collections.stackops.openstack.tests.unit.module_harness import changed_lines

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"


def fixture(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- plan


@pytest.mark.parametrize("value, values", [
    ("keystone", ["keystone"]),
    ("", [""]),
    ("a\nb", ["a\nb"]),
    (8, ["8"]),
    (0, ["0"]),
    (16.0, ["16.0"]),
    (0.5, ["0.5"]),
    (True, ["true"]),
    (False, ["false"]),
    (["a", 2, True, 1.5], ["a", "2", "true", "1.5"]),
    (("x", "y"), ["x", "y"]),
    (None, None),
    ([], None),
])
def test_plan_values(value, values):
    assert oc.plan({"DEFAULT": {"opt": value}}) == [("DEFAULT", "opt", values, value)]


def test_plan_keeps_order_and_empty_sections():
    settings = {"database": {"connection": "x", "max_retries": -1}, "api": {}, "DEFAULT": {"debug": None}}
    assert oc.plan(settings) == [("database", "connection", ["x"], "x"), ("database", "max_retries", ["-1"], -1),
                                 ("api", None, None, None), ("DEFAULT", "debug", None, None)]


@pytest.mark.parametrize("settings, message", [
    ({"database": {"connection": {"url": "x"}}},
     "settings.database.connection is a dict (a mapping; only sections take a mapping of options), expected a string"),
    ({"database": "connection=x"}, "settings.database is a str, expected a mapping of option names to values"),
    ({"database": None}, "settings.database is a null, expected a mapping"),
    ({"database": ["connection"]}, "settings.database is a list, expected a mapping"),
    ({"pci": {"alias": ["a", {"b": 1}]}}, "settings.pci.alias[1] is a dict (a mapping; only sections take"),
    ({"pci": {"alias": ["a", None]}}, "settings.pci.alias[1] is a null, expected a string, number or boolean"),
    ({"pci": {"alias": [["a"]]}}, "settings.pci.alias[0] is a list, expected a string"),
    ({"DEFAULT": {"opt": object()}}, "settings.DEFAULT.opt is a object, expected a string"),
    ({"DEFAULT": {1: "x"}}, "option name 1 in settings.DEFAULT is a int, expected a string"),
    ({1: {"x": "y"}}, "section name 1 is a int, expected a string"),
    (["DEFAULT"], "settings is a list, expected a mapping of section names"),
])
def test_plan_refuses_wrong_shapes(settings, message):
    with pytest.raises(oc.OpenstackConfigError) as exc:
        oc.plan(settings)
    assert message in str(exc.value)


# --------------------------------------------------------------------------- edit on real files


NOVA_CONTROLLER = {
    "DEFAULT": {"transport_url": "rabbit://openstack:RabbitPw1@controller:5672/", "my_ip": "192.0.2.10",
                "enabled_apis": "osapi_compute,metadata"},
    "api_database": {"connection": "mysql+pymysql://nova:NovaDbPw2@controller/nova_api"},
    "database": {"connection": "mysql+pymysql://nova:NovaDbPw2@controller/nova"},
    "api": {"auth_strategy": "keystone"},
    "keystone_authtoken": {"www_authenticate_uri": "http://controller:5000/", "auth_url": "http://controller:5000/",
                           "memcached_servers": "controller:11211", "auth_type": "password",
                           "project_domain_name": "Default", "user_domain_name": "Default",
                           "project_name": "service", "username": "nova", "password": "NovaKsPw3"},
    "vnc": {"enabled": True, "server_listen": "$my_ip", "server_proxyclient_address": "$my_ip"},
    "glance": {"api_servers": "http://controller:9292"},
    "oslo_concurrency": {"lock_path": "/var/lib/nova/tmp"},
    "placement": {"region_name": "RegionOne", "project_domain_name": "Default", "project_name": "service",
                  "auth_type": "password", "user_domain_name": "Default", "auth_url": "http://controller:5000/v3",
                  "username": "placement", "password": "PlacementPw4"},
}


def _only_these_lines_changed(before, after, settings):
    """Every line the edit added or removed is one of the settings' options (or a section header)."""
    names = {option for options in settings.values() for option in options}
    for line in changed_lines(before, after):
        body = line[1:]
        assert body.startswith("[") or body.split("=")[0].strip() in names, line


def test_nova_controller_install_guide_settings():
    before = fixture("nova.conf")
    edit = oc.edit_config(before, NOVA_CONTROLLER)
    after = ini.parse(edit.text)
    for section, options in NOVA_CONTROLLER.items():
        for option, value in options.items():
            expected = "true" if value is True else value
            assert after.get_all(section, option) == [expected], (section, option)
    _only_these_lines_changed(before, edit.text, NOVA_CONTROLLER)
    # the packaged [database] connection (sqlite) is replaced in place, not repeated
    assert changed_lines(before, edit.text).count("-connection = sqlite:////var/lib/nova/novadb") == 1
    # every option the file had and the settings do not name is untouched, in the same order
    named = {(section, option) for section, options in NOVA_CONTROLLER.items() for option in options}
    old = [(key, values) for key, values in ini.parse(before).values().items() if key not in named]
    new = [(key, values) for key, values in after.values().items() if key not in named]
    assert old == new
    assert ini.parse(before).sections() == after.sections()  # every section existed already
    assert edit.warnings == []
    # a new option goes right under its commented default
    lines = edit.text.splitlines()
    assert lines[lines.index("api_servers = http://controller:9292") - 1] == "#api_servers = <None>"
    assert lines[lines.index("memcached_servers = controller:11211") - 1] == "#memcached_servers = <None>"
    again = oc.edit_config(edit.text, NOVA_CONTROLLER)
    assert again.text == edit.text


def test_nova_compute_conf_keeps_its_separator_style():
    before = fixture("nova-compute.conf")
    settings = {"libvirt": {"virt_type": "qemu", "cpu_mode": "none"}, "DEFAULT": {"compute_driver": None}}
    edit = oc.edit_config(before, settings)
    assert changed_lines(before, edit.text) == [
        "-compute_driver=libvirt.LibvirtDriver", "-virt_type=kvm", "+virt_type=qemu", "+cpu_mode=none"]
    # the new option follows its commented example ('#cpu_mode=host-passthrough'), in the file's key=value style
    assert edit.text.endswith("#cpu_mode=host-passthrough\ncpu_mode=none\n")
    assert oc.edit_config(edit.text, settings).text == edit.text


def test_neutron_booleans_keep_the_packaged_spelling():
    before = fixture("neutron.conf")
    settings = {"DEFAULT": {"notify_nova_on_port_status_changes": True, "notify_nova_on_port_data_changes": False,
                            "allow_overlapping_ips": True, "core_plugin": "ml2"}}
    edit = oc.edit_config(before, settings)
    assert changed_lines(before, edit.text) == [
        "-notify_nova_on_port_data_changes = True", "+notify_nova_on_port_data_changes = false",
        "+allow_overlapping_ips = true"]
    doc = ini.parse(edit.text)
    assert doc.get("DEFAULT", "notify_nova_on_port_status_changes") == "True"  # same truth: kept as spelled


@pytest.mark.parametrize("current", ["True", "TRUE", "yes", "on", "1"])
def test_boolean_same_truth_is_no_change(current):
    text = "[DEFAULT]\nflag = %s\n" % current
    assert oc.edit_config(text, {"DEFAULT": {"flag": True}}).text == text
    assert oc.edit_config(text, {"DEFAULT": {"flag": False}}).text == "[DEFAULT]\nflag = false\n"
    # a string is written as given, whatever it means
    assert oc.edit_config(text, {"DEFAULT": {"flag": "true"}}).text == "[DEFAULT]\nflag = true\n"


def test_boolean_over_repeated_keys_makes_one():
    text = "[DEFAULT]\nflag = True\nflag = True\n"
    assert oc.edit_config(text, {"DEFAULT": {"flag": True}}).text == "[DEFAULT]\nflag = true\n"


def test_ml2_conf_ini():
    before = fixture("ml2_conf.ini")
    settings = {"ml2": {"type_drivers": "flat,vlan,vxlan", "tenant_network_types": "vxlan",
                        "mechanism_drivers": "openvswitch,l2population", "extension_drivers": None},
                "ml2_type_flat": {"flat_networks": "provider"},
                "securitygroup": {"enable_ipset": True, "firewall_driver": "openvswitch"}}
    edit = oc.edit_config(before, settings)
    assert changed_lines(before, edit.text) == [
        "-type_drivers = flat,vxlan", "+type_drivers = flat,vlan,vxlan",
        "-extension_drivers = port_security,qos",
        "-flat_networks = external", "+flat_networks = provider",
        "+firewall_driver = openvswitch"]
    assert oc.edit_config(edit.text, settings).text == edit.text


def test_keystone_uwsgi_ini():
    before = fixture("keystone-uwsgi.ini")
    settings = {"uwsgi": {"processes": 4, "threads": 2, "master": True, "http-socket": "[::]:5000",
                          "apparmor-profile": None}}
    edit = oc.edit_config(before, settings)
    assert changed_lines(before, edit.text) == [
        "-apparmor-profile = keystone", "-processes = 8", "+processes = 4", "-threads = 32", "+threads = 2",
        "+http-socket = [::]:5000"]
    # the commented '#http-socket = :5000' at the end is its place
    assert edit.text.endswith("#http-socket = :5000\nhttp-socket = [::]:5000\n"
                              "#https-socket = 0.0.0.0:5000,foobar.crt,foobar.key\n")


def test_keystone_conf_sections_and_comments_stay():
    before = fixture("keystone.conf")
    settings = {"database": {"connection": "mysql+pymysql://keystone:KsDbPw5@controller/keystone"},
                "token": {"provider": "fernet", "expiration": 7200},
                "cache": {"enabled": True, "backend": "dogpile.cache.memcached"}}
    edit = oc.edit_config(before, settings)
    _only_these_lines_changed(before, edit.text, settings)
    assert len(changed_lines(before, edit.text)) == 5  # all five are new
    kept = [line for line in before.splitlines() if line.startswith("#") or line.startswith("[")]
    assert [line for line in edit.text.splitlines() if line.startswith("#") or line.startswith("[")] == kept


def test_placement_conf_keystone_authtoken():
    before = fixture("placement.conf")
    settings = {"placement_database": {"connection": "mysql+pymysql://placement:PlDbPw6@controller/placement"},
                "api": {"auth_strategy": "keystone"},
                "keystone_authtoken": {"auth_url": "http://controller:5000/v3", "password": "PlKsPw7",
                                       "region_name": "RegionOne"}}
    edit = oc.edit_config(before, settings)
    assert changed_lines(before, edit.text) == [
        "+auth_strategy = keystone",
        "-auth_url = http://localhost:5000", "+auth_url = http://controller:5000/v3",
        "+password = PlKsPw7",
        "-region_name = regionOne", "+region_name = RegionOne",
        "+connection = mysql+pymysql://placement:PlDbPw6@controller/placement"]


# --------------------------------------------------------------------------- repeated keys, removal, sections


def test_list_is_repeated_keys_in_order():
    text = "[pci]\n#alias =\n\n[other]\nx = 1\n"
    first = oc.edit_config(text, {"pci": {"alias": ["a1", "a2", "a3"]}}).text
    assert first == "[pci]\n#alias =\nalias = a1\nalias = a2\nalias = a3\n\n[other]\nx = 1\n"
    reordered = oc.edit_config(first, {"pci": {"alias": ["a3", "a1"]}}).text
    assert ini.parse(reordered).get_all("pci", "alias") == ["a3", "a1"]
    single = oc.edit_config(first, {"pci": {"alias": "only"}}).text
    assert single == "[pci]\n#alias =\nalias = only\n\n[other]\nx = 1\n"
    for remove in (None, []):
        assert oc.edit_config(first, {"pci": {"alias": remove}}).text == text
    assert oc.edit_config(first, {"pci": {"alias": ["a1", "a2", "a3"]}}).text == first


def test_remove_missing_option_or_section_is_no_change():
    text = fixture("ml2_conf.ini")
    assert oc.edit_config(text, {"ml2": {"no_such_option": None}}).text == text
    assert oc.edit_config(text, {"no_such_section": {"x": None}}, create=False).text == text
    assert oc.edit_config(text, {"no_such_section": {"x": None}}).text == text  # not created for nothing


def test_new_sections():
    text = "[database]\nconnection = sqlite://\n"
    edit = oc.edit_config(text, {"DEFAULT": {"debug": False}, "api": {}, "zeta": {"a": 1}})
    assert edit.text == "[DEFAULT]\ndebug = false\n\n[database]\nconnection = sqlite://\n\n[api]\n\n[zeta]\na = 1\n"
    assert oc.edit_config(edit.text, {"DEFAULT": {"debug": False}, "api": {}, "zeta": {"a": 1}}).text == edit.text


def test_empty_text_is_a_new_file():
    edit = oc.edit_config("", {"uwsgi": {"master": True, "processes": 2}})
    assert edit.text == "[uwsgi]\nmaster = true\nprocesses = 2\n"
    assert oc.edit_config("", {"uwsgi": {"master": None}}).text == ""


def test_create_false_refuses_a_missing_section():
    text = fixture("nova-compute.conf")
    with pytest.raises(oc.OpenstackConfigError) as exc:
        oc.edit_config(text, {"libvirt": {"virt_type": "qemu"}, "workarounds": {"x": "y"}}, create=False)
    assert str(exc.value) == ("section [workarounds] is not in the file and create is false; add the section, "
                              "or set create to true")
    with pytest.raises(oc.OpenstackConfigError):
        oc.edit_config(text, {"workarounds": {}}, create=False)
    # options, also new ones, in sections the file has are fine
    edit = oc.edit_config(text, {"libvirt": {"virt_type": "qemu", "images_type": "raw"}}, create=False)
    assert ini.parse(edit.text).get("libvirt", "images_type") == "raw"


def test_section_names_are_case_sensitive_with_warnings():
    text = "[DEFAULT]\ndebug = true\n\n[database]\nconnection = x\n"
    edit = oc.edit_config(text, {"default": {"debug": False}, "Database": {"connection": "y"}})
    doc = ini.parse(edit.text)
    assert doc.sections() == ["DEFAULT", "database", "default", "Database"]
    assert doc.get("DEFAULT", "debug") == "true" and doc.get("database", "connection") == "x"
    assert edit.warnings == [
        "section [default]: oslo.config reads it as a section named 'default', not as [DEFAULT] (only that exact "
        "spelling is the default section)",
        "section [Database] is new, but the file has [database]: oslo.config reads section names in lower case, "
        "so both are one section to it"]
    # an existing section in its own spelling: no warning
    assert oc.edit_config(edit.text, {"Database": {"connection": "y"}}).warnings == []


def test_unknown_content_stays():
    text = ("# managed by hand\n[DEFAULT]\n; a note\nfoo = bar\nfoo = baz\n  continued\n\n[vendor:x]\nkey: v\n"
            "[DEFAULT]\nlater = 1\n")
    edit = oc.edit_config(text, {"DEFAULT": {"later": 2}})
    assert edit.text == text.replace("later = 1", "later = 2")


def test_crlf_file_keeps_its_line_ends():
    text = "[DEFAULT]\r\ndebug = true\r\n"
    assert oc.edit_config(text, {"DEFAULT": {"debug": False, "x": 1}}).text == "[DEFAULT]\r\ndebug = false\r\nx = 1\r\n"


@pytest.mark.parametrize("settings, message", [
    ({"DEFAULT": {"my_ip": " 192.0.2.1"}}, "settings.DEFAULT.my_ip: value of my_ip cannot be written as INI"),
    ({"DEFAULT": {"password": "a\x07b"}}, "settings.DEFAULT.password: value of password contains the control"),
    ({"DEFAULT": {"a=b": "x"}}, "settings.DEFAULT.a=b: option name 'a=b' is not allowed"),
    ({"bad]section": {"a": "x"}}, "settings.bad]section.a: section name 'bad]section' is not allowed"),
    ({"bad]section": {}}, "settings.bad]section: section name 'bad]section' is not allowed"),
    ({"pci": {"alias": ["ok", "bad\rvalue"]}}, "settings.pci.alias: value of alias contains the control character"),
])
def test_engine_refusals_name_the_option_not_the_value(settings, message):
    with pytest.raises(ini.IniError) as exc:
        oc.edit_config(fixture("nova-compute.conf"), settings)
    assert message in str(exc.value)
    assert "192.0.2.1" not in str(exc.value) and "a\x07b" not in str(exc.value)


# --------------------------------------------------------------------------- secrets


@pytest.mark.parametrize("settings, secret_options, expected", [
    ({"database": {"connection": "mysql+pymysql://nova:NovaDbPw2@controller/nova"}}, (),
     ["NovaDbPw2", "mysql+pymysql://nova:NovaDbPw2@controller/nova"]),
    ({"DEFAULT": {"transport_url": "rabbit://openstack:pw1@h1:5672,openstack:pw2@h2:5672/"}}, (),
     ["rabbit://openstack:pw1@h1:5672,openstack:pw2@h2:5672/", "pw1@h1:5672,openstack:pw2", "pw1", "pw2"]),
    ({"keystone_authtoken": {"password": "KsPw", "username": "nova", "memcache_secret_key": "MemKey"}}, (),
     ["KsPw", "MemKey"]),
    ({"keystone_authtoken": {"Password": "CasePw"}}, (), ["CasePw"]),
    ({"DEFAULT": {"metadata_proxy_shared_secret": "Meta", "debug": True}}, (), ["Meta"]),
    ({"DEFAULT": {"some_url": "http://user:UrlPw@host/x", "other": "plain"}}, (), ["UrlPw"]),
    ({"DEFAULT": {"some_url": "http://host/x?token=QTok&a=b"}}, (), ["QTok"]),
    ({"uwsgi": {"env": "PASS=x1", "procname": "ks"}}, ["env"], ["PASS=x1"]),
    ({"app": {"db_pass": "P9", "user": "u"}}, ["*_PASS"], ["P9"]),
    ({"app": {"db_pass": ["P9", "P10"]}}, ["*_pass"], ["P10", "P9"]),
    ({"app": {"db_pass": 1234}}, ["*_pass"], ["1234"]),
    ({"app": {"db_pass": {"nested": "N1"}}}, ["*_pass"], ["N1"]),
    ({"libvirt": {"inject_password": True}}, (), []),
    ({"keystone_authtoken": {"password": ""}}, (), []),
    ({"keystone_authtoken": {"password": None}}, (), []),
    ({"DEFAULT": {"my_ip": "192.0.2.1", "enabled": True, "workers": 8}}, (), []),
    # names that only look secret: numbers and words that would mask the whole output as no_log values
    ({"DEFAULT": {"max_token_size": 255}, "keystone_authtoken": {"token_cache_time": 300, "auth_type": "password"},
      "service_user": {"send_service_user_token": True}, "fernet_tokens": {"key_repository": "/etc/keystone/fk"}},
     (), []),
    ({"DEFAULT": "not a mapping"}, (), []),
    ("not a mapping", (), []),
])
def test_secret_values(settings, secret_options, expected):
    assert oc.secret_values(settings, secret_options) == sorted(expected)


@pytest.mark.parametrize("value, passwords", [
    ("mysql+pymysql://nova:p@ss/w0rd@db/nova", ["p@ss/w0rd"]),
    ("rabbit://u:a,b@h/", ["a,b"]),
    ("rabbit://guest@localhost:5672/", []),
    ("rabbit://u:@h/", []),
    ("sqlite:////var/lib/nova/nova.sqlite", []),
    ("http://h/?x=1&password=Q1&secret_id=Q2", ["Q1", "Q2"]),
    ("one http://a:P1@h1/ two ftp://b:P2@h2/", ["P1", "P2"]),
])
def test_url_passwords(value, passwords):
    found = oc._url_passwords(value)  # pylint: disable=protected-access
    assert set(passwords) <= set(found)
    assert all(item in value for item in found)
    # whatever is found, the engine masks it in a diff too
    masked = ini.mask_urls(value)
    for password in passwords:
        assert password not in masked
