"""The direct loss and gradient GD steps with (measures/univariate_gradient): central differences of the loss
computed from the network's own forward pass, the curvature oracle's gradient, and GD trajectories equal to
those the oracle drove before (the iterates to 1e-12 relative)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from _instances import central_gradient, random_univariate, rel, univariate_instances
from hypothesis import given, settings

import flatproof as fp
from flatproof.instances.train import gradient_descent
from flatproof.measures.univariate_gradient import loss_and_gradient


def reference_loss(problem: Any, theta: np.ndarray) -> float:
    """L(θ) + (λ/2)‖θ‖² from the network's forward pass and the loss's value, independently of the module."""
    net = fp.UnivariateNet.from_vector(theta)
    phi = problem.loss.value(net(problem.data.x), problem.data.y)
    return float(np.mean(phi) + 0.5 * problem.weight_decay * theta @ theta)


def off_kinks(problem: Any, theta: np.ndarray, h: float) -> bool:
    """No pre-activation within the reach of a central difference of step h (the loss is smooth there)."""
    net = fp.UnivariateNet.from_vector(theta)
    z = np.abs(net.preactivations(problem.data.x))
    return bool(np.all(z > 10 * h * (1 + np.abs(problem.data.x[:, None]))))


@given(univariate_instances(max_n=30, max_m=6))
def test_gradient_matches_central_differences_of_the_forward_pass(inst: Any) -> None:
    problem, net = inst
    theta = net.to_vector()
    loss, grad = loss_and_gradient(problem, theta)
    assert loss == pytest.approx(reference_loss(problem, theta), rel=1e-12, abs=1e-300)
    if off_kinks(problem, theta, 1e-6):
        fd = central_gradient(lambda t: reference_loss(problem, t), theta)
        assert np.linalg.norm(grad - fd) <= 1e-6 * max(1.0, float(np.linalg.norm(fd)))


@given(univariate_instances())
def test_gradient_equals_the_oracles(inst: Any) -> None:
    problem, net = inst
    loss, grad = loss_and_gradient(problem, net.to_vector())
    orc = fp.univariate_oracle(problem, net, at_kink="convention")
    assert loss == pytest.approx(orc.loss(), rel=1e-12)
    assert rel(grad, orc.gradient()) <= 1e-12


def oracle_gd(problem: Any, net: Any, eta: float, steps: int) -> np.ndarray:
    """The iterates of GD driven by the curvature oracle's gradient (how train.py stepped before)."""
    theta = net.to_vector()
    out = [theta]
    for _ in range(steps):
        g = fp.univariate_oracle(problem, fp.UnivariateNet.from_vector(theta), at_kink="convention").gradient()
        theta = theta - eta * g
        out.append(theta)
    return np.array(out)


@settings(max_examples=10, deadline=None)
@given(univariate_instances(max_n=40, max_m=8))
def test_gradient_descent_follows_the_oracle_trajectory(inst: Any) -> None:
    problem, net = inst
    eta, steps = 0.1, 200
    ref = oracle_gd(problem, net, eta, steps)
    for k in (1, 17, steps):
        run = gradient_descent(problem, net, eta, k, max_norm=np.inf)
        assert run.steps == k and run.stop_reason == "steps"
        assert rel(run.net.to_vector(), ref[k]) <= 1e-12


def test_gradient_descent_records_the_network_it_reached() -> None:
    problem, net = random_univariate(3, 25, 5)
    run = gradient_descent(problem, net, 0.5, 40, record_every=20)
    ref = oracle_gd(problem, net, 0.5, 40)
    assert run.history["step"] == [0, 20, 40]
    assert run.history["norm"] == pytest.approx([float(np.linalg.norm(ref[k])) for k in (0, 20, 40)], rel=1e-12)
    assert run.history["loss"][-1] == pytest.approx(reference_loss(problem, ref[40]), rel=1e-12)
    assert rel(run.net.to_vector(), ref[40]) <= 1e-12


def test_gradient_descent_stops_on_the_loss_and_on_the_norm() -> None:
    problem, net = random_univariate(4, 20, 4)
    ref = oracle_gd(problem, net, 0.5, 30)
    tol = reference_loss(problem, ref[12]) * (1 + 1e-9)       # the loss decreases: first below it at step ≤ 12
    run = gradient_descent(problem, net, 0.5, 30, loss_tol=tol)
    assert run.stop_reason == "loss" and run.steps <= 12
    assert rel(run.net.to_vector(), ref[run.steps]) <= 1e-12
    bound = float(np.linalg.norm(ref[5])) * (1 - 1e-9)
    first = next(k for k in range(1, 31) if np.linalg.norm(ref[k]) > bound)   # θ_0 is not checked
    run = gradient_descent(problem, net, 0.5, 30, max_norm=bound)
    assert run.stop_reason == "norm" and run.steps == first
    assert rel(run.net.to_vector(), ref[first]) <= 1e-12
