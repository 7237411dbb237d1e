# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Names and values that enter a config file through the INI engine (plugins/module_utils/ini.py).

First the attack, shown with the readers the services use: a carriage return inside a
value is a line break to oslo.config, configparser and paste.deploy, so a value can carry
a whole new section. Then the refusal, at every door a name or value comes in by.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils.ini import IniError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
BASE = "[filter:s3token]\nauth_uri = http://controller:5000\n"
INJECTED = "[filter:authtoken]\npaste.filter_factory = evil:factory\n"

# Characters that end a line for one reader or another: '\r' for Python's universal newlines
# (how oslo.config, configparser and paste.deploy open files), the rest for str.splitlines.
LINE_BREAKS = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
OTHER_CONTROLS = ["\x00", "\t", "\x1b", "\x7f", "\x9f", "\ud800"]


def injected_value(char):
    return "http://controller:5000%s[filter:evil]%spaste.filter_factory = evil:factory" % (char, char)


def paste_deploy_sections(path):
    """Sections as paste.deploy sees them: paste/deploy/loadwsgi.py opens the file with open()
    (universal newlines) and hands it to a configparser.ConfigParser subclass."""
    parser = configparser.ConfigParser(interpolation=None)
    with open(path, encoding="utf-8") as handle:
        parser.read_file(handle)
    return parser.sections()


def oslo_config_lines(path):
    """Lines as oslo.config sees them: oslo_config/cfg.py opens the file with open() and its
    iniparser takes it line by line."""
    with open(path, encoding="utf-8") as handle:
        return [line.rstrip("\n") for line in handle]


# --------------------------------------------------------------------------- the attack


def test_a_carriage_return_in_a_value_gives_the_services_a_new_section(tmp_path):
    path = tmp_path / "proxy-server.conf"
    path.write_text("[filter:s3token]\nauth_uri = %s\n" % injected_value("\r"), encoding="utf-8", newline="")
    assert paste_deploy_sections(path) == ["filter:s3token", "filter:evil"]
    assert "[filter:evil]" in oslo_config_lines(path)


@pytest.mark.parametrize("char", LINE_BREAKS[1:])
def test_other_line_breaks_split_a_line_for_splitlines(char):
    assert "[filter:evil]" in ("auth_uri = %s" % injected_value(char)).splitlines()


# --------------------------------------------------------------------------- the refusal


@pytest.mark.parametrize("char", LINE_BREAKS + OTHER_CONTROLS)
@pytest.mark.parametrize("door", ["set", "set_all", "remove_value"])
def test_values_with_control_characters_are_refused(char, door, tmp_path):
    doc = ini.parse(BASE)
    value = injected_value(char)
    call = {"set": lambda: doc.set("filter:s3token", "auth_uri", value),
            "set_all": lambda: doc.set_all("filter:s3token", "auth_uri", ["x", value]),
            "remove_value": lambda: doc.remove_value("filter:s3token", "auth_uri", value)}[door]
    with pytest.raises(IniError) as caught:
        call()
    message = str(caught.value)
    assert "U+%04X" % ord(char) in message and "auth_uri" in message
    assert "evil" not in message  # the value is never quoted: it may be a password
    assert doc.text == BASE
    path = tmp_path / "proxy-server.conf"
    path.write_text(doc.text, encoding="utf-8", newline="")
    assert paste_deploy_sections(path) == ["filter:s3token"]


@pytest.mark.parametrize("char", LINE_BREAKS + OTHER_CONTROLS)
@pytest.mark.parametrize("door", ["set section", "set option", "add_section", "remove_section", "remove"])
def test_names_with_control_characters_are_refused(char, door):
    doc = ini.parse(BASE)
    name = "filter:s3token%s[filter:evil]" % char
    call = {"set section": lambda: doc.set(name, "x", "1"),
            "set option": lambda: doc.set("filter:s3token", "x%s[filter:evil]" % char, "1"),
            "add_section": lambda: doc.add_section(name),
            "remove_section": lambda: doc.remove_section(name),
            "remove": lambda: doc.remove(name, "x")}[door]
    with pytest.raises(IniError, match="is not allowed: expected"):
        call()
    assert doc.text == BASE


def test_a_file_with_a_lone_carriage_return_is_refused_where_the_services_would_split_it():
    with pytest.raises(IniError) as caught:
        ini.parse("[filter:s3token]\nauth_uri = %s\n" % injected_value("\r"))
    assert caught.value.lineno == 2 and "carriage return" in str(caught.value)
    assert ini.parse("[a]\r\nk = v\r\n").get("a", "k") == "v"  # CRLF files stay fine


@pytest.mark.parametrize("kind, name", [
    ("section", ""), ("section", " DEFAULT"), ("section", "DEF]AULT"), ("section", "a b"), ("section", "#x"),
    ("section", "Café"), ("section", "a=b"), ("section", None),
    ("option", ""), ("option", "de=bug"), ("option", "de:bug"), ("option", "#debug"), ("option", ";debug"),
    ("option", "[debug"), ("option", " debug"), ("option", "debug "), ("option", "set  log_name"),
    ("option", "a b c"), ("option", "naïve"), ("option", 3),
])
def test_names_outside_the_documented_pattern_are_refused(kind, name):
    doc = ini.parse(BASE)
    with pytest.raises(IniError) as caught:
        if kind == "section":
            doc.set(name, "debug", "x")
        else:
            doc.set("DEFAULT", name, "x")
    assert "%s name" % kind in str(caught.value)
    assert doc.text == BASE


def names_in_real_files():
    sections, options = set(), set()
    for path in list(FIXTURES.glob("*.conf")) + list(FIXTURES.glob("*.ini")):
        text = path.read_text(encoding="utf-8")
        options.update(key for _section, key in ini.parse(text).values())
        sections.update(re.findall(r"^#? ?\[([^\]\s]+)\][ \t]*$", text, re.M))  # commented-out ones too
    for path in FIXTURES.glob("oslo-options-*.tsv"):
        for line in path.read_text(encoding="utf-8").splitlines()[2:]:
            _namespace, section, option, _secret = line.split("\t")
            sections.add(section)
            options.add(option)
    sections.discard("*")
    return sorted(sections), sorted(options)


def test_every_name_in_the_real_files_and_option_lists_fits_the_pattern():
    sections, options = names_in_real_files()
    assert {"DEFAULT", "filter:tempauth", "pipeline:main", "storage-policy:0", "keystone_authtoken"} <= set(sections)
    assert {"set log_name", "paste.filter_factory", "user_admin_admin", "enabled_apis"} <= set(options)
    assert len(options) > 1000
    assert [name for name in sections if not re.match(ini.SECTION_NAME_PATTERN + r"\Z", name)] == []
    assert [name for name in options if not re.match(ini.OPTION_NAME_PATTERN + r"\Z", name)] == []
    doc = ini.parse("")
    for section in sections[:50]:
        doc.set(section, options[0], "x")
    assert sorted(doc.sections()) == sorted(sections[:50])


@pytest.mark.parametrize("value, message", [
    ("a\n#b", "line 2 of the value starts with '#' or ';'"),  # oslo.config: value; configparser: comment
    ("a\n;b", "line 2 of the value starts with '#' or ';'"),
    ("a\n\nb", "line 2 of the value is empty"),
    (" a", "line 1 of the value starts or ends with a blank"),
    ("a\nb ", "line 2 of the value starts or ends with a blank"),
    (["a"], "must be a string, got list"),
])
def test_values_that_would_read_back_differently_are_refused(value, message):
    doc = ini.parse(BASE)
    with pytest.raises(IniError, match=re.escape(message)):
        doc.set("filter:s3token", "auth_uri", value)
    assert doc.text == BASE


def test_set_all_wants_a_list_not_a_string():
    with pytest.raises(IniError, match="must be a list of strings, got a string"):
        ini.parse(BASE).set_all("filter:s3token", "auth_uri", "abc")


@pytest.mark.parametrize("value", ["Café, naïve: ok", "a = b : c # d ; e", "catch_errors\ngatekeeper healthcheck",
                                   "$my_ip", "%(here)s/x", "http://[2001:db8::1]:5000/v3"])
def test_printable_values_are_written_and_read_back(value, tmp_path):
    doc = ini.parse(BASE)
    assert doc.set("filter:s3token", "auth_uri", value) is True
    assert ini.parse(doc.text).get("filter:s3token", "auth_uri") == value
    path = tmp_path / "x.conf"
    path.write_text(doc.text, encoding="utf-8")
    assert paste_deploy_sections(path) == ["filter:s3token"]


def test_values_already_in_the_file_are_kept_as_they_are():
    """Only new text is checked: a tab a file already has does not block editing its neighbours."""
    text = "[DEFAULT]\nlogging_format = a\tb\nlogging_format = c\n"
    doc = ini.parse(text)
    assert doc.remove_value("DEFAULT", "logging_format", "c") is True
    assert doc.text == "[DEFAULT]\nlogging_format = a\tb\n"
    assert doc.set_all("DEFAULT", "logging_format", ["a\tb", "d"]) is True
    with pytest.raises(IniError, match="U\\+0009"):
        doc.set_all("DEFAULT", "logging_format", ["a\tb", "e\tf"])
