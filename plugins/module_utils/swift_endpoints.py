# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the Keystone catalog should hold for Swift and its S3 API, and how to get there.

packstack-style installs register the object-store and s3 endpoints with the address
of whatever host ran the installer, often not where swift-proxy listens; some get
duplicates or miss an interface. These pure functions compute the wanted URLs and the
smallest set of endpoint changes; the module only talks to Keystone.
"""

from __future__ import annotations

import re

try:
    from urllib.parse import urlsplit
except ImportError:  # pragma: no cover - Python 2 is not supported by the module anyway
    from urlparse import urlsplit

INTERFACES = ("public", "internal", "admin")
PROXY_URL_PLACEHOLDER = "{proxy_url}"

DEFAULT_SERVICES = (
    {"name": "swift", "type": "object-store"},
    {"name": "swift_s3", "type": "s3"},
)
# Swift's account URL on public/internal; the bare proxy on admin (what clients and
# packstack use); the S3 API answers at the proxy's root.
DEFAULT_URL_TEMPLATES = {
    "object-store": {
        "public": PROXY_URL_PLACEHOLDER + "/v1/AUTH_%(tenant_id)s",
        "internal": PROXY_URL_PLACEHOLDER + "/v1/AUTH_%(tenant_id)s",
        "admin": PROXY_URL_PLACEHOLDER,
    },
    "s3": {
        "public": PROXY_URL_PLACEHOLDER,
        "internal": PROXY_URL_PLACEHOLDER,
        "admin": PROXY_URL_PLACEHOLDER,
    },
}

CREATE = "create"
UPDATE = "update"
DELETE = "delete"


# Space and the C0 controls: urlsplit() silently drops tab, CR and LF, so a URL that
# holds one would be checked as one URL and published in the catalog as another.
_CONTROL_OR_BLANK = re.compile(r"[\x00-\x20\x7f]")
_TEMPLATE_EXAMPLE = "{proxy_url}/v1/AUTH_%(tenant_id)s or https://s3.example.com"
_CREDENTIALS_WHY = ("a URL with credentials (user:password@host) would publish them in the Keystone catalog, "
                    "which every user can read")


def _check_url(name, url, expected):
    """Raise ValueError unless url is an http(s) URL with a host and no credentials.

    The message never repeats a value that holds '@': whatever comes before it may be a
    password, and it must not reach a log.
    """
    if not isinstance(url, str):
        raise ValueError("%s is %s, expected %s" % (name, "None" if url is None else "a " + type(url).__name__,
                                                    expected))
    if "@" in url:
        raise ValueError("%s contains '@': %s; expected %s, without credentials" % (name, _CREDENTIALS_WHY, expected))
    if _CONTROL_OR_BLANK.search(url):
        raise ValueError("%s is %r, it contains a blank or a control character; expected %s" % (name, url, expected))
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        raise ValueError("%s is %r, not a valid URL (%s); expected %s" % (name, url, exc, expected)) from None
    try:
        parts.port  # pylint: disable=pointless-statement  # reading it checks the port
    except ValueError:
        raise ValueError("%s is %r, its port is not a number from 1 to 65535; expected %s"
                         % (name, url, expected)) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("%s is %r, expected %s" % (name, url, expected))
    if parts.query or parts.fragment:
        raise ValueError("%s is %r, expected no query or fragment" % (name, url))
    return parts


def normalize_proxy_url(url):
    """Return the proxy URL without a trailing slash, or raise ValueError saying why not."""
    text = url.strip() if isinstance(url, str) else url
    _check_url("proxy_url", text, "http(s)://host[:port], where swift-proxy listens")
    return text.rstrip("/")


def check_url_templates(url_templates, service_types):
    """Raise ValueError unless url_templates is {service type: {interface: URL template}}.

    Only the types of the services being repaired are accepted, so a misspelt type (object_store)
    is refused instead of silently leaving the default in place.
    """
    if url_templates is None:
        return
    if not isinstance(url_templates, dict):
        raise ValueError("url_templates is a %s, expected a dict of service type to {interface: URL}"
                         % type(url_templates).__name__)
    for service_type, templates in url_templates.items():
        if service_type not in service_types:
            raise ValueError("url_templates has the service type %r, expected one of the types of services: %s"
                             % (service_type, ", ".join(service_types)))
        if not isinstance(templates, dict):
            raise ValueError("url_templates.%s is a %s, expected a dict of interface (%s) to URL template"
                             % (service_type, type(templates).__name__, ", ".join(INTERFACES)))
        for interface, template in templates.items():
            if interface not in INTERFACES:
                raise ValueError("url_templates.%s has the interface %r, expected one of %s"
                                 % (service_type, interface, ", ".join(INTERFACES)))
            if not isinstance(template, str):
                raise ValueError("url_templates.%s.%s is a %s, expected a URL template string such as %s"
                                 % (service_type, interface, type(template).__name__, _TEMPLATE_EXAMPLE))


def wanted_urls(service_type, proxy_url, interfaces, url_templates=None):
    """``{interface: url}`` for one service type, from the templates (defaults merged in).

    Each URL is checked after {proxy_url} is filled in: it goes into the catalog as it is.
    """
    templates = dict(DEFAULT_URL_TEMPLATES.get(service_type, {}))
    given = (url_templates or {}).get(service_type, {})
    templates.update(given)
    wanted = {}
    for interface in interfaces:
        if interface not in templates:
            raise ValueError("no URL template for service type %s, interface %s: add it to url_templates"
                             % (service_type, interface))
        url = str(templates[interface]).replace(PROXY_URL_PLACEHOLDER, proxy_url)
        if interface in given:
            name = "url_templates.%s.%s" % (service_type, interface)
        else:
            name = "the default %s URL of %s" % (interface, service_type)
        _check_url(name, url, "an http(s) URL such as " + _TEMPLATE_EXAMPLE)
        wanted[interface] = url
    return wanted


def plan_endpoints(existing, wanted, enable_disabled=False):
    """The changes that turn ``existing`` endpoints of one service and region into ``wanted``.

    ``existing`` are dicts with id, interface, url and enabled; ``wanted`` maps interface to
    URL. Per interface: the first endpoint already right is kept, else the first one is
    repaired in place (keeping its ID), every other one is a duplicate and is deleted, and
    a missing interface is created. Interfaces not wanted are left alone.

    A disabled endpoint was disabled by someone, on purpose: unless enable_disabled, it is
    neither repaired, enabled nor deleted, and an interface that has only disabled ones gets
    no new endpoint either (that would undo the disabling). disabled_endpoints() lists them.
    """
    actions = []
    for interface in INTERFACES:
        if interface not in wanted:
            continue
        url = wanted[interface]
        candidates = [e for e in existing if e["interface"] == interface]
        if not enable_disabled:
            if candidates and not any(_enabled(e) for e in candidates):
                continue
            candidates = [e for e in candidates if _enabled(e)]
        if not candidates:
            actions.append({"action": CREATE, "interface": interface, "url": url})
            continue
        exact = [e for e in candidates if e["url"] == url and _enabled(e)]
        keep = exact[0] if exact else candidates[0]
        if not exact:
            step = {"action": UPDATE, "interface": interface, "id": keep["id"], "url": url,
                    "old_url": keep["url"], "old_enabled": _enabled(keep)}
            if not _enabled(keep):
                step["enable"] = True
            actions.append(step)
        for duplicate in candidates:
            if duplicate is not keep:
                actions.append({"action": DELETE, "interface": interface, "id": duplicate["id"],
                                "url": duplicate["url"]})
    return actions


def disabled_endpoints(existing, wanted):
    """The disabled endpoints of the wanted interfaces, each with ``only`` (no enabled one beside it)."""
    found = []
    for interface in INTERFACES:
        if interface not in wanted:
            continue
        same = [e for e in existing if e["interface"] == interface]
        only = not any(_enabled(e) for e in same)
        found += [dict(e, only=only) for e in same if not _enabled(e)]
    return found


def _enabled(endpoint):
    return endpoint.get("enabled", True) is not False


def apply_plan(existing, actions):
    """The endpoint list after ``actions`` (for diffs); new ones have id None until they are created."""
    result = [dict(e) for e in existing]
    for action in actions:
        if action["action"] == DELETE:
            result = [e for e in result if e["id"] != action["id"]]
        elif action["action"] == UPDATE:
            for endpoint in result:
                if endpoint["id"] == action["id"]:
                    endpoint["url"] = action["url"]
                    if action.get("enable"):
                        endpoint["enabled"] = True
        else:
            result.append({"id": action.get("id"), "interface": action["interface"], "url": action["url"],
                           "enabled": True})
    return sorted(result, key=lambda e: (INTERFACES.index(e["interface"]) if e["interface"] in INTERFACES else 9,
                                         e["url"], str(e["id"])))


def describe_action(service, action):
    """One action in words, for a message: what was (or was not) done to which endpoint."""
    if action["action"] == CREATE:
        created = " (id %s)" % action["id"] if action.get("id") else ""
        return "create %s %s endpoint %s%s" % (service, action["interface"], action["url"], created)
    if action["action"] == UPDATE:
        return "update %s %s endpoint %s from %s to %s%s" % (
            service, action["interface"], action["id"], action["old_url"], action["url"],
            " and enable it" if action.get("enable") else "")
    return "delete duplicate %s %s endpoint %s (%s)" % (service, action["interface"], action["id"], action["url"])
