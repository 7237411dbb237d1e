#!/usr/bin/env bash
# Runs every integration target (tests/integration/targets/<name>/runme.sh), or the
# named ones. Each target starts the real services it needs and stops them again.
#
# Every target runs as with --diff (ANSIBLE_DIFF_ALWAYS) and its whole output goes to
# .build/integration/<target>.log; the target fails when that output shows a secret the
# test set: a value under a secret-looking name in the target's own YAML files, or one
# of the OpenStack lab's generated passwords (with_openstack_lab.sh copies them to
# STACKOPS_LAB_SECRETS_DIR before the lab goes). tools/check_secret_leaks.py says where,
# never what. When a target that uses the OpenStack lab fails, the lab daemons' logs are kept
# in .build/integration/<target>.lab-logs. INTEGRATION_TARGETS_DIR runs the targets of another
# directory.
#
# INTEGRATION_JOBS targets run at a time (default 2). The targets whose runme.sh uses the
# OpenStack lab (with_openstack_lab.sh: one lab per machine, on fixed ports) run one after
# the other in one lane, the longest first; the others (their own labs: Galera in network
# namespaces, MongoDB servers) share the other lanes. With more than one job, a target's
# output goes to its log only and a failure prints the log's tail; INTEGRATION_JOBS=1
# runs them one by one with the output on the terminal too. After a failure no new
# target starts; the running ones finish.
#
# Every target runs here, whatever its `aliases` file says: the aliases (unsupported,
# destructive, needs/root) only keep a plain `ansible-test integration` from starting the
# labs. `run.sh --list` prints the targets this script would run, and runs none.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
targets_dir=${INTEGRATION_TARGETS_DIR:-$here/targets}
logs=$repo/.build/integration
jobs=${INTEGRATION_JOBS:-2}
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
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT

# seconds each target took when last measured (make test, 2-core machine): the order in a
# lane, longest first, so that the lanes end together; a target not listed counts as 300 s
declare -A measured=([lbaas_pool]=632 [compute_day2]=487 [swift_s3]=155 [galera_cluster_status]=154
                     [nova_spice_console]=84 [ceilometer_ttl_mongodb]=39)
by_length() {
  local target
  for target in "$@"; do printf '%s %s\n' "${measured[$target]:-300}" "$target"; done | sort -k1,1nr -k2 | cut -d' ' -f2
}

# one target: its output to its log (and the terminal when run alone), then the leak
# check; prints "<target>: passed in N s" or "<target>: FAILED ..."; status 1 on failure
run_target() {
  local target=$1 start rc=0 secrets="$state/secrets-$1"
  start=$(date +%s)
  echo "=== integration target $target (log: $logs/$target.log)"
  rm -rf "$secrets" "$logs/$target.lab-logs" && mkdir -p "$secrets"
  if [ "$jobs" -gt 1 ]; then
    (cd "$targets_dir/$target" && STACKOPS_LAB_SECRETS_DIR="$secrets" STACKOPS_LAB_LOGS_DIR="$logs/$target.lab-logs" ./runme.sh) >"$logs/$target.log" 2>&1 || rc=$?
  else
    (cd "$targets_dir/$target" && STACKOPS_LAB_SECRETS_DIR="$secrets" STACKOPS_LAB_LOGS_DIR="$logs/$target.lab-logs" ./runme.sh) 2>&1 | tee "$logs/$target.log" || rc=$?
  fi
  local leak_args=(--label "$target" --secrets-from "$targets_dir/$target")
  [ -f "$secrets/passwords.json" ] && leak_args+=(--secrets-json "$secrets/passwords.json")
  [ -f "$secrets/clouds.yaml" ] && leak_args+=(--secrets-from "$secrets/clouds.yaml")
  if ! python3 "$repo/tools/check_secret_leaks.py" "${leak_args[@]}" "$logs/$target.log"; then
    [ "$rc" -ne 0 ] || rc=1
  fi
  if [ "$rc" -ne 0 ]; then
    if [ "$jobs" -gt 1 ]; then
      echo "$target: the end of $logs/$target.log:"
      "$repo/tools/log_excerpt.sh" "$logs/$target.log" 25
    fi
    echo "$target: FAILED after $(( $(date +%s) - start )) s"
    return 1
  fi
  echo "$target: passed in $(( $(date +%s) - start )) s" | tee -a "$state/summary"
}

# one lane: its targets one after the other, none once any lane has failed
run_lane() {
  local target
  for target in "$@"; do
    [ ! -e "$state/failed" ] || return 0
    run_target "$target" || { touch "$state/failed"; return 1; }
  done
}

if [ "$jobs" -le 1 ]; then
  run_lane "${targets[@]}" || exit 1
  cat "$state/summary"
  exit 0
fi
lab=() others=()
for target in "${targets[@]}"; do
  if grep -q 'with_openstack_lab\.sh' "$targets_dir/$target/runme.sh" 2>/dev/null; then lab+=("$target"); else others+=("$target"); fi
done
# lane 0: the OpenStack lab's targets; lanes 1..jobs-1 take the others, each the longest
# of those still waiting, in turn (a greedy longest-first deal)
declare -a lanes=()
[ ${#lab[@]} -eq 0 ] || lanes[0]="$(by_length "${lab[@]}" | paste -sd' ')"
if [ ${#others[@]} -gt 0 ]; then
  first=1; [ ${#lab[@]} -gt 0 ] || first=0
  n=$(( jobs - first )); [ "$n" -ge 1 ] || n=1
  i=0
  while read -r target; do
    lane=$(( first + i % n )); lanes[lane]="${lanes[lane]:-} $target"; i=$(( i + 1 ))
  done < <(by_length "${others[@]}")
fi
pids=()
for lane in "${!lanes[@]}"; do
  # shellcheck disable=SC2086
  run_lane ${lanes[$lane]} &
  pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
[ "$failed" -eq 0 ] || exit 1
cat "$state/summary"
