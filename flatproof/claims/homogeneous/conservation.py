"""The conserved quantity of gradient flow and its drift under gradient descent.

Setting:
    Two-layer degree-k homogeneous network, any per-sample loss, no weight decay, θ off the kinks; GD with
    step η for T steps from θ (param ``steps``).

Claim:
    [exact] q_j = ‖w_j‖² − k a_j² is conserved by gradient flow, because w_jᵀ∇_{w_j}L − k a_j ∂_{a_j}L = 0
    (Euler's identity tσ'(t) = kσ(t); relation =); one GD step changes it by exactly
    η²(‖∇_{w_j}L‖² − k(∂_{a_j}L)²), so the drift after T steps is η² Σ_t (‖∇_{w_j}L_t‖² − k(∂_{a_j}L_t)²) = O(η)
    over a time horizon Tη. The identities are [exact]; the size of the drift for a given η is reported (a
    [probe] figure).

Reference:
    flatproof math M.3 (null directions, conservation); Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Hypotheses:
    No weight decay; θ off every kink on the data; the GD run stays off the kinks.

Certificate:
    - ``eta``: the GD step η
    - ``steps``: the number T of GD steps
    - ``drift_max``: max_j |q_j(θ_T) − q_j(θ_0)|, the measured drift
    - ``drift_predicted_max``: max_j |η² Σ_t (‖∇_{w_j}L_t‖² − k(∂_{a_j}L_t)²)|, the predicted drift
    - ``q0``: q_j(θ_0) per neuron
    - ``euler_residual``: max_j |w_jᵀ∇_{w_j}L − k a_j ∂_{a_j}L| at θ

Example:
    >>> flatproof.load_case("cases/homogeneous-conservation.toml").verify()
    <Verdict homogeneous.conservation [exact]: holds (estimated), margin 2.9e-10 (float; 2 comparisons)>
"""

from __future__ import annotations

import numpy as np

from ...vocab import ModelKind, Tag
from .._common import identity_tol, oracle_if_off_kinks, rounding
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class Conservation(Claim):
    id = "homogeneous.conservation"
    title = "Gradient flow conserves ‖w_j‖² − k a_j²; one GD step changes it by exactly η²(‖∇_{w_j}L‖² − k(∂_{a_j}L)²)"
    tag = Tag.EXACT
    section = "M.3"
    reference = "flatproof math M.3; Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = (r"w_j^\top\nabla_{w_j}L - k a_j\partial_{a_j}L = 0,\quad q_j(\theta - \eta\nabla L) - q_j(\theta) = "
                 r"\eta^2\big(\|\nabla_{w_j}L\|^2 - k(\partial_{a_j}L)^2\big)")
    hypotheses = ("no weight decay", "θ off every kink along the run")
    params = (Param("eta", float, 0.01, "GD step η", minimum=0.0, exclusive_minimum=True),
              Param("steps", int, 100, "GD steps T", minimum=1, maximum=100_000))
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        if not ev.hypothesis("no weight decay", inst.weight_decay == 0.0, f"λ = {inst.weight_decay:g}"):
            return ev
        from ...model.homogeneous import HomogeneousNet
        eta, T = ctx.params["eta"], ctx.params["steps"]
        net, k, m = inst.net, inst.net.k, inst.net.m
        orc = oracle_if_off_kinks(inst, ctx, ev)
        if orc is None:
            return ev
        g = orc.gradient()
        ga, gW = g[:m], g[m:].reshape(m, -1)
        euler = np.sum(net.W * gW, axis=1) - k * net.a * ga
        scale = float(np.max(np.abs(np.sum(net.W * gW, axis=1)) + k * np.abs(net.a * ga))) or 1e-300
        ev.comparisons.append(compare("max_j |w_jᵀ∇_{w_j}L − k a_j ∂_{a_j}L| = 0", float(np.max(np.abs(euler))), "=", 0.0,
                                      value_error=rounding(scale), tol=identity_tol(ctx.tolerances.identity, scale)))
        q0 = np.sum(net.W ** 2, axis=1) - k * net.a ** 2
        q, pred, theta, worst, kinks = q0.copy(), q0.copy(), net.to_vector(), 0.0, 0
        qs = float(np.max(np.sum(net.W ** 2, axis=1) + k * net.a ** 2)) or 1.0   # magnitude of the terms, over the run
        for _ in range(T):
            o = inst.oracle(HomogeneousNet.from_vector(theta, m, net.d, net.activation), at_kink="convention",
                            kink_tol=ctx.tolerances.kink)
            kinks += o.kinks.count
            g = o.gradient()
            ga, gW = g[:m], g[m:].reshape(m, -1)
            pred = pred + eta ** 2 * (np.sum(gW ** 2, axis=1) - k * ga ** 2)
            theta = theta - eta * g
            cur = HomogeneousNet.from_vector(theta, m, net.d, net.activation)
            q = np.sum(cur.W ** 2, axis=1) - k * cur.a ** 2
            qs = max(qs, float(np.max(np.sum(cur.W ** 2, axis=1) + k * cur.a ** 2)),
                     float(np.max(np.abs(pred))))
            worst = max(worst, float(np.max(np.abs(q - pred))))
        if not ev.hypothesis("the GD run stays off the kinks", kinks == 0, f"{kinks} kink hits"):
            return ev
        ev.comparisons.append(compare("max_{j,t} |q_j(θ_t) − q_j(θ_0) − η²Σ_s(‖∇_wL‖² − k(∂_aL)²)| = 0", worst, "=",
                                      0.0, value_error=rounding(qs * T), tol=identity_tol(ctx.tolerances.identity, qs * T, terms=T)))
        ev.certificate.update({"eta": eta, "steps": T, "drift_max": float(np.max(np.abs(q - q0))),
                               "drift_predicted_max": float(np.max(np.abs(pred - q0))), "q0": q0,
                               "euler_residual": float(np.max(np.abs(euler)))})
        return ev
