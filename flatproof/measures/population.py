"""Population quantities of a trained network under a known data law.

Univariate (U.5): the 0-1 error of the classifier x ↦ sign f(x) (+1 where f > 0, −1 elsewhere) is

    err(f) = E[ η(X) 1{f(X) ≤ 0} + (1 − η(X)) 1{f(X) > 0} ],   η(x) = P(Y = +1 | X = x),

an integral over finitely many intervals: quadrature with the knots, the zero crossings of f and the
zeros of the logit as breakpoints. The Bayes error is E[min(η, 1 − η)]. These are float estimates
(QUADPACK); rigorous mode encloses them in :mod:`flatproof.measures.certified_integral`.

Multi-index (M.4): the test MSE E[(f(X) − f*(X))²] has no closed form for a general network; it is
estimated by Monte Carlo with its standard error.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._validate import integer
from .uncertain import zero_crossings


def breakpoints(net, task) -> np.ndarray:
    """Where the population integrands are not smooth or change fastest: the knots of f, the zeros of f
    and the zeros and turns of the target logit that sampling finds (float mode; rigorous mode isolates them all,
    :mod:`flatproof.measures.certified_integral`)."""
    lo, hi = task.window()
    t = net.knots
    return np.concatenate([t[np.isfinite(t)], zero_crossings(net, lo, hi), task.logit_breakpoints(lo, hi)])


def classification_error(net, task) -> float:
    """Population 0-1 error of sign f under the task's law, by quadrature split at knots and zeros."""
    return classification_error_with_error(net, task)[0]


def classification_error_with_error(net, task) -> tuple[float, float]:
    """(population 0-1 error of sign f, QUADPACK's error estimate), split at :func:`breakpoints`."""
    def err(x):
        eta = task.prob_positive(x)
        return np.where(net(x) > 0, 1.0 - eta, eta)
    val, e = task.expect_with_error(err, breakpoints=breakpoints(net, task))
    return float(val), float(e)


def training_error(net, data) -> float:
    """Fraction of training points with y_j f(x_j) ≤ 0."""
    return float(np.mean(data.y * net(data.x) <= 0))


@dataclass(frozen=True)
class MonteCarlo:
    mean: float
    stderr: float
    samples: int


def excess_mse(net, task, samples: int = 20000, seed: int = 0) -> MonteCarlo:
    """E[(f(X) − f*(X))²] for X ~ N(0, I_d) by Monte Carlo (the population risk is this plus σ²)."""
    samples = integer(samples, "samples", minimum=2)
    X = np.random.default_rng(seed).standard_normal((samples, task.d))
    e = (net(X) - task.target(X)) ** 2
    return MonteCarlo(float(e.mean()), float(e.std(ddof=1) / np.sqrt(samples)), samples)


def _kl_bernoulli(eta: np.ndarray, f: np.ndarray) -> np.ndarray:
    """KL(Bern(η) ‖ Bern(s(f))) = η log(η/s(f)) + (1−η) log((1−η)/s(−f)), stable for large |f| (U.4)."""
    from scipy.special import xlogy

    from ..model.losses import logistic
    return xlogy(eta, eta) + eta * logistic(f) + xlogy(1 - eta, 1 - eta) + (1 - eta) * logistic(-f)


@dataclass(frozen=True)
class RegionRisk:
    mass: float             # P(X in the set)
    error: float            # P(sign f ≠ Y | X in the set)
    bayes_error: float      # P(Bayes classifier wrong | X in the set)
    excess_logistic: float  # E[KL(Bern(η(X)) ‖ Bern(s(f(X)))) | X in the set]: the excess logistic risk
    excess_logistic_error: float = math.nan   # QUADPACK's error estimates, propagated through the ratio


def region_risk(net, task, region: tuple[float, float] | None, inside: bool = True) -> RegionRisk:
    """Conditional population quantities on R = [lo, hi] (``inside``) or on its complement, by quadrature
    with :func:`breakpoints` and the ends of R as breakpoints. ``region=None`` means the whole line."""
    breaks = list(breakpoints(net, task))
    if region is not None:
        breaks += list(region)

    def indicator(x):
        if region is None:
            return np.ones_like(x, dtype=float)
        ins = (x >= region[0]) & (x <= region[1])
        return (ins if inside else ~ins).astype(float)

    mass, e_mass = task.expect_with_error(indicator, breakpoints=breaks)
    if mass <= 0:
        return RegionRisk(0.0, float("nan"), float("nan"), float("nan"))
    eta = task.prob_positive
    err = task.expect(lambda x: indicator(x) * np.where(net(x) > 0, 1.0 - eta(x), eta(x)), breakpoints=breaks)
    bay = task.expect(lambda x: indicator(x) * np.minimum(eta(x), 1.0 - eta(x)), breakpoints=breaks)
    kl, e_kl = task.expect_with_error(lambda x: indicator(x) * _kl_bernoulli(eta(x), net(x)), breakpoints=breaks)
    e_ratio = (e_kl + abs(kl) * e_mass / mass) / max(mass - e_mass, 0.0) if mass > e_mass else math.inf
    return RegionRisk(float(mass), float(err / mass), float(bay / mass), float(kl / mass), float(e_ratio))


def logistic_risk_with_error(net, task) -> tuple[float, float]:
    """(population logistic risk E[ℓ(Y f(X))] = E[η ℓ(f) + (1 − η) ℓ(−f)], QUADPACK's error estimate), split at
    :func:`breakpoints` (stable ℓ: no overflow for large |f|). A float estimate."""
    from ..model.losses import logistic

    def risk(x):
        eta, f = task.prob_positive(x), net(x)
        return eta * logistic(f) + (1.0 - eta) * logistic(-f)
    val, e = task.expect_with_error(risk, breakpoints=breakpoints(net, task))
    return float(val), float(e)
