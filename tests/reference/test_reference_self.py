"""The 50-digit reference checked against hand computations, before it judges anything."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _mpref import Hom, Uni, c_star, dip_logit, errors, excess_error, hessian_structure_verdict  # noqa: E402
from mpmath import mp, mpf  # noqa: E402


def test_g_side_by_hand():
    # μ uniform on {0, 1} (square loss: d_j = 1), knot t = 1/2: P(X > t) = 1/2, E[X − t | X > t] = 1/2,
    # E[X | X > t] = 1, so g⁺ = (1/4)(1/2)√2 = √2/8; g⁻ = (1/4)(1/2)·1 = 1/8
    u = Uni.from_arrays([1.0], [1.0], [0.5], 0.0, [0.0, 1.0], [1.0, 1.0], loss="square")
    assert abs(u.g_side(mpf("0.5"), "+") - mp.sqrt(2) / 8) < mpf(10) ** -55
    assert abs(u.g_side(mpf("0.5"), "-") - mpf(1) / 8) < mpf(10) ** -55


def test_univariate_hessian_by_hand():
    # one neuron v = 2, w = 1, b = 0, β = 0, one point x = 1, y = 0, square loss factor 1/2 (φ'' = 1, φ' = f − y = 2):
    # ∇f = (1, 2·1, −2, 1); H = ∇f∇fᵀ + φ'·∇²f with ∇²f[v,w] = x = 1, ∇²f[v,b] = −1
    u = Uni.from_arrays([2.0], [1.0], [0.0], 0.0, [1.0], [0.0], loss="square")
    H = u.parts()[2]
    g = [1, 2, -2, 1]
    for i in range(4):
        for j in range(4):
            expect = g[i] * g[j] + (2 if {i, j} == {0, 1} else -2 if {i, j} == {0, 2} else 0)
            assert H[i, j] == expect
    assert u.trace() == 10 and u.eps_F() == mp.sqrt(8)
    assert hessian_structure_verdict(u)[0] == "holds"


def test_population_two_ways():
    # err − Bayes by one integrand equals err and Bayes integrated separately, to 50 digits (narrow dip included)
    u = Uni.from_arrays([4.0, -4.0], [1.0, 1.0], [0.1, 0.6], -1.0, [0.0], [1.0])
    logit = dip_logit(3.0, 0.0, 6.0, -0.3, 1e-3)
    pop, bay = errors(u, logit, 0.1)
    assert abs((pop - bay) - excess_error(u, logit, 0.1)) < mpf(10) ** -50
    assert 0 < bay < pop < 1


def test_c_star_balances():
    # at c*, k c^{2k}A = c^{−2}B: the a-block carries 1/(k+1) of the neuron's flatness (M.3)
    h = Hom([mpf(3)], [[mpf(1), mpf(2)]], [[mpf(1), mpf(1)], [mpf(2), mpf(-1)]], [mpf(0), mpf(0)], "relu_power", 2)
    (A,), (B,) = h.AB()
    (c,) = c_star(h)
    assert abs(2 * c ** 4 * A - B / c ** 2) < mpf(10) ** -50 * B
