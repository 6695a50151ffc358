"""Rescaling symmetry of the univariate network and the trace along its orbit.

Setting:
    Univariate network, any per-sample loss, no weight decay (the symmetry breaks with it), θ off every
    kink; per-neuron factors c_i > 0 drawn log-uniformly from [1/c_max, c_max] (seeded).

Claim:
    [exact] T_c(v_i, w_i, b_i) = (v_i/c_i, c_i w_i, c_i b_i) leaves f (hence L) unchanged (relation =); the
    Hessian transforms as ∇²L(T_cθ) = S⁻¹∇²L(θ)S⁻¹, S = diag(1/c_i on v_i, c_i on w_i, b_i, 1 on β); the
    Gauss–Newton trace along the orbit is Σ_i (c_i²A_i + c_i⁻²B_i) + D̄, with
    A_i = (1/n)Σ_j d_j (w_i x_j − b_i)_+², B_i = (1/n)Σ_j d_j v_i² 1_i(x_j)(x_j² + 1), and its infimum over
    the orbit is Σ_i 2√(A_i B_i) + D̄ (sympy's orbit minimum with k = 1): rescaling can make θ arbitrarily
    sharp, never arbitrarily flat.

    The infimum is also found numerically (bounded Brent search in log c_i, one neuron at a time, on the
    trace computed by the curvature oracle at the rescaled network) and compared with sympy's closed form;
    its tolerance is ``identity`` relative plus the search accuracy.

Reference:
    flatproof math U.6; Dinh, Pascanu, Bengio & Bengio (ICML 2017) for the symmetry argument.

Hypotheses:
    No weight decay; θ off every kink on the data.

Certificate:
    - ``c``: the factors c_i
    - ``A_i``: A_i = (1/n)Σ_j d_j (w_i x_j − b_i)_+²
    - ``B_i``: B_i = (1/n)Σ_j d_j v_i² 1_i(x_j)(x_j² + 1)
    - ``D_bar``: D̄ = (1/n)Σ_j d_j (the β block, constant along the orbit)
    - ``trace_gn_at_theta``: tr H_GN(θ) by the curvature oracle
    - ``trace_gn_at_T_c_theta``: tr H_GN(T_cθ) by the curvature oracle
    - ``orbit_min_closed_form``: Σ_i 2√(A_i B_i) + D̄ (sympy's closed form, power-of-two rescaled)
    - ``orbit_min_numeric``: the infimum found by the numeric search
    - ``c_star_numeric``: the factors the numeric search ends at
    - ``c_star_closed_form``: the minimising factors c_i* of the closed form
    - ``orbit``: the orbit infimum's record (value, attained, unattained neurons, approaching sequences)
    - ``sympy_F_sym``: sympy's expression of the orbit minimum
    - ``sympy_c_star``: sympy's expression of the minimiser

Example:
    >>> flatproof.load_case("cases/univariate-rescaling.toml").verify()
    <Verdict univariate.rescaling [exact]: holds (estimated), margin 2.43e-09 (float; 6 comparisons)>
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ...derivations import get_derivation
from ...derivations.orbit import OrbitInfimum, numeric_infimum, orbit_infimum, orbit_minimum
from ...measures._base import CurvatureOracle
from ...model.constructions import rescale_univariate
from ...model.univariate import UnivariateNet
from ...vocab import ModelKind, Tag
from .._common import identity_tol, oracle_if_off_kinks, rounding, subnormal_relative
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register

SEARCH_TOL = 1e-7     # relative accuracy of the numeric orbit minimum (second order in the Brent tolerance)


def trace_gn(inst: Instance, net: UnivariateNet, kink_tol: float) -> float:
    """tr H_GN at ``net`` (= tr ∇²L − λp; tr H_F = 0)."""
    orc = inst.oracle(net, kink_tol=kink_tol)
    return orc.trace() - inst.weight_decay * orc.num_params


@register
class Rescaling(Claim):
    id = "univariate.rescaling"
    title = "T_c leaves f unchanged, ∇²L(T_cθ) = S⁻¹∇²L(θ)S⁻¹, and the orbit trace has minimum Σ2√(A_iB_i) + D̄"
    tag = Tag.EXACT
    section = "U.6"
    reference = "flatproof math U.6; Dinh, Pascanu, Bengio & Bengio (ICML 2017)"
    statement = (r"f_{T_c\theta} = f_\theta,\ \nabla^2 L(T_c\theta) = S^{-1}\nabla^2 L(\theta) S^{-1},\ "
                 r"\inf_{c>0} \operatorname{tr} H_{GN}(T_c\theta) = \sum_i 2\sqrt{A_i B_i} + \bar D")
    hypotheses = ("no weight decay", "θ off every kink on the data")
    params = (Param("c_max", float, 10.0, "factors c_i are log-uniform on [1/c_max, c_max]", minimum=1.0),
              Param("seed", int, 0, "seed of the factors c_i", minimum=0),
              Param("sharp", float, 1e6, "exhibit a rescaling with Gauss–Newton trace ≥ this value", minimum=0.0,
                    exclusive_minimum=True))
    model = ModelKind.UNIVARIATE

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        ok = ev.hypothesis("no weight decay", inst.weight_decay == 0.0, f"λ = {inst.weight_decay:g}")
        orc = oracle_if_off_kinks(inst, ctx, ev)
        if orc is None or not ok:
            return ev
        net, tol, kt = inst.net, ctx.tolerances.identity, ctx.tolerances.kink
        rng = np.random.default_rng(ctx.params["seed"])
        c = np.exp(rng.uniform(-1, 1, net.m) * np.log(ctx.params["c_max"]))
        rnet = rescale_univariate(net, c)
        _function_is_invariant(ev, net, rnet, inst.data.x, tol)
        if net.num_params <= 600:
            _hessian_is_conjugated(ev, orc, inst.oracle(rnet, kink_tol=kt), c, tol)
        else:
            ev.notes.append("Hessian covariance skipped: p > 600 (dense Hessians)")
        blocks = _OrbitBlocks.at(inst, orc)
        der = get_derivation("univariate-rescaling").numeric           # sympy's closed forms, lambdified
        orbit_pred = float(np.sum(der["orbit_trace"](c, blocks.A, blocks.B)) + blocks.Dbar)
        tr1 = trace_gn(inst, rnet, kt)
        ev.comparisons.append(compare("tr H_GN(T_cθ) = Σ(c_i²A_i + c_i⁻²B_i) + D̄", tr1, "=", orbit_pred,
                                      value_error=rounding(tr1), tol=identity_tol(tol, orbit_pred, terms=net.m)))
        base = trace_gn(inst, net, kt)
        inf, Fsym, numeric, cstar = _infimum_is_closed_form(ev, inst, ctx, blocks)
        ev.comparisons.append(compare("inf over the orbit > 0 (not arbitrarily flat)", Fsym, ">=",
                                      math.ulp(0.0), value_error=rounding(Fsym)))
        if np.any(blocks.A > 0):                      # ... but arbitrarily sharp: c_i² A_i grows without bound
            _arbitrarily_sharp(ev, inst, ctx, blocks.A)
        ev.certificate.update({"c": c, "A_i": blocks.A, "B_i": blocks.B, "D_bar": blocks.Dbar,
                               "trace_gn_at_theta": base, "trace_gn_at_T_c_theta": tr1,
                               "orbit_min_closed_form": Fsym, "orbit_min_numeric": numeric,
                               "c_star_numeric": cstar, "c_star_closed_form": inf.c_star, "orbit": inf.certificate(),
                               "sympy_F_sym": str(orbit_minimum().F_sym), "sympy_c_star": str(orbit_minimum().c_star)})
        return ev


def _function_is_invariant(ev: Evaluation, net: UnivariateNet, rnet: UnivariateNet, x: np.ndarray,
                           tol: float) -> None:
    """f_{T_cθ} = f_θ on the data, up to rounding and what rescaling into the subnormals loses."""
    f0, f1 = net(x), rnet(x)
    # rounding scale: the largest sum of absolute terms Σ_i |v_i (w_i x_j − b_i)_+| + |β|
    fs = float(np.max(np.maximum(net.preactivations(x), 0.0) @ np.abs(net.v)) + abs(net.beta)) or 1.0
    # plus what v_i/c_i, c_i w_i, c_i b_i lose when they land among the subnormals (v = 5e-324 has 1 bit)
    rho = subnormal_relative(rnet.v) + np.maximum(subnormal_relative(rnet.w), subnormal_relative(rnet.b))
    sub = float(np.max(np.abs(np.maximum(net.preactivations(x), 0.0) * net.v) @ rho))
    ev.comparisons.append(compare("max_j |f_{T_cθ}(x_j) − f_θ(x_j)| = 0", float(np.abs(f1 - f0).max()), "=", 0.0,
                                  value_error=rounding(fs) + sub, tol=identity_tol(tol, fs) + 2 * sub))


def _hessian_is_conjugated(ev: Evaluation, orc: CurvatureOracle, rorc: CurvatureOracle, c: np.ndarray,
                           tol: float) -> None:
    """∇²L(T_cθ) = S⁻¹∇²L(θ)S⁻¹ with S = diag(1/c, c, c, 1), dense."""
    H0 = orc.hessian()
    H1 = rorc.hessian()
    s = np.concatenate([1.0 / c, c, c, [1.0]])
    pred = H0 / np.outer(s, s)
    hs = max(float(np.abs(pred).max()), float(np.abs(H1).max())) or 1.0
    ev.comparisons.append(compare("max |∇²L(T_cθ) − S⁻¹∇²L(θ)S⁻¹| = 0", float(np.abs(H1 - pred).max()), "=",
                                  0.0, value_error=rounding(hs), tol=identity_tol(tol, hs)))


@dataclass(frozen=True)
class _OrbitBlocks:
    """U.6's per-neuron blocks at θ: tr H_GN(T_cθ) = Σ(c_i²A_i + c_i⁻²B_i) + D̄, with the loss's second
    derivatives d_j and the activation pattern they are built from."""

    A: np.ndarray
    B: np.ndarray
    Dbar: float
    d: np.ndarray
    act: np.ndarray

    @classmethod
    def at(cls, inst: Instance, orc: CurvatureOracle) -> _OrbitBlocks:
        net, x = inst.net, inst.data.x
        d = inst.loss.d2(orc.forward(), inst.data.y)
        z = net.preactivations(x)
        act = (z > 0).astype(float)
        A = (d @ np.maximum(z, 0.0) ** 2) / x.size
        B = net.v ** 2 * ((d * (x ** 2 + 1)) @ act) / x.size
        return cls(A, B, float(d.mean()), d, act)


def _infimum_is_closed_form(ev: Evaluation, inst: Instance, ctx: Context, blocks: _OrbitBlocks
                            ) -> tuple[OrbitInfimum, float, float, np.ndarray | None]:
    """The orbit's infimum Σ 2√(A_iB_i) + D̄ (sympy) against a numeric search; returns the infimum's record,
    the closed form, the searched value and the factors the search ends at (None when they would overflow)."""
    net, x, kt = inst.net, inst.data.x, ctx.tolerances.kink
    # the orbit infimum from A_i, B_i as mantissas and power-of-two exponents (v_i = 1e-190 has v_i² = 0)
    _, ew = np.frexp(np.maximum(np.abs(net.w), np.abs(net.b)))
    mv, ev_ = np.frexp(net.v)
    zs = np.multiply.outer(x, np.ldexp(net.w, -ew)) - np.ldexp(net.b, -ew)
    d = blocks.d
    inf = orbit_infimum((d @ np.maximum(zs, 0.0) ** 2) / x.size, mv ** 2 * ((d * (x ** 2 + 1)) @ blocks.act) / x.size,
                        1, eA=2 * ew.astype(np.int64), eB=2 * ev_.astype(np.int64))
    Fsym = inf.value + blocks.Dbar
    inf_tol = identity_tol(ctx.tolerances.identity + SEARCH_TOL, Fsym, terms=x.size * net.num_params)
    def trace_at(ci: np.ndarray) -> float:
        return trace_gn(inst, rescale_univariate(net, ci), kt)
    numeric, cstar = numeric_infimum(inf, trace_at, inf_tol)
    if cstar is None:
        ev.notes.append("a rescaling that approaches the infimum is not a float64 number (it would overflow)")
    if not inf.attained:
        ev.notes.extend(["the orbit infimum is not attained (tr H_GN(T_cθ) > Σ2√(A_iB_i) + D̄ for every c):"]
                        + inf.describe())
    ev.comparisons.append(compare("inf_c tr H_GN(T_cθ) (numeric; unattained neurons along c_i = 2^∓s) = "
                                  "Σ 2√(A_iB_i) + D̄ (sympy)", numeric, "=", Fsym,
                                  value_error=rounding(numeric, terms=x.size * net.num_params),
                                  tol=inf_tol))
    return inf, Fsym, numeric, cstar


def _arbitrarily_sharp(ev: Evaluation, inst: Instance, ctx: Context, A: np.ndarray) -> None:
    """Rescaling the neuron of largest A_i by c_i = √(2M/A_i) makes tr H_GN ≥ M."""
    net, M = inst.net, ctx.params["sharp"]
    ib = int(np.argmax(A))
    cb = np.ones(net.m)
    cb[ib] = np.sqrt(2 * M / A[ib])
    sharp = trace_gn(inst, rescale_univariate(net, cb), ctx.tolerances.kink)
    ev.comparisons.append(compare("tr H_GN(T_cθ) ≥ M for c_i = √(2M/A_i) (arbitrarily sharp)", sharp, ">=", M,
                                  value_error=rounding(sharp)))
