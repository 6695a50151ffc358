"""Uncertain sets of a univariate network (flatproof math U.3), computed exactly from the knots.

U_δ(θ) = {x : s(f(x)) s(−f(x)) ≥ δ} = {x : |f(x)| ≤ τ}, τ = logit-width(δ). f is piecewise linear
between its knots, so on each piece the set is one (possibly empty) interval, found by solving a
linear inequality; adjacent pieces are merged. The region R_δ(θ) = [inf U_δ, sup U_δ].
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import ArrayLike

from .._errors import InputError
from ..model.losses import logistic_d2, logit_width
from ..model.univariate import UnivariateNet


@dataclass(frozen=True)
class IntervalSet:
    """A finite union of disjoint closed intervals, sorted."""

    intervals: tuple[tuple[float, float], ...]

    @property
    def empty(self) -> bool:
        return not self.intervals

    @property
    def length(self) -> float:
        return float(sum(b - a for a, b in self.intervals))

    @property
    def hull(self) -> tuple[float, float] | None:
        """[inf, sup]: the region R_δ; None when empty."""
        return None if self.empty else (self.intervals[0][0], self.intervals[-1][1])

    def contains(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = np.zeros(x.shape, dtype=bool)
        for a, b in self.intervals:
            out |= (x >= a) & (x <= b)
        return out


class PiecewiseLinear(Protocol):
    """What the level sets read of a network: its knots and its values (a :class:`UnivariateNet`, or a wrapper
    that evaluates it faster, e.g. by prefix sums)."""

    @property
    def knots(self) -> np.ndarray: ...

    def __call__(self, x: np.ndarray) -> np.ndarray: ...


def _breakpoints(net: PiecewiseLinear, lo: float, hi: float) -> np.ndarray:
    t = net.knots
    t = t[np.isfinite(t) & (t > lo) & (t < hi)]
    return np.unique(np.concatenate([[lo], t, [hi]]))


def level_set(net: PiecewiseLinear, tau: float, lo: float, hi: float) -> IntervalSet:
    """{x ∈ [lo, hi] : |f(x)| ≤ τ} exactly (up to rounding in the endpoints), for τ ≥ 0."""
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise InputError(f"need a finite domain lo < hi, got [{lo}, {hi}]", field="domain")
    p = _breakpoints(net, lo, hi)
    fp = net(p)
    pieces = []
    for a, b, fa, fb in zip(p[:-1], p[1:], fp[:-1], fp[1:], strict=True):
        if fa == fb:
            if abs(fa) <= tau:
                pieces.append((a, b))
            continue
        slope = (fb - fa) / (b - a)
        # f(x) = fa + slope (x − a);  −τ ≤ f ≤ τ  ⇔  x between a + (±τ − fa)/slope
        x1, x2 = sorted((a + (-tau - fa) / slope, a + (tau - fa) / slope))
        s, e = max(a, x1), min(b, x2)
        if s <= e:
            pieces.append((float(s), float(e)))
    merged: list[list[float]] = []
    for s, e in pieces:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return IntervalSet(tuple((a, b) for a, b in merged))


def uncertain_set(net: PiecewiseLinear, delta: float, lo: float, hi: float) -> IntervalSet:
    """U_δ(θ) ∩ [lo, hi] = {x : |f(x)| ≤ logit-width(δ)} (U.3)."""
    return level_set(net, logit_width(delta), lo, hi)


def uncertain_points(net: UnivariateNet, x: ArrayLike, delta: float) -> np.ndarray:
    """Mask of the data points with d_j = s(f_j)s(−f_j) ≥ δ (U.3 on the data)."""
    logit_width(delta)  # validates δ
    return logistic_d2(net(np.asarray(x, dtype=float))) >= delta


def zero_crossings(net: PiecewiseLinear, lo: float, hi: float) -> np.ndarray:
    """The points of (lo, hi) where f changes sign or starts/stops vanishing (breakpoints for quadrature)."""
    zs = level_set(net, 0.0, lo, hi)
    pts = sorted({p for ab in zs.intervals for p in ab if lo < p < hi})
    return np.array(pts, dtype=float)
