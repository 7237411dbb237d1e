# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/project_quota_usage.py: main() against a fake nova and neutron.

openstack.connect() is replaced by a fake connection answering what openstacksdk's
compute.get_quota_set(usage=True) and network.get_quota(details=True) return.
"""

from __future__ import annotations

import keystoneauth1.exceptions
import openstack
import pytest
from ansible_collections.stackops.openstack.plugins.modules import project_quota_usage as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import exit_result, fail_result, patch_exits


class Resource:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class QuotaSet:
    """openstacksdk's compute QuotaSet after a fetch with usage=True."""

    def __init__(self, limits, usage, reservation):
        self.limits, self.usage, self.reservation = limits, usage, reservation

    def to_dict(self, computed=True):
        return dict(self.limits, id=None, name=None, location=None)


class NetworkDetails:
    def __init__(self, details):
        self.details = details

    def to_dict(self, computed=True):
        return dict(self.details, project_id="p1", health_monitors=None)


class FakeConnection:
    def __init__(self, network=True, unauthorized=False):
        self.network_ok = network
        self.unauthorized = unauthorized
        self.calls = []
        self.identity = Resource(find_project=self.find_project, find_domain=self.find_domain)
        self.compute = Resource(get_quota_set=self.get_quota_set)
        self.network = Resource(get_quota=self.get_quota)

    def find_domain(self, name, ignore_missing=True):
        return Resource(id="default") if name in ("Default", "default") else None

    def find_project(self, name, ignore_missing=True, **kwargs):
        if self.unauthorized:
            raise keystoneauth1.exceptions.http.Unauthorized("The request you have made requires authentication.")
        self.calls.append(("find_project", name, kwargs))
        if name in ("web", "p1"):
            return Resource(id="p1", name="web", domain_id="default")
        return None

    def has_service(self, name):
        return self.network_ok if name == "network" else True

    def get_quota_set(self, project, usage=False):
        self.calls.append(("get_quota_set", project, usage))
        return QuotaSet({"instances": 10, "cores": 20, "ram": 51200, "floating_ips": 10},
                        {"instances": 2, "cores": 2, "ram": 1024}, {"instances": 0, "cores": 0, "ram": 0})

    def get_quota(self, project, details=False):
        self.calls.append(("get_quota", project, details))
        return NetworkDetails({"floating_ips": {"limit": 50, "used": 1, "reserved": 0},
                               "ports": {"limit": 50, "used": 3, "reserved": 0}})


@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch)


def connect(monkeypatch, conn):
    monkeypatch.setattr(openstack, "connect", lambda **kw: conn)
    return conn


def test_report_without_proposal(monkeypatch):
    conn = connect(monkeypatch, FakeConnection())
    result = exit_result(module.main, {"cloud": "fake", "project": "web"})
    assert result["changed"] is False
    assert result["project"] == {"id": "p1", "name": "web", "domain_id": "default"}
    assert result["quotas"]["compute"]["instances"] == {"limit": 10, "in_use": 2, "reserved": 0}
    assert result["quotas"]["network"]["ports"] == {"limit": 50, "in_use": 3, "reserved": 0}
    assert "floating_ips" not in result["quotas"]["compute"]
    assert result["lines"][0] == "compute instances: 2 in use of 10"
    assert result["below_usage"] == [] and result["changes"] == []
    assert ("get_quota_set", "p1", True) in conn.calls and ("get_quota", "p1", True) in conn.calls


def test_proposal_below_usage_is_reported_in_words(monkeypatch):
    connect(monkeypatch, FakeConnection())
    result = exit_result(module.main, {"cloud": "fake", "project": "p1", "compute": {"instances": 1, "cores": 4},
                                       "network": {"ports": 2}})
    assert result["below_usage"] == ["compute instances: the new limit 1 is below the 2 in use (instances)",
                                     "network ports: the new limit 2 is below the 3 in use (ports)"]
    assert {(c["resource"], c["after"]) for c in result["changes"]} == {("instances", 1), ("cores", 4), ("ports", 2)}


def test_domain_is_passed_to_the_lookup(monkeypatch):
    conn = connect(monkeypatch, FakeConnection())
    exit_result(module.main, {"cloud": "fake", "project": "web", "domain": "Default"})
    assert ("find_project", "web", {"domain_id": "default"}) in conn.calls


@pytest.mark.parametrize("args, fragment", [
    ({"project": "nope"}, "project nope not found in Keystone; give its name or ID"),
    ({"project": "web", "domain": "elsewhere"}, "domain elsewhere not found in Keystone"),
    ({"project": "web", "compute": {"floating_ips": 1}}, "compute.floating_ips: nova's floating_ips quota left"),
    ({"project": "web", "compute": {"instances": "lots"}}, "compute.instances is 'lots', expected a whole number"),
    ({"project": "web", "network": {"subnets": 3}}, "project web: network quota subnets: the cloud reports no such "
                                                    "quota for this project"),
])
def test_failures_name_the_value(monkeypatch, args, fragment):
    connect(monkeypatch, FakeConnection())
    result = fail_result(module.main, dict(args, cloud="fake"))
    assert fragment in result["msg"]


def test_network_limits_without_neutron(monkeypatch):
    connect(monkeypatch, FakeConnection(network=False))
    result = fail_result(module.main, {"cloud": "fake", "project": "web", "network": {"ports": 3}})
    assert "the cloud has no network service (neutron)" in result["msg"]
    only_compute = exit_result(module.main, {"cloud": "fake", "project": "web"})
    assert list(only_compute["quotas"]) == ["compute"]


def test_wrong_credentials_fail_clearly(monkeypatch):
    connect(monkeypatch, FakeConnection(unauthorized=True))
    result = fail_result(module.main, {"cloud": "fake", "project": "web"})
    assert result["msg"].startswith("cannot read the quotas of project web: Unauthorized: The request you have made "
                                    "requires authentication.")
    assert "check the cloud and its credentials" in result["msg"]
