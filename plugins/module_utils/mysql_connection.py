# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Connecting to a MySQL/MariaDB server, through community.mysql.

The options (``mysql_common_argument_spec``, documented by the ``community.mysql.mysql``
doc fragment), the driver import (``mysql_driver``: PyMySQL, else mysqlclient) and the
connection itself (``mysql_connect``) are community.mysql's, so a module of ours takes
exactly the options, names and defaults of community.mysql's modules.

What this file adds is the one distinction community.mysql does not make and a Galera
status needs: "no server answered" (ServerUnreachable; the caller still reports what the
datadir holds) versus "the server answered and refused us" (ConnectionRefused:
credentials, privileges, TLS), each with a message that names the target.
"""

from __future__ import annotations

import os

from ansible_collections.community.mysql.plugins.module_utils.mysql import mysql_connect, mysql_driver

# MySQL client error codes that mean "the server is not there" rather than
# "the server said no": the caller may still report what the datadir holds.
_UNREACHABLE_CODES = (2002, 2003, 2005, 2006, 2013)


class ConnectionRefused(Exception):
    """The server answered but refused us (credentials, privileges, TLS)."""


class ServerUnreachable(Exception):
    """No server answered at the given address or socket."""


def describe_target(params):
    if params.get("login_unix_socket"):
        return "socket %s" % params["login_unix_socket"]
    return "%s:%s" % (params["login_host"], params["login_port"])


def connect(module):
    """Open an autocommit connection with the module's options (community.mysql's
    mysql_connect), or raise ServerUnreachable / ConnectionRefused with a clear text.

    The caller checks first that ``mysql_driver`` is not None.
    """
    params = module.params
    target = describe_target(params)
    socket = params.get("login_unix_socket")
    if socket and not os.path.exists(socket):
        raise ServerUnreachable("socket %s does not exist (is the server running?)" % socket)
    try:
        cursor, connection = mysql_connect(
            module,
            login_user=params["login_user"],
            login_password=params["login_password"],
            config_file=params["config_file"],
            ssl_cert=params["client_cert"],
            ssl_key=params["client_key"],
            ssl_ca=params["ca_cert"],
            connect_timeout=params["connect_timeout"],
            check_hostname=params["check_hostname"],
            autocommit=True,
        )
    # DB-API names, which PyMySQL and mysqlclient both define at module level
    except mysql_driver.OperationalError as exc:
        code = exc.args[0] if exc.args else None
        message = exc.args[1] if len(exc.args) > 1 else str(exc)
        if code in _UNREACHABLE_CODES:
            raise ServerUnreachable("cannot connect to %s: %s" % (target, message))
        raise ConnectionRefused("%s refused the connection (error %s): %s" % (target, code, message))
    except mysql_driver.Error as exc:
        raise ConnectionRefused("%s refused the connection: %s" % (target, exc))
    except OSError as exc:
        raise ServerUnreachable("cannot connect to %s: %s" % (target, exc))
    # mysql_connect opens a cursor too; the queries below open their own
    cursor.close()
    return connection


def query_map(connection, sql, args=None):
    """Run a two-column SHOW statement and return it as a dict."""
    with connection.cursor() as cursor:
        cursor.execute(sql, args)
        return dict((str(row[0]).lower(), row[1]) for row in cursor.fetchall())
