"""Quantities a claim compares, written once against the mode (issue 16): one call returns the value, its
interval (float mode: an error estimate; rigorous mode: a certified enclosure), the basis and how it was
obtained, so float and rigorous mode cannot drift apart in what they compute or how a claim compares it.

- :func:`lambda_max_bounds`: λ_max(∇²L) of the univariate network (flatproof math U.2) from a Lanczos run;
  rigorous mode encloses it by :func:`flatproof.measures.rigorous.univariate_lambda_max`.
- :func:`quotient_bounds`: a / b of two float64 numbers (e.g. the flatness threshold 2/η), rounded outward in
  rigorous mode.
- :func:`eig_interval`: the float-mode interval of an extreme eigenvalue from its Lanczos residual.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..vocab import Basis, Mode
from . import rigorous
from .spectral import EPS, EigResult

__all__ = ["Bounds", "eig_interval", "lambda_max_bounds", "quotient_bounds"]

LANCZOS_HOW = "Lanczos: Ritz value ≤ λ_max (a Rayleigh quotient); upper end from the residual if converged"


@dataclass(frozen=True)
class Bounds:
    """A quantity as a claim compares it: ``value`` (what the table prints), ``interval`` (an estimate's error
    bars, or a certified enclosure when ``basis`` is ``certified``) and ``how`` it was obtained."""

    value: float
    interval: tuple[float, float]
    basis: Basis
    how: str

    @property
    def certified(self) -> bool:
        return self.basis == Basis.CERTIFIED


def eig_interval(res: EigResult) -> tuple[float, float]:
    """An interval for the extreme eigenvalue. The Ritz value is a Rayleigh quotient, so it is ≤ λ_max
    (≥ λ_min) up to rounding whatever Lanczos did; the other end rests on convergence (∞ if not)."""
    r = 64 * EPS * res.scale
    if res.which == "LA":
        return res.value - r, (res.value + res.error) if res.converged else math.inf
    return (res.value - res.error) if res.converged else -math.inf, res.value + r


def lambda_max_bounds(problem: Any, net: Any, res: EigResult, mode: str, balls: Any = None) -> Bounds:
    """λ_max(∇²L(θ)) of the univariate network ``net`` on ``problem`` from the Lanczos run ``res`` (which = LA):
    float mode, the Ritz value with :func:`eig_interval`; rigorous mode, the certified enclosure (a
    :class:`~flatproof._errors.KinkError` when θ is not certifiably off every kink; ``balls``: the caller's
    :func:`~flatproof.measures.rigorous.univariate_balls`, if it has them)."""
    if mode == Mode.RIGOROUS:
        (lo, hi), how = rigorous.univariate_lambda_max(problem, net, res.eigenvectors[:, 0], balls=balls)
        return Bounds(res.value, (lo, hi), Basis.CERTIFIED, how)
    return Bounds(res.value, eig_interval(res), Basis.ESTIMATED, LANCZOS_HOW)


def quotient_bounds(a: float, b: float, mode: str) -> Bounds:
    """a / b: float mode, the float64 quotient (one rounding, a point interval as float mode always compared);
    rigorous mode, [down, up] of the exact quotient of the two float64 numbers."""
    q = a / b
    if mode == Mode.RIGOROUS:
        exact = rigorous.arb(a) / rigorous.arb(b)
        return Bounds(q, (rigorous.down(exact), rigorous.up(exact)), Basis.CERTIFIED,
                      "exact quotient of the float64 inputs, rounded outward")
    return Bounds(q, (q, q), Basis.ESTIMATED, "float64 quotient")
