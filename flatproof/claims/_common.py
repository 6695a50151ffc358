"""Pieces several checks share: the kink hypothesis, λ_max as an interval, rounding error estimates."""

from __future__ import annotations

import math

import numpy as np

from ..measures.spectral import EPS, EigResult, lambda_max, lambda_min
from ._core import Evaluation

#: relative rounding error assumed for a float quantity built from O(n p) operations (float mode only)
ROUNDING = 1024 * EPS


def off_kinks(ev: Evaluation, oracle) -> bool:
    k = oracle.kinks
    detail = (f"no pre-activation within {k.tol:g} of 0" if not k.count else
              f"{k.count} (point, neuron) pair(s) at a kink, e.g. " +
              ", ".join(f"x[{j}] on neuron {i}" for j, i in k.examples[:3]) +
              ": the Hessian is not defined there")
    return ev.hypothesis("θ is off every kink on the data (Hessian defined)", not k.count, detail)


def oracle_if_off_kinks(inst, ctx, ev: Evaluation, net=None):
    """The instance's curvature oracle (at ``net`` if given) when θ is off every kink, else None with the
    hypothesis recorded as not met: the preamble of every check that needs the Hessian."""
    orc = inst.oracle(net, kink_tol=ctx.tolerances.kink)
    return orc if off_kinks(ev, orc) else None


def eig_interval(res: EigResult) -> tuple[float, float]:
    """An interval for the extreme eigenvalue. The Ritz value is a Rayleigh quotient, so it is ≤ λ_max
    (≥ λ_min) up to rounding whatever Lanczos did; the other end rests on convergence (∞ if not)."""
    r = 64 * EPS * res.scale
    if res.which == "LA":
        return res.value - r, (res.value + res.error) if res.converged else math.inf
    return (res.value - res.error) if res.converged else -math.inf, res.value + r


def eig_certificate(res: EigResult) -> dict:
    return {"value": res.value, "residual": float(res.residuals[0]), "converged": res.converged,
            "method": res.method, "n_matvec": res.n_matvec, "tol": res.tol}


def top_eigen(oracle, ctx) -> EigResult:
    return lambda_max(oracle, tol=ctx.tolerances.lanczos, seed=ctx.seed)


def bottom_eigen(oracle, ctx, scale: float) -> EigResult:
    return lambda_min(oracle, tol=ctx.tolerances.lanczos, seed=ctx.seed, scale=max(scale, np.finfo(float).tiny))


#: the spacing of float64's subnormal numbers: the absolute error of one underflowing operation is ≤ half of it
SUBNORMAL_ULP = math.ldexp(1.0, -1074)


def rounding(*values: float, terms: int = 1) -> float:
    """A float-mode error estimate for a quantity of the size of ``values`` built from about ``terms`` terms:
    the relative part ROUNDING · max|value| and an absolute part for underflow, which the relative one misses
    (each operation whose result is subnormal or flushed to 0 errs by up to 2^-1075 absolutely, whatever the
    size of the result: a sum of ``terms`` such terms by up to ``terms`` · 2^-1074)."""
    rel = ROUNDING * max([abs(v) for v in values] + [0.0])
    return rel + underflow_floor(terms)


def underflow_floor(terms: int = 1) -> float:
    """The absolute part of :func:`rounding`: what underflow can lose in a sum of ``terms`` terms."""
    return max(ROUNDING * float(np.finfo(float).tiny), 4 * max(int(terms), 1) * SUBNORMAL_ULP)


def identity_tol(tol: float, *scales: float, terms: int = 1) -> float:
    """The tolerance of an [exact] identity between float quantities of the size of ``scales``: ``tol`` relative,
    but never below twice what underflow can lose (a relative tolerance on a subnormal scale — v = 5e-324 —
    would be 0, and no float computation could meet it)."""
    return tol * max([abs(s) for s in scales] + [0.0]) + 2 * underflow_floor(terms)


def subnormal_relative(x) -> np.ndarray:
    """Entrywise, the relative rounding error a float that lands among the subnormals may carry beyond ordinary
    rounding: 2^-1074/|x| (2^-1075 is not a float64) for nonzero |x| < 2^-1022, else 0. A rescaled weight
    a_j c^{−k} = 1.2e-319·c⁻² keeps ~14 significant bits."""
    x = np.abs(np.asarray(x, dtype=float))
    return np.where((x != 0) & (x < np.finfo(float).tiny), SUBNORMAL_ULP / np.where(x == 0, 1.0, x), 0.0)
