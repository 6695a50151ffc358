"""Lanczos against numpy.linalg.eigvalsh, residuals, converged flags, η-flatness."""

import numpy as np
import pytest
from _instances import random_univariate
from hypothesis import given
from hypothesis import strategies as st

import flatproof as fp


@given(st.integers(0, 10_000), st.integers(2, 80))
def test_dense_and_lanczos_agree_with_eigvalsh(seed, p):
    rng = np.random.default_rng(seed)
    A = rng.standard_normal((p, p))
    A = A + A.T
    ref = np.linalg.eigvalsh(A)
    for which, want in (("LA", ref[-1]), ("SA", ref[0])):
        for H in (A, (lambda u: A @ u, p)):
            r = fp.extreme_eigenpairs(H, which, tol=1e-10)
            assert r.converged
            assert r.value == pytest.approx(want, abs=1e-8 * np.abs(ref).max())
            u = r.eigenvectors[:, 0]
            assert r.residuals[0] == pytest.approx(np.linalg.norm(A @ u - r.value * u), abs=1e-12)


def test_lanczos_on_large_univariate_hessian_matches_dense():
    problem, net = random_univariate(2, 400, 250)          # p = 751 > the dense threshold of 600
    o = fp.UnivariateFast(problem, net)
    H = fp.UnivariateDense(problem, net).hessian()
    ref = np.linalg.eigvalsh(H)
    top = fp.lambda_max(o, tol=1e-10)
    bottom = fp.lambda_min(o, tol=1e-10, scale=ref[-1], budget=2000)
    assert top.method.startswith("Lanczos") and top.converged
    assert top.value == pytest.approx(ref[-1], rel=1e-9)
    assert top.residuals[0] <= 1e-10 * top.scale
    assert bottom.method.startswith("LOBPCG") and bottom.n_matvec <= 2000
    assert bottom.value == pytest.approx(ref[0], abs=1e-10 * ref[-1])
    lo, hi = bottom.bounds
    assert lo <= ref[0] <= hi


@pytest.mark.parametrize("seed,wd", [(3, 0.0), (4, 0.01)])
def test_lambda_min_bounds_from_the_hessian_structure(seed, wd):
    """λ_min(H_F) + λ ≤ λ_min(H) ≤ Rayleigh quotient, checked against numpy's dense eigensolver: H_F's
    closed-form bottom (−max_i √(a_i² + c_i²)) against eigvalsh of the dense H_F, and the bracket with a tiny
    budget (not converged) still containing the dense λ_min."""
    problem, net = random_univariate(seed, 300, 200, wd=wd)     # p = 601: the iterative path
    o = fp.UnivariateFast(problem, net)
    dense = fp.UnivariateDense(problem, net)
    H = dense.hessian()
    ref = np.linalg.eigvalsh(H)
    lam_f, V = o.functional_bottom(5)
    HF = dense.hessian_parts()[1]
    assert lam_f == pytest.approx(np.linalg.eigvalsh(HF)[0], abs=1e-14)
    assert np.allclose(V.T @ V, np.eye(V.shape[1]), atol=1e-14)
    assert np.allclose(HF @ V[:, 0], lam_f * V[:, 0], atol=1e-14)
    U = np.random.default_rng(seed).standard_normal((o.num_params, 3))
    assert np.allclose(o.hvp_block(U), H @ U, atol=1e-12 * np.abs(H).max())
    small = fp.lambda_min(o, tol=1e-14, scale=ref[-1], budget=16)
    lo, hi = small.bounds
    assert small.n_matvec <= 17
    assert lo <= ref[0] <= hi and lo == pytest.approx(lam_f + wd, abs=1e-12)
    u = small.eigenvectors[:, 0]
    assert small.residuals[0] == pytest.approx(np.linalg.norm(H @ u - small.value * u), abs=1e-13)
    # converged: the residual is at the tolerance or the bracket pins λ_min down (to rounding)
    assert small.converged == (small.residuals[0] <= 1e-14 * ref[-1] or hi - lo <= 1e-12 * ref[-1])


def test_lambda_min_without_structure_uses_random_start():
    from _instances import random_homogeneous
    problem, net = random_homogeneous(5, 40, 30, 25, fp.relu_power(2), loss="square")   # p = 775
    o = fp.HomogeneousOracle(problem, net)
    H = o._dense_from(o.hvp)
    ref = np.linalg.eigvalsh(H)
    r = fp.lambda_min(o, tol=1e-9, scale=ref[-1], budget=20000)
    assert r.method == "LOBPCG"
    assert r.value == pytest.approx(ref[0], abs=1e-8 * ref[-1])
    assert r.bounds[0] == -np.inf and r.bounds[1] >= ref[0]


def test_unconverged_lanczos_is_flagged():
    rng = np.random.default_rng(0)
    d = np.sort(rng.uniform(0, 1, 2000))
    d[-1] = d[-2] * (1 + 1e-7)                              # a tiny gap: slow convergence
    r = fp.extreme_eigenpairs((lambda u: d * u, 2000), "LA", tol=1e-14, maxiter=2)
    assert not r.converged


def test_is_flat_three_answers():
    A = np.diag([3.0, 1.0, 0.5, 0.0])
    assert fp.is_flat(A, eta=0.5).answer == "flat"            # 3 < 4
    assert fp.is_flat(A, eta=1.0).answer == "sharp"           # 3 > 2
    assert fp.is_flat(A, eta=2 / 3).answer == "inconclusive"  # 3 = 2/η to rounding
    with pytest.raises(fp.InputError, match="eta"):
        fp.is_flat(A, eta=-1.0)


def test_hutchinson_is_unbiased_baseline():
    rng = np.random.default_rng(1)
    A = rng.standard_normal((50, 50))
    A = A @ A.T
    est, se = fp.hutchinson_trace(lambda u: A @ u, 50, probes=400, seed=3)
    assert abs(est - np.trace(A)) <= 5 * se


def test_thick_restart_lanczos_on_a_clustered_top_and_its_restart_limit():
    """A top cluster (1, 1 − 1e-4, …) needs many restarts of the 24-vector basis; with no restart allowed the answer
    is a Rayleigh quotient with converged = False and its honest residual."""
    rng = np.random.default_rng(5)
    p = 3000
    Q, _ = np.linalg.qr(rng.standard_normal((p, 60)))
    top = 1.0 - 1e-4 * np.arange(60)
    lam = rng.uniform(-0.5, 0.9, p)

    def proj(u):                                    # P u, P = I − QQᵀ
        return u - Q @ (Q.T @ u)

    def mv(u):
        return proj(lam * proj(u)) + Q @ (top * (Q.T @ u))

    # the operator is P Λ P + Q diag(top) Qᵀ with P = I − QQᵀ: its top eigenvalue is 1 (eigenvector Q[:, 0])
    r = fp.extreme_eigenpairs((mv, p), "LA", tol=1e-10)
    assert r.method.startswith("Lanczos (thick") and r.converged
    assert r.value == pytest.approx(1.0, abs=1e-9) and r.n_matvec > 24
    u = r.eigenvectors[:, 0]
    assert r.residuals[0] == pytest.approx(np.linalg.norm(mv(u) - r.value * u), rel=1e-6, abs=1e-14)
    capped = fp.extreme_eigenpairs((mv, p), "LA", tol=1e-12, maxiter=0)
    assert not capped.converged and capped.n_matvec == 25 and capped.value <= 1.0 + 1e-12
    assert capped.residuals[0] > 1e-12 * capped.scale
