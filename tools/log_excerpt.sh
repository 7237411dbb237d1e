#!/usr/bin/env bash
# Prints, indented, what to read first in a failed run's log: every error line with the 14
# lines after it (at most 120 lines), then the log's last non-empty lines. Used by
# tools/molecule.sh and tests/integration/run.sh when a scenario or target fails.
#   tools/log_excerpt.sh LOG [LAST_LINES (default 15)]
set -euo pipefail
log=$1 last=${2:-15}
{ grep -E -A14 '^(fatal:|\[ERROR\]|ERROR|CRITICAL)' "$log" | head -120 || true; echo '    ...';
  grep -vE '^\s*$' "$log" | tail -"$last"; } | sed 's/^/    /'
