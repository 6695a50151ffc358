"""All the curvature measures of one instance at once (what ``flatproof measure`` prints)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

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

    def as_dict(self) -> dict[str, Any]:
        def eig(r: EigResult | None) -> dict[str, Any] | None:
            return None if r is None else {"value": r.value, "residual": float(r.residuals[0]),
                                           "converged": r.converged, "method": r.method, "n_matvec": r.n_matvec,
                                           "bounds": [float(t) for t in r.bounds]}
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
        from .._display import measurements_repr
        return measurements_repr(self)

    def _repr_html_(self) -> str:
        from .._display import measurements_html
        return measurements_html(self)


#: what ``measure`` can compute (``--what``); all by default
QUANTITIES = ("loss", "grad_norm", "lambda_max", "lambda_min", "trace", "frobenius")


def parse_what(text: str | None) -> frozenset[str]:
    """``"lambda_max,trace"`` → the set of quantities; None or ``"all"`` → every quantity."""
    if text is None or text.strip() == "all":
        return frozenset(QUANTITIES)
    items = [t.strip() for t in text.split(",") if t.strip()]
    bad = [t for t in items if t not in QUANTITIES]
    if bad or not items:
        raise InputError(f"unknown quantity {', '.join(bad) or '(none given)'} (choose from {', '.join(QUANTITIES)} "
                         "or all)", field="what")
    return frozenset(items)


def measure(oracle: CurvatureOracle, *, eta: float | None = None, tol: float = 1e-8, seed: int = 0,
            what: str | Iterable[str] | None = None, budget: int | None = None,
            at_kink: str = "convention") -> Measurements:
    """Loss, ‖∇L‖, λ_max, λ_min, tr H, ‖H‖_F, kinks and (given η) the stability threshold 2/η.

    ``what``: the quantities to compute (names of :data:`QUANTITIES`, a comma-separated string or an
    iterable; default all); the others are None and cost nothing. η-flatness needs λ_max. λ_min stops
    after ``budget`` Hessian-vector products (default :data:`~flatproof.measures.spectral.LOBPCG_BUDGET`)
    and is then reported as bounds with ``converged = False``.

    Kinks: with ``at_kink="convention"`` (default) derivatives at a kink use σ'(0) = σ''(0) = 0
    (ReLU'(0) = 0, as autograd does) and a note says how many pre-activations sit at kinks; with
    ``"raise"`` only the loss is reported there, since gradient and Hessian are not defined
    (flatproof math). ‖H‖_F needs the dense Hessian and is omitted above ``oracle.dense_limit``.
    """
    if not (np.isfinite(tol) and 0 < tol < 1):
        raise InputError(f"tolerance must lie in (0, 1), got {tol!r}", field="tol")
    want = parse_what(what) if what is None or isinstance(what, str) else parse_what(",".join(what))
    notes = []
    thr = stability_threshold(eta) if eta is not None else None
    if oracle.kinks.count and at_kink == "convention":
        oracle = oracle.with_convention()
        if oracle.smoothness < 2:
            notes.append(f"{oracle.kinks.count} pre-activation(s) within the kink tolerance {oracle.kinks.tol:g} of 0 "
                         "(or within the rounding of the knot's float position): derivatives there use the convention "
                         "σ'(0) = σ''(0) = 0 (one-sided; the Hessian is not defined at a kink)")
    elif oracle.kinks.count and oracle.smoothness < 2:
        notes.append(f"{oracle.kinks.count} pre-activation(s) at a kink: Hessian measures are not defined there")
        grad = None if oracle.smoothness < 1 or "grad_norm" not in want else float(np.linalg.norm(oracle.gradient()))
        return Measurements(oracle.num_params, oracle.loss(), grad, None, None, None, None, oracle.kinks,
                            eta, thr, None, tuple(notes))
    lmax = lambda_max(oracle, tol=tol, seed=seed) if "lambda_max" in want else None
    lmin = None
    if "lambda_min" in want:
        scale = abs(lmax.value) if lmax is not None else None
        lmin = lambda_min(oracle, tol=tol, seed=seed, budget=budget,
                          scale=None if scale is None else max(scale, np.finfo(float).tiny))
        if not lmin.converged:
            lo, hi = lmin.bounds
            notes.append(f"λ_min not resolved to tol after {lmin.n_matvec} Hessian-vector products: "
                         f"λ_min ∈ [{lo:.10g}, {hi:.10g}]")
    frob = None
    if "frobenius" in want:
        if oracle.num_params <= oracle.dense_limit:
            frob = oracle.frobenius_norm()
        else:
            notes.append(f"Frobenius norm omitted: p = {oracle.num_params} > dense limit {oracle.dense_limit}")
    flat = flatness_from(lmax, eta) if eta is not None and lmax is not None else None
    grad = float(np.linalg.norm(oracle.gradient())) if "grad_norm" in want else None
    return Measurements(oracle.num_params, oracle.loss(), grad, lmax, lmin,
                        oracle.trace() if "trace" in want else None, frob, oracle.kinks, eta, thr, flat,
                        tuple(notes))
