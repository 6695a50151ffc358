"""Quantities a claim compares, written once against the mode (issue 16): one call returns the value, its
interval (float mode: an error estimate; rigorous mode: a certified enclosure), the basis and how it was
obtained, so float and rigorous mode cannot drift apart in what they compute or how a claim compares it.

- :func:`lambda_max_bounds`: λ_max(∇²L) of the univariate network (flatproof math U.2) from a Lanczos run;
  rigorous mode encloses it by :func:`flatproof.measures.rigorous.univariate_lambda_max`.
- :func:`quotient_bounds`: a / b of two float64 numbers (e.g. the flatness threshold 2/η), rounded outward in
  rigorous mode.
- :func:`tv_bound_terms`: the right side of U.4's bound, the weighted TV and ε_F (float64 with a rounding
  estimate, or ball arithmetic), and whether the weighted TV vanishes by counting.
- :func:`eta_cap_bounds`, :func:`threshold_terms`: U.4's two corollaries (the cap on the weighted TV of an
  η-flat θ, and the bound with μ uniform on the uncertain points d_j ≥ δ) in the same two arithmetics.
- :func:`norm_bound_terms`: the path norm, ‖θ‖², sup|f − β| and J(θ) − log 2 of U.4's norm bound (float64 with
  a rounding allowance valid for subnormals, or balls).
- :func:`relu_sample_terms`: F = tr ∇²L, F_sym and M.3's ReLU sample bound (float64 with a rounding estimate, or
  interval arithmetic, :class:`~flatproof.measures.rigorous_homogeneous.HomogeneousIntervals`).
- :func:`eig_interval`: the float-mode interval of an extreme eigenvalue from its Lanczos residual;
  :func:`rounding`: float mode's rounding-error model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..vocab import Basis, Mode
from . import norm_bound as nb
from . import rigorous
from .homogeneous_orbit import f_sym_net
from .rigorous_homogeneous import HomogeneousIntervals
from .spectral import EPS, EigResult
from .weighted_tv import CurvatureWeight, tv_bound_rhs, tv_vanishes, weighted_tv

__all__ = ["ROUNDING", "SUBNORMAL_ULP", "Bounds", "EtaCap", "NormBoundTerms", "ReluSampleTerms", "TVBoundTerms",
           "ThresholdTerms", "eig_interval", "eta_cap_bounds", "lambda_max_bounds", "norm_bound_terms",
           "quotient_bounds", "relu_sample_terms", "rounding", "threshold_terms", "tv_bound_terms",
           "underflow_floor"]

#: relative rounding error assumed for a float quantity built from O(n p) operations (float mode only)
ROUNDING = 1024 * EPS


#: the spacing of float64's subnormal numbers: the absolute error of one underflowing operation is ≤ half of it
SUBNORMAL_ULP = math.ldexp(1.0, -1074)


def rounding(*values: float, terms: int = 1) -> float:
    """A float-mode error estimate for a quantity of the size of ``values`` built from about ``terms`` terms:
    the relative part ROUNDING · max|value| and an absolute part for underflow, which the relative one misses
    (each operation whose result is subnormal or flushed to 0 errs by up to 2^-1075 absolutely, whatever the
    size of the result: a sum of ``terms`` such terms by up to ``terms`` · 2^-1074)."""
    rel = ROUNDING * max([abs(v) for v in values] + [0.0])
    return rel + underflow_floor(terms)


def underflow_floor(terms: int = 1) -> float:
    """The absolute part of :func:`rounding`: what underflow can lose in a sum of ``terms`` terms."""
    return max(ROUNDING * float(np.finfo(float).tiny), 4 * max(int(terms), 1) * SUBNORMAL_ULP)

LANCZOS_HOW = "Lanczos: Ritz value ≤ λ_max (a Rayleigh quotient); upper end from the residual if converged"


@dataclass(frozen=True)
class Bounds:
    """A quantity as a claim compares it: ``value`` (what the table prints), ``interval`` (an estimate's error
    bars, or a certified enclosure when ``basis`` is ``certified``) and ``how`` it was obtained."""

    value: float
    interval: tuple[float, float]
    basis: Basis
    how: str

    @property
    def certified(self) -> bool:
        return self.basis == Basis.CERTIFIED


def eig_interval(res: EigResult) -> tuple[float, float]:
    """An interval for the extreme eigenvalue. The Ritz value is a Rayleigh quotient, so it is ≤ λ_max
    (≥ λ_min) up to rounding whatever Lanczos did; the other end rests on convergence (∞ if not)."""
    r = 64 * EPS * res.scale
    if res.which == "LA":
        return res.value - r, (res.value + res.error) if res.converged else math.inf
    return (res.value - res.error) if res.converged else -math.inf, res.value + r


def lambda_max_bounds(problem: Any, net: Any, res: EigResult, mode: str, balls: Any = None) -> Bounds:
    """λ_max(∇²L(θ)) of the univariate network ``net`` on ``problem`` from the Lanczos run ``res`` (which = LA):
    float mode, the Ritz value with :func:`eig_interval`; rigorous mode, the certified enclosure (a
    :class:`~flatproof._errors.KinkError` when θ is not certifiably off every kink; ``balls``: the caller's
    :func:`~flatproof.measures.rigorous.univariate_balls`, if it has them)."""
    if mode == Mode.RIGOROUS:
        (lo, hi), how = rigorous.univariate_lambda_max(problem, net, res.eigenvectors[:, 0], balls=balls)
        return Bounds(res.value, (lo, hi), Basis.CERTIFIED, how)
    return Bounds(res.value, eig_interval(res), Basis.ESTIMATED, LANCZOS_HOW)


def quotient_bounds(a: float, b: float, mode: str) -> Bounds:
    """a / b: float mode, the float64 quotient (one rounding, a point interval as float mode always compared);
    rigorous mode, [down, up] of the exact quotient of the two float64 numbers."""
    q = a / b
    if mode == Mode.RIGOROUS:
        exact = rigorous.arb(a) / rigorous.arb(b)
        return Bounds(q, (rigorous.down(exact), rigorous.up(exact)), Basis.CERTIFIED,
                      "exact quotient of the float64 inputs, rounded outward")
    return Bounds(q, (q, q), Basis.ESTIMATED, "float64 quotient")


@dataclass(frozen=True)
class TVBoundTerms:
    """U.4's main bound λ_max ≥ D̄(1 + factor · Σ|v_i w_i| g(t_i)) − ε_F + λ in one mode: the float64 values
    (``d_mean``, ``wtv``, ``rhs``: what the certificate prints in both modes), the right side, the weighted TV
    and ε_F as :class:`Bounds`, and whether the weighted TV vanishes by counting points (``tv_vanishes``: the
    β direction then proves the bound)."""

    d_mean: float
    wtv: float
    rhs: float
    rhs_bounds: Bounds
    wtv_bounds: Bounds
    eps_f_bounds: Bounds
    vanishes: bool


def tv_bound_terms(x: np.ndarray, net: Any, d: np.ndarray, eps_f: float, weight_decay: float, factor: float,
                   sided: bool, mode: str, balls: Any = None) -> TVBoundTerms:
    """The terms of U.4's bound at ``net`` on the points ``x`` with curvatures ``d`` (float64) and ε_F =
    ``eps_f`` (the float oracle's). Float mode: float64 with :func:`rounding` as the error; rigorous mode: D̄,
    g, ε_F and the right side in ball arithmetic from ``balls`` (:func:`~flatproof.measures.rigorous.
    univariate_balls`), the vanishing test on the certified activation pattern."""
    d_mean = float(d.mean())
    weight = CurvatureWeight.from_data(x, d)
    wtv = weighted_tv(net, weight, sided=sided)
    rhs = tv_bound_rhs(d_mean, wtv, eps_f, factor) + weight_decay
    if mode == Mode.RIGOROUS:
        arb, how = rigorous.arb, "D̄, g, ε_F in ball arithmetic"
        wtv_b = balls.weighted_tv(x, net, sided=sided)
        eps_b = balls.eps_f
        rhs_b = balls.d_mean * (1 + arb(factor) * wtv_b) - eps_b + arb(weight_decay)
        active = balls.active[:, (net.v != 0) & (net.w != 0)]
        return TVBoundTerms(d_mean, wtv, rhs, _ball(rhs_b, how), _ball(wtv_b, how),
                            Bounds(float(eps_b.mid()), (max(0.0, rigorous.down(eps_b)), rigorous.up(eps_b)),
                                   Basis.CERTIFIED, how),
                            tv_vanishes(active.sum(axis=0), (~active).sum(axis=0), sided=sided))
    err, how = rounding(d_mean * (1 + factor * wtv), eps_f), "float64 with a rounding estimate"
    return TVBoundTerms(d_mean, wtv, rhs, Bounds(rhs, (rhs - err, rhs + err), Basis.ESTIMATED, how),
                        Bounds(wtv, (wtv - rounding(wtv), wtv + rounding(wtv)), Basis.ESTIMATED, how),
                        Bounds(eps_f, (0.0, eps_f), Basis.ESTIMATED, "ε_F ≥ 0 in float64 (a square root)"),
                        weight.vanishes_on(net, sided=sided))


@dataclass(frozen=True)
class EtaCap:
    """U.4's corollary for η-flat θ in one mode: 2/η, whether λ_max's interval lies below it (``flat``), and the
    cap ((2/η + ε_F)/D̄ − 1)/factor on the weighted TV (None when θ is not η-flat, factor = 0 or, in float mode,
    D̄ underflowed to 0)."""

    two_eta: Bounds
    flat: bool
    cap: Bounds | None


def eta_cap_bounds(lam: Bounds, eta: float, factor: float, terms: TVBoundTerms, mode: str,
                   balls: Any = None) -> EtaCap:
    """The η-flat corollary of U.4 from λ_max's :class:`Bounds` ``lam`` and the main bound's ``terms``: float
    mode, float64 with :func:`rounding`; rigorous mode, 2/η rounded outward and the cap in ball arithmetic
    from ``balls`` (the same :func:`~flatproof.measures.rigorous.univariate_balls` as ``terms``)."""
    two_eta = quotient_bounds(2.0, eta, mode)
    flat = lam.interval[1] <= two_eta.interval[0]
    if not flat or factor <= 0:
        return EtaCap(two_eta, flat, None)
    if mode == Mode.RIGOROUS:
        arb = rigorous.arb
        cap_b = ((arb(2) / arb(eta) + balls.eps_f) / balls.d_mean - 1) / arb(factor)
        return EtaCap(two_eta, flat, _ball(cap_b, "2/η, ε_F and D̄ in ball arithmetic"))
    if terms.d_mean <= 0:
        return EtaCap(two_eta, flat, None)
    cap = ((2.0 / eta + terms.eps_f_bounds.value) / terms.d_mean - 1.0) / factor
    return EtaCap(two_eta, flat, Bounds(cap, (cap - rounding(cap), cap + rounding(cap)), Basis.ESTIMATED,
                                        "float64 with a rounding estimate; η-flatness by Lanczos"))


@dataclass(frozen=True)
class ThresholdTerms:
    """U.4's bound with μ uniform on the uncertain points A_δ = {j : d_j ≥ δ} in one mode: ``undecided`` points
    whose d_j = δ is not decided (rigorous mode's balls; the bound is then not formed), |A_δ| (``count``),
    Γ(δ) = δ|A_δ|/n, the restricted weighted TV and the right side Γ(δ)(1 + factor · TV_h) − ε_F + λ (None when
    A_δ is empty or undecided)."""

    undecided: int
    count: int
    gamma: float
    tv_h: Bounds | None
    rhs: Bounds | None


def threshold_terms(x: np.ndarray, net: Any, d: np.ndarray, delta: float, eps_f: float, weight_decay: float,
                    factor: float, sided: bool, mode: str, balls: Any = None) -> ThresholdTerms:
    """The threshold form of U.4 at ``net`` on the points ``x`` with curvatures ``d`` (float64) and ε_F = ``eps_f``:
    float mode, A_δ from the float d_j and float64 with :func:`rounding`; rigorous mode, A_δ decided on the balls
    of d_j (a point whose ball contains δ is undecided) and Γ, TV_h and the right side in ball arithmetic."""
    if mode == Mode.RIGOROUS:
        arb, how = rigorous.arb, "Γ(δ), the restricted TV and ε_F in ball arithmetic"
        sure = [bool(dj >= arb(delta)) for dj in balls.d]
        undecided = sum(not s and not bool(dj < arb(delta)) for s, dj in zip(sure, balls.d, strict=True))
        count = sum(sure)
        if undecided or not count:
            return ThresholdTerms(undecided, count, math.nan, None, None)
        gamma_b = arb(delta) * count / d.size
        tv_b = balls.weighted_tv(x, net, sided=sided, weights=[arb(int(s)) for s in sure])
        rhs_b = gamma_b * (1 + arb(factor) * tv_b) - balls.eps_f + arb(weight_decay)
        return ThresholdTerms(0, count, float(gamma_b.mid()), _ball(tv_b, how), _ball(rhs_b, how))
    A = d >= delta
    count = int(A.sum())
    if not count:
        return ThresholdTerms(0, 0, math.nan, None, None)
    gamma = delta * count / d.size
    tv_h = weighted_tv(net, CurvatureWeight.from_data(x[A], np.ones(count)), sided=sided)
    rhs = gamma * (1 + factor * tv_h) - eps_f + weight_decay
    err, how = rounding(gamma * (1 + factor * tv_h), eps_f), "float64 with a rounding estimate"
    tv_err = rounding(tv_h)
    return ThresholdTerms(0, count, gamma, Bounds(tv_h, (tv_h - tv_err, tv_h + tv_err), Basis.ESTIMATED, how),
                          Bounds(rhs, (rhs - err, rhs + err), Basis.ESTIMATED, how))


def _ball(b: Any, how: str) -> Bounds:
    """A python-flint ball as certified :class:`Bounds` (value: its midpoint)."""
    return Bounds(float(b.mid()), rigorous.interval(b), Basis.CERTIFIED, how)


#: the absolute error a float64 operation can make below the normal range (half the smallest subnormal,
#: rounded up to one); the allowance is ROUNDING · scale + ops · SUBNORMAL, valid for subnormal results too
SUBNORMAL = float(np.finfo(float).smallest_subnormal)
NORM_ROUND = "float64 with a rounding allowance valid for subnormals"
NORM_BALLS = "python-flint balls from the float64 parameters; sup|f| at ±x_max and at the knot balls clipped to the interval"


def _allow(scale: float, ops: int) -> float:
    """Rounding allowance for a float computed in ``ops`` operations from terms of total size ``scale``; 0 when
    every term is exactly 0 (nothing was rounded: θ = 0 decides 0 ≤ 0 as holds, which is true)."""
    return ROUNDING * abs(scale) + ops * SUBNORMAL if scale else 0.0


@dataclass(frozen=True)
class NormBoundTerms:
    """The quantities of ``logistic.norm-bound`` in one mode: P(θ) and ‖θ‖²/2, sup_{|x|≤x_max}|f − β| and
    P√(1 + x_max²), ‖θ‖² and 2 log 2/λ, and J(θ) − log 2 (None when λ = 0); ``float_values``: what float mode
    prints in the certificate."""

    path_norm: Bounds
    half_sq: Bounds
    sup: Bounds
    sup_bound: Bounds
    sq: Bounds
    cap: Bounds
    excess: Bounds | None
    float_values: dict[str, float]


def norm_bound_terms(net: Any, x: np.ndarray, y: np.ndarray, x_max: float, weight_decay: float,
                     mode: str) -> NormBoundTerms:
    """The terms of U.4's norm bound for ``net`` on the sample (x, y) with weight decay λ = ``weight_decay``:
    float mode, float64 with :func:`_allow` as the error; rigorous mode, python-flint balls from the float64
    parameters (sup|f − β| from the knot balls clipped to [−x_max, x_max])."""
    lam, m = float(weight_decay), net.m
    if mode == Mode.RIGOROUS:
        arb = rigorous.arb
        P, sq = nb.path_norm_ball(net), nb.sq_norm_ball(net)
        sup_lo, sup_hi = nb.sup_abs_interval(net, x_max, bias=False)
        fbound = P * (1 + arb(x_max) ** 2).sqrt()
        excess = nb.excess_over_log2_ball(net, x, y, lam) if lam > 0 else None
        cap = 2 * arb(2).log() / arb(lam) if lam > 0 else None
        return NormBoundTerms(_ball(P, NORM_BALLS), _ball(sq / 2, NORM_BALLS),
                              Bounds(0.5 * (sup_lo + sup_hi), (sup_lo, sup_hi), Basis.CERTIFIED, NORM_BALLS),
                              _ball(fbound, NORM_BALLS), _ball(sq, NORM_BALLS),
                              _ball(cap, NORM_BALLS) if cap is not None else _point(math.inf),
                              _ball(excess, "ball arithmetic") if excess is not None else None, {})
    Pf, sqf = nb.path_norm(net), nb.sq_norm(net)
    root = math.hypot(1.0, x_max)          # √(1 + x_max²) without overflow
    sup, fb = nb.sup_abs(net, x_max, bias=False), Pf * root
    values = {"path_norm": Pf, "theta_sq": sqf, "sup_abs_f_minus_beta": sup, "sup_bound": fb,
              "sup_abs_f": nb.sup_abs(net, x_max), "sup_abs_f_bound": fb + abs(net.beta)}
    ex: Bounds | None = None
    if lam > 0:
        h = nb.logistic_excess_over_log2(y * net(x))
        e = float(np.mean(h)) + 0.5 * lam * sqf
        # θ = 0 is computed without rounding (J(0) − log 2 = 0 exactly); any other θ may have underflowed
        allow = (ROUNDING * (float(np.mean(np.abs(h))) + 0.5 * lam * sqf)
                 + (4 * x.size + 4 * m) * SUBNORMAL) if np.any(net.to_vector()) else 0.0
        ex = Bounds(e, (e - allow, e + allow), Basis.ESTIMATED, f"rounding allowance {allow:.2g}")
    return NormBoundTerms(_err(Pf, _allow(Pf, 4 * m)), _err(sqf / 2, _allow(sqf, 3 * m + 2)),
                          _err(sup, _allow(fb, 4 * m + 4)), _err(fb, _allow(fb, 4 * m + 4)),
                          _err(sqf, _allow(sqf, 3 * m + 2)), _cap(lam), ex, values)


def _cap(lam: float) -> Bounds:
    """2 log 2/λ in float64 with its allowance (unused when λ = 0: then ∞)."""
    if lam <= 0:
        return _point(math.inf)
    cap = 2.0 * math.log(2.0) / lam
    return _err(cap, _allow(cap, 2))


def _err(value: float, error: float) -> Bounds:
    return Bounds(value, (value - error, value + error), Basis.ESTIMATED, NORM_ROUND)


def _point(value: float) -> Bounds:
    return Bounds(value, (value, value), Basis.ESTIMATED, "")


@dataclass(frozen=True)
class ReluSampleTerms:
    """M.3's chain F ≥ F_sym ≥ (C/n) Σ_i ‖x_i‖ Σ_j |a_j|(w_jᵀx_i)_+ in one mode (values: float64)."""

    trace: Bounds
    f_sym: Bounds
    bound: Bounds


def relu_sample_terms(problem: Any, net: Any, trace: float, constant: float, mode: str) -> ReluSampleTerms:
    """F (``trace``: the float oracle's exact-formula trace), F_sym and the sample bound of the homogeneous network:
    float mode, float64 with :func:`rounding`; rigorous mode, their enclosures in interval arithmetic (a
    :class:`~flatproof._errors.KinkError` when the activation pattern is not certified)."""
    X = problem.data.X
    # F_sym from A_j, B_j as mantissas and power-of-two exponents: a_j = 1e-170 (a_j² = 0) or w_j = 1e-170
    # (σ(w_jᵀx)² = 0) would otherwise give F_sym = 0 against a bound, linear in both, of 1e-170
    fs = f_sym_net(net, X)
    norms = np.linalg.norm(X, axis=1)
    bound = float(constant / X.shape[0] * norms @ (np.maximum(X @ net.W.T, 0.0) @ np.abs(net.a)))
    if mode == Mode.RIGOROUS:
        hi = HomogeneousIntervals(problem, net)
        how = "A_j, B_j, F, F_sym and the bound in interval arithmetic (outward-rounded float64, arb for φ', φ'')"

        def enc(value: float, x: Any) -> Bounds:
            return Bounds(value, (float(x.lo), float(x.hi)), Basis.CERTIFIED, how)
        return ReluSampleTerms(enc(trace, hi.trace()), enc(fs, hi.f_sym()), enc(bound, hi.sample_bound(constant)))

    def est(value: float) -> Bounds:
        return Bounds(value, (value - rounding(value), value + rounding(value)), Basis.ESTIMATED,
                      "float64 with a rounding estimate")
    return ReluSampleTerms(est(trace), est(fs), est(bound))
