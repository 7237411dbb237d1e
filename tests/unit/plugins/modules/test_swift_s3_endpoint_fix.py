# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/swift_s3_endpoint_fix.py: main() against a fake Keystone.

openstack.connect() is replaced by a fake connection that keeps a catalog in memory and
can refuse its Nth write, as Keystone does for a URL it does not accept. exit_json and
fail_json are the real ones: the test reads the JSON the module prints, so what is checked
is what Ansible would receive, invocation and no_log masking included.
"""

from __future__ import annotations

import itertools
import json

import openstack
import openstack.exceptions
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.stackops.openstack.plugins.modules import swift_s3_endpoint_fix as module

PROXY = "http://127.0.0.1:8080"
ACCOUNT = PROXY + "/v1/AUTH_%(tenant_id)s"
WRONG = "http://127.0.0.2:8080/v1/AUTH_%(tenant_id)s"
PASSWORD = "Sw1ft-Pa55-in-url"


class Resource:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class Refused(openstack.exceptions.BadRequestException):
    """What openstacksdk raises for Keystone's 400."""


class FakeIdentity:
    """The part of openstacksdk's identity proxy the module uses, over an in-memory catalog."""

    def __init__(self, services=(), endpoints=(), fail_on_write=None):
        self.ids = ("id%d" % n for n in itertools.count(1))
        self.services_ = [Resource(id=next(self.ids), name=name, type=type_) for name, type_ in services]
        self.endpoints_ = []
        for service, interface, url, enabled in endpoints:
            self.add_endpoint(service, interface, url, enabled)
        self.fail_on_write = fail_on_write
        self.writes = []
        self.reads = []

    def add_endpoint(self, service_name, interface, url, enabled=True, region="RegionOne"):
        service = [s for s in self.services_ if s.name == service_name][0]
        endpoint = Resource(id=next(self.ids), service_id=service.id, interface=interface, url=url,
                            is_enabled=enabled, region_id=region)
        self.endpoints_.append(endpoint)
        return endpoint

    def _write(self, what):
        self.writes.append(what)
        if self.fail_on_write == len(self.writes):
            raise Refused(message="Invalid input for field 'url': refused by the fake Keystone")

    def find_region(self, name):
        self.reads.append(("find_region", name))
        return Resource(id=name) if name == "RegionOne" else None

    def services(self, type=None):  # pylint: disable=redefined-builtin
        self.reads.append(("services", type))
        return [s for s in self.services_ if s.type == type]

    def endpoints(self, service_id=None, region_id=None):
        self.reads.append(("endpoints", service_id))
        return [e for e in self.endpoints_ if e.service_id == service_id and e.region_id == region_id]

    def create_service(self, name, type, is_enabled):  # pylint: disable=redefined-builtin
        self._write(("create_service", name))
        service = Resource(id=next(self.ids), name=name, type=type)
        self.services_.append(service)
        return service

    def create_endpoint(self, service_id, interface, url, region_id, is_enabled):
        self._write(("create_endpoint", interface, url))
        endpoint = Resource(id=next(self.ids), service_id=service_id, interface=interface, url=url,
                            is_enabled=is_enabled, region_id=region_id)
        self.endpoints_.append(endpoint)
        return endpoint

    def update_endpoint(self, endpoint_id, **attrs):
        self._write(("update_endpoint", endpoint_id, tuple(sorted(attrs.items()))))
        endpoint = [e for e in self.endpoints_ if e.id == endpoint_id][0]
        endpoint.url = attrs.get("url", endpoint.url)
        endpoint.is_enabled = attrs.get("is_enabled", endpoint.is_enabled)
        return endpoint

    def delete_endpoint(self, endpoint_id, ignore_missing=True):
        self._write(("delete_endpoint", endpoint_id))
        self.endpoints_ = [e for e in self.endpoints_ if e.id != endpoint_id]

    def catalog(self):
        """{(service name, interface): [(url, enabled)]} as Keystone holds it now."""
        names = dict((s.id, s.name) for s in self.services_)
        result = {}
        for e in self.endpoints_:
            result.setdefault((names[e.service_id], e.interface), []).append((e.url, e.is_enabled))
        return result


class FakeConnection:
    def __init__(self, identity):
        self.identity = identity


@pytest.fixture
def warnings(monkeypatch):
    collected = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kw: collected.append(warning))
    return collected


def packstack_catalog(**kwargs):
    """What the lab's broken_catalog.yml makes: a wrong host, a duplicate, no internal, no s3."""
    return FakeIdentity(services=[("swift", "object-store")], endpoints=[
        ("swift", "public", WRONG, True), ("swift", "public", WRONG, True),
        ("swift", "admin", "http://127.0.0.2:8080/v1", True)], **kwargs)


def run(monkeypatch, capsys, identity, **args):
    """main() with these arguments; (rc, the JSON the module printed)."""
    monkeypatch.setattr(openstack, "connect", lambda **kw: FakeConnection(identity))
    args.setdefault("cloud", "fake")
    args.setdefault("verify_proxy", False)
    args.setdefault("proxy_url", PROXY)
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        module.main()
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert "Traceback" not in result.get("msg", "")
    return exc.value.code, result, out


# --------------------------------------------------------------------------- item 7: no credentials in the catalog


@pytest.mark.parametrize("url", [
    "http://swift:%s@127.0.0.1:8080" % PASSWORD,
    "http://%s@127.0.0.1:8080" % PASSWORD,
    "http://swift:%s@127.0.0.1:99999" % PASSWORD,
    "http://swift:Sw1ft/Pa55-in-url@127.0.0.1:8080",
])
def test_proxy_url_with_credentials_is_refused_and_never_shown(monkeypatch, capsys, url):
    identity = packstack_catalog()
    before = identity.catalog()
    rc, result, out = run(monkeypatch, capsys, identity, proxy_url=url)
    assert rc == 1 and result["failed"] is True
    assert result["msg"].startswith("proxy_url contains '@': a URL with credentials (user:password@host) would "
                                    "publish them in the Keystone catalog")
    # nowhere in what Ansible receives, the echoed arguments (invocation) included
    assert "Pa55-in-url" not in out
    assert result["invocation"]["module_args"]["proxy_url"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    # refused before Keystone is asked anything
    assert identity.reads == [] and identity.writes == []
    assert identity.catalog() == before


def test_url_template_with_credentials_is_refused_and_never_shown(monkeypatch, capsys):
    identity = packstack_catalog()
    template = "https://ec2:%s@s3.example.com" % PASSWORD
    rc, result, out = run(monkeypatch, capsys, identity, url_templates={"s3": {"public": template}})
    assert rc == 1
    assert result["msg"].startswith("url_templates.s3.public contains '@': a URL with credentials")
    assert PASSWORD not in out
    assert identity.reads == [] and identity.writes == []


@pytest.mark.parametrize("templates, fragment", [
    ({"object_store": {"public": "{proxy_url}"}},
     "url_templates has the service type 'object_store', expected one of the types of services: object-store, s3"),
    ({"s3": "https://s3.example.com"}, "url_templates.s3 is a str, expected a dict of interface"),
    ({"s3": {"pubic": "https://s3.example.com"}}, "url_templates.s3 has the interface 'pubic', expected one of"),
    ({"s3": {"public": 443}}, "url_templates.s3.public is a int, expected a URL template string"),
    ({"s3": {"public": "s3.example.com"}}, "url_templates.s3.public is 's3.example.com', expected an http(s) URL"),
    ({"s3": {"public": "{proxy_url}/s3\nx"}}, "it contains a blank or a control character"),
])
def test_bad_url_templates_are_refused_before_keystone_is_asked(monkeypatch, capsys, templates, fragment):
    identity = packstack_catalog()
    rc, result, out = run(monkeypatch, capsys, identity, url_templates=templates)
    assert rc == 1
    assert fragment in result["msg"]
    assert identity.reads == [] and identity.writes == []


def test_proxy_url_with_a_line_break_is_refused(monkeypatch, capsys):
    identity = packstack_catalog()
    rc, result, out = run(monkeypatch, capsys, identity, proxy_url="http://127.0.0.1:8080/\r\nx")
    assert rc == 1
    assert "it contains a blank or a control character" in result["msg"]
    assert identity.writes == []


# --------------------------------------------------------------------------- item 7: disabled endpoints


def disabled_catalog():
    """A repaired catalog in which an operator disabled swift's internal endpoint (and moved it)."""
    return FakeIdentity(services=[("swift", "object-store"), ("swift_s3", "s3")], endpoints=[
        ("swift", "public", ACCOUNT, True), ("swift", "internal", WRONG, False), ("swift", "admin", PROXY, True),
        ("swift_s3", "public", PROXY, True), ("swift_s3", "internal", PROXY, True),
        ("swift_s3", "admin", PROXY, False)])


def test_disabled_endpoints_are_left_alone_and_reported(monkeypatch, capsys, warnings):
    identity = disabled_catalog()
    before = identity.catalog()
    rc, result, out = run(monkeypatch, capsys, identity)
    assert rc == 0
    assert result["changed"] is False
    assert result["actions"] == []
    assert identity.writes == [] and identity.catalog() == before
    assert [(d["service"], d["interface"], d["url"], d["enabled"], d["only"]) for d in result["disabled_endpoints"]] \
        == [("swift", "internal", WRONG, False, True), ("swift_s3", "admin", PROXY, False, True)]
    assert result["diff"]["before"] == result["diff"]["after"]
    assert "swift internal %s (disabled)\n" % WRONG in result["diff"]["before"]
    assert len(warnings) == 2
    assert warnings[0] == ("swift internal endpoint %s (%s) is disabled in Keystone and was left alone: this "
                           "interface has no enabled endpoint; set enable_disabled=true to repair and enable it"
                           % (result["disabled_endpoints"][0]["id"], WRONG))


def test_enable_disabled_repairs_and_enables_them(monkeypatch, capsys, warnings):
    identity = disabled_catalog()
    rc, result, out = run(monkeypatch, capsys, identity, enable_disabled=True)
    assert rc == 0 and result["changed"] is True
    assert [(a["service"], a["action"], a["interface"], a.get("enable")) for a in result["actions"]] == [
        ("swift", "update", "internal", True), ("swift_s3", "update", "admin", True)]
    assert identity.catalog()[("swift", "internal")] == [(ACCOUNT, True)]
    assert identity.catalog()[("swift_s3", "admin")] == [(PROXY, True)]
    assert result["diff"]["before"].splitlines()[1:3] == ["swift internal %s (disabled)" % WRONG,
                                                          "swift public %s" % ACCOUNT]
    assert result["diff"]["after"].splitlines()[1:3] == ["swift internal %s" % ACCOUNT, "swift public %s" % ACCOUNT]
    assert result["disabled_endpoints"] == [] and warnings == []
    rc, again, out = run(monkeypatch, capsys, identity, enable_disabled=True)
    assert again["changed"] is False


def test_an_enabled_endpoint_is_updated_without_touching_its_flag(monkeypatch, capsys):
    identity = packstack_catalog()
    run(monkeypatch, capsys, identity, create_missing_services=True)
    updates = [w for w in identity.writes if w[0] == "update_endpoint"]
    assert updates and all(dict(w[2]).keys() == {"url"} for w in updates)


# --------------------------------------------------------------------------- item 13: failing part-way


def test_repair_of_the_packstack_catalog(monkeypatch, capsys):
    identity = packstack_catalog()
    rc, result, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert rc == 0 and result["changed"] is True
    assert identity.catalog() == {
        ("swift", "public"): [(ACCOUNT, True)], ("swift", "admin"): [(PROXY, True)],
        ("swift", "internal"): [(ACCOUNT, True)], ("swift_s3", "public"): [(PROXY, True)],
        ("swift_s3", "internal"): [(PROXY, True)], ("swift_s3", "admin"): [(PROXY, True)]}
    # the created endpoints are returned with the IDs Keystone gave them
    created = [e for e in result["endpoints_after"] if e["service"] == "swift_s3"]
    assert len(created) == 3 and all(e["id"] for e in created)
    assert [s["created"] for s in result["services"]] == [False, True]
    writes = len(identity.writes)
    rc, again, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert again["changed"] is False and len(identity.writes) == writes


def test_check_mode_writes_nothing(monkeypatch, capsys):
    identity = packstack_catalog()
    rc, result, out = run(monkeypatch, capsys, identity, create_missing_services=True, _ansible_check_mode=True)
    assert rc == 0 and result["changed"] is True and identity.writes == []
    assert [s["created"] for s in result["services"]] == [False, True]


@pytest.mark.parametrize("nth, done, failed", [
    # the packstack catalog's plan, in order: update swift public, delete its duplicate, create
    # swift internal, update swift admin, create the service swift_s3, create its three endpoints
    (2, 1, "delete duplicate swift public endpoint"),
    (5, 4, "create service swift_s3 (type s3)"),
    (7, 6, "create swift_s3 internal endpoint http://127.0.0.1:8080"),
])
def test_keystone_failing_part_way_is_reported_with_what_was_changed(monkeypatch, capsys, nth, done, failed):
    identity = packstack_catalog(fail_on_write=nth)
    rc, result, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert rc == 1 and result["failed"] is True
    # something was written: changed, so handlers run and the next run is not taken for a no-op
    assert result["changed"] is True
    msg = result["msg"]
    assert msg.startswith("Keystone failed to %s" % failed)
    assert "Refused: Invalid input for field 'url': refused by the fake Keystone" in msg
    assert "Already done, so the catalog was changed: update swift public endpoint " in msg
    assert len(result["actions"]) == done
    assert result["actions_not_done"][0].startswith(failed)
    assert len(result["actions"]) + len(result["actions_not_done"]) == 8
    # what it says it did is what Keystone holds
    assert identity.catalog()[("swift", "public")][0] == (ACCOUNT, True)
    if nth > 5:
        assert result["actions"][4]["action"] == "create_service"
        assert "create service swift_s3 (type s3) (id " in msg
    # a second run finishes the job from the catalog as it is
    identity.fail_on_write = None
    rc, again, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert rc == 0 and again["changed"] is True
    # the service creation, when not done yet, is in services, not in actions
    assert len(again["actions"]) == len(result["actions_not_done"]) - (1 if nth <= 5 else 0)
    rc, third, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert third["changed"] is False


def test_keystone_failing_on_the_first_write_says_nothing_changed(monkeypatch, capsys):
    identity = packstack_catalog(fail_on_write=1)
    before = identity.catalog()
    rc, result, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert rc == 1 and result["changed"] is False
    assert "Nothing was changed." in result["msg"]
    assert result["actions"] == [] and len(result["actions_not_done"]) == 8
    assert identity.catalog() == before


def test_any_error_while_writing_is_reported_the_same_way(monkeypatch, capsys):
    identity = packstack_catalog()
    calls = []

    def broken(**kwargs):
        calls.append(kwargs)
        raise ConnectionResetError(104, "Connection reset by peer")
    monkeypatch.setattr(identity, "create_endpoint", broken)
    rc, result, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert len(calls) == 1
    assert rc == 1 and result["changed"] is True
    assert result["msg"].startswith("Keystone failed to create swift internal endpoint %s (ConnectionResetError: "
                                    "[Errno 104] Connection reset by peer). Already done" % ACCOUNT)


def test_everything_is_planned_before_the_first_write(monkeypatch, capsys):
    # two services of type s3 and none named swift_s3: refused before swift's endpoints are touched
    identity = packstack_catalog()
    identity.services_ += [Resource(id="s1", name="ceph_s3", type="s3"), Resource(id="s2", name="minio_s3", type="s3")]
    before = identity.catalog()
    rc, result, out = run(monkeypatch, capsys, identity, create_missing_services=True)
    assert rc == 1
    assert result["msg"] == "Keystone has several services of type s3 (ceph_s3, minio_s3) and none named swift_s3"
    assert identity.writes == [] and identity.catalog() == before
    assert result.get("changed") is not True


def test_a_missing_service_is_refused_before_any_write(monkeypatch, capsys):
    identity = packstack_catalog()
    rc, result, out = run(monkeypatch, capsys, identity)
    assert rc == 1
    assert result["msg"] == ("Keystone has no service of type s3 (name swift_s3); set create_missing_services=true "
                             "to create it")
    assert identity.writes == []
