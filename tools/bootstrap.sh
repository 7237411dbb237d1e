#!/usr/bin/env bash
# Prepares a fresh Debian 12 machine (as root) for `make demo` and `make test`.
# Every step checks first and does nothing when its result is already there, so a
# warm re-run costs a few seconds. Steps: apt packages, podman settings, the
# project venv, ansible-test's offline pip bootstrap, the local systemd images.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

log() { printf '\033[1m[bootstrap]\033[0m %s\n' "$*"; }

steps=${*:-apt podman venv ansible-test images}

apt_packages=(
  # containers with systemd as init: how roles get real hosts
  podman runc debootstrap uidmap slirp4netns containernetworking-plugins
  # the network-namespace Galera lab used by the module integration tests
  iproute2 mariadb-server galera-4 mariadb-backup rsync socat procps
  # tooling; shellcheck makes ansible-test's shellcheck sanity test run (it is skipped without it)
  git make rsync curl ca-certificates shellcheck
)

do_apt() {
  local missing=()
  for p in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    log "apt packages present"
    return
  fi
  log "installing apt packages: ${missing[*]}"
  # PID 1 is not systemd: keep package scripts from starting services on the host
  # (mariadb in particular); the labs start their own servers.
  local policy=/usr/sbin/policy-rc.d created_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy"
    chmod 0755 "$policy"
    created_policy=1
  fi
  trap '[ "$created_policy" = 1 ] && rm -f "$policy"' RETURN
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# LAB.md: root lacks CAP_SYS_RESOURCE and cgroups are hybrid v1, so podman needs
# lower ulimits, runc and cgroupfs. A file (not the environment) because
# ansible-test and molecule strip the environment.
do_podman() {
  local conf=/etc/containers/containers.conf
  if [ -f "$conf" ] && grep -q 'stackops-lab' "$conf"; then
    log "podman settings present"
    return
  fi
  if [ -f "$conf" ] && grep -Eq '^\s*\[(containers|engine)\]' "$conf"; then
    log "ERROR: $conf already has [containers]/[engine] tables; add by hand:"
    log '  [containers] default_ulimits = ["nofile=1024:20000", "nproc=32768:32768"]'
    log '  [engine] runtime = "runc"  cgroup_manager = "cgroupfs"'
    exit 1
  fi
  log "writing podman settings to $conf"
  mkdir -p /etc/containers
  cat >>"$conf" <<'EOF'
# stackops-lab: needed on machines without CAP_SYS_RESOURCE and with hybrid cgroups
[containers]
default_ulimits = ["nofile=1024:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
}

# .venv links to a venv in the machine's venv cache, shared by every clone with the same
# requirements files (tools/pinned_venv.sh)
do_venv() {
  # shellcheck source=tools/pinned_venv.sh
  . tools/pinned_venv.sh
  PINNED_VENV_UPGRADE_PIP=1 pinned_venv .venv requirements-dev.txt requirements.txt
}

# ansible-test downloads get-pip.py to bootstrap its own venvs; no such download is
# possible here. A stand-in that uses ensurepip and then pip itself is enough.
do_ansible_test() {
  local name
  # the name follows the pip version ansible-test pins for its venvs
  name=$(.venv/bin/python - <<'EOF'
import pathlib, re, ansible_test
source = pathlib.Path(ansible_test.__file__).parent / '_internal' / 'python_requirements.py'
print('get_pip_%s.py' % re.search(r"pip='([\d.]+)'", source.read_text()).group(1).replace('.', '_'))
EOF
)
  local target="$HOME/.ansible/test/cache/$name"
  if [ -f "$target" ]; then
    log "ansible-test pip bootstrap present ($name)"
    return
  fi
  log "installing offline ansible-test pip bootstrap $target"
  mkdir -p "$(dirname "$target")"
  cp tools/offline_get_pip.py "$target"
}

do_images() {
  tools/lab_images.sh
}

for step in $steps; do
  case "$step" in
    apt) do_apt ;;
    podman) do_podman ;;
    venv) do_venv ;;
    ansible-test) do_ansible_test ;;
    images) do_images ;;
    *) log "unknown step $step"; exit 2 ;;
  esac
done
