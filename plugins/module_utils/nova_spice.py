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

Addresses. The SPICE servers of the instances have no authentication of their own (the
proxy's token is the only gate), so ``server_listen`` defaults to the node's management
address, the one the proxy connects to (``server_proxyclient_address``), not 0.0.0.0:
nova's own default is 127.0.0.1 (nova 26.0.0 nova/conf/spice.py, Kilo 2015.1.0
nova/spice/__init__.py) and Debian's nova.conf ships ``server_listen = 0.0.0.0``. A
wildcard given explicitly is written, with a warning.

Every address may also be an oslo.config substitution, as Debian ships
``server_proxyclient_address = $my_ip``: ``$name`` or ``${name}``, ``name`` matching
``[_a-z][._a-z0-9]*`` in any case (oslo.config ``ConfigOpts.Template``, a string.Template),
``group.option`` for another group's option from oslo.config 1.12.0 (commit "cfg: support
interpolation of config option from other groups"); nova 2015.1.0 (Kilo) pins
oslo.config>=1.9.3,<1.10.0, so ``release=legacy`` refuses the dotted form. A plain name
is looked up in the option's own group when nova registers it there, else in
[DEFAULT] (oslo.config ``StrSubWrapper``). The reference is resolved in the edited file
and its value checked like a literal one; one the file does not set is accepted only
for options nova gives a default: ``my_ip`` (nova/conf/netconf.py: the host's IPv4
address, "the IP address which the host is using to connect to the management
network"), ``my_block_storage_ip`` (``$my_ip``) and the [spice] addresses.

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
    # None: the server_proxyclient_address (the node's management address)
    "server_listen": None,
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
SpiceEdit = collections.namedtuple("SpiceEdit", "text settings warnings")

# oslo.config's substitution, the whole value one reference: $name or ${name}
_REFERENCE = re.compile(r"\$(?:(?P<plain>[_a-zA-Z][._a-zA-Z0-9]*)|\{(?P<braced>[_a-zA-Z][._a-zA-Z0-9]*)\})")
# Options a reference may name without the file setting them, and nova's default for each
# (nova 26.0.0 nova/conf/netconf.py and nova/conf/spice.py; Kilo nova/netconf.py, nova/spice/__init__.py,
# nova/cmd/spicehtml5proxy.py). None: the host's own IPv4 address, found by nova at start.
_NOVA_DEFAULTS = {
    ("DEFAULT", "my_ip"): None,
    ("DEFAULT", "my_block_storage_ip"): "$my_ip",
    ("spice", "server_listen"): "127.0.0.1",
    ("spice", "server_proxyclient_address"): "127.0.0.1",
    ("spice", "html5proxy_host"): "0.0.0.0",
}
_WILDCARDS = ("0.0.0.0", "::")


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


def reference(value):
    """The option name an oslo.config substitution refers to ('$my_ip' -> 'my_ip'), None for a literal."""
    if not isinstance(value, str):
        return None
    match = _REFERENCE.fullmatch(value)
    return (match.group("plain") or match.group("braced")) if match else None


def _check_reference(value, name, release):
    """The referenced option name; SpiceConfigError for a form the release's oslo.config cannot read."""
    target = reference(value)
    if target is not None and "." in target and release == "legacy":
        raise SpiceConfigError("%s is %r: the group.option form of a substitution needs oslo.config 1.12.0 or "
                               "later, and Kilo's nova pins oslo.config<1.10; use $%s with the option in "
                               "[DEFAULT], or an IP address" % (name, value, target.split(".", 1)[1]))
    return target


def check_ip(address, name, release=DEFAULTS["release"]):
    """The address as given; SpiceConfigError unless it is an IPv4 or IPv6 address or an
    oslo.config reference ($my_ip) the release can read."""
    if not isinstance(address, str) or not address.strip():
        raise SpiceConfigError("%s is empty, expected an IP address such as 192.0.2.31, or $my_ip" % name)
    if _check_reference(address, name, release) is not None:
        return address
    try:
        ipaddress.ip_address(address)
    except ValueError:
        raise SpiceConfigError("%s is %r, expected an IP address (IPv4 or IPv6) such as 192.0.2.31, or a "
                               "reference to an option holding one such as $my_ip" % (name, address)) from None
    return address


def _is_host_name(host):
    labels = host[:-1].split(".") if host.endswith(".") else host.split(".")
    return len(host) <= 253 and all(_HOSTNAME_LABEL.match(label) for label in labels)


def check_host(host, name="html5proxy_host", release=DEFAULTS["release"]):
    """The address as given; SpiceConfigError unless it is an IP address, a host name or an
    oslo.config reference ($my_ip) the release can read."""
    if not isinstance(host, str) or not host.strip():
        raise SpiceConfigError("%s is empty, expected an IP address or host name such as 0.0.0.0" % name)
    if _check_reference(host, name, release) is not None:
        return host
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    if not _is_host_name(host):
        raise SpiceConfigError("%s is %r, expected an IP address or a host name such as 0.0.0.0"
                               % (name, host))
    return host


def _wildcard(address):
    try:
        return ipaddress.ip_address(address).is_unspecified
    except ValueError:
        return False


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
    roles also get ``[DEFAULT] web``; disable_vnc turns VNC off on every role. server_listen
    None (the default) is server_proxyclient_address: the SPICE servers listen where the
    proxy connects, on the management address, not on every interface.
    """
    _choice("node_role", node_role, ROLES)
    _choice("release", release, RELEASES)
    url = check_base_url(html5proxy_base_url)
    host = check_host(html5proxy_host, release=release)
    port = check_port(html5proxy_port)
    listen = None if server_listen is None else check_ip(server_listen, "server_listen", release)
    keymap = check_keymap(keymap, release)
    _check_bool("agent_enabled", agent_enabled)
    _check_bool("disable_vnc", disable_vnc)
    control = node_role in ("control", "all_in_one")
    compute = node_role in ("compute", "all_in_one")
    proxyclient = None
    if server_proxyclient_address is not None:
        proxyclient = check_ip(server_proxyclient_address, "server_proxyclient_address", release)
        if _wildcard(proxyclient):
            raise SpiceConfigError("server_proxyclient_address is %s, which nova-spicehtml5proxy cannot connect "
                                   "to; expected this compute node's management address" % proxyclient)
    elif compute:
        raise SpiceConfigError("server_proxyclient_address is required for node_role=%s: the IP address "
                               "of this compute node that nova-spicehtml5proxy connects to" % node_role)
    if compute and listen is None:
        listen = proxyclient

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


def _referenced_option(section, name):
    """(section, key) a plain or dotted reference made in ``section`` reads, the way
    oslo.config's StrSubWrapper looks it up: group.option in that group; a plain name in
    the option's own group when nova registers it there, else in [DEFAULT]."""
    if "." in name:
        group, option = name.split(".", 1)
        return group, option
    if (section, name) in _NOVA_DEFAULTS:
        return section, name
    return "DEFAULT", name


def resolve(doc, section, key, value, seen=()):
    """The literal a value stands for in this document: ('address', where) or (None, where) when
    nova finds the address itself (my_ip unset); SpiceConfigError when a reference leads nowhere."""
    where = "[%s] %s" % (section, key)
    name = reference(value)
    if name is None:
        return value, where
    target = _referenced_option(section, name)
    if target in seen or target == (section, key):
        raise SpiceConfigError("%s = %s refers back to itself through [%s] %s" % (where, value, target[0], target[1]))
    found = doc.get(*target)
    if found is None:
        if target not in _NOVA_DEFAULTS:
            raise SpiceConfigError("%s = %s refers to [%s] %s, which this nova.conf does not set and nova gives no "
                                   "address by default; set that option, or use an IP address or $my_ip"
                                   % (where, value, target[0], target[1]))
        found = _NOVA_DEFAULTS[target]
        if found is None:
            return None, "[%s] %s (unset: the host's IPv4 address)" % target
    return resolve(doc, target[0], target[1], found.strip(), seen + ((section, key),))


_ADDRESS_KINDS = {"server_listen": "ip", "server_proxyclient_address": "ip", "html5proxy_host": "host"}


def check_resolved(doc, settings):
    """Check each address setting's value (references resolved in doc); the warnings to give."""
    warnings = []
    # the proxy client address first: server_listen defaults to it, an error is named after the option given
    for section, key, value in sorted(settings, key=lambda item: item[1] != "server_proxyclient_address"):
        kind = _ADDRESS_KINDS.get(key) if section == "spice" else None
        if kind is None:
            continue
        literal, where = resolve(doc, section, key, value)
        if literal is None:
            continue
        shown = value if literal == value else "%s (%s, from %s)" % (value, literal, where)
        try:
            if kind == "ip":
                ipaddress.ip_address(literal)
            elif not _is_host_name(literal):
                ipaddress.ip_address(literal)
        except ValueError:
            raise SpiceConfigError("[%s] %s = %s is not %s" % (
                section, key, shown, "an IP address" if kind == "ip" else "an IP address or a host name")) from None
        if key == "server_proxyclient_address" and _wildcard(literal):
            raise SpiceConfigError("[spice] server_proxyclient_address = %s, which nova-spicehtml5proxy cannot "
                                   "connect to; expected this compute node's management address" % shown)
        if key == "server_listen" and _wildcard(literal):
            warnings.append("[spice] server_listen = %s: the SPICE servers of the instances listen on every "
                            "interface of this node, and they have no authentication of their own; nova's default "
                            "is 127.0.0.1, leave server_listen unset to listen on the server_proxyclient_address "
                            "(the management address) only" % shown)
    return warnings


def apply_settings(document, settings):
    """Write settings into a nova.conf text (or ini.IniDocument, left as it is); return a SpiceEdit.

    Only the lines of these options change; a new option goes right under its commented
    default when the file has one. A boolean option whose value already reads as the
    wanted boolean keeps its spelling. SpiceEdit.settings is the settings as they stand
    in the result (so with a kept spelling), as dicts {section, key, value}. Address
    references ($my_ip) are resolved in the result and checked (SpiceConfigError);
    SpiceEdit.warnings says what is allowed but unsafe (a wildcard server_listen).
    """
    text = document.text if isinstance(document, ini.IniDocument) else document
    doc = ini.parse(text)
    written = []
    for section, key, value in settings:
        current = doc.get(section, key)
        # a boolean that already reads as the wanted one, set once, keeps its spelling
        keeps_spelling = (section, key) in BOOLEAN_OPTIONS and boolean(current) is not None
        if keeps_spelling:
            keeps_spelling = boolean(current) is boolean(value) and len(doc.get_all(section, key)) == 1
        if keeps_spelling:
            value = current
        else:
            try:
                doc.set(section, key, value)
            except ini.IniError as exc:
                raise SpiceConfigError("[%s] %s: %s" % (section, key, exc)) from exc
        written.append({"section": section, "key": key, "value": value})
    warnings = check_resolved(doc, settings)
    return SpiceEdit(doc.text, written, warnings)


def configure_spice(document, node_role, html5proxy_base_url, **params):
    """plan_settings() then apply_settings(): the one call a module needs."""
    return apply_settings(document, plan_settings(node_role, html5proxy_base_url, **params))
