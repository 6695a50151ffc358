"""Population quantities of a trained network under a known data law.

Univariate (U.5): the 0-1 error of the classifier x ↦ sign f(x) (+1 where f > 0, −1 elsewhere) is

    err(f) = E[ η(X) 1{f(X) ≤ 0} + (1 − η(X)) 1{f(X) > 0} ],   η(x) = P(Y = +1 | X = x),

an integral over finitely many intervals: quadrature with the knots and the zero crossings of f as
breakpoints. The Bayes error is E[min(η, 1 − η)].

Multi-index (M.4): the test MSE E[(f(X) − f*(X))²] has no closed form for a general network; it is
estimated by Monte Carlo with its standard error.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validate import integer
from .uncertain import zero_crossings


def _domain(task, net) -> tuple[float, float]:
    lo, hi = task.law.support
    if not np.isfinite(lo):
        lo = float(task.law._dist.ppf(1e-15))
    if not np.isfinite(hi):
        hi = float(task.law._dist.ppf(1 - 1e-15))
    return lo, hi


def classification_error(net, task) -> float:
    """Population 0-1 error of sign f under the task's law, by quadrature split at knots and zeros."""
    return classification_error_with_error(net, task)[0]


def classification_error_with_error(net, task) -> tuple[float, float]:
    """(population 0-1 error of sign f, QUADPACK's error estimate)."""
    lo, hi = _domain(task, net)
    t = net.knots
    breaks = np.concatenate([t[np.isfinite(t)], zero_crossings(net, lo, hi)])

    def err(x):
        eta = task.prob_positive(x)
        return np.where(net(x) > 0, 1.0 - eta, eta)
    val, e = task.expect_with_error(err, breakpoints=breaks)
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
