"""Pieces several checks share: the kink hypothesis, λ_max as an interval, rounding error estimates, and the
comparisons two claims state alike (η-flatness λ_max ≤ 2/η; the population error against the Bayes error)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import _budget as budget
from .._errors import KinkError
from ..measures import rigorous
from ..measures._base import CurvatureOracle
from ..measures.certified_integral import NotCertified
from ..measures.mode_bounds import ROUNDING as ROUNDING  # the rounding model's names the claims use
from ..measures.mode_bounds import SUBNORMAL_ULP, lambda_max_bounds, quotient_bounds, underflow_floor
from ..measures.mode_bounds import eig_interval as eig_interval  # the claims' name for it (one home: measures)
from ..measures.mode_bounds import rounding as rounding
from ..measures.population import population_excess
from ..measures.spectral import EigResult, lambda_max, lambda_min
from ..vocab import Basis, Mode
from ._core import Comparison, Context, Evaluation, Instance, compare


def off_kinks(ev: Evaluation, oracle: CurvatureOracle) -> bool:
    """The hypothesis that the Hessian is defined: θ off every kink, or σ twice continuously differentiable
    (relu^k, k ≥ 3; abs^k), whose zeros of a pre-activation are not kinks of the Hessian at all."""
    k = oracle.kinks
    if k.count and oracle.smoothness >= 2:
        return ev.hypothesis("θ is off every kink on the data (Hessian defined)", True,
                             f"{k.count} pre-activation(s) within {k.tol:g} of 0, where σ is C² (σ'' continuous): "
                             "the Hessian is defined there")
    detail = (f"no pre-activation within {k.tol:g} of 0" if not k.count else
              f"{k.count} (point, neuron) pair(s) at a kink, e.g. " +
              ", ".join(f"x[{j}] on neuron {i}" for j, i in k.examples[:3]) +
              ": the Hessian is not defined there")
    return ev.hypothesis("θ is off every kink on the data (Hessian defined)", not k.count, detail)


def oracle_if_off_kinks(inst: Instance, ctx: Context, ev: Evaluation, net: Any = None) -> Any:
    """The instance's curvature oracle (at ``net`` if given) when θ is off every kink, else None with the
    hypothesis recorded as not met: the preamble of every check that needs the Hessian.

    In rigorous mode the float kink tolerance does not decide: a pre-activation within ``tolerances.kink`` of 0
    is not at a kink, and whether θ is off every kink is decided by the certified activation pattern (interval
    pre-activations that exclude 0), which every rigorous path computes before it certifies anything. The
    float oracle (a start vector for the enclosures) then uses the σ'(0) = 0 convention at near-kinks."""
    if ctx.mode == Mode.RIGOROUS:
        orc = inst.oracle(net, kink_tol=ctx.tolerances.kink, at_kink="convention")
        if orc.kinks.count:
            ev.notes.append(f"{orc.kinks.count} (point, neuron) pair(s) within the float kink tolerance "
                            f"{orc.kinks.tol:g} of a kink: in rigorous mode the certified activation pattern "
                            "decides whether θ is off every kink")
        return orc
    orc = inst.oracle(net, kink_tol=ctx.tolerances.kink)
    return orc if off_kinks(ev, orc) else None


def eig_certificate(res: EigResult) -> dict[str, Any]:
    return {"value": res.value, "residual": float(res.residuals[0]), "converged": res.converged,
            "method": res.method, "n_matvec": res.n_matvec, "tol": res.tol}


def top_eigen(oracle: CurvatureOracle, ctx: Context) -> EigResult:
    return lambda_max(oracle, tol=ctx.tolerances.lanczos, seed=ctx.seed)


def bottom_eigen(oracle: CurvatureOracle, ctx: Context, scale: float) -> EigResult:
    return lambda_min(oracle, tol=ctx.tolerances.lanczos, seed=ctx.seed, scale=max(scale, np.finfo(float).tiny))


def identity_tol(tol: float, *scales: float, terms: int = 1) -> float:
    """The tolerance of an [exact] identity between float quantities of the size of ``scales``: ``tol`` relative,
    but never below twice what underflow can lose (a relative tolerance on a subnormal scale — v = 5e-324 —
    would be 0, and no float computation could meet it)."""
    return tol * max([abs(s) for s in scales] + [0.0]) + 2 * underflow_floor(terms)


def subnormal_relative(x: ArrayLike) -> np.ndarray:
    """Entrywise, the relative rounding error a float that lands among the subnormals may carry beyond ordinary
    rounding: 2^-1074/|x| (2^-1075 is not a float64) for nonzero |x| < 2^-1022, else 0. A rescaled weight
    a_j c^{−k} = 1.2e-319·c⁻² keeps ~14 significant bits."""
    a = np.abs(np.asarray(x, dtype=float))
    return np.where((a != 0) & (a < np.finfo(float).tiny), SUBNORMAL_ULP / np.where(a == 0, 1.0, a), 0.0)


def flatness_cost(n: int, m: int, mode: str) -> budget.Cost:
    """What :func:`flatness_comparison` allocates on a univariate network of width m on n points: the fast oracle
    and Lanczos on the O(n + m) sorted path (no n × m array); in rigorous mode also the dense verified
    eigendecomposition of the ball Hessian up to ``rigorous.DENSE_LIMIT`` parameters (the n × p ball Jacobian,
    n·p ≤ ``rigorous.SIZE_LIMIT``, its scaled copy and the p × p Hessian), above it the O(n + m) interval
    enclosures with φ', φ'' on arb balls one point at a time."""
    cost = budget.sorted_verification(n, m)
    if mode != Mode.RIGOROUS:
        return cost
    p = 3 * int(m) + 1
    if rigorous.dense_certifiable(n, m):
        mem, ops = budget.arb_balls(2 * int(n) * p + p * p)
        return cost + budget.Cost(mem, ops + budget.ARB_MATMUL_OP * float(n) * p * p)
    mem, ops = budget.arb_balls(3 * int(n) + 2 * int(m))
    return cost + budget.Cost(mem, ops)


def flatness_comparison(inst: Instance, ctx: Context, ev: Evaluation, eta: float, name: str = "λ_max(∇²L) ≤ 2/η",
                        net: Any = None, *, threshold: float | None = None) -> Comparison | None:
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
    try:
        lam = lambda_max_bounds(inst.problem, net, res, ctx.mode)
    except KinkError as exc:
        ev.hypothesis("θ is certifiably off every kink", False, str(exc))
        return None
    if lam.certified:
        ev.certificate["lambda_max_certified"] = list(lam.interval)
        ev.certificate["how_certified"] = lam.how
    bound = (thr, thr) if exact else quotient_bounds(2.0, eta, ctx.mode).interval
    cmp = compare(name, lam.value, "<=", thr, value_interval=lam.interval, bound_interval=bound,
                  certified=lam.certified)
    ev.comparisons.append(cmp)
    return cmp


def population_comparisons(inst: Instance, ctx: Context, ev: Evaluation, excess: float, name: str,
                           relation: str = ">=") -> None:
    """err(sign f) − Bayes error REL Δ, appended to ``ev``, by :func:`~flatproof.measures.population.population_excess`
    in the context's mode: certified (validated integrals, the logit's zeros isolated on balls) in rigorous mode,
    a vectorised Gauss–Kronrod estimate split at every zero it finds in float mode."""
    try:
        pop = population_excess(inst.net, inst.task, ctx.mode)
    except NotCertified as exc:
        ev.notes.append(f"integral not certified: {exc}")
        ev.comparisons.append(compare(name + " (integral not certified)", math.nan, relation, excess,
                                      basis=Basis.ESTIMATED, basis_note="integral not certified"))
        return
    ev.certificate.update(pop.certificate)
    ev.comparisons.append(compare(name, pop.excess, relation, excess, value_interval=pop.interval,
                                  basis=Basis.CERTIFIED if pop.certified else Basis.ESTIMATED,
                                  basis_note="" if pop.certified else "population and Bayes errors by quadrature"))
    if not pop.certified:
        ev.notes.append(pop.note)
