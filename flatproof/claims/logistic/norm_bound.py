"""Norm-bounded solutions: path norm, sup-norm and the weight-decay ball, with a Rademacher gap bound beside.

Setting:
    Univariate network f(x) = Σ_i v_i (w_i x − b_i)_+ + β, θ = (v, w, b, β), logistic loss L, weight decay
    λ ≥ 0 (J = L + (λ/2)‖θ‖²), an interval |x| ≤ x_max.

Claim:
    [exact] For every θ (parts 1–2) and for every θ with J(θ) ≤ J(0) = log 2, which includes every minimiser
    of J (part 3, when λ > 0) — the main comparison is part 1 (relation ≤):
        1. P(θ) = Σ_i |v_i| √(w_i² + b_i²) ≤ ‖θ‖²/2               (2|v| r ≤ v² + r², AM–GM, per neuron)
        2. sup_{|x| ≤ x_max} |f(x) − β| ≤ P(θ) √(1 + x_max²)      (|w x − b| ≤ √(w² + b²) √(1 + x²), Cauchy–Schwarz),
           hence ‖f‖_∞ ≤ P(θ) √(1 + x_max²) + |β| on |x| ≤ x_max (checked without β: a large β next to a tiny P
           would otherwise leave the margin below float64's or the balls' resolution)
        3. ‖θ‖² ≤ 2 log 2 / λ                                      ((λ/2)‖θ‖² ≤ J(θ) − L(θ) ≤ log 2 − 0)
    The three inequalities are standard, derived in flatproof math U.4 ("Norm-bounded solutions") and checked
    by sympy in `flatproof derive norm-bound` (AM–GM and Cauchy–Schwarz with their witnesses); they
    correspond to the paper's Theorem 3.3.

    Beside the verdict, never deciding it, when λ > 0 and the data law is known with support in
    [−x_max, x_max]: the measured generalisation gap R(f) − R̂(f) (population logistic risk by quadrature minus
    the training loss) and the Rademacher bound that holds with probability ≥ 1 − δ over the sample,
        R(f) − R̂(f) ≤ 2 (2 P̄ √(1 + x_max²) + B̄)/√n + c √(log(1/δ)/(2n)),   P̄ = log 2/λ, B̄ = √(2 log 2/λ),
        c = log(1 + e^M), M = P̄ √(1 + x_max²) + B̄
    (derivation and references in :func:`flatproof.measures.norm_bound.rademacher_gap_bound`). The gap bound
    is a probability statement about the sample, so an instance can only *observe* it: it is reported as
    [probe] in the certificate and notes (basis observed).

    Float mode with a rounding allowance valid down to subnormals (estimated); rigorous mode with P, ‖θ‖²,
    sup|f| (at ±x_max and the knot balls inside) and J(θ) − log 2 in ball arithmetic (certified).

Reference:
    flatproof math U.4; Neyshabur, Tomioka & Srebro (COLT 2015) and Golowich, Rakhlin & Shamir (COLT 2018) for
    path-norm Rademacher bounds; Ledoux & Talagrand (1991), Thm 4.12 (contraction); Bartlett & Mendelson
    (JMLR 2002), Thm 8 (the uniform deviation bound); Qiao & Wang, arXiv 2512.01473, Thm 3.3.

Hypotheses:
    Logistic loss; for part 3 (λ > 0 only): J(θ) ≤ J(0) = log 2.

Certificate:
    - ``x_max``: the half-width of the interval |x| ≤ x_max
    - ``weight_decay``: λ
    - ``width``: the number m of neurons
    - ``path_norm`` (float mode): P(θ)
    - ``theta_sq`` (float mode): ‖θ‖²
    - ``sup_abs_f_minus_beta`` (float mode): sup_{|x| ≤ x_max} |f(x) − β|
    - ``sup_bound`` (float mode): P(θ) √(1 + x_max²)
    - ``sup_abs_f`` (float mode): sup_{|x| ≤ x_max} |f(x)|
    - ``sup_abs_f_bound`` (float mode): P(θ) √(1 + x_max²) + |β|
    - ``J_minus_log2`` (float mode, λ > 0): J(θ) − log 2
    - ``path_norm_certified`` (rigorous mode): the enclosure of P(θ)
    - ``theta_sq_certified`` (rigorous mode): the enclosure of ‖θ‖²
    - ``sup_abs_f_minus_beta_certified`` (rigorous mode): the enclosure of sup |f − β|
    - ``sup_bound_certified`` (rigorous mode): the enclosure of P(θ) √(1 + x_max²)
    - ``how_certified`` (rigorous mode): how the enclosures were obtained
    - ``J_minus_log2_certified`` (rigorous mode, λ > 0): the enclosure of J(θ) − log 2
    - ``gap_probe`` (λ > 0, θ in the sublevel set, the law known with support in [−x_max, x_max]): the measured gap, the population and training risks, the Rademacher bound and its parts

Example:
    >>> flatproof.load_case("cases/logistic-norm-bound-weight-decay.toml").verify()
    <Verdict logistic.norm-bound [exact]: holds (estimated: float64 with a rounding allowance valid for subnormals), margin 6.52e-06 (float; 3 comparisons)>
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ...measures import norm_bound as nb
from ...measures.mode_bounds import norm_bound_terms
from ...vocab import Basis, Mode, ModelKind, Tag
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register


@register
class NormBound(Claim):
    id = "logistic.norm-bound"
    title = "P(θ) ≤ ‖θ‖²/2, ‖f‖_∞ ≤ P√(1 + x_max²) + |β|, and weight decay λ keeps ‖θ‖² ≤ 2 log 2/λ"
    tag = Tag.EXACT
    section = "U.4"
    reference = ("flatproof math U.4, norm-bounded solutions (corresponds to Theorem 3.3 of Qiao & Wang, arXiv "
                 "2512.01473); path-norm Rademacher bound: Neyshabur et al. 2015, Golowich et al. 2018; gap: "
                 "Bartlett & Mendelson 2002")
    statement = (r"P(\theta) = \sum_i |v_i|\sqrt{w_i^2 + b_i^2} \le \tfrac12\|\theta\|^2,\quad "
                 r"\sup_{|x|\le x_{\max}} |f_\theta(x) - \beta| \le P(\theta)\sqrt{1 + x_{\max}^2},\quad "
                 r"J(\theta) \le J(0) \Rightarrow \|\theta\|^2 \le \frac{2\log 2}{\lambda}")
    hypotheses = ("logistic loss",
                  "λ > 0 only: J(θ) = L(θ) + (λ/2)‖θ‖² ≤ J(0) = log 2 (true of every minimiser of J)")
    params = (Param("x_max", float, 0.0, "half-width of the interval |x| ≤ x_max (0: the largest |x_j|, and the "
                    "data law's support when it is bounded)", minimum=0.0),
              Param("delta", float, 0.05, "the gap bound holds with probability ≥ 1 − δ over the sample",
                    minimum=0.0, exclusive_minimum=True, maximum=0.5))
    model = ModelKind.UNIVARIATE
    modes = (Mode.FLOAT, Mode.RIGOROUS)

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        if not ev.hypothesis("logistic loss", inst.loss.kind == "logistic", inst.loss.kind):
            return ev
        net, lam = inst.net, float(inst.weight_decay)
        x_max = self._x_max(inst, ctx)
        ev.certificate.update({"x_max": x_max, "weight_decay": lam, "width": net.m})
        self._bounds(inst, ctx, ev, x_max, lam)
        if lam > 0 and ev.hypotheses_met:
            self._gap(inst, ctx, ev, x_max, lam)
        return ev

    NAMES = ("P = Σ|v_i|√(w_i² + b_i²) ≤ ‖θ‖²/2", "sup_{|x|≤x_max} |f − β| ≤ P√(1 + x_max²)  (⇒ ‖f‖_∞ ≤ … + |β|)",
             "‖θ‖² ≤ 2 log 2/λ")
    SUBLEVEL = "J(θ) ≤ J(0) = log 2 (every minimiser of L + (λ/2)‖θ‖² is in this set)"

    def _sublevel(self, ev: Evaluation, excess: float, interval: tuple[float, float], how: str, **basis: Any) -> bool:
        """Part 3's hypothesis J(θ) − log 2 ≤ 0 from an enclosure [lo, hi] of J(θ) − log 2: met (hi ≤ 0), not met
        (lo > 0), or undecided — then an inconclusive row says so (float64 or the balls cannot tell; a J within
        rounding of log 2 is neither a hypothesis met nor one failed). True when part 3 is to be checked."""
        lo, hi = interval
        detail = f"J(θ) − log 2 ∈ [{lo:.6g}, {hi:.6g}] ({how})"
        if lo <= 0 < hi:
            ev.comparisons.append(compare(self.SUBLEVEL, excess, "<=", 0.0, value_interval=interval, **basis))
            ev.notes.append(f"part 3's hypothesis is undecided: {detail}")
            return False
        return ev.hypothesis(self.SUBLEVEL, hi <= 0, detail)

    @staticmethod
    def _x_max(inst: Instance, ctx: Context) -> float:
        x_max = ctx.params["x_max"]
        if x_max > 0:
            return x_max
        x_max = float(np.max(np.abs(inst.data.x)))
        if inst.task is not None:
            lo, hi = inst.task.law.support
            if np.isfinite(lo) and np.isfinite(hi):
                x_max = max(x_max, abs(float(lo)), abs(float(hi)))
        return x_max

    def _bounds(self, inst: Instance, ctx: Context, ev: Evaluation, x_max: float, lam: float) -> None:
        """Parts 1–3 from :func:`~flatproof.measures.mode_bounds.norm_bound_terms`, one call in both modes."""
        t = norm_bound_terms(inst.net, inst.data.x, inst.data.y, x_max, lam, ctx.mode)
        basis: dict[str, Any] = ({"certified": True} if t.path_norm.certified
                                 else {"basis": Basis.ESTIMATED, "basis_note": t.path_norm.how})
        if t.path_norm.certified:
            ev.certificate.update({"path_norm_certified": list(t.path_norm.interval),
                                   "theta_sq_certified": list(t.sq.interval),
                                   "sup_abs_f_minus_beta_certified": list(t.sup.interval),
                                   "sup_bound_certified": list(t.sup_bound.interval), "how_certified": t.sup.how})
        else:
            ev.certificate.update(t.float_values)
        for name, value, bound in ((self.NAMES[0], t.path_norm, t.half_sq), (self.NAMES[1], t.sup, t.sup_bound)):
            ev.comparisons.append(compare(name, value.value, "<=", bound.value, value_interval=value.interval,
                                          bound_interval=bound.interval, **basis))
        if t.excess is None:
            return
        ev.certificate["J_minus_log2_certified" if t.excess.certified else "J_minus_log2"] = (
            list(t.excess.interval) if t.excess.certified else t.excess.value)
        if not self._sublevel(ev, t.excess.value, t.excess.interval, t.excess.how, **basis):
            return
        ev.comparisons.append(compare(self.NAMES[2], t.sq.value, "<=", t.cap.value, value_interval=t.sq.interval,
                                      bound_interval=t.cap.interval, **basis))

    @staticmethod
    def _gap(inst: Instance, ctx: Context, ev: Evaluation, x_max: float, lam: float) -> None:
        """The [probe]: measured gap beside the Rademacher bound (certificate and a note; never a comparison)."""
        from ...measures.population import logistic_risk_with_error
        from ...model.losses import logistic
        task = inst.task
        if task is None:
            ev.notes.append("gap bound: the data law is unknown, so the population risk cannot be measured")
            return
        lo, hi = task.law.support
        if not (np.isfinite(lo) and np.isfinite(hi) and max(abs(lo), abs(hi)) <= x_max):
            ev.notes.append(f"gap bound: the data law's support [{lo:g}, {hi:g}] is not inside |x| ≤ {x_max:g}; "
                            "the Rademacher bound needs bounded inputs")
            return
        n = inst.data.n
        gb = nb.rademacher_gap_bound(lam, x_max, n, ctx.params["delta"])
        try:
            risk, err = logistic_risk_with_error(inst.net, task)
        except FloatingPointError as exc:
            ev.notes.append(f"gap: float64 could not evaluate the population risk ({exc})")
            return
        train = float(np.mean(logistic(inst.data.y * inst.net(inst.data.x))))
        gap = risk - train
        ev.certificate["gap_probe"] = {"basis": "observed", "measured_gap": gap, "population_risk": risk,
                                       "population_risk_quadrature_error": err, "training_risk": train,
                                       "bound": gb.bound, "delta": ctx.params["delta"], "n": n,
                                       "rademacher": gb.rademacher, "confidence_term": gb.confidence,
                                       "path_norm_max": gb.path_norm_max, "bias_max": gb.bias_max,
                                       "loss_range": gb.loss_range}
        ev.notes.append(f"generalisation gap [probe, observed, not part of the verdict]: measured R(f) − R̂(f) = "
                        f"{gap:.4g} (population risk by quadrature, error estimate {err:.1g}) beside the bound "
                        f"{gb.bound:.4g} that holds with probability ≥ {1 - ctx.params['delta']:g} over the sample "
                        f"(2·R_n = {2 * gb.rademacher:.4g}, confidence term {gb.confidence:.4g})")
