"""Unit tests for plugins/module_utils/mysql_connection.py: community.mysql's mysql_connect
runs for real, only the driver's connect() is patched (no server)."""

from __future__ import annotations

import pymysql
import pytest
from ansible_collections.community.mysql.plugins.module_utils import mysql as community_mysql
from ansible_collections.stackops.openstack.plugins.module_utils import (
    mysql_connection as conn,
)

PASSWORD = "Zq8-s3cr3t-pw"


def params(**overrides):
    """Module parameters with community.mysql's defaults, as AnsibleModule would build them."""
    values = dict((name, spec.get("default")) for name, spec in community_mysql.mysql_common_argument_spec().items())
    values["config_file"] = "/nonexistent/.my.cnf"
    values.update(overrides)
    return values


class FakeModule:
    """What mysql_connect uses of AnsibleModule: params, fail_json, warn."""

    def __init__(self, **overrides):
        self.params = params(**overrides)
        self.warnings = []

    def fail_json(self, msg, **kwargs):
        raise AssertionError("fail_json: %s" % msg)

    def warn(self, warning):
        self.warnings.append(warning)


class DriverCursor:
    def __init__(self):
        self.closed = False

    def close(self):
        self.closed = True


class DriverConnection:
    def __init__(self):
        self.cursors = []
        self.closed = False

    def close(self):
        # mysql_connect makes the driver's connection class close itself when collected
        self.closed = True

    def cursor(self):
        self.cursors.append(DriverCursor())
        return self.cursors[-1]


class Recorder:
    """Stands in for the driver's connect(): records the call, then returns or raises."""

    def __init__(self, result=None, error=None):
        self.result = result
        self.error = error
        self.calls = []

    def __call__(self, **kwargs):
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error
        return self.result


@pytest.fixture
def fake_connect(monkeypatch):
    def install(result=None, error=None):
        recorder = Recorder(DriverConnection() if result is None and error is None else result, error)
        monkeypatch.setattr(conn.mysql_driver, "connect", recorder)
        return recorder
    return install


def connect_kwargs(recorder, **overrides):
    """What the driver receives from conn.connect() for these module parameters."""
    conn.connect(FakeModule(**overrides))
    return recorder.calls[-1]


# --------------------------------------------------------------------------- community.mysql's pieces

def test_the_driver_and_connect_are_community_mysqls():
    assert conn.mysql_driver is community_mysql.mysql_driver is pymysql
    assert conn.mysql_connect is community_mysql.mysql_connect


# --------------------------------------------------------------------------- what the driver receives

def test_kwargs_tcp_defaults(fake_connect):
    recorder = fake_connect()
    assert connect_kwargs(recorder) == {"connect_timeout": 30, "autocommit": True, "host": "localhost", "port": 3306}


def test_kwargs_tcp_with_credentials(fake_connect):
    recorder = fake_connect()
    kwargs = connect_kwargs(recorder, login_user="monitor", login_password=PASSWORD, login_host="10.0.0.11",
                            login_port=3307, connect_timeout=5)
    assert kwargs == {"connect_timeout": 5, "autocommit": True, "user": "monitor", "password": PASSWORD,
                      "host": "10.0.0.11", "port": 3307}


def test_kwargs_empty_password_is_passed(fake_connect):
    assert connect_kwargs(fake_connect(), login_password="")["password"] == ""


def test_kwargs_socket_replaces_host_and_port(fake_connect, tmp_path):
    socket = tmp_path / "mysqld.sock"
    socket.touch()
    kwargs = connect_kwargs(fake_connect(), login_unix_socket=str(socket), login_host="db1", login_port=3307)
    assert kwargs["unix_socket"] == str(socket)
    assert "host" not in kwargs
    assert "port" not in kwargs


def test_kwargs_empty_socket_means_tcp(fake_connect):
    kwargs = connect_kwargs(fake_connect(), login_unix_socket="")
    assert "unix_socket" not in kwargs
    assert kwargs["host"] == "localhost"


def test_kwargs_config_file_used_when_it_exists(fake_connect, tmp_path):
    my_cnf = tmp_path / "my.cnf"
    my_cnf.write_text("[client]\nuser=root\npassword=%s\n" % PASSWORD)
    assert connect_kwargs(fake_connect(), config_file=str(my_cnf))["read_default_file"] == str(my_cnf)


def test_kwargs_config_file_ignored_when_missing(fake_connect, tmp_path):
    assert "read_default_file" not in connect_kwargs(fake_connect(), config_file=str(tmp_path / "absent.cnf"))


@pytest.mark.parametrize("config_file", [None, ""])
def test_kwargs_no_config_file(fake_connect, config_file):
    assert "read_default_file" not in connect_kwargs(fake_connect(), config_file=config_file)


def test_kwargs_tls(fake_connect):
    kwargs = connect_kwargs(fake_connect(), ca_cert="/etc/ssl/ca.pem", client_cert="/etc/ssl/client.pem",
                            client_key="/etc/ssl/client.key", check_hostname=True)
    assert kwargs["ssl"] == {"ca": "/etc/ssl/ca.pem", "cert": "/etc/ssl/client.pem",
                             "key": "/etc/ssl/client.key", "check_hostname": True}


def test_kwargs_ca_only(fake_connect):
    assert connect_kwargs(fake_connect(), ca_cert="/etc/ssl/ca.pem")["ssl"] == {"ca": "/etc/ssl/ca.pem"}


@pytest.mark.parametrize("check_hostname", [True, False])
def test_kwargs_check_hostname_alone(fake_connect, check_hostname):
    assert connect_kwargs(fake_connect(), check_hostname=check_hostname)["ssl"] == {"check_hostname": check_hostname}


def test_kwargs_no_tls_without_tls_options(fake_connect):
    assert "ssl" not in connect_kwargs(fake_connect())


def test_connect_returns_the_connection_and_closes_community_mysqls_cursor(fake_connect):
    recorder = fake_connect()
    connection = conn.connect(FakeModule())
    assert connection is recorder.result
    assert [cursor.closed for cursor in connection.cursors] == [True]


# --------------------------------------------------------------------------- describe_target

@pytest.mark.parametrize("overrides, expected", [
    ({}, "localhost:3306"),
    ({"login_host": "10.0.0.11", "login_port": 3307}, "10.0.0.11:3307"),
    ({"login_unix_socket": "/run/mysqld/mysqld.sock"}, "socket /run/mysqld/mysqld.sock"),
    ({"login_unix_socket": "", "login_host": "db1"}, "db1:3306"),
])
def test_describe_target(overrides, expected):
    assert conn.describe_target(params(**overrides)) == expected


# --------------------------------------------------------------------------- connect

def test_connect_missing_socket(fake_connect, tmp_path):
    recorder = fake_connect()
    socket = str(tmp_path / "mysqld.sock")
    with pytest.raises(conn.ServerUnreachable) as exc:
        conn.connect(FakeModule(login_unix_socket=socket, login_password=PASSWORD))
    assert str(exc.value) == "socket %s does not exist (is the server running?)" % socket
    assert recorder.calls == []


def test_connect_existing_socket(fake_connect, tmp_path):
    recorder = fake_connect()
    connection = recorder.result
    socket = tmp_path / "mysqld.sock"
    socket.touch()
    assert conn.connect(FakeModule(login_unix_socket=str(socket), login_user="root")) is connection
    assert recorder.calls == [{"connect_timeout": 30, "autocommit": True, "user": "root",
                               "unix_socket": str(socket)}]


def test_connect_tcp_passes_the_password_to_pymysql(fake_connect):
    recorder = fake_connect()
    connection = recorder.result
    assert conn.connect(FakeModule(login_host="db1", login_user="root", login_password=PASSWORD)) is connection
    assert recorder.calls[0]["password"] == PASSWORD
    assert recorder.calls[0]["host"] == "db1"


@pytest.mark.parametrize("code", [2002, 2003, 2005, 2006, 2013])
def test_connect_unreachable_codes(fake_connect, code):
    message = "Can't connect to MySQL server on '10.0.0.11' ([Errno 111] Connection refused)"
    fake_connect(error=pymysql.err.OperationalError(code, message))
    with pytest.raises(conn.ServerUnreachable) as exc:
        conn.connect(FakeModule(login_host="10.0.0.11", login_password=PASSWORD))
    assert str(exc.value) == "cannot connect to 10.0.0.11:3306: %s" % message
    assert PASSWORD not in str(exc.value)


def test_connect_access_denied(fake_connect):
    message = "Access denied for user 'root'@'10.0.0.1' (using password: YES)"
    fake_connect(error=pymysql.err.OperationalError(1045, message))
    with pytest.raises(conn.ConnectionRefused) as exc:
        conn.connect(FakeModule(login_host="db1", login_user="root", login_password=PASSWORD))
    assert str(exc.value) == "db1:3306 refused the connection (error 1045): %s" % message
    assert "1045" in str(exc.value)
    assert PASSWORD not in str(exc.value)


def test_connect_refusal_through_socket_names_the_socket(fake_connect, tmp_path):
    socket = tmp_path / "mysqld.sock"
    socket.touch()
    fake_connect(error=pymysql.err.OperationalError(1698, "Access denied for user 'monitor'@'localhost'"))
    with pytest.raises(conn.ConnectionRefused) as exc:
        conn.connect(FakeModule(login_unix_socket=str(socket), login_password=PASSWORD))
    assert str(exc.value).startswith("socket %s refused the connection (error 1698)" % socket)
    assert PASSWORD not in str(exc.value)


def test_connect_operational_error_without_args(fake_connect):
    fake_connect(error=pymysql.err.OperationalError())
    with pytest.raises(conn.ConnectionRefused) as exc:
        conn.connect(FakeModule(login_password=PASSWORD))
    assert str(exc.value).startswith("localhost:3306 refused the connection (error None)")


def test_connect_operational_error_with_code_only(fake_connect):
    fake_connect(error=pymysql.err.OperationalError(1040))
    with pytest.raises(conn.ConnectionRefused) as exc:
        conn.connect(FakeModule())
    assert str(exc.value).startswith("localhost:3306 refused the connection (error 1040): ")


def test_connect_other_mysql_error_is_a_refusal(fake_connect):
    fake_connect(error=pymysql.err.InternalError(1152, "Aborted connection"))
    with pytest.raises(conn.ConnectionRefused) as exc:
        conn.connect(FakeModule(login_host="db2", login_password=PASSWORD))
    assert str(exc.value).startswith("db2:3306 refused the connection: ")
    assert "Aborted connection" in str(exc.value)
    assert PASSWORD not in str(exc.value)


def test_connect_os_error_is_unreachable(fake_connect):
    fake_connect(error=OSError(113, "No route to host"))
    with pytest.raises(conn.ServerUnreachable) as exc:
        conn.connect(FakeModule(login_host="db3", login_password=PASSWORD))
    assert str(exc.value).startswith("cannot connect to db3:3306: ")
    assert "No route to host" in str(exc.value)
    assert PASSWORD not in str(exc.value)


def test_connect_errors_never_carry_the_password_in_their_args(fake_connect):
    fake_connect(error=pymysql.err.OperationalError(1045, "Access denied"))
    with pytest.raises(conn.ConnectionRefused) as exc:
        conn.connect(FakeModule(login_password=PASSWORD))
    assert all(PASSWORD not in repr(arg) for arg in exc.value.args)


# --------------------------------------------------------------------------- query_map

class FakeCursor:
    def __init__(self, rows):
        self.rows = rows
        self.executed = []
        self.closed = False

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.closed = True
        return False

    def execute(self, sql, args=None):
        self.executed.append((sql, args))

    def fetchall(self):
        return self.rows


class FakeConnection:
    def __init__(self, rows):
        self.cursor_obj = FakeCursor(rows)

    def cursor(self):
        return self.cursor_obj


def test_query_map_lowercases_names_and_keeps_values():
    connection = FakeConnection([("WSREP_CLUSTER_SIZE", "3"), ("wsrep_ready", "ON"),
                                 ("Wsrep_Local_State_Comment", "Synced")])
    result = conn.query_map(connection, "SHOW GLOBAL STATUS LIKE %s", ("wsrep\\_%",))
    assert result == {"wsrep_cluster_size": "3", "wsrep_ready": "ON", "wsrep_local_state_comment": "Synced"}
    assert connection.cursor_obj.executed == [("SHOW GLOBAL STATUS LIKE %s", ("wsrep\\_%",))]
    assert connection.cursor_obj.closed is True


def test_query_map_empty():
    assert conn.query_map(FakeConnection([]), "SHOW GLOBAL STATUS LIKE 'wsrep\\_%'") == {}
