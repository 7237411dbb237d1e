# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Swift's S3 API with Keystone (EC2 credentials) in proxy-server.conf.

Two generations of the middleware exist:

- ``current``: s3api and s3token ship with Swift (``egg:swift#s3api``,
  ``egg:swift#s3token``). Measured on Swift 2.38 with Keystone, S3 requests
  authenticate only in the order ``authtoken s3api s3token keystoneauth``; the
  other order answers SignatureDoesNotMatch.
- ``legacy``: the separate swift3 egg of the Kilo era with keystonemiddleware's
  s3_token, in the order ``swift3 s3token authtoken keystoneauth``.

Pure functions on plain values and on ini.IniDocument texts, so they unit-test
without Ansible. Errors are SwiftPipelineError with a sentence a person can act on.
"""

from __future__ import annotations

import collections
import re

from urllib.parse import urlsplit

from ansible_collections.stackops.openstack.plugins.module_utils import ini

STYLES = ("current", "legacy")
APP = "proxy-server"
S3_FILTERS = ("s3api", "swift3", "s3token")

# What each style writes. `filter` is the S3 protocol filter; `insert_before` is the
# element the two new filters go right in front of; `s3token_drop` is the other
# style's loader line, which would otherwise win (`use`) or confuse (`paste.filter_factory`).
_STYLE = {
    "current": {
        "filter": "s3api",
        "other_filter": "swift3",
        "insert": ("s3api", "s3token"),
        "insert_before": "keystoneauth",
        "filter_settings": (("use", "egg:swift#s3api"),),
        "s3token_loader": ("use", "egg:swift#s3token"),
        "s3token_drop": ("paste.filter_factory",),
        "s3token_version": "/v3",
        "s3token_service_auth": True,
        "authtoken": ("www_authenticate_uri", "auth_url"),
        # authtoken runs before s3api here: unless it lets requests without a token through,
        # it answers every S3 request 401 before s3api has read its signature
        "delay_auth_decision": True,
    },
    "legacy": {
        "filter": "swift3",
        "other_filter": "s3api",
        "insert": ("swift3", "s3token"),
        "insert_before": "authtoken",
        "filter_settings": (("use", "egg:swift3#swift3"),),
        "s3token_loader": ("paste.filter_factory", "keystonemiddleware.s3_token:filter_factory"),
        "s3token_drop": ("use",),
        "s3token_version": "",
        "s3token_service_auth": False,
        "authtoken": ("identity_uri", "auth_uri"),
        # s3token runs first and hands authtoken a token: nothing to delay
        "delay_auth_decision": False,
    },
}
# The S3 filters' own default region, the one option whose default differs between them:
# swift3 "US" (swift3/cfg.py of openstack/swift3, its last state before the repository was
# retired), Swift's s3api "us-east-1" (swift/common/middleware/s3api/s3api.py, Swift 2.38).
# The region is part of every v4 signature, so a change of style must keep the one in use.
DEFAULT_LOCATION = {"current": "us-east-1", "legacy": "US"}
_LOADER_KEYS = ("use", "paste.filter_factory")

_S3TOKEN_MANAGED = ("use", "paste.filter_factory", "auth_uri")
SERVICE_AUTH_KEYS = ("auth_type", "auth_url", "username", "password", "project_name", "project_domain_name",
                     "project_domain_id", "user_domain_name", "user_domain_id", "region_name")
_VERSION_SUFFIX_RE = re.compile(r"/v(?:2\.0|3)/?$")
_BOOLEAN_WORDS = {"true": True, "yes": True, "on": True, "1": True,
                  "false": False, "no": False, "off": False, "0": False}

S3apiEdit = collections.namedtuple("S3apiEdit", "text pipeline_before pipeline_after")


class SwiftPipelineError(ValueError):
    """A proxy-server.conf, or an option, that S3 with Keystone cannot be set up on."""


def _check_style(style):
    if style not in STYLES:
        raise SwiftPipelineError("style is %r, expected one of %s" % (style, ", ".join(STYLES)))
    return _STYLE[style]


def words(value):
    """The elements of a `pipeline` value (blanks and continuation lines separate them)."""
    return (value or "").split()


def plan_pipeline(pipeline_words, style="current"):
    """The pipeline with the S3 filters of `style` in their working order.

    current: ``... authtoken ... s3api s3token keystoneauth ...`` (the pair goes right
    before keystoneauth); legacy: ``... swift3 s3token authtoken keystoneauth ...`` (the
    pair goes right before authtoken). Any s3api, swift3 or s3token already present,
    of either style, is taken out first; every other element keeps its place and order,
    so a pipeline that is already right comes back unchanged.
    """
    spec = _check_style(style)
    pipeline = list(pipeline_words)
    if not pipeline:
        raise SwiftPipelineError("the pipeline is empty; expected a list of filters ending with %s" % APP)
    if pipeline[-1] != APP:
        raise SwiftPipelineError("the pipeline must end with the %s app, but it ends with %s"
                                 % (APP, pipeline[-1]))
    missing = [name for name in ("authtoken", "keystoneauth") if name not in pipeline]
    if missing:
        raise SwiftPipelineError(
            "the pipeline has no %s: s3token needs Keystone auth, so set up the proxy for Keystone "
            "first (authtoken ... keystoneauth in the pipeline, [filter:authtoken] and "
            "[filter:keystoneauth] sections); pipeline is: %s" % (" and no ".join(missing), " ".join(pipeline)))
    for name in ("authtoken", "keystoneauth"):
        if pipeline.count(name) > 1:
            raise SwiftPipelineError("%s appears %d times in the pipeline, expected once: %s"
                                     % (name, pipeline.count(name), " ".join(pipeline)))
    if pipeline.index("authtoken") > pipeline.index("keystoneauth"):
        raise SwiftPipelineError("s3token needs Keystone auth in the order authtoken ... keystoneauth, "
                                 "but keystoneauth comes before authtoken: %s" % " ".join(pipeline))
    result = [name for name in pipeline if name not in S3_FILTERS]
    at = result.index(spec["insert_before"])
    result[at:at] = list(spec["insert"])
    return result


def keystone_base_url(url):
    """The Keystone URL without a trailing slash; SwiftPipelineError when it is not one.

    Expected is the base URL (``http://controller:5000``): each style appends the API
    version where it needs one, so a URL ending in /v3 or /v2.0 is refused.
    """
    if not isinstance(url, str) or not url.strip():
        raise SwiftPipelineError("keystone_url is empty, expected an http(s) URL such as http://controller:5000")
    if url != url.strip() or re.search(r"\s", url):
        raise SwiftPipelineError("keystone_url %r contains blanks, expected an http(s) URL such as "
                                 "http://controller:5000" % url)
    try:
        parts = urlsplit(url)
        if parts.port == 0:  # reading the port raises ValueError on one that is not a number
            raise ValueError("port 0")
    except ValueError as exc:
        raise SwiftPipelineError("keystone_url %r is not a valid URL: %s" % (url, exc)) from exc
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SwiftPipelineError("keystone_url %r is not an http(s) URL, expected for example "
                                 "http://controller:5000" % url)
    if parts.username is not None or parts.password is not None:
        raise SwiftPipelineError("keystone_url must not contain credentials (user:password@), "
                                 "got one for host %s" % parts.hostname)
    if parts.query or parts.fragment:
        raise SwiftPipelineError("keystone_url %r must not have a query or fragment" % url)
    if _VERSION_SUFFIX_RE.search(parts.path):
        raise SwiftPipelineError("keystone_url %r ends with an API version; give the base URL (%s), "
                                 "the version is added where it is needed"
                                 % (url, _VERSION_SUFFIX_RE.sub("", url)))
    return url.rstrip("/")


def _option_value(section, key, value, current):
    """A user-given option value as INI text; None means remove the option."""
    if value is None:
        return None
    if isinstance(value, bool):
        if current is not None and _BOOLEAN_WORDS.get(current.strip().lower()) is value:
            return current  # `False` and `false` mean the same: keep the line as it is
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise SwiftPipelineError("[%s] %s: value must be a string, number or boolean, got %s"
                             % (section, key, type(value).__name__))


def _check_options(kind, options, managed):
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise SwiftPipelineError("%s must be a dict of option names to values, got %s"
                                 % (kind, type(options).__name__))
    clash = sorted(key for key in options if key in managed)
    if clash:
        raise SwiftPipelineError("%s cannot set %s: the module writes %s from style and keystone_url"
                                 % (kind, ", ".join(clash), "it" if len(clash) == 1 else "them"))
    return options


def _apply_options(doc, section, options):
    for key, value in options.items():
        try:
            text = _option_value(section, key, value, doc.get(section, key))
            if text is None:
                doc.remove(section, key)
            else:
                doc.set(section, key, text)
        except ini.IniError as exc:
            raise SwiftPipelineError("[%s] %s: %s" % (section, key, exc)) from exc


def _layout(old_value, new_words):
    """The new pipeline value in the line layout of the old one.

    Elements stay on their line; the inserted ones join the line of the element they go
    in front of; a line left without elements goes, so only the lines that changed
    differ in a diff.
    """
    old_lines = old_value.split("\n")
    line_words = [line.split() for line in old_lines]
    kept = [(word, number) for number, items in enumerate(line_words)
            for word in items if word not in S3_FILTERS]
    placed = [[] for line in old_lines]
    cursor = 0
    for word in new_words:
        if cursor < len(kept) and kept[cursor][0] == word:
            placed[kept[cursor][1]].append(word)
            cursor += 1
        elif cursor < len(kept):
            placed[kept[cursor][1]].append(word)
        else:  # not a plan of this value: one line
            return " ".join(new_words)
    if cursor != len(kept):
        return " ".join(new_words)
    lines = []
    for number, items in enumerate(placed):
        if items == line_words[number]:
            lines.append(old_lines[number])
        elif items:
            lines.append(" ".join(items))
    return "\n".join(lines)


def _referenced(doc):
    """Every element named by any [pipeline:*] section."""
    names = set()
    for section in doc.sections():
        if section.startswith("pipeline:"):
            names.update(words(doc.get(section, "pipeline")))
    return names


def _lines(doc):
    """The raw lines of doc's text, each with its line ending, and the [section] spans."""
    lines = [part + "\n" for part in doc.text.split("\n")]
    lines[-1] = lines[-1][:-1]
    headers = [index for index, line in enumerate(lines) if line.startswith("[")]
    spans = [(lines[start].strip()[1:].split("]")[0].strip(), start,
              headers[position + 1] if position + 1 < len(headers) else len(lines))
             for position, start in enumerate(headers)]
    return lines, spans


def _swap_loader(doc, section, old_key, new_key, value):
    """Write `new_key = value` on the line of old_key, the other style's loader.

    Keeps the loader at the top of [filter:s3token] where it was, so a style switch
    shows as one changed line. Returns doc unchanged when there is nothing to swap.
    """
    if doc.get_all(section, new_key) or len(doc.get_all(section, old_key)) != 1:
        return doc
    lines, spans = _lines(doc)
    pattern = re.compile(r"%s(?P<sep>[ \t]*[=:][ \t]*)" % re.escape(old_key))
    for name, start, end in spans:
        if name != section:
            continue
        for index in range(start + 1, end):
            match = pattern.match(lines[index])
            if match:
                ending = lines[index][len(lines[index].rstrip("\r\n")):]
                lines[index] = new_key + match.group("sep") + value + ending
                return ini.parse("".join(lines))
    return doc  # pragma: no cover  (get_all found it, so the scan does too)


def _remove_section(doc, section):
    """The document without section; a comment block right above the next header stays.

    Such a block (``# Note: Put after auth in the pipeline.``) documents the next
    section, not the removed one.
    """
    lines, spans = _lines(doc)
    drop = set()
    for name, start, end in spans:
        if name != section:
            continue
        if end < len(lines):
            index = end
            while index > start + 1 and lines[index - 1].lstrip().startswith(("#", ";")):
                index -= 1
            if index < end and not lines[index - 1].strip():
                end = index
        drop.update(range(start, end))
    return ini.parse("".join(line for index, line in enumerate(lines) if index not in drop))


def _option_lines(lines, spans, section, key):
    """The line numbers (from 1) of every `key = ...` line of section."""
    pattern = re.compile(r"%s[ \t]*[=:]" % re.escape(key))
    return [index + 1 for name, start, end in spans if name == section
            for index in range(start + 1, end) if pattern.match(lines[index])]


def check_loadable(document):
    """Refuse what paste.deploy would refuse to load, so no edit is written into a proxy that cannot start.

    paste.deploy reads the file with Python's configparser in strict mode, keys case-sensitive:
    a section that appears twice (DuplicateSectionError) or an option repeated within a section
    (DuplicateOptionError) stops swift-proxy at start. [DEFAULT] may appear more than once, but
    not the same option in it. (Measured with PasteDeploy 3.1 through Swift 2.38's loadapp.)
    """
    doc = document if isinstance(document, ini.IniDocument) else ini.parse(document)
    lines, spans = _lines(doc)
    starts = collections.OrderedDict()
    for name, start, end in spans:
        starts.setdefault(name, []).append(start + 1)
    for name, numbers in starts.items():
        if name != "DEFAULT" and len(numbers) > 1:
            raise SwiftPipelineError(
                "[%s] appears %d times (lines %s): paste.deploy refuses a repeated section "
                "(DuplicateSectionError), so swift-proxy could not start; merge them into one [%s] section"
                % (name, len(numbers), ", ".join(str(n) for n in numbers), name))
    for name in doc.sections():
        for key in doc.options(name):
            numbers = _option_lines(lines, spans, name, key)
            if len(numbers) > 1:
                raise SwiftPipelineError(
                    "%s appears %d times in [%s] (lines %s): paste.deploy refuses a repeated option "
                    "(DuplicateOptionError), so swift-proxy could not start; keep one"
                    % (key, len(numbers), name, ", ".join(str(n) for n in numbers)))


def _carry_over(doc, style, given):
    """Copy the options of the other style's S3 filter, the one in use now, into the new one.

    Both filters read the same option names. Where the one in use had no `location` (and
    [DEFAULT] none either), its own default is written, since the new filter's differs. An
    option of s3api_options is left to it; a different value already in the new section is
    refused rather than chosen silently.
    """
    spec = _STYLE[style]
    old_style = [name for name in STYLES if name != style][0]
    source, target = "filter:%s" % spec["other_filter"], "filter:%s" % spec["filter"]
    carried = collections.OrderedDict(
        (key, doc.get(source, key)) for key in doc.options(source) if key not in _LOADER_KEYS)
    if "location" not in carried and doc.get("DEFAULT", "location") is None:
        carried["location"] = DEFAULT_LOCATION[old_style]
    is_secret = ini.secret_predicate()
    for key, value in carried.items():
        if key in given:
            continue
        current = doc.get(target, key)
        if current is None:
            doc.set(target, key, value)
        elif current != value:
            shown = (ini.MASK, ini.MASK) if is_secret(target, key) else (value, current)
            raise SwiftPipelineError(
                "[%s] %s is %s in the filter in use now, but [%s] already has %s = %s; set s3api_options %s to the "
                "value the %s filter should have" % (source, key, shown[0], target, key, shown[1], key, spec["filter"]))


def configure_s3api(document, keystone_url, style="current", pipeline_section="pipeline:main",
                    s3api_options=None, s3token_options=None):
    """Set up S3 with Keystone in a proxy-server.conf; return an S3apiEdit.

    document is the text or an ini.IniDocument (left as it is). Edits:
    the `pipeline` option of pipeline_section (in place, line layout kept) by
    plan_pipeline(); [filter:s3api] (current) or [filter:swift3] (legacy) with its
    `use`; [filter:s3token] with the style's loader and auth_uri; the Keystone URLs of
    [filter:authtoken] (current: www_authenticate_uri and auth_url; legacy:
    identity_uri and auth_uri). s3api_options go to the S3 filter, s3token_options to
    [filter:s3token]; a value of None removes the option. The other style's S3 filter
    section goes when no pipeline names it any more. Nothing else changes.
    """
    spec = _check_style(style)
    base = keystone_base_url(keystone_url)
    s3api_options = _check_options("s3api_options", s3api_options, ("use",))
    s3token_options = _check_options("s3token_options", s3token_options, _S3TOKEN_MANAGED)
    doc = ini.parse(document.text if isinstance(document, ini.IniDocument) else document)
    check_loadable(doc)

    if not doc.has_section(pipeline_section):
        found = [name for name in doc.sections() if name.startswith("pipeline:")]
        raise SwiftPipelineError("there is no [%s] section; pipeline sections found: %s"
                                 % (pipeline_section, ", ".join("[%s]" % name for name in found) or "none"))
    value = doc.get(pipeline_section, "pipeline")
    if value is None:
        raise SwiftPipelineError("[%s] has no pipeline option" % pipeline_section)
    before = words(value)
    after = plan_pipeline(before, style)
    if not doc.has_section("filter:authtoken"):
        raise SwiftPipelineError(
            "there is no [filter:authtoken] section: the proxy is not set up for Keystone; configure "
            "keystonemiddleware's auth_token filter (and [filter:keystoneauth]) first")

    if after != before:
        doc.set(pipeline_section, "pipeline", _layout(value, after))

    s3_section = "filter:%s" % spec["filter"]
    for key, setting in spec["filter_settings"]:
        doc.set(s3_section, key, setting)
    if spec["other_filter"] in before and doc.has_section("filter:%s" % spec["other_filter"]):
        _carry_over(doc, style, s3api_options)
    _apply_options(doc, s3_section, s3api_options)

    for key in spec["authtoken"]:
        doc.set("filter:authtoken", key, base)
    if spec["delay_auth_decision"]:
        current = doc.get("filter:authtoken", "delay_auth_decision")
        doc.set("filter:authtoken", "delay_auth_decision",
                _option_value("filter:authtoken", "delay_auth_decision", True, current))

    loader, factory = spec["s3token_loader"]
    for key in spec["s3token_drop"]:
        doc = _swap_loader(doc, "filter:s3token", key, loader, factory)
    doc.set("filter:s3token", loader, factory)
    for key in spec["s3token_drop"]:
        doc.remove("filter:s3token", key)
    doc.set("filter:s3token", "auth_uri", base + spec["s3token_version"])
    if spec["s3token_service_auth"]:
        # s3token asks Keystone for the EC2 secret as the swift service user: the same
        # credentials authtoken already has, so they are copied, never passed around
        for key in SERVICE_AUTH_KEYS:
            copied = doc.get("filter:authtoken", key)
            if copied is not None and key not in s3token_options:
                doc.set("filter:s3token", key, copied)
    _apply_options(doc, "filter:s3token", s3token_options)

    other = spec["other_filter"]
    if doc.has_section("filter:%s" % other) and other not in _referenced(doc):
        doc = _remove_section(doc, "filter:%s" % other)
    return S3apiEdit(doc.text, before, after)
