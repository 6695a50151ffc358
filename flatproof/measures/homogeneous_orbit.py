"""Flatness of homogeneous networks along the rescaling orbit (flatproof math M.2–M.4): the trace blocks A_j, B_j,
the orbit minimum F_sym and its infimum, the invariant factorisation through G(ŵ), the Gaussian population
constant, neuron splitting, and the flattest interpolator at fixed width for k ≥ 2.

    A_j = (2/n)Σ_i σ(w_jᵀx_i)²,   B_j = (2/n) a_j² Σ_i σ'(w_jᵀx_i)² ‖x_i‖²       (M.2, square loss of M.1)
    F_sym(θ) = Σ_j (k+1) k^{−k/(k+1)} A_j^{1/(k+1)} B_j^{k/(k+1)}                 (M.3)

    G(ŵ) = (Σ_i σ(ŵᵀx_i)²)^{1/(k+1)} (Σ_i σ'(ŵᵀx_i)² ‖x_i‖²)^{k/(k+1)}
    F_sym(θ) = (2/n)(k+1) k^{−k/(k+1)} Σ_j (|a_j| ‖w_j‖^k)^{2k/(k+1)} G(ŵ_j)
    x ~ N(0, I_d), σ = ReLU^k:  G(ŵ)/n → ((2k−1)!!/2)^{1/(k+1)} (k²(2k−3)!!(d+2k−2)/2)^{k/(k+1)}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from .._errors import InputError
from .._validate import finite_array, integer
from ..model.activations import Activation
from ..model.data import MultiIndexData
from ..model.homogeneous import HomogeneousNet
from ..model.losses import Loss
from .homogeneous_hessian import HomogeneousOracle, HomogeneousProblem, unit_scaled

if TYPE_CHECKING:
    from ..derivations.orbit import OrbitInfimum


def trace_blocks(net: HomogeneousNet, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A_j = (2/n)Σ_i σ(w_jᵀx_i)², B_j = (2/n) a_j² Σ_i σ'(w_jᵀx_i)² ‖x_i‖² (M.2) of ``net`` on the points ``X``:
    the curvature oracle's :meth:`~flatproof.measures.homogeneous_hessian.HomogeneousOracle.trace_blocks` under
    M.1's square loss (its curvature d_i = 2 does not depend on the labels, so none are needed)."""
    X = np.asarray(X, dtype=float)
    problem = HomogeneousProblem(MultiIndexData(X, np.zeros(X.shape[0])), Loss("square", 1.0))
    with np.errstate(over="ignore", invalid="ignore"):      # f and the loss, which A_j and B_j do not use
        orc = HomogeneousOracle(problem, net, at_kink="convention")
    if not (np.all(np.isfinite(orc.S)) and np.all(np.isfinite(orc.S1))):
        raise FloatingPointError("overflow encountered in σ(w_jᵀx_i)")
    return orc.trace_blocks()


def scaled_trace_blocks(net: HomogeneousNet, X: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A_j = A·2^{eA}, B_j = B·2^{eB} (M.2) without under- or overflow in the weights: w_j is scaled by the power
    of two 2^{−e_j} that brings its largest entry into [0.5, 1) and a_j into its mantissa, exactly (σ is
    homogeneous: σ(2^e t) = 2^{ke} σ(t), σ'(2^e t) = 2^{(k−1)e} σ'(t)). A weight of 1e-190 has a_j² = 0 in
    float64, but its B_j is here a mantissa and an exponent. The data are scaled the same way, by the one power of
    two 2^{−e_X} that brings max|x_il| into [0.5, 1): both A_j and B_j carry 2^{2k e_X} (σ(Z)² and ‖x‖² σ'(Z)²
    are homogeneous of degree 2k in x), so inputs of 1e-162 (‖x‖² = 2e-324 rounds to 0) or 1e-80 with k = 2
    (σ(z)² ~ 1e-640) keep their bits. Returns (A, eA, B, eB)."""
    n, k = X.shape[0], net.k
    Xt, ex = unit_scaled(X)
    _, ew = np.frexp(np.max(np.abs(net.W), axis=1))
    ma, ea = np.frexp(net.a)
    Wt = np.ldexp(net.W, -ew[:, None])
    Z = Xt @ Wt.T
    act = net.activation
    sq = np.einsum("ij,ij->i", Xt, Xt)
    A = 2.0 * np.sum(act.sigma(Z) ** 2, axis=0) / n
    B = 2.0 * ma ** 2 * (sq @ act.d1(Z) ** 2) / n
    ew, ea = ew.astype(np.int64), ea.astype(np.int64)
    return A, 2 * k * (ew + ex), B, 2 * ea + 2 * (k - 1) * ew + 2 * k * ex


def f_sym(A: np.ndarray, B: np.ndarray, k: int) -> float:
    """Σ_j F_sym,j from sympy's closed form (M.3); neurons with A_j B_j = 0 contribute their infimum 0 (attained
    only when A_j = B_j = 0). Evaluated with exact power-of-two rescaling (derivations.orbit.f_sym_terms)."""
    from ..derivations.orbit import f_sym_terms  # sympy: loaded on first use
    return float(np.sum(f_sym_terms(A, B, k)))


def f_sym_net(net: HomogeneousNet, X: np.ndarray) -> float:
    """F_sym(θ) from the weights without under- or overflow in a_j², ‖w_j‖^{2k} (scaled_trace_blocks)."""
    from ..derivations.orbit import f_sym_terms
    A, eA, B, eB = scaled_trace_blocks(net, X)
    return float(np.sum(f_sym_terms(A, B, net.k, eA=eA, eB=eB)))


def infimum(net: HomogeneousNet, X: np.ndarray) -> OrbitInfimum:
    """The orbit infimum of θ (M.3): attained or not, with the sequence approaching it."""
    from ..derivations.orbit import orbit_infimum
    A, eA, B, eB = scaled_trace_blocks(net, X)
    return orbit_infimum(A, B, net.k, eA=eA, eB=eB)


def interpolation_residuals(net: HomogeneousNet, X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(|f(x_i) − y_i|, the scale each is judged on): |y_i|, or where y_i = 0 the size f can have at x_i,
    Σ_j |a_j| (‖w_j‖‖x_i‖)^k ≥ |f(x_i)| — per point, never max(1, max|y|), which lets a label of 5e-4 be
    'fitted' by 1e-6 when another label is 1e6."""
    size = (np.linalg.norm(X, axis=1)[:, None] * np.linalg.norm(net.W, axis=1)[None, :]) ** net.k @ np.abs(net.a)
    return np.abs(net(X) - y), np.where(y != 0, np.abs(y), size)


def relative_residual(net: HomogeneousNet, X: np.ndarray, y: np.ndarray) -> float:
    """max_i |f(x_i) − y_i| / scale_i (see interpolation_residuals); ∞ if a residual has scale 0."""
    r, scale = interpolation_residuals(net, X, y)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = np.where(r == 0, 0.0, r / scale)
    return float(q.max())


def G_hat(X: ArrayLike, directions: ArrayLike, activation: Activation) -> np.ndarray:
    """G(ŵ) for each row of ``directions`` (normalised here)."""
    G, e = G_hat_scaled(X, directions, activation)
    with np.errstate(under="ignore", over="ignore"):
        return np.ldexp(G, e)


def G_hat_scaled(X: ArrayLike, directions: ArrayLike, activation: Activation) -> tuple[np.ndarray, int]:
    """(G̃, e) with G(ŵ) = G̃ · 2^e for each row of ``directions``: G is homogeneous of degree 2k in the data
    (S2 = Σσ(Xŵ)² and T2 = Σ‖x‖²σ'(Xŵ)² both are), so it is computed on X scaled by an exact power of two and
    the exponent 2k·e_X is returned apart (inputs of 1e-162 have ‖x‖² = 0 in float64)."""
    X = finite_array(X, "X", ndim=2)
    D = finite_array(directions, "directions", ndim=2, cols=X.shape[1])
    if np.any(np.all(D == 0, axis=1)):
        raise InputError("a direction is 0", field="directions")
    # normalise after an exact power-of-two rescaling of each row: ‖w‖² of a row of size 1e-190 underflows to 0
    _, e = np.frexp(np.max(np.abs(D), axis=1))
    D = np.ldexp(D, -e[:, None])
    Xt, ex = unit_scaled(X)
    Z = Xt @ (D / np.linalg.norm(D, axis=1)[:, None]).T
    k = activation.k
    sq = np.einsum("ij,ij->i", Xt, Xt)
    S2 = np.sum(activation.sigma(Z) ** 2, axis=0)
    T2 = sq @ activation.d1(Z) ** 2
    return S2 ** (1.0 / (k + 1)) * T2 ** (k / (k + 1.0)), 2 * k * ex


def f_sym_factorised(net: HomogeneousNet, X: ArrayLike) -> float:
    """F_sym through the invariant factorisation (M.3); equals Σ_j F_sym,j from A_j, B_j.

    The invariant |a_j|‖w_j‖^k is raised to 2k/(k+1) as mantissa and exponent — |a_j| = m_a 2^{e_a},
    ‖w_j‖ = m_w 2^{e_w}, E = e_a + k e_w, 2kE/(k+1) = q + r/(k+1) — so a_j = 1e-259 or ‖w_j‖ = 1e200 neither
    underflows nor overflows before the result itself would; G(ŵ_j) comes as mantissa and exponent too
    (:func:`G_hat_scaled`: inputs of 1e-80 with k = 2 have σ(z)² ~ 1e-640)."""
    X = finite_array(X, "X", ndim=2)
    k, n = net.k, X.shape[0]
    _, e = np.frexp(np.max(np.abs(net.W), axis=1))
    norms = np.ldexp(np.linalg.norm(np.ldexp(net.W, -e[:, None]), axis=1), e)     # no underflow in ‖w‖²
    G, eG = G_hat_scaled(X, net.W, net.activation)                                   # G(ŵ_j) = G · 2^{eG}
    coef = 2.0 / n * (k + 1) * k ** (-k / (k + 1.0))
    ma, ea = np.frexp(np.abs(net.a))
    mw, ew = np.frexp(norms)
    q, r = np.divmod(2 * k * (ea.astype(np.int64) + k * ew.astype(np.int64)), k + 1)
    q = q + eG
    core = (ma * mw ** k) ** (2.0 * k / (k + 1)) * np.exp2(r / (k + 1.0)) * G * coef
    with np.errstate(under="ignore", over="ignore"):
        return float(np.sum(np.ldexp(core, q.astype(np.int32))))


def _double_factorial(m: int) -> int:
    return 1 if m <= 0 else int(np.prod(np.arange(m, 0, -2)))


def gaussian_constant(k: int, d: int) -> float:
    """lim G(ŵ)/n for x ~ N(0, I_d), σ = ReLU^k (M.3); √d/2 for ReLU."""
    k = integer(k, "k", minimum=1)
    d = integer(d, "d", minimum=1)
    first = (_double_factorial(2 * k - 1) / 2.0) ** (1.0 / (k + 1))
    second = (k * k * _double_factorial(2 * k - 3) * (d + 2 * k - 2) / 2.0) ** (k / (k + 1.0))
    return float(first * second)


def split_neuron(net: HomogeneousNet, j: int, N: int) -> HomogeneousNet:
    """Replace neuron j by N copies (a_j/N, w_j): f is unchanged (M.3)."""
    N = integer(N, "N", minimum=1)
    if not 0 <= j < net.m:
        raise InputError(f"neuron index {j} out of range", field="j")
    a = np.concatenate([np.delete(net.a, j), np.full(N, net.a[j] / N)])
    W = np.vstack([np.delete(net.W, j, axis=0), np.repeat(net.W[j:j + 1], N, axis=0)])
    return HomogeneousNet(a, W, net.activation)


@dataclass(frozen=True)
class FixedWidthResult:
    net: HomogeneousNet
    F_sym: float
    residual: float          # max_i |f(x_i) − y_i| (the constraint residual: the certificate)
    success: bool
    message: str
    iterations: int


def flattest_fixed_width(X: ArrayLike, y: ArrayLike, width: int, activation: Activation, *, seed: int = 0, init: HomogeneousNet | None = None,
                         maxiter: int = 500) -> FixedWidthResult:
    """Minimise F_sym(θ) subject to f_θ(x_i) = y_i at fixed width (M.4, k ≥ 2) with SLSQP.

    A local method: the value is an *upper bound* on the flattest interpolator of this width; the
    constraint residual is reported. F_sym is scale invariant per neuron, so each neuron is kept at
    ‖w_j‖ = 1 (a normalisation constraint removes the flat directions of the orbit).
    """
    X = finite_array(X, "X", ndim=2)
    y = finite_array(y, "y", ndim=1, length=X.shape[0])
    m = integer(width, "width", minimum=1)
    n, d = X.shape
    k = activation.k
    rng = np.random.default_rng(seed)
    if init is None:
        W0 = rng.standard_normal((m, d))
        W0 /= np.linalg.norm(W0, axis=1, keepdims=True)
        Phi = activation.sigma(X @ W0.T)
        a0 = np.linalg.lstsq(Phi, y, rcond=None)[0]
    else:
        W0 = init.W / np.linalg.norm(init.W, axis=1, keepdims=True)
        a0 = init.a * np.linalg.norm(init.W, axis=1) ** k
    coef = 2.0 / n * (k + 1) * k ** (-k / (k + 1.0))
    sq = np.einsum("ij,ij->i", X, X)

    def unpack(t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return t[:m], t[m:].reshape(m, d)

    def objective(t: np.ndarray) -> float:
        a, W = unpack(t)
        Z = X @ W.T
        A = np.sum(activation.sigma(Z) ** 2, axis=0)
        B = sq @ activation.d1(Z) ** 2
        return float(coef * np.sum(np.sqrt(a * a + 1e-300) ** (2.0 * k / (k + 1)) * A ** (1.0 / (k + 1))
                                   * B ** (k / (k + 1.0))))

    cons = [{"type": "eq", "fun": lambda t: activation.sigma(X @ unpack(t)[1].T) @ unpack(t)[0] - y},
            {"type": "eq", "fun": lambda t: np.sum(unpack(t)[1] ** 2, axis=1) - 1.0}]
    with np.errstate(all="ignore"):
        res = minimize(objective, np.concatenate([a0, W0.ravel()]), method="SLSQP", constraints=cons,
                       options={"maxiter": maxiter, "ftol": 1e-12})
    a, W = unpack(res.x)
    net = HomogeneousNet(a, W, activation)
    return FixedWidthResult(net, objective(res.x), float(np.max(np.abs(net(X) - y))), bool(res.success),
                            str(res.message), int(res.nit))
