# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/project_quotas.py: usage against proposed limits."""

from __future__ import annotations

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import project_quotas as pq


def quotas():
    return {
        "compute": {"instances": {"limit": 10, "in_use": 2, "reserved": 0},
                    "cores": {"limit": 20, "in_use": 2, "reserved": 1},
                    "ram": {"limit": -1, "in_use": 1024, "reserved": 0}},
        "network": {"floating_ips": {"limit": 50, "in_use": 1, "reserved": 0},
                    "ports": {"limit": 50, "in_use": 3, "reserved": 0}},
    }


@pytest.mark.parametrize("limits, expected", [
    (None, {}),
    ({"compute": {"instances": 5}}, {"compute": {"instances": 5}}),
    ({"compute": {"instances": "5"}, "network": None}, {"compute": {"instances": 5}}),
    ({"compute": {}, "network": {"ports": -1}}, {"compute": {}, "network": {"ports": -1}}),
])
def test_check_limits_accepts(limits, expected):
    assert pq.check_limits(limits) == expected


@pytest.mark.parametrize("limits, fragment", [
    ({"volume": {"gigabytes": 1}}, "limits has the service 'volume', expected compute (nova) or network (neutron)"),
    ({"compute": {"floating_ips": 1}}, "limits.compute.floating_ips: nova's floating_ips quota left its API in "
                                       "microversion 2.36; it is a neutron quota, set it under network"),
    ({"compute": {"fixed_ips": 1}}, "neutron limits ports instead (network.ports)"),
    ({"network": {"instances": 1}}, "limits.network has the resource 'instances'; it is a compute quota"),
    ({"compute": {"instance": 1}}, "limits.compute has the resource 'instance', expected one of: cores, "),
    ({"compute": {"instances": -2}}, "limits.compute.instances is -2, expected a whole number >= 0, or -1"),
    ({"compute": {"instances": True}}, "limits.compute.instances is True"),
    ({"compute": {"instances": "many"}}, "limits.compute.instances is 'many'"),
    ({"compute": [1]}, "limits.compute must be a dict"),
    ([1], "limits must be a dict"),
])
def test_check_limits_refuses_naming_the_value(limits, fragment):
    with pytest.raises(pq.QuotaError) as exc:
        pq.check_limits(limits)
    assert fragment in str(exc.value)


def test_normalise_compute_from_an_sdk_quota_set():
    limits = {"instances": 10, "cores": 20, "ram": 51200, "floating_ips": 10, "id": None, "name": None}
    result = pq.normalise_compute(limits, {"instances": 1, "cores": 1, "ram": 512}, {"instances": 0})
    assert result["instances"] == {"limit": 10, "in_use": 1, "reserved": 0}
    assert result["ram"] == {"limit": 51200, "in_use": 512, "reserved": 0}
    assert "floating_ips" not in result


@pytest.mark.parametrize("details", [
    {"floating_ips": {"limit": 50, "used": 1, "reserved": 0}, "ports": {"limit": 50, "used": 3, "reserved": 0},
     "project_id": "p", "health_monitors": None},
    {"floatingip": {"limit": 50, "used": 1, "reserved": 0}, "port": {"limit": 50, "used": 3, "reserved": 0}},
])
def test_normalise_network_both_name_styles(details):
    result = pq.normalise_network(details)
    assert result == {"floating_ips": {"limit": 50, "in_use": 1, "reserved": 0},
                      "ports": {"limit": 50, "in_use": 3, "reserved": 0}}


def test_report_without_proposal_lists_every_resource_in_order():
    rows, below, changes = pq.report(quotas())
    assert [(r["service"], r["resource"]) for r in rows] == [
        ("compute", "instances"), ("compute", "cores"), ("compute", "ram"),
        ("network", "floating_ips"), ("network", "ports")]
    assert below == [] and changes == []
    assert rows[0]["free"] == 8 and rows[1]["free"] == 17 and rows[2]["free"] is None


@pytest.mark.parametrize("proposed, below", [
    ({"compute": {"instances": 2}}, []),  # equal to usage is fine
    ({"compute": {"instances": 1}}, ["compute instances: the new limit 1 is below the 2 in use (instances)"]),
    ({"compute": {"cores": 2}}, ["compute cores: the new limit 2 is below the 2 in use and 1 reserved "
                                 "(vCPUs (cores))"]),
    ({"compute": {"ram": 0}}, ["compute ram: the new limit 0 is below the 1024 in use (RAM (MiB))"]),
    ({"compute": {"ram": -1}, "network": {"ports": -1}}, []),
    ({"network": {"floating_ips": 0, "ports": 2}}, [
        "network floating_ips: the new limit 0 is below the 1 in use (floating IPs)",
        "network ports: the new limit 2 is below the 3 in use (ports)"]),
])
def test_report_below_usage(proposed, below):
    rows, found, changes = pq.report(quotas(), pq.check_limits(proposed))
    assert found == below
    assert sorted(r["resource"] for r in rows if r["below_usage"]) == sorted(
        line.split(" ")[1].rstrip(":") for line in below)


def test_report_changes_only_differing_limits():
    rows, below, changes = pq.report(quotas(), {"compute": {"instances": 10, "cores": 30}})
    assert changes == [{"service": "compute", "resource": "cores", "before": 20, "after": 30}]


def test_report_refuses_a_resource_the_cloud_does_not_report():
    data = quotas()
    del data["network"]
    with pytest.raises(pq.QuotaError, match="network quota ports: the cloud reports no such quota for this project "
                                            "\\(is the network service there\\?\\)"):
        pq.report(data, {"network": {"ports": 5}})


def test_describe():
    rows, below, changes = pq.report(quotas(), {"compute": {"instances": 1, "ram": -1}})
    lines = pq.describe(rows)
    assert lines[0] == "compute instances: 2 in use of 10, new limit 1 (BELOW USAGE)"
    assert lines[1] == "compute cores: 2 in use and 1 reserved of 20"
    assert lines[2] == "compute ram: 1024 in use of unlimited"


def test_compute_changes_only_differences_in_order():
    current = {"instances": 10, "cores": 20, "ram": 51200}
    assert pq.compute_changes(current, {"ram": 51200, "cores": 2, "instances": 1}) == [
        {"resource": "instances", "before": 10, "after": 1}, {"resource": "cores", "before": 20, "after": 2}]
    assert pq.compute_changes(current, {}) == []


@pytest.mark.parametrize("wanted, fragment", [
    ({"server_groups": 1}, "compute quota server_groups: nova reports no such quota"),
    ({"floating_ips": 1}, "nova's floating_ips quota left its API"),
    ({"instances": -5}, "limits.compute.instances is -5"),
])
def test_compute_changes_refuses(wanted, fragment):
    with pytest.raises(pq.QuotaError) as exc:
        pq.compute_changes({"instances": 10}, wanted)
    assert fragment in str(exc.value)
