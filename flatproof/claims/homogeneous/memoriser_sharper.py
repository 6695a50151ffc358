"""The ReLU memoriser is sharper than the teacher after optimising over symmetries.

Setting:
    Multi-index data from a known teacher (x ~ N(0, I_d), y = Σ_ℓ (u_ℓᵀx)_+), σ = ReLU; the network is the
    memoriser construction (one neuron per data point), compared with the teacher network on the same data.

Claim:
    [probe] F_sym(memoriser)/F_sym(teacher) ≥ ρ (relation ≥): after optimising over the rescaling symmetries
    (F_sym is the orbit minimum of the trace, M.3) the memoriser is still sharper than the teacher. flatproof
    math M.4 states the negative claim (memorisers are not flat); it is formalised as a probe with a stated
    ratio ρ. For k ≥ 2 this memoriser is not orderwise sharper, so the probe is restricted to ReLU.

Reference:
    flatproof math M.4 (negative claim, formalised as a probe); Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Hypotheses:
    The network is the memoriser (model.construction); the teacher is known (multi-index data); σ = ReLU
    (k = 1; not leaky, not |t|); F_sym(teacher) > 0 (some teacher neuron is active on the data).

Certificate:
    - ``F_sym_memoriser``: F_sym of the memoriser on the data
    - ``F_sym_teacher``: F_sym of the teacher on the same data
    - ``ratio``: their ratio
    - ``n``: the number of data points
    - ``d``: the input dimension
    - ``k``: the degree k (1)

Example:
    >>> flatproof.load_case("cases/homogeneous-memoriser-sharper.toml").verify()
    <Verdict homogeneous.memoriser-sharper [probe]: holds (observed), margin 6.38 (float; 1 comparison)>
"""

from __future__ import annotations

from ...measures.homogeneous_orbit import f_sym, trace_blocks
from ...model.constructions import teacher_network
from ...vocab import ModelKind, Tag
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class MemoriserSharper(Claim):
    id = "homogeneous.memoriser-sharper"
    title = "The ReLU memoriser is sharper than the teacher after optimising over symmetries: F_sym ratio ≥ ρ"
    tag = Tag.PROBE
    section = "M.4"
    reference = "flatproof math M.4 (negative claim, formalised as a probe); Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = r"\frac{F_{\mathrm{sym}}(\theta_{\mathrm{mem}})}{F_{\mathrm{sym}}(\theta_{\mathrm{teacher}})} \ge \rho"
    hypotheses = ("the network is the memoriser (model.construction)", "the teacher is known (multi-index data)",
                  "σ = ReLU (k = 1; not leaky, not |t|): for k ≥ 2 this memoriser is not orderwise sharper "
                  "(flatproof math M.4)", "F_sym(teacher) > 0 (some teacher neuron is active on the data)")
    params = (Param("ratio", float, 2.0, "stated lower bound ρ on the ratio", minimum=0.0),)
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        ok = ev.hypothesis("the network is the memoriser", inst.provenance.get("construction") == "memoriser")
        ok &= ev.hypothesis("the teacher is known", inst.task is not None)
        act = inst.net.activation
        ok &= ev.hypothesis("σ = ReLU (k = 1)", act.family == "relu",
                            f"σ = {act.name}: flatproof math M.4 observes the memoriser orderwise sharper for ReLU only "
                            "(for k ≥ 2 it is not), so the probe says nothing here")
        if not ok:
            return ev
        X, k = inst.data.X, inst.net.k
        A, B = trace_blocks(inst.net, X)
        teacher = teacher_network(inst.task.U, activation=inst.net.activation)
        At, Bt = trace_blocks(teacher, X)
        mem, tea = f_sym(A, B, k), f_sym(At, Bt, k)
        if not ev.hypothesis("the teacher has curvature on the data (F_sym(teacher) > 0)", tea > 0,
                             f"F_sym(teacher) = {tea:g}: no teacher neuron is active on any point, so the ratio is "
                             f"undefined (F_sym(memoriser) = {mem:g})"):
            return ev
        ev.comparisons.append(compare("F_sym(memoriser) / F_sym(teacher) ≥ ρ", mem / tea, ">=", ctx.params["ratio"],
                                      value_error=1e-12 * mem / tea))
        ev.certificate.update({"F_sym_memoriser": mem, "F_sym_teacher": tea, "ratio": mem / tea,
                               "n": X.shape[0], "d": X.shape[1], "k": k})
        return ev
