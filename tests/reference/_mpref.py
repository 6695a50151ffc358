"""An independent 50-digit reference for the [exact] claims of flatproof (mpmath).

Everything here is written from the formulas of flatproof math U.2–U.6 and M.2–M.3, on the *inputs* of an
instance (the float64 numbers of θ and of the data, taken exactly), never by calling flatproof's
measures, derivations or claims. Each ``*_verdict`` function returns the reference verdict of one claim:

* ``"holds"`` / ``"violated"``: decided from the 50-digit numbers;
* ``"hypotheses-not-met"``: a mathematical hypothesis fails exactly (a kink, a non-interpolator, ...);
* ``"tie"``: the decisive margin is within ``TIE`` (relative) of zero: undecidable at this precision, skip.

:func:`acceptable` says which flatproof verdicts are *not wrong* given the reference verdict.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from mpmath import mp, mpf

DPS = 60                        # working precision (≥ 50 significant digits in every reported number)
mp.dps = DPS
TIE = mpf(10) ** -40           # |margin| ≤ TIE · scale: a tie, skipped


def M(t) -> mpf:
    """A float64 (or int) taken exactly."""
    return mpf(float(t)) if not isinstance(t, mpf) else t


def acceptable(flatproof_outcome: str, ref: str, *, holds_ok_when_not_met: bool = False) -> bool:
    """A flatproof verdict is acceptable if it equals the reference one or says 'I cannot tell'."""
    if ref == "tie":
        return True
    if flatproof_outcome in ("inconclusive", "hypotheses-not-met"):
        return True
    if ref == "hypotheses-not-met":
        return flatproof_outcome == "holds" and holds_ok_when_not_met
    return flatproof_outcome == ref


def decide(value, relation: str, bound, scale=None) -> str:
    """holds / violated / tie for ``value REL bound`` in mp."""
    value, bound = M(value), M(bound)
    scale = max(abs(value), abs(bound)) if scale is None else M(scale)      # relative unless a scale is given
    gap = value - bound if relation == ">=" else bound - value
    if abs(gap) <= TIE * scale:
        return "tie"
    return "holds" if gap > 0 else "violated"


def both(*outs: str) -> str:
    """Conjunction of sub-verdicts."""
    if "violated" in outs:
        return "violated"
    if "tie" in outs:
        return "tie"
    return "holds"


# ================================================================================================
# U: univariate network f(x) = Σ v_i (w_i x − b_i)_+ + β
# ================================================================================================
def sig(z):
    return 1 / (1 + mp.exp(-z))


@dataclass
class Uni:
    """θ, data, loss and weight decay of a univariate instance, exactly."""

    v: list
    w: list
    b: list
    beta: mpf
    x: list
    y: list
    loss: str = "logistic"
    factor: mpf = mpf("0.5")
    wd: mpf = mpf(0)
    _cache: dict = field(default_factory=dict, repr=False)

    @classmethod
    def from_arrays(cls, v, w, b, beta, x, y, loss="logistic", factor=0.5, wd=0.0):
        return cls([M(t) for t in v], [M(t) for t in w], [M(t) for t in b], M(beta), [M(t) for t in x],
                   [M(t) for t in y], loss, M(factor), M(wd))

    @classmethod
    def from_instance(cls, inst, net=None):
        net = inst.net if net is None else net
        return cls.from_arrays(net.v, net.w, net.b, net.beta, inst.data.x, inst.data.y, inst.loss.kind,
                               inst.loss.factor, inst.weight_decay)

    @property
    def m(self):
        return len(self.v)

    @property
    def n(self):
        return len(self.x)

    @property
    def p(self):
        return 3 * self.m + 1

    def z(self, j, i):
        return self.w[i] * self.x[j] - self.b[i]

    def at_kink(self) -> bool:
        """A pre-activation exactly 0 on a data point (the exact sign decides: mp products of doubles
        at 60 digits are exact unless the exponents differ by more than ~100 decades, where the
        difference is not near 0 anyway)."""
        return any(self.z(j, i) == 0 for j in range(self.n) for i in range(self.m))

    def act(self, j, i) -> int:
        return 1 if self.z(j, i) > 0 else 0

    def f(self, j):
        return sum((self.v[i] * self.z(j, i) for i in range(self.m) if self.z(j, i) > 0), self.beta)

    def f_at(self, t):
        t = M(t)
        return sum((self.v[i] * (self.w[i] * t - self.b[i]) for i in range(self.m)
                    if self.w[i] * t - self.b[i] > 0), self.beta)

    # loss derivatives in f
    def phi1(self, j):
        f, y = self.f(j), self.y[j]
        if self.loss == "logistic":
            return -y * sig(-y * f)
        return 2 * self.factor * (f - y)

    def phi2(self, j):
        if self.loss == "logistic":
            f = self.f(j)
            return sig(f) * sig(-f)
        return 2 * self.factor

    def grad_f(self, j) -> list:
        m = self.m
        g = [mpf(0)] * self.p
        for i in range(m):
            zi = self.z(j, i)
            if zi > 0:
                g[i] = zi
                g[m + i] = self.v[i] * self.x[j]
                g[2 * m + i] = -self.v[i]
        g[3 * m] = mpf(1)
        return g

    def parts(self):
        """(H_GN, H_F, H) as mp matrices, H = H_GN + H_F + λI (U.2)."""
        if "parts" in self._cache:
            return self._cache["parts"]
        m, n, p = self.m, self.n, self.p
        HGN, HF = mp.zeros(p, p), mp.zeros(p, p)
        for j in range(n):
            g, d, r = self.grad_f(j), self.phi2(j), self.phi1(j)
            for a in range(p):
                if g[a] == 0:
                    continue
                for c in range(p):
                    if g[c] != 0:
                        HGN[a, c] += d * g[a] * g[c] / n
            for i in range(m):
                if self.act(j, i):
                    HF[i, m + i] += r * self.x[j] / n
                    HF[m + i, i] += r * self.x[j] / n
                    HF[i, 2 * m + i] -= r / n
                    HF[2 * m + i, i] -= r / n
        H = HGN + HF + self.wd * mp.eye(p)
        self._cache["parts"] = (HGN, HF, H)
        return self._cache["parts"]

    def eig(self):
        if "eig" not in self._cache:
            E = mp.eigsy(self.parts()[2], eigvals_only=True)
            self._cache["eig"] = sorted(E[i] for i in range(self.p))
        return self._cache["eig"]

    def lambda_max(self):
        return self.eig()[-1]

    def a_c(self):
        """a_i = (1/n)Σ φ'_j 1_i x_j, c_i = −(1/n)Σ φ'_j 1_i (= U.2's with φ' = −r)."""
        n = self.n
        a = [sum((self.phi1(j) * self.x[j] for j in range(n) if self.act(j, i)), mpf(0)) / n for i in range(self.m)]
        c = [-sum((self.phi1(j) for j in range(n) if self.act(j, i)), mpf(0)) / n for i in range(self.m)]
        return a, c

    def eps_F(self):
        a, c = self.a_c()
        return max(mp.sqrt(ai ** 2 + ci ** 2) for ai, ci in zip(a, c, strict=True))

    def trace(self):
        n = self.n
        return sum(self.phi2(j) * sum(t * t for t in self.grad_f(j)) for j in range(n)) / n + self.wd * self.p

    def data_gradient(self):
        n, g = self.n, [mpf(0)] * self.p
        for j in range(n):
            r = self.phi1(j)
            for a, t in enumerate(self.grad_f(j)):
                g[a] += r * t / n
        return g

    # ---- U.4 ----------------------------------------------------------------------------------
    def d(self):
        return [self.phi2(j) for j in range(self.n)]

    def g_side(self, t, side: str, pts=None, wts=None):
        pts = self.x if pts is None else pts
        wts = self.d() if wts is None else wts
        tot = sum(wts)
        sel = [(xj, dj) for xj, dj in zip(pts, wts, strict=True) if (xj > t if side == "+" else xj < t)]
        if not sel or tot == 0:
            return mpf(0)
        P = sum(dj for _, dj in sel) / tot
        if P == 0:
            return mpf(0)
        e_dist = sum(dj * (xj - t if side == "+" else t - xj) for xj, dj in sel) / tot / P
        e_x = sum(dj * xj for xj, dj in sel) / tot / P
        return P ** 2 * e_dist * mp.sqrt(1 + e_x ** 2)

    def weighted_tv(self, sided=True, pts=None, wts=None):
        tot = mpf(0)
        for i in range(self.m):
            if self.w[i] == 0 or self.v[i] == 0:
                continue
            t = self.b[i] / self.w[i]
            gp, gm = self.g_side(t, "+", pts, wts), self.g_side(t, "-", pts, wts)
            g = (gp if self.w[i] > 0 else gm) if sided else min(gp, gm)
            tot += abs(self.v[i] * self.w[i]) * g
        return tot

    def u4_rhs(self, factor=2, sided=True):
        return mp.fsum(self.d()) / self.n * (1 + M(factor) * self.weighted_tv(sided)) - self.eps_F() + self.wd


def weighted_tv_verdict(u: Uni, factor=2.0, sided=True) -> tuple[str, dict]:
    """logistic.weighted-tv, main inequality λ_max ≥ D̄(1 + factor·Σ|v_i w_i| g(t_i)) − ε_F + λ."""
    if u.at_kink():
        return "hypotheses-not-met", {}
    lam, rhs = u.lambda_max(), u.u4_rhs(factor, sided)
    return decide(lam, ">=", rhs), {"lambda_max": lam, "rhs": rhs}


def hessian_structure_verdict(u: Uni) -> tuple[str, dict]:
    """univariate.hessian-structure: all four identities are theorems; only check them in mp to be sure."""
    if u.at_kink():
        return "hypotheses-not-met", {}
    HGN, HF, H = u.parts()
    EF = mp.eigsy(HF, eigvals_only=True)
    normF = max(abs(EF[i]) for i in range(u.p))
    epsF = u.eps_F()
    a, c = u.a_c()
    g = u.data_gradient()
    m = u.m
    res = max([abs(u.v[i] * a[i] - g[m + i]) for i in range(m)] + [abs(u.v[i] * c[i] - g[2 * m + i]) for i in range(m)])
    gs = max([abs(t) for t in g] + [mpf(10) ** -300])
    trH = sum(H[i, i] for i in range(u.p))
    ok = (abs(normF - epsF) <= mpf(10) ** -45 * max(epsF, 1)
          and abs(trH - u.trace()) <= mpf(10) ** -45 * max(abs(trH), 1)
          and res <= mpf(10) ** -45 * gs)
    return ("holds" if ok else "violated"), {"norm_H_F": normF, "epsilon_F": epsF, "trace": trH, "grad_w_resid": res,
                                            "grad": g, "a": a, "c": c}


# ---- U.5: population and Bayes errors ------------------------------------------------------------
@dataclass(frozen=True)
class Logit:
    """A target logit g*(x) written twice from the same parameters: as flatproof text and as an mp
    function, with the places where it varies fast (for breakpoints)."""

    text: str
    fn: object
    features: tuple = ()          # (centre, width) of narrow features
    period: float | None = None    # smallest period of an oscillation


def linear_logit(a: float, c: float = 0.0) -> Logit:
    return Logit(f"{a!r}*x + {c!r}", lambda t: M(a) * t + M(c))


def dip_logit(a: float, c: float, h: float, x0: float, s: float) -> Logit:
    """a x + c − h exp(−((x − x0)/s)²): a narrow dip of width s."""
    return Logit(f"{a!r}*x + {c!r} - {h!r}*exp(-((x - {x0!r})/{s!r})**2)",
                 lambda t: M(a) * t + M(c) - M(h) * mp.exp(-((t - M(x0)) / M(s)) ** 2), ((x0, s),))


def osc_logit(a: float, k: float, c: float = 0.0) -> Logit:
    """a sin(k x) + c: an oscillation of period 2π/k."""
    return Logit(f"{a!r}*sin({k!r}*x) + {c!r}", lambda t: M(a) * mp.sin(M(k) * t) + M(c), (), 2 * math.pi / k)


def _grid(lo, hi, logit: Logit, extra=()) -> list:
    """Points fine enough that g* and f change sign at most once between neighbours."""
    pts = {M(lo), M(hi)}
    base = 64 if logit.period is None else max(64, int(8 * (hi - lo) / logit.period))
    pts.update(M(lo) + (M(hi) - M(lo)) * i / base for i in range(base + 1))
    for x0, s in logit.features:          # e^{−q²} < 1e−60 beyond |q| = 12
        for q in range(-24, 25):
            t = M(x0) + M(s) * q / 2
            if lo < t < hi:
                pts.add(t)
    pts.update(M(t) for t in extra if lo < t < hi)
    return sorted(pts)


def _zeros(fn, grid) -> list:
    out = []
    for a, b in zip(grid[:-1], grid[1:], strict=True):
        fa, fb = fn(a), fn(b)
        if fa == 0:
            out.append(a)
        elif fa * fb < 0:
            out.append(mp.findroot(fn, (a, b), solver="anderson"))
    return out


def excess_error(u: Uni, logit: Logit, flip: float, lo: float = -1.0, hi: float = 1.0) -> mpf:
    """err(sign f) − Bayes error under x ~ U[lo, hi], P(y=1|x) = (1−p)s(g*) + p(1−s(g*)), p < 1/2:
    = (1 − 2p) ∫_{f g* < 0} |2 s(g*) − 1| dx / (hi − lo), split at every zero of f and of g*."""
    p = M(flip)
    knots = [u.b[i] / u.w[i] for i in range(u.m) if u.w[i] != 0]
    grid = _grid(lo, hi, logit, knots)
    zs = sorted(set(_zeros(u.f_at, grid)) | set(_zeros(logit.fn, grid)) | {M(t) for t in knots if lo < t < hi})
    grid = sorted(set(grid) | set(zs))
    total = mpf(0)
    for a, b in zip(grid[:-1], grid[1:], strict=True):
        if b <= a:
            continue
        mid = (a + b) / 2
        if u.f_at(mid) * logit.fn(mid) < 0:
            total += mp.quad(lambda t: abs(2 * sig(logit.fn(t)) - 1), [a, b])
    return (1 - 2 * p) * total / (M(hi) - M(lo))


def errors(u: Uni, logit: Logit, flip: float, lo: float = -1.0, hi: float = 1.0) -> tuple[mpf, mpf]:
    """(err(sign f), Bayes error) separately, on the same breakpoints as :func:`excess_error`."""
    p = M(flip)
    knots = [u.b[i] / u.w[i] for i in range(u.m) if u.w[i] != 0]
    grid = _grid(lo, hi, logit, knots)
    grid = sorted(set(grid) | set(_zeros(u.f_at, grid)) | set(_zeros(logit.fn, grid)))

    def eta(t):
        q = sig(logit.fn(t))
        return (1 - p) * q + p * (1 - q)
    pop = bay = mpf(0)
    for a, b in zip(grid[:-1], grid[1:], strict=True):
        mid = (a + b) / 2
        fpos, gpos = u.f_at(mid) > 0, logit.fn(mid) > 0
        pop += mp.quad((lambda t: 1 - eta(t)) if fpos else eta, [a, b])
        bay += mp.quad((lambda t: 1 - eta(t)) if gpos else eta, [a, b])
    return pop / (M(hi) - M(lo)), bay / (M(hi) - M(lo))


def flat_at_infinity_verdict(base: Uni, c: float, logit: Logit, flip: float, excess: float) -> tuple[str, dict]:
    """logistic.flat-at-infinity's instance-dependent part: err(sign f_θ) − Bayes ≥ Δ (the rest is the U.5
    theorem, true whenever γ > 0). Hypotheses: γ > 0, c ≥ 1, off every kink."""
    gamma = min(base.y[j] * base.f(j) for j in range(base.n))
    if gamma <= 0 or c < 1 or base.at_kink():
        return "hypotheses-not-met", {"gamma": gamma}
    ex = excess_error(base, logit, flip)
    return decide(ex, ">=", excess, scale=1), {"gamma": gamma, "excess_error": ex}


def flat_implies_bayes_verdict(u: Uni, eta: float, logit: Logit, flip: float, excess: float) -> tuple[str, dict]:
    """(false by design) λ_max ≤ 2/η ⇒ err(sign f) ≤ Bayes + Δ."""
    if u.at_kink():
        return "hypotheses-not-met", {}
    H = u.parts()[2]
    frob = mp.sqrt(mp.fsum(H[i, j] ** 2 for i in range(u.p) for j in range(u.p)))
    key, lam = ("frobenius_norm (≥ λ_max)", frob) if frob < 1 / M(eta) else ("lambda_max", u.lambda_max())
    flat = decide(lam, "<=", 2 / M(eta))
    if flat == "tie":
        return "tie", {key: lam}
    if flat == "violated":
        return "hypotheses-not-met", {key: lam}
    ex = excess_error(u, logit, flip)
    return decide(ex, "<=", excess, scale=1), {key: lam, "excess_error": ex}


def u5_bound(base: Uni, c) -> tuple[mpf, dict]:
    """e^{−c²γ}(c² max_j ‖∇f_θ(x_j)‖² + ε₀), ε₀ = max_i √(ā_i² + c̄_i²) (U.5), at the base network θ."""
    n = base.n
    gamma = min(base.y[j] * base.f(j) for j in range(n))
    G = max(sum(t * t for t in base.grad_f(j)) for j in range(n))
    eps0 = max(mp.sqrt((sum(abs(base.x[j]) for j in range(n) if base.act(j, i)) / n) ** 2
                       + (sum(1 for j in range(n) if base.act(j, i)) / mpf(n)) ** 2) for i in range(base.m))
    c = M(c)
    return mp.exp(-c * c * gamma) * (c * c * G + eps0), {"gamma": gamma, "G": G, "eps0": eps0}


def scaled(base: Uni, c) -> Uni:
    c = M(c)
    return Uni([c * t for t in base.v], [c * t for t in base.w], [c * t for t in base.b], c * c * base.beta,
               base.x, base.y, base.loss, base.factor, base.wd)


# ================================================================================================
# M: homogeneous network f(x) = Σ a_j σ(w_jᵀx), square loss (1/n)Σ(f − y)²
# ================================================================================================
@dataclass
class Hom:
    a: list
    W: list            # m rows of d
    X: list            # n rows of d
    y: list
    kind: str          # relu, relu_power, abs_power, leaky_relu
    k: int
    alpha: mpf = mpf(0)

    @classmethod
    def from_instance(cls, inst, net=None):
        net = inst.net if net is None else net
        act = net.activation
        return cls([M(t) for t in net.a], [[M(t) for t in row] for row in net.W],
                   [[M(t) for t in row] for row in inst.data.X], [M(t) for t in inst.data.y],
                   act.family, int(act.k), M(act.alpha))

    @property
    def m(self):
        return len(self.a)

    @property
    def n(self):
        return len(self.X)

    def z(self, i, j):
        return mp.fsum(wk * xk for wk, xk in zip(self.W[j], self.X[i], strict=True))

    def sigma(self, t):
        if self.kind in ("relu", "relu_power"):
            return t ** self.k if t > 0 else mpf(0)
        if self.kind == "abs_power":
            return abs(t) ** self.k
        return t if t > 0 else self.alpha * t

    def dsigma(self, t):
        if self.kind in ("relu", "relu_power"):
            return self.k * t ** (self.k - 1) if t > 0 else mpf(0)
        if self.kind == "abs_power":
            return self.k * abs(t) ** (self.k - 1) * mp.sign(t)
        return mpf(1) if t > 0 else self.alpha

    def d2sigma(self, t):
        if self.kind == "relu_power":
            return self.k * (self.k - 1) * t ** (self.k - 2) if t > 0 else mpf(0)
        if self.kind == "abs_power":
            return self.k * (self.k - 1) * abs(t) ** (self.k - 2)
        return mpf(0)

    def functional_traces(self) -> list:
        """Per neuron, the residual's part of tr ∇²L̂: (2/n) Σ_i r_i a_j σ''(w_jᵀx_i) ‖x_i‖² (0 at an interpolator)."""
        r, n = self.residuals(), self.n
        sq = [mp.fsum(t * t for t in row) for row in self.X]
        return [2 * mp.fsum(r[i] * self.a[j] * self.d2sigma(self.z(i, j)) * sq[i] for i in range(n)) / n
                for j in range(self.m)]

    def at_kink(self) -> bool:
        """A pre-activation exactly 0 where σ is not smooth enough for a Hessian (k = 1 kinds)."""
        if self.k >= 3 or (self.kind == "abs_power" and self.k % 2 == 0):
            return False
        return any(self.z(i, j) == 0 for i in range(self.n) for j in range(self.m))

    def f(self, i):
        return mp.fsum(self.a[j] * self.sigma(self.z(i, j)) for j in range(self.m))

    def residuals(self):
        return [self.f(i) - self.y[i] for i in range(self.n)]

    def interpolates(self) -> bool:
        return all(r == 0 for r in self.residuals())

    def AB(self):
        n = self.n
        sq = [mp.fsum(t * t for t in row) for row in self.X]
        A = [2 * mp.fsum(self.sigma(self.z(i, j)) ** 2 for i in range(n)) / n for j in range(self.m)]
        B = [2 * self.a[j] ** 2 * mp.fsum(self.dsigma(self.z(i, j)) ** 2 * sq[i] for i in range(n)) / n
             for j in range(self.m)]
        return A, B

    def F_sym(self):
        A, B = self.AB()
        k = mpf(self.k)
        return mp.fsum((k + 1) * k ** (-k / (k + 1)) * Aj ** (1 / (k + 1)) * Bj ** (k / (k + 1))
                       for Aj, Bj in zip(A, B, strict=True) if Aj * Bj > 0)

    def orbit_attained(self) -> bool:
        """inf_c F(T_cθ) is attained iff no neuron has exactly one of A_j, B_j zero."""
        A, B = self.AB()
        return all((Aj > 0) == (Bj > 0) for Aj, Bj in zip(A, B, strict=True))


_REL_TIE = mpf(10) ** -6


def flat_by_rescaling_verdict(h: Hom, eps: float, rel_tie=_REL_TIE) -> tuple[str, dict]:
    """(false by design) ∃c: F(T_cθ) ≤ ε, at an interpolator. F(T_cθ) ≥ inf = F_sym, with equality reached
    iff the infimum is attained; the residual's (functional) part of F is O(residual) and is counted as a
    tie band ``rel_tie`` around ε (flatproof accepts interpolators to a tolerance)."""
    if h.at_kink():
        return "hypotheses-not-met", {}
    fs = h.F_sym()
    eps = M(eps)
    info = {"F_sym": fs, "attained": h.orbit_attained()}
    if abs(fs - eps) <= rel_tie * max(eps, fs):
        return "tie", info
    return ("holds" if fs < eps else "violated"), info


def relu_sample_bound_verdict(h: Hom, C: float) -> tuple[str, dict]:
    """homogeneous.relu-sample-bound: F ≥ F_sym ≥ (C/n) Σ_i ‖x_i‖ Σ_j |a_j| (w_jᵀx_i)_+ (ReLU, any θ off the kinks)."""
    if h.kind != "relu":
        return "hypotheses-not-met", {}
    if h.at_kink():
        return "hypotheses-not-met", {}
    A, B = h.AB()
    F = mp.fsum(A) + mp.fsum(B)
    Fs = mp.fsum(2 * mp.sqrt(Aj * Bj) for Aj, Bj in zip(A, B, strict=True))
    n = h.n
    bound = M(C) / n * mp.fsum(mp.sqrt(mp.fsum(t * t for t in h.X[i])) *
                               mp.fsum(abs(h.a[j]) * max(h.z(i, j), 0) for j in range(h.m)) for i in range(n))
    return both(decide(F, ">=", Fs), decide(Fs, ">=", bound)), {"F": F, "F_sym": Fs, "bound": bound}


def critical_constant(h: Hom):
    """The C at which F_sym = (C/n) Σ_i ‖x_i‖ Σ_j |a_j|(w_jᵀx_i)_+ (None if the sum vanishes)."""
    _, info = relu_sample_bound_verdict(h, 1.0)
    return None if not info or info["bound"] == 0 else info["F_sym"] / info["bound"]


def rescaling_verdict(u: Uni) -> tuple[str, dict]:
    """univariate.rescaling: identities and inf_c tr H_GN(T_cθ) = Σ 2√(A_iB_i) + D̄ > 0; hypotheses: no weight
    decay, off the kinks. All are theorems; the reference checks D̄ > 0 (the 'not arbitrarily flat' part)."""
    if u.wd != 0 or u.at_kink():
        return "hypotheses-not-met", {}
    dbar = mp.fsum(u.d()) / u.n
    n = u.n
    A = [mp.fsum(u.phi2(j) * max(u.z(j, i), 0) ** 2 for j in range(n)) / n for i in range(u.m)]
    B = [mp.fsum(u.phi2(j) * u.v[i] ** 2 * u.act(j, i) * (u.x[j] ** 2 + 1) for j in range(n)) / n for i in range(u.m)]
    inf = mp.fsum(2 * mp.sqrt(a * b) for a, b in zip(A, B, strict=True)) + dbar
    return ("holds" if inf > 0 else "violated"), {"D_bar": dbar, "orbit_inf": inf}


def f_sym_factorised(h: Hom) -> mpf:
    """(2/n)(k+1)k^{−k/(k+1)} Σ_j (|a_j|‖w_j‖^k)^{2k/(k+1)} G(ŵ_j), G(ŵ) = (Σσ(ŵᵀx)²)^{1/(k+1)}(Σσ'(ŵᵀx)²‖x‖²)^{k/(k+1)}."""
    k, n = mpf(h.k), h.n
    total = mpf(0)
    for j in range(h.m):
        nw = mp.sqrt(mp.fsum(t * t for t in h.W[j]))
        if nw == 0 or h.a[j] == 0:
            continue
        zh = [mp.fsum(wk * xk for wk, xk in zip(h.W[j], h.X[i], strict=True)) / nw for i in range(n)]
        s1 = mp.fsum(h.sigma(t) ** 2 for t in zh)
        s2 = mp.fsum(h.dsigma(t) ** 2 * mp.fsum(x * x for x in h.X[i]) for i, t in enumerate(zh))
        if s1 == 0 or s2 == 0:
            continue
        total += (abs(h.a[j]) * nw ** k) ** (2 * k / (k + 1)) * s1 ** (1 / (k + 1)) * s2 ** (k / (k + 1))
    return 2 / mpf(n) * (k + 1) * k ** (-k / (k + 1)) * total


def factorisation_verdict(h: Hom, j: int, N: int) -> tuple[str, dict]:
    """homogeneous.factorisation: both identities are theorems (square loss, no weight decay, off the kinks); the
    reference evaluates them at 60 digits and says 'violated' only if they fail there."""
    if h.at_kink():
        return "hypotheses-not-met", {}
    with mp.workdps(1200):          # corner instances span 1e±650: keep 60 digits after any cancellation
        return _factorisation(h, j, N)


def _factorisation(h: Hom, j: int, N: int) -> tuple[str, dict]:
    fs, ff = h.F_sym(), f_sym_factorised(h)
    A, B = h.AB()
    k = mpf(h.k)
    fj = (k + 1) * k ** (-k / (k + 1)) * A[j] ** (1 / (k + 1)) * B[j] ** (k / (k + 1)) if A[j] * B[j] > 0 else mpf(0)
    # N copies (a_j/N, w_j): A unchanged, B/N² each
    copies = N * ((k + 1) * k ** (-k / (k + 1)) * A[j] ** (1 / (k + 1)) * (B[j] / N ** 2) ** (k / (k + 1))) \
        if A[j] * B[j] > 0 else mpf(0)
    pred = mpf(N) ** ((1 - k) / (k + 1)) * fj
    ok = abs(fs - ff) <= mpf(10) ** -45 * max(fs, ff) and abs(copies - pred) <= mpf(10) ** -45 * max(pred, copies)
    return ("holds" if ok else "violated"), {"F_sym": fs, "F_sym_factorised": ff, "F_sym_copies": copies,
                                              "predicted": pred}


def conservation_step(h: Hom, eta) -> tuple[list, list]:
    """One exact GD step on L̂ = (1/n)Σ(f − y)², in exact rational arithmetic (σ of every family is rational on
    rationals for integer k): (q_j(θ − η∇L) − q_j(θ), η²(‖∇_{w_j}L‖² − k(∂_{a_j}L)²)) per neuron. Exact, because
    the two sides differ by −2η(w_jᵀ∇_{w_j}L − k a_j ∂_{a_j}L), which cancels to far below any working precision."""
    from fractions import Fraction as Q
    k, n = h.k, h.n
    q = lambda t: Q(float(t))
    X = [[q(t) for t in row] for row in h.X]
    W = [[q(t) for t in row] for row in h.W]
    a, y, eta, alpha = [q(t) for t in h.a], [q(t) for t in h.y], q(eta), q(h.alpha)

    def sig(t):
        if h.kind in ("relu", "relu_power"):
            return t ** k if t > 0 else Q(0)
        if h.kind == "abs_power":
            return abs(t) ** k
        return t if t > 0 else alpha * t

    def dsig(t):
        if h.kind in ("relu", "relu_power"):
            return k * t ** (k - 1) if t > 0 else Q(0)
        if h.kind == "abs_power":
            return k * abs(t) ** (k - 1) * (1 if t > 0 else -1 if t < 0 else 0)
        return Q(1) if t > 0 else alpha

    Z = [[sum(wc * xc for wc, xc in zip(W[j], X[i], strict=True)) for j in range(h.m)] for i in range(n)]
    r = [sum(a[j] * sig(Z[i][j]) for j in range(h.m)) - y[i] for i in range(n)]
    ga = [2 * sum(r[i] * sig(Z[i][j]) for i in range(n)) / n for j in range(h.m)]
    gW = [[2 * sum(r[i] * a[j] * dsig(Z[i][j]) * X[i][c] for i in range(n)) / n for c in range(len(W[j]))]
          for j in range(h.m)]
    qf = lambda aj, w: sum(t * t for t in w) - k * aj * aj
    drift = [qf(a[j] - eta * ga[j], [w - eta * g for w, g in zip(W[j], gW[j], strict=True)]) - qf(a[j], W[j]) for j in range(h.m)]
    pred = [eta ** 2 * (sum(g * g for g in gW[j]) - k * ga[j] ** 2) for j in range(h.m)]
    return drift, pred


def c_star(h: Hom) -> list:
    """c_j* = (B_j / (k A_j))^{1/(2k+2)} where A_jB_j > 0 (M.3), else None (infimum not attained)."""
    A, B = h.AB()
    k = mpf(h.k)
    return [(Bj / (k * Aj)) ** (1 / (2 * k + 2)) if Aj * Bj > 0 else None for Aj, Bj in zip(A, B, strict=True)]
