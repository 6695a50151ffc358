"""Every package says what it is (issue 16): an ``__all__`` in its ``__init__.py`` whose names all resolve, and a
README.md that names what may be imported from it (the layer rule of tests/test_layering.py)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "flatproof"
PACKAGES = sorted(p.parent for p in PKG.rglob("__init__.py"))


def _name(folder: Path) -> str:
    return ".".join(folder.relative_to(PKG.parent).parts)


def test_the_package_list_is_real() -> None:
    names = {_name(p) for p in PACKAGES}
    assert {"flatproof", "flatproof.cli", "flatproof.model", "flatproof.claims.univariate"} <= names


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_every_package_declares_all_and_every_name_resolves(folder: Path) -> None:
    tree = ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))
    assigned = [n for n in tree.body if isinstance(n, (ast.Assign, ast.AnnAssign))
                and any(isinstance(t, ast.Name) and t.id == "__all__"
                        for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))]
    assert assigned, f"{_name(folder)} has no __all__"
    module = importlib.import_module(_name(folder))
    for name in module.__all__:
        if not hasattr(module, name):
            importlib.import_module(f"{_name(folder)}.{name}")     # a public submodule
        assert hasattr(module, name), f"{_name(folder)}.__all__ names {name!r}, which does not exist"


@pytest.mark.parametrize("folder", PACKAGES, ids=_name)
def test_every_package_folder_has_a_readme_with_its_import_rule(folder: Path) -> None:
    readme = folder / "README.md"
    assert readme.is_file(), f"{_name(folder)} has no README.md"
    text = readme.read_text(encoding="utf-8")
    assert text.startswith(f"# flatproof/{folder.relative_to(PKG).as_posix() + '/' if folder != PKG else ''}")
    assert "import" in text.lower()
