"""The per-sample lower bound on the flatness of a ReLU network.

Setting:
    Two-layer ReLU network (k = 1), square loss L̂ = (1/n)Σ(f − y)², no weight decay, θ off every kink. For
    ReLU σ'' = 0, so F = tr∇²L̂ = Σ_j (A_j + B_j) at every such θ (not only at interpolators) and
    F_sym = Σ_j 2√(A_j B_j).

Claim:
    [exact] F(θ) ≥ F_sym(θ) ≥ (C/n) Σ_i ‖x_i‖ Σ_j |a_j| (w_jᵀx_i)_+ with C = 4 (Cauchy–Schwarz on
    √(Σ_i σ_ij²) √(Σ_i 1_ij ‖x_i‖²)); the main comparison is the second inequality (relation ≥). The parameter
    ``constant`` lets a case state a wrong C on purpose.

    Rigorous mode evaluates A_j, B_j, F, F_sym and the bound in ball arithmetic (python-flint), with the
    activation pattern certified.

Reference:
    flatproof math M.3 (ReLU per-sample bound); Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Hypotheses:
    ReLU activation; square loss (1/n)Σ(f − y)², no weight decay; θ off every kink (in rigorous mode the
    activation pattern certified).

Certificate:
    - ``F``: F(θ) = tr ∇²L̂(θ) by the curvature oracle
    - ``F_sym``: F_sym(θ) (power-of-two rescaled)
    - ``bound``: (C/n) Σ_i ‖x_i‖ Σ_j |a_j| (w_jᵀx_i)_+
    - ``constant``: the constant C stated
    - ``A_j``: A_j = (2/n)Σ_i σ(w_jᵀx_i)²
    - ``B_j``: B_j = (2/n) a_j² Σ_i σ'(w_jᵀx_i)² ‖x_i‖²
    - ``how_certified`` (rigorous mode): how the enclosures were obtained

Example:
    >>> flatproof.load_case("cases/homogeneous-relu-sample-bound.toml").verify()
    <Verdict homogeneous.relu-sample-bound [exact]: holds (certified), margin 90.7 (rigorous; 2 comparisons)>
"""

from __future__ import annotations

import numpy as np
from flint import arb

from ...measures import rigorous
from ...measures.homogeneous_orbit import f_sym_net, trace_blocks
from ...model.homogeneous import HomogeneousNet
from ...vocab import Mode, ModelKind, Tag
from .._common import oracle_if_off_kinks, rounding
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register
from ._shared import square_loss_hypotheses


def _balls(net: HomogeneousNet, X: np.ndarray, C: float) -> tuple[arb, arb, arb] | None:
    """(F, F_sym, bound) as balls; None if an activation is not certified."""
    n, d = X.shape
    Xb = [[arb(float(t)) for t in row] for row in X]
    nx2 = [sum((t * t for t in row), arb(0)) for row in Xb]
    F, Fs, bound = arb(0), arb(0), arb(0)
    for j in range(net.m):
        w = [arb(float(t)) for t in net.W[j]]
        aj = arb(float(net.a[j]))
        S2, A1, P = arb(0), arb(0), arb(0)
        for i in range(n):
            z = sum((w[q] * Xb[i][q] for q in range(d)), arb(0))
            if z > 0:
                S2 += z * z
                A1 += nx2[i]
                P += nx2[i].sqrt() * z
            elif not (z < 0):
                return None
        A = 2 * S2 / n
        B = 2 * aj * aj * A1 / n
        F += A + B
        Fs += 2 * (A * B).sqrt()
        bound += abs(aj) * P
    return F, Fs, arb(C) * bound / n


@register
class ReluSampleBound(Claim):
    id = "homogeneous.relu-sample-bound"
    title = "ReLU: F ≥ F_sym ≥ (4/n) Σ_i ‖x_i‖ Σ_j |a_j|(w_jᵀx_i)_+"
    tag = Tag.EXACT
    section = "M.3"
    reference = "flatproof math M.3; Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = (r"F(\theta) \ge F_{\mathrm{sym}}(\theta) \ge \frac{4}{n}\sum_i \|x_i\| \sum_j |a_j|\,"
                 r"(w_j^\top x_i)_+")
    hypotheses = ("ReLU activation", "square loss (1/n)Σ(f − y)², no weight decay", "θ off every kink")
    params = (Param("constant", float, 4.0, "the constant C of the bound (4 in the statement)", minimum=0.0),)
    model = ModelKind.HOMOGENEOUS
    modes = (Mode.FLOAT, Mode.RIGOROUS)

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        net, X = inst.net, inst.data.X
        ok = ev.hypothesis("ReLU activation", net.activation.name == "relu", net.activation.name)
        if not (square_loss_hypotheses(inst, ev) and ok):
            return ev
        orc = oracle_if_off_kinks(inst, ctx, ev)
        if orc is None:
            return ev
        C = ctx.params["constant"]
        A, B = trace_blocks(net, X)
        F = orc.trace()
        # F_sym from A_j, B_j as mantissas and power-of-two exponents: a_j = 1e-170 (a_j² = 0) or w_j = 1e-170
        # (σ(w_jᵀx)² = 0) would otherwise give F_sym = 0 against a bound, linear in both, of 1e-170
        Fs = f_sym_net(net, X)
        norms = np.linalg.norm(X, axis=1)
        bound = float(C / X.shape[0] * norms @ (np.maximum(X @ net.W.T, 0.0) @ np.abs(net.a)))
        ev.certificate.update({"F": F, "F_sym": Fs, "bound": bound, "constant": C, "A_j": A, "B_j": B})
        if ctx.mode == Mode.RIGOROUS:
            balls = _balls(net, X, C)
            if balls is None:
                ev.hypothesis("activation pattern certified", False, "a pre-activation ball contains 0")
                return ev
            Fb, Fsb, bb = balls
            ev.comparisons.append(compare(f"F_sym ≥ ({C:g}/n) Σ_i ‖x_i‖ Σ_j |a_j|(w_jᵀx_i)_+", Fs, ">=", bound,
                                          value_interval=rigorous.interval(Fsb),
                                          bound_interval=rigorous.interval(bb), certified=True))
            ev.comparisons.append(compare("F ≥ F_sym", F, ">=", Fs, value_interval=rigorous.interval(Fb),
                                          bound_interval=rigorous.interval(Fsb), certified=True))
            ev.certificate["how_certified"] = "A_j, B_j, F, F_sym and the bound in ball arithmetic (python-flint)"
        else:
            ev.comparisons.append(compare(f"F_sym ≥ ({C:g}/n) Σ_i ‖x_i‖ Σ_j |a_j|(w_jᵀx_i)_+", Fs, ">=", bound,
                                          value_error=rounding(Fs), bound_error=rounding(bound)))
            ev.comparisons.append(compare("F ≥ F_sym", F, ">=", Fs, value_error=rounding(F), bound_error=rounding(Fs)))
        return ev
