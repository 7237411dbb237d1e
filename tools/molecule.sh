#!/usr/bin/env bash
# Runs every molecule scenario under extensions/molecule (or the ones named), each with its
# full test sequence. One scenario runs here; several go to tools/lab_pool.sh, which runs
# them MOLECULE_JOBS at a time (default 2), longest first, never two users of the OpenStack
# lab at a time, and calls this script for each. Each scenario logs to
# .build/molecule/<scenario>.log; a failure prints an excerpt.
# Every step runs with diff output on (extensions/molecule/config.yml), and a scenario
# fails when its log shows a secret it set (tools/check_secret_leaks.py: every value
# under a secret-looking name in the scenario's files and config.yml).
# Containers are destroyed afterwards, also when a scenario fails or on Ctrl-C: killed at once
# (podman rm -t 0), then `molecule destroy` removes the network. The scenario's own destroy
# steps are skipped here (--destroy=never): molecule's destroy runs `podman rm -f`, which gives
# systemd in each container up to podman's 10 s stop timeout to shut its services down, and
# the first destroy of a sequence (9 s of ansible-playbook) found nothing to remove; these
# containers are thrown away. Each run starts from empty molecule state (its own ephemeral
# directory) after removing any container an interrupted run left under the scenario's names.
#   tools/molecule.sh [scenario ...]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export PATH="$repo/.venv/bin:$PATH"
export MOLECULE_NO_LOG=false ANSIBLE_FORCE_COLOR=0 ANSIBLE_NOCOLOR=1
logs=.build/molecule
mkdir -p "$logs"
if [ $# -gt 0 ]; then
  scenarios=("$@")
else
  mapfile -t scenarios < <(find extensions/molecule -mindepth 2 -maxdepth 2 -name molecule.yml -printf '%h\n' | xargs -rn1 basename | sort)
fi
if [ ${#scenarios[@]} -ne 1 ]; then
  LAB_POOL_JOBS=${MOLECULE_JOBS:-2} exec tools/lab_pool.sh "${scenarios[@]/#/molecule/}"
fi
scenario=${scenarios[0]}
pid=
MOLECULE_EPHEMERAL_DIRECTORY=$(mktemp -d "${TMPDIR:-/tmp}/molecule.$scenario.XXXXXX")
export MOLECULE_EPHEMERAL_DIRECTORY
# the podman platforms' names (config.yml's driver, unless the scenario names another)
container_names=$(python3 -c '
import sys, yaml
scenario = yaml.safe_load(open(sys.argv[1]))
if scenario.get("driver", {}).get("name", "podman") == "podman":
    print(" ".join(platform["name"] for platform in scenario["platforms"]))' "extensions/molecule/$scenario/molecule.yml")
remove_containers() {
  # shellcheck disable=SC2086  # the names are words
  [ -z "$container_names" ] || podman rm --force --ignore --time 0 $container_names >/dev/null 2>&1 || true
}
cleanup() {
  [ -z "$pid" ] || kill "$pid" 2>/dev/null || true
  wait 2>/dev/null || true
  remove_containers
  molecule destroy -s "$scenario" >/dev/null 2>&1 || true
  rm -rf "$MOLECULE_EPHEMERAL_DIRECTORY"
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
  remove_containers
  if molecule test -s "$scenario" --destroy=never >"$logs/$scenario.log" 2>&1; then
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

# in the background, so that a signal (Ctrl-C, or tools/lab_pool.sh stopping after a
# failure elsewhere) reaches the trap at once, not after the scenario
echo "=== molecule scenario $scenario (log: $logs/$scenario.log)"
run_one "$scenario" &
pid=$!
failed=0
wait "$pid" || failed=1
pid=
cleanup
trap - EXIT
exit $failed
