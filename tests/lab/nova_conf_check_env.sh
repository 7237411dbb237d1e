#!/usr/bin/env bash
# What reads a nova.conf with nova's own option definitions (tests/integration/targets/
# xenserver_nova_conf/files/check_nova_conf.py): a small venv with oslo.config
# (.build/venvs/nova-conf-check) and the nova 21.2.4 (Ussuri) wheel from PyPI, its wheel only.
# Prints "PYTHON WHEEL". Used by the xenserver_nova_conf target and the xenserver_domu scenario.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
venv=$repo/.build/venvs/nova-conf-check
downloads=$repo/.build/downloads
wheel=$downloads/nova-21.2.4-py3-none-any.whl
log() { printf '[nova-conf-check] %s\n' "$*" >&2; }
# shellcheck source=tools/pinned_venv.sh
. "$repo/tools/pinned_venv.sh"
pinned_venv "$venv" "$repo/tools/requirements/nova-conf-check.txt" >&2
if [ ! -f "$wheel" ]; then
  log "downloading nova 21.2.4 (Ussuri) from PyPI, its wheel only"
  mkdir -p "$downloads"
  # a download into a temporary directory, so that two users at once never see half a wheel
  tmp=$(mktemp -d "$downloads/.nova.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  "$venv/bin/python" -m pip download -q --disable-pip-version-check --no-deps --only-binary=:all: -d "$tmp" nova==21.2.4 >&2
  mv -f "$tmp/$(basename "$wheel")" "$wheel"
fi
echo "$venv/bin/python $wheel"
