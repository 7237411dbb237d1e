#!/usr/bin/env bash
# The day-2 compute operations (issue 10) against real Keystone, Neutron, Glance, Nova and
# Placement with three nova-compute hosts on the fake virt driver: quotas, a project's
# floating IPs, aggregates with tenant isolation, draining a hypervisor by live migration,
# evacuating a dead one. One lab, one playbook run; the lab is stopped on exit.
#   ./runme.sh -e compute_day2_parts=drain,evacuate    runs only those parts (development)
set -euo pipefail
exec ../../with_openstack_lab.sh keystone,neutron,glance,nova --computes 3 -- \
  ansible-playbook -i inventory.yml main.yml "$@"
