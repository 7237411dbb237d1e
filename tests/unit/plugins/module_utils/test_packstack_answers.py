# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/packstack_answers.py (the packstack answer file edit).

The base text has the shape of packstack 26's --gen-answer-file output (comment, key=value,
blank line) with a few keys; the integration target runs the real packstack on the result.
"""

from __future__ import annotations

import types

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import packstack_answers as pa

BASE = """[general]

# Comma-separated list of servers to be excluded from the installation.
EXCLUDE_SERVERS=

# Server on which to install OpenStack services specific to the
# controller role.
CONFIG_CONTROLLER_HOST=192.0.2.2

CONFIG_COMPUTE_HOSTS=192.0.2.2

CONFIG_NETWORK_HOSTS=192.0.2.2

CONFIG_STORAGE_HOST=192.0.2.2

CONFIG_UNSUPPORTED=n

CONFIG_HEAT_INSTALL=n

CONFIG_AMQP_HOST=192.0.2.2

CONFIG_MARIADB_HOST=192.0.2.2

# Password for the MariaDB administrative user.
CONFIG_MARIADB_PW=70e5cdfe8f5a430f

CONFIG_KEYSTONE_DB_PW=64155f72bab74cee

CONFIG_KEYSTONE_FERNET_TOKEN_ROTATE_ENABLE=True

CONFIG_KEYSTONE_ADMIN_PW=bcedea35bf40414c

CONFIG_KEYSTONE_DEMO_PW=PW_PLACEHOLDER

CONFIG_NOVA_DB_PW=ff29fec0245d46f8

CONFIG_HEAT_DB_PW=PW_PLACEHOLDER

CONFIG_HEAT_AUTH_ENC_KEY=e30d6d0029b54210

CONFIG_NEUTRON_L2_AGENT=ovn

CONFIG_NEUTRON_OVN_BRIDGE_MAPPINGS=extnet:br-ex

CONFIG_NEUTRON_OVN_BRIDGE_IFACES=

CONFIG_REDIS_HOST=192.0.2.2
"""
HOSTS = {"controller": "192.0.2.10", "network": ["192.0.2.11"], "compute": ["192.0.2.12", "192.0.2.13"]}
ALL_HOSTS = ["192.0.2.10", "192.0.2.11", "192.0.2.12", "192.0.2.13"]


def counter():
    """A generate() that returns distinct, recognisable secrets."""
    made = []

    def generate(length=16):
        made.append(("s%02d" % len(made)) * 11)
        return made[-1][:length]
    return generate


def edit(text=BASE, **kwargs):
    kwargs.setdefault("hosts", HOSTS)
    kwargs.setdefault("generate", counter())
    return pa.edit_answers(text, **kwargs)


def value(text, key):
    return ini.parse(text).get(pa.SECTION, key)


def test_tables_agree_with_each_other():
    covered = {key for keys, needs in pa.SERVICE_CONDITIONS for key in keys}
    assert pa.GENERATED_PASSWORDS <= covered
    assert covered <= pa.GENERATED_PASSWORDS | set(pa.RANDOM_DEFAULTS)
    assert set(pa.DEPRECATED_KEYS.values()) <= pa.KNOWN_KEYS
    assert not set(pa.DEPRECATED_KEYS) & pa.KNOWN_KEYS
    assert pa.GENERATED_PASSWORDS <= pa.MASKED_KEYS
    assert all(needed in pa.YES_NO_KEYS for keys, needs in pa.SERVICE_CONDITIONS for needed in needs)
    assert len(pa.KNOWN_KEYS) == 292


def test_hosts_keep_comments_and_other_keys():
    result = edit()
    assert value(result.text, "CONFIG_CONTROLLER_HOST") == "192.0.2.10"
    assert value(result.text, "CONFIG_COMPUTE_HOSTS") == "192.0.2.12,192.0.2.13"
    assert value(result.text, "CONFIG_NETWORK_HOSTS") == "192.0.2.11"
    for key in pa.CONTROLLER_SERVICE_HOSTS:
        assert value(result.text, key) == "192.0.2.10"
    assert value(result.text, "CONFIG_STORAGE_HOST") == "192.0.2.2"  # ignored by packstack without CONFIG_UNSUPPORTED
    assert "# Password for the MariaDB administrative user.\nCONFIG_MARIADB_PW=70e5cdfe8f5a430f\n" in result.text
    assert result.hosts == ALL_HOSTS
    assert result.packstack_needed and result.answers_changed
    assert edit(result.text).text == result.text


def test_passwords_kept_filled_and_given():
    result = edit(passwords={"CONFIG_NOVA_DB_PW": "vault-nova-db"})
    assert value(result.text, "CONFIG_MARIADB_PW") == "70e5cdfe8f5a430f"  # a real one stays
    assert value(result.text, "CONFIG_NOVA_DB_PW") == "vault-nova-db"  # the vault wins
    assert value(result.text, "CONFIG_KEYSTONE_DEMO_PW") == "s00s00s00s00s00s"  # placeholder filled
    assert value(result.text, "CONFIG_HEAT_DB_PW") == pa.PLACEHOLDER  # heat is off: left for packstack
    assert "CONFIG_KEYSTONE_DEMO_PW" in result.generated and "CONFIG_NOVA_KS_PW" in result.generated  # missing one
    assert "CONFIG_NOVA_DB_PW" not in result.generated
    again = edit(result.text, passwords={"CONFIG_NOVA_DB_PW": "vault-nova-db"})
    assert again.text == result.text and again.generated == [] and not again.answers_changed


def test_default_password_fills_placeholders_like_packstack():
    result = edit(passwords={"CONFIG_DEFAULT_PASSWORD": "same-everywhere"})
    assert value(result.text, "CONFIG_KEYSTONE_DEMO_PW") == "same-everywhere"
    assert value(result.text, "CONFIG_KEYSTONE_ADMIN_PW") == "bcedea35bf40414c"


def test_enabling_a_service_fills_its_secrets_only():
    result = edit(settings={"CONFIG_HEAT_INSTALL": True})
    assert value(result.text, "CONFIG_HEAT_INSTALL") == "y"
    assert value(result.text, "CONFIG_HEAT_DB_PW") not in (None, pa.PLACEHOLDER)
    assert value(result.text, "CONFIG_HEAT_AUTH_ENC_KEY") == "e30d6d0029b54210"
    assert {"CONFIG_HEAT_DB_PW", "CONFIG_HEAT_KS_PW", "CONFIG_HEAT_DOMAIN_PASSWORD"} <= set(result.generated)
    assert "CONFIG_IRONIC_DB_PW" not in result.generated


def test_random_default_missing_is_generated():
    text = BASE.replace("CONFIG_HEAT_AUTH_ENC_KEY=e30d6d0029b54210\n", "")
    result = edit(text, settings={"CONFIG_HEAT_INSTALL": "y"})
    assert "CONFIG_HEAT_AUTH_ENC_KEY" in result.generated and "CONFIG_SWIFT_HASH" in result.generated
    assert len(value(result.text, "CONFIG_HORIZON_SECRET_KEY")) == 32


def test_password_of_a_service_that_is_off_is_not_written():
    result = edit(passwords={"CONFIG_HEAT_DB_PW": "vault-heat"})
    assert value(result.text, "CONFIG_HEAT_DB_PW") == pa.PLACEHOLDER
    assert any("CONFIG_HEAT_DB_PW was not written" in warning and "vault-heat" not in warning
               for warning in result.warnings)


def test_bool_keys_read_back_as_true_are_the_same():
    result = edit(settings={"CONFIG_KEYSTONE_FERNET_TOKEN_ROTATE_ENABLE": "y"})
    assert value(result.text, "CONFIG_KEYSTONE_FERNET_TOKEN_ROTATE_ENABLE") == "True"


def test_new_file_from_nothing():
    result = edit("", settings={"CONFIG_NEUTRON_OVN_BRIDGE_IFACES": "br-ex:eth1"})
    assert result.text.startswith("[general]\n")
    assert value(result.text, "CONFIG_NEUTRON_OVN_BRIDGE_IFACES") == "br-ex:eth1"
    assert "CONFIG_MARIADB_PW" in result.generated and "CONFIG_SWIFT_HASH" in result.generated


def test_redis_host_left_when_redis_is_not_used():
    result = edit(settings={"CONFIG_CEILOMETER_COORDINATION_BACKEND": "none"})
    assert value(result.text, "CONFIG_REDIS_HOST") == "192.0.2.2"
    assert "192.0.2.2" not in result.hosts


@pytest.mark.parametrize("installed, needed, exclude, new", [
    (None, False, [], []),
    (ALL_HOSTS, False, [], []),
    (ALL_HOSTS[:3], True, ALL_HOSTS[:3], ALL_HOSTS[3:]),
    ([], True, [], ALL_HOSTS),
])
def test_installed_hosts_and_exclude_servers(installed, needed, exclude, new):
    text = edit().text
    result = edit(text, installed_hosts=installed)
    assert not result.answers_changed or installed is not None
    assert result.packstack_needed is needed
    assert result.exclude_servers == exclude and result.new_hosts == new
    assert value(result.text, "EXCLUDE_SERVERS") == ",".join(exclude)
    assert edit(result.text, installed_hosts=installed).text == result.text


def test_changed_answers_exclude_nothing():
    text = edit().text
    result = edit(text, installed_hosts=ALL_HOSTS[:3], settings={"CONFIG_HEAT_INSTALL": "y"})
    assert result.packstack_needed and result.exclude_servers == [] and result.new_hosts == ALL_HOSTS[3:]


@pytest.mark.parametrize("kwargs, message", [
    ({"hosts": {"network": ["n1"], "compute": ["c1"]}}, "hosts.controller is missing"),
    ({"hosts": {"controller": "c", "network": ["n1"], "compute": []}}, "hosts.compute is empty"),
    ({"hosts": {"controller": "c", "network": [], "compute": ["c1"]}}, "hosts.network is empty"),
    ({"hosts": {"controller": "c", "network": ["n1"], "compute": ["a,b"]}}, "hosts.compute[0] is 'a,b'"),
    ({"hosts": {"controller": "c/24", "network": ["n1"], "compute": ["c1"]}}, "hosts.controller is 'c/24'"),
    ({"hosts": {"controller": "c", "network": ["n1"], "compute": ["c1", "c1"]}}, "hosts.compute lists c1 twice"),
    ({"hosts": {"controller": "c", "network": ["n1"], "compute": ["c1"], "nfs": "x"}}, "hosts has nfs"),
    ({"hosts": dict(HOSTS, storage="192.0.2.20")}, "CONFIG_STORAGE_HOST is set to 192.0.2.20 but CONFIG_UNSUPPORTED"),
    ({"settings": {"config_nova_install": "y"}}, "expected an upper-case packstack parameter name"),
    ({"settings": {"CONFIG_MYSQL_HOST": "x"}}, "deprecated key CONFIG_MYSQL_HOST, expected its replacement "
                                               "CONFIG_MARIADB_HOST"),
    ({"settings": {"CONFIG_NAGIOS_INSTALL": "y"}}, "CONFIG_NAGIOS_INSTALL, which packstack 26.0.0 does not know"),
    ({"settings": {"CONFIG_NOVA_DB_PW": "x"}}, "give it in passwords"),
    ({"settings": {"CONFIG_NOVA_INSTALL": "yes"}}, "CONFIG_NOVA_INSTALL is 'yes', expected y or n"),
    ({"settings": {"CONFIG_NOVA_INSTALL": "Y"}}, "CONFIG_NOVA_INSTALL is 'Y', expected y or n"),
    ({"settings": {"CONFIG_NOVA_INSTALL": ""}}, "CONFIG_NOVA_INSTALL is '', expected y or n"),
    ({"settings": {"CONFIG_CINDER_DB_PURGE_ENABLE": "maybe"}}, "CONFIG_CINDER_DB_PURGE_ENABLE is 'maybe'"),
    ({"settings": {"CONFIG_NEUTRON_INSTALL": "n"}}, "CONFIG_NEUTRON_INSTALL is 'n', expected y"),
    ({"settings": {"CONFIG_NEUTRON_L2_AGENT": "linuxbridge"}}, "expected openvswitch or ovn: packstack 26.0.0 supports no other (linuxbridge was removed)"),
    ({"settings": {"CONFIG_NEUTRON_OVN_BRIDGE_IFACES": "br-ex"}}, "has 'br-ex', expected bridge:interface pairs"),
    ({"settings": {"CONFIG_NEUTRON_OVN_BRIDGE_IFACES": "br-ex:eth1:x"}}, "has 'br-ex:eth1:x'"),
    ({"settings": {"CONFIG_NEUTRON_OVN_BRIDGE_IFACES": "br-eth1:eth1"}}, "the bridge br-eth1 is not in "
                                                                         "CONFIG_NEUTRON_OVN_BRIDGE_MAPPINGS"),
    ({"settings": {"CONFIG_NEUTRON_OVN_BRIDGE_MAPPINGS": "extnet"}}, "expected physnet:bridge pairs"),
    ({"settings": {"CONFIG_NEUTRON_OVN_BRIDGES_COMPUTE": "br-ex"}}, "expected a bridge of both"),
    ({"settings": {"CONFIG_NEUTRON_OVN_EXTERNAL_PHYSNET": "public"}}, "is public, expected a physical network"),
    ({"settings": {"CONFIG_NEUTRON_OVS_BRIDGE_IFACES": "br-ex:eth1"}}, "CONFIG_NEUTRON_L2_AGENT is ovn, so packstack "
                                                                       "ignores it"),
    ({"settings": {"CONFIG_STORAGE_HOST": "192.0.2.20"}}, "CONFIG_UNSUPPORTED is 'n'"),
    ({"settings": {"CONFIG_HEAT_CFN_INSTALL": "y"}}, "reads only when CONFIG_HEAT_INSTALL=y (now CONFIG_HEAT_INSTALL=n)"),
    ({"settings": {"CONFIG_KEYSTONE_LDAP_URL": "ldap://x"}}, "only when CONFIG_KEYSTONE_IDENTITY_BACKEND=ldap"),
    ({"settings": {"CONFIG_CEILOMETER_INSTALL": "n", "CONFIG_ENABLE_CEILOMETER_MIDDLEWARE": "y"}}, "only when CONFIG_CEILOMETER_INSTALL=y"),
    ({"settings": {"CONFIG_CONTROLLER_HOST": "x"}}, "which hosts sets"),
    ({"settings": {"CONFIG_NOVA_SCHED_RAM_ALLOC_RATIO": " 1.5"}}, "starts or ends with a blank"),
    ({"settings": {"CONFIG_NTP_SERVERS": None}}, "is null"),
    ({"settings": {"CONFIG_NTP_SERVERS": True}}, "not a y/n key"),
    ({"passwords": {"CONFIG_NOVA_DB_PW": ""}}, "passwords.CONFIG_NOVA_DB_PW is empty"),
    ({"passwords": {"CONFIG_NOVA_INSTALL": "y"}}, "not a secret; give it in settings"),
    ({"passwords": {"CONFIG_NOVA_DB_PW": 5}}, "not a string"),
    ({"installed_hosts": ["a"], "settings": {"EXCLUDE_SERVERS": "a"}}, "which installed_hosts sets"),
    ({"hosts": None, "text": BASE.replace("CONFIG_COMPUTE_HOSTS=192.0.2.2\n", "")}, "CONFIG_COMPUTE_HOSTS is missing"),
    ({"text": BASE.replace("CONFIG_NOVA_DB_PW=ff29fec0245d46f8", "CONFIG_NOVA_DB_PW=")}, "CONFIG_NOVA_DB_PW is empty in the file"),
    ({"text": BASE + "config_nova_install=y\n"}, "in lower case"),
    ({"text": BASE + "CONFIG_REDIS_HOST=192.0.2.3\n"}, "sets CONFIG_REDIS_HOST more than once"),
])
def test_refused(kwargs, message):
    text = kwargs.pop("text", BASE)
    with pytest.raises(pa.PackstackAnswersError) as exc:
        edit(text, **kwargs)
    assert message in str(exc.value)


def test_unknown_keys_when_allowed_and_in_the_file():
    result = edit(BASE + "CONFIG_NAGIOS_INSTALL=n\n", settings={"CONFIG_FUTURE_OPTION": "1"}, allow_unknown=True)
    assert value(result.text, "CONFIG_FUTURE_OPTION") == "1"
    warned = edit(BASE + "CONFIG_NAGIOS_INSTALL=n\nCONFIG_MYSQL_PW=old\n").warnings
    assert any("CONFIG_NAGIOS_INSTALL, which packstack 26.0.0 does not know" in warning for warning in warned)
    assert any("deprecated key CONFIG_MYSQL_PW" in warning and "old" not in warning.split() for warning in warned)


def test_values_from_yaml_types():
    result = edit(settings={"CONFIG_NTP_SERVERS": ["0.pool.ntp.org", "1.pool.ntp.org"],
                            "CONFIG_NOVA_SCHED_RAM_ALLOC_RATIO": 1.5, "CONFIG_PROVISION_DEMO": False})
    assert value(result.text, "CONFIG_NTP_SERVERS") == "0.pool.ntp.org,1.pool.ntp.org"
    assert value(result.text, "CONFIG_NOVA_SCHED_RAM_ALLOC_RATIO") == "1.5"
    assert value(result.text, "CONFIG_PROVISION_DEMO") == "n"


@pytest.mark.parametrize("key, secret", [
    ("CONFIG_NOVA_DB_PW", True), ("CONFIG_AMQP_AUTH_PASSWORD", True), ("CONFIG_SWIFT_HASH", True),
    ("CONFIG_HEAT_AUTH_ENC_KEY", True), ("CONFIG_MANILA_SERVICE_INSTANCE_PASSWORD", True),
    ("CONFIG_DEFAULT_PASSWORD", True), ("CONFIG_NOVA_INSTALL", False), ("CONFIG_SSH_KEY", False),
    ("CONFIG_CONTROLLER_HOST", False),
])
def test_secrets(key, secret):
    assert pa.is_secret(key) is secret


def test_diff_and_changes_mask_every_password():
    result = edit(passwords={"CONFIG_NOVA_DB_PW": "vault-nova-db"})
    shown = str(ini.diff(BASE, result.text, "answers.txt", pa.secret_predicate))
    shown += str(ini.changes(BASE, result.text, pa.secret_predicate))
    for secret in ("vault-nova-db", "70e5cdfe8f5a430f", "s00s00s00s00s00s", "e30d6d0029b54210", "ff29fec0245d46f8"):
        assert secret not in shown
    assert "192.0.2.10" in shown


@pytest.mark.parametrize("length", [16, 32])
def test_random_secret(length):
    made = {pa.random_secret(length) for count in range(50)}
    assert len(made) == 50
    for secret in made:
        assert len(secret) == length and set(secret) <= set("0123456789abcdef")
        with pytest.raises(ValueError):
            float(secret)


class FakeController:
    def __init__(self, fail=None):
        self.CONF = {}  # pylint: disable=invalid-name
        self.fail = fail
        self.plugins = []

    def getAllPlugins(self):  # pylint: disable=invalid-name
        return self.plugins


def fake_run_setup(fail=None):
    controller = FakeController(fail)

    def handle(path):
        with open(path) as handle_file:
            text = handle_file.read()
        print("Parameter CONFIG_X failed validation")
        if fail:
            raise Exception(fail)  # pylint: disable=broad-exception-raised
        controller.CONF.update(ini.parse(text).values())

    def load():
        controller.plugins.append("loaded")
    return types.SimpleNamespace(controller=controller, _handleParams=handle, loadPlugins=load,
                                 initPluginsConfig=lambda: None)


def test_packstack_validate_returns_conf_and_masks_refusals(capsys, tmp_path):
    key = tmp_path / "id_rsa.pub"
    key.write_text("ssh-ed25519 AAAA test\n")
    text = BASE.replace("[general]\n", "[general]\nCONFIG_SSH_KEY=%s\n" % key, 1)
    run_setup = fake_run_setup()
    conf = pa.packstack_validate(text, run_setup)
    assert run_setup.controller.plugins == ["loaded"] and ("general", "CONFIG_MARIADB_PW") in conf
    assert capsys.readouterr().out == ""  # packstack's prints never reach the module's JSON
    with pytest.raises(pa.PackstackAnswersError) as exc:
        pa.packstack_validate(text, fake_run_setup(fail="Given value is not allowed: 70e5cdfe8f5a430f"))
    assert "70e5cdfe8f5a430f" not in str(exc.value) and ini.MASK in str(exc.value)
    assert "Parameter CONFIG_X failed validation" in str(exc.value)


@pytest.mark.parametrize("hosts, settings, exclude", [
    (dict(HOSTS, compute=HOSTS["compute"] + ["192.0.2.14"]), {}, ALL_HOSTS),
    (dict(HOSTS, network=HOSTS["network"] + ["192.0.2.15"]), {}, ALL_HOSTS),
    (dict(HOSTS, compute=HOSTS["compute"] + ["192.0.2.14"]), {"CONFIG_NOVA_SCHED_RAM_ALLOC_RATIO": "2.0"}, []),
    (dict(HOSTS, controller="192.0.2.9"), {}, []),
    (dict(HOSTS, compute=["192.0.2.14"]), {}, []),
])
def test_grown_host_lists_exclude_the_installed(hosts, settings, exclude):
    text = edit().text
    result = edit(text, hosts=hosts, settings=settings, installed_hosts=ALL_HOSTS)
    assert result.packstack_needed and result.exclude_servers == exclude


def test_packstack_validate_never_creates_an_ssh_key(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    run_setup = fake_run_setup()
    for text in (BASE, BASE.replace("[general]\n", "[general]\nCONFIG_SSH_KEY=%s/none\n" % tmp_path, 1)):
        with pytest.raises(pa.PackstackAnswersError) as exc:
            pa.packstack_validate(text, run_setup)
        assert "would create a new SSH key" in str(exc.value)
    assert run_setup.controller.plugins == [] and list(tmp_path.iterdir()) == []


def test_setting_read_under_a_condition_it_sets_itself():
    result = edit(settings={"CONFIG_HEAT_INSTALL": "y", "CONFIG_HEAT_CFN_INSTALL": "n"})
    assert value(result.text, "CONFIG_HEAT_CFN_INSTALL") == "n"
    assert pa.READ_WHEN and all(needs and keys for needs, keys in pa.READ_WHEN)
