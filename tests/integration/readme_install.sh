#!/usr/bin/env bash
# The README's "Install the collection" steps, run as written, then a playbook of the
# installed collection that uses openstack.cloud against the OpenStack lab. The lab must be
# up with keystone, octavia and neutron: the lbaas_pool target runs this in its lab session.
#
#   1. The steps are the first ```sh block under "## Install the collection" in README.md,
#      run by bash -e (the first failing line fails the test) and echoed as they run.
#   2. Where a new user would run them: a copy of the checkout (the files a clone has, with
#      uncommitted changes, and the .build/collections link `make` adds), an empty HOME (so
#      ~/.venvs and ~/.ansible/collections start empty), PATH without this repository's
#      .venv, and none of the test run's ANSIBLE_*, OS_*, VIRTUAL_ENV or PYTHONPATH settings.
#   3. pip is tuned only through its environment, never through the commands: the test
#      user's download cache is the real user's (PIP_CACHE_DIR), and no byte-compiling
#      (PIP_NO_COMPILE: Python compiles on first import instead; saves CPU time on the
#      ~500 MB the ansible package unpacks). pip resolves against the index as a user's does.
#   4. Then, in the same shell with the README's venv active: the versions it installed;
#      a user's playbook that makes a network with openstack.cloud and imports
#      stackops.openstack.db_cluster (load balancer play only, -e db_cluster_lbaas_only=true:
#      the lbaas_pool role's openstack.cloud tasks with requirements.txt's openstacksdk); the
#      load balancer as the API shows it (the lab's own client, lbaas_pool/files/lb_state.py).
#      (state=absent and the rest of the role's behaviour are main.yml's; the lab goes after.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=${STACKOPS_REPO:-$(cd "$here/../.." && pwd)}
start=$(date +%s)
say() { printf '[readme-install] %s\n' "$*"; }
fail() { say "FAILED: $*"; exit 1; }

steps=$(awk '/^## Install the collection$/ {s=1; next}
             s && /^## / {exit}
             s && /^```sh$/ {b=1; next}
             b && /^```$/ {exit}
             b {print}' "$repo/README.md")
[ -n "$steps" ] || fail "no \`\`\`sh block under '## Install the collection' in README.md"

lab_env=$(python3 "$repo/tests/lab/openstack_lab.py" env) || fail "the OpenStack lab is not up"
clouds_yaml=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["clouds_yaml"])' <<<"$lab_env")
lab_python=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["venv"])' <<<"$lab_env")/bin/python

work=$(mktemp -d /var/tmp/stackops-readme-install.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/checkout" "$work/home" "$work/project"
# the files a clone would have: tracked and new ones, not ignored ones (.venv, .build, ...)
(cd "$repo" && git ls-files -z --cached --others --exclude-standard --deduplicate \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | tar --null -T - -cf -) | tar -C "$work/checkout" -xf -
# and, as in a checkout where make has run, the link that makes ansible.cfg's collections_path
# see the checkout as an installed collection (the case where a plain install does nothing)
mkdir -p "$work/checkout/.build/collections/ansible_collections/stackops"
ln -s ../../../.. "$work/checkout/.build/collections/ansible_collections/stackops/openstack"

# A user's project: an inventory for the cluster's database nodes (never contacted: only the
# load balancer play runs) and a playbook that adds the network the VIP goes on.
cat >"$work/project/inventory.yml" <<'EOF'
all:
  children:
    galera:
      hosts:
        galera1: {ansible_host: 10.21.0.41}
        galera2: {ansible_host: 10.21.0.42}
        galera3: {ansible_host: 10.21.0.43}
  vars:
    db_cluster_lbaas: true
    db_cluster_lbaas_name: readme-db
    lbaas_pool_cloud: lab
    lbaas_pool_vip_subnet: readme-subnet
    lbaas_pool_wait_delay: 1
EOF
cat >"$work/project/site.yml" <<'EOF'
- name: The network for the load balancer's VIP
  hosts: localhost
  gather_facts: false
  tasks:
    - name: Network
      openstack.cloud.network:
        cloud: lab
        name: readme-net
    - name: Subnet
      openstack.cloud.subnet:
        cloud: lab
        name: readme-subnet
        network_name: readme-net
        cidr: 10.21.0.0/24

- name: The database cluster's playbook
  ansible.builtin.import_playbook: stackops.openstack.db_cluster
EOF

clean_path=$(tr ':' '\n' <<<"$PATH" | grep -vxF "$repo/.venv/bin" | paste -sd: -)
user_env=(HOME="$work/home" PATH="$clean_path" LANG=C.UTF-8 TERM=dumb
          PIP_CACHE_DIR="${PIP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/pip}" PIP_NO_COMPILE=1
          PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_PROGRESS_BAR=off
          OS_CLIENT_CONFIG_FILE="$clouds_yaml" ANSIBLE_NOCOLOR=1)
# machine-wide pip settings (certificates, mirrors) stay, as they would for a user
while IFS='=' read -r name value; do
  case "$name" in PIP_CACHE_DIR|PIP_NO_COMPILE) ;; PIP_*) user_env+=("$name=$value") ;; esac
done < <(env)

say "the README's install steps, in $work/checkout with HOME=$work/home:"
while IFS= read -r line; do printf '    %s\n' "$line"; done <<<"$steps"
# one shell, as a user's session: the README's lines, then the playbooks with its venv active
# (each README line is echoed, then run; blank lines and comments are bash's business)
echoed_steps=$(while IFS= read -r line; do printf 'printf "%%s\\n" %q\n%s\n' "\$ $line" "$line"; done <<<"$steps")
cat >"$work/run.sh" <<EOF
set -eo pipefail
cd "$work/checkout"
$echoed_steps
echo "=== \$(date +%s) installed (as seen from a project directory outside the checkout):"
cd "$work/project"
ansible --version | head -1
python -c 'from importlib.metadata import version as v; print(" ".join("%s %s" % (p, v(p)) for p in ("ansible", "openstacksdk", "PyMySQL", "pymongo")))'
ansible-galaxy collection list 2>/dev/null | grep -E '^(stackops\.openstack|openstack\.cloud|community\.mysql) ' | sort
test -f "\$HOME/.ansible/collections/ansible_collections/stackops/openstack/MANIFEST.json" \\
  || { echo "stackops.openstack is not in ~/.ansible/collections, where Ansible looks by default"; exit 1; }
echo "=== the load balancer"
ansible-playbook -i inventory.yml site.yml -e db_cluster_lbaas_only=true | tee "$work/create.out"
"$lab_python" "$here/targets/lbaas_pool/files/lb_state.py" readme-db >"$work/created.json"
EOF
env -i "${user_env[@]}" bash "$work/run.sh" 2>&1 | tee "$work/run.out" || fail "the README's steps or the playbooks failed (output above)"
installed_at=$(sed -n 's/^=== \([0-9]*\) installed .*/\1/p' "$work/run.out")
# the lab is fresh (with_openstack_lab.sh) and nothing else makes readme-db: it must change
grep -Eq 'localhost +: ok=[0-9]+ +changed=[1-9][0-9]* +unreachable=0 +failed=0' "$work/create.out" \
  || fail "the playbook did not create the load balancer without failures"
python3 - "$work/created.json" <<'EOF' || fail "the API does not show what the playbook asked for"
import json, sys
lb = json.load(open(sys.argv[1]))
got = {
    "status": (lb["load_balancer"] or {}).get("provisioning_status"),
    "listeners": [[li["protocol"], li["protocol_port"]] for li in lb["listeners"]],
    "members": sorted([m["name"], m["address"], m["protocol_port"], m["monitor_port"]] for m in lb["members"]),
    "monitors": [[h["type"], h["provisioning_status"]] for h in lb["health_monitors"]],
}
want = {
    "status": "ACTIVE",
    "listeners": [["TCP", 3306]],
    "members": [["galera1", "10.21.0.41", 3306, 9200], ["galera2", "10.21.0.42", 3306, 9200],
                ["galera3", "10.21.0.43", 3306, 9200]],
    "monitors": [["HTTP", "ACTIVE"]],
}
print("[readme-install] readme-db as the API shows it:", json.dumps(got))
if got != want:
    sys.exit("[readme-install] expected: %s" % json.dumps(want))
EOF
end=$(date +%s)
say "passed in $((end - start)) s (README steps $((installed_at - start)) s, playbook and checks $((end - installed_at)) s)"
