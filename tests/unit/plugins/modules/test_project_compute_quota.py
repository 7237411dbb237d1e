# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/project_compute_quota.py: main() against a fake nova that refuses a limit
below usage unless forced, as nova does."""

from __future__ import annotations

import openstack
import openstack.exceptions
import pytest
from ansible_collections.stackops.openstack.plugins.modules import project_compute_quota as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import exit_result, fail_result, patch_exits


class Resource:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class QuotaSet:
    def __init__(self, limits):
        self.limits = limits

    def to_dict(self, computed=True):
        return dict(self.limits, id=None, name=None, force=None)


class FakeNova:
    def __init__(self):
        self.limits = {"instances": 10, "cores": 20, "ram": 51200}
        self.usage = {"instances": 2, "cores": 2, "ram": 128}
        self.updates = []
        self.identity = Resource(find_project=self.find_project, find_domain=lambda name, ignore_missing: None)
        self.compute = Resource(get_quota_set=self.get_quota_set, update_quota_set=self.update_quota_set)

    def find_project(self, name, ignore_missing=True, **kwargs):
        return Resource(id="p1", name="batch", domain_id="default") if name in ("batch", "p1") else None

    def get_quota_set(self, project):
        return QuotaSet(self.limits)

    def update_quota_set(self, project, **attrs):
        force = attrs.pop("force", False)
        self.updates.append((project, dict(attrs), force))
        for resource, limit in attrs.items():
            if not force and limit != -1 and limit < self.usage[resource]:
                raise openstack.exceptions.BadRequestException(
                    message="Quota limit %d for %s must be greater than or equal to already used and reserved %d."
                            % (limit, resource, self.usage[resource]))
        self.limits.update(attrs)


@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch)


@pytest.fixture
def nova(monkeypatch):
    fake = FakeNova()
    monkeypatch.setattr(openstack, "connect", lambda **kw: fake)
    return fake


def test_check_mode_reports_and_changes_nothing(nova):
    result = exit_result(module.main, {"cloud": "fake", "project": "batch", "limits": {"instances": 1},
                                       "force": True, "_ansible_check_mode": True, "_ansible_diff": True})
    assert result["changed"] is True
    assert result["changes"] == [{"resource": "instances", "before": 10, "after": 1}]
    assert result["diff"] == {"before": "instances = 10\n", "after": "instances = 1\n"}
    assert nova.updates == []


def test_forced_below_usage_then_nothing_to_do(nova):
    limits = {"instances": 1, "cores": 1, "ram": 51200}
    result = exit_result(module.main, {"cloud": "fake", "project": "p1", "limits": limits, "force": True})
    assert result["changed"] is True
    assert nova.updates == [("p1", {"instances": 1, "cores": 1}, True)]
    again = exit_result(module.main, {"cloud": "fake", "project": "p1", "limits": {"instances": 1}, "force": True})
    assert again["changed"] is False and len(nova.updates) == 1


def test_not_forced_below_usage_fails_with_nova_message(nova):
    result = fail_result(module.main, {"cloud": "fake", "project": "batch", "limits": {"instances": 1}})
    assert result["msg"].startswith("cannot set the nova quotas of project batch: ")
    assert "must be greater than or equal to already used and reserved 2" in result["msg"]
    assert nova.limits["instances"] == 10


@pytest.mark.parametrize("args, fragment", [
    ({"project": "nope", "limits": {"instances": 1}}, "project nope not found in Keystone"),
    ({"project": "batch", "limits": {"floating_ips": 1}}, "limits.floating_ips: nova's floating_ips quota left"),
    ({"project": "batch", "limits": {"key_pairs": 1}}, "project batch: compute quota key_pairs: nova reports no such"),
    ({"project": "batch", "limits": {"instances": 1}, "domain": "elsewhere"}, "domain elsewhere not found"),
])
def test_refusals(nova, args, fragment):
    result = fail_result(module.main, dict(args, cloud="fake"))
    assert fragment in result["msg"]
    assert nova.updates == []
