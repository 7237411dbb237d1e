#!/usr/bin/env bash
# Runs every molecule scenario under extensions/molecule (or the ones named), each
# with its full test sequence, MOLECULE_JOBS at a time (default 2: the scenarios
# mostly wait on services, and each has its own containers and network). Each
# scenario logs to .build/molecule/<scenario>.log; a failure prints its tail.
# Every step runs with diff output on (extensions/molecule/config.yml), and a scenario
# fails when its log shows a secret it set (tools/check_secret_leaks.py: every value
# under a secret-looking name in the scenario's files and config.yml).
# Containers are destroyed afterwards, also when a scenario fails or on Ctrl-C.
# Order: the longest scenario first (seconds last measured, below), so that the lanes end
# together; the scenarios that use the OpenStack lab (openstack_lab in their molecule.yml:
# one lab per machine, under its lock) go after the others and never two at a time, so no
# lane waits for the lab while another scenario could run (in make test they also queue
# behind the integration layer's lab targets, which run meanwhile).
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
# seconds each scenario took when last measured (make test, 2-core machine, 2 at a time);
# one not listed counts as 300 s
declare -A measured=([packstack_debian]=1000 [galera_cluster]=450 [galera_cluster_recover]=423
                     [galera_cluster_grow]=300 [galera_cluster_rolling]=230 [ceilometer_retention]=194
                     [nova_spice_console]=166 [packstack_bad_input]=130 [galera_cluster_bad_input]=107
                     [galera_status]=51)
uses_lab() { grep -qs 'openstack_lab' "extensions/molecule/$1/molecule.yml"; }
mapfile -t scenarios < <(for s in "${scenarios[@]}"; do
                           printf '%d %s %s\n' "$(uses_lab "$s" && echo 1 || echo 0)" "${measured[$s]:-300}" "$s"
                         done | sort -k1,1n -k2,2nr -k3 | cut -d' ' -f3)

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
    tools/log_excerpt.sh "$logs/$scenario.log" 15
    return 1
  fi
}

# the next scenario to start: the first waiting one, but not a second lab user
next_scenario() {
  local s r lab_busy=0
  for r in "${!pids[@]}"; do uses_lab "$r" && lab_busy=1; done
  for s in "${waiting[@]}"; do
    if [ "$lab_busy" = 0 ] || ! uses_lab "$s"; then echo "$s"; return; fi
  done
}
reap() {
  wait -n -p done_pid || failed=1
  for s in "${!pids[@]}"; do [ "${pids[$s]}" = "$done_pid" ] && unset "pids[$s]"; done
  return 0
}

failed=0
waiting=("${scenarios[@]}")
while [ "${#waiting[@]}" -gt 0 ]; do
  scenario=
  [ "${#pids[@]}" -ge "$jobs" ] || scenario=$(next_scenario)
  if [ -z "$scenario" ]; then reap; continue; fi
  rest=(); for s in "${waiting[@]}"; do [ "$s" = "$scenario" ] || rest+=("$s"); done
  waiting=("${rest[@]}")
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
