"""Input checks shared by the models, the data and the case files (one-line errors)."""

from __future__ import annotations

import numbers

import numpy as np

from ._errors import InputError


def finite_array(value: object, field: str, *, ndim: int, length: int | None = None, cols: int | None = None) -> np.ndarray:
    """A float64 array of the given rank with finite entries, else an :class:`InputError`."""
    if isinstance(value, (str, bytes, dict)) or value is None:
        raise InputError(f"expected a numeric array, got {type(value).__name__}", field=field)
    if isinstance(value, np.ndarray) and (value.dtype.kind not in "biuf" or value.dtype.hasobject):
        raise InputError(f"expected real numbers, got an array of dtype {value.dtype}", field=field)
    try:
        arr = np.array(value, dtype=float)
    except OverflowError:
        raise InputError("an entry is beyond float64's range (±1.8e308)", field=field) from None
    except (TypeError, ValueError, RecursionError):
        raise InputError("expected a numeric array (ragged, nested or non-numeric entries found)",
                         field=field) from None
    if arr.ndim != ndim:
        raise InputError(f"expected a {ndim}-d array, got shape {arr.shape}", field=field)
    if length is not None and arr.shape[0] != length:
        raise InputError(f"expected length {length}, got {arr.shape[0]}", field=field)
    if cols is not None and arr.shape[1] != cols:
        raise InputError(f"expected {cols} columns, got {arr.shape[1]}", field=field)
    if not np.all(np.isfinite(arr)):
        raise InputError("contains NaN or infinity", field=field)
    return arr


def finite_scalar(value: object, field: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise InputError(f"expected a number, got {type(value).__name__}", field=field)
    try:
        x = float(value)
    except OverflowError:
        raise InputError("beyond float64's range (±1.8e308)", field=field) from None
    if not np.isfinite(x):
        raise InputError("must be finite", field=field)
    if positive and x <= 0:
        raise InputError(f"must be positive, got {x:g}", field=field)
    if nonnegative and x < 0:
        raise InputError(f"must be non-negative, got {x:g}", field=field)
    return x


def integer(value: object, field: str, *, minimum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, np.integer)):
        raise InputError(f"expected an integer, got {type(value).__name__} {value!r}", field=field)
    k = int(value)
    if minimum is not None and k < minimum:
        raise InputError(f"must be >= {minimum}, got {k}", field=field)
    return k
