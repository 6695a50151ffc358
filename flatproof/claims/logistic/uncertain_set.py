"""Uncertain sets computed exactly from the knots.

Setting:
    Univariate network, a level δ ∈ (0, 1/4], τ = logit-width(δ) (s(τ)s(−τ) = δ).

Claim:
    [paper] U_δ(θ) = {x : s(f(x))s(−f(x)) ≥ δ} = {x : |f(x)| ≤ τ} is the finite union of intervals that
    flatproof computes from the knots — no grid point where the two disagree (relation =); on the data it is
    {x_j : d_j ≥ δ}; the region is R_δ = [inf U_δ, sup U_δ]. The uncertain set is the paper's notion,
    formalised in flatproof math U.3; the interval algorithm is checked exactly here against a dense grid
    and the data.

    Grid points and data points within ``kink`` · (1 + τ) of the level |f| = τ are not counted (the boundary
    itself is where float evaluation may legitimately disagree), nor data points whose float d_j is within its
    rounding of δ (d is flat at its maximum 1/4, so near δ = 1/4 a point with f_j = 1.5e-8 has d_j = 1/4 in
    float64).

Reference:
    flatproof math U.3; Qiao & Wang, arXiv 2512.01473 (uncertain set A_γ).

Hypotheses:
    None beyond the setting.

Certificate:
    - ``delta``: the level δ
    - ``tau``: τ = logit-width(δ)
    - ``domain``: the window [lo, hi] the set is computed on (the x-domain: the law's support, cut where unbounded, hulled with the data)
    - ``intervals``: the intervals of U_δ
    - ``region_R_delta``: R_δ = [inf U_δ, sup U_δ] (None when U_δ is empty)
    - ``length``: the total length of U_δ
    - ``uncertain_data_points``: the number of data points with d_j ≥ δ
    - ``n``: the number of data points
    - ``grid_points``: the size of the check grid
    - ``grid_points_on_boundary``: grid points too close to |f| = τ to count

Example:
    >>> flatproof.load_case("cases/logistic-uncertain-set.toml").verify()
    <Verdict logistic.uncertain-set [paper]: holds (estimated), margin 0 (float; 2 comparisons)>
"""

from __future__ import annotations

import numpy as np

from ...measures.uncertain import uncertain_set
from ...model.data import x_domain
from ...model.losses import logistic_d2, logit_width
from ...vocab import ModelKind, Tag
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register

#: relative rounding of a float d_j = s(f)s(−f) (a few operations): within it of δ, d_j ≥ δ is not decided
D_ROUNDING = 8 * float(np.finfo(float).eps)


@register
class UncertainSet(Claim):
    id = "logistic.uncertain-set"
    title = "U_δ(θ) = {|f| ≤ τ} is the union of intervals computed from the knots"
    tag = Tag.PAPER
    section = "U.3"
    reference = "flatproof math U.3 (our formalisation); Qiao & Wang, arXiv 2512.01473 (uncertain set A_γ)"
    statement = (r"U_\delta(\theta) = \{x : s(f_\theta(x))\,s(-f_\theta(x)) \ge \delta\} = "
                 r"\{x : |f_\theta(x)| \le \tau\} = \bigcup_k [\ell_k, r_k]")
    params = (Param("delta", float, 0.1, "curvature level δ", minimum=0.0, maximum=0.25, exclusive_minimum=True),
              Param("grid", int, 20001, "points of the dense check grid", minimum=2, maximum=10_000_000))
    model = ModelKind.UNIVARIATE

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        delta, net = ctx.params["delta"], inst.net
        tau = logit_width(delta)
        lo, hi = x_domain(inst.task, inst.data.x)
        U = uncertain_set(net, delta, lo, hi)
        band = ctx.tolerances.kink * (1.0 + tau)
        grid = np.linspace(lo, hi, ctx.params["grid"])
        fg = net(grid)
        clear = np.abs(np.abs(fg) - tau) > band * (1.0 + np.abs(fg))
        bad_grid = int(np.sum(clear & (U.contains(grid) != (np.abs(fg) <= tau))))
        ev.comparisons.append(compare("grid points where the interval set and |f| ≤ τ disagree", bad_grid, "=", 0))
        x = inst.data.x
        fx = net(x)
        dx = logistic_d2(fx)
        on_data = dx >= delta
        # d = s(f)s(−f) = 1/4 − f²/16 + … is flat at its maximum: near δ = 1/4 (τ ≈ 0) a float d_j within its
        # rounding of δ cannot decide d_j ≥ δ (f = 1.5e-8 gives d = 1/4 − 1.4e-17, which rounds to 1/4)
        clear_x = (np.abs(np.abs(fx) - tau) > band * (1.0 + np.abs(fx))) & (np.abs(dx - delta) > D_ROUNDING * delta)
        bad_data = int(np.sum(clear_x & (U.contains(x) != on_data)))
        ev.comparisons.append(compare("data points where x_j ∈ U_δ and d_j ≥ δ disagree", bad_data, "=", 0))
        ev.certificate.update({"delta": delta, "tau": tau, "domain": [lo, hi], "intervals": [list(i) for i in
                               U.intervals], "region_R_delta": None if U.hull is None else list(U.hull),
                               "length": U.length, "uncertain_data_points": int(on_data.sum()), "n": int(x.size),
                               "grid_points": int(grid.size), "grid_points_on_boundary": int((~clear).sum())})
        return ev
