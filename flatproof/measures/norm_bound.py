"""Norm-bounded solutions (flatproof math U.4): path norm, sup-norm, the weight-decay ball, a Rademacher gap bound.

For the univariate network f(x) = Σ_i v_i (w_i x − b_i)_+ + β with θ = (v, w, b, β):

* path norm ``P(θ) = Σ_i |v_i| √(w_i² + b_i²)``; by 2|v|r ≤ v² + r² (AM–GM) per neuron,
  P ≤ (‖v‖² + ‖w‖² + ‖b‖²)/2 ≤ ‖θ‖²/2;
* on |x| ≤ x_max, |(w x − b)_+| ≤ |(w, b)·(x, −1)| ≤ √(w² + b²) √(1 + x²) (Cauchy–Schwarz), so
  sup |f − β| ≤ P √(1 + x_max²) and ‖f‖_∞ ≤ P √(1 + x_max²) + |β|. f is piecewise linear, so the sup of
  |f| (or of |f − β|) on |x| ≤ x_max is attained at ±x_max or at a knot inside: :func:`sup_abs` evaluates it
  exactly there;
* with the logistic loss L (L(0) = log 2, L ≥ 0) and J = L + (λ/2)‖θ‖², every minimiser of J lies in
  {J ≤ J(0) = log 2}, and on that set ‖θ‖² ≤ 2(log 2 − L(θ))/λ ≤ 2 log 2/λ;
* the gap bound of :func:`rademacher_gap_bound` (derivation in its docstring).

Floats here; :func:`path_norm_ball`, :func:`sup_abs_interval` and :func:`excess_over_log2_ball` are the same
quantities as python-flint balls (rigorous mode).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from ..model.univariate import UnivariateNet

if TYPE_CHECKING:                 # python-flint is imported where a ball is made (rigorous mode only)
    from flint import arb


def path_norm(net: UnivariateNet) -> float:
    """P = Σ_i |v_i| √(w_i² + b_i²) (``hypot``: no overflow or underflow in the square)."""
    return float(np.sum(np.abs(net.v) * np.hypot(net.w, net.b)))


def sq_norm(net: UnivariateNet) -> float:
    """‖θ‖² = ‖v‖² + ‖w‖² + ‖b‖² + β²."""
    th = net.to_vector()
    return float(th @ th)


def _candidates(net: UnivariateNet, x_max: float) -> np.ndarray:
    """±x_max and the knots strictly inside (−x_max, x_max): where |f| attains its sup on the interval."""
    t = net.knots
    t = t[np.isfinite(t) & (np.abs(t) < x_max)]
    return np.concatenate([[-x_max, x_max], t])


def sup_abs(net: UnivariateNet, x_max: float, *, bias: bool = True) -> float:
    """sup_{|x| ≤ x_max} |f(x)| (or |f(x) − β| without ``bias``), exact up to rounding (f is linear between knots)."""
    if not bias:                           # evaluate f − β without β: 0.5 + 1e-312 − 0.5 would be 0
        net = type(net)(net.v, net.w, net.b, 0.0)
    return float(np.max(np.abs(net(_candidates(net, x_max)))))


def logistic_excess_over_log2(z: ArrayLike) -> np.ndarray:
    """ℓ(z) − log 2 = log((1 + e^{−z})/2) = max(−z, 0) + log1p(expm1(−|z|)/2): exactly 0 at z = 0, no overflow
    (θ = 0 is a minimiser candidate whose J equals log 2 exactly; this form decides J(0) ≤ log 2 without rounding)."""
    z = np.asarray(z, dtype=float)
    return np.maximum(-z, 0.0) + np.log1p(0.5 * np.expm1(-np.abs(z)))


# ---- balls (rigorous mode) -------------------------------------------------------------------------
def _b(t: float) -> arb:
    from flint import arb
    return arb(float(t))


def path_norm_ball(net: UnivariateNet) -> arb:
    from flint import arb
    return sum((abs(_b(v)) * (_b(w) ** 2 + _b(b) ** 2).sqrt() for v, w, b in zip(net.v, net.w, net.b, strict=True)), arb(0))


def sq_norm_ball(net: UnivariateNet) -> arb:
    from flint import arb
    return sum((_b(t) ** 2 for t in net.to_vector()), arb(0))


def _f_ball(net: UnivariateNet, x: arb, bias: bool = True) -> arb:
    from flint import arb
    out = _b(net.beta) if bias else arb(0)
    for v, w, b in zip(net.v, net.w, net.b, strict=True):
        out += _b(v) * (_b(w) * x - _b(b)).max(arb(0))
    return out


def sup_abs_interval(net: UnivariateNet, x_max: float, *, bias: bool = True) -> tuple[float, float]:
    """Floats [lo, hi] enclosing sup_{|x| ≤ x_max} |f(x)| (|f(x) − β| without ``bias``), by ball arithmetic. Candidates are ±x_max and every knot ball t_i = b_i/w_i met by
    [−x_max, x_max], clipped to it: each candidate ball lies inside the interval (so its lower end is ≤ the sup)
    and the maximiser lies in one of them (so the largest upper end is ≥ the sup)."""
    X = _b(x_max)
    cands = [-X, X]
    for w, b in zip(net.w, net.b, strict=True):
        if w == 0:
            continue
        t = _b(b) / _b(w)
        lo, hi = t.lower(), t.upper()
        if lo >= X or hi <= -X:
            continue
        lo = lo if lo > -X else -X
        hi = hi if hi < X else X
        cands.append(lo.union(hi))
    from .rigorous import down, up
    vals = [abs(_f_ball(net, c, bias)) for c in cands]
    return max(down(v) for v in vals), max(up(v) for v in vals)


def excess_over_log2_ball(net: UnivariateNet, x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray,
                          weight_decay: float) -> arb:
    """J(θ) − log 2 = (1/n) Σ_j log((1 + e^{−y_j f(x_j)})/2) + (λ/2)‖θ‖² as a ball (exactly 0 at θ = 0)."""
    from flint import arb
    n = len(x)
    s = arb(0)
    for xj, yj in zip(x, y, strict=True):
        z = _b(yj) * _f_ball(net, _b(xj))
        s += ((-z).expm1() / 2).log1p()        # log((1 + e^{−z})/2), tight for tiny z too
    return s / n + _b(weight_decay) / 2 * sq_norm_ball(net)


# ---- the generalisation-gap bound ------------------------------------------------------------------
@dataclass(frozen=True)
class GapBound:
    """Pieces of :func:`rademacher_gap_bound` (every number explicit, for the report)."""

    radius_sq: float        # R² = 2 log 2 / λ: the a-priori ball ‖θ‖² ≤ R² of the minimisers
    path_norm_max: float    # P̄ = R²/2
    bias_max: float         # B̄ = R
    sup_f: float            # M = P̄ √(1 + x_max²) + B̄ ≥ ‖f‖_∞ on the support, for every θ in the class
    loss_range: float       # c = log(1 + e^M): the logistic loss takes values in [0, c]
    rademacher: float       # R_n(F) ≤ (2 P̄ √(1 + x_max²) + B̄)/√n
    confidence: float       # c √(log(1/δ)/(2n))
    bound: float            # 2 R_n + confidence


def rademacher_gap_bound(weight_decay: float, x_max: float, n: int, delta: float) -> GapBound:
    r"""With probability ≥ 1 − δ over n i.i.d. samples with |X| ≤ x_max, every θ with J(θ) ≤ log 2 (in particular
    every minimiser of J = L + (λ/2)‖θ‖²) has population minus empirical logistic risk at most ``bound``.

    Derivation (constants ours). Class F = {f_θ : ‖θ‖² ≤ R²}, R² = 2 log 2/λ, fixed before the sample. For
    θ ∈ F: P ≤ ‖θ‖²/2 ≤ P̄ = R²/2 and |β| ≤ B̄ = R. Write z = (x, −1), ‖z‖² = 1 + x², and neuron i as
    c_i σ(û_i·z) with c_i = v_i ‖(w_i, b_i)‖, ‖û_i‖ = 1, σ = ReLU, Σ|c_i| = P. Then, for signs ε_j,
        sup_F Σ_j ε_j f(x_j) ≤ P̄ sup_{‖u‖≤1} |Σ_j ε_j σ(u·z_j)| + B̄ |Σ_j ε_j|.
    Ledoux–Talagrand's contraction with absolute values (Ledoux & Talagrand 1991, Thm 4.12; σ is 1-Lipschitz,
    σ(0) = 0) gives E sup_u |Σ ε_j σ(u·z_j)| ≤ 2 E sup_u |Σ ε_j u·z_j| = 2 E‖Σ ε_j z_j‖ ≤ 2 √(Σ_j ‖z_j‖²)
    (Jensen), and E|Σ ε_j| ≤ √n, so R_n(F) ≤ (2 P̄ √(1 + x_max²) + B̄)/√n (the width-free path-norm bound of
    Neyshabur, Tomioka & Srebro 2015; Golowich, Rakhlin & Shamir 2018). The loss t ↦ log(1 + e^{−y t}) is
    1-Lipschitz, so R_n(ℓ∘F) ≤ R_n(F) (Talagrand's contraction, e.g. Mohri, Rostamizadeh & Talwalkar 2018,
    Lemma 5.7), and it takes values in [0, c], c = log(1 + e^M), M = P̄ √(1 + x_max²) + B̄. The uniform
    deviation bound (Bartlett & Mendelson 2002, Thm 8; Mohri et al. 2018, Thm 3.3 scaled to [0, c]) then gives
        R(f) − R̂(f) ≤ 2 R_n(ℓ∘F) + c √(log(1/δ)/(2n))    for all f ∈ F, with probability ≥ 1 − δ.
    """
    if not weight_decay > 0:
        raise ValueError("the a-priori class needs weight decay λ > 0")
    r2 = 2.0 * math.log(2.0) / weight_decay
    p_max, b_max = r2 / 2.0, math.sqrt(r2)
    root = math.hypot(1.0, x_max)
    m = p_max * root + b_max
    c = m + math.log1p(math.exp(-m))
    rad = (2.0 * p_max * root + b_max) / math.sqrt(n)
    conf = c * math.sqrt(math.log(1.0 / delta) / (2.0 * n))
    return GapBound(r2, p_max, b_max, m, c, rad, conf, 2.0 * rad + conf)
