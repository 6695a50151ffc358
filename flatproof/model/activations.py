"""Positively homogeneous activations σ of degree k (flatproof math M.1).

σ(ct) = c^k σ(t) for c > 0, and Euler's identity t σ'(t) = k σ(t) holds away from 0.
Derivatives at 0 follow the PyTorch convention (ReLU'(0) = 0); :attr:`Activation.smoothness`
says how many derivatives are continuous at 0, so that callers can refuse to differentiate
through a kink (flatproof math, conventions).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .._errors import InputError


@dataclass(frozen=True)
class Activation:
    """σ, σ', σ'' of one of the four families of M.1.

    family: ``"relu"`` (k = 1), ``"leaky_relu"`` (k = 1, slope ``alpha`` for t < 0),
    ``"relu_power"`` (σ = (t)_+^k) or ``"abs_power"`` (σ = |t|^k).
    """

    family: str
    k: int = 1
    alpha: float = 0.0

    def __post_init__(self) -> None:
        if self.family not in ("relu", "leaky_relu", "relu_power", "abs_power"):
            raise InputError(f"unknown activation family {self.family!r}", field="activation")
        if not isinstance(self.k, (int, np.integer)) or isinstance(self.k, bool) or self.k < 1:
            raise InputError(f"degree k must be an integer >= 1, got {self.k!r}", field="activation")
        if self.family in ("relu", "leaky_relu") and self.k != 1:
            raise InputError(f"{self.family} has degree 1, got k={self.k}", field="activation")
        if not math.isfinite(self.alpha) or (self.family == "leaky_relu" and not 0 <= self.alpha < 1):
            raise InputError(f"leaky ReLU slope must lie in [0, 1), got {self.alpha!r}", field="activation")

    @property
    def name(self) -> str:
        if self.family == "relu":
            return "relu"
        if self.family == "leaky_relu":
            return f"leaky_relu({self.alpha:g})"
        return f"{'relu' if self.family == 'relu_power' else 'abs'}^{self.k}"

    @property
    def smoothness(self) -> int | float:
        """Number of derivatives of σ that are continuous at 0 (``inf`` when σ is a polynomial)."""
        if self.family == "abs_power" and self.k % 2 == 0:
            return math.inf
        return self.k - 1

    def sigma(self, t: np.ndarray) -> np.ndarray:
        t = np.asarray(t, dtype=float)
        if self.family == "relu":
            return np.maximum(t, 0.0)
        if self.family == "leaky_relu":
            return np.where(t > 0, t, self.alpha * t)
        if self.family == "relu_power":
            return np.maximum(t, 0.0) ** self.k
        return np.abs(t) ** self.k

    def d1(self, t: np.ndarray) -> np.ndarray:
        """σ'(t), with σ'(0) = 0 for the degree-1 kinks (PyTorch convention)."""
        t = np.asarray(t, dtype=float)
        k = self.k
        if self.family == "relu":
            return (t > 0).astype(float)
        if self.family == "leaky_relu":
            return np.where(t > 0, 1.0, np.where(t < 0, self.alpha, 0.0))
        if self.family == "relu_power":
            return k * np.maximum(t, 0.0) ** (k - 1) if k > 1 else (t > 0).astype(float)
        if k == 1:
            return np.sign(t)
        return k * np.abs(t) ** (k - 1) * np.sign(t)

    def d2(self, t: np.ndarray) -> np.ndarray:
        """σ''(t) away from kinks (0 at t = 0 where σ'' jumps)."""
        t = np.asarray(t, dtype=float)
        k = self.k
        if k == 1:
            return np.zeros_like(t)
        if self.family == "relu_power":
            return k * (k - 1) * np.maximum(t, 0.0) ** (k - 2) if k > 2 else 2.0 * (t > 0)
        if k == 2:
            return np.full_like(t, 2.0)
        return k * (k - 1) * np.abs(t) ** (k - 2)


def relu() -> Activation:
    return Activation("relu", 1)


def leaky_relu(alpha: float) -> Activation:
    return Activation("leaky_relu", 1, float(alpha))


def relu_power(k: int) -> Activation:
    return Activation("relu", 1) if k == 1 else Activation("relu_power", int(k))


def abs_power(k: int) -> Activation:
    return Activation("abs_power", int(k))


_PATTERNS = [
    (re.compile(r"^relu$"), lambda m: relu()),
    (re.compile(r"^leaky_relu\(\s*([0-9.eE+-]+)\s*\)$"), lambda m: leaky_relu(float(m.group(1)))),
    (re.compile(r"^relu\^([0-9]+)$"), lambda m: relu_power(int(m.group(1)))),
    (re.compile(r"^abs\^([0-9]+)$"), lambda m: abs_power(int(m.group(1)))),
    (re.compile(r"^abs$"), lambda m: abs_power(1)),
]


def parse_activation(text: str) -> Activation:
    """Parse ``relu``, ``leaky_relu(0.1)``, ``relu^k`` or ``abs^k`` (no evaluation of the text)."""
    if not isinstance(text, str):
        raise InputError(f"expected a string such as 'relu' or 'relu^2', got {type(text).__name__}", field="activation")
    s = text.strip().lower()
    for pattern, make in _PATTERNS:
        m = pattern.match(s)
        if m:
            try:
                return make(m)
            except ValueError as exc:
                raise InputError(str(exc), field="activation") from None
    raise InputError(f"unknown activation {text!r} (use relu, leaky_relu(a), relu^k or abs^k)", field="activation")
