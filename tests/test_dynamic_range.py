"""Corners of float64 in the univariate fast path found by the stop-20 audit, guarded as classes:

- data spanning many orders of magnitude (an outlier at 10⁷–10¹⁰⁰ beside points in [−1, 1]): the fast path's
  centring used to round every small point to −c (c = 5·10³⁰⁷) or read the activation pattern off (b − w c)/w
  with an error ε|c| far beyond the kink tolerance, so f, the pattern and the Hessian were wrong while the kink
  report said 0 (weighted-tv said ``violated`` for a true theorem);
- a decided certified sign that contradicts the float pattern (rigorous mode called θ "at a kink");
- a subnormal inner weight (b/w overflows: the kink report counted every point);
- rigorous λ_max for p ≤ 400 but n·p above the ball Jacobian's size limit (refused).

Expectations are independent: 60-digit mpmath from the formulas of flatproof math U.2 with the activation
decided exactly (Fraction), the pre-activation kink mask of the dense path, and numpy's dense eigensolver."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flatproof._errors import KinkError
from flatproof.measures import rigorous
from flatproof.measures.univariate_hessian import UnivariateFast, UnivariateProblem, kink_mask
from flatproof.model.data import UnivariateData
from flatproof.model.losses import logistic_loss
from flatproof.model.univariate import UnivariateNet


def _active(w: float, x: float, b: float) -> bool:
    return Fraction(w) * Fraction(x) - Fraction(b) > 0          # exact: the float inputs, no rounding


def reference(x, net):
    """(f_j, tr ∇²L) at 60 digits with the activation pattern decided exactly; logistic loss (φ'' does not
    depend on the label), no weight decay."""
    with mp.workdps(60):
        v, w, b = ([mp.mpf(float(t)) for t in a] for a in (net.v, net.w, net.b))
        fs, tr = [], mp.mpf(0)
        for xj in x:
            on = [_active(float(wi), float(xj), float(bi)) for wi, bi in zip(net.w, net.b, strict=True)]
            X = mp.mpf(float(xj))
            z = [wi * X - bi for wi, bi in zip(w, b, strict=True)]
            f = mp.mpf(float(net.beta)) + sum(vi * zi for vi, zi, a in zip(v, z, on, strict=True) if a)
            s = 1 / (1 + mp.exp(-f))
            tr += s * (1 - s) * (1 + sum(zi ** 2 + vi ** 2 * (X ** 2 + 1)
                                         for vi, zi, a in zip(v, z, on, strict=True) if a))
            fs.append(f)
        return [float(f) for f in fs], float(tr / len(x))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2**16), k=st.integers(7, 100), rel_gap=st.floats(2e-9, 1e-6))
def test_an_outlier_does_not_cost_the_small_points_their_resolution(seed, k, rel_gap):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-1, 1, 6), [10.0 ** k]])
    y = np.where(rng.random(x.size) < 0.5, 1.0, -1.0)
    w = rng.normal(size=3)
    t = x[:3] + rel_gap * np.maximum(1.0, np.abs(x[:3])) * rng.choice([-1.0, 1.0], 3)   # a knot near each point
    net = UnivariateNet(rng.normal(size=3), w, w * t, 0.1)
    orc = UnivariateFast(UnivariateProblem(UnivariateData(x, y), logistic_loss()), net)
    assert orc.kinks.count == 0                                  # beyond the kink tolerance, by construction
    f_ref, tr_ref = reference(x, net)
    f = orc.forward()
    scale = np.abs(net.v) @ (np.abs(net.w) + np.abs(net.b)) + 0.1    # the size of f on [−1, 1]
    assert np.all(np.abs(f[:6] - np.array(f_ref[:6])) <= 1e-9 * scale)
    assert orc.trace() == pytest.approx(tr_ref, rel=1e-9, abs=1e-300)


def test_the_audit_instance_weighted_tv_holds_with_the_dense_lambda_max():
    """x = (1e308, −0.3, 0.2, 0.8): the fast λ_max equals the dense one (0.27116…, also the 50-digit value)."""
    from flatproof.claims import get_claim
    from flatproof.instances.instance import Instance
    x, y = np.array([1e308, -0.3, 0.2, 0.8]), np.array([1.0, -1, 1, -1])
    net = UnivariateNet(np.array([0.5, -1.0]), np.array([1.0, -0.7]), np.array([0.1, 0.2]), 0.1)
    inst = Instance("univariate", UnivariateData(x, y), net, logistic_loss(), 0.0)
    dense = float(np.linalg.eigvalsh(inst.oracle(method="dense").hessian())[-1])
    v = get_claim("logistic.weighted-tv").check(inst)
    assert v.outcome == "holds"
    lo, hi = v.comparisons[0].value_interval
    assert lo <= dense * (1 + 1e-12) and dense * (1 - 1e-12) <= hi


@pytest.mark.parametrize("shift", [-3, -1, 1, 4])
def test_a_contradicted_float_pattern_is_moved_to_the_certified_boundary(shift):
    rng = np.random.default_rng(3)
    x = np.sort(rng.uniform(-1, 1, 40))
    net = UnivariateNet(np.array([1.0, -0.5, 2.0]), np.array([1.3, -0.8, 0.6]), np.array([0.2, 0.1, -0.3]), 0.0)
    iv = rigorous.UnivariateIntervals(UnivariateProblem(UnivariateData(x, np.ones(40)), logistic_loss()), net)
    # the certified boundary: the first sorted point on the "after" side (active for w > 0, inactive for w < 0)
    truth = np.array([next((j for j in range(40) if _active(wi, x[j], bi) == (wi > 0)), 40)
                      for wi, bi in zip(net.w, net.b, strict=True)])
    assert np.array_equal(iv.idx, truth)
    wrong = np.clip(truth + shift, 0, 40)
    fixed = iv._certify_pattern(net, net.w > 0, net.w == 0, wrong)
    assert np.array_equal(fixed, truth)


def test_a_point_on_a_knot_stays_a_kink_in_rigorous_mode():
    x = np.array([-0.5, 0.25, 0.75])
    net = UnivariateNet(np.array([1.0]), np.array([2.0]), np.array([0.5]), 0.0)     # 2·0.25 − 0.5 = 0 exactly
    with pytest.raises(KinkError):
        rigorous.UnivariateIntervals(UnivariateProblem(UnivariateData(x, np.ones(3)), logistic_loss()), net)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), w_exp=st.integers(-1074, -1000))
def test_the_kink_report_agrees_with_the_preactivation_mask_for_subnormal_weights(seed, w_exp):
    rng = np.random.default_rng(seed)
    x = np.concatenate([rng.uniform(-1, 1, 8), [0.0]])
    w = np.array([np.ldexp(1.0, w_exp), 1.0, np.ldexp(-3.0, w_exp)])
    net = UnivariateNet(rng.normal(size=3), w, np.array([rng.uniform(0.1, 1), 0.3, 0.0]), 0.0)
    with np.errstate(under="ignore"):        # v·w is subnormal: underflow is the point here (as in a claim's check)
        orc = UnivariateFast(UnivariateProblem(UnivariateData(x, np.ones(9)), logistic_loss()), net,
                             at_kink="convention")
    assert orc.kinks.count == int(kink_mask(net, x, orc.kinks.tol).sum())


def test_rigorous_lambda_max_above_the_ball_jacobian_limit_with_few_neurons():
    """p = 31 ≤ 400 but n·p = 3.1·10⁶: the O(n + m) enclosure, containing the dense eigenvalue."""
    from flatproof.measures.spectral import lambda_max
    rng = np.random.default_rng(0)
    n, m = 100_000, 10
    x = np.sort(rng.uniform(-1, 1, n))
    problem = UnivariateProblem(UnivariateData(x, np.where(rng.random(n) < 0.5, -1.0, 1.0)), logistic_loss())
    net = UnivariateNet(rng.normal(size=m), rng.normal(size=m), 0.5 * rng.normal(size=m), 0.0)
    assert not rigorous.dense_certifiable(n, m)
    res = lambda_max(UnivariateFast(problem, net), tol=1e-10)
    (lo, hi), how = rigorous.univariate_lambda_max(problem, net, res.eigenvectors[:, 0])
    from flatproof.measures.univariate_hessian import UnivariateDense
    dense = float(np.linalg.eigvalsh(UnivariateDense(problem, net).hessian())[-1])
    assert lo <= dense <= hi and "Collatz" in how


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), w_exp=st.integers(-1074, -900), sign=st.sampled_from([-1.0, 1.0]),
       sided=st.booleans())
def test_the_weighted_tv_of_a_neuron_with_a_knot_beyond_float_range(seed, w_exp, sign, sided):
    """|v w| g(t) with t = b/w beyond 1.8e308 (subnormal w, b = O(1)): the float sum against 50 digits, where
    t is an ordinary mpmath number. Before, b/w overflowed and the check was inconclusive."""
    from flatproof.measures.weighted_tv import CurvatureWeight, weighted_tv
    rng = np.random.default_rng(seed)
    x, d = rng.uniform(-1, 1, 9), rng.uniform(0.01, 0.25, 9)
    w = np.array([sign * np.ldexp(1.0, w_exp), rng.normal()])
    b = np.array([rng.choice([-1.0, 1.0]) * rng.uniform(0.1, 1), rng.normal()])
    net = UnivariateNet(rng.normal(size=2), w, b, 0.0)
    with mp.workdps(50):
        X, D = [mp.mpf(float(t)) for t in x], [mp.mpf(float(t)) for t in d]
        total = sum(D)

        def g(t, plus):
            pts = [(xj, dj) for xj, dj in zip(X, D, strict=True) if (xj > t if plus else xj < t)]
            if not pts:
                return mp.mpf(0)
            W = sum(dj for _, dj in pts)
            E = sum(dj * xj for xj, dj in pts) / W
            return (W / total) ** 2 * ((E - t) if plus else (t - E)) * mp.sqrt(1 + E * E)
        ref = mp.mpf(0)
        for vi, wi, bi in zip(net.v, net.w, net.b, strict=True):
            t = mp.mpf(float(bi)) / mp.mpf(float(wi))
            gi = g(t, wi > 0) if sided else min(g(t, True), g(t, False))
            ref += abs(mp.mpf(float(vi)) * mp.mpf(float(wi))) * gi
    with np.errstate(under="ignore"):
        got = weighted_tv(net, CurvatureWeight.from_data(x, d), sided=sided)
    assert got == pytest.approx(float(ref), rel=1e-12, abs=1e-300)


@settings(max_examples=80, deadline=None)
@given(mid=st.floats(-1e20, 1e20), rad_exp=st.integers(-20, 5))
def test_ball_sigmoid_encloses_the_sigmoid_and_stays_finite_on_wide_balls(mid, rad_exp):
    """s on a ball [mid ± 10^rad_exp]: finite, and it contains s at both ends (50 digits; s is increasing)."""
    from flint import arb

    from flatproof.arith.contexts import ball_sigmoid
    r = 10.0 ** rad_exp
    s = ball_sigmoid(arb(mid, r))
    assert s.is_finite()
    with mp.workdps(50):
        for end in (mp.mpf(mid) - mp.mpf(r), mp.mpf(mid) + mp.mpf(r)):
            val = 1 / (1 + mp.exp(-end))
            assert float(s.lower()) <= float(val) <= float(s.upper()) or s.contains(arb(str(val)))


@pytest.mark.parametrize("big", [1e8, 1e20, 1e308])
def test_a_huge_margin_is_certified_in_rigorous_mode(big):
    """x = (big, −0.3, 0.2, 0.8): the margin at the outlier (~big/2) made φ'' a NaN ball and the verdict
    inconclusive (or 'at a kink' from the old centring); λ_max's enclosure holds the dense eigenvalue."""
    from flatproof.claims import get_claim
    from flatproof.instances.instance import Instance
    x, y = np.array([big, -0.3, 0.2, 0.8]), np.array([1.0, -1, 1, -1])
    net = UnivariateNet(np.array([0.5, -1.0]), np.array([1.0, -0.7]), np.array([0.1, 0.2]), 0.1)
    inst = Instance("univariate", UnivariateData(x, y), net, logistic_loss(), 0.0)
    v = get_claim("logistic.weighted-tv").check(inst, mode="rigorous")
    assert v.outcome == "holds" and v.basis == "certified"
    dense = float(np.linalg.eigvalsh(inst.oracle(method="dense").hessian())[-1])
    lo, hi = v.comparisons[0].value_interval
    assert lo <= dense * (1 + 1e-12) and dense * (1 - 1e-12) <= hi


def test_uncertain_set_does_not_count_a_point_whose_float_curvature_rounds_to_delta():
    """δ = 1/4 (τ = 0), f(0.75) = 1.49e-8: exactly d = 1/4 − 1.4e-17 < δ, so x ∉ U_δ, but float64 rounds d to
    1/4; the check found this 'violation' of its own interval algorithm (check --all, seed 0). Such a point is
    undecided in floats, like a grid point on |f| = τ."""
    from flatproof.claims import get_claim
    from flatproof.instances.instance import Instance
    from flatproof.model.data import LogisticTask, uniform
    from flatproof.model.expr import parse_expression
    x = np.array([0.0, 0.75])
    net = UnivariateNet(np.array([1.192092896e-07]), np.array([1.0]), np.array([0.625]), 0.0)
    task = LogisticTask(uniform(-1.0, 1.0), parse_expression("4*x"))
    inst = Instance("univariate", UnivariateData(x, np.ones(2)), net, logistic_loss(), 0.0, task)
    f = float(net(np.array([0.75]))[0])
    with mp.workdps(50):
        s = 1 / (1 + mp.exp(-mp.mpf(f)))
        assert s * (1 - s) < mp.mpf(1) / 4                   # exactly: not uncertain at δ = 1/4
    v = get_claim("logistic.uncertain-set").check(inst, params={"delta": 0.25, "grid": 2001})
    assert v.outcome == "holds"
