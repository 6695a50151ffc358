"""Flattest ReLU interpolators over a dictionary of directions (flatproof math M.4), by linear programming.

For ReLU (k = 1) the orbit-minimal flatness of a network with unit directions ŵ_j and weights
β_j = a_j ‖w_j‖ is F_sym = (4/n) Σ_j G(ŵ_j) |β_j| with G(ŵ) = (Σ_i σ(ŵᵀx_i)²)^{1/2} (Σ_i σ'(ŵᵀx_i)²‖x_i‖²)^{1/2}
(M.3's factorisation with k = 1). Minimising it over interpolators with directions from a dictionary
is the linear programme

    min Σ_j G_j (β⁺_j + β⁻_j)   s.t.  Φ(β⁺ − β⁻) = y,  β^± ≥ 0,   Φ_ij = (ŵ_jᵀx_i)_+,

solved by scipy's HiGHS; its dual max yᵀν s.t. |Φᵀν| ≤ G gives the duality-gap certificate.
F_min(dictionary) = (4/n) · LP value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import linprog

from .._errors import InputError
from .._validate import finite_array
from ..model.activations import relu
from ..model.homogeneous import HomogeneousNet
from .homogeneous_orbit import G_hat


@dataclass(frozen=True)
class FlattestResult:
    net: HomogeneousNet          # active atoms only: a_j = β_j, w_j = ŵ_j
    lp_value: float
    dual_value: float
    duality_gap: float
    F_min: float                 # (4/n) · LP value
    interpolation_residual: float
    active: np.ndarray           # indices of the dictionary atoms with β_j ≠ 0
    status: str


def flattest_relu_interpolator(X: ArrayLike, y: ArrayLike, directions: ArrayLike, *, active_tol: float = 1e-9) -> FlattestResult:
    X = finite_array(X, "X", ndim=2)
    y = finite_array(y, "y", ndim=1, length=X.shape[0])
    D = finite_array(directions, "directions", ndim=2, cols=X.shape[1])
    norms = np.linalg.norm(D, axis=1)
    if np.any(norms == 0):
        raise InputError("a dictionary direction is 0", field="directions")
    D = D / norms[:, None]
    n = X.shape[0]
    Phi = np.maximum(X @ D.T, 0.0)
    G = G_hat(X, D, relu())                        # M.3's G(ŵ) with k = 1
    keep = G > 0                                   # atoms inactive on every point cannot help
    Phi, G, idx = Phi[:, keep], G[keep], np.nonzero(keep)[0]
    if G.size == 0:
        if np.any(y != 0):
            raise InputError("no dictionary direction is active on any data point", field="model.dictionary")
        return FlattestResult(HomogeneousNet(np.zeros(1), D[:1], relu()), 0.0, 0.0, 0.0, 0.0, 0.0,
                              np.zeros(0, int), "y = 0: the zero network")
    res = linprog(np.concatenate([G, G]), A_eq=np.hstack([Phi, -Phi]), b_eq=y, bounds=(0, None), method="highs")
    if res.status != 0:
        raise InputError(f"the interpolation LP failed: {res.message}", field="model.dictionary")
    k = G.size
    beta = res.x[:k] - res.x[k:]
    nu = res.eqlin.marginals
    dual = float(y @ nu)
    act = np.abs(beta) > active_tol * max(np.abs(beta).max(), 1e-300) if beta.size else np.zeros(0, bool)
    if np.any(act):
        net = HomogeneousNet(beta[act], D[idx[act]], relu())
    else:                                  # y = 0: the flattest interpolator is the zero function
        net = HomogeneousNet(np.zeros(1), D[:1], relu())
    resid = float(np.abs(Phi @ beta - y).max())
    return FlattestResult(net, float(res.fun), dual, float(abs(res.fun - dual)), 4.0 * float(res.fun) / n, resid,
                          idx[act], res.message)
