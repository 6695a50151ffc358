"""The invariant factorisation of F_sym and neuron splitting.

Setting:
    Two-layer degree-k homogeneous network, square loss (1/n)Σ(f − y)² (A_j, B_j carry the 2/n), any θ off the
    kinks; a neuron j and a number of copies N.

Claim:
    [exact] F_sym(θ) = Σ_j (k+1)k^{−k/(k+1)} A_j^{1/(k+1)} B_j^{k/(k+1)}
    = (2/n)(k+1)k^{−k/(k+1)} Σ_j (|a_j|‖w_j‖^k)^{2k/(k+1)} G(ŵ_j) (relation =), which depends on θ only through
    the invariants |a_j|‖w_j‖^k and the directions ŵ_j; and splitting neuron j into N copies (a_j/N, w_j)
    leaves f unchanged and multiplies that neuron's F_sym by N^{(1−k)/(k+1)} (so for k ≥ 2 the infimum over
    widths is 0: "flattest" is defined at fixed width).

Reference:
    flatproof math M.3 (invariant factorisation, neuron splitting); Vardhan, Taheri & Mazumdar,
    arXiv 2606.04429.

Hypotheses:
    Square loss (1/n)Σ(f − y)², no weight decay; θ off every kink on the data; the split neuron exists.

Certificate:
    - ``F_sym``: F_sym from A_j, B_j (power-of-two rescaled)
    - ``F_sym_factorised``: F_sym through the invariants and G(ŵ_j)
    - ``k``: the degree k
    - ``neuron``: the split neuron j
    - ``copies``: the number N of copies
    - ``F_sym_j``: neuron j's share of F_sym before the split
    - ``F_sym_copies``: the copies' share of F_sym after the split
    - ``factor``: the predicted factor N^{(1−k)/(k+1)}

Example:
    >>> flatproof.load_case("cases/homogeneous-factorisation.toml").verify()
    <Verdict homogeneous.factorisation [exact]: holds (estimated), margin 8.25e-08 (float; 3 comparisons)>
"""

from __future__ import annotations

import numpy as np

from ...derivations.orbit import f_sym_terms
from ...measures.homogeneous_orbit import f_sym_factorised, scaled_trace_blocks, split_neuron
from ...vocab import ModelKind, Tag
from .._common import identity_tol, oracle_if_off_kinks, rounding
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register
from ._shared import square_loss_hypotheses


@register
class Factorisation(Claim):
    id = "homogeneous.factorisation"
    title = "F_sym factors through |a_j|‖w_j‖^k and G(ŵ_j); splitting a neuron N ways scales its F_sym by N^{(1−k)/(k+1)}"
    tag = Tag.EXACT
    section = "M.3"
    reference = "flatproof math M.3; Vardhan, Taheri & Mazumdar, arXiv 2606.04429"
    statement = (r"F_{\mathrm{sym}}(\theta) = \tfrac{2}{n}(k+1)k^{-\frac{k}{k+1}}\sum_j (|a_j|\|w_j\|^k)^{\frac{2k}{k+1}}"
                 r"G(\hat w_j),\quad F_{\mathrm{sym},j}(\text{split}_N\theta) = N^{\frac{1-k}{k+1}}F_{\mathrm{sym},j}(\theta)")
    hypotheses = ("square loss (1/n)Σ(f − y)², no weight decay", "θ off every kink")
    params = (Param("neuron", int, 0, "the neuron j to split", minimum=0),
              Param("copies", int, 4, "number N of copies", minimum=1, maximum=10_000))
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        if not square_loss_hypotheses(inst, ev):
            return ev
        if oracle_if_off_kinks(inst, ctx, ev) is None:
            return ev
        net, X, tol = inst.net, inst.data.X, ctx.tolerances.identity
        k = net.k
        # A_j, B_j as mantissas and power-of-two exponents: a_j = 1e-259 has a_j² = 0 but B_j does not vanish
        A, eA, B, eB = scaled_trace_blocks(net, X)
        Fs, Ff = float(np.sum(f_sym_terms(A, B, k, eA=eA, eB=eB))), f_sym_factorised(net, X)
        ev.comparisons.append(compare("F_sym from A_j, B_j = F_sym through G(ŵ_j)", Fs, "=", Ff,
                                      value_error=rounding(Fs, Ff, terms=net.m * X.shape[0]),
                                      tol=identity_tol(tol, Fs, terms=net.m * X.shape[0])))
        j, N = ctx.params["neuron"], ctx.params["copies"]
        if not ev.hypothesis("the split neuron exists", j < net.m, f"neuron {j}, width {net.m}"):
            return ev
        split = split_neuron(net, j, N)
        fs = float(np.max(np.abs(net.activation.sigma(X @ net.W.T)) @ np.abs(net.a))) or 1.0
        ev.comparisons.append(compare("max_i |f_split(x_i) − f(x_i)| = 0", float(np.max(np.abs(split(X) - net(X)))),
                                      "=", 0.0, value_error=rounding(fs), tol=identity_tol(tol, fs)))
        Fj = float(f_sym_terms(A[j:j + 1], B[j:j + 1], k, eA=eA[j:j + 1], eB=eB[j:j + 1])[0])
        As, eAs, Bs, eBs = scaled_trace_blocks(split, X)
        own = float(np.sum(f_sym_terms(As[-N:], Bs[-N:], k, eA=eAs[-N:], eB=eBs[-N:])))  # the copies sit at the end
        pred = N ** ((1.0 - k) / (k + 1.0)) * Fj
        ev.comparisons.append(compare(f"F_sym of the {N} copies = N^((1−k)/(k+1)) F_sym,j", own, "=", pred,
                                      value_error=rounding(own, pred, terms=N * X.shape[0]),
                                      tol=identity_tol(tol, pred, terms=N * X.shape[0])))
        ev.certificate.update({"F_sym": Fs, "F_sym_factorised": Ff, "k": k, "neuron": j, "copies": N,
                               "F_sym_j": Fj, "F_sym_copies": own,
                               "factor": N ** ((1.0 - k) / (k + 1.0))})
        return ev
