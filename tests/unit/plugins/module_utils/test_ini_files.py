# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing config files with the INI engine (plugins/module_utils/ini.py) on odd files:
FIFOs and devices, oversized and non-UTF-8 files, hard links, POSIX ACLs and other extended
attributes, and the permissions of every copy (temp file, backup) at every step of a write.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import socket
import stat
import struct
from pathlib import Path

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils.ini import IniError

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ini"
ACL_XATTR = "system.posix_acl_access"
OWNER, GROUP, READER = 4242, 4343, 4444  # ids nobody on the test machine has


def real(name):
    return (FIXTURES / name).read_text(encoding="utf-8")


def posix_acl(*entries):
    """The system.posix_acl_access value (Linux's xattr format) for (tag, permissions, id) entries."""
    return struct.pack("<I", 2) + b"".join(struct.pack("<HHI", tag, perm, qid) for tag, perm, qid in entries)


def acl_with_reader(mode):
    """The file's own mode as an ACL, plus read for user READER (the mask is the group bits)."""
    nobody = 0xFFFFFFFF
    return posix_acl((0x01, (mode >> 6) & 7, nobody), (0x02, 4, READER), (0x04, (mode >> 3) & 7, nobody),
                     (0x10, (mode >> 3) & 7 | 4, nobody), (0x20, mode & 7, nobody))


@contextlib.contextmanager
def deadline(seconds):
    """Fail instead of hanging (today's engine blocks forever opening a FIFO)."""
    def expired(signum, frame):
        raise TimeoutError("still blocked after %d s" % seconds)
    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def umask_022():
    old = os.umask(0o022)
    yield
    os.umask(old)


def original(tmp_path, mode=0o640, owner=(OWNER, GROUP), text=None, acl=False, name="nova.conf"):
    path = tmp_path / name
    path.write_text(real("nova.conf") if text is None else text, encoding="utf-8")
    os.chown(str(path), *owner)
    os.chmod(str(path), mode)
    if acl:
        os.setxattr(str(path), ACL_XATTR, acl_with_reader(mode))
    os.setxattr(str(path), "user.stackops", b"kept")
    return path


def edited():
    doc = ini.parse(real("nova.conf"))
    doc.set("vnc", "enabled", "false")
    return doc.text


# --------------------------------------------------------------------------- reading


@pytest.mark.parametrize("kind", ["fifo", "socket", "char device", "directory"])
def test_only_regular_files_are_read_and_a_fifo_does_not_hang(kind, tmp_path):
    path = tmp_path / "nova.conf"
    if kind == "fifo":
        os.mkfifo(str(path))
    elif kind == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(path))
    elif kind == "char device":
        path = Path("/dev/null")
    else:
        path.mkdir()
    with deadline(5), pytest.raises(IniError) as caught:
        ini.read_file(str(path))
    assert str(caught.value).startswith("%s is a" % path) and "expected a regular file" in str(caught.value)
    if kind == "socket":
        server.close()


def test_fifo_behind_a_symlink_is_refused_too(tmp_path):
    os.mkfifo(str(tmp_path / "pipe"))
    (tmp_path / "nova.conf").symlink_to(tmp_path / "pipe")
    with deadline(5), pytest.raises(IniError, match="FIFO"):
        ini.write_file(str(tmp_path / "nova.conf"), "[a]\n")


def test_the_size_limit_is_documented_and_a_real_file_is_far_below_it():
    assert ini.MAX_FILE_BYTES == 2 * 1024 * 1024
    assert len(real("nova.conf").encode("utf-8")) * 5 < ini.MAX_FILE_BYTES


@pytest.mark.parametrize("extra, refused", [(0, False), (1, True), (64 * 1024 * 1024, True)])
def test_oversized_file_is_refused_with_the_limit_in_words(extra, refused, tmp_path):
    path = tmp_path / "nova.conf"
    body = "[DEFAULT]\n" + "#" * 78 + "\n"
    text = (body * (ini.MAX_FILE_BYTES // len(body) + 1))[:ini.MAX_FILE_BYTES - 1] + "\n"
    with open(str(path), "w", encoding="utf-8") as handle:
        handle.write(text)
        if extra:
            handle.truncate(ini.MAX_FILE_BYTES + extra)  # a sparse tail: a big file, no big disk use
    if not refused:
        assert ini.read_file(str(path)) == text
        return
    with pytest.raises(IniError) as caught:
        ini.read_file(str(path))
    assert str(caught.value) == (
        "%s is %d bytes or more, larger than the 2097152 bytes (2 MiB) a configuration file may have; "
        "is it the right file?" % (path, ini.MAX_FILE_BYTES + extra))


def test_a_file_that_grows_while_it_is_read_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "nova.conf"
    path.write_text("[a]\n", encoding="utf-8")
    real_read = os.read
    monkeypatch.setattr(ini.os, "read", lambda fd, size: real_read(fd, size) + b"#" * ini.MAX_FILE_BYTES)
    with pytest.raises(IniError, match="larger than"):
        ini.read_file(str(path))


@pytest.mark.parametrize("data, line, byte", [
    (b"[DEFAULT]\n# caf\xe9 latin-1\nk = v\n", 2, "0xe9"),
    (b"[DEFAULT]\nk = v\nx = \xff\xfe\n", 3, "0xff"),
    (b"\xfe\xff\x00[\x00D", 1, "0xfe"),  # UTF-16
])
def test_non_utf8_file_is_refused_naming_line_and_byte(data, line, byte, tmp_path):
    path = tmp_path / "nova.conf"
    path.write_bytes(data)
    with pytest.raises(IniError) as caught:
        ini.read_file(str(path))
    assert str(caught.value).startswith("%s is not UTF-8 text: byte %s on line %d cannot be decoded" % (path, byte, line))


# --------------------------------------------------------------------------- hard links


def test_hard_linked_file_is_refused_and_left_alone(tmp_path):
    path = original(tmp_path)
    other = tmp_path / "nova.conf.orig"
    os.link(str(path), str(other))
    for check_mode in (True, False):
        with pytest.raises(IniError) as caught:
            ini.write_file(str(path), edited(), backup=True, check_mode=check_mode)
        assert str(caught.value) == (
            "%s has 2 hard links: writing it would split them (the other names would keep the old text); "
            "edit it through one name, or replace the other links by symlinks" % path)
    assert path.read_text(encoding="utf-8") == real("nova.conf") and os.stat(str(path)).st_nlink == 2
    assert sorted(os.listdir(str(tmp_path))) == ["nova.conf", "nova.conf.orig"]
    # nothing to write, nothing to split
    assert ini.write_file(str(path), real("nova.conf")) == {"changed": False, "backup_file": None}


# --------------------------------------------------------------------------- what a write keeps


@pytest.mark.parametrize("backup", [False, True])
def test_write_keeps_acl_and_extended_attributes(backup, tmp_path):
    path = original(tmp_path, mode=0o640, acl=True)
    acl = os.getxattr(str(path), ACL_XATTR)
    result = ini.write_file(str(path), edited(), backup=backup)
    info = os.stat(str(path))
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OWNER, GROUP, 0o640)
    assert os.getxattr(str(path), ACL_XATTR) == acl
    assert os.getxattr(str(path), "user.stackops") == b"kept"
    assert path.read_text(encoding="utf-8") == edited()
    if backup:
        copy = result["backup_file"]
        info = os.stat(copy)
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OWNER, GROUP, 0o640)
        assert os.getxattr(copy, ACL_XATTR) == acl and os.getxattr(copy, "user.stackops") == b"kept"
        assert Path(copy).read_text(encoding="utf-8") == real("nova.conf")


class Watch:
    """Checks, before and after every call that can create, fill, rename or open up a file, that no
    file in the directory but the original is readable by anyone the original does not allow."""

    CALLS = ("open", "write", "fchmod", "chmod", "fchown", "chown", "setxattr", "rename", "replace", "link",
             "utime", "fsync", "close", "unlink", "sendfile")

    def __init__(self, monkeypatch, directory, mode, uid, gid, acl=None, original=None):
        self.directory, self.mode, self.uid, self.gid, self.acl = str(directory), mode, uid, gid, acl
        self.original = original
        self.problems, self.calls = [], 0
        for name in self.CALLS:
            if hasattr(os, name):
                monkeypatch.setattr(os, name, self._wrap(getattr(os, name)))

    def _wrap(self, call):
        def wrapped(*args, **kwargs):
            self.look(call.__name__)
            try:
                return call(*args, **kwargs)
            finally:
                self.look(call.__name__)
        return wrapped

    def look(self, when):
        self.calls += 1
        for name in os.listdir(self.directory):
            path = os.path.join(self.directory, name)
            if path == self.original:
                continue
            try:
                info = os.lstat(path)
                acl = os.getxattr(path, ACL_XATTR) if stat.S_ISREG(info.st_mode) else None
            except OSError as exc:
                if exc.errno in (errno.ENOENT, errno.ENODATA):
                    acl = None
                    if exc.errno == errno.ENOENT:
                        continue
                else:
                    raise
            mode = stat.S_IMODE(info.st_mode)
            if mode & 0o004 and not self.mode & 0o004:
                self.problems.append((when, name, oct(mode), "others can read"))
            if mode & 0o040 and not (info.st_gid == self.gid and self.mode & 0o040):
                self.problems.append((when, name, oct(mode), "group %d can read" % info.st_gid))
            if mode & 0o400 and info.st_uid not in (self.uid, os.geteuid()):
                self.problems.append((when, name, oct(mode), "user %d can read" % info.st_uid))
            if acl is not None and acl != self.acl and mode & 0o070:
                self.problems.append((when, name, oct(mode), "another ACL"))


@pytest.mark.parametrize("mode, acl", [(0o600, False), (0o640, False), (0o640, True), (0o644, False),
                                       (0o400, False)])
def test_no_copy_is_ever_more_readable_than_the_original(mode, acl, tmp_path, monkeypatch, umask_022):
    path = original(tmp_path, mode=mode, acl=acl)
    acl_value = os.getxattr(str(path), ACL_XATTR) if acl else None
    watch = Watch(monkeypatch, tmp_path, mode, OWNER, GROUP, acl_value, original=str(path))
    result = ini.write_file(str(path), edited(), backup=True)
    monkeypatch.undo()
    assert watch.calls > 10
    assert watch.problems == []
    assert sorted(os.listdir(str(tmp_path))) == sorted(["nova.conf", os.path.basename(result["backup_file"])])
    for name in os.listdir(str(tmp_path)):
        info = os.stat(str(tmp_path / name))
        assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (OWNER, GROUP, mode)


def test_a_new_file_is_never_more_readable_than_its_mode(tmp_path, monkeypatch, umask_022):
    watch = Watch(monkeypatch, tmp_path, 0o600, os.geteuid(), os.getegid())
    ini.write_file(str(tmp_path / "new.conf"), "[database]\nconnection = mysql://n:p@db/n\n", mode=0o600)
    monkeypatch.undo()
    assert watch.problems == [] and watch.calls > 3
    assert stat.S_IMODE(os.stat(str(tmp_path / "new.conf")).st_mode) == 0o600


def test_the_backup_never_replaces_or_follows_what_is_at_its_name(tmp_path, monkeypatch):
    path = original(tmp_path)
    monkeypatch.setattr(ini.time, "strftime", lambda fmt: "2026-01-02@03:04:05")
    planted = tmp_path / "nova.conf.2026-01-02@03:04:05~"
    planted.symlink_to(tmp_path / "elsewhere")
    result = ini.write_file(str(path), edited(), backup=True)
    assert result["backup_file"] == str(tmp_path / "nova.conf.2026-01-02@03:04:05.1~")
    assert planted.is_symlink() and not (tmp_path / "elsewhere").exists()
    assert Path(result["backup_file"]).read_text(encoding="utf-8") == real("nova.conf")


# --------------------------------------------------------------------------- failures


def test_failed_replace_leaves_no_backup_and_no_temp_file(tmp_path, monkeypatch):
    path = original(tmp_path)

    def refuse(src, dst):
        raise OSError(errno.EIO, "Input/output error")
    monkeypatch.setattr(ini.os, "rename", refuse)
    with pytest.raises(ini.IniWriteError) as caught:
        ini.write_file(str(path), edited(), backup=True)
    assert (caught.value.changed, caught.value.backup_file) == (False, None)
    assert str(caught.value) == "[Errno 5] Input/output error"
    assert os.listdir(str(tmp_path)) == ["nova.conf"]
    assert path.read_text(encoding="utf-8") == real("nova.conf")


def test_failure_after_the_file_changed_keeps_the_backup_and_says_so(tmp_path):
    path = original(tmp_path)

    def replace_then_fail(tmp, target):
        os.rename(tmp, target)
        raise OSError(errno.EIO, "relabel failed")
    with pytest.raises(ini.IniWriteError) as caught:
        ini.write_file(str(path), edited(), backup=True, replace=replace_then_fail)
    backup = caught.value.backup_file
    assert caught.value.changed is True and backup and os.path.exists(backup)
    assert str(caught.value) == ("[Errno 5] relabel failed; %s was changed before the failure; its previous text "
                                 "is in the backup %s" % (path, backup))
    assert Path(backup).read_text(encoding="utf-8") == real("nova.conf")
    assert sorted(os.listdir(str(tmp_path))) == sorted(["nova.conf", os.path.basename(backup)])


def test_disk_full_while_writing_the_temp_file_changes_nothing(tmp_path, monkeypatch):
    path = original(tmp_path)

    def full(fd, data):
        raise OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setattr(ini.os, "write", full)
    with pytest.raises(OSError, match="No space left"):
        ini.write_file(str(path), edited(), backup=True)
    assert os.listdir(str(tmp_path)) == ["nova.conf"]
    assert path.read_text(encoding="utf-8") == real("nova.conf")


def test_text_that_cannot_be_encoded_is_refused_before_anything_is_written(tmp_path):
    path = original(tmp_path)
    with pytest.raises(IniError, match="cannot be written as UTF-8"):
        ini.write_file(str(path), "[a]\nk = \ud800\n", backup=True)
    assert os.listdir(str(tmp_path)) == ["nova.conf"]
