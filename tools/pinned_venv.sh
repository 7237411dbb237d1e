# Sourced by the tools that run a pinned toolchain in a venv of its own (release_check.sh,
# build_docs.sh, ee.sh). Bash only.
#
#   pinned_venv VENV REQUIREMENTS
#
# Makes VENV hold exactly REQUIREMENTS: kept while the requirements file's checksum matches the
# stamp written after the last complete install, otherwise recreated (pip's download cache is
# reused). A venv whose install was interrupted has no matching stamp and is rebuilt. Says which
# of the two happened through the caller's `log` function.

pinned_venv() {
  local venv=$1 requirements=$2 want
  want=$(sha256sum "$requirements" | cut -d' ' -f1)
  if [ -x "$venv/bin/python" ] && [ "$(cat "$venv/.requirements-stamp" 2>/dev/null)" = "$want" ]; then
    log "venv ${venv#"$PWD"/} is current (stamp matches $(basename "$requirements"))"
    return 0
  fi
  log "creating ${venv#"$PWD"/} from ${requirements#"$PWD"/} (pip's download cache is reused)"
  rm -rf "$venv"
  python3 -m venv "$venv"
  # this machine's pip configuration may name local indexes that are absent: not our warnings
  "$venv/bin/python" -m pip install -q --disable-pip-version-check -r "$requirements" \
    2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
  echo "$want" >"$venv/.requirements-stamp"
}
