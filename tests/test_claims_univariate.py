"""Univariate claims and the measures behind them, against independent computations."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import flatproof as fp
from flatproof.claims import get_claim
from flatproof.instances.instance import Instance
from flatproof.measures.population import bayes_error, classification_error
from flatproof.measures.uncertain import level_set, uncertain_set
from flatproof.measures.weighted_tv import CurvatureWeight
from flatproof.model import constructions as C
from tests._instances import random_univariate, seeds


def instance(problem, net, task=None, **kw):
    return Instance("univariate", problem.data, net, problem.loss, problem.weight_decay, task, **kw)


def g_by_definition(x, d, t, plus):
    """g^±_μ(t) straight from U.4's definition, with Fractions-free loops (independent of the prefix sums)."""
    side = [(xj, dj) for xj, dj in zip(x, d, strict=True) if (xj > t if plus else xj < t)]
    W = sum(dj for _, dj in side)
    if W == 0:
        return 0.0
    P = W / sum(d)
    E = sum(dj * xj for xj, dj in side) / W
    gap = sum(dj * ((xj - t) if plus else (t - xj)) for xj, dj in side) / W
    return P ** 2 * gap * np.sqrt(1 + E ** 2)


@given(seeds, st.integers(1, 40), st.integers(1, 8))
def test_curvature_weight_matches_its_definition(seed, n, m):
    rng = np.random.default_rng(seed)
    x, d = rng.uniform(-2, 2, n), rng.uniform(0, 0.25, n)
    g = CurvatureWeight.from_data(x, d)
    for t in rng.uniform(-2.5, 2.5, m):
        assert g.plus(t)[0] == pytest.approx(g_by_definition(x, d, t, True), rel=1e-10, abs=1e-14)
        assert g.minus(t)[0] == pytest.approx(g_by_definition(x, d, t, False), rel=1e-10, abs=1e-14)


@given(seeds, st.integers(2, 40), st.integers(1, 8), st.sampled_from(["logistic", "square"]))
def test_weighted_tv_bound_holds_and_the_proof_direction_certifies_it(seed, n, m, loss):
    """U.4 on random θ: the claim never says violated, and the proof's own direction u = E_μ[∇f]
    (computed here from the dense Jacobian) has a Rayleigh quotient ≥ the bound."""
    problem, net = random_univariate(seed, n, m, loss)
    inst = instance(problem, net)
    v = get_claim("logistic.weighted-tv").check(inst)
    assert v.outcome in ("holds", "inconclusive"), v
    dense = fp.UnivariateDense(problem, net)
    J, H = dense.jacobian(), dense.hessian()
    d = problem.loss.d2(dense.forward(), problem.data.y)
    assert d.sum() > 0                     # logistic: d_j > 0; square loss: d_j = 1
    u = d @ J / d.sum()
    rq = u @ H @ u / (u @ u)
    assert rq >= v.bound - 1e-9 * max(1.0, abs(v.bound))
    assert np.linalg.eigvalsh(H)[-1] >= rq - 1e-9 * max(1.0, abs(rq))


def test_wrong_constant_in_the_weighted_tv_bound_is_caught():
    """A deliberately broken copy of U.4 (constant 2 → 200) must be reported violated on some instance."""
    outcomes = set()
    for seed in range(20):
        problem, net = random_univariate(seed, 30, 6, "square")
        outcomes.add(get_claim("logistic.weighted-tv").check(instance(problem, net), params={"factor": 200.0}).outcome)
    assert "violated" in outcomes


def test_uncertain_set_of_a_hand_network():
    """f(x) = (x)_+ − 1 on [−2, 2]: |f| ≤ τ is [1 − τ, 1 + τ] for τ < 1 and [−2, 1 + τ] for τ ≥ 1."""
    net = fp.UnivariateNet([1.0], [1.0], [0.0], -1.0)
    assert level_set(net, 0.5, -2, 2).intervals == ((0.5, 1.5),)
    assert level_set(net, 1.5, -2, 2).intervals == ((-2.0, 2.0),)
    assert level_set(net, 0.0, -2, 2).intervals == ((1.0, 1.0),)
    tau = fp.logit_width(0.2)
    U = uncertain_set(net, 0.2, -2, 2)
    assert U.intervals[0][0] == pytest.approx(1 - tau) and U.intervals[0][1] == pytest.approx(1 + tau)


@given(seeds, st.integers(1, 10), st.floats(0.01, 0.25))
def test_uncertain_set_agrees_with_a_grid(seed, m, delta):
    problem, net = random_univariate(seed, 5, m)
    tau = fp.logit_width(delta)
    U = uncertain_set(net, delta, -1.5, 1.5)
    grid = np.linspace(-1.5, 1.5, 3001)
    f = net(grid)
    clear = np.abs(np.abs(f) - tau) > 1e-9
    assert np.array_equal(U.contains(grid)[clear], (np.abs(f) <= tau)[clear])


def test_population_error_of_the_identity_classifier_is_the_bayes_error():
    """f(x) = x under x ~ U[−1, 1], P(y=1|x) = s(4x): err = ∫_0^1 s(−4x) dx = 1 − log((1 + e⁴)/2)/4 = Bayes."""
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"))
    net = fp.UnivariateNet([1.0, -1.0], [1.0, -1.0], [0.0, 0.0], 0.0)     # x_+ − (−x)_+ = x
    exact = 1 - np.log((1 + np.exp(4.0)) / 2) / 4
    assert classification_error(net, task) == pytest.approx(exact, abs=1e-10)
    assert bayes_error(task)[0] == pytest.approx(exact, abs=1e-10)
    flipped = fp.UnivariateNet([-1.0, 1.0], [1.0, -1.0], [0.0, 0.0], 0.0)  # −x: always wrong side
    assert classification_error(flipped, task) == pytest.approx(1 - exact, abs=1e-10)


@given(seeds, st.integers(2, 60))
def test_sign_fitting_network_interpolates_signs_with_knots_off_the_data(seed, n):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1, 1, n), rng.choice([-1.0, 1.0], n)
    net = C.sign_fitting_network(x, y)
    assert np.allclose(net(x), y, atol=1e-9)
    changes = int(np.sum(np.diff(y[np.argsort(x)]) != 0))
    assert net.m == max(2 * changes, 1)
    z = net.preactivations(x)
    assert np.all(np.abs(z) > 0)
    c = 3.0
    assert np.allclose(C.scale_to_infinity(net, c)(x), c * c * net(x))


def test_flat_at_infinity_bound_and_certified_flatness():
    """λ_max is certified at c_ε, the smallest scale ≥ c at which the U.5 bound reaches ε; at c = 1 the
    network is far from ε-flat, so c_ε > 1 there."""
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.2)
    data = task.sample(30, np.random.default_rng(3))
    base = C.sign_fitting_network(data.x, data.y)
    problem = fp.UnivariateProblem(data, fp.logistic_loss())
    for c in (6.0, 1.0):
        net = C.scale_to_infinity(base, c)
        inst = Instance("univariate", data, net, fp.logistic_loss(), 0.0, task, base, c)
        v = get_claim("logistic.flat-at-infinity").check(inst, params={"epsilon": 1e-3}, mode="rigorous")
        assert v.outcome == "holds" and v.basis == "certified", v       # every row certified, the population error too
        c_eps = v.certificate["c_epsilon"]
        assert c_eps >= c
        lam_eps = np.linalg.eigvalsh(fp.UnivariateDense(problem, C.scale_to_infinity(base, c_eps)).hessian())
        lo, hi = v.certificate["lambda_max_certified"]
        assert lo <= lam_eps[-1] <= hi <= 1e-3
        lam = np.linalg.eigvalsh(fp.UnivariateDense(problem, net).hessian())
        assert max(abs(lam[0]), abs(lam[-1])) <= v.certificate["hessian_norm_bound"]
        if c == 1.0:
            assert lam[-1] > 1e-3 and c_eps > 1.0


def test_flat_implies_bayes_is_refuted_and_needs_flatness():
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.2)
    data = task.sample(40, np.random.default_rng(7))
    base = C.sign_fitting_network(data.x, data.y)
    inst = Instance("univariate", data, C.scale_to_infinity(base, 6.0), fp.logistic_loss(), 0.0, task)
    assert get_claim("logistic.flat-implies-bayes").check(inst, params={"eta": 1.0}).outcome == "violated"
    sharp = Instance("univariate", data, base, fp.logistic_loss(), 0.0, task)   # c = 1 is far from flat
    assert get_claim("logistic.flat-implies-bayes").check(sharp, params={"eta": 100.0}).outcome == \
        "hypotheses-not-met"


@given(seeds, st.integers(3, 30), st.integers(1, 6))
def test_exact_univariate_claims_hold_on_random_instances(seed, n, m):
    problem, net = random_univariate(seed, n, m)
    inst = instance(problem, net)
    for cid in ("univariate.hessian-structure", "univariate.rescaling"):
        v = get_claim(cid).check(inst)
        assert v.outcome == "holds", (cid, [c.as_dict() for c in v.comparisons if c.outcome != "holds"])


@given(seeds, st.integers(3, 30), st.integers(1, 6))
def test_eta_flat_rigorous_agrees_with_dense_eigvalsh(seed, n, m):
    problem, net = random_univariate(seed, n, m)
    lam = np.linalg.eigvalsh(fp.UnivariateDense(problem, net).hessian())[-1]
    assert lam > 0                           # λ_max ≥ ∂²L/∂β² = D̄ > 0 (U.4)
    for eta, expect in ((1.0 / max(lam, 1e-3), "holds"), (4.0 / lam, "violated")):
        v = get_claim("univariate.eta-flat").check(instance(problem, net), params={"eta": eta}, mode="rigorous")
        assert v.outcome == expect
        lo, hi = v.comparisons[0].value_interval
        assert Fraction(lo) <= Fraction(float(lam)) + Fraction(1e-12) and Fraction(float(lam)) <= Fraction(hi) + \
            Fraction(1e-12)


def test_claim_at_a_kink_reports_hypotheses_not_met():
    data = fp.UnivariateData([-0.5, 0.0, 0.5], [1.0, -1.0, 1.0])
    net = fp.UnivariateNet([1.0], [1.0], [0.0], 0.0)                    # knot exactly at x = 0
    inst = Instance("univariate", data, net, fp.logistic_loss())
    for cid in ("logistic.weighted-tv", "univariate.eta-flat", "univariate.hessian-structure"):
        v = get_claim(cid).check(inst)
        assert v.outcome == "hypotheses-not-met"
        assert "kink" in v.hypotheses[-1].detail


def test_gradient_descent_decreases_the_loss_and_records_lambda_max():
    from flatproof.instances.train import gradient_descent
    problem, net = random_univariate(5, 40, 6)
    run = gradient_descent(problem, net, 0.1, 50, record_every=10)
    assert run.steps == 50 and run.stop_reason == "steps"
    assert run.history["loss"][-1] < run.history["loss"][0]
    lam = np.linalg.eigvalsh(fp.UnivariateDense(problem, run.net, at_kink="convention").hessian())[-1]
    assert run.history["lambda_max"][-1] == pytest.approx(lam, rel=1e-8)


def test_gd_runs_to_infinity_on_separable_data_without_overflow():
    """Separable labels: the loss → 0 and ‖θ‖ → ∞; GD stops by its norm or loss rule, never overflows."""
    from flatproof.instances.train import gradient_descent, logistic_monitor
    x = np.linspace(-1, 1, 20)
    data = fp.UnivariateData(x, np.where(x > 0.05, 1.0, -1.0))
    problem = fp.UnivariateProblem(data, fp.logistic_loss())
    net = C.random_univariate(4, np.random.default_rng(0), knot_range=(-0.9, 0.9))
    run = gradient_descent(problem, net, 4.0, 20000, record_every=500, max_norm=16.0, loss_tol=1e-12,
                           monitor=logistic_monitor(None, 0.1))
    assert run.stop_reason == "norm" and run.steps < 20000         # ‖θ‖ grows like log t: the norm rule stops it
    assert run.history["loss"][-1] < run.history["loss"][0]
    assert run.history["margin"][-1] > 0                          # separates the data
    assert all(np.isfinite(v) for v in run.history["lambda_max"])
    assert run.history["uncertain_length"][-1] < run.history["uncertain_length"][0]


def test_log_of_the_u5_bound_is_sympys_bound_and_never_underflows():
    """log_hessian_bound = log of sympy's e^{−c²γ}(c²G + ε₀) where the latter is a normal float, and stays finite
    (and decreasing) where the bound itself underflows — so c_ε for a subnormal ε is not chosen too small."""
    import math

    from flatproof.claims.logistic.flat_at_infinity import hessian_bound, log_hessian_bound
    for c, g, G, e0 in ((1.0, 1.0, 3.0, 0.5), (4.0, 0.3, 120.0, 1.1), (7.5, 2.0, 1e4, 0.01)):
        assert math.isclose(math.exp(log_hessian_bound(c, g, G, e0)), float(hessian_bound()(c, g, G, e0)),
                            rel_tol=1e-12)
    logs = [log_hessian_bound(c, 1.0, 1e3, 1.0) for c in (30.0, 40.0, 60.0)]      # the bound is < 1e-300 here
    assert all(math.isfinite(t) for t in logs) and logs[0] > logs[1] > logs[2] and logs[0] < math.log(1e-300)
