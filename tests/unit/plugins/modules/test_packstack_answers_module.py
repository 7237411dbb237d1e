# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/packstack_answers.py: main() on answer files in a temp directory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.modules import packstack_answers as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import exit_result, fail_result, patch_exits
from ansible_collections.stackops.openstack.tests.unit.plugins.module_utils.test_packstack_answers import BASE, HOSTS

VAULT = "Vault-admin-pw-42"


@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch, as_returned=False, collect_warnings=True)


@pytest.fixture
def answers(tmp_path):
    path = tmp_path / "answers.txt"
    path.write_text(BASE)
    path.chmod(0o600)
    return path


def run(path, check_mode=False, diff=False, **args):
    args.setdefault("hosts", HOSTS)
    return exit_result(module.main, dict(args, path=str(path), _ansible_check_mode=check_mode, _ansible_diff=diff))


def fail(path, **args):
    args.setdefault("hosts", HOSTS)
    return fail_result(module.main, dict(args, path=str(path)))


def secrets_of(text):
    doc = ini.parse(text)
    return [value for (section, key), values in doc.values().items() if module.packstack_answers.is_secret(key)
            for value in values if value and value != "PW_PLACEHOLDER"]


def test_check_mode_then_change_then_nothing(answers):
    result = run(answers, check_mode=True, diff=True, passwords={"CONFIG_KEYSTONE_ADMIN_PW": VAULT})
    assert result["changed"] is True and result["packstack_needed"] is True
    assert answers.read_text() == BASE
    assert "+CONFIG_COMPUTE_HOSTS=192.0.2.12,192.0.2.13" in result["diff"]["after"].replace("\n", "\n+") or \
        "CONFIG_COMPUTE_HOSTS=192.0.2.12,192.0.2.13" in result["diff"]["after"]
    shown = json.dumps(result)
    for secret in secrets_of(BASE) + [VAULT]:
        assert secret not in shown
    assert "CONFIG_KEYSTONE_DEMO_PW" in result["generated"]

    done = run(answers, backup=True, passwords={"CONFIG_KEYSTONE_ADMIN_PW": VAULT}, installed_hosts=[])
    text = answers.read_text()
    assert done["changed"] is True and Path(done["backup_file"]).read_text() == BASE
    assert oct(answers.stat().st_mode & 0o777) == "0o600"
    assert ini.parse(text).get("general", "CONFIG_KEYSTONE_ADMIN_PW") == VAULT
    assert done["hosts"] == ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"]
    assert done["exclude_servers"] == [] and done["new_hosts"] == done["hosts"]
    shown = json.dumps(done)
    for secret in secrets_of(text):
        assert secret not in shown
    assert {"section": "general", "key": "CONFIG_KEYSTONE_ADMIN_PW", "action": "changed", "before": "********",
            "after": "********"} in done["changes"]

    again = run(answers, passwords={"CONFIG_KEYSTONE_ADMIN_PW": VAULT}, installed_hosts=done["hosts"])
    assert again["changed"] is False and again["packstack_needed"] is False and again["changes"] == []
    assert answers.read_text() == text

    grown = run(answers, passwords={"CONFIG_KEYSTONE_ADMIN_PW": VAULT}, installed_hosts=done["hosts"],
                hosts=dict(HOSTS, compute=HOSTS["compute"] + ["192.0.2.14"]))
    assert grown["packstack_needed"] is True and grown["new_hosts"] == ["192.0.2.14"]
    assert grown["exclude_servers"] == done["hosts"]
    assert ini.parse(answers.read_text()).get("general", "EXCLUDE_SERVERS") == ",".join(done["hosts"])


def test_new_file_is_private(tmp_path):
    path = tmp_path / "new-answers.txt"
    result = run(path, check_mode=True)
    assert result["changed"] is True and not path.exists()
    result = run(path)
    assert result["changed"] is True and oct(path.stat().st_mode & 0o777) == "0o600"
    assert path.read_text().startswith("[general]\n")
    assert run(path)["changed"] is False


@pytest.mark.parametrize("args, message", [
    ({"settings": {"CONFIG_NEUTRON_L2_AGENT": "linuxbridge"}}, "CONFIG_NEUTRON_L2_AGENT is 'linuxbridge'"),
    ({"hosts": dict(HOSTS, compute=[])}, "hosts.compute is empty"),
    ({"passwords": {"CONFIG_NOVA_DB_PW": ""}}, "passwords.CONFIG_NOVA_DB_PW is empty"),
    ({"settings": {"CONFIG_NEUTRON_OVN_BRIDGE_IFACES": "br-eth1:eth1"}}, "the bridge br-eth1 is not in"),
])
def test_refusals_change_nothing(answers, args, message):
    result = fail(answers, **args)
    assert message in result["msg"] and str(answers) in result["msg"]
    assert answers.read_text() == BASE


def test_directory_and_missing_directory(tmp_path):
    assert "is a directory" in fail(tmp_path)["msg"]
    assert "its directory does not exist" in fail(tmp_path / "nope" / "answers.txt")["msg"]


def test_validate_packstack_without_the_package(answers, monkeypatch):
    monkeypatch.setattr(module, "packstack_run_setup", None)
    monkeypatch.setattr(module, "PACKSTACK_IMPORT_ERROR", "ImportError: No module named 'packstack'")
    result = fail(answers, validate="packstack")
    assert "Failed to import the required Python library (packstack)" in result["msg"]
    assert answers.read_text() == BASE


def test_validate_packstack_refusal_is_masked(answers, monkeypatch):
    def refuse(text, run_setup):
        raise module.packstack_answers.PackstackAnswersError("packstack's validation refused the answers: no")
    monkeypatch.setattr(module, "packstack_run_setup", object())
    monkeypatch.setattr(module.packstack_answers, "packstack_validate", refuse)
    result = fail(answers, validate="packstack")
    assert "packstack's validation refused the answers: no" in result["msg"]
    assert answers.read_text() == BASE


def test_validate_packstack_passes(answers, monkeypatch):
    seen = []
    monkeypatch.setattr(module, "packstack_run_setup", object())
    monkeypatch.setattr(module, "_packstack_version", lambda: "26.0.0")
    monkeypatch.setattr(module.packstack_answers, "packstack_validate", lambda text, run_setup: seen.append(text))
    result = run(answers, validate="packstack")
    assert result["validated_by"] == "packstack 26.0.0" and seen == [answers.read_text()]


def test_warning_for_a_password_of_a_service_that_is_off(answers):
    result = run(answers, passwords={"CONFIG_HEAT_DB_PW": VAULT})
    assert any("CONFIG_HEAT_DB_PW was not written" in warning for warning in result["warnings"])
    assert VAULT not in json.dumps(result)
