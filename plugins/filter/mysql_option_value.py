# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: mysql_option_value
short_description: Write a value so that a MySQL/MariaDB option file reads it back unchanged
version_added: 1.0.0
author:
  - stackops maintainers (@stackops)
description:
  - Returns the text to put after C(name =) in a MySQL or MariaDB option file (C(my.cnf), C([client]),
    C([mysqld]), ...) so that the server, the client programs and C(my_print_defaults) read exactly the
    given value.
  - The option file reader ends a value at a C(#) outside quotes, trims spaces at both ends, removes one
    pair of surrounding quotes and decodes backslash escapes (a backslash followed by n, t, r, b, s, a quote
    or a backslash). This filter writes the value in double quotes, with backslashes, double quotes, line
    feeds, carriage returns, tabs and backspaces escaped, whenever the value is not made only of letters,
    digits and the characters C(_./:,+@%-) (or always with O(always_quote)).
  - Booleans become V(ON) and V(OFF); integers and floats are written as numbers.
  - A value holding a NUL character, a list, a dictionary or nothing (V(None)) is refused; the error does
    not repeat the value, which may be a password.
options:
  _input:
    description: The value (a string, a number or a boolean).
    type: raw
    required: true
  always_quote:
    description: Quote the value even when it needs no quotes (useful for passwords, whose shape varies).
    type: bool
    default: false
'''

EXAMPLES = r'''
# wsrep_sst_auth = "sst:Pa#ss \"w=rd\""   (read back as  sst:Pa#ss "w=rd")
- name: Write the SST credentials
  ansible.builtin.copy:
    dest: /etc/mysql/mariadb.conf.d/72-sst.cnf
    content: |
      [mysqld]
      wsrep_sst_auth = {{ (sst_user ~ ':' ~ sst_password) | stackops.openstack.mysql_option_value }}
    mode: "0640"
  diff: false

# in a template: password = {{ root_password | stackops.openstack.mysql_option_value(always_quote=true) }}
'''

RETURN = r'''
_value:
  description: The value as the option file must hold it, quoted and escaped where needed.
  type: str
  sample: '"sst:Pa#ss \"w=rd\""'
'''

import re

from ansible.errors import AnsibleFilterError
from ansible.module_utils.common.text.converters import to_text

# Characters that the option file reader takes literally outside quotes.
_PLAIN = re.compile(r"\A[A-Za-z0-9_./:,+@%-]+\Z")
# Escapes the reader decodes (mysys my_default.c); every other byte is kept as it is.
_ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b"}


def quote_option_value(value, always_quote=False):
    """Return ``value`` as text for a MySQL option file; raise ValueError when it cannot be written."""
    if isinstance(value, bool):
        return "ON" if value else "OFF"
    if isinstance(value, (int, float)):
        return str(value)
    if value is None or isinstance(value, (dict, list, tuple, set)):
        raise ValueError("expected a string, a number or a boolean, got %s" % type(value).__name__)
    text = to_text(value, errors="surrogate_or_strict")
    if "\x00" in text:
        raise ValueError("the value contains a NUL character, which an option file cannot hold")
    if not always_quote and _PLAIN.match(text):
        return text
    return '"%s"' % "".join(_ESCAPES.get(char, char) for char in text)


def mysql_option_value(value, always_quote=False):
    """Filter front of quote_option_value()."""
    try:
        return quote_option_value(value, always_quote=bool(always_quote))
    except (ValueError, UnicodeError) as exc:
        raise AnsibleFilterError("mysql_option_value: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"mysql_option_value": mysql_option_value}
