"""The install puts one package, `tts`, into site-packages, and ships every module of the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib")  # Python 3.11+
ROOT = Path(__file__).resolve().parents[1]


def test_only_tts_is_installed_and_every_package_folder_is_shipped():
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    packages, mapped = setuptools["packages"], setuptools["package-dir"]
    assert all(name == "tts" or name.startswith("tts.") for name in packages)
    assert mapped == {"tts.cli": "cli", "tts.packaged_voices": "voices"}  # the repository's top-level folders
    folders = {mapped.get(name, name.replace(".", "/")) for name in packages}
    for init in [*ROOT.glob("tts/**/__init__.py"), *ROOT.glob("cli/__init__.py"), *ROOT.glob("voices/__init__.py")]:
        assert init.parent.relative_to(ROOT).as_posix() in folders, f"{init.parent} is not installed"
    for folder in folders:
        assert (ROOT / folder).is_dir(), folder
