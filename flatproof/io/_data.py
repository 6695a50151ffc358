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


def _header_columns(header: list[str], kind: str | None) -> int:
    """d from the header, or an InputError saying what header was expected."""
    names = [h.strip() for h in header]
    want = "x,y (univariate) or x1,...,xd,y" if kind is None else ("x,y" if kind == "univariate" else "x1,...,xd,y")
    if len(names) >= 2 and names[-1] == "y":
        xs = names[:-1]
        if xs == ["x"] and kind != "homogeneous":
            return 1
        if xs == [f"x{i}" for i in range(1, len(xs) + 1)] and (kind != "univariate" or len(xs) == 1):
            return len(xs)
    raise InputError(f"line 1: header {','.join(names)!r}, expected {want}")


def read_csv(path: str | PathLike[str], kind: str | None = None) -> dict[str, np.ndarray]:
    """``{"x", "y"}`` (header x,y) or ``{"X", "y"}`` (header x1..xd,y) as float64 arrays."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path.name}: cannot read it as UTF-8 text ({exc})") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError(f"{path.name}: empty file (expected a header x,y or x1,...,xd,y)")
    d = _header_columns(rows[0], kind)
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
    arr = np.array(values, dtype=np.float64)
    if [h.strip() for h in rows[0][:-1]] == ["x"]:
        return {"x": arr[:, 0].copy(), "y": arr[:, -1].copy()}
    if kind == "univariate":
        return {"x": arr[:, 0].copy(), "y": arr[:, -1].copy()}
    return {"X": arr[:, :-1].copy(), "y": arr[:, -1].copy()}


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
