#!/usr/bin/env bash
# The xenserver_nova_settings filter's nova.conf, written by openstack_config and read back with
# nova's own XenAPI option definitions: nova/conf/xenserver.py from the nova 21.2.4 (Ussuri) wheel
# on PyPI, loaded with oslo.config. An option name nova does not define would be ignored by nova
# without a word; the check fails on it, and a file rendered with Havana's names proves that it does.
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd ../../../.. && pwd)}
venv=$repo/.build/venvs/nova-conf-check
downloads=$repo/.build/downloads
log() { printf '[xenserver_nova_conf] %s\n' "$*"; }
# shellcheck source=tools/pinned_venv.sh
. "$repo/tools/pinned_venv.sh"
pinned_venv "$venv" "$repo/tools/requirements/nova-conf-check.txt"
wheel=$downloads/nova-21.2.4-py3-none-any.whl
if [ ! -f "$wheel" ]; then
  log "downloading nova 21.2.4 (Ussuri) from PyPI, its wheel only"
  "$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: \
    -d "$downloads" nova==21.2.4
fi
export STACKOPS_NOVA_CHECK_PYTHON=$venv/bin/python STACKOPS_NOVA_WHEEL=$wheel
exec ansible-playbook -i inventory.yml main.yml "$@"
