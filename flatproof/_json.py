"""Turning results (numpy arrays and scalars inside dicts, lists, tuples) into plain JSON-able Python."""

from __future__ import annotations

import json
import math
import numbers
from typing import Any


def plain(obj: Any) -> Any:
    """Dicts (keys as str), lists and tuples recursively; arrays via ``tolist``; numpy scalars to int/float."""
    if isinstance(obj, dict):
        return {str(k): plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    if hasattr(obj, "tolist"):
        return obj.tolist()
    if isinstance(obj, numbers.Integral) and not isinstance(obj, bool):
        return int(obj)
    if isinstance(obj, numbers.Real) and not isinstance(obj, bool):
        return float(obj)
    return obj


def finite_or_null(obj: Any, path: str = "$", reasons: dict | None = None) -> Any:
    """``plain(obj)`` with every NaN or infinity replaced by ``null``; ``reasons`` collects, for each
    replaced value, its JSON path and what it was (``"nan"``, ``"inf"``, ``"-inf"``)."""
    if reasons is None:
        reasons = {}
    obj = plain(obj)
    if isinstance(obj, dict):
        return {k: finite_or_null(v, f"{path}.{k}", reasons) for k, v in obj.items()}
    if isinstance(obj, list):
        return [finite_or_null(v, f"{path}[{i}]", reasons) for i, v in enumerate(obj)]
    if isinstance(obj, float) and not math.isfinite(obj):
        reasons[path] = "nan" if math.isnan(obj) else ("inf" if obj > 0 else "-inf")
        return None
    return obj


def dumps_strict(obj: Any, **kwargs: Any) -> str:
    """Strict JSON (RFC 8259: no NaN or Infinity tokens). A value float64 could not hold is written as
    ``null`` and named in a top-level ``"non_finite"`` object (path → "nan" / "inf" / "-inf")."""
    reasons: dict = {}
    out = finite_or_null(obj, "$", reasons)
    if reasons and isinstance(out, dict):
        out["non_finite"] = reasons
    return json.dumps(out, allow_nan=False, **kwargs)
