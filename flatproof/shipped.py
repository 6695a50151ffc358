"""The example cases that ship with flatproof (case files; the scripts in examples/ are another thing): in a wheel they are ``flatproof/cases/`` (copied there by
the build, see setup.py), in a source checkout they are ``cases/`` next to the package.
``flatproof cases`` lists them and ``flatproof cases --copy DIR`` puts them where a user can edit them."""

from __future__ import annotations

import re
import shutil
from importlib import resources
from os import PathLike
from pathlib import Path

from ._errors import InputError

SUFFIXES = (".toml", ".npz")          # the .npz files are arrays that some cases load by relative path


def cases_dir() -> Path:
    """The folder of the shipped cases (installed package first, then the source checkout)."""
    packaged = Path(str(resources.files("flatproof"))) / "cases"
    if packaged.is_dir():
        return packaged
    source = Path(__file__).resolve().parent.parent / "cases"
    if source.is_dir():
        return source
    raise InputError("this installation of flatproof carries no example cases (reinstall it from a wheel "
                     "or a source checkout)", field="cases")


def shipped_cases() -> list[Path]:
    """Every shipped case file (TOML), sorted by name."""
    return sorted(p for p in cases_dir().glob("*.toml"))


def describe(path: Path) -> tuple[str, str]:
    """(claim id or "measure", expected outcome or "") of a shipped case, read from its text."""
    text = path.read_text(encoding="utf-8")
    claim = re.search(r'^claim\s*=\s*"([^"]+)"', text, re.MULTILINE)
    expected = re.search(r"\(expected: (holds|violated|inconclusive)", text)
    return (claim.group(1) if claim else "measure", expected.group(1) if expected else "")


def copy_cases(dest: str | PathLike[str]) -> list[Path]:
    """Copy the shipped cases (and the arrays they load) into ``dest``; never overwrites a file."""
    dest = Path(dest)
    files = sorted(p for p in cases_dir().iterdir() if p.suffix in SUFFIXES)
    clash = next((dest / p.name for p in files if (dest / p.name).exists()), None)
    if clash is not None:
        raise InputError(f"{clash} exists; copy into an empty or new folder", field="--copy")
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy2(p, dest / p.name)) for p in files]
