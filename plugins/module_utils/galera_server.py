# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Facts about the database server program on this host, read from /proc and the filesystem."""

from __future__ import annotations

import os
import shutil

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
