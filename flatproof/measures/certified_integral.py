"""Certified population 0-1 error, Bayes error and excess error of a univariate network (rigorous mode).

Under a logistic task (flatproof math U.1), with u(x) = (1 − 2p) tanh(g(x)/2) / 2 (g the target logit, p
the flip probability) the label law is η = 1/2 + u, and on any interval where the decisions
σ_f = sign f (+1 where f > 0, −1 elsewhere) and σ_g = sign g are constant

    pop error   = ∫ (1/2 − σ_f u) dP,     Bayes error = ∫ (1/2 − σ_g u) dP,     excess = ∫ (σ_g − σ_f) u dP.

So [support] is cut into pieces on which both signs are *decided*:

* f is piecewise linear with float parameters: its knots b_i/w_i and its zeros −B/A on each linear piece
  are exact rationals (``fractions.Fraction``), its sign on each piece is decided exactly, and each
  rational breakpoint is enclosed between two adjacent floats;
* the logit g is evaluated on ``arb`` balls through the whitelist parser's syntax tree
  (:func:`flatproof.model.expr.ball_function`), with its derivative: bisection and interval Newton isolate
  its zeros, leaving undecided pieces only of relative width ≤ 2⁻⁴⁴ around them.

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
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from flint import acb, arb, fmpq

from ..arith.contexts import down as _down
from ..arith.contexts import up as _up
from ..model.expr import Expr, ball_function

MIN_REL_WIDTH = 2.0 ** -44       # an undecided piece around a zero of the logit is at most this wide (relative)
NORMAL_CUT = 10.0                 # a normal law is integrated on mean ± 10 std; the rest is enclosed as [0, tail]


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


class _Budget:
    def __init__(self, work: WorkBound):
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


# ----------------------------------------------------------------------------------------------
# Rationals and floats
# ----------------------------------------------------------------------------------------------
def float_enclosure(r: Fraction) -> tuple[float, float]:
    """(lo, hi): the adjacent floats with lo ≤ r ≤ hi (lo = hi when r is a float)."""
    f = float(r)                                  # correctly rounded
    q = Fraction(f)
    if q == r:
        return f, f
    return (f, math.nextafter(f, math.inf)) if q < r else (math.nextafter(f, -math.inf), f)


def _ball(a: float, b: float) -> arb:
    return arb(a).union(arb(b))


# ----------------------------------------------------------------------------------------------
# f: exact sign pieces
# ----------------------------------------------------------------------------------------------
def _dyadic(values) -> tuple[list[int], list[int]]:
    """Finite floats as exact dyadic rationals: (numerators, exponents) with value = numerator · 2^exponent
    (numerator = mantissa · 2⁵³, an integer below 2⁵³ in magnitude; not reduced). Vectorised by ``frexp``."""
    mant, exp = np.frexp(np.asarray(values, dtype=float).reshape(-1))
    return (mant * 2.0 ** 53).astype(np.int64).tolist(), (exp.astype(np.int64) - 53).tolist()


Rational = tuple[int, int]          # (numerator, denominator > 0), not necessarily in lowest terms


def _knot(nb: int, eb: int, nw: int, ew: int) -> Rational:
    """b/w for b = nb·2^eb, w = nw·2^ew (nw ≠ 0) as an integer pair with a positive denominator."""
    e = eb - ew
    num, den = (nb << e, nw) if e >= 0 else (nb, nw << -e)
    return (-num, -den) if den < 0 else (num, den)


def _sorted_knots(w: np.ndarray, b: np.ndarray, lo: float, hi: float) -> tuple[list[Rational], np.ndarray]:
    """The distinct knots b_i/w_i strictly inside (lo, hi), sorted, as exact rationals, and for every neuron the
    index k of its knot among the cuts [lo, knots…, hi] (0 when b_i/w_i ≤ lo, the last cut when ≥ hi; −1 when
    w_i = 0). O(m log m): the correctly rounded quotient fl(b_i/w_i) is a monotone function of the exact one, so
    sorting by it is exact except among equal floats, which are ordered (and merged) exactly."""
    m = w.size
    where = np.full(m, -1, dtype=np.int64)
    live = np.nonzero(w != 0)[0]
    with np.errstate(over="ignore", under="ignore"):
        tf = b[live] / w[live]
    nw, ew = _dyadic(w)
    nb, eb = _dyadic(b)

    def exact(i: int) -> Rational:
        return _knot(nb[i], eb[i], nw[i], ew[i])
    # fl(t) < lo ⇒ t < lo, fl(t) > hi ⇒ t > hi; fl(t) = lo or hi needs the exact value
    below = tf < lo
    above = tf > hi
    L, H = Fraction(lo), Fraction(hi)
    for k in np.nonzero((tf == lo) | (tf == hi))[0]:
        t = Fraction(*exact(int(live[k])))
        below[k] = t <= L
        above[k] = t >= H
    where[live[below]] = 0
    inner = np.nonzero(~below & ~above)[0]
    order = inner[np.argsort(tf[inner], kind="stable")]
    tf_sorted = tf[order]
    knots: list[Rational] = []
    start = 0
    while start < order.size:                         # runs of equal floats
        stop = start + 1
        while stop < order.size and tf_sorted[stop] == tf_sorted[start]:
            stop += 1
        run = [int(live[k]) for k in order[start:stop]]
        if stop - start == 1:
            knots.append(exact(run[0]))
            where[run[0]] = len(knots)
        else:
            last = None
            for t, i in sorted(((Fraction(*exact(i)), i) for i in run), key=lambda item: item[0]):
                if t != last:
                    knots.append((t.numerator, t.denominator))
                    last = t
                where[i] = len(knots)                 # cut index: cut 0 is lo
        start = stop
    where[live[above]] = len(knots) + 1
    return knots, where


def _integer_pieces(net, lo: float, hi: float) -> tuple[list[Rational], list[int], list[int], int]:
    """(cuts, A, B, s): f(x) = (A_j x + B_j)·2^s on [cuts_j, cuts_{j+1}] for one common power of two 2^s (the
    integer form of :func:`affine_pieces`; the sign of f needs no rational arithmetic)."""
    v, w, b = (np.asarray(t, dtype=float).reshape(-1) for t in (net.v, net.w, net.b))
    knots, where = _sorted_knots(w, b, lo, hi)
    cuts = [float(lo).as_integer_ratio(), *knots, float(hi).as_integer_ratio()]
    J = len(cuts) - 1                                # pieces j = 0..J-1 between cuts j and j+1
    nv, ev = _dyadic(v)
    nw, ew = _dyadic(w)
    nb, eb = _dyadic(b)
    nbeta, ebeta = _dyadic([net.beta])
    scale = min([ebeta[0], *(x + y for x, y in zip(ev, ew, strict=True)),
                 *(x + y for x, y in zip(ev, eb, strict=True))])
    beta = nbeta[0] << (ebeta[0] - scale)
    up_a, up_b = [0] * (J + 2), [0] * (J + 2)        # neurons switching on at cut k (w > 0), from piece k
    dn_a, dn_b = [0] * (J + 2), [0] * (J + 2)        # neurons active up to cut k (w < 0), on pieces < k
    const_b = beta
    for i in range(v.size):
        if nv[i] == 0:
            continue
        cb = (nv[i] * nb[i]) << (ev[i] + eb[i] - scale)
        k = int(where[i])
        if nw[i] == 0:
            if nb[i] < 0:                            # relu(−b_i) = −b_i on the whole line
                const_b -= cb
            continue
        ca = (nv[i] * nw[i]) << (ev[i] + ew[i] - scale)
        if nw[i] > 0:
            up_a[k] += ca
            up_b[k] -= cb
        else:
            dn_a[k] += ca
            dn_b[k] -= cb
    A_int, B_int = [0] * J, [0] * J
    a = sum(dn_a[1:])                                # pieces j < k for every down-neuron with k ≥ 1
    bb = const_b + sum(dn_b[1:])
    for j in range(J):
        a += up_a[j]
        bb += up_b[j]
        A_int[j], B_int[j] = a, bb
        a -= dn_a[j + 1]
        bb -= dn_b[j + 1]
    return cuts, A_int, B_int, scale


def affine_pieces(net, lo: float, hi: float) -> list[tuple[Fraction, Fraction, Fraction, Fraction]]:
    """[(p, q, A, B)]: f(x) = A x + B on [p, q], tiling [lo, hi] at the knots b_i/w_i, all exact rationals.

    O(m log m) and exact: the knots are sorted once (:func:`_sorted_knots`); neuron i is active on a piece when
    w_i x > b_i there — from its knot on when w_i > 0, up to it when w_i < 0, everywhere or nowhere when w_i = 0 —
    so A = Σ_active v_i w_i and B = β − Σ_active v_i b_i are prefix sums of exact integers (every v_i w_i and
    v_i b_i is a dyadic rational, scaled here to a common power of two)."""
    cuts, A_int, B_int, scale = _integer_pieces(net, lo, hi)
    unit = Fraction(1, 1 << -scale) if scale < 0 else Fraction(1 << scale)
    q = [Fraction(*c) for c in cuts]
    return [(q[j], q[j + 1], A_int[j] * unit, B_int[j] * unit) for j in range(len(A_int))]


def _sign_at(A: int, B: int, c: Rational) -> int:
    """sign(A·c + B) for c = n/d, d > 0 (exact)."""
    t = A * c[0] + B * c[1]
    return (t > 0) - (t < 0)


def network_sign_pieces(net, lo: float, hi: float,
                        pieces: tuple[list[Rational], list[int], list[int], int] | None = None
                        ) -> list[tuple[Fraction, Fraction, int]]:
    """[(r_k, r_{k+1}, σ_f)] tiling [lo, hi] by exact rationals: σ_f = +1 where f > 0 on the open piece,
    −1 where f ≤ 0 (f is affine on each piece; its knots and zeros are the breakpoints). Adjacent pieces of
    the same sign are merged, so the breakpoints are the zeros of f and the ends. Integer arithmetic: f has
    the sign of A_j x + B_j (:func:`_integer_pieces`), decided at the ends of each piece; a rational is formed
    only where the sign changes. ``pieces``: :func:`_integer_pieces` of the same arguments, if already built."""
    cuts, A_int, B_int, _ = pieces or _integer_pieces(net, lo, hi)
    bounds: list[Fraction] = [Fraction(lo)]
    signs: list[int] = []

    def push(s: int, at: Fraction | None) -> None:
        if signs and signs[-1] != s:
            bounds.append(at if at is not None else Fraction(*cuts[j]))
        if not signs or signs[-1] != s:
            signs.append(s)
    for j, (A, B) in enumerate(zip(A_int, B_int, strict=True)):
        sp, sq = _sign_at(A, B, cuts[j]), _sign_at(A, B, cuts[j + 1])
        if sp >= 0 and sq >= 0 and (sp, sq) != (0, 0):
            push(1, None)
        elif sp <= 0 and sq <= 0:
            push(-1, None)
        else:                                        # a zero strictly inside: −B/A
            push(1 if sp > 0 else -1, None)
            push(1 if sq > 0 else -1, Fraction(-B, A))
    bounds.append(Fraction(hi))
    return [(bounds[k], bounds[k + 1], signs[k]) for k in range(len(signs))]


def _to_float(n: int, e: int) -> float:
    """n · 2^e rounded to a float (overflow → ±inf); big integers are cut to 64 bits first (float mode only)."""
    s = max(n.bit_length() - 64, 0)
    try:
        return math.ldexp(float(n >> s if n >= 0 else -((-n) >> s)), e + s)
    except OverflowError:
        return math.copysign(math.inf, n)


@dataclass(frozen=True)
class PiecewiseAffine:
    """f on [lo, hi] as a table: f(x) = slope_j x + offset_j on [cuts_j, cuts_{j+1}] (floats rounded from the
    exact pieces of :func:`affine_pieces`). Evaluating it costs O(log m) per point instead of O(m) — for float
    mode's integrands; the cuts are within an ulp of the exact knots."""

    cuts: np.ndarray
    slope: np.ndarray
    offset: np.ndarray

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        j = np.clip(np.searchsorted(self.cuts, x, side="right") - 1, 0, self.slope.size - 1)
        return self.slope[j] * x + self.offset[j]


def piecewise_affine(net, lo: float, hi: float,
                     pieces: tuple[list[Rational], list[int], list[int], int] | None = None) -> PiecewiseAffine:
    """The table of f's affine pieces on [lo, hi] (:class:`PiecewiseAffine`), built in O(m log m) (``pieces``:
    :func:`_integer_pieces` of the same arguments, if already built)."""
    cuts, A_int, B_int, scale = pieces or _integer_pieces(net, lo, hi)
    return PiecewiseAffine(np.array([c[0] / c[1] for c in cuts], dtype=float),
                           np.array([_to_float(a, scale) for a in A_int]),
                           np.array([_to_float(b, scale) for b in B_int]))


# ----------------------------------------------------------------------------------------------
# g: sign pieces by bisection and interval Newton on balls
# ----------------------------------------------------------------------------------------------
def logit_sign_pieces(F, a: float, b: float, budget: _Budget, scale: float) -> list[tuple[float, float, int]]:
    """[(a_k, b_k, σ_g)] tiling [a, b] (floats): σ_g = ±1 where g > 0 / g < 0 on the whole piece (−1 where
    g ≡ 0, when either branch is the same), 0 on an undecided piece no wider than ``MIN_REL_WIDTH · scale``.
    ``F`` is the logit's jet on balls. A logit that is undefined (non-finite) raises :class:`NotCertified`."""
    out: list[tuple[float, float, int]] = []
    stack = [(a, b)]
    min_width = MIN_REL_WIDTH * scale

    def bisect(lo, hi):
        m = lo + 0.5 * (hi - lo)
        if not lo < m < hi:
            out.append((lo, hi, 0))
        else:
            stack.extend([(m, hi), (lo, m)])

    while stack:
        lo, hi = stack.pop()
        budget.spend()
        val, der = F(_ball(lo, hi), False)
        if not val.is_finite():
            if hi - lo <= min_width:
                raise NotCertified(f"the target logit is not finite (or not defined) near x = {lo:.17g}")
            bisect(lo, hi)
            continue
        if val > 0 or val < 0:
            out.append((lo, hi, 1 if val > 0 else -1))
            continue
        if val.is_exact() and val == 0:
            out.append((lo, hi, -1))             # g ≡ 0 on the piece: η = 1/2, either branch
            continue
        if hi - lo <= min_width:
            out.append((lo, hi, 0))
            continue
        if der.is_finite() and (der > 0 or der < 0):       # monotone: one interval Newton step
            m = lo + 0.5 * (hi - lo)
            budget.spend()
            fm = F(arb(m), False)[0]
            newton = arb(m) - fm / der
            if fm.is_finite() and newton.is_finite():
                n_lo, n_hi = _down(newton), _up(newton)
                if n_hi < lo or n_lo > hi:                  # no zero in [lo, hi]
                    if fm > 0 or fm < 0:
                        out.append((lo, hi, 1 if fm > 0 else -1))
                        continue
                else:
                    # every zero of g in [lo, hi] lies in [n_lo, n_hi]; outside it g (continuous: its
                    # derivative is enclosed) keeps the sign it has at any one point
                    n_lo, n_hi = max(lo, n_lo), min(hi, n_hi)
                    if n_hi - n_lo >= 0.5 * (hi - lo):
                        bisect(lo, hi)
                        continue
                    for s, e in ((n_hi, hi), (lo, n_lo)):
                        if s < e:
                            budget.spend()
                            c = F(arb(s + 0.5 * (e - s)), False)[0]
                            if c > 0 or c < 0:
                                out.append((s, e, 1 if c > 0 else -1))
                            else:
                                stack.append((s, e))
                    if n_lo < n_hi:
                        if n_hi - n_lo <= min_width:
                            out.append((n_lo, n_hi, 0))
                        else:
                            stack.append((n_lo, n_hi))
                    continue
        bisect(lo, hi)
    out.sort()
    return out


# ----------------------------------------------------------------------------------------------
# The input law on balls
# ----------------------------------------------------------------------------------------------
class _LawBalls:
    """Density on acb balls, probability of float intervals on arb balls, integration window and tail."""

    def __init__(self, law):
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

    def density(self, z: acb):
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
def certified_population(net, task, work: WorkBound | None = None) -> CertifiedPopulation:
    """Certified balls for the population 0-1 error of sign f, the Bayes error and the excess (module doc).

    Raises :class:`NotCertified` when the logit is not a parsed expression, is undefined on the support, or
    the work bound is exhausted."""
    work = work or WorkBound()
    budget = _Budget(work)
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

    def integrand(z, analytic):
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


def _integral(integrand, a: float, b: float, work: WorkBound) -> arb:
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


def certified_region_excess(net, task, delta: float, lo: float, hi: float,
                            work: WorkBound | None = None) -> CertifiedRegion:
    """Certified R_δ of U_δ(θ) ∩ [lo, hi] = {|f| ≤ τ}, τ = arcosh(1/(2δ) − 1) (s(f)s(−f) ≥ δ), its mass and the
    conditional excess logistic risk. The endpoints of R_δ are balls; the integrals are taken on the inner
    float interval and on the two thin rims up to the outer one (KL ≥ 0, so the rims only widen the ball)."""
    work = work or WorkBound()
    budget = _Budget(work)
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


def _kl_integral(net, law, G, flip, a: float, b: float, work: WorkBound, budget: _Budget) -> arb:
    """∫_a^b KL(Bern(η(x)) ‖ Bern(s(f(x)))) dP(x) as a ball, f affine on exact pieces (the 1-ulp gaps around
    rational breakpoints enclosed by [0, sup KL · P(gap)])."""
    if not a < b:
        return arb(0)

    def kl(f):
        def integrand(z, an):
            g = G(z, an)
            eta = flip + (1 - 2 * flip) / (1 + (-g).exp())
            fz = f(z)
            val = (eta * eta.log(analytic=an) + (1 - eta) * (1 - eta).log(analytic=an)
                   + eta * (1 + (-fz).exp()).log(analytic=an) + (1 - eta) * (1 + fz.exp()).log(analytic=an))
            return val * law.density(z)
        return integrand

    total = arb(0)
    for p, q, A, B in affine_pieces(net, a, b):
        Aa, Ba = acb(_arb_q(A)), acb(_arb_q(B))
        integrand = kl(lambda z, Aa=Aa, Ba=Ba: Aa * z + Ba)
        p_lo, p_hi = float_enclosure(p)
        q_lo, q_hi = float_enclosure(q)
        for s_, e_ in ((p_lo, p_hi), (q_lo, q_hi)):
            if s_ < e_:                                       # a 1-ulp gap: 0 ≤ KL ≤ its sup there
                sup = integrand(acb(_ball(s_, e_)), False).real / law.density(acb(_ball(s_, e_))).real
                total += _unit(sup.upper() * law.prob(s_, e_))
        if p_hi < q_lo:
            budget.clock()
            total += _integral(integrand, p_hi, q_lo, work)
    return total
