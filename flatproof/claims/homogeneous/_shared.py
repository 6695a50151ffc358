"""Hypotheses the homogeneous claims share (flatproof math M.1–M.3): square loss, interpolation, the kink check.

The formulas they rest on (A_j, B_j, F_sym, the orbit infimum, interpolation residuals) live in
:mod:`flatproof.measures.homogeneous_orbit`."""

from __future__ import annotations

from typing import Any

import numpy as np

from ...measures.homogeneous_orbit import interpolation_residuals, trace_blocks
from ...model.homogeneous import HomogeneousNet
from .._common import oracle_if_off_kinks, subnormal_relative
from .._core import Context, Evaluation, Instance, Param


def square_loss_hypotheses(inst: Instance, ev: Evaluation) -> bool:
    ok = ev.hypothesis("square loss L̂ = (1/n)Σ(f − y)² (factor 1)", inst.loss.kind == "square" and
                       inst.loss.factor == 1.0, f"{inst.loss.kind}, factor {inst.loss.factor:g}")
    ok &= ev.hypothesis("no weight decay", inst.weight_decay == 0.0, f"λ = {inst.weight_decay:g}")
    return ok


def interpolation_hypothesis(inst: Instance, ev: Evaluation, rel_tol: float, id_tol: float) -> bool:
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


def rescaling_rounding(rnet: HomogeneousNet) -> np.ndarray:
    """Per neuron, the relative error the rescaled parameters a_j c_j^{−k}, c_j w_j may carry beyond ordinary
    rounding when they land among the subnormals (subnormal_relative). f is linear in a_j and of degree k in w_j,
    so a term a_jσ(w_jᵀx) moves by at most this factor ρ_a + kρ_w, F_sym,j by 2k/(k+1) times it."""
    return subnormal_relative(rnet.a) + rnet.k * np.max(subnormal_relative(rnet.W), axis=1)


INTERPOLATOR_HYPOTHESES = ("square loss (1/n)Σ(f − y)², no weight decay",
                           "θ interpolates the data: every |f(x_i) − y_i| ≤ tol·|y_i|, and small enough that the "
                           "residuals' Hessian term is below the identities' tolerance", "θ off every kink")
INTERPOLATION_TOL = Param("interpolation_tol", float, 1e-9, "relative tolerance on each |f(x_i) − y_i| / |y_i|",
                          minimum=0.0)


def interpolator_oracle(inst: Instance, ev: Evaluation, ctx: Context) -> Any:
    """The M.2–M.3 preamble: square loss without weight decay, θ an interpolator, off the kinks. Returns the
    curvature oracle, or None (with the failed hypothesis recorded in ``ev``)."""
    if not (square_loss_hypotheses(inst, ev) and
            interpolation_hypothesis(inst, ev, ctx.params["interpolation_tol"], ctx.tolerances.identity)):
        return None
    return oracle_if_off_kinks(inst, ctx, ev)


#: pre-activations near 0 examined in rational arithmetic (each O(d)); beyond them the verdict stays inconclusive
EXACT_CHECKS = 10_000


def undecided_pattern(inst: Instance, ev: Evaluation, tol: float) -> None:
    """Record why the interval activation pattern was not certified. A pre-activation w_jᵀx_i that is exactly 0
    (decided in rational arithmetic from the float64 inputs) is a kink: the hypothesis is not met. Otherwise the
    pattern is only undecided in interval arithmetic (z = 2⁻⁵² from 1 + (−1 + 2⁻⁵²)), which says nothing about
    the hypothesis: no comparison is made and the verdict is inconclusive, with the reason in a note. Only the
    pre-activations within the float kink band tol·‖x_i‖‖w_j‖ are examined (the interval ones are within it)."""
    from fractions import Fraction
    X, W = inst.data.X, inst.net.W
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        Z = X @ W.T
        band = tol * np.linalg.norm(X, axis=1)[:, None] * np.linalg.norm(W, axis=1)[None, :]
    near_all = np.argwhere(~(np.abs(Z) > band))
    near = near_all[:EXACT_CHECKS]
    exact = [(int(i), int(j)) for i, j in near
             if sum(Fraction(float(w)) * Fraction(float(x)) for w, x in zip(W[j], X[i], strict=True)) == 0]
    if exact:
        i, j = exact[0]
        ev.hypothesis("activation pattern certified", False,
                      f"{len(exact)} pre-activation(s) exactly 0 in rational arithmetic, e.g. x[{i}] on neuron {j}: "
                      "θ is at a kink")
    else:
        examined = (f"{len(near)} pre-activation(s) near 0, none exactly 0" if len(near) == len(near_all) else
                    f"{len(near_all)} pre-activation(s) near 0, the first {len(near)} of them not exactly 0")
        ev.notes.append(f"the activation pattern is not certified in interval arithmetic ({examined}): no certified "
                        "comparison, verdict inconclusive")
