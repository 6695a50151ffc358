"""The Gaussian population constant of G(ŵ).

Setting:
    x ~ N(0, I_d) (data from the multi-index generator), σ = ReLU^k, the unit directions ŵ_j of the network's
    neurons.

Claim:
    [probe] G(ŵ)/n → g_{k,d} = ((2k−1)!!/2)^{1/(k+1)} (k²(2k−3)!!(d+2k−2)/2)^{k/(k+1)} (√d/2 for ReLU), with a
    relative error that shrinks like n^{−1/2}: max_j |G(ŵ_j)/n / g_{k,d} − 1| ≤ C/√n (relation ≤). The limit
    is exact; the finite-n error bound C n^{−1/2} is an observation with a stated C.

Reference:
    flatproof math M.3 (Gaussian population constant); Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Hypotheses:
    Gaussian inputs (data from the multi-index generator); σ = ReLU^k.

Certificate:
    - ``G_over_n``: G(ŵ_j)/n per neuron
    - ``limit``: the Gaussian limit g_{k,d}
    - ``relative_error``: max_j |G(ŵ_j)/n / g_{k,d} − 1|
    - ``n``: the number of data points
    - ``d``: the input dimension
    - ``k``: the degree k
    - ``sqrt_n_times_error``: √n times the relative error, to compare with C

Example:
    >>> flatproof.load_case("cases/homogeneous-gaussian-constant.toml").verify()
    <Verdict homogeneous.gaussian-constant [probe]: holds (observed), margin 0.0247 (float; 1 comparison)>
"""

from __future__ import annotations

import numpy as np

from ...measures.homogeneous_orbit import G_hat, gaussian_constant
from ...vocab import ModelKind, Tag
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class GaussianConstant(Claim):
    id = "homogeneous.gaussian-constant"
    title = "G(ŵ)/n approaches its Gaussian limit with relative error ≤ C n^{−1/2}"
    tag = Tag.PROBE
    section = "M.3"
    reference = "flatproof math M.3 (Gaussian population constant); Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = (r"\Big|\frac{G(\hat w)/n}{g_{k,d}} - 1\Big| \le \frac{C}{\sqrt n},\quad g_{k,d} = "
                 r"\Big(\frac{(2k-1)!!}{2}\Big)^{\frac1{k+1}}\Big(\frac{k^2(2k-3)!!(d+2k-2)}{2}\Big)^{\frac{k}{k+1}}")
    hypotheses = ("x ~ N(0, I_d) (multi-index generator)", "σ = ReLU^k")
    params = (Param("C", float, 10.0, "constant of the n^{-1/2} error bound", minimum=0.0),)
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
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
