"""The rescaling orbit of a homogeneous interpolator and its closed-form minimum.

Setting:
    Two-layer degree-k homogeneous network, square loss L̂ = (1/n)Σ(f − y)², no weight decay, θ an
    interpolator off every kink; per-neuron factors c_j > 0 log-uniform on [1/c_max, c_max].

Claim:
    [exact] T_c(a_j, w_j) = (c_j^{−k}a_j, c_j w_j) leaves f unchanged (the main comparison, relation =);
    ∇²L̂(T_cθ) = S⁻¹∇²L̂(θ)S⁻¹; F(T_cθ) = Σ_j (c_j^{2k}A_j + c_j^{−2}B_j), so F is unbounded above along the
    orbit (Dinh et al.) but its infimum is F_sym = Σ_j (k+1)k^{−k/(k+1)} A_j^{1/(k+1)} B_j^{k/(k+1)}, attained
    at c_j* = (B_j/(kA_j))^{1/(2k+2)}, where the a-block carries 1/(k+1) of F; F_sym is T_c-invariant; the null
    directions (−k a_j e_j; w_j) satisfy J v = 0. F_sym and c* are sympy's (derivations.orbit).

    The infimum is also found numerically (bounded Brent search in log c_j on the trace computed by the
    curvature oracle at the rescaled network) and compared with the closed form.

Reference:
    flatproof math M.3; Vardhan, Taheri & Mazumdar, arXiv 2606.04429; Dinh, Pascanu, Bengio & Bengio (ICML 2017).

Hypotheses:
    Square loss (1/n)Σ(f − y)², no weight decay; θ interpolates the data, closely enough that the residuals'
    Hessian term is below the identities' tolerance; θ off every kink.

Certificate:
    - ``interpolation_residual``: max_i |f(x_i) − y_i|
    - ``interpolation_residuals``: |f(x_i) − y_i| per point
    - ``interpolation_perturbation``: the bounds on the residuals' Hessian term (2/n)Σ r_i∇²f_i (norm bound, its allowance, per-neuron trace bounds)
    - ``lambda_max_blowup`` (when some A_j > 0): the Ritz value of λ_max at Dinh's blow-up rescaling
    - ``k``: the degree k
    - ``c``: the factors c_j
    - ``A_j``: A_j = (2/n)Σ_i σ(w_jᵀx_i)²
    - ``B_j``: B_j = (2/n) a_j² Σ_i σ'(w_jᵀx_i)² ‖x_i‖²
    - ``F``: F(θ) = tr ∇²L̂(θ) by the curvature oracle
    - ``F_at_T_c``: F(T_cθ) by the curvature oracle
    - ``F_sym``: the closed-form infimum F_sym(θ)
    - ``F_sym_numeric``: the infimum found by the numeric search
    - ``F_over_F_sym``: F(θ)/F_sym(θ) (None when F_sym = 0)
    - ``c_star_closed_form``: the minimising factors c_j* of the closed form
    - ``c_star_numeric``: the factors the numeric search ends at
    - ``orbit``: the orbit infimum's record (value, attained, unattained neurons, approaching sequences)
    - ``sympy_F_sym``: sympy's expression of F_sym
    - ``sympy_c_star``: sympy's expression of c*

Example:
    >>> flatproof.load_case("cases/homogeneous-orbit-minimum.toml").verify()
    <Verdict homogeneous.orbit-minimum [exact]: holds (estimated), margin 1e-08 (float; 9 comparisons)>
"""

from __future__ import annotations

import numpy as np

from ...derivations.orbit import OrbitInfimum, numeric_infimum, orbit_minimum
from ...measures._base import CurvatureOracle
from ...measures.homogeneous_hessian import HomogeneousOracle
from ...measures.homogeneous_orbit import f_sym_net, infimum, scaled_trace_blocks, trace_blocks
from ...model.constructions import rescale_homogeneous
from ...model.homogeneous import HomogeneousNet
from ...vocab import ModelKind, Tag
from .._common import eig_interval, identity_tol, rounding, top_eigen
from .._core import Claim, Context, Evaluation, Instance, Param, compare, register
from ._shared import INTERPOLATION_TOL, INTERPOLATOR_HYPOTHESES, interpolator_oracle, rescaling_rounding

SEARCH_TOL = 1e-7
TINY = float(np.finfo(float).tiny)      # tolerance floor when F = 0 exactly (no active neuron)


@register
class OrbitMinimum(Claim):
    id = "homogeneous.orbit-minimum"
    title = "Along the rescaling orbit F(T_cθ) = Σ c^{2k}A_j + c^{−2}B_j: unbounded above, minimum F_sym"
    tag = Tag.EXACT
    section = "M.3"
    reference = "flatproof math M.3; Vardhan, Taheri & Mazumdar, arXiv 2606.04429; Dinh et al. (ICML 2017)"
    statement = (r"F(T_c\theta) = \sum_j c_j^{2k}A_j + c_j^{-2}B_j,\quad \inf_{c>0} F(T_c\theta) = F_{\mathrm{sym}}"
                 r"(\theta) = \sum_j (k+1)k^{-\frac{k}{k+1}}A_j^{\frac1{k+1}}B_j^{\frac{k}{k+1}}")
    hypotheses = INTERPOLATOR_HYPOTHESES
    params = (Param("c_max", float, 10.0, "factors c_j are log-uniform on [1/c_max, c_max]", minimum=1.0),
              Param("seed", int, 0, "seed of the factors c_j", minimum=0),
              Param("blowup", float, 1e6, "Dinh: exhibit c with F(T_cθ) ≥ this value", minimum=0.0,
                    exclusive_minimum=True),
              INTERPOLATION_TOL)
    model = ModelKind.HOMOGENEOUS

    def evaluate(self, inst: Instance, ctx: Context) -> Evaluation:
        ev = Evaluation()
        orc = interpolator_oracle(inst, ev, ctx)
        if orc is None:
            return ev
        net, X = inst.net, inst.data.X
        rng = np.random.default_rng(ctx.params["seed"])
        c = np.exp(rng.uniform(-1, 1, net.m) * np.log(ctx.params["c_max"]))
        rnet = rescale_homogeneous(net, c)
        rho = rescaling_rounding(rnet)
        _function_is_invariant(ev, net, rnet, X, rho, ctx.tolerances.identity)
        rorc = inst.oracle(rnet, kink_tol=ctx.tolerances.kink)
        if net.num_params <= 600:
            _hessian_is_conjugated(ev, orc, rorc, net, c, ctx.tolerances.identity)
        A, B = trace_blocks(net, X)
        tr1 = _trace_along_the_orbit(ev, rorc, c, A, B, net.k, ctx.tolerances.identity)
        inf, numeric, cstar = _infimum_is_f_sym(ev, inst, ctx, orc)
        _f_sym_is_invariant(ev, inf, rnet, X, rho, ctx.tolerances.identity)
        _balance_at_c_star(ev, inf, net, X, ctx.tolerances.identity)
        if np.any(A > 0):
            _dinh_blowup(ev, inst, ctx, A)
        _null_directions(ev, orc, net, inst.data.n, ctx.tolerances.identity)
        om = orbit_minimum()
        F0, Fs = orc.trace(), inf.value
        ev.certificate.update({"k": net.k, "c": c, "A_j": A, "B_j": B, "F": F0, "F_at_T_c": tr1, "F_sym": Fs,
                               "F_sym_numeric": numeric, "F_over_F_sym": F0 / Fs if Fs else None,
                               "c_star_closed_form": inf.c_star, "c_star_numeric": cstar,
                               "orbit": inf.certificate(),
                               "sympy_F_sym": str(om.F_sym), "sympy_c_star": str(om.c_star)})
        return ev


def _function_is_invariant(ev: Evaluation, net: HomogeneousNet, rnet: HomogeneousNet, X: np.ndarray,
                           rho: np.ndarray, tol: float) -> None:
    """f_{T_cθ} = f_θ on the data, up to rounding and what rescaling into the subnormals loses (ρ_j)."""
    f0, f1 = net(X), rnet(X)
    # rounding scale: the largest sum of absolute terms Σ_j |a_j σ(w_jᵀx_i)|
    fs = float(np.max(np.abs(net.activation.sigma(X @ net.W.T)) @ np.abs(net.a))) or 1.0
    # plus what rescaling into the subnormals may lose: a_j c_j^{−k} = 1.2e-319·c⁻² keeps ~14 bits
    sub = float(np.max(np.abs(net.activation.sigma(X @ net.W.T) * net.a) @ rho))   # (|a_j|ρ_j may underflow)
    ev.comparisons.append(compare("max_i |f_{T_cθ}(x_i) − f_θ(x_i)| = 0", float(np.abs(f1 - f0).max()), "=", 0.0,
                                  value_error=rounding(fs) + sub, tol=identity_tol(tol, fs) + 2 * sub))


def _hessian_is_conjugated(ev: Evaluation, orc: CurvatureOracle, rorc: CurvatureOracle, net: HomogeneousNet,
                           c: np.ndarray, tol: float) -> None:
    """∇²L̂(T_cθ) = S⁻¹∇²L̂(θ)S⁻¹ with S = diag(c^{−k}, c ⊗ 1_d), dense."""
    s = np.concatenate([c ** (-net.k), np.repeat(c, net.d)])
    pred = orc.hessian() / np.outer(s, s)
    H1 = rorc.hessian()
    hs = max(float(np.abs(pred).max()), float(np.abs(H1).max())) or 1.0
    ev.comparisons.append(compare("max |∇²L̂(T_cθ) − S⁻¹∇²L̂(θ)S⁻¹| = 0", float(np.abs(H1 - pred).max()), "=",
                                  0.0, value_error=rounding(hs), tol=identity_tol(tol, hs)))


def _trace_along_the_orbit(ev: Evaluation, rorc: CurvatureOracle, c: np.ndarray, A: np.ndarray, B: np.ndarray,
                           k: int, tol: float) -> float:
    """The oracle's trace at T_cθ against sympy's Σ c^{2k}A_j + c^{−2}B_j; returns the oracle's."""
    orbit = float(np.sum(orbit_minimum().F_fn(c, A, B, float(k))))     # Σ c^{2k}A_j + c^{−2}B_j, sympy's
    tr1 = rorc.trace()
    ev.comparisons.append(compare("F(T_cθ) (oracle) = Σ_j c_j^{2k}A_j + c_j^{−2}B_j", tr1, "=", orbit,
                                  value_error=rounding(tr1), tol=identity_tol(tol, orbit, terms=A.size)))
    return tr1


def _infimum_is_f_sym(ev: Evaluation, inst: Instance, ctx: Context, orc: CurvatureOracle
                      ) -> tuple[OrbitInfimum, float, np.ndarray | None]:
    """The orbit's infimum found by a numeric search against sympy's F_sym; returns the infimum's record, the
    searched value and the factors the search ends at (None when they would overflow)."""
    net, X, kt = inst.net, inst.data.X, ctx.tolerances.kink
    inf = infimum(net, X)
    terms = inst.data.n * orc.num_params
    inf_tol = identity_tol(ctx.tolerances.identity + SEARCH_TOL, inf.value, terms=terms)

    def F_at(cj: np.ndarray) -> float:
        return inst.oracle(rescale_homogeneous(net, cj), kink_tol=kt).trace()
    numeric, cstar = numeric_infimum(inf, F_at, inf_tol)
    if cstar is None:
        ev.notes.append("a rescaling that approaches the infimum is not a float64 number (it would overflow)")
    if not inf.attained:
        ev.notes.extend(["the orbit infimum is not attained (F(T_cθ) > F_sym for every c):"] + inf.describe())
    ev.comparisons.append(compare("inf_c F(T_cθ) (numeric search; unattained neurons along c_j = 2^∓s) = F_sym "
                                  "(sympy closed form)", numeric, "=", inf.value,
                                  value_error=rounding(numeric, terms=terms), tol=inf_tol))
    return inf, numeric, cstar


def _f_sym_is_invariant(ev: Evaluation, inf: OrbitInfimum, rnet: HomogeneousNet, X: np.ndarray, rho: np.ndarray,
                        tol: float) -> None:
    """F_sym(T_cθ) = F_sym(θ), up to rounding and the subnormal rescaled parameters."""
    Fs, Fs1, k, m = inf.value, f_sym_net(rnet, X), rnet.k, rnet.m
    sub = float(np.sum(inf.terms * (2.0 * k / (k + 1)) * rho))      # subnormal rescaled parameters
    ev.comparisons.append(compare("F_sym(T_cθ) = F_sym(θ)", Fs1, "=", Fs, value_error=rounding(Fs, terms=m) + sub,
                                  tol=identity_tol(tol, Fs, terms=m) + 2 * sub))


def _balance_at_c_star(ev: Evaluation, inf: OrbitInfimum, net: HomogeneousNet, X: np.ndarray, tol: float) -> None:
    """At c*, the a-block carries 1/(k+1) of F (over the neurons with A_j, B_j > 0)."""
    pos = inf.terms > 0
    if not np.any(pos):
        ev.notes.append("no neuron has A_j, B_j > 0: F_sym = 0 and there is no balance to check")
        return
    As, eAs, Bs, eBs = scaled_trace_blocks(rescale_homogeneous(net, np.where(pos, inf.c_star, 1.0)), X)
    # Σ A_j / Σ (A_j + B_j) at c*, on a common power-of-two scale (A_j may be 1e-400)
    E = int(max(np.max(eAs[pos]), np.max(eBs[pos])))
    As, Bs = np.ldexp(As[pos], (eAs[pos] - E).astype(np.int32)), np.ldexp(Bs[pos], (eBs[pos] - E).astype(np.int32))
    share = float(np.sum(As) / np.sum(As + Bs))
    ev.comparisons.append(compare("a-block share of F at c* = 1/(k+1) (balance)", share, "=", 1.0 / (net.k + 1),
                                  value_error=rounding(1.0), tol=tol))


def _dinh_blowup(ev: Evaluation, inst: Instance, ctx: Context, A: np.ndarray) -> None:
    """Dinh et al.: rescaling the neuron of largest A_j by c_j = (2M/A_j)^{1/2k} makes F and λ_max ≥ M."""
    net, M = inst.net, ctx.params["blowup"]
    jbig = int(np.argmax(A))
    cb = np.ones(net.m)
    cb[jbig] = (2 * M / A[jbig]) ** (1.0 / (2 * net.k))
    borc = inst.oracle(rescale_homogeneous(net, cb), kink_tol=ctx.tolerances.kink)
    Fb = borc.trace()
    ev.comparisons.append(compare("F(T_cθ) ≥ M for c_j = (2M/A_j)^{1/2k} on one neuron (Dinh)", Fb, ">=", M,
                                  value_error=rounding(Fb)))
    lam_b = top_eigen(borc, ctx)        # a Rayleigh quotient: a lower bound on λ_max up to rounding
    ev.comparisons.append(compare("λ_max(T_cθ) ≥ M at the same c (Dinh)", lam_b.value, ">=", M,
                                  value_interval=eig_interval(lam_b)))
    ev.certificate["lambda_max_blowup"] = lam_b.value


def _null_directions(ev: Evaluation, orc: HomogeneousOracle, net: HomogeneousNet, n: int, tol: float) -> None:
    """The orbit's tangents v_j = (−k a_j e_j; w_j) are null directions of the Jacobian: J v_j = 0."""
    k, m = net.k, net.m
    J = orc.jacobian()
    nulls = []
    for j in range(m):
        u = np.zeros(orc.num_params)
        u[j] = -k * net.a[j]
        u[m + j * net.d: m + (j + 1) * net.d] = net.W[j]
        nulls.append(float(np.linalg.norm(J @ u) / max(float(np.linalg.norm(u)), 1e-300)))
    js = float(np.abs(J).max()) or 1.0
    ev.comparisons.append(compare("max_j ‖J v_j‖/‖v_j‖ = 0 for v_j = (−k a_j e_j; w_j)", max(nulls), "=", 0.0,
                                  value_error=rounding(js * np.sqrt(n)), tol=identity_tol(tol, js)))
