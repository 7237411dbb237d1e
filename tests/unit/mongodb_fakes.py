# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A stand-in for the few pymongo calls ceilometer_ttl makes, recording each one.

Only the call shapes are faked here (Database.command(name, value, **kwargs),
Database[collection].delete_many(filter).deleted_count, MongoClient[name], close()):
what a real server answers is checked by the integration target
tests/integration/targets/ceilometer_ttl_mongodb against MongoDB wire-protocol servers.
"""

from __future__ import annotations

import types


class FakeOperationFailure(Exception):
    """Raised where the test asks a call to fail, as pymongo raises OperationFailure."""


class FakeDatabase:
    """Answers ping, dbStats (each answer in turn, the last one again), compact and delete_many."""

    def __init__(self, stats=None, removed=15, compact=None, fail=None, error="command failed"):
        self.stats = list(stats if stats is not None else (
            {"dataSize": 900, "storageSize": 1000, "indexSize": 100, "objects": 40, "ok": 1.0},
            {"dataSize": 500.0, "storageSize": 600, "indexSize": 60, "fileSize": 2048, "objects": 25, "ok": 1.0},
        ))
        self.removed = removed
        self.compact = compact if compact is not None else {"ok": 1.0, "bytesFreed": 400}
        self.fail = fail
        self.error = error
        self.calls = []

    def _maybe_fail(self, call):
        """fail: a call name (its first call fails) or (name, n) (its n-th call fails)."""
        if self.fail is None:
            return
        name, nth = self.fail if isinstance(self.fail, tuple) else (self.fail, 1)
        if call == name and sum(1 for made in self.calls if made[0] == call) == nth:
            raise FakeOperationFailure(self.error)

    def command(self, name, value=1, **kwargs):
        self.calls.append((name, value, kwargs))
        self._maybe_fail(name)
        if name == "ping":
            return {"ok": 1.0}
        if name == "dbStats":
            return self.stats.pop(0) if len(self.stats) > 1 else self.stats[0]
        if name == "compact":
            return self.compact
        raise FakeOperationFailure("no such command: %r" % name)

    def __getitem__(self, collection):
        database = self

        class Collection:
            def delete_many(self, query):
                database.calls.append(("delete_many", collection, query))
                database._maybe_fail("delete_many")
                return types.SimpleNamespace(deleted_count=database.removed)
        return Collection()


class FakeClient:
    """MongoClient(uri)[name] gives the FakeDatabase; the URI it was built with is kept."""

    def __init__(self, database):
        self.database = database
        self.uris = []
        self.names = []
        self.closed = False

    def connect(self, uri):
        self.uris.append(uri)
        return self

    def __getitem__(self, name):
        self.names.append(name)
        return self.database

    def close(self):
        self.closed = True
