"""FALSE BY DESIGN: any interpolator can be made ε-flat by rescaling.

Setting:
    Two-layer degree-k homogeneous network, square loss L̂ = (1/n)Σ(f − y)², no weight decay, θ an interpolator
    off every kink, a target flatness ε > 0.

Claim:
    [paper] FALSE BY DESIGN: there is a rescaling c ∈ (0, ∞)^m with F(T_cθ) ≤ ε (relation ≤). Rescaling makes
    any interpolator arbitrarily *sharp* (Dinh et al.), but by M.3 every point of the orbit has
    F(T_cθ) ≥ F_sym(θ) = Σ_j (k+1)k^{−k/(k+1)} A_j^{1/(k+1)} B_j^{k/(k+1)} (the terms with A_j B_j = 0 are 0), and
    F_sym is the infimum of F over the orbit. So the statement holds on θ exactly when F_sym < ε, or F_sym = ε
    and the infimum is attained. It is attained (at c*) unless some active neuron has exactly one of A_j, B_j
    equal to 0 (a_j = 0: c_j^{2k}A_j → 0 only as c_j → 0): then it is approached, never reached. The check
    compares the infimum F_sym with ε; when F_sym < ε it exhibits a witness c (c* on the other neurons, a power
    of two 2^{∓s} on the unattained ones) and evaluates F(T_cθ) ≤ ε there with the curvature oracle. The
    papers' point (flatproof math M.3; arXiv 2606.04429; Dinh et al., ICML 2017) is exactly that this fails; a
    ``violated`` verdict is the expected outcome.

Reference:
    flatproof math M.3; Dinh, Pascanu, Bengio & Bengio (ICML 2017); Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Hypotheses:
    Square loss (1/n)Σ(f − y)², no weight decay; θ interpolates the data, closely enough that the residuals'
    Hessian term is below the identities' tolerance; θ off every kink.

Certificate:
    - ``interpolation_residual``: max_i |f(x_i) − y_i|
    - ``interpolation_residuals``: |f(x_i) − y_i| per point
    - ``interpolation_perturbation``: the bounds on the residuals' Hessian term (2/n)Σ r_i∇²f_i (norm bound, its allowance, per-neuron trace bounds)
    - ``F``: F(θ) = tr ∇²L̂(θ) by the curvature oracle (may be ∞ in float64)
    - ``F_sym``: the orbit infimum F_sym(θ)
    - ``c_star``: the minimising factors c_j*
    - ``epsilon``: the target flatness ε
    - ``n``: the number of data points
    - ``d``: the input dimension
    - ``width``: the number m of neurons
    - ``k``: the degree k
    - ``orbit``: the orbit infimum's record (value, attained, unattained neurons, approaching sequences)
    - ``F_at_c_star`` (when the infimum is attained): F(T_{c*}θ) by the curvature oracle
    - ``witness_c`` (when F_sym < ε): the factors of the witness rescaling
    - ``F_at_witness`` (when F_sym < ε): F(T_cθ) at the witness, by the curvature oracle

Example:
    >>> flatproof.load_case("cases/false-flat-by-rescaling.toml").verify()
    <Verdict homogeneous.flat-by-rescaling [paper, FALSE BY DESIGN]: violated (estimated), margin -7.08 (float; 1 comparison)>
"""

from __future__ import annotations

import math

import numpy as np

from ...measures.homogeneous_orbit import infimum
from ...model.constructions import rescale_homogeneous
from ...vocab import ModelKind, Outcome, Tag
from .._common import rounding
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register
from ._shared import INTERPOLATION_TOL, INTERPOLATOR_HYPOTHESES, interpolator_oracle


@register
class FlatByRescaling(Claim):
    id = "homogeneous.flat-by-rescaling"
    title = "(false) any interpolator can be made ε-flat by rescaling: some c has F(T_cθ) ≤ ε"
    tag = Tag.PAPER
    false_by_design = True
    section = "M.3"
    reference = "flatproof math M.3 (refuted there: F(T_cθ) ≥ F_sym > 0); Dinh et al. (ICML 2017); arXiv 2606.04429"
    statement = r"\forall \varepsilon > 0\ \exists c \in (0,\infty)^m:\ F(T_c\theta) \le \varepsilon"
    hypotheses = INTERPOLATOR_HYPOTHESES
    params = (Param("epsilon", float, 1e-3, "target flatness ε", minimum=0.0, exclusive_minimum=True),
              INTERPOLATION_TOL)
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        orc = interpolator_oracle(inst, ev, ctx)
        if orc is None:
            return ev
        net, k, eps = inst.net, inst.net.k, ctx.params["epsilon"]
        inf = infimum(net, inst.data.X)
        Fs = inf.value
        with np.errstate(over="ignore", invalid="ignore"):          # F itself only goes to the certificate
            F = orc.trace()
        if not np.isfinite(F):
            ev.notes.append("F(θ) = tr∇²L̂ overflows float64 (a_j² or ‖w_j‖^2k is beyond its range); F_sym, which "
                            "depends on |a_j|‖w_j‖^k only, is computed with power-of-two rescaling")
        ev.certificate.update({"F": F, "F_sym": Fs, "c_star": inf.c_star, "epsilon": eps,
                               "n": inst.data.n, "d": inst.data.d, "width": net.m, "k": k, "orbit": inf.certificate()})
        if inf.attained:
            best = inst.oracle(rescale_homogeneous(net, inf.c_star), kink_tol=ctx.tolerances.kink).trace()
            ev.certificate["F_at_c_star"] = best
            ev.notes.append("the infimum F_sym is attained at c* (flatproof math M.3, claim homogeneous.orbit-minimum)")
        else:
            ev.notes.extend(["the infimum F_sym over the orbit is not attained:"] + inf.describe())
        name = ("inf_c F(T_cθ) = F_sym ≤ ε (attained at c*)" if inf.attained else
                "inf_c F(T_cθ) = F_sym < ε (not attained: approached, never reached)")
        main = compare(name, Fs, "<=", eps, value_error=rounding(Fs, terms=net.m))
        if not inf.attained and main.outcome == Outcome.HOLDS and main.value_interval[1] >= eps:
            main = compare(name, Fs, "<=", eps, value_error=rounding(Fs, terms=net.m), bound_error=math.inf)
        ev.comparisons.append(main)
        if main.outcome == Outcome.HOLDS:            # exhibit the rescaling: F(T_cθ) ≤ ε at an explicit c
            c = inf.approach(0.5 * (eps - Fs))
            if c is None:
                ev.notes.append("no witness c is a float64 number (the factors would under- or overflow)")
                ev.comparisons.append(compare("F(T_cθ) ≤ ε at a witness c", math.nan, "<=", eps))
                return ev
            wit = inst.oracle(rescale_homogeneous(net, c), kink_tol=ctx.tolerances.kink)
            Fw = wit.trace()
            ev.certificate.update({"witness_c": c, "F_at_witness": Fw})
            ev.comparisons.append(compare("F(T_cθ) ≤ ε at the witness c (curvature oracle)", Fw, "<=", eps,
                                          value_error=rounding(Fw, terms=orc.num_params)))
        return ev
