# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/swift_pipeline.py, on the proxy-server.conf Debian 12 ships.

Debian's file is set up for tempauth. keystone_proxy() turns it into what an operator
has after following the file's own comments for Keystone; every edit is then checked
with difflib against that text, so nothing but the intended lines may change.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import swift_pipeline as sp
from ansible_collections.stackops.openstack.plugins.module_utils.swift_pipeline import SwiftPipelineError

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ini" / "proxy-server.conf"
KEYSTONE = "http://controller:5000"
SECRET = "Sw1ft-s3cr3t-pw"
S3_SECRET = "S3-only-pw-42"

TEMPAUTH_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats container_sync bulk tempurl "
    "ratelimit tempauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging "
    "proxy-server").split()
# the commented keystone pipeline of the Debian file
KEYSTONE_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache container_sync bulk tempurl ratelimit "
    "authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink "
    "proxy-logging proxy-server").split()


def with_s3(pipeline, before, pair):
    """pipeline with the pair inserted right before the element `before`."""
    at = pipeline.index(before)
    return pipeline[:at] + list(pair) + pipeline[at:]


CURRENT_PIPELINE = with_s3(KEYSTONE_PIPELINE, "keystoneauth", ("s3api", "s3token"))
LEGACY_PIPELINE = with_s3(KEYSTONE_PIPELINE, "authtoken", ("swift3", "s3token"))


def debian():
    return FIXTURE.read_text(encoding="utf-8")


def uncomment(text, start, end, lines):
    """Uncomment `# line` for each line of lines between the markers start and end."""
    head, rest = text.split(start, 1)
    block, tail = rest.split(end, 1)
    block = start + block
    for line in lines:
        assert "# %s\n" % line in block, line
        block = block.replace("# %s\n" % line, "%s\n" % line, 1)
    return head + block + end + tail


def keystone_proxy(text=None):
    """Debian's file after an operator followed its comments to use Keystone.

    The tempauth pipeline is commented out and the keystone one uncommented, and the
    sample [filter:authtoken] and [filter:keystoneauth] are uncommented in place.
    """
    text = debian() if text is None else text
    tempauth = "pipeline = %s\n" % " ".join(TEMPAUTH_PIPELINE)
    keystone = "#pipeline = %s\n" % " ".join(KEYSTONE_PIPELINE)
    assert tempauth in text and keystone in text
    text = text.replace(tempauth, "#" + tempauth).replace(keystone, keystone[1:])
    text = uncomment(text, "# [filter:authtoken]", "# [filter:keystoneauth]", [
        "[filter:authtoken]",
        "paste.filter_factory = keystonemiddleware.auth_token:filter_factory",
        "www_authenticate_uri = http://keystonehost:5000",
        "auth_url = http://keystonehost:5000",
        "auth_plugin = password",
        "project_domain_id = default",
        "user_domain_id = default",
        "project_name = service",
        "username = swift",
        "password = password",
        "delay_auth_decision = False",
        "cache = swift.cache",
    ])
    text = text.replace("\npassword = password\n", "\npassword = %s\n" % SECRET, 1)
    text = text.replace("\ndelay_auth_decision = False\n", "\ndelay_auth_decision = True\n", 1)
    text = uncomment(text, "# [filter:keystoneauth]", "[filter:s3api]", [
        "[filter:keystoneauth]",
        "use = egg:swift#keystoneauth",
        "operator_roles = admin, swiftoperator",
    ])
    doc = ini.parse(text)
    assert doc.get("pipeline:main", "pipeline").split() == KEYSTONE_PIPELINE
    assert doc.get("filter:authtoken", "password") == SECRET
    assert doc.get("filter:keystoneauth", "use") == "egg:swift#keystoneauth"
    return text


def line_changes(before, after):
    """[(removed lines, added lines)] as difflib sees them, without newlines."""
    old, new = before.splitlines(), after.splitlines()
    return [(old[i1:i2], new[j1:j2])
            for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
            if tag != "equal"]


def pipeline_of(text, section="pipeline:main"):
    return ini.parse(text).get(section, "pipeline").split()


# What the current style does to [filter:authtoken] and [filter:s3token] of keystone_proxy():
# the authtoken URLs, the s3token auth_uri, then the service credentials authtoken has,
# each copied under its commented default in Debian's [filter:s3token]. auth_url is the
# new URL (authtoken is updated first); authtoken's auth_plugin is not a SERVICE_AUTH_KEYS
# key, and auth_type, region_name and the *_domain_name keys are not in authtoken.
KEYSTONE_PROXY_AUTH_CHANGES = [
    (["www_authenticate_uri = http://keystonehost:5000", "auth_url = http://keystonehost:5000"],
     ["www_authenticate_uri = http://controller:5000", "auth_url = http://controller:5000"]),
    (["auth_uri = http://keystonehost:5000/v3"], ["auth_uri = http://controller:5000/v3"]),
    ([], ["auth_url = http://controller:5000"]),
    ([], ["project_domain_id = default"]),
    ([], ["project_name = service"]),
    ([], ["user_domain_id = default"]),
    ([], ["username = swift"]),
    ([], ["password = %s" % SECRET]),
]
KEYSTONE_PROXY_COPIED = {"auth_url": KEYSTONE, "project_domain_id": "default", "project_name": "service",
                         "user_domain_id": "default", "username": "swift", "password": SECRET}


def service_auth(text, section="filter:s3token"):
    """The SERVICE_AUTH_KEYS options that section holds, as {key: value}."""
    doc = ini.parse(text)
    return {key: doc.get(section, key) for key in sp.SERVICE_AUTH_KEYS if doc.get(section, key) is not None}


# --------------------------------------------------------------------------- plan_pipeline


@pytest.mark.parametrize("before, style, expected", [
    (KEYSTONE_PIPELINE, "current", CURRENT_PIPELINE),
    (KEYSTONE_PIPELINE, "legacy", LEGACY_PIPELINE),
    (CURRENT_PIPELINE, "current", CURRENT_PIPELINE),
    (LEGACY_PIPELINE, "legacy", LEGACY_PIPELINE),
    (LEGACY_PIPELINE, "current", CURRENT_PIPELINE),
    (CURRENT_PIPELINE, "legacy", LEGACY_PIPELINE),
    # the order that answers SignatureDoesNotMatch is put right
    (with_s3(KEYSTONE_PIPELINE, "authtoken", ("s3api", "s3token")), "current", CURRENT_PIPELINE),
    # s3token on the wrong side of keystoneauth, s3api twice
    ("a s3api authtoken keystoneauth s3token s3api b proxy-server".split(), "current",
     "a authtoken s3api s3token keystoneauth b proxy-server".split()),
    # both styles at once
    ("swift3 s3api authtoken s3token keystoneauth proxy-server".split(), "current",
     "authtoken s3api s3token keystoneauth proxy-server".split()),
    # something between authtoken and keystoneauth stays there
    ("authtoken ratelimit keystoneauth proxy-server".split(), "current",
     "authtoken ratelimit s3api s3token keystoneauth proxy-server".split()),
    ("authtoken ratelimit keystoneauth proxy-server".split(), "legacy",
     "swift3 s3token authtoken ratelimit keystoneauth proxy-server".split()),
    (("authtoken", "keystoneauth", "proxy-server"), "current",
     ["authtoken", "s3api", "s3token", "keystoneauth", "proxy-server"]),
])
def test_plan_pipeline(before, style, expected):
    assert sp.plan_pipeline(before, style) == expected


def test_plan_pipeline_keeps_every_other_element_in_order():
    before = "proxy-logging cache authtoken keystoneauth slo proxy-logging proxy-server".split()
    for style in sp.STYLES:
        after = sp.plan_pipeline(before, style)
        assert [name for name in after if name not in sp.S3_FILTERS] == before
        assert after.count("s3token") == 1


def test_plan_pipeline_does_not_change_its_argument():
    before = list(KEYSTONE_PIPELINE)
    sp.plan_pipeline(before, "current")
    assert before == KEYSTONE_PIPELINE


@pytest.mark.parametrize("pipeline, style, fragments", [
    ([], "current", ["the pipeline is empty"]),
    ("authtoken keystoneauth proxy-server proxy-logging".split(), "current",
     ["must end with the proxy-server app", "ends with proxy-logging"]),
    ("authtoken keystoneauth".split(), "legacy", ["ends with keystoneauth"]),
    (TEMPAUTH_PIPELINE, "current",
     ["no authtoken and no keystoneauth", "s3token needs Keystone auth", "tempauth"]),
    ("cache keystoneauth proxy-server".split(), "current", ["no authtoken:", "s3token needs Keystone auth"]),
    ("cache authtoken proxy-server".split(), "legacy", ["no keystoneauth:", "s3token needs Keystone auth"]),
    ("keystoneauth authtoken proxy-server".split(), "current",
     ["s3token needs Keystone auth", "keystoneauth comes before authtoken"]),
    ("authtoken authtoken keystoneauth proxy-server".split(), "current", ["authtoken appears 2 times"]),
    (KEYSTONE_PIPELINE, "swift", ["style is 'swift'", "current, legacy"]),
])
def test_plan_pipeline_refuses(pipeline, style, fragments):
    with pytest.raises(SwiftPipelineError) as exc:
        sp.plan_pipeline(pipeline, style)
    for fragment in fragments:
        assert fragment in str(exc.value)


# --------------------------------------------------------------------------- keystone_url


@pytest.mark.parametrize("url, expected", [
    ("http://controller:5000", "http://controller:5000"),
    ("http://controller:5000/", "http://controller:5000"),
    ("https://keystone.example.com", "https://keystone.example.com"),
    ("https://cloud.example.com/identity/", "https://cloud.example.com/identity"),
    ("http://[fd00::10]:5000", "http://[fd00::10]:5000"),
    ("http://10.0.0.10:5000/v3x", "http://10.0.0.10:5000/v3x"),
])
def test_keystone_base_url(url, expected):
    assert sp.keystone_base_url(url) == expected


@pytest.mark.parametrize("url, fragment", [
    ("", "empty"),
    (None, "empty"),
    ("controller:5000", "not an http(s) URL"),
    ("controller", "not an http(s) URL"),
    ("ftp://controller:5000", "not an http(s) URL"),
    ("http://", "not an http(s) URL"),
    ("http://controller:50x0", "not a valid URL"),
    ("http://controller:0", "not a valid URL"),
    ("http://controller:99999", "not a valid URL"),
    ("http://control ler:5000", "contains blanks"),
    (" http://controller:5000", "contains blanks"),
    ("http://admin:S3cr3t@controller:5000", "must not contain credentials"),
    ("http://controller:5000/?x=1", "query or fragment"),
    ("http://controller:5000/v3", "ends with an API version; give the base URL (http://controller:5000)"),
    ("http://controller:5000/v2.0/", "ends with an API version"),
])
def test_keystone_base_url_refuses(url, fragment):
    with pytest.raises(SwiftPipelineError) as exc:
        sp.keystone_base_url(url)
    assert fragment in str(exc.value)
    assert "S3cr3t" not in str(exc.value)  # a password in the URL is not echoed


# --------------------------------------------------------------------------- configure_s3api, Debian's file


def test_debian_default_is_refused_because_it_uses_tempauth():
    with pytest.raises(SwiftPipelineError) as exc:
        sp.configure_s3api(debian(), KEYSTONE)
    message = str(exc.value)
    assert "s3token needs Keystone auth" in message
    assert "no authtoken and no keystoneauth" in message
    assert "tempauth" in message  # the pipeline is quoted, so the reason is visible


def test_current_on_the_keystone_proxy_changes_only_the_intended_lines():
    before = keystone_proxy()
    edit = sp.configure_s3api(before, KEYSTONE)
    assert edit.pipeline_before == KEYSTONE_PIPELINE
    assert edit.pipeline_after == CURRENT_PIPELINE
    assert pipeline_of(edit.text) == CURRENT_PIPELINE
    assert line_changes(before, edit.text) == [
        (["pipeline = %s" % " ".join(KEYSTONE_PIPELINE)], ["pipeline = %s" % " ".join(CURRENT_PIPELINE)]),
    ] + KEYSTONE_PROXY_AUTH_CHANGES
    assert service_auth(edit.text) == KEYSTONE_PROXY_COPIED
    # authtoken's and, under Debian's commented default, s3token's
    lines = edit.text.splitlines()
    at = [index for index, line in enumerate(lines) if line == "password = %s" % SECRET]
    assert len(at) == 2 and lines[at[1] - 1] == "# password = password"
    doc = ini.parse(edit.text)
    assert doc.get("filter:s3api", "use") == "egg:swift#s3api"
    assert doc.get("filter:s3token", "use") == "egg:swift#s3token"
    assert doc.get("filter:authtoken", "password") == SECRET
    assert doc.get("filter:authtoken", "delay_auth_decision") == "True"


@pytest.mark.parametrize("style", sp.STYLES)
def test_second_application_is_a_no_op(style):
    once = sp.configure_s3api(keystone_proxy(), KEYSTONE, style=style)
    twice = sp.configure_s3api(once.text, KEYSTONE, style=style)
    assert twice.text == once.text
    assert twice.pipeline_before == twice.pipeline_after == once.pipeline_after


def test_legacy_on_the_keystone_proxy():
    before = keystone_proxy()
    edit = sp.configure_s3api(before, KEYSTONE + "/", style="legacy")
    assert edit.pipeline_after == LEGACY_PIPELINE
    s3api_section = before[before.index("[filter:s3api]"):before.index("[filter:s3token]")].splitlines()
    assert line_changes(before, edit.text) == [
        (["pipeline = %s" % " ".join(KEYSTONE_PIPELINE)], ["pipeline = %s" % " ".join(LEGACY_PIPELINE)]),
        ([], ["identity_uri = http://controller:5000", "auth_uri = http://controller:5000"]),
        # s3api is no longer in any pipeline: its section goes, all of it and nothing else
        (s3api_section, []),
        # `use` would win over paste.filter_factory: the loader is swapped in place
        (["use = egg:swift#s3token"], ["paste.filter_factory = keystonemiddleware.s3_token:filter_factory"]),
        (["auth_uri = http://keystonehost:5000/v3"], ["auth_uri = http://controller:5000"]),
        ([], ["", "[filter:swift3]", "use = egg:swift3#swift3"]),
    ]
    doc = ini.parse(edit.text)
    # the current style's URL options of authtoken are not touched
    assert doc.get("filter:authtoken", "www_authenticate_uri") == "http://keystonehost:5000"
    assert doc.get("filter:authtoken", "password") == SECRET


def test_switch_from_legacy_to_current():
    legacy = sp.configure_s3api(keystone_proxy(), KEYSTONE, style="legacy").text
    edit = sp.configure_s3api(legacy, KEYSTONE, style="current")
    assert edit.pipeline_before == LEGACY_PIPELINE
    assert edit.pipeline_after == CURRENT_PIPELINE
    doc = ini.parse(edit.text)
    assert not doc.has_section("filter:swift3")
    assert doc.get("filter:s3api", "use") == "egg:swift#s3api"
    assert doc.get("filter:s3token", "use") == "egg:swift#s3token"
    assert doc.get("filter:s3token", "paste.filter_factory") is None
    assert doc.get("filter:s3token", "auth_uri") == KEYSTONE + "/v3"
    assert doc.get("filter:authtoken", "www_authenticate_uri") == KEYSTONE
    assert doc.get("filter:authtoken", "auth_url") == KEYSTONE
    assert service_auth(edit.text) == KEYSTONE_PROXY_COPIED
    assert sp.configure_s3api(edit.text, KEYSTONE).text == edit.text


KILO_PROXY = """\
[DEFAULT]
bind_port = 8080
user = swift

[pipeline:main]
pipeline = catch_errors gatekeeper healthcheck proxy-logging cache container_sync bulk ratelimit
    swift3 s3token authtoken keystoneauth
    container-quotas account-quotas slo dlo proxy-logging proxy-server

[app:proxy-server]
use = egg:swift#proxy
account_autocreate = true

[filter:swift3]
use = egg:swift3#swift3

[filter:s3token]
paste.filter_factory = keystonemiddleware.s3_token:filter_factory
auth_uri = http://controller:35357

# Note: the Keystone middleware
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
auth_uri = http://controller:5000
identity_uri = http://controller:35357
admin_tenant_name = service
admin_user = swift
admin_password = %s
delay_auth_decision = true

[filter:keystoneauth]
use = egg:swift#keystoneauth
operator_roles = admin,user
""" % SECRET


def test_kilo_proxy_with_continuation_lines_to_current():
    edit = sp.configure_s3api(KILO_PROXY, KEYSTONE)
    assert edit.pipeline_after == (
        "catch_errors gatekeeper healthcheck proxy-logging cache container_sync bulk ratelimit "
        "authtoken s3api s3token keystoneauth container-quotas account-quotas slo dlo proxy-logging "
        "proxy-server").split()
    assert line_changes(KILO_PROXY, edit.text) == [
        # only the continuation line that holds the S3 filters changes
        (["    swift3 s3token authtoken keystoneauth"], ["    authtoken s3api s3token keystoneauth"]),
        (["[filter:swift3]", "use = egg:swift3#swift3", ""], []),
        # the loader is swapped on its own line
        (["paste.filter_factory = keystonemiddleware.s3_token:filter_factory",
          "auth_uri = http://controller:35357"],
         ["use = egg:swift#s3token", "auth_uri = http://controller:5000/v3"]),
        # the auth_url that authtoken gets below is copied; ini puts a new option after the
        # section's last non-blank line, which here is the note above [filter:authtoken]
        ([], ["auth_url = http://controller:5000"]),
        ([], ["www_authenticate_uri = http://controller:5000", "auth_url = http://controller:5000"]),
        # swift3 had no location: its default (US) is kept, s3api's own would be us-east-1
        ([], ["", "[filter:s3api]", "use = egg:swift#s3api", "location = US"]),
    ]
    assert "# Note: the Keystone middleware\nauth_url = http://controller:5000\n[filter:authtoken]\n" in edit.text
    # the Kilo credentials (admin_user, admin_password, ...) are not SERVICE_AUTH_KEYS keys: none is
    # copied, renamed or invented
    assert service_auth(edit.text) == {"auth_url": KEYSTONE}
    assert SECRET not in edit.text.split("[filter:authtoken]")[0]
    doc = ini.parse(edit.text)
    # the legacy URL options of authtoken and its credentials are left alone
    assert doc.get("filter:authtoken", "identity_uri") == "http://controller:35357"
    assert doc.get("filter:authtoken", "admin_password") == SECRET
    assert sp.configure_s3api(edit.text, KEYSTONE).text == edit.text


def test_kilo_proxy_in_legacy_style_only_gets_its_urls_pointed_at_keystone():
    edit = sp.configure_s3api(KILO_PROXY, KEYSTONE, style="legacy")
    assert edit.pipeline_after == edit.pipeline_before
    assert line_changes(KILO_PROXY, edit.text) == [
        (["auth_uri = http://controller:35357"], ["auth_uri = http://controller:5000"]),
        (["identity_uri = http://controller:35357"], ["identity_uri = http://controller:5000"]),
    ]


@pytest.mark.parametrize("value, expected", [
    # `pipeline =` with every element on the lines below
    ("\n    cache authtoken keystoneauth\n    proxy-server",
     "\n    cache authtoken s3api s3token keystoneauth\n    proxy-server"),
    # a line left with nothing but S3 filters goes
    ("cache\n    s3api s3token\n    authtoken keystoneauth proxy-server",
     "cache\n    authtoken s3api s3token keystoneauth proxy-server"),
    ("swift3 s3token\n    authtoken keystoneauth proxy-server",
     "authtoken s3api s3token keystoneauth proxy-server"),
    # a line that keeps its elements keeps its spacing
    ("cache  healthcheck\n    authtoken keystoneauth proxy-server",
     "cache  healthcheck\n    authtoken s3api s3token keystoneauth proxy-server"),
])
def test_pipeline_continuation_lines_keep_their_layout(value, expected):
    text = "[pipeline:main]\npipeline = %s\n\n[filter:authtoken]\nx = 1\n" % value
    text = text.replace("pipeline = \n", "pipeline =\n")
    edit = sp.configure_s3api(text, KEYSTONE)
    assert edit.text.split("\n\n")[0] == ("[pipeline:main]\npipeline = %s" % expected).replace("= \n", "=\n")
    assert sp.configure_s3api(edit.text, KEYSTONE).text == edit.text


def test_keystone_proxy_with_a_wrapped_pipeline():
    wrapped = "pipeline = %s\n    %s\n    %s\n" % (
        " ".join(KEYSTONE_PIPELINE[:5]), " ".join(KEYSTONE_PIPELINE[5:11]), " ".join(KEYSTONE_PIPELINE[11:]))
    before = keystone_proxy().replace("pipeline = %s\n" % " ".join(KEYSTONE_PIPELINE), wrapped)
    assert pipeline_of(before) == KEYSTONE_PIPELINE
    edit = sp.configure_s3api(before, KEYSTONE)
    assert pipeline_of(edit.text) == CURRENT_PIPELINE
    assert line_changes(before, edit.text) == [
        (["    container_sync bulk tempurl ratelimit authtoken keystoneauth"],
         ["    container_sync bulk tempurl ratelimit authtoken s3api s3token keystoneauth"]),
    ] + KEYSTONE_PROXY_AUTH_CHANGES


# --------------------------------------------------------------------------- configure_s3api, refusals


def test_missing_authtoken_section_is_refused():
    text = debian().replace("ratelimit tempauth copy", "ratelimit authtoken keystoneauth copy")
    with pytest.raises(SwiftPipelineError) as exc:
        sp.configure_s3api(text, KEYSTONE)
    assert "no [filter:authtoken] section: the proxy is not set up for Keystone" in str(exc.value)


@pytest.mark.parametrize("section, fragment", [
    ("pipeline:s3", "there is no [pipeline:s3] section; pipeline sections found: [pipeline:main]"),
    ("main", "there is no [main] section"),
])
def test_missing_pipeline_section_is_refused(section, fragment):
    with pytest.raises(SwiftPipelineError) as exc:
        sp.configure_s3api(keystone_proxy(), KEYSTONE, pipeline_section=section)
    assert fragment in str(exc.value)


def test_pipeline_section_without_pipeline_option_is_refused():
    text = keystone_proxy() + "\n[pipeline:empty]\n# nothing yet\n"
    with pytest.raises(SwiftPipelineError, match=r"\[pipeline:empty\] has no pipeline option"):
        sp.configure_s3api(text, KEYSTONE, pipeline_section="pipeline:empty")


def test_pipeline_not_ending_in_proxy_server_is_refused():
    active = "\npipeline = %s\n" % " ".join(KEYSTONE_PIPELINE)
    text = keystone_proxy().replace(active, active.replace(" proxy-server", ""))
    with pytest.raises(SwiftPipelineError, match="must end with the proxy-server app, but it ends with proxy-logging"):
        sp.configure_s3api(text, KEYSTONE)


def test_bad_url_is_refused_before_anything_else():
    with pytest.raises(SwiftPipelineError, match="not an http"):
        sp.configure_s3api(debian(), "keystone:5000")


def test_bad_style_is_refused():
    with pytest.raises(SwiftPipelineError, match="style is 'kilo'"):
        sp.configure_s3api(keystone_proxy(), KEYSTONE, style="kilo")


# --------------------------------------------------------------------------- options


def test_extra_options_of_s3api_and_s3token():
    before = keystone_proxy()
    edit = sp.configure_s3api(
        before, KEYSTONE,
        s3api_options={"location": "RegionOne", "s3_acl": True, "max_bucket_listing": 500, "log_name": None},
        s3token_options={"delay_auth_decision": False, "http_timeout": 5.0, "secret_cache_duration": 60,
                         "password": SECRET})
    doc = ini.parse(edit.text)
    assert doc.get("filter:s3api", "location") == "RegionOne"
    assert doc.get("filter:s3api", "s3_acl") == "true"
    assert doc.get("filter:s3api", "max_bucket_listing") == "500"
    assert doc.get("filter:s3api", "log_name") is None  # null removes
    assert doc.get("filter:s3token", "delay_auth_decision") == "False"  # same truth, line kept
    assert doc.get("filter:s3token", "http_timeout") == "5.0"
    assert doc.get("filter:s3token", "secret_cache_duration") == "60"
    assert doc.get("filter:s3token", "password") == SECRET
    # a new option goes under its commented default
    lines = edit.text.splitlines()
    assert lines[lines.index("location = RegionOne") - 1] == "# location = us-east-1"
    assert sp.configure_s3api(edit.text, KEYSTONE, s3api_options={"location": "RegionOne", "s3_acl": True,
                                                                  "max_bucket_listing": 500, "log_name": None},
                              s3token_options={"delay_auth_decision": False, "http_timeout": 5.0,
                                               "secret_cache_duration": 60, "password": SECRET}).text == edit.text


def test_boolean_with_a_different_truth_is_written():
    edit = sp.configure_s3api(keystone_proxy(), KEYSTONE, s3token_options={"delay_auth_decision": True})
    assert ini.parse(edit.text).get("filter:s3token", "delay_auth_decision") == "true"


def test_options_go_to_swift3_in_legacy_style():
    edit = sp.configure_s3api(keystone_proxy(), KEYSTONE, style="legacy", s3api_options={"location": "RegionOne"})
    assert ini.parse(edit.text).get("filter:swift3", "location") == "RegionOne"


@pytest.mark.parametrize("s3api_options, s3token_options, fragment", [
    ({"use": "egg:swift#s3api"}, None, "s3api_options cannot set use: the module writes it"),
    (None, {"auth_uri": "http://x:5000/v3", "use": "egg:swift#s3token"}, "s3token_options cannot set auth_uri, use"),
    (None, {"paste.filter_factory": "x"}, "cannot set paste.filter_factory"),
    ({"location": ["a", "b"]}, None, "[filter:s3api] location: value must be a string, number or boolean, got list"),
    ({"bad=key": "x"}, None, "[filter:s3api] bad=key:"),
    (None, {"reseller_prefix": " AUTH_"}, "[filter:s3token] reseller_prefix:"),
    ("location=x", None, "s3api_options must be a dict"),
])
def test_bad_options_are_refused(s3api_options, s3token_options, fragment):
    with pytest.raises(SwiftPipelineError) as exc:
        sp.configure_s3api(keystone_proxy(), KEYSTONE, s3api_options=s3api_options, s3token_options=s3token_options)
    assert fragment in str(exc.value)


# --------------------------------------------------------------------------- s3token service credentials


# authtoken with every SERVICE_AUTH_KEYS key but the two *_domain_id ones, and options
# that are not service credentials; s3token as a site may have it from an earlier setup
SERVICE_PROXY = """\
[pipeline:main]
pipeline = cache authtoken s3api s3token keystoneauth proxy-server

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
www_authenticate_uri = http://keystonehost:5000
auth_url = http://keystonehost:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = swift
password = %s
region_name = RegionOne
interface = internal
delay_auth_decision = True
memcached_servers = 127.0.0.1:11211
service_token_roles_required = true

[filter:s3api]
use = egg:swift#s3api

[filter:s3token]
use = egg:swift#s3token
auth_uri = http://keystonehost:5000/v3
reseller_prefix = AUTH_

[filter:keystoneauth]
use = egg:swift#keystoneauth
""" % SECRET

SERVICE_PROXY_S3TOKEN = """\
[filter:s3token]
use = egg:swift#s3token
auth_uri = http://controller:5000/v3
reseller_prefix = AUTH_
auth_type = password
auth_url = http://controller:5000
username = swift
password = %s
project_name = service
project_domain_name = Default
user_domain_name = Default
region_name = RegionOne
""" % SECRET


def test_service_credentials_of_authtoken_are_copied_into_s3token():
    edit = sp.configure_s3api(SERVICE_PROXY, KEYSTONE)
    assert edit.pipeline_before == edit.pipeline_after
    # the authtoken URLs, then s3token's auth_uri and the copies (in SERVICE_AUTH_KEYS order,
    # at the end of the section); nothing else: no project_domain_id or user_domain_id, which
    # authtoken does not have, and none of authtoken's other options
    assert edit.text == SERVICE_PROXY.replace(
        "www_authenticate_uri = http://keystonehost:5000\nauth_url = http://keystonehost:5000\n",
        "www_authenticate_uri = %s\nauth_url = %s\n" % (KEYSTONE, KEYSTONE)).replace(
        "[filter:s3token]\nuse = egg:swift#s3token\nauth_uri = http://keystonehost:5000/v3\nreseller_prefix = AUTH_\n",
        SERVICE_PROXY_S3TOKEN)
    # the copied auth_url is the new Keystone URL, not the one authtoken had before
    assert ini.parse(edit.text).get("filter:s3token", "auth_url") == KEYSTONE


def test_keys_absent_in_authtoken_are_neither_invented_nor_removed_from_s3token():
    text = ("[pipeline:main]\npipeline = authtoken s3api s3token keystoneauth proxy-server\n\n"
            "[filter:authtoken]\nauth_url = http://controller:5000\nusername = swift\npassword = %s\n\n"
            "[filter:s3api]\nuse = egg:swift#s3api\n\n"
            "[filter:s3token]\nuse = egg:swift#s3token\nauth_uri = http://controller:5000/v3\n"
            "username = s3-old\nproject_domain_id = default\nregion_name = RegionTwo\n" % SECRET)
    edit = sp.configure_s3api(text, KEYSTONE)
    assert line_changes(text, edit.text) == [
        # authtoken's www_authenticate_uri is a URL the style writes, no copy; without
        # delay_auth_decision authtoken would answer S3 requests 401 before s3api
        ([], ["www_authenticate_uri = http://controller:5000", "delay_auth_decision = true"]),
        # a stale copy is brought in line with authtoken, in place; the missing ones are added
        (["username = s3-old"], ["username = swift"]),
        ([], ["auth_url = http://controller:5000", "password = %s" % SECRET]),
    ]
    assert service_auth(edit.text) == {"auth_url": KEYSTONE, "username": "swift", "password": SECRET,
                                       "project_domain_id": "default", "region_name": "RegionTwo"}


def test_debian_auth_plugin_is_not_taken_for_auth_type():
    # keystone_proxy() has keystonemiddleware's older name auth_plugin; s3token reads auth_type
    edit = sp.configure_s3api(keystone_proxy(), KEYSTONE)
    doc = ini.parse(edit.text)
    assert doc.get("filter:authtoken", "auth_plugin") == "password"
    assert doc.get("filter:s3token", "auth_plugin") is None
    assert doc.get("filter:s3token", "auth_type") is None


def test_s3token_options_override_the_copied_credentials():
    options = {"username": "s3-reader", "password": S3_SECRET, "auth_type": "v3password", "region_name": None}
    edit = sp.configure_s3api(SERVICE_PROXY, KEYSTONE, s3token_options=options)
    s3token = edit.text[edit.text.index("[filter:s3token]"):edit.text.index("[filter:keystoneauth]")]
    # the copies of the keys not given, then the given values in their order; None keeps the
    # key out
    assert s3token == (
        "[filter:s3token]\nuse = egg:swift#s3token\nauth_uri = http://controller:5000/v3\nreseller_prefix = AUTH_\n"
        "auth_url = http://controller:5000\nproject_name = service\nproject_domain_name = Default\n"
        "user_domain_name = Default\nusername = s3-reader\npassword = %s\nauth_type = v3password\n\n" % S3_SECRET)
    assert SECRET not in s3token
    # authtoken keeps its own
    assert service_auth(edit.text, "filter:authtoken") == {
        "auth_type": "password", "auth_url": KEYSTONE, "username": "swift", "password": SECRET,
        "project_name": "service", "project_domain_name": "Default", "user_domain_name": "Default",
        "region_name": "RegionOne"}
    assert sp.configure_s3api(edit.text, KEYSTONE, s3token_options=options).text == edit.text


def test_s3token_options_override_on_the_keystone_proxy():
    before = keystone_proxy()
    edit = sp.configure_s3api(before, KEYSTONE, s3token_options={"password": S3_SECRET})
    assert line_changes(before, edit.text) == [
        (["pipeline = %s" % " ".join(KEYSTONE_PIPELINE)], ["pipeline = %s" % " ".join(CURRENT_PIPELINE)]),
    ] + KEYSTONE_PROXY_AUTH_CHANGES[:-1] + [([], ["password = %s" % S3_SECRET])]
    assert service_auth(edit.text) == dict(KEYSTONE_PROXY_COPIED, password=S3_SECRET)


def test_s3token_options_removing_a_copy_that_is_there():
    once = sp.configure_s3api(SERVICE_PROXY, KEYSTONE).text
    edit = sp.configure_s3api(once, KEYSTONE, s3token_options={"region_name": None})
    assert line_changes(once, edit.text) == [(["region_name = RegionOne"], [])]


@pytest.mark.parametrize("text", [SERVICE_PROXY, keystone_proxy(), KILO_PROXY], ids=["service", "debian", "kilo"])
def test_legacy_style_copies_no_credentials(text):
    edit = sp.configure_s3api(text, KEYSTONE, style="legacy")
    assert service_auth(edit.text) == {}
    assert SECRET not in edit.text.split("[filter:s3token]")[1].split("\n[")[0]


def test_legacy_on_the_service_proxy_changes_only_the_loader_urls_and_pipeline():
    edit = sp.configure_s3api(SERVICE_PROXY, KEYSTONE, style="legacy")
    assert line_changes(SERVICE_PROXY, edit.text) == [
        (["pipeline = cache authtoken s3api s3token keystoneauth proxy-server"],
         ["pipeline = cache swift3 s3token authtoken keystoneauth proxy-server"]),
        # difflib pairs the removed [filter:s3api] with authtoken's two new lines
        (["", "[filter:s3api]", "use = egg:swift#s3api"],
         ["identity_uri = http://controller:5000", "auth_uri = http://controller:5000"]),
        (["use = egg:swift#s3token", "auth_uri = http://keystonehost:5000/v3"],
         ["paste.filter_factory = keystonemiddleware.s3_token:filter_factory", "auth_uri = http://controller:5000"]),
        # the region s3api used (its default, us-east-1) goes with it; swift3's own default is US
        ([], ["", "[filter:swift3]", "use = egg:swift3#swift3", "location = us-east-1"]),
    ]


@pytest.mark.parametrize("text", [SERVICE_PROXY, keystone_proxy(), KILO_PROXY], ids=["service", "debian", "kilo"])
@pytest.mark.parametrize("options", [None, {"password": S3_SECRET, "region_name": None, "username": "s3-reader"}])
def test_second_application_with_the_copied_credentials_changes_nothing(text, options):
    once = sp.configure_s3api(text, KEYSTONE, s3token_options=options)
    assert once.text != text
    twice = sp.configure_s3api(once.text, KEYSTONE, s3token_options=options)
    assert twice.text == once.text
    assert twice.pipeline_before == twice.pipeline_after == once.pipeline_after


def test_a_changed_authtoken_password_is_copied_again():
    once = sp.configure_s3api(SERVICE_PROXY, KEYSTONE).text
    rotated = once.replace("password = %s\n" % SECRET, "password = %s\n" % S3_SECRET, 1)
    assert ini.parse(rotated).get("filter:authtoken", "password") == S3_SECRET
    edit = sp.configure_s3api(rotated, KEYSTONE)
    assert line_changes(rotated, edit.text) == [(["password = %s" % SECRET], ["password = %s" % S3_SECRET])]
    assert ini.parse(edit.text).get("filter:s3token", "password") == S3_SECRET


# --------------------------------------------------------------------------- sections


def test_other_style_section_stays_while_another_pipeline_names_it():
    legacy = sp.configure_s3api(keystone_proxy(), KEYSTONE, style="legacy").text
    legacy += "\n[pipeline:old]\npipeline = swift3 s3token authtoken keystoneauth proxy-server\n"
    edit = sp.configure_s3api(legacy, KEYSTONE)
    doc = ini.parse(edit.text)
    assert doc.has_section("filter:swift3") and doc.has_section("filter:s3api")
    assert pipeline_of(edit.text, "pipeline:old") == "swift3 s3token authtoken keystoneauth proxy-server".split()


def test_removing_a_section_keeps_the_note_of_the_next_one():
    text = ("[pipeline:main]\npipeline = authtoken s3api s3token keystoneauth proxy-server\n\n"
            "[filter:swift3]\n# the old one\nuse = egg:swift3#swift3\n\n"
            "# Note: Put after auth in the pipeline.\n[filter:authtoken]\nx = 1\n\n"
            "[filter:s3api]\nuse = egg:swift#s3api\n\n[filter:s3token]\nuse = egg:swift#s3token\n"
            "auth_uri = http://controller:5000/v3\n")
    edit = sp.configure_s3api(text, KEYSTONE)
    assert edit.text == text.replace("[filter:swift3]\n# the old one\nuse = egg:swift3#swift3\n\n", "").replace(
        "x = 1\n", "x = 1\nwww_authenticate_uri = http://controller:5000\nauth_url = http://controller:5000\n"
        "delay_auth_decision = true\n") + "auth_url = http://controller:5000\n"


def test_removing_the_last_section():
    text = ("[pipeline:main]\npipeline = authtoken keystoneauth proxy-server\n\n[filter:authtoken]\n"
            "www_authenticate_uri = http://controller:5000\nauth_url = http://controller:5000\n\n"
            "[filter:s3api]\nuse = egg:swift#s3api\n# trailing comment\n")
    edit = sp.configure_s3api(text, KEYSTONE, style="legacy")
    assert edit.text == (
        "[pipeline:main]\npipeline = swift3 s3token authtoken keystoneauth proxy-server\n\n[filter:authtoken]\n"
        "www_authenticate_uri = http://controller:5000\nauth_url = http://controller:5000\n"
        "identity_uri = http://controller:5000\nauth_uri = http://controller:5000\n\n"
        "[filter:swift3]\nuse = egg:swift3#swift3\n\n[filter:s3token]\n"
        "paste.filter_factory = keystonemiddleware.s3_token:filter_factory\nauth_uri = http://controller:5000\n")


def test_missing_s3_sections_are_created():
    text = ("[pipeline:main]\npipeline = authtoken keystoneauth proxy-server\n\n[filter:authtoken]\n"
            "www_authenticate_uri = http://controller:5000\nauth_url = http://controller:5000\n")
    edit = sp.configure_s3api(text, KEYSTONE)
    assert edit.text == text.replace("authtoken keystoneauth", "authtoken s3api s3token keystoneauth") + (
        "delay_auth_decision = true\n\n[filter:s3api]\nuse = egg:swift#s3api\n\n[filter:s3token]\n"
        "use = egg:swift#s3token\nauth_uri = http://controller:5000/v3\nauth_url = http://controller:5000\n")


def test_document_is_not_changed_and_crlf_is_kept():
    text = keystone_proxy().replace("\n", "\r\n")
    doc = ini.parse(text)
    edit = sp.configure_s3api(doc, KEYSTONE, style="legacy")
    assert doc.text == text
    assert "\n" not in edit.text.replace("\r\n", "")
    assert pipeline_of(edit.text) == LEGACY_PIPELINE
    assert "paste.filter_factory = keystonemiddleware.s3_token:filter_factory\r\n" in edit.text


# --------------------------------------------------------------------------- what paste.deploy would refuse
#
# paste.deploy reads proxy-server.conf with configparser.ConfigParser in strict mode and keys
# case-sensitive (loadwsgi.NicerConfigParser, optionxform = str). Measured with PasteDeploy 3.1
# through Swift 2.38's loadapp: a repeated section raises DuplicateSectionError, a repeated option
# in a section DuplicateOptionError, and a second [DEFAULT] is accepted unless it repeats an option.


def strict_parser_refuses(text):
    """Whether the parser paste.deploy is built on refuses text, configured as paste.deploy does."""
    import configparser

    parser = configparser.ConfigParser(strict=True, interpolation=None)
    parser.optionxform = str
    try:
        parser.read_string(text)
    except (configparser.DuplicateSectionError, configparser.DuplicateOptionError):
        return True
    return False


def debian_keystone_as_commented():
    """keystone_proxy() with delay_auth_decision as Debian's comment has it: False."""
    return keystone_proxy().replace("\ndelay_auth_decision = True\n", "\ndelay_auth_decision = False\n", 1)


def numbered(text, needle, occurrence=1):
    """The line number (from 1) of the occurrence-th line of text that starts with needle."""
    found = [number for number, line in enumerate(text.splitlines(), 1) if line.startswith(needle)]
    return found[occurrence - 1]


DUPLICATE_AUTHTOKEN = keystone_proxy() + "\n[filter:authtoken]\ndelay_auth_decision = false\n"
DUPLICATE_CACHE = keystone_proxy() + "\n[filter:cache]\nmemcache_servers = 127.0.0.1:11211\n"
DUPLICATE_OPTION = keystone_proxy().replace("\ndelay_auth_decision = True\n",
                                            "\ndelay_auth_decision = True\ndelay_auth_decision = False\n", 1)
DUPLICATE_IN_DEFAULT = keystone_proxy() + "\n[DEFAULT]\nbind_port = 8081\n"


@pytest.mark.parametrize("text, fragment", [
    (DUPLICATE_AUTHTOKEN, "[filter:authtoken] appears 2 times (lines %d, %d): paste.deploy refuses a repeated section "
                          "(DuplicateSectionError), so swift-proxy could not start; merge them into one "
                          "[filter:authtoken] section"
     % (numbered(DUPLICATE_AUTHTOKEN, "[filter:authtoken]"), numbered(DUPLICATE_AUTHTOKEN, "[filter:authtoken]", 2))),
    (DUPLICATE_CACHE, "[filter:cache] appears 2 times (lines %d, %d)"
     % (numbered(DUPLICATE_CACHE, "[filter:cache]"), numbered(DUPLICATE_CACHE, "[filter:cache]", 2))),
    (DUPLICATE_OPTION, "delay_auth_decision appears 2 times in [filter:authtoken] (lines %d, %d): paste.deploy "
                       "refuses a repeated option (DuplicateOptionError), so swift-proxy could not start; keep one"
     % (numbered(DUPLICATE_OPTION, "delay_auth_decision"), numbered(DUPLICATE_OPTION, "delay_auth_decision", 2))),
    (DUPLICATE_IN_DEFAULT, "bind_port appears 2 times in [DEFAULT] (lines %d, %d)"
     % (numbered(DUPLICATE_IN_DEFAULT, "bind_port"), numbered(DUPLICATE_IN_DEFAULT, "bind_port", 2))),
], ids=["authtoken-twice", "other-section-twice", "option-twice", "option-twice-in-default"])
def test_what_paste_deploy_cannot_load_is_refused(text, fragment):
    assert strict_parser_refuses(text)
    for style in sp.STYLES:
        with pytest.raises(SwiftPipelineError) as exc:
            sp.configure_s3api(text, KEYSTONE, style=style)
        assert str(exc.value).startswith(fragment)


@pytest.mark.parametrize("text", [
    keystone_proxy(),
    KILO_PROXY,
    SERVICE_PROXY,
    # a second [DEFAULT] with other options is fine for configparser, and so for the module
    keystone_proxy() + "\n[DEFAULT]\nexpose_info = false\n",
    # keys are case-sensitive in paste.deploy: these are two options
    keystone_proxy().replace("\ndelay_auth_decision = True\n", "\ndelay_auth_decision = True\nDelay_Auth_Decision = x\n"),
], ids=["debian-keystone", "kilo", "service", "second-default", "case"])
def test_what_paste_deploy_loads_is_accepted(text):
    assert not strict_parser_refuses(text)
    sp.check_loadable(text)
    sp.configure_s3api(text, KEYSTONE)


# --------------------------------------------------------------------------- delay_auth_decision


@pytest.mark.parametrize("value", ["False", "false", "0", "no", "off", "maybe"])
def test_current_style_turns_delay_auth_decision_on(value):
    # with authtoken before s3api, authtoken answers every S3 request (no X-Auth-Token) 401
    # unless it delays its decision
    before = keystone_proxy().replace("\ndelay_auth_decision = True\n", "\ndelay_auth_decision = %s\n" % value, 1)
    edit = sp.configure_s3api(before, KEYSTONE)
    assert ini.parse(edit.text).get("filter:authtoken", "delay_auth_decision") == "true"
    assert (["delay_auth_decision = %s" % value], ["delay_auth_decision = true"]) in line_changes(before, edit.text)
    assert sp.configure_s3api(edit.text, KEYSTONE).text == edit.text


def test_debian_commented_value_false_is_turned_on():
    before = debian_keystone_as_commented()
    edit = sp.configure_s3api(before, KEYSTONE)
    assert line_changes(before, edit.text) == [
        (["pipeline = %s" % " ".join(KEYSTONE_PIPELINE)], ["pipeline = %s" % " ".join(CURRENT_PIPELINE)]),
        KEYSTONE_PROXY_AUTH_CHANGES[0],
        (["delay_auth_decision = False"], ["delay_auth_decision = true"]),
    ] + KEYSTONE_PROXY_AUTH_CHANGES[1:]


@pytest.mark.parametrize("value", ["True", "true", "1", "yes", "On"])
def test_delay_auth_decision_already_on_is_kept_as_written(value):
    before = keystone_proxy().replace("\ndelay_auth_decision = True\n", "\ndelay_auth_decision = %s\n" % value, 1)
    edit = sp.configure_s3api(before, KEYSTONE)
    assert ini.parse(edit.text).get("filter:authtoken", "delay_auth_decision") == value


def test_missing_delay_auth_decision_is_added():
    before = keystone_proxy().replace("\ndelay_auth_decision = True\n", "\n", 1)
    edit = sp.configure_s3api(before, KEYSTONE)
    assert line_changes(before, edit.text) == [
        (["pipeline = %s" % " ".join(KEYSTONE_PIPELINE)], ["pipeline = %s" % " ".join(CURRENT_PIPELINE)]),
        KEYSTONE_PROXY_AUTH_CHANGES[0],
        ([], ["delay_auth_decision = true"]),
    ] + KEYSTONE_PROXY_AUTH_CHANGES[1:]


def test_legacy_style_leaves_delay_auth_decision_alone():
    # s3token runs before authtoken there and hands it a token
    before = debian_keystone_as_commented()
    edit = sp.configure_s3api(before, KEYSTONE, style="legacy")
    assert ini.parse(edit.text).get("filter:authtoken", "delay_auth_decision") == "False"


# --------------------------------------------------------------------------- swift3 <-> s3api: options carried over


def legacy_proxy(swift3_options, default_options=""):
    """keystone_proxy() in legacy style with these lines in [filter:swift3] (and [DEFAULT])."""
    text = sp.configure_s3api(keystone_proxy(), KEYSTONE, style="legacy").text
    text = text.replace("[filter:swift3]\nuse = egg:swift3#swift3\n",
                        "[filter:swift3]\nuse = egg:swift3#swift3\n%s" % swift3_options)
    if default_options:
        text = text.replace("[DEFAULT]\n", "[DEFAULT]\n%s" % default_options, 1)
    return text


def test_migration_to_s3api_keeps_the_location_and_options_of_swift3():
    before = legacy_proxy("location = RegionOne\ns3_acl = true\nstorage_domain = s3.example.com\n")
    edit = sp.configure_s3api(before, KEYSTONE)
    doc = ini.parse(edit.text)
    assert not doc.has_section("filter:swift3")
    assert doc.get("filter:s3api", "use") == "egg:swift#s3api"
    assert doc.get("filter:s3api", "location") == "RegionOne"
    assert doc.get("filter:s3api", "s3_acl") == "true"
    assert doc.get("filter:s3api", "storage_domain") == "s3.example.com"
    assert sp.configure_s3api(edit.text, KEYSTONE).text == edit.text


def test_migration_without_a_location_keeps_the_one_swift3_used():
    edit = sp.configure_s3api(legacy_proxy(""), KEYSTONE)
    assert ini.parse(edit.text).get("filter:s3api", "location") == sp.DEFAULT_LOCATION["legacy"] == "US"


def test_migration_with_the_location_in_default_writes_none():
    # both filters read [DEFAULT] too, so the region stays what it is without a copy
    edit = sp.configure_s3api(legacy_proxy("", default_options="location = RegionOne\n"), KEYSTONE)
    doc = ini.parse(edit.text)
    assert doc.get("filter:s3api", "location") is None
    assert doc.get("DEFAULT", "location") == "RegionOne"


def test_migration_back_to_swift3_keeps_the_location_of_s3api():
    current = sp.configure_s3api(keystone_proxy(), KEYSTONE).text
    edit = sp.configure_s3api(current, KEYSTONE, style="legacy")
    assert ini.parse(edit.text).get("filter:swift3", "location") == sp.DEFAULT_LOCATION["current"] == "us-east-1"
    again = sp.configure_s3api(edit.text, KEYSTONE)
    assert ini.parse(again.text).get("filter:s3api", "location") == "us-east-1"


def test_s3api_options_decide_over_the_carried_value():
    edit = sp.configure_s3api(legacy_proxy("location = RegionOne\n"), KEYSTONE, s3api_options={"location": "eu-1"})
    assert ini.parse(edit.text).get("filter:s3api", "location") == "eu-1"


def test_a_different_value_already_in_the_new_section_is_refused():
    before = legacy_proxy("location = RegionOne\n") + "\n[filter:s3api]\nuse = egg:swift#s3api\nlocation = eu-1\n"
    with pytest.raises(SwiftPipelineError) as exc:
        sp.configure_s3api(before, KEYSTONE)
    assert str(exc.value) == ("[filter:swift3] location is RegionOne in the filter in use now, but [filter:s3api] "
                              "already has location = eu-1; set s3api_options location to the value the s3api filter "
                              "should have")
    # the same value is no conflict
    same = legacy_proxy("location = RegionOne\n") + "\n[filter:s3api]\nuse = egg:swift#s3api\nlocation = RegionOne\n"
    assert ini.parse(sp.configure_s3api(same, KEYSTONE).text).get("filter:s3api", "location") == "RegionOne"


def test_a_conflicting_secret_looking_value_is_not_shown():
    before = (legacy_proxy("hmac_secret = Very-Secret-1\n")
              + "\n[filter:s3api]\nuse = egg:swift#s3api\nhmac_secret = Very-Secret-2\n")
    with pytest.raises(SwiftPipelineError) as exc:
        sp.configure_s3api(before, KEYSTONE)
    assert "hmac_secret is ********" in str(exc.value)
    assert "Very-Secret" not in str(exc.value)


def test_a_swift3_section_no_pipeline_used_carries_nothing():
    text = keystone_proxy() + "\n[filter:swift3]\nuse = egg:swift3#swift3\nlocation = RegionOne\n"
    edit = sp.configure_s3api(text, KEYSTONE)
    doc = ini.parse(edit.text)
    assert not doc.has_section("filter:swift3")
    assert doc.get("filter:s3api", "location") is None
