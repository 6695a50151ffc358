"""Curvature of the homogeneous network f(x) = Σ_j a_j σ(w_jᵀx) (flatproof math M.1–M.2).

With Z = X Wᵀ (n × m), S = σ(Z), S' = σ'(Z), S'' = σ''(Z), φ the per-sample loss, g_i = φ'(f_i),
d_i = φ''(f_i):

    ∂f_i/∂a_j = σ(z_ij),   ∂f_i/∂w_j = a_j σ'(z_ij) x_i
    ∇²f_i: (a_j, w_j) block σ'(z_ij) x_iᵀ,  (w_j, w_j) block a_j σ''(z_ij) x_i x_iᵀ
    ∇L = (1/n) Jᵀ g,   H = (1/n) Jᵀ diag(d) J + (1/n) Σ_i g_i ∇²f_i
    tr H = (1/n) Σ_i d_i Σ_j (σ(z_ij)² + a_j² σ'(z_ij)² ‖x_i‖²) + (1/n) Σ_i g_i ‖x_i‖² Σ_j a_j σ''(z_ij)

With the square loss of M.1 (φ = (f − y)², factor 1) at an interpolator g = 0, d = 2, so
H = (2/n) JᵀJ and tr H = Σ_j (A_j + B_j) (M.2). Every operation costs O(n m d).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from .._errors import InputError
from ..model.data import MultiIndexData
from ..model.homogeneous import HomogeneousNet
from ..model.losses import Loss
from ._base import DEFAULT_KINK_TOL, CurvatureOracle, KinkReport, Matrix, Problem, Vector, dot_rounding


@dataclass(frozen=True, eq=False)
class HomogeneousProblem(Problem):
    """Data, loss and weight decay λ (M.1 uses the square loss with factor 1: L̂ = (1/n)Σ(f − y)²)."""

    data: MultiIndexData
    loss: Loss
    weight_decay: float = 0.0


def near_kinks(Z: np.ndarray, xnorm: np.ndarray, wnorm: np.ndarray, terms: int, kink_tol: float,
               rows: int = 256) -> KinkReport:
    """The (data point, neuron) pairs with |z_ij| ≤ (kink_tol + γ_d) ‖x_i‖‖w_j‖, z_ij = fl(x_iᵀ w_j) a sum of d = terms
    products: within kink_tol of the pre-activation's scale, or within the rounding of the product (γ_d ‖x‖‖w‖ bounds
    it, Higham Thm 3.1; below that the computed sign of z says nothing). Scanned in blocks of rows, so no second
    n × m array is formed.
    """
    rel = kink_tol + dot_rounding(terms)
    count, examples = 0, list[tuple[int, int]]()
    for lo in range(0, Z.shape[0], rows):
        near = np.abs(Z[lo:lo + rows]) <= rel * np.outer(xnorm[lo:lo + rows], wnorm)
        c = int(np.count_nonzero(near))
        if c:
            count += c
            if len(examples) < 10:
                i, j = np.nonzero(near)
                examples += list(zip((i + lo).tolist(), j.tolist(), strict=True))[:10 - len(examples)]
    return KinkReport(count, kink_tol, tuple(examples))


def unit_scaled(X: np.ndarray) -> tuple[np.ndarray, int]:
    """(X 2^{−e}, e) with max|X 2^{−e}| in [0.5, 1): an exact rescaling (X = 0: e = 0). Quantities homogeneous of
    degree q in the data (‖x‖², σ(w·x)² for σ of degree k) are computed on the scaled data and carry 2^{q e}
    apart, so inputs of 1e-162 (‖x‖² rounds to 0) keep their bits."""
    top = float(np.max(np.abs(X))) if X.size else 0.0
    e = int(np.frexp(top)[1]) if top > 0 else 0
    return np.ldexp(X, -e), e


class HomogeneousOracle(CurvatureOracle):
    def __init__(self, problem: HomogeneousProblem, net: HomogeneousNet, *, kink_tol: float = DEFAULT_KINK_TOL,
                 at_kink: str = "raise") -> None:
        super().__init__(problem.weight_decay, at_kink)
        if net.d != problem.data.d:
            raise InputError(f"network input dimension {net.d} does not match data dimension {problem.data.d}",
                             field="W")
        self.problem, self.net = problem, net
        self.smoothness = net.activation.smoothness
        self.num_params = net.num_params
        self.theta = net.to_vector()
        X, y = problem.data.X, problem.data.y
        self.n, self.m, self.dim = X.shape[0], net.m, X.shape[1]
        self.X = X
        Xt, self._ex = unit_scaled(X)                            # ‖x_i‖² = sq_i · 2^{2 e_x}, sq from X 2^{−e_x}
        self._sq = np.einsum("ij,ij->i", Xt, Xt)                 # no underflow: rows of 1e-162 have ‖x‖² = 2e-324
        with np.errstate(under="ignore", over="ignore"):
            self.sqnorm = np.ldexp(self._sq, 2 * self._ex)
        Z = X @ net.W.T
        act = net.activation
        self.kinks = near_kinks(Z, np.sqrt(self.sqnorm), np.linalg.norm(net.W, axis=1), self.dim, kink_tol) \
            if act.smoothness != np.inf else KinkReport(0, kink_tol)
        self.S1 = act.d1(Z)
        if net.k == 1:      # σ(z) = σ'(z) z exactly for ReLU, leaky ReLU and |t|: S takes Z's memory (page faults
            self.S = np.multiply(Z, self.S1, out=Z)         # on fresh n × m arrays cost more than the arithmetic)
        else:
            self.S = act.sigma(Z)
        self.f = self.S @ net.a
        self.g = problem.loss.d1(self.f, y)
        self.d = problem.loss.d2(self.f, y)
        self._phi = problem.loss.value(self.f, y)

    def forward(self) -> Vector:
        return self.f.copy()

    def _split(self, u: Vector) -> tuple[np.ndarray, np.ndarray]:
        u = self._vector(u)
        return u[:self.m], u[self.m:].reshape(self.m, self.dim)

    def jacobian(self) -> Matrix:
        """J (n × m(d+1)), columns in the flat layout [a, W row-major]."""
        Jw = (self.S1 * self.net.a)[:, :, None] * self.X[:, None, :]
        return np.hstack([self.S, Jw.reshape(self.n, -1)])

    def jvp(self, u: Vector) -> Vector:
        ua, UW = self._split(u)
        return self.S @ ua + (self.S1 * (self.X @ UW.T)) @ self.net.a

    def vjp(self, e: Vector) -> Vector:
        ga = self.S.T @ e
        gW = self.net.a[:, None] * ((self.S1 * e[:, None]).T @ self.X)
        return np.concatenate([ga, gW.reshape(-1)])

    def _loss(self) -> float:
        return float(np.mean(self._phi))

    def _gradient(self) -> Vector:
        return self.vjp(self.g) / self.n

    def gauss_newton_hvp(self, u: Vector) -> Vector:
        return self.vjp(self.d * self.jvp(u)) / self.n

    def functional_hvp(self, u: Vector) -> Vector:
        ua, UW = self._split(u)
        XU = self.X @ UW.T                               # (n, m): x_iᵀ u_wj
        gS1 = self.g[:, None] * self.S1
        ha = np.sum(gS1 * XU, axis=0)
        hW = ua[:, None] * (gS1.T @ self.X) + self.net.a[:, None] * ((self.g[:, None] * self.S2 * XU).T @ self.X)
        return np.concatenate([ha, hW.reshape(-1)]) / self.n

    def _hvp(self, u: Vector) -> Vector:
        """(H_GN + H_F) u in two n × m × d products against S' and O((n + m) d) further work (flatproof math M.1).

        Euler's identity z σ'(z) = k σ(z) (σ(0) = 0, so it holds at kinks too) gives σ(z_ij) = σ'(z_ij) x_iᵀ w_j / k,
        so with V = a ⊙ U_W + u_a ⊙ W / k (rows scaled) and P = S'ᵀ (e ⊙ X):

            Ju_i = x_iᵀ (S' V)_i,   e = d ⊙ Ju / n
            h_a = rowsum(W ⊙ P) / k + rowsum(C ⊙ U_W),   h_W = a ⊙ P + u_a ⊙ C + a ⊙ (Mᵀ X)

        with C = (1/n)(g ⊙ S')ᵀ X formed once per oracle and, only where σ'' ≠ 0, M = (g/n) ⊙ S'' ⊙ (X U_Wᵀ)
        (two more products). No n × m array is formed per product when σ'' ≡ 0 (ReLU, leaky ReLU, |t|).
        """
        m, d = self.m, self.dim
        ua, UW = u[:m], u[m:].reshape(m, d)
        a, k = self.net.a, self.net.k
        buf = self._buffers
        V, SV, P = buf["V"], buf["SV"], buf["P"]
        np.multiply(a[:, None], UW, out=V)
        V += (ua / k)[:, None] * self.net.W
        np.matmul(self.S1, V, out=SV)
        e = np.einsum("ij,ij->i", SV, self.X)
        e *= self.d / self.n
        np.multiply(e[:, None], self.X, out=SV)
        np.matmul(self.S1.T, SV, out=P)
        out = np.empty(self.num_params)
        out[:m] = np.einsum("jl,jl->j", self.net.W, P) / k + np.einsum("jl,jl->j", self._cross, UW)
        hW = out[m:].reshape(m, d)
        np.multiply(a[:, None], P, out=hW)
        hW += ua[:, None] * self._cross
        if self._curved:
            XU = self.X @ UW.T
            XU *= self._g_s2
            hW += a[:, None] * (XU.T @ self.X)
        return out

    def _hvp_block(self, U: Matrix) -> Matrix:
        """(H_GN + H_F) U for a p × b block: the products of :meth:`_hvp` with b right-hand sides at once."""
        m, d, b = self.m, self.dim, U.shape[1]
        Ua, UW = U[:m], U[m:].reshape(m, d, b)
        a, k, W = self.net.a, self.net.k, self.net.W
        V = a[:, None, None] * UW + W[:, :, None] * (Ua / k)[:, None, :]
        SV = (self.S1 @ V.reshape(m, d * b)).reshape(self.n, d, b)
        E = np.einsum("idb,id->ib", SV, self.X) * (self.d / self.n)[:, None]
        P = (self.S1.T @ (self.X[:, :, None] * E[:, None, :]).reshape(self.n, d * b)).reshape(m, d, b)
        out = np.empty_like(U)
        out[:m] = np.einsum("jl,jlb->jb", W, P) / k + np.einsum("jl,jlb->jb", self._cross, UW)
        hW = a[:, None, None] * P + self._cross[:, :, None] * Ua[:, None, :]
        if self._curved:
            for c in range(b):
                XU = self.X @ UW[:, :, c].T
                XU *= self._g_s2
                hW[:, :, c] += a[:, None] * (XU.T @ self.X)
        out[m:] = hW.reshape(m * d, b)
        return out

    def functional_bottom(self, k: int) -> tuple[float, Matrix] | None:
        """At an interpolator of the square loss (g ≡ 0) H_F = 0 exactly, so λ_min(∇²L) ≥ λ (M.2: H = (2/n)JᵀJ + λI);
        otherwise H_F has no closed-form spectrum here (None)."""
        if np.any(self.g):
            return None
        return 0.0, np.zeros((self.num_params, 0))

    @cached_property
    def _cross(self) -> np.ndarray:
        return self.S1.T @ (self.X * (self.g / self.n)[:, None])

    @cached_property
    def S2(self) -> np.ndarray:
        """σ''(Z), formed on first use (identically 0 for the degree-1 activations)."""
        return self.net.activation.d2(self.net.preactivations(self.X))

    @cached_property
    def _curved(self) -> bool:
        """Whether σ'' is non-zero at some pre-activation (ReLU, leaky ReLU and |t|: never, off kinks)."""
        return self.net.k > 1 and bool(np.any(self.S2))

    @cached_property
    def _g_s2(self) -> np.ndarray:
        """(g/n) ⊙ S'', the u-independent factor of H_F's (W, W) block."""
        return (self.g / self.n)[:, None] * self.S2

    @cached_property
    def _buffers(self) -> dict[str, np.ndarray]:
        """Work arrays reused by every :meth:`_hvp` (one oracle is not shared between threads)."""
        return {"V": np.empty((self.m, self.dim)), "SV": np.empty((self.n, self.dim)),
                "P": np.empty((self.m, self.dim))}

    def _trace(self) -> float:
        a = self.net.a
        gn = self.d @ np.sum(self.S ** 2, axis=1) + self._with_sq(self.d, (self.S1 ** 2) @ (a ** 2))
        fn = self._with_sq(self.g, self.S2 @ a) if self.net.k > 1 else 0.0
        return float((gn + fn) / self.n)

    def trace_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """(A_j, B_j) of M.2 with the loss's curvature: A_j = (1/n)Σ_i d_i σ(z_ij)²,
        B_j = (1/n) a_j² Σ_i d_i σ'(z_ij)² ‖x_i‖²  (d_i = 2 for M.1's square loss)."""
        A = self.d @ self.S ** 2 / self.n
        B = self.net.a ** 2 * self._with_sq(self.d, self.S1 ** 2) / self.n
        return A, B

    def _with_sq(self, weights: np.ndarray, M: np.ndarray) -> Any:
        """Σ_i weights_i ‖x_i‖² M_i (M: a vector, or a matrix summed over its rows) with ‖x_i‖² as sq_i · 2^{2 e_x}:
        the power of two is applied after the sum, so inputs of 1e-162 do not lose ‖x_i‖² to underflow."""
        with np.errstate(under="ignore", over="ignore"):
            return np.ldexp((weights * self._sq) @ M, 2 * self._ex)
