# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nova.conf settings of a XenServer compute domU, with the option names of each nova release.

Facts read in openstack/nova at each release's tag (2013.1 Grizzly to 22.0.0 Victoria):
- Grizzly and Havana: ``[DEFAULT] xenapi_connection_url/_username/_password``, ``xenapi_sr_base_path``,
  ``xenapi_vif_driver``, ``xenapi_ovs_integration_bridge``, ``sr_matching_filter``.
- Icehouse to Ussuri: the same without the prefix in ``[xenserver]``; ``vif_driver`` until Queens (gone in
  Rocky); ``image_handler`` from Rocky; ``ovs_integration_bridge`` has no default from Ocata (``xapi1`` before).
- ``compute_driver = xenapi.XenAPIDriver`` throughout; Victoria (22.0.0) removed nova/virt/xenapi.

Networking, read in the nova wheels on PyPI (16.1.8 Pike, 17.0.13 Queens, 20.6.0 Train, 21.2.4 Ussuri):
- nova-network's FlatDHCP (``[DEFAULT] network_manager = nova.network.manager.FlatDHCPManager``,
  ``flat_network_bridge``, ``flat_interface``, ``public_interface``, ``firewall_driver``) needs the XenAPI
  driver's ``nova.virt.xenapi.vif.XenAPIBridgeDriver``: Queens has it, Train's vif.py has only the Open vSwitch
  driver, which vmops uses unconditionally since Rocky dropped ``vif_driver``. Ussuri has no nova-network at all
  (no nova/conf/network.py). So FlatDHCP ends at Queens.
- Neutron uses ``nova.virt.xenapi.vif.XenAPIOpenVswitchDriver``, named in ``vif_driver`` until Queens.
"""

from __future__ import annotations

RELEASES = ("grizzly", "havana", "icehouse", "juno", "kilo", "liberty", "mitaka", "newton", "ocata", "pike",
            "queens", "rocky", "stein", "train", "ussuri")
REMOVED_IN = ("victoria", "wallaby", "xena", "yoga", "zed", "antelope", "bobcat", "caracal", "dalmatian", "epoxy",
              "flamingo", "gazpacho")
COMPUTE_DRIVER = "xenapi.XenAPIDriver"
SETTINGS = ("connection_url", "connection_username", "connection_password", "sr_base_path", "vif_driver",
            "ovs_integration_bridge", "image_handler", "sr_matching_filter")
REQUIRED = ("connection_url", "connection_username", "connection_password")
NETWORKING = ("none", "neutron", "flatdhcp")
FLAT_REQUIRED = ("flat_network_bridge", "flat_interface", "public_interface")
VIF_DRIVERS = {"neutron": "nova.virt.xenapi.vif.XenAPIOpenVswitchDriver", "flatdhcp": "nova.virt.xenapi.vif.XenAPIBridgeDriver"}


class XenServerNovaError(Exception):
    """Settings that nova of the chosen release would not take."""


def release_index(release):
    name = str(release or "").strip().lower()
    if name in REMOVED_IN:
        raise XenServerNovaError("nova %s has no XenAPI driver: it was removed in Victoria (nova 22.0.0); Ussuri is the "
                                 "last release with it" % name.capitalize())
    if name not in RELEASES:
        raise XenServerNovaError("release %r is not a nova release this knows: expected one of %s"
                                 % (release, ", ".join(RELEASES)))
    return RELEASES.index(name)


def option_name(release, setting):
    """(section, option) of a setting in the release's nova.conf, or None when that release has no such option."""
    index = release_index(release)
    if setting == "vif_driver" and index >= RELEASES.index("rocky"):
        return None
    if setting == "image_handler" and index < RELEASES.index("rocky"):
        return None
    if index < RELEASES.index("icehouse"):
        return ("DEFAULT", setting if setting == "sr_matching_filter" else "xenapi_" + setting)
    return ("xenserver", setting)


def nova_settings(release, settings):
    """The nova.conf sections and options (``{section: {option: value}}``) for ``settings`` in ``release``.

    ``settings`` maps the names of SETTINGS to values; None or a missing key leaves the option out.
    """
    index = release_index(release)
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise XenServerNovaError("unknown XenAPI setting(s) %s: expected some of %s" % (", ".join(unknown), ", ".join(SETTINGS)))
    given = dict((key, value) for key, value in settings.items() if value is not None and value != "")
    missing = [key for key in REQUIRED if key not in given]
    if index >= RELEASES.index("ocata") and "ovs_integration_bridge" not in given:
        missing.append("ovs_integration_bridge")
    if missing:
        raise XenServerNovaError("nova %s needs %s for the XenAPI driver" % (release.capitalize(), ", ".join(missing)))
    result = {"DEFAULT": {"compute_driver": COMPUTE_DRIVER}}
    for key in SETTINGS:
        if key not in given:
            continue
        name = option_name(release, key)
        if name is None:
            since = "Rocky removed it" if key == "vif_driver" else "it exists from Rocky on"
            raise XenServerNovaError("nova %s has no XenAPI option %s (%s): leave it out" % (release.capitalize(), key, since))
        result.setdefault(name[0], {})[name[1]] = given[key]
    return result


def network_settings(release, networking, network=None):
    """The nova.conf options (``{section: {option: value}}``) that ``networking`` needs with the XenAPI driver.

    ``networking`` is V(none) (nothing), V(neutron) (the Open vSwitch VIF driver, named until Queens) or
    V(flatdhcp) (nova-network's FlatDHCP, until Queens; ``network`` gives ``flat_network_bridge``,
    ``flat_interface`` and ``public_interface``). Other nova options (``[neutron]`` credentials, ...) are the
    caller's.
    """
    index = release_index(release)
    if networking not in NETWORKING:
        raise XenServerNovaError("networking %r is not known: expected one of %s" % (networking, ", ".join(NETWORKING)))
    network = network or {}
    result = {}
    if networking == "none":
        return result
    if networking == "flatdhcp":
        if index >= RELEASES.index("rocky"):
            raise XenServerNovaError(
                "nova %s cannot run FlatDHCP with XenServer: it needs the XenAPIBridgeDriver VIF driver, which went with "
                "[xenserver] vif_driver in Rocky (and Ussuri has no nova-network at all); Queens is the last release "
                "for it: use neutron" % release.capitalize())
        missing = [key for key in FLAT_REQUIRED if not network.get(key)]
        if missing:
            raise XenServerNovaError("FlatDHCP needs %s" % ", ".join(missing))
        result["DEFAULT"] = {
            "network_manager": "nova.network.manager.FlatDHCPManager",
            "flat_network_bridge": network["flat_network_bridge"],
            "flat_interface": network["flat_interface"],
            "public_interface": network["public_interface"],
            "firewall_driver": "nova.virt.xenapi.firewall.Dom0IptablesFirewallDriver",
        }
    name = option_name(release, "vif_driver")
    if name is not None:
        result.setdefault(name[0], {})[name[1]] = VIF_DRIVERS[networking]
    return result


def merge_settings(*layers):
    """Sections merged option by option, later layers winning."""
    merged = {}
    for layer in layers:
        for section, options in (layer or {}).items():
            merged.setdefault(section, {}).update(options)
    return merged
