"""logistic.norm-bound (flatproof math U.4, norm-bounded solutions) against references written here from the
formulas: mpmath at 50 digits for P, ‖θ‖², sup|f|, J − log 2 and the gap bound; a dense grid for the sup;
scipy quadrature of the population risk; hard corners of float64 where no verdict may be wrong."""

import copy
import math
import tomllib
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import flatproof as fp
from flatproof._errors import InputError
from flatproof.casefile import load_case, load_case_dict
from flatproof.claims import get_claim
from flatproof.instances.instance import Instance
from flatproof.measures.norm_bound import rademacher_gap_bound

CASES = Path(__file__).resolve().parent.parent / "cases"
CLAIM = get_claim("logistic.norm-bound")

@pytest.fixture(autouse=True)
def _fifty_digits(mpmath_precision):
    """50-digit references in this module (restored after each test by conftest's ``mpmath_precision``)."""
    mpmath_precision.dps = 50


# ---- independent references --------------------------------------------------------------------------------
def ref_quantities(v, w, b, beta, x, y, lam, x_max):
    """(P, ‖θ‖², sup_{|x|≤x_max}|f − β|, J − log 2) in mpmath at 50 digits, from U.1 and U.4 directly. The sup is
    the max of |f − β| over ±x_max and the knots b_i/w_i inside (f is linear between knots)."""
    V, W, B = ([mp.mpf(float(t)) for t in a] for a in (v, w, b))
    be, X = mp.mpf(float(beta)), mp.mpf(float(x_max))
    P = sum(abs(vi) * mp.sqrt(wi ** 2 + bi ** 2) for vi, wi, bi in zip(V, W, B, strict=True))
    sq = sum(t ** 2 for t in V + W + B) + be ** 2

    def g(t):                              # f − β, summed without β (50 digits cannot hold 0.5 + 1e-312)
        return sum(vi * max(wi * t - bi, 0) for vi, wi, bi in zip(V, W, B, strict=True))

    def f(t):
        return be + g(t)
    pts = [-X, X] + [bi / wi for wi, bi in zip(W, B, strict=True) if wi != 0 and abs(bi / wi) < X]
    sup = max(abs(g(t)) for t in pts)
    # ℓ(z) − log 2 = log((1 + e^{−z})/2) = log1p(expm1(−z)/2): no cancellation at 50 digits when z is tiny
    z = [mp.mpf(float(yj)) * f(mp.mpf(float(xj))) for xj, yj in zip(x, y, strict=True)]
    return P, sq, sup, sum(mp.log1p(mp.expm1(-zj) / 2) for zj in z) / len(x) + mp.mpf(float(lam)) / 2 * sq


def instance(v, w, b, beta, x, y, lam=0.0, task=None):
    net = fp.UnivariateNet(np.array(v, float), np.array(w, float), np.array(b, float), float(beta))
    data = fp.UnivariateData(np.array(x, float), np.array(y, float))
    return Instance("univariate", data, net, fp.logistic_loss(), lam, task)


def check(inst, mode="float", **params):
    return CLAIM.check(inst, params=params, mode=mode)


# ---- hand instance --------------------------------------------------------------------------------------------
def test_the_shipped_hand_case_against_its_hand_values():
    """cases/logistic-norm-bound.toml: P = 2√1.25 + √5 + 0.5√11.25, ‖θ‖²/2 = 22.8125/2, sup|f − β| = f(1) − β = 3.25,
    bound P√2; ‖f‖_∞ = 3.5 ≤ P√2 + 1/4."""
    v = load_case(CASES / "logistic-norm-bound.toml").verify()
    P = 2 * math.sqrt(1.25) + math.sqrt(5) + 0.5 * math.sqrt(11.25)
    c1, c2 = v.comparisons
    assert v.outcome == "holds" and len(v.comparisons) == 2
    assert c1.value == pytest.approx(P, rel=1e-15) and c1.bound == 22.8125 / 2
    assert c2.value == 3.25 and c2.bound == pytest.approx(P * math.sqrt(2), rel=1e-15)
    assert v.certificate["sup_abs_f"] == 3.5
    assert v.certificate["sup_abs_f_bound"] == pytest.approx(P * math.sqrt(2) + 0.25, rel=1e-15)


@pytest.mark.parametrize("mode", ["float", "rigorous"])
def test_theta_zero_is_in_the_weight_decay_sublevel_set_exactly(mode):
    """θ = 0 has J(0) = log 2 exactly: the hypothesis J ≤ log 2 is met (no rounding at z = 0) and ‖θ‖² = 0 ≤ 2 log 2/λ."""
    v = check(instance([0.0], [0.0], [0.0], 0.0, [-0.5, 0.5], [1.0, -1.0], lam=0.3), mode)
    assert v.outcome == "holds", v
    assert v.comparisons[2].bound_interval[0] <= 2 * math.log(2) / 0.3 <= v.comparisons[2].bound_interval[1]


@pytest.mark.parametrize("mode", ["float", "rigorous"])
def test_outside_the_sublevel_set_the_weight_decay_part_is_not_met(mode):
    """A θ with J(θ) > log 2 is not a minimiser: hypotheses-not-met, even though ‖θ‖² ≤ 2 log 2/λ may be false."""
    inst = instance([3.0], [2.0], [0.0], 0.0, [0.5, 0.7], [-1.0, -1.0], lam=1.0)   # wrong labels, big θ
    P, sq, sup, excess = ref_quantities([3.0], [2.0], [0.0], 0.0, [0.5, 0.7], [-1.0, -1.0], 1.0, 0.7)
    assert excess > 0 and sq > 2 * mp.log(2)
    v = check(inst, mode)
    assert v.outcome == "hypotheses-not-met"
    assert [h.met for h in v.hypotheses] == [True, False]


def test_square_loss_is_not_this_claim():
    problem = fp.UnivariateProblem(fp.UnivariateData(np.array([0.1]), np.array([0.3])), fp.square_loss(), 0.0)
    inst = Instance("univariate", problem.data, fp.UnivariateNet([1.0], [1.0], [0.0], 0.0), problem.loss, 0.0)
    assert check(inst).outcome == "hypotheses-not-met"


@pytest.mark.parametrize("params, field", [({"x_max": -1.0}, "params.x_max"), ({"delta": 0.0}, "params.delta"),
                                           ({"delta": 0.7}, "params.delta"), ({"xmax": 1.0}, "params.xmax")])
def test_bad_parameters_name_their_field(params, field):
    with pytest.raises(InputError) as exc:
        CLAIM.parse_params(params)
    assert exc.value.field == field


# ---- against the 50-digit reference on random and extreme instances ----------------------------------------
scales = st.sampled_from([1e-300, 1e-160, 1e-12, 1e-3, 1.0, 7.0, 1e3, 1e12, 1e150])
signed = st.floats(-1, 1, allow_nan=False).filter(lambda t: abs(t) > 1e-3)


@st.composite
def networks(draw):
    m = draw(st.integers(1, 5))
    sv, sw = draw(scales), draw(scales)
    v = [draw(signed) * sv for _ in range(m)]
    w = [draw(st.sampled_from([0.0, 1.0])) * draw(signed) * sw if m > 1 and draw(st.booleans()) and draw(
        st.booleans()) else draw(signed) * sw for _ in range(m)]
    b = [draw(signed) * draw(scales) for _ in range(m)]
    beta = draw(st.sampled_from([0.0, 0.5, -2.0, 1e-310]))
    x = draw(st.lists(st.floats(-2, 2, allow_nan=False), min_size=1, max_size=6))
    y = [draw(st.sampled_from([1.0, -1.0])) for _ in x]
    lam = draw(st.sampled_from([0.0, 1e-300, 1e-6, 0.1, 10.0, 1e6]))
    return v, w, b, beta, x, y, lam


@settings(max_examples=60, deadline=None)
@given(networks(), st.sampled_from([0.0, 0.5, 3.0]))
@example(([-2.843645136517011e-13], [-7.243452401724038e-14], [7.464705880335374e-301], 0.0, [0.0], [1.0], 1e-300),
         0.0)        # J(θ) − log 2 ≈ 1e-327 > 0 underflows to 0 in float64: once "met" and holds, now inconclusive
def test_no_wrong_verdict_and_rigorous_intervals_contain_the_reference(net, x_max_param):
    """The three inequalities are theorems: on every instance (weights from 1e-300 to 1e150, subnormal β, zero
    neurons, λ from 0 to 1e6) each comparison holds or is inconclusive, never violated; the hypothesis J ≤ log 2
    is met exactly when the 50-digit J − log 2 is ≤ 0 (up to an undecidable tie); and every rigorous interval
    contains the 50-digit value."""
    v, w, b, beta, x, y, lam = net
    inst = instance(v, w, b, beta, x, y, lam)
    x_max = x_max_param or max(abs(t) for t in x)
    P, sq, sup, excess = ref_quantities(v, w, b, beta, x, y, lam, x_max)
    params = {"x_max": x_max_param} if x_max_param else {}
    for mode in ("float", "rigorous"):
        vd = check(inst, mode, **params)
        assert vd.outcome != "violated", (mode, vd)
        assert all(c.outcome != "violated" for c in vd.comparisons)
        if lam > 0 and len(vd.hypotheses) > 1:
            met = vd.hypotheses[1].met
            assert not met or excess <= 0, (mode, excess)           # never met when J > log 2
            if mode == "rigorous" and excess < -mp.mpf(10) ** -30:
                assert met                                          # certified when J < log 2 clearly
        if mode == "float" and vd.comparisons and vd.comparisons[1].name == CLAIM.NAMES[1]:
            got = mp.mpf(vd.comparisons[1].value)       # sup|f − β| in float64: relative accuracy, or subnormal
            assert abs(got - sup) <= mp.mpf(1e-12) * sup + mp.mpf(1e-320), (got, sup)
        if mode == "rigorous" and vd.comparisons:
            refs = dict(zip(CLAIM.NAMES, [(P, sq / 2), (sup, P * mp.sqrt(1 + mp.mpf(float(x_max)) ** 2)),
                                          (sq, 2 * mp.log(2) / mp.mpf(float(lam)) if lam else None)], strict=True))
            refs[CLAIM.SUBLEVEL] = (excess, 0)        # part 3's hypothesis, when undecided, is a row of its own
            for c in vd.comparisons:
                val, bnd = refs[c.name]
                assert mp.mpf(c.value_interval[0]) <= val <= mp.mpf(c.value_interval[1]), c
                assert mp.mpf(c.bound_interval[0]) <= bnd <= mp.mpf(c.bound_interval[1]), c
            assert vd.outcome in ("holds", "inconclusive", "hypotheses-not-met")


def test_float_comparisons_match_the_reference_on_ordinary_instances():
    rng = np.random.default_rng(7)
    for _ in range(20):
        m = int(rng.integers(1, 8))
        v, w, b = rng.normal(size=(3, m))
        x = rng.uniform(-1, 1, 10)
        y = np.where(rng.random(10) < 0.5, 1.0, -1.0)
        vd = check(instance(v, w, b, 0.3, x, y, 0.0))
        P, sq, sup, _ = ref_quantities(v, w, b, 0.3, x, y, 0.0, max(abs(x)))
        c1, c2 = vd.comparisons
        assert c1.value == pytest.approx(float(P), rel=1e-14) and c1.bound == pytest.approx(float(sq) / 2, rel=1e-14)
        assert c2.value == pytest.approx(float(sup), rel=1e-13, abs=1e-15)
        grid = np.linspace(-max(abs(x)), max(abs(x)), 20001)                  # a second witness for the sup
        dense = np.max(np.abs(fp.UnivariateNet(v, w, b, 0.3)(grid) - 0.3))
        assert dense <= c2.value * (1 + 1e-12) and dense >= c2.value - 1e-3 * (1 + abs(c2.value))
        assert vd.outcome == "holds"


def test_balanced_neurons_make_the_path_norm_bound_an_equality_and_it_is_not_called_violated():
    """|v_i| = ‖(w_i, b_i)‖ and β = 0 give P = ‖θ‖²/2 exactly (AM–GM is tight): holds or inconclusive, never violated."""
    v, w, b = [5.0, -0.625], [3.0, 0.375], [4.0, -0.5]               # 3-4-5 triangles, exact in binary
    P, sq, _, _ = ref_quantities(v, w, b, 0.0, [0.1], [1.0], 0.0, 1.0)
    assert P == sq / 2 == mp.mpf(25) + mp.mpf(25) / 64
    for mode in ("float", "rigorous"):
        assert check(instance(v, w, b, 0.0, [0.1], [1.0]), mode).comparisons[0].outcome in ("holds", "inconclusive")


# ---- the gap bound -----------------------------------------------------------------------------------------
def test_gap_bound_constants_against_the_formula():
    """2(2P̄√(1 + x²) + B̄)/√n + c√(log(1/δ)/(2n)) with P̄ = log 2/λ, B̄ = √(2 log 2/λ), c = log(1 + e^M), in mpmath."""
    lam, x_max, n, delta = 0.05, 1.0, 200, 0.05
    L2 = mp.log(2)
    Pb, Bb = L2 / lam, mp.sqrt(2 * L2 / lam)
    M = Pb * mp.sqrt(1 + x_max ** 2) + Bb
    want = 2 * (2 * Pb * mp.sqrt(2) + Bb) / mp.sqrt(n) + mp.log(1 + mp.exp(M)) * mp.sqrt(mp.log(1 / delta) / (2 * n))
    gb = rademacher_gap_bound(lam, x_max, n, delta)
    assert gb.bound == pytest.approx(float(want), rel=1e-13)
    assert gb.path_norm_max == pytest.approx(float(Pb), rel=1e-15) and gb.loss_range == pytest.approx(float(mp.log(1 + mp.exp(M))), rel=1e-15)
    with pytest.raises(ValueError):
        rademacher_gap_bound(0.0, 1.0, 10, 0.05)


def test_weight_decay_case_reports_the_measured_gap_beside_the_bound_without_deciding_by_it():
    from scipy import integrate
    case = load_case(CASES / "logistic-norm-bound-weight-decay.toml")
    v = case.verify()
    assert v.outcome == "holds" and len(v.comparisons) == 3
    assert all(c.basis == "estimated" for c in v.comparisons)            # the probe is not a comparison
    g = v.certificate["gap_probe"]
    assert g["basis"] == "observed" and any("[probe, observed" in t for t in v.notes)
    net, data, task = case.instance.net, case.instance.data, case.instance.task

    def integrand(t):                      # η ℓ(f) + (1 − η) ℓ(−f), x ~ U[−1, 1] (density 1/2), written out here
        ft = float(net(np.array([t]))[0])
        eta = 1 / (1 + math.exp(-4 * t))
        return 0.5 * (eta * math.log1p(math.exp(-ft)) + (1 - eta) * math.log1p(math.exp(ft)))
    knots = sorted(t for t in net.knots if np.isfinite(t) and -1 < t < 1)
    risk = integrate.quad(integrand, -1, 1, points=knots, limit=400, epsabs=1e-13)[0]
    train = float(np.mean(np.log1p(np.exp(-data.y * net(data.x)))))
    assert g["population_risk"] == pytest.approx(risk, abs=1e-10)
    assert g["measured_gap"] == pytest.approx(risk - train, abs=1e-10)
    assert g["bound"] == pytest.approx(rademacher_gap_bound(0.05, 1.0, 200, 0.05).bound, rel=1e-15)
    assert g["measured_gap"] <= g["bound"]
    assert task.law.support == (-1.0, 1.0)
    assert v.certificate["theta_sq"] <= 2 * math.log(2) / 0.05


def test_weight_decay_case_in_rigorous_mode_is_certified():
    doc = tomllib.loads((CASES / "logistic-norm-bound-weight-decay.toml").read_text())
    doc = copy.deepcopy(doc)
    doc["case"]["mode"] = "rigorous"
    v = load_case_dict(doc, "logistic-norm-bound-weight-decay.toml", CASES).verify()
    assert v.outcome == "holds" and v.basis == "certified"
    lo, hi = v.certificate["J_minus_log2_certified"]
    assert hi < 0
