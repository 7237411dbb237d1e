# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the INI engine masks in change summaries and diffs (plugins/module_utils/ini.py).

The list of secret options is checked against the options the OpenStack code itself
declares (tests/unit/fixtures/ini/oslo-options-*.tsv, extracted from Debian 12's packages
and from current PyPI releases by list_oslo_options.py there), and the masking against
the real configuration files those packages ship.
"""

from __future__ import annotations

import difflib
import fnmatch
import json
import re
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
OPTION_LISTS = ("oslo-options-debian12.tsv", "oslo-options-pypi.tsv")
OSLO_FILES = ("nova.conf", "ceilometer.conf", "aodh.conf")
REAL_FILES = OSLO_FILES + ("proxy-server.conf", "swift.conf", "container-sync-realms.conf", "dispersion.conf",
                           "nova-api-paste.ini")
MASK = ini.MASK

# keystoneauth1's plugin options (section "*" in the lists) go into whichever section names
# an auth_type; these are such sections in the real files.
AUTH_SECTIONS = ("keystone_authtoken", "service_credentials", "placement", "neutron", "filter:authtoken",
                 "filter:s3token")

# Options masked although the list's project does not declare them secret=True there:
# each one is a secret all the same (reviewed; a newer release declares most of them).
UNDECLARED_SECRETS = {
    ("*", "access_secret"): "keystoneauth1 v3oauth1: the OAuth1 access secret",
    ("*", "consumer_secret"): "keystoneauth1 v3oauth1: the OAuth1 consumer secret",
    ("cache", "memcache_password"): "oslo.cache 3.2 (Debian 12); secret=True in 4.3",
    ("oslo_messaging_kafka", "ssl_client_key_password"): "oslo.messaging: the passphrase of the client key",
    ("profiler", "hmac_keys"): "osprofiler 3.4 (Debian 12); secret=True in 4.4",
    ("vault", "root_token_id"): "castellan 4.0 (Debian 12); secret=True in 5.8",
    ("vault", "approle_role_id"): "castellan 4.0 (Debian 12); secret=True in 5.8",
    ("vault", "approle_secret_id"): "castellan 4.0 (Debian 12); secret=True in 5.8",
}


def real(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def declared(list_name):
    """(namespace, section, option, secret) of every option in a list."""
    rows = []
    for line in (FIXTURES / list_name).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        namespace, section, option, secret = line.split("\t")
        rows.append((namespace, section, option, secret == "1"))
    return rows


def sections_of(section):
    return AUTH_SECTIONS if section == "*" else (section,)


def assert_lines_up(before, after, masked_before, masked_after):
    """The masked texts have the real texts' lines, and every line the edit left alone is masked alike
    on both sides: the masked diff shows changes exactly where the real one does."""
    old, new = before.splitlines(), after.splitlines()
    shown_old, shown_new = masked_before.splitlines(), masked_after.splitlines()
    assert (len(shown_old), len(shown_new)) == (len(old), len(new))
    changed = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new).get_opcodes():
        if tag == "equal":
            assert shown_old[i1:i2] == shown_new[j1:j2]
        else:
            changed += 1
    return changed


# --------------------------------------------------------------------------- the list against the code


def test_option_lists_are_the_packages_of_the_real_files():
    """Every option of Debian's nova.conf, ceilometer.conf and aodh.conf is in the Debian 12 list."""
    rows = {(section, option) for _ns, section, option, _secret in declared("oslo-options-debian12.tsv")}
    anywhere = {option for section, option in rows if section == "*"}
    for name in OSLO_FILES:
        section, seen = None, 0
        for line in real(name).splitlines():
            header = re.match(r"\[(.+)\]$", line)
            option = re.match(r"#?([A-Za-z0-9_.-]+) =( |$)", line)
            if header:
                section = header.group(1)
            elif option:
                seen += 1
                assert (section, option.group(1)) in rows or option.group(1) in anywhere, (name, section, line)
        assert seen > 100


@pytest.mark.parametrize("list_name", OPTION_LISTS)
def test_every_option_declared_secret_is_masked(list_name):
    is_secret = ini.secret_predicate()
    secret = [(section, option) for _ns, section, option, flag in declared(list_name) if flag]
    assert len(secret) > 40
    missed = [(section, option) for section, option in secret
              if not all(is_secret(name, option) for name in sections_of(section))]
    assert missed == []


@pytest.mark.parametrize("list_name", OPTION_LISTS)
def test_nothing_else_is_masked_but_the_reviewed_secrets(list_name):
    is_secret = ini.secret_predicate()
    rows = declared(list_name)
    declared_secret = {(section, option) for _ns, section, option, flag in rows if flag}
    masked = {(section, option) for _ns, section, option, flag in rows
              if not flag and (section, option) not in declared_secret
              and any(is_secret(name, option) for name in sections_of(section))}
    assert masked <= set(UNDECLARED_SECRETS)


def test_reviewed_list_and_exceptions_are_all_still_needed():
    """A stale entry here would hide a change in the lists: each one must still apply."""
    undeclared = set()
    not_secret_used = set()
    for list_name in OPTION_LISTS:
        rows = declared(list_name)
        declared_secret = {(section, option) for _ns, section, option, flag in rows if flag}
        for _ns, section, option, flag in rows:
            if not flag and (section, option) not in declared_secret:
                if ini.secret_predicate()(sections_of(section)[0], option):
                    undeclared.add((section, option))
                not_secret_used.update(
                    rule for rule in ini.NOT_SECRET
                    if fnmatch.fnmatchcase(option, rule[1]) and fnmatch.fnmatchcase(section, rule[0]))
    assert undeclared == set(UNDECLARED_SECRETS)
    assert not_secret_used == set(ini.NOT_SECRET)


# --------------------------------------------------------------------------- the real files, secrets set


def auth_sections(doc):
    return [section for section in doc.sections()
            if any(re.match(r"#?auth_type\b", line) for line in section_lines(doc, section))]


def section_lines(doc, section):
    text = doc.text
    start = text.index("\n[%s]\n" % section) + 1 if not text.startswith("[%s]\n" % section) else 0
    end = text.find("\n[", start + 1)
    return text[start:end].splitlines()


@pytest.mark.parametrize("name", OSLO_FILES)
def test_every_declared_secret_set_in_a_real_file_stays_out_of_diff_and_summary(name):
    """Each secret option the file's packages declare, set in the real file: never shown, diff still aligned."""
    before = real(name)
    doc = ini.parse(before)
    present = set(doc.sections())
    targets = set()
    for _ns, section, option, flag in declared("oslo-options-debian12.tsv"):
        if flag:
            targets.update((where, option) for where in (auth_sections(doc) if section == "*" else [section])
                           if where in present)
    targets.update(key for key in UNDECLARED_SECRETS if key[0] in present)
    assert len(targets) > 10
    markers = {}
    for number, (section, option) in enumerate(sorted(targets)):
        markers[(section, option)] = "Mk%03d-s3cr3t" % number
        doc.set(section, option, markers[(section, option)])
    after = doc.text
    assert all(marker in after for marker in markers.values())

    diff = ini.diff(before, after, "/etc/x/" + name)
    summary = ini.changes(before, after)
    shown = json.dumps(diff) + json.dumps(summary)
    assert [marker for marker in markers.values() if marker in shown] == []
    assert sorted((change["section"], change["key"]) for change in summary) == sorted(markers)
    assert all(change["after"] == MASK for change in summary)
    assert assert_lines_up(before, after, diff["before"], diff["after"]) > 0


@pytest.mark.parametrize("name", REAL_FILES)
def test_masking_a_real_file_keeps_every_line_and_changes_only_secret_ones(name):
    text = real(name)
    masked = ini.mask_secrets(text)
    assert masked.count("\n") == text.count("\n")
    for line, shown in zip(text.splitlines(), masked.splitlines()):
        assert shown == line or MASK in shown


@pytest.mark.parametrize("name, line, shown", [
    # Swift's tempauth: the first word is the key, the groups and the storage URL stay readable
    ("proxy-server.conf", "user_admin_admin = admin .admin .reseller_admin",
     "user_admin_admin = ******** .admin .reseller_admin"),
    ("proxy-server.conf", "user_test_tester3 = testing3", "user_test_tester3 = ********"),
    ("proxy-server.conf", "user_test5_tester5 = testing5 service", "user_test5_tester5 = ******** service"),
    ("proxy-server.conf", "# admin_key = secret_admin_key", "# admin_key = ********"),
    ("proxy-server.conf", "encryption_root_secret = changeme", "encryption_root_secret = ********"),
    ("proxy-server.conf", "# encryption_root_secret_myid = changeme", "# encryption_root_secret_myid = ********"),
    ("proxy-server.conf", "# password = password", "# password = ********"),
    ("swift.conf", "swift_hash_path_suffix = changeme", "swift_hash_path_suffix = ********"),
    ("swift.conf", "swift_hash_path_prefix = changeme", "swift_hash_path_prefix = ********"),
    ("container-sync-realms.conf", "# key = realm1key", "# key = ********"),
    ("container-sync-realms.conf", "# key2 = realm2key2", "# key2 = ********"),
    ("dispersion.conf", "auth_key = testing", "auth_key = ********"),
    ("nova.conf", "#root_token_id = <None>", "#root_token_id = ********"),
    ("nova.conf", "#hmac_keys = SECRET_KEY", "#hmac_keys = ********"),
    ("nova.conf", "connection = sqlite:////var/lib/nova/novadb", "connection = ********"),
    ("nova.conf", "# Example: rabbit://rabbitmq:password@127.0.0.1:5672//",
     "# Example: rabbit://rabbitmq:********@127.0.0.1:5672//"),
    ("ceilometer.conf", "#telemetry_secret = change this for valid signing", "#telemetry_secret = ********"),
])
def test_secret_lines_of_real_files(name, line, shown):
    text = real(name)
    lines = text.splitlines()
    assert line in lines
    masked = ini.mask_secrets(text).splitlines()
    assert [masked[index] for index, each in enumerate(lines) if each == line] == [shown] * lines.count(line)


@pytest.mark.parametrize("name, line", [
    ("nova.conf", "#key = <None>"),  # [DEFAULT] key: the console proxies' SSL key file
    ("nova.conf", "#password_length = 12"),
    ("nova.conf", "#inject_password = false"),
    ("nova.conf", "#send_service_user_token = false"),
    ("proxy-server.conf", "# secret_cache_duration = 0"),
    ("proxy-server.conf", "use = egg:swift#tempauth"),
    ("aodh.conf", "user_domain_name = Default"),
])
def test_options_that_only_look_secret_stay_readable(name, line):
    text = real(name)
    lines = text.splitlines()
    assert line in lines
    masked = ini.mask_secrets(text).splitlines()
    assert {masked[index] for index, each in enumerate(lines) if each == line} == {line}


# --------------------------------------------------------------------------- URLs in any option


@pytest.mark.parametrize("value, shown", [
    ("mysql+pymysql://nova:Pa55w0rd@db.example.com/nova", "mysql+pymysql://nova:********@db.example.com/nova"),
    ("redis://:Pa55w0rd@192.0.2.5:6379?db=0", "redis://:********@192.0.2.5:6379?db=0"),
    # a raw '@' or '/' in the password: everything up to the last '@' goes
    ("mysql://nova:p@ss/w0rd@db/nova", "mysql://nova:********@db/nova"),
    ("rabbit://nova:One@ctl1:5672,nova:Two@ctl2:5672/", "rabbit://nova:********@ctl2:5672/"),
    ("redis://ctl:6379?password=Pa55w0rd&db=0", "redis://ctl:6379?password=********&db=0"),
    ("rabbit://guest@ctl:5672/", "rabbit://guest@ctl:5672/"),
    ("http://controller:5000/v3", "http://controller:5000/v3"),
    ("mongodb://ceilometer:Pa55w0rd@db1,db2/ceilometer?replicaSet=rs0",
     "mongodb://ceilometer:********@db1,db2/ceilometer?replicaSet=rs0"),
])
def test_url_userinfo_is_masked_in_any_option(value, shown):
    text = "[coordination]\nbackend_url = %s\n[filter:ceilometer]\n#url = %s\n" % (value, value)
    assert ini.mask_secrets(text) == "[coordination]\nbackend_url = %s\n[filter:ceilometer]\n#url = %s\n" % (
        shown, shown)
    assert ini.changes("", text)[0]["after"] == shown
    assert ini.mask_value("coordination", "backend_url", value) == shown


def test_url_password_split_over_continuation_lines_masks_the_whole_value():
    text = "[coordination]\nbackend_url =\n    redis://:Pa55\n    w0rd@ctl:6379\n"
    masked = ini.mask_secrets(text)
    assert "Pa55" not in masked and "w0rd" not in masked
    assert masked == "[coordination]\nbackend_url =\n    ********\n    ********\n"
    assert ini.changes("", text)[0]["after"] == "\n" + MASK + "\n" + MASK


def test_url_in_a_multi_valued_option_and_in_prose():
    text = ("[notification]\n# e.g. rabbit://ceilometer:Pa55w0rd@ctl//\n"
            "pipelines = rabbit://a:One@h1//\npipelines = rabbit://b:Two@h2//\n")
    masked = ini.mask_secrets(text)
    assert "Pa55w0rd" not in masked and "One" not in masked and "Two" not in masked
    assert ini.changes("", text)[0]["after"] == ["rabbit://a:********@h1//", "rabbit://b:********@h2//"]


# --------------------------------------------------------------------------- tempauth, sections, context


def test_tempauth_under_another_section_name_is_found_by_its_use_line():
    text = ("[filter:myauth]\nuse = egg:swift#tempauth\nuser_admin_admin = Pa55 .admin http://p:8080/v1/AUTH_a\n"
            "[filter:authtoken]\nuser_domain_name = Default\n")
    masked = ini.mask_secrets(text)
    assert "user_admin_admin = ******** .admin http://p:8080/v1/AUTH_a\n" in masked
    assert "user_domain_name = Default\n" in masked


def test_diff_masks_by_the_context_of_both_sides():
    """A change that makes a section tempauth must not print the user keys on the side without it."""
    before = "[filter:auth]\nuser_a_b = Pa55w0rd .admin\n"
    after = "[filter:auth]\nuse = egg:swift#tempauth\nuser_a_b = Pa55w0rd .admin\n"
    diff = ini.diff(before, after, "/etc/swift/proxy-server.conf")
    assert "Pa55w0rd" not in json.dumps(diff)
    assert assert_lines_up(before, after, diff["before"], diff["after"]) == 1


def test_commented_out_secrets_under_a_commented_out_section():
    text = "[DEFAULT]\n# [filter:tempauth]\n# user_a_b = Pa55w0rd .admin\n# [vault]\n#root_token_id = s.T0ken\n"
    masked = ini.mask_secrets(text)
    assert "Pa55w0rd" not in masked and "s.T0ken" not in masked
    assert masked.count("\n") == text.count("\n")


def test_commented_out_secrets_with_a_colon_separator():
    text = "[keystone_authtoken]\n# password: Pa55w0rd\n# driver://u:Pa55@h\n#url: mysql://u:Pa55@h/db\n# Note: a b\n"
    assert ini.mask_secrets(text) == (
        "[keystone_authtoken]\n# password: ********\n# driver://u:********@h\n#url: mysql://u:********@h/db\n"
        "# Note: a b\n")


def test_paste_set_prefix_and_multi_line_secret():
    text = "[app:main]\nset password = Pa55w0rd\n[cache]\nbackend_argument =\n    password:Pa55\n    url:x\n"
    masked = ini.mask_secrets(text)
    assert masked == "[app:main]\nset password = ********\n[cache]\nbackend_argument =\n    ********\n    ********\n"


def test_summary_of_tempauth_and_url_changes():
    before = "[filter:tempauth]\nuse = egg:swift#tempauth\nuser_a_b = Old .admin\n[coordination]\nbackend_url = x\n"
    after = ("[filter:tempauth]\nuse = egg:swift#tempauth\nuser_a_b = New .admin .reseller_admin\n"
             "[coordination]\nbackend_url = redis://:New@h:6379\n")
    assert ini.changes(before, after) == [
        {"section": "filter:tempauth", "key": "user_a_b", "action": "changed",
         "before": "******** .admin", "after": "******** .admin .reseller_admin"},
        {"section": "coordination", "key": "backend_url", "action": "changed",
         "before": "x", "after": "redis://:********@h:6379"},
    ]


@pytest.mark.parametrize("line, shown", [
    ("password hunter2-Pa55", "'password ********'"),
    ("  admin_token ABCdef-123", "'  admin_token ********'"),
])
def test_a_line_that_does_not_parse_is_quoted_without_its_secret(line, shown):
    with pytest.raises(ini.IniError) as caught:
        ini.parse("[DEFAULT]\n# x\n\n%s\n" % line)
    assert str(caught.value).endswith(shown)
    assert line.split()[1] not in str(caught.value) and caught.value.line == shown.strip("'")
