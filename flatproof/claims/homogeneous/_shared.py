"""Hypotheses and formulas the homogeneous claims share (MATH.md M.1–M.3)."""

from __future__ import annotations

import numpy as np

from .._core import Evaluation


def square_loss_hypotheses(inst, ev: Evaluation) -> bool:
    ok = ev.hypothesis("square loss L̂ = (1/n)Σ(f − y)² (factor 1)", inst.loss.kind == "square" and
                       inst.loss.factor == 1.0, f"{inst.loss.kind}, factor {inst.loss.factor:g}")
    ok &= ev.hypothesis("no weight decay", inst.weight_decay == 0.0, f"λ = {inst.weight_decay:g}")
    return ok


def interpolation_hypothesis(inst, ev: Evaluation, rel_tol: float) -> bool:
    f = inst.net(inst.data.X)
    y = inst.data.y
    resid = float(np.abs(f - y).max())
    scale = max(float(np.abs(y).max()), 1.0)
    ev.certificate["interpolation_residual"] = resid
    return ev.hypothesis("θ interpolates: max_i |f(x_i) − y_i| ≤ tol · max(1, max|y|)", resid <= rel_tol * scale,
                         f"max residual {resid:.3g}, tol {rel_tol * scale:.3g}")


def trace_blocks(net, X) -> tuple[np.ndarray, np.ndarray]:
    """A_j = (2/n)Σ_i σ(w_jᵀx_i)², B_j = (2/n) a_j² Σ_i σ'(w_jᵀx_i)² ‖x_i‖² (M.2, from the network directly)."""
    n = X.shape[0]
    Z = X @ net.W.T
    act = net.activation
    sq = np.einsum("ij,ij->i", X, X)
    A = 2.0 * np.sum(act.sigma(Z) ** 2, axis=0) / n
    B = 2.0 * net.a ** 2 * (sq @ act.d1(Z) ** 2) / n
    return A, B
