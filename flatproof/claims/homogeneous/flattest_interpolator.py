"""Flattest ReLU interpolators over a dictionary generalise on noise-free realisable targets.

Setting:
    Multi-index data x ~ N(0, I_d), y = Σ_ℓ (u_ℓᵀx)_+ + noise; the network is the flattest ReLU interpolator
    over a dictionary of directions (model.construction = "flattest"), found by the linear programme of
    flatproof math M.4 (HiGHS) with its duality-gap certificate; for k ≥ 2, a local solution at fixed width
    (SLSQP).

Claim:
    [probe] The flattest interpolator has test MSE E[(f − f*)²] ≤ ε_MSE (relation ≤); with noise 0 and the
    teacher directions in the dictionary it picks the teacher atoms (MSE ≈ 0); with noise the MSE degrades
    gracefully (≈ 0.013 / 0.12 at noise 0.1 / 0.3 in the math pages' reference run). The paper's positive
    claim, formalised in flatproof math M.4, measured on an instance. Its exact parts — LP optimality (duality
    gap), interpolation, F_sym of the solution = F_min — are checked as identities.

Reference:
    flatproof math M.4; Vardhan, Taheri & Mazumdar, arXiv 2606.04429.

Hypotheses:
    The network was built by the flattest-interpolator solver; the target f* is known.

Certificate:
    - ``test_mse``: the Monte Carlo estimate of E[(f − f*)²]
    - ``test_mse_stderr``: its standard error
    - ``F_sym_solution``: F_sym of the solution
    - ``samples`` (LP solution): the number of Monte Carlo test points
    - ``noise_std`` (LP solution): the label noise of the data law
    - ``lp_value`` (LP solution): the LP's optimal value
    - ``dual_value`` (LP solution): the dual LP's value
    - ``duality_gap`` (LP solution): their gap, the optimality certificate
    - ``F_min`` (LP solution): (4/n) · LP value, the flattest F_sym over the dictionary
    - ``active_atoms`` (LP solution): the number of dictionary atoms with β_j ≠ 0
    - ``active_indices`` (LP solution): their indices
    - ``dictionary_size`` (LP solution): the size of the dictionary
    - ``lp_status`` (LP solution): HiGHS's status
    - ``solver_success`` (k ≥ 2, fixed width): whether SLSQP reported success
    - ``solver_message`` (k ≥ 2, fixed width): SLSQP's message
    - ``iterations`` (k ≥ 2, fixed width): SLSQP's iterations
    - ``constraint_residual`` (k ≥ 2, fixed width): max_i |f(x_i) − y_i| of the solution
    - ``width`` (k ≥ 2, fixed width): the width m
    - ``k`` (k ≥ 2, fixed width): the degree k

Example:
    >>> flatproof.load_case("cases/homogeneous-flattest-interpolator.toml").verify()
    <Verdict homogeneous.flattest-interpolator [probe]: holds (observed), margin 0.01 (float; 4 comparisons)>
"""

from __future__ import annotations

from ...measures.homogeneous_orbit import f_sym, relative_residual, trace_blocks
from ...measures.population import excess_mse
from ...vocab import ModelKind, Tag
from .._common import rounding
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class FlattestInterpolator(Claim):
    id = "homogeneous.flattest-interpolator"
    title = "The flattest ReLU interpolator over a dictionary has small test MSE"
    tag = Tag.PROBE
    section = "M.4"
    reference = "flatproof math M.4 (our formalisation of the positive claim); Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = (r"\theta^\star \in \arg\min\{F_{\mathrm{sym}}(\theta) : f_\theta(x_i) = y_i,\ \hat w_j \in \mathcal D\}"
                 r"\ \Longrightarrow\ \mathbb E\,(f_{\theta^\star}(X) - f^*(X))^2 \le \varepsilon_{\mathrm{MSE}}")
    hypotheses = ("network built by the flattest-interpolator LP", "the target f* is known")
    params = (Param("mse", float, 0.05, "stated bound ε_MSE on the test MSE", minimum=0.0),
              Param("samples", int, 20000, "Monte Carlo test points", minimum=100, maximum=10_000_000),
              Param("seed", int, 0, "seed of the test points", minimum=0))
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        lp = inst.extras.get("flattest")
        fw = inst.extras.get("flattest_fixed_width")
        ok = ev.hypothesis("network built by the flattest-interpolator solver (model.construction = \"flattest\")",
                           lp is not None or fw is not None)
        ok &= ev.hypothesis("the target f* is known (data from a generator)", inst.task is not None)
        if not ok:
            return ev
        tol = ctx.tolerances.identity
        mc = excess_mse(inst.net, inst.task, ctx.params["samples"], ctx.params["seed"])
        ev.comparisons.append(compare("test MSE E(f − f*)² ≤ ε_MSE (Monte Carlo ± 3 s.e.)", mc.mean, "<=",
                                      ctx.params["mse"], value_error=3 * mc.stderr))
        if fw is not None:                         # k ≥ 2: a local solution at fixed width (an upper bound)
            ev.comparisons.append(compare("max_i |f(x_i) − y_i| / |y_i| = 0 (constraint residual, per point)",
                                          relative_residual(inst.net, inst.data.X, inst.data.y), "=", 0.0, tol=1e-6))
            ev.certificate.update({"test_mse": mc.mean, "test_mse_stderr": mc.stderr, "F_sym_solution": fw.F_sym,
                                   "solver_success": fw.success, "solver_message": fw.message,
                                   "iterations": fw.iterations, "constraint_residual": fw.residual,
                                   "width": inst.net.m, "k": inst.net.k})
            ev.notes.append("k ≥ 2: F_sym minimised at fixed width by SLSQP (a local method): the value is an upper "
                            "bound on the flattest interpolator of this width (flatproof math M.4)")
            return ev
        assert lp is not None                      # one of lp, fw is there (the hypothesis above)
        ev.comparisons.append(compare("LP duality gap = 0", lp.duality_gap, "=", 0.0,
                                      tol=max(tol, 1e-7) * max(abs(lp.lp_value), 1.0)))
        ev.comparisons.append(compare("max_i |f(x_i) − y_i| / |y_i| = 0 (interpolation, per point)",
                                      relative_residual(inst.net, inst.data.X, inst.data.y), "=", 0.0, tol=1e-7))
        A, B = trace_blocks(inst.net, inst.data.X)
        Fs = f_sym(A, B, 1)
        ev.comparisons.append(compare("F_sym(solution) = (4/n)·LP value", Fs, "=", lp.F_min, value_error=rounding(Fs),
                                      tol=max(tol, 1e-7) * max(lp.F_min, 1e-300)))
        ev.certificate.update({"test_mse": mc.mean, "test_mse_stderr": mc.stderr, "samples": mc.samples,
                               "noise_std": inst.task.noise_std, "lp_value": lp.lp_value, "dual_value": lp.dual_value,
                               "duality_gap": lp.duality_gap, "F_min": lp.F_min, "F_sym_solution": Fs,
                               "active_atoms": int(lp.active.size), "active_indices": lp.active,
                               "dictionary_size": inst.provenance.get("dictionary"), "lp_status": lp.status})
        return ev
