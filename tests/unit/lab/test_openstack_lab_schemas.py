"""The OpenStack lab's schema cache: a service's database is migrated once, then loaded.

The lab keeps each service's freshly migrated database next to its venv (SQLite files, MariaDB
dumps) and later `up` runs load it instead of migrating again. These tests pin what the lab's
runs rely on: the migration runs only when nothing is cached, a cached copy is exactly what the
migration produced, a half-written cache file is never left behind, and a service whose dumps
are not all cached is migrated, not half loaded.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))
import openstack_lab  # noqa: E402  pylint: disable=wrong-import-position


@pytest.fixture
def schemas(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(openstack_lab, "SCHEMAS", cache)
    return cache


def test_a_sqlite_database_is_migrated_once_then_copied(tmp_path, schemas):
    migrations = []

    def migrate(target: Path):
        def run():
            migrations.append(target)
            target.write_bytes(b"SQLite format 3\x00 migrated schema")

        return run

    first = tmp_path / "first.db"
    openstack_lab.cached_sqlite("keystone", first, migrate(first))
    second = tmp_path / "second.db"
    openstack_lab.cached_sqlite("keystone", second, migrate(second))

    assert migrations == [first]
    assert second.read_bytes() == first.read_bytes() == (schemas / "keystone.sqlite").read_bytes()


def test_a_failed_migration_caches_nothing(tmp_path, schemas):
    def migrate():
        raise openstack_lab.LabError("db_sync failed")

    with pytest.raises(openstack_lab.LabError, match="db_sync failed"):
        openstack_lab.cached_sqlite("glance", tmp_path / "glance.sqlite", migrate)
    assert not (schemas / "glance.sqlite").exists()


def test_an_interrupted_write_leaves_neither_the_file_nor_its_temporary(schemas):
    def fill(tmp: Path):
        tmp.write_text("CREATE TABLE half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        openstack_lab.store_atomically(schemas / "neutron.sql", fill)
    assert list(schemas.iterdir()) == []


def test_dumps_load_only_when_every_database_of_the_service_is_cached(schemas, monkeypatch):
    loaded = []
    monkeypatch.setattr(openstack_lab, "run", lambda *cmd, **kw: loaded.append((cmd[-1], kw["stdin"])))
    schemas.mkdir()
    (schemas / "nova.sql").write_text("CREATE TABLE instances (id int);\n")

    assert openstack_lab.load_dumps(("nova", "nova_cell0")) is False
    assert not loaded

    (schemas / "nova_cell0.sql").write_text("CREATE TABLE instances (id int);\n")
    assert openstack_lab.load_dumps(("nova", "nova_cell0")) is True
    assert loaded == [("nova", "CREATE TABLE instances (id int);\n"), ("nova_cell0", "CREATE TABLE instances (id int);\n")]


def test_a_service_without_cached_dumps_is_migrated_and_dumped(schemas, monkeypatch):
    commands = []

    def run(*cmd, **_kw):
        commands.append(cmd[0])

        class Done:
            stdout = f"-- dump of {cmd[-1]}\n"

        return Done()

    monkeypatch.setattr(openstack_lab, "run", run)
    migrations = []
    openstack_lab.cached_mariadb("octavia", ("octavia",), lambda: migrations.append("upgrade head"))
    assert migrations == ["upgrade head"]
    assert commands == ["mariadb-dump"]
    assert (schemas / "octavia.sql").read_text() == "-- dump of octavia\n"

    openstack_lab.cached_mariadb("octavia", ("octavia",), lambda: migrations.append("upgrade head"))
    assert migrations == ["upgrade head"]
    assert commands == ["mariadb-dump", "mariadb"]
