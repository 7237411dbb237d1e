# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one INI engine for oslo.config and paste-deploy files (nova.conf, proxy-server.conf).

Operators read these files and diff them against the packaged ones, so an edit must
touch only the lines it means to: the model keeps every raw line and rewrites a line
only when its value changes. Parsing follows oslo.config's iniparser (the stricter of
the two readers): `key = value` or `key: value`, `#`/`;` comments, indented lines
continue the value above, a blank line ends it, a repeated key is a multi-valued
option. The text functions are pure; the file helpers at the end take plain values
so modules can use them without handing over the AnsibleModule object.

What may enter a file is checked at every edit (names to SECTION_NAME_PATTERN and
OPTION_NAME_PATTERN, values without control characters), what leaves it in a summary
or diff is masked (SECRET_OPTIONS, and the password of any URL), and only regular,
singly linked, UTF-8 files up to MAX_FILE_BYTES are read and rewritten.
"""

from __future__ import annotations

import collections
import difflib
import errno
import fnmatch
import os
import re
import stat
import tempfile
import time

MASK = "********"

# Files larger than this are refused before they are read. Service configs are KBs; the
# biggest we know, Debian 12's fully commented nova.conf, is 350 KB. A file over 2 MiB is
# the wrong file (a log, a dump, a device) and reading it would only cost memory.
MAX_FILE_BYTES = 2 * 1024 * 1024

# What is secret in a secret option's value.
WHOLE = "whole"
FIRST_WORD = "first word"  # Swift tempauth: `user_<account>_<user> = <key> [group ...] [url]`

# Stands for "a paste.deploy section that loads Swift's tempauth" in SECRET_OPTIONS:
# the section's name is up to the operator, its `use = egg:swift#tempauth` is not.
TEMPAUTH = "<swift tempauth>"

# The options whose values never appear in a change summary or a diff, as
# (section glob, option glob, what is secret); option globs match the lower-cased name,
# a paste.deploy `set `/`get ` prefix taken off. Derived from the code that reads
# them, not from how names look:
# - every oslo.config option its project declares secret=True, in the releases listed
#   in tests/unit/fixtures/ini/README.md, and keystoneauth1's auth plugin options (they
#   go into any section that names an auth_type);
# - options the projects read as secrets without declaring them so (castellan's
#   [vault] tokens, osprofiler's hmac_keys, oslo.cache's memcache_password before 4.x);
# - Swift's paste.deploy options, which have no such flag (swift/common/middleware).
# tests/unit/plugins/module_utils/test_ini_secrets.py fails when a secret option of those
# releases is not matched, or when a rule matches an option nobody listed as secret.
SECRET_OPTIONS = (
    ("*", "*password", WHOLE),  # password, host_password, memcache_password, ssl_key_password...
    ("*", "*passwd", WHOLE),
    ("*", "passcode", WHOLE),  # keystoneauth1 v3totp
    ("*", "*secret", WHOLE),  # metering_secret, metadata_proxy_shared_secret, client_secret...
    ("*", "*secret_key", WHOLE),  # keystonemiddleware memcache_secret_key, ceilometer rgw secret_key
    ("*", "*secret_access_key", WHOLE),  # S3-style credentials
    ("rgw_admin_credentials", "access_key", WHOLE),  # ceilometer
    ("*", "fixed_key", WHOLE),  # castellan/nova [key_manager]
    ("*", "token", WHOLE),  # keystoneauth1 token, admin_token plugins
    ("*", "*_token", WHOLE),  # keystoneauth1 v3oidcaccesstoken access_token, old admin_token
    ("*", "code", WHOLE),  # keystoneauth1 v3oidcauthcode (deprecated name authorization_code)
    ("*", "authorization_code", WHOLE),
    ("*", "connection", WHOLE),  # oslo.db database URLs
    ("*", "*_connection", WHOLE),  # slave_connection, sql_connection, asyncio_connection...
    ("*", "transport_url", WHOLE),  # oslo.messaging
    ("*", "*_transport_url", WHOLE),
    ("*", "messaging_urls", WHOLE),  # ceilometer [notification]
    ("*", "backend_argument", WHOLE),  # oslo.cache: `password:...`, `url:...`
    ("vault", "root_token_id", WHOLE),  # castellan: declared secret only from 2023
    ("vault", "approle_secret_id", WHOLE),
    ("vault", "approle_role_id", WHOLE),
    ("profiler", "hmac_keys", WHOLE),  # osprofiler: whoever knows it can trace any request
    (TEMPAUTH, "user_*", FIRST_WORD),
    (TEMPAUTH, "user64_*", FIRST_WORD),
    ("*", "encryption_root_secret_*", WHOLE),  # swift keymaster, one per secret_id
    ("*", "admin_key", WHOLE),  # swift proxy-server: signs /info admin requests
    ("*", "swift_hash_path_prefix", WHOLE),  # swift.conf [swift-hash]
    ("*", "swift_hash_path_suffix", WHOLE),
    ("*", "auth_key", WHOLE),  # swift dispersion.conf: the account's password
    ("*", "key", WHOLE),  # swift container-sync-realms.conf, one section per realm
    ("*", "key2", WHOLE),
)

# Options the globs above match that hold no secret: flags, lengths, paths, addresses.
NOT_SECRET = (
    ("*", "inject_password"),  # nova [libvirt] bool
    ("*", "enable_instance_password"),  # nova [api] bool
    ("*", "config_drive_inject_password"),  # nova [hyperv] bool
    ("*", "send_service_user_token"),  # nova/castellan bool
    ("*", "ovsdb_connection"),  # os-vif tcp:127.0.0.1:6640
    ("DEFAULT", "key"),  # nova: the SSL key file of the console proxies
)

# Names an edit may write: ASCII letters, digits and `_ . + / -`, sections also `: @`, an
# option also one inner blank. Wider than oslo.config needs (paste.deploy has `set log_name`,
# `filter:tempauth`, urlmap paths such as `/v2.1`, swift's base64 `user64_...`), never a
# control character, a blank at either end, or what the readers take as syntax (`=`, `#`,
# `;`, `[`, `]`, and `:` in an option name).
SECTION_NAME_PATTERN = r"[A-Za-z0-9_/][A-Za-z0-9_.:@+/-]*"
OPTION_NAME_PATTERN = r"[A-Za-z0-9_/][A-Za-z0-9_.+/-]*(?: [A-Za-z0-9_][A-Za-z0-9_.+/-]*)?"
_SECTION_NAME_RE = re.compile(SECTION_NAME_PATTERN + r"\Z")
_OPTION_NAME_RE = re.compile(OPTION_NAME_PATTERN + r"\Z")
# Control characters (C0 but the newline that separates continuation lines, DEL, C1),
# the Unicode line and paragraph separators, and lone surrogates. Python's universal
# newlines (configparser, paste.deploy, oslo.config open files that way) end a line at
# '\r'; str.splitlines also at '\v', '\f', '\x1c'-'\x1e', '\x85', U+2028/9.
_FORBIDDEN_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")

_SECTION_RE = re.compile(r"\[(?P<name>[^\]]*)\][ \t]*$")
_OPTION_RE = re.compile(r"(?P<key>[^=:]*?)(?P<sep>[ \t]*[=:][ \t]*)(?P<value>.*?)[ \t]*$")
_COMMENTED_RE = re.compile(
    r"(?P<key>[ \t]*[#;]+[ \t]*[^\s=:#;\[][^=:]*?)(?P<sep>[ \t]*=[ \t]*)(?P<value>\S.*?)[ \t]*$")
_CONTINUATION_INDENT = "    "
_DEFAULT_SEP = " = "

_Section = collections.namedtuple("_Section", "name start end")
_Option = collections.namedtuple("_Option", "section key value start end sep indent")


class IniError(ValueError):
    """A line that is not INI, or an edit the format cannot express."""

    def __init__(self, message, lineno=None, line=None):
        if lineno is not None:
            line = _shown_line(line or "")
            message = "line %d: %s: %r" % (lineno, message, line)
        super().__init__(message)
        self.lineno = lineno
        self.line = line


def _shown_line(line):
    """A bad line as a message may quote it: a URL's password, and all after a secret-looking name, masked."""
    shown = mask_urls(line)
    name = re.match(r"[ \t#;]*([^\s=:]+)", shown)
    if name and _Secrets().how("", name.group(1)) is not None:
        shown = shown[:name.end()] + " " + MASK
    return shown


def _split_lines(text):
    """Split on '\\n' only (str.splitlines also splits on form feeds and the like)."""
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _content(line):
    return line.rstrip("\r\n")


def _is_comment(content):
    return content.lstrip().startswith(("#", ";"))


def _scan(lines):
    """Classify every line; return the sections and options as index spans.

    Raises IniError for the first line neither reader would accept.
    """
    sections, options = [], []
    current, option = None, None
    for index, line in enumerate(lines):
        content = _content(line)
        if "\r" in content:
            # Python's universal newlines (oslo.config, configparser, paste.deploy) end the
            # line here, so the services would read a line this model does not have.
            raise IniError("carriage return inside the line, which the services read as a line break",
                           index + 1, content)
        if not content.strip() or content[0] in "#;":
            option = None  # as in oslo.config, a blank line or a comment ends a value
        elif _is_comment(content):
            continue  # an indented comment (configparser) leaves the value open
        elif content[0] in " \t":
            if option is None:
                raise IniError("continuation line without an option above it", index + 1, content)
            indent = option.indent or content[:len(content) - len(content.lstrip())]
            value = option.value + "\n" + content.strip()
            option = options[-1] = option._replace(value=value, end=index + 1, indent=indent)
        elif content.startswith("["):
            match = _SECTION_RE.match(content)
            if not match or not match.group("name").strip():
                raise IniError("bad section header, expected '[name]'", index + 1, content)
            if current is not None:
                sections[-1] = current._replace(end=index)
            current = _Section(match.group("name").strip(), index, len(lines))
            sections.append(current)
            option = None
        else:
            match = _OPTION_RE.match(content)
            if not match:
                raise IniError("cannot parse, expected 'key = value', '[section]' or '# comment'",
                               index + 1, content)
            if not match.group("key"):
                raise IniError("option without a name", index + 1, content)
            if current is None:
                raise IniError("option before the first [section]", index + 1, content)
            option = _Option(current.name, match.group("key"), match.group("value"),
                             index, index + 1, match.group("sep"), "")
            options.append(option)
    return sections, options


def _check_name(kind, name):
    """A section or option name an edit may use: SECTION_NAME_PATTERN / OPTION_NAME_PATTERN."""
    pattern, regex = ((SECTION_NAME_PATTERN, _SECTION_NAME_RE) if kind == "section"
                      else (OPTION_NAME_PATTERN, _OPTION_NAME_RE))
    if not isinstance(name, str):
        raise IniError("%s name must be a string, got %s %r" % (kind, type(name).__name__, name))
    if not regex.match(name):
        raise IniError("%s name %r is not allowed: expected letters, digits and %s, matching %s"
                       % (kind, name, "_ . : @ + / -" if kind == "section" else "_ . + / - (one inner blank)",
                          pattern))
    return name


def _check_value(key, value):
    """Only values that read back identically, and as one value, may be written.

    A newline makes the rest a continuation line (written indented, read back as part of
    the value); any other line break would start a line the readers take as a new
    option or section, so control characters are refused outright. The messages never
    quote the value: it may be a password.
    """
    if not isinstance(value, str):
        raise IniError("value of %s must be a string, got %s" % (key, type(value).__name__))
    bad = _FORBIDDEN_RE.search(value)
    if bad:
        raise IniError("value of %s contains the control character U+%04X at position %d, which INI readers "
                       "may take as a line break; expected printable text, with newlines only between the "
                       "lines of a multi-line value" % (key, ord(bad.group()), bad.start()))
    for number, part in enumerate(value.split("\n"), 1):
        if part != part.strip():
            raise IniError("value of %s cannot be written as INI: line %d of the value starts or ends "
                           "with a blank" % (key, number))
        if number > 1 and not part:
            raise IniError("value of %s cannot be written as INI: line %d of the value is empty "
                           "(a blank line ends a value)" % (key, number))
        if number > 1 and part.startswith(("#", ";")):
            # oslo.config reads an indented '#...' as part of the value, configparser as a comment
            raise IniError("value of %s cannot be written as INI: line %d of the value starts with "
                           "'#' or ';'" % (key, number))
    return value


class IniDocument:
    """A parsed INI text that keeps every raw line; edits rewrite only their own lines.

    Multi-valued options (the same key several times in a section) are the norm in
    oslo.config (MultiStrOpt), so every lookup answers with all occurrences in order.
    A section that appears twice is read as one, as oslo.config does.
    """

    def __init__(self, text=""):
        self.lines = _split_lines(text)
        self.newline = "\r\n" if self.lines and self.lines[0].endswith("\r\n") else "\n"
        # Every line ends with a newline inside the model; `text` takes a missing one off.
        self.trailing_newline = not text or text.endswith("\n")
        if not self.trailing_newline:
            self.lines[-1] += self.newline
        self._cache = None
        self._parsed()

    @property
    def text(self):
        text = "".join(self.lines)
        if not self.trailing_newline and text.endswith(self.newline):
            text = text[:-len(self.newline)]
        return text

    def _parsed(self):
        if self._cache is None:
            self._cache = _scan(self.lines)
        return self._cache

    def _splice(self, start, end, new_lines):
        self.lines[start:end] = new_lines
        self._cache = None

    def _spans(self, section):
        return [span for span in self._parsed()[0] if span.name == section]

    def _occurrences(self, section, key):
        return [opt for opt in self._parsed()[1] if opt.section == section and opt.key == key]

    def sections(self):
        """Section names in file order, each once."""
        return list(collections.OrderedDict((span.name, None) for span in self._parsed()[0]))

    def has_section(self, section):
        return bool(self._spans(section))

    def options(self, section):
        """Option names of a section in file order, each once."""
        return list(collections.OrderedDict(
            (opt.key, None) for opt in self._parsed()[1] if opt.section == section))

    def values(self):
        """Every option as {(section, key): [value, ...]} in file order."""
        result = collections.OrderedDict()
        for opt in self._parsed()[1]:
            result.setdefault((opt.section, opt.key), []).append(opt.value)
        return result

    def get_all(self, section, key):
        """Every value of a (multi-valued) option, in file order; [] when absent."""
        return [opt.value for opt in self._occurrences(section, key)]

    def get(self, section, key, default=None):
        """The value oslo.config would use: the last occurrence wins."""
        found = self.get_all(section, key)
        return found[-1] if found else default

    def render(self, key, sep, indent, value):
        """The raw lines of `key<sep>value`, continuation lines indented."""
        first, rest = value.split("\n")[0], value.split("\n")[1:]
        if not first:
            sep = sep.rstrip()
        elif sep[:1] in " \t" and sep[-1:] not in " \t":
            sep += " "
        lines = [key + sep + first + self.newline]
        return lines + [(indent or _CONTINUATION_INDENT) + part + self.newline for part in rest]

    def _insertion_point(self, section, key):
        """After the commented default (`#key = default`), else after the section's last line.

        Debian ships nova.conf with every option commented out in place; putting the
        setting right under its documentation keeps the file readable and diffable.
        """
        spans = self._spans(section)
        commented = re.compile(r"[#;]+[ \t]*%s(?P<sep>[ \t]*[=:][ \t]*)" % re.escape(key))
        for span in spans:
            for index in range(span.start + 1, span.end):
                match = commented.match(self.lines[index])
                if match:
                    return index + 1, match.group("sep")
        span = spans[0]
        options = self._parsed()[1]
        seps = [opt.sep for opt in options if opt.section == section] + [opt.sep for opt in options]
        index = span.end
        while index > span.start + 1 and not self.lines[index - 1].strip():
            index -= 1
        return index, (seps[0] if seps else _DEFAULT_SEP)

    def set_all(self, section, key, values):
        """Make the option hold exactly these values, in order; True when the text changed.

        Occurrences whose value stays keep their line; the others are rewritten in place,
        removed, or added next to their neighbours, so positions in the file hold.
        """
        _check_name("section", section)
        _check_name("option", key)
        found = self._occurrences(section, key)
        if isinstance(values, str):
            raise IniError("values of %s must be a list of strings, got a string" % key)
        values = list(values)
        present = [opt.value for opt in found]
        # a value already in the file is written back as it is; only new text is checked
        for value in values:
            if value not in present:
                _check_value(key, value)
        if [opt.value for opt in found] == values:
            return False
        if not found:
            self.add_section(section)
            index, sep = self._insertion_point(section, key)
            new = [line for value in values for line in self.render(key, sep, "", value)]
            self._splice(index, index, new)
            return True
        current = [opt.value for opt in found]
        matcher = difflib.SequenceMatcher(None, current, values, autojunk=False)
        for tag, i1, i2, j1, j2 in reversed(matcher.get_opcodes()):
            if tag != "equal":
                self._replace_block(found, i1, i2, values[j1:j2])
        return True

    def _replace_block(self, found, i1, i2, values):
        """Rewrite found[i1:i2] as values: pairwise in place, then delete or insert the rest."""
        pairs = min(i2 - i1, len(values))
        if len(values) > pairs:
            if i2 > i1:  # after the block, in the style of its last line
                style = found[i2 - 1]
                anchor = style.end
            else:  # before the next occurrence, or after the last one
                style = found[min(i1, len(found) - 1)]
                anchor = style.start if i1 < len(found) else style.end
            new = [line for value in values[pairs:]
                   for line in self.render(style.key, style.sep, style.indent, value)]
            self._splice(anchor, anchor, new)
        for opt in reversed(found[i1 + pairs:i2]):
            self._splice(opt.start, opt.end, [])
        for opt, value in reversed(list(zip(found[i1:i1 + pairs], values[:pairs]))):
            self._splice(opt.start, opt.end, self.render(opt.key, opt.sep, opt.indent, value))

    def set(self, section, key, value):
        """Set a single-valued option; extra occurrences go, since the last one would win."""
        return self.set_all(section, key, [value])

    def remove(self, section, key):
        """Remove every occurrence of an option (commented defaults stay)."""
        return self.set_all(section, key, [])

    def remove_value(self, section, key, value):
        """Remove one value of a multi-valued option, keeping the other lines."""
        _check_name("section", section)
        _check_name("option", key)
        _check_value(key, value)
        current = self.get_all(section, key)
        return self.set_all(section, key, [item for item in current if item != value])

    def add_section(self, section):
        """Create a missing section: DEFAULT before the first section, any other at the end."""
        _check_name("section", section)
        if self.has_section(section):
            return False
        header = "[%s]%s" % (section, self.newline)
        spans = self._parsed()[0]
        if section == "DEFAULT" and spans:
            self._splice(spans[0].start, spans[0].start, [header, self.newline])
            return True
        gap = [self.newline] if self.lines and self.lines[-1].strip() else []
        self._splice(len(self.lines), len(self.lines), gap + [header])
        return True

    def remove_section(self, section):
        """Remove a section's header and every line up to the next section."""
        _check_name("section", section)
        spans = self._spans(section)
        for span in reversed(spans):
            self._splice(span.start, span.end, [])
        return bool(spans)


def parse(text):
    """Parse INI text into an IniDocument; IniError names the first bad line."""
    return IniDocument(text)


# --------------------------------------------------------------------------- secrets


_URL_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_SECRET_QUERY_RE = re.compile(r"(?i)([?&;][^=&;#\s]*(?:password|passwd|secret|token)[^=&;#\s]*=)([^&;#\s]+)")
# a commented-out `key: value` (both readers take ':' as a separator); one word, unlike
# prose, and not the `scheme:` of a URL
_COMMENTED_COLON_RE = re.compile(
    r"(?P<key>[ \t]*[#;]+[ \t]*[A-Za-z0-9_][A-Za-z0-9_.+/-]*)(?P<sep>[ \t]*:[ \t]*)(?P<value>(?!//)\S.*?)[ \t]*$")
_COMMENTED_SECTION_RE = re.compile(r"[ \t]*[#;]+[ \t]*\[(?P<name>[^\]\s]+)\][ \t]*$")
_RANK = {None: 0, FIRST_WORD: 1, WHOLE: 2}


def _plain_key(key):
    key = key.strip().lower()
    # paste.deploy: `set name = value` overrides the global `name`
    return key[4:].lstrip() if key.startswith(("set ", "get ")) else key


def _tempauth_sections(*texts):
    """Sections of these texts that load Swift's tempauth, whatever their names."""
    found = {"filter:tempauth"}
    for text in texts:
        try:
            doc = IniDocument(text or "")
        except IniError:
            continue
        for (section, key), values in doc.values().items():
            if _plain_key(key) in ("use", "paste.filter_factory") and "tempauth" in values[-1].lower():
                found.add(section)
    return found


def _nothing_extra(section, key):  # pylint: disable=unused-argument
    return False


class _Secrets:
    """Which part of an option's value is secret: WHOLE, FIRST_WORD or None."""

    def __init__(self, secret=None, texts=()):
        self.extra = secret if callable(secret) else _nothing_extra
        self.globs = () if callable(secret) else tuple(str(item).lower() for item in (secret or ()))
        self.tempauth = _tempauth_sections(*texts)
        self._cache = {}

    def _section_matches(self, pattern, section):
        if pattern == TEMPAUTH:
            return section in self.tempauth
        return fnmatch.fnmatchcase(section, pattern)

    def how(self, section, key):
        if (section, key) not in self._cache:
            self._cache[(section, key)] = self._how(section, key)
        return self._cache[(section, key)]

    def _how(self, section, key):
        name = _plain_key(key)
        if self.extra(section, key):
            return WHOLE
        if any(fnmatch.fnmatchcase(name, glob) for glob in self.globs):
            return WHOLE
        if any(fnmatch.fnmatchcase(name, glob) and fnmatch.fnmatchcase(section or "", sect)
               for sect, glob in NOT_SECRET):
            return None
        for sect, glob, how in SECRET_OPTIONS:
            if fnmatch.fnmatchcase(name, glob) and self._section_matches(sect, section or ""):
                return how
        return None

    def strongest(self, sections, key):
        return max((self.how(section, key) for section in sections), key=_RANK.get)


def secret_predicate(secret=None):
    """Turn the `secret` argument into a predicate(section, key) -> bool.

    The built-in SECRET_OPTIONS always apply; `secret` adds to them: a list of globs
    matched against the lower-cased option name, or a predicate(section, key).
    """
    secrets = _Secrets(secret)
    return lambda section, key: secrets.how(section, key) is not None


def mask_urls(text):
    """text with the password of every URL's userinfo, and secret query values, masked.

    `mysql+pymysql://nova:PASS@db/nova` becomes `mysql+pymysql://nova:********@db/nova`.
    A password may hold a raw '@' or '/' that some readers accept, so everything up to the
    last '@' before the next URL is taken as userinfo: a multi-host rabbit URL loses its
    first hosts to the mask rather than risking part of a password.
    """
    starts = list(_URL_SCHEME_RE.finditer(text))
    pieces, done = [], 0
    for index, match in enumerate(starts):
        end = starts[index + 1].start() if index + 1 < len(starts) else len(text)
        region = text[match.end():end]
        at = region.rfind("@")
        colon = region.find(":", 0, at) if at > 0 else -1
        if colon < 0 or colon + 1 == at:
            continue  # no userinfo, a user without a password, or an empty password
        pieces.append(text[done:match.end() + colon + 1])
        pieces.append(MASK)
        done = match.end() + at
    pieces.append(text[done:])
    return _SECRET_QUERY_RE.sub(lambda m: m.group(1) + MASK, "".join(pieces))


def _spans_lines_with_url(parts):
    """A URL on one line whose userinfo could end on a later one: mask it all."""
    for index, part in enumerate(parts):
        if _URL_SCHEME_RE.search(part) and any("@" in later for later in parts[index + 1:]):
            return True
    return False


def _masked_parts(parts, how):
    """The value's lines (continuation lines, comment lines inside it) with secrets masked."""
    if how == WHOLE or _spans_lines_with_url(parts):
        return [MASK if part.strip() else part for part in parts]
    parts = list(parts)
    if how == FIRST_WORD:
        for index, part in enumerate(parts):
            if part.strip() and not part.lstrip().startswith(("#", ";")):
                parts[index] = re.sub(r"\S+", MASK, part, count=1)
                break
    return [mask_urls(part) for part in parts]


def mask_value(section, key, value, secret=None, context=()):
    """The value (a string, a list of them, or None) as a summary may show it.

    context: the texts the option comes from, so a renamed tempauth section is known.
    """
    how = _Secrets(secret, context).how(section, key)
    if value is None:
        return None
    if isinstance(value, list):
        return [_mask_one(item, how) for item in value]
    return _mask_one(value, how)


def _mask_one(value, how):
    if how == WHOLE:
        return MASK
    return "\n".join(_masked_parts(value.split("\n"), how))


def _split_option_line(content):
    match = _OPTION_RE.match(content)
    head = match.group("key") + match.group("sep")
    return head, content[len(head):]


def mask_secrets(text, secret=None, context=()):
    """The text with every secret masked, line by line, so that masked texts diff like the real ones.

    Secret options (SECRET_OPTIONS, plus `secret`) lose their value, tempauth users their
    key, every URL its password: in active options, multi-line values, commented-out
    options (`#password = ...`, also under a commented-out `# [section]`) and prose.
    context: other texts whose sections count (a diff passes the other side).
    """
    secrets = _Secrets(secret, (text,) + tuple(context))
    doc = IniDocument(text)
    lines = list(doc.lines)
    sections, options = _scan(lines)
    in_option = set()
    for opt in options:
        in_option.update(range(opt.start, opt.end))
        how = secrets.how(opt.section, opt.key)
        heads, parts, endings = [], [], []
        for index in range(opt.start, opt.end):
            content = _content(lines[index])
            if index == opt.start:
                head, body = _split_option_line(content)
            else:
                body = content.lstrip(" \t")
                head = content[:len(content) - len(body)]
            heads.append(head)
            parts.append(body)
            endings.append(lines[index][len(content):])
        for index, head, body, ending in zip(range(opt.start, opt.end), heads, _masked_parts(parts, how), endings):
            lines[index] = head + body + ending
    starts = {span.start: span.name for span in sections}
    section = commented_section = None
    for index, line in enumerate(lines):
        if index in starts:
            section, commented_section = starts[index], None
        if index in in_option or index in starts:
            continue
        content = _content(line)
        header = _COMMENTED_SECTION_RE.match(content)
        if header:
            commented_section = header.group("name")
            continue
        match = _COMMENTED_RE.match(content) or _COMMENTED_COLON_RE.match(content)
        if match:
            key = match.group("key").lstrip(" \t#;")
            named = [name for name in (section, commented_section) if name is not None]
            how = secrets.strongest(named or [None], key)
            value, = _masked_parts([match.group("value")], how)
            content = match.group("key") + match.group("sep") + value
        else:
            content = mask_urls(content)
        lines[index] = content + line[len(_content(line)):]
    doc.lines = lines
    return doc.text


def changes(before, after, secret=None):
    """What an edit did, option by option, with secrets masked.

    A list of {section, key, action (added|changed|removed), before, after}; a value
    is a string, or a list for a multi-valued option, or None when absent.
    """
    secrets = _Secrets(secret, (before, after))
    old = IniDocument(before or "").values()
    new = IniDocument(after or "").values()
    result = []
    for section, key in list(new) + [item for item in old if item not in new]:
        was, now = old.get((section, key)), new.get((section, key))
        if was == now:
            continue
        action = "added" if was is None else "removed" if now is None else "changed"
        how = secrets.how(section, key)
        was, now = [None if values is None else [_mask_one(value, how) for value in values]
                    for values in (was, now)]
        was = was[0] if was is not None and len(was) == 1 else was
        now = now[0] if now is not None and len(now) == 1 else now
        result.append({"section": section, "key": key, "action": action,
                       "before": was, "after": now})
    return result


def diff(before, after, path, secret=None):
    """Ansible's diff dict for an edit of path, secrets masked in both texts alike."""
    return {
        "before": mask_secrets(before or "", secret, context=(after or "",)),
        "after": mask_secrets(after or "", secret, context=(before or "",)),
        "before_header": path,
        "after_header": path,
    }


# --------------------------------------------------------------------------- file I/O


class IniWriteError(IniError):
    """A write that failed part-way: whether the file changed, and the backup copy kept, if any."""

    def __init__(self, message, changed=False, backup_file=None):
        super().__init__(message)
        self.changed = changed
        self.backup_file = backup_file


def _kind(mode):
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def _too_big(path, size, limit):
    return IniError("%s is %d bytes or more, larger than the %d bytes (%d MiB) a configuration file may have; "
                    "is it the right file?" % (path, size, limit, limit // (1024 * 1024)))


def _check_path(path):
    if not isinstance(path, str) or not path or "\0" in path:
        raise IniError("%r is not a usable file path" % (path,))


def _read_bytes(path, limit):
    """The bytes of the regular file at path, or None if it does not exist.

    Anything but a regular file is refused before it is opened: opening a FIFO waits for
    a writer forever, opening a device can have side effects. The check is repeated on
    the open descriptor, in case the path changed in between.
    """
    _check_path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(info.st_mode):
        raise IniError("%s is %s, expected a regular file" % (path, _kind(info.st_mode)))
    if info.st_size > limit:
        raise _too_big(path, info.st_size, limit)
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise IniError("%s is %s, expected a regular file" % (path, _kind(info.st_mode)))
        chunks, size = [], 0
        while True:
            chunk = os.read(fd, 1024 * 1024)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise _too_big(path, size, limit)
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


def read_file(path, limit=MAX_FILE_BYTES):
    """The file's text exactly as stored (no newline translation), or None if missing.

    IniError when the path is not a regular file, is larger than `limit` bytes, or is
    not UTF-8 (naming the line of the first bad byte).
    """
    data = _read_bytes(path, limit)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise IniError("%s is not UTF-8 text: byte 0x%02x on line %d cannot be decoded (%s); "
                       "expected a UTF-8 configuration file"
                       % (path, data[exc.start], data.count(b"\n", 0, exc.start) + 1, exc.reason)) from exc


def _discard(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _private_file(directory, path, data, mode):
    """A new file beside path holding data, only ever readable as `mode` allows (at most 0600)."""
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    try:
        os.fchmod(fd, mode & 0o600)  # mkstemp gives 0600; narrower still if the original is
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    except BaseException:
        os.close(fd)
        _discard(tmp)
        raise
    os.close(fd)
    return tmp


def _copy_metadata(source, target, info, keep_times=False):
    """Give target the owner, group, extended attributes (POSIX ACLs, SELinux label) and mode of source.

    The owner goes first and the mode last, so the copy never grants anyone more than the
    original does; where the group cannot be given (not root), the group bits are left
    off rather than granted to our own group.
    """
    try:
        os.chown(target, info.st_uid, info.st_gid)
    except OSError as exc:
        if exc.errno != errno.EPERM:
            raise
    mode = stat.S_IMODE(info.st_mode)
    if os.stat(target).st_gid != info.st_gid:
        mode &= ~0o070
    try:
        names = os.listxattr(source)
    except OSError as exc:
        if exc.errno not in (errno.ENOTSUP, errno.EPERM, errno.EACCES):
            raise
        names = []
    for name in names:
        try:
            os.setxattr(target, name, os.getxattr(source, name))
        except OSError as exc:
            # as shutil.copystat: what this process or file system cannot set is left out
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.ENODATA, errno.EINVAL, errno.EACCES):
                raise
    os.chmod(target, mode)  # after the ACL, whose mask follows the group bits
    if keep_times:
        os.utime(target, ns=(info.st_atime_ns, info.st_mtime_ns))


def _link_unique(source, path):
    """Give source a new name `path.<date>@<time>~` that did not exist (never replacing a file or following a link)."""
    stamp = time.strftime("%Y-%m-%d@%H:%M:%S")
    candidate, count = "%s.%s~" % (path, stamp), 1
    while True:
        try:
            os.link(source, candidate)
            return candidate
        except FileExistsError:
            candidate, count = "%s.%s.%d~" % (path, stamp, count), count + 1
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EMLINK) or os.path.lexists(candidate):
                raise
            os.rename(source, candidate)  # a file system without hard links
            return candidate


def _backup(path, info, label=None):
    """A copy of path beside it, as private as the original from the first byte, under a new name."""
    data = _read_bytes(path, max(info.st_size, MAX_FILE_BYTES))
    tmp = _private_file(os.path.dirname(path), path, data, stat.S_IMODE(info.st_mode))
    try:
        _copy_metadata(path, tmp, info, keep_times=True)
        if label is not None:
            label(tmp, path)
        return _link_unique(tmp, path)
    finally:
        _discard(tmp)


def _replace(tmp, path, info):
    """The engine's own atomic replace; AnsibleModule.atomic_move is ini_module's."""
    if info is not None:
        _copy_metadata(path, tmp, info)
    os.rename(tmp, path)


def _fsync_directory(directory):
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _current_bytes(path):
    try:
        return _read_bytes(path, MAX_FILE_BYTES * 2)
    except (OSError, IniError):
        return b"\0unreadable"


def write_file(path, text, mode=0o640, backup=False, check_mode=False, replace=None, label=None):
    """Write text to path if it differs; return {changed, backup_file}.

    An existing file keeps its owner, group, mode, POSIX ACLs and other extended
    attributes (a symlink is followed, so the link stays a link); a new one gets `mode`.
    The new text goes to a private temp file beside the original and is renamed over it:
    never half a file, and no moment where the temp file or the backup copy is readable
    by anyone the original does not allow. Unchanged text touches nothing, not even the
    timestamp. In check mode the answer is the same but nothing is written.

    Refused (IniError): a path that is not a regular file (FIFO, device, directory), and a
    file with several hard links, which a rename would split (the other names would keep
    the old text); edit it through one name, or replace the other links by symlinks.

    replace(tmp, path): puts the finished temp file in place; default the engine's own
    rename, ini_module passes AnsibleModule.atomic_move (SELinux context). label(copy, path):
    gives the backup copy the original's SELinux context. A failed write raises
    IniWriteError saying whether the file changed; a backup is removed when the file did
    not change, else kept and named in the error.
    """
    _check_path(path)
    path = os.path.realpath(path)
    current = read_file(path)
    result = {"changed": current != text, "backup_file": None}
    if not result["changed"]:
        return result
    info = os.stat(path) if current is not None else None
    if info is not None and info.st_nlink > 1:
        raise IniError("%s has %d hard links: writing it would split them (the other names would keep the old "
                       "text); edit it through one name, or replace the other links by symlinks"
                       % (path, info.st_nlink))
    if check_mode:
        return result
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise IniError("the new text of %s cannot be written as UTF-8: %s" % (path, exc.reason)) from exc
    directory = os.path.dirname(path)
    tmp = _private_file(directory, path, data, stat.S_IMODE(info.st_mode) if info else mode)
    backup_file = None
    try:
        if backup and info is not None:
            backup_file = _backup(path, info, label)
        if replace is None:
            _replace(tmp, path, info)
        else:
            replace(tmp, path)
        if info is None:
            os.chmod(path, mode)
        _fsync_directory(directory)
    except Exception as exc:
        _discard(tmp)
        changed = (os.path.lexists(path) if current is None
                   else _current_bytes(path) != current.encode("utf-8"))
        if backup_file is not None and not changed:
            _discard(backup_file)
            backup_file = None
        message = str(exc) or type(exc).__name__
        if changed:
            message += "; %s was changed before the failure" % path
        if backup_file is not None:
            message += "; its previous text is in the backup %s" % backup_file
        raise IniWriteError(message, changed=changed, backup_file=backup_file) from exc
    result["backup_file"] = backup_file
    return result
