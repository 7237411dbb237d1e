#!/usr/bin/env bash
# The xenserver_nova_settings filter's nova.conf, written by openstack_config and read back with
# nova's own XenAPI option definitions: nova/conf/xenserver.py from the nova 21.2.4 (Ussuri) wheel
# on PyPI, loaded with oslo.config. An option name nova does not define would be ignored by nova
# without a word; the check fails on it, and a file rendered with Havana's names proves that it does.
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd ../../../.. && pwd)}
read -r python wheel < <("$repo/tests/lab/nova_conf_check_env.sh")
export STACKOPS_NOVA_CHECK_PYTHON=$python STACKOPS_NOVA_WHEEL=$wheel
exec ansible-playbook -i inventory.yml main.yml "$@"
