"""The sign of the target logit g on balls, and the work bound of every certified population computation.

The logit g is evaluated on ``arb`` balls through the whitelist parser's syntax tree
(:func:`flatproof.model.expr.ball_function`), with its derivative: bisection and interval Newton isolate its
zeros, leaving undecided pieces only of relative width ≤ 2⁻⁴⁴ around them (:func:`logit_sign_pieces`).

Work bound: :class:`WorkBound` caps the logit evaluations of the partition, the pieces, the evaluations of each
validated integral, and the wall-clock time (:class:`Budget` keeps the count). A logit that cannot be resolved
within it raises :class:`NotCertified`, never a number.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from flint import arb

from ..arith.contexts import down as _down
from ..arith.contexts import up as _up

MIN_REL_WIDTH = 2.0 ** -44       # an undecided piece around a zero of the logit is at most this wide (relative)

LogitJet = Callable[[arb, bool], tuple[arb, arb]]   # X ↦ (g(X), g'(X)) on balls (``ball_function(.., "jet")``)
SignPiece = tuple[float, float, int]                # (a, b, σ_g): σ_g = ±1 decided, 0 undecided


class NotCertified(Exception):
    """The validated integral could not be obtained within the work bound (the message says why)."""


@dataclass(frozen=True)
class WorkBound:
    """Limits of a certified population computation."""

    seconds: float = 60.0              # wall-clock, checked between pieces
    logit_evaluations: int = 200_000   # ball evaluations of the logit while isolating its zeros
    pieces: int = 1_000_000            # pieces of the partition (the clock is the binding limit)
    integral_evaluations: int = 100_000  # integrand evaluations allowed to each validated integral

    def describe(self) -> str:
        return (f"work bound: {self.seconds:g} s, {self.logit_evaluations:,} logit evaluations, "
                f"{self.pieces:,} pieces, {self.integral_evaluations:,} evaluations per piece")


class Budget:
    """The work spent so far against a :class:`WorkBound`: logit evaluations and the clock."""

    def __init__(self, work: WorkBound) -> None:
        self.work, self.start, self.evals = work, time.monotonic(), 0

    def spend(self, n: int = 1) -> None:
        self.evals += n
        if self.evals > self.work.logit_evaluations:
            raise NotCertified(f"the logit's zeros were not isolated within {self.work.logit_evaluations:,} "
                               f"ball evaluations ({self.work.describe()})")
        self.clock()

    def clock(self) -> None:
        if time.monotonic() - self.start > self.work.seconds:
            raise NotCertified(f"not finished within {self.work.seconds:g} s ({self.work.describe()})")


def float_ball(a: float, b: float) -> arb:
    """The ball enclosing the float interval [a, b]."""
    return arb(a).union(arb(b))


def _sign(x: arb) -> int:
    """+1 or −1 for a ball certainly positive or certainly negative."""
    return 1 if x > 0 else -1


def _decided(x: arb) -> bool:
    return bool(x > 0 or x < 0)


def logit_sign_pieces(F: LogitJet, a: float, b: float, budget: Budget, scale: float) -> list[SignPiece]:
    """[(a_k, b_k, σ_g)] tiling [a, b] (floats): σ_g = ±1 where g > 0 / g < 0 on the whole piece (−1 where
    g ≡ 0, when either branch is the same), 0 on an undecided piece no wider than ``MIN_REL_WIDTH · scale``.
    ``F`` is the logit's jet on balls. A logit that is undefined (non-finite) raises :class:`NotCertified`."""
    isolation = _ZeroIsolation(F, budget, MIN_REL_WIDTH * scale)
    isolation.stack.append((a, b))
    while isolation.stack:
        isolation.examine(*isolation.stack.pop())
    return sorted(isolation.out)


class _ZeroIsolation:
    """The work list of :func:`logit_sign_pieces`: pieces still to examine, and the decided ones."""

    def __init__(self, F: LogitJet, budget: Budget, min_width: float) -> None:
        self.F, self.budget, self.min_width = F, budget, min_width
        self.out: list[SignPiece] = []
        self.stack: list[tuple[float, float]] = []

    def value_at(self, x: float) -> arb:
        self.budget.spend()
        return self.F(arb(x), False)[0]

    def bisect(self, lo: float, hi: float) -> None:
        m = lo + 0.5 * (hi - lo)
        if not lo < m < hi:
            self.out.append((lo, hi, 0))
        else:
            self.stack.extend([(m, hi), (lo, m)])

    def examine(self, lo: float, hi: float) -> None:
        """Decide the sign of g on [lo, hi], or cut the piece: g's enclosure on the whole piece first, then one
        interval Newton step where g is monotone, else bisection."""
        self.budget.spend()
        val, der = self.F(float_ball(lo, hi), False)
        if not val.is_finite():
            if hi - lo <= self.min_width:
                raise NotCertified(f"the target logit is not finite (or not defined) near x = {lo:.17g}")
            self.bisect(lo, hi)
        elif _decided(val):
            self.out.append((lo, hi, _sign(val)))
        elif val.is_exact() and val == 0:
            self.out.append((lo, hi, -1))             # g ≡ 0 on the piece: η = 1/2, either branch
        elif hi - lo <= self.min_width:
            self.out.append((lo, hi, 0))
        elif not (der.is_finite() and _decided(der) and self.newton(lo, hi, der)):
            self.bisect(lo, hi)

    def newton(self, lo: float, hi: float, der: arb) -> bool:
        """One interval Newton step on [lo, hi], where g is monotone (g' enclosed by ``der``, away from 0).
        False when the step decides too little (the caller bisects)."""
        m = lo + 0.5 * (hi - lo)
        fm = self.value_at(m)
        newton = arb(m) - fm / der
        if not (fm.is_finite() and newton.is_finite()):
            return False
        n_lo, n_hi = _down(newton), _up(newton)
        if n_hi < lo or n_lo > hi:                  # no zero in [lo, hi]
            if _decided(fm):
                self.out.append((lo, hi, _sign(fm)))
                return True
            return False
        # every zero of g in [lo, hi] lies in [n_lo, n_hi]; outside it g (continuous: its derivative is
        # enclosed) keeps the sign it has at any one point
        n_lo, n_hi = max(lo, n_lo), min(hi, n_hi)
        if n_hi - n_lo >= 0.5 * (hi - lo):
            return False
        for s, e in ((n_hi, hi), (lo, n_lo)):
            if s < e:
                c = self.value_at(s + 0.5 * (e - s))
                if _decided(c):
                    self.out.append((s, e, _sign(c)))
                else:
                    self.stack.append((s, e))
        if n_lo < n_hi:
            if n_hi - n_lo <= self.min_width:
                self.out.append((n_lo, n_hi, 0))
            else:
                self.stack.append((n_lo, n_hi))
        return True
