# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/ini.py, on the config files Debian 12 ships.

Every edit is checked with difflib against the original text: the point of the
engine is that nothing but the intended lines changes.
"""

from __future__ import annotations

import difflib
import os
import stat
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils.ini import IniError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
REAL_FILES = ("nova.conf", "ceilometer.conf", "aodh.conf", "proxy-server.conf")
SECRET = "s3cr3t-Pa55"


def real(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def edited(text, *edits):
    """Apply (method, args...) edits to a parsed text; return the new text."""
    doc = ini.parse(text)
    for method, *args in edits:
        getattr(doc, method)(*args)
    return doc.text


def line_changes(before, after):
    """The lines difflib sees removed ('-') and added ('+'), with their context line above."""
    old, new = before.splitlines(True), after.splitlines(True)
    head = 0  # difflib is quadratic on nova.conf's 10k lines: trim the common ends first
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    old_mid, new_mid = old[head:len(old) - tail], new[head:len(new) - tail]
    result = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_mid, new_mid, autojunk=False).get_opcodes():
        if tag != "equal":
            above = new[head + j1 - 1] if head + j1 else None
            result.append((above, old_mid[i1:i2], new_mid[j1:j2]))
    return result


def section_of(text, line_number):
    """The [section] a 1-based line number of text belongs to."""
    name = None
    for line in text.splitlines()[:line_number]:
        if line.startswith("["):
            name = line.strip()[1:-1]
    return name


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize("name", REAL_FILES)
def test_real_file_round_trips_byte_identical(name):
    text = real(name)
    doc = ini.parse(text)
    assert doc.text == text
    assert doc.text.encode("utf-8") == (FIXTURES / name).read_bytes()


@pytest.mark.parametrize("text", [
    "",
    "\n\n",
    "# only a comment",
    "[DEFAULT]\nkey = value",
    "[DEFAULT]\r\nkey=value\r\n\r\n[a]\r\nb: c\r\n",
    "[DEFAULT]\r\nkey=value\r\n[a]\r\nb: c",
    "; preamble\n\n[DEFAULT]\n  # indented comment\nkey =   spaced   \n",
    "[filter:x]\npipeline =\n    a b\n\tc\n# done\n",
    "[a]\nk = 1\n[a]\nk = 2\n",
])
def test_synthetic_text_round_trips(text):
    assert ini.parse(text).text == text


@pytest.mark.parametrize("name, section, key, expected", [
    ("nova.conf", "DEFAULT", "state_path", "/var/lib/nova"),
    ("nova.conf", "database", "connection", "sqlite:////var/lib/nova/novadb"),
    ("nova.conf", "placement", "username", "="),  # shipped as `username = =`
    ("nova.conf", "spice", "enabled", "true"),
    ("nova.conf", "vnc", "enabled", None),  # only `#enabled = true`
    ("ceilometer.conf", "oslo_concurrency", "lock_path", "/var/lock/ceilometer"),
    ("aodh.conf", "keystone_authtoken", "auth_type", "password"),
    ("proxy-server.conf", "DEFAULT", "workers", "20"),
    ("proxy-server.conf", "app:proxy-server", "set log_name", "swift-proxy-server"),
    ("proxy-server.conf", "pipeline:main", "pipeline",
     ("catch_errors gatekeeper healthcheck proxy-logging cache listing_formats container_sync "
      "bulk tempurl ratelimit tempauth copy container-quotas account-quotas slo dlo "
      "versioned_writes symlink proxy-logging proxy-server")),
])
def test_get_on_real_files(name, section, key, expected):
    assert ini.parse(real(name)).get(section, key) == expected


def test_sections_keep_file_order_and_unknown_sections():
    doc = ini.parse(real("proxy-server.conf"))
    sections = doc.sections()
    assert sections[:3] == ["DEFAULT", "pipeline:main", "app:proxy-server"]
    assert "filter:tempauth" in sections and "filter:s3api" in sections
    assert "filter:authtoken" not in sections  # shipped commented out: `# [filter:authtoken]`
    assert ini.parse(real("nova.conf")).sections()[0] == "DEFAULT"
    assert doc.options("pipeline:main") == ["pipeline"]


@pytest.mark.parametrize("text, lineno, fragment", [
    ("[DEFAULT]\nthis is not ini\n", 2, "this is not ini"),
    ("    indented = first\n", 1, "indented = first"),
    ("[DEFAULT]\n\n  orphan continuation\n", 3, "orphan continuation"),
    ("debug = before any section\n", 1, "debug = before any section"),
    ("[DEFAULT\n", 1, "[DEFAULT"),
    ("[]\n", 1, "[]"),
    ("[a] trailing\n", 1, "[a] trailing"),
    ("[a]\n= no name\n", 2, "= no name"),
])
def test_unparseable_line_names_number_and_content(text, lineno, fragment):
    with pytest.raises(IniError) as caught:
        ini.parse(text)
    assert caught.value.lineno == lineno
    assert str(caught.value).startswith("line %d: " % lineno)
    assert fragment in str(caught.value)


# --------------------------------------------------------------------------- set


def test_set_vnc_enabled_goes_right_after_the_commented_default():
    before = real("nova.conf")
    after = edited(before, ("set", "vnc", "enabled", "false"))
    assert line_changes(before, after) == [("#enabled = true\n", [], ["enabled = false\n"])]
    lines = after.splitlines()
    number = lines.index("enabled = false") + 1
    assert section_of(after, number) == "vnc"
    assert ini.parse(after).get("vnc", "enabled") == "false"
    assert ini.parse(after).get("spice", "enabled") == "true"


@pytest.mark.parametrize("name, section, key, value, commented", [
    ("nova.conf", "DEFAULT", "transport_url", "rabbit://nova:%s@ctl:5672/" % SECRET,
     "#transport_url = rabbit://\n"),
    ("nova.conf", "api", "auth_strategy", "keystone", "#auth_strategy = keystone\n"),
    ("ceilometer.conf", "DEFAULT", "transport_url", "rabbit://c:%s@ctl//" % SECRET,
     "#transport_url = rabbit://\n"),
    ("aodh.conf", "database", "connection", "mysql+pymysql://aodh:%s@db/aodh" % SECRET,
     "#connection = <None>\n"),
    ("proxy-server.conf", "DEFAULT", "bind_ip", "192.0.2.10", "# bind_ip = 0.0.0.0\n"),
    ("proxy-server.conf", "app:proxy-server", "set log_level", "DEBUG", "# set log_level = INFO\n"),
])
def test_set_inserts_one_line_after_the_commented_default(name, section, key, value, commented):
    before = real(name)
    after = edited(before, ("set", section, key, value))
    sep = " = "
    assert line_changes(before, after) == [(commented, [], [key + sep + value + "\n"])]
    assert ini.parse(after).get(section, key) == value


@pytest.mark.parametrize("line, value, expected", [
    ("workers = 20\n", "8", "workers = 8\n"),
    ("workers=20\n", "8", "workers=8\n"),
    ("workers: 20\n", "8", "workers: 8\n"),
    ("workers  =  20   \n", "8", "workers  =  8\n"),
    ("workers =\n", "8", "workers = 8\n"),
    ("workers = 20\n", "", "workers =\n"),
])
def test_set_replaces_in_place_keeping_the_separator_style(line, value, expected):
    before = "[DEFAULT]\n# c\n" + line + "other = x\n"
    after = edited(before, ("set", "DEFAULT", "workers", value))
    assert after == "[DEFAULT]\n# c\n" + expected + "other = x\n"


def test_set_replaces_existing_value_in_real_file_in_place():
    before = real("proxy-server.conf")
    after = edited(before, ("set", "DEFAULT", "workers", "4"))
    assert [change[1:] for change in line_changes(before, after)] == [
        (["workers = 20\n"], ["workers = 4\n"])]


@pytest.mark.parametrize("name", REAL_FILES)
def test_every_active_option_of_a_real_file_edits_only_its_own_line(name):
    before = real(name)
    options = ini.parse(before).values()
    assert options
    for (section, key), values in options.items():
        assert edited(before, ("set_all", section, key, values)) == before
        after = edited(before, ("set", section, key, "changed-by-test"))
        (_above, removed, added), = line_changes(before, after)
        assert removed == [removed[0][:-len(values[0]) - 1] + values[0] + "\n"]
        assert added == [removed[0][:-len(values[0]) - 1] + "changed-by-test\n"]


def test_set_same_value_changes_nothing():
    doc = ini.parse(real("nova.conf"))
    assert doc.set("DEFAULT", "state_path", "/var/lib/nova") is False
    assert doc.text == real("nova.conf")
    assert doc.set("vnc", "enabled", "false") is True
    assert doc.set("vnc", "enabled", "false") is False


def test_set_unknown_option_appends_at_the_end_of_the_section():
    before = real("nova.conf")
    after = edited(before, ("set", "vnc", "stackops_marker", "1"))
    (above, removed, added), = line_changes(before, after)
    assert removed == [] and added == ["stackops_marker = 1\n"]
    lines = after.splitlines()
    number = lines.index("stackops_marker = 1") + 1
    assert section_of(after, number) == "vnc"
    following = [line for line in lines[number:] if line.strip()]
    assert following[0] == "[workarounds]"
    assert above.strip()  # after the section's last line, not after its trailing blank


@pytest.mark.parametrize("text, section, expected", [
    ("[a]\nx = 1\n", "b", "[a]\nx = 1\n\n[b]\nk = v\n"),
    ("[a]\nx = 1", "b", "[a]\nx = 1\n\n[b]\nk = v"),
    ("[a]\nx = 1\n\n", "b", "[a]\nx = 1\n\n[b]\nk = v\n"),
    ("", "b", "[b]\nk = v\n"),
    ("# managed\n[a]\nx = 1\n", "DEFAULT", "# managed\n[DEFAULT]\nk = v\n\n[a]\nx = 1\n"),
    ("[a]\r\nx=1\r\n", "b", "[a]\r\nx=1\r\n\r\n[b]\r\nk=v\r\n"),
])
def test_missing_section_is_created(text, section, expected):
    assert edited(text, ("set", section, "k", "v")) == expected


def test_missing_section_in_real_file_is_appended_at_the_end():
    before = real("aodh.conf")
    after = edited(before, ("set", "stackops", "role", "controller"))
    assert after == before + "\n[stackops]\nrole = controller\n"


def test_crlf_without_trailing_newline_keeps_both_through_an_edit():
    before = "[a]\r\nx = 1\r\n\r\n[b]\r\ny = 2"
    after = edited(before, ("set", "b", "z", "3"), ("set", "a", "x", "4"))
    assert after == "[a]\r\nx = 4\r\n\r\n[b]\r\ny = 2\r\nz = 3"


def test_no_trailing_newline_is_kept_through_an_edit():
    before = real("ceilometer.conf").rstrip("\n")
    after = edited(before, ("set", "DEFAULT", "debug", "true"))
    assert not after.endswith("\n")
    assert ini.parse(after).get("DEFAULT", "debug") == "true"
    assert [change[1:] for change in line_changes(before, after)] == [([], ["debug = true\n"])]


# --------------------------------------------------------------------------- multi-valued


MULTI = (
    "[DEFAULT]\n"
    "# enabled APIs, one per line\n"
    "enabled_apis = osapi_compute\n"
    "debug = false\n"
    "enabled_apis=metadata\n"
    "\n"
    "[other]\n"
    "enabled_apis = elsewhere\n"
)


def test_repeated_keys_are_all_kept_in_order():
    doc = ini.parse(MULTI)
    assert doc.get_all("DEFAULT", "enabled_apis") == ["osapi_compute", "metadata"]
    assert doc.get("DEFAULT", "enabled_apis") == "metadata"  # oslo.config: last one wins
    assert doc.get_all("other", "enabled_apis") == ["elsewhere"]
    assert doc.options("DEFAULT") == ["enabled_apis", "debug"]
    assert doc.text == MULTI


@pytest.mark.parametrize("values, expected_lines", [
    (["osapi_compute", "metadata"], None),
    (["osapi_compute", "metadata", "extra"],
     ["enabled_apis = osapi_compute", "debug = false", "enabled_apis=metadata",
      "enabled_apis=extra"]),
    (["metadata"], ["debug = false", "enabled_apis=metadata"]),
    (["osapi_compute"], ["enabled_apis = osapi_compute", "debug = false"]),
    (["first", "osapi_compute", "metadata"],
     ["enabled_apis = first", "enabled_apis = osapi_compute", "debug = false",
      "enabled_apis=metadata"]),
    (["osapi_compute", "changed"],
     ["enabled_apis = osapi_compute", "debug = false", "enabled_apis=changed"]),
    (["x", "y", "z"],
     ["enabled_apis = x", "debug = false", "enabled_apis=y", "enabled_apis=z"]),
    ([], ["debug = false"]),
])
def test_set_all_makes_the_exact_list_keeping_positions(values, expected_lines):
    doc = ini.parse(MULTI)
    assert doc.set_all("DEFAULT", "enabled_apis", values) is (expected_lines is not None)
    assert doc.get_all("DEFAULT", "enabled_apis") == values
    if expected_lines is None:
        assert doc.text == MULTI
        return
    body = doc.text.split("\n\n[other]")[0].splitlines()
    assert body == ["[DEFAULT]", "# enabled APIs, one per line"] + expected_lines
    assert doc.text.endswith("\n\n[other]\nenabled_apis = elsewhere\n")


def test_set_collapses_a_repeated_key_to_one_line_in_place():
    after = edited(MULTI, ("set", "DEFAULT", "enabled_apis", "osapi_compute"))
    assert after == MULTI.replace("enabled_apis=metadata\n", "")


def test_remove_value_keeps_the_other_lines():
    after = edited(MULTI, ("remove_value", "DEFAULT", "enabled_apis", "osapi_compute"))
    assert after == MULTI.replace("enabled_apis = osapi_compute\n", "")
    assert edited(MULTI, ("remove_value", "DEFAULT", "enabled_apis", "absent")) == MULTI


def test_multi_valued_option_in_real_nova_conf_goes_after_its_commented_default():
    before = real("nova.conf")
    after = edited(before, ("set_all", "DEFAULT", "enabled_apis", ["osapi_compute", "metadata"]))
    assert line_changes(before, after) == [(
        "#enabled_apis = osapi_compute,metadata\n", [],
        ["enabled_apis = osapi_compute\n", "enabled_apis = metadata\n"])]


# --------------------------------------------------------------------------- continuation lines


def continued_proxy_server():
    """The real proxy-server.conf with its pipeline written over three lines, paste-style."""
    text = real("proxy-server.conf")
    one_line = "pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats "
    assert one_line in text
    return text.replace(
        one_line,
        "pipeline = catch_errors gatekeeper healthcheck\n"
        "    proxy-logging cache listing_formats\n    ", 1)


def test_continuation_lines_are_one_value():
    text = continued_proxy_server()
    doc = ini.parse(text)
    value = doc.get("pipeline:main", "pipeline")
    assert value.split("\n")[:2] == ["catch_errors gatekeeper healthcheck",
                                     "proxy-logging cache listing_formats"]
    assert value.split() == real_pipeline().split()
    assert doc.text == text
    assert doc.set("pipeline:main", "pipeline", value) is False


def real_pipeline():
    return ini.parse(real("proxy-server.conf")).get("pipeline:main", "pipeline")


def test_continued_value_is_rewritten_with_its_own_indentation():
    before = continued_proxy_server()
    words = real_pipeline().split()
    words.insert(words.index("tempauth"), "authtoken keystoneauth")
    new_value = "\n".join([" ".join(words[:6]), " ".join(words[6:])])
    after = edited(before, ("set", "pipeline:main", "pipeline", new_value))
    (above, removed, added), = line_changes(before, after)
    assert above == "# testing. See below for a pipeline using keystone.\n"
    assert len(removed) == 3
    assert added == ["pipeline = " + " ".join(words[:6]) + "\n",
                     "    " + " ".join(words[6:]) + "\n"]
    assert ini.parse(after).get("pipeline:main", "pipeline") == new_value


def test_continued_value_collapses_to_one_line_and_remove_takes_all_its_lines():
    before = continued_proxy_server()
    after = edited(before, ("set", "pipeline:main", "pipeline", "proxy-server"))
    assert after == real("proxy-server.conf").replace(real_pipeline(), "proxy-server", 1)
    removed = edited(before, ("remove", "pipeline:main", "pipeline"))
    assert removed == real("proxy-server.conf").replace("pipeline = %s\n" % real_pipeline(), "", 1)


# --------------------------------------------------------------------------- remove, sections


def test_remove_takes_every_occurrence_and_leaves_commented_defaults():
    before = real("nova.conf")
    after = edited(before, ("remove", "DEFAULT", "state_path"))
    assert [change[1:] for change in line_changes(before, after)] == [
        (["state_path = /var/lib/nova\n"], [])]
    assert edited("[a]\n#k = default\nk = 1\n", ("remove", "a", "k")) == "[a]\n#k = default\n"
    assert edited(MULTI, ("remove", "DEFAULT", "enabled_apis")) == (
        "[DEFAULT]\n# enabled APIs, one per line\ndebug = false\n\n[other]\nenabled_apis = elsewhere\n")


def test_remove_absent_option_or_section_changes_nothing():
    doc = ini.parse(real("aodh.conf"))
    assert doc.remove("DEFAULT", "no_such_option") is False
    assert doc.remove("no_such_section", "x") is False
    assert doc.remove_section("no_such_section") is False
    assert doc.text == real("aodh.conf")


def test_add_and_remove_section():
    before = real("proxy-server.conf")
    doc = ini.parse(before)
    assert doc.add_section("filter:tempauth") is False
    assert doc.add_section("filter:stackops") is True
    assert doc.text == before + "\n[filter:stackops]\n"
    assert doc.remove_section("filter:stackops") is True
    assert doc.text == before + "\n"
    doc = ini.parse(before)
    assert doc.remove_section("filter:tempauth") is True
    assert "filter:tempauth" not in doc.sections()
    assert all(not change[2] for change in line_changes(before, doc.text))


def test_duplicate_section_is_one_section():
    doc = ini.parse("[a]\nk = 1\n[b]\n[a]\nk = 2\n")
    assert doc.get_all("a", "k") == ["1", "2"]
    assert doc.remove_section("a") is True
    assert doc.text == "[b]\n"


@pytest.mark.parametrize("section, key, value", [
    ("DEFAULT", "debug", True),
    ("DEFAULT", "debug", " padded"),
    ("DEFAULT", "debug", "a\n\nb"),
    ("DEFAULT", "debug", "a\n  b"),
    ("DEFAULT", "de=bug", "x"),
    ("DEFAULT", "#debug", "x"),
    ("DEFAULT", " debug", "x"),
    ("DEF]AULT", "debug", "x"),
    ("", "debug", "x"),
])
def test_values_and_names_that_cannot_round_trip_are_refused(section, key, value):
    doc = ini.parse(real("aodh.conf"))
    with pytest.raises(IniError):
        doc.set(section, key, value)
    assert doc.text == real("aodh.conf")


# --------------------------------------------------------------------------- secrets


@pytest.mark.parametrize("key, secret", [
    ("password", True), ("memcache_secret_key", True), ("transport_url", True),
    ("connection", True), ("slave_connection", True), ("admin_token", True),
    ("metadata_proxy_shared_secret", True), ("fixed_key", True), ("rabbit_password", True),
    ("auth_url", False), ("username", False), ("connection_recycle_time", False),
    ("key_file", False), ("debug", False),
])
def test_default_secret_keys(key, secret):
    assert ini.secret_predicate()("any", key) is secret


def test_secret_predicate_extra_globs_and_callable_add_to_the_built_in_list():
    extra = ini.secret_predicate(["user_*"])
    assert extra("filter:authtoken", "user_domain_name") and extra("x", "password")
    custom = ini.secret_predicate(lambda section, key: section == "filter:stackops")
    assert custom("filter:stackops", "anything") and custom("DEFAULT", "password")
    assert not custom("DEFAULT", "debug")


def test_transport_url_is_masked_in_diff_and_summary():
    before = real("nova.conf")
    url = "rabbit://nova:%s@ctl:5672/" % SECRET
    after = edited(before, ("set", "DEFAULT", "transport_url", url))
    diff = ini.diff(before, after, "/etc/nova/nova.conf")
    assert diff["before_header"] == diff["after_header"] == "/etc/nova/nova.conf"
    assert SECRET not in repr(diff)
    assert line_changes(diff["before"], diff["after"]) == [
        ("#transport_url = ********\n", [], ["transport_url = ********\n"])]
    assert ini.changes(before, after) == [{
        "section": "DEFAULT", "key": "transport_url", "action": "added",
        "before": None, "after": "********"}]


def test_mask_keeps_line_count_and_masks_commented_and_continued_secrets():
    text = ("[database]\nconnection=mysql://n:%s@db/nova\n#password = %s\n"
            "# a password: is explained here\ndebug = %s\n[filter:s3]\nsecret_access_key =\n"
            "  %s\n  more\n" % (SECRET, SECRET, SECRET, SECRET))
    masked = ini.mask_secrets(text)
    assert masked.count("\n") == text.count("\n")
    assert SECRET not in masked.replace("debug = %s" % SECRET, "")
    assert "connection=********\n" in masked and "#password = ********\n" in masked
    assert "secret_access_key =\n  ********\n  ********\n" in masked
    assert "# a password: is explained here\n" in masked  # prose is not an assignment
    tempauth = ini.mask_secrets(real("proxy-server.conf")).splitlines()
    users = [line for line in tempauth if line.startswith("user_")]
    assert len(users) == 7 and all(line.split(" = ")[1].startswith("******** ") or line.endswith(" = ********")
                                   for line in users)


def test_change_summary_lists_added_changed_removed():
    before = "[a]\nx = 1\ny = 2\nm = 1\nm = 2\npassword = old\n"
    after = "[a]\nx = 1\ny = 3\nm = 1\npassword = new\n[b]\nz = 4\n"
    assert ini.changes(before, after) == [
        {"section": "a", "key": "y", "action": "changed", "before": "2", "after": "3"},
        {"section": "a", "key": "m", "action": "changed", "before": ["1", "2"], "after": "1"},
        {"section": "a", "key": "password", "action": "changed",
         "before": "********", "after": "********"},
        {"section": "b", "key": "z", "action": "added", "before": None, "after": "4"},
    ]
    assert ini.changes(after, before)[-1] == {
        "section": "b", "key": "z", "action": "removed", "before": "4", "after": None}
    assert ini.changes(before, before) == []
    assert ini.changes("[a]\nkey = x\n", "[a]\nkey = y\nkey = z\n")[0]["after"] == ["********"] * 2
    assert ini.changes(None, "[a]\nm = 1\nm = 2\n") == [
        {"section": "a", "key": "m", "action": "added", "before": None, "after": ["1", "2"]}]


def test_diff_of_a_new_file_has_an_empty_before():
    diff = ini.diff(None, "[DEFAULT]\npassword = %s\n" % SECRET, "/etc/x.conf")
    assert diff["before"] == "" and diff["after"] == "[DEFAULT]\npassword = ********\n"


# --------------------------------------------------------------------------- file I/O


def test_read_file_keeps_bytes_and_reports_missing(tmp_path):
    path = tmp_path / "crlf.conf"
    path.write_bytes(b"[a]\r\nk = v\r\n")
    assert ini.read_file(str(path)) == "[a]\r\nk = v\r\n"
    assert ini.read_file(str(tmp_path / "missing.conf")) is None
    (tmp_path / "latin1.conf").write_bytes(b"[a]\nk = \xe9\n")
    with pytest.raises(IniError, match="not UTF-8"):
        ini.read_file(str(tmp_path / "latin1.conf"))


def test_write_new_file_gets_the_given_mode(tmp_path):
    path = tmp_path / "new.conf"
    assert ini.write_file(str(path), "[a]\n") == {"changed": True, "backup_file": None}
    assert path.read_text() == "[a]\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    other = tmp_path / "other.conf"
    ini.write_file(str(other), "[a]\n", mode=0o600)
    assert stat.S_IMODE(other.stat().st_mode) == 0o600


def test_write_keeps_owner_group_and_mode_and_replaces_atomically(tmp_path):
    path = tmp_path / "nova.conf"
    path.write_text(real("nova.conf"))
    os.chmod(str(path), 0o604)
    owner = (4242, 4343) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    os.chown(str(path), *owner)
    inode = path.stat().st_ino
    after = edited(real("nova.conf"), ("set", "vnc", "enabled", "false"))
    assert ini.write_file(str(path), after)["changed"] is True
    info = path.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == owner + (0o604,)
    assert info.st_ino != inode  # a new file renamed over the old one
    assert path.read_text() == after
    assert sorted(os.listdir(str(tmp_path))) == ["nova.conf"]  # no temp file left


def test_unchanged_text_touches_nothing(tmp_path):
    path = tmp_path / "aodh.conf"
    path.write_text(real("aodh.conf"))
    os.utime(str(path), (1000000000, 1000000000))
    before = path.stat()
    result = ini.write_file(str(path), real("aodh.conf"), backup=True)
    assert result == {"changed": False, "backup_file": None}
    after = path.stat()
    assert (after.st_ino, after.st_mtime) == (before.st_ino, before.st_mtime)
    assert os.listdir(str(tmp_path)) == ["aodh.conf"]


def test_backup_copy_is_made_next_to_the_file(tmp_path):
    path = tmp_path / "ceilometer.conf"
    path.write_text(real("ceilometer.conf"))
    os.chmod(str(path), 0o640)
    result = ini.write_file(str(path), "[DEFAULT]\n", backup=True)
    backup = Path(result["backup_file"])
    assert backup.parent == tmp_path and backup.name.startswith("ceilometer.conf.")
    assert backup.name.endswith("~")
    assert backup.read_text() == real("ceilometer.conf")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o640
    assert path.read_text() == "[DEFAULT]\n"
    second = ini.write_file(str(path), "[DEFAULT]\nx = 1\n", backup=True)
    assert second["backup_file"] != result["backup_file"]
    assert Path(second["backup_file"]).read_text() == "[DEFAULT]\n"


def test_check_mode_computes_but_writes_nothing(tmp_path):
    path = tmp_path / "proxy-server.conf"
    path.write_text(real("proxy-server.conf"))
    result = ini.write_file(str(path), "[DEFAULT]\n", backup=True, check_mode=True)
    assert result == {"changed": True, "backup_file": None}
    assert path.read_text() == real("proxy-server.conf")
    assert os.listdir(str(tmp_path)) == ["proxy-server.conf"]
    missing = tmp_path / "new.conf"
    assert ini.write_file(str(missing), "[a]\n", check_mode=True)["changed"] is True
    assert not missing.exists()


def test_symlink_is_followed_and_stays_a_link(tmp_path):
    target = tmp_path / "real.conf"
    target.write_text("[a]\n")
    link = tmp_path / "link.conf"
    link.symlink_to(target)
    ini.write_file(str(link), "[b]\n")
    assert link.is_symlink() and target.read_text() == "[b]\n"


def test_failed_write_leaves_the_original_and_no_temp_file(tmp_path, monkeypatch):
    path = tmp_path / "nova.conf"
    path.write_text("[a]\n")

    def refuse(src, dst):
        raise OSError("disk full")
    monkeypatch.setattr(ini.os, "rename", refuse)
    with pytest.raises(ini.IniWriteError, match="disk full") as caught:
        ini.write_file(str(path), "[b]\n")
    assert caught.value.changed is False and caught.value.backup_file is None
    assert path.read_text() == "[a]\n"
    assert os.listdir(str(tmp_path)) == ["nova.conf"]
