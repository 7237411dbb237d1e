# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nova.conf for SPICE HTML5 consoles, per node role.

Which options a node needs depends on what runs there:

- ``control`` runs nova-spicehtml5proxy: ``[spice] enabled``, ``html5proxy_host``,
  ``html5proxy_port`` and ``html5proxy_base_url`` (the proxy reads its listen address
  and port from [spice]).
- ``compute`` runs nova-compute with libvirt: ``[spice] enabled``, ``agent_enabled``,
  ``server_listen``, ``server_proxyclient_address`` and ``html5proxy_base_url`` (the
  compute node builds the console URL handed to users from it), and ``keymap``.
- ``all_in_one`` is both.

Option names and sections, by release:

- ``current`` (nova 26, Zed, as in Debian 12): nova/conf/spice.py, nova/conf/vnc.py and
  the generated nova.conf of nova-common 26.2.2. VNC off is ``[vnc] enabled = false``.
  ``[spice] keymap`` was deprecated in 18.0.0 (Rocky) and removed in 22.0.0 (Victoria),
  so it is refused here rather than written where nova ignores it.
- ``legacy`` (nova 2015.1, Kilo): nova/spice/__init__.py ([spice] with ``keymap``),
  nova/cmd/spicehtml5proxy.py ([spice] html5proxy_host/port), nova/vnc/__init__.py
  (``[DEFAULT] vnc_enabled``) and nova/cmd/novnc.py (``[DEFAULT] web``, the directory
  the proxy serves the spice-html5 client from).

Booleans are written as the release's samples spell them (``true``/``false`` for
current, ``True``/``False`` for legacy); a value already in the file that oslo.config
reads as the same boolean (any case of true/false, yes/no, on/off, 1/0) is kept, so a
file edited by hand or by another tool does not flap.

Pure functions on plain values and on INI texts (through ini.py, the one INI engine),
so they unit-test without Ansible. Errors are SpiceConfigError with a sentence that
names the bad value and what was expected.
"""

from __future__ import annotations

import collections
import ipaddress
import re

from urllib.parse import urlsplit

from ansible_collections.stackops.openstack.plugins.module_utils import ini

ROLES = ("control", "compute", "all_in_one")
RELEASES = ("current", "legacy")
PROXY_PAGE = "spice_auto.html"
LEGACY_WEB = "/usr/share/spice-html5"
KEYMAP_REMOVED_IN = "22.0.0 (Victoria)"

DEFAULTS = {
    "html5proxy_host": "0.0.0.0",
    "html5proxy_port": 6082,
    "server_listen": "0.0.0.0",
    "agent_enabled": True,
    "disable_vnc": True,
    "release": "current",
}

# Every boolean option this module writes, by (section, key); oslo.config's Boolean
# type reads these words, case-insensitively.
BOOLEAN_OPTIONS = frozenset([("spice", "enabled"), ("spice", "agent_enabled"),
                             ("vnc", "enabled"), ("DEFAULT", "vnc_enabled")])
_BOOLEAN_WORDS = {"true": True, "1": True, "on": True, "yes": True,
                  "false": False, "0": False, "off": False, "no": False}

_HOSTNAME_LABEL = re.compile(r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_KEYMAP = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*$")

Setting = collections.namedtuple("Setting", "section key value")
SpiceEdit = collections.namedtuple("SpiceEdit", "text settings")


class SpiceConfigError(ValueError):
    """A parameter, or a nova.conf, that SPICE consoles cannot be set up with."""


# --------------------------------------------------------------------------- validation


def _choice(name, value, choices):
    if value not in choices:
        raise SpiceConfigError("%s is %r, expected one of: %s" % (name, value, ", ".join(choices)))
    return value


def check_base_url(url):
    """The html5proxy_base_url as given; SpiceConfigError unless it is a usable one.

    nova hands users this URL with ``?token=...`` appended, and nova-spicehtml5proxy
    serves the spice-html5 client page ``spice_auto.html``: so an http(s) URL with a
    host, whose path ends in /spice_auto.html, without query, fragment or credentials.
    """
    example = "http://controller:6082/spice_auto.html"
    if not isinstance(url, str) or not url.strip():
        raise SpiceConfigError("html5proxy_base_url is empty, expected an http(s) URL such as %s" % example)
    if re.search(r"\s", url):
        raise SpiceConfigError("html5proxy_base_url %r contains blanks, expected an http(s) URL such as %s"
                               % (url, example))
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a port that is not a number or out of range
    except ValueError as exc:
        raise SpiceConfigError("html5proxy_base_url %r is not a valid URL: %s" % (url, exc)) from exc
    if parts.scheme not in ("http", "https"):
        raise SpiceConfigError("html5proxy_base_url %r must be an http or https URL (got scheme %r), "
                               "for example %s" % (url, parts.scheme, example))
    if not parts.hostname:
        raise SpiceConfigError("html5proxy_base_url %r has no host, expected for example %s" % (url, example))
    if port == 0:
        raise SpiceConfigError("html5proxy_base_url %r has port 0, expected a port from 1 to 65535" % url)
    if parts.username is not None or parts.password is not None:
        raise SpiceConfigError("html5proxy_base_url must not contain credentials (user:password@), "
                               "got some for host %s" % parts.hostname)
    if parts.query or parts.fragment:
        raise SpiceConfigError("html5proxy_base_url %r must not have a query or fragment: nova appends "
                               "?token=... to it" % url)
    if parts.path.rsplit("/", 1)[-1] != PROXY_PAGE:
        raise SpiceConfigError("html5proxy_base_url %r must point at the SPICE HTML5 client page: its path "
                               "must end in /%s (path is %r), for example %s"
                               % (url, PROXY_PAGE, parts.path or "", example))
    return url


def check_port(port, name="html5proxy_port"):
    """The port as text; SpiceConfigError unless it is an integer from 1 to 65535."""
    if isinstance(port, bool):
        raise SpiceConfigError("%s is %r, expected a port number from 1 to 65535" % (name, port))
    try:
        number = int(str(port).strip())
    except ValueError:
        raise SpiceConfigError("%s is %r, expected a port number from 1 to 65535" % (name, port)) from None
    if not 1 <= number <= 65535:
        raise SpiceConfigError("%s is %d, out of range: expected a port number from 1 to 65535" % (name, number))
    return str(number)


def check_ip(address, name):
    """The address as given; SpiceConfigError unless it is an IPv4 or IPv6 address."""
    if not isinstance(address, str) or not address.strip():
        raise SpiceConfigError("%s is empty, expected an IP address such as 192.0.2.31" % name)
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise SpiceConfigError("%s is %r, expected an IP address (IPv4 or IPv6) such as 192.0.2.31; "
                               "a host name or $my_ip is not accepted" % (name, address)) from None
    return address


def check_host(host, name="html5proxy_host"):
    """The address as given; SpiceConfigError unless it is an IP address or a host name."""
    if not isinstance(host, str) or not host.strip():
        raise SpiceConfigError("%s is empty, expected an IP address or host name such as 0.0.0.0" % name)
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    if len(host) > 253 or not all(_HOSTNAME_LABEL.match(label) for label in labels):
        raise SpiceConfigError("%s is %r, expected an IP address or a host name such as 0.0.0.0"
                               % (name, host))
    return host


def check_keymap(keymap, release):
    """The keymap as given, None when not given; SpiceConfigError when release has none."""
    if keymap is None:
        return None
    if release == "current":
        raise SpiceConfigError(
            "keymap %r cannot be set with release=current: [spice] keymap was removed from nova in %s "
            "(deprecated since 18.0.0, Rocky) and is ignored by nova 26 (Zed); leave keymap unset and set "
            "the keyboard layout in the guest, or use release=legacy for a Kilo-era nova.conf"
            % (keymap, KEYMAP_REMOVED_IN))
    if not isinstance(keymap, str) or not _KEYMAP.match(keymap):
        raise SpiceConfigError("keymap is %r, expected a QEMU keymap name such as en-us or de-ch" % (keymap,))
    return keymap


def _check_bool(name, value):
    if not isinstance(value, bool):
        raise SpiceConfigError("%s is %r, expected true or false" % (name, value))
    return value


# --------------------------------------------------------------------------- planning


def _bool_text(value, release):
    if release == "legacy":
        return "True" if value else "False"
    return "true" if value else "false"


def plan_settings(node_role, html5proxy_base_url, html5proxy_host=DEFAULTS["html5proxy_host"],
                  html5proxy_port=DEFAULTS["html5proxy_port"], server_listen=DEFAULTS["server_listen"],
                  server_proxyclient_address=None, keymap=None, agent_enabled=DEFAULTS["agent_enabled"],
                  disable_vnc=DEFAULTS["disable_vnc"], release=DEFAULTS["release"]):
    """The (section, key, value) Settings a node of node_role needs, values as INI text.

    Every parameter is checked, also those the role does not write, so a bad value never
    waits for another role to fail; SpiceConfigError names the first bad one. keymap is
    written only when given (compute roles, legacy only); with release=legacy the control
    roles also get ``[DEFAULT] web``; disable_vnc turns VNC off on every role.
    """
    _choice("node_role", node_role, ROLES)
    _choice("release", release, RELEASES)
    url = check_base_url(html5proxy_base_url)
    host = check_host(html5proxy_host)
    port = check_port(html5proxy_port)
    listen = check_ip(server_listen, "server_listen")
    keymap = check_keymap(keymap, release)
    _check_bool("agent_enabled", agent_enabled)
    _check_bool("disable_vnc", disable_vnc)
    control = node_role in ("control", "all_in_one")
    compute = node_role in ("compute", "all_in_one")
    if compute:
        if server_proxyclient_address is None:
            raise SpiceConfigError("server_proxyclient_address is required for node_role=%s: the IP address "
                                   "of this compute node that nova-spicehtml5proxy connects to" % node_role)
        proxyclient = check_ip(server_proxyclient_address, "server_proxyclient_address")
    elif server_proxyclient_address is not None:
        check_ip(server_proxyclient_address, "server_proxyclient_address")

    settings = [Setting("spice", "enabled", _bool_text(True, release))]
    if control:
        settings += [Setting("spice", "html5proxy_host", host),
                     Setting("spice", "html5proxy_port", port),
                     Setting("spice", "html5proxy_base_url", url)]
    if compute:
        settings += [Setting("spice", "agent_enabled", _bool_text(agent_enabled, release)),
                     Setting("spice", "server_listen", listen),
                     Setting("spice", "server_proxyclient_address", proxyclient)]
        if not control:
            settings.append(Setting("spice", "html5proxy_base_url", url))
        if keymap is not None:
            settings.append(Setting("spice", "keymap", keymap))
    if control and release == "legacy":
        settings.append(Setting("DEFAULT", "web", LEGACY_WEB))
    if disable_vnc:
        if release == "legacy":
            settings.append(Setting("DEFAULT", "vnc_enabled", _bool_text(False, release)))
        else:
            settings.append(Setting("vnc", "enabled", _bool_text(False, release)))
    return settings


# --------------------------------------------------------------------------- editing


def boolean(text):
    """What oslo.config reads a boolean option's text as: True, False, or None if it is no boolean."""
    if text is None:
        return None
    return _BOOLEAN_WORDS.get(text.strip().lower())


def apply_settings(document, settings):
    """Write settings into a nova.conf text (or ini.IniDocument, left as it is); return a SpiceEdit.

    Only the lines of these options change; a new option goes right under its commented
    default when the file has one. A boolean option whose value already reads as the
    wanted boolean keeps its spelling. SpiceEdit.settings is the settings as they stand
    in the result (so with a kept spelling), as dicts {section, key, value}.
    """
    text = document.text if isinstance(document, ini.IniDocument) else document
    doc = ini.parse(text)
    written = []
    for section, key, value in settings:
        current = doc.get(section, key)
        if ((section, key) in BOOLEAN_OPTIONS and boolean(current) is not None
                and boolean(current) is boolean(value) and len(doc.get_all(section, key)) == 1):
            value = current
        else:
            try:
                doc.set(section, key, value)
            except ini.IniError as exc:
                raise SpiceConfigError("[%s] %s: %s" % (section, key, exc)) from exc
        written.append({"section": section, "key": key, "value": value})
    return SpiceEdit(doc.text, written)


def configure_spice(document, node_role, html5proxy_base_url, **params):
    """plan_settings() then apply_settings(): the one call a module needs."""
    return apply_settings(document, plan_settings(node_role, html5proxy_base_url, **params))
