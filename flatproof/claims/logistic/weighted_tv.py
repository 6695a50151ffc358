"""The curvature-weighted TV(1) bound.

Setting:
    Univariate network, logistic or square loss (any per-sample loss with φ'' ≥ 0), θ off every kink on the
    data; d_j = φ''(f_j), D̄ = (1/n)Σ_j d_j, μ ∝ Σ_j d_j δ_{x_j}, g^±_μ as in U.4.

Claim:
    [exact] For every θ (relation ≥),
        λ_max(∇²L(θ)) ≥ D̄ · (1 + 2 Σ_i |v_i w_i| g^{side(i)}_μ(t_i)) − ε_F(θ).
    With the square loss at an interpolating point (d_j ≡ 1, ε_F = 0) this is Mulayoff et al.'s
    λ_max ≥ 1 + 2∫ g |f''|. The parameter ``factor`` (2 in the theorem) lets a case state a wrong constant on
    purpose. Derived in flatproof math U.4 (the Rayleigh quotient of u = E_μ[∇f], per-neuron expansion,
    a² + b² ≥ 2ab); corresponds to the paper's Theorem 3.1 (a weighted-TV bound by λ_max); the constants here
    are ours, not the paper's. Optional corollaries: for η-flat θ (``eta`` > 0) and with μ restricted to the
    uncertain points d_j ≥ δ (``delta`` > 0).

    Float mode: the left side is a Rayleigh quotient, hence a certified-up-to-rounding lower bound on λ_max,
    which is what "holds" needs. Rigorous mode: the same statements with both sides in ball arithmetic; the
    table prints the midpoints of the certified enclosures.

Reference:
    flatproof math U.4; Qiao & Wang, arXiv 2512.01473; Mulayoff, Michaeli & Soudry (NeurIPS 2021).

Hypotheses:
    θ off every kink on the data (certifiably, in rigorous mode).

Certificate:
    - ``lambda_max``: the Lanczos run for λ_max (Ritz value, residual, converged, method, matvecs, tolerance)
    - ``D_bar``: D̄ = (1/n)Σ_j d_j
    - ``weighted_tv``: Σ_i |v_i w_i| g_μ(t_i)
    - ``g_side``: which weight g was used (side(i), or min(g+, g-))
    - ``epsilon_F``: ε_F = ‖H_F‖₂
    - ``factor``: the constant stated (2 in the theorem)
    - ``tv1``: the unweighted TV(1) = Σ_i |v_i w_i|
    - ``rhs``: the right side D̄(1 + factor · weighted TV) − ε_F (+ λ)
    - ``tv_cap_eta_flat`` (float mode, eta > 0 and θ η-flat): the corollary's cap ((2/η + ε_F)/D̄ − 1)/factor
    - ``Gamma_delta`` (delta > 0 and some d_j ≥ δ): Γ(δ) = δ|A_δ|/n
    - ``uncertain_points`` (delta > 0 and some d_j ≥ δ): |A_δ|, the points with d_j ≥ δ
    - ``tv_h_delta`` (float mode, delta > 0 and some d_j ≥ δ): the weighted TV with μ uniform on A_δ
    - ``lambda_max_certified`` (rigorous mode): the certified enclosure of λ_max
    - ``rhs_certified`` (rigorous mode): the enclosure of the right side
    - ``weighted_tv_certified`` (rigorous mode): the enclosure of the weighted TV
    - ``how_certified`` (rigorous mode): how the enclosures were obtained
    - ``tv_cap_eta_flat_certified`` (rigorous mode, eta > 0 and θ certifiably η-flat): the cap's enclosure
    - ``tv_h_delta_certified`` (rigorous mode, delta > 0 and some d_j ≥ δ): the enclosure of the restricted TV

Example:
    >>> flatproof.load_case("cases/logistic-weighted-tv.toml").verify()
    <Verdict logistic.weighted-tv [exact]: holds (estimated: λ_max by Lanczos (Ritz value ≤ λ_max; upper end from the residual), right side with a rounding estimate; float64 with a rounding estimate; η-flatness by Lanczos), margin 0.284 (float; 3 comparisons)>
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..._errors import KinkError
from ...measures import rigorous
from ...measures.mode_bounds import (
    Bounds,
    TVBoundTerms,
    eta_cap_bounds,
    lambda_max_bounds,
    threshold_terms,
    tv_bound_terms,
)
from ...vocab import Basis, Mode, ModelKind, Tag
from .._common import eig_certificate, oracle_if_off_kinks, top_eigen
from .._core import Claim, Comparison, Context, Evaluation, Instance, Param, compare, register


def _basis(b: Bounds, note: str) -> dict[str, Any]:
    """How a comparison on ``b`` is decided: certified, or estimated with ``note`` saying by what."""
    return {"certified": True} if b.certified else {"basis": Basis.ESTIMATED, "basis_note": note}


LANCZOS = "λ_max by Lanczos (Ritz value ≤ λ_max; upper end from the residual), right side with a rounding estimate"


@register
class WeightedTV(Claim):
    id = "logistic.weighted-tv"
    title = "λ_max ≥ D̄(1 + 2 Σ|v_i w_i| g_μ(t_i)) − ε_F: flatness bounds a curvature-weighted TV(1)"
    tag = Tag.EXACT
    section = "U.4"
    reference = ("flatproof math U.4 (derived there; corresponds to Theorem 3.1 of Qiao & Wang, arXiv 2512.01473); "
                 "square-loss case: Mulayoff, Michaeli & Soudry (NeurIPS 2021)")
    statement = (r"\lambda_{\max}\big(\nabla^2 L(\theta)\big) \ge \bar D\Big(1 + 2\sum_i |v_i w_i|\, "
                 r"g^{\mathrm{side}(i)}_\mu(t_i)\Big) - \varepsilon_F(\theta)")
    hypotheses = ("θ off every kink on the data",)
    params = (Param("factor", float, 2.0, "the constant in front of the weighted TV (2 in the theorem)",
                    minimum=0.0),
              Param("sided", bool, True, "use g^{side(i)} (true) or the smaller g_μ = min(g⁺, g⁻) (false)"),
              Param("eta", float, 0.0, "if > 0: also the corollary for η-flat θ (weighted TV ≤ ((2/η + ε_F)/D̄ − 1)/2)",
                    minimum=0.0),
              Param("delta", float, 0.0, "if > 0: also the bound with μ restricted to the uncertain points d_j ≥ δ "
                    "(threshold form, Γ = δ|A_δ|/n)", minimum=0.0, maximum=0.25))
    model = ModelKind.UNIVARIATE
    modes = (Mode.FLOAT, Mode.RIGOROUS)

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        orc = oracle_if_off_kinks(inst, ctx, ev)
        if orc is None:
            return ev
        factor, sided = ctx.params["factor"], ctx.params["sided"]
        res = top_eigen(orc, ctx)
        f = orc.forward()
        d = inst.loss.d2(f, inst.data.y)
        eps_f = orc.epsilon_F()
        name = f"λ_max ≥ D̄(1 + {factor:g}·Σ|v_i w_i| g(t_i)) − ε_F" + (" + λ" if inst.weight_decay else "")
        t = tv_bound_terms(inst.data.x, inst.net, d, eps_f, inst.weight_decay, factor, sided, Mode.FLOAT)
        ev.certificate.update({"lambda_max": eig_certificate(res), "D_bar": t.d_mean, "weighted_tv": t.wtv,
                               "g_side": "side(i)" if sided else "min(g+, g-)", "epsilon_F": eps_f,
                               "factor": factor, "tv1": inst.net.tv1(), "rhs": t.rhs})
        try:       # λ_max and the right side in both modes by one call each; rigorous mode's need ball enclosures
            balls = rigorous.univariate_balls(inst.problem, inst.net) if ctx.mode == Mode.RIGOROUS else None
            lam = lambda_max_bounds(inst.problem, inst.net, res, ctx.mode, balls=balls)
        except KinkError as exc:
            ev.hypothesis("θ is certifiably off every kink", False, str(exc))
            return ev
        if balls is not None:
            t = tv_bound_terms(inst.data.x, inst.net, d, eps_f, inst.weight_decay, factor, sided, ctx.mode, balls)
        if lam.certified:
            ev.certificate.update({"lambda_max_certified": list(lam.interval),
                                   "rhs_certified": list(t.rhs_bounds.interval),
                                   "weighted_tv_certified": list(t.wtv_bounds.interval),
                                   "how_certified": f"{lam.how}; right side: {t.rhs_bounds.how}"})
        value = min(max(lam.value, lam.interval[0]), lam.interval[1])   # the Ritz value, inside its interval
        if t.vanishes:
            ev.comparisons.append(self._beta_route(t.eps_f_bounds.value, t.eps_f_bounds.interval,
                                                   **_basis(t.eps_f_bounds, t.eps_f_bounds.how)))
        else:
            ev.comparisons.append(compare(name, value, ">=", t.rhs_bounds.value, value_interval=lam.interval,
                                          bound_interval=t.rhs_bounds.interval, **_basis(t.rhs_bounds, LANCZOS)))
        self._corollaries(inst, ctx, ev, value, lam, t, balls, d)
        return ev

    BETA_ROUTE = ("right side − ∂²L/∂β² = −ε_F ≤ 0, so λ_max ≥ ∂²L/∂β² ≥ right side "
                  "(Σ|v_i w_i| g(t_i) = 0: no data point on a neuron's weighting side)")

    def _beta_route(self, eps_f: float, eps_interval: tuple[float, float], **basis: Any) -> Comparison:
        """The main comparison when the weighted TV vanishes by counting (``tv_vanishes``): the bound is
        D̄ − ε_F + λ and the β direction's Rayleigh quotient D̄ + λ exceeds it by ε_F ≥ 0."""
        return compare(self.BETA_ROUTE, -eps_f, "<=", 0.0, value_interval=(-eps_interval[1], -eps_interval[0]),
                       bound_interval=(0.0, 0.0), **basis)

    COROLLARY = "η-flat ⇒ Σ|v_i w_i| g(t_i) ≤ ((2/η + ε_F)/D̄ − 1)/2"
    THRESHOLD = "λ_max ≥ Γ(δ)(1 + 2 Σ|v_i w_i| h_δ(t_i)) − ε_F (μ uniform on d_j ≥ δ)"

    def _corollaries(self, inst: Instance, ctx: Context, ev: Evaluation, value: float, lam: Bounds,
                     t: TVBoundTerms, balls: Any, d: np.ndarray) -> None:
        """U.4's corollaries (η-flat cap, threshold form), each computed once by :mod:`~flatproof.measures.
        mode_bounds` in the mode's arithmetic (float64 with a rounding estimate, or balls)."""
        factor, sided, eta, delta = (ctx.params[k] for k in ("factor", "sided", "eta", "delta"))
        sure = "_certified" if ctx.mode == Mode.RIGOROUS else ""
        if eta > 0:
            e = eta_cap_bounds(lam, eta, factor, t, ctx.mode, balls)
            state = ("certifiably η-flat" if lam.certified else "η-flat") if e.flat else "not certifiably η-flat"
            ev.notes.append(f"corollary: θ is {state} (λ_max ≤ {lam.interval[1]:.6g}, 2/η = {e.two_eta.value:.6g})")
            if e.cap is not None:
                ev.comparisons.append(compare(self.COROLLARY, t.wtv_bounds.value, "<=", e.cap.value,
                                              value_interval=t.wtv_bounds.interval, bound_interval=e.cap.interval,
                                              **_basis(e.cap, e.cap.how)))
                ev.certificate["tv_cap_eta_flat" + sure] = list(e.cap.interval) if sure else e.cap.value
        if delta > 0:
            h = threshold_terms(inst.data.x, inst.net, d, delta, t.eps_f_bounds.value, inst.weight_decay, factor,
                                sided, ctx.mode, balls)
            if h.undecided:
                ev.notes.append(f"threshold form: {h.undecided} point(s) with d_j = δ undecided in ball arithmetic")
                ev.comparisons.append(compare(self.THRESHOLD, value, ">=", float("nan"), value_interval=lam.interval,
                                              bound_interval=(-math.inf, math.inf), certified=True))
            elif h.rhs is not None and h.tv_h is not None:
                ev.comparisons.append(compare(self.THRESHOLD, value, ">=", h.rhs.value, value_interval=lam.interval,
                                              bound_interval=h.rhs.interval,
                                              **_basis(h.rhs, LANCZOS)))
                ev.certificate.update({"Gamma_delta": h.gamma, "uncertain_points": h.count,
                                       "tv_h_delta" + sure: list(h.tv_h.interval) if sure else h.tv_h.value})
            else:
                ev.notes.append(f"no data point has d_j ≥ δ = {delta:g}: the threshold form says nothing")
