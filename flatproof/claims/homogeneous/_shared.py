"""Hypotheses and formulas the homogeneous claims share (flatproof math M.1–M.3)."""

from __future__ import annotations

import numpy as np

from .._common import oracle_if_off_kinks, subnormal_relative
from .._core import Evaluation, Param


def square_loss_hypotheses(inst, ev: Evaluation) -> bool:
    ok = ev.hypothesis("square loss L̂ = (1/n)Σ(f − y)² (factor 1)", inst.loss.kind == "square" and
                       inst.loss.factor == 1.0, f"{inst.loss.kind}, factor {inst.loss.factor:g}")
    ok &= ev.hypothesis("no weight decay", inst.weight_decay == 0.0, f"λ = {inst.weight_decay:g}")
    return ok


def interpolation_residuals(net, X, y) -> tuple[np.ndarray, np.ndarray]:
    """(|f(x_i) − y_i|, the scale each is judged on): |y_i|, or where y_i = 0 the size f can have at x_i,
    Σ_j |a_j| (‖w_j‖‖x_i‖)^k ≥ |f(x_i)| — per point, never max(1, max|y|), which lets a label of 5e-4 be
    'fitted' by 1e-6 when another label is 1e6."""
    size = (np.linalg.norm(X, axis=1)[:, None] * np.linalg.norm(net.W, axis=1)[None, :]) ** net.k @ np.abs(net.a)
    return np.abs(net(X) - y), np.where(y != 0, np.abs(y), size)


def relative_residual(net, X, y) -> float:
    """max_i |f(x_i) − y_i| / scale_i (see interpolation_residuals); ∞ if a residual has scale 0."""
    r, scale = interpolation_residuals(net, X, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(r == 0, 0.0, r / scale)
    return float(q.max())


def interpolation_hypothesis(inst, ev: Evaluation, rel_tol: float, id_tol: float) -> bool:
    """θ interpolates, strictly enough for the M.2–M.3 identities to absorb what is left.

    Per point: |r_i| = |f(x_i) − y_i| ≤ rel_tol · |y_i| (for y_i = 0: rel_tol · Σ_j |a_j|(‖w_j‖‖x_i‖)^k, the size
    f can have at x_i), for **every** i.

    What the conclusion can absorb: with residuals r_i the Hessian is ∇²L̂ = (2/n)JᵀJ + E, E = (2/n)Σ_i r_i ∇²f_i
    (M.2 drops E). ∇²f_i is block diagonal over neurons, block [[0, σ'(z_ij)x_iᵀ], [σ'(z_ij)x_i,
    a_jσ''(z_ij)x_ix_iᵀ]], so
      ‖E‖₂ ≤ e₂ = (2/n)Σ_i |r_i| max_j (|σ'(z_ij)|‖x_i‖ + |a_jσ''(z_ij)|‖x_i‖²)   (bounds max|E_pq| too),
      |tr E_j| ≤ t_j = (2/n)Σ_i |r_i| ‖x_i‖² |a_j σ''(z_ij)|                        (0 for k = 1).
    Along the orbit T_c both t_j and neuron j's share c^{−2}B_j of F scale by c_j^{−2}, so t_j ≤ (τ/2) B_j keeps
    every trace identity on the orbit within half its tolerance τ (relative); and λ_max ≥ F/min(n, p)
    (rank ≤ n), so e₂ ≤ (τ/2) F/min(n, p) keeps the spectral identities (λ_min ≥ −τλ_max, λ_max = (2/n)λ_max(JJᵀ),
    ∇²L̂ = (2/n)JᵀJ entrywise) within half theirs. Both are required; otherwise hypotheses-not-met."""
    net, X, y = inst.net, inst.data.X, inst.data.y
    n = X.shape[0]
    Z = X @ net.W.T
    act = net.activation
    r, scale = interpolation_residuals(net, X, y)
    allow = rel_tol * scale
    ok_pts = r <= allow
    worst = int(np.argmax(r - allow))
    ev.certificate["interpolation_residual"] = float(r.max())
    ev.certificate["interpolation_residuals"] = r
    met = ev.hypothesis("θ interpolates: |f(x_i) − y_i| ≤ tol·|y_i| at every point (tol·Σ_j|a_j|(‖w_j‖‖x_i‖)^k "
                        "where y_i = 0)", bool(np.all(ok_pts)),
                        f"{int(np.sum(~ok_pts))} of {n} points fail; worst x[{worst}]: |f − y| = {r[worst]:.3g}, "
                        f"allowed {allow[worst]:.3g} (y = {y[worst]:.3g})")
    if not met:
        return False
    nx2 = np.einsum("ij,ij->i", X, X)
    s1, s2 = np.abs(act.d1(Z)), np.abs(act.d2(Z) * net.a)
    e2 = 2.0 / n * float(r @ np.max(s1 * np.sqrt(nx2)[:, None] + s2 * nx2[:, None], axis=1))
    t = 2.0 / n * ((r * nx2) @ s2)
    with np.errstate(over="ignore"):        # F = ∞ in float64 (a_j² overflows) absorbs any finite perturbation
        A, B = trace_blocks(net, X)
        F = float(np.sum(A + B))
    cap_e2 = 0.5 * id_tol * F / min(n, net.num_params)
    ok_t = t <= 0.5 * id_tol * B
    ev.certificate["interpolation_perturbation"] = {"norm_bound": e2, "norm_allowed": cap_e2, "trace_bounds": t}
    return ev.hypothesis("the residuals' Hessian term (2/n)Σ r_i∇²f_i is below half the identities' tolerance",
                         bool(e2 <= cap_e2 and np.all(ok_t)),
                         f"‖E‖₂ ≤ {e2:.3g} (allowed {cap_e2:.3g}); tr E_j ≤ τ/2·B_j fails on "
                         f"{int(np.sum(~ok_t))} neuron(s)")


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


def rescaling_rounding(rnet) -> np.ndarray:
    """Per neuron, the relative error the rescaled parameters a_j c_j^{−k}, c_j w_j may carry beyond ordinary
    rounding when they land among the subnormals (subnormal_relative). f is linear in a_j and of degree k in w_j,
    so a term a_jσ(w_jᵀx) moves by at most this factor ρ_a + kρ_w, F_sym,j by 2k/(k+1) times it."""
    return subnormal_relative(rnet.a) + rnet.k * np.max(subnormal_relative(rnet.W), axis=1)


INTERPOLATOR_HYPOTHESES = ("square loss (1/n)Σ(f − y)², no weight decay",
                           "θ interpolates the data: every |f(x_i) − y_i| ≤ tol·|y_i|, and small enough that the "
                           "residuals' Hessian term is below the identities' tolerance", "θ off every kink")
INTERPOLATION_TOL = Param("interpolation_tol", float, 1e-9, "relative tolerance on each |f(x_i) − y_i| / |y_i|",
                          minimum=0.0)


def interpolator_oracle(inst, ev: Evaluation, ctx):
    """The M.2–M.3 preamble: square loss without weight decay, θ an interpolator, off the kinks. Returns the
    curvature oracle, or None (with the failed hypothesis recorded in ``ev``)."""
    if not (square_loss_hypotheses(inst, ev) and
            interpolation_hypothesis(inst, ev, ctx.params["interpolation_tol"], ctx.tolerances.identity)):
        return None
    return oracle_if_off_kinks(inst, ctx, ev)
