"""Check that the release notes list every module, plugin, role and playbook the collection ships.

Run with the project's Python: .venv/bin/python tools/check_release_notes.py

Without arguments: copies the files git would ship (tracked, or new and not ignored) into
.build/release/notes/ansible_collections/stackops/openstack, lets antsibull-changelog write
CHANGELOG.rst there for the version in galaxy.yml (`release` when changelogs/changelog.yaml
does not hold that version yet, consuming the fragments in the copy only; `generate` when it
does), and compares its "New Modules", "New Plugins", "New Roles" and "New Playbooks"
entries with plugins/, roles/ and playbooks/. The checkout itself is never changed.

With --changelog FILE: checks that CHANGELOG.rst instead (no copy, no antsibull-changelog).

Exit status 1 when something on disk is not in the release notes, or the notes name
something that is not on disk, or an entry has no description.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[1]
# plugin directories that hold no plugins of their own
NOT_PLUGINS = {"modules", "module_utils", "doc_fragments", "plugin_utils"}
ENTRY = re.compile(r"^- (?P<fqcn>[a-z0-9_]+\.[a-z0-9_]+\.[a-z0-9_.]+) - (?P<description>.*)$")


def on_disk(root):
    """{kind: set of names} for what the collection at root ships; kind is module, role,
    playbook or the plugin type (filter, lookup, ...)."""
    found = {"module": set(), "role": set(), "playbook": set()}
    plugins = root / "plugins"
    for path in sorted((plugins / "modules").rglob("*.py")) if (plugins / "modules").is_dir() else []:
        if path.name != "__init__.py":
            found["module"].add(".".join(path.relative_to(plugins / "modules").with_suffix("").parts))
    for directory in sorted(p for p in plugins.iterdir() if p.is_dir()) if plugins.is_dir() else []:
        if directory.name in NOT_PLUGINS or directory.name.startswith((".", "_")):
            continue
        for path in sorted(directory.rglob("*.py")):
            if path.name != "__init__.py" and "__pycache__" not in path.parts:
                found.setdefault(directory.name, set()).add(path.stem)
    for role in sorted((root / "roles").iterdir()) if (root / "roles").is_dir() else []:
        if role.is_dir() and any((role / sub).is_dir() for sub in ("tasks", "meta")):
            found["role"].add(role.name)
    for playbook in sorted((root / "playbooks").iterdir()) if (root / "playbooks").is_dir() else []:
        if playbook.suffix in (".yml", ".yaml") and playbook.is_file():
            found["playbook"].add(playbook.stem)
    return found


def in_changelog(text, prefix):
    """{kind: {name: description}} from the New Modules/Plugins/Roles/Playbooks sections of an
    antsibull-changelog CHANGELOG.rst (every release in it)."""
    listed = {}
    lines = text.splitlines()
    section = kind = None
    for index, line in enumerate(lines):
        underline = lines[index + 1] if index + 1 < len(lines) else ""
        if line and re.fullmatch(r"-{3,}", underline) and len(underline) >= len(line):
            section = line.strip()
            kind = {"New Modules": "module", "New Roles": "role", "New Playbooks": "playbook"}.get(section)
            continue
        if line and re.fullmatch(r"~{3,}", underline) and section == "New Plugins":
            kind = line.strip().lower()
            continue
        if re.fullmatch(r"[=~-]{3,}", line) or kind is None:
            continue
        entry = ENTRY.match(line)
        if entry and entry.group("fqcn").startswith(prefix):
            listed.setdefault(kind, {})[entry.group("fqcn")[len(prefix):]] = entry.group("description").strip()
    return listed


def generate(tree):
    """Copy the shipped files to tree and let antsibull-changelog write CHANGELOG.rst there."""
    if tree.exists():
        shutil.rmtree(tree)
    tree.mkdir(parents=True)
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=REPO, check=True, capture_output=True).stdout.decode().split("\0")
    for name in files:
        source = REPO / name
        if name and source.is_file():
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    version = str(yaml.safe_load((tree / "galaxy.yml").read_text(encoding="utf-8"))["version"])
    changes = yaml.safe_load((tree / "changelogs" / "changelog.yaml").read_text(encoding="utf-8")) or {}
    released = version in (changes.get("releases") or {})
    command = ["antsibull-changelog", "generate"] if released else ["antsibull-changelog", "release"]
    env = dict(os.environ)
    env.pop("ANSIBLE_CONFIG", None)  # the checkout's config would put the checkout on the collections path
    env["PATH"] = "%s:%s" % (REPO / ".venv" / "bin", env.get("PATH", ""))
    result = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        sys.exit("%s failed in %s:\n%s%s" % (" ".join(command), tree, result.stdout, result.stderr))
    state = "already released" if released else "not released yet"
    print("release notes: `%s` for %s in a copy (%s)" % (" ".join(command), version, state))
    return tree / "CHANGELOG.rst"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--changelog", type=Path, help="check this CHANGELOG.rst instead of generating one")
    args = parser.parse_args()
    galaxy = yaml.safe_load((REPO / "galaxy.yml").read_text(encoding="utf-8"))
    prefix = "%s.%s." % (galaxy["namespace"], galaxy["name"])
    changelog = args.changelog or generate(REPO / ".build" / "release" / "notes" / "ansible_collections"
                                           / galaxy["namespace"] / galaxy["name"])
    listed = in_changelog(changelog.read_text(encoding="utf-8"), prefix)
    shipped = on_disk(REPO)
    problems = []
    for kind in sorted(set(shipped) | set(listed)):
        names = shipped.get(kind, set())
        notes = listed.get(kind, {})
        missing = sorted(names - set(notes))
        extra = sorted(set(notes) - names)
        undescribed = sorted(name for name, text in notes.items() if not text)
        print("  %-9s %2d shipped, %2d in the release notes%s" % (
            kind, len(names), len(notes), "" if missing or extra or undescribed else ": all listed"))
        problems += ["%s %s%s is not in the release notes" % (kind, prefix, name) for name in missing]
        problems += ["%s %s%s is in the release notes but not shipped" % (kind, prefix, name) for name in extra]
        problems += ["%s %s%s has no description" % (kind, prefix, name) for name in undescribed]
    for problem in problems:
        print("ERROR: " + problem)
    if problems:
        print("Add the missing ones to a fragment in changelogs/fragments/ (sections `add plugin.<type>`, "
              "`add object.role`, `add object.playbook`; see changelogs/fragments/9-release-objects.yml).")
        return 1
    print("release notes list every module, plugin, role and playbook (%s)" % changelog)
    return 0


if __name__ == "__main__":
    sys.exit(main())
