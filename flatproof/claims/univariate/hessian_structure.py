"""Hessian structure of the univariate network: ∇²L = H_GN + H_F, ‖H_F‖₂ = ε_F, and the trace formula.

Setting:
    Univariate two-layer ReLU network f_θ(x) = Σ_i v_i (w_i x − b_i)_+ + β, per-sample loss φ (logistic or
    square), θ off every kink on the data, no weight decay needed.

Claim:
    [exact] ∇²L = H_GN + H_F with H_F block diagonal, blocks [[0, a_i, c_i], [a_i, 0, 0], [c_i, 0, 0]], so
    ‖H_F‖₂ = ε_F = max_i √(a_i² + c_i²) (relation =); H_GN ⪰ 0; tr ∇²L = (1/n) Σ_j d_j ‖∇f_j‖² (+ λp); and
    v_i a_i = ∂L/∂w_i, v_i c_i = ∂L/∂b_i, so H_F = 0 on the neurons with v_i ≠ 0 at a stationary point.
    An identity: a violation is a bug.

    Checked by two independent implementations: the closed forms (O(n + m) prefix sums, ``UnivariateFast``)
    against the dense Jacobian reference (``UnivariateDense``) and its dense eigensolver.

Reference:
    flatproof math U.2; Qiao & Wang, arXiv 2512.01473, Appendix C (gradient and Hessian).

Hypotheses:
    θ off every kink on the data (the Hessian exists).

Certificate:
    - ``num_params``: the number p of parameters
    - ``max_abs_H``: max |∇²L| entrywise, the scale of the identities' tolerances
    - ``epsilon_F``: ε_F = max_i √(a_i² + c_i²) from the closed form
    - ``norm_H_F_dense``: ‖H_F‖₂ from the dense Hessian by a dense eigensolver
    - ``trace_dense``: tr ∇²L of the dense Hessian
    - ``trace_formula``: tr ∇²L from the closed form
    - ``lambda_min_H_GN``: λ_min of the dense Gauss–Newton part (≥ 0 up to rounding)
    - ``a_i``: the entries a_i of the H_F blocks
    - ``c_i``: the entries c_i of the H_F blocks
    - ``implementations``: which two implementations were compared

Example:
    >>> flatproof.load_case("cases/univariate-hessian-structure.toml").verify()
    <Verdict univariate.hessian-structure [exact]: holds (estimated), margin 7.43e-10 (float; 5 comparisons)>
"""

from __future__ import annotations

import numpy as np

from ...vocab import ModelKind, Tag
from .._common import identity_tol, oracle_if_off_kinks, rounding
from .._core import Claim, Context, Evaluation, Instance, compare, register


@register
class HessianStructure(Claim):
    id = "univariate.hessian-structure"
    title = "∇²L = H_GN + H_F, ‖H_F‖₂ = ε_F, H_GN ⪰ 0, and the exact trace formula"
    tag = Tag.EXACT
    section = "U.2"
    reference = "flatproof math U.2; Qiao & Wang, arXiv 2512.01473 (App. C computes the Hessian)"
    statement = (r"\nabla^2 L = H_{GN} + H_F,\quad \|H_F\|_2 = \max_i \sqrt{a_i^2 + c_i^2} = \varepsilon_F,\quad "
                 r"H_{GN} \succeq 0,\quad \operatorname{tr}\nabla^2 L = \frac1n\sum_j d_j\|\nabla f_j\|^2")
    hypotheses = ("θ off every kink on the data",)
    model = ModelKind.UNIVARIATE

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        fast = oracle_if_off_kinks(inst, ctx, ev)
        if fast is None:
            return ev
        dense = inst.oracle(method="dense", kink_tol=ctx.tolerances.kink)
        tol = ctx.tolerances.identity
        H = dense.hessian()
        HGN, HF = dense.hessian_parts()
        scale = float(np.abs(H).max()) or 1.0
        # each identity is judged on the scale of its own terms, not of H: with weight decay λ = 1e6, max|H| ≥ λ
        # would make a tolerance of tol·max|H| = 1e-3 that no H_F of size 1e-18 could ever fail
        x, g = inst.data.x, dense.g
        f_scale = float(np.abs(g) @ (1.0 + np.abs(x)) / x.size)      # bounds Σ|terms| of every H_F entry
        gn_scale = float(np.abs(HGN).max())
        eig_f = np.linalg.eigvalsh(HF)
        norm_f = float(max(abs(eig_f[0]), abs(eig_f[-1])))
        eps_f = fast.epsilon_F()
        ev.comparisons.append(compare("‖H_F‖₂ (dense eigvalsh) = ε_F (closed form)", norm_f, "=", eps_f,
                                      value_error=rounding(f_scale * fast.num_params, terms=x.size),
                                      tol=identity_tol(tol, eps_f, f_scale, terms=x.size)))
        # the data part of the trace (tr H_F = 0); the weight decay adds exactly λp to both sides
        tr_dense, tr_fast = float(np.trace(HGN) + np.trace(HF)), fast._trace()
        ev.comparisons.append(compare("tr ∇²L (dense) = (1/n)Σ d_j‖∇f_j‖² + λp (closed form)", tr_dense, "=",
                                      tr_fast, value_error=rounding(tr_dense, (gn_scale + f_scale) * fast.num_params,
                                                                    terms=x.size * fast.num_params),
                                      tol=identity_tol(tol, tr_fast, gn_scale + f_scale, terms=x.size)))
        lmin_gn = float(np.linalg.eigvalsh(HGN)[0])
        ev.comparisons.append(compare("λ_min(H_GN) ≥ 0 (to tol · max|H_GN|)", lmin_gn, ">=", -tol * gn_scale,
                                      value_error=rounding(gn_scale * fast.num_params, terms=x.size)))
        resid = float(np.abs(H - HGN - HF - inst.weight_decay * np.eye(fast.num_params)).max())
        ev.comparisons.append(compare("max |∇²L − H_GN − H_F − λI| (dense) = 0", resid, "=", 0.0,
                                      value_error=rounding(scale), tol=identity_tol(tol, scale)))
        a, c = fast.functional_blocks()
        # a_i, c_i are v_i⁻¹ times the w_i and b_i partials of the *data* loss: v_i a_i = ∂L/∂w_i, v_i c_i = ∂L/∂b_i,
        # so H_F vanishes on every neuron with v_i ≠ 0 at a stationary point (U.2). The partials are evaluated
        # directly, (1/n) Jᵀ ℓ' from the dense Jacobian — never as ∇(L + λ/2‖θ‖²) − λθ, which cancels: with
        # weight decay λθ ≈ 1 against a data gradient of 1e-18 the difference is rounding noise.
        J, g = dense.jacobian(), dense.g
        m, n = inst.net.m, inst.data.n
        data_grad = J.T @ g / n
        gw, gb = data_grad[m:2 * m], data_grad[2 * m:3 * m]
        # rounding scale: the sum of the absolute terms (1/n)Σ_j |∂f_j/∂θ_p| |ℓ'_j|: at a stationary point the
        # partials are small *because* the terms cancel, and their error is relative to the terms
        terms = (np.abs(J).T @ np.abs(g) / n)[m:3 * m]
        gs = float(terms.max()) if terms.size else 0.0
        resid = float(max(np.abs(inst.net.v * a - gw).max(), np.abs(inst.net.v * c - gb).max()))
        ev.comparisons.append(compare("max_i |v_i a_i − ∂L/∂w_i|, |v_i c_i − ∂L/∂b_i| = 0 (H_F = 0 at stationary points)",
                                      resid, "=", 0.0, value_error=rounding(gs, terms=n),
                                      tol=identity_tol(tol, gs, terms=n)))
        ev.certificate.update({"num_params": fast.num_params, "max_abs_H": scale, "epsilon_F": eps_f,
                               "norm_H_F_dense": norm_f, "trace_dense": tr_dense, "trace_formula": tr_fast,
                               "lambda_min_H_GN": lmin_gn, "a_i": a, "c_i": c,
                               "implementations": "UnivariateFast (closed forms) vs UnivariateDense (Jacobian)"})
        return ev
