"""Declarative fields of a case file: one definition parses a TOML table, yields its JSON Schema and its
row in the documentation's field table.

A :class:`Field` says what one key of a table may hold (type, default, range, choices) and what it
means. :func:`parse_table` reads a table against a tuple of fields and returns plain, validated
Python values (floats, ints, strings, float64 arrays), refusing unknown keys; nothing is built here.
Arrays may also come from an ``.npz`` file (the ``arrays`` argument): a key given inline wins.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from ._errors import InputError
from ._validate import finite_array, finite_scalar, integer

__all__ = ["Field", "FieldType", "json_schema", "markdown_table", "parse_table"]

FieldType = Literal["number", "integer", "string", "bool", "vector", "matrix", "expression"]

_JSON_TYPES: dict[str, dict[str, Any]] = {"number": {"type": "number"}, "integer": {"type": "integer"}, "string": {"type": "string"},
               "bool": {"type": "boolean"}, "expression": {"type": "string"},
               "vector": {"type": "array", "items": {"type": "number"}},
               "matrix": {"type": "array", "items": {"type": "array", "items": {"type": "number"}}}}


@dataclass(frozen=True)
class Field:
    """One key of a case-file table."""

    name: str
    type: FieldType
    doc: str
    default: Any = None
    required: bool = False
    minimum: float | None = None
    exclusive_minimum: bool = False
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    in_npz: bool = False                     # may come from the table's .npz file

    def parse(self, value: Any, prefix: str) -> Any:
        """The validated value (float, int, str, bool or float64 array), or an InputError naming the field."""
        where = f"{prefix}.{self.name}"
        t = self.type
        if t in ("vector", "matrix"):
            return finite_array(value, where, ndim=1 if t == "vector" else 2)
        if t == "bool":
            if not isinstance(value, (bool, np.bool_)):
                raise InputError(f"expected true or false, got {value!r}", field=where)
            return bool(value)
        if t in ("string", "expression"):
            if not isinstance(value, str):
                raise InputError(f"expected a string, got {type(value).__name__}", field=where)
            if self.choices is not None and value not in self.choices:
                raise InputError(f"must be one of {', '.join(self.choices)}, got {value!r}", field=where)
            return value
        if t == "integer":
            out: float | int = integer(value, where)
        else:
            out = finite_scalar(value, where)
        if self.minimum is not None and (out < self.minimum or (self.exclusive_minimum and out == self.minimum)):
            if self.minimum == 0:
                need = "positive" if self.exclusive_minimum else "non-negative"
            else:
                need = (">" if self.exclusive_minimum else ">=") + f" {self.minimum:g}"
            raise InputError(f"must be {need}, got {out:g}", field=where)
        if self.maximum is not None and out > self.maximum:
            raise InputError(f"must be <= {self.maximum:g}, got {out:g}", field=where)
        return out

    def json(self) -> dict:
        """This field's JSON Schema."""
        out: dict[str, Any] = dict(_JSON_TYPES[self.type], description=self.doc)
        if self.default is not None:
            out["default"] = self.default
        if self.choices is not None:
            out["enum"] = list(self.choices)
        if self.minimum is not None:
            out["exclusiveMinimum" if self.exclusive_minimum else "minimum"] = self.minimum
        if self.maximum is not None:
            out["maximum"] = self.maximum
        return out

    def describe_range(self) -> str:
        if self.choices:
            return " \\| ".join(f"`{c}`" for c in self.choices)
        if self.minimum is None and self.maximum is None:
            return ""
        lo = "(" if self.exclusive_minimum else "["
        lo_v = "−∞" if self.minimum is None else f"{self.minimum:g}"
        hi = "∞)" if self.maximum is None else f"{self.maximum:g}]"
        return f"{lo}{lo_v}, {hi}"


def parse_table(table: Mapping[str, Any], fields: Iterable[Field], prefix: str, *,
                arrays: Mapping[str, np.ndarray] | None = None, ignore: Iterable[str] = ()) -> dict[str, Any]:
    """Read ``table`` against ``fields``: every known key validated, defaults filled in, required keys
    demanded, unknown keys refused (except those in ``ignore``, read by someone else)."""
    fields = tuple(fields)
    known = {f.name: f for f in fields}
    skip = set(ignore)
    for key in table:
        if key not in known and key not in skip:
            allowed = ", ".join(sorted(set(known) | skip)) or "none"
            raise InputError(f"unknown field (allowed here: {allowed})", field=f"{prefix}.{key}")
    arrays = arrays or {}
    out: dict[str, Any] = {}
    for f in fields:
        if f.name in table:
            raw = table[f.name]
        elif f.in_npz and f.name in arrays:
            a = arrays[f.name]
            raw = a.item() if a.ndim == 0 else a
        elif f.required:
            hint = " (give it inline or in the npz file)" if f.in_npz else ""
            raise InputError(f"missing field{hint}", field=f"{prefix}.{f.name}")
        else:
            out[f.name] = f.default
            continue
        out[f.name] = f.parse(raw, prefix)
    return out


def json_schema(fields: Iterable[Field], *, title: str = "", extra: Iterable[str] = ()) -> dict:
    """A JSON Schema object for a table with these fields (``extra``: keys allowed but described elsewhere)."""
    fields = tuple(fields)
    props = {f.name: f.json() for f in fields}
    for key in extra:
        props.setdefault(key, {})
    out: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    required = [f.name for f in fields if f.required]
    if required:
        out["required"] = required
    if title:
        out["title"] = title
    return out


def markdown_table(fields: Iterable[Field]) -> str:
    """The documentation's table of these fields (name, type, default, range, meaning)."""
    rows = ["| field | type | default | range | meaning |", "|---|---|---|---|---|"]
    for f in fields:
        default = "required" if f.required else ("—" if f.default is None else f"`{f.default!r}`"
                                                  if isinstance(f.default, str) else f"`{f.default}`")
        rows.append(f"| `{f.name}` | {f.type} | {default} | {f.describe_range()} | {f.doc} |")
    return "\n".join(rows)
