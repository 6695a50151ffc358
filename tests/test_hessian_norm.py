"""measures/hessian_norm: the O(n + m) enclosure of ‖∇²L(θ)‖₂ and the U.5 inputs, in float and in intervals.

Expectations are independent of the code under test: ‖∇²L‖₂ from numpy's dense symmetric eigensolver on the dense
Hessian (UnivariateDense, which forms J and the H_F blocks entry by entry), γ from the network evaluated directly,
max_j ‖∇f_θ(x_j)‖² from the rows of the dense Jacobian and ε₀ from the n × m activation pattern. The 50-digit
checks are in tests/reference/test_hessian_norm_reference.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings

import flatproof as fp
from flatproof._errors import KinkError
from flatproof.measures.hessian_norm import hessian_norm, u5_inputs, univariate_bounds
from flatproof.measures.univariate_formulas import values_at
from flatproof.model import constructions as C
from tests._instances import random_univariate, seeds, univariate_instances

REL = 1e-12          # float64 rounding of the dense reference itself, relative to ‖H‖


def dense_norm(problem, net) -> float:
    lam = np.linalg.eigvalsh(fp.UnivariateDense(problem, net).hessian())
    return float(max(abs(lam[0]), abs(lam[-1])))


@settings(max_examples=40, deadline=None)
@given(univariate_instances(max_n=40, max_m=8))
def test_the_enclosure_contains_the_dense_norm(inst):
    problem, net = inst
    ref = dense_norm(problem, net)
    h = hessian_norm(univariate_bounds(problem, net, "rigorous"))
    assert h.certified
    assert h.lower <= ref * (1 + REL) + 1e-300
    assert ref <= h.upper * (1 + REL) + 1e-300
    est = hessian_norm(univariate_bounds(problem, net, "float"))
    assert not est.certified
    # the float path is the same computation: its estimates agree with the enclosure's ends to rounding
    assert est.upper == pytest.approx(h.upper, rel=1e-9, abs=1e-300)
    assert est.lower == pytest.approx(h.lower, rel=1e-9, abs=1e-300)


@settings(max_examples=25, deadline=None)
@given(seeds)
def test_on_scaled_sign_fitting_networks_the_upper_end_is_close(seed):
    """On the U.5 family (|x| ≤ 1, so the Collatz–Wielandt kernel is J Jᵀ itself) the upper end exceeds the
    dense norm by at most ε_F, since ‖H‖ ≥ λ_max(H) ≥ λ_max(H_GN) − ε_F."""
    rng = np.random.default_rng(seed)
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.2)
    data = task.sample(int(rng.integers(5, 40)), rng)
    base = C.sign_fitting_network(data.x, data.y)
    problem = fp.UnivariateProblem(data, fp.logistic_loss())
    for c in (1.0, 2.5):
        net = C.scale_to_infinity(base, c)
        ref = dense_norm(problem, net)
        h = hessian_norm(univariate_bounds(problem, net, "rigorous"))
        assert ref <= h.upper * (1 + REL)
        assert h.upper <= (ref + 2 * h.eps_f) * (1 + 1e-6)


def test_weight_decay_shifts_both_ends():
    problem, net = random_univariate(11, 30, 5, wd=0.5)
    ref = dense_norm(problem, net)
    h = hessian_norm(univariate_bounds(problem, net, "rigorous"))
    assert h.lower >= 0.5 and h.lower <= ref <= h.upper


@settings(max_examples=40, deadline=None)
@given(univariate_instances(max_n=40, max_m=8, losses=("logistic",)))
def test_u5_inputs_against_the_dense_jacobian(inst):
    problem, net = inst
    x, y = problem.data.x, problem.data.y
    J = fp.UnivariateDense(problem, net).jacobian()
    G = float(np.max(np.sum(J * J, axis=1)))
    gamma = float(np.min(y * net(x)))
    act = net.activation_pattern(x)
    eps0 = float(np.max(np.sqrt(((np.abs(x) @ act) / x.size) ** 2 + (act.sum(axis=0) / x.size) ** 2)))
    rig = u5_inputs(problem, net, "rigorous")
    flo = u5_inputs(problem, net, "float")
    assert rig.certified and not flo.certified
    scale_f = float(np.max(np.abs(net.v) * (np.abs(net.w) * np.max(np.abs(x)) + np.abs(net.b)))) * net.m + 1
    for (lo, hi), (e_lo, e_hi), ref, tol in ((rig.gamma, flo.gamma, gamma, 1e-12 * scale_f),
                                             (rig.max_grad_f_sq, flo.max_grad_f_sq, G, 1e-12 * G),
                                             (rig.epsilon_0, flo.epsilon_0, eps0, 1e-14)):
        assert e_lo == e_hi                                  # a float estimate is a point
        assert lo <= e_lo <= hi
        assert lo - tol <= ref <= hi + tol                   # the dense reference has its own rounding
        assert hi - lo <= 1e-9 * (abs(ref) + scale_f)


def test_a_point_on_a_knot_is_a_kink_in_rigorous_mode_only():
    data = fp.UnivariateData(np.array([-0.5, 0.25, 0.75]), np.array([1.0, -1.0, 1.0]))
    net = fp.UnivariateNet(np.array([1.0]), np.array([2.0]), np.array([0.5]), 0.0)   # knot at x = 0.25
    problem = fp.UnivariateProblem(data, fp.logistic_loss())
    with pytest.raises(KinkError):
        u5_inputs(problem, net, "rigorous")
    with pytest.raises(KinkError):
        univariate_bounds(problem, net, "rigorous")
    assert u5_inputs(problem, net, "float").gamma == (0.0, 0.0)        # f(0.25) = 0: the estimate, no refusal


@settings(max_examples=30, deadline=None)
@given(univariate_instances(max_n=40, max_m=12, losses=("logistic",)), seeds)
def test_values_at_many_points_match_the_network(inst, seed):
    """values_at (prefix sums, no k × m array; the uncertain set of a wide θ_c) against f evaluated directly."""
    _, net = inst
    x = np.random.default_rng(seed).uniform(-4, 4, 57)
    direct = net(x)
    scale = float(np.sum(np.abs(net.v) * (4 * np.abs(net.w) + np.abs(net.b)))) + abs(net.beta)
    assert np.allclose(values_at(net, x), direct, rtol=0, atol=1e-12 * scale)
