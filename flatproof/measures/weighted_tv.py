"""The curvature weight g_μ and the curvature-weighted TV(1) bound (flatproof math U.4).

μ is the measure on the data that puts weight ∝ d_j on x_j. For a knot t,

    g⁺_μ(t) = P_μ(X > t)² · E_μ[X − t | X > t] · √(1 + E_μ[X | X > t]²)
    g⁻_μ(t) = P_μ(X < t)² · E_μ[t − X | X < t] · √(1 + E_μ[X | X < t]²)
    g_μ = min(g⁺_μ, g⁻_μ)        (0 when the side carries no weight)

and for every θ:  λ_max(∇²L(θ)) ≥ D̄ · (1 + 2 Σ_i |v_i w_i| g^{side(i)}_μ(t_i)) − ε_F(θ),
side(i) = + for w_i > 0, − for w_i < 0, D̄ = (1/n) Σ_j d_j.

Floats: :class:`CurvatureWeight` and :func:`weighted_tv`. Balls (rigorous mode): :func:`weighted_tv_ball`
evaluates the same sum, sided or with g_μ = min(g⁺, g⁻), so that both modes check one statement.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike

from .._errors import InputError
from .._validate import finite_array
from ..model.univariate import UnivariateNet

if TYPE_CHECKING:                 # python-flint is imported where a ball is made (rigorous mode only)
    from flint import arb


def _g_side(ball: bool = False) -> Callable[..., Any]:
    """g^side = P² Δ √(1 + E²) as lambdified from the sympy derivation ``weighted-tv`` (on floats, or on
    python-flint balls with ``ball``)."""
    from ..derivations import get_derivation
    return get_derivation("weighted-tv").numeric["g_side_ball" if ball else "g_side"]


@dataclass(frozen=True)
class CurvatureWeight:
    """g^±_μ for the weighted empirical measure μ ∝ Σ_j d_j δ_{x_j}; evaluate with :meth:`plus`, :meth:`minus`, :meth:`__call__`."""

    x: np.ndarray        # sorted support points
    d: np.ndarray        # their weights (non-negative)

    @classmethod
    def from_data(cls, x: ArrayLike, d: ArrayLike) -> CurvatureWeight:
        x = finite_array(x, "x", ndim=1)
        d = finite_array(d, "d", ndim=1, length=x.shape[0])
        if np.any(d < 0):
            raise InputError("weights must be non-negative", field="d")
        order = np.argsort(x, kind="stable")
        return cls(x[order], d[order])

    def _stats(self, t: np.ndarray, plus: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(P_μ(side), E_μ[X | side], which knots' side carries weight) for X > t (``plus``) or X < t."""
        x, d = self.x, self.d
        total = d.sum()
        cw = np.concatenate([[0.0], np.cumsum(d)])          # prefix sums of d, d x
        cx = np.concatenate([[0.0], np.cumsum(d * x)])
        if plus:
            k = np.searchsorted(x, t, side="right")          # points x > t are x[k:]
            W, Mx = total - cw[k], cx[-1] - cx[k]
        else:
            k = np.searchsorted(x, t, side="left")           # points x < t are x[:k]
            W, Mx = cw[k], cx[k]
        ok = (W > 0) & (total > 0)
        return W[ok] / total, Mx[ok] / W[ok], ok

    def _side(self, t: ArrayLike, plus: bool) -> np.ndarray:
        t = np.atleast_1d(np.asarray(t, dtype=float))
        out = np.zeros(t.shape)
        P, Ex, ok = self._stats(t, plus)
        gap = (Ex - t[ok]) if plus else (t[ok] - Ex)         # E_μ[X − t | X > t] or E_μ[t − X | X < t]
        out[ok] = _g_side()(P, np.maximum(gap, 0.0), Ex)      # P²Δ√(1 + E²), derived by sympy
        return out

    def scaled(self, w: np.ndarray, b: np.ndarray, plus: bool) -> np.ndarray:
        """|w_i| g^±_μ(t_i) at the knots t_i = b_i/w_i (w_i ≠ 0) without dividing: g is linear in the gap Δ and
        |w|·(E − t) = sign(w)(w E − b), so a knot b/w beyond float64's range (a subnormal w_i) costs nothing
        (the side split at t = ±inf is still right: every point is on one side)."""
        with np.errstate(over="ignore"):
            t = b / w
        out = np.zeros(t.shape)
        P, Ex, ok = self._stats(t, plus)
        pre = np.sign(w[ok]) * (w[ok] * Ex - b[ok])          # |w|(E − t) = sign(w)(w E − b)
        out[ok] = _g_side()(P, np.maximum(pre if plus else -pre, 0.0), Ex)
        return out

    def plus(self, t: ArrayLike) -> np.ndarray:
        return self._side(t, True)

    def minus(self, t: ArrayLike) -> np.ndarray:
        return self._side(t, False)

    def __call__(self, t: ArrayLike) -> np.ndarray:
        """g_μ(t) = min(g⁺_μ(t), g⁻_μ(t))."""
        return np.minimum(self.plus(t), self.minus(t))

    def vanishes_on(self, net: UnivariateNet, *, sided: bool = True) -> bool:
        """True when Σ_i |v_i w_i| g(t_i) = 0 by counting points, without arithmetic: see :func:`tv_vanishes`."""
        mask = (net.v != 0) & (net.w != 0)
        with np.errstate(over="ignore"):                    # a knot beyond the float range: ±inf splits right
            t = net.b[mask] / net.w[mask]
        above = self.x.size - np.searchsorted(self.x, t, side="right")      # points x > t_i
        below = np.searchsorted(self.x, t, side="left")                     # points x < t_i
        own, other = np.where(net.w[mask] > 0, above, below), np.where(net.w[mask] > 0, below, above)
        return tv_vanishes(own, other, sided=sided)


def weighted_tv(net: UnivariateNet, weight: CurvatureWeight, *, sided: bool = True) -> float:
    """Σ_i |v_i w_i| g^{side(i)}_μ(t_i) (``sided``) or Σ_i |v_i w_i| g_μ(t_i); neurons with w_i = 0 add 0. Summed
    as Σ_i |v_i| · |w_i| g(t_i) with |w_i| g from :meth:`CurvatureWeight.scaled` (no knot is divided out)."""
    mask = net.w != 0
    if not np.any(mask):
        return 0.0
    w, b = net.w[mask], net.b[mask]
    plus, minus = weight.scaled(w, b, True), weight.scaled(w, b, False)      # |w_i| g^±_μ(t_i)
    g = np.where(w > 0, plus, minus) if sided else np.minimum(plus, minus)
    return float(np.abs(net.v[mask]) @ g)


def tv_vanishes(own: ArrayLike, other: ArrayLike, *, sided: bool = True) -> bool:
    """Σ_i |v_i w_i| g(t_i) = 0 exactly when every neuron with v_i w_i ≠ 0 has no data point on its own (active)
    side — or, for g_μ = min(g⁺, g⁻), on one of its two sides (``own``, ``other``: the point counts per neuron).
    Then U.4's right side is D̄ − ε_F + λ ≤ ∂²L/∂β² = D̄ + λ ≤ λ_max: the β direction proves the bound with no
    arithmetic to round, where comparing λ_max with D̄ + λ − ε_F would be a tie when ε_F = 0 (a network
    inactive on the data)."""
    own, other = np.asarray(own), np.asarray(other)
    empty = own == 0 if sided else (own == 0) | (other == 0)
    return bool(np.all(empty))


def tv_bound_rhs(d_mean: float, wtv: float, eps_f: float, factor: float = 2.0) -> float:
    """D̄ (1 + factor · Σ|v_i w_i| g^{side}(t_i)) − ε_F: U.4's lower bound on λ_max (factor = 2)."""
    return float(d_mean * (1.0 + factor * wtv) - eps_f)


def weighted_tv_ball(x: Iterable[float], net: UnivariateNet, weights: Sequence[arb], active: ArrayLike, *,
                     sided: bool = True) -> arb:
    """Σ_i |v_i w_i| g^{side(i)}_μ(t_i) (``sided``) or Σ_i |v_i w_i| min(g⁺_μ, g⁻_μ)(t_i) as a python-flint ball.

    μ ∝ Σ_j weights_j δ_{x_j} (``weights``: balls; a point of weight exactly 0 is not in μ's support);
    ``active[j, i]`` says that w_i x_j − b_i > 0 was *certified* (the caller has certified every other
    pre-activation < 0, i.e. no point on a kink). Neuron i's active set is its own side, {x > t_i} for
    w_i > 0 and {x < t_i} for w_i < 0; its inactive set is the other side. A side with no point of the
    support contributes g = 0 (decided by counting points, never by a ball that might contain 0).
    The minimum of two balls is the ball of the endpoint minima (rigorous).
    """
    from flint import arb
    g_side = _g_side(ball=True)
    active = np.asarray(active, dtype=bool)
    support = [not (wj == 0) for wj in weights]
    xb = [arb(float(t)) for t in x]
    total = sum(weights, arb(0))
    out = arb(0)
    for i in range(net.m):
        if net.w[i] == 0 or net.v[i] == 0:
            continue                                   # |v_i w_i| = 0
        t = arb(float(net.b[i])) / arb(float(net.w[i]))
        g = {}
        for own in (True, False):                      # own side (active) and the other side
            pts = [j for j in range(len(xb)) if support[j] and active[j, i] == own]
            if not pts:
                g[own] = arb(0)
                continue
            W = sum((weights[j] for j in pts), arb(0))
            E = sum((weights[j] * xb[j] for j in pts), arb(0)) / W
            plus = (net.w[i] > 0) == own               # the active side of w_i > 0 is x > t_i
            g[own] = g_side(W / total, (E - t) if plus else (t - E), E)
        gi = g[True] if sided else g[True].min(g[False])
        out += abs(arb(float(net.v[i])) * arb(float(net.w[i]))) * gi
    return out
