#!/usr/bin/env bash
# Builds the local podman images the lab and the molecule scenarios run on, only
# when missing or when their recipe changed (no registry is reachable here):
#   localhost/stackops-debian12   Debian 12 minbase with systemd as init (debootstrap)
#   localhost/stackops-galera     the same with MariaDB + Galera 4 preinstalled
#   localhost/stackops-openstack  the same with Debian's nova, ceilometer and aodh packages
#   localhost/stackops-cloud      the same with every package of the packstack role's Debian
#                                 path (controller, network and compute: one image; ~5 min)
#   localhost/stackops-xenserver  the same with iptables and nftables, for the XenServer scenario's
#                                 dom0 and domU containers
# Images live in podman's own storage, so later clones on this machine reuse them.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mirror=${STACKOPS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
log() { printf '\033[1m[images]\033[0m %s\n' "$*"; }

base_packages=python3,python3-apt,systemd,systemd-sysv,dbus,iproute2,iputils-ping,openssh-server,netcat-openbsd,sudo,procps,ca-certificates

recipe_of() {
  podman image inspect --format '{{ index .Labels "stackops.recipe" }}' "$1" 2>/dev/null || true
}

build_base() {
  local image=localhost/stackops-debian12
  if [ "$(recipe_of "$image")" = "$base_recipe" ]; then
    log "$image present"
    return
  fi
  log "building $image with debootstrap (about a minute)"
  local rootfs
  rootfs=$(mktemp -d /var/tmp/stackops-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' RETURN
  debootstrap --variant=minbase --include="$base_packages" bookworm "$rootfs" "$mirror" >/dev/null
  cat >"$rootfs/etc/apt/sources.list" <<SRC
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
SRC
  # a container has no consoles or kernel modules to manage
  for unit in getty@tty1.service console-getty.service systemd-modules-load.service \
              systemd-remount-fs.service sys-kernel-config.mount; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
  done
  : >"$rootfs/etc/machine-id"
  # package lists stay, as on any installed host (check mode can then see packages)
  chroot "$rootfs" apt-get update -qq
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb
  tar -C "$rootfs" -c . | podman import -q \
    --change 'CMD ["/sbin/init"]' --change "LABEL stackops.recipe=$base_recipe" \
    --change 'ENV container=podman' --change 'STOPSIGNAL SIGRTMIN+3' \
    - "$image" >/dev/null
}

# An image FROM the base, built from tools/images/DIR/Containerfile.
build_derived() {
  local image=localhost/$1 dir=$here/images/$2
  local recipe
  recipe=$(cat "$dir/Containerfile" <(echo "$base_recipe") | sha256sum | cut -c1-16)
  if [ "$(recipe_of "$image")" = "$recipe" ]; then
    log "$image present"
    return
  fi
  log "building $image"
  podman build -q --label "stackops.recipe=$recipe" -t "$image" "$dir" >/dev/null
}


# The recipe hash covers what shapes the image, so a changed recipe rebuilds it.
base_recipe=$(printf '%s\n' "$base_packages" "$mirror" "$(declare -f build_base)" | sha256sum | cut -c1-16)
build_base
build_derived stackops-galera galera
build_derived stackops-openstack openstack
build_derived stackops-cloud cloud
build_derived stackops-xenserver xenserver
