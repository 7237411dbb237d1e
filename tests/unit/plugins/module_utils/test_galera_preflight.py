import pytest

from ansible_collections.stackops.openstack.plugins.module_utils import galera_preflight as gp
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


@pytest.mark.parametrize("source", ["10.0.0.0/24", "192.0.2.7", "fd00::/8"])
def test_client_sources_that_are_networks_pass(source):
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    assert check_cluster(nodes, "mariadb", "rsync", False, [source])[0] == []


@pytest.mark.parametrize("source", ["lb.example.com", "10.0.0.0/33", ""])
def test_client_sources_that_are_not_networks_fail(source):
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    errors = check_cluster(nodes, "mariadb", "rsync", False, [source])[0]
    assert errors == ["client source %r is not an address or a network (CIDR)" % source]


# ------------------------------------------------------------ closed by default (issue 8, item 9)


@pytest.mark.parametrize("source", ["0.0.0.0/0", "::/0", "0.0.0.0/0.0.0.0"])
def test_world_open_client_source_is_refused_by_default(source):
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    errors = check_cluster(nodes, "mariadb", "rsync", False, [source])[0]
    assert len(errors) == 1
    assert "opens the client ports to every address" in errors[0]
    assert "galera_cluster_firewall_allow_world: true" in errors[0]


def test_world_open_client_source_with_the_explicit_variable_warns():
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    plan = gp.plan_cluster(nodes, "mariadb", "rsync", False, ["0.0.0.0/0", "::/0"], allow_world_clients=True)
    assert plan["errors"] == []
    assert plan["client_networks"] == ["0.0.0.0/0", "::/0"]
    assert [w for w in plan["warnings"] if "opens the database and clustercheck ports to every address" in w] == [
        "client source 0.0.0.0/0 opens the database and clustercheck ports to every address "
        "(galera_cluster_firewall_allow_world is true)",
        "client source ::/0 opens the database and clustercheck ports to every address "
        "(galera_cluster_firewall_allow_world is true)"]


def test_cluster_networks_are_the_networks_of_the_member_addresses():
    nodes = members("10.0.0.11", "10.0.0.12", "192.168.5.13",
                    own={1: ["10.0.0.11", "172.17.0.2"], 2: ["10.0.0.12"], 3: ["192.168.5.13"]})
    nodes[0]["host_networks"] = ["10.0.0.11/24", "172.17.0.2/16"]
    nodes[1]["host_networks"] = ["10.0.0.12/24"]
    nodes[2]["host_networks"] = ["192.168.5.13/26", "fd00::13/64"]
    plan = gp.plan_cluster(nodes, "mariadb", "rsync", False, ["198.51.100.0/24", "198.51.100.7/24"])
    assert plan["errors"] == []
    # the docker-style second interface of db1 is not a cluster network; client sources are normalised
    assert plan["cluster_networks"] == ["10.0.0.0/24", "192.168.5.0/26"]
    assert plan["client_networks"] == ["198.51.100.0/24"]


def test_member_without_interface_facts_counts_with_its_address_only():
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    nodes[0]["host_networks"] = ["10.0.0.11/24"]
    nodes[2]["host_networks"] = ["172.16.0.3/24"]
    plan = gp.plan_cluster(nodes, "mariadb", "rsync", False)
    assert plan["cluster_networks"] == ["10.0.0.0/24", "10.0.0.12/32", "10.0.0.13/32"]
    assert ("db3: no interface of the host carries node address 10.0.0.13, so its network is unknown; only the "
            "address itself counts as the cluster's network") in plan["warnings"]


@pytest.mark.parametrize("networks, address, expected", [
    (["10.0.0.11/24"], "10.0.0.11", "10.0.0.0/24"),
    (["10.0.0.99/16", "10.0.0.11/24"], "10.0.0.11", "10.0.0.0/24"),
    (["10.0.0.5/16", "10.0.1.5/24"], "10.0.9.9", "10.0.0.0/16"),
    (["fd00::11/64"], "fd00::11", "fd00::/64"),
    (["10.0.0.11/24"], "fd00::11", None),
    (["garbage", "10.0.0.11/24"], "10.0.0.11", "10.0.0.0/24"),
])
def test_member_network(networks, address, expected):
    assert gp.member_network(address, networks) == expected


@pytest.mark.parametrize("bind, expected_error, expected_warning", [
    ("10.0.0.11", None, None),
    ("127.0.0.1", None, None),
    ("0.0.0.0", None, "galera_cluster_bind_address is 0.0.0.0: the server listens for clients on every interface "
                      "of the host; only the firewall keeps others out"),
    ("192.0.2.1", "galera_cluster_bind_address 192.0.2.1 is not one of the host's addresses (10.0.0.11): the server "
                  "could not listen there", None),
    ("db1", "galera_cluster_bind_address 'db1' is not an IP address; expected one of the host's addresses", None),
    ("10.0.0.11\nwsrep_notify_cmd=/tmp/x", "galera_cluster_bind_address '10.0.0.11\\nwsrep_notify_cmd=/tmp/x' has a "
                                           "control character (U+000A)", None),
])
def test_bind_address(bind, expected_error, expected_warning):
    errors, warnings = gp.check_node_config({"galera_cluster_bind_address": bind}, ["10.0.0.11"])
    assert errors == ([expected_error] if expected_error else [])
    assert warnings == ([expected_warning] if expected_warning else [])


# ------------------------------------------------------------ input that becomes config (item 12)


@pytest.mark.parametrize("address, reason", [
    ("0.0.0.0", "is the unspecified address: it names no host"),
    ("::", "is the unspecified address: it names no host"),
    ("127.0.0.1", "is a loopback address: the other nodes would reach themselves"),
    ("127.0.1.1", "is a loopback address: the other nodes would reach themselves"),
    ("::1", "is a loopback address: the other nodes would reach themselves"),
    ("239.1.1.1", "is a multicast address, not a host's address"),
    ("ff02::1", "is a multicast address, not a host's address"),
    ("fe80::1%eth0", "is zone-scoped (%eth0): the zone is only meaningful on this host"),
    ("fd00::1%2", "is zone-scoped (%2): the zone is only meaningful on this host"),
    ("fe80::1", "is IPv6 link-local: it needs a zone (interface), which Galera cannot use"),
])
def test_member_address_that_others_cannot_reach_is_refused(address, reason):
    errors = check_cluster(members("10.0.0.11", address, "10.0.0.13"), "mariadb", "rsync", False)[0]
    assert errors == ["db2: node address %r (galera_cluster_node_address) %s; expected an address the other nodes "
                      "can reach" % (address, reason)]


@pytest.mark.parametrize("address", ["10.0.0.12\n", " 10.0.0.12", "10.0.0.12\nwsrep_notify_cmd=/tmp/x"])
def test_member_address_is_taken_as_it_is_not_trimmed(address):
    errors = check_cluster(members("10.0.0.11", address, "10.0.0.13"), "mariadb", "rsync", False)[0]
    assert errors == ["db2: node address %r is not an IP address" % address]


@pytest.mark.parametrize("name, problem", [
    ("db1\nwsrep_notify_cmd=/tmp/pwn", "has a control character (U+000A)"),
    ("db1\rx", "has a control character (U+000D)"),
    ("db1\x00", "has a control character (U+0000)"),
    ("db\u20281", "has a control character (U+2028)"),
    ("db\u200b1", "has a control character (U+200B)"),
    ("db 1", "is not valid"),
    ("db1#x", "is not valid"),
    ("-db1", "is not valid"),
    ("", "is not valid"),
    ("d" * 65, "is not valid"),
])
def test_node_names_follow_the_documented_pattern(name, problem):
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    nodes[1]["name"] = name
    nodes[1]["host"] = "db2"
    errors = check_cluster(nodes, "mariadb", "rsync", False)[0]
    assert len(errors) == 1
    assert errors[0].startswith("db2: node name (galera_cluster_node_name) %r %s" % (name, problem))
    assert "\n" not in errors[0] and "\r" not in errors[0]


@pytest.mark.parametrize("name", ["db1", "db1.example.com", "galera_1", "10.0.0.11", "A-b_c.d", "d" * 64])
def test_good_node_names_pass(name):
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    nodes[0]["name"] = name
    assert check_cluster(nodes, "mariadb", "rsync", False)[0] == []


def test_messages_use_the_inventory_name_when_the_node_name_is_bad():
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    nodes[1]["name"] = "db2\nx"
    errors = check_cluster(nodes, "mariadb", "rsync", False)[0]
    assert errors == ["member 2: node name (galera_cluster_node_name) 'db2\\nx' has a control character (U+000A); "
                      "expected 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or a digit"]


GOOD_CONFIG = {
    "galera_cluster_name": "openstack_db",
    "galera_cluster_bind_address": "10.0.0.11",
    "galera_cluster_port": 3306,
    "galera_cluster_datadir": "/var/lib/mysql",
    "galera_cluster_sst_user": "sst",
    "galera_cluster_clustercheck_user": "clustercheck",
    "galera_cluster_clustercheck_port": 9200,
    "galera_cluster_innodb_buffer_pool_size": "128M",
    "galera_cluster_innodb_log_file_size": "96M",
    "galera_cluster_gcache_size": "1G",
    "galera_cluster_max_connections": 500,
    "galera_cluster_settings": {"max_allowed_packet": "64M", "skip-name-resolve": None, "log_warnings": 2,
                                "performance_schema": True, "init_connect": "SET NAMES utf8mb4 # x"},
    "galera_cluster_provider_options": {"gcs.fc_limit": 64, "evs.keepalive_period": "PT3S",
                                        "socket.ssl_cert": "/etc/mysql/ssl/cert.pem"},
}


def test_good_node_config_passes():
    assert gp.check_node_config(GOOD_CONFIG, ["10.0.0.11"]) == ([], [])


@pytest.mark.parametrize("key, value, message", [
    ("galera_cluster_name", "openstack db", "galera_cluster_name 'openstack db' is not valid; expected 1 to 64 "
                                            "letters, digits, '.', '_' or '-', starting with a letter or a digit"),
    ("galera_cluster_name", "db\ncluster", "galera_cluster_name 'db\\ncluster' has a control character (U+000A)"),
    ("galera_cluster_sst_user", "sst:admin", "galera_cluster_sst_user 'sst:admin' is not valid; expected 1 to 80 "
                                             "letters, digits, '_', '.' or '-', not starting with '.' or '-'"),
    ("galera_cluster_sst_user", "sst'", "galera_cluster_sst_user \"sst'\" is not valid"),
    ("galera_cluster_clustercheck_user", "", "galera_cluster_clustercheck_user '' is not valid"),
    ("galera_cluster_port", "3306\n", "galera_cluster_port '3306\\n' is not a port number; expected 1 to 65535"),
    ("galera_cluster_port", 0, "galera_cluster_port '0' is not a port number; expected 1 to 65535"),
    ("galera_cluster_clustercheck_port", 70000, "galera_cluster_clustercheck_port '70000' is not a port number"),
    ("galera_cluster_datadir", "var/lib/mysql", "galera_cluster_datadir 'var/lib/mysql' is not valid; expected an "
                                                "absolute path"),
    ("galera_cluster_datadir", "/var/lib/my sql", "galera_cluster_datadir '/var/lib/my sql' is not valid"),
    ("galera_cluster_datadir", "/var/lib/mysql\n[client]", "galera_cluster_datadir '/var/lib/mysql\\n[client]' has "
                                                           "a control character (U+000A)"),
    ("galera_cluster_innodb_buffer_pool_size", "128 M", "galera_cluster_innodb_buffer_pool_size '128 M' is not "
                                                        "valid; expected a size such as 128M"),
    ("galera_cluster_gcache_size", "1G; gcs.fc_limit=1", "galera_cluster_gcache_size '1G; gcs.fc_limit=1' is not "
                                                         "valid"),
    ("galera_cluster_max_connections", "many", "galera_cluster_max_connections 'many' is not valid; expected a "
                                               "number from 1"),
    ("galera_cluster_max_connections", 0, "galera_cluster_max_connections '0' is not valid"),
    ("galera_cluster_settings", {"max allowed packet": "64M"},
     "galera_cluster_settings key 'max allowed packet' is not valid; expected a server option name"),
    ("galera_cluster_settings", {"max_allowed_packet\nwsrep_notify_cmd": "/tmp/x"},
     "galera_cluster_settings key 'max_allowed_packet\\nwsrep_notify_cmd' has a control character (U+000A)"),
    ("galera_cluster_settings", {"wsrep_notify_cmd": "/bin/true\nwsrep_on=OFF"},
     "galera_cluster_settings[wsrep_notify_cmd] '/bin/true\\nwsrep_on=OFF' has a control character (U+000A)"),
    ("galera_cluster_settings", {"sql_mode": ["A", "B"]},
     "galera_cluster_settings[sql_mode] is a list; expected a string, a number or a boolean"),
    ("galera_cluster_settings", ["max_allowed_packet=64M"], "galera_cluster_settings is a list; expected a dictionary"),
    ("galera_cluster_provider_options", {"gcs.fc_limit": "64; pc.bootstrap=YES"},
     "galera_cluster_provider_options[gcs.fc_limit] '64; pc.bootstrap=YES' contains ';'; expected a value without "
     "';' or '\\\\'"),
    ("galera_cluster_provider_options", {"gcs.fc limit": 64},
     "galera_cluster_provider_options key 'gcs.fc limit' is not valid; expected a Galera provider option name"),
    ("galera_cluster_provider_options", {"gcs.fc_limit=1;pc.bootstrap": "YES"},
     "galera_cluster_provider_options key 'gcs.fc_limit=1;pc.bootstrap' is not valid"),
    ("galera_cluster_provider_options", {"socket.ssl_key": "C:\\key"},
     "galera_cluster_provider_options[socket.ssl_key] 'C:\\\\key' contains '\\\\'"),
    ("galera_cluster_provider_options", {"gcs.fc_limit": None},
     "galera_cluster_provider_options[gcs.fc_limit] is a NoneType; expected a string, a number or a boolean"),
])
def test_bad_node_values_name_the_variable_and_the_value(key, value, message):
    config = dict(GOOD_CONFIG)
    config[key] = value
    errors, _warnings = gp.check_node_config(config, ["10.0.0.11"])
    assert len(errors) == 1, errors
    assert errors[0].startswith(message)


def test_same_port_twice_is_an_error():
    config = dict(GOOD_CONFIG, galera_cluster_clustercheck_port=3306)
    assert gp.check_node_config(config, [])[0] == [
        "galera_cluster_port and galera_cluster_clustercheck_port are both 3306; expected two ports"]


def test_unknown_config_key_is_an_error():
    assert gp.check_node_config({"galera_cluster_sst_password": "x"})[0] == [
        "galera_cluster_sst_password is not a value the preflight knows (expected one of %s)" % ", ".join(gp.CONFIG_KEYS)]


def test_node_config_errors_are_prefixed_with_the_node_and_nothing_else_is_wrong():
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    for node in nodes:
        node["config"] = dict(GOOD_CONFIG, galera_cluster_bind_address=node["address"])
    nodes[2]["config"]["galera_cluster_settings"] = {"wsrep_notify_cmd": "x\ny"}
    errors = check_cluster(nodes, "mariadb", "rsync", False)[0]
    assert errors == ["db3: galera_cluster_settings[wsrep_notify_cmd] 'x\\ny' has a control character (U+000A)"]


def test_cluster_name_and_sst_user_must_agree():
    nodes = members("10.0.0.11", "10.0.0.12", "10.0.0.13")
    for node in nodes:
        node["config"] = {"galera_cluster_name": "openstack_db", "galera_cluster_sst_user": "sst"}
    nodes[1]["config"]["galera_cluster_name"] = "other"
    errors = check_cluster(nodes, "mariadb", "rsync", False)[0]
    assert errors == ["galera_cluster_name differs between the nodes (db1: 'openstack_db', db2: 'other', "
                      "db3: 'openstack_db'); expected the same value on every node"]


def test_client_source_with_a_control_character_is_refused():
    errors = check_cluster(members("10.0.0.11", "10.0.0.12", "10.0.0.13"), "mariadb", "rsync", False,
                           ["10.0.0.0/24\n"])[0]
    assert errors == ["client source '10.0.0.0/24\\n' is not an address or a network (CIDR)"]


@pytest.mark.parametrize("text, expected", [
    ("plain", []), ("a\tb", ["U+0009"]), ("a\x7fb\x85c", ["U+007F", "U+0085"]), ("\u2029", ["U+2029"]),
    ("a\nb\nc", ["U+000A"]),
])
def test_control_characters(text, expected):
    assert gp.control_characters(text) == expected
