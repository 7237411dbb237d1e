#!/usr/bin/env bash
# Builds the collection's HTML docs site offline (`make docs`):
#   1. the docs toolchain in its own venv .build/venvs/docs, from the pinned
#      tools/requirements/docs.txt (re-created only when that file changes; pip's
#      download cache is reused);
#   2. antsibull-docs lint-collection-docs --plugin-docs: plugin and role docs, the
#      hand-written pages of docs/docsite/ (extra-docs.yml) and the references in them;
#   3. antsibull-docs collection: RST for every module, filter and role (role pages from
#      meta/argument_specs.yml) plus the hand-written pages;
#   4. sphinx-build -W -n: HTML in .build/docs/html; any warning fails the build.
# No network: no Galaxy download, no intersphinx fetch (tools/docs/offline_refs.py
# links the few references into the Ansible docsite instead).
#   DOCS_VALIDATE_REFS=dependent tools/build_docs.sh   also check references to the
#   collections ours depends on (ansible.builtin, community.mysql, openstack.cloud, ...):
#   thorough, but it loads those collections' docs, which adds about a minute.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
start=$(date +%s)
log() { printf '\033[1m[docs]\033[0m %s\n' "$*"; }
step_start=$start
step_times=()
step_done() {  # name: records how long the step since the last one took
  step_times+=("$(printf '%-10s %4d s' "$1" $(( $(date +%s) - step_start )))")
  step_start=$(date +%s)
}

venv=.build/venvs/docs
out=.build/docs
requirements=tools/requirements/docs.txt
validate_refs=${DOCS_VALIDATE_REFS:-self}

# 1. toolchain
# shellcheck source=tools/pinned_venv.sh
. "$repo/tools/pinned_venv.sh"
pinned_venv "$venv" "$requirements"
export PATH="$repo/$venv/bin:$PATH"
step_done venv

# The collections the docs are built from: this checkout, and those it depends on
# (galaxy.yml) from the `ansible` package in .venv, whose doc fragments our modules use.
[ -x .venv/bin/python ] || tools/bootstrap.sh venv
collections="$out/collections"
rm -rf "$collections"
mkdir -p "$collections/ansible_collections/stackops"
ln -sfn "$repo" "$collections/ansible_collections/stackops/openstack"
bundle=$(.venv/bin/python -c 'import ansible_collections; print(next(p for p in ansible_collections.__path__ if "site-packages" in p))')
for dep in $(.venv/bin/python -c 'import yaml; print(" ".join(yaml.safe_load(open("galaxy.yml"))["dependencies"]))'); do
  ns=${dep%%.*} name=${dep#*.}
  mkdir -p "$collections/ansible_collections/$ns"
  ln -sfn "$bundle/$ns/$name" "$collections/ansible_collections/$ns/$name"
done
export ANSIBLE_COLLECTIONS_PATH="$repo/$collections"
unset ANSIBLE_CONFIG
# The linter copies the collection and its dependencies to a temporary tree, and copies
# a directory inside a git work tree as `git ls-files` lists it. The dependencies live
# in .venv, which this repository ignores (or wherever .venv really is): without a
# ceiling git would find the repository above them and the copies would be empty.
GIT_CEILING_DIRECTORIES="$repo:$(realpath "$bundle")"
export GIT_CEILING_DIRECTORIES

# 2. lint
log "antsibull-docs lint-collection-docs --plugin-docs (references checked: $validate_refs)"
antsibull-docs --config-file tools/docs/antsibull-docs.cfg lint-collection-docs \
  --plugin-docs --check-extra-docs-refs --validate-collection-refs "$validate_refs" "$repo"
step_done lint

# 3. RST (antsibull-docs wants its destination writable by its owner only)
rst="$out/rst"
mkdir -p "$rst"
chmod 0755 "$rst"
log "antsibull-docs collection -> $rst"
antsibull-docs --config-file tools/docs/antsibull-docs.cfg collection --use-current \
  --squash-hierarchy --cleanup everything --fail-on-error --dest-dir "$rst" stackops.openstack >/dev/null
step_done rst

# 4. HTML
html="$out/html"
warnings="$out/warnings.log"
rm -rf "$html" "$out/doctrees"
log "sphinx-build -> $html"
status=0
sphinx-build -b html -c tools/docs -d "$out/doctrees" -W --keep-going -q -w "$warnings" "$rst" "$html" || status=$?
step_done html

count() { find "$rst" -maxdepth 1 -name "$1" | wc -l; }
pages=$(find "$html" -name '*.html' ! -name search.html ! -name genindex.html 2>/dev/null | wc -l)
guides=$(find "$rst/docsite" -name '*.rst' 2>/dev/null | wc -l)
nwarnings=$(grep -c 'WARNING\|ERROR' "$warnings" || true)
echo "=== docs build summary"
printf '    %-22s %s\n' \
  "HTML pages" "$pages (modules $(count '*_module.rst'), filters $(count '*_filter.rst'), roles $(count '*_role.rst'), hand-written $guides, indexes and others $((pages - $(count '*_module.rst') - $(count '*_filter.rst') - $(count '*_role.rst') - guides)))" \
  "warnings" "$nwarnings" \
  "output" "$html/index.html" \
  "time" "$(( $(date +%s) - start )) s ($(IFS=,; echo "${step_times[*]}" | sed 's/,/, /g; s/  */ /g'))"
if [ "$status" -ne 0 ] || [ "$nwarnings" -ne 0 ]; then
  echo "ERROR: the docs build had warnings (each fails it):"
  # the hand-written pages are copied to $rst/docsite/: name their sources
  sed "s|$repo/$rst/docsite/|docs/docsite/rst/|" "$warnings"
  exit 1
fi
