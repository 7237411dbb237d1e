import pytest

from ansible_collections.stackops.openstack.plugins.module_utils.galera_preflight import check_cluster


def members(*addresses, own=None):
    return [{"name": "db%d" % i, "address": a, "host_addresses": (own or {}).get(i, [])}
            for i, a in enumerate(addresses, 1)]


def test_three_good_nodes_give_the_cluster_address_in_order():
    errors, warnings, address = check_cluster(members("10.0.0.11", "10.0.0.12", "10.0.0.13"),
                                              "mariadb", "mariabackup", True)
    assert errors == [] and warnings == []
    assert address == "gcomm://10.0.0.11,10.0.0.12,10.0.0.13"


def test_ipv6_addresses_are_bracketed():
    _errors, _warnings, address = check_cluster(members("fd00::11", "fd00::12", "fd00::13"), "mariadb", "rsync", False)
    assert address == "gcomm://[fd00::11],[fd00::12],[fd00::13]"


def test_empty_group_is_an_error():
    assert check_cluster([], "mariadb", "rsync", False) == (["the cluster group has no hosts"], [], None)


@pytest.mark.parametrize("flavor, method, message", [
    ("oracle", "rsync", "flavor 'oracle' is not supported, expected one of mariadb, percona"),
    ("mariadb", "xtrabackup-v2", "SST method 'xtrabackup-v2' does not work with flavor mariadb, expected one of "
                                 "mariabackup, rsync"),
    ("percona", "rsync", "SST method 'rsync' does not work with flavor percona, expected one of xtrabackup-v2"),
])
def test_flavor_and_sst_method_must_fit(flavor, method, message):
    errors, _warnings, _address = check_cluster(members("10.0.0.11", "10.0.0.12", "10.0.0.13"), flavor, method, True)
    assert errors == [message]


def test_mariabackup_needs_a_password():
    errors, _w, _a = check_cluster(members("10.0.0.11", "10.0.0.12", "10.0.0.13"), "mariadb", "mariabackup", False)
    assert errors == ["SST method mariabackup needs credentials: set galera_cluster_sst_password (vault it)"]


@pytest.mark.parametrize("method", ["rsync"])
def test_methods_without_credentials_need_no_password(method):
    errors, _w, _a = check_cluster(members("10.0.0.11", "10.0.0.12", "10.0.0.13"), "mariadb", method, False)
    assert errors == []


@pytest.mark.parametrize("bad", ["db1.example.com", "", "10.0.0.300", None])
def test_address_must_be_an_ip(bad):
    errors, _w, _a = check_cluster(members("10.0.0.11", bad, "10.0.0.13"), "mariadb", "rsync", False)
    assert errors == ["db2: node address %r is not an IP address" % ("" if bad is None else bad)]


def test_duplicate_address_names_both_nodes():
    errors, _w, _a = check_cluster(members("10.0.0.11", "10.0.0.11", "10.0.0.13"), "mariadb", "rsync", False)
    assert errors == ["db2: node address 10.0.0.11 is already the address of db1"]


def test_duplicate_names_are_an_error():
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    nodes[2]["name"] = "db1"
    errors, _w, _a = check_cluster(nodes, "mariadb", "rsync", False)
    assert errors == ["node name 'db1' is used twice"]


def test_address_must_belong_to_its_host():
    nodes = members("10.0.0.11", "192.0.2.55", "10.0.0.13", own={2: ["10.0.0.12", "172.17.0.2"]})
    errors, _w, _a = check_cluster(nodes, "mariadb", "rsync", False)
    assert errors == ["db2: node address 192.0.2.55 is not one of the host's addresses (10.0.0.12, 172.17.0.2), "
                      "so the other nodes could never reach it"]


def test_unknown_host_addresses_are_not_checked():
    errors, _w, _a = check_cluster(members("10.0.0.11", "10.0.0.12", "10.0.0.13"), "mariadb", "rsync", False)
    assert errors == []


def test_every_problem_is_reported_at_once():
    errors, _w, _a = check_cluster(members("10.0.0.11", "10.0.0.11", "nope"), "mariadb", "mariabackup", False)
    assert len(errors) == 3


@pytest.mark.parametrize("size, warning", [
    (1, "the cluster has a single node: no redundancy, and no quorum to keep when it fails"),
    (2, "the cluster has an even number of nodes (2): when half of them fail the rest lose quorum and stop; "
        "add a node or a Galera arbitrator (garbd)"),
    (4, "the cluster has an even number of nodes (4): when half of them fail the rest lose quorum and stop; "
        "add a node or a Galera arbitrator (garbd)"),
])
def test_quorum_warnings(size, warning):
    nodes = members(*["10.0.0.%d" % (11 + i) for i in range(size)])
    errors, warnings, _a = check_cluster(nodes, "mariadb", "rsync", False)
    assert errors == [] and warnings == [warning]


@pytest.mark.parametrize("size", [3, 5])
def test_odd_sizes_have_no_warning(size):
    nodes = members(*["10.0.0.%d" % (11 + i) for i in range(size)])
    assert check_cluster(nodes, "mariadb", "rsync", False)[1] == []


@pytest.mark.parametrize("source", ["0.0.0.0/0", "::/0", "10.0.0.0/24", "192.0.2.7", "fd00::/8"])
def test_client_sources_that_are_networks_pass(source):
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    assert check_cluster(nodes, "mariadb", "rsync", False, [source])[0] == []


@pytest.mark.parametrize("source", ["lb.example.com", "10.0.0.0/33", ""])
def test_client_sources_that_are_not_networks_fail(source):
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    errors = check_cluster(nodes, "mariadb", "rsync", False, [source])[0]
    assert errors == ["client source %r is not an address or a network (CIDR)" % source]
