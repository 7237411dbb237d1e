#!/usr/bin/env bash
# Runs every molecule scenario under extensions/molecule (or the ones named), each
# with its full test sequence. Containers and networks are destroyed afterwards,
# also when a scenario fails or the run is interrupted.
#   tools/molecule.sh [scenario ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$repo/.venv/bin:$PATH"
export MOLECULE_NO_LOG=false ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-1}
if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  mapfile -t scenarios < <(find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -rn1 basename | sort)
fi
current=""
cleanup() {
  [ -n "$current" ] && molecule destroy -s "$current" >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
summary=()
for scenario in "${scenarios[@]}"; do
  current=$scenario
  start=$(date +%s)
  echo "=== molecule scenario $scenario"
  molecule test -s "$scenario"
  summary+=("$scenario: passed in $(( $(date +%s) - start )) s")
  current=""
done
printf '%s\n' "${summary[@]}"
