"""The XAPI object model of the simulator: typed records, references, errors and the JSON state file.

Field names, wire types, qualifiers and defaults come from schema.json (see make_schema.py), so a
record read from the simulator has the same keys a real XAPI sends.  Values travel the way XAPI's
XML-RPC puts them on the wire: ``int`` as a decimal string, ``float`` as a double, ``datetime`` as
an XML-RPC dateTime, references as ``OpaqueRef:<uuid>`` strings, enums by name.
"""

from __future__ import annotations

import json
import os
import threading
import uuid
import xmlrpc.client
from pathlib import Path

NULL_REF = "OpaqueRef:NULL"
EPOCH = "19700101T00:00:00Z"
SCHEMA = json.loads(Path(__file__).with_name("schema.json").read_text())
# Sessions, tasks and events live in memory only, as xapi forgets sessions when it restarts;
# keeping them out of the state file also means a read-only client run leaves the file unchanged.
TRANSIENT_CLASSES = ("session", "task")
# A set of references that XAPI computes from the other side of a one-to-many relation:
# (class, set field) -> (class holding the reference, its field).
INVERSE_FIELDS = {
    ("VM", "VIFs"): ("VIF", "VM"),
    ("VM", "VBDs"): ("VBD", "VM"),
    ("VM", "snapshots"): ("VM", "snapshot_of"),
    ("VM", "children"): ("VM", "parent"),
    ("network", "VIFs"): ("VIF", "network"),
    ("network", "PIFs"): ("PIF", "network"),
    ("host", "PIFs"): ("PIF", "host"),
    ("host", "PBDs"): ("PBD", "host"),
    ("host", "resident_VMs"): ("VM", "resident_on"),
    ("SR", "VDIs"): ("VDI", "SR"),
    ("SR", "PBDs"): ("PBD", "SR"),
    ("VDI", "VBDs"): ("VBD", "VDI"),
    ("PIF", "VLAN_slave_of"): ("VLAN", "tagged_PIF"),
    ("task", "subtasks"): ("task", "subtask_of"),
}
PRIMITIVES = ("string", "int", "float", "bool", "datetime")


class XapiError(Exception):
    """An API failure: the code and parameters of a ``{Status: Failure, ErrorDescription}`` reply."""

    def __init__(self, code: str, *params: object):
        super().__init__(code, *params)
        self.code = code
        self.params = [str(param) for param in params]

    def description(self) -> list[str]:
        return [self.code, *self.params]


def new_ref() -> str:
    return f"OpaqueRef:{uuid.uuid4()}"


def new_uuid() -> str:
    return str(uuid.uuid4())


# ----- wire types ----------------------------------------------------------------------


def parse_type(text: str) -> tuple:
    """A schema type string as a tree: ('string',), ('ref', 'VM'), ('set', T), ('map', K, V), ('enum', name)."""
    text = text.strip()
    if text.startswith("(") and text.endswith(") map"):
        key, value = text[1:-len(") map")].split(" -> ", 1)
        return ("map", parse_type(key), parse_type(value))
    if text.endswith(" set"):
        return ("set", parse_type(text[:-len(" set")]))
    if text.startswith("enum "):
        return ("enum", text[len("enum "):])
    if text.endswith(" ref"):
        return ("ref", text[:-len(" ref")])
    if text.endswith(" record"):
        return ("record", text[:-len(" record")])
    if text in PRIMITIVES or text == "void":
        return (text,)
    raise ValueError(f"unknown XAPI type {text!r}")


def empty_value(kind: tuple):
    """What a field holds when neither its default nor the creator gives a value."""
    name = kind[0]
    return {"string": "", "int": 0, "float": 0.0, "bool": False, "datetime": EPOCH, "ref": NULL_REF,
            "set": [], "map": {}, "record": {}}.get(name, "")


def parse_default(kind: tuple, raw: str | None, enums: dict):
    """A schema default (XAPI's own notation: ``"text"``, ``{}``, ``1500``, ``Halted``) as a stored value."""
    if raw is None:
        if kind[0] == "enum":
            return enums.get(kind[1], [""])[0]
        return empty_value(kind)
    if kind[0] == "string":
        return raw[1:-1] if raw.startswith('"') and raw.endswith('"') else raw
    if kind[0] == "int":
        return int(raw)
    if kind[0] == "float":
        return float(raw.rstrip("."))
    if kind[0] == "bool":
        return raw == "true"
    if kind[0] == "ref":
        return NULL_REF if raw in ("Null", "OpaqueRef:NULL") else raw
    if kind[0] in ("set", "map"):
        return [] if kind[0] == "set" else {}
    return raw


def to_wire(kind: tuple, value):
    """A stored value as XAPI puts it in an XML-RPC reply."""
    name = kind[0]
    if name == "int":
        return str(int(value))
    if name == "float":
        return float(value)
    if name == "bool":
        return bool(value)
    if name == "datetime":
        return xmlrpc.client.DateTime(str(value))
    if name == "set":
        return [to_wire(kind[1], item) for item in value]
    if name == "map":
        return {str(to_wire(kind[1], key)): to_wire(kind[2], item) for key, item in value.items()}
    return "" if value is None else value


def from_wire(kind: tuple, value, field: str, enums: dict):
    """A parameter as a client sent it, checked against its type (FIELD_TYPE_ERROR names the field)."""
    name = kind[0]
    try:
        if name == "int":
            if isinstance(value, bool):
                raise ValueError(value)
            return int(value)
        if name == "float":
            return float(value)
        if name == "bool":
            if isinstance(value, bool):
                return value
            if str(value).lower() in ("true", "false"):
                return str(value).lower() == "true"
            raise ValueError(value)
        if name == "datetime":
            return str(value.value if hasattr(value, "value") else value)
        if name == "set":
            if not isinstance(value, (list, tuple)):
                raise ValueError(value)
            return [from_wire(kind[1], item, field, enums) for item in value]
        if name == "map":
            if not isinstance(value, dict):
                raise ValueError(value)
            return {from_wire(kind[1], key, field, enums): from_wire(kind[2], item, field, enums) for key, item in value.items()}
        if name == "enum":
            allowed = enums.get(kind[1])
            matched = [choice for choice in allowed or [] if choice.lower() == str(value).lower()]
            if allowed and not matched:
                raise XapiError("INVALID_VALUE", field, value)
            return matched[0] if matched else str(value)
        if name in ("string", "ref"):
            if not isinstance(value, str):
                raise ValueError(value)
            return value
    except XapiError:
        raise
    except (TypeError, ValueError) as exc:
        raise XapiError("FIELD_TYPE_ERROR", field) from exc
    return value


class ClassSchema:
    """One XAPI class as schema.json describes it."""

    def __init__(self, name: str):
        data = SCHEMA[name]
        self.name = name
        self.messages: dict = data["messages"]
        self.enums: dict = data["enums"]
        self.fields: dict[str, dict] = {}
        for field, type_text, qualifier, default in data["fields"]:
            self.fields[field] = {"kind": parse_type(type_text), "qualifier": qualifier, "default": default}

    def default_record(self) -> dict:
        return {name: parse_default(spec["kind"], spec["default"], ALL_ENUMS) for name, spec in self.fields.items()}

    def constructor_fields(self) -> list[str]:
        """Fields a ``create`` record carries: writable or set at construction."""
        return [name for name, spec in self.fields.items() if spec["qualifier"] in ("RW", "RO/constructor")]


MODELLED = [name for name in SCHEMA if not name.startswith("__")]
ALL_ENUMS: dict[str, list[str]] = {enum: values for name in MODELLED for enum, values in SCHEMA[name]["enums"].items()}
CLASSES = {name: ClassSchema(name) for name in MODELLED}


# ----- the database --------------------------------------------------------------------


class Database:
    """Objects by class and reference, written to a JSON file after every change."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.RLock()
        self.tables: dict[str, dict[str, dict]] = {name: {} for name in CLASSES}

    # persistence
    def load(self) -> bool:
        if not self.path.exists():
            return False
        stored = json.loads(self.path.read_text())
        for name, rows in stored.get("objects", {}).items():
            if name in self.tables:
                self.tables[name] = rows
        return True

    def save(self) -> None:
        durable = {name: rows for name, rows in self.tables.items() if name not in TRANSIENT_CLASSES and rows}
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_text(json.dumps({"objects": durable}, indent=1, sort_keys=True) + "\n")
        os.replace(temporary, self.path)

    # objects
    def create(self, class_name: str, values: dict, ref: str | None = None) -> str:
        schema = CLASSES[class_name]
        unknown = set(values) - set(schema.fields)
        if unknown:
            raise ValueError(f"{class_name} has no field(s) {', '.join(sorted(unknown))}")
        record = schema.default_record()
        record.update(values)
        if "uuid" in schema.fields and not record.get("uuid"):
            record["uuid"] = new_uuid()
        ref = ref or new_ref()
        for (owner, field) in INVERSE_FIELDS:
            if owner == class_name:
                record.pop(field, None)
        self.tables[class_name][ref] = record
        return ref

    def exists(self, class_name: str, ref: str) -> bool:
        return ref in self.tables[class_name]

    def get(self, class_name: str, ref: str) -> dict:
        """The stored record; HANDLE_INVALID [class, ref] as xapi answers for a reference it does not hold."""
        try:
            return self.tables[class_name][ref]
        except (KeyError, TypeError):
            raise XapiError("HANDLE_INVALID", class_name, ref) from None

    def destroy(self, class_name: str, ref: str) -> None:
        self.get(class_name, ref)
        del self.tables[class_name][ref]

    def refs(self, class_name: str) -> list[str]:
        return list(self.tables[class_name])

    def where(self, class_name: str, **criteria) -> list[str]:
        return [ref for ref, record in self.tables[class_name].items()
                if all(record.get(field) == value for field, value in criteria.items())]

    def field(self, class_name: str, ref: str, field: str):
        """A field's value, with the inverse sets computed from the other side."""
        inverse = INVERSE_FIELDS.get((class_name, field))
        if inverse:
            self.get(class_name, ref)
            return self.where(inverse[0], **{inverse[1]: ref})
        return self.get(class_name, ref)[field]

    def full_record(self, class_name: str, ref: str) -> dict:
        self.get(class_name, ref)
        return {field: self.field(class_name, ref, field) for field in CLASSES[class_name].fields}

    def wire_record(self, class_name: str, ref: str) -> dict:
        schema = CLASSES[class_name]
        record = self.full_record(class_name, ref)
        return {field: to_wire(schema.fields[field]["kind"], value) for field, value in record.items()}

    def by_uuid(self, class_name: str, wanted: str) -> str:
        for ref, record in self.tables[class_name].items():
            if record.get("uuid") == wanted:
                return ref
        raise XapiError("UUID_INVALID", class_name, wanted)
