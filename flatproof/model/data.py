"""Data and seeded data generators (flatproof math U.1 and M.1).

Every generator samples with a :class:`numpy.random.Generator` and exposes the exact law it
samples from (input density and conditional law of the label), so that population quantities can
be computed by quadrature rather than estimated by sampling.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy import optimize, stats

from .._errors import InputError
from .._validate import finite_array, finite_scalar, integer
from .losses import sigmoid

TAIL = 1e-15            # mass an unbounded law's window leaves out on each side (float mode)
LOGIT_SAMPLES = 20_001   # grid on which float mode looks for the logit's zeros


# ----------------------------------------------------------------------------------------------
# Datasets
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class UnivariateData:
    """n points (x_j, y_j), x_j ∈ R (U.1)."""

    x: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        x = finite_array(self.x, "x", ndim=1)
        if x.shape[0] == 0:
            raise InputError("needs at least one data point", field="x")
        y = finite_array(self.y, "y", ndim=1, length=x.shape[0])
        x.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return int(self.x.shape[0])


@dataclass(frozen=True, eq=False)
class MultiIndexData:
    """n points (x_i, y_i), x_i ∈ R^d (M.1)."""

    X: np.ndarray
    y: np.ndarray

    def __post_init__(self) -> None:
        X = finite_array(self.X, "X", ndim=2)
        if X.shape[0] == 0 or X.shape[1] == 0:
            raise InputError(f"needs n >= 1 points of dimension d >= 1, got shape {X.shape}", field="X")
        y = finite_array(self.y, "y", ndim=1, length=X.shape[0])
        X.setflags(write=False)
        y.setflags(write=False)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    @property
    def n(self) -> int:
        return int(self.X.shape[0])

    @property
    def d(self) -> int:
        return int(self.X.shape[1])


# ----------------------------------------------------------------------------------------------
# Input laws on R
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InputLaw:
    """A law of x ∈ R with a density: ``uniform(lo, hi)``, ``normal(mean, std)`` or
    ``truncated_normal(mean, std, lo, hi)``."""

    kind: str
    params: tuple[float, ...]

    def __post_init__(self) -> None:
        p = self.params
        if self.kind == "uniform":
            ok = len(p) == 2 and p[0] < p[1]
        elif self.kind == "normal":
            ok = len(p) == 2 and p[1] > 0
        elif self.kind == "truncated_normal":
            ok = len(p) == 4 and p[1] > 0 and p[2] < p[3]
        else:
            raise InputError(f"unknown input law {self.kind!r} (uniform, normal, truncated_normal)", field="law")
        if not ok or not all(np.isfinite(p)):
            raise InputError(f"bad parameters {p} for law {self.kind}", field="law")

    @functools.cached_property
    def _dist(self) -> Any:
        """The frozen scipy distribution (built once: freezing costs milliseconds, quadrature calls pdf often)."""
        p = self.params
        if self.kind == "uniform":
            return stats.uniform(loc=p[0], scale=p[1] - p[0])
        if self.kind == "normal":
            return stats.norm(loc=p[0], scale=p[1])
        a, b = (p[2] - p[0]) / p[1], (p[3] - p[0]) / p[1]
        return stats.truncnorm(a, b, loc=p[0], scale=p[1])

    @property
    def support(self) -> tuple[float, float]:
        lo, hi = self._dist.support()
        return float(lo), float(hi)

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.asarray(self._dist.rvs(size=n, random_state=rng), dtype=float)

    def pdf(self, x: ArrayLike) -> np.ndarray:
        return self._dist.pdf(x)

    def cdf(self, x: ArrayLike) -> np.ndarray:
        return self._dist.cdf(x)


def uniform(lo: float = -1.0, hi: float = 1.0) -> InputLaw:
    return InputLaw("uniform", (float(lo), float(hi)))


def normal(mean: float = 0.0, std: float = 1.0) -> InputLaw:
    return InputLaw("normal", (float(mean), float(std)))


def truncated_normal(mean: float, std: float, lo: float, hi: float) -> InputLaw:
    return InputLaw("truncated_normal", (float(mean), float(std), float(lo), float(hi)))


# ----------------------------------------------------------------------------------------------
# Univariate logistic task: P(y = 1 | x) = s(g*(x)), labels flipped with probability p (U.1)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LogisticTask:
    """x ~ law, P(y = +1 | x) = (1 − p) s(g*(x)) + p (1 − s(g*(x))) (flip probability p)."""

    law: InputLaw
    logit: Callable[[np.ndarray], np.ndarray]
    flip: float = 0.0

    def __post_init__(self) -> None:
        flip = finite_scalar(self.flip, "flip", nonnegative=True)
        if flip > 0.5:
            raise InputError(f"flip probability must lie in [0, 1/2], got {flip:g}", field="flip")
        object.__setattr__(self, "flip", flip)

    def prob_positive(self, x: ArrayLike) -> np.ndarray:
        """η(x) = P(y = +1 | x), the exact conditional law of the label."""
        x = np.asarray(x, dtype=float)
        g = np.asarray(self.logit(x), dtype=float)
        if not np.all(np.isfinite(g)):
            bad = x[~np.isfinite(g)].reshape(-1)[0]
            raise InputError(f"target logit is not finite at x = {bad:g}", field="logit")
        q = sigmoid(g)
        return (1.0 - self.flip) * q + self.flip * (1.0 - q)

    def sample(self, n: int, rng: np.random.Generator) -> UnivariateData:
        n = integer(n, "n", minimum=1)
        x = self.law.sample(n, rng)
        y = np.where(rng.random(n) < self.prob_positive(x), 1.0, -1.0)
        return UnivariateData(x, y)

    def logit_breakpoints(self, lo: float, hi: float, samples: int = LOGIT_SAMPLES) -> np.ndarray:
        """Where the label law η changes sign of η − 1/2 or turns: the zeros of the target logit in (lo, hi)
        that a uniform grid of ``samples`` points brackets (sign changes refined by Brent's method, grid
        points where it vanishes) and the grid points where it has a local extremum (a narrow dip or a peak
        that QUADPACK would otherwise step over). An estimate: a feature narrower than the grid spacing can
        be missed (rigorous mode isolates every zero)."""
        x = np.linspace(lo, hi, integer(samples, "samples", minimum=2))
        g = np.asarray(self.logit(x), dtype=float)
        if not np.all(np.isfinite(g)):
            bad = x[~np.isfinite(g)][0]
            raise InputError(f"target logit is not finite at x = {bad:g}", field="logit")
        s = np.sign(g)
        out = list(x[1:-1][s[1:-1] == 0])
        for i in np.nonzero(s[:-1] * s[1:] < 0)[0]:
            out.append(optimize.brentq(lambda t: float(self.logit(np.array([t]))[0]), x[i], x[i + 1],
                                       xtol=1e-15, rtol=4 * np.finfo(float).eps))
        dg = np.sign(np.diff(g))
        out.extend(x[1:-1][dg[:-1] * dg[1:] < 0])
        return np.unique(np.array(out, dtype=float))


def x_domain(task: LogisticTask | None = None, x: ArrayLike | None = None) -> tuple[float, float]:
    """The interval of x where the data law lives and the data lie — the one x-domain of the univariate model:
    the uncertain set and its region (flatproof math U.3), the curvature-weighted TV (U.4) and the float-mode
    population integrals are all taken over it.

    The law's support (``task``), cut where it is unbounded so that each side leaves out mass ``TAIL``, hulled
    with the data points ``x`` (a sample declared with a law may hold points outside its support); without a
    law, the range of the data; [x − 1, x + 1] when that range is the single point x."""
    lo, hi = math.inf, -math.inf
    if task is not None:
        lo, hi = (float(t) for t in task.law.support)
        if not math.isfinite(lo):
            lo = float(task.law._dist.ppf(TAIL))
        if not math.isfinite(hi):
            hi = float(task.law._dist.isf(TAIL))     # not ppf(1 − TAIL): 1 − 1e-15 rounds by 11 % of the tail
    pts = np.asarray([] if x is None else x, dtype=float)
    if pts.size:
        lo, hi = min(lo, float(pts.min())), max(hi, float(pts.max()))
    if not lo <= hi:
        raise InputError("the x-domain needs a data law or data points", field="data")
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    return lo, hi


# ----------------------------------------------------------------------------------------------
# Multi-index task: x ~ N(0, I_d), y = Σ_ℓ g_ℓ(u_ℓᵀ x) + noise (M.1)
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class MultiIndexTask:
    """Sum of single-index models f*(x) = Σ_ℓ g_ℓ(u_ℓᵀ x), y = f*(x) + σ ε, ε ~ N(0, 1).

    The conditional law is y | x ~ N(f*(x), σ²), so the population square risk of a predictor h is
    E[(h(X) − f*(X))²] + σ².
    """

    U: np.ndarray
    links: tuple = field(default_factory=tuple)
    noise_std: float = 0.0

    def __post_init__(self) -> None:
        U = finite_array(self.U, "U", ndim=2)
        r = U.shape[1]
        if r == 0 or r > U.shape[0]:
            raise InputError(f"U must be d x r with 1 <= r <= d, got {U.shape}", field="U")
        if not np.allclose(U.T @ U, np.eye(r), atol=1e-10):
            raise InputError("columns of U must be orthonormal", field="U")
        if len(self.links) != r:
            raise InputError(f"need one link per index ({r}), got {len(self.links)}", field="links")
        object.__setattr__(self, "U", U)
        object.__setattr__(self, "noise_std", finite_scalar(self.noise_std, "noise_std", nonnegative=True))

    @classmethod
    def random(cls, d: int, r: int, link: Callable[[np.ndarray], np.ndarray], noise_std: float, rng: np.random.Generator) -> MultiIndexTask:
        """Random orthonormal U (QR of a Gaussian matrix) with the same link on every index."""
        d = integer(d, "d", minimum=1)
        r = integer(r, "r", minimum=1)
        if r > d:
            raise InputError(f"r must be <= d, got r={r}, d={d}", field="r")
        q, _ = np.linalg.qr(rng.standard_normal((d, r)))
        return cls(q, tuple([link] * r), noise_std)

    @property
    def d(self) -> int:
        return int(self.U.shape[0])

    def target(self, X: ArrayLike) -> np.ndarray:
        Z = np.asarray(X, dtype=float) @ self.U
        return sum(g(Z[:, l]) for l, g in enumerate(self.links))

    def sample(self, n: int, rng: np.random.Generator) -> MultiIndexData:
        n = integer(n, "n", minimum=1)
        X = rng.standard_normal((n, self.d))
        y = self.target(X) + self.noise_std * rng.standard_normal(n)
        return MultiIndexData(X, y)
