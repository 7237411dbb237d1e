#!/usr/bin/env bash
# Builds the collection tarball as a user would, installs it into an empty path and
# checks that Ansible finds and documents what it ships (modules, filters, roles,
# playbooks): catches build_ignore mistakes and files missing from the artifact.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
export PATH="$repo/.venv/bin:$PATH"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$repo"
ansible-galaxy collection build --force --output-path "$work/dist" . >/dev/null
tarball=$(ls "$work"/dist/stackops-openstack-*.tar.gz)
echo "built $(basename "$tarball") ($(du -k "$tarball" | cut -f1) KiB, $(tar -tzf "$tarball" | wc -l) entries)"
# hidden directories (caches, venvs, tool state) and build output never belong in it
junk=$(tar -tzf "$tarball" | grep -E '(^|/)\.[^/]+/|(^|/)tests/output/' || true)
if [ -n "$junk" ]; then
  echo "ERROR: the tarball ships work-tree junk (add it to build_ignore in galaxy.yml):"
  echo "$junk" | head
  exit 1
fi
# as a user would: no checkout config, only the installed tarball (plus the
# collections of the ansible package, found on Python's path)
unset ANSIBLE_CONFIG
export ANSIBLE_COLLECTIONS_PATH="$work/installed"
cd "$work"
ansible-galaxy collection install --offline --no-deps -p "$work/installed" "$tarball" >/dev/null
installed=$(ansible-galaxy collection list stackops.openstack -p "$work/installed" 2>/dev/null | grep -c 'stackops.openstack' || true)
[ "$installed" -ge 1 ] || { echo "ERROR: stackops.openstack not listed after install"; exit 1; }
checked=0
for module in "$repo"/plugins/modules/*.py; do
  name=$(basename "$module" .py)
  ansible-doc -t module "stackops.openstack.$name" >/dev/null
  checked=$((checked + 1))
done
for filter in "$repo"/plugins/filter/*.py; do
  name=$(basename "$filter" .py)
  ansible-doc -t filter "stackops.openstack.$name" >/dev/null
  checked=$((checked + 1))
done
for role in "$repo"/roles/*/; do
  [ -d "$role" ] || continue
  ansible-doc -t role "stackops.openstack.$(basename "$role")" >/dev/null
  checked=$((checked + 1))
done
for playbook in "$repo"/playbooks/*.yml; do
  [ -f "$playbook" ] || continue
  ANSIBLE_LOCALHOST_WARNING=false ansible-playbook -i localhost, --syntax-check "stackops.openstack.$(basename "$playbook" .yml)" >/dev/null
  checked=$((checked + 1))
done
echo "installed from the tarball; ansible-doc / syntax-check passed for $checked modules, filters, roles and playbooks"
