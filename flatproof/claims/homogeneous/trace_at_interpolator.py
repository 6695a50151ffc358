"""The Hessian and its trace at an interpolator.

Setting:
    Two-layer degree-k homogeneous network f_θ(x) = Σ_j a_j σ(w_jᵀx), square loss L̂ = (1/n)Σ_i (f(x_i) − y_i)²,
    no weight decay, θ an interpolator off every kink.

Claim:
    [exact] F(θ) = tr∇²L̂ = Σ_j (A_j + B_j), A_j = (2/n)Σ_i σ(w_jᵀx_i)², B_j = (2/n)a_j²Σ_i σ'(w_jᵀx_i)²‖x_i‖²
    (the main comparison, relation =); ∇²L̂ = (2/n)JᵀJ, PSD, rank ≤ n, spectrum (2/n)eig(JJᵀ).

    Checked: the oracle's exact trace (Gauss–Newton and functional parts) against Σ(A_j + B_j) from the trace
    blocks; λ_min ≥ 0; for p ≤ 600 the dense Hessian against (2/n)JᵀJ, and its rank against n.

Reference:
    flatproof math M.2; Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Hypotheses:
    Square loss (1/n)Σ(f − y)², no weight decay; θ interpolates the data, closely enough that the residuals'
    Hessian term is below the identities' tolerance; θ off every kink.

Certificate:
    - ``interpolation_residual``: max_i |f(x_i) − y_i|
    - ``interpolation_residuals``: |f(x_i) − y_i| per point
    - ``interpolation_perturbation``: the bounds on the residuals' Hessian term (2/n)Σ r_i∇²f_i (norm bound, its allowance, per-neuron trace bounds)
    - ``F``: Σ_j (A_j + B_j)
    - ``trace_oracle``: tr ∇²L̂ by the curvature oracle
    - ``A_j``: A_j per neuron
    - ``B_j``: B_j per neuron
    - ``lambda_max``: the Lanczos run for λ_max (Ritz value, residual, converged, method, matvecs, tolerance)
    - ``lambda_min``: the Lanczos run for λ_min
    - ``numerical_rank`` (p ≤ 600): the numerical rank of the dense Hessian
    - ``n`` (p ≤ 600): the number of data points, the rank's bound

Example:
    >>> flatproof.load_case("cases/homogeneous-trace-at-interpolator.toml").verify()
    <Verdict homogeneous.trace-at-interpolator [exact]: holds (estimated), margin 1.09e-06 (float; 5 comparisons)>
"""

from __future__ import annotations

import numpy as np

from ...measures.homogeneous_orbit import trace_blocks
from ...vocab import ModelKind, Tag
from .._common import bottom_eigen, eig_certificate, identity_tol, rounding, top_eigen
from .._core import Claim, Context, Evaluation, Instance, compare, register
from ._shared import INTERPOLATION_TOL, INTERPOLATOR_HYPOTHESES, interpolator_oracle


@register
class TraceAtInterpolator(Claim):
    id = "homogeneous.trace-at-interpolator"
    title = "At an interpolator ∇²L̂ = (2/n)JᵀJ ⪰ 0 and F = Σ_j (A_j + B_j)"
    tag = Tag.EXACT
    section = "M.2"
    reference = "flatproof math M.2; Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = (r"\nabla^2\hat L(\theta) = \tfrac{2}{n}J^\top J \succeq 0,\quad "
                 r"F(\theta) = \operatorname{tr}\nabla^2\hat L(\theta) = \sum_j (A_j + B_j)")
    hypotheses = INTERPOLATOR_HYPOTHESES
    params = (INTERPOLATION_TOL,)
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        orc = interpolator_oracle(inst, ev, ctx)
        if orc is None:
            return ev
        tol = ctx.tolerances.identity
        A, B = trace_blocks(inst.net, inst.data.X)
        F = float(np.sum(A + B))
        tr = orc.trace()
        ev.comparisons.append(compare("tr ∇²L̂ (oracle, incl. functional part) = Σ_j (A_j + B_j)", tr, "=", F,
                                      value_error=rounding(tr, F), tol=identity_tol(tol, F, terms=orc.num_params)))
        top = top_eigen(orc, ctx)
        low = bottom_eigen(orc, ctx, abs(top.value))
        n = inst.data.n
        ev.comparisons.append(compare("λ_min(∇²L̂) ≥ 0 (to tol · λ_max)", low.value, ">=", -tol * abs(top.value),
                                      value_error=low.error))
        ev.certificate.update({"F": F, "trace_oracle": tr, "A_j": A, "B_j": B, "lambda_max": eig_certificate(top),
                               "lambda_min": eig_certificate(low)})
        if orc.num_params <= 600:
            J = orc.jacobian()
            H = orc.hessian()
            GN = 2.0 / n * J.T @ J
            hs = float(np.abs(H).max()) or 1.0
            ev.comparisons.append(compare("max |∇²L̂ − (2/n)JᵀJ| = 0", float(np.abs(H - GN).max()), "=", 0.0,
                                          value_error=rounding(hs * orc.num_params), tol=identity_tol(tol, hs)))
            ev_h = np.linalg.eigvalsh(H)
            rank = int(np.sum(ev_h > tol * max(ev_h[-1], 1e-300) * orc.num_params))
            ev.comparisons.append(compare("rank ∇²L̂ ≤ n", rank, "<=", n))
            jj = 2.0 / n * np.linalg.eigvalsh(J @ J.T)
            ev.comparisons.append(compare("λ_max(∇²L̂) = (2/n) λ_max(JJᵀ)", float(ev_h[-1]), "=", float(jj[-1]),
                                          value_error=rounding(hs * orc.num_params),
                                          tol=identity_tol(tol, jj[-1])))
            ev.certificate.update({"numerical_rank": rank, "n": n})
        else:
            ev.notes.append("dense checks (JᵀJ, rank, spectrum) skipped: p > 600")
        return ev
