"""Arbitrarily flat, overfitting solutions at infinity.

Setting:
    Univariate network under logistic loss, no weight decay; a network θ whose signs fit the training labels
    with margin γ = min_j y_j f_θ(x_j) > 0 (e.g. the sign-fitting construction, which overfits noisy labels),
    scaled to θ_c = (c v, c w, c b, c² β), c ≥ 1; the data law is known.

Claim:
    [exact] f_{θ_c} = c² f_θ, so θ_c has zero training error and the population error of sign f_θ, while
        ‖∇²L(θ_c)‖₂ ≤ e^{−c²γ} (c² max_j ‖∇f_θ(x_j)‖² + ε₀),  ε₀ = max_i √(ā_i² + c̄_i²),
    so λ_max(θ_c) ≤ ε for c large (relation ≤): for every ε > 0 there is an ε-flat solution whose population
    error exceeds the Bayes error by the (fixed) excess of sign f_θ. The construction and the bound are
    derived in flatproof math U.5; the paper's claim (its Theorem 3.2 in the reviews' numbering) is that such
    solutions exist.

    Checked: (i) λ_max(θ_{c_ε}) ≤ ε at c_ε, the smallest scale ≥ the case's c at which the bound is ≤ ε
    (found by a monotone search on the logarithm of the bound; λ_max certified in rigorous mode), (ii) the
    Hessian-norm bound at the case's c: ‖∇²L(θ_c)‖₂ ≤ λ_max(H_GN) + ε_F (H_GN ⪰ 0 bounds −λ_min by ε_F), enclosed
    in O(n + m) with the bound's inputs γ, max‖∇f_θ‖², ε₀ (:mod:`flatproof.measures.hessian_norm`), (iii) zero
    training error (min_j y_j f_{θ_c}(x_j) > 0), (iv) population error − Bayes error ≥
    ``excess``: in rigorous mode by validated integration (:mod:`flatproof.measures.certified_integral`: the
    zeros of f exact, those of the logit isolated on balls, ``acb.integral`` on each piece; not resolved within
    its work bound → ``inconclusive``), in float mode by vectorised Gauss–Kronrod split at the knots, at the
    zeros of f and at the zeros and turns of the logit it finds (an estimate: its error estimate is the interval). (ii) and (iii) are one computation
    in the mode's arithmetic context: interval enclosures in rigorous mode (the bound then evaluated in ball
    arithmetic on the inputs' enclosures), float64 estimates of the same quantities in float mode.

Reference:
    flatproof math U.5; Qiao & Wang, arXiv 2512.01473, Appendix D.

Hypotheses:
    The network is a scaled sign-fitting network θ_c (model.construction); logistic loss; no weight decay;
    γ > 0; c ≥ 1; the data law is known; θ_{c_ε} off every kink (certifiably, in rigorous mode).

Certificate:
    - ``lambda_max``: the Lanczos run for λ_max(θ_{c_ε}) (Ritz value, residual, converged, method, matvecs, tolerance)
    - ``threshold``: the flatness ε that λ_max(θ_{c_ε}) is compared with
    - ``lambda_max_certified`` (rigorous mode): the certified enclosure of λ_max(θ_{c_ε})
    - ``how_certified`` (rigorous mode): how that enclosure was obtained
    - ``c_epsilon``: the scale c_ε found by the search
    - ``u5_inputs_certified`` (rigorous mode): γ, max‖∇f_θ‖², ε₀ as intervals
    - ``population_error`` (when the integral is decided): the population 0-1 error of sign f
    - ``bayes_error`` (when the integral is decided): the Bayes error of the data law
    - ``excess_error`` (when the integral is decided): their difference
    - ``quadrature_error_estimate`` (float mode): the Gauss–Kronrod error estimate of that difference
    - ``population_error_certified`` (rigorous mode, integral certified): its enclosure
    - ``bayes_error_certified`` (rigorous mode, integral certified): its enclosure
    - ``excess_error_certified`` (rigorous mode, integral certified): its enclosure
    - ``integration`` (rigorous mode, integral certified): how the validated integration went
    - ``c``: the case's scale c
    - ``gamma``: the margin γ = min_j y_j f_θ(x_j) of the base network
    - ``c2_gamma``: c²γ, the exponent of the bound
    - ``max_grad_f_sq``: max_j ‖∇f_θ(x_j)‖² of the base network
    - ``epsilon_0``: ε₀ = max_i √(ā_i² + c̄_i²)
    - ``hessian_norm_bound``: the bound e^{−c²γ}(c² max‖∇f_θ‖² + ε₀) at the case's c (sympy's, lambdified)
    - ``training_error``: the training 0-1 error of θ_c
    - ``min_margin``: min_j y_j f_{θ_c}(x_j)
    - ``uncertain_set_length``: the length of the uncertain set U_δ(θ_c) (reported, not compared)
    - ``uncertain_set_delta``: its level δ

Example:
    >>> flatproof.load_case("cases/logistic-flat-at-infinity.toml").verify()
    <Verdict logistic.flat-at-infinity [exact]: holds (certified), margin 0.001 (rigorous; 4 comparisons)>
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..._budget import Cost
from ..._errors import KinkError
from ...measures import rigorous
from ...measures.hessian_norm import U5Inputs, hessian_norm, u5_inputs, univariate_bounds
from ...measures.rigorous import UnivariateIntervals
from ...measures.uncertain import uncertain_set
from ...measures.univariate_formulas import values_at
from ...model import constructions as C
from ...model.data import x_domain
from ...model.univariate import UnivariateNet
from ...vocab import Mode, ModelKind, Tag
from .._common import flatness_comparison, flatness_cost, population_comparisons
from .._core import Claim, Comparison, Context, Evaluation, Instance, Param, compare, register


def hessian_bound(balls: bool = False) -> Callable[..., Any]:
    """U.5's bound e^{−c²γ}(c²G + ε₀), lambdified from the derivation ``flat-at-infinity`` onto numpy or,
    for rigorous mode, onto python-flint balls."""
    from ...derivations import get_derivation
    return get_derivation("flat-at-infinity").numeric["hessian_bound_ball" if balls else "hessian_bound"]


def log_hessian_bound(c: float, gamma: float, gmax: float, eps0: float) -> float:
    """log of U.5's bound e^{−c²γ}(c² max‖∇f_θ‖² + ε₀), evaluated without forming the exponential (it underflows
    for c²γ > 745 while its logarithm is an ordinary number); tests check it against sympy's bound."""
    return -(c * c) * gamma + math.log(c * c * gmax + eps0)


def smallest_scale(bound: Callable[[float], float], eps: float, c0: float) -> float:
    """The smallest c ≥ c0 on the decreasing branch of the U.5 bound with bound(c) ≤ ε (monotone search:
    doubling, then bisection); c0 itself if bound(c0) ≤ ε already."""
    if bound(c0) <= eps:
        return c0
    lo = c0
    hi = max(c0, 1.0) * 2.0
    while bound(hi) > eps:
        lo, hi = hi, hi * 2.0
        if hi > 1e150:
            raise FloatingPointError(f"no scale c ≤ 1e150 brings the U.5 bound down to params.epsilon = {eps:g} "
                                     "in float64")
    for _ in range(200):                   # bound is decreasing on [lo, hi] once past its maximum
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if bound(mid) <= eps:
            hi = mid
        else:
            lo = mid
    return hi


def base_hypotheses(inst: Instance, ev: Evaluation) -> bool:
    ok = ev.hypothesis("the network is a scaled sign-fitting network θ_c (model.construction)",
                       inst.base_net is not None and inst.scale is not None,
                       "" if inst.base_net is not None else "build the model with construction = \"sign-fitting\"")
    ok &= ev.hypothesis("logistic loss", inst.loss.kind == "logistic", inst.loss.kind)
    ok &= ev.hypothesis("no weight decay", inst.weight_decay == 0.0, f"λ = {inst.weight_decay:g}")
    return ok


def u5_hypotheses(inst: Instance, ctx: Context, ev: Evaluation) -> U5Inputs | None:
    """The U.5 inputs of the base network θ in the mode's context (enclosures in rigorous mode) and the
    hypotheses that need them; None when one is not met."""
    c = inst.scale
    assert c is not None                    # base_hypotheses checked it (for the type checker)
    if not (ev.hypothesis("c ≥ 1", c >= 1.0, f"c = {c:g}")
            & ev.hypothesis("the data law is known (data from a generator)", inst.task is not None)):
        return None
    try:
        u5 = u5_inputs(inst.problem, inst.base_net, ctx.mode)
    except KinkError as exc:
        ev.hypothesis("θ is certifiably off every kink", False, str(exc))
        return None
    gamma, (g_lo, g_hi) = u5.estimates()[0], u5.gamma
    name = "θ fits the signs of the labels: γ = min_j y_j f_θ(x_j) > 0"
    if u5.certified and g_lo <= 0 < g_hi:
        # the enclosure of γ straddles 0: the hypothesis is neither certified nor refuted, so the verdict is
        # inconclusive (an undecided comparison), never hypotheses-not-met on the strength of a midpoint
        ev.comparisons.append(compare(name, gamma, ">=", math.ulp(0.0), value_interval=(g_lo, g_hi), certified=True))
        ev.notes.append(f"γ ∈ [{g_lo:.6g}, {g_hi:.6g}] is not certified positive: the hypothesis is undecided")
        return None
    ev.hypothesis(name, g_lo > 0 if u5.certified else gamma > 0, f"γ = {gamma:.6g}")
    return u5 if ev.hypotheses_met else None


def flat_at_c_epsilon(inst: Instance, ctx: Context, ev: Evaluation, u5: U5Inputs) -> bool:
    """(i) λ_max(θ_{c_ε}) ≤ ε, inserted as the first comparison; False at a kink."""
    gamma, gmax, eps0 = u5.estimates()
    eps, c = ctx.params["epsilon"], inst.scale
    assert c is not None                    # base_hypotheses checked it (for the type checker)
    # the search runs on log bound(c) = −c²γ + log(c²G + ε₀) against log ε: in float64 the bound itself
    # underflows (to 0 ≤ ε) long before it reaches a subnormal ε, which would pick a c_ε that is too small
    c_eps = smallest_scale(lambda t: log_hessian_bound(t, gamma, gmax, eps0), math.log(eps), c)
    # the threshold is ε itself: η = 2/ε may not be a float64 number (ε = 1e-310) and 2/(2/ε) may differ
    # from ε by rounding
    flat = flatness_comparison(inst, ctx, ev, math.inf, name=f"λ_max(∇²L(θ_c)) ≤ ε at c_ε = {c_eps:.6g}",
                               net=C.scale_to_infinity(inst.base_net, c_eps), threshold=eps)
    if flat is None:
        return False
    ev.comparisons.insert(0, ev.comparisons.pop())              # the main comparison first
    ev.certificate.update({"threshold": eps, "c_epsilon": c_eps})
    return True


def norm_comparison(b: UnivariateIntervals, u5: U5Inputs, c: float, bound: float) -> Comparison:
    """(ii) ‖∇²L(θ_c)‖₂ ≤ e^{−c²γ}(c² G + ε₀): the O(n + m) enclosure of the norm against the bound evaluated in
    ball arithmetic on the inputs' enclosures (certified in rigorous mode, float estimates otherwise)."""
    arb = rigorous.arb
    g, G, e0 = (arb(lo).union(arb(hi)) for lo, hi in (u5.gamma, u5.max_grad_f_sq, u5.epsilon_0))
    norm = hessian_norm(b)
    return compare("‖∇²L(θ_c)‖₂ ≤ e^{−c²γ}(c² max‖∇f_θ‖² + ε₀)", norm.upper, "<=", bound,
                   value_interval=(norm.lower, norm.upper),
                   bound_interval=rigorous.interval(hessian_bound(balls=True)(arb(c), g, G, e0)),
                   certified=norm.certified and u5.certified)


@dataclass(frozen=True)
class ByPrefixSums:
    """θ_c as :func:`~flatproof.measures.uncertain.level_set` reads it: its knots, and its values at many points by
    the O(n + m) prefix sums (evaluating the network directly costs O(nm): 6.5·10⁹ at n = 10⁵)."""

    net: UnivariateNet

    @property
    def knots(self) -> np.ndarray:
        return self.net.knots

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return values_at(self.net, x)


def margins(b: UnivariateIntervals, inst: Instance) -> tuple[float, np.ndarray]:
    """(a lower bound on min_j y_j f_{θ_c}(x_j) (certified in rigorous mode), the margins' estimates)."""
    z = b.ctx.exact(inst.problem.sorted_y) * b.f
    lo, hi = b.ctx.lower(z), b.ctx.upper(z)
    return float(np.min(lo)), 0.5 * (lo + hi)


@register
class FlatAtInfinity(Claim):
    id = "logistic.flat-at-infinity"
    title = "Arbitrarily flat solutions at infinity that overfit: λ_max(θ_c) ≤ ε with population error of sign f_θ"
    tag = Tag.EXACT
    section = "U.5"
    reference = "flatproof math U.5; Qiao & Wang, arXiv 2512.01473, Appendix D (arbitrarily flat interpolating solutions)"
    statement = (r"\|\nabla^2 L(\theta_c)\|_2 \le e^{-c^2\gamma}\big(c^2 \max_j\|\nabla f_\theta(x_j)\|^2 + "
                 r"\varepsilon_0\big),\quad \lambda_{\max}(\theta_c) \le \varepsilon,\quad "
                 r"\widehat{\mathrm{err}}(\theta_c) = 0,\quad \mathrm{err}(\theta_c) - \mathrm{err}_{\mathrm{Bayes}}"
                 r" \ge \Delta")
    hypotheses = ("θ_c is a scaled label-fitting network (margin γ > 0, c ≥ 1)", "logistic loss, no weight decay",
                  "the data law is known", "θ_c off every kink on the data")
    params = (Param("epsilon", float, 1e-3, "flatness target ε", minimum=0.0, exclusive_minimum=True),
              Param("excess", float, 0.0, "stated excess Δ of the population error over the Bayes error",
                    minimum=0.0, maximum=1.0),
              Param("delta", float, 0.01, "level of the reported uncertain set U_δ(θ_c)", minimum=0.0,
                    maximum=0.25, exclusive_minimum=True))
    model = ModelKind.UNIVARIATE
    modes = (Mode.FLOAT, Mode.RIGOROUS)

    @classmethod
    def cost(cls, n: int, m: int, d: int, mode: str) -> Cost:
        """The O(n + m) path in both modes: λ_max as in :func:`~flatproof.claims._common.flatness_comparison`,
        the Hessian norm, the U.5 inputs and the margins from prefix sums, the population error on f's O(m)
        pieces; never an n × m array."""
        return flatness_cost(n, m, mode)

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        if not base_hypotheses(inst, ev):
            return ev
        u5 = u5_hypotheses(inst, ctx, ev)
        if u5 is None or not flat_at_c_epsilon(inst, ctx, ev, u5):
            return ev
        c = inst.scale
        assert c is not None                    # base_hypotheses checked it (for the type checker)
        gamma, gmax, eps0 = u5.estimates()
        with np.errstate(under="ignore"):
            bound = float(hessian_bound()(c, gamma, gmax, eps0))     # e^{−c²γ}(c²G + ε₀), sympy's
        try:
            b = univariate_bounds(inst.problem, inst.net, ctx.mode)   # θ_c's U.2 quantities: norm and margins
        except KinkError as exc:
            ev.hypothesis("θ_c is certifiably off every kink", False, str(exc))
            return ev
        # (ii) the U.5 bound on the spectral norm
        ev.comparisons.append(norm_comparison(b, u5, c, bound))
        if u5.certified:
            ev.certificate["u5_inputs_certified"] = u5.as_dict()
            ev.notes.append("γ, max‖∇f_θ‖² and ε₀ are enclosed in O(n + m) interval arithmetic from the exact binary "
                            "parameters and data; the bound is evaluated on them in ball arithmetic")
        # (iii) training error
        low, est = margins(b, inst)
        ev.comparisons.append(compare("min_j y_j f_{θ_c}(x_j) > 0 (zero training error)", low, ">=",
                                      math.ulp(0.0), value_interval=(low, low), certified=b.ctx.rigorous))
        # (iv) population error
        population_comparisons(inst, ctx, ev, ctx.params["excess"], "err(sign f) − Bayes error ≥ Δ")
        lo, hi = x_domain(inst.task, inst.data.x)
        U = uncertain_set(ByPrefixSums(inst.net), ctx.params["delta"], lo, hi)
        ev.certificate.update({"c": c, "gamma": gamma, "c2_gamma": c * c * gamma, "max_grad_f_sq": gmax,
                               "epsilon_0": eps0, "hessian_norm_bound": bound,
                               "training_error": float(np.mean(est <= 0)), "min_margin": float(est.min()),
                               "uncertain_set_length": U.length, "uncertain_set_delta": ctx.params["delta"]})
        return ev
