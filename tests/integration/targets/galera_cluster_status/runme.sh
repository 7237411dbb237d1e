#!/usr/bin/env bash
# galera_cluster_status and galera_bootstrap_choice against a real 3-node MariaDB
# Galera cluster (plus a plain MariaDB) in network namespaces: healthy cluster, one
# node stopped, two nodes killed, full clean stop, full crash, non-Galera server,
# bad input. The lab is removed on exit, whatever happens.
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd ../../../.. && pwd)}
lab=(python3 "$repo/tests/lab/galera_netns.py")
export LAB_STATE_DIR="$repo/.lab/netns"
trap '"${lab[@]}" down >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
"${lab[@]}" down >/dev/null 2>&1 || true
"${lab[@]}" up
ansible-playbook -i inventory.yml main.yml "$@"
