"""A stand-in for XenServer's ``xe`` command that talks XenAPI to the XAPI simulator (tests/lab/xapi_lab.py).

Real ``xe`` is a thin client: it posts its arguments to xapi's /cli handler and xapi runs the command
(ocaml/xapi-cli-server in xapi-project/xen-api).  The simulator has no /cli handler, so this script does the
server's part itself with plain XenAPI calls over XML-RPC, for the commands a XenServer compute-domU setup
uses, and prints what xe prints: records as ``name ( RO): value`` blocks, ``--minimal`` as one comma-separated
line, a XenAPI failure as the error's description and its parameters on stderr with exit status 1.

Connection as xe makes it: server 127.0.0.1 (the default) means dom0's Unix socket (``$XE_SOCKET``, else
/var/lib/xcp/xapi), where no password is needed, and plain HTTP to 127.0.0.1 when no socket answers; another
server is HTTPS (certificate not checked, port 443) unless ``--nossl`` (port 80).  Options ``-s -p -u -pw -pwf
--nossl`` or ``server= port= username= password=``; defaults from the rc file ``$XE_CONFIG`` (else ~/.xe) of
``key=value`` lines.  Stdlib only, without the XenAPI library, so it runs in a bare container as dom0's xe.
"""

from __future__ import annotations

import http.client
import os
import socket
import ssl
import sys
import xmlrpc.client

DEFAULT_SOCKET = "/var/lib/xcp/xapi"
NOT_IN_DATABASE = "<not in database>"
USAGE_HINT = "For usage run: 'xe help'"
# Parameters every command accepts (xe's stdparams): never a filter, never a field to set.
STANDARD_PARAMS = ("server", "password", "port", "username", "minimal", "force", "multiple", "all", "message-priority", "trace")
SWITCHES = {"--force": "force", "--live": "live", "--internal": "internal", "-u": "username", "-pw": "password", "-s": "server",
            "-h": "server", "-p": "port", "--debug": "debug", "--minimal": "minimal", "--all": "all"}
TIMEOUT = 60

# What xe prints for the XenAPI errors the simulator answers with: the error's description and its parameters'
# names, as xapi's data model declares them (ocaml/idl/datamodel_errors.ml).  Other codes are printed as
# "Error code:" / "Error parameters:", as xe does for an error the data model does not describe.
ERRORS = {
    "BRIDGE_NAME_EXISTS": ("The specified bridge already exists.", ["bridge"]),
    "CANNOT_DESTROY_SYSTEM_NETWORK": ("You tried to destroy a system network: these cannot be destroyed.", ["network"]),
    "DEVICE_ALREADY_ATTACHED": ("The device is already attached to a VM", ["device"]),
    "DEVICE_ALREADY_DETACHED": ("The device is not currently attached", ["device"]),
    "DEVICE_ALREADY_EXISTS": ("A device with the name given already exists on the selected VM", ["device"]),
    "FIELD_TYPE_ERROR": ("The value specified is of the wrong type", ["field"]),
    "HANDLE_INVALID": ("You gave an invalid object reference. The object may have recently been deleted. The class parameter "
                       "gives the type of reference given, and the handle parameter echoes the bad value given.", ["class", "handle"]),
    "HOST_IS_SLAVE": ("You cannot make regular API calls directly on a supporter. Please pass API calls via the coordinator host.",
                      ["Master IP address"]),
    "INTERNAL_ERROR": ("The server failed to handle your request, due to an internal error. The given message may give details "
                       "useful for debugging the problem.", ["message"]),
    "INVALID_DEVICE": ("The device name is invalid", ["device"]),
    "INVALID_VALUE": ("The value given is invalid", ["field", "value"]),
    "MAC_INVALID": ("The MAC address specified is not valid.", ["MAC"]),
    "MAP_DUPLICATE_KEY": ("You tried to add a key-value pair to a map, but that key is already there.",
                          ["type", "param_name", "uuid", "key"]),
    "MESSAGE_METHOD_UNKNOWN": ("You tried to call a method that does not exist. The method name that you used is echoed.", ["method"]),
    "NETWORK_ALREADY_CONNECTED": ("You tried to create a PIF, but the network you tried to attach it to is already attached to some "
                                  "other PIF, and so the creation failed.", ["network", "connected PIF"]),
    "NETWORK_CONTAINS_PIF": ("The network contains active PIFs and cannot be deleted.", ["pifs"]),
    "NETWORK_CONTAINS_VIF": ("The network contains active VIFs and cannot be deleted.", ["vifs"]),
    "NETWORK_UNMANAGED": ("The network is not managed by xapi.", ["network"]),
    "NOT_IMPLEMENTED": ("The function is not implemented", ["function"]),
    "OPERATION_NOT_ALLOWED": ("You attempted an operation that was not allowed.", ["reason"]),
    "PIF_IS_VLAN": ("You tried to create a VLAN on top of another VLAN - use the underlying physical PIF/bond instead", ["PIF"]),
    "PIF_VLAN_EXISTS": ("You tried to create a PIF, but it already exists.", ["PIF"]),
    "UUID_INVALID": ("The uuid you supplied was invalid.", ["type", "uuid"]),
    "VBD_IS_EMPTY": ("Operation could not be performed because the drive is empty", ["vbd"]),
    "VBD_NOT_EMPTY": ("Operation could not be performed because the drive is not empty", ["vbd"]),
    "VBD_NOT_REMOVABLE_MEDIA": ("Media could not be ejected because it is not removable", ["vbd"]),
    "VLAN_TAG_INVALID": ("The VLAN tag you gave was invalid -- it must be between 0 and 4094. The parameter echoes the VLAN tag "
                         "you gave.", ["VLAN"]),
    "VM_BAD_POWER_STATE": ("You attempted an operation on a VM that was not in an appropriate power state at the time; for example, "
                           "you attempted to start a VM that was already running. The parameters returned are the VM's handle, and "
                           "the expected and actual VM state at the time of the call.", ["vm", "expected", "actual"]),
    "VM_IS_TEMPLATE": ("The operation attempted is not valid for a template VM", ["vm"]),
    "XENAPI_MISSING_PLUGIN": ("The requested plug-in could not be found.", ["name"]),
    "XENAPI_PLUGIN_FAILURE": ("There was a failure communicating with the plug-in.", ["status", "stdout", "stderr"]),
}
# Where xe looks up a reference found in an error's parameters, to print it as "uuid (name-label)".
REF_CLASSES = ("VM", "VIF", "VBD", "VDI", "network", "PIF", "VLAN", "host", "SR", "PBD", "pool")


# ----- errors ----------------------------------------------------------------------------------------


class XeError(Exception):
    """Ends the command with exit status 1 after printing ``lines`` on stderr."""

    def __init__(self, *lines: str):
        super().__init__(*lines)
        self.lines = lines


class XenFailure(Exception):
    """A XenAPI ``{Status: Failure, ErrorDescription: [code, params...]}`` reply."""

    def __init__(self, description: list):
        super().__init__(*description)
        self.code = str(description[0]) if description else "INTERNAL_ERROR"
        self.params = [str(item) for item in description[1:]]


class CliFailure(Exception):
    """A command's own refusal (xapi's OCaml ``failwith``): reported as INTERNAL_ERROR "Failure: ..."."""


class MissingParam(Exception):
    """A field name the record does not have (xe: "Missing parameter")."""


def usage_error(prefix: str, text: str) -> XeError:
    return XeError(f"{prefix}: {text}" if prefix else text, USAGE_HINT)


# ----- the connection ----------------------------------------------------------------------------------


class UnixConnection(http.client.HTTPConnection):
    """HTTP over a Unix socket, as xe talks to xapi on dom0."""

    def __init__(self, path: str):
        super().__init__("localhost", timeout=TIMEOUT)
        self.path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        try:
            sock.connect(self.path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


class UnixTransport(xmlrpc.client.Transport):
    def __init__(self, path: str):
        super().__init__()
        self.path = path

    def make_connection(self, host):
        if self._connection[1] is None:
            self._connection = (host, UnixConnection(self.path))
        return self._connection[1]


class Settings:
    """Where to connect and as whom: explicit option > rc file > default, as xe decides."""

    def __init__(self):
        self.server = "127.0.0.1"
        self.port: int | None = None
        self.username = "root"
        self.password = "null"  # xe sends this when no password is given
        self.password_file = ""
        self.ssl = True

    def set(self, key: str, value: str) -> bool:
        if key == "server":
            self.server = value
        elif key == "port":
            if not value.isdigit() or int(value) > 65535:
                raise XeError("Port number must be an integer (0-65535)")
            self.port = int(value)
        elif key == "username":
            self.username = value
        elif key == "password":
            self.password = value
        elif key == "passwordfile":
            self.password_file = value
        elif key == "nossl":
            self.ssl = value.lower() != "true"
        elif key in ("debug", "debugonfail", "traceparent"):
            pass
        else:
            return False
        return True

    def read_password_file(self) -> None:
        try:
            with open(self.password_file, encoding="utf-8") as stream:
                lines = stream.read().splitlines()
        except OSError as exc:
            raise XeError(f"Error opening password file '{self.password_file}'") from exc
        if len(lines) < 2:
            raise XeError("Error: password file format: expecting username on the first line, password on the second line")
        self.username, self.password = lines[0], lines[1]


def read_rc(settings: Settings) -> None:
    path = os.environ.get("XE_CONFIG") or os.path.join(os.environ.get("HOME", ""), ".xe")
    try:
        with open(path, encoding="utf-8") as stream:
            lines = [line for line in stream.read().splitlines() if line]
    except OSError:
        return
    if any("=" not in line for line in lines):
        sys.stderr.write("Error parsing rc file. No defaults loaded\n")
        return
    for line in lines:
        key, _sep, value = line.partition("=")
        settings.set(key, value)


def client_arguments(argv: list[str], settings: Settings) -> list[str]:
    """Take xe's own options out of argv (``-s host``, ``password=x``, ...); the rest is the command."""
    options = {"-s": "server", "-h": "server", "-p": "port", "-u": "username", "-pw": "password", "-pwf": "passwordfile"}
    flags = {"--nossl": "nossl", "--debug": "debug", "--debug-on-fail": "debugonfail"}
    rest = []
    index = 0
    while index < len(argv):
        arg = argv[index]
        if arg in options and index + 1 < len(argv):
            settings.set(options[arg], argv[index + 1])
            index += 2
            continue
        if arg in flags:
            settings.set(flags[arg], "true")
        elif not ("=" in arg and settings.set(*arg.split("=", 1))):
            rest.append(arg)
        index += 1
    return rest


def proxy_for(settings: Settings) -> xmlrpc.client.ServerProxy:
    """xe on 127.0.0.1 tries the Unix socket first, then plain HTTP (never SSL on-host); elsewhere HTTPS unless --nossl."""
    if settings.server == "127.0.0.1":
        path = os.environ.get("XE_SOCKET") or DEFAULT_SOCKET
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            probe.connect(path)
            return xmlrpc.client.ServerProxy("http://localhost/", transport=UnixTransport(path))
        except OSError:
            pass
        finally:
            probe.close()
        return xmlrpc.client.ServerProxy(f"http://127.0.0.1:{settings.port or 80}/")
    host = settings.server if ":" not in settings.server or settings.server.startswith("[") else f"[{settings.server}]"
    if settings.ssl:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE  # xe does not check xapi's certificate unless told to
        return xmlrpc.client.ServerProxy(f"https://{host}:{settings.port or 443}/", context=context)
    return xmlrpc.client.ServerProxy(f"http://{host}:{settings.port or 80}/")


class Api:
    """XenAPI calls on one session; a Failure reply raises XenFailure."""

    def __init__(self, proxy: xmlrpc.client.ServerProxy):
        self.proxy = proxy
        self.session: str | None = None
        self.cache: dict[str, dict] = {}

    def raw(self, method: str, *args):
        try:
            reply = getattr(self.proxy, method)(*args)
        except OSError as exc:
            # what xe prints when the connection fails (a Unix error)
            raise XeError(f"Error: {exc.strerror or exc} (calling connect )") from exc
        except (xmlrpc.client.Error, http.client.HTTPException) as exc:
            raise XeError(f"Unexpected message from server: {exc}") from exc
        if not isinstance(reply, dict) or reply.get("Status") != "Success":
            raise XenFailure(list(reply.get("ErrorDescription") or ["INTERNAL_ERROR", repr(reply)]) if isinstance(reply, dict)
                             else ["INTERNAL_ERROR", repr(reply)])
        return reply.get("Value")

    def __call__(self, method: str, *args):
        return self.raw(method, self.session, *args)

    def login(self, username: str, password: str) -> None:
        self.session = self.raw("session.login_with_password", username, password, "2.16", "cli")

    def logout(self) -> None:
        if self.session:
            try:
                self.raw("session.logout", self.session)
            except (XenFailure, XeError):
                pass
            self.session = None

    # records, fetched once per run
    def records(self, class_name: str) -> dict:
        if class_name not in self.cache:
            self.cache[class_name] = self("%s.get_all_records" % class_name)
        return self.cache[class_name]

    def record(self, class_name: str, ref: str) -> dict | None:
        return self.records(class_name).get(ref)

    def by_uuid(self, class_name: str, uuid: str) -> str:
        return self(f"{class_name}.get_by_uuid", uuid)

    def uuid_of(self, class_name: str, ref: str) -> str:
        record = self.record(class_name, ref)
        return record["uuid"] if record else NOT_IN_DATABASE

    def name_of(self, class_name: str, ref: str) -> str:
        record = self.record(class_name, ref)
        return record.get("name_label", NOT_IN_DATABASE) if record else NOT_IN_DATABASE

    def describe_ref(self, ref: str) -> str:
        """An error parameter that is a reference, as xe prints it: "uuid (name-label)"."""
        if not ref.startswith("OpaqueRef:") or ref == "OpaqueRef:NULL":
            return ref
        for class_name in REF_CLASSES:
            try:
                record = self(f"{class_name}.get_record", ref)
            except (XenFailure, XeError):
                continue
            return record.get("uuid", ref) + (f" ({record['name_label']})" if "name_label" in record else "")
        return ref


# ----- the classes' records -----------------------------------------------------------------------------


class Field:
    """One line of an xe record: its CLI name, where the value comes from, and how it can be changed.

    kind: str, int, bool, lower (an enum printed in lower case), map, set, ref / refs (uuids of the
    referenced objects), refname (the referenced object's name-label), custom (``get(api, record)``).
    """

    def __init__(self, name: str, api: str | None = None, kind: str = "str", rw: bool = False, target: str = "", get=None):
        self.name = name
        self.api = api or name.replace("-", "_")
        self.kind = kind
        self.rw = rw
        self.target = target
        self.get = get

    def access(self) -> str:
        if self.kind in ("set", "refs"):
            return "SRW" if self.rw else "SRO"
        if self.kind == "map":
            return "MRW" if self.rw else "MRO"
        return " RW" if self.rw else " RO"

    def value(self, api: Api, record: dict) -> str:
        raw = record.get(self.api)
        if self.kind == "custom":
            return self.get(api, record)
        if self.kind == "map":
            return "; ".join(f"{key}: {value}" for key, value in (raw or {}).items())
        if self.kind == "set":
            return "; ".join(str(item) for item in raw or [])
        if self.kind == "refs":
            return "; ".join(api.uuid_of(self.target, ref) for ref in raw or [])
        if self.kind == "ref":
            return api.uuid_of(self.target, raw)
        if self.kind == "refname":
            return api.name_of(self.target, raw)
        if self.kind == "bool":
            return "true" if raw is True or str(raw).lower() == "true" else "false"
        if self.kind == "lower":
            return str(raw).lower()
        if isinstance(raw, float):
            return f"{raw:.3f}"
        return "" if raw is None else str(raw)


def operations(_api: Api, record: dict) -> str:
    current = record.get("current_operations") or {}
    return "; ".join(str(value) for value in current.values())


def guest_map(field: str):
    def get(api: Api, record: dict) -> str:
        metrics = api.record("VM_guest_metrics", record.get("guest_metrics", ""))
        return "; ".join(f"{key}: {value}" for key, value in ((metrics or {}).get(field) or {}).items())
    return get


def sr_host(api: Api, record: dict) -> str:
    pbds = record.get("PBDs") or []
    if len(pbds) > 1:
        return "<shared>"
    pbd = api.record("PBD", pbds[0]) if pbds else None
    return api.name_of("host", pbd["host"]) if pbd else NOT_IN_DATABASE


def control_domain(api: Api, record: dict) -> str:
    host_refs = [ref for ref, host in api.records("host").items() if host is record]
    for vm in api.records("VM").values():
        if vm.get("is_control_domain") and vm.get("resident_on") in host_refs:
            return vm["uuid"]
    return NOT_IN_DATABASE


def F(*args, **kwargs) -> Field:  # pylint: disable=invalid-name
    return Field(*args, **kwargs)


NAME = [F("uuid"), F("name-label", rw=True), F("name-description", rw=True)]
OPERATIONS = [F("allowed-operations", kind="set"), F("current-operations", kind="custom", get=operations)]
POOL_FIELDS = NAME + [
    F("master", kind="ref", target="host"), F("default-SR", "default_SR", kind="ref", target="SR"),
    F("other-config", kind="map", rw=True), F("tags", kind="set", rw=True),
]
HOST_FIELDS = NAME + OPERATIONS + [
    F("enabled", kind="bool"), F("API-version-major", "API_version_major"), F("API-version-minor", "API_version_minor"),
    F("API-version-vendor", "API_version_vendor"), F("software-version", kind="map"), F("capabilities", kind="set"),
    F("other-config", kind="map", rw=True), F("cpu_info", kind="map"), F("hostname"), F("address"),
    F("memory-overhead", "memory_overhead"), F("tags", kind="set", rw=True),
    F("control-domain-uuid", kind="custom", get=control_domain), F("resident-vms", "resident_VMs", kind="refs", target="VM"),
]
SR_FIELDS = NAME + [F("host", kind="custom", get=sr_host)] + OPERATIONS + [
    F("VDIs", kind="refs", target="VDI"), F("PBDs", kind="refs", target="PBD"), F("virtual-allocation"),
    F("physical-utilisation"), F("physical-size"), F("type"), F("content-type"), F("shared", kind="bool", rw=True),
    F("is-tools-sr", kind="bool"), F("other-config", kind="map", rw=True), F("sm-config", kind="map"),
    F("tags", kind="set", rw=True),
]
NETWORK_FIELDS = NAME + [
    F("VIF-uuids", "VIFs", kind="refs", target="VIF"), F("PIF-uuids", "PIFs", kind="refs", target="PIF"),
    F("MTU", kind="int", rw=True), F("bridge"), F("managed", kind="bool"), F("other-config", kind="map", rw=True),
    F("tags", kind="set", rw=True),
]
PIF_FIELDS = [
    F("uuid"), F("device"), F("MAC"), F("physical", kind="bool"), F("managed", kind="bool"),
    F("currently-attached", kind="bool"), F("MTU"), F("VLAN"), F("vlan-master-of", "VLAN_master_of", kind="ref", target="VLAN"),
    F("vlan-slave-of", "VLAN_slave_of", kind="refs", target="VLAN"), F("management", kind="bool"),
    F("network-uuid", "network", kind="ref", target="network"), F("network-name-label", "network", kind="refname", target="network"),
    F("host-uuid", "host", kind="ref", target="host"), F("host-name-label", "host", kind="refname", target="host"),
    F("IP-configuration-mode", "ip_configuration_mode"), F("IP", "IP"), F("netmask"), F("gateway"),
    F("primary-address-type"), F("DNS", "DNS"), F("properties", kind="map"), F("capabilities", kind="set"),
    F("other-config", kind="map", rw=True),
]
VLAN_FIELDS = [
    F("uuid"), F("tagged-PIF", "tagged_PIF", kind="ref", target="PIF"), F("untagged-PIF", "untagged_PIF", kind="ref", target="PIF"),
    F("tag"),
]
VM_FIELDS = NAME + [
    F("user-version", kind="int", rw=True), F("is-a-template", kind="bool", rw=True),
    F("is-default-template", kind="bool", rw=True), F("is-a-snapshot", kind="bool"),
    F("parent", kind="ref", target="VM"), F("is-control-domain", kind="bool"), F("power-state", kind="lower"),
    F("memory-static-max", kind="int", rw=True), F("memory-dynamic-max", kind="int", rw=True),
    F("memory-dynamic-min", kind="int", rw=True), F("memory-static-min", kind="int", rw=True),
    F("VCPUs-params", "VCPUs_params", kind="map", rw=True), F("VCPUs-max", "VCPUs_max", kind="int", rw=True),
    F("VCPUs-at-startup", "VCPUs_at_startup", kind="int", rw=True), F("actions-after-shutdown", rw=True),
    F("actions-after-reboot", rw=True), F("actions-after-crash", rw=True), F("platform", kind="map", rw=True),
] + OPERATIONS + [
    F("blocked-operations", kind="map", rw=True), F("domain-type", rw=True), F("HVM-boot-policy", "HVM_boot_policy", rw=True),
    F("HVM-boot-params", "HVM_boot_params", kind="map", rw=True), F("PV-kernel", "PV_kernel", rw=True),
    F("PV-ramdisk", "PV_ramdisk", rw=True), F("PV-args", "PV_args", rw=True), F("PV-legacy-args", "PV_legacy_args", rw=True),
    F("PV-bootloader", "PV_bootloader", rw=True), F("PV-bootloader-args", "PV_bootloader_args", rw=True),
    F("resident-on", kind="ref", target="host"), F("affinity", kind="ref", target="host"),
    F("other-config", kind="map", rw=True), F("dom-id", "domid"), F("recommendations"),
    F("xenstore-data", kind="map", rw=True), F("os-version", kind="custom", get=guest_map("os_version")),
    F("PV-drivers-version", kind="custom", get=guest_map("PV_drivers_version")),
    F("VBDs", "VBDs", kind="refs", target="VBD"), F("networks", kind="custom", get=guest_map("networks")),
    F("tags", kind="set", rw=True),
]
VIF_FIELDS = [
    F("uuid"), F("vm-uuid", "VM", kind="ref", target="VM"), F("vm-name-label", "VM", kind="refname", target="VM"),
] + OPERATIONS + [
    F("device"), F("MAC", "MAC"), F("MAC-autogenerated", "MAC_autogenerated", kind="bool"), F("MTU"),
    F("currently-attached", kind="bool"), F("qos_algorithm_type", rw=True), F("qos_algorithm_params", kind="map", rw=True),
    F("other-config", kind="map", rw=True), F("network-uuid", "network", kind="ref", target="network"),
    F("network-name-label", "network", kind="refname", target="network"), F("locking-mode", rw=True),
]
VBD_FIELDS = [
    F("uuid"), F("vm-uuid", "VM", kind="ref", target="VM"), F("vm-name-label", "VM", kind="refname", target="VM"),
    F("vdi-uuid", "VDI", kind="ref", target="VDI"), F("vdi-name-label", "VDI", kind="refname", target="VDI"),
] + OPERATIONS + [
    F("empty", kind="bool"), F("device"), F("userdevice", rw=True), F("bootable", kind="bool", rw=True), F("mode", rw=True),
    F("type", rw=True), F("unpluggable", kind="bool", rw=True), F("currently-attached", kind="bool"),
    F("other-config", kind="map", rw=True),
]
VDI_FIELDS = NAME + [F("is-a-snapshot", kind="bool")] + OPERATIONS + [
    F("sr-uuid", "SR", kind="ref", target="SR"), F("sr-name-label", "SR", kind="refname", target="SR"),
    F("vbd-uuids", "VBDs", kind="refs", target="VBD"), F("virtual-size"), F("physical-utilisation"), F("location"),
    F("type"), F("sharable", kind="bool"), F("read-only", kind="bool"), F("managed", kind="bool"), F("missing", kind="bool"),
    F("is-tools-iso", kind="bool"), F("other-config", kind="map", rw=True), F("xenstore-data", kind="map"),
    F("sm-config", kind="map"), F("tags", kind="set", rw=True),
]
# Per xe class: the XenAPI class, the fields (a subset, in the order xe prints them), what *-list shows by
# default and the filters it always applies (ocaml/xapi-cli-server/records.ml and cli_operations.ml gen_cmds).
CLASSES = {
    "pool": ("pool", POOL_FIELDS, ["uuid", "name-label", "name-description", "master", "default-SR"], []),
    "host": ("host", HOST_FIELDS, ["uuid", "name-label", "name-description"], []),
    "sr": ("SR", SR_FIELDS, ["uuid", "name-label", "name-description", "host", "type", "content-type"], []),
    "network": ("network", NETWORK_FIELDS, ["uuid", "name-label", "name-description", "bridge"], []),
    "pif": ("PIF", PIF_FIELDS, ["uuid", "device", "VLAN", "MAC", "network-uuid", "currently-attached", "host-uuid"], []),
    "vlan": ("VLAN", VLAN_FIELDS, ["uuid", "tagged-PIF", "untagged-PIF", "tag"], []),
    "vm": ("VM", VM_FIELDS, ["name-label", "uuid", "power-state"], [("is-a-template", "false")]),
    "vif": ("VIF", VIF_FIELDS, ["uuid", "device", "vm-uuid", "network-uuid"], []),
    "vbd": ("VBD", VBD_FIELDS, ["uuid", "vm-uuid", "vm-name-label", "vdi-uuid", "device", "empty"], []),
    "vdi": ("VDI", VDI_FIELDS, ["uuid", "name-label", "name-description", "virtual-size", "read-only", "sharable", "sr-uuid"], []),
}


def fields_of(cli_class: str) -> list[Field]:
    return CLASSES[cli_class][1]


def field_lookup(fields: list[Field], name: str) -> Field:
    for field in fields:
        if field.name == name:
            return field
    raise MissingParam(name)


def field_type(fields: list[Field], key: str) -> tuple[str, Field]:
    """How xe reads a parameter name: a field, or ``map:key`` / ``set:contains``."""
    for field in fields:
        if field.name == key:
            return "normal", field
    if ":" in key:
        name = key.split(":", 1)[0]
        for field in fields:
            if field.name == name:
                if field.kind in ("set", "refs"):
                    return "set", field
                if field.kind == "map":
                    return "map", field
                raise CliFailure(f"Field '{field.name}' is not a set or map")
    raise CliFailure(f"Unknown field '{key}'")


def map_value(api: Api, field: Field, record: dict) -> dict:
    if field.kind == "custom":
        text = field.value(api, record)
        return dict(item.split(": ", 1) for item in text.split("; ") if ": " in item)
    return record.get(field.api) or {}


def matches(api: Api, fields: list[Field], record: dict, key: str, wanted: str) -> bool:
    kind, field = field_type(fields, key)
    if kind == "normal":
        value = field.value(api, record)
        return value.lower() == wanted.lower() if field.name == "MAC" else value == wanted
    suffix = key[len(field.name) + 1:]
    if kind == "map":
        return map_value(api, field, record).get(suffix) == wanted
    if suffix != "contains":
        raise CliFailure("Invalid syntax for set filtering (should be set-param:contains=key)")
    return wanted in field.value(api, record).split("; ")


def select(params: dict, fields: list[Field], default: list[str]) -> list[Field]:
    names = params.get("params")
    chosen = default if names is None else ([] if names == "all" else names.split(","))
    return [field for field in fields if not chosen or field.name in chosen]


def print_row(api: Api, field: Field, record: dict) -> tuple[str, str]:
    return f"{field.name} ({field.access()})", field.value(api, record)


# ----- output -------------------------------------------------------------------------------------------


class Printer:
    """xe's two printers: records and lines, or with --minimal one comma-separated line at the end."""

    def __init__(self, minimal: bool):
        self.minimal = minimal
        self.buffer: list[str] = []

    def table(self, rows: list[list[tuple[str, str]]]) -> None:
        if self.minimal:
            if rows and all(rows):
                self.buffer.append(",".join(escape_commas(row[0][1]) for row in rows))
            return
        for row in rows:
            sys.stdout.write(multi_line_record(row) + "\n\n")

    def lines(self, values: list[str]) -> None:
        if self.minimal:
            self.buffer.append(",".join(escape_commas(value) for value in values))
            return
        for value in values:
            sys.stdout.write(value + "\n")

    def flush(self) -> None:
        if self.minimal:
            sys.stdout.write(",".join(reversed(self.buffer)) + "\n")


def escape_commas(text: str) -> str:
    return text.replace("\\", "\\\\").replace(",", "\\,")


def multi_line_record(row: list[tuple[str, str]]) -> str:
    """The first name padded on the right, the others on the left, to four more than the longest name."""
    if not row:
        return "\n"
    width = 4 + max(len(name) for name, _value in row)
    lines = [f"{row[0][0].ljust(width)}: {row[0][1]}"] + [f"{name.rjust(width)}: {value}" for name, value in row[1:]]
    return "\n".join(lines) + "\n"


# ----- the commands ------------------------------------------------------------------------------------


def boolean(params: dict, name: str, default: bool = False) -> bool:
    if name not in params:
        return default
    value = params[name].lower()
    if value not in ("true", "false"):
        raise CliFailure("bool_of_string")
    return value == "true"


def integer(text: str, message: str) -> str:
    try:
        return str(int(text))
    except ValueError:
        raise CliFailure(message) from None


def class_commands(cli_class: str) -> dict:
    """<class>-list, -param-list, -param-get, -param-set, -param-add and -param-remove, as xe generates them."""
    api_class, fields, default, filters = CLASSES[cli_class]

    def records(api: Api) -> list[dict]:
        return list(api.records(api_class).values())

    def one(api: Api, params: dict) -> tuple[str, dict]:
        ref = api.by_uuid(api_class, params["uuid"])
        return ref, api(f"{api_class}.get_record", ref)

    def listing(api: Api, params: dict, printer: Printer) -> None:
        everything = records(api)
        chosen = everything
        criteria = filters + [(key, value) for key, value in params.items()
                              if key not in ("params",) + STANDARD_PARAMS and not key.startswith("database:")]
        for key, wanted in criteria:
            if chosen:
                chosen = [record for record in chosen if matches(api, fields, record, key, wanted)]
        shown = everything if boolean(params, "all") else chosen
        printer.table([[print_row(api, field, record) for field in select(params, fields, default)] for record in shown])

    def param_list(api: Api, params: dict, printer: Printer) -> None:
        _ref, record = one(api, params)
        printer.table([[print_row(api, field, record) for field in fields]])

    def param_get(api: Api, params: dict, printer: Printer) -> None:
        _ref, record = one(api, params)
        field = field_lookup(fields, params["param-name"])
        if "param-key" in params and field.kind in ("map", "custom"):
            found = map_value(api, field, record)
            if params["param-key"] not in found:
                raise CliFailure(f"Key {params['param-key']} not found in map")
            printer.lines([str(found[params["param-key"]])])
            return
        printer.lines([field.value(api, record)])

    def param_set(api: Api, params: dict, printer: Printer) -> None:
        del printer
        ref, record = one(api, params)
        for key, value in params.items():
            if key in ("uuid",) + STANDARD_PARAMS:
                continue
            kind, field = field_type(fields, key)
            if kind == "map":
                if not field.rw:
                    raise CliFailure(f"Map field '{field.name}' is read-only.")
                name = key[len(field.name) + 1:]
                if name in (record.get(field.api) or {}):
                    api(f"{api_class}.remove_from_{field.api}", ref, name)
                api(f"{api_class}.add_to_{field.api}", ref, name, value)
            elif kind == "set":
                raise CliFailure("Cannot param-set on set fields")
            elif not field.rw:
                raise CliFailure(f"Field '{key}' is read-only.")
            elif field.kind == "map":
                raise CliFailure(f"Field '{key}' is a map or set. use the 'name:key=value' syntax.")
            else:
                api(f"{api_class}.set_{field.api}", ref, wire_value(field, key, value))

    def param_add(api: Api, params: dict, printer: Printer) -> None:
        del printer
        ref, _record = one(api, params)
        field = field_lookup(fields, params["param-name"])
        if field.kind == "set" and field.rw:
            if "param-key" not in params:
                raise CliFailure("When adding a key to a set, use the syntax: *-param-add param-name=<name> param-key=<key>")
            api(f"{api_class}.add_{field.api}", ref, params["param-key"])
        elif field.kind == "map" and field.rw:
            for key, value in params.items():
                if key not in ("uuid", "param-name", "param-key") + STANDARD_PARAMS:
                    api(f"{api_class}.add_to_{field.api}", ref, key, value)
        elif field.kind in ("set", "map", "refs"):
            raise CliFailure("Parameter is read-only")
        else:
            raise CliFailure("Can only add to parameters of type Set or Map")

    def param_remove(api: Api, params: dict, printer: Printer) -> None:
        del printer
        ref, record = one(api, params)
        field = field_lookup(fields, params["param-name"])
        key = params["param-key"]
        if field.kind == "set" and field.rw:
            if key not in (record.get(field.api) or []):
                raise CliFailure(f"Key {key} is not in the set")
            api(f"{api_class}.remove_{field.api}", ref, key)
        elif field.kind == "map" and field.rw:
            if key not in (record.get(field.api) or {}):
                raise CliFailure(f"Key {key} is not in map")
            api(f"{api_class}.remove_from_{field.api}", ref, key)
        elif field.kind in ("set", "map", "refs"):
            raise CliFailure("Cannot remove parameters from read-only map")
        else:
            raise CliFailure("Can only remove from parameters of type Set or Map")

    commands = {
        f"{cli_class}-list": ([], listing),
        f"{cli_class}-param-list": (["uuid"], param_list),
        f"{cli_class}-param-get": (["uuid", "param-name"], param_get),
    }
    if any(field.rw for field in fields):
        commands[f"{cli_class}-param-set"] = (["uuid"], param_set)
    if any(field.rw and field.kind in ("set", "map") for field in fields):
        commands[f"{cli_class}-param-add"] = (["uuid", "param-name"], param_add)
        commands[f"{cli_class}-param-remove"] = (["uuid", "param-name", "param-key"], param_remove)
    return commands


def wire_value(field: Field, key: str, value: str):
    if field.kind == "int":
        return integer(value, f"Parameter {key} must be an integer")
    if field.kind == "bool":
        if value.lower() not in ("true", "false"):
            raise CliFailure(f"Parameter {key} must be a boolean (true or false)")
        return value.lower() == "true"
    return value


def network_create(api: Api, params: dict, printer: Printer) -> None:
    mtu = integer(params["MTU"], "int_of_string") if "MTU" in params else "1500"
    ref = api("network.create", {"name_label": params["name-label"], "name_description": params.get("name-description", ""),
                                 "MTU": mtu, "other_config": {}, "bridge": params.get("bridge", ""),
                                 "managed": boolean(params, "managed", True), "tags": []})
    printer.lines([api("network.get_uuid", ref)])


def network_destroy(api: Api, params: dict, printer: Printer) -> None:
    del printer
    api("network.destroy", api.by_uuid("network", params["uuid"]))


def vif_create(api: Api, params: dict, printer: Printer) -> None:
    mac = params.get("mac", "")
    if mac == "random":
        octets = list(os.urandom(6))
        octets[0] = (octets[0] | 0x02) & 0xFE
        mac = ":".join(f"{octet:02x}" for octet in octets)
    vm = api.by_uuid("VM", params["vm-uuid"])
    network = api.by_uuid("network", params["network-uuid"])
    mtu = api("network.get_MTU", network)
    ref = api("VIF.create", {"device": params["device"], "network": network, "VM": vm, "MAC": mac, "MTU": mtu, "other_config": {},
                             "currently_attached": False, "qos_algorithm_type": "", "qos_algorithm_params": {},
                             "locking_mode": "network_default", "ipv4_allowed": [], "ipv6_allowed": []})
    printer.lines([api("VIF.get_uuid", ref)])


def on_uuid(api_class: str, message: str):
    """A command that calls one message on the object named by uuid= (vif-plug, vbd-destroy, ...)."""
    def command(api: Api, params: dict, printer: Printer) -> None:
        del printer
        api(f"{api_class}.{message}", api.by_uuid(api_class, params["uuid"]))
    return command


def vlan_create(api: Api, params: dict, printer: Printer) -> None:
    network = api.by_uuid("network", params["network-uuid"])
    pif = api.by_uuid("PIF", params["pif-uuid"])
    tag = integer(params["vlan"], "Failed to parse parameter 'vlan': expecting an integer")
    vlan = api("VLAN.create", pif, tag, network)
    printer.lines([api("PIF.get_uuid", api("VLAN.get_untagged_PIF", vlan))])


def pool_vlan_create(api: Api, params: dict, printer: Printer) -> None:
    network = api.by_uuid("network", params["network-uuid"])
    pif = api.by_uuid("PIF", params["pif-uuid"])
    tag = integer(params["vlan"], "Failed to parse parameter 'vlan': expecting an integer")
    printer.lines([api("PIF.get_uuid", ref) for ref in api("pool.create_VLAN_from_PIF", pif, network, tag)])


def vlan_destroy(api: Api, params: dict, printer: Printer) -> None:
    """uuid= names the VLAN, or (as xe still allows) its untagged PIF."""
    del printer
    try:
        vlan = api.by_uuid("VLAN", params["uuid"])
    except XenFailure as failure:
        if failure.code == "HANDLE_INVALID":
            raise
        try:
            pif = api.by_uuid("PIF", params["uuid"])
        except XenFailure:
            raise failure from None
        api("PIF.destroy", pif)
        return
    api("VLAN.destroy", vlan)


def vbd_create(api: Api, params: dict, printer: Printer) -> None:
    vm = api.by_uuid("VM", params["vm-uuid"])
    empty = "vdi-uuid" not in params
    vdi = "OpaqueRef:NULL" if empty else api.by_uuid("VDI", params["vdi-uuid"])
    mode = params.get("mode", "rw").lower()
    if mode not in ("ro", "rw"):
        raise CliFailure(f'Unknown mode: {mode} (should be "ro" or "rw"')
    kind = params.get("type", "disk").lower()
    if kind not in ("cd", "disk", "floppy"):
        raise CliFailure(f'"Unknown type: {kind} (should be "cd", "disk" or "floppy"')
    kind = {"cd": "CD", "disk": "Disk", "floppy": "Floppy"}[kind]
    if kind == "Disk" and empty:
        raise CliFailure("Empty VBDs can only be made for type=CD")
    ref = api("VBD.create", {"VM": vm, "VDI": vdi, "userdevice": params["device"], "bootable": boolean(params, "bootable"),
                             "mode": mode.upper(), "type": kind, "unpluggable": boolean(params, "unpluggable", True), "empty": empty,
                             "qos_algorithm_type": "", "qos_algorithm_params": {}, "other_config": {}, "device": "",
                             "currently_attached": False})
    printer.lines([api("VBD.get_uuid", ref)])


def cd_list(api: Api, params: dict, printer: Printer) -> None:
    fields = fields_of("vdi")
    rows = []
    for sr_ref, sr in api.records("SR").items():
        if sr.get("content_type") != "iso":
            continue
        for vdi in api("SR.get_VDIs", sr_ref):
            record = api.record("VDI", vdi) or api("VDI.get_record", vdi)
            rows.append([print_row(api, field, record) for field in select(params, fields, ["name-label", "uuid"])])
    printer.table(rows)


def host_call_plugin(api: Api, params: dict, printer: Printer) -> None:
    host = api.by_uuid("host", params["host-uuid"])
    args = {key[len("args:"):]: value for key, value in params.items() if key.startswith("args:")}
    printer.lines([str(api("host.call_plugin", host, params["plugin"], params["fn"], args))])


COMMANDS: dict = {}
for _class in CLASSES:
    COMMANDS.update(class_commands(_class))
COMMANDS.update({
    "network-create": (["name-label"], network_create),
    "network-destroy": (["uuid"], network_destroy),
    "vif-create": (["device", "network-uuid", "vm-uuid"], vif_create),
    "vif-destroy": (["uuid"], on_uuid("VIF", "destroy")),
    "vif-plug": (["uuid"], on_uuid("VIF", "plug")),
    "vif-unplug": (["uuid"], on_uuid("VIF", "unplug")),
    "vlan-create": (["pif-uuid", "vlan", "network-uuid"], vlan_create),
    "pool-vlan-create": (["pif-uuid", "vlan", "network-uuid"], pool_vlan_create),
    "vlan-destroy": (["uuid"], vlan_destroy),
    "vbd-create": (["vm-uuid", "device"], vbd_create),
    "vbd-destroy": (["uuid"], on_uuid("VBD", "destroy")),
    "vbd-plug": (["uuid"], on_uuid("VBD", "plug")),
    "vbd-unplug": (["uuid"], on_uuid("VBD", "unplug")),
    "vbd-eject": (["uuid"], on_uuid("VBD", "eject")),
    "cd-list": ([], cd_list),
    "host-call-plugin": (["host-uuid", "plugin", "fn"], host_call_plugin),
})


# ----- the command line --------------------------------------------------------------------------------


def parse_command(args: list[str]) -> tuple[str, dict]:
    """xapi's parsing of what follows ``xe``: ``name=value``, ``--flag`` (true), ``-x value`` switches, a bare word (empty value)."""
    command = args[0]
    if "=" in command:
        raise usage_error("Syntax error", "command name is missing")
    params: dict[str, str] = {}
    index = 1
    while index < len(args):
        arg = args[index]
        if arg.startswith("--"):
            params[arg[2:]] = "true"
        elif arg.startswith("-"):
            if arg not in SWITCHES:
                raise usage_error("Syntax error", f"Unknown switch: {arg}")
            if index + 1 >= len(args):
                raise usage_error("Syntax error", "")
            params[SWITCHES[arg]] = args[index + 1]
            index += 1
        else:
            name, _sep, value = arg.partition("=")
            params.setdefault(name, value)  # xe takes the first of repeated parameters
        index += 1
    return command, params


def help_text(args: list[str]) -> str:
    wanted = [arg for arg in args[1:] if not arg.startswith("-") and "=" not in arg]
    if not wanted:
        return "Commands this xe stand-in knows (xapi lab):\n" + "\n".join(f"    {name}" for name in sorted(COMMANDS)) + "\n"
    out = []
    for name in wanted:
        if name in COMMANDS:
            out.append(multi_line_record([("command name        ", name), ("reqd params     ", ", ".join(COMMANDS[name][0]))]))
        else:
            out.append(f"Unknown command '{name}'\n")
    return "\n".join(out)


def server_error(api: Api | None, code: str, params: list[str]) -> XeError:
    converted = [api.describe_ref(param) if api else param for param in params]
    if code not in ERRORS:
        return XeError(f"Error code: {code}", f"Error parameters: {', '.join(converted)}")
    doc, names = ERRORS[code]
    lines = [doc]
    for index in range(max(len(names), len(converted))):
        name = names[index] if index < len(names) else "<extra>"
        lines.append(f"{name}: {converted[index] if index < len(converted) else '<unknown>'}")
    return XeError(*lines)


def run(argv: list[str]) -> int:
    if "-version" in argv:
        print("ThinCLI protocol: 6.2 (xapi lab stand-in)")
        return 0
    settings = Settings()
    read_rc(settings)
    asked_help = any(arg in ("-help", "--help") for arg in argv)
    args = client_arguments([arg for arg in argv if arg not in ("-help", "--help")], settings)
    if asked_help or not args:
        sys.stderr.write(__doc__.split("\n\n", maxsplit=1)[0] + "\nUsage: xe [-s server] [-p port] [-u user -pw password] <command> "
                         "[name=value ...] [--minimal]\n")
        return 0
    if settings.password_file:
        settings.read_password_file()
    command, params = parse_command(args)
    if command == "help":
        sys.stdout.write(help_text(args))
        return 0
    if command not in COMMANDS:
        raise usage_error("Unknown command", command)
    required, handler = COMMANDS[command]
    for name in required:
        if name not in params:
            raise usage_error("Required parameter not found", name)
    api = Api(proxy_for(settings))
    try:
        api.login(settings.username, settings.password)
    except XenFailure as failure:
        if failure.code == "SESSION_AUTHENTICATION_FAILED":
            raise usage_error("", "Username/password must be specified" if failure.params[:1] == [""] else "Authentication failed") from None
        raise server_error(None, failure.code, failure.params) from None
    printer = Printer(boolean(params, "minimal"))
    try:
        handler(api, params, printer)
        printer.flush()
    except XenFailure as failure:
        raise server_error(api, failure.code, failure.params) from None
    except CliFailure as failure:
        raise server_error(api, "INTERNAL_ERROR", [f"Failure: {failure}"]) from None
    except MissingParam as missing:
        raise server_error(None, "Missing parameter", [str(missing)]) from None
    finally:
        api.logout()
    return 0


def main(argv: list[str] | None = None) -> int:
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except XeError as error:
        sys.stdout.flush()
        sys.stderr.write("".join(line + "\n" for line in error.lines))
        return 1
    except KeyboardInterrupt:
        return 1


if __name__ == "__main__":
    sys.exit(main())
