#!/usr/bin/env bash
# Runs the integration targets and the molecule scenarios as one pool, LAB_POOL_JOBS at a
# time (default 2): the layer of make test that needs real services.
#
# Why one pool: the OpenStack lab (fixed ports on 127.0.0.1, one per machine, under its
# lock) serialises its users, and they are the longest part of both layers. Run layer by
# layer, the integration layer's second lane sat idle for most of the lab's targets, and
# the molecule layer waited for the lab again at its end. Here the lab's users run back to
# back in one lane from the start, and the other lane takes the longest waiting job that
# does not need the lab.
#
# A job is integration/<target> (tests/integration/run.sh <target>) or molecule/<scenario>
# (tools/molecule.sh <scenario>); each keeps its own log, leak check and cleanup. After a
# failure no new job starts; the running ones finish. The end prints each job's time and
# the time of each kind.
#   tools/lab_pool.sh [job ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
jobs=${LAB_POOL_JOBS:-2}

if [ $# -gt 0 ]; then
  all=("$@")
else
  mapfile -t all < <(
    tests/integration/run.sh --list | awk '{print "integration/" $1}'
    find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf 'molecule/%h\n' | sed 's|molecule/extensions/molecule/|molecule/|' | sort)
fi

# seconds each job took in the last fresh-clone make test (2-core machine, two lanes busy):
# the order within each kind, longest first; a job not listed counts as 300 s
declare -A measured=(
  [integration/lbaas_pool]=881 [integration/compute_day2]=552 [integration/swift_s3]=181
  [integration/galera_cluster_status]=174 [integration/nova_spice_console]=71
  [integration/packstack_answers]=24 [integration/ceilometer_ttl_mongodb]=42 [integration/xenserver_nova_conf]=10
  [molecule/packstack_debian]=992 [molecule/galera_cluster_drills]=462 [molecule/galera_cluster]=383
  [molecule/ceilometer_retention]=122 [molecule/nova_spice_console]=104 [molecule/compute_aggregates]=91
  [molecule/project_quotas]=92 [molecule/galera_cluster_bad_input]=82 [molecule/galera_status]=60
  [molecule/packstack_bad_input]=43 [molecule/xenserver_domu]=150)

uses_lab() {
  case $1 in
    integration/*) grep -q 'with_openstack_lab\.sh' "tests/integration/targets/${1#integration/}/runme.sh" 2>/dev/null ;;
    molecule/*) grep -qs 'openstack_lab' "extensions/molecule/${1#molecule/}/molecule.yml" ;;
    *) return 1 ;;
  esac
}
for job in "${all[@]}"; do
  case $job in
    integration/*) [ -d "tests/integration/targets/${job#integration/}" ] ;;
    molecule/*) [ -f "extensions/molecule/${job#molecule/}/molecule.yml" ] ;;
    *) false ;;
  esac || { echo "lab_pool: no such job: $job (expected integration/<target> or molecule/<scenario>)" >&2; exit 2; }
done
mapfile -t waiting < <(for job in "${all[@]}"; do printf '%d %s\n' "${measured[$job]:-300}" "$job"; done | sort -k1,1nr -k2 | cut -d' ' -f2)

state=$(mktemp -d)
declare -A pids=()
# shellcheck disable=SC2317  # run by the traps below
cleanup() {
  for job in "${!pids[@]}"; do kill "${pids[$job]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

run_job() {
  local job=$1 start rc=0 log key=${1//\//_}
  start=$(date +%s)
  case $job in
    # one target, logged to its file only (run.sh shows the terminal output with one job)
    integration/*) INTEGRATION_JOBS=2 tests/integration/run.sh "${job#integration/}" || rc=$? ;;
    molecule/*) tools/molecule.sh "${job#molecule/}" || rc=$? ;;
  esac
  if [ $rc -ne 0 ]; then
    case $job in
      integration/*) log=.build/integration/${job#integration/}.log ;;
      molecule/*) log=.build/molecule/${job#molecule/}.log ;;
    esac
    { echo "$job ($log):"; tools/log_excerpt.sh --brief "$log"; } >"$state/why_$key" 2>&1 || true
  fi
  printf '%-40s %-7s %5d s\n' "$job" "$([ $rc -eq 0 ] && echo passed || echo FAILED)" $(( $(date +%s) - start )) >"$state/$key"
  return $rc
}

# the next job to start: the longest waiting user of the lab when the lab is free, else the
# longest waiting job that does not need it. The lab's users run one after the other, and
# together they take about as long as all the other jobs (make test, 2-core machine), so
# the pool ends no sooner than their chain: it has to start at once and never wait.
next_job() {
  local job running lab_busy=0
  for running in "${!pids[@]}"; do uses_lab "$running" && lab_busy=1; done
  if [ "$lab_busy" = 0 ]; then
    for job in "${waiting[@]}"; do
      if uses_lab "$job"; then echo "$job"; return; fi
    done
  fi
  for job in "${waiting[@]}"; do
    if ! uses_lab "$job"; then echo "$job"; return; fi
  done
}
failed=0
reap() {
  local done_pid job
  wait -n -p done_pid || failed=1
  for job in "${!pids[@]}"; do [ "${pids[$job]}" = "$done_pid" ] && unset "pids[$job]"; done
  return 0
}

rm -f .build/lab_pool_failures.txt  # this pool's failures only
start=$(date +%s)
while [ "${#waiting[@]}" -gt 0 ] && [ "$failed" = 0 ]; do
  job=
  [ "${#pids[@]}" -ge "$jobs" ] || job=$(next_job)
  if [ -z "$job" ]; then reap; continue; fi
  rest=(); for j in "${waiting[@]}"; do [ "$j" = "$job" ] || rest+=("$j"); done
  waiting=("${rest[@]}")
  echo "=== $job$(uses_lab "$job" && echo ' (OpenStack lab)')"
  run_job "$job" &
  pids[$job]=$!
done
while [ "${#pids[@]}" -gt 0 ]; do reap; done

echo "=== lab pool: $(( $(date +%s) - start )) s, $jobs at a time"
cat "$state"/[im]* 2>/dev/null | sort -k3,3nr | sed 's/^/    /'
for kind in integration molecule; do
  total=$(cat "$state"/"$kind"_* 2>/dev/null | awk '{s += $3} END {print s + 0}' || true)
  echo "    $kind jobs together: $total s"
done
[ "${#waiting[@]}" -eq 0 ] || echo "    not started after a failure: ${waiting[*]}"
# why each failed job failed, for make test to repeat as its last lines
if compgen -G "$state/why_*" >/dev/null; then cat "$state"/why_* >.build/lab_pool_failures.txt; fi
trap - EXIT
rm -rf "$state"
exit $failed
