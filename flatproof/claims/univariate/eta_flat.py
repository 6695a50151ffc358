"""η-flatness (the linear-stability threshold of GD).

Setting: univariate network, logistic or square loss, θ off every kink on the data, a step size η.

Statement: θ is η-flat, λ_max(∇²L(θ)) ≤ 2/η — the condition under which GD with step η can be
linearly stable at a twice-differentiable minimum.

Tag: [probe] — a property of this instance (is this θ η-flat?), not a theorem that holds for every θ;
it is decided with certified (rigorous mode) or estimated error bars.

Reference: flatproof math U.2 (η-flatness); the stability threshold is the one used by Mulayoff et al.
(NeurIPS 2021) and Qiao et al. (arXiv 2406.06838).

Float mode: the Lanczos Ritz value is a Rayleigh quotient (≤ λ_max), so "violated" is safe; "holds"
also rests on Lanczos having converged to the top eigenvalue. Rigorous mode: λ_max is enclosed by
a verified eigendecomposition of the ball Hessian (python-flint), see :mod:`flatproof.measures.rigorous`.

Example: ``flatproof verify cases/univariate-eta-flat-rigorous.toml`` ends in ``holds`` with a
certified interval for λ_max.
"""

from __future__ import annotations

import math

from ...measures import rigorous
from ..._errors import KinkError
from .._common import oracle_if_off_kinks, eig_certificate, eig_interval, top_eigen
from .._core import Claim, Evaluation, Param, compare, register


def flatness_comparison(inst, ctx, ev: Evaluation, eta: float, name: str = "λ_max(∇²L) ≤ 2/η", net=None, *,
                        threshold: float | None = None):
    """Append the comparison λ_max ≤ 2/η (float or rigorous) at ``net`` (default: the instance's) to ``ev``;
    return it (None at a kink). A caller whose statement is λ_max ≤ ε passes ``threshold=ε`` (η = 2/ε may not
    be a float64 number: ε = 1e-310 gives η = ∞); without it, an η for which 2/η is not a positive finite
    float64 number gives an inconclusive comparison that says so, never a threshold of 0 or ∞."""
    net = inst.net if net is None else net
    if threshold is None:
        thr = 2.0 / eta if math.isfinite(eta) and eta > 0 else math.nan
        exact = False
    else:
        thr, exact = float(threshold), True
    if not (math.isfinite(thr) and thr > 0):
        ev.notes.append(f"the flatness threshold 2/η is not a positive float64 number (η = {eta!r}, 2/η = {thr!r}): "
                        "float64 cannot state this comparison; no verdict on it")
        cmp = compare(name, math.nan, "<=", math.nan)
        ev.comparisons.append(cmp)
        return cmp
    orc = oracle_if_off_kinks(inst, ctx, ev, net)
    if orc is None:
        return None
    res = top_eigen(orc, ctx)
    ev.certificate["lambda_max"] = eig_certificate(res)
    ev.certificate["threshold"] = thr
    if ctx.mode == "rigorous":
        try:
            (lo, hi), how = rigorous.univariate_lambda_max(inst.problem, net, res.eigenvectors[:, 0])
        except KinkError as exc:
            ev.hypothesis("θ is certifiably off every kink", False, str(exc))
            return None
        ev.certificate["lambda_max_certified"] = [lo, hi]
        ev.certificate["how_certified"] = how
        bound = (thr, thr) if exact else (rigorous.down(rigorous.arb(2) / rigorous.arb(eta)),
                                          rigorous.up(rigorous.arb(2) / rigorous.arb(eta)))
        cmp = compare(name, res.value, "<=", thr, value_interval=(lo, hi), bound_interval=bound, certified=True)
    else:
        cmp = compare(name, res.value, "<=", thr, value_interval=eig_interval(res))
    ev.comparisons.append(cmp)
    return cmp


@register
class EtaFlat(Claim):
    id = "univariate.eta-flat"
    title = "θ is η-flat: λ_max(∇²L(θ)) ≤ 2/η"
    tag = "probe"
    section = "U.2"
    reference = "flatproof math U.2; Mulayoff, Michaeli & Soudry (NeurIPS 2021); Qiao et al., arXiv 2406.06838"
    statement = r"\lambda_{\max}\big(\nabla^2 L(\theta)\big) \le \frac{2}{\eta}"
    hypotheses = ("θ off every kink on the data",)
    params = (Param("eta", float, 1.0, "GD step size η", minimum=0.0, exclusive_minimum=True),)
    model = "univariate"
    modes = ("float", "rigorous")

    def evaluate(self, inst, ctx):
        ev = Evaluation()
        flatness_comparison(inst, ctx, ev, ctx.params["eta"])
        return ev
