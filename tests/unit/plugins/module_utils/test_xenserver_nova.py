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
