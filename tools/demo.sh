#!/usr/bin/env bash
# The main job on the built-in local lab: three systemd containers become a real
# MariaDB Galera cluster and playbooks/galera_status.yml reports it as a table.
# The lab is removed at the end (KEEP_LAB=1 keeps it), also on failure or Ctrl-C.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$repo/.venv/bin:$PATH" ANSIBLE_CONFIG="$repo/ansible.cfg"
lab=(python3 tests/lab/podman_lab.py)
cleanup() {
  if [ "${KEEP_LAB:-0}" = 1 ]; then
    echo "lab kept: ${lab[*]} status | down; inventory .lab/podman/inventory.yml"
  else
    "${lab[@]}" down >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start=$(date +%s)
"${lab[@]}" up
"${lab[@]}" galera
ansible-playbook -i .lab/podman/inventory.yml playbooks/galera_status.yml
echo "demo finished in $(( $(date +%s) - start )) s"
