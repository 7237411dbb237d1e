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


def normalize_proxy_url(url):
    """Return the proxy URL without a trailing slash, or raise ValueError saying why not."""
    text = str(url or "").strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("proxy_url is %r, expected http(s)://host[:port], where swift-proxy listens" % (url,))
    if parts.query or parts.fragment:
        raise ValueError("proxy_url is %r, expected no query or fragment" % (url,))
    try:
        parts.port
    except ValueError:
        raise ValueError("proxy_url is %r, its port is not a number from 1 to 65535" % (url,))
    return text.rstrip("/")


def wanted_urls(service_type, proxy_url, interfaces, url_templates=None):
    """``{interface: url}`` for one service type, from the templates (defaults merged in)."""
    templates = dict(DEFAULT_URL_TEMPLATES.get(service_type, {}))
    templates.update((url_templates or {}).get(service_type, {}))
    wanted = {}
    for interface in interfaces:
        if interface not in templates:
            raise ValueError("no URL template for service type %s, interface %s: add it to url_templates"
                             % (service_type, interface))
        wanted[interface] = str(templates[interface]).replace(PROXY_URL_PLACEHOLDER, proxy_url)
    return wanted


def plan_endpoints(existing, wanted):
    """The changes that turn ``existing`` endpoints of one service and region into ``wanted``.

    ``existing`` are dicts with id, interface, url and enabled; ``wanted`` maps interface to
    URL. Per interface: the first endpoint already right is kept, else the first one is
    repaired in place (keeping its ID), every other one is a duplicate and is deleted, and
    a missing interface is created. Interfaces not wanted are left alone.
    """
    actions = []
    for interface in INTERFACES:
        if interface not in wanted:
            continue
        url = wanted[interface]
        candidates = [e for e in existing if e["interface"] == interface]
        if not candidates:
            actions.append({"action": CREATE, "interface": interface, "url": url})
            continue
        exact = [e for e in candidates if e["url"] == url and e.get("enabled", True)]
        keep = exact[0] if exact else candidates[0]
        if not exact:
            actions.append({"action": UPDATE, "interface": interface, "id": keep["id"], "url": url,
                            "old_url": keep["url"], "old_enabled": keep.get("enabled", True)})
        for duplicate in candidates:
            if duplicate is not keep:
                actions.append({"action": DELETE, "interface": interface, "id": duplicate["id"],
                                "url": duplicate["url"]})
    return actions


def apply_plan(existing, actions):
    """The endpoint list after ``actions`` (for check mode and diffs); new ones have id None."""
    result = [dict(e) for e in existing]
    for action in actions:
        if action["action"] == DELETE:
            result = [e for e in result if e["id"] != action["id"]]
        elif action["action"] == UPDATE:
            for endpoint in result:
                if endpoint["id"] == action["id"]:
                    endpoint.update(url=action["url"], enabled=True)
        else:
            result.append({"id": None, "interface": action["interface"], "url": action["url"], "enabled": True})
    return sorted(result, key=lambda e: (INTERFACES.index(e["interface"]) if e["interface"] in INTERFACES else 9,
                                         e["url"], str(e["id"])))
