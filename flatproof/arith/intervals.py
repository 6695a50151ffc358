"""Vectorised midpoint-radius interval arithmetic on numpy arrays, with rigorous rounding-error bounds.

An :class:`Iv` holds two float64 arrays ``mid`` and ``rad`` (≥ 0) and stands for the sets
[mid − rad, mid + rad] elementwise; every operation returns an interval that contains the exact
result of the operation applied to any points of its operands. numpy rounds to nearest and offers no
directed rounding, so the radii absorb the rounding errors explicitly (Rump, "Fast and parallel
interval arithmetic", BIT 39, 1999; Higham, *Accuracy and Stability*, §2–3), with u = 2⁻⁵³ and
η = 2⁻¹⁰⁷⁴ (the smallest subnormal):

* a rounded sum or product x̂ of exact x satisfies |x − x̂| ≤ u|x̂| + η (η only for products);
* a sum of N terms in any order satisfies |Σ − fl(Σ)| ≤ γ_{N−1} Σ|terms|, γ_k = k u/(1 − k u);
* a radius r̂ computed from non-negative quantities by k rounded operations bounds the exact radius r
  by r ≤ r̂ (1 + 2ku) + kη; :func:`_up` adds that margin (and the rounding of the margin itself).

Transcendental steps (the logistic sigmoid) are not done here: callers use arb balls for them
(:mod:`flatproof.measures.rigorous`) and come back with :meth:`Iv.from_bounds`. Overflow is not handled: an
infinite endpoint is still a valid (useless) bound.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any, ParamSpec, TypeVar

import numpy as np
from numpy.typing import ArrayLike

U = 2.0 ** -53
ETA = 2.0 ** -1074

_P = ParamSpec("_P")
_R = TypeVar("_R")
_X = TypeVar("_X", np.ndarray, float)      # an array of values, or one



def _quiet(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Underflow is part of the model (the η terms), never an error; overflow gives infinite, still valid, bounds."""
    @functools.wraps(fn)
    def wrapper(*args: _P.args, **kw: _P.kwargs) -> _R:
        with np.errstate(under="ignore", over="ignore"):
            return fn(*args, **kw)
    return wrapper


@_quiet
def _up(x: _X, k: int) -> _X:
    """An upper bound on the exact value of a non-negative quantity computed as ``x`` by k rounded operations."""
    return x * (1.0 + (2 * k + 4) * U) + (k + 1) * ETA


@_quiet
def _down(x: _X, k: int) -> _X:
    """A lower bound on the exact value of a non-negative quantity computed as ``x`` by k rounded operations (the
    mirror of :func:`_up`; never below 0)."""
    return np.maximum(x * (1.0 - (2 * k + 4) * U) - (k + 1) * ETA, 0.0)


def _gamma(n: int) -> float:
    """An upper bound on γ_n = n u / (1 − n u), rounded up (valid for n u < 1/2)."""
    if n * U >= 0.5:
        raise ValueError("too many terms for the rounding-error bound")
    return float(np.nextafter(n * U / (1 - n * U) * (1 + 4 * U), np.inf))


def _as_iv(x: Iv | ArrayLike) -> Iv:
    return x if isinstance(x, Iv) else Iv(x)


class Iv:
    """Arrays of intervals [mid − rad, mid + rad]; float arrays/scalars are exact (radius 0)."""

    __slots__ = ("mid", "rad")
    __array_ufunc__ = None      # numpy defers to Iv's operators: float array ∘ Iv is an Iv, never an object array

    def __init__(self, mid: ArrayLike, rad: ArrayLike | None = None) -> None:
        self.mid = np.asarray(mid, dtype=float)
        self.rad = np.zeros_like(self.mid) if rad is None else np.broadcast_to(np.asarray(rad, dtype=float),
                                                                                self.mid.shape).copy()

    @classmethod
    @_quiet
    def from_bounds(cls, lo: ArrayLike, hi: ArrayLike) -> Iv:
        """The interval hull of [lo, hi] (lo ≤ hi elementwise)."""
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        mid = lo + 0.5 * (hi - lo)
        rad = np.nextafter(np.maximum(hi - mid, mid - lo), np.inf)
        return cls(mid, rad)

    # -- endpoints, rounded outward -------------------------------------------------------------
    @property
    @_quiet
    def lo(self) -> np.ndarray:
        return np.nextafter(self.mid - self.rad, -np.inf)

    @property
    @_quiet
    def hi(self) -> np.ndarray:
        return np.nextafter(self.mid + self.rad, np.inf)

    @property
    @_quiet
    def mag(self) -> np.ndarray:
        """An upper bound on |x| over the interval."""
        return np.nextafter(np.abs(self.mid) + self.rad, np.inf)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.mid.shape

    @_quiet
    def contains_zero(self) -> np.ndarray:
        return (self.lo <= 0) & (self.hi >= 0)

    def __getitem__(self, idx: Any) -> Iv:      # any numpy index
        return Iv(self.mid[idx], self.rad[idx])

    def __repr__(self) -> str:
        return f"Iv(mid={self.mid!r}, rad={self.rad!r})"

    # -- arithmetic -----------------------------------------------------------------------------
    def __neg__(self) -> Iv:
        return Iv(-self.mid, self.rad)

    @_quiet
    def __add__(self, other: Iv | ArrayLike) -> Iv:
        o = _as_iv(other)
        m = self.mid + o.mid
        return Iv(m, _up(self.rad + o.rad + U * np.abs(m), 3))

    __radd__ = __add__

    def __sub__(self, other: Iv | ArrayLike) -> Iv:
        return self + (-_as_iv(other))

    def __rsub__(self, other: Iv | ArrayLike) -> Iv:
        return _as_iv(other) + (-self)

    @_quiet
    def __mul__(self, other: Iv | ArrayLike) -> Iv:
        o = _as_iv(other)
        m = self.mid * o.mid
        r = np.abs(self.mid) * o.rad + self.rad * np.abs(o.mid) + self.rad * o.rad + U * np.abs(m)
        return Iv(m, _up(r, 8) + ETA)

    __rmul__ = __mul__

    @_quiet
    def __truediv__(self, n: float) -> Iv:
        """Division by a positive exact float scalar (a count, a step size)."""
        n = float(n)
        if not n > 0:
            raise ValueError("Iv division is by a positive float only")
        m = self.mid / n
        return Iv(m, _up(self.rad / n + U * np.abs(m), 3) + ETA)

    @_quiet
    def square(self) -> Iv:
        """x² (tighter than x·x: the result is ≥ 0)."""
        lo, hi = self.lo, self.hi
        mag = np.maximum(np.abs(lo), np.abs(hi))
        mig = np.where((lo <= 0) & (hi >= 0), 0.0, np.minimum(np.abs(lo), np.abs(hi)))
        return Iv.from_bounds(np.nextafter(mig * mig, -np.inf), _up(mag * mag, 1))

    # -- reductions ----------------------------------------------------------------------------
    @_quiet
    def sum(self, axis: int | None = None) -> Iv:
        n = self.mid.size if axis is None else self.mid.shape[axis]
        m = np.sum(self.mid, axis=axis)
        r = np.sum(self.rad, axis=axis) + _gamma(n) * np.sum(np.abs(self.mid), axis=axis)
        return Iv(m, _up(r + U * np.abs(m), n + 4))

    @_quiet
    def cumsum(self, reverse: bool = False) -> Iv:
        """Prefix sums along axis 0 (suffix sums if ``reverse``)."""
        mid, rad = (self.mid[::-1], self.rad[::-1]) if reverse else (self.mid, self.rad)
        n = mid.shape[0]
        m = np.cumsum(mid, axis=0)
        r = _up(np.cumsum(rad, axis=0) + _gamma(n) * np.cumsum(np.abs(mid), axis=0) + U * np.abs(m), n + 4)
        return Iv(m[::-1], r[::-1]) if reverse else Iv(m, r)

    @_quiet
    def bincount(self, idx: np.ndarray, length: int) -> Iv:
        """out[k] = Σ_{i: idx_i = k} self[i] (a 1-D interval array)."""
        m = np.bincount(idx, weights=self.mid, minlength=length)
        s = np.bincount(idx, weights=self.rad, minlength=length)
        a = np.bincount(idx, weights=np.abs(self.mid), minlength=length)
        terms = max(int(self.mid.size), 1)
        return Iv(m, _up(s + _gamma(terms) * a + U * np.abs(m), terms + 4))


def concatenate(parts: Iterable[Iv | ArrayLike]) -> Iv:
    ivs = [_as_iv(p) for p in parts]
    return Iv(np.concatenate([p.mid for p in ivs]), np.concatenate([p.rad for p in ivs]))


def max_upper(x: Iv) -> float:
    """An upper bound on max_i x_i."""
    return float(np.max(x.hi))
