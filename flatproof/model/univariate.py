"""The univariate two-layer ReLU network of flatproof math U.1.

    f_θ(x) = Σ_{i=1..m} v_i (w_i x − b_i)_+ + β,      θ = (v, w, b, β) ∈ R^{3m+1}.

Flat-vector layout (used by every gradient, Hessian and HVP in flatproof)::

    θ = [v_1..v_m, w_1..w_m, b_1..b_m, β]      (indices 0..m−1, m..2m−1, 2m..3m−1, 3m)

Neuron i has its knot at t_i = b_i / w_i (w_i ≠ 0), is active on x > t_i if w_i > 0 and on x < t_i
if w_i < 0; its slope jump at t_i is v_i |w_i|.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._errors import InputError
from .._validate import finite_array, finite_scalar


@dataclass(frozen=True, eq=False)
class UnivariateNet:
    v: np.ndarray
    w: np.ndarray
    b: np.ndarray
    beta: float = 0.0

    def __post_init__(self) -> None:
        v = finite_array(self.v, "v", ndim=1)
        if v.shape[0] == 0:
            raise InputError("width must be at least 1", field="v")
        object.__setattr__(self, "v", v)
        object.__setattr__(self, "w", finite_array(self.w, "w", ndim=1, length=v.shape[0]))
        object.__setattr__(self, "b", finite_array(self.b, "b", ndim=1, length=v.shape[0]))
        object.__setattr__(self, "beta", finite_scalar(self.beta, "beta"))
        for arr in (self.v, self.w, self.b):
            arr.setflags(write=False)

    # ---- layout -------------------------------------------------------------------------------
    @property
    def m(self) -> int:
        return int(self.v.shape[0])

    @property
    def num_params(self) -> int:
        return 3 * self.m + 1

    def to_vector(self) -> np.ndarray:
        return np.concatenate([self.v, self.w, self.b, [self.beta]])

    @classmethod
    def from_vector(cls, theta: ArrayLike) -> UnivariateNet:
        theta = finite_array(theta, "theta", ndim=1)
        if theta.shape[0] < 4 or (theta.shape[0] - 1) % 3:
            raise InputError(f"a univariate θ has length 3m+1 (m >= 1), got {theta.shape[0]}", field="theta")
        m = (theta.shape[0] - 1) // 3
        return cls(theta[:m], theta[m:2 * m], theta[2 * m:3 * m], float(theta[3 * m]))

    # ---- function -----------------------------------------------------------------------------
    def preactivations(self, x: ArrayLike) -> np.ndarray:
        """z_ij = w_i x_j − b_i, shape (n, m), each with one rounding relative to itself (the product is made
        exact first: :func:`accurate_preactivation`). Dense: O(nm) memory; for small inputs and checks."""
        x = np.asarray(x, dtype=float)
        return accurate_preactivation(self.w[None, :], x[:, None], self.b[None, :])

    def activation_pattern(self, x: ArrayLike) -> np.ndarray:
        """1_i(x_j) = [w_i x_j − b_i > 0] (ReLU'(0) = 0), shape (n, m)."""
        return self.preactivations(x) > 0

    def __call__(self, x: ArrayLike) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        out = np.full(x.shape, self.beta)
        for lo in range(0, x.size, 4096):  # chunks keep memory at O(4096·m)
            xs = x.reshape(-1)[lo:lo + 4096]
            out.reshape(-1)[lo:lo + 4096] += np.maximum(self.preactivations(xs), 0.0) @ self.v
        return out

    @property
    def knots(self) -> np.ndarray:
        """t_i = b_i / w_i (NaN for w_i = 0: such a neuron is constant in x)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(self.w != 0, self.b / np.where(self.w != 0, self.w, 1.0), np.nan)

    @property
    def slope_jumps(self) -> np.ndarray:
        """Jump of f' at t_i caused by neuron i: v_i |w_i|."""
        return self.v * np.abs(self.w)

    def tv1(self) -> float:
        """TV(f') = ∫|f''| = Σ over distinct knots |Σ_{i at the knot} v_i |w_i||  (U.1)."""
        mask = self.w != 0
        if not np.any(mask):
            return 0.0
        t = self.knots[mask]
        jumps = self.slope_jumps[mask]
        uniq, inverse = np.unique(t, return_inverse=True)
        return float(np.sum(np.abs(np.bincount(inverse, weights=jumps, minlength=uniq.size))))


_SPLIT = 134217729.0  # 2²⁷ + 1, Dekker's splitting constant


def accurate_preactivation(w: float | np.ndarray, x: np.ndarray, b: float | np.ndarray) -> np.ndarray:
    """w x − b with the product w·x made exact first (Dekker's TwoProduct: p + e = w x exactly), so that near
    the knot, where p − b is exact (Sterbenz), the result carries one rounding relative to itself instead of
    one relative to |w x|. Falls back to the plain expression where the splitting would overflow."""
    x = np.asarray(x, dtype=float)
    w, b = np.asarray(w, dtype=float), np.asarray(b, dtype=float)
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        p = w * x
        cw = _SPLIT * w
        wh = cw - (cw - w)
        wl = w - wh
        cx = _SPLIT * x
        xh = cx - (cx - x)
        xl = x - xh
        e = ((wh * xh - p) + wh * xl + wl * xh) + wl * xl
        z = (p - b) + e
    with np.errstate(under="ignore"):
        plain = w * x - b
    return np.where(np.isfinite(z) & np.isfinite(e), z, plain)
