import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.stackops.openstack.plugins.modules import galera_cluster_preflight


class ExitJson(Exception):
    pass


class FailJson(Exception):
    pass


WARNINGS = []


@pytest.fixture(autouse=True)
def patch_exits(monkeypatch):
    del WARNINGS[:]

    def exit_json(self, **kwargs):
        raise ExitJson(kwargs)

    def fail_json(self, msg, **kwargs):
        kwargs["msg"] = msg
        raise FailJson(kwargs)

    monkeypatch.setattr(basic.AnsibleModule, "exit_json", exit_json)
    monkeypatch.setattr(basic.AnsibleModule, "fail_json", fail_json)
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning: WARNINGS.append(warning))


MEMBERS = [{"name": "db1", "address": "10.0.0.11", "host_addresses": ["10.0.0.11"]},
           {"name": "db2", "address": "10.0.0.12"},
           {"name": "db3", "address": "10.0.0.13"}]


def run(exception, **args):
    with patch_module_args(args):
        with pytest.raises(exception) as caught:
            galera_cluster_preflight.main()
    return caught.value.args[0]


def test_good_cluster_returns_its_address_and_size():
    result = run(ExitJson, members=MEMBERS, flavor="mariadb", sst_method="mariabackup", sst_password_set=True)
    assert result["changed"] is False
    assert result["cluster_address"] == "gcomm://10.0.0.11,10.0.0.12,10.0.0.13"
    assert result["size"] == 3


def test_problems_fail_with_all_of_them_listed():
    members = [dict(m) for m in MEMBERS]
    members[1]["address"] = "10.0.0.11"
    result = run(FailJson, members=members, flavor="mariadb", sst_method="mariabackup", sst_password_set=False)
    assert result["msg"].startswith("the Galera cluster definition has 2 problem(s): ")
    assert result["errors"] == ["SST method mariabackup needs credentials: set galera_cluster_sst_password (vault it)",
                                "db2: node address 10.0.0.11 is already the address of db1"]


def test_unknown_flavor_is_refused_by_the_argument_spec():
    result = run(FailJson, members=MEMBERS, flavor="oracle", sst_method="rsync")
    assert "value of flavor must be one of: mariadb, percona, got: oracle" in result["msg"]


def test_even_sized_cluster_warns_but_succeeds():
    result = run(ExitJson, members=MEMBERS[:2], flavor="mariadb", sst_method="rsync")
    assert result["cluster_address"] == "gcomm://10.0.0.11,10.0.0.12"
    assert WARNINGS == ["the cluster has an even number of nodes (2): when half of them fail the rest lose quorum "
                        "and stop; add a node or a Galera arbitrator (garbd)"]


def test_good_cluster_has_no_warning():
    run(ExitJson, members=MEMBERS, flavor="mariadb", sst_method="rsync")
    assert WARNINGS == []
