# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Unit tests for plugins/module_utils/galera_server.py with a fake /proc and fake binary dirs."""

from __future__ import annotations

import os

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils import galera_server

STATUS = "Name:\t{name}\nUmask:\t0022\nState:\t{state}\nTgid:\t{pid}\nPid:\t{pid}\n"


class FakeProc:
    """A /proc tree: one directory per pid with comm, status and a cwd symlink."""

    def __init__(self, root):
        self.root = root
        root.mkdir()

    def add(self, pid, name, cwd, state="S (sleeping)", comm=True, status=True, cwd_link=True):
        entry = self.root / str(pid)
        entry.mkdir()
        if comm:
            (entry / "comm").write_text(name + "\n")
        if status:
            (entry / "status").write_text(STATUS.format(name=name, state=state, pid=pid))
        if cwd_link:
            os.symlink(str(cwd), str(entry / "cwd"))
        return entry


@pytest.fixture
def datadir(tmp_path):
    path = tmp_path / "var-lib-mysql"
    path.mkdir()
    return path


@pytest.fixture
def proc(tmp_path):
    return FakeProc(tmp_path / "proc")


def find(datadir, proc):
    return galera_server.find_server_processes(str(datadir), proc=str(proc.root))


# --------------------------------------------------------------------------- find_server_processes

def test_finds_mariadbd_running_on_the_datadir(datadir, proc):
    proc.add(4242, "mariadbd", datadir)
    assert find(datadir, proc) == [{"pid": 4242, "name": "mariadbd"}]


def test_finds_mysqld_too(datadir, proc):
    proc.add(917, "mysqld", datadir, state="R (running)")
    assert find(datadir, proc) == [{"pid": 917, "name": "mysqld"}]


def test_nothing_running(datadir, proc):
    assert find(datadir, proc) == []


def test_server_on_another_datadir_is_ignored(datadir, proc, tmp_path):
    other = tmp_path / "other-datadir"
    other.mkdir()
    proc.add(100, "mariadbd", other)
    assert find(datadir, proc) == []


@pytest.mark.parametrize("name", ["bash", "mysqld_safe", "mariadb", "mariadbd-safe", "mysql"])
def test_other_programs_in_the_datadir_are_ignored(datadir, proc, name):
    proc.add(200, name, datadir)
    assert find(datadir, proc) == []


def test_zombie_is_skipped(datadir, proc):
    proc.add(300, "mariadbd", datadir, state="Z (zombie)")
    proc.add(301, "mariadbd", datadir, state="D (disk sleep)")
    assert find(datadir, proc) == [{"pid": 301, "name": "mariadbd"}]


def test_non_numeric_entries_are_skipped(datadir, proc):
    for name in ("self", "thread-self", "sys", "net"):
        (proc.root / name).mkdir()
        (proc.root / name / "comm").write_text("mariadbd\n")
        os.symlink(str(datadir), str(proc.root / name / "cwd"))
    (proc.root / "version").write_text("Linux version 6.1.0\n")
    proc.add(400, "mariadbd", datadir)
    assert find(datadir, proc) == [{"pid": 400, "name": "mariadbd"}]


@pytest.mark.parametrize("missing", ["comm", "status", "cwd_link"])
def test_entries_that_cannot_be_read_are_skipped(datadir, proc, missing):
    # A process that exits while /proc is walked, or one whose cwd we may not read.
    proc.add(500, "mariadbd", datadir, **{missing: False})
    proc.add(501, "mariadbd", datadir)
    assert find(datadir, proc) == [{"pid": 501, "name": "mariadbd"}]


def test_cwd_that_is_not_a_link_is_skipped(datadir, proc):
    entry = proc.add(600, "mariadbd", datadir, cwd_link=False)
    (entry / "cwd").write_text("")
    assert find(datadir, proc) == []


def test_datadir_given_through_a_symlink(datadir, proc, tmp_path):
    link = tmp_path / "mysql-link"
    os.symlink(str(datadir), str(link))
    proc.add(700, "mariadbd", datadir)
    assert galera_server.find_server_processes(str(link), proc=str(proc.root)) == [
        {"pid": 700, "name": "mariadbd"}]


def test_process_cwd_through_a_symlink(datadir, proc, tmp_path):
    link = tmp_path / "mysql-link"
    os.symlink(str(datadir), str(link))
    proc.add(701, "mysqld", link)
    assert find(datadir, proc) == [{"pid": 701, "name": "mysqld"}]


def test_datadir_with_trailing_slash(datadir, proc):
    proc.add(702, "mariadbd", datadir)
    assert galera_server.find_server_processes(str(datadir) + "/", proc=str(proc.root)) == [
        {"pid": 702, "name": "mariadbd"}]


def test_several_servers_on_the_same_datadir(datadir, proc):
    proc.add(801, "mariadbd", datadir)
    proc.add(802, "mysqld", datadir)
    found = sorted(find(datadir, proc), key=lambda item: item["pid"])
    assert found == [{"pid": 801, "name": "mariadbd"}, {"pid": 802, "name": "mysqld"}]


def test_real_proc_does_not_list_a_server_on_an_empty_tmp_dir(datadir):
    assert galera_server.find_server_processes(str(datadir)) == []


# --------------------------------------------------------------------------- find_server_binary

def executable(directory, name, mode=0o755):
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(mode)
    return str(path)


@pytest.fixture
def empty_path(tmp_path, monkeypatch):
    """PATH with nothing on it, so that shutil.which finds only what a test puts there."""
    bin_dir = tmp_path / "path-bin"
    bin_dir.mkdir()
    monkeypatch.setenv("PATH", str(bin_dir))
    return bin_dir


def test_binary_in_the_first_search_dir(tmp_path, empty_path):
    sbin, libexec = tmp_path / "sbin", tmp_path / "libexec"
    expected = executable(sbin, "mariadbd")
    executable(libexec, "mariadbd")
    assert galera_server.find_server_binary([str(sbin), str(libexec)]) == expected


def test_binary_in_a_later_search_dir(tmp_path, empty_path):
    sbin, libexec = tmp_path / "sbin", tmp_path / "libexec"
    sbin.mkdir()
    expected = executable(libexec, "mysqld")
    assert galera_server.find_server_binary([str(sbin), str(libexec)]) == expected


def test_mariadbd_is_preferred_over_mysqld(tmp_path, empty_path):
    sbin, libexec = tmp_path / "sbin", tmp_path / "libexec"
    executable(sbin, "mysqld")
    expected = executable(libexec, "mariadbd")
    assert galera_server.find_server_binary([str(sbin), str(libexec)]) == expected


def test_mariadbd_on_path_is_preferred_over_mysqld_in_search_dirs(tmp_path, empty_path):
    executable(tmp_path / "sbin", "mysqld")
    expected = executable(empty_path, "mariadbd")
    assert galera_server.find_server_binary([str(tmp_path / "sbin")]) == expected


def test_binary_found_on_path(tmp_path, empty_path):
    expected = executable(empty_path, "mysqld")
    assert galera_server.find_server_binary([str(tmp_path / "nowhere")]) == expected


def test_non_executable_file_is_skipped(tmp_path, empty_path):
    sbin, libexec = tmp_path / "sbin", tmp_path / "libexec"
    executable(sbin, "mariadbd", mode=0o644)
    expected = executable(libexec, "mariadbd")
    assert galera_server.find_server_binary([str(sbin), str(libexec)]) == expected


def test_no_binary_anywhere(tmp_path, empty_path):
    (tmp_path / "sbin").mkdir()
    assert galera_server.find_server_binary([str(tmp_path / "sbin"), str(tmp_path / "missing")]) is None


def test_server_names():
    assert galera_server.SERVER_NAMES == ("mariadbd", "mysqld")


def test_directory_named_like_the_server_is_skipped(tmp_path, empty_path):
    (tmp_path / "sbin" / "mariadbd").mkdir(parents=True)
    expected = executable(tmp_path / "bin", "mysqld")
    assert galera_server.find_server_binary([str(tmp_path / "sbin"), str(tmp_path / "bin")]) == expected


# --------------------------------------------------------------------------- read_state_file

GRASTATE_TEXT = "# GALERA saved state\nversion: 2.1\nuuid:    6c1a5a5e-7d0c-11ef-9a0e-0a9d3c6d2f11\nseqno:   5\n"


def test_read_state_file_absent(tmp_path):
    assert galera_server.read_state_file(str(tmp_path / "grastate.dat")) == ("absent", None)


def test_read_state_file_present(tmp_path):
    path = tmp_path / "grastate.dat"
    path.write_text(GRASTATE_TEXT)
    assert galera_server.read_state_file(str(path)) == ("present", GRASTATE_TEXT)


@pytest.mark.parametrize("content", ["", "\n", "  \n\n"], ids=["zero-bytes", "newline", "blanks"])
def test_read_state_file_empty(tmp_path, content):
    # Galera empties grastate.dat while a state transfer runs; an interrupted one leaves it so
    path = tmp_path / "grastate.dat"
    path.write_text(content)
    assert galera_server.read_state_file(str(path))[0] == "empty"


def test_read_state_file_follows_a_good_link(tmp_path):
    (tmp_path / "real.dat").write_text(GRASTATE_TEXT)
    os.symlink("real.dat", str(tmp_path / "grastate.dat"))
    assert galera_server.read_state_file(str(tmp_path / "grastate.dat"))[0] == "present"


def test_read_state_file_dangling_link_is_an_error_not_absent(tmp_path):
    os.symlink("/nonexistent/grastate.dat", str(tmp_path / "grastate.dat"))
    with pytest.raises(galera_server.StateFileError) as exc:
        galera_server.read_state_file(str(tmp_path / "grastate.dat"))
    assert str(exc.value) == ("%s is a symbolic link to /nonexistent/grastate.dat, which does not exist"
                              % (tmp_path / "grastate.dat"))


def test_read_state_file_link_loop_is_an_error(tmp_path):
    os.symlink("grastate.dat", str(tmp_path / "grastate.dat"))
    with pytest.raises(galera_server.StateFileError, match="is a symbolic link that loops"):
        galera_server.read_state_file(str(tmp_path / "grastate.dat"))


def test_read_state_file_directory_is_an_error(tmp_path):
    (tmp_path / "grastate.dat").mkdir()
    with pytest.raises(galera_server.StateFileError, match="grastate.dat is a directory, expected a regular file"):
        galera_server.read_state_file(str(tmp_path / "grastate.dat"))


def test_read_state_file_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(str(tmp_path / "grastate.dat"))
    with pytest.raises(galera_server.StateFileError, match="grastate.dat is a FIFO, expected a regular file"):
        galera_server.read_state_file(str(tmp_path / "grastate.dat"))


def test_read_state_file_oversized(tmp_path):
    path = tmp_path / "grastate.dat"
    path.write_text("# " + "x" * galera_server.STATE_FILE_MAX_BYTES + "\n")
    with pytest.raises(galera_server.StateFileError, match="more than the 65536 a Galera state file can be"):
        galera_server.read_state_file(str(path))


def test_read_state_file_not_utf8(tmp_path):
    path = tmp_path / "grastate.dat"
    path.write_bytes(b"version: 2.1\nuuid: \xff\xfe\n")
    with pytest.raises(galera_server.StateFileError) as exc:
        galera_server.read_state_file(str(path))
    assert str(exc.value) == "%s is not text (byte 19 is not UTF-8): the file is damaged" % path


def test_read_state_file_parent_is_a_file(tmp_path):
    (tmp_path / "data").write_text("")
    with pytest.raises(galera_server.StateFileError, match="cannot look at"):
        galera_server.read_state_file(str(tmp_path / "data" / "grastate.dat"))


# --------------------------------------------------------------------------- inspect_datadir

@pytest.mark.parametrize("entries", [["mysql/"], ["ibdata1"], ["mysql.ibd", "#innodb_redo/"], ["aria_log_control"]])
def test_inspect_datadir_server(tmp_path, entries):
    for entry in entries:
        if entry.endswith("/"):
            (tmp_path / entry.rstrip("/")).mkdir()
        else:
            (tmp_path / entry).write_text("")
    assert galera_server.inspect_datadir(str(tmp_path)) == "server"


def test_inspect_datadir_empty_and_a_fresh_filesystem(tmp_path):
    assert galera_server.inspect_datadir(str(tmp_path)) == "empty"
    (tmp_path / "lost+found").mkdir()
    assert galera_server.inspect_datadir(str(tmp_path)) == "empty"


def test_inspect_datadir_missing_says_what_to_check(tmp_path):
    with pytest.raises(galera_server.StateFileError) as exc:
        galera_server.inspect_datadir(str(tmp_path / "mysq"))
    assert str(exc.value).startswith("datadir %s does not exist" % (tmp_path / "mysq"))


def test_inspect_datadir_file(tmp_path):
    (tmp_path / "data").write_text("")
    with pytest.raises(galera_server.StateFileError, match="is not a regular file|expected a directory"):
        galera_server.inspect_datadir(str(tmp_path / "data"))


def test_inspect_datadir_foreign_directory(tmp_path):
    (tmp_path / "notes.txt").write_text("")
    (tmp_path / "backup.tar").write_text("")
    with pytest.raises(galera_server.StateFileError) as exc:
        galera_server.inspect_datadir(str(tmp_path))
    assert "is not a database server's datadir" in str(exc.value)
    assert "backup.tar, notes.txt" in str(exc.value)


# --------------------------------------------------------------------------- parse_help_datadir

HELP_OUTPUT = """Variables (--variable-name=value)
and boolean options {FALSE|TRUE}                             Value (after reading options)
------------------------------------------------------------ -------------
data-file-length                                             0
datadir                                                      /var/lib/mysql/
date-format                                                  %Y-%m-%d
"""


def test_parse_help_datadir():
    assert galera_server.parse_help_datadir(HELP_OUTPUT) == "/var/lib/mysql/"
    assert galera_server.parse_help_datadir("nothing here\n") is None
    assert galera_server.parse_help_datadir(None) is None


@pytest.mark.parametrize("first, second, expected", [
    ("/var/lib/mysql", "/var/lib/mysql/", True),
    ("/var/lib/mysql/", "/var/lib/./mysql", True),
    ("/var/lib/mysql", "/var/lib/mysq", False),
    ("/data/mysql", "/var/lib/mysql/", False),
])
def test_same_directory(first, second, expected):
    assert galera_server.same_directory(first, second) is expected


def test_same_directory_through_a_link(tmp_path):
    (tmp_path / "real").mkdir()
    os.symlink("real", str(tmp_path / "link"))
    assert galera_server.same_directory(str(tmp_path / "link"), str(tmp_path / "real") + "/")
