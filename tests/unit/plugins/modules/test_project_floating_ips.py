# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/modules/project_floating_ips.py: main() against a fake Keystone, Neutron and Nova.

openstack.connect() is replaced by a fake connection that keeps projects, floating IPs, ports and
servers in memory and can refuse its Nth write. exit_json and fail_json are the real ones: the test
reads the JSON the module prints, as Ansible would receive it.
"""

from __future__ import annotations

import json

import openstack
import openstack.exceptions
import pytest
from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args
from ansible_collections.stackops.openstack.plugins.modules import project_floating_ips as module

PASSWORD = "Fl0ating-Pa55"


class Resource:
    def __init__(self, **attrs):
        self.__dict__.update(attrs)


class Refused(openstack.exceptions.ConflictException):
    """What openstacksdk raises for Neutron's 409."""


class FakeCloud:
    """Keystone projects, Neutron floating IPs and ports, Nova servers: what the module touches."""

    def __init__(self, fail_on_write=None, login_error=None):
        self.projects = [Resource(id="pa-id", name="alpha"), Resource(id="pb-id", name="beta")]
        self.fips = [
            # alpha: 3 free, one on a server's port, one on a port that is no server's
            self._fip("f1", "pa-id", "203.0.113.11"),
            self._fip("f2", "pa-id", "203.0.113.12"),
            self._fip("f3", "pa-id", "203.0.113.13"),
            self._fip("f4", "pa-id", "203.0.113.14", "port-srv", "10.0.0.4"),
            self._fip("f5", "pa-id", "203.0.113.15", "port-lb", "10.0.0.5"),
            # beta's
            self._fip("f6", "pb-id", "203.0.113.21"),
            self._fip("f7", "pb-id", "203.0.113.22"),
        ]
        self.ports = {
            "port-srv": Resource(id="port-srv", device_owner="compute:nova", device_id="srv-1"),
            "port-lb": Resource(id="port-lb", device_owner="Octavia", device_id="lb-1"),
        }
        self.servers = {"srv-1": Resource(id="srv-1", name="web1")}
        self.fail_on_write = fail_on_write
        self.login_error = login_error
        self.writes = []
        self.identity = Identity(self)
        self.network = Network(self)
        self.compute = Compute(self)

    @staticmethod
    def _fip(id_, project, address, port=None, fixed=None):
        return Resource(id=id_, project_id=project, floating_ip_address=address, port_id=port,
                        fixed_ip_address=fixed)

    def write(self, what):
        self.writes.append(what)
        if self.fail_on_write == len(self.writes):
            raise Refused(message="Floating IP %s is busy: refused by the fake Neutron" % what[1])

    def addresses(self, project):
        return sorted(f.floating_ip_address for f in self.fips if f.project_id == project)

    def state(self):
        return sorted((f.id, f.project_id, f.port_id) for f in self.fips)


class Identity:
    def __init__(self, cloud):
        self.cloud = cloud

    def find_project(self, name_or_id, ignore_missing=True):
        if self.cloud.login_error:
            raise self.cloud.login_error
        found = [p for p in self.cloud.projects if name_or_id in (p.id, p.name)]
        if len(found) > 1:
            raise openstack.exceptions.DuplicateResource("More than one Project exists with the name '%s'." % name_or_id)
        return found[0] if found else None


class Network:
    def __init__(self, cloud):
        self.cloud = cloud

    def ips(self, project_id=None):
        return [f for f in self.cloud.fips if f.project_id == project_id]

    def get_port(self, port_id):
        if port_id not in self.cloud.ports:
            raise openstack.exceptions.NotFoundException("No Port found for %s" % port_id)
        return self.cloud.ports[port_id]

    def update_ip(self, floating_ip, **attrs):
        self.cloud.write(("update_ip", floating_ip, tuple(sorted(attrs.items()))))
        fip = [f for f in self.cloud.fips if f.id == floating_ip][0]
        fip.port_id = attrs["port_id"]
        fip.fixed_ip_address = None
        return fip

    def delete_ip(self, floating_ip, ignore_missing=True):
        self.cloud.write(("delete_ip", floating_ip))
        self.cloud.fips = [f for f in self.cloud.fips if f.id != floating_ip]


class Compute:
    def __init__(self, cloud):
        self.cloud = cloud

    def get_server(self, server):
        if server not in self.cloud.servers:
            raise openstack.exceptions.NotFoundException("No Server found for %s" % server)
        return self.cloud.servers[server]


@pytest.fixture
def warnings(monkeypatch):
    collected = []
    monkeypatch.setattr(basic.AnsibleModule, "warn", lambda self, warning, **kw: collected.append(warning))
    return collected


def run(monkeypatch, capsys, fake, check_mode=False, **args):
    """main() with these arguments; (rc, the JSON the module printed, the whole output)."""
    monkeypatch.setattr(openstack, "connect", lambda **kw: fake)
    if "auth" not in args:
        args.setdefault("cloud", "fake")
    args.setdefault("project", "alpha")
    if check_mode:
        args["_ansible_check_mode"] = True
    with patch_module_args(args), pytest.raises(SystemExit) as exc:
        module.main()
    out = capsys.readouterr().out
    result = json.loads(out.strip().splitlines()[-1])
    assert "Traceback" not in result.get("msg", "")
    return exc.value.code, result, out


def addresses(entries):
    return [e["address"] for e in entries]


ALPHA = ["203.0.113.11", "203.0.113.12", "203.0.113.13", "203.0.113.14", "203.0.113.15"]
BETA = ["203.0.113.21", "203.0.113.22"]


def test_check_mode_lists_everything_and_changes_nothing(monkeypatch, capsys):
    cloud = FakeCloud()
    before = cloud.state()
    rc, result, out = run(monkeypatch, capsys, cloud, check_mode=True, _ansible_diff=True)
    assert rc == 0
    assert result["changed"] is True
    assert addresses(result["released"]) == ALPHA
    assert result["kept"] == []
    assert cloud.writes == [] and cloud.state() == before
    assert result["project"] == {"id": "pa-id", "name": "alpha"}
    assert result["diff"] == {"before": "".join(a + "\n" for a in ALPHA), "after": "",
                              "before_header": "floating IPs of project alpha",
                              "after_header": "floating IPs of project alpha"}


def test_release_reports_ports_and_servers_and_leaves_other_projects_alone(monkeypatch, capsys):
    cloud = FakeCloud()
    rc, result, out = run(monkeypatch, capsys, cloud)
    assert rc == 0 and result["changed"] is True
    assert cloud.addresses("pa-id") == []
    assert cloud.addresses("pb-id") == BETA
    released = dict((e["address"], e) for e in result["released"])
    assert released["203.0.113.14"] == {"address": "203.0.113.14", "id": "f4", "port_id": "port-srv",
                                        "fixed_ip": "10.0.0.4", "server_id": "srv-1", "server_name": "web1"}
    assert released["203.0.113.15"] == {"address": "203.0.113.15", "id": "f5", "port_id": "port-lb",
                                        "fixed_ip": "10.0.0.5", "server_id": None, "server_name": None}
    assert released["203.0.113.11"]["port_id"] is None
    # associated ones are disassociated first, then deleted
    assert cloud.writes[:2] == [("delete_ip", "f1"), ("delete_ip", "f2")]
    assert cloud.writes[3:] == [("update_ip", "f4", (("port_id", None),)), ("delete_ip", "f4"),
                                ("update_ip", "f5", (("port_id", None),)), ("delete_ip", "f5")]


def test_second_run_is_unchanged(monkeypatch, capsys):
    cloud = FakeCloud()
    run(monkeypatch, capsys, cloud, keep=["203.0.113.12"])
    writes = len(cloud.writes)
    rc, result, out = run(monkeypatch, capsys, cloud, keep=["203.0.113.12"], _ansible_diff=True)
    assert rc == 0 and result["changed"] is False
    assert result["released"] == []
    assert addresses(result["kept"]) == ["203.0.113.12"]
    assert len(cloud.writes) == writes
    assert result["diff"]["before"] == result["diff"]["after"] == "203.0.113.12\n"


def test_keep_list(monkeypatch, capsys, warnings):
    cloud = FakeCloud()
    rc, result, out = run(monkeypatch, capsys, cloud, keep=["203.0.113.14", "203.0.113.11", "198.51.100.9"],
                          _ansible_diff=True)
    assert rc == 0 and result["changed"] is True
    assert addresses(result["released"]) == ["203.0.113.12", "203.0.113.13", "203.0.113.15"]
    assert [(k["address"], k["reason"], k["server_name"]) for k in result["kept"]] == [
        ("203.0.113.11", "listed in keep", None), ("203.0.113.14", "listed in keep", "web1")]
    assert cloud.addresses("pa-id") == ["203.0.113.11", "203.0.113.14"]
    # the kept association is untouched
    assert [f.port_id for f in cloud.fips if f.id == "f4"] == ["port-srv"]
    assert warnings == ["keep lists 198.51.100.9, which is not a floating IP of project alpha"]
    assert result["diff"]["after"] == "203.0.113.11\n203.0.113.14\n"


def test_only_unassociated(monkeypatch, capsys):
    cloud = FakeCloud()
    rc, result, out = run(monkeypatch, capsys, cloud, only_unassociated=True, project="pa-id")
    assert rc == 0 and result["changed"] is True
    assert addresses(result["released"]) == ["203.0.113.11", "203.0.113.12", "203.0.113.13"]
    assert [(k["address"], k["reason"]) for k in result["kept"]] == [
        ("203.0.113.14", "associated with port port-srv (fixed IP 10.0.0.4) and only_unassociated is true"),
        ("203.0.113.15", "associated with port port-lb (fixed IP 10.0.0.5) and only_unassociated is true")]
    assert cloud.addresses("pa-id") == ["203.0.113.14", "203.0.113.15"]
    assert not [w for w in cloud.writes if w[0] == "update_ip"]


def test_unknown_project_fails_naming_it(monkeypatch, capsys):
    cloud = FakeCloud()
    before = cloud.state()
    rc, result, out = run(monkeypatch, capsys, cloud, project="no-such-project")
    assert rc == 1 and result["failed"] is True
    assert result["msg"] == ("project no-such-project does not exist in Keystone (neither as a name nor as an ID). "
                             "Nothing was changed.")
    assert cloud.writes == [] and cloud.state() == before


def test_duplicate_project_name_asks_for_the_id(monkeypatch, capsys):
    cloud = FakeCloud()
    cloud.projects.append(Resource(id="pc-id", name="alpha"))
    rc, result, out = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["msg"].startswith("several projects are named alpha (in different domains): give the project's ID")
    assert cloud.writes == []


@pytest.mark.parametrize("keep, named", [
    (["203.0.113.11", "web.example.com"], "'web.example.com'"),
    (["203.0.113.0/24"], "'203.0.113.0/24'"),
])
def test_keep_entry_that_is_not_an_ip_fails_naming_it(monkeypatch, capsys, keep, named):
    cloud = FakeCloud()
    before = cloud.state()
    rc, result, out = run(monkeypatch, capsys, cloud, keep=keep)
    assert rc == 1
    assert result["msg"].startswith("keep must list floating IP addresses")
    assert named in result["msg"] and result["msg"].endswith("Nothing was changed.")
    assert cloud.writes == [] and cloud.state() == before


def test_refused_login_is_a_clear_failure_without_the_password(monkeypatch, capsys):
    cloud = FakeCloud(login_error=openstack.exceptions.HttpException(
        "The request you have made requires authentication. (HTTP 401)"))
    rc, result, out = run(monkeypatch, capsys, cloud, auth={
        "auth_url": "http://127.0.0.1:5000/v3", "username": "admin", "password": PASSWORD, "project_name": "admin"})
    assert rc == 1
    assert result["msg"].startswith("cannot look up project alpha in Keystone: ")
    assert "requires authentication" in result["msg"]
    assert result["msg"].endswith("Nothing was changed.")
    assert PASSWORD not in out
    assert cloud.writes == []


def test_neutron_failure_part_way_says_what_was_done(monkeypatch, capsys):
    # writes: delete f1, delete f2, delete f3, update f4 (refused)
    cloud = FakeCloud(fail_on_write=4)
    rc, result, out = run(monkeypatch, capsys, cloud)
    assert rc == 1
    assert result["changed"] is True
    assert addresses(result["released"]) == ["203.0.113.11", "203.0.113.12", "203.0.113.13"]
    assert result["not_released"] == ["disassociate 203.0.113.14 from port port-srv and delete it",
                                      "disassociate 203.0.113.15 from port port-lb and delete it"]
    assert result["msg"].startswith("Neutron failed to disassociate 203.0.113.14 from port port-srv and delete it "
                                    "(floating IP f4 of project alpha): ")
    assert "Already released: 203.0.113.11, 203.0.113.12, 203.0.113.13." in result["msg"]
    assert cloud.addresses("pa-id") == ["203.0.113.14", "203.0.113.15"]


def test_failure_after_disassociation_counts_as_a_change(monkeypatch, capsys):
    cloud = FakeCloud(fail_on_write=2)
    rc, result, out = run(monkeypatch, capsys, cloud, keep=ALPHA[:3])
    assert rc == 1 and result["changed"] is True
    assert result["released"] == []
    assert "203.0.113.14 was disassociated from port port-srv but not deleted." in result["msg"]


def test_first_write_refused_changes_nothing(monkeypatch, capsys):
    cloud = FakeCloud(fail_on_write=1)
    rc, result, out = run(monkeypatch, capsys, cloud)
    assert rc == 1 and result["changed"] is False
    assert result["msg"].endswith("Nothing was changed. Run again once the cause is fixed: the release continues "
                                  "from what is left.")


def test_a_deleted_server_leaves_its_name_empty(monkeypatch, capsys):
    cloud = FakeCloud()
    cloud.servers = {}
    cloud.ports["port-gone"] = Resource(id="port-gone", device_owner="compute:nova", device_id="srv-9")
    cloud.fips.append(FakeCloud._fip("f8", "pa-id", "203.0.113.16", "port-gone", "10.0.0.6"))
    cloud.fips.append(FakeCloud._fip("f9", "pa-id", "203.0.113.17", "port-missing", "10.0.0.7"))
    rc, result, out = run(monkeypatch, capsys, cloud, check_mode=True)
    released = dict((e["address"], e) for e in result["released"])
    assert (released["203.0.113.16"]["server_id"], released["203.0.113.16"]["server_name"]) == ("srv-9", None)
    assert released["203.0.113.17"]["server_id"] is None
    assert released["203.0.113.17"]["port_id"] == "port-missing"


def test_state_other_than_absent_is_refused(monkeypatch, capsys):
    cloud = FakeCloud()
    rc, result, out = run(monkeypatch, capsys, cloud, state="present")
    assert rc == 1
    assert "value of state must be one of: absent, got: present" in result["msg"]
    assert cloud.writes == []
