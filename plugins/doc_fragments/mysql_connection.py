# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations


class ModuleDocFragment(object):
    # Same names and defaults as community.mysql, so module_defaults and ~/.my.cnf carry over.
    DOCUMENTATION = r'''
options:
  login_user:
    description:
      - The user name used to authenticate with.
      - When unset, the C(user) of the C([client]) section of O(config_file) is used, then the
        operating-system user running the module.
    type: str
    aliases: [login_username]
  login_password:
    description:
      - The password used to authenticate with.
      - Never logged or returned.
    type: str
  login_host:
    description:
      - Host running the database server.
      - Ignored when O(login_unix_socket) is set.
    type: str
    default: localhost
  login_port:
    description:
      - TCP port of the database server.
    type: int
    default: 3306
  login_unix_socket:
    description:
      - The path to a Unix domain socket for local connections, for example V(/run/mysqld/mysqld.sock).
      - On Debian and Ubuntu the C(root) account authenticates through this socket without a password.
    type: str
  config_file:
    description:
      - Client option file to read C(user), C(password), C(host), C(port) and C(socket) from
        (section C([client])). Explicit module options win over it.
      - Ignored when the file does not exist.
    type: path
    default: ~/.my.cnf
  connect_timeout:
    description:
      - Seconds to wait for the server to answer a connection attempt.
    type: int
    default: 30
  ca_cert:
    description:
      - CA certificate to verify the server's TLS certificate with. Enables TLS.
    type: path
    aliases: [ssl_ca]
  client_cert:
    description:
      - Client certificate for TLS authentication.
    type: path
    aliases: [ssl_cert]
  client_key:
    description:
      - Private key of O(client_cert).
    type: path
    aliases: [ssl_key]
  check_hostname:
    description:
      - Whether the server's TLS certificate must match O(login_host).
      - PyMySQL's default applies when unset.
    type: bool
requirements:
  - PyMySQL (on the host that runs the module)
'''
