# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connection options shared by every module that talks to a MySQL/MariaDB server.

Declared once here (and documented once in doc_fragments/mysql_connection.py), with
the same names and defaults as community.mysql so that operators can reuse their
module_defaults and ~/.my.cnf.
"""

from __future__ import annotations

import os
import traceback

try:
    import pymysql
except ImportError:
    pymysql = None
    PYMYSQL_IMPORT_ERROR = traceback.format_exc()
else:
    PYMYSQL_IMPORT_ERROR = None

# MySQL client error codes that mean "the server is not there" rather than
# "the server said no": the caller may still report what the datadir holds.
_UNREACHABLE_CODES = (2002, 2003, 2005, 2006, 2013)


class ConnectionRefused(Exception):
    """The server answered but refused us (credentials, privileges, TLS)."""


class ServerUnreachable(Exception):
    """No server answered at the given address or socket."""


def mysql_connection_argument_spec():
    return dict(
        login_user=dict(type="str", aliases=["login_username"]),
        login_password=dict(type="str", no_log=True),
        login_host=dict(type="str", default="localhost"),
        login_port=dict(type="int", default=3306),
        login_unix_socket=dict(type="str"),
        config_file=dict(type="path", default="~/.my.cnf"),
        connect_timeout=dict(type="int", default=30),
        ca_cert=dict(type="path", aliases=["ssl_ca"]),
        client_cert=dict(type="path", aliases=["ssl_cert"]),
        client_key=dict(type="path", aliases=["ssl_key"], no_log=False),
        check_hostname=dict(type="bool"),
    )


def connection_kwargs(params):
    """PyMySQL keyword arguments from the module parameters (pure, for tests)."""
    kwargs = {"connect_timeout": params["connect_timeout"], "autocommit": True}
    config_file = params.get("config_file")
    if config_file and os.path.exists(os.path.expanduser(config_file)):
        kwargs["read_default_file"] = os.path.expanduser(config_file)
    if params.get("login_user") is not None:
        kwargs["user"] = params["login_user"]
    if params.get("login_password") is not None:
        kwargs["password"] = params["login_password"]
    if params.get("login_unix_socket"):
        kwargs["unix_socket"] = params["login_unix_socket"]
    else:
        kwargs["host"] = params["login_host"]
        kwargs["port"] = params["login_port"]
    ssl = {}
    for option, key in (("ca_cert", "ca"), ("client_cert", "cert"), ("client_key", "key")):
        if params.get(option):
            ssl[key] = params[option]
    if params.get("check_hostname") is not None:
        ssl["check_hostname"] = params["check_hostname"]
    if ssl:
        kwargs["ssl"] = ssl
    return kwargs


def describe_target(params):
    if params.get("login_unix_socket"):
        return "socket %s" % params["login_unix_socket"]
    return "%s:%s" % (params["login_host"], params["login_port"])


def connect(params):
    """Open a connection or raise ServerUnreachable / ConnectionRefused with a clear text."""
    target = describe_target(params)
    socket = params.get("login_unix_socket")
    if socket and not os.path.exists(socket):
        raise ServerUnreachable("socket %s does not exist (is the server running?)" % socket)
    try:
        return pymysql.connect(**connection_kwargs(params))
    except pymysql.err.OperationalError as exc:
        code = exc.args[0] if exc.args else None
        message = exc.args[1] if len(exc.args) > 1 else str(exc)
        if code in _UNREACHABLE_CODES:
            raise ServerUnreachable("cannot connect to %s: %s" % (target, message))
        raise ConnectionRefused("%s refused the connection (error %s): %s" % (target, code, message))
    except pymysql.err.MySQLError as exc:
        raise ConnectionRefused("%s refused the connection: %s" % (target, exc))
    except OSError as exc:
        raise ServerUnreachable("cannot connect to %s: %s" % (target, exc))


def query_map(connection, sql, args=None):
    """Run a two-column SHOW statement and return it as a dict."""
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return dict((str(row[0]).lower(), row[1]) for row in cursor.fetchall())
