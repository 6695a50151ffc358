"""Krylov iterations on a symmetric operator given by its products: thick-restart Lanczos for the largest
eigenpair, block LOBPCG for the smallest. :mod:`flatproof.measures.spectral` runs them on Hessians and
checks what they return (residuals recomputed, converged flags, bounds).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ._base import Matrix, Vector

MatVec = Callable[[Vector], Vector]
BlockProduct = Callable[[Matrix], Matrix]      # U (p × k) ↦ H U


#: Krylov basis size of the thick-restart Lanczos before it restarts, and the Ritz vectors a restart keeps
_LANCZOS_BASIS, _LANCZOS_KEEP = 24, 6
#: LOBPCG recomputes its block products exactly every this many steps
_REFRESH = 25


def largest_by_lanczos(mv: MatVec, v0: Vector, tol: float,
                        maxiter: int | None) -> tuple[float, np.ndarray, bool]:
    """Largest eigenpair of a symmetric operator by thick-restart Lanczos (Wu & Simon 2000), one product per step.

    The basis Q is kept orthonormal by classical Gram–Schmidt applied twice, and its products HQ are stored,
    so the Rayleigh–Ritz matrix QᵀHQ and the top Ritz pair's residual ‖HQy − θQy‖ are exact (not Lanczos'
    recurrence estimates). It stops at the first step where that residual is ≤ tol·|θ| — ARPACK fills its
    whole ncv-vector basis before it first looks — and when the basis is full it keeps the top
    ``_LANCZOS_KEEP`` Ritz vectors and continues from the top one's residual (which is orthogonal to them and
    keeps the Krylov structure). ``maxiter`` (default 100) bounds the restarts. Returns (θ, unit y, converged).
    """
    p = v0.size
    size = min(p, _LANCZOS_BASIS)
    Q, HQ = np.empty((size, p)), np.empty((size, p))       # rows: basis vectors and their products
    q = v0 / np.linalg.norm(v0)
    j, restarts, limit = 0, 0, 100 if maxiter is None else int(maxiter)
    while True:
        Q[j] = q
        HQ[j] = mv(q)
        j += 1
        T = Q[:j] @ HQ[:j].T
        mu, Y = np.linalg.eigh(0.5 * (T + T.T))
        theta, c = float(mu[-1]), Y[:, -1]
        y = c @ Q[:j]
        r = c @ HQ[:j] - theta * y
        rnorm = float(np.linalg.norm(r))
        if not np.isfinite(rnorm):
            return np.nan, y, False
        if rnorm <= tol * abs(theta) or j == p:
            return theta, y, True
        if j == size:                                   # thick restart on the top Ritz vectors
            if restarts == limit:
                return theta, y, False
            restarts += 1
            keep = min(_LANCZOS_KEEP, j - 1)
            C = Y[:, ::-1][:, :keep]
            Q[:keep], HQ[:keep] = C.T @ Q[:j], C.T @ HQ[:j]
            j = keep
        for _ in range(2):                              # next basis vector: r off span(Q), twice for orthogonality
            r -= (Q[:j] @ r) @ Q[:j]
        nr = float(np.linalg.norm(r))
        if nr <= 1e-14 * max(rnorm, np.finfo(float).tiny):   # invariant subspace: θ is exact
            return theta, y, True
        q = r / nr


def lobpcg_smallest(mm: BlockProduct, X: Matrix, HX: Matrix, atol: float, budget: int,
                    min_steps: int = 0) -> tuple[Vector, float]:
    """Block LOBPCG (Knyazev 2001) for the smallest eigenpair of a symmetric operator given by the block
    product ``mm``; X (p × k) orthonormal with HX = mm(X). Each step is a Rayleigh–Ritz projection on
    span[X, R, P] (residuals R and previous directions P, both projected off X), the basis orthonormalised
    through its scaled Gram matrix; when that is ill-conditioned P is dropped (a restart). HX is recomputed
    exactly every ``_REFRESH`` steps so that the recurrences do not drift. Stops when the first residual is
    ≤ atol after at least ``min_steps`` steps, or when the next block would exceed ``budget`` products. Returns
    the best (x, Ritz value) seen. (A small residual only says that *some* eigenvalue is near: a start block
    inside a large eigenspace — the weight decay's, left by dead neurons — has one before any step.)"""
    k = X.shape[1]
    T = X.T @ HX
    mu, Y = np.linalg.eigh(0.5 * (T + T.T))
    X, HX = X @ Y, HX @ Y
    best = (X[:, 0].copy(), float(mu[0]))
    P = HP = None
    spent, step = k, 0
    while True:
        R = HX - X * mu
        if (np.linalg.norm(R[:, 0]) <= atol and step >= min_steps) or spent + 2 * k > budget:
            break
        step += 1
        R -= X @ (X.T @ R)
        HR = mm(R)
        spent += k
        blocks, hblocks = [X, R], [HX, HR]
        if P is not None:
            c = X.T @ P
            blocks.append(P - X @ c)
            hblocks.append(HP - HX @ c)
        S, HS = np.hstack(blocks), np.hstack(hblocks)
        G = S.T @ S
        dinv = 1.0 / np.sqrt(np.maximum(np.diag(G), np.finfo(float).tiny))
        w, V = np.linalg.eigh(dinv[:, None] * G * dinv[None, :])
        keep = w > 1e-9 * w[-1]
        if P is not None and not keep.all():         # ill-conditioned basis: restart without P
            P = HP = None
            continue
        B = dinv[:, None] * V[:, keep] / np.sqrt(w[keep])          # S B has orthonormal columns
        A = B.T @ (S.T @ HS) @ B
        theta, Z = np.linalg.eigh(0.5 * (A + A.T))
        C = B @ Z[:, :k]
        P, HP = S[:, k:] @ C[k:], HS[:, k:] @ C[k:]
        X, HX, mu = S @ C, HS @ C, theta[:k]
        if step % _REFRESH == 0 and spent + k <= budget:
            X, _ = np.linalg.qr(X)
            HX = mm(X)
            spent += k
            T = X.T @ HX
            mu, Y = np.linalg.eigh(0.5 * (T + T.T))
            X, HX = X @ Y, HX @ Y
            P = HP = None
        if mu[0] < best[1]:
            best = (X[:, 0].copy(), float(mu[0]))
    return best

