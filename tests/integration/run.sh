#!/usr/bin/env bash
# Runs every integration target (tests/integration/targets/<name>/runme.sh), or the
# named ones. Each target starts the real services it needs and stops them again.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
export PATH="$repo/.venv/bin:$PATH" ANSIBLE_CONFIG="$repo/ansible.cfg" STACKOPS_REPO="$repo"
targets=("$@")
[ ${#targets[@]} -gt 0 ] || mapfile -t targets < <(find "$here/targets" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort)
summary=()
for target in "${targets[@]}"; do
  start=$(date +%s)
  echo "=== integration target $target"
  (cd "$here/targets/$target" && ./runme.sh)
  summary+=("$target: passed in $(( $(date +%s) - start )) s")
done
printf '%s\n' "${summary[@]}"
