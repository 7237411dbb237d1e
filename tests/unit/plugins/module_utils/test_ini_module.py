# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""plugins/module_utils/ini_module.py with a real AnsibleModule: what a config module's run does.

config_main() below is the shape of every config-editing module (read_config, edit,
write_config); it runs through tests/unit/module_harness.py, so AnsibleModule's own
atomic_move and fail_json are the ones in play.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import stat
import struct
from pathlib import Path

import pytest
from ansible.module_utils import basic
from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.testing import patch_module_args
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module
from ansible_collections.stackops.openstack.tests.unit.module_harness import exit_result, fail_result, patch_exits

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
ACL_XATTR = "system.posix_acl_access"
OWNER, GROUP, READER = 4242, 4343, 4444
SECRET = "Pa55-w0rd"


def config_main():
    """A config module in miniature: set `section/option: value` pairs in the file at path."""
    module = AnsibleModule(argument_spec=dict(path=dict(type="path", required=True),
                                              settings=dict(type="dict", default={}),
                                              backup=dict(type="bool", default=False)),
                           supports_check_mode=True)
    path = module.params["path"]
    before = ini_module.read_config(module, path, "the test service")
    doc = ini.parse(before)
    for name, value in module.params["settings"].items():
        section, option = name.split("/", 1)
        doc.set(section, option, value)
    module.exit_json(**ini_module.write_config(module, path, before, doc.text, module.params["backup"]))


@pytest.fixture(autouse=True)
def exits_raise(monkeypatch):
    patch_exits(monkeypatch)


@pytest.fixture
def moves(monkeypatch):
    """Every AnsibleModule.atomic_move call, still doing the real move."""
    calls = []
    real_move = basic.AnsibleModule.atomic_move

    def atomic_move(self, src, dest, *args, **kwargs):
        calls.append((src, dest))
        return real_move(self, src, dest, *args, **kwargs)
    monkeypatch.setattr(basic.AnsibleModule, "atomic_move", atomic_move)
    return calls


def acl_with_reader(mode):
    nobody = 0xFFFFFFFF
    entries = ((0x01, (mode >> 6) & 7, nobody), (0x02, 4, READER), (0x04, (mode >> 3) & 7, nobody),
               (0x10, (mode >> 3) & 7 | 4, nobody), (0x20, mode & 7, nobody))
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", *entry) for entry in entries)


@pytest.fixture
def conf(tmp_path):
    """Debian's nova.conf, root-style ownership of the service (4242:4343), 0640, an ACL and a user xattr."""
    path = tmp_path / "nova.conf"
    path.write_text((FIXTURES / "nova.conf").read_text(encoding="utf-8"), encoding="utf-8")
    os.chown(str(path), OWNER, GROUP)
    os.chmod(str(path), 0o640)
    os.setxattr(str(path), ACL_XATTR, acl_with_reader(0o640))
    os.setxattr(str(path), "user.stackops", b"kept")
    return path


def run(path, check_mode=False, diff=False, **args):
    return exit_result(config_main, dict(args, path=str(path), _ansible_check_mode=check_mode, _ansible_diff=diff))


def run_fail(path, **args):
    return fail_result(config_main, dict(args, path=str(path)))


@contextlib.contextmanager
def deadline(seconds):
    def expired(signum, frame):
        raise TimeoutError("still blocked after %d s" % seconds)
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def attributes(path):
    info = os.stat(str(path))
    return (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode), os.getxattr(str(path), ACL_XATTR),
            os.getxattr(str(path), "user.stackops"))


# --------------------------------------------------------------------------- writing


def test_write_goes_through_atomic_move_and_keeps_owner_mode_acl_and_xattrs(conf, moves):
    kept = attributes(conf)
    result = run(conf, settings={"vnc/enabled": "false"}, backup=True)
    assert result["changed"] is True
    assert [(os.path.dirname(src), dest) for src, dest in moves] == [(str(conf.parent), str(conf))]
    assert attributes(conf) == kept
    assert ini.parse(conf.read_text(encoding="utf-8")).get("vnc", "enabled") == "false"
    backup = Path(result["backup_file"])
    assert backup.parent == conf.parent and attributes(backup) == kept
    assert backup.read_text(encoding="utf-8") == (FIXTURES / "nova.conf").read_text(encoding="utf-8")
    assert sorted(os.listdir(str(conf.parent))) == sorted(["nova.conf", backup.name])
    again = run(conf, settings={"vnc/enabled": "false"}, backup=True)
    assert (again["changed"], again["backup_file"], len(moves)) == (False, None, 1)


def test_check_mode_writes_nothing_and_makes_no_backup(conf, moves):
    before = conf.read_bytes()
    result = run(conf, check_mode=True, settings={"vnc/enabled": "false"}, backup=True)
    assert (result["changed"], result["backup_file"], moves) == (True, None, [])
    assert conf.read_bytes() == before and os.listdir(str(conf.parent)) == ["nova.conf"]


@pytest.mark.parametrize("style", ["raises", "fail_json"])
def test_atomic_move_failure_leaves_no_backup_and_is_reported(style, conf, monkeypatch):
    """ansible-core 2.19 raises from atomic_move; 2.17 and 2.18 call fail_json there. Both come back."""
    def atomic_move(self, src, dest, *args, **kwargs):
        if style == "raises":
            raise Exception("Could not replace file: %s to %s: disk quota exceeded" % (src, dest))
        self.fail_json(msg="Could not replace file: %s to %s: disk quota exceeded" % (src, dest))
    monkeypatch.setattr(basic.AnsibleModule, "atomic_move", atomic_move)
    before = conf.read_bytes()
    result = run_fail(conf, settings={"vnc/enabled": "false"}, backup=True)
    assert result["msg"].startswith("cannot write %s: Could not replace file: " % conf)
    assert result["msg"].endswith("disk quota exceeded")
    assert (result["changed"], result["backup_file"]) == (False, None)
    assert conf.read_bytes() == before and os.listdir(str(conf.parent)) == ["nova.conf"]


def test_failure_after_the_move_keeps_the_backup_and_reports_the_change(conf, monkeypatch):
    real_move = basic.AnsibleModule.atomic_move

    def atomic_move(self, src, dest, *args, **kwargs):
        real_move(self, src, dest, *args, **kwargs)
        raise Exception("could not set the SELinux context of %s" % dest)
    monkeypatch.setattr(basic.AnsibleModule, "atomic_move", atomic_move)
    result = run_fail(conf, settings={"vnc/enabled": "false"}, backup=True)
    backup = result["backup_file"]
    assert result["changed"] is True and backup and os.path.exists(backup)
    assert result["msg"] == ("cannot write %s: could not set the SELinux context of %s; %s was changed before the "
                             "failure; its previous text is in the backup %s" % (conf, conf, conf, backup))


def test_fail_json_is_the_module_s_own_again_after_a_move(conf, moves):
    with patch_module_args({}):
        module = AnsibleModule(argument_spec={})
    ini_module.write_config(module, str(conf), conf.read_text(encoding="utf-8"), "[DEFAULT]\n", False)
    assert len(moves) == 1 and "fail_json" not in vars(module)


def test_a_new_file_gets_its_mode_not_the_umask(tmp_path, moves, monkeypatch):
    """atomic_move gives a file it creates 0666 minus the umask; with umask 022 that would be 0644."""
    seen = []
    real_chmod = os.chmod

    def chmod(path, mode, *args, **kwargs):
        seen.append(stat.S_IMODE(mode))
        return real_chmod(path, mode, *args, **kwargs)
    old = os.umask(0o022)
    try:
        with patch_module_args({}):
            module = AnsibleModule(argument_spec={}, supports_check_mode=True)
        monkeypatch.setattr(os, "chmod", chmod)
        result = ini_module.write_config(module, str(tmp_path / "new.conf"), None, "[a]\npassword = x\n", False)
        monkeypatch.undo()
    finally:
        os.umask(old)
    assert result["changed"] is True and len(moves) == 1
    assert stat.S_IMODE(os.stat(str(tmp_path / "new.conf")).st_mode) == 0o640
    assert seen and all(mode & 0o007 == 0 for mode in seen), seen


def test_selinux_context_of_the_original_goes_on_the_backup(conf, monkeypatch):
    labelled = []
    monkeypatch.setattr(basic.AnsibleModule, "selinux_enabled", lambda self: True)
    monkeypatch.setattr(basic.AnsibleModule, "selinux_context", lambda self, path: ["system_u", "object_r",
                                                                                    "nova_etc_t", "s0", path])
    monkeypatch.setattr(basic.AnsibleModule, "selinux_default_context", lambda self, path, mode=0: [None] * 4)
    monkeypatch.setattr(basic.AnsibleModule, "set_context_if_different",
                        lambda self, path, context, changed, diff=None: labelled.append((path, context)) or changed)
    result = run(conf, settings={"vnc/enabled": "false"}, backup=True)
    backup_label = [(path, context) for path, context in labelled if context[-1] == str(conf)
                    and os.path.basename(path).startswith(".nova.conf.")]
    assert backup_label, labelled
    assert os.path.exists(result["backup_file"])


# --------------------------------------------------------------------------- refusals, as the operator reads them


def test_fifo_is_refused_at_once(tmp_path):
    os.mkfifo(str(tmp_path / "nova.conf"))
    with deadline(5):
        result = run_fail(tmp_path / "nova.conf")
    assert result["msg"] == ("cannot read %s: %s is a FIFO (named pipe), expected a regular file"
                             % (tmp_path / "nova.conf", tmp_path / "nova.conf"))


def test_oversized_file_is_refused(tmp_path):
    path = tmp_path / "nova.conf"
    with open(str(path), "w", encoding="utf-8") as handle:
        handle.write("[DEFAULT]\n")
        handle.truncate(ini.MAX_FILE_BYTES + 1)
    assert run_fail(path)["msg"] == (
        "cannot read %s: %s is %d bytes or more, larger than the 2097152 bytes (2 MiB) a configuration file may "
        "have; is it the right file?" % (path, path, ini.MAX_FILE_BYTES + 1))


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "nova.conf"
    path.write_bytes(b"[DEFAULT]\n# \xe9t\xe9\n")
    assert run_fail(path)["msg"].startswith(
        "cannot read %s: %s is not UTF-8 text: byte 0xe9 on line 2 cannot be decoded" % (path, path))


def test_hard_linked_file_is_refused_also_in_check_mode(conf):
    os.link(str(conf), str(conf.parent / "nova.conf.dpkg-old"))
    for check_mode in (False, True):
        result = fail_result(config_main, dict(path=str(conf), settings={"vnc/enabled": "false"},
                                               _ansible_check_mode=check_mode))
        assert result["msg"].startswith("cannot write %s: %s has 2 hard links: writing it would split them" % (
            conf, conf))
    assert os.stat(str(conf)).st_nlink == 2


def test_control_character_in_a_value_is_refused(conf):
    with pytest.raises(ini.IniError, match="U\\+000D"):
        run(conf, settings={"DEFAULT/my_ip": "192.0.2.1\r[evil]"})


def test_url_password_is_masked_in_the_module_result(conf):
    url = "redis://:%s@192.0.2.9:6379" % SECRET
    result = run(conf, diff=True, settings={"coordination/backend_url": url})
    assert SECRET not in json.dumps(result["diff"]) and SECRET not in json.dumps(result["changes"])
    assert result["changes"] == [{"section": "coordination", "key": "backend_url", "action": "added",
                                  "before": None, "after": "redis://:********@192.0.2.9:6379"}]


def test_a_path_with_a_nul_character_is_refused_in_words(tmp_path):
    path = str(tmp_path / "nova.conf") + "\0x"
    assert run_fail(path)["msg"] == "cannot read %s: %r is not a usable file path" % (path, path)
