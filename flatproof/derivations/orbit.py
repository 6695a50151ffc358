"""The minimum of the trace along the rescaling orbit, derived by sympy (flatproof math M.3, U.6).

Along the orbit T_c of one neuron the trace is F(c) = c^{2k} A + c^{−2} B (A, B > 0, k > 0);
sympy solves F'(c) = 0 for the minimiser c* = (B/(kA))^{1/(2k+2)} and substitutes it, giving
F_sym = (k+1) k^{−k/(k+1)} A^{1/(k+1)} B^{k/(k+1)}. U.6 is the case k = 1 (2√(AB)).
Nothing here is typed by hand: the numeric functions are ``lambdify``-ed from sympy's result.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class OrbitMinimum:
    c: sp.Symbol
    A: sp.Symbol
    B: sp.Symbol
    k: sp.Symbol
    F: sp.Expr               # c^{2k} A + c^{−2} B
    c_star: sp.Expr          # argmin over c > 0
    F_sym: sp.Expr           # F(c*)
    a_share: sp.Expr         # c*^{2k} A / F(c*): the a-block's share of the neuron's flatness
    F_fn: Callable           # (c, A, B, k) -> c^{2k} A + c^{−2} B
    c_star_fn: Callable      # (A, B, k) -> c*
    F_sym_fn: Callable       # (A, B, k) -> F_sym


@cache
def orbit_minimum() -> OrbitMinimum:
    c, A, B, k = sp.symbols("c A B k", positive=True)
    F = c ** (2 * k) * A + c ** (-2) * B
    # for c > 0, F'(c) = 0 ⇔ (c³/2) F'(c) = k A c^{2k+2} − B = 0 (sympy does the algebra): the same roots, and
    # sympy solves and checks this form ~15× faster than the raw derivative, whose root check took 3–5 s, the
    # largest cost of every `check` or `verify` of a claim that uses F_sym (the solution is the same expression)
    stationary = sp.powsimp(sp.expand(sp.diff(F, c) * c ** 3 / 2))
    crit = sp.solve(stationary, c)
    if len(crit) != 1:
        raise RuntimeError(f"sympy found {len(crit)} critical points of the orbit trace, expected 1")
    c_star = crit[0]
    F_sym = sp.simplify(F.subs(c, c_star))
    share = sp.simplify((c ** (2 * k) * A).subs(c, c_star) / F_sym)
    args = (A, B, k)
    return OrbitMinimum(c, A, B, k, F, c_star, F_sym, share,
                        sp.lambdify((c, *args), F, modules="numpy", cse=True),
                        sp.lambdify(args, c_star, modules="numpy", cse=True),
                        sp.lambdify(args, F_sym, modules="numpy", cse=True))


# ---- the infimum over the whole orbit, in every corner of float64 ------------------------------------
def _split(x: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """x = m · 2^e exactly, m ∈ [0.5, 1) (0 for x = 0): numbers as mantissa and integer exponent."""
    m, e = np.frexp(np.asarray(x, dtype=float))
    return m, e.astype(np.int64)


def _homogeneous(fn: Callable[..., np.ndarray], A: ArrayLike, B: ArrayLike, k: int, eA: ArrayLike | None,
                 eB: ArrayLike | None, degree_A: int, degree_B: int, denominator: int, empty: float) -> np.ndarray:
    """fn(A, B, k) for a function homogeneous of degree (degree_A/denominator) in A and (degree_B/denominator) in B,
    with A = mantissa·2^{eA}: fn on the mantissas (numbers in [0.5, 1)) times 2^{(degree_A E_A + degree_B E_B)/
    denominator}, whose integer part is applied exactly with ``ldexp``; ``empty`` where A_j B_j = 0."""
    mA, xA = _split(A)
    mB, xB = _split(B)
    xA = xA + (0 if eA is None else np.asarray(eA, dtype=np.int64))
    xB = xB + (0 if eB is None else np.asarray(eB, dtype=np.int64))
    pos = (mA > 0) & (mB > 0)
    q, r = np.divmod(degree_A * xA + degree_B * xB, denominator)      # 2^{E/den} = 2^q · 2^{r/den}
    core = fn(np.where(pos, mA, 1.0), np.where(pos, mB, 1.0), float(k)) * np.exp2(r / float(denominator))
    with np.errstate(under="ignore", over="ignore"):
        return np.where(pos, np.ldexp(core, np.where(pos, q, 0).astype(np.int32)), empty)


def f_sym_terms(A: ArrayLike, B: ArrayLike, k: int, *, eA: ArrayLike | None = None, eB: ArrayLike | None = None
                ) -> np.ndarray:
    """Per neuron inf_{c>0} (c^{2k} A_j + c^{−2} B_j): sympy's F_sym where A_j, B_j > 0, else 0.

    A_j = A·2^{eA}, B_j = B·2^{eB} (exponents default 0). F_sym is homogeneous of degree 1/(k+1) in A and
    k/(k+1) in B, so it is evaluated on the mantissas and rescaled by an exact power of two: no intermediate
    under- or overflows (sympy's expression forms 1/A and A·√B, which do), and the result is within a few
    ulps unless it is itself outside float64's range."""
    k = int(k)
    return _homogeneous(orbit_minimum().F_sym_fn, A, B, k, eA, eB, 1, k, k + 1, 0.0)


def c_star_scaled(A: ArrayLike, B: ArrayLike, k: int, *, eA: ArrayLike | None = None,
                  eB: ArrayLike | None = None) -> np.ndarray:
    """sympy's minimiser c_j* = (B_j/(k A_j))^{1/(2k+2)} with the same power-of-two handling (nan where
    A_j B_j = 0: no minimiser)."""
    k = int(k)
    return _homogeneous(orbit_minimum().c_star_fn, A, B, k, eA, eB, -1, 1, 2 * k + 2, np.nan)


def search_orbit(inf: OrbitInfimum, trace_at: Callable[[np.ndarray], float], c0: np.ndarray) -> np.ndarray:
    """The numeric side of the orbit minimum: for each neuron with A_j, B_j > 0 a bounded Brent search in log c_j
    (± e^15 around sympy's c_j*, which may be 1e-95) of ``trace_at(c)``, the trace computed by a curvature
    oracle at T_cθ, with the other neurons at ``c0`` (sympy's c*, or far along the unattained sequences): at
    c = 1 another neuron's term may be 1e10 and swamp the variation searched for. Returns the factors found."""
    from scipy.optimize import minimize_scalar
    c = np.array(c0, dtype=float)
    for j in np.flatnonzero((inf.direction == 0) & ~inf.inactive):
        def F(logc: float, j: Any = j) -> float:
            cj = c.copy()
            cj[j] = np.exp(logc)
            return trace_at(cj)
        centre = float(np.log(inf.c_star[j]))
        c[j] = np.exp(minimize_scalar(F, bounds=(centre - 15.0, centre + 15.0), method="bounded",
                                      options={"xatol": 1e-9}).x)
    return c


def numeric_infimum(inf: OrbitInfimum, trace_at: Callable[[np.ndarray], float], tol: float
                    ) -> tuple[float, np.ndarray | None]:
    """The orbit's infimum found numerically, to be compared with the closed form within ``tol``: from factors
    where the closed form comes within tol/4 of it (well inside the comparison's tolerance), :func:`search_orbit`;
    returns the trace there (one evaluation at all the c_j at once: it is separable over neurons) and the factors,
    or (nan, None) when such factors are not float64 numbers (they would overflow)."""
    start = inf.approach(0.25 * tol)
    if start is None:
        return float("nan"), None
    c = search_orbit(inf, trace_at, start)
    return trace_at(c), c


@dataclass(frozen=True)
class OrbitInfimum:
    """inf over c ∈ (0, ∞)^m of Σ_j (c_j^{2k} A_j + c_j^{−2} B_j) (flatproof math M.3, U.6 with k = 1).

    Per neuron: A_j, B_j > 0 — the minimum F_sym,j is attained at c_j*; A_j = B_j = 0 — the term is 0 for
    every c (attained); exactly one of them 0 — the infimum 0 is **not attained**: it is approached as
    c_j → 0 (B_j = 0 < A_j, e.g. a_j = 0) or c_j → ∞ (A_j = 0 < B_j), and every point of the orbit lies
    strictly above it."""

    k: int
    terms: np.ndarray        # per-neuron infimum
    c_star: np.ndarray       # the minimiser (1 where any c does, nan where none does)
    direction: np.ndarray    # 0 attained; −1: c_j → 0 approaches it; +1: c_j → ∞ does
    A: np.ndarray            # the blocks, as floats (may have underflowed: for the approach only)
    B: np.ndarray
    inactive: np.ndarray     # A_j = B_j = 0 exactly (decided on the mantissas, not on underflowed floats)
    log2A: np.ndarray        # log2 A_j, log2 B_j from mantissa and exponent (finite even where the floats are not;
    log2B: np.ndarray        # −∞ for 0)

    @property
    def value(self) -> float:
        return float(np.sum(self.terms))

    @property
    def attained(self) -> bool:
        return not np.any(self.direction)

    def approach(self, slack: float) -> np.ndarray | None:
        """Factors c with F(T_cθ) ≤ inf + slack: c_j* where attained, and powers of two 2^{∓s} that push each
        non-attained neuron's term below slack/(their number). None if such a c is not a float64 number."""
        c = np.where(np.isnan(self.c_star), 1.0, self.c_star)
        idx = np.flatnonzero(self.direction)
        if idx.size == 0:
            return c
        if not (slack > 0 and math.isfinite(slack)):
            return None
        share = math.log2(slack) - math.log2(idx.size)
        for j in idx:
            if self.direction[j] < 0:      # c^{2k} A_j ≤ share  ⇐  c = 2^{−s}, s ≥ (log2 A_j − log2 share)/(2k)
                e = math.floor((share - self.log2A[j]) / (2 * self.k)) - 1
            else:                          # c^{−2} B_j ≤ share  ⇐  c = 2^{s}, s ≥ (log2 B_j − log2 share)/2
                e = math.ceil((self.log2B[j] - share) / 2) + 1
            if not -1000 <= e <= 1000:
                return None
            c[j] = math.ldexp(1.0, e)
        return c

    def describe(self) -> list[str]:
        """One line per neuron whose infimum is not attained, naming the sequence that approaches it."""
        out = []
        for j in np.flatnonzero(self.direction):
            if self.direction[j] < 0:
                out.append(f"neuron {j}: B_j = 0 < A_j (its outer weight is 0): inf_c c^{2 * self.k}·A_j = 0 is not attained; "
                           f"c_j = 2^-s (s → ∞) gives A_j·2^(-{2 * self.k}s) → 0")
            else:
                out.append(f"neuron {j}: A_j = 0 < B_j: inf_c c^-2·B_j = 0 is not attained; "
                           f"c_j = 2^s (s → ∞) gives B_j·2^(-2s) → 0")
        return out

    def certificate(self) -> dict:
        seq = {}
        for j in np.flatnonzero(self.direction):
            s = np.array([0, 4, 16, 64])
            c = np.ldexp(1.0, (-s if self.direction[j] < 0 else s).astype(np.int32))
            with np.errstate(under="ignore", over="ignore"):
                t = np.exp2(np.where(self.direction[j] < 0, 2 * self.k * np.log2(c) + self.log2A[j],
                                     -2 * np.log2(c) + self.log2B[j]))
            seq[str(j)] = {"c_j": c.tolist(), "term": t.tolist()}
        return {"infimum": self.value, "attained": self.attained,
                "not_attained_neurons": np.flatnonzero(self.direction).tolist(),
                "direction": ["c_j → 0" if d < 0 else "c_j → ∞" if d > 0 else "attained" for d in self.direction],
                "approaching_sequences": seq}


def orbit_infimum(A: ArrayLike, B: ArrayLike, k: int, *, eA: ArrayLike | None = None,
                  eB: ArrayLike | None = None) -> OrbitInfimum:
    """The orbit infimum of blocks A_j = A·2^{eA}, B_j = B·2^{eB} (exponents optional: see f_sym_terms)."""
    A, B = np.asarray(A, dtype=float), np.asarray(B, dtype=float)
    if np.any(A < 0) or np.any(B < 0) or not (np.all(np.isfinite(A)) and np.all(np.isfinite(B))):
        raise ValueError("orbit blocks A_j, B_j must be finite and ≥ 0")
    terms = f_sym_terms(A, B, k, eA=eA, eB=eB)
    cs = c_star_scaled(A, B, k, eA=eA, eB=eB)
    direction = np.where((A > 0) & (B == 0), -1, np.where((A == 0) & (B > 0), 1, 0))
    inactive = (A == 0) & (B == 0)
    cs = np.where(inactive, 1.0, cs)
    with np.errstate(under="ignore", over="ignore", divide="ignore"):
        Af = A if eA is None else np.ldexp(A, np.asarray(eA, dtype=np.int32))
        Bf = B if eB is None else np.ldexp(B, np.asarray(eB, dtype=np.int32))
        lA = np.log2(A) + (0 if eA is None else np.asarray(eA, dtype=float))
        lB = np.log2(B) + (0 if eB is None else np.asarray(eB, dtype=float))
    return OrbitInfimum(int(k), terms, cs, direction, Af, Bf, inactive, lA, lB)
