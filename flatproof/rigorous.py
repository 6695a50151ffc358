"""Rigorous mode: enclosures by ball arithmetic (python-flint's ``arb``), outward-rounded to floats.

Every quantity here is an interval [lo, hi] guaranteed to contain the exact real value for the
float64 inputs (parameters and data are taken as exact binary numbers). Nothing is rounded in a
verdict's favour: lower ends are rounded down, upper ends up.

λ_max and λ_min of a Hessian are certified as follows (Rump-style, robust to clustered eigenvalues):
the Hessian H is enclosed entrywise as a ball matrix; a float eigendecomposition H_mid ≈ Q Λ Qᵀ is
computed with ``numpy.linalg.eigh``; then in ball arithmetic R = QᵀHQ − Λ and E = QᵀQ − I. By Weyl,
each eigenvalue of the symmetric QᵀHQ lies within ‖R‖_F of the corresponding entry of Λ, and by
Ostrowski λ_k(QᵀHQ) = θ_k λ_k(H) with θ_k ∈ [1 − ‖E‖_F, 1 + ‖E‖_F]. Above ``DENSE_LIMIT`` parameters
the upper bound falls back to λ_max(H) ≤ tr H_GN + ‖H_F‖₂ + λ (H_GN is PSD, ‖H_F‖₂ = ε_F for the
univariate model) and the lower bound to a Rayleigh quotient evaluated in ball arithmetic.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from flint import arb, arb_mat

from ._errors import InputError, KinkError

DENSE_LIMIT = 400          # p above which certified eigenvalues use the trace / Rayleigh bounds
SIZE_LIMIT = 2_000_000     # n · p above which rigorous mode refuses (Python-level ball loops)


def down(x: arb) -> float:
    """A float ≤ every point of the ball x."""
    lo = x.lower()
    f = float(lo)
    if not (arb(f) <= lo):
        f = math.nextafter(f, -math.inf)
    return f


def up(x: arb) -> float:
    """A float ≥ every point of the ball x."""
    hi = x.upper()
    f = float(hi)
    if not (arb(f) >= hi):
        f = math.nextafter(f, math.inf)
    return f


def interval(x: arb) -> tuple[float, float]:
    return down(x), up(x)


def sigmoid(z: arb) -> arb:
    """s(z) = 1/(1 + e^{−z}) in ball arithmetic (no overflow: arb exponents are unbounded)."""
    return 1 / (1 + (-z).exp())


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
    J: arb_mat        # n × (3m+1)
    a: list
    c: list
    n: int
    m: int
    weight_decay: float

    @property
    def d_mean(self) -> arb:
        return sum(self.d, arb(0)) / self.n

    @property
    def eps_f(self) -> arb:
        """ε_F = max_i √(a_i² + c_i²) as a ball (the ball maximum is rigorous)."""
        best = arb(0)
        for a, c in zip(self.a, self.c):
            best = best.max((a * a + c * c).nonnegative_part().sqrt())
        return best

    def weighted_tv(self, x, net, *, sided: bool = True, weights: list | None = None) -> arb:
        """Σ_i |v_i w_i| g_μ(t_i) (U.4) with μ ∝ d_j (or ∝ ``weights``): sided, or g_μ = min(g⁺, g⁻);
        see :func:`flatproof.measures.weighted_tv.weighted_tv_ball`."""
        from .measures.weighted_tv import weighted_tv_ball
        return weighted_tv_ball(x, net, self.d if weights is None else weights, self.active, sided=sided)

    @property
    def active(self) -> np.ndarray:
        """n × m booleans: w_i x_j − b_i > 0 certified (every other pre-activation is certified < 0)."""
        return np.array([[self.J[j, i] != 0 for i in range(self.m)] for j in range(self.n)],
                        dtype=bool).reshape(self.n, self.m)

    def hessian(self) -> arb_mat:
        n, m, J = self.n, self.m, self.J
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
        p = 3 * self.m + 1
        s = arb(0)
        for j in range(self.n):
            row = arb(0)
            for k in range(p):
                row += self.J[j, k] * self.J[j, k]
            s += self.d[j] * row
        return s / self.n

    def rayleigh(self, u: np.ndarray) -> arb:
        """uᵀ∇²L u / uᵀu for a float vector u, in ball arithmetic."""
        m = self.m
        ua = [arb(float(t)) for t in u]
        Ju = self.J * arb_mat([[t] for t in ua])
        num = sum((self.d[j] * Ju[j, 0] * Ju[j, 0] for j in range(self.n)), arb(0)) / self.n
        for i in range(m):
            num += 2 * ua[i] * (self.a[i] * ua[m + i] + self.c[i] * ua[2 * m + i])
        uu = sum((t * t for t in ua), arb(0))
        return num / uu + arb(self.weight_decay)


def univariate_balls(problem, net) -> UnivariateBalls:
    """Enclose f, φ', φ'', J, a_i, c_i for the univariate network; a pre-activation whose ball meets 0 is a kink."""
    x, y = problem.data.x, problem.data.y
    n, m = x.shape[0], net.m
    if n * (3 * m + 1) > SIZE_LIMIT:
        raise InputError(f"rigorous mode handles n·p <= {SIZE_LIMIT:,}; this instance has {n * (3 * m + 1):,}",
                         field="mode")
    v = [arb(float(t)) for t in net.v]
    w = [arb(float(t)) for t in net.w]
    b = [arb(float(t)) for t in net.b]
    beta = arb(float(net.beta))
    J = arb_mat(n, 3 * m + 1)
    act = np.zeros((n, m), dtype=bool)
    f, kinks = [], 0
    for j in range(n):
        xj = arb(float(x[j]))
        fj = beta
        for i in range(m):
            z = w[i] * xj - b[i]
            if z > 0:
                act[j, i] = True
                fj += v[i] * z
                J[j, i] = z
                J[j, m + i] = v[i] * xj
                J[j, 2 * m + i] = -v[i]
            elif not (z < 0):
                kinks += 1
        J[j, 3 * m] = arb(1)
        f.append(fj)
    if kinks:
        raise KinkError(kinks, "certified Hessian (a pre-activation ball contains 0)")
    loss = problem.loss
    g, d = [], []
    for j in range(n):
        yj = arb(float(y[j]))
        if loss.kind == "logistic":
            z = yj * f[j]
            g.append(-yj * sigmoid(-z))
            d.append(sigmoid(z) * sigmoid(-z))
        else:
            k2 = 2 * arb(float(loss.factor))
            g.append(k2 * (f[j] - yj))
            d.append(k2)
    a, c = [], []
    for i in range(m):
        ai, ci = arb(0), arb(0)
        for j in range(n):
            if act[j, i]:
                ai += g[j] * arb(float(x[j]))
                ci -= g[j]
        a.append(ai / n)
        c.append(ci / n)
    return UnivariateBalls(f, g, d, J, a, c, n, m, float(problem.weight_decay))


def univariate_lambda_max(problem, net, u: np.ndarray | None = None,
                          balls: UnivariateBalls | None = None) -> tuple[tuple[float, float], str]:
    """Certified [lo, hi] ∋ λ_max(∇²L(θ)) and a sentence saying how it was certified (``balls``: the
    enclosures of :func:`univariate_balls` if the caller already has them)."""
    balls = balls or univariate_balls(problem, net)
    p = 3 * net.m + 1
    if p <= DENSE_LIMIT:
        enc = certified_eigenvalues(balls.hessian())
        return enc.lambda_max, (f"{enc.method}: ball Hessian (python-flint arb), ‖QᵀHQ − Λ‖_F ≤ "
                                f"{enc.residual_frobenius:.3g}, ‖QᵀQ − I‖_F ≤ {enc.orthogonality_defect:.3g}")
    hi = balls.trace_gn() + balls.eps_f + arb(balls.weight_decay)
    lo = balls.rayleigh(u) if u is not None else arb(-math.inf)
    return (down(lo) if u is not None else -math.inf, up(hi)), (
        "upper: tr H_GN + ε_F + λ in ball arithmetic (H_GN is PSD, ‖H_F‖₂ = ε_F); "
        "lower: Rayleigh quotient of the Lanczos vector in ball arithmetic")


def univariate_spectrum(problem, net, balls: UnivariateBalls | None = None) -> Enclosure:
    """Certified λ_max and λ_min of ∇²L(θ) (dense verified method; p <= DENSE_LIMIT)."""
    p = 3 * net.m + 1
    if p > DENSE_LIMIT:
        raise InputError(f"certified λ_min needs p <= {DENSE_LIMIT}, got {p}", field="mode")
    return certified_eigenvalues((balls or univariate_balls(problem, net)).hessian())
