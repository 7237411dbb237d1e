"""The survey-friendly auth variables of swift_s3api and lbaas_pool give the same auth dict as the dict form.

The roles hand openstack.cloud ``_<role>_auth`` (vars/main.yml): the ``<role>_auth`` dict with each
non-empty ``<role>_auth_*`` variable replacing its key. Rendered here with Ansible's own Templar
over the role's defaults and vars, as a play sees them.
Run: .venv/bin/python -m pytest -q tests/unit/roles/test_auth_scalars.py
"""

from pathlib import Path

import pytest
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

REPO = Path(__file__).resolve().parents[3]
KEYS = ("url", "username", "password", "project_name", "user_domain_name", "project_domain_name")
DICT_KEYS = {"url": "auth_url"}
AUTH = {"auth_url": "http://keystone:5000/v3", "username": "admin", "password": "Adm1n-Pw", "project_name": "admin",
        "user_domain_name": "Default", "project_domain_name": "Default"}


def auth_of(role, **variables):
    loader = DataLoader()
    values = {}
    values.update(loader.load_from_file(str(REPO / "roles" / role / "defaults" / "main.yml"), trusted_as_template=True))
    values.update(loader.load_from_file(str(REPO / "roles" / role / "vars" / "main.yml"), trusted_as_template=True))
    values.update(variables)
    return Templar(loader=loader, variables=values).template(trust_as_template("{{ _%s_auth }}" % role))


def scalars(role, auth):
    inverse = {value: key for key, value in DICT_KEYS.items()}
    return {f"{role}_auth_{inverse.get(key, key)}": value for key, value in auth.items()}


@pytest.mark.parametrize("role", ["swift_s3api", "lbaas_pool"])
def test_every_scalar_is_declared_in_defaults_and_argument_spec(role):
    defaults = (REPO / "roles" / role / "defaults" / "main.yml").read_text()
    spec = (REPO / "roles" / role / "meta" / "argument_specs.yml").read_text()
    for key in KEYS:
        assert f"\n{role}_auth_{key}: \"\"\n" in defaults
        assert f"\n      {role}_auth_{key}:\n" in spec


@pytest.mark.parametrize("role", ["swift_s3api", "lbaas_pool"])
def test_scalar_form_equals_dict_form(role):
    from_dict = auth_of(role, **{f"{role}_auth": AUTH})
    from_scalars = auth_of(role, **scalars(role, AUTH))
    assert from_dict == from_scalars == AUTH


@pytest.mark.parametrize("role", ["swift_s3api", "lbaas_pool"])
def test_non_empty_scalars_replace_their_key_and_empty_ones_leave_the_dict(role):
    extra = dict(AUTH, system_scope="all")
    assert auth_of(role, **{f"{role}_auth": extra, f"{role}_auth_password": "Survey-Pw", f"{role}_auth_username": ""}) == \
        dict(extra, password="Survey-Pw")


@pytest.mark.parametrize("role", ["swift_s3api", "lbaas_pool"])
def test_neither_form_gives_an_empty_dict_which_the_role_leaves_out(role):
    assert auth_of(role) == {}
