#!/usr/bin/env bash
# Runs every molecule scenario under extensions/molecule (or the ones named), each
# with its full test sequence, MOLECULE_JOBS at a time (default 2: the scenarios
# mostly wait on services, and each has its own containers and network). Each
# scenario logs to .build/molecule/<scenario>.log; a failure prints its tail.
# Every step runs with diff output on (extensions/molecule/config.yml), and a scenario
# fails when its log shows a secret it set (tools/check_secret_leaks.py: every value
# under a secret-looking name in the scenario's files and config.yml).
# Containers are destroyed afterwards, also when a scenario fails or on Ctrl-C.
#   tools/molecule.sh [scenario ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$repo/.venv/bin:$PATH"
export MOLECULE_NO_LOG=false ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1
jobs=${MOLECULE_JOBS:-2}
logs=.build/molecule
mkdir -p "$logs"
if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  mapfile -t scenarios < <(find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -rn1 basename | sort)
fi

declare -A pids=()
cleanup() {
  for scenario in "${!pids[@]}"; do kill "${pids[$scenario]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for scenario in "${scenarios[@]}"; do molecule destroy -s "$scenario" >/dev/null 2>&1 || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

leak_check() {
  python3 tools/check_secret_leaks.py --label "$1" --secrets-from "extensions/molecule/$1" \
    --secrets-from extensions/molecule/config.yml "$logs/$1.log" | sed 's/^/    /'
}

run_one() {
  local scenario=$1 start
  start=$(date +%s)
  if molecule test -s "$scenario" >"$logs/$scenario.log" 2>&1; then
    if leak_check "$scenario"; then
      echo "$scenario: passed in $(( $(date +%s) - start )) s"
    else
      echo "$scenario: FAILED after $(( $(date +%s) - start )) s: its output shows a secret it set (above)"
      return 1
    fi
  else
    leak_check "$scenario" || true
    echo "$scenario: FAILED after $(( $(date +%s) - start )) s; from $logs/$scenario.log:"
    { grep -E -A14 '^(fatal:|\[ERROR\]|ERROR|CRITICAL)' "$logs/$scenario.log" | head -120; echo '    ...';
      grep -vE '^\s*$' "$logs/$scenario.log" | tail -15; } | sed 's/^/    /'
    return 1
  fi
}

failed=0
for scenario in "${scenarios[@]}"; do
  while [ "${#pids[@]}" -ge "$jobs" ]; do
    wait -n -p done_pid || failed=1
    for s in "${!pids[@]}"; do [ "${pids[$s]}" = "$done_pid" ] && unset "pids[$s]"; done
  done
  echo "=== molecule scenario $scenario (log: $logs/$scenario.log)"
  run_one "$scenario" &
  pids[$scenario]=$!
done
while [ "${#pids[@]}" -gt 0 ]; do
  wait -n -p done_pid || failed=1
  for s in "${!pids[@]}"; do [ "${pids[$s]}" = "$done_pid" ] && unset "pids[$s]"; done
done
trap - EXIT
exit $failed
