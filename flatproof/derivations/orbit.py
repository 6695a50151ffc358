"""The minimum of the trace along the rescaling orbit, derived by sympy (flatproof math M.3, U.6).

Along the orbit T_c of one neuron the trace is F(c) = c^{2k} A + c^{−2} B (A, B > 0, k > 0);
sympy solves F'(c) = 0 for the minimiser c* = (B/(kA))^{1/(2k+2)} and substitutes it, giving
F_sym = (k+1) k^{−k/(k+1)} A^{1/(k+1)} B^{k/(k+1)}. U.6 is the case k = 1 (2√(AB)).
Nothing here is typed by hand: the numeric functions are ``lambdify``-ed from sympy's result.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import sympy as sp


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


@lru_cache(maxsize=None)
def orbit_minimum() -> OrbitMinimum:
    c, A, B, k = sp.symbols("c A B k", positive=True)
    F = c ** (2 * k) * A + c ** (-2) * B
    crit = sp.solve(sp.diff(F, c), c)
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
