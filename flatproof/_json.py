"""Turning results (numpy arrays and scalars inside dicts, lists, tuples) into plain JSON-able Python."""

from __future__ import annotations

import numbers


def plain(obj):
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
