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


def test_networks_are_returned():
    members = [dict(m, host_networks=["%s/24" % m["address"]]) for m in MEMBERS]
    result = run(ExitJson, members=members, flavor="mariadb", sst_method="rsync",
                 client_sources=["198.51.100.9/24"])
    assert result["cluster_networks"] == ["10.0.0.0/24"]
    assert result["client_networks"] == ["198.51.100.0/24"]


def test_world_open_clients_fail_without_the_explicit_option():
    result = run(FailJson, members=MEMBERS, flavor="mariadb", sst_method="rsync", client_sources=["0.0.0.0/0"])
    assert result["errors"] == ["client source 0.0.0.0/0 (galera_cluster_firewall_client_sources) opens the client "
                                "ports to every address; list the networks of the clients, or set "
                                "galera_cluster_firewall_allow_world: true to mean it"]


def test_world_open_clients_with_the_explicit_option_warn():
    result = run(ExitJson, members=MEMBERS, flavor="mariadb", sst_method="rsync", client_sources=["::/0"],
                 allow_world_clients=True)
    assert result["client_networks"] == ["::/0"]
    assert WARNINGS == ["client source ::/0 opens the database and clustercheck ports to every address "
                        "(galera_cluster_firewall_allow_world is true)"]


def test_a_node_name_with_a_newline_fails_naming_it_on_one_line():
    members = [dict(m) for m in MEMBERS]
    members[0]["name"] = "db1\nwsrep_notify_cmd=/tmp/pwn"
    members[0]["host"] = "db1"
    result = run(FailJson, members=members, flavor="mariadb", sst_method="rsync")
    assert result["errors"] == ["db1: node name (galera_cluster_node_name) 'db1\\nwsrep_notify_cmd=/tmp/pwn' has a "
                                "control character (U+000A); expected 1 to 64 letters, digits, '.', '_' or '-', "
                                "starting with a letter or a digit"]
    assert "\n" not in result["msg"]


def test_node_config_values_are_checked():
    members = [dict(m, config={"galera_cluster_settings": {"wsrep_notify_cmd": "/bin/x\r"}}) for m in MEMBERS]
    result = run(FailJson, members=members, flavor="mariadb", sst_method="rsync")
    assert len(result["errors"]) == 3
    assert result["errors"][0] == ("db1: galera_cluster_settings[wsrep_notify_cmd] '/bin/x\\r' has a control "
                                   "character (U+000D)")


@pytest.mark.parametrize("address", ["127.0.0.1", "0.0.0.0", "224.0.0.1", "fe80::1%eth0"])
def test_unreachable_member_addresses_fail(address):
    members = [dict(m) for m in MEMBERS]
    members[2]["address"] = address
    result = run(FailJson, members=members, flavor="mariadb", sst_method="rsync")
    assert len(result["errors"]) == 1
    assert result["errors"][0].startswith("db3: node address %r (galera_cluster_node_address) is " % address)
