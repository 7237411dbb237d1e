#!/usr/bin/env bash
# spice_console_config against the real Nova API and nova-compute (the lab, on loopback,
# fake virt driver): before, an instance has a VNC console and no SPICE console; the module
# edits the lab's nova.conf (check mode, then for real, then a second run); after a restart
# of nova-compute the API hands out a SPICE HTML5 console URL built from the configured
# html5proxy_base_url, and VNC is off. The lab is stopped on exit, whatever happens.
set -euo pipefail
exec ../../with_openstack_lab.sh keystone,nova -- ansible-playbook -i inventory.yml main.yml "$@"
