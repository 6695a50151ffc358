"""Extreme eigenvalues of a Hessian, with residuals and a converged flag, and η-flatness (U.2).

For a symmetric H and a unit vector u with Ritz value λ = uᵀHu and residual r = ‖Hu − λu‖, some
eigenvalue of H lies in [λ − r, λ + r], and λ is a Rayleigh quotient, so λ ≤ λ_max(H) exactly (up to
rounding). Lanczos does not certify that the eigenvalue it found is the extreme one: an answer of
"flat" from :func:`is_flat` rests on that, and the certified route is an upper bound on λ_max
(Frobenius norm or Gershgorin discs) in rigorous mode.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from .._errors import InputError
from ._base import CurvatureOracle

EPS = np.finfo(float).eps


@dataclass(frozen=True)
class EigResult:
    """k extreme eigenpairs: ``which`` ``"LA"`` (largest, descending) or ``"SA"`` (smallest, ascending)."""

    which: str
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    residuals: np.ndarray       # ‖H u_i − λ_i u_i‖ for unit u_i
    converged: bool             # every relative residual ≤ tol
    tol: float
    scale: float                # the scale the residuals are relative to
    method: str                 # "dense eigh" or "Lanczos (ARPACK)"
    n_matvec: int

    @property
    def value(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def error(self) -> float:
        """Half-width of an interval around ``value`` that contains an eigenvalue of H (rounding included)."""
        return float(self.residuals[0] + 64 * EPS * self.scale)

    def as_dict(self) -> dict:
        return {"which": self.which, "eigenvalues": self.eigenvalues.tolist(), "residuals": self.residuals.tolist(),
                "converged": self.converged, "tol": self.tol, "method": self.method, "n_matvec": self.n_matvec}

    def __repr__(self) -> str:          # eigenvectors are never printed
        from ..display import eig_repr
        return eig_repr(self)

    def _repr_html_(self) -> str:
        from ..display import eig_html
        return eig_html(self)


def _as_matvec(H) -> tuple[Callable[[np.ndarray], np.ndarray], int, Callable[[], np.ndarray] | None]:
    if isinstance(H, CurvatureOracle):
        dense = H.hessian if H.num_params <= min(H.dense_limit, 600) else None
        return H.hvp, H.num_params, dense
    if isinstance(H, np.ndarray):
        if H.ndim != 2 or H.shape[0] != H.shape[1]:
            raise InputError(f"expected a square matrix, got shape {H.shape}", field="H")
        return (lambda u: H @ u), H.shape[0], (lambda: H)
    matvec, p = H
    return matvec, int(p), None


def extreme_eigenpairs(H, which: str = "LA", k: int = 1, *, tol: float = 1e-8, scale: float | None = None,
                       maxiter: int | None = None, seed: int = 0) -> EigResult:
    """Extreme eigenpairs of H: an oracle, a dense symmetric matrix, or a pair (matvec, p).

    Small problems (p <= 600 with a dense Hessian available) use ``numpy.linalg.eigh``; others use
    ARPACK's Lanczos on a :class:`~scipy.sparse.linalg.LinearOperator`. Residuals are recomputed
    with one more product each; ``converged`` means residual ≤ tol · scale for every pair, with
    scale = max(|λ|) over the pairs found unless given.
    """
    if which not in ("LA", "SA"):
        raise InputError(f"which must be 'LA' or 'SA', got {which!r}", field="which")
    matvec, p, dense = _as_matvec(H)
    k = int(k)
    if not 1 <= k <= p:
        raise InputError(f"k must lie in [1, {p}], got {k}", field="k")
    count = [0]

    def mv(u):
        count[0] += 1
        return matvec(np.asarray(u, dtype=float).reshape(-1))

    if dense is not None or p <= k + 2:
        Hm = dense() if dense is not None else np.column_stack([mv(e) for e in np.eye(p)])
        vals, vecs = np.linalg.eigh(0.5 * (Hm + Hm.T))
        order = np.argsort(vals)[::-1] if which == "LA" else np.argsort(vals)
        vals, vecs = vals[order[:k]], vecs[:, order[:k]]
        method, ok = "dense eigh", True
    else:
        op = LinearOperator((p, p), matvec=mv, dtype=float)
        v0 = np.random.default_rng(seed).standard_normal(p)
        try:
            vals, vecs = eigsh(op, k=k, which=which, tol=tol, maxiter=maxiter, v0=v0,
                               ncv=min(p, max(2 * k + 1, 20)))
            ok = True
        except ArpackNoConvergence as exc:
            vals, vecs, ok = exc.eigenvalues, exc.eigenvectors, False
            if len(vals) == 0:
                vals, vecs = np.array([np.nan]), np.full((p, 1), np.nan)
        order = np.argsort(vals)[::-1] if which == "LA" else np.argsort(vals)
        vals, vecs = vals[order], vecs[:, order]
        method = "Lanczos (ARPACK)"
    with np.errstate(invalid="ignore"):
        vecs = vecs / np.linalg.norm(vecs, axis=0)
    res = np.array([np.linalg.norm(mv(vecs[:, i]) - vals[i] * vecs[:, i]) if np.isfinite(vals[i]) else np.inf
                    for i in range(vals.size)])
    finite = np.abs(vals[np.isfinite(vals)])
    sc = float(scale) if scale is not None else float(finite.max()) if finite.size else 0.0
    sc = sc if sc > 0 else 1.0
    converged = bool(ok and np.all(np.isfinite(res)) and np.all(res <= tol * sc))
    return EigResult(which, vals, vecs, res, converged, tol, sc, method, count[0])


def lambda_max(H, **kw) -> EigResult:
    return extreme_eigenpairs(H, "LA", 1, **kw)


def lambda_min(H, **kw) -> EigResult:
    return extreme_eigenpairs(H, "SA", 1, **kw)


def stability_threshold(eta: float) -> float:
    """2/η: GD with step η is linearly stable at a minimum only if λ_max ≤ 2/η (U.2)."""
    if not (np.isfinite(eta) and eta > 0):
        raise InputError(f"step size must be positive, got {eta!r}", field="eta")
    return 2.0 / eta


@dataclass(frozen=True)
class FlatnessAnswer:
    """Is θ η-flat (λ_max ≤ 2/η)? ``answer`` is ``"flat"``, ``"sharp"`` or ``"inconclusive"``."""

    answer: str
    eta: float
    threshold: float
    lambda_max: EigResult
    reason: str


def is_flat(oracle, eta: float, *, tol: float = 1e-8, seed: int = 0) -> FlatnessAnswer:
    """η-flatness of θ (U.2): "inconclusive" when λ_max is within its error of 2/η or Lanczos did not converge.

    "sharp" rests only on λ_max ≥ Ritz value (a Rayleigh quotient); "flat" also on Lanczos having
    found the extreme eigenvalue.
    """
    return flatness_from(lambda_max(oracle, tol=tol, seed=seed), eta)


def flatness_from(res: EigResult, eta: float) -> FlatnessAnswer:
    """The η-flatness answer of :func:`is_flat` from an already computed λ_max result."""
    if res.which != "LA":
        raise InputError("needs a λ_max result (which='LA')", field="which")
    thr = stability_threshold(eta)
    lam, err = res.value, res.error
    if lam - 64 * EPS * res.scale > thr:
        return FlatnessAnswer("sharp", eta, thr, res, f"λ_max ≥ {lam:.6g} > 2/η = {thr:.6g}")
    if not res.converged:
        return FlatnessAnswer("inconclusive", eta, thr, res, "Lanczos did not converge")
    if lam + err <= thr:
        return FlatnessAnswer("flat", eta, thr, res, f"λ_max ≤ {lam:.6g} + {err:.2g} ≤ 2/η = {thr:.6g}")
    return FlatnessAnswer("inconclusive", eta, thr, res,
                          f"|λ_max − 2/η| = {abs(lam - thr):.3g} is within the error {err:.3g}")


def hutchinson_trace(matvec: Callable[[np.ndarray], np.ndarray], p: int, probes: int = 100,
                     seed: int = 0) -> tuple[float, float]:
    """Hutchinson's estimator with Rademacher probes: (estimate, standard error). A baseline only:
    flatproof's oracles compute the trace exactly."""
    rng = np.random.default_rng(seed)
    samples = np.empty(probes)
    for s in range(probes):
        z = rng.choice([-1.0, 1.0], size=p)
        samples[s] = z @ matvec(z)
    return float(samples.mean()), float(samples.std(ddof=1) / np.sqrt(probes)) if probes > 1 else float("nan")
