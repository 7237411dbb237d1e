# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Single options of any OpenStack INI file, what operators do with openstack-config or crudini.

``settings`` is one mapping for many options of one file, section -> option -> value, so a
role configures a whole service in one task:

- a string is written as it is (a newline makes continuation lines, as the INI engine writes
  them); an integer or float as its text; a boolean as ``true``/``false``, oslo.config's
  spelling, except that an option already holding the same truth in other words (``True``,
  ``yes``, ``1``: what oslo.config's Boolean type reads) keeps them, so a packaged file or one
  written by another tool does not flap;
- a list makes the option hold exactly these values, in this order, as repeated keys (oslo.config
  MultiStrOpt); an empty list, like ``None``, removes every occurrence of the option;
- ``None`` removes the option; the commented default above it stays;
- a section mapped to an empty mapping only makes sure the section exists.

Section and option names are case-sensitive, as the file has them. oslo.config reads a
section name in lower case except ``DEFAULT`` (cfg._normalize_group_name), so ``[default]``
is not ``[DEFAULT]`` and ``[Database]`` is ``[database]``: both get a warning, since uwsgi or
paste.deploy files have their own rules and may mean what they say.

What is secret is decided by the INI engine's rule (ini.SECRET_OPTIONS: passwords, secrets,
secret keys, tokens, database and transport URLs, ...; the password of a URL in any option),
plus the names or globs the caller adds. secret_values() lists every value given for such an
option, and every password inside a URL, so the module can add them to Ansible's no_log values;
errors name the section, the option and the type, never a value. The engine's rule is a list
checked against the options OpenStack declares secret, not a match on parts of names: a rule
such as "contains token or _key" would take numbers and names for secrets (keystone's
``max_token_size = 255``, keystonemiddleware's ``token_cache_time = 300``), and as no_log
values they would mask every ``255`` and ``300`` of the task's output.

Pure functions on plain values and INI texts (through ini.py, the one INI engine), so they
unit-test without Ansible.
"""

from __future__ import annotations

import collections
import re

from ansible_collections.stackops.openstack.plugins.module_utils import ini

ConfigEdit = collections.namedtuple("ConfigEdit", "text warnings")

# oslo.config's Boolean type, case-insensitively (oslo_config/types.py Boolean)
_BOOLEAN_WORDS = {"true": True, "1": True, "on": True, "yes": True,
                  "false": False, "0": False, "off": False, "no": False}

_URL_START = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_QUERY_SECRET = re.compile(r"(?i)[?&;][^=&;#\s]*(?:password|passwd|secret|token)[^=&;#\s]*=([^&;#\s]+)")


class OpenstackConfigError(ValueError):
    """Settings that cannot be written to the file; the message names the section and option."""


def _where(section, option=None):
    return "settings.%s" % section if option is None else "settings.%s.%s" % (section, option)


def _scalar_text(value, where):
    """A scalar as INI text: str as given, bool as true/false, int and float as their text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return str(value)
    raise OpenstackConfigError(
        "%s is a %s, expected a string, number, boolean, a list of them (repeated keys) or null (remove)"
        % (where, _type_name(value)))


def _type_name(value):
    if isinstance(value, dict):
        return "dict (a mapping; only sections take a mapping of options)"
    if isinstance(value, (list, tuple)):
        return "list"
    return type(value).__name__


def plan(settings):
    """The settings as a list of (section, option, values, value): what the edit will make of each option.

    values is None (remove the option) or a list of INI texts; value is what was given, kept
    so a boolean can keep an equivalent spelling already in the file. A section with no
    options gives (section, None, None, None). OpenstackConfigError names the first bad entry.
    """
    if not isinstance(settings, dict):
        raise OpenstackConfigError("settings is a %s, expected a mapping of section names to mappings of options"
                                   % _type_name(settings))
    result = []
    for section, options in settings.items():
        if not isinstance(section, str):
            raise OpenstackConfigError("section name %r is a %s, expected a string" % (section, type(section).__name__))
        if not isinstance(options, dict):
            raise OpenstackConfigError(
                "%s is a %s, expected a mapping of option names to values (section -> option -> value)"
                % (_where(section), "null" if options is None else _type_name(options)))
        if not options:
            result.append((section, None, None, None))
        for option, value in options.items():
            if not isinstance(option, str):
                raise OpenstackConfigError("option name %r in %s is a %s, expected a string"
                                           % (option, _where(section), type(option).__name__))
            where = _where(section, option)
            if value is None:
                values = None
            elif isinstance(value, (list, tuple)):
                values = []
                for index, item in enumerate(value):
                    if item is None or isinstance(item, (dict, list, tuple)):
                        raise OpenstackConfigError(
                            "%s[%d] is a %s, expected a string, number or boolean (each item is one repeated key)"
                            % (where, index, "null" if item is None else _type_name(item)))
                    values.append(_scalar_text(item, "%s[%d]" % (where, index)))
            else:
                values = [_scalar_text(value, where)]
            result.append((section, option, values or None, value))
    return result


def _same_boolean(current, value):
    """The option's one current value when it reads as the boolean `value` (kept as spelled), else None."""
    if isinstance(value, bool) and len(current) == 1 and _BOOLEAN_WORDS.get(current[0].strip().lower()) is value:
        return current[0]
    return None


def _section_warnings(doc, section):
    warnings = []
    if section != "DEFAULT" and section.lower() == "default":
        warnings.append("section [%s]: oslo.config reads it as a section named %r, not as [DEFAULT] (only that exact "
                        "spelling is the default section)" % (section, section.lower()))
    elif section != "DEFAULT" and not doc.has_section(section):
        twins = [name for name in doc.sections() if name != "DEFAULT" and name.lower() == section.lower()]
        if twins:
            warnings.append("section [%s] is new, but the file has [%s]: oslo.config reads section names in lower "
                            "case, so both are one section to it" % (section, twins[0]))
    return warnings


def _apply(doc, section, option, values, value, create):
    if not doc.has_section(section) and (values is not None or option is None):
        if not create:
            raise OpenstackConfigError(
                "section [%s] is not in the file and create is false; add the section, or set create to true"
                % section)
        doc.add_section(section)
    if option is None:
        return
    if values is None:
        doc.remove(section, option)
        return
    kept = _same_boolean(doc.get_all(section, option), value)
    doc.set_all(section, option, [kept] if kept is not None else values)


def edit_config(text, settings, create=True):
    """Apply settings to INI text; a ConfigEdit(text, warnings).

    create=False refuses a section the file lacks (removing an option of such a section is
    no change). IniError (from the engine) for a bad name or a value INI cannot hold, and
    OpenstackConfigError for settings of the wrong shape, both naming the option.
    """
    doc = ini.parse(text)
    warnings = []
    seen = set()
    for section, option, values, value in plan(settings):
        if section not in seen:
            seen.add(section)
            warnings.extend(_section_warnings(doc, section))
        try:
            _apply(doc, section, option, values, value, create)
        except ini.IniError as exc:
            raise ini.IniError("%s: %s" % (_where(section, option), exc)) from exc
    return ConfigEdit(doc.text, warnings)


def _url_passwords(value):
    """The passwords inside the URLs of a value: userinfo passwords (each host of a multi-host URL) and query secrets."""
    found = []
    starts = list(_URL_START.finditer(value))
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(value)
        region = value[match.end():end]
        at = region.rfind("@")
        if at <= 0:
            continue
        userinfo = region[:at]
        colon = userinfo.find(":")
        if colon >= 0 and userinfo[colon + 1:]:
            found.append(userinfo[colon + 1:])  # the whole span the engine masks, a raw '@' or ',' included
        # rabbit://user:pw1@host1:5672,user:pw2@host2:5672/ : each host's own password too
        for part in re.finditer(r"(?:^|,)[^:@,/]*:([^@,/]+)@", region):
            found.append(part.group(1))
    found.extend(match.group(1) for match in _QUERY_SECRET.finditer(value))
    return found


def _leaves(value):
    if isinstance(value, dict):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _leaves(item)
    elif value is not None:
        yield _scalar_text(value, "") if isinstance(value, (str, int, float)) else str(value)


def secret_values(settings, secret_options=()):
    """Every secret among the settings, for Ansible's no_log values, tolerant of settings of any shape.

    The values of secret options (the engine's rule plus `secret_options`, names or globs) and
    the passwords of URLs in any value; booleans are never secrets, and nothing empty is listed.
    Runs before the settings are checked, so a failure message cannot carry them.
    """
    secret = ini.secret_predicate(list(secret_options or ()))
    found = []
    if not isinstance(settings, dict):
        return found
    for section, options in settings.items():
        if not isinstance(options, dict):
            continue
        for option, value in options.items():
            is_secret = isinstance(section, str) and isinstance(option, str) and secret(section, option)
            for leaf in _leaves(value):
                if is_secret and leaf not in ("true", "false"):
                    found.append(leaf)
                found.extend(_url_passwords(leaf))
    return sorted(set(item for item in found if item.strip()))
