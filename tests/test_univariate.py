"""Univariate curvature (flatproof math U.2): finite differences, exact rationals, fast path vs dense path."""

from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from _instances import central_gradient, central_jacobian, random_univariate, rel, univariate_instances
from hypothesis import given
from hypothesis import strategies as st

import flatproof as fp


def oracle_at(problem, theta, method="fast"):
    return fp.univariate_oracle(problem, fp.UnivariateNet.from_vector(theta), method=method)


@given(univariate_instances())
def test_fast_path_equals_dense_path(inst):
    problem, net = inst
    fast, dense = fp.UnivariateFast(problem, net), fp.UnivariateDense(problem, net)
    assert rel(fast.forward(), dense.forward()) <= 1e-10
    assert rel(fast.forward(), net(problem.data.x)) <= 1e-10
    assert fast.loss() == pytest.approx(dense.loss(), rel=1e-12)
    assert rel(fast.gradient(), dense.gradient()) <= 1e-10
    assert fast.trace() == pytest.approx(dense.trace(), rel=1e-10)
    rng = np.random.default_rng(0)
    for _ in range(3):
        u = rng.standard_normal(net.num_params)
        assert rel(fast.hvp(u), dense.hvp(u)) <= 1e-10
        assert rel(fast.gauss_newton_hvp(u), dense.gauss_newton_hvp(u)) <= 1e-10
    a1, c1 = fast.functional_blocks()
    a2, c2 = dense.functional_blocks()
    assert rel(a1, a2) <= 1e-10 and rel(c1, c2) <= 1e-10


@given(univariate_instances(max_n=30, max_m=6))
def test_gradient_and_hessian_match_central_differences(inst):
    problem, net = inst
    theta = net.to_vector()
    o = fp.UnivariateFast(problem, net)
    g_fd = central_gradient(lambda t: oracle_at(problem, t).loss(), theta)
    assert np.allclose(o.gradient(), g_fd, rtol=1e-5, atol=1e-7)
    H_fd = central_jacobian(lambda t: oracle_at(problem, t).gradient(), theta)
    H = o.hessian()
    assert np.allclose(H, H_fd, rtol=1e-5, atol=1e-7 * max(1.0, np.abs(H).max()))


@given(univariate_instances())
def test_hessian_structure(inst):
    """H = H_GN + H_F + λI; H_GN ⪰ 0; tr H_F = 0; the 3×3 blocks have eigenvalues ±√(a²+c²), 0."""
    problem, net = inst
    o = fp.UnivariateDense(problem, net)
    GN, HF = o.hessian_parts()
    H = o.hessian()
    assert np.allclose(H, GN + HF + problem.weight_decay * np.eye(net.num_params), atol=1e-14)
    assert np.linalg.eigvalsh(GN).min() >= -1e-12 * max(1.0, np.abs(GN).max())
    assert abs(np.trace(HF)) == 0.0
    a, c = o.functional_blocks()
    m = net.m
    for i in range(m):
        idx = [i, m + i, 2 * m + i]
        block = HF[np.ix_(idx, idx)]
        r = np.hypot(a[i], c[i])
        assert np.allclose(np.sort(np.linalg.eigvalsh(block)), [-r, 0.0, r], atol=1e-14)
    eig = np.linalg.eigvalsh(HF)
    eps_F = fp.UnivariateFast(problem, net).epsilon_F()
    assert eig.max() == pytest.approx(eps_F, rel=1e-10, abs=1e-15)
    assert np.trace(H) == pytest.approx(o.trace(), rel=1e-10, abs=1e-14)


def _sympy_loss(xq, yq, vq, wq, bq, betaq, loss):
    """The loss as a sympy expression of symbols (v, w, b, β), with the activation pattern fixed
    by the exact rational point (never through Max, whose second derivative is DiracDelta)."""
    m = len(vq)
    v, w, b = sp.symbols(f"v0:{m}"), sp.symbols(f"w0:{m}"), sp.symbols(f"b0:{m}")
    beta = sp.Symbol("beta")
    terms = []
    for xj, yj in zip(xq, yq, strict=True):
        f = beta + sum(v[i] * (w[i] * xj - b[i]) for i in range(m) if wq[i] * xj - bq[i] > 0)
        terms.append(sp.Rational(1, 2) * (f - yj) ** 2 if loss == "square" else sp.log(1 + sp.exp(-yj * f)))
    params = [*v, *w, *b, beta]
    point = dict(zip(params, [*vq, *wq, *bq, betaq], strict=True))
    return sp.Add(*terms) / len(xq), params, point


@pytest.mark.parametrize("seed", range(6))
def test_dense_hessian_equals_exact_rational_hessian(seed):
    """Square loss: every Hessian entry is a rational number; sympy computes it exactly."""
    rng = np.random.default_rng(seed)
    n, m = 5, 3
    q = lambda a: [Fraction(int(round(t * 64)), 64) for t in a]
    xq, yq = q(rng.uniform(-1, 1, n)), q(rng.normal(size=n))
    vq, wq, bq = q(rng.normal(size=m)), q(rng.normal(size=m) + 0.1), q(rng.normal(size=m) * 0.5)
    betaq = Fraction(1, 3)
    assert not any(w * x - b == 0 for w, b in zip(wq, bq, strict=True) for x in xq)   # off every kink, exactly
    L, params, point = _sympy_loss(xq, yq, vq, wq, bq, betaq, "square")
    H_exact = sp.hessian(L, params).subs(point)
    net = fp.UnivariateNet(np.array(vq, float), np.array(wq, float), np.array(bq, float), float(betaq))
    problem = fp.UnivariateProblem(fp.UnivariateData(np.array(xq, float), np.array(yq, float)), fp.square_loss())
    H = fp.UnivariateDense(problem, net).hessian()
    H_ref = np.array(H_exact.evalf(30).tolist(), dtype=float)
    assert all(entry.is_Rational for entry in H_exact)
    assert np.allclose(H, H_ref, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("seed", range(3))
def test_logistic_hessian_equals_30_digit_symbolic_hessian(seed):
    rng = np.random.default_rng(100 + seed)
    n, m = 4, 2
    q = lambda a: [Fraction(int(round(t * 32)), 32) for t in a]
    xq = q(rng.uniform(-1, 1, n))
    yq = [1 if t > 0.5 else -1 for t in rng.random(n)]
    vq, wq, bq = q(rng.normal(size=m)), q(rng.normal(size=m) + 0.1), q(rng.normal(size=m) * 0.5)
    assert not any(w * x - b == 0 for w, b in zip(wq, bq, strict=True) for x in xq)   # off every kink, exactly
    L, params, point = _sympy_loss(xq, yq, vq, wq, bq, Fraction(-1, 5), "logistic")
    H_ref = np.array(sp.hessian(L, params).subs(point).evalf(30).tolist(), dtype=float)
    net = fp.UnivariateNet(np.array(vq, float), np.array(wq, float), np.array(bq, float), -0.2)
    problem = fp.UnivariateProblem(fp.UnivariateData(np.array(xq, float), np.array(yq, float)), fp.logistic_loss())
    for method in ("dense", "fast"):
        H = fp.univariate_oracle(problem, net, method=method).hessian()
        assert np.allclose(H, H_ref, rtol=1e-13, atol=1e-15)


def test_stationary_point_kills_functional_blocks_of_live_neurons():
    """U.2: at a stationary point a_i = ∂L/∂w_i / v_i and c_i = ∂L/∂b_i / v_i, so both vanish."""
    problem, net = random_univariate(7, 40, 5)
    o = fp.UnivariateFast(problem, net)
    g = o.gradient()
    a, c = o.functional_blocks()
    m = net.m
    assert np.allclose(a * net.v, g[m:2 * m], rtol=1e-12, atol=1e-15)
    assert np.allclose(c * net.v, g[2 * m:3 * m], rtol=1e-12, atol=1e-15)


def test_kinks_are_reported_not_differentiated():
    net = fp.UnivariateNet([1.0, -0.5], [2.0, -1.0], [0.5, 0.3], 0.0)   # knots 0.25, -0.3
    data = fp.UnivariateData([0.25, -0.5, 0.75, -0.3], [1, -1, 1, 1])
    problem = fp.UnivariateProblem(data, fp.logistic_loss())
    for method in ("fast", "dense"):
        o = fp.univariate_oracle(problem, net, method=method)
        assert o.kinks.count == 2
        assert set(o.kinks.examples) == {(0, 0), (3, 1)}
        with pytest.raises(fp.KinkError):
            o.hessian()
        with pytest.raises(fp.KinkError):
            o.gradient()
        assert np.isfinite(o.loss())
        conv = fp.univariate_oracle(problem, net, method=method, at_kink="convention")
        assert conv.hessian().shape == (7, 7)


@given(univariate_instances(max_n=40, max_m=8), st.floats(1e-12, 1e-3))
def test_kink_counts_agree_between_paths(inst, tol):
    problem, net = inst
    x = problem.data.x
    # move one knot onto a data point, nudged by less than the tolerance
    t = x[0] * (1 + 0.5 * tol)
    net = fp.UnivariateNet(net.v, np.r_[1.0, net.w[1:]], np.r_[t, net.b[1:]], net.beta)
    k_fast = fp.UnivariateFast(problem, net, kink_tol=tol).kinks.count
    k_dense = fp.UnivariateDense(problem, net, kink_tol=tol).kinks.count
    assert k_fast == k_dense >= 1


def test_tv1_sums_slope_jumps_per_distinct_knot():
    # knots 0.5 (two neurons, jumps 2·1 and −1·2 cancel) and −1 (jump 3·1): TV(f') = 0 + 3
    net = fp.UnivariateNet([2.0, -1.0, 3.0], [1.0, 2.0, -1.0], [0.5, 1.0, 1.0], 0.0)
    assert net.tv1() == pytest.approx(3.0)
    grid = np.linspace(-3, 3, 6001)
    slopes = np.diff(net(grid)) / np.diff(grid)
    assert np.sum(np.abs(np.diff(slopes))) == pytest.approx(3.0, rel=1e-6)


def test_weight_decay_adds_lambda_identity():
    problem, net = random_univariate(3, 20, 4, wd=0.0)
    wd_problem = fp.UnivariateProblem(problem.data, problem.loss, 0.3)
    H0 = fp.UnivariateFast(problem, net).hessian()
    H1 = fp.UnivariateFast(wd_problem, net).hessian()
    assert np.allclose(H1 - H0, 0.3 * np.eye(net.num_params), atol=1e-14)


def test_huge_margins_do_not_overflow():
    problem, net = random_univariate(5, 30, 4)
    big = fp.UnivariateNet(net.v * 1e3, net.w * 1e3, net.b * 1e3, net.beta * 1e6)
    o = fp.UnivariateFast(problem, big)
    assert np.all(np.isfinite([o.loss(), o.trace(), *o.gradient()]))


def test_bad_shapes_are_refused():
    with pytest.raises(fp.InputError, match="'w'"):
        fp.UnivariateNet([1.0, 2.0], [1.0], [0.0, 0.0])
    with pytest.raises(fp.InputError, match="NaN"):
        fp.UnivariateNet([np.nan], [1.0], [0.0])
    problem, net = random_univariate(1, 5, 2)
    with pytest.raises(fp.InputError, match="length 7"):
        fp.UnivariateFast(problem, net).hvp(np.ones(3))
    with pytest.raises(fp.InputError, match="labels"):
        fp.UnivariateProblem(fp.UnivariateData([0.0], [0.5]), fp.logistic_loss())


@pytest.mark.parametrize("loss", ["logistic", "square"])
def test_constant_neurons_with_zero_w(loss):
    """w_i = 0: the neuron is active on every point when b_i < 0 and on none when b_i > 0."""
    problem, net = random_univariate(9, 25, 4, loss=loss)
    net = fp.UnivariateNet(np.r_[net.v, 0.7, -1.1], np.r_[net.w, 0.0, 0.0], np.r_[net.b, -0.4, 0.9], net.beta)
    fast, dense = fp.UnivariateFast(problem, net), fp.UnivariateDense(problem, net)
    assert fast.kinks.count == dense.kinks.count == 0
    assert rel(fast.forward(), dense.forward()) <= 1e-12
    assert rel(fast.gradient(), dense.gradient()) <= 1e-12
    assert np.allclose(fast.hessian(), dense.hessian(), rtol=1e-12, atol=1e-14)
    assert fast.trace() == pytest.approx(dense.trace(), rel=1e-12)
    zero_zero = fp.UnivariateNet([1.0], [0.0], [0.0], 0.0)     # pre-activation 0 everywhere
    assert fp.UnivariateFast(problem, zero_zero).kinks.count == problem.data.n
