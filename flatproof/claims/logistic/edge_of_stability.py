"""GD ends at the edge of stability: λ_max of the GD iterate is close to 2/η.

Setting:
    Univariate network trained by full-batch GD with step η from a seeded initialisation
    (model.construction = "gd"), logistic or square loss.

Claim:
    [probe] λ_max rises to the stability threshold and hovers there: the GD iterate after T steps satisfies
    |λ_max(∇²L(θ_T)) − 2/η| ≤ s · 2/η for a relative slack s (relation =, to the tolerance s · 2/η). An
    observation on generated instances, not a theorem (at the edge of stability GD sits slightly above 2/η
    with a non-monotone loss; on separable logistic data the iterates run to infinity and λ_max → 0, so the
    observation fails there).

Reference:
    flatproof math U.7; Qiao & Wang, arXiv 2512.01473, Section 4 (simulation study).

Hypotheses:
    θ was trained by GD with step η; θ_T off every kink on the data.

Certificate:
    - ``eta``: the GD step η of the training run
    - ``two_over_eta``: the threshold 2/η
    - ``lambda_max``: the Lanczos run for λ_max(θ_T) (Ritz value, residual, converged, method, matvecs, tolerance)
    - ``steps``: the number of GD steps taken
    - ``stop_reason``: why the training run stopped
    - ``final_loss``: L(θ_T)
    - ``max_recorded_lambda_max``: the largest λ_max recorded along the run (None if none was recorded)
    - ``recorded``: the training history (step, loss, λ_max, ‖θ‖, η at the recorded steps)

Example:
    >>> flatproof.load_case("cases/logistic-edge-of-stability.toml").verify()
    <Verdict logistic.edge-of-stability [probe]: holds (observed), margin 0.0824 (float; 1 comparison)>
"""

from __future__ import annotations

import numpy as np

from ...vocab import ModelKind, Tag
from .._common import eig_certificate, eig_interval, oracle_if_off_kinks, top_eigen
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class EdgeOfStability(Claim):
    id = "logistic.edge-of-stability"
    title = "GD with step η ends at the edge of stability: |λ_max(θ_T) − 2/η| ≤ s·2/η"
    tag = Tag.PROBE
    section = "U.7"
    reference = "flatproof math U.7; Qiao & Wang, arXiv 2512.01473, Section 4 (simulations)"
    statement = r"\Big|\lambda_{\max}\big(\nabla^2 L(\theta_T)\big) - \frac{2}{\eta}\Big| \le s\,\frac{2}{\eta}"
    hypotheses = ("θ was trained by GD with step η", "θ_T off every kink on the data")
    params = (Param("slack", float, 0.25, "relative slack s around 2/η", minimum=0.0),)
    model = ModelKind.UNIVARIATE

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        tr = inst.training
        if not ev.hypothesis("θ was trained by GD (model.construction = \"gd\")", tr is not None):
            return ev
        orc = oracle_if_off_kinks(inst, ctx, ev)
        if orc is None:
            return ev
        eta = inst.provenance["eta"]
        thr = 2.0 / eta
        res = top_eigen(orc, ctx)
        s = ctx.params["slack"]
        ev.comparisons.append(compare(f"λ_max(θ_T) = 2/η (to ±{s:g}·2/η)", res.value, "=", thr,
                                      value_interval=eig_interval(res), tol=s * thr))
        lam = np.asarray(tr.history.get("lambda_max", []), dtype=float)
        ev.certificate.update({"eta": eta, "two_over_eta": thr, "lambda_max": eig_certificate(res),
                               "steps": tr.steps, "stop_reason": tr.stop_reason,
                               "final_loss": orc.loss(),
                               "max_recorded_lambda_max": float(lam.max()) if lam.size else None,
                               "recorded": {k: list(v) for k, v in tr.history.items()}})
        return ev
