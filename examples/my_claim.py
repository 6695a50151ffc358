"""A claim from your own paper, property-tested by flatproof (docs/check.md, "Your own claim").

Our (hypothetical) Lemma 2 states the curvature-weighted TV bound of flatproof math U.4 with our own
constant C in front of the weighted TV:

    λ_max(∇²L(θ)) ≥ D̄ · (1 + C · Σ_i |v_i w_i| g_μ^{side(i)}(t_i)) − ε_F(θ).

flatproof proves it for C = 2. Run

    python3 -m flatproof check --import my_claim mine.tv-bound

from this folder (or with it on PYTHONPATH): hypothesis finds an instance where C = 4 is too much,
shrinks it, writes cases/found/mine.tv-bound-seed0.toml, and ``flatproof verify --import my_claim``
on that file says ``violated``.
"""

from hypothesis import strategies as st

import flatproof
import flatproof.strategies as fs
from flatproof.claims import Claim, Evaluation, Param, compare, register
from flatproof.measures.weighted_tv import CurvatureWeight, weighted_tv


@st.composite
def tv_cases(draw):
    """Small logistic-loss instances: data in [−1, 1], a kink-free network of width ≤ 4."""
    data = draw(fs.univariate_data(max_n=12, with_law=False))
    model = draw(fs.univariate_networks(data["x"], max_width=4))
    return fs.case(data, model, loss={"kind": "logistic"})


@register
class OurTVBound(Claim):
    id = "mine.tv-bound"
    title = "λ_max ≥ D̄(1 + C Σ|v_i w_i| g(t_i)) − ε_F with our constant C"
    tag = "paper"
    section = "U.4"
    reference = "our paper, Lemma 2 (flatproof math U.4 proves C = 2)"
    statement = r"\lambda_{\max} \ge \bar D\,(1 + C\sum_i |v_i w_i|\, g_\mu(t_i)) - \varepsilon_F"
    hypotheses = ("θ off every kink on the data",)
    params = (Param("C", float, 4.0, "our constant in front of the weighted TV", minimum=0.0),)
    model = "univariate"

    def evaluate(self, inst, ctx):
        ev = Evaluation()
        oracle = inst.oracle()
        if not ev.hypothesis("θ off every kink on the data", oracle.kinks.count == 0):
            return ev
        top = flatproof.lambda_max(oracle)                     # a Rayleigh quotient with its residual
        d = inst.loss.d2(oracle.forward(), inst.data.y)        # d_j = φ''(f(x_j))
        wtv = weighted_tv(inst.net, CurvatureWeight.from_data(inst.data.x, d))
        rhs = d.mean() * (1 + ctx.params["C"] * wtv) - oracle.epsilon_F()
        ev.comparisons.append(compare("λ_max ≥ D̄(1 + C·Σ|v_i w_i| g(t_i)) − ε_F", top.value, ">=", rhs,
                                      value_error=top.error, bound_error=1e-12 * (1 + abs(rhs))))
        ev.certificate.update({"lambda_max": top.value, "D_bar": float(d.mean()), "weighted_tv": wtv})
        return ev

    def strategy(self):
        return tv_cases()
