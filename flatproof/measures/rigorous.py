"""Rigorous mode: enclosures by ball arithmetic (python-flint's ``arb``), outward-rounded to floats.

Every quantity here is an interval [lo, hi] guaranteed to contain the exact real value for the
float64 inputs (parameters and data are taken as exact binary numbers). Nothing is rounded in a
verdict's favour: lower ends are rounded down, upper ends up.

λ_max and λ_min of a Hessian are certified as follows (Rump-style, robust to clustered eigenvalues):
the Hessian H is enclosed entrywise as a ball matrix; a float eigendecomposition H_mid ≈ Q Λ Qᵀ is
computed with ``numpy.linalg.eigh``; then in ball arithmetic R = QᵀHQ − Λ and E = QᵀQ − I. By Weyl,
each eigenvalue of the symmetric QᵀHQ lies within ‖R‖_F of the corresponding entry of Λ, and by
Ostrowski λ_k(QᵀHQ) = θ_k λ_k(H) with θ_k ∈ [1 − ‖E‖_F, 1 + ‖E‖_F]. Above ``DENSE_LIMIT`` parameters
the univariate model uses O(n + m) midpoint-radius interval arithmetic (:mod:`flatproof.arith.intervals`,
:class:`UnivariateIntervals`): λ_max(H) ≤ λ_max(H_GN) + ‖H_F‖₂ + λ, with λ_max(H_GN) bounded by
Collatz–Wielandt on a non-negative kernel and ‖H_F‖₂ = ε_F (closed form), and the lower bound is a
Rayleigh quotient evaluated in interval arithmetic. arb balls are used there only for φ', φ''.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from flint import arb, arb_mat

from .._errors import InputError
from ..arith.compensated import INTERVAL_COMPENSATED
from ..arith.contexts import BALL, FLOAT, Context, down, up
from ..arith.contexts import ball_sigmoid as sigmoid
from ..arith.intervals import Iv, _quiet, _up
from .univariate_formulas import UnivariateFormulas

if TYPE_CHECKING:
    from ..model.univariate import UnivariateNet
    from .univariate_hessian import UnivariateProblem

__all__ = ["DENSE_LIMIT", "SIZE_LIMIT", "Enclosure", "dense_certifiable", "UnivariateBalls", "UnivariateIntervals", "arb", "certified_eigenvalues",
           "down", "interval", "sigmoid", "univariate_balls", "univariate_lambda_max", "univariate_spectrum", "up"]

DENSE_LIMIT = 400          # p above which certified eigenvalues use the trace / Rayleigh bounds
SIZE_LIMIT = 2_000_000     # n · p above which the ball Jacobian is not formed (O(n + m) interval enclosures instead)


def interval(x: arb) -> tuple[float, float]:
    return down(x), up(x)


def frobenius_upper(M: arb_mat) -> float:
    s = arb(0)
    for i in range(M.nrows()):
        for j in range(M.ncols()):
            mag = arb(up(abs(M[i, j])))
            s += mag * mag
    return up(s.sqrt())


@dataclass(frozen=True)
class Enclosure:
    """Certified intervals for λ_max and λ_min of a symmetric matrix, and how they were obtained."""

    lambda_max: tuple[float, float]
    lambda_min: tuple[float, float] | None
    method: str
    residual_frobenius: float     # ‖QᵀHQ − Λ‖_F upper bound (dense method)
    orthogonality_defect: float   # ‖QᵀQ − I‖_F upper bound (dense method)


def certified_eigenvalues(H: arb_mat) -> Enclosure:
    """Certified enclosures of λ_max(H) and λ_min(H) for a ball matrix enclosing a symmetric H."""
    p = H.nrows()
    mid = np.array([[float(H[i, j].mid()) for j in range(p)] for i in range(p)])
    lam, Q = np.linalg.eigh(0.5 * (mid + mid.T))
    Qa = arb_mat(Q.tolist())
    Qt = Qa.transpose()
    R = Qt * H * Qa
    for i in range(p):
        R[i, i] = R[i, i] - arb(float(lam[i]))
    E = Qt * Qa
    for i in range(p):
        E[i, i] = E[i, i] - 1
    r, e = frobenius_upper(R), frobenius_upper(E)
    if e >= 0.5:
        raise InputError("eigenvector matrix too far from orthogonal to certify eigenvalues", field="rigorous")
    th_lo, th_hi = arb(1) - arb(e), arb(1) + arb(e)

    def bounds(mu: float) -> tuple[float, float]:
        lo_m, hi_m = arb(mu) - arb(r), arb(mu) + arb(r)     # λ_k(QᵀHQ) ∈ [lo_m, hi_m]
        hi = hi_m / th_lo if up(hi_m) >= 0 else hi_m / th_hi
        lo = lo_m / th_hi if down(lo_m) >= 0 else lo_m / th_lo
        return down(lo), up(hi)

    return Enclosure(bounds(float(lam[-1])), bounds(float(lam[0])), "verified eigh (Weyl + Ostrowski)", r, e)


# ----------------------------------------------------------------------------------------------
# Univariate network (U.2) in ball arithmetic
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class UnivariateBalls:
    """Per-point and per-neuron quantities of U.2 as balls: f_j, φ'_j, φ''_j, the Jacobian, a_i, c_i."""

    f: list
    g: list           # φ'(f_j)
    d: list           # φ''(f_j)
    a: list
    c: list
    n: int
    m: int
    weight_decay: float
    #: (x, net, active) to build J on demand when it was not formed up front (active: certified n × m pattern)
    source: tuple | None = None
    #: the U.2 formulas the balls came from (ball or interval context), for quantities not read off J
    formulas: UnivariateFormulas | None = None
    _J: arb_mat | None = field(default=None, init=False, repr=False)

    @property
    def J(self) -> arb_mat:
        """The ball Jacobian n × (3m+1), built from the certified activation pattern on first use (n·p ≤
        ``SIZE_LIMIT``)."""
        return self._jacobian()

    @property
    def jacobian_formed(self) -> bool:
        return self._J is not None

    @property
    def d_mean(self) -> arb:
        return sum(self.d, arb(0)) / self.n

    @property
    def eps_f(self) -> arb:
        """ε_F = max_i √(a_i² + c_i²) as a ball (the ball maximum is rigorous)."""
        best = arb(0)
        for a, c in zip(self.a, self.c, strict=True):
            best = best.max((a * a + c * c).nonnegative_part().sqrt())
        return best

    def weighted_tv(self, x: np.ndarray, net: UnivariateNet, *, sided: bool = True,
                    weights: list | None = None) -> arb:
        """Σ_i |v_i w_i| g_μ(t_i) (U.4) with μ ∝ d_j (or ∝ ``weights``): sided, or g_μ = min(g⁺, g⁻);
        see :func:`flatproof.measures.weighted_tv.weighted_tv_ball`."""
        from .weighted_tv import weighted_tv_ball
        return weighted_tv_ball(x, net, self.d if weights is None else weights, self.active, sided=sided)

    @property
    def active(self) -> np.ndarray:
        """n × m booleans: w_i x_j − b_i > 0 certified (every other pre-activation is certified < 0)."""
        if self.source is not None:                 # the certified pattern the balls were built from
            return np.asarray(self.source[2], dtype=bool).reshape(self.n, self.m)
        J = self._jacobian()
        return np.array([[J[j, i] != 0 for i in range(self.m)] for j in range(self.n)],
                        dtype=bool).reshape(self.n, self.m)

    def _jacobian(self) -> arb_mat:
        if self._J is None:
            if self.source is None or self.n * (3 * self.m + 1) > SIZE_LIMIT:
                raise InputError(f"this rigorous step needs the ball Jacobian, formed only for n·p <= {SIZE_LIMIT:,}",
                                 field="mode")
            x, net, act = self.source
            m = self.m
            J = arb_mat(self.n, 3 * m + 1)
            v, w, b = ([arb(float(t)) for t in a] for a in (net.v, net.w, net.b))
            for j, i in zip(*np.nonzero(act), strict=True):
                xj = arb(float(x[j]))
                J[j, i] = w[i] * xj - b[i]
                J[j, m + i] = v[i] * xj
                J[j, 2 * m + i] = -v[i]
            for j in range(self.n):
                J[j, 3 * m] = arb(1)
            object.__setattr__(self, "_J", J)
            return J
        return self._J

    def hessian(self) -> arb_mat:
        n, m, J = self.n, self.m, self._jacobian()
        p = 3 * m + 1
        DJ = arb_mat(n, p)
        for j in range(n):
            dj = self.d[j] / n
            for k in range(p):
                DJ[j, k] = dj * J[j, k]
        H = J.transpose() * DJ
        for i in range(m):
            for (r, val) in ((m + i, self.a[i]), (2 * m + i, self.c[i])):
                H[i, r] = H[i, r] + val
                H[r, i] = H[r, i] + val
        if self.weight_decay:
            for k in range(p):
                H[k, k] = H[k, k] + arb(self.weight_decay)
        return H

    def trace_gn(self) -> arb:
        """tr H_GN = (1/n) Σ_j φ''_j ‖∇f_j‖² by the O(n + m) formula of U.2, in the context the balls came from."""
        if self.formulas is None:
            raise InputError("these balls carry no formulas to evaluate the trace with", field="mode")
        t = self.formulas.trace_gn()
        return arb(float(t.mid), float(t.rad)) if isinstance(t, Iv) else t

    def rayleigh(self, u: np.ndarray) -> arb:
        """uᵀ∇²L u / uᵀu for a float vector u, in ball arithmetic."""
        m = self.m
        ua = [arb(float(t)) for t in u]
        Ju = self._jacobian() * arb_mat([[t] for t in ua])
        num = sum((self.d[j] * Ju[j, 0] * Ju[j, 0] for j in range(self.n)), arb(0)) / self.n
        for i in range(m):
            num += 2 * ua[i] * (self.a[i] * ua[m + i] + self.c[i] * ua[2 * m + i])
        uu = sum((t * t for t in ua), arb(0))
        return num / uu + arb(self.weight_decay)


def dense_certifiable(n: int, m: int) -> bool:
    """Does rigorous mode take the dense verified path (the ball Jacobian and Hessian) for a univariate network of
    width m on n points? p = 3m + 1 ≤ ``DENSE_LIMIT`` and n·p ≤ ``SIZE_LIMIT``; otherwise the O(n + m) enclosures."""
    p = 3 * int(m) + 1
    return p <= DENSE_LIMIT and int(n) * p <= SIZE_LIMIT


def univariate_balls(problem: UnivariateProblem, net: UnivariateNet) -> UnivariateBalls:
    """Enclose f, φ', φ'', a_i, c_i for the univariate network (data order) by the formulas of
    :mod:`~flatproof.measures.univariate_formulas`: in arb balls up to ``DENSE_LIMIT`` parameters (and n·p ≤
    ``SIZE_LIMIT``), in O(n + m) vectorised intervals above. The ball Jacobian is built from the certified
    activation pattern when a step asks for it (n·p ≤ ``SIZE_LIMIT``). A pre-activation whose sign is not
    certified is a kink (:class:`~flatproof._errors.KinkError`)."""
    n, m = problem.data.x.shape[0], net.m
    if not dense_certifiable(n, m):
        u2: UnivariateFormulas = UnivariateIntervals(problem, net)
    else:
        u2 = UnivariateFormulas()
        u2._setup_formulas(BALL, problem, net)
    inv = np.empty_like(u2.order)
    inv[u2.order] = np.arange(u2.n)

    def balls(x: Any, perm: np.ndarray | None = None) -> list:
        if isinstance(x, Iv):
            mid, rad = (x.mid, x.rad) if perm is None else (x.mid[perm], x.rad[perm])
            return [arb(float(a), float(r)) for a, r in zip(mid, rad, strict=True)]
        return list(x if perm is None else x[perm])
    a, c = u2.blocks()
    active = u2.active_pattern() if n * m <= SIZE_LIMIT else None
    return UnivariateBalls(balls(u2.f, inv), balls(u2.g, inv), balls(u2.d, inv), balls(a), balls(c), n, m,
                           float(problem.weight_decay), None if active is None else (problem.data.x, net, active),
                           u2)


def univariate_lambda_max(problem: UnivariateProblem, net: UnivariateNet, u: np.ndarray | None = None,
                          balls: UnivariateBalls | None = None) -> tuple[tuple[float, float], str]:
    """Certified [lo, hi] ∋ λ_max(∇²L(θ)) and a sentence saying how it was certified (``balls``: the
    enclosures of :func:`univariate_balls` if the caller already has them).

    :func:`dense_certifiable` (p ≤ DENSE_LIMIT, n·p ≤ SIZE_LIMIT): verified eigendecomposition of the ball Hessian.
    Otherwise O(n + m) interval arithmetic (:class:`UnivariateIntervals`): hi = (Collatz–Wielandt bound on
    λ_max(H_GN)) + ε_F + λ, lo = the Rayleigh quotient of ``u`` (−∞ without one)."""
    if dense_certifiable(problem.data.x.shape[0], net.m):
        balls = balls or univariate_balls(problem, net)
        enc = certified_eigenvalues(balls.hessian())
        return enc.lambda_max, (f"{enc.method}: ball Hessian (python-flint arb), ‖QᵀHQ − Λ‖_F ≤ "
                                f"{enc.residual_frobenius:.3g}, ‖QᵀQ − I‖_F ≤ {enc.orthogonality_defect:.3g}")
    iv = UnivariateIntervals(problem, net)
    gn, ef = iv.gauss_newton_upper(), iv.eps_f_upper()
    hi = float(np.nextafter(np.nextafter(gn + ef, np.inf) + iv.weight_decay, np.inf))
    lo = iv.rayleigh_lower(u) if u is not None else -math.inf
    return (lo, hi), (
        f"upper: λ_max(H_GN) ≤ {gn:.10g} (Collatz–Wielandt on the non-negative kernel, O(n + m) interval "
        f"arithmetic) + ε_F ≤ {ef:.3g} + λ; lower: Rayleigh quotient of the Lanczos vector in interval arithmetic; "
        f"width {hi - lo:.3g}")


def univariate_spectrum(problem: UnivariateProblem, net: UnivariateNet, balls: UnivariateBalls | None = None) -> Enclosure:
    """Certified λ_max and λ_min of ∇²L(θ) (dense verified method: :func:`dense_certifiable`)."""
    n, p = problem.data.x.shape[0], 3 * net.m + 1
    if not dense_certifiable(n, net.m):
        raise InputError(f"certified λ_min needs p <= {DENSE_LIMIT} and n·p <= {SIZE_LIMIT:,}, got p = {p}, "
                         f"n·p = {n * p:,}", field="mode")
    return certified_eigenvalues((balls or univariate_balls(problem, net)).hessian())


# ----------------------------------------------------------------------------------------------
# Univariate network at scale: O(n + m) interval enclosures (flatproof.arith.intervals), arb only per scalar
# ----------------------------------------------------------------------------------------------
class UnivariateIntervals(UnivariateFormulas):
    """Certified enclosures of f_j, φ'_j, φ''_j, a_i, c_i for the univariate network in O((n + m) log(n + m)):
    the formulas of :mod:`~flatproof.measures.univariate_formulas` (those the float oracle runs) in the vectorised
    interval context, with the activation pattern certified (a sign left undecided is a :class:`KinkError`) and
    φ', φ'' of the logistic loss evaluated on arb balls, one point at a time. Adds the λ_max bounds of rigorous
    mode at scale: Collatz–Wielandt on λ_max(H_GN), ε_F, and the Rayleigh quotient. Built on the float context
    (``ctx=FLOAT``), :meth:`gauss_newton_upper`, :meth:`eps_f_upper` and :meth:`lambda_max_upper` give the same
    bounds as float64 estimates (float mode), with no pattern certified and no arb step."""

    @_quiet
    def __init__(self, problem: UnivariateProblem, net: UnivariateNet, ctx: Context = INTERVAL_COMPENSATED) -> None:
        self._setup_formulas(ctx, problem, net)
        self.weight_decay = float(problem.weight_decay)
        self.a, self.c = self.blocks()

    @_quiet
    def eps_f_upper(self) -> float:
        """An upper bound on ε_F = ‖H_F‖₂ = max_i √(a_i² + c_i²)."""
        a, c = ((t.mag if isinstance(t, Iv) else np.abs(t)) for t in (self.a, self.c))
        s = _up(a ** 2 + c ** 2, 3)
        return float(np.nextafter(np.max(np.sqrt(s), initial=0.0), np.inf))

    @property
    def _signed_ok(self) -> bool:
        """K = J Jᵀ ≥ 0 entrywise when x_j x_k + 1 ≥ 0 for all j, k, i.e. min x · max x ≥ −1 (certified)."""
        return bool(self.n == 0 or (Iv(self.xs[0]) * Iv(self.xs[-1])).lo >= -1.0)

    def _kernel_products(self, e: np.ndarray, ctx: Context = INTERVAL_COMPENSATED) -> Any:
        """Enclosure of K e for e ≥ 0 (in ``ctx``: intervals, or floats for the power iteration's estimates, whose
        values are the intervals' midpoints), with K an entrywise non-negative kernel that dominates
        |J Jᵀ|: J Jᵀ itself when :attr:`_signed_ok` (its entries Σ_i [z_ij⁺ z_ik⁺ + v_i² 1_i(x_j) 1_i(x_k)
        (x_j x_k + 1)] + 1 are then ≥ 0), else J̃ J̃ᵀ with J̃ = [z⁺, |v| 1 |x|, |v| 1, 1] ≥ |J| entrywise."""
        xs, net = self.xs, self.net
        signed = self._signed_ok
        X = ctx.exact(xs)
        xw = X if signed else ctx.exact(np.abs(xs))
        vv = ctx.exact(net.v if signed else np.abs(net.v))
        bs = ctx.exact(-1.0 if signed else 1.0)
        w, b = ctx.exact(net.w), ctx.exact(net.b)
        E = ctx.exact(e)
        S0, S1, Sw = self._neuron_sums(E, E * X, E * xw, ctx=ctx)
        qv, qw, qb, qbeta = w * S1 - b * S0, vv * Sw, vv * S0 * bs, ctx.sum(E)
        ds = self._data_sums
        return ds(qv * w, ctx=ctx) * X - ds(qv * b, ctx=ctx) + ds(qw * vv, ctx=ctx) * xw + ds(qb * vv, ctx=ctx) * bs + qbeta

    @_quiet
    def gauss_newton_upper(self, iterations: int = 500, rtol: float = 1e-10) -> float:
        """An upper bound on λ_max(H_GN) = λ_max(D^{1/2} J Jᵀ D^{1/2})/n, D = diag(φ''_j) ⪰ 0.

        λ_max(D^{1/2} J Jᵀ D^{1/2}) = ρ(D J Jᵀ) ≤ ρ(D K) for the non-negative kernel K ≥ |J Jᵀ| of
        :meth:`_kernel_products` (Perron–Frobenius), and ρ(D K) ≤ max_j (D K x)_j / x_j for every x > 0
        (Collatz–Wielandt). x is the float
        power-iteration estimate of the Perron vector (stopped when the float ratios agree to ``rtol``);
        only the final ratio is evaluated rigorously. When min x · max x ≥ −1, K = J Jᵀ and the bound
        tends to λ_max(H_GN)."""
        d_hi = self.ctx.upper(self.d)
        x = np.ones(self.n)
        for _ in range(iterations):
            y = d_hi * self._kernel_products(x, FLOAT)
            top = float(np.max(y))
            if not top > 0:
                return 0.0
            pos = x > 0
            r = y[pos] / x[pos]
            x = y / top
            if r.max() - r.min() <= rtol * r.max():
                break
        x = np.maximum(x, 1e-12)
        ratio = np.nextafter(np.nextafter(d_hi * self.ctx.upper(self._kernel_products(x, self.ctx)), np.inf) / x,
                             np.inf)
        return float(np.nextafter(np.max(ratio) / self.n, np.inf))

    @_quiet
    def lambda_max_upper(self) -> float:
        """λ_max(∇²L) ≤ λ_max(H_GN) + ‖H_F‖₂ + λ (Weyl)."""
        s = self.gauss_newton_upper() + self.eps_f_upper()
        return float(np.nextafter(np.nextafter(s, np.inf) + self.weight_decay, np.inf))

    @_quiet
    def rayleigh_lower(self, u: np.ndarray) -> float:
        """A lower bound on uᵀ∇²L u / uᵀu (≤ λ_max) for a float vector u in the layout (v, w, b, β)."""
        num, uu = self.quadratic_form(u)
        lo = float(num.lo)
        q = lo / float(uu.hi) if lo >= 0 else lo / float(uu.lo)
        return float(np.nextafter(np.nextafter(q, -np.inf) + self.weight_decay, -np.inf))
