"""The two-layer positively homogeneous network of flatproof math M.1.

    f_θ(x) = Σ_{j=1..m} a_j σ(w_jᵀ x),   x ∈ R^d,   θ = (a, W),   σ homogeneous of degree k.

Flat-vector layout: θ = [a_1..a_m, W[0, :], W[1, :], …, W[m−1, :]] (W row-major, row j = w_j),
so p = m (d + 1).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from .._errors import InputError
from .._validate import finite_array
from .activations import Activation, relu


@dataclass(frozen=True, eq=False)
class HomogeneousNet:
    a: np.ndarray
    W: np.ndarray
    activation: Activation = field(default_factory=relu)

    def __post_init__(self) -> None:
        a = finite_array(self.a, "a", ndim=1)
        if a.shape[0] == 0:
            raise InputError("width must be at least 1", field="a")
        W = finite_array(self.W, "W", ndim=2, length=a.shape[0])
        if W.shape[1] == 0:
            raise InputError("input dimension must be at least 1", field="W")
        if not isinstance(self.activation, Activation):
            raise InputError("expected an Activation", field="activation")
        a.setflags(write=False)
        W.setflags(write=False)
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "W", W)

    @property
    def m(self) -> int:
        return int(self.a.shape[0])

    @property
    def d(self) -> int:
        return int(self.W.shape[1])

    @property
    def k(self) -> int:
        return self.activation.k

    @property
    def num_params(self) -> int:
        return self.m * (self.d + 1)

    def to_vector(self) -> np.ndarray:
        return np.concatenate([self.a, self.W.reshape(-1)])

    @classmethod
    def from_vector(cls, theta: ArrayLike, m: int, d: int, activation: Activation) -> HomogeneousNet:
        theta = finite_array(theta, "theta", ndim=1, length=m * (d + 1))
        return cls(theta[:m], theta[m:].reshape(m, d), activation)

    def preactivations(self, X: ArrayLike) -> np.ndarray:
        """z_ij = w_jᵀ x_i, shape (n, m)."""
        return np.asarray(X, dtype=float) @ self.W.T

    def activation_pattern(self, X: ArrayLike) -> np.ndarray:
        return self.preactivations(X) > 0

    def __call__(self, X: ArrayLike) -> np.ndarray:
        return self.activation.sigma(self.preactivations(X)) @ self.a
