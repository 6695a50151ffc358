"""Float-mode quadrature: ∫ of several integrands over the same pieces at once, by vectorised Gauss–Kronrod
7-15 (QUADPACK's qk15 rule) with bisection of the pieces whose estimate is not yet good enough.

The error it reports is an *estimate* (|K15 − G7| per accepted piece and a rounding floor), not a bound; the
population integrals of :mod:`flatproof.measures.population` use it in float mode, and rigorous mode encloses
the same integrals in :mod:`flatproof.measures.certified_integral`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .._budget import quadrature_meter

__all__ = ["GAUSS", "KRONROD", "NODES", "ROUNDING", "TOLERANCE", "Integrals", "integrate_pieces"]

# Gauss–Kronrod 7-15 (QUADPACK's qk15): Kronrod nodes on [0, 1] (the odd-indexed ones are the Gauss nodes),
# their Kronrod weights and the 7-point Gauss weights
_XGK = np.array([0.991455371120812639206854697526329, 0.949107912342758524526189684047851,
                 0.864864423359769072789712788640926, 0.741531185599394439863864773280788,
                 0.586087235467691130294144845693013, 0.405845151377397166906606412076961,
                 0.207784955007898467600689403773245, 0.0])
_WGK = np.array([0.022935322010529224963732008058970, 0.063092092629978553290700663189204,
                 0.104790010322250183839876322541518, 0.140653259715525918745189590510238,
                 0.169004726639267902826583426598550, 0.190350578064785409913256402421014,
                 0.204432940075298892414161999234649, 0.209482141084727828012999174891714])
_WG = np.array([0.129484966168869693270611432679082, 0.279705391489276667901467771423780,
                0.381830050505118944950369775488975, 0.417959183673469387755102040816327])
NODES = np.concatenate([-_XGK[:-1], [0.0], _XGK[:-1][::-1]])                   # 15 nodes on [−1, 1]
KRONROD = np.concatenate([_WGK[:-1], [_WGK[-1]], _WGK[:-1][::-1]])
_G = np.zeros(8)
_G[1::2] = _WG                                                                 # indices 1, 3, 5 and the centre
GAUSS = np.concatenate([_G[:-1], [_G[-1]], _G[:-1][::-1]])                     # zero off the Gauss nodes
TOLERANCE = 1e-13            # absolute error aimed at, shared among the pieces in proportion to their length
ROUNDING = 64 * np.finfo(float).eps   # relative rounding floor on ∫|integrand|
MAX_ACTIVE = 200_000         # pieces refined at once; beyond it the remaining estimates are accepted as they are


@dataclass(frozen=True)
class Integrals:
    """∫ of k integrands over the same pieces: values, estimated absolute errors (an estimate, not a bound),
    the pieces finally used and the integrand evaluations."""

    values: np.ndarray
    errors: np.ndarray
    pieces: int
    evaluations: int


def integrate_pieces(fn: Callable[[np.ndarray], np.ndarray], edges: Sequence[float] | np.ndarray,
                     tol: float = TOLERANCE, what: str = "population integral") -> Integrals:
    """∫ over [edges[0], edges[-1]] of the k integrands ``fn(x) -> (k, len(x))``, smooth on each piece between
    consecutive (sorted) edges, all pieces at once: Gauss–Kronrod 7-15 on every piece in one vectorised call;
    a piece is accepted when |K15 − G7| ≤ tol · its share of the length for every integrand, otherwise bisected
    (pieces that cannot be split in float64 are accepted as they are). The error is Σ |K15 − G7| over the
    accepted pieces plus ``ROUNDING`` · ∫|integrand| — an estimate (|K15 − G7| over-estimates the error of K15
    on smooth integrands; a feature between two nodes can be missed). Work bound: the first pass costs 15 per
    piece (linear in the input); refinements are charged to :func:`flatproof._budget.quadrature_meter`."""
    e = np.asarray(edges, dtype=float)
    a, b = e[:-1], e[1:]
    keep = b > a
    a, b = a[keep], b[keep]
    span = float(e[-1] - e[0]) if e.size > 1 else 0.0
    meter = quadrature_meter(what)
    parts: list[np.ndarray] = []                    # per pass: rows value, error, ∫|integrand| of each integrand
    pieces = evaluations = 0
    while a.size:
        c, h = 0.5 * (a + b), 0.5 * (b - a)
        x = (c[:, None] + h[:, None] * NODES[None, :]).reshape(-1)
        if parts:
            meter.charge(x.size)
        evaluations += x.size
        vals = np.asarray(fn(x), dtype=float).reshape(-1, a.size, NODES.size)
        K = (vals @ KRONROD) * h
        err = np.abs(K - (vals @ GAUSS) * h)
        ok = np.all(err <= tol * (b - a) / span, axis=0) | ~((a < c) & (c < b))
        if a.size > MAX_ACTIVE or not np.all(np.isfinite(K)):
            ok[:] = True
        parts.append(np.stack([K[:, ok].sum(axis=1), err[:, ok].sum(axis=1),
                               ((np.abs(vals) @ KRONROD) * h)[:, ok].sum(axis=1)]))
        pieces += int(ok.sum())
        a, c, b = a[~ok], c[~ok], b[~ok]
        a, b = np.concatenate([a, c]), np.concatenate([c, b])
    if not parts:
        k = np.asarray(fn(np.array([0.5 * (e[0] + e[-1])])), dtype=float).reshape(-1, 1).shape[0]
        return Integrals(np.zeros(k), np.zeros(k), 0, 0)
    total = np.sum(parts, axis=0)
    return Integrals(total[0], total[1] + ROUNDING * total[2], pieces, evaluations)
