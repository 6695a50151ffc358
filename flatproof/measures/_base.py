"""The interface every curvature oracle implements, and what they share.

An oracle is built for one (problem, θ) pair: its constructor does the per-θ set-up, and its
methods return L(θ), ∇L(θ), H u, tr H, … for that θ. With weight decay λ the objective is
L(θ) + (λ/2)‖θ‖², which adds λθ to the gradient, λ I to the Hessian and λ p to the trace.
"""

from __future__ import annotations

import copy
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._errors import InputError, KinkError
from .._validate import finite_scalar
from ..model.data import MultiIndexData, UnivariateData
from ..model.losses import Loss

Vector = NDArray[np.float64]        # a parameter vector (length p) or a vector over the data (length n)
Matrix = NDArray[np.float64]        # a Hessian (p × p), a Jacobian (n × p) or a block of vectors (p × k)


@dataclass(frozen=True, eq=False)
class Problem:
    """Data, per-sample loss and weight decay λ: the objective (1/n) Σ_j φ(f(x_j); y_j) + (λ/2)‖θ‖²."""

    data: UnivariateData | MultiIndexData
    loss: Loss
    weight_decay: float = 0.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "weight_decay", finite_scalar(self.weight_decay, "weight_decay", nonnegative=True))
        self.loss.check_labels(self.data.y)


#: The one default kink tolerance: a pre-activation z is "at a kink" when |z| ≤ KINK_TOL · scale + (rounding of z),
#: with scale the size of the terms z is computed from (univariate: max(|w_i|, |b_i|), i.e. |x_j − t_i| ≤ KINK_TOL ·
#: max(1, |t_i|); homogeneous: ‖x_i‖‖w_j‖). Claims take theirs from ``Tolerances.kink``.
DEFAULT_KINK_TOL = 1e-9


def dot_rounding(terms: int) -> float:
    """γ_k = k u / (1 − k u): |fl(Σ_{l≤k} a_l b_l) − Σ a_l b_l| ≤ γ_k Σ |a_l b_l| (Higham, Thm 3.1)."""
    u = np.finfo(float).eps / 2
    return terms * u / (1 - terms * u)


@dataclass(frozen=True)
class KinkReport:
    """(data point, neuron) pairs whose pre-activation lies within the kink tolerance of 0."""

    count: int
    tol: float
    examples: tuple[tuple[int, int], ...] = ()  # (data index, neuron index), at most 10

    @property
    def at_kink(self) -> bool:
        return self.count > 0


class CurvatureOracle(ABC):
    """Loss, gradient, Hessian-vector products and exact trace at one θ."""

    #: how many derivatives of the activation are continuous at 0
    smoothness: int | float = 0
    #: dense Hessians are formed only up to this many parameters
    dense_limit: int = 4000

    def __init__(self, weight_decay: float, at_kink: str) -> None:
        if at_kink not in ("raise", "convention"):
            raise InputError(f"at_kink must be 'raise' or 'convention', got {at_kink!r}", field="at_kink")
        self.weight_decay = float(weight_decay)
        self.at_kink = at_kink

    # -- to be provided -------------------------------------------------------------------------
    num_params: int
    theta: Vector
    kinks: KinkReport

    @abstractmethod
    def forward(self) -> Vector:  # f(x_j) in the data's order
        ...

    @abstractmethod
    def _loss(self) -> float:
        ...

    @abstractmethod
    def _gradient(self) -> Vector:
        ...

    @abstractmethod
    def gauss_newton_hvp(self, u: Vector) -> Vector:
        """H_GN u = (1/n) Jᵀ (d ⊙ J u)."""
        ...

    @abstractmethod
    def functional_hvp(self, u: Vector) -> Vector:
        """H_F u = (1/n) Σ_j φ'_j ∇²f_j u."""
        ...

    @abstractmethod
    def _trace(self) -> float:
        ...

    # -- shared ---------------------------------------------------------------------------------
    def _require(self, order: int, what: str) -> None:
        if self.kinks.count and self.at_kink == "raise" and order > self.smoothness:
            raise KinkError(self.kinks.count, what)

    def loss(self) -> float:
        """L(θ) + (λ/2)‖θ‖²."""
        return float(self._loss() + 0.5 * self.weight_decay * np.dot(self.theta, self.theta))

    def gradient(self) -> Vector:
        self._require(1, "gradient")
        return self._gradient() + self.weight_decay * self.theta

    def hvp(self, u: ArrayLike) -> Vector:
        """∇²L(θ) u = H_GN u + H_F u + λ u."""
        self._require(2, "Hessian")
        u = self._vector(u)
        return self._hvp(u) + self.weight_decay * u

    def _hvp(self, u: Vector) -> Vector:
        """(H_GN + H_F) u; oracles may fuse the two."""
        return self.gauss_newton_hvp(u) + self.functional_hvp(u)

    def hvp_block(self, U: ArrayLike) -> Matrix:
        """∇²L(θ) U for a block U of shape (p, k), one product per column (oracles may batch them)."""
        self._require(2, "Hessian")
        U = self._block(U)
        return self._hvp_block(U) + self.weight_decay * U

    def _hvp_block(self, U: Matrix) -> Matrix:
        out = np.empty_like(U)
        for j in range(U.shape[1]):
            out[:, j] = self._hvp(U[:, j])
        return out

    def functional_bottom(self, k: int) -> tuple[float, Matrix] | None:
        """(λ_min(H_F), a p × k' orthonormal block of H_F's lowest eigenvectors) when H_F has a closed-form
        spectrum, else None. Since H_GN ⪰ 0, λ_min(∇²L) ≥ λ_min(H_F) + λ."""
        return None

    def with_convention(self) -> CurvatureOracle:
        """This oracle computing at kinks with the convention σ'(0) = σ''(0) = 0 (ReLU'(0) = 0) instead of raising;
        the kink count stays in ``kinks``."""
        if self.at_kink == "convention":
            return self
        other = copy.copy(self)
        other.at_kink = "convention"
        return other

    def trace(self) -> float:
        """tr ∇²L(θ), exact."""
        self._require(2, "Hessian")
        return float(self._trace() + self.weight_decay * self.num_params)

    def hessian(self) -> Matrix:
        """Dense ∇²L(θ) (p × p, read-only), for p <= dense_limit; built once per oracle."""
        self._require(2, "Hessian")
        self._dense_ok()
        H = self.__dict__.get("_hessian_cache")
        if H is None:
            H = self._build_hessian()
            H.setflags(write=False)
            self.__dict__["_hessian_cache"] = H
        return H

    def _build_hessian(self) -> Matrix:
        return self._dense_from(self.hvp)

    def hessian_parts(self) -> tuple[Matrix, Matrix]:
        """(H_GN, H_F) as dense matrices; ∇²L = H_GN + H_F + λ I."""
        self._require(2, "Hessian")
        self._dense_ok()
        return self._dense_from(self.gauss_newton_hvp), self._dense_from(self.functional_hvp)

    def frobenius_norm(self) -> float:
        """‖∇²L(θ)‖_F, exact from the dense Hessian."""
        return float(np.linalg.norm(self.hessian(), "fro"))

    # -- helpers --------------------------------------------------------------------------------
    def _vector(self, u: ArrayLike) -> Vector:
        u = np.asarray(u, dtype=float)
        if u.shape != (self.num_params,):
            raise InputError(f"expected a vector of length {self.num_params}, got shape {u.shape}", field="u")
        return u

    def _block(self, U: ArrayLike) -> Matrix:
        U = np.asarray(U, dtype=float)
        if U.ndim != 2 or U.shape[0] != self.num_params:
            raise InputError(f"expected a block of shape ({self.num_params}, k), got shape {U.shape}", field="U")
        return U

    def _dense_ok(self) -> None:
        if self.num_params > self.dense_limit:
            raise InputError(
                f"p = {self.num_params} parameters exceeds the dense limit {self.dense_limit}; "
                "use hvp/Lanczos instead", field="dense_limit")

    def _dense_from(self, matvec: Callable[[Vector], Vector]) -> Matrix:
        p = self.num_params
        eye = np.eye(p)
        H = np.empty((p, p))
        for k in range(p):
            H[:, k] = matvec(eye[k])
        return 0.5 * (H + H.T)
