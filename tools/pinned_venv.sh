# shellcheck shell=bash
# Sourced by the tools that run a pinned toolchain in a venv of its own (bootstrap.sh for .venv,
# release_check.sh, build_docs.sh, ee.sh). Bash only.
#
#   pinned_venv VENV REQUIREMENTS...
#
# Makes VENV hold exactly REQUIREMENTS. The venv itself lives in the machine's venv cache,
# $STACKOPS_VENV_CACHE (default /var/cache/stackops/venvs), under a name made of VENV's name and
# a checksum of the requirements files and of the interpreter (the base one: python3 is often
# .venv's own, under make); VENV is a link to it. So a fresh clone reuses the venvs an earlier
# clone built from the same files, as it reuses podman's images, instead of installing them
# again (a minute of CPU each on our 2-core machines), and a clone that pins other versions
# gets venvs of its own. A cached venv counts only once its
# install completed (a stamp written last); an interrupted one is rebuilt. Builds of one venv
# take turns under a lock, so clones testing at the same time never see half an install.
# PINNED_VENV_UPGRADE_PIP=1 upgrades pip before the install. Says what happened through the
# caller's `log` function.

pinned_venv() {
  local venv=$1 key cache target name base_python interpreter requirements_file
  shift
  # one line: the base interpreter's path, then what identifies it for the checksum
  interpreter=$(python3 -c 'import sys; print(sys._base_executable, sys.base_prefix, sys.version)')
  base_python=${interpreter%% *}
  cache=${STACKOPS_VENV_CACHE:-/var/cache/stackops/venvs}
  name=$(basename "$venv")
  name=${name#.}
  key=$({ cat "$@"; echo "${interpreter#* }"; } | sha256sum | cut -c1-16)
  target=$cache/$name-$key
  mkdir -p "$cache" "$(dirname "$venv")"
  (
    exec 8>"$target.lock"
    flock 8
    if [ -x "$target/bin/python" ] && [ "$(cat "$target/.requirements-stamp" 2>/dev/null)" = "$key" ]; then
      log "venv ${venv#"$PWD"/} is current: $target (cached for these requirements)"
    else
      log "creating venv ${venv#"$PWD"/} in $target from ${*#"$PWD"/} (pip's download cache is reused)"
      rm -rf "$target"
      "$base_python" -m venv "$target"
      # this machine's pip configuration may name local indexes that are absent: not our warnings
      if [ "${PINNED_VENV_UPGRADE_PIP:-0}" = 1 ]; then
        "$target/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip \
          2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
      fi
      local requirement_args=()
      for requirements_file in "$@"; do requirement_args+=(-r "$requirements_file"); done
      "$target/bin/python" -m pip install -q --disable-pip-version-check "${requirement_args[@]}" \
        2> >(grep -v "^WARNING: Location '.*' is ignored" >&2)
      echo "$key" >"$target/.requirements-stamp"
    fi
  )
  # a venv of the old layout (a directory in the checkout) gives way to the link
  if [ "$(readlink "$venv" 2>/dev/null)" != "$target" ]; then
    rm -rf "$venv"
    ln -s "$target" "$venv"
  fi
}
