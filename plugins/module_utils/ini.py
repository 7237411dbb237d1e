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
"""

from __future__ import annotations

import collections
import difflib
import fnmatch
import os
import re
import shutil
import tempfile
import time

MASK = "********"

# Key names whose values never appear in a summary or a diff. Globs on the lower-cased
# key: passwords, message-bus and database URLs (they embed credentials), tokens, keys.
SECRET_KEYS = (
    "*password*", "*passwd*", "*secret*", "transport_url", "connection", "*_connection",
    "connection_string", "backend_url", "*_token", "token", "*_key", "key",
)

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
            message = "line %d: %s: %r" % (lineno, message, line)
        super().__init__(message)
        self.lineno = lineno
        self.line = line


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
    if not isinstance(name, str) or not name.strip() or name != name.strip() or "\n" in name:
        raise IniError("%s name %r must be a non-empty string without surrounding blanks" % (kind, name))
    if kind == "option" and (re.search(r"[=:\r]", name) or name[0] in "#;["):
        raise IniError("option name %r cannot contain '=' or ':' or start with '#', ';', '['" % name)
    if kind == "section" and "]" in name:
        raise IniError("section name %r cannot contain ']'" % name)
    return name


def _check_value(key, value):
    """Only values that read back identically may be written, or no run is idempotent."""
    if not isinstance(value, str):
        raise IniError("value of %s must be a string, got %s %r" % (key, type(value).__name__, value))
    parts = value.split("\n")
    if any(part != part.strip() for part in parts) or "" in parts[1:]:
        raise IniError("value of %s cannot be written as INI: no leading or trailing blanks "
                       "on a line, no empty continuation line: %r" % (key, value))
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
        values = [_check_value(key, value) for value in values]
        found = self._occurrences(section, key)
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
        spans = self._spans(section)
        for span in reversed(spans):
            self._splice(span.start, span.end, [])
        return bool(spans)


def parse(text):
    """Parse INI text into an IniDocument; IniError names the first bad line."""
    return IniDocument(text)


def secret_predicate(secret=None):
    """Turn the `secret` argument into a predicate(section, key) -> bool.

    None means the built-in SECRET_KEYS; a callable is used as is; a list of globs
    is matched against the lower-cased key in addition to SECRET_KEYS.
    """
    if callable(secret):
        return secret
    patterns = tuple(SECRET_KEYS) + tuple(str(item).lower() for item in (secret or ()))

    def is_secret(section, key):  # pylint: disable=unused-argument
        key = key.lower()
        return any(fnmatch.fnmatchcase(key, pattern) for pattern in patterns)
    return is_secret


def _mask(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [MASK] * len(value)
    return MASK


def mask_secrets(text, secret=None):
    """The text with the value of every secret option (also commented out) replaced by MASK.

    Line by line, so a diff of two masked texts lines up with the real one.
    """
    is_secret = secret_predicate(secret)
    doc = IniDocument(text)
    sections, options = _scan(doc.lines)
    for opt in options:
        if is_secret(opt.section, opt.key) and opt.value:
            masked = "\n".join([MASK] * (opt.end - opt.start))
            doc.lines[opt.start:opt.end] = doc.render(opt.key, opt.sep, opt.indent, masked)
    starts = {span.start: span.name for span in sections}
    section = None
    for index, line in enumerate(doc.lines):
        section = starts.get(index, section)
        match = _COMMENTED_RE.match(_content(line))
        if match and is_secret(section, match.group("key").lstrip(" \t#;")):
            doc.lines[index] = match.group("key") + match.group("sep") + MASK + doc.newline
    return doc.text


def changes(before, after, secret=None):
    """What an edit did, option by option, with secret values masked.

    A list of {section, key, action (added|changed|removed), before, after}; a value
    is a string, or a list for a multi-valued option, or None when absent.
    """
    is_secret = secret_predicate(secret)
    old = IniDocument(before or "").values()
    new = IniDocument(after or "").values()
    result = []
    for section, key in list(new) + [item for item in old if item not in new]:
        was, now = old.get((section, key)), new.get((section, key))
        if was == now:
            continue
        action = "added" if was is None else "removed" if now is None else "changed"
        was = was[0] if was is not None and len(was) == 1 else was
        now = now[0] if now is not None and len(now) == 1 else now
        if is_secret(section, key):
            was, now = _mask(was), _mask(now)
        result.append({"section": section, "key": key, "action": action,
                       "before": was, "after": now})
    return result


def diff(before, after, path, secret=None):
    """Ansible's diff dict for an edit of path, secrets masked in both texts."""
    return {
        "before": mask_secrets(before or "", secret),
        "after": mask_secrets(after or "", secret),
        "before_header": path,
        "after_header": path,
    }


# --------------------------------------------------------------------------- file I/O


def read_file(path):
    """The file's text exactly as stored (no newline translation), or None if missing."""
    try:
        with open(path, "r", encoding="utf-8", newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as exc:
        raise IniError("%s is not UTF-8 text: %s" % (path, exc)) from exc


def _backup_path(path):
    stamp = time.strftime("%Y-%m-%d@%H:%M:%S")
    candidate, count = "%s.%s~" % (path, stamp), 1
    while os.path.lexists(candidate):
        candidate, count = "%s.%s.%d~" % (path, stamp, count), count + 1
    return candidate


def _backup(path, stat):
    target = _backup_path(path)
    shutil.copy2(path, target)
    os.chown(target, stat.st_uid, stat.st_gid)
    return target


def _atomic_write(path, data, mode, uid, gid):
    """Write to a temp file beside path, fsync, then rename over it: never half a file."""
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".%s." % os.path.basename(path), suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if uid is not None:
                os.fchown(handle.fileno(), uid, gid)
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.lexists(tmp):
            os.unlink(tmp)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def write_file(path, text, mode=0o640, backup=False, check_mode=False):
    """Write text to path if it differs; return {changed, backup_file}.

    An existing file keeps its owner, group and mode (a symlink is followed, so the
    link stays a link); a new one gets `mode`. Unchanged text touches nothing, not
    even the timestamp. In check mode the answer is the same but nothing is written.
    """
    path = os.path.realpath(path)
    current = read_file(path)
    result = {"changed": current != text, "backup_file": None}
    if not result["changed"] or check_mode:
        return result
    uid = gid = None
    if current is not None:
        stat = os.stat(path)
        uid, gid, mode = stat.st_uid, stat.st_gid, stat.st_mode & 0o7777
        if backup:
            result["backup_file"] = _backup(path, stat)
    _atomic_write(path, text.encode("utf-8"), mode, uid, gid)
    return result
