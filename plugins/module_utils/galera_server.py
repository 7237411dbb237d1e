# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts about the database server program on this host, read from /proc and the filesystem."""

from __future__ import annotations

import errno
import os
import pwd
import shutil
import stat
import tempfile

SERVER_NAMES = ("mariadbd", "mysqld")
_BINARY_DIRS = ("/usr/sbin", "/usr/libexec", "/usr/bin")


def find_server_binary(search_dirs=_BINARY_DIRS):
    for name in SERVER_NAMES:
        for directory in search_dirs:
            path = os.path.join(directory, name)
            if os.path.isfile(path) and os.access(path, os.X_OK):
                return path
        found = shutil.which(name)
        if found:
            return found
    return None


def find_server_processes(datadir, proc="/proc"):
    """Server processes whose working directory is ``datadir``.

    mysqld and mariadbd chdir into their datadir, which identifies them even when
    they run in another network namespace or with options from any file.
    """
    wanted = os.path.realpath(datadir)
    found = []
    for entry in os.listdir(proc):
        if not entry.isdigit():
            continue
        try:
            with open(os.path.join(proc, entry, "comm")) as handle:
                name = handle.read().strip()
            if name not in SERVER_NAMES:
                continue
            with open(os.path.join(proc, entry, "status")) as handle:
                if any(line.startswith("State:") and "Z" in line.split()[1] for line in handle):
                    continue
            cwd = os.path.realpath(os.readlink(os.path.join(proc, entry, "cwd")))
        except (IOError, OSError):
            continue
        if cwd == wanted:
            found.append({"pid": int(entry), "name": name})
    return found


# Galera keeps grastate.dat under 256 bytes and rewrites a longer one
# (galera/src/saved_state.cpp, MAX_SIZE); gvwstate.dat grows by one line per member.
STATE_FILE_MAX_BYTES = 64 * 1024

# Files only a server's own datadir has: the system schema (MariaDB, MySQL 5.7), the
# data dictionary (MySQL 8 / PXC 8), InnoDB's system tablespace and logs, Aria's control file.
_DATADIR_MARKERS = ("mysql", "mysql.ibd", "ibdata1", "ib_logfile0", "#innodb_redo", "aria_log_control",
                    "undo_001", "auto.cnf")
# What a freshly made filesystem or an unconfigured package leaves in an unused datadir.
_DATADIR_NOISE = ("lost+found",)


class StateFileError(ValueError):
    """A state file or datadir that exists but cannot be used; the text says what to check."""


def _describe_kind(mode):
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISSOCK, "a socket"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device")):
        if test(mode):
            return name
    return "not a regular file"


def read_state_file(path, max_bytes=STATE_FILE_MAX_BYTES):
    """Read a Galera state file: ``("absent", None)``, ``("empty", "")`` or ``("present", text)``.

    Only a path that does not exist at all is absent. A dangling or looping symbolic
    link, a directory, a FIFO (which would block the reader), an unreadable, oversized
    or non-UTF-8 file raises StateFileError: reading such a node as "no state" is how a
    bootstrap from the wrong node starts.
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return "absent", None
    except OSError as exc:
        raise StateFileError("cannot look at %s: %s" % (path, exc.strerror or exc))
    if stat.S_ISLNK(info.st_mode):
        target = os.readlink(path)
        try:
            info = os.stat(path)
        except FileNotFoundError:
            raise StateFileError("%s is a symbolic link to %s, which does not exist" % (path, target))
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise StateFileError("%s is a symbolic link that loops (%s)" % (path, target))
            raise StateFileError("cannot follow the symbolic link %s -> %s: %s" % (path, target, exc.strerror or exc))
    if not stat.S_ISREG(info.st_mode):
        raise StateFileError("%s is %s, expected a regular file" % (path, _describe_kind(info.st_mode)))
    if info.st_size > max_bytes:
        raise StateFileError("%s is %d bytes, more than the %d a Galera state file can be"
                             % (path, info.st_size, max_bytes))
    try:
        with open(path, "rb") as handle:
            data = handle.read(max_bytes + 1)
    except OSError as exc:
        raise StateFileError("cannot read %s: %s; run the task with become: true or point datadir at a "
                             "readable copy" % (path, exc.strerror or exc))
    if len(data) > max_bytes:
        raise StateFileError("%s is more than the %d bytes a Galera state file can be" % (path, max_bytes))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise StateFileError("%s is not text (byte %d is not UTF-8): the file is damaged" % (path, exc.start))
    if not text.strip():
        return "empty", text
    return "present", text


def inspect_datadir(path):
    """``"server"`` for a datadir the server has initialised, ``"empty"`` for an unused one.

    Raises StateFileError when the path does not exist, is not a directory, cannot be
    listed, or holds files but none of a server's: a wrong datadir must not read as a
    node without state.
    """
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise StateFileError("datadir %s does not exist; check galera datadir settings (a typo, or an option "
                             "file that sets another datadir)" % path)
    except OSError as exc:
        raise StateFileError("cannot look at datadir %s: %s" % (path, exc.strerror or exc))
    if not stat.S_ISDIR(info.st_mode):
        raise StateFileError("datadir %s is %s, expected a directory" % (path, _describe_kind(info.st_mode)))
    try:
        entries = [name for name in os.listdir(path) if name not in _DATADIR_NOISE]
    except OSError as exc:
        raise StateFileError("cannot list datadir %s: %s; run the task with become: true"
                             % (path, exc.strerror or exc))
    if not entries:
        return "empty"
    if any(name in entries for name in _DATADIR_MARKERS):
        return "server"
    markers = ", ".join(_DATADIR_MARKERS[:5])
    examples = ", ".join(sorted(entries)[:3])
    raise StateFileError("%s is not a database server's datadir (none of %s in it, but %d other entries such "
                         "as %s); check the datadir setting" % (path, markers, len(entries), examples))


def parse_help_datadir(output):
    """The datadir from ``mariadbd/mysqld --verbose --help``: option files and compiled defaults applied."""
    for line in (output or "").splitlines():
        words = line.split(None, 1)
        if len(words) == 2 and words[0] == "datadir":
            return words[1].strip()
    return None


def same_directory(first, second):
    """Whether two datadir paths name the same directory (trailing slashes, links and dots aside)."""
    return os.path.realpath(first.rstrip("/") or "/") == os.path.realpath(second.rstrip("/") or "/")


def private_log_file(owner):
    """A new empty file only ``owner`` (the server's account) and root can read or write.

    The server opens its error log after it switched to that account.
    """
    handle, path = tempfile.mkstemp(prefix="galera-recover-", suffix=".log")
    os.close(handle)
    try:
        account = pwd.getpwnam(owner)
        os.chown(path, account.pw_uid, account.pw_gid)
    except (KeyError, PermissionError):
        pass  # no such account, or not root: the server then runs as whoever we are
    return path


def read_log_tail(path, limit=1024 * 1024):
    """The last ``limit`` bytes of a log file, as text (undecodable bytes replaced)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - limit))
            return handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
