"""Regenerate schema.json, the XAPI object model the simulator serves, from XAPI's API reference data.

The source is ``doc/data/xenapi.json`` of https://github.com/xapi-project/xen-api (the data
behind the published XenAPI reference).  Only facts are kept: for each class the simulator
models, its fields (name, wire type, qualifier, default) and its messages (parameter types
and names, result type, whether the message is one of the implicit getters/setters), and
the enum values.  Descriptions are left out.

    python3 tests/lab/xapi/make_schema.py /path/to/xenapi.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

MODELLED_CLASSES = ("session", "pool", "host", "SR", "PBD", "PIF", "network", "VLAN", "VM", "VM_metrics",
                    "VM_guest_metrics", "VIF", "VBD", "VDI", "event", "task")
REMOVED = "Removed_s"


def published(item: dict) -> bool:
    return item.get("lifecycle", {}).get("state") != REMOVED


def class_schema(api_class: dict) -> dict:
    fields = [[field["name"], field["type"], field["qualifier"], field.get("default")]
              for field in api_class["fields"] if published(field)]
    messages = {}
    for message in api_class["messages"]:
        if not published(message):
            continue
        params = [[param["type"], param["name"]] for param in message["params"]]
        takes_session = bool(params) and params[0][0] == "session ref"
        messages[message["name"]] = {
            "session": takes_session,
            "params": params[1:] if takes_session else params,
            "result": message["result"][0] if message["result"] else "void",
            "implicit": bool(message.get("implicit")),
        }
    enums = {enum["name"]: [value["name"] for value in enum["values"]] for enum in api_class.get("enums", [])}
    return {"fields": fields, "messages": messages, "enums": enums}


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    api = {api_class["name"]: api_class for api_class in json.loads(Path(argv[1]).read_text())}
    schema = {name: class_schema(api[name]) for name in MODELLED_CLASSES}
    # every other class by its message names only: a call the simulator does not model is
    # then NOT_IMPLEMENTED rather than MESSAGE_METHOD_UNKNOWN, which would misstate the API
    schema["__other_classes__"] = {name: sorted(message["name"] for message in api_class["messages"] if published(message))
                                   for name, api_class in sorted(api.items()) if name not in MODELLED_CLASSES}
    target = Path(__file__).with_name("schema.json")
    target.write_text(json.dumps(schema, indent=1, sort_keys=True) + "\n")
    print(f"wrote {target} ({len(MODELLED_CLASSES)} modelled classes)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
