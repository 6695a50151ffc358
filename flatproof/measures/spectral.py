"""Extreme eigenvalues of a Hessian, with residuals and a converged flag, and η-flatness (U.2).

For a symmetric H and a unit vector u with Ritz value λ = uᵀHu and residual r = ‖Hu − λu‖, some
eigenvalue of H lies in [λ − r, λ + r], and λ is a Rayleigh quotient, so λ ≤ λ_max(H) exactly (up to
rounding). Lanczos does not certify that the eigenvalue it found is the extreme one: an answer of
"flat" from :func:`is_flat` rests on that, and the certified route is an upper bound on λ_max
(Frobenius norm or Gershgorin discs) in rigorous mode.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

from .._errors import InputError
from .._parallel import blas_threads
from ._base import CurvatureOracle, Matrix, Vector
from .krylov import MatVec, largest_by_lanczos, lobpcg_smallest

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
    method: str                 # "dense eigh", "Lanczos (ARPACK)", "LOBPCG (…)" or "structure bounds"
    n_matvec: int
    #: [lo, hi] containing the extreme eigenvalue whatever the solver did (up to rounding): one end is the Ritz
    #: value (a Rayleigh quotient), the other comes from the Hessian's structure (λ_min ≥ λ_min(H_F) + λ since
    #: H_GN ⪰ 0) or is infinite
    bounds: tuple[float, float] = (-np.inf, np.inf)

    @property
    def value(self) -> float:
        return float(self.eigenvalues[0])

    @property
    def error(self) -> float:
        """Half-width of an interval around ``value`` that contains an eigenvalue of H (rounding included): the
        residual, or the width of ``bounds`` when that is smaller (then the eigenvalue is the extreme one)."""
        width = self.bounds[1] - self.bounds[0]
        return float(min(self.residuals[0] + 64 * EPS * self.scale, width))

    def as_dict(self) -> dict:
        return {"which": self.which, "eigenvalues": self.eigenvalues.tolist(), "residuals": self.residuals.tolist(),
                "converged": self.converged, "tol": self.tol, "method": self.method, "n_matvec": self.n_matvec,
                "bounds": list(self.bounds)}

    def __repr__(self) -> str:          # eigenvectors are never printed
        from .._display import eig_repr
        return eig_repr(self)

    def _repr_html_(self) -> str:
        from .._display import eig_html
        return eig_html(self)


#: what the eigensolvers take: a curvature oracle, a dense symmetric matrix, or a pair (matvec, p)
HessianLike = CurvatureOracle | Matrix | tuple[MatVec, int]


def _as_matvec(H: HessianLike) -> tuple[MatVec, int, Callable[[], Matrix] | None]:
    if isinstance(H, CurvatureOracle):
        dense = H.hessian if H.num_params <= min(H.dense_limit, 600) else None
        return H.hvp, H.num_params, dense
    if isinstance(H, np.ndarray):
        if H.ndim != 2 or H.shape[0] != H.shape[1]:
            raise InputError(f"expected a square matrix, got shape {H.shape}", field="H")
        return (lambda u: H @ u), H.shape[0], (lambda: H)
    matvec, p = H
    return matvec, int(p), None


#: default number of Hessian-vector products LOBPCG may spend on λ_min before it reports bounds instead
LOBPCG_BUDGET = 400
_LOBPCG_BLOCK = 8
#: LOBPCG steps before a small residual may stop it: a start block inside a large eigenspace (weight decay on dead
#: neurons) has a small residual at once, at an eigenvalue that need not be the smallest
_LOBPCG_MIN_STEPS = 3


def extreme_eigenpairs(H: HessianLike, which: str = "LA", k: int = 1, *, tol: float = 1e-8,
                       scale: float | None = None, maxiter: int | None = None, seed: int = 0,
                       budget: int | None = None) -> EigResult:
    """Extreme eigenpairs of H: an oracle, a dense symmetric matrix, or a pair (matvec, p).

    Small problems (p <= 600 with a dense Hessian available) use ``numpy.linalg.eigh``. Above that,
    λ_max (``"LA"``) uses ARPACK's Lanczos on a :class:`~scipy.sparse.linalg.LinearOperator`; the
    smallest pair of an oracle (``"SA"``, k = 1) uses LOBPCG on batched products (:meth:`hvp_block`),
    started from H_F's lowest eigenvectors when the oracle knows them in closed form, and stops after
    ``budget`` products (default :data:`LOBPCG_BUDGET`): then ``converged`` is False and ``bounds``
    holds what is known (see :func:`_smallest_by_lobpcg`). Residuals are recomputed with one more
    product each; ``converged`` means residual ≤ tol · scale for every pair, with scale = max(|λ|)
    over the pairs found unless given.
    """
    if which not in ("LA", "SA"):
        raise InputError(f"which must be 'LA' or 'SA', got {which!r}", field="which")
    matvec, p, dense = _as_matvec(H)
    k = int(k)
    if not 1 <= k <= p:
        raise InputError(f"k must lie in [1, {p}], got {k}", field="k")
    count = [0]

    def mv(u: Vector) -> Vector:
        count[0] += 1
        return matvec(np.asarray(u, dtype=float).reshape(-1))

    if which == "SA" and k == 1 and dense is None and isinstance(H, CurvatureOracle) and p > _LOBPCG_BLOCK * 5:
        with blas_threads(1):          # thin p × 3k products: extra BLAS threads only cost
            return _smallest_by_lobpcg(H, tol=tol, scale=scale, seed=seed,
                                       budget=LOBPCG_BUDGET if budget is None else int(budget))
    if dense is not None or p <= k + 2:
        Hm = dense() if dense is not None else np.column_stack([mv(e) for e in np.eye(p)])
        vals, vecs = _dense_pairs(Hm, which, k)
        method, ok = "dense eigh", True
    elif which == "LA" and k == 1:
        v0 = np.random.default_rng(seed).standard_normal(p)
        val, vec, ok = largest_by_lanczos(mv, v0, tol, maxiter)
        vals, vecs, method = np.array([val]), vec[:, None], "Lanczos (thick restart)"
    else:
        vals, vecs, ok = _arpack_pairs(mv, p, which, k, tol=tol, maxiter=maxiter, seed=seed)
        method = "Lanczos (ARPACK)"
    return _checked(which, vals, vecs, ok, mv, tol=tol, scale=scale, method=method, count=count)


def _dense_pairs(Hm: Matrix, which: str, k: int) -> tuple[Vector, Matrix]:
    """The k extreme eigenpairs of the symmetric part of a dense matrix, by ``eigh``."""
    vals, vecs = np.linalg.eigh(0.5 * (Hm + Hm.T))
    order = np.argsort(vals)[::-1] if which == "LA" else np.argsort(vals)
    return vals[order[:k]], vecs[:, order[:k]]


def _arpack_pairs(mv: MatVec, p: int, which: str, k: int, *, tol: float, maxiter: int | None,
                  seed: int) -> tuple[Vector, Matrix, bool]:
    """k extreme eigenpairs by ARPACK's Lanczos, and whether it converged (what it found when it did not)."""
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
    return vals[order], vecs[:, order], ok


def _checked(which: str, vals: Vector, vecs: Matrix, ok: bool, mv: MatVec, *, tol: float, scale: float | None,
             method: str, count: list[int]) -> EigResult:
    """The result with residuals recomputed (one product per pair), the converged flag and the Ritz bound."""
    with np.errstate(invalid="ignore"):
        vecs = vecs / np.linalg.norm(vecs, axis=0)
    res = np.array([np.linalg.norm(mv(vecs[:, i]) - vals[i] * vecs[:, i]) if np.isfinite(vals[i]) else np.inf
                    for i in range(vals.size)])
    finite = np.abs(vals[np.isfinite(vals)])
    sc = float(scale) if scale is not None else float(finite.max()) if finite.size else 0.0
    sc = sc if sc > 0 else 1.0
    converged = bool(ok and np.all(np.isfinite(res)) and np.all(res <= tol * sc))
    ritz = float(vals[0])
    rnd = 64 * EPS * sc
    bounds = (ritz - rnd, np.inf) if which == "LA" else (-np.inf, ritz + rnd)
    return EigResult(which, vals, vecs, res, converged, tol, sc, method, count[0], bounds)


def _smallest_by_lobpcg(oracle: CurvatureOracle, *, tol: float, scale: float | None, seed: int,
                        budget: int) -> EigResult:
    """λ_min(∇²L) by LOBPCG with a good start and a budget of Hessian-vector products.

    With H = H_GN + H_F + λI and H_GN ⪰ 0, λ_min(H) ≥ λ_min(H_F) + λ; when H_F's spectrum is known in
    closed form (:meth:`~CurvatureOracle.functional_bottom`), that is the lower end of ``bounds`` and
    the lowest eigenvectors of H_F, whose Rayleigh quotients already lie near the bottom of H's
    spectrum, start the block (the rest random). The upper end is the best Rayleigh quotient seen. If
    the bracket is narrower than tol · scale the answer is the Rayleigh quotient, converged, with no
    iteration at all; otherwise LOBPCG runs until its residual is ≤ tol · scale or ``budget``
    products are spent (then converged = False, and ``bounds`` still holds).
    """
    p = oracle.num_params
    count = [0]

    def mm(U: Matrix) -> Matrix:
        U = np.asarray(U, dtype=float).reshape(p, -1)
        count[0] += U.shape[1]
        return oracle.hvp_block(U)

    structure = oracle.functional_bottom(_LOBPCG_BLOCK)
    lower = -np.inf
    blocks = []
    if structure is not None:
        lam_f, V = structure
        lower = lam_f + oracle.weight_decay
        blocks.append(V[:, :_LOBPCG_BLOCK - 2] if V.shape[1] > _LOBPCG_BLOCK - 2 else V)
    rng = np.random.default_rng(seed)
    blocks.append(rng.standard_normal((p, _LOBPCG_BLOCK - sum(b.shape[1] for b in blocks))))
    X0 = np.hstack(blocks)
    X0, _ = np.linalg.qr(X0)
    HX = mm(X0)
    # Rayleigh–Ritz on the start block: its lowest Ritz value is a Rayleigh quotient of H
    T = X0.T @ HX
    mu, Y = np.linalg.eigh(0.5 * (T + T.T))
    x = X0 @ Y[:, 0]
    ritz = float(mu[0])
    # without λ_max the scale is the block's largest |Ritz value| (a lower bound on ‖H‖), never a fixed 1: with
    # ‖H‖ = 6.6e-7 a floor of 1 made a residual of 8.7e-9 (1.3e-2 relative) pass as converged
    sc = float(scale) if scale is not None and scale > 0 else max(float(np.max(np.abs(mu))),
                                                                   abs(lower) if np.isfinite(lower) else 0.0,
                                                                   float(np.finfo(float).tiny))
    rnd = 64 * EPS * sc
    method = "structure bounds (λ_min(H_F) + λ ≤ λ_min ≤ Rayleigh quotient)"
    if not (np.isfinite(lower) and ritz - lower <= tol * sc):
        y, mu_y = lobpcg_smallest(mm, X0, HX, tol * sc, budget, min_steps=_LOBPCG_MIN_STEPS)
        if mu_y < ritz:
            ritz, x = mu_y, y
        method = "LOBPCG" + (" from H_F's lowest eigenvectors" if structure is not None and structure[1].shape[1]
                             else "")
    x = x / np.linalg.norm(x)
    Hx = mm(x[:, None])[:, 0]
    ritz = float(x @ Hx)                                  # the Rayleigh quotient of the returned vector
    res = float(np.linalg.norm(Hx - ritz * x))
    hi, lo = ritz + rnd, lower - rnd
    converged = bool(res <= tol * sc or (np.isfinite(lower) and hi - lower <= tol * sc))
    return EigResult("SA", np.array([ritz]), x[:, None], np.array([res]), converged, tol, sc, method, count[0],
                     (lo, hi))


def lambda_max(H: HessianLike, *, tol: float = 1e-8, scale: float | None = None, maxiter: int | None = None,
               seed: int = 0, budget: int | None = None) -> EigResult:
    """The largest eigenpair of H (:func:`extreme_eigenpairs` with ``which="LA"``, k = 1)."""
    return extreme_eigenpairs(H, "LA", 1, tol=tol, scale=scale, maxiter=maxiter, seed=seed, budget=budget)


def lambda_min(H: HessianLike, *, tol: float = 1e-8, scale: float | None = None, maxiter: int | None = None,
               seed: int = 0, budget: int | None = None) -> EigResult:
    """The smallest eigenpair of H (:func:`extreme_eigenpairs` with ``which="SA"``, k = 1)."""
    return extreme_eigenpairs(H, "SA", 1, tol=tol, scale=scale, maxiter=maxiter, seed=seed, budget=budget)


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


def is_flat(oracle: HessianLike, eta: float, *, tol: float = 1e-8, seed: int = 0) -> FlatnessAnswer:
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
