"""The Gaussian population constant of G(ŵ) and the memoriser's excess sharpness.

Setting: x ~ N(0, I_d) (data from the multi-index generator), σ = ReLU^k, a unit direction ŵ.

Statement (exact limit, probe at finite n): G(ŵ)/n → ((2k−1)!!/2)^{1/(k+1)} (k²(2k−3)!!(d+2k−2)/2)^{k/(k+1)}
(√d/2 for ReLU), with a relative error that shrinks like n^{−1/2}: the check compares the relative error
with C·n^{−1/2} for each neuron direction of the network.

Tag: [probe] (the limit is exact; the finite-n error bound C n^{−1/2} is an observation with a stated C).

Reference: flatproof math M.3 (Gaussian population constant); Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Example: ``flatproof verify cases/homogeneous-gaussian-constant.toml`` ends in ``holds``.
"""

from __future__ import annotations

import numpy as np

from ...measures.homogeneous_orbit import G_hat, gaussian_constant
from .._core import Claim, Evaluation, Param, compare, register
from ._shared import trace_blocks
from .orbit_minimum import f_sym


@register
class GaussianConstant(Claim):
    id = "homogeneous.gaussian-constant"
    title = "G(ŵ)/n approaches its Gaussian limit with relative error ≤ C n^{−1/2}"
    tag = "probe"
    section = "M.3"
    reference = "flatproof math M.3 (Gaussian population constant); Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = (r"\Big|\frac{G(\hat w)/n}{g_{k,d}} - 1\Big| \le \frac{C}{\sqrt n},\quad g_{k,d} = "
                 r"\Big(\frac{(2k-1)!!}{2}\Big)^{\frac1{k+1}}\Big(\frac{k^2(2k-3)!!(d+2k-2)}{2}\Big)^{\frac{k}{k+1}}")
    hypotheses = ("x ~ N(0, I_d) (multi-index generator)", "σ = ReLU^k")
    params = (Param("C", float, 10.0, "constant of the n^{-1/2} error bound", minimum=0.0),)
    model = "homogeneous"

    def evaluate(self, inst, ctx):
        ev = Evaluation()
        act = inst.net.activation
        ok = ev.hypothesis("Gaussian inputs (data from the multi-index generator)",
                           inst.task is not None and "generator" in str(inst.provenance.get("data", "")))
        ok &= ev.hypothesis("σ = ReLU^k", act.family in ("relu", "relu_power"), act.name)
        if not ok:
            return ev
        X = inst.data.X
        n, d, k = X.shape[0], X.shape[1], act.k
        g = G_hat(X, inst.net.W, act) / n
        lim = gaussian_constant(k, d)
        rel = float(np.max(np.abs(g / lim - 1.0)))
        ev.comparisons.append(compare("max_j |G(ŵ_j)/n / g_{k,d} − 1| ≤ C/√n", rel, "<=", ctx.params["C"] / np.sqrt(n)))
        ev.certificate.update({"G_over_n": g, "limit": lim, "relative_error": rel, "n": n, "d": d, "k": k,
                               "sqrt_n_times_error": rel * np.sqrt(n)})
        return ev


@register
class MemoriserSharper(Claim):
    id = "homogeneous.memoriser-sharper"
    title = "The ReLU memoriser is sharper than the teacher after optimising over symmetries: F_sym ratio ≥ ρ"
    tag = "probe"
    section = "M.4"
    reference = "flatproof math M.4 (negative claim, formalised as a probe); Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = r"\frac{F_{\mathrm{sym}}(\theta_{\mathrm{mem}})}{F_{\mathrm{sym}}(\theta_{\mathrm{teacher}})} \ge \rho"
    hypotheses = ("the network is the memoriser (model.construction)", "the teacher is known (multi-index data)",
                  "σ = ReLU (k = 1; not leaky, not |t|): for k ≥ 2 this memoriser is not orderwise sharper "
                  "(flatproof math M.4)", "F_sym(teacher) > 0 (some teacher neuron is active on the data)")
    params = (Param("ratio", float, 2.0, "stated lower bound ρ on the ratio", minimum=0.0),)
    model = "homogeneous"

    def evaluate(self, inst, ctx):
        from ...model.constructions import teacher_network
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
