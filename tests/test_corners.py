"""Issue 11's corners: orbit infima that are not attained, float64's dynamic range, strict hypotheses, and
`check` re-verifying what it writes. Every expectation is computed independently of flatproof's numerics:
mpmath at 50 digits or sympy rationals, straight from the formulas of flatproof math M.2, M.3 and U.6."""

import math
import tomllib
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import flatproof as fp
from flatproof.casefile import load_case_dict
from flatproof.check import check_claim
from flatproof.claims import get_claim, register
from flatproof.claims._core import Evaluation, compare
from flatproof.claims.homogeneous.relu_sample_bound import ReluSampleBound
from flatproof.derivations.orbit import f_sym_terms, orbit_infimum
from flatproof.instances.instance import Instance


@pytest.fixture(autouse=True)
def _fifty_digits(mpmath_precision):
    """50-digit references in this module (restored after each test by conftest's ``mpmath_precision``)."""
    mpmath_precision.dps = 50


# ---- independent references ---------------------------------------------------------------------------
def mp_sigma(t, family, k):
    t = mp.mpf(t)
    if family == "relu":
        return max(t, 0) ** k
    return abs(t) ** k


def mp_dsigma(t, family, k):
    t = mp.mpf(t)
    if family == "relu":
        return k * t ** (k - 1) if t > 0 else mp.mpf(0)
    return k * abs(t) ** (k - 1) * mp.sign(t)


def mp_blocks(a, W, X, family="relu", k=1):
    """A_j, B_j of flatproof math M.2 at 50 digits, from the float inputs (exactly converted)."""
    n = len(X)
    A, B = [], []
    for aj, wj in zip(a, W, strict=True):
        S2 = T2 = mp.mpf(0)
        for x in X:
            z = mp.fsum(mp.mpf(p) * mp.mpf(q) for p, q in zip(wj, x, strict=True))
            S2 += mp_sigma(z, family, k) ** 2
            T2 += mp_dsigma(z, family, k) ** 2 * mp.fsum(mp.mpf(q) ** 2 for q in x)
        A.append(2 * S2 / n)
        B.append(2 * mp.mpf(aj) ** 2 * T2 / n)
    return A, B


def mp_f_sym(A, B, k):
    """inf over c > 0 of Σ c^{2k}A_j + c^{−2}B_j: (k+1)k^{−k/(k+1)}A^{1/(k+1)}B^{k/(k+1)} where both are > 0."""
    k = mp.mpf(k)
    return mp.fsum((k + 1) * k ** (-k / (k + 1)) * a ** (1 / (k + 1)) * b ** (k / (k + 1))
                   for a, b in zip(A, B, strict=True) if a > 0 and b > 0)


def instance(a, W, X, act=None):
    net = fp.HomogeneousNet(np.array(a, float), np.array(W, float), act or fp.relu())
    X = np.array(X, float)
    return Instance("homogeneous", fp.MultiIndexData(X, net(X)), net, fp.square_loss(1.0))


# ---- the orbit infimum ------------------------------------------------------------------------------------
exps = st.integers(-1000, 1000)


@settings(max_examples=300)
@given(st.floats(0.5, 1.0, exclude_max=True), exps, st.floats(0.5, 1.0, exclude_max=True), exps,
       st.integers(1, 4))
def test_f_sym_terms_match_mpmath_across_the_whole_exponent_range(ma, ea, mb, eb, k):
    A, B = math.ldexp(ma, ea), math.ldexp(mb, eb)
    ref = mp_f_sym([mp.mpf(A)], [mp.mpf(B)], k)       # exact inputs, 50 digits
    with np.errstate(all="ignore"):
        got = float(f_sym_terms(np.array([A]), np.array([B]), k)[0])
    if A == 0 or B == 0:
        assert got == 0.0
    elif ref > mp.mpf(2) ** -1000 and ref < mp.mpf(2) ** 1000:    # result in float64's normal range
        assert abs(mp.mpf(got) / ref - 1) < 1e-14, (A, B, k, got, ref)
    elif ref > mp.mpf(2) ** 1024:
        assert got == math.inf


def test_orbit_infimum_classifies_attained_and_unattained_neurons():
    inf = orbit_infimum(np.array([2.0, 0.0, 0.0, 3.0]), np.array([0.0, 5.0, 0.0, 4.0]), 1)
    assert list(inf.direction) == [-1, 1, 0, 0] and not inf.attained
    assert inf.value == pytest.approx(2 * math.sqrt(12), rel=1e-15)
    c = inf.approach(1e-6)                             # a witness: powers of two on the unattained neurons
    assert math.frexp(c[0])[0] == 0.5 and math.frexp(c[1])[0] == 0.5
    assert c[0] ** 2 * 2.0 <= 0.5e-6 and 5.0 / c[1] ** 2 <= 0.5e-6
    assert c[3] == pytest.approx(math.sqrt(math.sqrt(4.0 / 3.0)), rel=1e-15)
    assert orbit_infimum(np.array([1.0]), np.array([1.0]), 1).attained


def test_memoriser_with_zero_outer_weight_is_not_a_counterexample():
    """docs/check.md used to cite this as a counterexample: one point x = −1, y = 0, so the memoriser has
    a = 0 and F(T_cθ) = c²·A = 2c² (sympy, exactly) → 0: for every ε > 0 some rescaling is ε-flat."""
    doc = {"case": {"claim": "homogeneous.flat-by-rescaling"},
           "data": {"X": [[-1.0]], "y": [0.0], "U": [[1.0]], "link": "relu(x)", "noise": 0.0},
           "model": {"kind": "homogeneous", "construction": "memoriser", "activation": "relu"},
           "params": {"epsilon": 1.0}}
    v = load_case_dict(doc, "<memoriser a = 0>").verify()
    assert v.outcome == "holds", [c.as_dict() for c in v.comparisons]
    c = sp.Symbol("c", positive=True)
    a, w, x = 0, sp.Integer(-1), sp.Integer(-1)          # w = x/|x| = −1, n = 1
    F = 2 * sp.Max(c * w * x, 0) ** 2 + 2 * (a / c) ** 2 * sp.Heaviside(c * w * x) * x ** 2   # A-part + B-part
    assert sp.simplify(F - 2 * c ** 2) == 0 and sp.limit(F, c, 0) == 0
    cert = v.certificate
    assert cert["orbit"]["attained"] is False and cert["orbit"]["infimum"] == 0.0
    cw = cert["witness_c"][0]
    assert float(F.subs(c, sp.Rational(cw))) <= 1.0 and cert["F_at_witness"] == pytest.approx(2 * cw ** 2, rel=1e-14)
    assert any("not attained" in n for n in v.notes)


@pytest.mark.parametrize("a0", [0.0, 1e-190, 1.0])
def test_orbit_minimum_and_flat_by_rescaling_against_mpmath(a0):
    a, W = [a0, -0.7], [[1.0, 0.5], [0.3, -1.0]]
    X = [[1.0, 0.2], [0.5, -1.5], [-0.7, 0.9]]
    Am, Bm = mp_blocks(a, W, X)
    ref = mp_f_sym(Am, Bm, 1)
    inst = instance(a, W, X)
    v = get_claim("homogeneous.orbit-minimum").check(inst)
    assert v.outcome == "holds", [c.as_dict() for c in v.comparisons if c.outcome != "holds"]
    assert abs(mp.mpf(v.certificate["F_sym"]) / ref - 1) < 1e-13
    assert v.certificate["orbit"]["attained"] is (a0 != 0.0)
    for eps, expect in ((float(ref) * 0.999, "violated"), (float(ref) * 1.001, "holds")):
        vf = get_claim("homogeneous.flat-by-rescaling").check(inst, params={"epsilon": eps})
        assert vf.outcome == expect, [c.as_dict() for c in vf.comparisons]


def test_a_neuron_of_size_1e_minus_190_alone_keeps_its_infimum():
    """a_j² = 0 in float64, yet F_sym = 2√(A_j B_j) ≈ 1.5e-190 is a normal number: it is not 'unattained'."""
    a, W, X = [1e-190], [[1.0, 0.5]], [[1.0, 0.2], [0.5, -1.5], [-0.7, 0.9]]
    ref = mp_f_sym(*mp_blocks(a, W, X), 1)
    v = get_claim("homogeneous.orbit-minimum").check(instance(a, W, X))
    assert v.outcome == "holds" and v.certificate["orbit"]["attained"] is True
    assert abs(mp.mpf(v.certificate["F_sym"]) / ref - 1) < 1e-13
    for eps, expect in ((1e-300, "violated"), (float(ref) * 0.999, "violated"), (float(ref) * 1.001, "holds")):
        v = get_claim("homogeneous.flat-by-rescaling").check(instance(a, W, X), params={"epsilon": eps})
        assert v.outcome == expect, (eps, [c.as_dict() for c in v.comparisons])


def test_huge_outer_weight_tiny_inner_weight_is_decided_by_f_sym():
    """a = 1e200, w = 1e-200 (1/2, ...): F = tr∇²L̂ overflows float64, F_sym = 2|a|‖w‖·(…) is of order 1."""
    a, W, X = [1e200], [[1e-200, 5e-201]], [[1.0, 0.2], [0.5, -1.5], [-0.7, 0.9]]
    ref = mp_f_sym(*mp_blocks(a, W, X), 1)
    v = get_claim("homogeneous.flat-by-rescaling").check(instance(a, W, X), params={"epsilon": 1e-3})
    assert v.outcome == "violated" and abs(mp.mpf(v.certificate["F_sym"]) / ref - 1) < 1e-13
    assert any("overflows float64" in n for n in v.notes)


def test_univariate_rescaling_with_a_zero_outer_weight():
    doc = {"case": {"claim": "univariate.rescaling"}, "data": {"x": [-0.9, -0.3, 0.2, 0.7], "y": [1.0, -1.0, 1.0, 1.0]},
           "model": {"kind": "univariate", "v": [0.0, -0.5], "w": [1.0, -2.0], "b": [0.1, 0.5], "beta": 0.3},
           "loss": {"kind": "logistic"}}
    v = load_case_dict(doc, "<v = 0>").verify()
    assert v.outcome == "holds", [c.as_dict() for c in v.comparisons if c.outcome != "holds"]
    assert v.certificate["orbit"]["not_attained_neurons"] == [0]
    # independent: U.6's infimum is Σ_{A_iB_i>0} 2√(A_iB_i) + D̄, here only neuron 1 counts
    x = [mp.mpf(t) for t in doc["data"]["x"]]
    f = [mp.mpf(-0.5) * max(-2 * t - mp.mpf(0.5), 0) + mp.mpf(0.3) for t in x]
    d = [1 / (1 + mp.exp(-t)) / (1 + mp.exp(t)) for t in f]
    z = [-2 * t - mp.mpf(0.5) for t in x]
    A1 = mp.fsum(dj * max(zj, 0) ** 2 for dj, zj in zip(d, z, strict=True)) / 4
    B1 = mp.fsum(dj * mp.mpf(0.25) * (zj > 0) * (t ** 2 + 1) for dj, zj, t in zip(d, z, x, strict=True)) / 4
    ref = 2 * mp.sqrt(A1 * B1) + mp.fsum(d) / 4
    assert abs(mp.mpf(v.certificate["orbit_min_closed_form"]) / ref - 1) < 1e-13


# ---- check re-verifies what it writes ------------------------------------------------------------------------
@register
class _FloatOnlyViolation(ReluSampleBound):
    """A claim whose float mode 'finds' a violation that its rigorous mode does not confirm."""
    id = "test.float-only-violation"
    title = "violated in float mode only (a test double)"

    def evaluate(self, inst, ctx):
        ev = Evaluation()
        if ctx.mode == "rigorous":
            ev.comparisons.append(compare("1 ≤ 2", 1.0, "<=", 2.0, certified=True))
        else:
            ev.comparisons.append(compare("3 ≤ 2", 3.0, "<=", 2.0))
        return ev


def test_check_does_not_write_a_violation_that_rigorous_mode_does_not_confirm(tmp_path):
    rep = check_claim("test.float-only-violation", examples=15, seed=0, out_dir=tmp_path)
    assert rep.counts["violated"] == 0 and rep.path is None and not list(tmp_path.iterdir())
    assert rep.unconfirmed == rep.counts["inconclusive"] == rep.tried >= 10
    assert "rigorous mode" in rep.note


def test_the_flat_by_rescaling_counterexample_is_confirmed_by_mpmath(tmp_path):
    rep = check_claim("homogeneous.flat-by-rescaling", examples=100, seed=0, out_dir=tmp_path)
    assert rep.counts["violated"] == 1 and rep.reproduced
    doc = tomllib.loads(Path(rep.path).read_text())
    case = load_case_dict(doc, "<found>")
    net, X = case.instance.net, case.instance.data.X
    A, B = mp_blocks(net.a.tolist(), net.W.tolist(), X.tolist(), "relu", net.k)
    assert mp_f_sym(A, B, net.k) > doc["params"]["epsilon"]        # no rescaling reaches ε: a true counterexample
    assert max(abs(mp.mpf(float(fx)) - mp.mpf(float(y))) for fx, y in zip(net(X), case.instance.data.y, strict=True)) < 1e-12


# ---- interpolation, checked point by point and against what the identities absorb ------------------------
def test_interpolation_is_judged_per_point_relative_to_its_label():
    """Labels (5e-4, 1e6): f(x_1) = 1e-6 is not y_1 = 5e-4, though |f − y| ≤ 1e-9·max(1, max|y|) = 1e-3."""
    a, W, X = [1e-6, 1e6], [[1.0, 0.0], [0.0, 1.0]], [[1.0, -1.0], [-1.0, 1.0]]
    net = fp.HomogeneousNet(np.array(a), np.array(W), fp.relu())
    X = np.array(X)
    assert net(X).tolist() == [1e-6, 1e6]
    inst = Instance("homogeneous", fp.MultiIndexData(X, np.array([5e-4, 1e6])), net, fp.square_loss(1.0))
    for cid in ("homogeneous.trace-at-interpolator", "homogeneous.orbit-minimum", "homogeneous.flat-by-rescaling"):
        v = get_claim(cid).check(inst)
        assert v.outcome == "hypotheses-not-met", cid
        h = next(h for h in v.hypotheses if not h.met)
        assert "θ interpolates" in h.name and "x[0]" in h.detail


def mp_trace_E(a, W, X, r, family, k):
    """tr (2/n)Σ_i r_i ∇²f_i at 50 digits: only the (w_j, w_j) blocks a_j σ''(z_ij) x_i x_iᵀ have a diagonal."""
    n = len(X)
    tot = mp.mpf(0)
    for x, ri in zip(X, r, strict=True):
        nx2 = mp.fsum(mp.mpf(q) ** 2 for q in x)
        for aj, wj in zip(a, W, strict=True):
            z = mp.fsum(mp.mpf(p) * mp.mpf(q) for p, q in zip(wj, x, strict=True))
            s2 = (k * (k - 1) * z ** (k - 2) if z > 0 else 0) if family == "relu" else k * (k - 1) * abs(z) ** (k - 2)
            tot += mp.mpf(ri) * nx2 * mp.mpf(aj) * s2
    return 2 * tot / n


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2 ** 32 - 1), st.integers(2, 6), st.integers(1, 4), st.floats(-14, -5),
       st.sampled_from([("relu", 2), ("relu", 3), ("abs", 3)]))
def test_a_met_interpolation_hypothesis_is_absorbed_by_the_trace_identity(seed, n, d, log_delta, act):
    """Whenever the hypothesis is met, the residuals' true Hessian term (mpmath) changes the trace identity
    F = Σ_j(A_j + B_j) by at most half its tolerance, on θ and at every rescaling T_cθ (c_j = 2^±20)."""
    family, k = act
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    activation = fp.relu_power(k) if family == "relu" else fp.abs_power(k)
    try:
        net = fp.constructions.memoriser(X, rng.standard_normal(n), activation)
    except fp.InputError:
        return
    f = net(X)
    y = f * (1 + 10 ** log_delta * rng.uniform(-1, 1, n))            # residuals ~ δ relative
    inst = Instance("homogeneous", fp.MultiIndexData(X, y), net, fp.square_loss(1.0))
    if inst.oracle().kinks.count:
        return
    ev = Evaluation()
    from flatproof.claims.homogeneous._shared import interpolation_hypothesis
    tau = 1e-9
    if not interpolation_hypothesis(inst, ev, 1e-9, tau):
        return
    r = [mp.mpf(float(fi)) - mp.mpf(float(yi)) for fi, yi in zip(f, y, strict=True)]
    for c in (1.0, 2.0 ** 20, 2.0 ** -20):
        cn = fp.constructions.rescale_homogeneous(net, np.full(net.m, c))
        A, B = mp_blocks(cn.a.tolist(), cn.W.tolist(), X.tolist(), family, k)
        trE = mp_trace_E(cn.a.tolist(), cn.W.tolist(), X.tolist(), r, family, k)
        assert abs(trE) <= tau / 2 * mp.fsum(A + B) * (1 + 1e-12)


@pytest.mark.parametrize("a0, k", [(1.7330859031745445e-259, 1), (1e-200, 2), (3e-200, 3), (1e-300, 1)])
def test_factorisation_with_outer_weights_whose_square_leaves_float64(a0, k):
    """Found by `check homogeneous.factorisation --examples 200 --seed 0` before this fix: a = 1.7e-259 made
    a² = 0, F_sym from A_j, B_j = 0 against 2.2e-260 through G(ŵ) — a wrong `violated` on an [exact] claim."""
    a, W, X = [a0], [[-0.5]], [[-0.25]]
    act = fp.relu_power(k)
    net = fp.HomogeneousNet(np.array(a), np.array(W), act)
    inst = Instance("homogeneous", fp.MultiIndexData(np.array(X), np.array([0.0])), net, fp.square_loss(1.0))
    v = get_claim("homogeneous.factorisation").check(inst, params={"neuron": 0, "copies": 3})
    assert v.outcome == "holds", [c.as_dict() for c in v.comparisons]
    ref = mp_f_sym(*mp_blocks(a, W, X, "relu", k), k)
    assert abs(mp.mpf(v.certificate["F_sym"]) / ref - 1) < 1e-13
    assert abs(mp.mpf(v.certificate["F_sym_copies"]) / (ref * mp.mpf(3) ** (mp.mpf(1 - k) / (k + 1))) - 1) < 1e-13


# ---- cancellation and non-finite thresholds (univariate) ----------------------------------------------------
@pytest.mark.parametrize("wd", [0.0, 1.0, 1e6])
def test_hessian_structure_under_weight_decay_evaluates_the_data_gradient_directly(wd):
    """β = 40 makes every margin ≈ 40, so ∂L/∂w ≈ 1e-18 while λθ ≈ λ: recovering the former as ∇ − λθ is noise.
    Reference (mpmath): the data partials and v_i a_i, v_i c_i agree exactly (an identity), so `holds`."""
    doc = {"case": {"claim": "univariate.hessian-structure"}, "data": {"x": [-0.5, 0.2, 0.7], "y": [1.0, 1.0, 1.0]},
           "model": {"kind": "univariate", "v": [1.0, -2.0], "w": [1.0, -1.0], "b": [0.1, 0.3], "beta": 40.0},
           "loss": {"kind": "logistic", "weight_decay": wd}}
    v = load_case_dict(doc, "<weight decay>").verify()
    assert v.outcome == "holds", [c.as_dict() for c in v.comparisons if c.outcome != "holds"]
    x = [mp.mpf(t) for t in doc["data"]["x"]]
    vv, w = [mp.mpf(1), mp.mpf(-2)], [mp.mpf(1), mp.mpf(-1)]
    b = [mp.mpf(0.1), mp.mpf(0.3)]                                    # the float64 values the case holds
    f = [mp.fsum(vi * max(wi * t - bi, 0) for vi, wi, bi in zip(vv, w, b, strict=True)) + 40 for t in x]
    lp = [-1 / (1 + mp.exp(fj)) for fj in f]                          # ℓ'(y f) y with y = 1
    dw = [mp.fsum(l * vi * (wi * t - bi > 0) * t for l, t in zip(lp, x, strict=True)) / 3 for vi, wi, bi in zip(vv, w, b, strict=True)]
    a_cert = [mp.mpf(float(t)) for t in v.certificate["a_i"]]
    for i in range(2):                                                # v_i a_i = ∂L/∂w_i (data part)
        assert abs(vv[i] * a_cert[i] - dw[i]) <= 1e-13 * abs(dw[i])


def test_a_flatness_threshold_that_float64_cannot_state_is_inconclusive_not_violated():
    from flatproof.claims._common import flatness_comparison
    from flatproof.claims._core import Context
    doc = {"case": {"claim": "univariate.eta-flat", "mode": "rigorous"},
           "data": {"generator": "logistic", "n": 10, "seed": 7, "logit": "4*x", "flip": 0.2},
           "model": {"kind": "univariate", "construction": "sign-fitting", "scale": 30.0}}
    case = load_case_dict(doc, "<tiny ε>")
    ev = Evaluation()
    cmp = flatness_comparison(case.instance, Context({}, mode="rigorous"), ev, 2.0 / 1e-310)   # η = ∞
    assert cmp.outcome == "inconclusive" and "not a positive float64 number" in ev.notes[0]
    ev = Evaluation()
    with np.errstate(under="ignore"):
        cmp = flatness_comparison(case.instance, Context({}, mode="rigorous"), ev, math.inf, threshold=1e-310)
    lo, hi = ev.certificate["lambda_max_certified"]
    assert cmp.certified and hi < 1e-310 and cmp.outcome == "holds"
    assert cmp.bound_interval == (1e-310, 1e-310)


# ---- a differential test over the hard corners ------------------------------------------------------------------
def signed_magnitudes(lo, hi):
    return st.tuples(st.sampled_from([-1.0, 1.0]), st.floats(0.5, 1.0), st.integers(lo, hi)).map(
        lambda t: t[0] * math.ldexp(t[1], t[2]))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 3), st.integers(1, 3), st.data())
def test_orbit_claims_against_mpmath_over_weights_from_1e_minus_300_to_1e300(m, d, data):
    """Weights a_j ∈ ±[2^-1000, 2^1000] ∪ {0}, w_j scaled by 2^±500, ordinary data; y := f(X) so θ interpolates.
    Reference: F_sym (mpmath, 50 digits) and flat-by-rescaling's verdict (holds iff F_sym < ε). flatproof may
    say inconclusive or hypotheses-not-met, never the wrong one of holds/violated."""
    k = data.draw(st.sampled_from([1, 2]))
    a = data.draw(st.lists(st.one_of(st.just(0.0), signed_magnitudes(-1000, 1000)), min_size=m, max_size=m))
    W = [[math.ldexp(t, s) for t in data.draw(st.lists(st.floats(0.1, 2.0).flatmap(
        lambda u: st.sampled_from([u, -u])), min_size=d, max_size=d))] for s in data.draw(
        st.lists(st.integers(-500, 500), min_size=m, max_size=m))]
    X = data.draw(st.lists(st.lists(st.floats(0.1, 2.0).flatmap(lambda u: st.sampled_from([u, -u])), min_size=d,
                                    max_size=d), min_size=1, max_size=4))
    net = fp.HomogeneousNet(np.array(a), np.array(W), fp.relu_power(k))
    with np.errstate(all="ignore"):
        y = net(np.array(X))
    if not np.all(np.isfinite(y)):
        return
    inst = Instance("homogeneous", fp.MultiIndexData(np.array(X), y), net, fp.square_loss(1.0))
    ref = mp_f_sym(*mp_blocks(a, W, X, "relu", k), k)
    for factor in (mp.mpf("0.5"), mp.mpf(2)):
        eps = float(ref * factor) if ref > 0 else 1e-300
        if not (0 < eps < 1e300):
            continue
        truth = "holds" if ref < eps else "violated"
        v = get_claim("homogeneous.flat-by-rescaling").check(inst, params={"epsilon": eps})
        assert v.outcome in (truth, "inconclusive", "hypotheses-not-met"), (a, W, X, k, eps, float(ref),
                                                                            [c.as_dict() for c in v.comparisons])
    v = get_claim("homogeneous.orbit-minimum").check(inst)
    assert v.outcome != "violated", [c.as_dict() for c in v.comparisons if c.outcome == "violated"]
    if v.outcome == "holds" and ref > mp.mpf(2) ** -1000 and ref < mp.mpf(2) ** 1000:
        assert abs(mp.mpf(v.certificate["F_sym"]) / ref - 1) < 1e-12


@pytest.mark.parametrize("a, W", [([1.0], [[1e-170, 5e-171]]), ([1e-170], [[1.0, 0.5]]),
                                  ([1e150], [[1e-160, 3e-161]]), ([2.0, -1e-200], [[0.3, 1.0], [1.0, 0.5]])])
def test_relu_sample_bound_where_squares_underflow(a, W):
    """w = 1e-170 made σ(wᵀx)² = 0 so F_sym = 0 < bound ≈ 1.5e-170: a wrong `violated` on an [exact] claim;
    w = 1e-160 put σ² among the subnormals and F_sym came out 1.6e-4 (relative) wrong."""
    X = [[1.0, 0.2], [0.5, -1.5], [-0.7, 0.9]]
    net = fp.HomogeneousNet(np.array(a), np.array(W), fp.relu())
    inst = Instance("homogeneous", fp.MultiIndexData(np.array(X), np.zeros(3)), net, fp.square_loss(1.0))
    ref = mp_f_sym(*mp_blocks(a, W, X), 1)
    for mode in ("float", "rigorous"):
        v = get_claim("homogeneous.relu-sample-bound").check(inst, mode=mode)
        assert v.outcome in ("holds", "inconclusive"), (mode, [c.as_dict() for c in v.comparisons])
        assert abs(mp.mpf(v.certificate["F_sym"]) / ref - 1) < 1e-13


def test_orbit_minimum_with_a_subnormal_outer_weight_and_a_row_of_size_1e45():
    """The audit's case 08 (relu², an exact interpolator): a_2 = −1.2142e-319 keeps ~14 bits, so a_2 c^{−2}
    rounds by up to 2^-1074 absolutely, which moves f by ~1e-235 and F_sym by ~1e-6 relative; B_2 ≈ 3e-546 is
    not a float64 number. The reference (mpmath) F_sym ≈ 1.4291e-303 < ε = 1e-3: flat-by-rescaling holds."""
    X = [[1.5, 1.25, 1.75], [-1.75, -1.5, 1.0]]
    a = [0.0, -1.2142e-319, 1.1665795231290236e-301]
    W = [[3.681820098973295e-91, 4.909093465297727e-91, 2.4545467326488633e-91],
         [2.1408715390589398e+45, 1.0704357695294699e+45, -1.0704357695294699e+45], [1.75, 0.25, -1.5]]
    net = fp.HomogeneousNet(np.array(a), np.array(W), fp.relu_power(2))
    y = np.array([-8.69555083895613e-229, 0.0])
    assert np.array_equal(net(np.array(X)), y)                     # dyadic: f(X) = y exactly
    inst = Instance("homogeneous", fp.MultiIndexData(np.array(X), y), net, fp.square_loss(1.0))
    ref = mp_f_sym(*mp_blocks(a, W, X, "relu", 2), 2)
    assert mp.mpf("1.429e-303") < ref < mp.mpf("1.4292e-303")
    v = get_claim("homogeneous.orbit-minimum").check(inst)
    assert v.outcome in ("holds", "inconclusive"), [c.as_dict() for c in v.comparisons if c.outcome == "violated"]
    assert abs(mp.mpf(v.certificate["F_sym"]) / ref - 1) < 1e-13
    assert get_claim("homogeneous.flat-by-rescaling").check(inst, params={"epsilon": 1e-3}).outcome == "holds"


def test_factorisation_accepts_a_row_whose_squared_norm_underflows():
    """The audit's case 11: a row of W of size 1e-190 is a direction, not 0 (‖w‖² underflows, ‖w‖ does not)."""
    X = [[-0.05, -1.4676392032859025], [-1.2096551899211, -1.5018735689410863], [-1.9100636388965044, 1.05]]
    a = [-1.6974963456735684e-190, -1.4939837531938768e-300, -1.266684543501173]
    W = [[1.4999999999999999e+150, 3.6654497251516137e+149], [6.474935503634814e-191, 9.571372699728052e-191],
         [1.8793137134309328, 0.5698073638415041]]
    net = fp.HomogeneousNet(np.array(a), np.array(W), fp.relu())
    inst = Instance("homogeneous", fp.MultiIndexData(np.array(X), np.zeros(3)), net, fp.square_loss(1.0))
    v = get_claim("homogeneous.factorisation").check(inst, params={"neuron": 0, "copies": 2})
    assert v.outcome in ("holds", "inconclusive"), [c.as_dict() for c in v.comparisons]
    ref = mp_f_sym(*mp_blocks(a, W, X), 1)
    assert abs(mp.mpf(v.certificate["F_sym"]) - ref) <= 1e-13 * ref


@pytest.mark.parametrize("v0", [5e-324, 3.3e-320, 1e-310])
def test_univariate_rescaling_with_a_subnormal_outer_weight(v0):
    """v/c among the subnormals keeps a few bits only; the identities must allow for it, not call it violated."""
    doc = {"case": {"claim": "univariate.rescaling"}, "data": {"x": [-0.9, -0.3, 0.2, 0.7], "y": [1.0, -1.0, 1.0, 1.0]},
           "model": {"kind": "univariate", "v": [v0, -0.5], "w": [1.0, -2.0], "b": [0.1, 0.5], "beta": 0.3},
           "loss": {"kind": "logistic"}, "params": {"c_max": 20.0, "seed": 3}}
    v = load_case_dict(doc, "<subnormal v>").verify()
    assert v.outcome in ("holds", "inconclusive"), [c.as_dict() for c in v.comparisons if c.outcome == "violated"]
    assert v.certificate["orbit"]["attained"] is True          # v ≠ 0: the minimum exists (at c* ≈ 1e-160)
