"""η-flatness: the linear-stability threshold of GD, λ_max(∇²L(θ)) ≤ 2/η.

Setting:
    Univariate two-layer ReLU network, logistic or square loss, θ off every kink on the data, a step size η
    (``params.eta``).

Claim:
    [probe] θ is η-flat: λ_max(∇²L(θ)) ≤ 2/η (relation ≤) — the condition under which GD with step η can be
    linearly stable at a twice-differentiable minimum. A property of this instance, not a theorem that holds
    for every θ; it is decided with certified (rigorous mode) or estimated (float mode) error bars.

    Float mode: the Lanczos Ritz value is a Rayleigh quotient (≤ λ_max), so "violated" is safe; "holds" also
    rests on Lanczos having converged to the top eigenvalue. Rigorous mode: λ_max is enclosed by a verified
    eigendecomposition of the ball Hessian (python-flint), see :mod:`flatproof.measures.rigorous`.

Reference:
    flatproof math U.2 (η-flatness); the stability threshold is the one used by Mulayoff, Michaeli & Soudry
    (NeurIPS 2021) and Qiao et al. (arXiv 2406.06838).

Hypotheses:
    θ off every kink on the data (the Hessian exists); in rigorous mode, certifiably off every kink.

Certificate:
    - ``lambda_max``: the Lanczos run for λ_max (Ritz value, residual, converged, method, matvecs, tolerance)
    - ``threshold``: the threshold 2/η the Ritz value is compared with
    - ``lambda_max_certified`` (rigorous mode): the certified enclosure [lo, hi] of λ_max
    - ``how_certified`` (rigorous mode): how that enclosure was obtained

Example:
    >>> flatproof.load_case("cases/univariate-eta-flat-rigorous.toml").verify()
    <Verdict univariate.eta-flat [probe]: holds (certified), margin 3.31 (rigorous; 1 comparison)>
"""

from __future__ import annotations

from ..._budget import Cost
from ...vocab import Mode, ModelKind, Tag
from .._common import flatness_comparison, flatness_cost
from .._core import Claim, Context, Evaluation, Instance, Param, register


@register
class EtaFlat(Claim):
    id = "univariate.eta-flat"
    title = "θ is η-flat: λ_max(∇²L(θ)) ≤ 2/η"
    tag = Tag.PROBE
    section = "U.2"
    reference = "flatproof math U.2; Mulayoff, Michaeli & Soudry (NeurIPS 2021); Qiao et al., arXiv 2406.06838"
    statement = r"\lambda_{\max}\big(\nabla^2 L(\theta)\big) \le \frac{2}{\eta}"
    hypotheses = ("θ off every kink on the data",)
    params = (Param("eta", float, 1.0, "GD step size η", minimum=0.0, exclusive_minimum=True),)
    model = ModelKind.UNIVARIATE
    modes = (Mode.FLOAT, Mode.RIGOROUS)

    @classmethod
    def cost(cls, n: int, m: int, d: int, mode: str) -> Cost:
        """What this check allocates before it runs (the resource estimate of a case file): the O(n + m) path
        of :func:`~flatproof.claims._common.flatness_comparison`, never an n × m array (d = 1)."""
        return flatness_cost(n, m, mode)

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        flatness_comparison(inst, ctx, ev, ctx.params["eta"])
        return ev
