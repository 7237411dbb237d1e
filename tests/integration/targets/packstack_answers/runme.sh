#!/usr/bin/env bash
# packstack_answers against packstack 26.0.0's own answer-file code (PyPI, in its own venv
# .build/venvs/packstack, from tools/requirements/packstack.txt through the venv cache): a base
# file from the real `packstack --gen-answer-file`, edited by the
# module (check mode, then for real, then again: no change), run through packstack's processors,
# validators and rewrite, then the module again reports no change; a grown compute list gives
# EXCLUDE_SERVERS that packstack reads; refusals leave the file alone. Runs in a network
# namespace (unshare -n) whose addresses answer on TCP 22, as packstack's validators require.
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd ../../../.. && pwd)}
venv=$repo/.build/venvs/packstack
log() { printf '[packstack_answers] %s\n' "$*"; }
# shellcheck source=tools/pinned_venv.sh
. "$repo/tools/pinned_venv.sh"
pinned_venv "$venv" "$repo/tools/requirements/packstack.txt"
export ANSIBLE_PIPELINING=true STACKOPS_PACKSTACK_PYTHON=$venv/bin/python STACKOPS_COLLECTIONS=$repo/.build/collections
exec unshare -n "$PWD/files/netns.sh" ansible-playbook -i inventory.yml main.yml "$@"
