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
from dataclasses import dataclass

import numpy as np
from flint import arb, arb_mat

from .._errors import InputError, KinkError
from ..arith.intervals import _quiet

DENSE_LIMIT = 400          # p above which certified eigenvalues use the trace / Rayleigh bounds
SIZE_LIMIT = 2_000_000     # n · p above which the ball Jacobian is not formed (O(n + m) interval enclosures instead)


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
    J: arb_mat | None  # n × (3m+1); None above SIZE_LIMIT (built from UnivariateIntervals, no Jacobian)
    a: list
    c: list
    n: int
    m: int
    weight_decay: float
    #: (x, net, active) to build J on demand when it was not formed up front (active: certified n × m pattern)
    source: tuple | None = None

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
        if self.J is None:
            if self.source is None or self.n * (3 * self.m + 1) > SIZE_LIMIT:
                raise InputError(f"this rigorous step needs the ball Jacobian, formed only for n·p <= {SIZE_LIMIT:,}",
                                 field="mode")
            x, net, act = self.source
            m = self.m
            J = arb_mat(self.n, 3 * m + 1)
            v, w, b = ([arb(float(t)) for t in a] for a in (net.v, net.w, net.b))
            for j, i in zip(*np.nonzero(act)):
                xj = arb(float(x[j]))
                J[j, i] = w[i] * xj - b[i]
                J[j, m + i] = v[i] * xj
                J[j, 2 * m + i] = -v[i]
            for j in range(self.n):
                J[j, 3 * m] = arb(1)
            object.__setattr__(self, "J", J)
        return self.J

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
        self._jacobian()
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
        Ju = self._jacobian() * arb_mat([[t] for t in ua])
        num = sum((self.d[j] * Ju[j, 0] * Ju[j, 0] for j in range(self.n)), arb(0)) / self.n
        for i in range(m):
            num += 2 * ua[i] * (self.a[i] * ua[m + i] + self.c[i] * ua[2 * m + i])
        uu = sum((t * t for t in ua), arb(0))
        return num / uu + arb(self.weight_decay)


def univariate_balls(problem, net) -> UnivariateBalls:
    """Enclose f, φ', φ'', J, a_i, c_i for the univariate network; a pre-activation whose ball meets 0 is a kink."""
    x, y = problem.data.x, problem.data.y
    n, m = x.shape[0], net.m
    if 3 * m + 1 > DENSE_LIMIT or n * (3 * m + 1) > SIZE_LIMIT:
        return _balls_from_intervals(problem, net)        # the Jacobian only if a step asks for it
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


def _balls_from_intervals(problem, net) -> UnivariateBalls:
    """f, φ', φ'', a, c as arb balls from the O(n + m) interval enclosures (data order restored); the ball
    Jacobian is built from the certified activation pattern only when a step needs it (n·p ≤ SIZE_LIMIT)."""
    iv = UnivariateIntervals(problem, net)
    inv = np.empty_like(iv.order)
    inv[iv.order] = np.arange(iv.n)

    def balls(x, perm=None):
        mid, rad = (x.mid, x.rad) if perm is None else (x.mid[perm], x.rad[perm])
        return [arb(float(a), float(r)) for a, r in zip(mid, rad)]
    j = np.arange(iv.n)[:, None]
    active = np.where(iv.suffix[None, :], j >= iv.idx[None, :], j < iv.idx[None, :])[inv] \
        if iv.n * iv.m <= SIZE_LIMIT else None
    return UnivariateBalls(balls(iv.f, inv), balls(iv.g, inv), balls(iv.d, inv), None, balls(iv.a), balls(iv.c),
                           iv.n, iv.m, float(problem.weight_decay),
                           None if active is None else (problem.data.x, net, active))


def univariate_lambda_max(problem, net, u: np.ndarray | None = None,
                          balls: UnivariateBalls | None = None) -> tuple[tuple[float, float], str]:
    """Certified [lo, hi] ∋ λ_max(∇²L(θ)) and a sentence saying how it was certified (``balls``: the
    enclosures of :func:`univariate_balls` if the caller already has them).

    p ≤ DENSE_LIMIT: verified eigendecomposition of the ball Hessian. Above: O(n + m) interval
    arithmetic (:class:`UnivariateIntervals`): hi = (Collatz–Wielandt bound on λ_max(H_GN)) + ε_F + λ,
    lo = the Rayleigh quotient of ``u`` (−∞ without one)."""
    p = 3 * net.m + 1
    if p <= DENSE_LIMIT:
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


def univariate_spectrum(problem, net, balls: UnivariateBalls | None = None) -> Enclosure:
    """Certified λ_max and λ_min of ∇²L(θ) (dense verified method; p <= DENSE_LIMIT)."""
    p = 3 * net.m + 1
    if p > DENSE_LIMIT:
        raise InputError(f"certified λ_min needs p <= {DENSE_LIMIT}, got {p}", field="mode")
    return certified_eigenvalues((balls or univariate_balls(problem, net)).hessian())


# ----------------------------------------------------------------------------------------------
# Univariate network at scale: O(n + m) interval enclosures (flatproof.arith.intervals), arb only per scalar
# ----------------------------------------------------------------------------------------------
class UnivariateIntervals:
    """Certified enclosures of f_j, φ'_j, φ''_j, a_i, c_i for the univariate network in O((n + m) log(n + m)),
    with the activation pattern certified and every sum done in midpoint-radius interval arithmetic.

    The data are sorted; neuron i with w_i > 0 is active on a suffix [k_i, n) of the sorted data and with
    w_i < 0 on a prefix [0, k_i) (U.2). k_i comes from a float ``searchsorted`` and is then certified by
    evaluating w_i x − b_i in interval arithmetic at the two sorted points on either side of the knot
    (monotonicity in x covers the rest); a ball containing 0 there, or a sign contradicting k_i, is a kink
    (:class:`KinkError`). Sums over a neuron's active data are prefix/suffix sums, sums over the neurons
    active at a point are cumulative sums of per-knot deposits, as in :class:`~flatproof.measures.univariate_hessian.UnivariateFast`,
    here on intervals. φ' and φ'' of the logistic loss are evaluated on arb balls, one point at a time.
    """

    @_quiet
    def __init__(self, problem, net):
        from ..arith.intervals import Iv
        self.Iv = Iv
        x, y = problem.data.x, problem.data.y
        order = np.argsort(x, kind="stable")
        xs, ys = x[order], y[order]
        n, m = xs.shape[0], net.m
        self.n, self.m, self.order, self.xs = n, m, order, xs
        self.v, self.w, self.b, self.beta = net.v, net.w, net.b, float(net.beta)
        self.weight_decay = float(problem.weight_decay)
        w, b = self.w, self.b
        pos, neg = w > 0, w < 0
        zero = ~(pos | neg)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(zero, 0.0, b / np.where(zero, 1.0, w))
        idx = np.empty(m, dtype=np.int64)
        idx[pos] = np.searchsorted(xs, t[pos], side="right")
        idx[neg] = np.searchsorted(xs, t[neg], side="left")
        idx[zero] = np.where(b[zero] < 0, 0, n)
        self.idx, self.suffix = idx, ~neg
        self._certify_pattern(pos, neg, zero)
        # f_j = β + x_j Σ_{i active} v_i w_i − Σ_{i active} v_i b_i
        vw, vb = Iv(self.v) * Iv(w), Iv(self.v) * Iv(b)
        self.f = self._data_sums(vw) * Iv(xs) - self._data_sums(vb) + Iv(self.beta)
        self.g, self.d = self._loss_derivatives(problem.loss, ys)
        G = self._neuron_sums(self.g)
        GX = self._neuron_sums(self.g * Iv(xs))
        self.a = GX / n
        self.c = -(G / n)

    # -- the activation pattern --------------------------------------------------------------
    def _certify_pattern(self, pos, neg, zero) -> None:
        Iv, xs, n = self.Iv, self.xs, self.n
        idx, w, b = self.idx, self.w, self.b
        bad = np.zeros(self.m, dtype=bool)
        for side, want in ((0, -1.0), (1, 1.0)):      # the point just before the boundary, the first after
            j = idx - 1 + side
            ok = (j >= 0) & (j < n) & ~zero
            jj = np.clip(j, 0, n - 1)
            z = Iv(w) * Iv(xs[jj]) - Iv(b)
            sgn = np.where(pos, want, -want)          # w > 0: inactive before, active after; w < 0 reversed
            certain = np.where(sgn > 0, z.lo > 0, z.hi < 0)
            bad |= ok & ~certain
        bad |= zero & (b == 0) & (n > 0)
        if bad.any():
            raise KinkError(int(bad.sum()), "certified Hessian (a pre-activation ball contains 0 or its sign is "
                                            "uncertain)")

    # -- the two prefix-sum primitives on intervals ----------------------------------------------
    def _neuron_sums(self, e):
        """(Σ_{j active for neuron i} e_j)_i for an interval data vector e (sorted order)."""
        Iv = self.Iv
        zero = Iv(np.zeros(1))
        from ..arith.intervals import concatenate
        prefix = concatenate([zero, e.cumsum()])
        suffix = concatenate([e.cumsum(reverse=True), zero])
        return Iv(np.where(self.suffix, suffix.mid[self.idx], prefix.mid[self.idx]),
                  np.where(self.suffix, suffix.rad[self.idx], prefix.rad[self.idx]))

    def _data_sums(self, alpha):
        """(Σ_{i active at x_j} α_i)_j for an interval neuron vector α."""
        n, idx, suf = self.n, self.idx, self.suffix
        dep_s = alpha[suf].bincount(idx[suf], n + 1)
        dep_p = alpha[~suf].bincount(idx[~suf], n + 1)
        return dep_s.cumsum()[:n] + dep_p.cumsum(reverse=True)[1:]

    # -- the loss, pointwise on arb balls ---------------------------------------------------------
    def _loss_derivatives(self, loss, ys):
        Iv = self.Iv
        if loss.kind != "logistic":
            k2 = Iv(2.0) * Iv(float(loss.factor))
            return (self.f - Iv(ys)) * k2, Iv(np.full(self.n, k2.mid), np.full(self.n, k2.rad))
        g_lo, g_hi, d_lo, d_hi = (np.empty(self.n) for _ in range(4))
        for j in range(self.n):
            fj = arb(float(self.f.mid[j]), float(self.f.rad[j]))
            yj = arb(float(ys[j]))
            z = yj * fj
            s_neg = sigmoid(-z)
            g = -yj * s_neg
            d = sigmoid(z) * s_neg
            g_lo[j], g_hi[j] = down(g), up(g)
            d_lo[j], d_hi[j] = down(d), up(d)
        return Iv.from_bounds(g_lo, g_hi), Iv.from_bounds(np.maximum(d_lo, 0.0), d_hi)

    # -- certified quantities --------------------------------------------------------------------
    @_quiet
    def eps_f_upper(self) -> float:
        """An upper bound on ε_F = ‖H_F‖₂ = max_i √(a_i² + c_i²)."""
        from ..arith.intervals import _up
        s = _up(self.a.mag ** 2 + self.c.mag ** 2, 3)
        return float(np.nextafter(np.max(np.sqrt(s), initial=0.0), np.inf))

    @property
    def _signed_ok(self) -> bool:
        """K = J Jᵀ ≥ 0 entrywise when x_j x_k + 1 ≥ 0 for all j, k, i.e. min x · max x ≥ −1 (certified)."""
        Iv = self.Iv
        return bool(self.n == 0 or (Iv(self.xs[0]) * Iv(self.xs[-1])).lo >= -1.0)

    def _kernel_products(self, e: np.ndarray):
        """Interval enclosure of K e for e ≥ 0, with K an entrywise non-negative kernel that dominates
        |J Jᵀ|: J Jᵀ itself when :attr:`_signed_ok` (its entries Σ_i [z_ij⁺ z_ik⁺ + v_i² 1_i(x_j) 1_i(x_k)
        (x_j x_k + 1)] + 1 are then ≥ 0), else J̃ J̃ᵀ with J̃ = [z⁺, |v| 1 |x|, |v| 1, 1] ≥ |J| entrywise."""
        Iv, xs = self.Iv, self.xs
        signed = self._signed_ok
        xw = Iv(xs) if signed else Iv(np.abs(xs))
        vv = Iv(self.v) if signed else Iv(np.abs(self.v))
        bs = -1.0 if signed else 1.0
        w, b = Iv(self.w), Iv(self.b)
        E = Iv(e)
        S0, S1, Sw = self._neuron_sums(E), self._neuron_sums(E * Iv(xs)), self._neuron_sums(E * xw)
        qv, qw, qb, qbeta = w * S1 - b * S0, vv * Sw, vv * S0 * Iv(bs), E.sum()
        return (self._data_sums(qv * w) * Iv(xs) - self._data_sums(qv * b) + self._data_sums(qw * vv) * xw
                + self._data_sums(qb * vv) * Iv(bs) + qbeta)

    @_quiet
    def gauss_newton_upper(self, iterations: int = 500, rtol: float = 1e-10) -> float:
        """An upper bound on λ_max(H_GN) = λ_max(D^{1/2} J Jᵀ D^{1/2})/n, D = diag(φ''_j) ⪰ 0.

        λ_max(D^{1/2} J Jᵀ D^{1/2}) = ρ(D J Jᵀ) ≤ ρ(D K) for the non-negative kernel K ≥ |J Jᵀ| of
        :meth:`_kernel_products` (Perron–Frobenius), and ρ(D K) ≤ max_j (D K x)_j / x_j for every x > 0
        (Collatz–Wielandt). x is the float
        power-iteration estimate of the Perron vector (stopped when the float ratios agree to ``rtol``);
        only the final ratio is evaluated rigorously. When min x · max x ≥ −1, K = J Jᵀ and the bound
        tends to λ_max(H_GN)."""
        d_hi = self.d.hi
        x = np.ones(self.n)
        for _ in range(iterations):
            y = d_hi * self._kernel_products(x).mid
            top = float(np.max(y))
            if not top > 0:
                return 0.0
            pos = x > 0
            r = y[pos] / x[pos]
            x = y / top
            if r.max() - r.min() <= rtol * r.max():
                break
        x = np.maximum(x, 1e-12)
        ratio = np.nextafter(np.nextafter(d_hi * self._kernel_products(x).hi, np.inf) / x, np.inf)
        return float(np.nextafter(np.max(ratio) / self.n, np.inf))

    @_quiet
    def lambda_max_upper(self) -> float:
        """λ_max(∇²L) ≤ λ_max(H_GN) + ‖H_F‖₂ + λ (Weyl)."""
        s = self.gauss_newton_upper() + self.eps_f_upper()
        return float(np.nextafter(np.nextafter(s, np.inf) + self.weight_decay, np.inf))

    @_quiet
    def rayleigh_lower(self, u: np.ndarray) -> float:
        """A lower bound on uᵀ∇²L u / uᵀu (≤ λ_max) for a float vector u in the layout (v, w, b, β)."""
        Iv, m, n = self.Iv, self.m, self.n
        u = np.asarray(u, dtype=float)
        uv, uw, ub, ubeta = u[:m], u[m:2 * m], u[2 * m:3 * m], float(u[3 * m])
        v, w, b = Iv(self.v), Iv(self.w), Iv(self.b)
        Ju = (self._data_sums(Iv(uv) * w + Iv(uw) * v) * Iv(self.xs)
              - self._data_sums(Iv(uv) * b + Iv(ub) * v) + Iv(ubeta))
        gn = (self.d * Ju.square()).sum() / n
        hf = (Iv(uv) * (self.a * Iv(uw) + self.c * Iv(ub))).sum() * Iv(2.0)
        num = gn + hf
        uu = Iv(u).square().sum()
        lo = float(num.lo)
        q = lo / float(uu.hi) if lo >= 0 else lo / float(uu.lo)
        return float(np.nextafter(np.nextafter(q, -np.inf) + self.weight_decay, -np.inf))
