"""Generalisation of flat GD solutions inside the region of the uncertain sets.

Setting:
    Univariate network under logistic loss trained by GD with step η (model.construction = "gd"), known data
    law; the region R_δ = [inf U_δ, sup U_δ] of the uncertain set of the trained network (U.3).

Claim:
    [probe] The excess logistic risk E[KL(Bern(η(X)) ‖ Bern(s(f(X)))) | X ∈ R_δ] of the η-flat GD solution inside
    the region is at most a stated ε (relation ≤). The conditional risks, test errors and Bayes errors inside
    and outside R_δ are reported; the rate in n is measured by ``flatproof reproduce logistic``. (A first
    formalisation — "inside ≤ outside" — is false: outside R_δ both the model and the truth are confident, so
    the excess risk there is small; the excess concentrates where the data are uncertain, which is what a
    rate statement is about.) Our formalisation of the paper's positive side: "near-optimal excess risk
    inside the convex hull of the uncertain regions"; the paper's rate is not available to us.

    Float mode: conditional risks inside and outside R_δ in one vectorised Gauss–Kronrod pass split at the
    knots and the zeros of f and at the zeros and turns of the logit (an estimate: the quadrature's error
    estimate is the interval). Rigorous mode: R_δ's endpoints as balls from f's exact affine pieces, and the
    conditional excess by validated integration (:func:`flatproof.measures.population.region_excess`).

Reference:
    flatproof math U.3–U.4 (our formalisation); Qiao & Wang, arXiv 2512.01473 (Theorems 3.5–3.7 in the
    reviews' numbering).

Hypotheses:
    Logistic loss; the data law is known; R_δ non-empty (with positive mass).

Certificate:
    - ``region``: R_δ = [inf U_δ, sup U_δ]
    - ``mass_inside``: P(X ∈ R_δ)
    - ``mass_outside``: P(X ∉ R_δ)
    - ``excess_inside``: the excess logistic risk inside R_δ (quadrature)
    - ``excess_outside``: the excess logistic risk outside R_δ (None when the outside has no mass)
    - ``error_inside``: P(sign f ≠ Y | X ∈ R_δ)
    - ``bayes_inside``: the Bayes error inside R_δ
    - ``error_outside``: P(sign f ≠ Y | X ∉ R_δ) (None when the outside has no mass)
    - ``bayes_outside``: the Bayes error outside R_δ (None when the outside has no mass)
    - ``uncertain_intervals``: the intervals of U_δ
    - ``eta``: the GD step η of the training run (None if not trained by GD)
    - ``excess_inside_certified`` (rigorous mode, integral certified): the enclosure of the excess inside
    - ``region_certified`` (rigorous mode, integral certified): the enclosures of R_δ's endpoints
    - ``mass_inside_certified`` (rigorous mode, integral certified): the enclosure of P(X ∈ R_δ)

Example:
    >>> flatproof.load_case("cases/logistic-region-generalisation.toml").verify()
    <Verdict logistic.region-generalisation [probe]: holds (estimated: excess logistic risk by quadrature), margin 0.0329 (float; 1 comparison)>
"""

from __future__ import annotations

import math

from ...measures.certified_integral import NotCertified
from ...measures.population import region_excess, region_risks
from ...measures.uncertain import uncertain_set
from ...model.data import x_domain
from ...vocab import Basis, Mode, ModelKind, Tag
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class RegionGeneralisation(Claim):
    id = "logistic.region-generalisation"
    title = "A flat GD solution's excess logistic risk inside the region R_δ of its uncertain sets is ≤ ε"
    tag = Tag.PROBE
    section = "U.3-U.4"
    reference = "flatproof math U.3–U.4 (our formalisation); Qiao & Wang, arXiv 2512.01473"
    statement = (r"\mathbb E\big[\mathrm{KL}(\mathrm{Bern}(\eta(X))\,\|\,\mathrm{Bern}(s(f(X))))\,\big|\,X \in R_\delta\big]"
                 r" \le \varepsilon")
    hypotheses = ("logistic loss", "the data law is known", "R_δ non-empty")
    params = (Param("delta", float, 0.05, "level δ of the uncertain set", minimum=0.0, maximum=0.25,
                    exclusive_minimum=True),
              Param("excess", float, 0.05, "stated bound ε on the excess risk inside R_δ", minimum=0.0))
    model = ModelKind.UNIVARIATE
    modes = (Mode.FLOAT, Mode.RIGOROUS)

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        ok = ev.hypothesis("logistic loss", inst.loss.kind == "logistic", inst.loss.kind)
        ok &= ev.hypothesis("the data law is known", inst.task is not None)
        if not ok:
            return ev
        lo, hi = x_domain(inst.task, inst.data.x)
        U = uncertain_set(inst.net, ctx.params["delta"], lo, hi)
        R = U.hull
        inside, outside = region_risks(inst.net, inst.task, R) if R else (None, None)
        if not ev.hypothesis("R_δ non-empty", R is not None and inside is not None and inside.mass > 0, f"R_δ = {R}"):
            return ev
        assert R is not None and inside is not None and outside is not None     # for the type checker
        name = "excess logistic risk inside R_δ ≤ ε"
        try:
            exc = region_excess(inst.net, inst.task, ctx.params["delta"], lo, hi, inside, ctx.mode)
        except NotCertified as why:
            ev.notes.append(f"integral not certified: {why}")
            ev.comparisons.append(compare(name + " (integral not certified)", math.nan, "<=", ctx.params["excess"],
                                          basis=Basis.ESTIMATED, basis_note="integral not certified"))
        else:
            ev.comparisons.append(compare(name, exc.excess, "<=", ctx.params["excess"], value_interval=exc.interval,
                                          basis=Basis.CERTIFIED if exc.certified else Basis.ESTIMATED,
                                          basis_note="" if exc.certified else "excess logistic risk by quadrature"))
            ev.certificate.update(exc.certificate)
        ev.certificate.update({"region": list(R), "mass_inside": inside.mass, "mass_outside": outside.mass,
                               "excess_inside": inside.excess_logistic,
                               "excess_outside": outside.excess_logistic if outside.mass > 0 else None,
                               "error_inside": inside.error, "bayes_inside": inside.bayes_error,
                               "error_outside": outside.error if outside.mass > 0 else None,
                               "bayes_outside": outside.bayes_error if outside.mass > 0 else None,
                               "uncertain_intervals": [list(i) for i in U.intervals],
                               "eta": inst.provenance.get("eta")})
        return ev
