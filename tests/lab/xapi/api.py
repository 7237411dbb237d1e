"""The XenAPI calls the simulator answers: dispatch, sessions, the generic per-class messages and the
behaviour of the calls the stackops.openstack XenServer work relies on.

Every call returns a XenAPI reply struct; a failure is ``{'Status': 'Failure', 'ErrorDescription':
[code, params...]}`` with the codes and parameters xapi uses (HANDLE_INVALID [class, ref],
MAP_DUPLICATE_KEY [class, field, ref, key], VM_BAD_POWER_STATE [vm, expected, actual], ...).
A call XAPI has but this simulator does not model answers NOT_IMPLEMENTED [method], never a
made-up success.
"""

from __future__ import annotations

import copy
import hashlib
import errno
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import xmlrpc.client
from dataclasses import dataclass, field
from pathlib import Path

from .model import CLASSES, INVERSE_FIELDS, NULL_REF, SCHEMA, TRANSIENT_CLASSES, Database, XapiError, from_wire, new_uuid, parse_type, to_wire

LOG = logging.getLogger("xapi_lab")
PAM_FAILURE = "Authentication failure"
# Parameters XAPI declares with default values: a client may leave them out.
DEFAULTED_PARAMETERS = {"session.login_with_password": 2}
VM_DEVICE_LIMIT = 7  # VIF devices 0-6, what xapi allows an HVM guest without extra settings
PLUGIN_TIMEOUT = 60
PLUGIN_RUNTIME = Path(__file__).with_name("plugin_runtime")  # XenAPIPlugin for the plugins we run
VLAN_MAC = "fe:ff:ff:ff:ff:ff"  # the dummy MAC xapi gives a VLAN's untagged PIF
HANDLERS: dict = {}
# Calls that run without the database lock: a plugin calls back into this server from its own
# process, and its changes are recorded by those calls.
RUN_UNLOCKED = ("host.call_plugin",)
# xenopsd copies only the xenstore_data keys under these prefixes into a guest's domain directory
# (Domain.allowed_xsdata_prefixes in xapi-project's xenopsd: "vm-data" and "FIST")
GUEST_XSDATA_PREFIXES = ("vm-data/", "FIST/")
GUEST_XENSTORE_FILE = "xenstore.json"  # what tests/lab/xenstore-read reads in the guest


def handles(method: str):
    """Register the behaviour of one XenAPI call (Class.message)."""
    def register(function):
        HANDLERS[method] = function
        return function
    return register


@dataclass
class Options:
    """How this simulated host behaves; the seed's names are in seed.py."""

    username: str = "root"
    password: str = ""
    plugins_dir: Path | None = None
    slave_of: str | None = None  # pool master's address: answer HOST_IS_SLAVE to logins over TCP
    socket: Path | None = None  # where plugins reach the simulator (dom0's /var/lib/xcp/xapi)
    auth_delay: float = 0.0  # xapi waits 5 s after a wrong password; tests need not
    # VM name-label -> directory where that VM's guest finds its xenstore (GUEST_XENSTORE_FILE)
    guest_xenstore: dict[str, Path] = field(default_factory=dict)


class Xapi:
    """One simulated pool master: the database, the sessions and the event log."""

    def __init__(self, database: Database, options: Options):
        self.db = database
        self.options = options
        self.events: list[dict] = []
        self.event_id = 0
        self.changed = threading.Condition(self.db.lock)
        self.bridge_counter = 0  # like xapi's, per process: xapi0, xapi1, ... skipping used names

    # ----- entry point -----------------------------------------------------------------
    def call(self, method: str, params: tuple, local: bool = False) -> dict:
        """Answer one XML-RPC call; ``local`` is true for the Unix socket (xapi trusts it)."""
        try:
            value = self.dispatch(method, list(params), local)
            reply = {"Status": "Success", "Value": value}
            xmlrpc.client.dumps((reply,), methodresponse=True)  # a value XML-RPC cannot carry is a simulator bug
            return reply
        except XapiError as failure:
            LOG.info("%s -> %s", method, failure.description())
            return {"Status": "Failure", "ErrorDescription": failure.description()}
        except Exception as exc:  # pylint: disable=broad-exception-caught
            # a simulator bug must still reach the client as a XenAPI failure, never a fault
            LOG.error("%s crashed:\n%s", method, traceback.format_exc())
            return {"Status": "Failure", "ErrorDescription": ["INTERNAL_ERROR", f"{type(exc).__name__}: {exc}"]}

    def dispatch(self, method: str, params: list, local: bool):
        if method.startswith("system."):
            return self.system_call(method)
        asynchronous = method.startswith("Async.")
        name = method[len("Async."):] if asynchronous else method
        class_name, _dot, message = name.partition(".")
        spec = CLASSES[class_name].messages.get(message) if class_name in CLASSES else None
        if spec is None:
            if message in SCHEMA["__other_classes__"].get(class_name, ()):
                raise XapiError("NOT_IMPLEMENTED", method)
            raise XapiError("MESSAGE_METHOD_UNKNOWN", method)
        expected = len(spec["params"])
        minimum = DEFAULTED_PARAMETERS.get(name, expected)
        received = len(params) - (1 if spec["session"] else 0)
        if not minimum <= received <= expected:
            raise XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", method, minimum, received)
        with self.db.lock:
            session = None
            if spec["session"]:
                session = params.pop(0)
                if not isinstance(session, str) or not self.db.exists("session", session):
                    raise XapiError("SESSION_INVALID", session)
                self.db.get("session", session)["last_active"] = now()
            arguments = [from_wire(parse_type(kind), value, param_name, CLASSES[class_name].enums)
                         for (kind, param_name), value in zip(spec["params"], params)]
            if name not in RUN_UNLOCKED:
                return self.perform(session, name, arguments, local, asynchronous)
        return self.perform(session, name, arguments, local, asynchronous)

    def perform(self, session, name: str, arguments: list, local: bool, asynchronous: bool):
        class_name, _dot, message = name.partition(".")
        if asynchronous:
            return self.run_as_task(session, name, class_name, message, arguments, local)
        return self.run(session, name, class_name, message, arguments, local)

    def run(self, session, name: str, class_name: str, message: str, arguments: list, local: bool):
        read_only = message.startswith("get_") or message in ("login_with_password", "logout") or class_name == "event" or name in RUN_UNLOCKED
        before = None if read_only else self.snapshot()
        handler = HANDLERS.get(name)
        try:
            if name == "session.login_with_password":
                return handler(self, local, *arguments)  # no session yet: the login needs the transport instead
            if handler:
                return handler(self, session, *arguments)
            return self.generic(class_name, message, arguments, name)
        finally:
            # a call that fails half-way (xapi has no transactions either) still leaves file and events in step
            if before is not None:
                self.record_changes(before)

    def run_as_task(self, session, name: str, class_name: str, message: str, arguments: list, local: bool) -> str:
        """Async.*: xapi hands back a task; here the work is done before the task is returned."""
        with self.db.lock:
            task_ref = self.db.create("task", {"name_label": f"Async.{name}", "created": now(), "status": "pending", "progress": 0.0,
                                               "resident_on": self.master()})
            record = self.db.get("task", task_ref)
        try:
            outcome = {"status": "success", "result": task_result(self.run(session, name, class_name, message, arguments, local))}
        except XapiError as failure:
            outcome = {"status": "failure", "error_info": failure.description()}
        with self.db.lock:
            record.update(outcome, progress=1.0, finished=now())
        return task_ref

    def system_call(self, method: str):
        if method == "system.listMethods":
            names = [f"{class_name}.{message}" for class_name, schema in CLASSES.items() for message in schema.messages]
            return sorted(names)
        raise XapiError("MESSAGE_METHOD_UNKNOWN", method)

    # ----- changes, events and the state file --------------------------------------------
    def snapshot(self) -> dict:
        return copy.deepcopy({name: rows for name, rows in self.db.tables.items() if name not in TRANSIENT_CLASSES})

    def record_changes(self, before: dict) -> None:
        changes = []
        for class_name, rows in self.db.tables.items():
            if class_name in TRANSIENT_CLASSES:
                continue
            old_rows = before.get(class_name, {})
            for ref in old_rows.keys() - rows.keys():
                changes.append(("del", class_name, ref, old_rows[ref]))
            for ref, row in rows.items():
                if ref not in old_rows:
                    changes.append(("add", class_name, ref, None))
                elif old_rows[ref] != row:
                    changes.append(("mod", class_name, ref, None))
        if not changes:
            return
        changes += self.referrer_changes(changes, before)
        for operation, class_name, ref, old in changes:
            self.event_id += 1
            snapshot = self.db.wire_record(class_name, ref) if old is None else {}
            self.events.append({"id": str(self.event_id), "timestamp": str(time.time()), "class": class_name.lower(),
                                "operation": operation, "ref": ref, "snapshot": snapshot})
        self.db.save()
        self.changed.notify_all()

    def referrer_changes(self, changes: list, before: dict) -> list:
        """An object added or removed changes the computed sets of those it points at (VM.VIFs, network.PIFs)."""
        known = {(class_name, ref) for _operation, class_name, ref, _old in changes}
        extra = []
        for operation, class_name, ref, old in changes:
            if operation == "mod":
                continue
            row = old if operation == "del" else self.db.tables[class_name][ref]
            for (owner, _set_field), (member, ref_field) in INVERSE_FIELDS.items():
                target = row.get(ref_field) if member == class_name else None
                if target and (owner, target) not in known and self.db.exists(owner, target) and target in before.get(owner, {}):
                    known.add((owner, target))
                    extra.append(("mod", owner, target, None))
        return extra

    # ----- generic per-class messages -------------------------------------------------
    def generic(self, class_name: str, message: str, arguments: list, method: str):
        schema = CLASSES[class_name]
        db = self.db
        if message == "get_record":
            return db.wire_record(class_name, arguments[0])
        if message == "get_all":
            return db.refs(class_name)
        if message == "get_all_records":
            return {ref: db.wire_record(class_name, ref) for ref in db.refs(class_name)}
        if message == "get_by_uuid":
            return db.by_uuid(class_name, arguments[0])
        if message == "get_by_name_label":
            return db.where(class_name, name_label=arguments[0])
        if message == "create" and schema.messages[message]["implicit"]:
            return self.create_from_record(class_name, arguments[0])
        if message == "destroy" and schema.messages[message]["implicit"]:
            db.destroy(class_name, arguments[0])
            return ""
        for prefix in ("get_", "set_", "add_to_", "remove_from_", "add_", "remove_"):
            if message.startswith(prefix) and message[len(prefix):] in schema.fields:
                return self.field_message(class_name, prefix, message[len(prefix):], arguments)
        raise XapiError("NOT_IMPLEMENTED", method)

    def field_message(self, class_name: str, prefix: str, field: str, arguments: list):
        kind = CLASSES[class_name].fields[field]["kind"]
        ref = arguments[0]
        if prefix == "get_":
            return to_wire(kind, self.db.field(class_name, ref, field))
        record = self.db.get(class_name, ref)
        if prefix == "set_":
            record[field] = arguments[1]
        elif prefix == "add_to_":
            if arguments[1] in record[field]:
                raise XapiError("MAP_DUPLICATE_KEY", class_name, field, ref, arguments[1])
            record[field][arguments[1]] = arguments[2]
        elif prefix == "remove_from_":
            record[field].pop(arguments[1], None)
        elif prefix == "add_":
            if arguments[1] not in record[field]:
                record[field].append(arguments[1])
        elif prefix == "remove_":
            record[field] = [item for item in record[field] if item != arguments[1]]
        return ""

    def create_from_record(self, class_name: str, supplied: dict) -> str:
        """``<class>.create(record)``: every constructor field without a default must be given."""
        schema = CLASSES[class_name]
        values = {}
        for name in schema.constructor_fields():
            spec = schema.fields[name]
            if name in supplied:
                values[name] = from_wire(spec["kind"], supplied[name], name, schema.enums)
            elif spec["default"] is None:
                # what xapi's dispatcher reports for a record without a required field
                raise XapiError("INTERNAL_ERROR", f'Server_helpers.Dispatcher_FieldNotFound("{name}")')
        for name, value in values.items():
            if spec_is_ref(schema, name) and value != NULL_REF:
                self.db.get(schema.fields[name]["kind"][1], value)
        return self.db.create(class_name, values)

    # ----- helpers ----------------------------------------------------------------------
    def master(self) -> str:
        pools = self.db.refs("pool")
        return self.db.get("pool", pools[0])["master"] if pools else NULL_REF

    def vm_power(self, vm: str) -> str:
        return self.db.get("VM", vm)["power_state"]

    def assert_power(self, vm: str, allowed: tuple[str, ...]) -> None:
        actual = self.vm_power(vm)
        if actual not in allowed:
            raise XapiError("VM_BAD_POWER_STATE", vm, ", ".join(state.lower() for state in allowed), actual.lower())

    # ----- the guests' xenstore ----------------------------------------------------------
    def publish_guest_xenstore(self, vm: str) -> bool:
        """Write what the VM's guest reads from its xenstore domain directory, if a directory is configured for its
        name-label; true when written. Raises OSError when the directory cannot be written."""
        record = self.db.get("VM", vm)
        directory = self.options.guest_xenstore.get(record["name_label"])
        if directory is None:
            return False
        write_guest_xenstore(directory, guest_view(record))
        LOG.info("guest xenstore of %s (domid %s) written to %s", record["name_label"], record["domid"], directory / GUEST_XENSTORE_FILE)
        return True

    def update_guest_xenstore(self, vm: str) -> None:
        """The VM's domain was (re)built or handed a new xenstore_data: its guest sees the record of this moment. A
        directory that cannot be written is logged, not turned into a failure of the call (the VM did start)."""
        try:
            self.publish_guest_xenstore(vm)
        except OSError as exc:
            LOG.error("could not write the guest xenstore of %s: %s", self.db.get("VM", vm)["name_label"], exc)

    def publish_running_guests(self) -> None:
        """At server start: the configured guests that are running already have their xenstore (errors raise)."""
        for name in self.options.guest_xenstore:
            refs = self.db.where("VM", name_label=name)
            if not refs:
                LOG.warning("no VM named %r (yet): its guest xenstore is written when such a VM starts", name)
            for ref in refs:
                if self.vm_power(ref) == "Running":
                    self.publish_guest_xenstore(ref)


def task_result(value) -> str:
    """A task's result as xapi stores it: the XML-RPC <value> element of the call's result."""
    if value == "":
        return ""
    found = re.search(r"<value>.*</value>", xmlrpc.client.dumps((value,)), re.S)
    return found.group(0) if found else ""


def guest_view(record: dict) -> dict:
    """The guest's xenstore domain directory (/local/domain/<domid>) as paths relative to it, values as strings:
    the VM's xenstore_data under the prefixes xenopsd copies, and the keys xenopsd writes for every domain that a
    guest reads (``name``: the name-label, as xapi passes it to xenopsd, ``Domain-<domid>`` when empty; ``vm``;
    ``domid``)."""
    domid = str(record["domid"])
    view = {key: str(value) for key, value in record["xenstore_data"].items() if key.startswith(GUEST_XSDATA_PREFIXES)}
    view.update(name=record["name_label"] or f"Domain-{domid}", vm=f"/vm/{record['uuid']}", domid=domid)
    return view


def write_guest_xenstore(directory: Path, view: dict) -> None:
    """DIR/xenstore.json replaced atomically (temporary file in DIR, then os.replace): a reader in the guest sees the old
    file or the new one, never half of one. DIR may be a path into a container (/proc/<pid>/root/...)."""
    directory.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{GUEST_XENSTORE_FILE}.", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(view, stream, indent=1, sort_keys=True)
            stream.write("\n")
        os.chmod(temporary, 0o644)  # a guest's own xenstore directory is readable by any of its users' tools
        os.replace(temporary, directory / GUEST_XENSTORE_FILE)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def spec_is_ref(schema, name: str) -> bool:
    return schema.fields[name]["kind"][0] == "ref"


def now() -> str:
    return time.strftime("%Y%m%dT%H:%M:%SZ", time.gmtime())


# ----- session ----------------------------------------------------------------------------


@handles("session.login_with_password")
def login_with_password(xapi: Xapi, local: bool, uname: str, pwd: str, version: str = "", originator: str = "") -> str:
    del version  # xapi only logs it
    if not local:
        # a pool member refuses logins before it looks at the password, naming the master
        if xapi.options.slave_of:
            raise XapiError("HOST_IS_SLAVE", xapi.options.slave_of)
        if uname != xapi.options.username or pwd != xapi.options.password:
            time.sleep(xapi.options.auth_delay)
            raise XapiError("SESSION_AUTHENTICATION_FAILED", uname, PAM_FAILURE)
    # xapi trusts its Unix socket: a local login needs no password (xenserver_facts relies on it)
    return xapi.db.create("session", {
        "this_host": xapi.master(), "last_active": now(), "validation_time": now(), "pool": False,
        "auth_user_name": uname, "is_local_superuser": True, "originator": originator,
    })


@handles("session.logout")
def logout(xapi: Xapi, session: str) -> str:
    xapi.db.destroy("session", session)
    return ""


# ----- host and plugins --------------------------------------------------------------------


def plugin_command(path: Path) -> list[str]:
    """How a plugin file is run: directly, as xapi does, but dom0's ``python`` is this simulator's Python 3.

    Plugins start with ``#!/usr/bin/env python`` or ``#!/usr/bin/python`` (dom0's system Python); the
    host running the simulator may have no ``python`` at all. A file without the execute bit still
    fails as it would on dom0.
    """
    if not os.access(path, os.X_OK):
        raise PermissionError(errno.EACCES, "Permission denied", str(path))
    with open(path, "rb") as plugin:
        first_line = plugin.readline(200).decode("latin-1").strip()
    if first_line in ("#!/usr/bin/env python", "#!/usr/bin/python", "#!/usr/bin/env python3", "#!/usr/bin/python3"):
        return [sys.executable, str(path)]
    return [str(path)]


@handles("host.call_plugin")
def call_plugin(xapi: Xapi, session: str, host: str, plugin: str, function: str, args: dict) -> str:
    """Run a plugin the way xapi does: the call as XML-RPC in argv[1], a XenAPI reply struct as XML-RPC on stdout."""
    xapi.db.get("host", host)
    directory = xapi.options.plugins_dir
    # xapi looks the name up in the directory listing: no paths, no missing files
    if directory is None or plugin not in (os.listdir(directory) if directory.is_dir() else ()):
        raise XapiError("XENAPI_MISSING_PLUGIN", plugin)
    request = xmlrpc.client.dumps((session, {str(key): str(value) for key, value in args.items()}), function)
    path = directory / plugin
    python_path = os.pathsep.join(filter(None, [str(PLUGIN_RUNTIME), str(directory), os.environ.get("PYTHONPATH")]))
    env = dict(os.environ, PYTHONPATH=python_path, XAPI_LAB_SOCKET=str(xapi.options.socket or ""))
    try:
        ran = subprocess.run(plugin_command(path) + [request], capture_output=True, text=True, timeout=PLUGIN_TIMEOUT,
                             check=False, env=env)
    except PermissionError as exc:
        # xapi's fork helper reports a plugin it cannot execute as a failed run
        raise XapiError("XENAPI_PLUGIN_FAILURE", "non-zero exit", "", str(exc)) from None
    except subprocess.TimeoutExpired:
        raise XapiError("XENAPI_PLUGIN_FAILURE", "task stopped", "", f"timed out after {PLUGIN_TIMEOUT} s") from None
    if ran.returncode != 0:
        raise XapiError("XENAPI_PLUGIN_FAILURE", "non-zero exit", ran.stdout, ran.stderr)
    try:
        values, _method = xmlrpc.client.loads(ran.stdout)
    except xmlrpc.client.Fault as fault:
        raise XapiError("XENAPI_PLUGIN_FAILURE", "fault", fault.faultCode, fault.faultString) from None
    except Exception as exc:  # pylint: disable=broad-exception-caught
        raise XapiError("XENAPI_PLUGIN_FAILURE", "failed to parse plugin output", ran.stdout, str(exc)) from None
    status = values[0] if len(values) == 1 and isinstance(values[0], dict) else {}
    if status.get("Status") == "Success" and "Value" in status:
        return str(status["Value"])
    if status.get("Status") == "Failure" and status.get("ErrorDescription"):
        # the plugin's own failure reaches the client as it is
        raise XapiError(*[str(item) for item in status["ErrorDescription"]])
    raise XapiError("XENAPI_PLUGIN_FAILURE", "unexpected XMLRPC result", ran.stdout)


# ----- networks, PIFs and VLANs ----------------------------------------------------------------


@handles("network.create")
def network_create(xapi: Xapi, session: str, record: dict) -> str:
    del session
    bridges = {row["bridge"] for row in xapi.db.tables["network"].values()}
    bridge = record.get("bridge", "")
    if not bridge:
        # xapi names the bridge itself, counting from xapi0 in each run of the daemon
        while True:
            bridge = f"xapi{xapi.bridge_counter}"
            xapi.bridge_counter += 1
            if bridge not in bridges:
                break
    else:
        if len(bridge) > 15 or bridge.startswith(("xen", "xapi", "vif", "tap", "eth")):
            raise XapiError("INVALID_VALUE", "bridge", bridge)
        if bridge in bridges:
            raise XapiError("BRIDGE_NAME_EXISTS", bridge)
    ref = xapi.create_from_record("network", {**record, "bridge": bridge})
    network = xapi.db.get("network", ref)
    if network["MTU"] <= 0:
        network["MTU"] = 1500
    return ref


@handles("network.destroy")
def network_destroy(xapi: Xapi, session: str, network: str) -> str:
    del session
    record = xapi.db.get("network", network)
    attached = [vif for vif in xapi.db.where("VIF", network=network) if xapi.db.get("VIF", vif)["currently_attached"]]
    if attached:
        raise XapiError("NETWORK_CONTAINS_VIF", *attached)
    pifs = xapi.db.where("PIF", network=network)
    if pifs:
        raise XapiError("NETWORK_CONTAINS_PIF", *pifs)
    if record["other_config"].get("is_host_internal_management_network", "").lower() == "true":
        raise XapiError("CANNOT_DESTROY_SYSTEM_NETWORK", network)
    for vif in xapi.db.where("VIF", network=network):
        xapi.db.destroy("VIF", vif)
    xapi.db.destroy("network", network)
    return ""


@handles("VLAN.create")
def vlan_create(xapi: Xapi, session: str, tagged_pif: str, tag: int, network: str) -> str:
    del session
    db = xapi.db
    if not db.get("network", network)["managed"]:
        raise XapiError("NETWORK_UNMANAGED", network)
    pif = db.get("PIF", tagged_pif)
    host = pif["host"]
    others = db.where("PIF", network=network, host=host)
    if others:
        raise XapiError("NETWORK_ALREADY_CONNECTED", host, others[0])
    if pif["VLAN"] >= 0 or pif["VLAN_master_of"] != NULL_REF:
        raise XapiError("PIF_IS_VLAN", tagged_pif)
    if not 0 <= tag <= 4094:
        raise XapiError("VLAN_TAG_INVALID", tag)
    if db.where("VLAN", tagged_PIF=tagged_pif, tag=tag):
        raise XapiError("PIF_VLAN_EXISTS", pif["device"])
    vlan = db.create("VLAN", {"tagged_PIF": tagged_pif, "tag": tag})
    untagged = db.create("PIF", {
        "device": pif["device"], "network": network, "host": host, "MAC": VLAN_MAC, "MTU": pif["MTU"], "VLAN": tag,
        "metrics": pif["metrics"], "physical": False, "currently_attached": True, "ip_configuration_mode": "None",
        "VLAN_master_of": vlan, "managed": True, "primary_address_type": pif["primary_address_type"],
    })
    db.get("VLAN", vlan)["untagged_PIF"] = untagged
    return vlan


@handles("VLAN.destroy")
def vlan_destroy(xapi: Xapi, session: str, vlan: str) -> str:
    del session
    untagged = xapi.db.get("VLAN", vlan)["untagged_PIF"]
    if xapi.db.exists("PIF", untagged):
        xapi.db.destroy("PIF", untagged)
    xapi.db.destroy("VLAN", vlan)
    return ""


@handles("PIF.create_VLAN")
def pif_create_vlan(xapi: Xapi, session: str, device: str, network: str, host: str, tag: int) -> str:
    xapi.db.get("host", host)
    base = [pif for pif in xapi.db.where("PIF", host=host, device=device) if xapi.db.get("PIF", pif)["VLAN"] == -1]
    if not base:
        raise XapiError("INVALID_VALUE", "device", device)
    vlan = vlan_create(xapi, session, base[0], tag, network)
    return xapi.db.get("VLAN", vlan)["untagged_PIF"]


@handles("pool.create_VLAN")
def pool_create_vlan(xapi: Xapi, session: str, device: str, network: str, tag: int) -> list:
    """One VLAN PIF per host on the given device, as xapi does for the whole pool."""
    return [pif_create_vlan(xapi, session, device, network, host, tag) for host in xapi.db.refs("host")]


@handles("pool.create_VLAN_from_PIF")
def pool_create_vlan_from_pif(xapi: Xapi, session: str, pif: str, network: str, tag: int) -> list:
    return pool_create_vlan(xapi, session, xapi.db.get("PIF", pif)["device"], network, tag)


# ----- VMs ---------------------------------------------------------------------------------------


def set_devices_attached(xapi: Xapi, vm: str, attached: bool) -> None:
    for vif in xapi.db.where("VIF", VM=vm):
        xapi.db.get("VIF", vif)["currently_attached"] = attached
    for vbd in xapi.db.where("VBD", VM=vm):
        xapi.db.get("VBD", vbd)["currently_attached"] = attached


@handles("VM.start")
def vm_start(xapi: Xapi, session: str, vm: str, start_paused: bool, force: bool) -> str:
    del session, force
    xapi.assert_power(vm, ("Halted",))
    record = xapi.db.get("VM", vm)
    if record["is_a_template"]:
        raise XapiError("VM_IS_TEMPLATE", vm, "start")
    used = {row["domid"] for row in xapi.db.tables["VM"].values() if row["power_state"] != "Halted"}
    record.update(power_state="Paused" if start_paused else "Running", domid=next(n for n in range(1, 1 << 16) if n not in used),
                  resident_on=xapi.master())
    set_devices_attached(xapi, vm, True)
    xapi.update_guest_xenstore(vm)
    return ""


def vm_halt(xapi: Xapi, vm: str, allowed: tuple[str, ...]) -> str:
    xapi.assert_power(vm, allowed)
    if xapi.db.get("VM", vm)["is_control_domain"]:
        raise XapiError("OPERATION_NOT_ALLOWED", "This operation is not allowed on the control domain")
    xapi.db.get("VM", vm).update(power_state="Halted", domid=-1, resident_on=NULL_REF)
    set_devices_attached(xapi, vm, False)
    return ""


@handles("VM.clean_shutdown")
def vm_clean_shutdown(xapi: Xapi, session: str, vm: str) -> str:
    del session
    return vm_halt(xapi, vm, ("Running",))


@handles("VM.hard_shutdown")
def vm_hard_shutdown(xapi: Xapi, session: str, vm: str) -> str:
    del session
    return vm_halt(xapi, vm, ("Paused", "Suspended", "Running"))


@handles("VM.clean_reboot")
def vm_clean_reboot(xapi: Xapi, session: str, vm: str) -> str:
    del session
    xapi.assert_power(vm, ("Running",))
    xapi.update_guest_xenstore(vm)  # a reboot builds the domain again from the VM record
    return ""


@handles("VM.hard_reboot")
def vm_hard_reboot(xapi: Xapi, session: str, vm: str) -> str:
    del session
    xapi.assert_power(vm, ("Paused", "Running"))
    xapi.update_guest_xenstore(vm)
    return ""


@handles("VM.set_xenstore_data")
def vm_set_xenstore_data(xapi: Xapi, session: str, vm: str, value: dict) -> str:
    """Unlike add_to_/remove_from_xenstore_data, which only change the record, xapi's VM.set_xenstore_data also
    hands the whole map to a running VM's domain (message_forwarding -> xenopsd VM.set_xsdata, which rewrites the
    guest's vm-data/ and FIST/ trees): the guest sees it at once."""
    del session
    xapi.db.get("VM", vm)["xenstore_data"] = value
    if xapi.vm_power(vm) == "Running":
        xapi.update_guest_xenstore(vm)
    return ""


@handles("VM.clone")
def vm_clone(xapi: Xapi, session: str, vm: str, new_name: str) -> str:
    """A halted copy with its own uuid, MAC seed, disks' VBDs and VIFs (MACs regenerated, as xapi does)."""
    del session
    source = xapi.db.get("VM", vm)
    xapi.assert_power(vm, ("Halted",))
    if source["is_control_domain"]:
        raise XapiError("OPERATION_NOT_ALLOWED", "This operation is not allowed on the control domain")
    record = copy.deepcopy(source)
    # a template's clone stays a template (until is_a_template is set false), but never the default one
    record.update(uuid="", name_label=new_name, power_state="Halted", domid=-1, resident_on=NULL_REF,
                  guest_metrics=NULL_REF, parent=vm, is_default_template=False)
    for internal in ("default_template", "xensource_internal"):
        record["other_config"].pop(internal, None)
    record["other_config"]["mac_seed"] = new_uuid()
    clone = xapi.db.create("VM", record)
    for vbd in xapi.db.where("VBD", VM=vm):
        xapi.db.create("VBD", {**copy.deepcopy(xapi.db.get("VBD", vbd)), "uuid": "", "VM": clone, "currently_attached": False})
    for vif in xapi.db.where("VIF", VM=vm):
        row = copy.deepcopy(xapi.db.get("VIF", vif))
        row.update(uuid="", VM=clone, currently_attached=False, MAC=generated_mac(record["other_config"]["mac_seed"], int(row["device"])))
        xapi.db.create("VIF", row)
    return clone


@handles("VM.destroy")
def vm_destroy(xapi: Xapi, session: str, vm: str) -> str:
    del session
    xapi.assert_power(vm, ("Halted", "Suspended"))
    if xapi.db.get("VM", vm)["is_control_domain"]:
        raise XapiError("OPERATION_NOT_ALLOWED", "This operation is not allowed on the control domain")
    for class_name in ("VIF", "VBD"):
        for ref in xapi.db.where(class_name, VM=vm):
            xapi.db.destroy(class_name, ref)
    xapi.db.destroy("VM", vm)
    return ""


@handles("VM.get_allowed_VIF_devices")
def vm_allowed_vif_devices(xapi: Xapi, session: str, vm: str) -> list:
    del session
    xapi.db.get("VM", vm)
    used = {xapi.db.get("VIF", vif)["device"] for vif in xapi.db.where("VIF", VM=vm)}
    return [str(device) for device in range(VM_DEVICE_LIMIT) if str(device) not in used]


# ----- VIFs ------------------------------------------------------------------------------------


def generated_mac(seed: str, device: int) -> str:
    """A stable MAC from the VM's mac_seed and the device number, locally administered and unicast."""
    digest = hashlib.sha256(f"{seed}/{device}".encode()).digest()
    octets = bytearray(digest[:6])
    octets[0] = (octets[0] | 0x02) & 0xFE
    return ":".join(f"{octet:02x}" for octet in octets)


def valid_mac(mac: str) -> bool:
    parts = mac.split(":")
    return len(parts) == 6 and all(len(part) == 2 and all(c in "0123456789abcdefABCDEF" for c in part) for part in parts)


@handles("VIF.create")
def vif_create(xapi: Xapi, session: str, record: dict) -> str:
    del session
    schema = CLASSES["VIF"]
    for name in schema.constructor_fields():
        if name not in record and schema.fields[name]["default"] is None:
            raise XapiError("INTERNAL_ERROR", f'Server_helpers.Dispatcher_FieldNotFound("{name}")')
    vm = from_wire(("ref", "VM"), record["VM"], "VM", {})
    network = from_wire(("ref", "network"), record["network"], "network", {})
    device = str(record["device"])
    vm_record = xapi.db.get("VM", vm)
    xapi.db.get("network", network)
    if not device.isdigit():
        raise XapiError("INVALID_DEVICE", device)
    mac = str(record["MAC"])
    seed = vm_record["other_config"].get("mac_seed")
    autogenerated = False
    if seed is not None and mac == "":
        mac, autogenerated = generated_mac(seed, int(device)), True
    if not valid_mac(mac):
        raise XapiError("MAC_INVALID", mac)
    if any(int(xapi.db.get("VIF", vif)["device"]) == int(device) for vif in xapi.db.where("VIF", VM=vm)):
        raise XapiError("DEVICE_ALREADY_EXISTS", device)
    values = {name: record[name] for name in schema.constructor_fields() if name in record}
    values.update(device=device, MAC=mac)
    ref = xapi.create_from_record("VIF", values)
    xapi.db.get("VIF", ref)["MAC_autogenerated"] = autogenerated
    return ref


def set_attached(xapi: Xapi, class_name: str, device: str, attached: bool) -> str:
    """Plug or unplug a VIF or VBD: only on a running VM, and not twice the same way."""
    record = xapi.db.get(class_name, device)
    xapi.assert_power(record["VM"], ("Running",))
    if record["currently_attached"] == attached:
        raise XapiError("DEVICE_ALREADY_ATTACHED" if attached else "DEVICE_ALREADY_DETACHED", device)
    record["currently_attached"] = attached
    return ""


@handles("VIF.plug")
def vif_plug(xapi: Xapi, session: str, vif: str) -> str:
    del session
    return set_attached(xapi, "VIF", vif, True)


@handles("VIF.unplug")
def vif_unplug(xapi: Xapi, session: str, vif: str) -> str:
    del session
    return set_attached(xapi, "VIF", vif, False)


@handles("VIF.unplug_force")
def vif_unplug_force(xapi: Xapi, session: str, vif: str) -> str:
    del session
    return set_attached(xapi, "VIF", vif, False)


@handles("VIF.destroy")
def vif_destroy(xapi: Xapi, session: str, vif: str) -> str:
    del session
    record = xapi.db.get("VIF", vif)
    if xapi.vm_power(record["VM"]) == "Running" and record["currently_attached"]:
        raise XapiError("OPERATION_NOT_ALLOWED", "VIF currently attached to a running VM")
    xapi.db.destroy("VIF", vif)
    return ""


# ----- VBDs -----------------------------------------------------------------------------------


@handles("VBD.create")
def vbd_create(xapi: Xapi, session: str, record: dict) -> str:
    del session
    schema = CLASSES["VBD"]
    for name in schema.constructor_fields():
        if name not in record and schema.fields[name]["default"] is None:
            raise XapiError("INTERNAL_ERROR", f'Server_helpers.Dispatcher_FieldNotFound("{name}")')
    vm = record["VM"]
    xapi.db.get("VM", vm)
    kind = from_wire(("enum", "vbd_type"), record["type"], "type", CLASSES["VBD"].enums)
    empty = from_wire(("bool",), record["empty"], "empty", {})
    if kind != "CD" and empty:
        raise XapiError("VBD_NOT_REMOVABLE_MEDIA", "in constructor")
    userdevice = str(record["userdevice"])
    used = {xapi.db.get("VBD", vbd)["userdevice"] for vbd in xapi.db.where("VBD", VM=vm)}
    if userdevice == "autodetect":
        userdevice = next((str(n) for n in range(16) if str(n) not in used), "")
    if not userdevice.isdigit():
        raise XapiError("INVALID_DEVICE", record["userdevice"])
    if userdevice in used:
        raise XapiError("DEVICE_ALREADY_EXISTS", userdevice)
    return xapi.create_from_record("VBD", {**record, "userdevice": userdevice})


@handles("VBD.insert")
def vbd_insert(xapi: Xapi, session: str, vbd: str, vdi: str) -> str:
    del session
    record = xapi.db.get("VBD", vbd)
    xapi.db.get("VDI", vdi)
    if record["type"] != "CD":
        raise XapiError("VBD_NOT_REMOVABLE_MEDIA", vbd)
    if not record["empty"]:
        raise XapiError("VBD_NOT_EMPTY", vbd)
    record.update(VDI=vdi, empty=False)
    return ""


@handles("VBD.eject")
def vbd_eject(xapi: Xapi, session: str, vbd: str) -> str:
    del session
    record = xapi.db.get("VBD", vbd)
    if record["type"] != "CD":
        raise XapiError("VBD_NOT_REMOVABLE_MEDIA", vbd)
    if record["empty"]:
        raise XapiError("VBD_IS_EMPTY", vbd)
    record.update(VDI=NULL_REF, empty=True)
    return ""


@handles("VBD.plug")
def vbd_plug(xapi: Xapi, session: str, vbd: str) -> str:
    del session
    return set_attached(xapi, "VBD", vbd, True)


@handles("VBD.unplug")
def vbd_unplug(xapi: Xapi, session: str, vbd: str) -> str:
    del session
    return set_attached(xapi, "VBD", vbd, False)


@handles("VBD.destroy")
def vbd_destroy(xapi: Xapi, session: str, vbd: str) -> str:
    del session
    record = xapi.db.get("VBD", vbd)
    if xapi.vm_power(record["VM"]) == "Running" and record["currently_attached"]:
        raise XapiError("OPERATION_NOT_ALLOWED", "VBD currently attached to a running VM")
    xapi.db.destroy("VBD", vbd)
    return ""


# ----- events --------------------------------------------------------------------------------


def wanted(classes: list[str], class_name: str) -> bool:
    names = {name.lower() for name in classes}
    return "*" in names or class_name.lower() in names


@handles("event.get_current_id")
def event_current_id(xapi: Xapi, session: str) -> str:
    del session
    return str(xapi.event_id)


@handles("event.from")
def event_from(xapi: Xapi, session: str, classes: list, token: str, timeout: float) -> dict:
    """Changes after ``token``; an empty token gives every current object, as xapi does."""
    del session
    if token == "":
        events = [{"id": str(xapi.event_id), "timestamp": str(time.time()), "class": class_name.lower(), "operation": "add",
                   "ref": ref, "snapshot": xapi.db.wire_record(class_name, ref)}
                  for class_name in CLASSES if class_name not in TRANSIENT_CLASSES and class_name != "event" and wanted(classes, class_name)
                  for ref in xapi.db.refs(class_name)]
        return {"events": events, "valid_ref_counts": {}, "token": str(xapi.event_id)}
    try:
        since = int(token)
    except ValueError:
        raise XapiError("EVENT_FROM_TOKEN_PARSE_FAILURE", token) from None
    deadline = time.monotonic() + max(0.0, timeout)
    while True:
        events = [event for event in xapi.events if int(event["id"]) > since and wanted(classes, event["class"])]
        left = deadline - time.monotonic()
        if events or left <= 0:
            return {"events": events, "valid_ref_counts": {}, "token": str(xapi.event_id)}
        xapi.changed.wait(left)


@handles("event.register")
def event_register(xapi: Xapi, session: str, classes: list) -> str:
    state = xapi.db.get("session", session)
    state.setdefault("other_config", {})["lab_event_classes"] = json.dumps(classes)
    state["other_config"]["lab_event_token"] = str(xapi.event_id)
    return ""


@handles("event.unregister")
def event_unregister(xapi: Xapi, session: str, classes: list) -> str:
    del classes
    xapi.db.get("session", session)["other_config"].pop("lab_event_classes", None)
    return ""


@handles("event.next")
def event_next(xapi: Xapi, session: str) -> list:
    """Events since the last next (or register); waits up to 30 s, then answers an empty list."""
    config = xapi.db.get("session", session)["other_config"]
    if "lab_event_classes" not in config:
        raise XapiError("SESSION_NOT_REGISTERED", session)
    reply = event_from(xapi, session, json.loads(config["lab_event_classes"]), config["lab_event_token"], 30.0)
    config["lab_event_token"] = reply["token"]
    return reply["events"]
