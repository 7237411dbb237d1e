"""Fail when a secret that a test set appears in that test's output.

    check_secret_leaks.py [--label NAME] [--secrets-from PATH]... [--secrets-json FILE]... OUTPUT...

The secrets are collected from what the test itself set, so that a new password cannot
be forgotten:

  --secrets-from PATH   a YAML/JSON file, or a directory searched for *.yml, *.yaml and
                        *.json: every string set under a name that looks secret
                        (password, passwd, secret, token, key, auth, passphrase,
                        credential, ...; see is_secret_name) anywhere in the file,
                        including inside lists and dicts (galera_cluster_users[].password)
  --secrets-json FILE   a JSON object whose every string value is a secret (the
                        OpenStack lab's passwords.json)

Every OUTPUT file (a molecule or integration log, run with ANSIBLE_DIFF_ALWAYS so that
--diff output is in it) is searched line by line for each secret as written, and in the
forms Ansible's output may show it (JSON and YAML escaping, option-file escaping). A hit
is reported as OUTPUT:LINE with the name of the variable and where it was set, never the
secret itself; the exit code is then 1. Values that are templates ("{{ ... }}") cannot be
searched for and are counted as such; values shorter than MIN_LENGTH characters are listed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys

import yaml

MIN_LENGTH = 6
# a name is secret when its last word is one of these ...
SECRET_LAST_WORDS = {
    "password", "passwd", "pass", "pwd", "secret", "token", "key", "auth", "passphrase",
    "credential", "credentials", "apikey", "psk", "pw",
}
# ... or when any word is one of these, unless the last word says it is not the secret itself
SECRET_ANY_WORDS = {"password", "passwd", "secret", "passphrase", "credentials"}
NOT_SECRET_LAST_WORDS = {
    "file", "files", "path", "dir", "set", "enabled", "length", "name", "user", "username",
    "src", "url", "uri", "id", "type", "policy", "mode", "fingerprint", "staging", "keyring",
}
SEARCHED_SUFFIXES = (".yml", ".yaml", ".json")
SKIPPED_DIRS = {".git", ".cache", "__pycache__", ".venv", "node_modules"}


def words(name):
    """The lower-case words of a variable name (snake, kebab, dotted or camel case)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", str(name))
    return [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]


def is_secret_name(name):
    parts = words(name)
    if not parts:
        return False
    if parts[-1] in SECRET_LAST_WORDS:
        return True
    return bool(SECRET_ANY_WORDS.intersection(parts)) and parts[-1] not in NOT_SECRET_LAST_WORDS


class Secret:
    def __init__(self, value, name, source, line):
        self.value = value
        self.name = name
        self.source = source
        self.line = line

    def where(self):
        return "%s:%s" % (self.source, self.line) if self.line else self.source


def _scalars(node):
    """Every scalar node under node."""
    if isinstance(node, yaml.ScalarNode):
        yield node
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _scalars(item)
    elif isinstance(node, yaml.MappingNode):
        for _key, value in node.value:
            yield from _scalars(value)


def _walk(node, path, found):
    """Collect (name, scalar node) for every value set under a secret-looking name."""
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            name = key.value if isinstance(key, yaml.ScalarNode) else "?"
            here = path + [str(name)]
            if is_secret_name(name) and not isinstance(value, yaml.MappingNode):
                for scalar in _scalars(value):
                    found.append((".".join(here), scalar))
            else:
                _walk(value, here, found)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, path[:-1] + ["%s[%d]" % (path[-1], index)] if path else ["[%d]" % index], found)


def _plain_string(scalar):
    """The string a YAML scalar holds, or None when it is not a string (bool, int, null)."""
    if scalar.tag != "tag:yaml.org,2002:str" and scalar.style is None:
        resolved = yaml.safe_load(scalar.value) if scalar.value else None
        if not isinstance(resolved, str):
            return None
    return scalar.value


def secrets_from_yaml(path, display):
    try:
        with open(path, encoding="utf-8") as handle:
            documents = list(yaml.compose_all(handle, Loader=yaml.SafeLoader))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        # files with custom tags (!vault, !unsafe) or templates: read what can be read
        try:
            with open(path, encoding="utf-8") as handle:
                documents = list(yaml.compose_all(handle, Loader=_TolerantLoader))
        except (yaml.YAMLError, UnicodeDecodeError):
            print("note: %s is not YAML that can be read (%s); no secrets taken from it"
                  % (display, str(exc).splitlines()[0]))
            return []
    found = []
    for document in documents:
        if document is not None:
            _walk(document, [], found)
    result = []
    for name, scalar in found:
        value = _plain_string(scalar)
        if value is None:
            continue
        result.append(Secret(value, name, display, scalar.start_mark.line + 1))
    return result


class _TolerantLoader(yaml.SafeLoader):
    """SafeLoader that reads any tag as a plain node."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def secrets_from_json_values(path, display):
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    if not isinstance(data, dict):
        raise SystemExit("%s: expected a JSON object" % display)
    return [Secret(v, str(k), display, None) for k, v in data.items() if isinstance(v, str)]


def files_under(path):
    if os.path.isfile(path):
        return [path]
    found = []
    for root, dirs, files in os.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(SEARCHED_SUFFIXES))
    return found


def _option_file_form(value):
    out = []
    for char in value:
        out.append({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b"}.get(char, char))
    return "".join(out)


def forms(value):
    """The ways a value may be written in Ansible's output."""
    candidates = {
        value,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        repr(value)[1:-1],
        value.replace("'", "''"),
        _option_file_form(value),
    }
    # a value with a line break is searched for line by line: its longest line stands for it
    if "\n" in value:
        candidates.discard(value)
        longest = max(value.split("\n"), key=len)
        if len(longest) >= MIN_LENGTH:
            candidates.add(longest)
    return sorted(c for c in candidates if c)


def check(outputs, secrets, label):
    searchable = []
    notes = []
    templates = 0
    for secret in secrets:
        if "{{" in secret.value or "{%" in secret.value:
            templates += 1
        elif len(secret.value) < MIN_LENGTH:
            if secret.value:
                notes.append("%s (%s) is shorter than %d characters, too short to search for reliably"
                             % (secret.name, secret.where(), MIN_LENGTH))
        else:
            searchable.append(secret)
    leaks = []
    lines_read = 0
    for output in outputs:
        with open(output, "rb") as handle:
            for number, raw in enumerate(handle, 1):
                lines_read += 1
                line = raw.decode("utf-8", "surrogateescape")
                for secret in searchable:
                    if any(form in line for form in forms(secret.value)):
                        leaks.append("%s:%d: the value of %s (set at %s) is in the output"
                                     % (output, number, secret.name, secret.where()))
    if templates:
        notes.append("%d value(s) under secret names are templates, which cannot be searched for (the variables "
                     "they use are, where these files set them)" % templates)
    for note in notes:
        print("%s: note: %s" % (label, note))
    for leak in leaks:
        print("%s: LEAK: %s" % (label, leak))
    distinct = len(set(s.value for s in searchable))
    if leaks:
        print("%s: %d line(s) of output show a secret the test set (%d secret(s) searched for, the secrets "
              "themselves are not printed)" % (label, len(leaks), distinct))
        return 1
    print("%s: no secret in %d line(s) of output (%d secret(s) searched for)" % (label, lines_read, distinct))
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--label", default="secret leak check", help="prefix of every message")
    parser.add_argument("--secrets-from", action="append", default=[], metavar="PATH",
                        help="YAML/JSON file or directory with the variables the test set")
    parser.add_argument("--secrets-json", action="append", default=[], metavar="FILE",
                        help="JSON object whose every string value is a secret")
    parser.add_argument("outputs", nargs="+", metavar="OUTPUT", help="output files to search")
    args = parser.parse_args(argv)
    secrets = []
    for path in args.secrets_from:
        if not os.path.exists(path):
            parser.error("--secrets-from %s does not exist" % path)
        for name in files_under(path):
            secrets.extend(secrets_from_yaml(name, os.path.relpath(name)))
    for path in args.secrets_json:
        if os.path.exists(path):
            secrets.extend(secrets_from_json_values(path, os.path.basename(path)))
        else:
            print("%s: note: %s does not exist, no secrets taken from it" % (args.label, path))
    for output in args.outputs:
        if not os.path.isfile(output):
            parser.error("output %s does not exist" % output)
    return check(args.outputs, secrets, args.label)


if __name__ == "__main__":
    sys.exit(main())
