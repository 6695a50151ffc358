"""Losses of flatproof math U.1 and M.1, written per sample as φ(f; y) with derivatives in f.

The logistic loss ℓ(z) = log(1 + e^{−z}) and its derivatives ℓ'(z) = −s(−z), ℓ''(z) = s(z)s(−z) are
evaluated in forms that never overflow and never compute ``1 − s`` (which would lose the tiny
ℓ'' values): margins of ±1e6 are fine and emit no floating-point warnings. Values below the
smallest subnormal float are returned as 0 (their logarithms are available from
:func:`log_logistic_d2` and :func:`log_sigmoid`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .._errors import InputError
from ..arith.logistic import _ez, logistic_d1, logistic_d2
from ..arith.logistic import sigmoid as sigmoid  # re-exported: the model's users import it from here


def log_sigmoid(z: ArrayLike) -> np.ndarray:
    """log s(z) = −ℓ(z)."""
    return -logistic(z)


def logistic(z: ArrayLike) -> np.ndarray:
    """ℓ(z) = log(1 + e^{−z}) = max(−z, 0) + log1p(e^{−|z|})."""
    z = np.asarray(z, dtype=float)
    return np.maximum(-z, 0.0) + np.log1p(_ez(z))


def log_logistic_d2(z: ArrayLike) -> np.ndarray:
    """log ℓ''(z) = −|z| − 2 log1p(e^{−|z|}), finite for every finite z."""
    z = np.asarray(z, dtype=float)
    return -np.abs(z) - 2.0 * np.log1p(_ez(z))


def logit_width(delta: float) -> float:
    """τ > 0 with s(τ)s(−τ) = δ for δ ∈ (0, 1/4] (flatproof math U.3): U_δ = {|f| ≤ τ}."""
    if not (0.0 < delta <= 0.25):
        raise InputError(f"delta must lie in (0, 1/4], got {delta!r}", field="delta")
    root = np.sqrt(max(0.0, 1.0 - 4.0 * delta))
    # s(τ) = p = (1 + √(1−4δ))/2, τ = log(p/(1−p)), with 1 − p = 2δ/(1 + √(1−4δ)) computed stably.
    p = 0.5 * (1.0 + root)
    q = 2.0 * delta / (1.0 + root)
    return float(np.log(p) - np.log(q))


def takes_factor(kind: str) -> bool:
    """Whether the loss named ``kind`` takes a factor: the square loss does, the logistic loss does not."""
    return kind == "square"


@dataclass(frozen=True)
class Loss:
    """A per-sample loss φ(f; y) with φ' and φ'' in f.

    kind ``"logistic"``: φ = ℓ(y f) with y ∈ {−1, +1} (U.1), so φ' = y ℓ'(y f), φ'' = ℓ''(y f).
    kind ``"square"``: φ = factor · (f − y)²; factor 1/2 gives U.1's L = (1/(2n))Σ(f − y)²,
    factor 1 gives M.1's L̂ = (1/n)Σ(f − y)².
    """

    kind: str
    factor: float = 0.5

    def __post_init__(self) -> None:
        if self.kind not in ("logistic", "square"):
            raise InputError(f"unknown loss {self.kind!r} (use 'logistic' or 'square')", field="loss.kind")
        if not (np.isfinite(self.factor) and self.factor > 0):
            raise InputError(f"square-loss factor must be positive, got {self.factor!r}", field="loss.factor")

    @property
    def has_factor(self) -> bool:
        """Whether the loss takes a factor (the square loss; the logistic loss has none)."""
        return takes_factor(self.kind)

    def check_labels(self, y: np.ndarray) -> None:
        if self.kind == "logistic" and not np.all(np.abs(y) == 1.0):
            raise InputError("logistic loss needs labels in {-1, +1}", field="y")

    def value(self, f: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.kind == "logistic":
            return logistic(y * f)
        return self.factor * (f - y) ** 2

    def d1(self, f: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.kind == "logistic":
            return y * logistic_d1(y * f)
        return 2.0 * self.factor * (f - y)

    def d2(self, f: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.kind == "logistic":
            return logistic_d2(y * f)
        return np.full(np.shape(f), 2.0 * self.factor)


def logistic_loss() -> Loss:
    return Loss("logistic")


def square_loss(factor: float = 0.5) -> Loss:
    return Loss("square", float(factor))
