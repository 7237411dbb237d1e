# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/filter/mysql_option_value.py, checked against the real option file reader.

Every value is written into an option file and read back with my_print_defaults
(mariadb-server's own reader, installed by the bootstrap on every machine we test on),
and compared byte for byte.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.stackops.openstack.plugins.filter.mysql_option_value import (
    FilterModule,
    mysql_option_value,
    quote_option_value,
)

MY_PRINT_DEFAULTS = shutil.which("my_print_defaults")

# every character the issue names (#, ", ', \, space, =), and the line breaking ones
HARD_VALUES = [
    "sst:Pa#ss",
    'say "hi"',
    "it's",
    "back\\slash",
    "ends with backslash\\",
    "\\\\double",
    " leading and trailing ",
    "a = b",
    "k=v=w",
    "semi;colon",
    "#starts with hash",
    "'single quoted'",
    '"double quoted"',
    "\"'\\#= mix",
    "new\nline",
    "carriage\rreturn",
    "tab\there",
    "back\bspace",
    "[client]",
    "!include /etc/passwd",
    "ünïcödé ✓",
    "\\n is not a newline",
    "",
]


def read_back(tmp_path, values):
    """Write name=value lines with the filter, return what my_print_defaults reads, in order."""
    if MY_PRINT_DEFAULTS is None:
        pytest.fail("my_print_defaults is missing: install mariadb-server (tools/bootstrap.sh does)")
    lines = ["[client]"] + ["opt%d = %s" % (i, mysql_option_value(v)) for i, v in enumerate(values)]
    path = tmp_path / "test.cnf"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    out = subprocess.run([MY_PRINT_DEFAULTS, "--defaults-file=%s" % path, "client"],
                         check=True, stdout=subprocess.PIPE).stdout
    found = {}
    for i in range(len(values)):
        start = out.index(b"--opt%d=" % i) + len(b"--opt%d=" % i)
        end = out.find(b"\n--opt%d=" % (i + 1), start) if i + 1 < len(values) else len(out) - 1
        found[i] = out[start:end]
    return [found[i] for i in range(len(values))]


def test_hard_values_are_read_back_byte_for_byte(tmp_path):
    assert read_back(tmp_path, HARD_VALUES) == [v.encode("utf-8") for v in HARD_VALUES]


@pytest.mark.parametrize("value", HARD_VALUES)
def test_each_value_alone(tmp_path, value):
    assert read_back(tmp_path, [value]) == [value.encode("utf-8")]


def test_always_quote_reads_back_the_same(tmp_path):
    values = ["simple", "sst:Pa#ss", ""]
    path = tmp_path / "q.cnf"
    path.write_text("[client]\n" + "".join("o%d=%s\n" % (i, mysql_option_value(v, always_quote=True))
                                           for i, v in enumerate(values)))
    out = subprocess.run([MY_PRINT_DEFAULTS, "--defaults-file=%s" % path, "client"],
                         check=True, stdout=subprocess.PIPE).stdout
    assert out == b"--o0=simple\n--o1=sst:Pa#ss\n--o2=\n"


@pytest.mark.parametrize("value, text", [
    ("128M", "128M"),
    ("/var/lib/mysql", "/var/lib/mysql"),
    ("gcomm://10.0.0.1,10.0.0.2", "gcomm://10.0.0.1,10.0.0.2"),
    ("gcomm://[fd00::1],[fd00::2]", '"gcomm://[fd00::1],[fd00::2]"'),
    ("sst:Pa#ss", '"sst:Pa#ss"'),
    ('a"b\\c', '"a\\"b\\\\c"'),
    ("x\ny", '"x\\ny"'),
    ("", '""'),
    (64, "64"),
    (1.5, "1.5"),
    (True, "ON"),
    (False, "OFF"),
])
def test_written_form(value, text):
    assert quote_option_value(value) == text


def test_always_quote():
    assert quote_option_value("simple", always_quote=True) == '"simple"'


@pytest.mark.parametrize("value, message", [
    (None, "expected a string, a number or a boolean, got NoneType"),
    (["a"], "expected a string, a number or a boolean, got list"),
    ({"a": 1}, "expected a string, a number or a boolean, got dict"),
    ("secret\x00tail", "the value contains a NUL character, which an option file cannot hold"),
])
def test_values_that_cannot_be_written_fail_without_repeating_the_value(value, message):
    with pytest.raises(AnsibleFilterError) as caught:
        mysql_option_value(value)
    assert str(caught.value) == "mysql_option_value: " + message
    assert "secret" not in str(caught.value)


def test_filter_is_registered_under_its_name():
    assert FilterModule().filters() == {"mysql_option_value": mysql_option_value}
