"""What the XAPI simulator's state file says about one VM, as JSON, for verify.yml to assert on.

    python3 xapi_summary.py STATE_JSON VM_NAME_LABEL
"""

import json
import sys


def main(state_path, vm_name):
    objects = json.load(open(state_path, encoding="utf-8"))["objects"]
    vms = [(ref, vm) for ref, vm in objects["VM"].items() if vm["name_label"] == vm_name]
    if len(vms) != 1:
        raise SystemExit("%d VMs are named %r" % (len(vms), vm_name))
    vm_ref, vm = vms[0]
    networks = objects.get("network", {})
    vifs = {}
    for vif in objects.get("VIF", {}).values():
        if vif["VM"] == vm_ref:
            network = networks.get(vif["network"], {})
            vifs[vif["device"]] = {"network": network.get("name_label"), "bridge": network.get("bridge"),
                                   "MAC": vif["MAC"], "attached": vif["currently_attached"]}
    cds = []
    for vbd in objects.get("VBD", {}).values():
        if vbd["VM"] == vm_ref and vbd["type"] == "CD":
            vdi = objects.get("VDI", {}).get(vbd["VDI"], {})
            cds.append({"device": vbd["userdevice"], "iso": vdi.get("name_label", ""), "empty": vbd["empty"]})
    print(json.dumps({
        "uuid": vm["uuid"], "power_state": vm["power_state"], "other_config": vm["other_config"],
        "xenstore_data": vm["xenstore_data"], "vifs": vifs, "cds": cds,
        "networks": {n["name_label"]: {"bridge": n["bridge"], "MTU": n["MTU"], "uuid": n["uuid"],
                                       "vlans": sorted([pif["device"], pif["VLAN"]] for pif in objects.get("PIF", {}).values()
                                                       if pif["network"] == ref and int(pif["VLAN"]) >= 0)}
                     for ref, n in networks.items()},
    }, indent=1, sort_keys=True))


if __name__ == "__main__":
    main(*sys.argv[1:])
