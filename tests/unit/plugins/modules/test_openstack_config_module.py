# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/openstack_config.py: main() on copies of Debian 12's real configuration files."""

from __future__ import annotations

import grp
import json
import os
import pwd
from pathlib import Path

import pytest
from ansible.module_utils import basic
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.modules import openstack_config as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import changed_lines, exit_result, fail_result, patch_exits

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"

RABBIT = "Rabb1t-s3cret"
NOVA_DB = "N0va-db-pw"
KEYSTONE = "Ks-auth-pw-9"
CUSTOM = "Cust0m-token-77"
SECRETS = (RABBIT, NOVA_DB, KEYSTONE, CUSTOM)

NOVA = {
    "DEFAULT": {"transport_url": "rabbit://openstack:%s@controller:5672/" % RABBIT, "my_ip": "192.0.2.10",
                "debug": False},
    "database": {"connection": "mysql+pymysql://nova:%s@controller/nova" % NOVA_DB},
    "keystone_authtoken": {"auth_url": "http://controller:5000/", "username": "nova", "password": KEYSTONE},
    "vnc": {"enabled": True},
}


@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch, mask_failures=True, collect_warnings=True)


@pytest.fixture
def logged(monkeypatch):
    """What the module logs to syslog/the journal."""
    messages = []
    monkeypatch.setattr(basic.AnsibleModule, "log", lambda self, msg, log_args=None: messages.append(msg))
    return messages


def copy_of(tmp_path, name, mode=0o640):
    path = tmp_path / name
    path.write_bytes((FIXTURES / name).read_bytes())
    path.chmod(mode)
    return path


def run(path, check_mode=False, diff=False, **args):
    return exit_result(module.main, dict(args, path=str(path), _ansible_check_mode=check_mode, _ansible_diff=diff))


def fail(path, **args):
    return fail_result(module.main, dict(args, path=str(path)))


def assert_no_secret(result, logged=()):
    shown = json.dumps(result) + "\n".join(logged)
    for secret in SECRETS:
        assert secret not in shown


# --------------------------------------------------------------------------- the main path


def test_check_mode_then_change_then_nothing(tmp_path, logged):
    conf = copy_of(tmp_path, "nova.conf")
    original = conf.read_bytes()

    preview = run(conf, check_mode=True, diff=True, settings=NOVA)
    assert preview["changed"] is True and preview["created"] is False
    assert conf.read_bytes() == original
    assert os.listdir(tmp_path) == ["nova.conf"]
    assert_no_secret(preview, logged)

    done = run(conf, diff=True, settings=NOVA)
    assert done["changed"] is True
    assert done["changes"] == preview["changes"] and done["diff"] == preview["diff"]
    assert_no_secret(done, logged)
    text = conf.read_text(encoding="utf-8")
    doc = ini.parse(text)
    assert doc.get("database", "connection") == "mysql+pymysql://nova:%s@controller/nova" % NOVA_DB
    assert doc.get("keystone_authtoken", "password") == KEYSTONE
    assert doc.get("DEFAULT", "debug") == "false" and doc.get("vnc", "enabled") == "true"
    assert len(changed_lines(original.decode(), text)) == 9  # 6 new options, 1 changed (2 lines), auth_url (2)
    assert oct(conf.stat().st_mode & 0o777) == "0o640"

    mtime = conf.stat().st_mtime_ns
    again = run(conf, diff=True, settings=NOVA)
    assert again["changed"] is False and again["changes"] == []
    assert conf.read_text(encoding="utf-8") == text and conf.stat().st_mtime_ns == mtime
    assert logged and all(message.startswith("Invoked with") for message in logged)


def test_changes_and_diff_mask_secrets(tmp_path):
    conf = copy_of(tmp_path, "nova.conf")
    result = run(conf, diff=True, settings=NOVA)
    changes = {(change["section"], change["key"]): change for change in result["changes"]}
    assert changes[("database", "connection")] == {
        "section": "database", "key": "connection", "action": "changed", "before": "********", "after": "********"}
    assert changes[("DEFAULT", "transport_url")]["after"] == "********"
    assert changes[("keystone_authtoken", "password")] == {
        "section": "keystone_authtoken", "key": "password", "action": "added", "before": None, "after": "********"}
    assert changes[("DEFAULT", "my_ip")] == {
        "section": "DEFAULT", "key": "my_ip", "action": "added", "before": None, "after": "192.0.2.10"}
    assert changes[("keystone_authtoken", "auth_url")]["before"] == "http://localhost:5000"
    diff_lines = changed_lines(result["diff"]["before"], result["diff"]["after"])
    assert "+password = ********" in diff_lines and "+transport_url = ********" in diff_lines
    assert "+my_ip = 192.0.2.10" in diff_lines
    assert result["diff"]["before_header"] == str(conf)
    # the secrets are also no_log values: Ansible masks them in the echoed arguments
    settings = result["invocation"]["module_args"]["settings"]
    assert settings["keystone_authtoken"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert settings["keystone_authtoken"]["username"] == "nova"


def test_the_invocation_log_waits_for_the_secrets(tmp_path, logged):
    conf = copy_of(tmp_path, "neutron.conf")
    settings = {"database": {"connection": "mysql+pymysql://neutron:%s@controller/neutron" % NOVA_DB},
                "nova": {"password": KEYSTONE}, "app": {"api_token_value": CUSTOM}}
    run(conf, settings=settings, secret_options=["api_token_*"])
    assert len(logged) == 1
    assert "Invoked with" in logged[0] and "api_token_value" in logged[0] and "path=%s" % conf in logged[0]
    assert_no_secret({}, logged)


def test_no_log_task_logs_nothing(tmp_path, logged):
    conf = copy_of(tmp_path, "neutron.conf")
    exit_result(module.main, {"path": str(conf), "settings": {"nova": {"password": KEYSTONE}}, "_ansible_no_log": True})
    assert logged == []


def test_secret_options_are_masked_in_the_whole_file(tmp_path):
    conf = copy_of(tmp_path, "keystone-uwsgi.ini")
    result = run(conf, diff=True, settings={"uwsgi": {"env": "SIGNING=%s" % CUSTOM}}, secret_options=["env", "uid"])
    assert_no_secret(result)
    assert {"section": "uwsgi", "key": "env", "action": "added", "before": None, "after": "********"} in \
        result["changes"]
    # an option of the file named in secret_options is masked too, though the task does not touch it
    assert "uid = ********" in result["diff"]["after"] and "uid = keystone" not in result["diff"]["before"]
    assert "SIGNING=%s" % CUSTOM in conf.read_text()


def test_removal_and_repeated_keys(tmp_path):
    conf = copy_of(tmp_path, "ml2_conf.ini")
    result = run(conf, settings={"ml2": {"extension_drivers": None, "mechanism_drivers": ["openvswitch", "l2pop"]}})
    assert result["changed"] is True
    assert sorted((c["key"], c["action"], c["before"], c["after"]) for c in result["changes"]) == [
        ("extension_drivers", "removed", "port_security,qos", None),
        ("mechanism_drivers", "changed", "openvswitch,l2population", ["openvswitch", "l2pop"])]
    doc = ini.parse(conf.read_text())
    assert doc.get_all("ml2", "mechanism_drivers") == ["openvswitch", "l2pop"]
    assert run(conf, settings={"ml2": {"extension_drivers": None,
                                       "mechanism_drivers": ["openvswitch", "l2pop"]}})["changed"] is False


def test_backup(tmp_path):
    conf = copy_of(tmp_path, "placement.conf")
    original = conf.read_bytes()
    result = run(conf, backup=True, settings={"api": {"auth_strategy": "keystone"}})
    assert result["changed"] is True and Path(result["backup_file"]).read_bytes() == original
    assert oct(Path(result["backup_file"]).stat().st_mode & 0o777) == "0o640"
    assert run(conf, backup=True, settings={"api": {"auth_strategy": "keystone"}})["backup_file"] is None
    assert run(conf, backup=True, check_mode=True, settings={"api": {"auth_strategy": "noauth2"}})["backup_file"] is None
    assert len(os.listdir(tmp_path)) == 2


def test_symlink_edits_its_target(tmp_path):
    conf = copy_of(tmp_path, "nova-compute.conf", mode=0o600)
    link = tmp_path / "link.conf"
    link.symlink_to(conf.name)
    assert run(link, settings={"libvirt": {"virt_type": "qemu"}}, mode="0640")["changed"] is True
    assert link.is_symlink() and "virt_type=qemu" in conf.read_text()
    assert oct(conf.stat().st_mode & 0o777) == "0o640"


def test_warnings(tmp_path):
    conf = copy_of(tmp_path, "nova-compute.conf")
    result = run(conf, settings={"default": {"x": 1}, "LIBVIRT": {"virt_type": "qemu"}})
    assert result["warnings"] == [
        "%s: section [default]: oslo.config reads it as a section named 'default', not as [DEFAULT] (only that exact "
        "spelling is the default section)" % conf,
        "%s: section [LIBVIRT] is new, but the file has [libvirt]: oslo.config reads section names in lower case, "
        "so both are one section to it" % conf]


# --------------------------------------------------------------------------- new files and file attributes


def test_new_file(tmp_path):
    path = tmp_path / "placement-uwsgi.ini"
    settings = {"uwsgi": {"processes": 2, "master": True, "http-socket": "[::]:8778"}}
    preview = run(path, check_mode=True, diff=True, settings=settings)
    assert preview["changed"] is True and preview["created"] is True and not path.exists()
    assert preview["diff"]["before"] == ""

    done = run(path, settings=settings)
    assert done["changed"] is True and done["created"] is True
    assert path.read_text() == "[uwsgi]\nprocesses = 2\nmaster = true\nhttp-socket = [::]:8778\n"
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    assert [(c["key"], c["action"]) for c in done["changes"]] == [
        ("processes", "added"), ("master", "added"), ("http-socket", "added")]

    again = run(path, settings=settings)
    assert again["changed"] is False and again["created"] is False


def test_new_file_with_mode_and_group(tmp_path):
    path = tmp_path / "new.conf"
    group = grp.getgrgid(os.getegid()).gr_name
    result = run(path, settings={"database": {"connection": "sqlite://"}}, mode="0600", group=group)
    assert result["changed"] is True and oct(path.stat().st_mode & 0o777) == "0o600"
    assert path.stat().st_gid == os.getegid()


def test_only_removals_create_no_file(tmp_path):
    path = tmp_path / "absent.conf"
    result = run(path, settings={"DEFAULT": {"debug": None}}, mode="0600")
    assert result["changed"] is False and result["created"] is False and not path.exists()


def test_file_attributes_apply_when_nothing_else_changes(tmp_path):
    conf = copy_of(tmp_path, "ml2_conf.ini", mode=0o644)
    settings = {"ml2": {"type_drivers": "flat,vxlan"}}  # as in the file
    owner = pwd.getpwuid(os.geteuid()).pw_name
    preview = run(conf, check_mode=True, diff=True, settings=settings, mode="0640", owner=owner)
    assert preview["changed"] is True and oct(conf.stat().st_mode & 0o777) == "0o644"
    assert preview["diff"][1] == {"before": {"path": str(conf), "mode": "0644"},
                                  "after": {"path": str(conf), "mode": "0640"}}
    assert preview["changes"] == []

    done = run(conf, settings=settings, mode="0640", owner=owner)
    assert done["changed"] is True and oct(conf.stat().st_mode & 0o777) == "0o640"
    assert run(conf, settings=settings, mode="0640", owner=owner)["changed"] is False
    # without mode, an existing file keeps its own
    assert run(conf, settings={"ml2": {"type_drivers": "vxlan"}})["changed"] is True
    assert oct(conf.stat().st_mode & 0o777) == "0o640"


# --------------------------------------------------------------------------- refusals


@pytest.mark.parametrize("settings, message", [
    ({"database": {"connection": {"url": "mysql://nova:%s@db/nova" % NOVA_DB}}},
     "settings.database.connection is a dict"),
    ({"database": "connection = x"}, "settings.database is a str, expected a mapping of option names to values"),
    ({"database": None}, "settings.database is a null, expected a mapping"),
    ({"DEFAULT": {"transport_url": " rabbit://u:%s@h/" % RABBIT}},
     "settings.DEFAULT.transport_url: value of transport_url cannot be written as INI: line 1 of the value starts"),
    ({"DEFAULT": {"bad key": "x", "a=b": "y"}}, "settings.DEFAULT.a=b: option name 'a=b' is not allowed"),
])
def test_bad_settings_are_refused_naming_them(tmp_path, settings, message):
    conf = copy_of(tmp_path, "nova-compute.conf")
    original = conf.read_bytes()
    result = fail(conf, settings=settings)
    assert message in result["msg"] and result["msg"].startswith(str(conf))
    assert conf.read_bytes() == original
    assert_no_secret(result)


def test_settings_must_be_a_mapping(tmp_path):
    conf = copy_of(tmp_path, "nova-compute.conf")
    result = fail(conf, settings=["DEFAULT"])
    assert "settings" in result["msg"] and "dict" in result["msg"]


def test_create_false(tmp_path):
    conf = copy_of(tmp_path, "nova-compute.conf")
    original = conf.read_bytes()
    result = fail(conf, create=False, settings={"libvirt": {"virt_type": "qemu"}, "workarounds": {"a": "b"}})
    assert result["msg"] == ("%s: section [workarounds] is not in the file and create is false; add the section, "
                             "or set create to true" % conf)
    assert conf.read_bytes() == original
    missing = tmp_path / "missing.conf"
    result = fail(missing, create=False, settings={"DEFAULT": {"a": 1}})
    assert result["msg"] == "%s does not exist and create is false; set create to true to create it" % missing
    assert not missing.exists()


def test_missing_directory(tmp_path):
    path = tmp_path / "nope" / "x.conf"
    assert fail(path, settings={"DEFAULT": {"a": 1}})["msg"] == (
        "%s cannot be created: its directory %s does not exist" % (path, path.parent))


def test_dangling_symlink(tmp_path):
    link = tmp_path / "x.conf"
    link.symlink_to("gone.conf")
    assert fail(link, settings={"DEFAULT": {"a": 1}})["msg"] == (
        "%s is a symbolic link to gone.conf, which does not exist" % link)
    assert not (tmp_path / "gone.conf").exists()


@pytest.mark.parametrize("make, message", [
    (Path.mkdir, "is a directory, expected the INI configuration file"),
    (os.mkfifo, "is a FIFO (named pipe), expected a regular file"),
    (lambda path: path.write_bytes(b"[DEFAULT]\nx = \xff\n"), "is not UTF-8 text: byte 0xff on line 2"),
    (lambda path: path.write_text("[DEFAULT]\nno separator here\n"), "cannot parse %s: line 2: cannot parse"),
])
def test_unreadable_files(tmp_path, make, message):
    path = tmp_path / "x.conf"
    make(path)
    result = fail(path, settings={"DEFAULT": {"a": 1}})
    assert (message % path if "%s" in message else message) in result["msg"]


def test_unreadable_file_permission(tmp_path, monkeypatch):
    conf = copy_of(tmp_path, "nova-compute.conf")

    def denied(path, limit=ini.MAX_FILE_BYTES):
        raise PermissionError(13, "Permission denied", path)
    monkeypatch.setattr(ini, "read_file", denied)
    result = fail(conf, settings={"DEFAULT": {"a": 1}})
    assert result["msg"] == "cannot read %s: [Errno 13] Permission denied: '%s'" % (conf, conf)
