"""The OpenStack lab's Keystone key repositories, written without keystone-manage.

Keystone reads a key repository as files named by integers, each a Fernet key; the highest
number is the primary key, 0 the staged one. `keystone-manage fernet_setup` (and
credential_setup) leave exactly 0 and 1, readable by their owner only. The lab writes the same
(two keystone-manage runs were CPU on every `up`); the lab's own `up` proves that Keystone
issues and validates tokens with them, these tests pin the layout.
"""

from __future__ import annotations

import base64
import stat
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))
import openstack_lab  # noqa: E402  pylint: disable=wrong-import-position


def test_the_repository_holds_a_primary_and_a_staged_fernet_key_only_root_reads(tmp_path):
    repository = tmp_path / "fernet-keys"
    openstack_lab.write_fernet_key_repository(repository)

    assert sorted(p.name for p in repository.iterdir()) == ["0", "1"]
    assert stat.S_IMODE(repository.stat().st_mode) == 0o700
    keys = {}
    for key_file in repository.iterdir():
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
        keys[key_file.name] = key_file.read_text()
        assert len(base64.urlsafe_b64decode(keys[key_file.name])) == 32
    # usable as Fernet keys, and different from each other
    token = Fernet(keys["1"]).encrypt(b"payload")
    assert Fernet(keys["1"]).decrypt(token) == b"payload"
    assert keys["0"] != keys["1"]


def test_each_repository_gets_keys_of_its_own(tmp_path):
    openstack_lab.write_fernet_key_repository(tmp_path / "fernet-keys")
    openstack_lab.write_fernet_key_repository(tmp_path / "credential-keys")
    assert (tmp_path / "fernet-keys" / "1").read_text() != (tmp_path / "credential-keys" / "1").read_text()


def test_an_existing_repository_is_not_overwritten(tmp_path):
    repository = tmp_path / "fernet-keys"
    openstack_lab.write_fernet_key_repository(repository)
    primary = (repository / "1").read_text()
    with pytest.raises(FileExistsError):
        openstack_lab.write_fernet_key_repository(repository)
    assert (repository / "1").read_text() == primary
