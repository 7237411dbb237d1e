#!/usr/bin/env bash
# Prints, indented, what to read first in a failed run's log: every error line with the 14
# lines after it (at most 120 lines), then the log's last non-empty lines. Used by
# tools/molecule.sh and tests/integration/run.sh when a scenario or target fails.
#   tools/log_excerpt.sh LOG [LAST_LINES (default 15)]
# --brief prints only the task that failed first and the start of its error, at most 8 lines
# of 200 characters: what tools/lab_pool.sh repeats at the very end of make test, where a CI
# page that shows only the last lines of the output still shows why.
#   tools/log_excerpt.sh --brief LOG
set -euo pipefail
errors='^(fatal:|failed:|\[ERROR\]|ERROR|CRITICAL)'
# make test's integration logs are in colour (ANSIBLE_FORCE_COLOR): the escapes would hide
# the line starts the patterns look for
uncolored() { sed 's/\x1b\[[0-9;]*m//g' "$1"; }
if [ "$1" = --brief ]; then
  {
  # the first error that was not ignored (an ignored one is followed by "...ignoring" before the
  # next task): the cause; what failed after it is mostly clean-up in an always section
  ERRORS=$errors awk '
    BEGIN { errors = ENVIRON["ERRORS"] }
    function keep() {
      if (n == 0 || ignored) return
      if (first == "") { for (i = 1; i <= n; i++) first = first block[i] "\n" } else later++
    }
    /^(TASK|RUNNING HANDLER) \[/ { keep(); n = 0; ignored = 0; inner = 0; task = $0; sub(/ \*+$/, "", task); next }
    /^\.\.\.ignoring/ { ignored = 1 }
    $0 ~ errors && n == 0 { if (task != "") block[++n] = task; block[++n] = substr($0, 1, 200); left = 8; next }
    # a playbook run by the failed task: its own first error (the task, and the last line of the
    # error message, which for a traceback is the exception) says more than the outer one
    n > 0 && /^[[:space:]]+(TASK|RUNNING HANDLER) \[/ && !inner { inner_task = $0; sub(/^[[:space:]]+/, "", inner_task); sub(/ \*+$/, "", inner_task) }
    n > 0 && !inner && /^[[:space:]]+(\[ERROR\]|fatal:|ERROR!)/ { inner = 1; inner_last = $0; next }
    inner == 1 { if ($0 ~ /^[[:space:]]*$/) { sub(/^[[:space:]]+/, "", inner_last); block[++n] = "  inner: " inner_task ": " substr(inner_last, 1, 200); inner = 2 } else inner_last = $0; next }
    # skip where the task is in its file (ansible-core 2.19 prints it with the error) and the timings
    /^[[:space:]]*Origin: |^[0-9]+( |$)|^[[:space:]]+\^ column|^[[:space:]]+(changed|delta|end|start): / { next }
    n > 0 && left > 0 && $0 !~ /^[[:space:]]*$/ { block[++n] = substr($0, 1, 200); left-- }
    END { keep(); printf "%s", first; if (later) printf "(and %d more failed task(s) after it)\n", later }
  ' <(uncolored "$2") | grep . || { echo "(no error line; the log ends with:)"; uncolored "$2" | grep -vE '^\s*$' | tail -3 | cut -c1-200; }
  } | sed 's/^/    /'
  exit 0
fi
log=$1 last=${2:-15}
{ uncolored "$log" | grep -E -A14 "$errors" | head -120 || true; echo '    ...';
  uncolored "$log" | grep -vE '^\s*$' | tail -"$last"; } | sed 's/^/    /'
