#!/usr/bin/env bash
# The main job on the built-in local lab: playbooks/db_cluster.yml turns three
# systemd containers into a Galera cluster (stackops.openstack.galera_cluster) and
# prints its status table. The lab is removed at the end (KEEP_LAB=1 keeps it),
# also on failure or Ctrl-C.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$repo/.venv/bin:$PATH" ANSIBLE_CONFIG="$repo/ansible.cfg"
lab=(python3 tests/lab/podman_lab.py)
state=.lab/podman
cleanup() {
  if [ "${KEEP_LAB:-0}" = 1 ]; then
    echo "lab kept: ${lab[*]} status | down; ansible-playbook -i $state/inventory.yml -e @$state/secrets.yml ..."
  else
    "${lab[@]}" down >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
start=$(date +%s)
"${lab[@]}" up
# the lab's secrets: random, readable by root only, never on a command line
if [ ! -s "$state/secrets.yml" ]; then
  (umask 077 && python3 - >"$state/secrets.yml" <<'PY'
import secrets
for name in ("sst", "clustercheck", "root", "app"):
    print("demo_%s_password: %s" % (name, secrets.token_urlsafe(18)))
PY
  )
fi
ansible-playbook -i "$state/inventory.yml" -e "@$state/secrets.yml" -e @tools/demo-vars.yml playbooks/db_cluster.yml
echo "demo finished in $(( $(date +%s) - start )) s"
