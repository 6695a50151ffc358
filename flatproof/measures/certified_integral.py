"""Certified population 0-1 error, Bayes error and excess error of a univariate network (rigorous mode).

Under a logistic task (flatproof math U.1), with u(x) = (1 − 2p) tanh(g(x)/2) / 2 (g the target logit, p
the flip probability) the label law is η = 1/2 + u, and on any interval where the decisions
σ_f = sign f (+1 where f > 0, −1 elsewhere) and σ_g = sign g are constant

    pop error   = ∫ (1/2 − σ_f u) dP,     Bayes error = ∫ (1/2 − σ_g u) dP,     excess = ∫ (σ_g − σ_f) u dP.

So [support] is cut into pieces on which both signs are *decided*:

* f is piecewise linear with float parameters: its knots b_i/w_i and its zeros −B/A on each linear piece
  are exact rationals (``fractions.Fraction``), its sign on each piece is decided exactly, and each
  rational breakpoint is enclosed between two adjacent floats (:mod:`flatproof.measures.certified_affine`);
* the logit g is evaluated on ``arb`` balls through the whitelist parser's syntax tree
  (:func:`flatproof.model.expr.ball_function`), with its derivative: bisection and interval Newton isolate
  its zeros, leaving undecided pieces only of relative width ≤ 2⁻⁴⁴ around them
  (:mod:`flatproof.measures.certified_logit`).

On a decided piece ∫u dP is a validated integral (python-flint's ``acb.integral``: Gauss–Legendre with
error bounds from the integrand's analytic continuation, the density too in ball arithmetic) and ∫dP a
closed form (uniform exactly, normal by ``erf``/``erfc`` on balls). On an undecided piece each integrand
lies in [0, density], so its integral is enclosed by [0, P(piece)]. A normal law's mass beyond ±10σ is
enclosed likewise. Every figure is an ``arb`` ball guaranteed to contain the exact value for the float
parameters (numbers in the logit are the binary numbers Python parsed; pi and e are the real constants).

Work bound: ``WorkBound`` caps the logit evaluations of the partition, the pieces, the evaluations of each
validated integral, and the wall-clock time (checked between pieces). A logit the integrator cannot resolve
within it raises :class:`NotCertified`, never a number.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from flint import acb, arb, fmpq

from ..arith.contexts import down as _down
from ..arith.contexts import up as _up
from ..model.data import InputLaw, LogisticTask
from ..model.expr import Expr, ball_function
from ..model.univariate import UnivariateNet
from .certified_affine import (
    PiecewiseAffine,
    _integer_pieces,
    affine_pieces,
    float_enclosure,
    network_sign_pieces,
    piecewise_affine,
)
from .certified_logit import Budget, NotCertified, WorkBound, float_ball, logit_sign_pieces

# the f pieces and the work bound are used from here by older callers
__all__ = ["CertifiedPopulation", "CertifiedRegion", "NotCertified", "PiecewiseAffine", "WorkBound",
           "_integer_pieces", "affine_pieces", "certified_population", "certified_region_excess",
           "float_enclosure", "network_sign_pieces", "piecewise_affine"]

BallIntegrand = Callable[[acb, bool], acb]   # (z, analytic) ↦ integrand(z), the form ``acb.integral`` takes

NORMAL_CUT = 10.0                 # a normal law is integrated on mean ± 10 std; the rest is enclosed as [0, tail]


@dataclass(frozen=True)
class CertifiedPopulation:
    """Balls enclosing the population 0-1 error of sign f, the Bayes error and their difference."""

    error: arb
    bayes: arb
    excess: arb
    pieces: int
    logit_zeros: int           # undecided pieces around zeros of the logit
    seconds: float

    @property
    def max_radius(self) -> float:
        return max(float(t.rad()) for t in (self.error, self.bayes, self.excess))



# ----------------------------------------------------------------------------------------------
# The input law on balls
# ----------------------------------------------------------------------------------------------
class _LawBalls:
    """Density on acb balls, probability of float intervals on arb balls, integration window and tail."""

    def __init__(self, law: InputLaw) -> None:
        p = law.params
        self.kind = law.kind
        if law.kind == "uniform":
            self.lo, self.hi = float(p[0]), float(p[1])
            self.const = 1 / (arb(self.hi) - arb(self.lo))
            self.tail = arb(0)
            return
        self.mu, self.sigma = arb(float(p[0])), arb(float(p[1]))
        if law.kind == "normal":
            lo, hi = float(p[0]) - NORMAL_CUT * float(p[1]), float(p[0]) + NORMAL_CUT * float(p[1])
            if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
                raise NotCertified(f"mean ± {NORMAL_CUT:g} std of the normal law {p} is not finite in float64")
            self.lo, self.hi, self.Z = lo, hi, arb(1)
            self.tail = self._cdf(arb(lo)) + (1 - self._cdf(arb(hi)))
        else:
            self.lo, self.hi = float(p[2]), float(p[3])
            self.Z = arb(1)
            self.Z = self.prob(self.lo, self.hi)
            if not self.Z > 0:
                raise NotCertified(f"the truncated normal law {p} has no certifiably positive mass")
            self.tail = arb(0)
        self.norm = 1 / (self.sigma * (2 * arb.pi()).sqrt() * self.Z)

    def _cdf(self, x: arb) -> arb:
        return (1 + ((x - self.mu) / (self.sigma * arb(2).sqrt())).erf()) / 2

    def prob(self, a: float, b: float) -> arb:
        """P(a ≤ X ≤ b) as a ball (stable in both tails: erfc of the side away from the mean)."""
        if self.kind == "uniform":
            return (arb(b) - arb(a)) * self.const
        r2 = self.sigma * arb(2).sqrt()
        za, zb = (arb(a) - self.mu) / r2, (arb(b) - self.mu) / r2
        if za > 0:
            m = (za.erfc() - zb.erfc()) / 2
        elif zb < 0:
            m = ((-zb).erfc() - (-za).erfc()) / 2
        else:
            m = (zb.erf() - za.erf()) / 2
        return m / self.Z

    def density(self, z: acb) -> acb:
        if self.kind == "uniform":
            return acb(self.const)
        t = (z - acb(self.mu)) / acb(self.sigma)
        return (-(t * t) / 2).exp() * acb(self.norm)


def _unit(width: arb) -> arb:
    """The ball [0, width] (width ≥ 0)."""
    return arb(0).union(width.nonnegative_part())


# ----------------------------------------------------------------------------------------------
# The certified population quantities
# ----------------------------------------------------------------------------------------------
def certified_population(net: UnivariateNet, task: LogisticTask, work: WorkBound | None = None) -> CertifiedPopulation:
    """Certified balls for the population 0-1 error of sign f, the Bayes error and the excess (module doc).

    Raises :class:`NotCertified` when the logit is not a parsed expression, is undefined on the support, or
    the work bound is exhausted."""
    work = work or WorkBound()
    budget = Budget(work)
    if not isinstance(task.logit, Expr):
        raise NotCertified("the target logit is not a parsed expression, so it cannot be evaluated on balls")
    G = ball_function(task.logit, "acb", field="data.logit")
    law = _LawBalls(task.law)
    flip = arb(float(task.flip))
    half_gain = (1 - 2 * flip) / 2                       # u = half_gain · tanh(g/2)
    if half_gain == 0:
        F = None                                         # η ≡ 1/2: every branch is the same
    else:
        F = ball_function(task.logit, "jet", field="data.logit")
    scale = max(abs(law.lo), abs(law.hi), law.hi - law.lo)
    ahalf = acb(half_gain)

    def integrand(z: acb, analytic: bool) -> acb:
        return (G(z, analytic) / 2).tanh() * ahalf * law.density(z)

    err = bay = exc = _unit(law.tail)                    # the tail mass: each integrand lies in [0, density]
    pieces = zeros = 0
    for p, q, sf in network_sign_pieces(net, law.lo, law.hi):
        p_lo, p_hi = float_enclosure(p)
        q_lo = float_enclosure(q)[0]
        if p_lo < p_hi:                                  # the float gap around a rational breakpoint
            w = _unit(law.prob(p_lo, p_hi))
            err, bay, exc = err + w, bay + w, exc + w
        if not p_hi < q_lo:
            continue
        subs = [(p_hi, q_lo, -1)] if F is None else logit_sign_pieces(F, p_hi, q_lo, budget, scale)
        for a, b, sg in subs:
            pieces += 1
            if pieces > work.pieces:
                raise NotCertified(f"more than {work.pieces:,} pieces ({work.describe()})")
            budget.clock()
            mass = law.prob(a, b)
            if sg == 0:
                zeros += 1
                w = _unit(mass)
                err += mass / 2 - sf * _integral(integrand, a, b, work)
                bay, exc = bay + w, exc + w
                continue
            U = _integral(integrand, a, b, work) if F is not None else arb(0)
            err += mass / 2 - sf * U
            bay += mass / 2 - sg * U
            if sg != sf:
                exc += (sg - sf) * U
    return CertifiedPopulation(err, bay, exc, pieces, zeros, time.monotonic() - budget.start)


def _integral(integrand: BallIntegrand, a: float, b: float, work: WorkBound) -> arb:
    """∫_a^b integrand (real), validated; NotCertified if the result is not finite."""
    res = acb.integral(integrand, a, b, eval_limit=work.integral_evaluations, rel_tol=2.0 ** -45,
                       abs_tol=2.0 ** -60)
    out = res.real
    if not out.is_finite():
        raise NotCertified(f"the validated integral on [{a:.17g}, {b:.17g}] did not converge "
                           f"({work.describe()})")
    return out


# ----------------------------------------------------------------------------------------------
# Excess logistic risk inside the region R_δ of the uncertain sets (U.3-U.4)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CertifiedRegion:
    """R_δ = [inf U_δ, sup U_δ] (endpoints as balls), P(X ∈ R_δ) and E[KL(Bern(η) ‖ Bern(s(f))) | X ∈ R_δ]."""

    left: arb
    right: arb
    mass: arb
    excess: arb
    pieces: int
    seconds: float


def _arb_q(r: Fraction) -> arb:
    return arb(fmpq(r.numerator, r.denominator))


def certified_region_excess(net: UnivariateNet, task: LogisticTask, delta: float, lo: float, hi: float,
                            work: WorkBound | None = None) -> CertifiedRegion:
    """Certified R_δ of U_δ(θ) ∩ [lo, hi] = {|f| ≤ τ}, τ = arcosh(1/(2δ) − 1) (s(f)s(−f) ≥ δ), its mass and the
    conditional excess logistic risk. The endpoints of R_δ are balls; the integrals are taken on the inner
    float interval and on the two thin rims up to the outer one (KL ≥ 0, so the rims only widen the ball)."""
    work = work or WorkBound()
    budget = Budget(work)
    if not isinstance(task.logit, Expr):
        raise NotCertified("the target logit is not a parsed expression, so it cannot be evaluated on balls")
    tau = (1 / (2 * arb(float(delta))) - 1).acosh()
    left = right = None
    for p, q, A, B in affine_pieces(net, lo, hi):
        P, Q = _arb_q(p), _arb_q(q)
        if A == 0:
            b = abs(_arb_q(B))
            if b < tau:
                s_, e_ = P, Q
            elif b > tau:
                continue
            else:
                raise NotCertified(f"f is within rounding of the level ±τ on [{float(p):.17g}, {float(q):.17g}]")
        else:
            x1, x2 = (-tau - _arb_q(B)) / _arb_q(A), (tau - _arb_q(B)) / _arb_q(A)
            if A < 0:
                x1, x2 = x2, x1
            s_, e_ = P.max(x1), Q.min(x2)
            if s_ > e_:
                continue
            if not s_ <= e_:
                raise NotCertified(f"whether U_δ meets [{float(p):.17g}, {float(q):.17g}] is within rounding")
        left = s_ if left is None else left.min(s_)
        right = e_ if right is None else right.max(e_)
    if left is None or right is None:
        raise NotCertified("U_δ is empty on the domain")
    o_lo, i_lo, i_hi, o_hi = _down(left), _up(left), _down(right), _up(right)
    if not i_lo < i_hi:
        raise NotCertified("R_δ is too thin to enclose")
    law = _LawBalls(task.law)
    G = ball_function(task.logit, "acb", field="data.logit")
    flip = acb(arb(float(task.flip)))
    inner = _kl_integral(net, law, G, flip, i_lo, i_hi, work, budget)
    rims = _kl_integral(net, law, G, flip, o_lo, i_lo, work, budget) + \
        _kl_integral(net, law, G, flip, i_hi, o_hi, work, budget)
    m_in = law.prob(i_lo, i_hi)
    m_out = m_in + law.prob(o_lo, i_lo) + law.prob(i_hi, o_hi)
    if not m_in > 0:
        raise NotCertified("P(X ∈ R_δ) is not certifiably positive")
    lo_val = inner.lower() / m_out.upper()
    hi_val = (inner + rims).upper() / m_in.lower()
    excess = arb(lo_val).union(arb(hi_val))
    return CertifiedRegion(left, right, m_in.union(m_out), excess, 0, time.monotonic() - budget.start)


def _affine_ball(A: Fraction, B: Fraction) -> Callable[[acb], acb]:
    """z ↦ A z + B on acb balls (A, B exact rationals)."""
    Aa, Ba = acb(_arb_q(A)), acb(_arb_q(B))
    return lambda z: Aa * z + Ba


def _kl_integral(net: UnivariateNet, law: _LawBalls, G: BallIntegrand, flip: acb, a: float, b: float,
                 work: WorkBound, budget: Budget) -> arb:
    """∫_a^b KL(Bern(η(x)) ‖ Bern(s(f(x)))) dP(x) as a ball, f affine on exact pieces (the 1-ulp gaps around
    rational breakpoints enclosed by [0, sup KL · P(gap)])."""
    if not a < b:
        return arb(0)

    def kl(f: Callable[[acb], acb]) -> BallIntegrand:
        def integrand(z: acb, an: bool) -> acb:
            g = G(z, an)
            eta = flip + (1 - 2 * flip) / (1 + (-g).exp())
            fz = f(z)
            val = (eta * eta.log(analytic=an) + (1 - eta) * (1 - eta).log(analytic=an)
                   + eta * (1 + (-fz).exp()).log(analytic=an) + (1 - eta) * (1 + fz.exp()).log(analytic=an))
            return val * law.density(z)
        return integrand

    total = arb(0)
    for p, q, A, B in affine_pieces(net, a, b):
        integrand = kl(_affine_ball(A, B))
        p_lo, p_hi = float_enclosure(p)
        q_lo, q_hi = float_enclosure(q)
        for s_, e_ in ((p_lo, p_hi), (q_lo, q_hi)):
            if s_ < e_:                                       # a 1-ulp gap: 0 ≤ KL ≤ its sup there
                sup = integrand(acb(float_ball(s_, e_)), False).real / law.density(acb(float_ball(s_, e_))).real
                total += _unit(sup.upper() * law.prob(s_, e_))
        if p_hi < q_lo:
            budget.clock()
            total += _integral(integrand, p_hi, q_lo, work)
    return total
