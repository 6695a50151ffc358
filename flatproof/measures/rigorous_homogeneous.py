"""Certified curvature of the homogeneous network (flatproof math M.1–M.2) in O(n m d) per product.

Every quantity is an enclosure in vectorised midpoint-radius interval arithmetic (:class:`~flatproof.arith.intervals.Iv`):
the pre-activations Z = X Wᵀ by an interval matrix product (Rump's bound: |Z − fl(X Wᵀ)| ≤ γ_d |X||W|ᵀ), the
activation pattern certified from them (a pre-activation interval that contains 0 at a non-smooth activation is a
kink: :class:`~flatproof.KinkError`), σ, σ', σ'' by interval products (no transcendental function), the
square loss's φ', φ'' by interval arithmetic and the logistic loss's on arb balls, one point at a time.

With D = diag(φ''_i) ⪰ 0, J = [J_a, J_W] (J_a = S, (J_W)_{i,(j,·)} = a_j σ'(z_ij) x_iᵀ) and H_F block-diagonal over
the neurons, with blocks [[0, c_jᵀ], [c_j, a_j K_j]], c_j = (1/n) Σ_i φ'_i σ'(z_ij) x_i, K_j = (1/n) Σ_i φ'_i σ''(z_ij)
x_i x_iᵀ:

* trace: tr ∇²L = (1/n) Σ_i φ''_i (Σ_j σ(z_ij)² + ‖x_i‖² Σ_j a_j² σ'(z_ij)²) + (1/n) Σ_i φ'_i ‖x_i‖² Σ_j a_j σ''(z_ij)
  + λ p, enclosed directly;
* λ_max upper bound (Weyl, three times): λ_max(∇²L) ≤ λ_max(H_GN) + ‖H_F‖₂ + λ, and
  n λ_max(H_GN) = λ_max(D^½ J Jᵀ D^½) ≤ λ_max(Sᵀ D S) + λ_max(D^½ (P ∘ X Xᵀ) D^½) with P = S' A² S'ᵀ ⪰ 0
  (J_W J_Wᵀ = P ∘ X Xᵀ, a Hadamard product). Schur's inequality λ_max(P ∘ Q) ≤ max_i P_ii · λ_max(Q) for
  PSD P, Q gives the second term ≤ max_i Σ_j a_j² σ'(z_ij)² · λ_max(Xᵀ D X), a d × d matrix bounded by
  Gershgorin's discs. λ_max(Sᵀ D S) ≤ ρ(|S|ᵀ D |S|) ≤ max_j (|S|ᵀ D |S| v)_j / v_j for any v > 0
  (Perron–Frobenius and Collatz–Wielandt), v the float power-iteration estimate of the Perron vector and only
  the final ratio evaluated in intervals; for ReLU S ≥ 0 and the bound tends to λ_max(Sᵀ D S).
  ‖H_F‖₂ = max_j ‖block_j‖₂ ≤ max_j (‖c_j‖ + |a_j| (1/n) Σ_i |φ'_i σ''(z_ij)| ‖x_i‖²), equal to max_j ‖c_j‖ when
  σ'' ≡ 0;
* λ_max lower bound: uᵀ∇²L u / uᵀu for a float vector u (Lanczos' Ritz vector by default), evaluated in intervals:
  uᵀ∇²L u = (1/n) Σ_i φ''_i (J u)_i² + 2 Σ_j u_{a_j} c_jᵀ u_{w_j} + Σ_j a_j u_{w_j}ᵀ K_j u_{w_j} + λ ‖u‖².

Each of these costs a few n × m × d products (the interval product of an exact X costs three float products).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InputError, KinkError
from ..arith.intervals import ETA, Iv, _down, _gamma, _quiet, _up
from ..model.homogeneous import HomogeneousNet
from .homogeneous_hessian import HomogeneousProblem


@_quiet
def matmul(A: Iv | np.ndarray, B: Iv | np.ndarray) -> Iv:
    """An enclosure of A B for interval (or exact float) matrices, midpoint-radius (Rump 1999, BIT 39, Thm 2.1):
    |AB − fl(A_m B_m)| ≤ |A_m| B_r + A_r (|B_m| + B_r) + γ_{K+2} |A_m||B_m| + K η, every radius product rounded up by
    :func:`~flatproof.arith.intervals._up` (a sum of K non-negative terms computed in any order). ``Iv`` has no
    matrix product; this is it."""
    A = A if isinstance(A, Iv) else Iv(A)
    B = B if isinstance(B, Iv) else Iv(B)
    K = A.mid.shape[-1]
    mid = A.mid @ B.mid
    absA, absB = np.abs(A.mid), np.abs(B.mid)
    rad = _gamma(K + 2) * (absA @ absB)
    if np.any(B.rad):
        rad += absA @ B.rad
    if np.any(A.rad):
        rad += A.rad @ (absB + B.rad)
    out = Iv(mid)
    out.rad = _up(rad, K + 4) + (K + 1) * ETA
    return out


@dataclass(frozen=True)
class LambdaMaxBounds:
    """A certified bracket lo ≤ λ_max(∇²L) ≤ hi and the pieces of the upper bound."""

    lo: float
    hi: float
    gauss_newton_a: float        # upper bound on λ_max(Sᵀ D S) / n
    gauss_newton_w: float        # upper bound on λ_max(D^½ (P ∘ XXᵀ) D^½) / n
    functional: float            # upper bound on ‖H_F‖₂

    @property
    def width(self) -> float:
        return self.hi - self.lo


class HomogeneousIntervals:
    """Enclosures of the homogeneous network's curvature at one θ (see the module docstring).

    Raises :class:`~flatproof.KinkError` when some pre-activation interval contains 0 and σ is not a polynomial
    (the activation pattern, hence σ', σ'', is then not certified); [exact] claims treat that as a hypothesis
    not met.
    """

    @_quiet
    def __init__(self, problem: HomogeneousProblem, net: HomogeneousNet) -> None:
        X = problem.data.X
        if net.d != X.shape[1]:
            raise InputError(f"network input dimension {net.d} does not match data dimension {X.shape[1]}",
                             field="W")
        self.problem, self.net, self.X = problem, net, X
        self.n, self.m, self.dim = X.shape[0], net.m, X.shape[1]
        self.weight_decay = float(problem.weight_decay)
        self.num_params = net.num_params
        self.sqnorm = (Iv(X) * Iv(X)).sum(axis=1)
        Z = matmul(X, net.W.T)
        self.S, self.S1, self.S2 = self._activation(Z)
        self.f = matmul(self.S, net.a[:, None])[:, 0]
        self.g, self.d = self._loss_derivatives()
        self.g_n = self.g / self.n

    # -- σ, σ', σ'' on intervals -------------------------------------------------------------------
    def _activation(self, Z: Iv) -> tuple[Iv, Iv, Iv | None]:
        act = self.net.activation
        k = act.k
        if act.family == "abs_power" and k % 2 == 0:        # σ = z^k, a polynomial: no pattern to certify
            return _power(Z, k), _power(Z, k - 1) * float(k), _power(Z, k - 2) * float(k * (k - 1))
        pos, neg = Z.mid > Z.rad, Z.mid < -Z.rad            # exact comparisons: mid ∓ rad is the interval's end
        unsure = int(Z.mid.size - np.count_nonzero(pos) - np.count_nonzero(neg))
        if unsure:
            raise KinkError(unsure, "certified Hessian (a pre-activation interval contains 0, so the activation "
                                    "pattern is not certified)")
        if k == 1:                                           # σ' ∈ {0, 1, α, ±1} is exact and σ(z) = σ'(z) z
            if act.family == "relu":
                d1 = pos.astype(float)
                return Iv(Z.mid * d1, Z.rad * d1), Iv(d1), None
            if act.family == "abs_power":
                d1 = np.where(pos, 1.0, -1.0)
                return Iv(np.abs(Z.mid), Z.rad), Iv(d1), None
            d1 = np.where(pos, 1.0, act.alpha)
            return Z * Iv(d1), Iv(d1), None
        sign = np.where(pos, 1.0, -1.0)
        T = Iv(Z.mid * sign, Z.rad)                          # |z|, certified > 0
        one = np.ones(Z.shape)
        if act.family == "relu_power":
            c0, c1, c2 = pos * one, pos * one, pos * one
        else:                                                # |t|^k, k odd: σ' is odd, σ'' even
            c0, c1, c2 = one, sign, one
        S = _power(T, k) * Iv(c0)
        S1 = _power(T, k - 1) * Iv(c1 * k)
        S2 = _power(T, k - 2) * Iv(c2 * (k * (k - 1)))
        return S, S1, S2

    def _loss_derivatives(self) -> tuple[Iv, Iv]:
        loss, y = self.problem.loss, self.problem.data.y
        if loss.kind != "logistic":
            k2 = Iv(2.0) * Iv(float(loss.factor))
            return (self.f - Iv(y)) * k2, Iv(np.full(self.n, k2.mid), np.full(self.n, k2.rad))
        from ..arith.contexts import IntervalContext  # φ', φ'' of the logistic loss on arb balls: one home
        ctx = IntervalContext()
        yy = ctx.exact(y)
        d1, d2 = ctx.logistic_derivatives(yy * self.f)
        return yy * d1, d2

    # -- certified quantities ------------------------------------------------------------------------
    @_quiet
    def trace(self) -> Iv:
        """An enclosure of tr ∇²L(θ) (a 0-d :class:`Iv`)."""
        a2 = self.net.a ** 2
        a2_lo, a2_hi = _down(a2, 1), _up(a2, 1)
        s_lo, s_hi = _square_bounds(self.S)
        s1_lo, s1_hi = _square_bounds(self.S1)
        m = self.m
        gn_rows = Iv.from_bounds(_down(s_lo.sum(axis=1), m + 2), _up(s_hi.sum(axis=1), m + 2)) + self.sqnorm * \
            Iv.from_bounds(_down(s1_lo @ a2_lo, m + 2), _up(s1_hi @ a2_hi, m + 2))
        total = (self.d * gn_rows).sum()
        if self.S2 is not None:
            total = total + (self.g * self.sqnorm * matmul(self.S2, self.net.a[:, None])[:, 0]).sum()
        return total / self.n + Iv(self.weight_decay) * Iv(float(self.num_params))

    @_quiet
    def trace_blocks(self) -> tuple[Iv, Iv]:
        """Enclosures of M.2's per-neuron (A_j, B_j) with the loss's curvature: A_j = (1/n) Σ_i φ''_i σ(z_ij)²,
        B_j = (1/n) a_j² Σ_i φ''_i σ'(z_ij)² ‖x_i‖² (φ'' = 2 for M.1's square loss), each an m-vector :class:`Iv`."""
        n = self.n
        s_lo, s_hi = _square_bounds(self.S)
        s1_lo, s1_hi = _square_bounds(self.S1)
        d_lo, d_hi = np.maximum(self.d.lo, 0.0), self.d.hi
        dx_lo, dx_hi = _down(d_lo * np.maximum(self.sqnorm.lo, 0.0), 1), _up(d_hi * self.sqnorm.hi, 1)
        A = Iv.from_bounds(_down(d_lo @ s_lo, n + 2), _up(d_hi @ s_hi, n + 2)) / n
        a2 = self.net.a ** 2
        B = Iv.from_bounds(_down(_down(dx_lo @ s1_lo, n + 2) * _down(a2, 1), 1),
                           _up(_up(dx_hi @ s1_hi, n + 2) * _up(a2, 1), 1)) / n
        return A, B

    @_quiet
    def f_sym(self) -> Iv:
        """An enclosure of F_sym = Σ_j 2√(A_j B_j) (M.3) from :meth:`trace_blocks` (a 0-d :class:`Iv`)."""
        A, B = self.trace_blocks()
        return (_sqrt(A * B) * Iv(2.0)).sum()

    @_quiet
    def sample_bound(self, constant: float) -> Iv:
        """An enclosure of (C/n) Σ_i ‖x_i‖ Σ_j |a_j| σ(w_jᵀx_i) (M.3's ReLU sample bound, C = ``constant``)."""
        inner = matmul(self.S, np.abs(self.net.a)[:, None])[:, 0]
        return (_sqrt(self.sqnorm) * inner).sum() * Iv(float(constant)) / self.n

    @_quiet
    def cross(self) -> Iv:
        """c_j = (1/n) Σ_i φ'_i σ'(z_ij) x_i, an m × d enclosure (H_F's (a_j, w_j) block)."""
        return matmul(Iv(self.S1.mid.T, self.S1.rad.T), Iv(self.X) * Iv(self.g_n.mid[:, None], self.g_n.rad[:, None]))

    @_quiet
    def functional_norm_upper(self) -> float:
        """‖H_F‖₂ ≤ max_j (‖c_j‖ + |a_j| (1/n) Σ_i |φ'_i σ''(z_ij)| ‖x_i‖²)."""
        C = self.cross()
        cn = np.sqrt(_up(np.sum(C.mag ** 2, axis=1), self.dim + 2))
        bound = np.nextafter(cn, np.inf)
        if self.S2 is not None:
            w = _up(self.g_n.mag * self.sqnorm.mag, 2)
            kappa = _up(self.S2.mag.T @ w, self.n + 2)
            bound = _up(bound + _up(np.abs(self.net.a) * kappa, 1), 1)
        return float(np.max(bound))

    @_quiet
    def gauss_newton_a_upper(self, tol: float = 1e-8) -> float:
        """λ_max(Sᵀ D S)/n ≤ max_j (|S|ᵀ D |S| v)_j / (n v_j) for any v > 0; v is the float Lanczos estimate of the
        Perron vector of |S|ᵀ D |S| (entrywise of one sign), and only this final ratio is evaluated rigorously."""
        from .spectral import lambda_max
        Sabs = self.S.mag
        d_hi = np.maximum(self.d.hi, 0.0)                     # φ'' ≥ 0 for both losses
        if not np.any(d_hi) or not np.any(Sabs):
            return 0.0
        top = lambda_max((lambda v: Sabs.T @ (d_hi * (Sabs @ v)), self.m), tol=tol)
        v = np.abs(top.eigenvectors[:, 0])
        v = np.maximum(v / np.max(v), 1e-12)
        Sv = _up(Sabs @ v, self.m + 2)
        w = _up(Sabs.T @ _up(d_hi * Sv, 1), self.n + 2)
        return float(np.nextafter(np.max(np.nextafter(w / v, np.inf)) / self.n, np.inf) * (1 + 4 * 2.0 ** -53))

    @_quiet
    def gauss_newton_w_upper(self) -> float:
        """λ_max(D^½ (P ∘ XXᵀ) D^½)/n ≤ max_i Σ_j a_j² σ'(z_ij)² · λ_max(Xᵀ D X)/n (Schur), the latter by
        :func:`psd_lambda_max_upper`."""
        a2 = _up(self.net.a ** 2, 1)
        pmax = float(np.max(_up(_up(self.S1.mag ** 2, 1) @ a2, self.m + 2)))
        G = matmul(Iv(self.X.T), Iv(self.X) * Iv(self.d.mid[:, None], self.d.rad[:, None]))
        gersh = psd_lambda_max_upper(G)
        return float(np.nextafter(_up(np.float64(pmax * max(gersh, 0.0)), 1) / self.n, np.inf))

    @_quiet
    def lambda_max_upper(self) -> LambdaMaxBounds:
        """λ_max(∇²L) ≤ λ_max(H_GN) + ‖H_F‖₂ + λ with each term bounded as in the module docstring (lo = −∞ here)."""
        ga, gw, hf = self.gauss_newton_a_upper(), self.gauss_newton_w_upper(), self.functional_norm_upper()
        hi = float(_up(np.float64(ga + gw + hf + self.weight_decay), 3))
        return LambdaMaxBounds(-np.inf, hi, ga, gw, hf)

    @_quiet
    def rayleigh(self, u: np.ndarray) -> Iv:
        """An enclosure of uᵀ∇²L u / uᵀu for a float vector u in the layout [a, W row-major] (≤ λ_max)."""
        u = np.asarray(u, dtype=float)
        if u.shape != (self.num_params,):
            raise InputError(f"expected a vector of length {self.num_params}, got shape {u.shape}", field="u")
        m, d, n = self.m, self.dim, self.n
        ua, UW = u[:m], u[m:].reshape(m, d)
        a = self.net.a
        XU = matmul(self.X, UW.T)                                     # x_iᵀ u_wj
        Ju = matmul(self.S, ua[:, None])[:, 0] + ((self.S1 * XU) * Iv(a[None, :])).sum(axis=1)
        num = (self.d * Ju.square()).sum() / n
        C = self.cross()
        num = num + ((C * Iv(UW)).sum(axis=1) * Iv(ua)).sum() * Iv(2.0)
        if self.S2 is not None:
            num = num + ((self.S2 * XU.square()) * Iv(a[None, :]) * Iv(self.g_n.mid[:, None],
                                                                         self.g_n.rad[:, None])).sum()
        uu = Iv(u).square().sum()
        q = _divide(num, uu)
        return q + Iv(self.weight_decay)

    def lambda_max_bounds(self, u: np.ndarray | None = None, *, tol: float = 1e-10, seed: int = 0) -> LambdaMaxBounds:
        """A certified bracket of λ_max(∇²L): the Rayleigh quotient of u below (any u gives a valid bound; by
        default the float Lanczos vector of :func:`~flatproof.measures.spectral.lambda_max`), :meth:`lambda_max_upper`
        above."""
        if u is None:
            from .homogeneous_hessian import HomogeneousOracle
            from .spectral import lambda_max
            u = lambda_max(HomogeneousOracle(self.problem, self.net, at_kink="convention"), tol=tol,
                           seed=seed).eigenvectors[:, 0]
        up = self.lambda_max_upper()
        lo = float(self.rayleigh(u).lo)
        return LambdaMaxBounds(lo, up.hi, up.gauss_newton_a, up.gauss_newton_w, up.functional)


@_quiet
def gershgorin_upper(G: Iv) -> float:
    """max_l (G_ll + Σ_{k≠l} |G_lk|) over the enclosure: ≥ λ_max of every symmetric matrix in G."""
    absG = G.mag
    np.fill_diagonal(absG, 0.0)
    off = _up(np.sum(absG, axis=1), G.shape[0] + 2)
    return float(np.max(_up(np.diag(G.hi) + off, 1)))


@_quiet
def psd_lambda_max_upper(G: Iv) -> float:
    """An upper bound on λ_max of every symmetric positive semi-definite matrix in the d × d enclosure G.

    Gershgorin's discs directly, or after a congruence by the float eigenvectors V of G's midpoint: B = Vᵀ G V
    is nearly diagonal, so its discs are tight, and by Ostrowski's theorem λ_max(VᵀGV) = θ λ_max(G) with
    θ ≥ σ_min(V)² ≥ 1 − ‖VᵀV − I‖_F, so λ_max(G) ≤ gershgorin(B) / (1 − ‖VᵀV − I‖_F) (both in intervals).
    The smaller of the two bounds."""
    direct = gershgorin_upper(G)
    _, V = np.linalg.eigh(0.5 * (G.mid + G.mid.T))
    B = matmul(matmul(Iv(V.T), G), V)
    E = matmul(V.T, V) - Iv(np.eye(V.shape[0]))
    eps = float(np.nextafter(np.sqrt(_up(np.sum(E.mag ** 2), E.mid.size + 2)), np.inf))
    if not eps < 0.5:
        return direct
    top = max(gershgorin_upper(B), 0.0)
    congruent = float(np.nextafter(top / float(np.nextafter(1.0 - eps, -np.inf)), np.inf))
    return min(direct, congruent)


@_quiet
def _sqrt(x: Iv) -> Iv:
    """√x enclosed (negative parts clipped to 0): numpy's sqrt is correctly rounded, one step outward suffices."""
    lo, hi = np.maximum(x.lo, 0.0), np.maximum(x.hi, 0.0)
    return Iv.from_bounds(np.maximum(np.nextafter(np.sqrt(lo), -np.inf), 0.0), np.nextafter(np.sqrt(hi), np.inf))


def _square_bounds(A: Iv) -> tuple[np.ndarray, np.ndarray]:
    """Elementwise lo ≤ a² ≤ hi over A's intervals, as two arrays (fewer temporaries than ``A.square()``)."""
    mag = np.abs(A.mid)
    mig = mag - A.rad
    np.maximum(mig, 0.0, out=mig)
    mag += A.rad
    return _down(mig * mig, 3), _up(mag * mag, 3)


def _power(T: Iv, k: int) -> Iv:
    """T^k by repeated interval products (k ≥ 0)."""
    out = Iv(np.ones(T.shape))
    for _ in range(k):
        out = out * T
    return out


@_quiet
def _divide(num: Iv, den: Iv) -> Iv:
    """num / den for a scalar den > 0 (an interval with positive lower end): outward-rounded endpoint quotients."""
    dlo, dhi = float(den.lo), float(den.hi)
    if not dlo > 0:
        raise InputError("u must be non-zero", field="u")
    nlo, nhi = float(num.lo), float(num.hi)
    qs = [nlo / dlo, nlo / dhi, nhi / dlo, nhi / dhi]
    return Iv.from_bounds(np.nextafter(min(qs), -np.inf), np.nextafter(max(qs), np.inf))
