"""Corners of float64 in the homogeneous model found by the stop-20 audit, guarded as classes:

- inputs so small that ‖x_i‖² or σ(w_jᵀx_i)² underflow (1e-162, or 1e-80 with k = 2): A_j, B_j, F_sym and G(ŵ)
  lost their bits or became 0, so orbit-minimum and factorisation said `violated` on true identities and
  flat-by-rescaling said `holds` (F_sym = 0, "not attained") where F_sym = 1.9e-29 > ε;
- a pre-activation undecided in interval arithmetic but nonzero (z = 2⁻⁵²): rigorous relu-sample-bound said
  hypotheses-not-met; an exact zero stays a kink;
- exact zeros of a C² activation (relu³, abs³) are not kinks of the Hessian.

Expectations are independent: 50-digit mpmath from the formulas of flatproof math M.2–M.3 (F_sym = Σ_j (k+1)
k^{−k/(k+1)} A_j^{1/(k+1)} B_j^{k/(k+1)}), activations decided exactly (Fraction)."""

from __future__ import annotations

from fractions import Fraction

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flatproof as fp
from flatproof.claims import get_claim
from flatproof.instances.instance import Instance
from flatproof.measures.homogeneous_hessian import HomogeneousOracle, HomogeneousProblem
from flatproof.measures.homogeneous_orbit import f_sym_factorised, f_sym_net


def reference(X, W, a, k):
    """(F = Σ_j (A_j + B_j), F_sym) at 50 digits for σ = relu^k (relu for k = 1), M.1's square loss."""
    with mp.workdps(50):
        n = len(X)
        F, Fs = mp.mpf(0), mp.mpf(0)
        for wj, aj in zip(W, a, strict=True):
            A = B = mp.mpf(0)
            for x in X:
                z = sum(Fraction(float(w)) * Fraction(float(t)) for w, t in zip(wj, x, strict=True))
                if z > 0:
                    zz = mp.mpf(z.numerator) / z.denominator
                    A += zz ** (2 * k)
                    B += (k * zz ** (k - 1)) ** 2 * sum(mp.mpf(float(t)) ** 2 for t in x)
            A, B = 2 * A / n, 2 * mp.mpf(float(aj)) ** 2 * B / n
            F += A + B
            if A > 0 and B > 0:
                Fs += (k + 1) * mp.mpf(k) ** (-mp.mpf(k) / (k + 1)) * A ** (mp.mpf(1) / (k + 1)) * B ** (mp.mpf(k) / (k + 1))
        return float(F), float(Fs)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**16), k=st.sampled_from([1, 2, 3]), ex=st.integers(-170, -40))
def test_f_sym_and_its_factorisation_keep_tiny_inputs(seed, k, ex):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(4, 2)) * 10.0 ** ex
    W = rng.normal(size=(2, 2)) * 10.0 ** (-ex)             # pre-activations of order 1, ‖x‖² ~ 10^(2 ex)
    a = rng.normal(size=2)
    act = fp.parse_activation("relu" if k == 1 else f"relu^{k}")
    net = fp.HomogeneousNet(a, W, act)
    _, ref = reference(X, W, a, k)
    if not 1e-300 < ref < 1e300:
        return                                               # the value itself is outside float64
    with np.errstate(under="ignore", over="ignore"):
        assert f_sym_net(net, X) == pytest.approx(ref, rel=1e-9, abs=0.0)
        assert f_sym_factorised(net, X) == pytest.approx(ref, rel=1e-9, abs=0.0)


def _inst(X, W, a, act):
    net = fp.HomogeneousNet(np.array(a, dtype=float), np.array(W, dtype=float), fp.parse_activation(act))
    X = np.array(X, dtype=float)
    return Instance("homogeneous", fp.MultiIndexData(X, net(X)), net, fp.square_loss(1.0), 0.0)


def test_the_audit_instances_hold_where_the_identities_are_true():
    inst = _inst([[1.3e-80, -0.4e-80], [0.7e-80, 0.9e-80]], [[1.1e80, 0.5e80]], [0.8e80], "relu^2")
    for cid in ("homogeneous.factorisation", "homogeneous.orbit-minimum"):
        assert get_claim(cid).check(inst).outcome == "holds", cid
    _, ref = reference(inst.data.X, inst.net.W, inst.net.a, 2)
    assert get_claim("homogeneous.factorisation").check(inst).certificate["F_sym"] == pytest.approx(ref, rel=1e-12, abs=0.0)


def test_flat_by_rescaling_is_violated_when_the_infimum_exceeds_epsilon():
    """‖x_i‖² = 4.5e-324 rounds to 0 in float64; F_sym = 1.9e-29 > ε = 1e-30, so no rescaling gets below ε."""
    inst = _inst([[1.5e-162, 1.5e-162], [1.4e-162, 1.2e-162]], [[0.9e154, 0.8e154]], [1e140], "relu")
    F, Fs = reference(inst.data.X, inst.net.W, inst.net.a, 1)
    assert Fs > 1e-30
    v = get_claim("homogeneous.flat-by-rescaling").check(inst, params={"epsilon": 1e-30})
    assert v.outcome == "violated" and v.certificate["F_sym"] == pytest.approx(Fs, rel=1e-12, abs=0.0)
    orc = HomogeneousOracle(HomogeneousProblem(inst.data, inst.loss), inst.net)
    A, B = orc.trace_blocks()
    assert B[0] > 0 and orc.trace() == pytest.approx(F, rel=1e-12, abs=0.0)


def test_an_undecided_interval_pattern_is_inconclusive_and_an_exact_zero_a_kink():
    X = [[1.0, 1.0], [2.0, 0.5]]
    near = _inst(X, [[1.0, -1.0 + 2 ** -52]], [1.0], "relu")           # z = 2⁻⁵² exactly: not a kink
    v = get_claim("homogeneous.relu-sample-bound").check(near, mode="rigorous")
    assert v.outcome == "inconclusive" and all(h.met for h in v.hypotheses)
    at = _inst(X, [[1.0, -1.0]], [1.0], "relu")                        # z = 0 exactly at x = (1, 1)
    v = get_claim("homogeneous.relu-sample-bound").check(at, mode="rigorous")
    assert v.outcome == "hypotheses-not-met"


@pytest.mark.parametrize("act", ["relu^3", "abs^3", "relu^4"])
def test_exact_zeros_of_a_twice_differentiable_activation_are_not_kinks(act):
    inst = _inst([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]], [[0.0, 1.0], [1.0, 0.5]], [1.0, -0.7], act)
    for cid in ("homogeneous.factorisation", "homogeneous.trace-at-interpolator"):
        assert get_claim(cid).check(inst).outcome == "holds", (act, cid)
