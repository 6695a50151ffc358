"""Homogeneous network curvature (flatproof math M.1–M.3): finite differences and the interpolator identities."""

import numpy as np
import pytest
from _instances import ACTIVATIONS, central_gradient, central_jacobian, homogeneous_instances, random_homogeneous, rel
from hypothesis import given

import flatproof as fp


def at(problem, net, theta):
    return fp.HomogeneousOracle(problem, fp.HomogeneousNet.from_vector(theta, net.m, net.d, net.activation),
                                at_kink="convention")


@given(homogeneous_instances())
def test_gradient_hessian_trace_match_central_differences(inst):
    problem, net = inst
    o = fp.HomogeneousOracle(problem, net)
    assert o.kinks.count == 0   # Gaussian data: no pre-activation is exactly 0
    theta = net.to_vector()
    scale = max(1.0, float(np.abs(o.gradient()).max()))
    g_fd = central_gradient(lambda t: at(problem, net, t).loss(), theta, h=1e-6)
    assert np.allclose(o.gradient(), g_fd, rtol=1e-5, atol=1e-6 * scale)
    H = o.hessian()
    H_fd = central_jacobian(lambda t: at(problem, net, t).gradient(), theta, h=1e-6)
    assert np.allclose(H, H_fd, rtol=1e-5, atol=1e-6 * max(1.0, np.abs(H).max()))
    assert o.trace() == pytest.approx(np.trace(H), rel=1e-10, abs=1e-12)
    u = np.random.default_rng(1).standard_normal(net.num_params)
    assert rel(o.hvp(u), H @ u) <= 1e-12


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: a.name)
def test_interpolator_hessian_is_gauss_newton(act):
    """M.2: at an interpolator ∇²L̂ = (2/n)JᵀJ, PSD, rank ≤ n, F = Σ_j (A_j + B_j)."""
    rng = np.random.default_rng(3)
    n, d, m = 7, 4, 3
    X = rng.normal(size=(n, d))
    net = fp.HomogeneousNet(rng.normal(size=m), rng.normal(size=(m, d)), act)
    problem = fp.HomogeneousProblem(fp.MultiIndexData(X, net(X)), fp.square_loss(1.0))
    o = fp.HomogeneousOracle(problem, net)
    J = o.jacobian()
    H = o.hessian()
    scale = np.abs(H).max()
    assert np.allclose(H, 2.0 / n * J.T @ J, atol=1e-12 * scale)
    eig = np.linalg.eigvalsh(H)
    assert eig.min() >= -1e-12 * scale
    assert np.sum(eig > 1e-9 * scale) <= n
    nonzero = np.sort(eig)[-n:]
    assert np.allclose(nonzero, np.sort(2.0 / n * np.linalg.eigvalsh(J @ J.T)), atol=1e-10 * scale)
    A, B = o.trace_blocks()
    assert o.trace() == pytest.approx(np.sum(A + B), rel=1e-12)
    # A_j, B_j as written in M.2
    Z = X @ net.W.T
    A2 = 2 / n * np.sum(act.sigma(Z) ** 2, axis=0)
    B2 = 2 / n * net.a ** 2 * np.sum(act.d1(Z) ** 2 * np.sum(X * X, axis=1)[:, None], axis=0)
    assert np.allclose(A, A2, rtol=1e-13) and np.allclose(B, B2, rtol=1e-13)


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: a.name)
def test_rescaling_null_direction_and_covariance(act):
    """M.3: J v_j = 0 for v_j = (−k a_j e_j; w_j), and ∇²L̂(T_cθ) = S⁻¹ ∇²L̂(θ) S⁻¹ at any θ."""
    problem, net = random_homogeneous(11, 9, 3, 3, act)
    o = fp.HomogeneousOracle(problem, net)
    m, d, k = net.m, net.d, act.k
    for j in range(m):
        vj = np.zeros(net.num_params)
        vj[j] = -k * net.a[j]
        vj[m + j * d:m + (j + 1) * d] = net.W[j]
        assert np.linalg.norm(o.jvp(vj)) <= 1e-12 * np.linalg.norm(o.jacobian())
    c = np.array([0.5, 2.0, 1.3])
    scaled = fp.HomogeneousNet(net.a * c ** (-k), net.W * c[:, None], act)
    o2 = fp.HomogeneousOracle(problem, scaled)
    assert o2.loss() == pytest.approx(o.loss(), rel=1e-12)
    S = np.concatenate([c ** (-k), np.repeat(c, d)])
    H2 = o2.hessian()
    assert np.allclose(H2, o.hessian() / np.outer(S, S), rtol=1e-10, atol=1e-12 * np.abs(H2).max())


def test_kink_refused_for_nonsmooth_activation_only():
    X = np.array([[1.0, 0.0], [0.0, 1.0]])
    W = np.array([[0.0, 1.0]])  # w_1ᵀ x_1 = 0
    data = fp.MultiIndexData(X, np.array([0.5, 1.0]))
    problem = fp.HomogeneousProblem(data, fp.square_loss(1.0))
    relu_o = fp.HomogeneousOracle(problem, fp.HomogeneousNet([1.0], W, fp.relu()))
    assert relu_o.kinks.count == 1
    with pytest.raises(fp.KinkError):
        relu_o.hessian()
    relu2 = fp.HomogeneousOracle(problem, fp.HomogeneousNet([1.0], W, fp.relu_power(2)))
    relu2.gradient()                          # σ = ReLU² is C¹: the gradient exists at a kink
    with pytest.raises(fp.KinkError):
        relu2.hessian()                       # … its Hessian does not
    smooth = fp.HomogeneousOracle(problem, fp.HomogeneousNet([1.0], W, fp.abs_power(2)))
    assert smooth.kinks.count == 0 and np.all(np.isfinite(smooth.hessian()))


def test_activation_homogeneity_and_euler():
    t = np.linspace(-3, 3, 61)
    t = t[t != 0]
    for act in ACTIVATIONS:
        for c in (0.3, 2.5):
            assert np.allclose(act.sigma(c * t), c ** act.k * act.sigma(t), rtol=1e-13)
        assert np.allclose(t * act.d1(t), act.k * act.sigma(t), rtol=1e-13, atol=1e-15)
        h = 1e-6
        assert np.allclose(act.d1(t), (act.sigma(t + h) - act.sigma(t - h)) / (2 * h), rtol=1e-6, atol=1e-8)
        assert np.allclose(act.d2(t), (act.d1(t + h) - act.d1(t - h)) / (2 * h), rtol=1e-6, atol=1e-6)


def test_parse_activation():
    assert fp.parse_activation("relu^3") == fp.relu_power(3)
    assert fp.parse_activation("leaky_relu(0.1)") == fp.leaky_relu(0.1)
    assert fp.parse_activation("abs^2") == fp.abs_power(2)
    for bad in ("tanh", "relu^0", "leaky_relu(2)", "relu^-1", "__import__('os')"):
        with pytest.raises(fp.InputError, match="activation"):
            fp.parse_activation(bad)


def test_relu_hessian_equals_exact_rational_hessian():
    """Square loss (factor 1), ReLU: with the activation pattern fixed by an exact rational point,
    L̂ is a polynomial and sympy's Hessian is exact."""
    from fractions import Fraction

    import sympy as sp

    rng = np.random.default_rng(21)
    n, d, m = 5, 2, 2
    q = lambda a: [[Fraction(int(round(t * 16)), 16) for t in row] for row in np.atleast_2d(a)]
    Xq, Wq = q(rng.normal(size=(n, d))), q(rng.normal(size=(m, d)))
    aq, yq = q(rng.normal(size=m))[0], q(rng.normal(size=n))[0]
    a = sp.symbols(f"a0:{m}")
    W = [sp.symbols(f"w{j}_0:{d}") for j in range(m)]
    L = 0
    for xi, yi in zip(Xq, yq, strict=True):
        f = sum(a[j] * sum(W[j][k] * xi[k] for k in range(d)) for j in range(m)
                if sum(Wq[j][k] * xi[k] for k in range(d)) > 0)
        L += (f - yi) ** 2
    L = L / n
    params = [*a, *[s for row in W for s in row]]
    point = dict(zip(params, [*aq, *[t for row in Wq for t in row]], strict=True))
    H_exact = sp.hessian(L, params).subs(point)
    assert all(e.is_Rational for e in H_exact)
    net = fp.HomogeneousNet(np.array(aq, float), np.array(Wq, float))
    problem = fp.HomogeneousProblem(fp.MultiIndexData(np.array(Xq, float), np.array(yq, float)), fp.square_loss(1.0))
    H = fp.HomogeneousOracle(problem, net).hessian()
    assert np.allclose(H, np.array(H_exact.evalf(30).tolist(), dtype=float), rtol=1e-13, atol=1e-14)
