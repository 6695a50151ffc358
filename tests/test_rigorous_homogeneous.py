"""Certified homogeneous enclosures (trace, Rayleigh quotient, λ_max bracket) against mpmath at 50 digits."""

from __future__ import annotations

from collections.abc import Iterator

import mpmath
import numpy as np
import pytest
from _instances import ACTIVATIONS, random_homogeneous

import flatproof as fp
from flatproof.measures.rigorous_homogeneous import HomogeneousIntervals, gershgorin_upper, matmul, psd_lambda_max_upper


@pytest.fixture(autouse=True)
def fifty_digits() -> Iterator[None]:
    """Every value in this module is computed at 50 digits (mpmath's precision is global: restored afterwards)."""
    with mpmath.workdps(50):
        yield


def _act_mp(act: fp.Activation, z: mpmath.mpf) -> tuple[mpmath.mpf, mpmath.mpf, mpmath.mpf]:
    """σ, σ', σ'' at z ≠ 0 (or any z for a polynomial), from the family's definition."""
    k = act.k
    if act.family == "abs_power":
        t = abs(z)
        s = 1 if z > 0 else -1
        return t ** k, k * t ** (k - 1) * s, (k * (k - 1) * t ** (k - 2) if k > 1 else mpmath.mpf(0))
    if z > 0:
        return z ** k, k * z ** (k - 1), (k * (k - 1) * z ** (k - 2) if k > 1 else mpmath.mpf(0))
    if act.family == "leaky_relu":
        al = mpmath.mpf(act.alpha)
        return al * z, al, mpmath.mpf(0)
    return mpmath.mpf(0), mpmath.mpf(0), mpmath.mpf(0)


def hessian_mp(problem: fp.HomogeneousProblem, net: fp.HomogeneousNet) -> mpmath.matrix:
    """∇²L at 50 digits from the float data (exact binary values), entry by entry."""
    X = [[mpmath.mpf(float(t)) for t in row] for row in problem.data.X]
    y = [mpmath.mpf(float(t)) for t in problem.data.y]
    W = [[mpmath.mpf(float(t)) for t in row] for row in net.W]
    a = [mpmath.mpf(float(t)) for t in net.a]
    n, m, d = len(X), len(a), len(X[0])
    p = m * (d + 1)
    H = mpmath.zeros(p, p)
    loss = problem.loss
    for i in range(n):
        zs = [mpmath.fsum(W[j][l] * X[i][l] for l in range(d)) for j in range(m)]
        acts = [_act_mp(net.activation, z) for z in zs]
        f = mpmath.fsum(a[j] * acts[j][0] for j in range(m))
        if loss.kind == "logistic":
            sg = lambda t: 1 / (1 + mpmath.exp(-t))            # noqa: E731
            g, dd = -y[i] * sg(-y[i] * f), sg(y[i] * f) * sg(-y[i] * f)
        else:
            c = mpmath.mpf(float(loss.factor))
            g, dd = 2 * c * (f - y[i]), 2 * c
        grad = [acts[j][0] for j in range(m)] + [a[j] * acts[j][1] * X[i][l] for j in range(m) for l in range(d)]
        for r in range(p):
            for c2 in range(p):
                H[r, c2] += dd * grad[r] * grad[c2] / n
        for j in range(m):
            for l in range(d):
                wl = m + j * d + l
                H[j, wl] += g * acts[j][1] * X[i][l] / n
                H[wl, j] += g * acts[j][1] * X[i][l] / n
                for l2 in range(d):
                    H[wl, m + j * d + l2] += g * a[j] * acts[j][2] * X[i][l] * X[i][l2] / n
    lam = mpmath.mpf(float(problem.weight_decay))
    for r in range(p):
        H[r, r] += lam
    return H


def _functional_trace_mp(problem: fp.HomogeneousProblem, net: fp.HomogeneousNet) -> mpmath.mpf:
    """(1/n) Σ_i φ'_i ‖x_i‖² Σ_j a_j σ''(z_ij) at 50 digits, the part of the trace that is not Gauss–Newton."""
    total = mpmath.mpf(0)
    n = problem.data.X.shape[0]
    for i in range(n):
        x = [mpmath.mpf(float(t)) for t in problem.data.X[i]]
        zs = [mpmath.fsum(mpmath.mpf(float(w)) * t for w, t in zip(row, x, strict=True)) for row in net.W]
        acts = [_act_mp(net.activation, z) for z in zs]
        f = mpmath.fsum(mpmath.mpf(float(a)) * s[0] for a, s in zip(net.a, acts, strict=True))
        yi = mpmath.mpf(float(problem.data.y[i]))
        if problem.loss.kind == "logistic":
            g = -yi / (1 + mpmath.exp(yi * f))
        else:
            g = 2 * mpmath.mpf(float(problem.loss.factor)) * (f - yi)
        total += g * mpmath.fsum(t * t for t in x) * mpmath.fsum(mpmath.mpf(float(a)) * s[2]
                                                                 for a, s in zip(net.a, acts, strict=True))
    return total / n


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: a.name)
@pytest.mark.parametrize("loss", ["square", "logistic"])
def test_enclosures_contain_the_50_digit_values(act: fp.Activation, loss: str) -> None:
    problem, net = random_homogeneous(11, 9, 3, 3, act, loss=loss, wd=0.03)
    enc = HomogeneousIntervals(problem, net)
    H = hessian_mp(problem, net)
    p = net.num_params
    tr = mpmath.fsum(H[r, r] for r in range(p))
    T = enc.trace()
    assert float(T.lo) <= tr <= float(T.hi)
    assert float(T.hi) - float(T.lo) <= 1e-12 * abs(float(tr)) + 1e-300
    A, B = enc.trace_blocks()                      # Σ_j (A_j + B_j) is the Gauss–Newton part of the trace
    gn = tr - mpmath.mpf(float(problem.weight_decay)) * p - _functional_trace_mp(problem, net)
    assert float(A.sum().lo + B.sum().lo) <= gn <= float(A.sum().hi + B.sum().hi)
    eig = mpmath.eigsy(H, eigvals_only=True)
    top = max(eig)
    u = np.random.default_rng(2).standard_normal(p)
    um = mpmath.matrix([mpmath.mpf(float(t)) for t in u])
    q = (um.T * H * um)[0, 0] / (um.T * um)[0, 0]
    R = enc.rayleigh(u)
    assert float(R.lo) <= q <= float(R.hi)
    assert float(R.hi) - float(R.lo) <= 1e-10 * max(abs(float(q)), 1.0)
    br = enc.lambda_max_bounds()
    assert br.lo <= top <= br.hi
    assert top - br.lo <= 1e-8 * abs(top)          # the Lanczos vector's quotient is λ_max to rounding
    uf = enc.lambda_max_upper()
    assert uf.hi == br.hi and uf.functional >= 0 and uf.gauss_newton_a >= 0 and uf.gauss_newton_w >= 0


def test_interval_matmul_contains_the_exact_product() -> None:
    rng = np.random.default_rng(0)
    A = rng.standard_normal((4, 30)) * np.array([1.0, 1e-300, 1e300, 1.0])[:, None]
    B = rng.standard_normal((30, 3))
    C = matmul(A, B)
    for i in range(4):
        for j in range(3):
            exact = mpmath.fsum(mpmath.mpf(float(A[i, k])) * mpmath.mpf(float(B[k, j])) for k in range(30))
            assert float(C.lo[i, j]) <= exact <= float(C.hi[i, j])
    # a radius on an operand widens the product: [1 ± 0.5]·[2] ⊂ [1, 2] · 2
    from flatproof.arith.intervals import Iv
    D = matmul(Iv(np.ones((1, 1)), 0.5), np.full((1, 1), 2.0))
    assert D.lo[0, 0] <= 1.0 and D.hi[0, 0] >= 3.0 and D.hi[0, 0] - D.lo[0, 0] <= 2.0 + 1e-12


def test_an_uncertified_pattern_is_a_kink_but_a_polynomial_needs_none() -> None:
    X = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    W = np.array([[0.0, 1.0], [1.0, 0.5]])         # w_1ᵀ x_1 = 0 exactly
    problem = fp.HomogeneousProblem(fp.MultiIndexData(X, np.array([0.5, 1.0, -1.0])), fp.square_loss(1.0))
    for act in (fp.relu(), fp.relu_power(3), fp.abs_power(1)):
        with pytest.raises(fp.KinkError):
            HomogeneousIntervals(problem, fp.HomogeneousNet([1.0, -2.0], W, act))
    enc = HomogeneousIntervals(problem, fp.HomogeneousNet([1.0, -2.0], W, fp.abs_power(2)))
    o = fp.HomogeneousOracle(problem, fp.HomogeneousNet([1.0, -2.0], W, fp.abs_power(2)))
    T = enc.trace()
    assert float(T.lo) <= np.trace(o.hessian()) <= float(T.hi)


def test_psd_lambda_max_upper_is_above_and_close_to_the_50_digit_value() -> None:
    rng = np.random.default_rng(7)
    X = rng.standard_normal((200, 12))
    G = matmul(X.T, X)                                   # an enclosure of the PSD matrix XᵀX
    Xm = mpmath.matrix([[mpmath.mpf(float(t)) for t in row] for row in X])
    top = max(mpmath.eigsy(Xm.T * Xm, eigvals_only=True))
    bound = psd_lambda_max_upper(G)
    assert top <= bound <= top * (1 + 1e-10)
    assert gershgorin_upper(G) >= bound                  # the congruence is what makes it tight
