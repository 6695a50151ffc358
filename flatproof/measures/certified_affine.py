"""The network f exactly: its affine pieces and the sign of f on them, in rational arithmetic (rigorous mode).

f(x) = Σ v_i relu(w_i x − b_i) + β with float parameters is piecewise affine: its knots b_i/w_i and its zeros
−B/A on each affine piece are exact rationals (``fractions.Fraction``, or integer pairs), the sign of f on each
piece is decided exactly, and each rational breakpoint is enclosed between two adjacent floats
(:func:`float_enclosure`). :mod:`flatproof.measures.certified_integral` integrates over these pieces;
:class:`PiecewiseAffine` is the same table rounded to floats, for float mode's integrands.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
from numpy.typing import NDArray

from ..model.univariate import UnivariateNet

Rational = tuple[int, int]          # (numerator, denominator > 0), not necessarily in lowest terms
IntegerPieces = tuple[list[Rational], list[int], list[int], int]  # (cuts, A, B, s) of :func:`_integer_pieces`


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


# ----------------------------------------------------------------------------------------------
# f: exact sign pieces
# ----------------------------------------------------------------------------------------------
def _dyadic(values: Iterable[float] | NDArray[np.float64]) -> tuple[list[int], list[int]]:
    """Finite floats as exact dyadic rationals: (numerators, exponents) with value = numerator · 2^exponent
    (numerator = mantissa · 2⁵³, an integer below 2⁵³ in magnitude; not reduced). Vectorised by ``frexp``."""
    mant, exp = np.frexp(np.asarray(values, dtype=float).reshape(-1))
    return (mant * 2.0 ** 53).astype(np.int64).tolist(), (exp.astype(np.int64) - 53).tolist()


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


def _integer_pieces(net: UnivariateNet, lo: float, hi: float) -> IntegerPieces:
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


def affine_pieces(net: UnivariateNet, lo: float, hi: float) -> list[tuple[Fraction, Fraction, Fraction, Fraction]]:
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


def network_sign_pieces(net: UnivariateNet, lo: float, hi: float, pieces: IntegerPieces | None = None
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


def piecewise_affine(net: UnivariateNet, lo: float, hi: float, pieces: IntegerPieces | None = None
                     ) -> PiecewiseAffine:
    """The table of f's affine pieces on [lo, hi] (:class:`PiecewiseAffine`), built in O(m log m) (``pieces``:
    :func:`_integer_pieces` of the same arguments, if already built)."""
    cuts, A_int, B_int, scale = pieces or _integer_pieces(net, lo, hi)
    return PiecewiseAffine(np.array([c[0] / c[1] for c in cuts], dtype=float),
                           np.array([_to_float(a, scale) for a in A_int]),
                           np.array([_to_float(b, scale) for b in B_int]))
