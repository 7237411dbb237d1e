# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""XenAPI sessions for the xenserver_* modules, and the pure planning behind them.

The modules run on the controller (dom0's Python is too old for ansible-core) and talk to the
pool master over HTTP(S) with the XenAPI client from PyPI. XenAPI answers failures as a list,
the error code first (``XenAPI.Failure.details``); ``describe_failure`` turns the codes an
operator can act on into words. Everything here but ``connect`` takes plain values.
"""

from __future__ import annotations

import socket
import traceback

from ansible.module_utils.basic import missing_required_lib

from urllib.parse import urlsplit, urlunsplit

try:
    import XenAPI
except ImportError:
    XenAPI = None
    XENAPI_IMPORT_ERROR = traceback.format_exc()
else:
    XENAPI_IMPORT_ERROR = None

NULL_REF = "OpaqueRef:NULL"
CLIENT_ORIGINATOR = "stackops.openstack"


class XenServerError(Exception):
    """A failure to report as the module's message."""


def xenserver_argument_spec():
    return dict(
        hostname=dict(type="str", required=True, aliases=["host", "pool"]),
        username=dict(type="str", default="root", aliases=["user", "admin"]),
        password=dict(type="str", required=True, no_log=True, aliases=["pass", "pwd"]),
        validate_certs=dict(type="bool", default=True),
    )


def server_url(hostname):
    """The URL of a hostname given as C(host), C(host:port) or a full http(s) URL (https by default)."""
    hostname = (hostname or "").strip()
    if not hostname:
        raise XenServerError("hostname is empty: expected a XenServer pool master as host, host:port or URL")
    if "://" not in hostname:
        hostname = "https://" + hostname
    parts = urlsplit(hostname)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise XenServerError("hostname %r is not a XenServer address: expected host, host:port or an http(s) URL"
                             % hostname)
    return urlunsplit((parts.scheme, parts.netloc, "", "", ""))


def master_url(url, master_address):
    """The URL of the pool master named by a HOST_IS_SLAVE answer: same scheme and port, the master's address."""
    parts = urlsplit(url)
    netloc = master_address if ":" not in master_address else "[%s]" % master_address
    if parts.port:
        netloc = "%s:%d" % (netloc, parts.port)
    return urlunsplit((parts.scheme, netloc, "", "", ""))


def describe_failure(details, username=None):
    """A XenAPI failure (code first, then its parameters) in words."""
    details = [str(item) for item in (details or ["UNKNOWN_ERROR"])]
    code, params = details[0], details[1:]
    if code == "SESSION_AUTHENTICATION_FAILED":
        return ("XenServer refused the login of user %r: wrong user name or password (SESSION_AUTHENTICATION_FAILED)"
                % (username if username is not None else (params[0] if params else "?")))
    if code == "HOST_IS_SLAVE":
        return ("the host is a pool member, not the pool master; XenAPI calls go to the master at %s (HOST_IS_SLAVE)"
                % (params[0] if params else "an unknown address"))
    if code == "XENAPI_MISSING_PLUGIN":
        return "dom0 has no XenAPI plugin %r in /etc/xapi.d/plugins (XENAPI_MISSING_PLUGIN)" % (params[0] if params else "?")
    if code == "HANDLE_INVALID":
        return "the %s object is gone (HANDLE_INVALID): it was removed while this task ran" % (params[0] if params else "")
    if code == "VM_BAD_POWER_STATE":
        return "the VM is %s, and this needs it %s (VM_BAD_POWER_STATE)" % (
            params[2] if len(params) > 2 else "in another state", params[1] if len(params) > 1 else "in another state")
    return "XenAPI error %s" % " ".join([code] + params)


def connect(hostname, username, password, validate_certs=True, session_class=None):
    """A logged-in XenAPI session on the pool master, following one HOST_IS_SLAVE redirect."""
    session_class = session_class or XenAPI.Session
    url = server_url(hostname)
    for attempt in range(2):
        try:
            session = session_class(url, ignore_ssl=not validate_certs)
            session.xenapi.login_with_password(username, password, "1.0", CLIENT_ORIGINATOR)
            return session
        except (socket.error, OSError) as exc:
            raise XenServerError("cannot reach XenServer at %s: %s (check hostname, port and the network; for a self-signed "
                                 "certificate set validate_certs=false)" % (url, exc))
        except Exception as exc:  # XenAPI.Failure, xmlrpc ProtocolError: the client has no common base class
            details = getattr(exc, "details", None)
            if details and details[0] == "HOST_IS_SLAVE" and len(details) > 1 and attempt == 0:
                url = master_url(url, str(details[1]))
                continue
            if details:
                raise XenServerError("cannot log in to XenServer at %s: %s" % (url, describe_failure(details, username)))
            raise XenServerError("cannot talk XenAPI to %s: %s: %s" % (url, type(exc).__name__, exc))
    raise AssertionError("unreachable: the second attempt returns or raises")  # pragma: no cover


def module_session(module):
    """A XenAPI session from the module's connection options; the module fails in words when there is none."""
    if XenAPI is None:
        module.fail_json(msg=missing_required_lib("XenAPI"), exception=XENAPI_IMPORT_ERROR)
    params = module.params
    try:
        return connect(params["hostname"], params["username"], params["password"], params["validate_certs"])
    except XenServerError as exc:
        module.fail_json(msg=str(exc))


def logout(session):
    try:
        session.xenapi.session.logout()
    except Exception:  # pylint: disable=broad-except  # the session expires on its own
        pass


def failure_message(exc, doing):
    """The message for an exception raised by a XenAPI call while ``doing`` something."""
    details = getattr(exc, "details", None)
    if details:
        return "cannot %s: %s" % (doing, describe_failure(details))
    return "cannot %s: %s: %s" % (doing, type(exc).__name__, exc)


def find_vm(records, name):
    """The (ref, record) of the one VM named ``name`` among ``records`` (ref -> VM record).

    Templates and control domains share the name space, so they are refused by name, not skipped:
    working on them by mistake is worse than a clear failure.
    """
    named = sorted((ref, record) for ref, record in records.items() if record.get("name_label") == name)
    if not named:
        raise XenServerError("no VM is named %r on this pool: check the name (xe vm-list params=name-label)" % name)
    if len(named) > 1:
        uuids = ", ".join(record.get("uuid", ref) for ref, record in named)
        raise XenServerError("%d VMs are named %r (uuids %s): rename all but one, the modules need a unique name"
                             % (len(named), name, uuids))
    ref, record = named[0]
    if record.get("is_control_domain"):
        raise XenServerError("%r is a host's control domain (dom0), not a guest: refusing to change it" % name)
    if record.get("is_a_template") or record.get("is_a_snapshot"):
        kind = "snapshot" if record.get("is_a_snapshot") else "template"
        raise XenServerError("%r is a %s, not a VM: refusing to change it" % (name, kind))
    return ref, record


def find_network(records, name):
    """The (ref, record) of the network named ``name`` among ``records``, or (None, None); several is an error."""
    named = sorted((ref, record) for ref, record in records.items() if record.get("name_label") == name)
    if len(named) > 1:
        uuids = ", ".join(record.get("uuid", ref) for ref, record in named)
        raise XenServerError("%d networks are named %r (uuids %s): rename all but one, the name must be unique"
                             % (len(named), name, uuids))
    return named[0] if named else (None, None)


def map_string(value):
    """A value as XenServer stores it in a map: a string; booleans as V(true)/V(false), as xe writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def map_key_changes(current, wanted):
    """Keys of ``wanted`` whose value differs in ``current`` (a XenAPI map): (key, old or None, new) sorted by key.

    Only the given keys are managed; the other keys of the map stay as they are.
    """
    current = current or {}
    return [(key, current.get(key), map_string(value)) for key, value in sorted((wanted or {}).items())
            if current.get(key) != map_string(value)]


def network_view(record, vlan_tag=None, vlan_device=None):
    """What the network module shows of a network in its diff and result."""
    if record is None:
        return {}
    view = {"name": record.get("name_label"), "mtu": int(record.get("MTU", 0)),
            "other_config": dict(record.get("other_config") or {})}
    if vlan_tag is not None:
        view["vlan"] = {"tag": int(vlan_tag), "device": vlan_device}
    return view


def plan_network(record, vlans, wanted):
    """The XenAPI steps that take an existing network ``record`` (or None) to ``wanted``.

    ``vlans``: the network's VLANs as a list of ``{"tag": int, "device": str}`` (its tagged PIFs).
    ``wanted``: ``state``, ``mtu`` (None: leave), ``other_config`` (dict), ``vlan`` (None or tag/device).
    Returns a list of steps, each a tuple whose first item names the step.
    """
    if wanted["state"] == "absent":
        return [("destroy",)] if record is not None else []
    vlan = wanted.get("vlan")
    if record is None:
        steps = [("create", wanted.get("mtu"), dict((k, map_string(v)) for k, v in (wanted.get("other_config") or {}).items()))]
        if vlan:
            steps.append(("create_vlan", vlan["device"], int(vlan["tag"])))
        return steps
    steps = []
    if wanted.get("mtu") is not None and int(record.get("MTU", 0)) != int(wanted["mtu"]):
        steps.append(("set_mtu", int(wanted["mtu"])))
    for key, old, new in map_key_changes(record.get("other_config"), wanted.get("other_config")):
        steps.append(("set_other_config", key, old, new))
    if vlan:
        tags = set((int(v["tag"]), v["device"]) for v in vlans)
        if (int(vlan["tag"]), vlan["device"]) not in tags:
            if vlans:
                raise XenServerError(
                    "network %r already carries VLAN %s: moving it to VLAN %s on %s is not done in place (remove the "
                    "network first)" % (record.get("name_label"), ", ".join("%s on %s" % (v["tag"], v["device"]) for v in vlans),
                                        vlan["tag"], vlan["device"]))
            steps.append(("create_vlan", vlan["device"], int(vlan["tag"])))
    return steps


def normalize_mac(mac):
    """A MAC as XenServer stores it (lower case, colons), or None when not given; anything else is refused."""
    if mac is None or mac == "":
        return None
    parts = str(mac).strip().replace("-", ":").lower().split(":")
    if len(parts) != 6 or not all(len(part) == 2 and all(c in "0123456789abcdef" for c in part) for part in parts):
        raise XenServerError("mac %r is not a MAC address: expected six hex pairs such as 02:16:3e:00:00:01" % mac)
    return ":".join(parts)


def vif_view(vif, network_name, vm_running):
    """What the VIF module shows of a VIF in its diff and result."""
    if vif is None:
        return {}
    return {"device": int(vif["device"]), "network": network_name, "mac": vif["MAC"],
            "attached": bool(vif["currently_attached"]) and vm_running}


def plan_vif(vif, vif_network_name, wanted, vm_running):
    """The XenAPI steps that take the VIF at a device (``vif``, a record, or None) to ``wanted``.

    ``wanted``: ``state``, ``network`` (name), ``mac`` (normalized or None: keep or let XenServer choose),
    ``replace`` (recreate a VIF that is on another network or has another MAC). A recreated VIF keeps its
    MAC unless another is given, so the guest's interface naming stays. Plugging needs a running VM; a
    halted VM gets its VIF at the next start.
    """
    attached = vif is not None and bool(vif["currently_attached"]) and vm_running
    if wanted["state"] == "absent":
        if vif is None:
            return []
        return ([("unplug",)] if attached else []) + [("destroy",)]
    if vif is None:
        return [("create", wanted.get("mac") or "")] + ([("plug",)] if vm_running else [])
    differences = []
    if vif_network_name != wanted["network"]:
        differences.append("is on network %r, not %r" % (vif_network_name, wanted["network"]))
    if wanted.get("mac") and vif["MAC"].lower() != wanted["mac"]:
        differences.append("has MAC %s, not %s" % (vif["MAC"], wanted["mac"]))
    if differences:
        if not wanted.get("replace"):
            raise XenServerError("device %s %s: set replace=true to recreate it (the guest loses that interface while "
                                 "it is replaced)" % (vif["device"], " and ".join(differences)))
        steps = [("unplug",)] if attached else []
        steps += [("destroy",), ("create", wanted.get("mac") or vif["MAC"])]
        return steps + ([("plug",)] if vm_running else [])
    if vm_running and not vif["currently_attached"]:
        return [("plug",)]
    return []
