"""Unit tests of roles/galera_cluster/files/galera-clustercheck (no server needed).

The script has no .py extension (it is installed to /usr/local/libexec), so it is
loaded by path. Run: .venv/bin/python -m pytest -q tests/unit/roles
"""

import importlib.machinery
import importlib.util
import os
import sys
import types
from pathlib import Path

import jinja2
import pytest

ROLE = Path(__file__).resolve().parents[3] / "roles" / "galera_cluster"
SCRIPT = ROLE / "files" / "galera-clustercheck"
OPTION_TEMPLATE = ROLE / "templates" / "galera-clustercheck.cnf.j2"

PASSWORD = "pa55-W0rd!"


def load_script():
    loader = importlib.machinery.SourceFileLoader("galera_clustercheck", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


cc = load_script()


class NoStdin:
    """Fails the test if the script touches stdin while being imported."""

    def fileno(self):
        raise AssertionError("stdin read at import time")

    def read(self, *args):
        raise AssertionError("stdin read at import time")


def test_import_has_no_side_effects(monkeypatch):
    monkeypatch.setattr(sys, "stdin", NoStdin())
    module = load_script()
    assert callable(module.respond)
    assert module.DEFAULT_OPTION_FILE == "/etc/galera-clustercheck.cnf"


# ---------------------------------------------------------------- decision


def synced(**extra):
    state = {"wsrep_local_state": "4", "wsrep_local_state_comment": "Synced", "wsrep_ready": "ON"}
    state.update(extra)
    return state


@pytest.mark.parametrize(
    "state, expected",
    [
        (synced(), (200, "Galera node is Synced.")),
        (synced(wsrep_ready="on"), (200, "Galera node is Synced.")),
        (synced(wsrep_local_state_comment=""), (200, "Galera node is Synced.")),
        (
            synced(wsrep_local_state="2", wsrep_local_state_comment="Donor/Desynced"),
            (503, "Galera node is not synced (Donor/Desynced)."),
        ),
        (
            synced(wsrep_local_state="1", wsrep_local_state_comment="Joining: receiving State Transfer"),
            (503, "Galera node is not synced (Joining: receiving State Transfer)."),
        ),
        (
            {"wsrep_local_state": "3", "wsrep_ready": "ON"},
            (503, "Galera node is not synced (Joined)."),
        ),
        (
            {"wsrep_local_state": "0", "wsrep_ready": "OFF"},
            (503, "Galera node is not synced (wsrep_local_state 0)."),
        ),
        (synced(wsrep_ready="OFF"), (503, "Galera node is not ready (wsrep_ready is OFF).")),
        (synced(wsrep_ready=None), (503, "Galera node is not ready (wsrep_ready is missing).")),
        # a server without the wsrep provider has wsrep_ready OFF and no wsrep_local_state
        (
            {"wsrep_ready": "OFF"},
            (503, "Galera node is not synced (not a Galera node: no wsrep_local_state)."),
        ),
        ({}, (503, "Galera node is not synced (not a Galera node: no wsrep_local_state).")),
        (
            synced(wsrep_local_state="x"),
            (503, "Galera node is not synced (wsrep_local_state is 'x')."),
        ),
        # the HTTP answer goes to unauthenticated clients: no database error text
        (
            {"error": "ERROR 2002 (HY000): Can't connect to local server\nthrough socket."},
            (503, "Galera node is not reachable."),
        ),
    ],
)
def test_respond(state, expected):
    assert cc.respond(state) == expected


def test_respond_with_detail_gives_the_error_on_one_line():
    state = {"error": "ERROR 2002 (HY000): Can't connect to local server\nthrough socket."}
    assert cc.respond(state, detail=True) == (
        503, "Galera node is not reachable: ERROR 2002 (HY000): Can't connect to local server through socket")


def test_respond_error_wins_over_status():
    code, body = cc.respond(synced(error="timed out"))
    assert code == 503
    assert body == "Galera node is not reachable."
    assert cc.respond(synced(error="timed out"), detail=True)[1] == "Galera node is not reachable: timed out"


# ---------------------------------------------------------------- HTTP


def split_response(raw):
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, "no blank line after the headers"
    lines = head.decode("ascii").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return lines[0], headers, body


@pytest.mark.parametrize(
    "code, body, status_line",
    [
        (200, "Galera node is Synced.", "HTTP/1.1 200 OK"),
        (503, "Galera node is not synced (Donor/Desynced).", "HTTP/1.1 503 Service Unavailable"),
    ],
)
@pytest.mark.parametrize("method", ["GET", "OPTIONS", ""])
def test_format_response(code, body, status_line, method):
    line, headers, payload = split_response(cc.format_response(code, body, method))
    assert line == status_line
    assert headers["Content-Type"] == "text/plain"
    assert headers["Connection"] == "close"
    assert int(headers["Content-Length"]) == len(payload)
    assert payload.decode("utf-8").strip() == body


def test_head_has_headers_and_no_body():
    get = cc.format_response(503, "Galera node is not synced (Joined).", "GET")
    head = cc.format_response(503, "Galera node is not synced (Joined).", "HEAD")
    assert head.endswith(b"\r\n\r\n")
    line, headers, payload = split_response(head)
    assert payload == b""
    assert line == "HTTP/1.1 503 Service Unavailable"
    # the same Content-Length as the GET answer, as HTTP wants for HEAD
    assert headers["Content-Length"] == split_response(get)[1]["Content-Length"]
    assert get.startswith(head)


def test_content_length_counts_bytes_not_characters():
    headers, payload = split_response(cc.format_response(503, "Galera node is not reachable: café", "GET"))[1:]
    assert int(headers["Content-Length"]) == len(payload) == len("Galera node is not reachable: café\r\n".encode())


@pytest.mark.parametrize(
    "request_bytes, method",
    [
        (b"GET / HTTP/1.1\r\nHost: db1:9200\r\n\r\n", "GET"),
        (b"HEAD /health HTTP/1.0\r\n\r\n", "HEAD"),
        (b"head / HTTP/1.1\n\n", "HEAD"),
        (b"OPTIONS * HTTP/1.1\r\n\r\n", "OPTIONS"),
        (b"\r\n", ""),
        (b"", ""),
    ],
)
def test_parse_request(request_bytes, method):
    assert cc.parse_request(request_bytes) == method


def test_read_request_stops_after_the_headers():
    read_fd, write_fd = os.pipe()
    try:
        os.write(write_fd, b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello")
        data = cc.read_request(read_fd, timeout=1.0)
    finally:
        os.close(read_fd)
        os.close(write_fd)
    assert data.startswith(b"POST / HTTP/1.1\r\n")
    assert b"\r\n\r\n" in data


def test_read_request_times_out_without_a_request():
    read_fd, write_fd = os.pipe()
    try:
        assert cc.read_request(read_fd, timeout=0.1) == b""
    finally:
        os.close(read_fd)
        os.close(write_fd)


# ---------------------------------------------------------------- option file


def test_parse_option_text():
    text = """
# comment
[mysqld]
user = mysql
[client]
user = clustercheck
password = "se#cret"   # trailing comment
socket=/run/mysqld/mysqld.sock
!includedir /etc/mysql/conf.d/
[mysql]
password = other
"""
    assert cc.parse_option_text(text) == {
        "user": "clustercheck",
        "password": "se#cret",
        "socket": "/run/mysqld/mysqld.sock",
    }


@pytest.mark.parametrize(
    "line, password",
    [
        ("password=plain", "plain"),
        ("password = 'single quoted' ", "single quoted"),
        ('password="with \\"quote\\" and \\\\ backslash"', 'with "quote" and \\ backslash'),
        ("password=cut # here", "cut"),
        ('password="  spaces  "', "  spaces  "),
        ("password=", ""),
        ("Password=case", "case"),
    ],
)
def test_option_values(line, password):
    assert cc.parse_option_text("[client]\n%s\n" % line)["password"] == password


def test_option_names_dash_underscore_and_last_wins():
    text = "[CLIENT]\nuser=a\nuser=b\nsocket=/tmp/1\n[client]\nsocket=/tmp/2\n"
    options = cc.parse_option_text(text)
    assert options == {"user": "b", "password": None, "socket": "/tmp/2"}


def test_option_file_missing_section():
    assert cc.parse_option_text("[mysqld]\nuser=mysql\n") == {"user": None, "password": None, "socket": None}


def render_option_file(password):
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters["comment"] = lambda text: "# " + text
    # the template quotes the values with the collection's filter
    from ansible_collections.stackops.openstack.plugins.filter import mysql_option_value

    for name, function in mysql_option_value.FilterModule().filters().items():
        env.filters["stackops.openstack." + name] = function
    template = env.from_string(OPTION_TEMPLATE.read_text())
    return template.render(
        ansible_managed="Ansible managed",
        _galera_cluster_clustercheck_os_user="clustercheck",
        galera_cluster_clustercheck_user="clustercheck",
        galera_cluster_clustercheck_password=password,
        _galera_cluster_platform={"socket": "/run/mysqld/mysqld.sock"},
    )


@pytest.mark.parametrize(
    "password",
    ["simple", 'quo"te', "back\\slash", "hash#tag", " lead and trail ", "semi;colon='x'", "\\\"#\\n",
     "tab\there", "new\nline", "ends with \\", "'single'", "a = b"],
)
def test_template_escaping_round_trips(tmp_path, password):
    path = tmp_path / "clustercheck.cnf"
    path.write_text(render_option_file(password))
    assert cc.read_option_file(str(path)) == {
        "user": "clustercheck",
        "password": password,
        "socket": "/run/mysqld/mysqld.sock",
    }


def test_read_option_file_errors(tmp_path):
    with pytest.raises(cc.CheckError, match="cannot read .*missing.cnf"):
        cc.read_option_file(str(tmp_path / "missing.cnf"))


# ---------------------------------------------------------------- fetching the state


def write_options(tmp_path, password=PASSWORD, socket="/run/mysqld/mysqld.sock"):
    path = tmp_path / "clustercheck.cnf"
    lines = ["[client]", "user=clustercheck", 'password="%s"' % password]
    if socket:
        lines.append("socket=%s" % socket)
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def fake_pymysql(rows=None, error=None, calls=None):
    class Cursor:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def execute(self, query):
            calls.append(query)

        def fetchall(self):
            return rows

    class Connection:
        def cursor(self):
            return Cursor()

        def close(self):
            pass

    def connect(**kwargs):
        calls.append(kwargs)
        if error is not None:
            raise error
        return Connection()

    calls = [] if calls is None else calls
    return types.SimpleNamespace(connect=connect)


def test_fetch_state_with_pymysql(tmp_path):
    calls = []
    rows = [("wsrep_local_state", "4"), (b"WSREP_READY", b"ON"), ("wsrep_local_state_comment", "Synced")]
    state = cc.fetch_state(write_options(tmp_path), "/nonexistent", pymysql=fake_pymysql(rows, calls=calls))
    assert state == {"wsrep_local_state": "4", "wsrep_ready": "ON", "wsrep_local_state_comment": "Synced"}
    assert cc.respond(state) == (200, "Galera node is Synced.")
    connect = calls[0]
    assert connect["unix_socket"] == "/run/mysqld/mysqld.sock"
    assert connect["user"] == "clustercheck"
    assert connect["password"] == PASSWORD
    assert connect["connect_timeout"] == 2
    assert "wsrep_local_state" in calls[1] and "wsrep_ready" in calls[1]


def test_fetch_state_masks_the_password_in_errors(tmp_path):
    error = OSError(1045, "Access denied: password %s rejected" % PASSWORD)
    state = cc.fetch_state(write_options(tmp_path), "/nonexistent", pymysql=fake_pymysql(error=error))
    code, body = cc.respond(state, detail=True)
    assert code == 503
    assert body.startswith("Galera node is not reachable: ERROR 1045: Access denied")
    assert PASSWORD not in body
    assert cc.REDACTED in body


def test_fetch_state_needs_a_socket(tmp_path):
    state = cc.fetch_state(write_options(tmp_path, socket=None), "/nonexistent", pymysql=fake_pymysql([]))
    assert "no socket" in state["error"]


def test_fetch_state_unreadable_option_file(tmp_path):
    code, body = cc.respond(cc.fetch_state(str(tmp_path / "none.cnf"), "/nonexistent", pymysql=fake_pymysql([])),
                            detail=True)
    assert code == 503
    assert body.startswith("Galera node is not reachable: cannot read")


FAKE_CLIENT = """#!{python}
import sys
argv = " ".join(sys.argv)
if {password!r} in argv or not sys.argv[1].startswith("--defaults-file="):
    sys.stderr.write("bad command line: " + argv + "\\n")
    sys.exit(2)
if {fail!r}:
    sys.stderr.write("ERROR 2002 (HY000): Can't connect through socket ({password})\\n")
    sys.exit(1)
print("wsrep_local_state\\t2")
print("wsrep_local_state_comment\\tDonor/Desynced")
print("wsrep_ready\\tON")
"""


def fake_client(tmp_path, fail=False):
    path = tmp_path / "mariadb"
    path.write_text(FAKE_CLIENT.format(python=sys.executable, password=PASSWORD, fail=fail))
    path.chmod(0o755)
    return str(path)


def test_client_fallback_without_pymysql(tmp_path, monkeypatch):
    monkeypatch.setattr(cc, "_load_pymysql", lambda: None)
    state = cc.fetch_state(write_options(tmp_path), fake_client(tmp_path))
    assert state == {"wsrep_local_state": "2", "wsrep_local_state_comment": "Donor/Desynced", "wsrep_ready": "ON"}
    assert cc.respond(state) == (503, "Galera node is not synced (Donor/Desynced).")


def test_client_fallback_error_is_masked(tmp_path, monkeypatch):
    monkeypatch.setattr(cc, "_load_pymysql", lambda: None)
    state = cc.fetch_state(write_options(tmp_path), fake_client(tmp_path, fail=True))
    assert state["error"].startswith("ERROR 2002 (HY000)")
    assert PASSWORD not in state["error"]


def test_client_fallback_missing_binary(tmp_path, monkeypatch):
    monkeypatch.setattr(cc, "_load_pymysql", lambda: None)
    state = cc.fetch_state(write_options(tmp_path), str(tmp_path / "no-client"))
    assert state["error"].startswith("cannot run ")


# ---------------------------------------------------------------- main


def run_main(monkeypatch, request_bytes, state, argv=()):
    monkeypatch.setattr(cc, "fetch_state", lambda *args, **kwargs: state)
    in_read, in_write = os.pipe()
    out_read, out_write = os.pipe()
    os.write(in_write, request_bytes)
    os.close(in_write)
    monkeypatch.setattr(sys, "stdin", types.SimpleNamespace(fileno=lambda: in_read))
    monkeypatch.setattr(sys, "stdout", types.SimpleNamespace(fileno=lambda: out_write))
    try:
        assert cc.main(list(argv)) == 0
    finally:
        os.close(in_read)
        os.close(out_write)
    with os.fdopen(out_read, "rb") as handle:
        return handle.read()


def test_main_answers_get(monkeypatch):
    raw = run_main(monkeypatch, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", synced())
    line, headers, payload = split_response(raw)
    assert line == "HTTP/1.1 200 OK"
    assert payload == b"Galera node is Synced.\r\n"
    assert int(headers["Content-Length"]) == len(payload)


def test_main_answers_head_without_body(monkeypatch):
    raw = run_main(monkeypatch, b"HEAD / HTTP/1.1\r\n\r\n", {"wsrep_local_state": "2", "wsrep_ready": "ON"})
    line, headers, payload = split_response(raw)
    assert line == "HTTP/1.1 503 Service Unavailable"
    assert payload == b""
    assert int(headers["Content-Length"]) > 0


def test_main_never_prints_the_password(monkeypatch, tmp_path):
    options = write_options(tmp_path)
    error = OSError(1045, "Access denied for %s" % PASSWORD)
    real_fetch_state = cc.fetch_state
    state = real_fetch_state(options, "/nonexistent", pymysql=fake_pymysql(error=error))
    raw = run_main(monkeypatch, b"GET / HTTP/1.1\r\n\r\n", state, ["--defaults-file", options])
    assert raw.startswith(b"HTTP/1.1 503 Service Unavailable\r\n")
    assert PASSWORD.encode() not in raw


def test_main_keeps_the_database_error_out_of_the_answer(monkeypatch, tmp_path, capsys):
    options = write_options(tmp_path)
    error = OSError(1045, "Access denied for user 'clustercheck'@'localhost' (using password: YES)")
    state = cc.fetch_state(options, "/nonexistent", pymysql=fake_pymysql(error=error))
    raw = run_main(monkeypatch, b"GET / HTTP/1.1\r\n\r\n", state, ["--defaults-file", options])
    line, _headers, payload = split_response(raw)
    assert line == "HTTP/1.1 503 Service Unavailable"
    assert payload == b"Galera node is not reachable.\r\n"
    for leak in (b"1045", b"Access denied", b"clustercheck", b"localhost"):
        assert leak not in raw
    # the reason is kept for the operator, in the journal (stderr of the service)
    assert "ERROR 1045: Access denied for user 'clustercheck'@'localhost'" in capsys.readouterr().err


def test_status_mode(monkeypatch, capsys):
    monkeypatch.setattr(cc, "fetch_state", lambda *args, **kwargs: synced())
    assert cc.main(["--status"]) == 0
    assert capsys.readouterr().out == "200 OK\nGalera node is Synced.\n"
    monkeypatch.setattr(cc, "fetch_state", lambda *args, **kwargs: {"error": "down"})
    assert cc.main(["--status"]) == 1
    # the operator on the node sees the reason
    assert capsys.readouterr().out == "503 Service Unavailable\nGalera node is not reachable: down\n"
