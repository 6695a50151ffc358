"""Kinks at scale: the tolerance is relative to the pre-activation's scale and includes the rounding of the
product; `measure` computes with ReLU'(0) = 0 and counts the near-kinks, [exact] claims keep refusing."""

import numpy as np
import pytest

import flatproof as fp
from flatproof.measures._base import DEFAULT_KINK_TOL, dot_rounding


def _homogeneous(X, W, a, y):
    return fp.HomogeneousProblem(fp.MultiIndexData(np.array(X, float), np.array(y, float)), fp.square_loss(1.0)), \
        fp.HomogeneousNet(np.array(a, float), np.array(W, float), fp.relu())


def test_rounding_of_the_product_is_a_kink_even_with_zero_tolerance():
    # x·w = 1e16 + 1 − 1e16 = 1 exactly, but float64 computes 0 (or 2): its sign says nothing at this scale
    problem, net = _homogeneous([[1.0, 1.0, 1.0], [1.0, 0.0, 0.0]], [[1e16, 1.0, -1e16]], [1.0], [0.0, 1.0])
    o = fp.HomogeneousOracle(problem, net, kink_tol=0.0, at_kink="convention")
    assert o.kinks.count == 1 and o.kinks.examples == ((0, 0),)
    assert dot_rounding(3) * np.sqrt(3) * np.linalg.norm(net.W[0]) > 1.0       # γ_3 ‖x‖‖w‖ exceeds |z| = 1


def test_relative_tolerance_scales_with_the_norms():
    # x = (1, 0), w = (1e-3, s): z = 1e-3 against ‖x‖‖w‖ ≈ s. At s = 1e7 that is 1e-10 relative, a near-kink
    # under the default 1e-9; at s = 1 it is 1e-3 relative, not one.
    for s, expect in ((1e7, 1), (1.0, 0)):
        problem, net = _homogeneous([[1.0, 0.0]], [[1e-3, s]], [1.0], [0.0])
        assert fp.HomogeneousOracle(problem, net, at_kink="convention").kinks.count == expect
    assert DEFAULT_KINK_TOL == 1e-9


def test_measure_counts_kinks_and_uses_the_convention_while_exact_oracles_refuse():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((40, 3))
    W = rng.standard_normal((4, 3))
    W[1] -= (X[7] @ W[1]) / (X[7] @ X[7]) * X[7]         # x_7 ⟂ w_1: an exact kink (to rounding)
    problem, net = _homogeneous(X, W, rng.standard_normal(4), rng.standard_normal(40))
    strict = fp.HomogeneousOracle(problem, net)
    assert strict.kinks.count >= 1 and (7, 1) in strict.kinks.examples
    with pytest.raises(fp.KinkError):
        strict.trace()
    res = fp.measure(strict)
    assert res.kinks.count == strict.kinks.count and res.trace is not None and res.lambda_max is not None
    assert any("convention" in n for n in res.notes)
    # ReLU'(0) = 0: the trace equals the formula with the point's neuron inactive
    S1 = (X @ W.T > 0).astype(float)
    S1[7, 1] = 0.0
    S = np.maximum(X @ W.T, 0.0)
    expect = 2.0 / 40 * (np.sum(S ** 2) + np.sum(S1 ** 2 * np.sum(X * X, axis=1)[:, None] * net.a ** 2))
    assert res.trace == pytest.approx(expect, rel=1e-12)
    assert fp.measure(strict, at_kink="raise").trace is None
