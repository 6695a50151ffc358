"""The loss and its gradient for gradient descent on the univariate network (flatproof math U.2), directly.

GD needs L(θ) and ∇L(θ) at every step and nothing else; building a curvature oracle
(:class:`~flatproof.measures.univariate_hessian.UnivariateFast`: sorting, kink report, prefix sums) per step costs
about a millisecond of interpreter overhead. Here, with z_ij = w_i x_j − b_i (plain float64: an error of
order ε|w_i x_j| in z moves L and ∇L by that much times |v_i g_j|, rounding), 1_ij = [z_ij > 0] (ReLU'(0) = 0, the
convention of GD at a kink) and g_j = φ'(f_j):

    f_j = β + Σ_i v_i (z_ij)_+,   L = (1/n) Σ_j φ(f_j) + (λ/2)‖θ‖²,
    ∂L/∂v_i = (1/n) Σ_j g_j (z_ij)_+,   ∂L/∂w_i = (v_i/n) Σ_j g_j 1_ij x_j,
    ∂L/∂b_i = −(v_i/n) Σ_j g_j 1_ij,    ∂L/∂β = (1/n) Σ_j g_j,   plus λθ.

O(n m) work in blocks of data (O(block · m) memory), a few array operations per step.
"""

from __future__ import annotations

import numpy as np

from .univariate_hessian import UnivariateProblem

BLOCK = 4096   # data points per block: memory O(BLOCK · m)


def loss_and_gradient(problem: UnivariateProblem, theta: np.ndarray) -> tuple[float, np.ndarray]:
    """(L(θ) + (λ/2)‖θ‖², ∇L(θ) + λθ) at the univariate θ = (v, w, b, β) (length 3m + 1), the ReLU'(0) = 0
    convention at a kink. Non-finite θ gives non-finite values (GD stops on them), no error."""
    theta = np.asarray(theta, dtype=float)
    m = (theta.shape[0] - 1) // 3
    v, w, b, beta = theta[:m], theta[m:2 * m], theta[2 * m:3 * m], float(theta[3 * m])
    x, y, n = problem.data.x, problem.data.y, problem.data.n
    loss, gbeta, gv, gxg = 0.0, 0.0, np.zeros(m), np.zeros((2, m))
    for lo in range(0, n, BLOCK):
        xs, ys = x[lo:lo + BLOCK], y[lo:lo + BLOCK]
        z = np.multiply.outer(xs, w) - b
        act = (z > 0).astype(float)           # ReLU'(0) = 0
        h = np.maximum(z, 0.0)
        f = h @ v + beta
        loss += float(np.sum(problem.loss.value(f, ys)))
        g = problem.loss.d1(f, ys)
        gv += g @ h
        gxg += np.stack([g * xs, g]) @ act    # Σ_j g_j 1_ij x_j and Σ_j g_j 1_ij
        gbeta += float(np.sum(g))
    grad = np.concatenate([gv / n, v * gxg[0] / n, -v * gxg[1] / n, [gbeta / n]])
    lam = problem.weight_decay
    return loss / n + 0.5 * lam * float(np.dot(theta, theta)), grad + lam * theta

