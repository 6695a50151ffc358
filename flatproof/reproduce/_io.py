"""Writing a study's numbers (JSON + one CSV per figure) and figures (PNG + PDF)."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._json import dumps_strict

if TYPE_CHECKING:                    # matplotlib is imported only when a figure is drawn
    from matplotlib.figure import Figure


def write_json(path: Path, data: dict) -> None:
    """Strict JSON (a NaN or infinity is null, named under "non_finite")."""
    path.write_text(dumps_strict(data, indent=1))


def write_csv(path: Path, columns: dict) -> None:
    keys = list(columns)
    rows = zip(*[list(np.asarray(columns[k]).tolist()) for k in keys], strict=True)
    with path.open("w", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(keys)
        w.writerows(rows)


def save_figure(fig: Figure, out: Path, name: str) -> list[str]:
    """``name.png`` (raster, at the style's dpi) and ``name.pdf`` (vector), cropped to the drawing."""
    paths = []
    for ext in ("png", "pdf"):
        p = out / f"{name}.{ext}"
        fig.savefig(p, bbox_inches="tight", metadata={"CreationDate": None} if ext == "pdf" else None)
        paths.append(str(p))
    return paths
