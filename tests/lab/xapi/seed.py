"""The objects a fresh simulated XenServer host starts with.

What a freshly installed single-host pool holds, plus the nova-compute domU the role configures:
one host (its pool's master), the "Local storage" SR and the tools ISO SR, eth0 (management,
bridge xenbr0) and eth1 (xenbr1), the host-internal management network (bridge ``xenapi``),
the control domain, one template and the compute domU with a disk, an empty CD drive and eth0
on xenbr0.  The version strings are those of a Citrix Hypervisor 8.2 CU1 host.
"""

from __future__ import annotations

import time

from .api import generated_mac
from .model import NULL_REF, Database, new_uuid

GIB = 1 << 30
HOST_ADDRESS = "127.0.0.1"
DOMU_ADDRESS = "192.0.2.20"
TEMPLATE_NAME = "Debian Buster 10"
HIMN_OTHER_CONFIG = {
    "is_guest_installer_network": "true",
    "is_host_internal_management_network": "true",
    "ip_begin": "169.254.0.1",
    "ip_end": "169.254.255.254",
    "netmask": "255.255.0.0",
}
SOFTWARE_VERSION = {
    "product_version": "8.2.1",
    "product_version_text": "8.2",
    "product_version_text_short": "8.2 CU1",
    "platform_name": "XCP",
    "platform_version": "3.2.1",
    "product_brand": "Citrix Hypervisor",
    "build_number": "release/yangtze/master/58",
    "xapi": "1.20",
    "xen": "4.13.4-8.2.1",
    "linux": "4.19.0+1",
    "dbv": "2021.0217",
}


def seed(db: Database, host_name: str = "xenserver-lab", domu_name: str = "compute", domu_power_state: str = "Running") -> dict:
    """Fill an empty database; returns the references a caller may want to name."""
    stamp = time.strftime("%Y%m%dT%H:%M:%SZ", time.gmtime())
    host = db.create("host", {
        "name_label": host_name, "hostname": host_name, "address": HOST_ADDRESS, "enabled": True,
        "API_version_major": 2, "API_version_minor": 16, "API_version_vendor": "XenSource",
        "software_version": dict(SOFTWARE_VERSION, hostname=host_name),
        "cpu_info": {"cpu_count": "4", "socket_count": "1", "vendor": "GenuineIntel", "modelname": "lab CPU"},
        "memory_overhead": 0, "capabilities": ["xen-3.0-x86_64", "hvm-3.0-x86_32", "hvm-3.0-x86_64"],
    })
    local_sr = db.create("SR", {
        "name_label": "Local storage", "type": "ext", "content_type": "user", "shared": False,
        "physical_size": 500 * GIB, "physical_utilisation": 40 * GIB, "virtual_allocation": 40 * GIB,
        "other_config": {"i18n-key": "local-storage", "i18n-original-value-name_label": "Local storage"},
        "sm_config": {"devserial": "scsi-lab-disk"},
    })
    tools_sr = db.create("SR", {
        "name_label": "XenServer Tools", "type": "iso", "content_type": "iso", "shared": True, "is_tools_sr": True,
        "other_config": {"xenserver_tools_sr": "true", "i18n-key": "xenserver-tools"},
    })
    db.create("PBD", {"host": host, "SR": local_sr, "device_config": {"device": "/dev/sda3"}, "currently_attached": True})
    db.create("PBD", {"host": host, "SR": tools_sr, "device_config": {"location": "/opt/xensource/packages/iso", "legacy_mode": "true"},
                      "currently_attached": True})
    db.create("pool", {"name_label": "", "master": host, "default_SR": local_sr, "suspend_image_SR": local_sr, "crash_dump_SR": local_sr})

    networks = {}
    for index in (0, 1):
        device = f"eth{index}"
        network = db.create("network", {"name_label": f"Pool-wide network associated with {device}", "bridge": f"xenbr{index}",
                                        "MTU": 1500, "other_config": {}})
        management = index == 0
        db.create("PIF", {
            "device": device, "network": network, "host": host, "MAC": f"52:54:00:12:34:{0x56 + index:02x}", "MTU": 1500, "VLAN": -1,
            "physical": True, "currently_attached": True, "management": management, "managed": True,
            "ip_configuration_mode": "Static" if management else "None", "IP": HOST_ADDRESS if management else "",
            "netmask": "255.0.0.0" if management else "", "primary_address_type": "IPv4",
            "properties": {"gro": "on"}, "capabilities": ["fcoe"],
        })
        networks[device] = network
    himn = db.create("network", {
        "name_label": "Host internal management network",
        "name_description": "Network on which guests will be assigned a private link-local IP address",
        "bridge": "xenapi", "MTU": 1500, "other_config": dict(HIMN_OTHER_CONFIG),
    })

    dom0 = db.create("VM", vm_values(f"Control domain on host: {host_name}", memory=4 * GIB, vcpus=4, running_on=host, domid=0,
                                     is_control_domain=True))
    template = db.create("VM", vm_values(TEMPLATE_NAME, memory=GIB, vcpus=1, is_a_template=True, other_config={
        "default_template": "true", "linux_template": "true", "install-methods": "cdrom,nfs,http,ftp"}))
    running = domu_power_state == "Running"
    domu = db.create("VM", vm_values(domu_name, memory=4 * GIB, vcpus=2, running_on=host if running else None, domid=1 if running else -1,
                                     other_config={"base_template_name": TEMPLATE_NAME}))
    root_disk = db.create("VDI", {"name_label": f"{domu_name} root", "SR": local_sr, "virtual_size": 40 * GIB,
                                  "physical_utilisation": 12 * GIB, "type": "system", "location": new_uuid(), "other_config": {}})
    db.create("VDI", {"name_label": "guest-tools.iso", "SR": tools_sr, "virtual_size": 64 << 20, "type": "user", "read_only": True,
                      "sharable": True, "is_tools_iso": True, "location": "guest-tools.iso", "other_config": {}})
    db.create("VBD", {"VM": domu, "VDI": root_disk, "device": "xvda", "userdevice": "0", "bootable": True, "mode": "RW", "type": "Disk",
                      "empty": False, "currently_attached": running, "other_config": {"owner": "true"}})
    db.create("VBD", {"VM": domu, "VDI": NULL_REF, "device": "xvdd", "userdevice": "3", "bootable": False, "mode": "RO", "type": "CD",
                      "empty": True, "currently_attached": running, "other_config": {}})
    seed_mac = db.get("VM", domu)["other_config"]["mac_seed"]
    db.create("VIF", {"VM": domu, "network": networks["eth0"], "device": "0", "MAC": generated_mac(seed_mac, 0), "MAC_autogenerated": True,
                      "MTU": 1500, "currently_attached": running, "other_config": {}})
    metrics = db.create("VM_guest_metrics", {
        "os_version": {"name": "Debian GNU/Linux 10 (buster)", "distro": "debian", "major": "10", "minor": "13", "uname": "4.19.0-21-amd64"},
        "PV_drivers_version": {"major": "8", "minor": "2", "micro": "1", "build": "lab"}, "PV_drivers_up_to_date": True,
        "PV_drivers_detected": True, "networks": {"0/ip": DOMU_ADDRESS}, "other": {"has-vendor-device": "0"},
        "last_updated": stamp, "live": running, "can_use_hotplug_vif": "yes", "can_use_hotplug_vbd": "yes",
    })
    db.get("VM", domu)["guest_metrics"] = metrics
    return {"host": host, "local_sr": local_sr, "tools_sr": tools_sr, "himn": himn, "dom0": dom0, "template": template, "domu": domu}


def vm_values(name: str, memory: int, vcpus: int, running_on: str | None = None, domid: int = -1, is_control_domain: bool = False,
              is_a_template: bool = False, other_config: dict | None = None) -> dict:
    """The fields every VM record needs, as xapi fills them for a VM made from a template."""
    config = {"mac_seed": new_uuid()}
    config.update(other_config or {})
    return {
        "name_label": name, "power_state": "Running" if running_on else "Halted", "domid": domid,
        "resident_on": running_on or NULL_REF, "affinity": running_on or NULL_REF, "is_control_domain": is_control_domain,
        "is_a_template": is_a_template, "is_default_template": is_a_template, "user_version": 1,
        "memory_static_max": memory, "memory_dynamic_max": memory, "memory_dynamic_min": memory, "memory_static_min": memory // 4,
        "memory_target": memory if running_on else 0, "VCPUs_max": vcpus, "VCPUs_at_startup": vcpus, "VCPUs_params": {},
        "actions_after_shutdown": "destroy", "actions_after_reboot": "restart", "actions_after_crash": "restart",
        "HVM_boot_policy": "" if is_control_domain else "BIOS order", "HVM_boot_params": {} if is_control_domain else {"order": "cd"},
        "domain_type": "pv" if is_control_domain else "hvm", "platform": {} if is_control_domain else {"cores-per-socket": str(vcpus)},
        "other_config": config, "xenstore_data": {}, "PV_bootloader": "", "PV_kernel": "", "PV_ramdisk": "", "PV_args": "",
        "PV_bootloader_args": "", "PV_legacy_args": "", "PCI_bus": "", "recommendations": "",
    }
