#!/usr/bin/env bash
# Runs every integration target (tests/integration/targets/<name>/runme.sh), or the
# named ones. Each target starts the real services it needs and stops them again.
#
# Every target runs as with --diff (ANSIBLE_DIFF_ALWAYS) and its whole output goes to
# .build/integration/<target>.log; the target fails when that output shows a secret the
# test set: a value under a secret-looking name in the target's own YAML files, or one
# of the OpenStack lab's generated passwords (with_openstack_lab.sh copies them to
# STACKOPS_LAB_SECRETS_DIR before the lab goes). tools/check_secret_leaks.py says where,
# never what. INTEGRATION_TARGETS_DIR runs the targets of another directory.
#
# Every target runs here, whatever its `aliases` file says: the aliases (unsupported,
# destructive, needs/root) only keep a plain `ansible-test integration` from starting the
# labs. `run.sh --list` prints the targets this script would run, and runs none.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
targets_dir=${INTEGRATION_TARGETS_DIR:-$here/targets}
logs=$repo/.build/integration
export PATH="$repo/.venv/bin:$PATH" ANSIBLE_CONFIG="$repo/ansible.cfg" STACKOPS_REPO="$repo"
export ANSIBLE_DIFF_ALWAYS=true
# per-task times in each target's log, to see where make test goes
export ANSIBLE_CALLBACKS_ENABLED=ansible.posix.profile_tasks
list=0
if [ "${1:-}" = --list ]; then list=1; shift; fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(find "$targets_dir" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
if [ "$list" = 1 ]; then
  for target in "${targets[@]}"; do
    printf '%-24s %s\n' "$target" "aliases: $(grep -v -e '^#' -e '^$' "$targets_dir/$target/aliases" 2>/dev/null | tr '\n' ' ')"
  done
  exit 0
fi
mkdir -p "$logs"
secrets=$(mktemp -d)
trap 'rm -rf "$secrets"' EXIT
summary=()
for target in "${targets[@]}"; do
  start=$(date +%s)
  echo "=== integration target $target (log: $logs/$target.log)"
  rm -rf "${secrets:?}"/*
  rc=0
  (cd "$targets_dir/$target" && STACKOPS_LAB_SECRETS_DIR="$secrets" ./runme.sh) 2>&1 | tee "$logs/$target.log" || rc=$?
  leak_args=(--label "$target" --secrets-from "$targets_dir/$target")
  [ -f "$secrets/passwords.json" ] && leak_args+=(--secrets-json "$secrets/passwords.json")
  [ -f "$secrets/clouds.yaml" ] && leak_args+=(--secrets-from "$secrets/clouds.yaml")
  if ! python3 "$repo/tools/check_secret_leaks.py" "${leak_args[@]}" "$logs/$target.log"; then
    [ "$rc" -ne 0 ] || rc=1
  fi
  if [ "$rc" -ne 0 ]; then
    echo "$target: FAILED after $(( $(date +%s) - start )) s"
    exit "$rc"
  fi
  summary+=("$target: passed in $(( $(date +%s) - start )) s")
done
printf '%s\n' "${summary[@]}"
