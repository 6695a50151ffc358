"""FALSE BY DESIGN: "any interpolator can be made arbitrarily flat by rescaling" (homogeneous networks).

Setting: two-layer degree-k homogeneous network, square loss (1/n)Σ(f − y)², no weight decay, θ an
interpolator off every kink, a target flatness ε > 0.

Statement (naive, refuted): there is a rescaling c ∈ (0, ∞)^m with F(T_cθ) ≤ ε. Rescaling makes any
interpolator arbitrarily *sharp* (Dinh et al.), but by M.3 every point of the orbit has
F(T_cθ) ≥ F_sym(θ) = Σ_j (k+1)k^{−k/(k+1)} A_j^{1/(k+1)} B_j^{k/(k+1)}, attained at c*: the check
evaluates F at T_{c*}θ with the curvature oracle and compares it with ε. Whenever F_sym > ε no
rescaling works and the statement is violated.

Tag: [paper] — the papers' point (flatproof math M.3; arXiv 2606.04429; Dinh et al., ICML 2017) is exactly
that this fails; a ``violated`` verdict is the expected outcome.

Reference: flatproof math M.3.

Example: ``flatproof check homogeneous.flat-by-rescaling`` finds and shrinks a counterexample.
"""

from __future__ import annotations

import numpy as np

from ...constructions import rescale_homogeneous
from ...derivations import get_derivation
from .._common import rounding
from .._core import Claim, Evaluation, Param, compare, register
from ._shared import INTERPOLATION_TOL, INTERPOLATOR_HYPOTHESES, interpolator_oracle, trace_blocks


@register
class FlatByRescaling(Claim):
    id = "homogeneous.flat-by-rescaling"
    title = "(false) any interpolator can be made ε-flat by rescaling: some c has F(T_cθ) ≤ ε"
    tag = "paper"
    false_by_design = True
    section = "M.3"
    reference = "flatproof math M.3 (refuted there: F(T_cθ) ≥ F_sym > 0); Dinh et al. (ICML 2017); arXiv 2606.04429"
    statement = r"\forall \varepsilon > 0\ \exists c \in (0,\infty)^m:\ F(T_c\theta) \le \varepsilon"
    hypotheses = INTERPOLATOR_HYPOTHESES
    params = (Param("epsilon", float, 1e-3, "target flatness ε", minimum=0.0, exclusive_minimum=True),
              INTERPOLATION_TOL)
    model = "homogeneous"

    def evaluate(self, inst, ctx):
        ev = Evaluation()
        orc = interpolator_oracle(inst, ev, ctx)
        if orc is None:
            return ev
        net, k = inst.net, inst.net.k
        A, B = trace_blocks(net, inst.data.X)
        der = get_derivation("homogeneous-orbit").numeric
        pos = A * B > 0
        c_star = np.where(pos, der["c_star"](np.where(pos, A, 1.0), np.where(pos, B, 1.0), float(k)), 1.0)
        best = inst.oracle(rescale_homogeneous(net, c_star), kink_tol=ctx.tolerances.kink).trace()
        eps = ctx.params["epsilon"]
        ev.comparisons.append(compare("F(T_{c*}θ) = min_c F(T_cθ) ≤ ε", best, "<=", eps, value_error=rounding(best)))
        ev.certificate.update({"F_at_c_star": best, "F": orc.trace(), "c_star": c_star, "epsilon": eps,
                               "n": inst.data.n, "d": inst.data.d, "width": net.m, "k": k})
        ev.notes.append("F(T_cθ) ≥ F(T_{c*}θ) for every c (flatproof math M.3, claim homogeneous.orbit-minimum)")
        return ev
