"""Hypotheses and formulas the homogeneous claims share (flatproof math M.1–M.3)."""

from __future__ import annotations

import numpy as np

from .._common import checked_oracle
from .._core import Evaluation, Param


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


def scaled_trace_blocks(net, X) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A_j = A·2^{eA}, B_j = B·2^{eB} (M.2) without under- or overflow in the weights: w_j is scaled by the power
    of two 2^{−e_j} that brings its largest entry into [0.5, 1) and a_j into its mantissa, exactly (σ is
    homogeneous: σ(2^e t) = 2^{ke} σ(t), σ'(2^e t) = 2^{(k−1)e} σ'(t)). A weight of 1e-190 has a_j² = 0 in
    float64, but its B_j is here a mantissa and an exponent. Returns (A, eA, B, eB)."""
    n, k = X.shape[0], net.k
    _, ew = np.frexp(np.max(np.abs(net.W), axis=1))
    ma, ea = np.frexp(net.a)
    Wt = np.ldexp(net.W, -ew[:, None])
    Z = X @ Wt.T
    act = net.activation
    sq = np.einsum("ij,ij->i", X, X)
    A = 2.0 * np.sum(act.sigma(Z) ** 2, axis=0) / n
    B = 2.0 * ma ** 2 * (sq @ act.d1(Z) ** 2) / n
    ew, ea = ew.astype(np.int64), ea.astype(np.int64)
    return A, 2 * k * ew, B, 2 * ea + 2 * (k - 1) * ew


def subnormal_error(A: np.ndarray, B: np.ndarray, k: float, net=None, X=None) -> float:
    """Extra absolute error of Σ_j F_sym,j computed from A_j, B_j when one of them lies in (or underflowed
    out of) float64's subnormal range: an absolute error of a few 2^-1074 there is a large *relative*
    error. F_sym,j is monotone in A_j and B_j, so F_sym(A + δ, B + δ) − F_sym(A, B) bounds it (δ = 8 · 2^-1074),
    applied only to the entries that are that small and belong to a neuron active on the data (with
    a_j ≠ 0 for B_j): an exact zero of an inactive neuron carries no error."""
    from .orbit_minimum import f_sym
    delta = 8 * 5e-324
    small = 1e3 * float(np.finfo(float).tiny)
    if net is not None and X is not None:
        active = np.any(net.activation.d1(X @ net.W.T) != 0, axis=0)
        dA = np.where((A < small) & active, delta, 0.0)
        dB = np.where((B < small) & active & (net.a != 0), delta, 0.0)
    else:
        dA = np.where((A > 0) & (A < small), delta, 0.0)
        dB = np.where((B > 0) & (B < small), delta, 0.0)
    if not (np.any(dA) or np.any(dB)):
        return 0.0
    with np.errstate(under="ignore"):
        return f_sym(A + dA, B + dB, k) - f_sym(A, B, k)


INTERPOLATOR_HYPOTHESES = ("square loss (1/n)Σ(f − y)², no weight decay", "θ interpolates the data",
                           "θ off every kink")
INTERPOLATION_TOL = Param("interpolation_tol", float, 1e-9, "relative tolerance on max|f(x_i) − y_i|", minimum=0.0)


def interpolator_oracle(inst, ev: Evaluation, ctx):
    """The M.2–M.3 preamble: square loss without weight decay, θ an interpolator, off the kinks. Returns the
    curvature oracle, or None (with the failed hypothesis recorded in ``ev``)."""
    if not (square_loss_hypotheses(inst, ev) and
            interpolation_hypothesis(inst, ev, ctx.params["interpolation_tol"])):
        return None
    return checked_oracle(inst, ctx, ev)
