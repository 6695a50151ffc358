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

from typing import Any

from ..._errors import KinkError
from ...measures.homogeneous_orbit import trace_blocks
from ...measures.mode_bounds import relu_sample_terms
from ...vocab import Mode, ModelKind, Tag
from .._common import oracle_if_off_kinks
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register
from ._shared import square_loss_hypotheses, undecided_pattern


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
        t = relu_sample_terms(inst.problem, net, F, C, Mode.FLOAT)
        ev.certificate.update({"F": t.trace.value, "F_sym": t.f_sym.value, "bound": t.bound.value, "constant": C,
                               "A_j": A, "B_j": B})
        try:
            t = relu_sample_terms(inst.problem, net, F, C, ctx.mode) if ctx.mode != Mode.FLOAT else t
        except KinkError:
            undecided_pattern(inst, ev, ctx.tolerances.kink)
            return ev
        if t.trace.certified:
            ev.certificate["how_certified"] = t.trace.how
        basis: dict[str, Any] = {"certified": True} if t.trace.certified else {}
        ev.comparisons.append(compare(f"F_sym ≥ ({C:g}/n) Σ_i ‖x_i‖ Σ_j |a_j|(w_jᵀx_i)_+", t.f_sym.value, ">=",
                                      t.bound.value, value_interval=t.f_sym.interval,
                                      bound_interval=t.bound.interval, **basis))
        ev.comparisons.append(compare("F ≥ F_sym", t.trace.value, ">=", t.f_sym.value, value_interval=t.trace.interval,
                                      bound_interval=t.f_sym.interval, **basis))
        return ev
