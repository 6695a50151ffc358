"""The logistic function and the derivatives of ℓ(z) = log(1 + e^{−z}) in float64, in forms that never overflow
and never compute ``1 − s`` (which would lose the tiny ℓ'' values): margins of ±1e6 are fine and emit no
floating-point warnings; values below the smallest subnormal are returned as 0. The float context's transcendental
primitives (:class:`flatproof.arith.contexts.FloatContext`) and the losses (:mod:`flatproof.model.losses`) use these."""

from __future__ import annotations

import numpy as np


def _ez(z: np.ndarray) -> np.ndarray:
    """e^{−|z|} ∈ (0, 1], underflowing gracefully to 0."""
    with np.errstate(under="ignore"):
        return np.exp(-np.abs(z))


def sigmoid(z: object) -> np.ndarray:
    """s(z) = 1 / (1 + e^{−z}), stable for all z."""
    z = np.asarray(z, dtype=float)
    e = _ez(z)
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def logistic_d1(z: object) -> np.ndarray:
    """ℓ'(z) = −s(−z)."""
    return -sigmoid(-np.asarray(z, dtype=float))


def logistic_d2(z: object) -> np.ndarray:
    """ℓ''(z) = s(z) s(−z) = e^{−|z|} / (1 + e^{−|z|})² ∈ (0, 1/4]."""
    e = _ez(np.asarray(z, dtype=float))
    with np.errstate(under="ignore"):
        return e / (1.0 + e) ** 2
