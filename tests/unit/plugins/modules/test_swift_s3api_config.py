# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/swift_s3api_config.py: main() on copies of Debian's proxy-server.conf."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.modules import swift_s3api_config as module
from ansible_collections.stackops.openstack.tests.unit.module_harness import changed_lines, exit_result, fail_result, patch_exits

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "ini" / "proxy-server.conf"
KEYSTONE = "http://controller:5000"
SECRET = "Sw1ft-s3cr3t-pw"
S3_SECRET = "S3-cache-pw-42"

TEMPAUTH_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache listing_formats container_sync bulk tempurl "
    "ratelimit tempauth copy container-quotas account-quotas slo dlo versioned_writes symlink proxy-logging "
    "proxy-server").split()
KEYSTONE_PIPELINE = (
    "catch_errors gatekeeper healthcheck proxy-logging cache container_sync bulk tempurl ratelimit "
    "authtoken keystoneauth copy container-quotas account-quotas slo dlo versioned_writes symlink "
    "proxy-logging proxy-server").split()
CURRENT_PIPELINE = KEYSTONE_PIPELINE[:10] + ["s3api", "s3token"] + KEYSTONE_PIPELINE[10:]
LEGACY_PIPELINE = KEYSTONE_PIPELINE[:9] + ["swift3", "s3token"] + KEYSTONE_PIPELINE[9:]


def debian():
    return FIXTURE.read_text(encoding="utf-8")


def keystone_proxy():
    """Debian's file after an operator followed its comments to use Keystone.

    (As in test_swift_pipeline.py:) the tempauth pipeline commented out, the keystone one
    uncommented, the sample [filter:authtoken] and [filter:keystoneauth] uncommented in place.
    """
    text = debian()
    tempauth = "pipeline = %s\n" % " ".join(TEMPAUTH_PIPELINE)
    keystone = "#pipeline = %s\n" % " ".join(KEYSTONE_PIPELINE)
    text = text.replace(tempauth, "#" + tempauth).replace(keystone, keystone[1:])
    head, rest = text.split("# [filter:authtoken]", 1)
    block, tail = rest.split("[filter:s3api]", 1)
    block = "# [filter:authtoken]" + block
    for line in ("[filter:authtoken]", "paste.filter_factory = keystonemiddleware.auth_token:filter_factory",
                 "www_authenticate_uri = http://keystonehost:5000", "auth_url = http://keystonehost:5000",
                 "auth_plugin = password", "project_domain_id = default", "user_domain_id = default",
                 "project_name = service", "username = swift", "password = password",
                 "delay_auth_decision = False", "cache = swift.cache", "[filter:keystoneauth]",
                 "use = egg:swift#keystoneauth", "operator_roles = admin, swiftoperator"):
        assert "# %s\n" % line in block, line
        block = block.replace("# %s\n" % line, "%s\n" % line, 1)
    block = block.replace("\npassword = password\n", "\npassword = %s\n" % SECRET, 1)
    block = block.replace("\ndelay_auth_decision = False\n", "\ndelay_auth_decision = True\n", 1)
    text = head + block + "[filter:s3api]" + tail
    assert ini.parse(text).get("pipeline:main", "pipeline").split() == KEYSTONE_PIPELINE
    return text


# --------------------------------------------------------------------------- harness

@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch)


@pytest.fixture
def conf(tmp_path):
    """A Keystone-enabled copy of Debian's proxy-server.conf, mode 0640."""
    path = tmp_path / "proxy-server.conf"
    path.write_text(keystone_proxy(), encoding="utf-8")
    path.chmod(0o640)
    return path


def run(path, check_mode=False, diff=False, **args):
    args.setdefault("keystone_url", KEYSTONE)
    args.update(path=str(path), _ansible_check_mode=check_mode, _ansible_diff=diff)
    return exit_result(module.main, args)


def run_fail(path, **args):
    args.setdefault("keystone_url", KEYSTONE)
    args.update(path=str(path))
    return fail_result(module.main, args)


def expected_lines(password):
    """changed_lines() of the current style on keystone_proxy(), s3token's copied password as given."""
    return [
        "-pipeline = %s" % " ".join(KEYSTONE_PIPELINE),
        "+pipeline = %s" % " ".join(CURRENT_PIPELINE),
        "-www_authenticate_uri = http://keystonehost:5000",
        "-auth_url = http://keystonehost:5000",
        "+www_authenticate_uri = http://controller:5000",
        "+auth_url = http://controller:5000",
        "-auth_uri = http://keystonehost:5000/v3",
        "+auth_uri = http://controller:5000/v3",
        # authtoken's service credentials, copied into s3token (auth_url as just written)
        "+auth_url = http://controller:5000",
        "+project_domain_id = default",
        "+project_name = service",
        "+user_domain_id = default",
        "+username = swift",
        "+password = %s" % password,
    ]


def expected_changes(password):
    """The `changes` of the current style on keystone_proxy()."""
    return [
        {"section": "pipeline:main", "key": "pipeline", "action": "changed",
         "before": " ".join(KEYSTONE_PIPELINE), "after": " ".join(CURRENT_PIPELINE)},
        {"section": "filter:authtoken", "key": "www_authenticate_uri", "action": "changed",
         "before": "http://keystonehost:5000", "after": KEYSTONE},
        {"section": "filter:authtoken", "key": "auth_url", "action": "changed",
         "before": "http://keystonehost:5000", "after": KEYSTONE},
        {"section": "filter:s3token", "key": "auth_uri", "action": "changed",
         "before": "http://keystonehost:5000/v3", "after": KEYSTONE + "/v3"},
        {"section": "filter:s3token", "key": "auth_url", "action": "added", "before": None, "after": KEYSTONE},
        {"section": "filter:s3token", "key": "project_domain_id", "action": "added", "before": None,
         "after": "default"},
        {"section": "filter:s3token", "key": "project_name", "action": "added", "before": None, "after": "service"},
        {"section": "filter:s3token", "key": "user_domain_id", "action": "added", "before": None,
         "after": "default"},
        {"section": "filter:s3token", "key": "username", "action": "added", "before": None, "after": "swift"},
        {"section": "filter:s3token", "key": "password", "action": "added", "before": None, "after": password},
    ]


def strings(value):
    """Every string in a result: dict keys and values, list items, nested."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(key)
            yield from strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from strings(item)


# --------------------------------------------------------------------------- changes


def test_enables_s3_on_the_keystone_proxy_then_reports_no_change(conf):
    before = conf.read_text(encoding="utf-8")
    result = run(conf)
    after = conf.read_text(encoding="utf-8")
    assert result["changed"] is True
    assert result["pipeline_before"] == KEYSTONE_PIPELINE
    assert result["pipeline_after"] == CURRENT_PIPELINE
    assert ini.parse(after).get("pipeline:main", "pipeline").split() == CURRENT_PIPELINE
    # the file holds the real password; the result has it masked
    assert changed_lines(before, after) == expected_lines(SECRET)
    assert result["changes"] == expected_changes(ini.MASK)
    assert result["backup_file"] is None
    assert "diff" not in result
    assert stat.S_IMODE(conf.stat().st_mode) == 0o640

    mtime = conf.stat().st_mtime_ns
    again = run(conf)
    assert again["changed"] is False
    assert again["changes"] == []
    assert again["pipeline_before"] == again["pipeline_after"] == CURRENT_PIPELINE
    assert conf.read_text(encoding="utf-8") == after
    assert conf.stat().st_mtime_ns == mtime


def test_check_mode_writes_nothing_and_reports_the_same(conf):
    before = conf.read_bytes()
    mtime = conf.stat().st_mtime_ns
    checked = run(conf, check_mode=True, diff=True)
    assert conf.read_bytes() == before
    assert conf.stat().st_mtime_ns == mtime
    assert sorted(os.listdir(conf.parent)) == ["proxy-server.conf"]
    assert checked["changed"] is True
    assert checked["pipeline_after"] == CURRENT_PIPELINE
    real = run(conf, diff=True)
    assert {key: value for key, value in checked.items() if key != "invocation"} == \
        {key: value for key, value in real.items() if key != "invocation"}


def test_diff_masks_secrets(conf):
    result = run(conf, diff=True, s3token_options={"secret_cache_duration": 60, "username": "swift",
                                                   "password": S3_SECRET})
    diff = result["diff"]
    assert diff["before_header"] == diff["after_header"] == str(conf)
    assert SECRET not in diff["before"] and SECRET not in diff["after"]
    assert "password = %s" % ini.MASK in diff["after"]
    assert changed_lines(diff["before"], diff["after"])[:2] == [
        "-pipeline = %s" % " ".join(KEYSTONE_PIPELINE), "+pipeline = %s" % " ".join(CURRENT_PIPELINE)]
    assert ini.parse(conf.read_text(encoding="utf-8")).get("filter:s3token", "password") == S3_SECRET
    # nowhere in what goes back to the controller, the invocation included
    assert SECRET not in json.dumps(result) and S3_SECRET not in json.dumps(result)
    assert {"section": "filter:s3token", "key": "password", "action": "added", "before": None,
            "after": ini.MASK} in result["changes"]


@pytest.mark.parametrize("check_mode", [False, True], ids=["apply", "check"])
def test_diff_masks_the_password_copied_from_authtoken(conf, check_mode):
    before = conf.read_text(encoding="utf-8")
    result = run(conf, check_mode=check_mode, diff=True)
    assert result["changed"] is True
    diff = result["diff"]
    # the diff has exactly the lines that change in the file, the password masked
    assert changed_lines(diff["before"], diff["after"]) == expected_lines(ini.MASK)
    assert result["changes"] == expected_changes(ini.MASK)
    # the copied password is nowhere in the result: not in the diff texts, the changes, any
    # other value or key, the invocation included (it is no module argument, so Ansible's
    # no_log masking does not apply: the module itself must leave it out)
    assert SECRET not in json.dumps(result)
    assert not [text for text in strings(result) if SECRET in text]
    doc = ini.parse(conf.read_text(encoding="utf-8"))
    if check_mode:
        assert conf.read_text(encoding="utf-8") == before
        assert doc.get("filter:s3token", "password") is None
    else:
        assert doc.get("filter:s3token", "password") == SECRET
        assert doc.get("filter:authtoken", "password") == SECRET
        again = run(conf, diff=True)
        assert again["changed"] is False and again["changes"] == []
        assert again["diff"]["before"] == again["diff"]["after"]
        assert SECRET not in json.dumps(again)


def test_backup(conf):
    before = conf.read_text(encoding="utf-8")
    result = run(conf, backup=True)
    backup = Path(result["backup_file"])
    assert backup.parent == conf.parent and backup.name.startswith("proxy-server.conf.")
    assert backup.read_text(encoding="utf-8") == before
    assert run(conf, backup=True)["backup_file"] is None  # nothing changed, nothing copied
    assert len(os.listdir(conf.parent)) == 2


def test_check_mode_makes_no_backup(conf):
    assert run(conf, check_mode=True, backup=True)["backup_file"] is None
    assert os.listdir(conf.parent) == ["proxy-server.conf"]


def test_legacy_style_and_back_to_current(conf):
    legacy = run(conf, style="legacy")
    assert legacy["changed"] is True
    assert legacy["pipeline_after"] == LEGACY_PIPELINE
    doc = ini.parse(conf.read_text(encoding="utf-8"))
    assert doc.get("filter:swift3", "use") == "egg:swift3#swift3"
    assert doc.get("filter:s3token", "paste.filter_factory") == "keystonemiddleware.s3_token:filter_factory"
    assert not doc.has_section("filter:s3api")
    assert {"section": "filter:s3api", "key": "use", "action": "removed", "before": "egg:swift#s3api",
            "after": None} in legacy["changes"]
    assert run(conf, style="legacy")["changed"] is False

    current = run(conf, style="current")
    assert current["pipeline_before"] == LEGACY_PIPELINE
    assert current["pipeline_after"] == CURRENT_PIPELINE
    doc = ini.parse(conf.read_text(encoding="utf-8"))
    assert doc.get("filter:s3api", "use") == "egg:swift#s3api"
    assert not doc.has_section("filter:swift3")
    assert run(conf)["changed"] is False


def test_pipeline_with_continuation_lines(conf):
    text = conf.read_text(encoding="utf-8")
    one_line = "pipeline = %s\n" % " ".join(KEYSTONE_PIPELINE)
    wrapped = "pipeline = %s\n    %s\n    %s\n" % (
        " ".join(KEYSTONE_PIPELINE[:9]), " ".join(KEYSTONE_PIPELINE[9:11]), " ".join(KEYSTONE_PIPELINE[11:]))
    conf.write_text(text.replace("\n" + one_line, "\n" + wrapped), encoding="utf-8")
    result = run(conf)
    assert result["pipeline_before"] == KEYSTONE_PIPELINE
    assert result["pipeline_after"] == CURRENT_PIPELINE
    assert "\n    authtoken s3api s3token keystoneauth\n    copy " in conf.read_text(encoding="utf-8")
    assert run(conf)["changed"] is False


def test_named_pipeline_and_extra_options(conf):
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text + "\n[pipeline:s3]\npipeline = cache authtoken keystoneauth proxy-server\n",
                    encoding="utf-8")
    result = run(conf, pipeline="s3", s3api_options={"location": "RegionOne", "s3_acl": False})
    assert result["pipeline_after"] == "cache authtoken s3api s3token keystoneauth proxy-server".split()
    doc = ini.parse(conf.read_text(encoding="utf-8"))
    assert doc.get("pipeline:main", "pipeline").split() == KEYSTONE_PIPELINE
    assert doc.get("filter:s3api", "location") == "RegionOne"
    assert doc.get("filter:s3api", "s3_acl") == "false"


# --------------------------------------------------------------------------- refusals


def test_debian_default_is_refused(tmp_path):
    path = tmp_path / "proxy-server.conf"
    path.write_text(debian(), encoding="utf-8")
    result = run_fail(path)
    assert result["msg"].startswith("%s: the pipeline has no authtoken and no keystoneauth: "
                                    "s3token needs Keystone auth" % path)
    assert path.read_text(encoding="utf-8") == debian()


def test_missing_file_fails_before_anything(tmp_path):
    path = tmp_path / "swift" / "proxy-server.conf"
    result = run_fail(path, keystone_url="not a url")
    assert result["msg"] == ("%s does not exist; is the Swift proxy (swift-proxy) installed? "
                             "Set path to its configuration file" % path)
    assert not path.parent.exists()


def test_directory_is_refused(tmp_path):
    assert "is a directory" in run_fail(tmp_path)["msg"]


@pytest.mark.parametrize("args, fragment", [
    ({"keystone_url": "keystone:5000"}, "keystone_url 'keystone:5000' is not an http(s) URL"),
    ({"keystone_url": "http://controller:5000/v3"}, "ends with an API version"),
    ({"pipeline": "s3"}, "there is no [pipeline:s3] section; pipeline sections found: [pipeline:main]"),
    ({"s3token_options": {"auth_uri": "http://x"}}, "s3token_options cannot set auth_uri"),
    ({"s3api_options": {"location": [1]}}, "value must be a string, number or boolean, got list"),
])
def test_bad_input_is_refused(conf, args, fragment):
    before = conf.read_bytes()
    result = run_fail(conf, **args)
    assert result["msg"].startswith(str(conf) + ": ")
    assert fragment in result["msg"]
    assert conf.read_bytes() == before


def test_pipeline_not_ending_in_proxy_server(conf):
    text = conf.read_text(encoding="utf-8")
    active = "\npipeline = %s\n" % " ".join(KEYSTONE_PIPELINE)
    conf.write_text(text.replace(active, active.replace(" proxy-server", "")), encoding="utf-8")
    assert "must end with the proxy-server app, but it ends with proxy-logging" in run_fail(conf)["msg"]


def test_no_authtoken_in_the_pipeline(conf):
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text.replace("ratelimit authtoken keystoneauth copy", "ratelimit keystoneauth copy"),
                    encoding="utf-8")
    msg = run_fail(conf)["msg"]
    assert "the pipeline has no authtoken: s3token needs Keystone auth" in msg


def test_no_authtoken_section(conf):
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text.replace("\n[filter:authtoken]\n", "\n# [filter:authtoken]\n"), encoding="utf-8")
    assert "no [filter:authtoken] section: the proxy is not set up for Keystone" in run_fail(conf)["msg"]


def test_malformed_line_is_reported_with_its_number(conf):
    lines = conf.read_text(encoding="utf-8").splitlines(True)
    lines.insert(41, "this is not ini\n")
    conf.write_text("".join(lines), encoding="utf-8")
    msg = run_fail(conf)["msg"]
    assert msg.startswith("cannot parse %s: line 42: " % conf)
    assert "'this is not ini'" in msg


def test_not_utf8_is_reported(conf):
    conf.write_bytes(b"[DEFAULT]\nx = \xff\n")
    assert "is not UTF-8 text" in run_fail(conf)["msg"]


def test_unknown_style_is_refused_by_the_argument_spec(conf):
    assert "value of style must be one of: current, legacy" in run_fail(conf, style="kilo")["msg"]


def test_write_error_is_reported(conf, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(conf))
    monkeypatch.setattr(module.ini, "write_file", refuse)
    assert run_fail(conf)["msg"].startswith("cannot write %s: [Errno 13] Permission denied" % conf)


# --------------------------------------------------------------------------- what the proxy could not start with


@pytest.mark.parametrize("style", ["current", "legacy"])
def test_duplicate_authtoken_section_is_refused_and_the_file_untouched(conf, style):
    conf.write_text(conf.read_text(encoding="utf-8") + "\n[filter:authtoken]\ndelay_auth_decision = false\n",
                    encoding="utf-8")
    before = conf.read_bytes()
    msg = run_fail(conf, style=style)["msg"]
    assert msg.startswith("%s: [filter:authtoken] appears 2 times (lines " % conf)
    assert "paste.deploy refuses a repeated section (DuplicateSectionError), so swift-proxy could not start" in msg
    assert conf.read_bytes() == before


def test_repeated_option_is_refused(conf):
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text.replace("\ncache = swift.cache\n", "\ncache = swift.cache\ncache = swift.cache\n", 1),
                    encoding="utf-8")
    msg = run_fail(conf)["msg"]
    assert "cache appears 2 times in [filter:authtoken]" in msg and "DuplicateOptionError" in msg


def test_delay_auth_decision_false_is_turned_on_and_reported(conf):
    text = conf.read_text(encoding="utf-8")
    conf.write_text(text.replace("\ndelay_auth_decision = True\n", "\ndelay_auth_decision = False\n", 1),
                    encoding="utf-8")
    result = run(conf)
    assert {"section": "filter:authtoken", "key": "delay_auth_decision", "action": "changed", "before": "False",
            "after": "true"} in result["changes"]
    assert ini.parse(conf.read_text(encoding="utf-8")).get("filter:authtoken", "delay_auth_decision") == "true"
    assert run(conf)["changed"] is False


def test_swift3_to_s3api_keeps_the_region(conf):
    assert run(conf, style="legacy", s3api_options={"location": "RegionOne"})["changed"] is True
    result = run(conf)
    assert result["pipeline_after"] == CURRENT_PIPELINE
    doc = ini.parse(conf.read_text(encoding="utf-8"))
    assert not doc.has_section("filter:swift3")
    assert doc.get("filter:s3api", "location") == "RegionOne"
    assert {"section": "filter:s3api", "key": "location", "action": "added", "before": None,
            "after": "RegionOne"} in result["changes"]


def test_a_url_password_in_an_option_value_is_masked_in_the_whole_result(conf):
    # cache or memcache URLs carry credentials although their option names do not look secret
    secret = "Urlpw-4417"
    result = run(conf, diff=True, s3api_options={"cache_url": "redis://s3:%s@cache.example:6379/0" % secret})
    assert result["changed"] is True
    assert secret not in json.dumps(result)
    assert "redis://s3:" in json.dumps(result["diff"])
