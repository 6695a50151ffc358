"""Certified population integrals (rigorous mode) against 50-digit mpmath references written here from
the definitions: err(f) = E[η 1{f ≤ 0} + (1 − η) 1{f > 0}], Bayes = E[min(η, 1 − η)], η = p + (1 − 2p) s(g)."""

import functools
import math

import mpmath as mp
import numpy as np
import pytest
from flint import arb
from scipy import integrate

import flatproof as fp
from flatproof.claims import get_claim
from flatproof.instances.instance import Instance
from flatproof.measures.certified_affine import network_sign_pieces
from flatproof.measures.certified_integral import NotCertified, WorkBound, certified_population
from flatproof.measures.certified_logit import Budget, logit_sign_pieces
from flatproof.measures.population import bayes_error
from flatproof.model import constructions as C
from flatproof.model.expr import ball_function
from flatproof.model.univariate import UnivariateNet

DIP = "4*x - 12*exp(-((x-0.3)/0.001)**2)"          # a dip of width ~1e-3 that flips the Bayes decision
OSCILLATING = "0.5 + 3*sin(200*x)"


# ----------------------------------------------------------------------------------------------
# the reference: mpmath at 50 digits, pieces from a sign scan of f and g refined by bisection
# ----------------------------------------------------------------------------------------------
MP_LOGITS = {
    "4*x": lambda x: 4 * x,
    DIP: lambda x: 4 * x - 12 * mp.exp(-((x - mp.mpf("0.3")) / mp.mpf("0.001")) ** 2),
    OSCILLATING: lambda x: mp.mpf("0.5") + 3 * mp.sin(200 * x),
    "4*x + 3*sin(200*x)": lambda x: 4 * x + 3 * mp.sin(200 * x),
}


def mp_net(net):
    v, w, b = ([mp.mpf(float(t)) for t in arr] for arr in (net.v, net.w, net.b))
    beta = mp.mpf(float(net.beta))
    return lambda x: beta + sum(vi * max(wi * x - bi, 0) for vi, wi, bi in zip(v, w, b, strict=True))


def mp_zeros(fn, lo, hi, grid=6000):
    xs = [lo + (hi - lo) * mp.mpf(k) / grid for k in range(grid + 1)]
    vals = [fn(x) for x in xs]
    out = []
    for a, b, fa, fb in zip(xs[:-1], xs[1:], vals[:-1], vals[1:], strict=True):
        if fa == 0:
            out.append(a)
        elif fa * fb < 0:
            for _ in range(170):                      # bisection to ~1e-51
                m = (a + b) / 2
                if fn(m) * fa > 0:
                    a = m
                else:
                    b = m
            out.append((a + b) / 2)
    return out


def reference(net, logit, flip, lo=-1, hi=1):
    """(population error, Bayes error) for x ~ U[lo, hi] at 50 digits (on each piece f and g keep their
    signs, so err and Bayes follow from ∫η there)."""
    with mp.workdps(50):
        lo, hi, p = mp.mpf(lo), mp.mpf(hi), mp.mpf(flip)
        f, g = mp_net(net), MP_LOGITS[logit]
        knots = [mp.mpf(float(b)) / mp.mpf(float(w)) for b, w in zip(net.b, net.w, strict=True) if w != 0]
        cuts = sorted({lo, hi, *[t for t in knots if lo < t < hi], *mp_zeros(f, lo, hi), *mp_zeros(g, lo, hi)})

        def eta(x):
            s = 1 / (1 + mp.exp(-g(x)))
            return p + (1 - 2 * p) * s
        err = bay = mp.mpf(0)
        for a, b in zip(cuts[:-1], cuts[1:], strict=True):
            if b - a < mp.mpf(10) ** -45:
                continue
            m = (a + b) / 2
            ieta = mp.quad(eta, [a, m, b])                 # f and g keep their signs on (a, b)
            err += (b - a - ieta) if f(m) > 0 else ieta
            bay += ieta if eta(m) < 1 - eta(m) else (b - a - ieta)
        return err / (hi - lo), bay / (hi - lo)


def contains(ball, value) -> bool:
    return ball.contains(arb(mp.nstr(value, 40)).mid()) and \
        float(ball.lower()) <= float(value) <= float(ball.upper())


IDENTITY = UnivariateNet([1.0, -1.0], [1.0, -1.0], [0.0, 0.0], 0.0)        # f(x) = x
SHIFTED = UnivariateNet([1.0, -2.0, 3.0], [1.0, -1.0, 2.0], [0.1, 0.25, 0.9], -0.05)


@pytest.mark.parametrize("net", [IDENTITY, SHIFTED], ids=["identity", "three-neurons"])
@pytest.mark.parametrize("logit,flip,half", [("4*x", 0.1, 1), (DIP, 0.0, 1), (OSCILLATING, 0.2, 0.25)])
def test_certified_balls_contain_the_50_digit_reference(net, logit, flip, half):
    task = fp.LogisticTask(fp.uniform(-half, half), fp.parse_expression(logit), flip=flip)
    r = certified_population(net, task)
    err, bay = reference(net, logit, flip, -half, half)
    assert float(err.__abs__()) <= 1 and contains(r.error, err) and contains(r.bayes, bay)
    assert contains(r.excess, err - bay)
    assert max(float(r.error.rad()), float(r.bayes.rad())) < 1e-10        # and they are tight


def test_identity_classifier_is_bayes_optimal_exactly():
    """f(x) = x and g = 4x decide alike everywhere: the certified excess is the ball 0, and the error is
    p + (1 − 2p) ∫_0^1 s(−4x) dx = p + (1 − 2p)(1 − log((1 + e⁴)/2)/4) by hand."""
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.1)
    r = certified_population(IDENTITY, task)
    exact = 0.1 + 0.8 * (1 - math.log((1 + math.e ** 4) / 2) / 4)
    assert r.excess == 0 and abs(float(r.error.mid()) - exact) < 1e-14


def test_normal_law_tail_is_enclosed():
    """x ~ N(0.2, 1.5²), f = x, g = 4x, no flips: err = Bayes = E[s(−4|X|)], by mpmath on the whole line."""
    task = fp.LogisticTask(fp.normal(0.2, 1.5), fp.parse_expression("4*x"))
    r = certified_population(IDENTITY, task)
    with mp.workdps(50):
        mu, sd = mp.mpf(0.2), mp.mpf(1.5)
        dens = lambda x: mp.npdf(x, mu, sd)
        ref = mp.quad(lambda x: dens(x) / (1 + mp.exp(4 * abs(x))), [-mp.inf, 0, mp.inf])
    assert contains(r.error, ref) and contains(r.bayes, ref) and float(r.excess.upper()) < 1e-20


def test_quadpack_misses_the_dip_and_the_split_does_not():
    """The trap is real: QUADPACK on the whole interval misses the dip (wrong by > 1e-4 with an error estimate
    < 1e-12); split at the logit's zeros found on a grid, float mode agrees with the reference."""
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression(DIP))
    _, bay = reference(IDENTITY, DIP, 0.0)
    eta = task.prob_positive
    naive, est = integrate.quad(lambda t: 0.5 * float(min(eta(np.array([t]))[0], 1 - eta(np.array([t]))[0])),
                                -1, 1, limit=200)
    assert abs(naive - float(bay)) > 1e-4 and est < 1e-12
    val, e = bayes_error(task)
    assert abs(val - float(bay)) < 1e-8 and e < 1e-6


def test_logit_zeros_are_isolated_on_balls():
    """3 sin(200x) on [0.01, 0.5]: every undecided piece contains one of the zeros kπ/200 (k = 1..31), and
    each decided piece has the sign of sin at its midpoint."""
    F = ball_function(fp.parse_expression("3*sin(200*x)"), "jet")
    pieces = logit_sign_pieces(F, 0.01, 0.5, Budget(WorkBound()), 1.0)
    assert pieces[0][0] == 0.01 and pieces[-1][1] == 0.5
    assert all(b1 == a2 for (_, b1, _), (a2, _, _) in zip(pieces[:-1], pieces[1:], strict=True))
    zeros = [k * math.pi / 200 for k in range(1, 32)]
    undecided = [(a, b) for a, b, s in pieces if s == 0]
    assert len(undecided) == len(zeros)
    for (a, b), z in zip(undecided, zeros, strict=True):
        assert a - 1e-15 <= z <= b + 1e-15 and b - a < 1e-12
    for a, b, s in pieces:
        if s and b - a > 1e-9:
            assert s == np.sign(math.sin(200 * (a + b) / 2))


def test_network_sign_pieces_are_exact():
    """f = relu(x − 0.1) − 2 relu(−x − 0.25) + 3 relu(2x − 0.9) − 0.05, by hand: 2x + 0.45 < 0 on x < −0.25,
    −0.05 on [−0.25, 0.1], x − 0.15 on [0.1, 0.45] (zero at b₁ − β with the doubles 0.1 and −0.05), > 0 beyond."""
    from fractions import Fraction
    pieces = network_sign_pieces(SHIFTED, -1.0, 1.0)
    zero = Fraction(0.1) - Fraction(-0.05)
    assert pieces[0][0] == -1 and pieces[-1][1] == 1
    assert any(q == zero for _, q, _ in pieces)
    for p, _q, s in pieces:
        assert s == (1 if p >= zero else -1)


def _exact_f(net, x):
    """f(x) from the definition Σ v_i relu(w_i x − b_i) + β in exact rationals (the floats' binary values)."""
    from fractions import Fraction
    return Fraction(float(net.beta)) + sum(Fraction(float(v)) * max(Fraction(float(w)) * x - Fraction(float(b)), 0)
                                           for v, w, b in zip(net.v, net.w, net.b, strict=True))


@pytest.mark.parametrize("seed", range(12))
def test_affine_pieces_match_the_definition_exactly(seed):
    """Random networks with tied knots, knots on the ends of the window, w = 0 and v = 0 neurons, and knots one
    ulp apart: every piece's (A, B) reproduces f exactly at two interior rationals, the cuts are the distinct
    knots inside the window, and the merged sign pieces carry the sign of f at their midpoints."""
    from fractions import Fraction

    from flatproof.measures.certified_affine import affine_pieces, piecewise_affine
    rng = np.random.default_rng(seed)
    m = int(rng.integers(3, 40))
    w = rng.choice([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0], m) if seed % 2 else rng.standard_normal(m)
    b = rng.choice([-1.0, -0.5, 0.0, 0.25, 1.0], m) if seed % 3 else rng.standard_normal(m)
    if seed % 4 == 0:                                   # two knots one ulp apart and a duplicate
        w[:3], b[:3] = 1.0, [0.3, math.nextafter(0.3, 1), 0.3]
    v = rng.standard_normal(m)
    v[rng.random(m) < 0.15] = 0.0
    net = UnivariateNet(v, w, b, float(rng.standard_normal()))
    lo, hi = (-1.0, 1.0) if seed % 5 else (-0.5, 0.25)
    pieces = affine_pieces(net, lo, hi)
    knots = {Fraction(float(bi)) / Fraction(float(wi)) for bi, wi in zip(b, w, strict=True) if wi != 0}
    inside = sorted(t for t in knots if Fraction(lo) < t < Fraction(hi))
    assert [p for p, _, _, _ in pieces] == [Fraction(lo), *inside]
    assert [q for _, q, _, _ in pieces] == [*inside, Fraction(hi)]
    for p, q, A, B in pieces:
        for x in (p + (q - p) / 3, p + 2 * (q - p) / 3):
            assert A * x + B == _exact_f(net, x)
    for r, t, s in network_sign_pieces(net, lo, hi):
        assert s == (1 if _exact_f(net, (r + t) / 2) > 0 else -1)
    table = piecewise_affine(net, lo, hi)               # float mode's table: f to rounding
    xs = np.linspace(lo, hi, 101)
    scale = float(np.sum(np.abs(v) * (np.abs(w) * max(abs(lo), abs(hi)) + np.abs(b)))) + abs(net.beta)
    assert np.all(np.abs(table(xs) - np.array([float(_exact_f(net, Fraction(x))) for x in xs])) <= 1e-14 * scale)


def test_work_bound_gives_not_certified():
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("3*sin(2000*x)"), flip=0.1)
    with pytest.raises(NotCertified, match="ball evaluations"):
        certified_population(IDENTITY, task, WorkBound(logit_evaluations=200))
    undefined = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("log(x)"))
    with pytest.raises(NotCertified, match="not finite"):
        certified_population(IDENTITY, undefined)


# ----------------------------------------------------------------------------------------------
# float mode: vectorised Gauss–Kronrod on all pieces, within its stated error estimate
# ----------------------------------------------------------------------------------------------
def test_gauss_kronrod_pieces_are_exact_on_polynomials_and_honest_on_smooth_functions():
    """K15 integrates degree ≤ 22 exactly (closed forms by hand: ∫x²² = x²³/23, ∫x¹⁰ = x¹¹/11); on e^x and
    1/(1 + 400x²) (∫ = atan(20x)/20) the true error is below the estimate, itself below the tolerance's order."""
    from flatproof.measures.quadrature import integrate_pieces
    r = integrate_pieces(lambda x: np.stack([x ** 22, x ** 10]), [-1.0, 0.25, 2.0])
    exact = np.array([(2.0 ** 23 + 1) / 23, (2.0 ** 11 + 1) / 11])
    assert np.all(np.abs(r.values - exact) <= 4 * np.finfo(float).eps * exact)
    r = integrate_pieces(lambda x: np.stack([np.exp(x), 1 / (1 + 400 * x * x)]), [-3.0, 0.0, 1.5])
    exact = np.array([math.exp(1.5) - math.exp(-3), (math.atan(30) + math.atan(60)) / 20])
    assert np.all(np.abs(r.values - exact) <= r.errors) and np.all(r.errors < 1e-11)
    assert r.pieces > 2                                # the peak made it bisect


MANY_KNOTS = C.sign_fitting_network(*(lambda d: (d.x, d.y))(
    fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.3).sample(60, np.random.default_rng(3))))


@pytest.mark.parametrize("net", [IDENTITY, SHIFTED, MANY_KNOTS], ids=["identity", "three-neurons", "many-knots"])
@pytest.mark.parametrize("logit,flip,half", [("4*x", 0.1, 1), (DIP, 0.0, 1), (OSCILLATING, 0.2, 0.25)])
def test_float_population_errors_agree_with_the_50_digit_reference_within_their_estimate(net, logit, flip, half):
    from flatproof.measures.population import classification_error_with_error, population_errors
    task = fp.LogisticTask(fp.uniform(-half, half), fp.parse_expression(logit), flip=flip)
    err, e_err, bay, e_bay = population_errors(net, task)
    ref_err, ref_bay = reference(net, logit, flip, -half, half)
    assert abs(err - float(ref_err)) <= e_err and abs(bay - float(ref_bay)) <= e_bay
    assert e_err < 1e-12 and e_bay < 1e-12
    assert classification_error_with_error(net, task) == pytest.approx((err, e_err), abs=1e-15)


def test_float_bayes_error_of_a_normal_law_with_a_narrow_dip():
    """N(0.1, 1.2²), logit 4x − 12 exp(−((x − 0.3)/0.001)²), flip 0.2: E[min(η, 1 − η)] on the whole line by mpmath
    at 30 digits, split at the logit's three zeros (found here by findroot from a bracket scan)."""
    from flatproof.measures.population import population_errors
    task = fp.LogisticTask(fp.normal(0.1, 1.2), fp.parse_expression(DIP), flip=0.2)
    with mp.workdps(30):
        g = MP_LOGITS[DIP]
        zeros = [mp.mpf(0), mp.findroot(g, (mp.mpf("0.297"), mp.mpf("0.2999")), solver="bisect"),
                 mp.findroot(g, (mp.mpf("0.3001"), mp.mpf("0.303")), solver="bisect")]

        def h(x):
            eta = mp.mpf("0.2") + mp.mpf("0.6") / (1 + mp.exp(-g(x)))
            return min(eta, 1 - eta) * mp.npdf(x, mp.mpf("0.1"), mp.mpf("1.2"))
        ref = mp.quad(h, [-mp.inf, -5, -2, *zeros[:2], mp.mpf("0.3"), zeros[2], 2, 5, mp.inf])
    _, _, bay, e_bay = population_errors(IDENTITY, task)
    assert abs(bay - float(ref)) <= e_bay < 1e-12


# ----------------------------------------------------------------------------------------------
# the claims
# ----------------------------------------------------------------------------------------------
def _flat_instance(logit, flip=0.2, n=40, seed=7, c=6.0, half=1.0):
    task = fp.LogisticTask(fp.uniform(-half, half), fp.parse_expression(logit), flip=flip)
    data = task.sample(n, np.random.default_rng(seed))
    base = C.sign_fitting_network(data.x, data.y)
    return Instance("univariate", data, C.scale_to_infinity(base, c), fp.logistic_loss(), 0.0, task, base, c), base


@functools.cache
def _flat_reference(logit, half):
    """The instance of :func:`_flat_instance` and the 50-digit excess err − Bayes of its classifier."""
    inst, base = _flat_instance(logit, half=half)
    err, bay = reference(base, logit, 0.2, -half, half)
    return inst, float(err - bay), float(err)


@pytest.mark.parametrize("logit,half", [(DIP, 1.0), ("4*x + 3*sin(200*x)", 0.25)])
def test_flat_at_infinity_rigorous_verdict_is_right_near_the_true_excess(logit, half):
    """Δ a hair (3e-6) either side of the 50-digit excess: the rigorous verdict is the true one, certified."""
    inst, true_excess, err = _flat_reference(logit, half)
    claim = get_claim("logistic.flat-at-infinity")
    for delta, expected in ((true_excess - 3e-6, "holds"), (true_excess + 3e-6, "violated")):
        v = claim.check(inst, params={"epsilon": 1e-3, "excess": delta}, mode="rigorous")
        assert v.outcome == expected, v
        pop = next(c for c in v.comparisons if c.name.startswith("err(sign f)"))
        assert pop.certified and pop.value_interval[0] <= true_excess <= pop.value_interval[1]
        lo, hi = v.certificate["population_error_certified"]
        assert lo <= err <= hi


def test_flat_implies_bayes_rigorous_and_float_agree_with_the_reference():
    inst, true_excess, _ = _flat_reference(DIP, 1.0)
    claim = get_claim("logistic.flat-implies-bayes")
    for delta, expected in ((true_excess + 3e-6, "holds"), (true_excess - 3e-6, "violated")):
        for mode in ("rigorous", "float"):
            v = claim.check(inst, params={"eta": 1.0, "excess": delta}, mode=mode)
            assert v.outcome in ((expected,) if mode == "rigorous" else (expected, "inconclusive")), (mode, v)


def test_tiny_epsilon_is_the_threshold_itself():
    """ε = 1e-310 (2/ε overflows float64): λ_max at c_ε is compared with ε directly — never with a threshold
    of 0 (2/∞) or ∞ — and a holds is certified by an enclosure below ε (audit finding 07)."""
    inst, _ = _flat_instance("4*x")
    v = get_claim("logistic.flat-at-infinity").check(inst, params={"epsilon": 1e-310}, mode="rigorous")
    flat = v.comparisons[0]
    assert flat.bound == 1e-310 and v.certificate["threshold"] == 1e-310
    assert v.outcome in ("holds", "inconclusive"), v
    if flat.outcome == "holds":
        assert flat.certified and flat.value_interval[1] <= 1e-310


def test_rigorous_population_of_an_unparsed_logit_is_inconclusive():
    inst, _ = _flat_instance("4*x")
    task = fp.LogisticTask(fp.uniform(-1, 1), lambda x: 4 * np.asarray(x), flip=0.2)
    inst = Instance("univariate", inst.data, inst.net, inst.loss, 0.0, task, inst.base_net, inst.scale)
    v = get_claim("logistic.flat-at-infinity").check(inst, params={"epsilon": 1e-3}, mode="rigorous")
    assert v.outcome == "inconclusive" and any("integral not certified" in n for n in v.notes)


def test_ball_evaluation_walks_the_parsed_expression():
    """Value and derivative balls contain the 50-digit values of the same formula typed in mpmath here."""
    text = "3*sin(2*x) - relu(x)**2 / (1 + exp(-x)) + pi*abs(x) + e + sqrt(x) + 2**x + tanh(x)*cosh(x) - log(x)"
    expr = fp.parse_expression(text)
    jet, G = ball_function(expr, "jet"), ball_function(expr, "acb")

    def ref(x):
        return (3 * mp.sin(2 * x) - max(x, 0) ** 2 / (1 + mp.exp(-x)) + mp.pi * abs(x) + mp.e + mp.sqrt(x)
                + 2 ** x + mp.tanh(x) * mp.cosh(x) - mp.log(x))
    from flint import acb
    for x in (0.1, 0.7, 1.9):
        with mp.workdps(50):
            val, der = ref(mp.mpf(x)), mp.diff(ref, mp.mpf(x))
        v, d = jet(arb(x), False)
        assert contains(v, val) and contains(d, der) and contains(G(acb(x), True).real, val)
        assert abs(float(v.mid()) - float(expr(np.array([x]))[0])) < 1e-12
    # a ball across a kink or jump: enclosures, an undefined derivative for the jump of sign
    kink = ball_function(fp.parse_expression("relu(x) + sign(x)"), "jet")(arb(0, 0.5), False)
    assert kink[0].contains(arb(0)) and kink[0].contains(arb(1.5)) and not kink[1].is_finite()
    assert not ball_function(fp.parse_expression("log(x)"), "jet")(arb(0, 0.5), False)[0].is_finite()


@pytest.mark.parametrize("net", [UnivariateNet([1.0, -1.0], [2.0, -2.0], [0.1, -0.1], 0.0), SHIFTED],
                         ids=["2x-0.1", "three-neurons"])
def test_certified_region_excess_contains_the_50_digit_reference(net):
    """R_δ = hull{|f| ≤ τ} with s(τ)s(−τ) = δ solved by mpmath, the conditional KL by mp.quad (U[−1, 1], logit 6x,
    flip 0.1, δ = 0.1)."""
    from flatproof.measures.certified_integral import certified_region_excess
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("6*x"), flip=0.1)
    cert = certified_region_excess(net, task, 0.1, -1.0, 1.0)
    with mp.workdps(50):
        tau = mp.findroot(lambda t: 1 / ((1 + mp.exp(t)) * (1 + mp.exp(-t))) - mp.mpf(0.1), 2)
        f = mp_net(net)
        inside = [x for x in mp.linspace(-1, 1, 4001) if abs(f(x)) <= tau]
        step = mp.mpf(2) / 4000

        def edge(a, b):                               # the crossing of |f| = τ between a (inside) and b
            if abs(b) > 1:
                return a
            for _ in range(170):
                m = (a + b) / 2
                a, b = (m, b) if abs(f(m)) <= tau else (a, m)
            return a
        left, right = edge(inside[0], inside[0] - step), edge(inside[-1], inside[-1] + step)

        def kl(x):
            eta = mp.mpf(0.1) + mp.mpf(0.8) / (1 + mp.exp(-6 * x))
            s = 1 / (1 + mp.exp(-f(x)))
            return eta * mp.log(eta / s) + (1 - eta) * mp.log((1 - eta) / (1 - s))
        knots = [mp.mpf(float(b)) / mp.mpf(float(w)) for b, w in zip(net.b, net.w, strict=True)]
        cuts = sorted({left, right, *[t for t in knots if left < t < right]})
        ref = mp.quad(kl, cuts) / (right - left)
    assert contains(cert.left, left) and contains(cert.right, right)
    assert contains(cert.excess, ref) and float(cert.excess.rad()) < 1e-10


def test_region_generalisation_rigorous_agrees_with_float():
    """Both modes check the same statement: the certified conditional excess contains the float estimate (to its
    error estimate), and the verdicts agree, certified in rigorous mode and estimated in float mode."""
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("6*x"), flip=0.1)
    data = task.sample(30, np.random.default_rng(4))
    net = UnivariateNet([1.0, -1.0, 0.5], [2.0, -2.0, 1.0], [0.1, -0.1, 0.3], 0.05)
    inst = Instance("univariate", data, net, fp.logistic_loss(), 0.0, task)
    claim = get_claim("logistic.region-generalisation")
    v_f = claim.check(inst, params={"delta": 0.1, "excess": 0.05})
    v_r = claim.check(inst, params={"delta": 0.1, "excess": 0.05}, mode="rigorous")
    assert v_f.outcome == v_r.outcome and v_f.basis == "estimated" and v_r.basis == "certified"
    lo, hi = v_r.certificate["excess_inside_certified"]
    est = v_f.comparisons[0]
    assert lo - est.value_interval[1] <= 1e-9 and est.value_interval[0] - hi <= 1e-9 and hi - lo < 1e-9
