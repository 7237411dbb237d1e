# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/xenserver_nova.py and the xenserver_nova_settings filter.

The option names pinned here were read in openstack/nova at each release's tag: where each XenAPI
option is defined (nova/virt/xenapi/*.py, nova/conf/xenserver.py from Newton) and the group its
list is registered in (none before Icehouse, 'xenserver' after).
"""

from __future__ import annotations

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.stackops.openstack.plugins.filter.xenserver_nova_settings import xenserver_nova_settings
from ansible_collections.stackops.openstack.plugins.module_utils import xenserver_nova
from ansible_collections.stackops.openstack.plugins.module_utils.xenserver_nova import XenServerNovaError

CONNECTION = {"connection_url": "http://169.254.0.1", "connection_username": "root", "connection_password": "pw"}


@pytest.mark.parametrize("release, setting, name", [
    ("grizzly", "connection_url", ("DEFAULT", "xenapi_connection_url")),
    ("havana", "vif_driver", ("DEFAULT", "xenapi_vif_driver")),
    ("havana", "ovs_integration_bridge", ("DEFAULT", "xenapi_ovs_integration_bridge")),
    ("grizzly", "sr_matching_filter", ("DEFAULT", "sr_matching_filter")),
    ("icehouse", "connection_url", ("xenserver", "connection_url")),
    ("icehouse", "sr_matching_filter", ("xenserver", "sr_matching_filter")),
    ("queens", "vif_driver", ("xenserver", "vif_driver")),
    ("rocky", "vif_driver", None),
    ("queens", "image_handler", None),
    ("rocky", "image_handler", ("xenserver", "image_handler")),
    ("Ussuri", "sr_base_path", ("xenserver", "sr_base_path")),
])
def test_option_names_by_release(release, setting, name):
    assert xenserver_nova.option_name(release, setting) == name


def test_havana_settings_are_prefixed_in_default():
    assert xenserver_nova.nova_settings("havana", dict(CONNECTION, sr_base_path="/var/run/sr-mount", vif_driver="")) == {
        "DEFAULT": {"compute_driver": "xenapi.XenAPIDriver", "xenapi_connection_url": "http://169.254.0.1",
                    "xenapi_connection_username": "root", "xenapi_connection_password": "pw",
                    "xenapi_sr_base_path": "/var/run/sr-mount"}}


def test_ussuri_settings_are_in_the_xenserver_section():
    assert xenserver_nova.nova_settings("ussuri", dict(CONNECTION, ovs_integration_bridge="xapi1", image_handler="direct_vhd")) == {
        "DEFAULT": {"compute_driver": "xenapi.XenAPIDriver"},
        "xenserver": dict(CONNECTION, ovs_integration_bridge="xapi1", image_handler="direct_vhd")}


@pytest.mark.parametrize("release, settings, words", [
    ("victoria", CONNECTION, "nova Victoria has no XenAPI driver: it was removed in Victoria (nova 22.0.0)"),
    ("Zed", CONNECTION, "nova Zed has no XenAPI driver"),
    ("folsom2", CONNECTION, "release 'folsom2' is not a nova release this knows: expected one of grizzly"),
    ("ocata", CONNECTION, "nova Ocata needs ovs_integration_bridge for the XenAPI driver"),
    ("newton", {"connection_url": "http://x"}, "nova Newton needs connection_username, connection_password"),
    ("rocky", dict(CONNECTION, ovs_integration_bridge="xapi1", vif_driver="x"), "nova Rocky has no XenAPI option vif_driver (Rocky removed it)"),
    ("pike", dict(CONNECTION, ovs_integration_bridge="xapi1", image_handler="x"), "no XenAPI option image_handler (it exists from Rocky on)"),
    ("pike", dict(CONNECTION, connection_pasword="typo"), "unknown XenAPI setting(s) connection_pasword"),
])
def test_what_the_release_would_not_take_is_refused_in_words(release, settings, words):
    with pytest.raises(XenServerNovaError) as caught:
        xenserver_nova.nova_settings(release, settings)
    assert words in str(caught.value)


def test_newton_still_has_a_default_integration_bridge():
    assert "ovs_integration_bridge" not in xenserver_nova.nova_settings("newton", CONNECTION)["xenserver"]


def test_the_filter_returns_the_settings_and_fails_as_an_ansible_filter_error():
    assert xenserver_nova_settings("juno", CONNECTION)["xenserver"]["connection_url"] == "http://169.254.0.1"
    with pytest.raises(AnsibleFilterError, match="Victoria"):
        xenserver_nova_settings("victoria", CONNECTION)
    with pytest.raises(AnsibleFilterError, match="expects a dict of settings, got str"):
        xenserver_nova_settings("juno", "connection_url=x")


FLAT = {"flat_network_bridge": "xapi1", "flat_interface": "eth2", "public_interface": "eth1"}


def test_flatdhcp_in_queens_names_the_bridge_vif_driver_and_the_dom0_firewall():
    settings = xenserver_nova_settings("queens", dict(CONNECTION, ovs_integration_bridge="xapi1"),
                                       networking="flatdhcp", network=FLAT)
    assert settings["DEFAULT"] == {
        "compute_driver": "xenapi.XenAPIDriver",
        "network_manager": "nova.network.manager.FlatDHCPManager",
        "flat_network_bridge": "xapi1", "flat_interface": "eth2", "public_interface": "eth1",
        "firewall_driver": "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver",
    }
    assert settings["xenserver"]["vif_driver"] == "nova.virt.xenapi.vif.XenAPIBridgeDriver"
    assert settings["xenserver"]["connection_password"] == "pw"


def test_flatdhcp_in_havana_uses_the_prefixed_vif_driver_name():
    settings = xenserver_nova.network_settings("havana", "flatdhcp", FLAT)
    assert settings["DEFAULT"]["xenapi_vif_driver"] == "nova.virt.xenapi.vif.XenAPIBridgeDriver"
    assert settings["DEFAULT"]["network_manager"] == "nova.network.manager.FlatDHCPManager"


@pytest.mark.parametrize("release", ["rocky", "train", "ussuri"])
def test_flatdhcp_after_queens_is_refused_with_the_reason(release):
    with pytest.raises(XenServerNovaError, match="went with .xenserver. vif_driver in Rocky.*Queens is the last"):
        xenserver_nova.network_settings(release, "flatdhcp", FLAT)


def test_flatdhcp_names_the_missing_interfaces():
    with pytest.raises(XenServerNovaError, match="^FlatDHCP needs flat_interface, public_interface$"):
        xenserver_nova.network_settings("pike", "flatdhcp", {"flat_network_bridge": "xapi1"})


def test_neutron_names_the_ovs_vif_driver_until_queens_and_nothing_after():
    assert xenserver_nova.network_settings("queens", "neutron") == {
        "xenserver": {"vif_driver": "nova.virt.xenapi.vif.XenAPIOpenVswitchDriver"}}
    assert xenserver_nova.network_settings("ussuri", "neutron") == {}
    assert xenserver_nova.network_settings("ussuri", "none") == {}


def test_a_vif_driver_in_the_settings_wins_over_the_networking_default():
    settings = xenserver_nova_settings("pike", dict(CONNECTION, ovs_integration_bridge="xapi1", vif_driver="my.Driver"),
                                       networking="neutron")
    assert settings["xenserver"]["vif_driver"] == "my.Driver"


def test_unknown_networking_and_a_network_that_is_not_a_dict_fail_in_words():
    with pytest.raises(AnsibleFilterError, match="networking 'nova-network' is not known: expected one of none, neutron, flatdhcp"):
        xenserver_nova_settings("pike", dict(CONNECTION, ovs_integration_bridge="x"), networking="nova-network")
    with pytest.raises(AnsibleFilterError, match="expects network as a dict, got str"):
        xenserver_nova_settings("pike", dict(CONNECTION, ovs_integration_bridge="x"), networking="flatdhcp", network="eth2")
