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

import numpy as np

from ..model.data import MultiIndexData
from ..model.homogeneous import HomogeneousNet
from ..model.losses import Loss
from .._errors import InputError
from ._base import DEFAULT_KINK_TOL, CurvatureOracle, KinkReport, Problem, dot_rounding


@dataclass(frozen=True, eq=False)
class HomogeneousProblem(Problem):
    """Data, loss and weight decay λ (M.1 uses the square loss with factor 1: L̂ = (1/n)Σ(f − y)²)."""

    data: MultiIndexData
    loss: Loss
    weight_decay: float = 0.0


class HomogeneousOracle(CurvatureOracle):
    def __init__(self, problem: HomogeneousProblem, net: HomogeneousNet, *, kink_tol: float = DEFAULT_KINK_TOL,
                 at_kink: str = "raise"):
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
        self.sqnorm = np.einsum("ij,ij->i", X, X)
        Z = X @ net.W.T
        act = net.activation
        self.S, self.S1, self.S2 = act.sigma(Z), act.d1(Z), act.d2(Z)
        scale = np.sqrt(self.sqnorm)[:, None] * np.linalg.norm(net.W, axis=1)[None, :]
        # near a kink: within kink_tol of the pre-activation's scale ‖x_i‖‖w_j‖, or within the rounding of the
        # d-term product (below that the computed sign of z says nothing)
        mask = np.abs(Z) <= (kink_tol + dot_rounding(self.dim)) * scale
        if act.smoothness == np.inf:
            mask[:] = False
        js, is_ = np.nonzero(mask)
        self.kinks = KinkReport(int(mask.sum()), kink_tol, tuple(zip(js[:10].tolist(), is_[:10].tolist())))
        self.f = self.S @ net.a
        self.g = problem.loss.d1(self.f, y)
        self.d = problem.loss.d2(self.f, y)
        self._phi = problem.loss.value(self.f, y)

    def forward(self) -> np.ndarray:
        return self.f.copy()

    def _split(self, u):
        u = self._vector(u)
        return u[:self.m], u[self.m:].reshape(self.m, self.dim)

    def jacobian(self) -> np.ndarray:
        """J (n × m(d+1)), columns in the flat layout [a, W row-major]."""
        Jw = (self.S1 * self.net.a)[:, :, None] * self.X[:, None, :]
        return np.hstack([self.S, Jw.reshape(self.n, -1)])

    def jvp(self, u) -> np.ndarray:
        ua, UW = self._split(u)
        return self.S @ ua + (self.S1 * (self.X @ UW.T)) @ self.net.a

    def vjp(self, e) -> np.ndarray:
        ga = self.S.T @ e
        gW = self.net.a[:, None] * ((self.S1 * e[:, None]).T @ self.X)
        return np.concatenate([ga, gW.reshape(-1)])

    def _loss(self) -> float:
        return float(np.mean(self._phi))

    def _gradient(self) -> np.ndarray:
        return self.vjp(self.g) / self.n

    def gauss_newton_hvp(self, u) -> np.ndarray:
        return self.vjp(self.d * self.jvp(u)) / self.n

    def functional_hvp(self, u) -> np.ndarray:
        ua, UW = self._split(u)
        XU = self.X @ UW.T                               # (n, m): x_iᵀ u_wj
        gS1 = self.g[:, None] * self.S1
        ha = np.sum(gS1 * XU, axis=0)
        hW = ua[:, None] * (gS1.T @ self.X) + self.net.a[:, None] * ((self.g[:, None] * self.S2 * XU).T @ self.X)
        return np.concatenate([ha, hW.reshape(-1)]) / self.n

    def _hvp(self, u) -> np.ndarray:
        """(H_GN + H_F) u fused: two n × d × m products (XU = X U_Wᵀ forward, Mᵀ X back) and O(nm) elementwise
        work; the u-independent (1/n) (g ⊙ S')ᵀ X of H_F's (a, W) block is formed once per oracle.

            T = S' ⊙ XU,   Ju = S u_a + T a,   e = d ⊙ Ju / n
            h_a = Sᵀ e + (1/n) Tᵀ g
            h_W = a ⊙ (Mᵀ X) + u_a ⊙ C,   M = S' ⊙ e + (1/n) g ⊙ S'' ⊙ XU,   C = (1/n) (g ⊙ S')ᵀ X
        """
        ua, UW = self._split(u)
        n, a = self.n, self.net.a
        XU = self.X @ UW.T
        T = self.S1 * XU
        e = self.d * (self.S @ ua + T @ a) / n
        ha = self.S.T @ e + (self.g @ T) / n
        if self._curved:
            M = self.S1 * e[:, None] + (self.g / n)[:, None] * self.S2 * XU
        else:
            np.multiply(self.S1, e[:, None], out=T)
            M = T
        hW = a[:, None] * (M.T @ self.X) + ua[:, None] * self._cross
        return np.concatenate([ha, hW.reshape(-1)])

    def functional_bottom(self, k: int):
        """At an interpolator of the square loss (g ≡ 0) H_F = 0 exactly, so λ_min(∇²L) ≥ λ (M.2: H = (2/n)JᵀJ + λI);
        otherwise H_F has no closed-form spectrum here (None)."""
        if np.any(self.g):
            return None
        return 0.0, np.zeros((self.num_params, 0))

    @cached_property
    def _cross(self) -> np.ndarray:
        return ((self.g[:, None] * self.S1).T @ self.X) / self.n

    @cached_property
    def _curved(self) -> bool:
        """Whether σ'' is non-zero at some pre-activation (ReLU and leaky ReLU: never, off kinks)."""
        return bool(np.any(self.S2))

    def _trace(self) -> float:
        a = self.net.a
        gn = self.d @ (np.sum(self.S ** 2, axis=1) + self.sqnorm * ((self.S1 ** 2) @ (a ** 2)))
        fn = (self.g * self.sqnorm) @ (self.S2 @ a)
        return float((gn + fn) / self.n)

    def trace_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """(A_j, B_j) of M.2 with the loss's curvature: A_j = (1/n)Σ_i d_i σ(z_ij)²,
        B_j = (1/n) a_j² Σ_i d_i σ'(z_ij)² ‖x_i‖²  (d_i = 2 for M.1's square loss)."""
        A = self.d @ self.S ** 2 / self.n
        B = self.net.a ** 2 * ((self.d * self.sqnorm) @ self.S1 ** 2) / self.n
        return A, B
