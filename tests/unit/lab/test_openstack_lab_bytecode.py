"""The OpenStack lab's venv is compiled to bytecode once, after the install.

pip left the venv without bytecode where PYTHONDONTWRITEBYTECODE is set, so each service start
and CLI call compiled its imports again. These tests run the real compileall on a small venv
layout (its python is this interpreter) and pin what `install` relies on: every file gets its
bytecode and the marker that skips the step next time is written only afterwards.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "lab"))
import openstack_lab  # noqa: E402  pylint: disable=wrong-import-position


def make_venv(root: Path) -> Path:
    (root / "bin").mkdir(parents=True)
    (root / "bin" / "python").symlink_to(sys.executable)
    package = root / "lib" / "python3" / "site-packages" / "sample"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("VALUE = 1\n")
    (package / "broken.py").write_text("def (:\n")
    return package


def test_every_importable_file_gets_bytecode_and_the_marker_is_written(tmp_path, monkeypatch):
    package = make_venv(tmp_path / "venv")
    monkeypatch.setattr(openstack_lab, "VENV", tmp_path / "venv")
    assert not (tmp_path / "venv" / openstack_lab.COMPILED_MARKER).exists()

    openstack_lab.compile_venv()

    assert Path(importlib.util.cache_from_source(str(package / "__init__.py"))).is_file()
    assert (tmp_path / "venv" / openstack_lab.COMPILED_MARKER).is_file()


def test_a_file_that_does_not_compile_is_reported_and_does_not_stop_the_install(tmp_path, monkeypatch, capsys):
    package = make_venv(tmp_path / "venv")
    monkeypatch.setattr(openstack_lab, "VENV", tmp_path / "venv")

    openstack_lab.compile_venv()

    out = capsys.readouterr().out
    assert "could not compile every file" in out
    assert "broken.py" in out
    assert not Path(importlib.util.cache_from_source(str(package / "broken.py"))).exists()
