"""All the curvature measures of one instance at once (what ``flatproof measure`` prints)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._errors import InputError
from ._base import CurvatureOracle, KinkReport
from .spectral import EigResult, FlatnessAnswer, flatness_from, lambda_max, lambda_min, stability_threshold


@dataclass(frozen=True)
class Measurements:
    num_params: int
    loss: float
    grad_norm: float | None
    lambda_max: EigResult | None
    lambda_min: EigResult | None
    trace: float | None
    frobenius: float | None
    kinks: KinkReport
    eta: float | None
    threshold: float | None
    flatness: FlatnessAnswer | None
    notes: tuple[str, ...]

    def as_dict(self) -> dict:
        def eig(r):
            return None if r is None else {"value": r.value, "residual": float(r.residuals[0]),
                                           "converged": r.converged, "method": r.method, "n_matvec": r.n_matvec}
        return {
            "num_params": self.num_params, "loss": self.loss, "grad_norm": self.grad_norm,
            "lambda_max": eig(self.lambda_max), "lambda_min": eig(self.lambda_min), "trace": self.trace,
            "frobenius": self.frobenius,
            "kinks": {"count": self.kinks.count, "tol": self.kinks.tol,
                      "examples": [list(e) for e in self.kinks.examples]},
            "eta": self.eta, "stability_threshold": self.threshold,
            "eta_flat": None if self.flatness is None else {"answer": self.flatness.answer,
                                                           "reason": self.flatness.reason},
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        from ..display import measurements_repr
        return measurements_repr(self)

    def _repr_html_(self) -> str:
        from ..display import measurements_html
        return measurements_html(self)


def measure(oracle: CurvatureOracle, *, eta: float | None = None, tol: float = 1e-8, seed: int = 0) -> Measurements:
    """Loss, ‖∇L‖, λ_max, λ_min, tr H, ‖H‖_F, kinks and (given η) the stability threshold 2/η.

    At a kink only the loss is reported: gradient and Hessian are not defined there (flatproof math).
    ‖H‖_F needs the dense Hessian and is omitted above ``oracle.dense_limit`` parameters.
    """
    if not (np.isfinite(tol) and 0 < tol < 1):
        raise InputError(f"tolerance must lie in (0, 1), got {tol!r}", field="tol")
    notes = []
    thr = stability_threshold(eta) if eta is not None else None
    if oracle.kinks.count and oracle.at_kink == "raise" and oracle.smoothness < 2:
        notes.append(f"{oracle.kinks.count} pre-activation(s) at a kink: Hessian measures are not defined there")
        grad = None if oracle.smoothness < 1 else float(np.linalg.norm(oracle.gradient()))
        return Measurements(oracle.num_params, oracle.loss(), grad, None, None, None, None, oracle.kinks,
                            eta, thr, None, tuple(notes))
    lmax = lambda_max(oracle, tol=tol, seed=seed)
    lmin = lambda_min(oracle, tol=tol, seed=seed, scale=max(abs(lmax.value), np.finfo(float).tiny))
    frob = None
    if oracle.num_params <= oracle.dense_limit:
        frob = oracle.frobenius_norm()
    else:
        notes.append(f"Frobenius norm omitted: p = {oracle.num_params} > dense limit {oracle.dense_limit}")
    flat = flatness_from(lmax, eta) if eta is not None else None
    return Measurements(oracle.num_params, oracle.loss(), float(np.linalg.norm(oracle.gradient())), lmax, lmin,
                        oracle.trace(), frob, oracle.kinks, eta, thr, flat, tuple(notes))
