"""‖∇²L(θ)‖₂ of the univariate network enclosed in O(n + m), and the inputs of the U.5 bound (flatproof math U.2,
U.5), written once against an arithmetic context: certified in the interval context (rigorous mode), the same
quantities as float64 estimates in the float context.

Upper end. ∇²L = H_GN + H_F + λI with H_GN = (1/n) Jᵀ D J ⪰ 0 and ‖H_F‖₂ = ε_F = max_i √(a_i² + c_i²) (U.2), so
λ_max(∇²L) ≤ λ_max(H_GN) + ε_F + λ (Weyl) and λ_min(∇²L) ≥ 0 − ε_F + λ ≥ −ε_F (λ ≥ 0): hence
‖∇²L‖₂ = max(λ_max, −λ_min) ≤ λ_max(H_GN) + ε_F + λ, with λ_max(H_GN) bounded by Collatz–Wielandt on a
non-negative kernel (:meth:`~flatproof.measures.rigorous.UnivariateIntervals.gauss_newton_upper`): the λ_max
bound of rigorous mode at scale bounds the norm too.

Lower end. H_F has a zero diagonal, so ‖∇²L‖₂ ≥ λ_max(∇²L) ≥ tr(∇²L)/p = tr(H_GN)/p + λ (p = 3m + 1), and
tr H_GN is the O(n + m) trace of U.2.

U.5 inputs of a base network θ: γ = min_j y_j f_θ(x_j), G = max_j ‖∇f_θ(x_j)‖² and ε₀ = max_i √(ā_i² + c̄_i²),
from the per-point ‖∇f_j‖² and the label-free blocks (ā_i, c̄_i) of :mod:`~flatproof.measures.univariate_formulas`
(O(n + m), no Jacobian). Each is returned as [lo, hi]: an enclosure in a rigorous context, lo = hi = the
estimate in the float context.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..arith.compensated import INTERVAL_COMPENSATED
from ..arith.contexts import FLOAT, Context
from ..arith.intervals import _quiet
from ..vocab import Mode
from .rigorous import UnivariateIntervals

__all__ = ["HessianNorm", "U5Inputs", "hessian_norm", "u5_inputs", "univariate_bounds"]

Bounds = tuple[float, float]


@dataclass(frozen=True)
class HessianNorm:
    """[lower, upper] ∋ ‖∇²L(θ)‖₂ (certified when ``certified``, else float64 estimates of the same bounds)."""

    lower: float
    upper: float
    gauss_newton: float     # the upper bound on λ_max(H_GN)
    eps_f: float            # the upper bound on ε_F = ‖H_F‖₂
    certified: bool
    how: str


@dataclass(frozen=True)
class U5Inputs:
    """γ, max_j ‖∇f_θ(x_j)‖², ε₀ of a base network as [lo, hi] (certified when ``certified``)."""

    gamma: Bounds
    max_grad_f_sq: Bounds
    epsilon_0: Bounds
    certified: bool

    def estimates(self) -> tuple[float, float, float]:
        """The midpoints (the float estimates themselves in float mode)."""
        (g0, g1), (G0, G1), (e0, e1) = self.gamma, self.max_grad_f_sq, self.epsilon_0
        return 0.5 * (g0 + g1), 0.5 * (G0 + G1), 0.5 * (e0 + e1)

    def as_dict(self) -> dict[str, list[float]]:
        return {"gamma": list(self.gamma), "max_grad_f_sq": list(self.max_grad_f_sq),
                "epsilon_0": list(self.epsilon_0)}


def univariate_bounds(problem: Any, net: Any, mode: Mode | str) -> UnivariateIntervals:
    """The U.2 formulas at θ with the λ_max bounds, in the context of ``mode``: float64, or (rigorous) intervals
    with compensated prefix sums, whose enclosures stay tight at n = 10⁵ where the sums cancel. Rigorous mode
    raises :class:`~flatproof._errors.KinkError` when the activation pattern cannot be certified."""
    contexts: dict[Mode, Context] = {Mode.FLOAT: FLOAT, Mode.RIGOROUS: INTERVAL_COMPENSATED}
    return UnivariateIntervals(problem, net, contexts[Mode(mode)])


def _extremes(ctx: Context, x: Any, reduce: Any) -> Bounds:
    """[reduce of the lower ends, reduce of the upper ends]: an enclosure of min_j x_j (reduce = np.min) or of
    max_j x_j (np.max) when the x_j are enclosed."""
    return float(reduce(ctx.lower(x))), float(reduce(ctx.upper(x)))


@_quiet
def hessian_norm(b: UnivariateIntervals) -> HessianNorm:
    """[lo, hi] ∋ ‖∇²L(θ)‖₂ in O(n + m) (module docstring), in the context ``b`` was built in."""
    ctx, p = b.ctx, 3 * b.m + 1
    gn, ef = b.gauss_newton_upper(), b.eps_f_upper()
    hi = float(np.nextafter(np.nextafter(gn + ef, np.inf) + b.weight_decay, np.inf))
    tr = float(np.min(ctx.lower(b.trace_gn())))
    lo = max(0.0, float(np.nextafter(np.nextafter(tr / p, -np.inf) + b.weight_decay, -np.inf)))
    how = (f"‖∇²L‖₂ ≤ λ_max(H_GN) + ε_F + λ ≤ {hi:.6g} (λ_max(H_GN) ≤ {gn:.6g} by Collatz–Wielandt on a non-negative "
           f"kernel, ε_F ≤ {ef:.3g} closed form; H_GN ⪰ 0 bounds −λ_min by ε_F) and ≥ tr/p = {lo:.3g}, O(n + m) "
           + ("interval arithmetic" if ctx.rigorous else "float64 estimates"))
    return HessianNorm(lo, hi, gn, ef, ctx.rigorous, how)


@_quiet
def u5_inputs(problem: Any, net: Any, mode: Mode | str) -> U5Inputs:
    """γ, max_j ‖∇f_θ(x_j)‖², ε₀ of θ (module docstring) in the context of ``mode``, O(n + m)."""
    q = univariate_bounds(problem, net, mode)
    ctx = q.ctx
    gamma = _extremes(ctx, ctx.exact(problem.sorted_y) * q.f, np.min)
    gmax = _extremes(ctx, q.gradient_norms_sq(), np.max)
    abar, cbar = q.activity_blocks()
    lo, hi = _extremes(ctx, ctx.square(abar) + ctx.square(cbar), np.max) if q.m else (0.0, 0.0)
    if ctx.rigorous:                        # np.sqrt is correctly rounded: one step outward encloses √
        e0 = (math.nextafter(math.sqrt(max(lo, 0.0)), -math.inf) if lo > 0 else 0.0,
              math.nextafter(math.sqrt(hi), math.inf))
    else:
        e0 = (math.sqrt(lo), math.sqrt(hi))
    return U5Inputs(gamma, gmax, e0, ctx.rigorous)
