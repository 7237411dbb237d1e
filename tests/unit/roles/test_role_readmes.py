"""Every role has a README.md (the only role documentation Galaxy and Automation Hub show),
and a README's variable table agrees with the role's meta/argument_specs.yml.

A README with a "## Variables" section must list each option of the role's main entry point
exactly once, name no variable the role does not have, mark the required ones "(required)",
and give the same default where it writes one as a literal (a backticked YAML value).
Defaults described in words ("per OS family", "from the host's groups") are not compared.

Run: .venv/bin/python -m pytest -q tests/unit/roles/test_role_readmes.py
"""

import re
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
ROLES = sorted(p for p in (REPO / "roles").iterdir() if (p / "meta" / "argument_specs.yml").is_file())
ROW = re.compile(r"^\|\s*`(?P<name>[a-z0-9_]+)`\s*\|\s*(?P<default>[^|]*?)\s*\|")


def variable_rows(readme):
    """The rows of the table under '## Variables': {name: default cell}, in order, with duplicates kept."""
    text = readme.read_text(encoding="utf-8")
    match = re.search(r"^## Variables\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    if not match:
        return None
    rows = []
    for line in match.group(1).splitlines():
        row = ROW.match(line)
        if row:
            rows.append((row.group("name"), row.group("default")))
    return rows


def options(role):
    specs = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text(encoding="utf-8"))
    return specs["argument_specs"]["main"]["options"]


@pytest.mark.parametrize("role", ROLES, ids=lambda p: p.name)
def test_every_role_has_a_readme(role):
    readme = role / "README.md"
    assert readme.is_file(), f"{role.name} has no README.md"
    assert readme.read_text(encoding="utf-8").startswith(f"# stackops.openstack.{role.name}\n")


@pytest.mark.parametrize("role", [r for r in ROLES if variable_rows(r / "README.md") is not None],
                         ids=lambda p: p.name)
def test_variable_table_matches_argument_specs(role):
    rows = variable_rows(role / "README.md")
    specs = options(role)
    names = [row[0] for row in rows]
    assert sorted(set(names)) == sorted(names), f"listed twice: {sorted({n for n in names if names.count(n) > 1})}"
    assert sorted(set(names) - set(specs)) == [], "README names variables the role does not have"
    assert sorted(set(specs) - set(names)) == [], "README lacks variables of meta/argument_specs.yml"
    for name, default in rows:
        spec = specs[name]
        if spec.get("required"):
            assert default == "(required)", f"{name} is required, README says {default!r}"
            continue
        assert default != "(required)", f"{name} is not required"
        literal = re.fullmatch(r"`([^`]*)`", default)
        if literal and "default" in spec:
            assert yaml.safe_load(literal.group(1)) == spec["default"], (
                f"{name}: README default {literal.group(1)!r}, argument_specs {spec['default']!r}")
        if default == "unset":
            assert "default" not in spec or spec["default"] is None, f"{name} has a default"
