"""Linear stability of GD at a minimum: the threshold 2/η.

Setting:
    Univariate network under the square loss (the predecessor setting of Mulayoff et al. and Qiao et al.),
    θ a (near-)minimum reached by GD (model.construction = "gd"), off the kinks.

Claim:
    [probe] GD runs from θ and from θ' = θ + ε u (u the top Hessian eigenvector) with the same step; their
    difference follows δ_{t+1} = (I − ηH_t)δ_t to first order. With η = (1 − s)·2/λ_max the trajectories stay
    within ε of each other after T steps (relation ≤), with η = (1 + s)·2/λ_max they separate by a factor
    ≥ 10 — the linear-stability picture behind η-flatness, λ_max ≤ 2/η. An observation on the instance; the
    linearisation is exact only infinitesimally.

Reference:
    flatproof math U.2 (stability threshold); Mulayoff, Michaeli & Soudry (NeurIPS 2021); Qiao et al.,
    arXiv 2406.06838.

Hypotheses:
    θ off every kink on the data; λ_max > 0.

Certificate:
    - ``lambda_max``: the Lanczos run for λ_max (Ritz value, residual, converged, method, matvecs, tolerance)
    - ``grad_norm``: ‖∇L(θ)‖, how far θ is from stationary
    - ``epsilon``: the size ε of the perturbation along u
    - ``steps``: the number T of GD steps
    - ``distance_stable``: ‖θ'_T − θ_T‖ at η = (1 − s)·2/λ_max
    - ``distance_unstable``: ‖θ'_T − θ_T‖ at η = (1 + s)·2/λ_max

Example:
    >>> flatproof.load_case("cases/univariate-stability.toml").verify()
    <Verdict univariate.stability [probe]: holds (observed), margin 9.71e-05 (float; 2 comparisons)>
"""

from __future__ import annotations

import numpy as np

from ...measures.univariate_gradient import loss_and_gradient
from ...vocab import ModelKind, Tag
from .._common import eig_certificate, oracle_if_off_kinks, top_eigen
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class Stability(Claim):
    id = "univariate.stability"
    title = "Near a minimum, GD is stable below η = 2/λ_max and repelled above it"
    tag = Tag.PROBE
    section = "U.2"
    reference = "flatproof math U.2; Mulayoff, Michaeli & Soudry (NeurIPS 2021); Qiao et al., arXiv 2406.06838"
    statement = (r"\eta < \tfrac{2}{\lambda_{\max}}:\ \|\theta_T - \theta\| \le \epsilon,\qquad "
                 r"\eta > \tfrac{2}{\lambda_{\max}}:\ \|\theta_T - \theta\| \ge 10\,\epsilon")
    hypotheses = ("θ off every kink", "λ_max > 0")
    params = (Param("slack", float, 0.2, "relative distance s of η from 2/λ_max", minimum=0.0, maximum=0.9),
              Param("epsilon", float, 1e-4, "size ε of the perturbation", minimum=0.0, exclusive_minimum=True),
              Param("steps", int, 200, "GD steps T", minimum=1, maximum=100_000))
    model = ModelKind.UNIVARIATE

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        orc = oracle_if_off_kinks(inst, ctx, ev)
        if orc is None:
            return ev
        res = top_eigen(orc, ctx)
        lam, u = res.value, res.eigenvectors[:, 0]
        eps, s, T = ctx.params["epsilon"], ctx.params["slack"], ctx.params["steps"]
        gnorm = float(np.linalg.norm(orc.gradient()))
        if not ev.hypothesis("λ_max > 0", lam > 0, f"λ_max = {lam:.6g}"):
            return ev
        theta0 = inst.net.to_vector()
        dist = {}
        for label, eta in (("stable", (1 - s) * 2 / lam), ("unstable", (1 + s) * 2 / lam)):
            # GD from θ and from θ + εu with the same step: their difference follows (I − ηH_t)δ_t
            a, b = theta0.copy(), theta0 + eps * u
            for _ in range(T):
                a = a - eta * loss_and_gradient(inst.problem, a)[1]
                b = b - eta * loss_and_gradient(inst.problem, b)[1]
                if not (np.all(np.isfinite(a)) and np.all(np.isfinite(b))) or np.linalg.norm(b - a) > 1e6 * eps:
                    break
            dist[label] = float(np.linalg.norm(b - a))
        ev.comparisons.append(compare(f"‖θ'_T − θ_T‖ at η = (1 − {s:g})·2/λ_max ≤ ε", dist["stable"], "<=", eps))
        ev.comparisons.append(compare(f"‖θ'_T − θ_T‖ at η = (1 + {s:g})·2/λ_max ≥ 10 ε", dist["unstable"], ">=",
                                      10 * eps))
        ev.certificate.update({"lambda_max": eig_certificate(res), "grad_norm": gnorm, "epsilon": eps, "steps": T,
                               "distance_stable": dist["stable"], "distance_unstable": dist["unstable"]})
        return ev
