#!/usr/bin/env bash
# The collection in an execution environment (ansible-builder v3), as AWX and Automation
# Controller run it.
#   tools/ee.sh check [TARBALL]   what ansible-builder reads is right (fast; `make build` runs it):
#     - meta/execution-environment.yml is valid for ansible-builder (v3 schema) and the files it
#       names are in the tarball;
#     - `ansible-builder introspect` on the tarball, installed alone, finds exactly the
#       requirements of requirements.txt and the packages of bindep.txt (none);
#     - `ansible-builder create` accepts tools/ee/execution-environment.yml (an EE with this
#       collection on the local Debian 12 image) and writes its build context.
#   tools/ee.sh build [TARBALL]   the same, then `ansible-builder build` (podman) of
#     localhost/stackops-openstack-ee and a smoke run in it: versions, the collection found
#     with its dependencies, every module documented, a playbook of ours run by ansible-runner.
#     Minutes: it installs the ansible package into the image (podman, PyPI, Debian mirror).
#   tools/ee.sh run CMD...        runs CMD in the built image on the host's network, with the
#     current directory mounted at /runner/project and the clouds.yaml that OS_CLIENT_CONFIG_FILE
#     names (e.g. a playbook against the OpenStack lab).
# TARBALL: a built stackops-openstack-*.tar.gz; without it one is built from this checkout.
# ansible-builder lives in its own venv, .build/venvs/ansible-builder, from the pinned
# tools/requirements/ansible-builder.txt (re-created only when that file changes).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-check}
[ $# -gt 0 ] && shift
image=localhost/stackops-openstack-ee:latest
log() { printf '\033[1m[ee]\033[0m %s\n' "$*"; }

if [ "$mode" = run ]; then
  # an OpenStack clouds.yaml named by OS_CLIENT_CONFIG_FILE goes in too (read-only)
  clouds=()
  if [ -n "${OS_CLIENT_CONFIG_FILE:-}" ]; then
    clouds=(-v "$OS_CLIENT_CONFIG_FILE:/runner/clouds.yaml:ro" -e OS_CLIENT_CONFIG_FILE=/runner/clouds.yaml)
  fi
  exec podman run --rm --network host -v "$PWD:/runner/project" -w /runner/project "${clouds[@]}" "$image" "$@"
fi
case "$mode" in check|build) ;; *) echo "usage: tools/ee.sh check|build [TARBALL] | run CMD..." >&2; exit 2 ;; esac
start=$(date +%s)

# 1. ansible-builder, pinned, in its own venv
venv=$repo/.build/venvs/ansible-builder
requirements=$repo/tools/requirements/ansible-builder.txt
# shellcheck source=tools/pinned_venv.sh
. "$repo/tools/pinned_venv.sh"
pinned_venv "$venv" "$requirements"
log "ansible-builder $("$venv/bin/ansible-builder" --version)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# as a user would: no checkout config (its collections_path would make the collection look
# installed already), the tarball only
unset ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS
cd "$work"

# 2. the tarball, installed alone (no dependencies: introspect reports each collection's own)
tarball=${1:-}
if [ -z "$tarball" ]; then
  "$repo/.venv/bin/ansible-galaxy" collection build --output-path "$work/dist" "$repo" >/dev/null
  tarball=$(ls "$work"/dist/stackops-openstack-*.tar.gz)
fi
tarball=$(cd "$(dirname "$tarball")" && pwd)/$(basename "$tarball")
"$repo/.venv/bin/ansible-galaxy" collection install --offline --no-deps -p "$work/collections" "$tarball" >/dev/null 2>&1
installed=$work/collections/ansible_collections/stackops/openstack
[ -f "$installed/MANIFEST.json" ] || { echo "ERROR: $tarball did not install into $work/collections"; exit 1; }

# 3. the collection's metadata, as ansible-builder (and galaxy-importer, which calls the same
# introspection) reads it from the installed tarball
"$venv/bin/python" - "$installed" <<'EOF'
import os, sys, yaml
from ansible_builder.ee_schema import validate_schema
root = sys.argv[1]
meta = yaml.safe_load(open(os.path.join(root, "meta", "execution-environment.yml")))
validate_schema(dict(meta))
deps = meta.get("dependencies") or {}
for kind in ("python", "system"):
    name = deps.get(kind)
    if not name or not os.path.isfile(os.path.join(root, name)):
        sys.exit("ERROR: meta/execution-environment.yml: dependencies.%s names %r, which is not in the tarball" % (kind, name))
print("\033[1m[ee]\033[0m meta/execution-environment.yml: valid (ansible-builder schema v%s); python: %s, system: %s, both in the tarball"
      % (meta.get("version"), deps["python"], deps["system"]))
EOF
"$venv/bin/ansible-builder" introspect "$work/collections" \
  --write-pip "$work/introspect-pip.txt" --write-bindep "$work/introspect-bindep.txt" >"$work/introspect.out"
# what introspect found must be exactly the non-comment lines of the two files
# (introspect writes no bindep file when no collection lists a package)
strip() { [ ! -f "$1" ] || sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$1" | sort; }
found_pip=$(strip "$work/introspect-pip.txt")
found_sys=$(strip "$work/introspect-bindep.txt")
if [ "$found_pip" != "$(strip "$installed/requirements.txt")" ] || [ "$found_sys" != "$(strip "$installed/bindep.txt")" ]; then
  echo "ERROR: ansible-builder introspect does not report requirements.txt / bindep.txt as they are:"
  cat "$work/introspect.out"
  exit 1
fi
log "introspect: python [$(echo "$found_pip" | paste -sd';' - | sed 's/;/; /g')], system [${found_sys:-none}]"

# 4. the EE definition: create writes the build context (Containerfile, scripts, tarball)
mkdir -p "$repo/.build/ee"
cp "$tarball" "$repo/.build/ee/stackops-openstack.tar.gz"
context=$repo/.build/ee/context
rm -rf "$context"
"$venv/bin/ansible-builder" create -f "$repo/tools/ee/execution-environment.yml" -c "$context" >/dev/null
if ! { [ -f "$context/_build/collections/stackops-openstack.tar.gz" ] && grep -q '^FROM base AS final' "$context/Containerfile"; }; then
  echo "ERROR: ansible-builder create wrote no usable context in $context"; exit 1
fi
log "create: tools/ee/execution-environment.yml accepted; context in .build/ee/context ($(grep -c '^FROM' "$context/Containerfile") stages)"

if [ "$mode" = check ]; then
  log "check passed in $(( $(date +%s) - start )) s"
  exit 0
fi

# 5. build the image, then a smoke run in it
log "building $image (ansible-builder build, podman; minutes)"
build_start=$(date +%s)
# Where HTTPS goes through an intercepting proxy, the host's pip trusts it through PIP_CERT;
# pip in the build gets the same CA bundle, mounted for the build only (no image layer has it).
extra=()
if [ -n "${PIP_CERT:-}" ] && [ -f "$PIP_CERT" ]; then
  extra=(--extra-build-cli-args "--volume $PIP_CERT:/etc/ssl/certs/ca-certificates.crt:ro")
fi
"$venv/bin/ansible-builder" build -f "$repo/tools/ee/execution-environment.yml" -c "$context" \
  --container-runtime podman -t "$image" -v 2 "${extra[@]}" >"$repo/.build/ee/build.log" 2>&1 \
  || { tail -40 "$repo/.build/ee/build.log"; echo "ERROR: build failed; whole log: .build/ee/build.log"; exit 1; }
log "built $image in $(( $(date +%s) - build_start )) s ($(podman image inspect --format '{{.Size}}' "$image" | awk '{printf "%d MB", $1/1000000}'))"

in_ee() { podman run --rm --network none "$image" "$@"; }
in_ee bash -c 'ansible --version | head -1; ansible-runner --version; python3 -c "import openstack, pymysql, pymongo; from importlib.metadata import version as v; print(\"openstacksdk\", v(\"openstacksdk\"), \"PyMySQL\", v(\"PyMySQL\"), \"pymongo\", v(\"pymongo\"))"'
in_ee ansible-galaxy collection list stackops.openstack 2>/dev/null | grep -q 'stackops.openstack' \
  || { echo "ERROR: stackops.openstack is not installed in $image"; exit 1; }
documented=0
for module in "$installed"/plugins/modules/*.py; do
  in_ee ansible-doc -t module "stackops.openstack.$(basename "$module" .py)" >/dev/null
  documented=$((documented + 1))
done
log "in the EE: stackops.openstack installed, ansible-doc passed for $documented modules"

# a playbook of ours through ansible-runner, as AWX runs a job: the preflight module on a
# cluster definition (pure, needs no server), and openstacksdk as openstack.cloud loads it
mkdir -p "$work/runner/project" "$work/runner/inventory"
cat >"$work/runner/project/smoke.yml" <<'EOF'
- name: The collection in the execution environment
  hosts: localhost
  gather_facts: false
  tasks:
    - name: A module of ours
      stackops.openstack.galera_cluster_preflight:
        members:
          - {name: db1, address: 10.0.0.11}
          - {name: db2, address: 10.0.0.12}
          - {name: db3, address: 10.0.0.13}
        flavor: mariadb
        sst_method: mariabackup
        sst_password_set: true
      register: preflight
    - name: openstacksdk loads as openstack.cloud's module_utils reads it (openstack.version)
      ansible.builtin.command: python3 -c "import openstack; print(openstack.version.__version__)"
      register: sdk
      changed_when: false
    - name: Both worked
      ansible.builtin.assert:
        that:
          - preflight.cluster_address == 'gcomm://10.0.0.11,10.0.0.12,10.0.0.13'
          - sdk.stdout is version('4.15.0', '<')
EOF
echo 'localhost ansible_connection=local ansible_python_interpreter=/usr/bin/python3' >"$work/runner/inventory/hosts"
chmod -R a+rwX "$work/runner"
podman run --rm --network none -v "$work/runner:/runner:Z" "$image" \
  ansible-runner run /runner -p smoke.yml >"$repo/.build/ee/runner.log" 2>&1 \
  || { tail -30 "$repo/.build/ee/runner.log"; echo "ERROR: the smoke playbook failed in $image"; exit 1; }
# ansible-runner's own verdict (artifacts/<job>/status and rc, as AWX reads them) and the recap
status=$(cat "$work"/runner/artifacts/*/status 2>/dev/null || true)
if ! { [ "$status" = successful ] && [ "$(cat "$work"/runner/artifacts/*/rc)" = 0 ]; }; then
  echo "ERROR: ansible-runner's status is '$status', not successful"; exit 1
fi
log "ansible-runner in the EE: status $status, $(sed -e 's/\x1b\[[0-9;]*m//g' -e 's/\r//' "$repo/.build/ee/runner.log" \
  | grep -E '^localhost +:' | tr -s ' ')"
log "build and smoke run passed in $(( $(date +%s) - start )) s"
