"""Networks built from data: sign-fitting (U.5), flat-at-infinity scaling (U.5), rescalings (U.6, M.3),
random initialisations, the teacher and the memoriser of a multi-index task (M.4).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from .._errors import InputError
from .._validate import finite_array, finite_scalar, integer
from .activations import Activation, relu
from .homogeneous import HomogeneousNet
from .univariate import UnivariateNet


def sign_fitting_network(x: ArrayLike, y: ArrayLike) -> UnivariateNet:
    """A ReLU network with f(x_j) = y_j for every training point (so margin γ = 1), knots strictly between data.

    Sort the points; where the label changes between neighbours x_(k) < x_(k+1) (gap h), add a ramp
    from y_(k) to y_(k+1) on [m − h/4, m + h/4], m the midpoint, made of two ReLUs
    (2/h)(y_(k+1) − y_(k)) [(x − m + h/4)_+ − (x − m − h/4)_+]; β = y_(1). With no label change the
    network is the constant y_(1) plus one idle neuron (v = 0) whose knot lies left of the data.
    Noisy labels make this an overfitting classifier (U.5).
    """
    x = finite_array(x, "x", ndim=1)
    y = finite_array(y, "y", ndim=1, length=x.shape[0])
    if not np.all(np.abs(y) == 1):
        raise InputError("labels must be -1 or +1", field="y")
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    if np.any((np.diff(xs) == 0) & (np.diff(ys) != 0)):
        raise InputError("two points share an x but not a label: no function fits their signs", field="x")
    v, w, b = [], [], []
    for k in np.nonzero(np.diff(ys) != 0)[0]:
        h = xs[k + 1] - xs[k]
        mid = 0.5 * (xs[k] + xs[k + 1])
        slope = (ys[k + 1] - ys[k]) / (0.5 * h)
        v += [slope, -slope]
        w += [1.0, 1.0]
        b += [mid - 0.25 * h, mid + 0.25 * h]
    if not v:
        v, w, b = [0.0], [1.0], [float(xs[0]) - 1.0]
    return UnivariateNet(np.array(v), np.array(w), np.array(b), float(ys[0]))


def scale_to_infinity(net: UnivariateNet, c: float) -> UnivariateNet:
    """θ_c = (c v, c w, c b, c² β): f_{θ_c} = c² f_θ with the same knots (U.5)."""
    c = finite_scalar(c, "c", positive=True)
    return UnivariateNet(c * net.v, c * net.w, c * net.b, c * c * net.beta)


def rescale_univariate(net: UnivariateNet, c: ArrayLike) -> UnivariateNet:
    """T_c(v_i, w_i, b_i) = (v_i / c_i, c_i w_i, c_i b_i), c_i > 0 (U.6); f is unchanged."""
    c = _positive_vector(c, net.m)
    return UnivariateNet(net.v / c, c * net.w, c * net.b, net.beta)


def rescale_homogeneous(net: HomogeneousNet, c: ArrayLike) -> HomogeneousNet:
    """T_c(a_j, w_j) = (c_j^{−k} a_j, c_j w_j), c_j > 0 (M.3); f is unchanged."""
    c = _positive_vector(c, net.m)
    return HomogeneousNet(net.a * c ** (-net.k), net.W * c[:, None], net.activation)


def _positive_vector(c: ArrayLike, m: int) -> np.ndarray:
    c = np.broadcast_to(np.asarray(c, dtype=float), (m,)) if np.ndim(c) == 0 else finite_array(c, "c", ndim=1,
                                                                                                  length=m)
    if not np.all(np.isfinite(c)) or np.any(c <= 0):
        raise InputError("rescaling factors must be finite and positive", field="c")
    return np.array(c, dtype=float)


def random_univariate(width: int, rng: np.random.Generator, *, scale: float = 1.0,
                      knot_range: tuple[float, float] = (-1.0, 1.0)) -> UnivariateNet:
    """v_i ~ N(0, scale²/m), w_i = ±scale, knots t_i ~ U(knot_range), β = 0."""
    m = integer(width, "width", minimum=1)
    scale = finite_scalar(scale, "scale", positive=True)
    w = scale * rng.choice([-1.0, 1.0], size=m)
    t = rng.uniform(*knot_range, size=m)
    v = rng.standard_normal(m) * scale / np.sqrt(m)
    return UnivariateNet(v, w, w * t, 0.0)


def random_homogeneous(width: int, d: int, activation: Activation, rng: np.random.Generator, *,
                       scale: float = 1.0) -> HomogeneousNet:
    """a_j ~ N(0, scale²/m), w_j ~ N(0, scale² I_d / d)."""
    m = integer(width, "width", minimum=1)
    d = integer(d, "d", minimum=1)
    scale = finite_scalar(scale, "scale", positive=True)
    return HomogeneousNet(rng.standard_normal(m) * scale / np.sqrt(m), rng.standard_normal((m, d)) * scale / np.sqrt(d),
                          activation)


def teacher_network(U: ArrayLike, link_weights: ArrayLike | None = None, activation: Activation | None = None) -> HomogeneousNet:
    """f*(x) = Σ_ℓ a_ℓ σ(u_ℓᵀ x): one neuron per index (a_ℓ = 1 unless given)."""
    U = finite_array(U, "U", ndim=2)
    r = U.shape[1]
    a = np.ones(r) if link_weights is None else finite_array(link_weights, "link_weights", ndim=1, length=r)
    return HomogeneousNet(a, U.T.copy(), activation or relu())


def memoriser(X: ArrayLike, y: ArrayLike, activation: Activation | None = None) -> HomogeneousNet:
    """One neuron per sample, w_i = x_i/‖x_i‖, a solving Σ_j a_j σ(ŵ_jᵀ x_i) = y_i (M.4's memoriser)."""
    X = finite_array(X, "X", ndim=2)
    y = finite_array(y, "y", ndim=1, length=X.shape[0])
    act = activation or relu()
    norms = np.linalg.norm(X, axis=1)
    if np.any(norms == 0):
        raise InputError("a data point is 0: its direction is undefined", field="X")
    W = X / norms[:, None]
    Phi = act.sigma(X @ W.T)
    try:
        a = np.linalg.solve(Phi, y)
    except np.linalg.LinAlgError:
        raise InputError("the memoriser's interpolation system is singular", field="X") from None
    return HomogeneousNet(a, W, act)
