#!/usr/bin/env bash
# Runs a command with the OpenStack lab (tests/lab/openstack_lab.py) up with the given
# services, and stops the lab when the command ends, whatever happens (also Ctrl-C).
#   with_openstack_lab.sh keystone,swift [--broken-swift-catalog] [--computes 3] -- ansible-playbook ...
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd "$(dirname "$0")/../.." && pwd)}
export STACKOPS_REPO=$repo
lab=(python3 "$repo/tests/lab/openstack_lab.py")
# one lab per machine (fixed ports): wait for whoever has it
exec 9>/tmp/stackops-openstack-lab.lock
if ! flock -n 9; then
  echo "waiting for the OpenStack lab lock /tmp/stackops-openstack-lab.lock (another lab run holds it)"
  flock 9
fi
up_args=(--services "$1")
shift
while [ $# -gt 0 ] && [ "$1" != "--" ]; do up_args+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
# STACKOPS_LAB_SECRETS_DIR (set by run.sh): keep the lab's generated passwords for its leak check;
# STACKOPS_LAB_LOGS_DIR (set by run.sh): where the daemons' logs go when the command failed
on_exit() {
  local rc=$? down_args=()
  [ -z "${STACKOPS_LAB_SECRETS_DIR:-}" ] || cp "$repo/.lab/openstack/passwords.json" "$repo/.lab/openstack/clouds.yaml" "$STACKOPS_LAB_SECRETS_DIR/" 2>/dev/null || true
  if [ "$rc" -ne 0 ] && [ -n "${STACKOPS_LAB_LOGS_DIR:-}" ]; then
    down_args=(--keep-logs "$STACKOPS_LAB_LOGS_DIR")
    echo "the lab's logs: $STACKOPS_LAB_LOGS_DIR"
  fi
  "${lab[@]}" down "${down_args[@]}" >/dev/null 2>&1 || true
}
trap on_exit EXIT
trap 'exit 130' INT TERM
"${lab[@]}" install
"${lab[@]}" down >/dev/null 2>&1 || true
"${lab[@]}" up "${up_args[@]}"
"$@"
