"""FALSE BY DESIGN: "η-flat ⇒ population error ≤ Bayes error + Δ" under logistic loss.

Setting:
    Univariate network under logistic loss, a step size η, a known data law.

Claim:
    [paper] FALSE BY DESIGN: every η-flat θ (λ_max(∇²L(θ)) ≤ 2/η) has population 0-1 error at most the Bayes
    error plus Δ (relation ≤). The paper's negative result (flatproof math U.5; arXiv 2512.01473, Theorem 3.2 in
    the reviews' numbering) is that this fails: flat solutions at infinity have λ_max → 0 while fitting noisy
    labels. flatproof ships the naive statement so that ``verify`` and ``check`` can exhibit a
    counterexample; a ``violated`` verdict is the expected outcome on such instances.

    The flatness hypothesis is decided like ``univariate.eta-flat`` (certified in rigorous mode); if it
    cannot be decided the verdict is ``inconclusive``, and if θ is not η-flat the hypotheses are not met.

Reference:
    flatproof math U.5; Qiao & Wang, arXiv 2512.01473.

Hypotheses:
    θ is η-flat; logistic loss; the data law is known; θ off every kink on the data.

Certificate:
    - ``lambda_max``: the Lanczos run for λ_max (Ritz value, residual, converged, method, matvecs, tolerance)
    - ``threshold``: the threshold 2/η
    - ``lambda_max_certified`` (rigorous mode): the certified enclosure of λ_max
    - ``how_certified`` (rigorous mode): how that enclosure was obtained
    - ``population_error`` (when θ is η-flat and the integral is decided): the population 0-1 error of sign f
    - ``bayes_error`` (when θ is η-flat and the integral is decided): the Bayes error of the data law
    - ``excess_error`` (when θ is η-flat and the integral is decided): their difference
    - ``quadrature_error_estimate`` (float mode, θ η-flat): the Gauss–Kronrod error estimate of that difference
    - ``population_error_certified`` (rigorous mode, integral certified): its enclosure
    - ``bayes_error_certified`` (rigorous mode, integral certified): its enclosure
    - ``excess_error_certified`` (rigorous mode, integral certified): its enclosure
    - ``integration`` (rigorous mode, integral certified): how the validated integration went

Example:
    >>> flatproof.load_case("cases/false-flat-implies-bayes.toml").verify()
    <Verdict logistic.flat-implies-bayes [paper, FALSE BY DESIGN]: violated (certified), margin -0.0694 (rigorous; 1 comparison)>
"""

from __future__ import annotations

from ...vocab import Mode, ModelKind, Outcome, Tag
from .._common import flatness_comparison, population_comparisons
from .._core import Claim, Context, Evaluation, Instance, Param, register


@register
class FlatImpliesBayes(Claim):
    id = "logistic.flat-implies-bayes"
    title = "(false) η-flat ⇒ population error ≤ Bayes error + Δ, under logistic loss"
    tag = Tag.PAPER
    false_by_design = True
    section = "U.5"
    reference = "flatproof math U.5 (refuted there); Qiao & Wang, arXiv 2512.01473 (flat solutions at infinity overfit)"
    statement = (r"\lambda_{\max}(\nabla^2 L(\theta)) \le \tfrac{2}{\eta} \;\Longrightarrow\; "
                 r"\mathrm{err}(\theta) \le \mathrm{err}_{\mathrm{Bayes}} + \Delta")
    hypotheses = ("θ is η-flat", "logistic loss", "the data law is known")
    params = (Param("eta", float, 1.0, "GD step size η", minimum=0.0, exclusive_minimum=True),
              Param("excess", float, 0.05, "allowed excess Δ over the Bayes error", minimum=0.0, maximum=1.0))
    model = ModelKind.UNIVARIATE
    modes = (Mode.FLOAT, Mode.RIGOROUS)

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        ok = ev.hypothesis("logistic loss", inst.loss.kind == "logistic", inst.loss.kind)
        ok &= ev.hypothesis("the data law is known (data from a generator)", inst.task is not None)
        if not ok:
            return ev
        flat = flatness_comparison(inst, ctx, ev, ctx.params["eta"], name="(hypothesis) λ_max ≤ 2/η")
        if flat is None:
            return ev
        ev.comparisons.clear()
        if flat.outcome == Outcome.VIOLATED:
            ev.hypothesis("θ is η-flat", False, f"λ_max ≥ {flat.value_interval[0]:.6g} > 2/η")
            return ev
        if flat.outcome == Outcome.INCONCLUSIVE:
            ev.comparisons.append(flat)
            ev.notes.append("η-flatness could not be decided, so the implication is not tested")
            return ev
        ev.hypothesis("θ is η-flat", True, f"λ_max ≤ {flat.value_interval[1]:.6g} ≤ 2/η = {flat.bound:.6g}"
                      + (" (certified)" if flat.certified else ""))
        population_comparisons(inst, ctx, ev, ctx.params["excess"], "err(sign f) − Bayes error ≤ Δ", relation="<=")
        return ev
