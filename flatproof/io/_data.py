"""Training data from CSV files: a header ``x,y`` (univariate) or ``x1,…,xd,y`` (multi-index), then one
sample per line. Cells are parsed as decimal numbers (``float``), never evaluated; an empty line
ends nothing and is refused, like a short row or a non-number (the error names line and column)."""

from __future__ import annotations

import csv
from os import PathLike
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import InputError
from ..instances.families import FAMILIES, ModelFamily, family


def _header_family(header: list[str], kind: str | None) -> ModelFamily:
    """The family whose data the header heads (``kind``'s, or with no kind the one whose header it is), or
    an InputError saying what header was expected."""
    fams = list(FAMILIES.values()) if kind is None else [family(kind, field=None)]
    names = [h.strip() for h in header]
    if len(names) >= 2 and names[-1] == "y":
        found = next((f for f in fams if f.csv.reads(names[:-1], alias=kind is not None)), None)
        if found is not None:
            return found
    # with no kind, a one-column header names its model: x1,...,xd,y says itself that it has d inputs
    want = " or ".join(f"{f.csv.header} ({f.kind})" if kind is None and f.csv.columns == 1 else f.csv.header
                       for f in fams)
    raise InputError(f"line 1: header {','.join(names)!r}, expected {want}")


def read_csv(path: str | PathLike[str], kind: str | None = None) -> dict[str, np.ndarray]:
    """``{"x", "y"}`` (header x,y) or ``{"X", "y"}`` (header x1..xd,y) as float64 arrays: the data fields of
    ``kind``'s family (:attr:`~flatproof.instances.families.ModelFamily.csv`), or of the family whose header
    the file has when ``kind`` is None."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read it as UTF-8 text ({exc})") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError(f"{path.name}: empty file (expected a header "
                         f"{' or '.join(f.csv.header for f in FAMILIES.values())})")
    fam = _header_family(rows[0], kind)
    d = len(rows[0]) - 1
    values = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != d + 1:
            raise InputError(f"{path.name}: line {line}: {len(row)} cells, the header has {d + 1}")
        rec = []
        for col, cell in zip(rows[0], row, strict=True):
            try:
                t = float(cell)
            except ValueError:
                raise InputError(f"{path.name}: line {line}, column {col.strip()}: {cell!r} is not a number") from None
            if not np.isfinite(t):
                raise InputError(f"{path.name}: line {line}, column {col.strip()}: {cell!r} is not finite")
            rec.append(t)
        values.append(rec)
    if not values:
        raise InputError(f"{path.name}: a header but no data lines")
    return fam.csv.arrays(np.array(values, dtype=np.float64))


def write_csv(path: str | PathLike[str], data: Any) -> Path:
    """Write a UnivariateData (header x,y) or MultiIndexData (header x1..xd,y); floats in round-trip form."""
    from .._files import write_text_atomic
    if hasattr(data, "X"):
        header = [f"x{i}" for i in range(1, data.d + 1)] + ["y"]
        rows = np.column_stack([data.X, data.y])
    else:
        header = ["x", "y"]
        rows = np.column_stack([data.x, data.y])
    lines = [",".join(header)] + [",".join(repr(float(t)) for t in r) for r in rows]
    return write_text_atomic(path, "\n".join(lines) + "\n")
