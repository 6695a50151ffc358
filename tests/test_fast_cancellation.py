"""The fast univariate oracle's prefix-sum differences near a knot (finding 09 of the issue-11 audit).

Σ_j d_j (w x_j − b)² read off prefix sums as w²ΣdX² − 2wbΣdX + b²Σd loses about 2·log10(scale/gap) digits
when a neuron's active points sit close to its knot; such neurons are recomputed directly. Expectations are
independent: a 60-digit mpmath evaluation of the formulas of flatproof math U.2 from the float parameters."""

from __future__ import annotations

import mpmath as mp
import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flatproof.measures.univariate_hessian import UnivariateFast, UnivariateProblem
from flatproof.model.data import UnivariateData
from flatproof.model.losses import logistic_loss
from flatproof.model.univariate import UnivariateNet


def reference(x, y, net):
    """(tr ∇²L, ∂L/∂v) at 60 digits, logistic loss, no weight decay."""
    with mp.workdps(60):
        v, w, b = ([mp.mpf(float(t)) for t in a] for a in (net.v, net.w, net.b))
        tr, gv = mp.mpf(0), [mp.mpf(0)] * len(v)
        for xj, yj in zip(x, y, strict=True):
            xj, yj = mp.mpf(float(xj)), mp.mpf(float(yj))
            z = [wi * xj - bi for wi, bi in zip(w, b, strict=True)]
            f = mp.mpf(float(net.beta)) + sum(vi * max(zi, 0) for vi, zi in zip(v, z, strict=True))
            s = 1 / (1 + mp.exp(-f))
            d = s * (1 - s)
            lp = -1 / (1 + mp.exp(yj * f))                  # ℓ'(y f)
            g2 = 1 + sum((max(zi, 0) ** 2 + (vi * xj) ** 2 + vi ** 2) if zi > 0 else 0 for vi, zi in zip(v, z, strict=True))
            tr += d * g2
            gv = [g + lp * yj * max(zi, 0) for g, zi in zip(gv, z, strict=True)]
        n = len(x)
        return tr / n, [g / n for g in gv]


@settings(max_examples=60, deadline=None)
@given(gap=st.floats(1e-7, 1e-3), scale=st.floats(1e-3, 1e6), seed=st.integers(0, 2**16))
def test_trace_and_gradient_near_a_knot_match_the_60_digit_reference(gap, scale, seed):
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, 6))
    y = np.where(rng.random(6) < 0.5, -1.0, 1.0)
    t = x[5] - gap * max(1.0, abs(x[5]))      # a knot just left of the last point: its only active point
    w = np.array([scale, -scale / 3])
    net = UnivariateNet(np.array([1.0 / scale, 2.0 / scale]), w, w * np.array([t, x[1] + 0.01]), 0.1)
    fast = UnivariateFast(UnivariateProblem(UnivariateData(x, y), logistic_loss()), net)
    tr, gv = reference(x, y, net)
    assert abs(fast.trace() - float(tr)) <= 1e-12 * float(tr)
    g = fast.gradient()[:2]
    for got, want in zip(g, gv, strict=True):
        assert abs(got - float(want)) <= 1e-12 * max(abs(float(want)), 1e-300) + 1e-300


@settings(max_examples=300, deadline=None)
@given(w=st.floats(1e-150, 1e150), x=st.floats(-1e3, 1e3), rel=st.floats(-1e-3, 1e-3))
def test_accurate_preactivation_has_one_rounding_relative_to_itself(w, x, rel):
    """Against exact rationals: near the knot (b ≈ w x) the error is ≤ 2ε|w x − b|, not ε|w x|."""
    from fractions import Fraction

    from flatproof.model.univariate import accurate_preactivation
    b = w * x * (1 + rel)
    exact = Fraction(w) * Fraction(x) - Fraction(b)
    got = float(accurate_preactivation(w, np.array([x]), b)[0])
    assert abs(Fraction(got) - exact) <= Fraction(2 * 2.0 ** -53) * abs(exact) + Fraction(8 * 2.0 ** -1074)
