"""A small TOML writer for case files (tables of scalars, strings and nested arrays).

Floats are written with ``repr`` (shortest round-trip form), so ``tomllib.loads(dumps(doc)) == doc``
exactly; strings are JSON-escaped (a subset of TOML's basic-string escapes).
"""

from __future__ import annotations

import json
import math
import numbers

import numpy as np


def _key(k: str) -> str:
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() else json.dumps(k)


def _value(v: object) -> str:
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, numbers.Integral):
        return str(int(v))
    if isinstance(v, numbers.Real):
        x = float(v)
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return repr(x)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, np.ndarray):
        return _value(v.tolist())
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(t) for t in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def dumps(doc: dict, comment: str = "") -> str:
    lines = [f"# {line}" if line else "#" for line in comment.splitlines()]
    for name, table in doc.items():
        if lines:
            lines.append("")
        lines.append(f"[{_key(name)}]")
        for k, v in table.items():
            lines.append(f"{_key(k)} = {_value(v)}")
    return "\n".join(lines) + "\n"
