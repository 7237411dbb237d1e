#!/usr/bin/env bash
# lbaas_pool role against real Keystone, Octavia (amphora provider, no-op drivers) and
# Neutron (the lab, on loopback): check mode, converge, a second run, the API's view,
# a host leaving the group, replacements, a floating IP, bad input, state=absent, and
# the db_cluster playbook's load-balancer play. Then, in the same lab session, the README's
# install steps in a fresh venv and a playbook of the installed collection against the lab
# (../../readme_install.sh). The lab is stopped on exit, whatever happens.
set -euo pipefail
exec ../../with_openstack_lab.sh keystone,octavia,neutron -- \
  bash -c 'ansible-playbook -i inventory.yml main.yml "$@" && ../../readme_install.sh' lbaas_pool "$@"
