"""Homogeneous claims, the sympy orbit minimum and the flattest-interpolator LP, against independent references."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, reject
from hypothesis import strategies as st

import flatproof as fp
from flatproof.claims import get_claim
from flatproof.derivations.orbit import orbit_minimum
from flatproof.instances.instance import Instance
from flatproof.measures.homogeneous_flattest import flattest_relu_interpolator
from flatproof.model import constructions as C
from tests._instances import random_homogeneous, seeds


def interpolating_instance(seed, n, d, act):
    """The memoriser of random data (one neuron per sample) interpolates exactly."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = rng.standard_normal(n)
    net = C.memoriser(X, y, act)
    return Instance("homogeneous", fp.MultiIndexData(X, y), net, fp.square_loss(1.0))


def test_sympy_orbit_minimum_is_the_closed_form_and_the_true_minimum():
    om = orbit_minimum()
    A, B, k, c = om.A, om.B, om.k, om.c
    hand = (k + 1) * k ** (-k / (k + 1)) * A ** (1 / (k + 1)) * B ** (k / (k + 1))
    assert sp.simplify(sp.powsimp(sp.expand_power_base(om.F_sym / hand, force=True), force=True)) == 1
    assert sp.simplify(om.a_share - 1 / (k + 1)) == 0
    def prove(e):   # sympy needs the powers expanded and their exponents cancelled (k > 0, A, B > 0)
        e = sp.powsimp(sp.expand_power_base(sp.expand(e), force=True), force=True)
        return sp.simplify(e.replace(lambda t: t.is_Pow, lambda t: t.base ** sp.cancel(t.exp)))

    assert prove(sp.diff(om.F, c).subs(c, om.c_star)) == 0            # c* is critical
    assert prove(sp.diff(om.F, c, 2).subs(c, om.c_star)).is_positive  # and a minimum
    for a, b, kk in ((2.0, 3.0, 1.0), (0.5, 7.0, 2.0), (4.0, 0.1, 3.0)):
        grid = np.exp(np.linspace(-6, 6, 200001))
        brute = np.min(grid ** (2 * kk) * a + b / grid ** 2)
        assert om.F_sym_fn(a, b, kk) == pytest.approx(brute, rel=1e-8)


@given(seeds, st.integers(3, 12), st.integers(2, 5),
       st.sampled_from([fp.relu(), fp.relu_power(2), fp.abs_power(3), fp.leaky_relu(0.3)]))
def test_exact_homogeneous_claims_hold_on_interpolators(seed, n, d, act):
    try:
        inst = interpolating_instance(seed, n, d, act)
    except fp.InputError:                      # a singular memoriser system: not an instance
        reject()
    at_kink = inst.oracle().kinks.count > 0
    for cid in ("homogeneous.trace-at-interpolator", "homogeneous.orbit-minimum"):
        v = get_claim(cid).check(inst, params={"interpolation_tol": 1e-7})
        if at_kink and v.hypotheses[-1].name.startswith("θ is off every kink"):
            assert v.outcome == "hypotheses-not-met"
            continue
        resid = float(np.abs(inst.net(inst.data.X) - inst.data.y).max())
        if resid > 1e-7 * max(1.0, float(np.abs(inst.data.y).max())):   # an ill-conditioned memoriser
            assert v.outcome == "hypotheses-not-met" and not v.hypotheses[-1].met
            continue
        assert v.outcome == "holds", (cid, [c.as_dict() for c in v.comparisons if c.outcome != "holds"])


@given(seeds, st.integers(2, 20), st.integers(1, 6), st.integers(1, 5))
def test_relu_sample_bound_at_any_theta_both_modes(seed, n, d, m):
    rng = np.random.default_rng(seed)
    X, y = rng.standard_normal((n, d)), rng.standard_normal(n)
    net = fp.HomogeneousNet(rng.standard_normal(m), rng.standard_normal((m, d)), fp.relu())
    inst = Instance("homogeneous", fp.MultiIndexData(X, y), net, fp.square_loss(1.0))
    for mode in ("float", "rigorous"):
        v = get_claim("homogeneous.relu-sample-bound").check(inst, mode=mode)
        assert v.outcome in ("holds", "inconclusive"), v
    # independent: the bound is Cauchy–Schwarz on each neuron
    Z = np.maximum(X @ net.W.T, 0)
    act = (X @ net.W.T > 0).astype(float)
    nx = np.linalg.norm(X, axis=1)
    for j in range(m):
        assert np.sqrt(Z[:, j] @ Z[:, j] * (nx ** 2 @ act[:, j])) >= nx @ Z[:, j] * (1 - 1e-12)


def test_not_interpolating_is_hypotheses_not_met():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.standard_normal(10)
    net = fp.HomogeneousNet(rng.standard_normal(4), rng.standard_normal((4, 3)), fp.relu())
    inst = Instance("homogeneous", fp.MultiIndexData(X, y), net, fp.square_loss(1.0))
    assert get_claim("homogeneous.orbit-minimum").check(inst).outcome == "hypotheses-not-met"


def test_flattest_lp_recovers_the_teacher_and_is_dual_certified():
    rng = np.random.default_rng(0)
    task = fp.MultiIndexTask.random(6, 2, lambda t: np.maximum(t, 0), 0.0, rng)
    data = task.sample(80, rng)
    D = np.vstack([rng.standard_normal((300, 6)), task.U.T])
    res = flattest_relu_interpolator(data.X, data.y, D)
    assert res.interpolation_residual < 1e-9
    assert res.duality_gap <= 1e-8 * res.lp_value
    # the active atoms are exactly the teacher directions, with weight 1
    assert sorted(res.active.tolist()) == [300, 301]
    assert np.allclose(np.sort(res.net.a), [1.0, 1.0], atol=1e-8)
    # F_min from the LP equals (4/n) Σ G |β| computed independently for the teacher
    Z = data.X @ task.U                          # the teacher's unit directions, G(ŵ) of M.3 by hand for k = 1
    G = np.sqrt(np.sum(np.maximum(Z, 0.0) ** 2, axis=0) * (np.sum(data.X ** 2, axis=1) @ (Z > 0)))
    assert res.F_min == pytest.approx(4.0 / 80 * G.sum(), rel=1e-9)


def test_gaussian_constant_against_quadrature():
    """((2k−1)!!/2)^{1/(k+1)} (k²(2k−3)!!(d+2k−2)/2)^{k/(k+1)} from the two Gaussian moments by quadrature:
    E[t^{2k} 1{t>0}] and E[k² t^{2k−2} 1{t>0} (t² + (d − 1))] for t ~ N(0, 1)."""
    from scipy import integrate, stats

    from flatproof.measures.homogeneous_orbit import gaussian_constant
    np.seterr(under="ignore")                     # the Gaussian tail underflows inside quad, harmlessly
    for k in (1, 2, 3):
        for d in (1, 5, 20):
            m1 = integrate.quad(lambda t, k=k: t ** (2 * k) * stats.norm.pdf(t), 0, np.inf)[0]
            m2 = integrate.quad(
                lambda t, k=k, d=d: k * k * t ** (2 * k - 2) * (t * t + d - 1) * stats.norm.pdf(t), 0, np.inf)[0]
            assert gaussian_constant(k, d) == pytest.approx(m1 ** (1 / (k + 1)) * m2 ** (k / (k + 1)), rel=1e-10)


@given(seeds, st.integers(2, 15), st.integers(1, 4), st.integers(1, 4), st.sampled_from([1, 2, 3]), st.integers(1, 6))
def test_factorisation_and_splitting_on_random_networks(seed, n, d, m, k, N):
    from flatproof.measures.homogeneous_orbit import f_sym, f_sym_factorised, split_neuron, trace_blocks
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    net = fp.HomogeneousNet(rng.standard_normal(m), rng.standard_normal((m, d)), fp.relu_power(k))
    A, B = trace_blocks(net, X)
    assert f_sym_factorised(net, X) == pytest.approx(f_sym(A, B, k), rel=1e-10, abs=1e-300)
    s = split_neuron(net, 0, N)
    assert np.allclose(s(X), net(X), rtol=1e-12, atol=1e-12)
    As, Bs = trace_blocks(s, X)
    assert f_sym(As[-N:], Bs[-N:], k) == pytest.approx(N ** ((1 - k) / (k + 1)) * f_sym(A[:1], B[:1], k), rel=1e-10,
                                                       abs=1e-300)


def test_one_gd_step_changes_the_conserved_quantity_by_eta_squared_terms():
    """q_j = ‖w_j‖² − k a_j² after one explicit GD step, against finite-difference gradients."""
    from tests._instances import central_gradient
    problem, net = random_homogeneous(3, 12, 3, 4, fp.relu_power(2))
    theta = net.to_vector()
    loss = lambda t: fp.HomogeneousOracle(problem, fp.HomogeneousNet.from_vector(t, 4, 3, net.activation)).loss()
    g = central_gradient(loss, theta, h=1e-6)
    eta = 0.01
    new = fp.HomogeneousNet.from_vector(theta - eta * g, 4, 3, net.activation)
    q0 = np.sum(net.W ** 2, 1) - 2 * net.a ** 2
    q1 = np.sum(new.W ** 2, 1) - 2 * new.a ** 2
    ga, gW = g[:4], g[4:].reshape(4, 3)
    assert np.allclose(q1 - q0, eta ** 2 * (np.sum(gW ** 2, 1) - 2 * ga ** 2), rtol=1e-5, atol=1e-10)


@pytest.mark.parametrize("act, link", [("relu", "relu(x)"), ("relu^2", "relu(x)**2"), ("relu^3", "relu(x)**3"),
                                       ("leaky_relu(0.2)", "relu(x)"), ("abs^1", "relu(x)")])
def test_memoriser_sharper_checks_its_relu_hypothesis(act, link):
    """M.4's memoriser probe is a ReLU observation: with ρ = 0 (a ratio of positive numbers always passes it)
    any other σ, k ≥ 2 included, must give hypotheses-not-met, never holds."""
    from flatproof.casefile import load_case_dict
    doc = {"case": {"claim": "homogeneous.memoriser-sharper"}, "params": {"ratio": 0.0},
           "data": {"generator": "multi-index", "d": 8, "r": 2, "n": 8, "seed": 3, "link": link},
           "model": {"kind": "homogeneous", "construction": "memoriser", "activation": act}}
    v = load_case_dict(doc, "<memoriser>").verify()
    relu = next(h for h in v.hypotheses if h.name == "σ = ReLU (k = 1)")
    assert relu.met == (act == "relu")
    assert v.outcome == ("holds" if act == "relu" else "hypotheses-not-met")


def test_memoriser_sharper_with_a_teacher_dead_on_the_data_is_not_a_division_by_zero():
    """r = 1, n = d = 5, seed 214: u₁ᵀx_i ≤ 0 for every point, so the teacher (and the memoriser, y = 0) have
    F_sym = 0 and the ratio is 0/0 — hypotheses-not-met (it used to raise ZeroDivisionError inside check)."""
    from flatproof.casefile import load_case_dict
    doc = {"case": {"claim": "homogeneous.memoriser-sharper"}, "params": {"ratio": 1.0},
           "data": {"generator": "multi-index", "d": 5, "r": 1, "n": 5, "seed": 214, "link": "relu(x)"},
           "model": {"kind": "homogeneous", "construction": "memoriser"}}
    case = load_case_dict(doc, "<memoriser>")
    assert np.all(case.instance.data.X @ case.instance.task.U <= 0)
    v = case.verify()
    assert v.outcome == "hypotheses-not-met" and not v.hypotheses[-1].met
