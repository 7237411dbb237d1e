#!/usr/bin/env bash
# ceilometer_ttl's MongoDB remove-then-compact (mongodb_compact) against MongoDB wire-protocol
# servers on loopback (tests/lab/mongodb_lab.py): check mode (nothing removed), the purge (old
# samples gone, new kept, counts reported), a second run (changed=0); then, with a SCRAM login
# and Debian's python3-pymongo 3.11 (the lower bound), a refused login and a missing one fail
# before the file is written, and a compact the server refuses after a real removal reports the
# file written and the samples removed. The lab is stopped on exit, whatever happens.
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd ../../../.. && pwd)}
lab=(python3 "$repo/tests/lab/mongodb_lab.py")
trap '"${lab[@]}" down >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
"${lab[@]}" install
"${lab[@]}" up
ansible-playbook -i inventory.yml main.yml "$@"
