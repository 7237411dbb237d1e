#!/usr/bin/env bash
# spice_console_config against the real Nova API and nova-compute (the lab, on loopback,
# fake virt driver): before, an instance has a VNC console and no SPICE console; the module
# edits the lab's nova.conf (check mode, then for real, then a second run); after a restart
# of nova-compute the API hands out a SPICE HTML5 console URL built from the configured
# html5proxy_base_url, and VNC is off. The lab is stopped on exit, whatever happens.
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd ../../../.. && pwd)}
export STACKOPS_REPO=$repo
lab=(python3 "$repo/tests/lab/openstack_lab.py")
trap '"${lab[@]}" down >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
"${lab[@]}" install
"${lab[@]}" down >/dev/null 2>&1 || true
"${lab[@]}" up --services keystone,nova
ansible-playbook -i inventory.yml main.yml "$@"
