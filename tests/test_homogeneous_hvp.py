"""The homogeneous HVP in product form (flatproof math M.1) against a Hessian written out entry by entry, finite
differences of the gradient and a dense eigensolver; near-kink counting at scale."""

from __future__ import annotations

import numpy as np
import pytest
from _instances import ACTIVATIONS, random_homogeneous, rel

import flatproof as fp
from flatproof.measures.homogeneous_hessian import near_kinks


def hessian_by_entries(problem: fp.HomogeneousProblem, net: fp.HomogeneousNet) -> np.ndarray:
    """∇²L from M.1's formulas, one sample at a time: (1/n) Σ_i [d_i ∇f_i ∇f_iᵀ + g_i ∇²f_i] + λ I."""
    X, y = problem.data.X, problem.data.y
    act, a, W = net.activation, net.a, net.W
    m, d = W.shape
    n = X.shape[0]
    H = np.zeros((net.num_params, net.num_params))
    for i in range(n):
        z = W @ X[i]
        f = float(act.sigma(z) @ a)
        g = float(problem.loss.d1(np.array([f]), y[i:i + 1])[0])
        dd = float(problem.loss.d2(np.array([f]), y[i:i + 1])[0])
        grad = np.concatenate([act.sigma(z), np.concatenate([a[j] * act.d1(z[j]) * X[i] for j in range(m)])])
        H += dd * np.outer(grad, grad) / n
        for j in range(m):
            wj = slice(m + j * d, m + (j + 1) * d)
            H[j, wj] += g * act.d1(z[j]) * X[i] / n
            H[wj, j] += g * act.d1(z[j]) * X[i] / n
            H[wj, wj] += g * a[j] * act.d2(z[j]) * np.outer(X[i], X[i]) / n
    return H + problem.weight_decay * np.eye(net.num_params)


@pytest.mark.parametrize("act", ACTIVATIONS, ids=lambda a: a.name)
@pytest.mark.parametrize("loss", ["square", "logistic"])
def test_hvp_and_block_match_the_hessian_written_entry_by_entry(act: fp.Activation, loss: str) -> None:
    problem, net = random_homogeneous(5, 17, 4, 3, act, loss=loss, wd=0.07)
    o = fp.HomogeneousOracle(problem, net)
    H = hessian_by_entries(problem, net)
    rng = np.random.default_rng(0)
    U = rng.standard_normal((net.num_params, 4))
    first = o.hvp(U[:, 0])
    for c in range(4):
        assert rel(o.hvp(U[:, c]), H @ U[:, c]) <= 1e-13
    assert rel(first, H @ U[:, 0]) <= 1e-13          # a later product does not overwrite an earlier result
    assert rel(o.hvp_block(U), H @ U) <= 1e-13
    assert rel(o.hessian(), H) <= 1e-13


@pytest.mark.parametrize("act", [fp.relu(), fp.relu_power(3), fp.abs_power(2)], ids=lambda a: a.name)
def test_hvp_matches_central_difference_of_the_gradient(act: fp.Activation) -> None:
    """(∇L(θ + hu) − ∇L(θ − hu)) / 2h = Hu + O(h²) off kinks (h small enough that no pre-activation changes sign)."""
    problem, net = random_homogeneous(8, 60, 7, 9, act, loss="logistic", wd=0.01)
    o = fp.HomogeneousOracle(problem, net)
    u = np.random.default_rng(3).standard_normal(net.num_params)
    h = 1e-5
    theta = net.to_vector()

    def grad_at(t: np.ndarray) -> np.ndarray:
        other = fp.HomogeneousNet.from_vector(t, net.m, net.d, act)
        return fp.HomogeneousOracle(problem, other).gradient()
    fd = (grad_at(theta + h * u) - grad_at(theta - h * u)) / (2 * h)
    assert rel(o.hvp(u), fd) <= 1e-7


def test_lambda_max_by_lanczos_matches_dense_eigvalsh() -> None:
    problem, net = random_homogeneous(4, 300, 9, 70, fp.relu(), loss="square", wd=0.0)   # p = 700 > 600: Lanczos
    o = fp.HomogeneousOracle(problem, net)
    ref = np.linalg.eigvalsh(hessian_by_entries(problem, net))
    top = fp.lambda_max(o, tol=1e-10)
    assert top.method.startswith("Lanczos") and top.converged
    assert top.value == pytest.approx(ref[-1], rel=1e-9)
    v = top.eigenvectors[:, 0]
    assert np.linalg.norm(o.hvp(v) - top.value * v) <= 1e-10 * top.value


def test_near_kinks_across_row_blocks_and_zero_neurons() -> None:
    rng = np.random.default_rng(1)
    n, d = 700, 5
    X = rng.standard_normal((n, d))
    W = rng.standard_normal((3, d))
    W[2] = 0.0                                          # a dead neuron: every pre-activation is exactly 0
    W[1] -= (X[600] @ W[1]) / (X[600] @ X[600]) * X[600]   # x_600 ⟂ w_1 to rounding, in the third block of 256
    Z = X @ W.T
    rep = near_kinks(Z, np.linalg.norm(X, axis=1), np.linalg.norm(W, axis=1), d, 1e-9, rows=256)
    zn = np.abs(Z) / np.outer(np.linalg.norm(X, axis=1), np.linalg.norm(W, axis=1) + 1e-300)
    expect = n + int(np.sum(zn[:, :2] <= 1e-9 + 5 * 2.0 ** -53 / (1 - 5 * 2.0 ** -53)))
    assert rep.count == expect and rep.count >= n + 1
    assert rep.examples[:2] == ((0, 2), (1, 2)) and len(rep.examples) == 10
    only = near_kinks(Z[:, :2], np.linalg.norm(X, axis=1), np.linalg.norm(W[:2], axis=1), d, 1e-9, rows=256)
    assert (600, 1) in only.examples
