"""Full-batch gradient descent θ ← θ − η ∇L(θ) on either model (U.7, M.3's GD drift).

GD steps through kinks with the ReLU'(0) = 0 convention (a kink is hit with probability 0, and GD
only needs a gradient). Separable logistic data drive the iterates to infinity: the loss is computed
stably, and the run stops at ``steps``, when the loss falls below ``loss_tol``, or when ‖θ‖ exceeds
``max_norm``. λ_max is recorded every ``record_every`` steps (Lanczos on the fast HVP).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .._errors import InputError
from .._validate import finite_scalar, integer
from ..measures.homogeneous_hessian import HomogeneousOracle, HomogeneousProblem
from ..measures.spectral import lambda_max
from ..measures.univariate_gradient import loss_and_gradient
from ..measures.univariate_hessian import UnivariateProblem, univariate_oracle
from ..model.data import LogisticTask
from ..model.homogeneous import HomogeneousNet
from ..model.univariate import UnivariateNet


@dataclass(frozen=True)
class TrainResult:
    net: object
    steps: int                     # steps taken
    stop_reason: str
    history: dict = field(default_factory=dict)   # "step", "loss", "lambda_max", "norm" (lists)


def _oracle(problem: Any, net: Any) -> Any:
    if isinstance(problem, UnivariateProblem):
        return univariate_oracle(problem, net, at_kink="convention")
    return HomogeneousOracle(problem, net, at_kink="convention")


def _from_vector(net: Any, theta: np.ndarray) -> Any:
    if isinstance(net, UnivariateNet):
        return UnivariateNet.from_vector(theta)
    return HomogeneousNet.from_vector(theta, net.m, net.d, net.activation)


def gradient_descent(problem: Any, net: Any, eta: float, steps: int, *, record_every: int = 0, loss_tol: float = 0.0,
                     max_norm: float = 1e8, progress: Callable[[int], object] | None = None,
                     eta_max: float | None = None, ramp: int = 0,
                     monitor: Callable[[Any, Any], dict[str, float]] | None = None) -> TrainResult:
    """Run GD for at most ``steps`` steps.

    Step size: η, or with ``eta_max`` and ``ramp`` an increasing schedule η_t = η + (η_max − η) min(t/ramp, 1).
    Every ``record_every`` steps the history records the loss, λ_max (Lanczos on the fast HVP), ‖θ‖,
    the step size, and whatever ``monitor(net, oracle)`` returns (a dict of numbers: margin, |U_δ|,
    test error, …). ``progress(step)`` is called every 100 steps if given.
    """
    eta = finite_scalar(eta, "eta", positive=True)
    if eta_max is not None:
        eta_max = finite_scalar(eta_max, "eta_max", positive=True)
        ramp = integer(ramp, "ramp", minimum=1)
    steps = integer(steps, "steps", minimum=0)
    record_every = integer(record_every, "record_every", minimum=0)
    if not isinstance(problem, (UnivariateProblem, HomogeneousProblem)):
        raise InputError("expected a univariate or homogeneous problem", field="problem")
    def step_size(t: int) -> float:
        return eta if eta_max is None else eta + (eta_max - eta) * min(t / ramp, 1.0)

    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        return _run(problem, net, step_size, steps, record_every, loss_tol, max_norm, progress, monitor)


def _loss_and_gradient(problem: Any, theta: np.ndarray, net: Any) -> tuple[float, Callable[[], np.ndarray]]:
    """(L(θ), a thunk for ∇L(θ)): the direct O(n m) formulas for the univariate model (no oracle set-up per
    step; ``net`` may lag behind θ), the homogeneous oracle at ``net`` = θ otherwise (its gradient is taken
    only if the step is taken)."""
    if isinstance(problem, UnivariateProblem):
        loss, g = loss_and_gradient(problem, theta)
        return loss, lambda: g
    orc = _oracle(problem, net)
    return orc.loss(), orc.gradient


def _run(problem: Any, net: Any, step_size: Callable[[int], float], steps: int, record_every: int, loss_tol: float,
         max_norm: float, progress: Callable[[int], object] | None,
         monitor: Callable[[Any, Any], dict[str, float]] | None) -> TrainResult:
    hist: dict[str, list[float]] = {"step": [], "loss": [], "lambda_max": [], "norm": [], "eta": []}
    theta = net.to_vector()
    direct = isinstance(problem, UnivariateProblem)     # the univariate step needs θ only, not the network
    stale = False                                       # net lags behind θ (rebuilt only where it is read)
    reason = "steps"
    k = 0
    for k in range(steps + 1):
        recording = bool(record_every) and (k % record_every == 0 or k == steps)
        if stale and (recording or not direct):
            net, stale = _from_vector(net, theta), False
        loss, gradient = _loss_and_gradient(problem, theta, net)
        if recording:
            orc = _oracle(problem, net)
            hist["step"].append(k)
            hist["loss"].append(loss)
            hist["lambda_max"].append(lambda_max(orc, tol=1e-8).value if np.isfinite(loss) else float("nan"))
            hist["norm"].append(float(np.linalg.norm(theta)))
            hist["eta"].append(step_size(k))
            if monitor is not None:
                for key, val in monitor(net, orc).items():
                    hist.setdefault(key, []).append(val)
        if k == steps:
            break
        if loss <= loss_tol:
            reason = "loss"
            break
        new = theta - step_size(k) * gradient()
        if not (np.all(np.isfinite(new)) and np.isfinite(loss)):
            reason = "diverged"              # keep the last finite iterate
            break
        theta, stale = new, True
        if np.linalg.norm(theta) > max_norm:
            reason = "norm"
            k += 1
            break
        if progress is not None and k % 100 == 0:
            progress(k)
    if stale:
        net = _from_vector(net, theta)
    return TrainResult(net, k, reason, hist)


def logistic_monitor(task: LogisticTask | None = None, delta: float = 0.1, domain: tuple[float, float] = (-1.0, 1.0)
                     ) -> Callable[[Any, Any], dict[str, float]]:
    """A ``monitor`` for :func:`gradient_descent` on the univariate logistic model: the margin
    min_j y_j f(x_j), the length |U_δ| of the uncertain set on ``domain``, and (given the data law) the
    population 0-1 error of sign f."""
    from ..measures.population import classification_error
    from ..measures.uncertain import uncertain_set

    def monitor(net: Any, oracle: Any) -> dict[str, float]:
        out = {"margin": float(np.min(oracle.problem.data.y * oracle.forward())),
               "uncertain_length": uncertain_set(net, delta, *domain).length}
        if task is not None:
            out["test_error"] = classification_error(net, task)
        return out
    return monitor
