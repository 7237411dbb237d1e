#!/usr/bin/env bash
# Runs ansible-test on a copy of this checkout placed where ansible-test wants a
# collection: .../ansible_collections/stackops/openstack, as a git work tree (it
# lists files with git). A copy, not a link: ansible-test resolves the real path.
#   tools/ansible_test.sh sanity --python 3.11 ...
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
tree="$repo/.build/ansible-test/ansible_collections/stackops/openstack"
mkdir -p "$tree"
cd "$repo"
# the files git would ship (tracked, or new and not ignored), deleted ones excluded
git ls-files -z --cached --others --exclude-standard \
  | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
  | rsync -a --delete --delete-excluded --from0 --files-from=- --exclude=.git ./ "$tree/"
# rsync --files-from never deletes; drop files that left the checkout
(cd "$tree" && find . -path ./.git -prune -o -path ./tests/output -prune -o -type f -print0) \
  | while IFS= read -r -d '' f; do [ -e "$repo/$f" ] || rm -f "$tree/$f"; done
# the collections ours depends on (galaxy.yml), from the ansible package, beside ours:
# sanity imports them and resolves their doc fragments there
bundle=$("$repo/.venv/bin/python" -c 'import ansible_collections, os; print(next(p for p in ansible_collections.__path__ if "site-packages" in p))')
for dep in $("$repo/.venv/bin/python" -c 'import yaml; print(" ".join(yaml.safe_load(open("galaxy.yml"))["dependencies"]))'); do
  ns=${dep%%.*} name=${dep#*.}
  mkdir -p "$tree/../../$ns"
  ln -sfn "$bundle/$ns/$name" "$tree/../../$ns/$name"
done
cd "$tree"
[ -d .git ] || git init -q .
export PATH="$repo/.venv/bin:$PATH"
exec ansible-test "$@"
