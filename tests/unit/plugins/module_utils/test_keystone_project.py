# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

from types import SimpleNamespace

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils.keystone_project import find_project


class Identity:
    def __init__(self):
        self.calls = []

    def find_domain(self, name, ignore_missing=True):
        return SimpleNamespace(id="d1") if name == "Default" else None

    def find_project(self, name, ignore_missing=True, **kwargs):
        self.calls.append((name, kwargs))
        return SimpleNamespace(id="p1", name=name) if name == "web" else None


def test_project_found_within_its_domain():
    identity = Identity()
    assert find_project(identity, "web", "Default").id == "p1"
    assert identity.calls == [("web", {"domain_id": "d1"})]


def test_project_found_without_a_domain():
    identity = Identity()
    assert find_project(identity, "web").id == "p1"
    assert identity.calls == [("web", {})]


@pytest.mark.parametrize("project, domain, message", [
    ("web", "Nowhere", "domain Nowhere not found in Keystone"),
    ("shop", None, "project shop not found in Keystone; give its name or ID"),
    ("shop", "Default", "project shop not found in Keystone (domain Default); give its name or ID"),
])
def test_missing_domain_or_project_is_named(project, domain, message):
    with pytest.raises(LookupError) as exc:
        find_project(Identity(), project, domain)
    assert str(exc.value) == message
