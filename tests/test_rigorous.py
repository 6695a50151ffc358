"""Rigorous mode: outward rounding, certified eigenvalue enclosures (also with clustered eigenvalues)."""

from fractions import Fraction

import numpy as np
import pytest
from flint import arb, arb_mat
from hypothesis import given
from hypothesis import strategies as st

import flatproof as fp
from flatproof.measures import rigorous
from tests._instances import random_univariate, seeds


def test_outward_rounding_never_favours_the_verdict():
    third = arb(1) / 3
    assert Fraction(rigorous.down(third)) < Fraction(1, 3) < Fraction(rigorous.up(third))
    x = arb(2).sqrt()
    lo, hi = rigorous.interval(x)
    assert Fraction(lo) ** 2 < 2 < Fraction(hi) ** 2


@given(seeds, st.integers(1, 25), st.sampled_from(["random", "repeated", "rank-deficient"]))
def test_certified_eigenvalues_enclose_exact_ones(seed, p, kind):
    rng = np.random.default_rng(seed)
    if kind == "random":
        M = rng.standard_normal((p, p))
        M = M + M.T
    else:
        Q, _ = np.linalg.qr(rng.standard_normal((p, p)))
        lam = np.repeat(rng.standard_normal(max(1, p // 3 + 1)), 3)[:p] if kind == "repeated" else \
            np.concatenate([rng.uniform(1, 2, (p + 1) // 2), np.zeros(p // 2)])
        M = (Q * lam) @ Q.T
        M = 0.5 * (M + M.T)
    enc = rigorous.certified_eigenvalues(arb_mat(M.tolist()))
    # the float matrix is the exact input; its eigenvalues by a high-precision reference (mpmath)
    import mpmath
    with mpmath.workdps(40):
        ev = sorted(mpmath.eigsy(mpmath.matrix(M.tolist()))[0])
        top, bottom = Fraction(str(ev[-1])), Fraction(str(ev[0]))       # all 40 digits
    slack = Fraction(1, 10 ** 30) * (1 + abs(top) + abs(bottom))     # the 40-digit reference's own error
    assert Fraction(enc.lambda_max[0]) - slack <= top <= Fraction(enc.lambda_max[1]) + slack
    assert Fraction(enc.lambda_min[0]) - slack <= bottom <= Fraction(enc.lambda_min[1]) + slack
    assert enc.lambda_max[1] - enc.lambda_max[0] <= 1e-10 * (1 + abs(float(top)))    # and it is tight


@given(seeds, st.integers(2, 30), st.integers(1, 6), st.sampled_from(["logistic", "square"]))
def test_ball_hessian_encloses_the_float_hessian(seed, n, m, loss):
    problem, net = random_univariate(seed, n, m, loss)
    H = fp.UnivariateDense(problem, net).hessian()
    B = rigorous.univariate_balls(problem, net).hessian()
    scale = max(1.0, float(np.abs(H).max()))
    for i in range(H.shape[0]):
        for j in range(H.shape[1]):
            lo, hi = rigorous.interval(B[i, j])
            assert lo - 1e-12 * scale <= H[i, j] <= hi + 1e-12 * scale


def test_trace_bound_fallback_is_an_upper_bound(monkeypatch):
    problem, net = random_univariate(3, 40, 8)
    lam = np.linalg.eigvalsh(fp.UnivariateDense(problem, net).hessian())
    u = np.linalg.eigh(fp.UnivariateDense(problem, net).hessian())[1][:, -1]
    monkeypatch.setattr(rigorous, "DENSE_LIMIT", 5)
    (lo, hi), how = rigorous.univariate_lambda_max(problem, net, u)
    assert "Rayleigh" in how
    assert lo <= lam[-1] <= hi
    assert lo == pytest.approx(lam[-1], rel=1e-10)       # the top eigenvector's Rayleigh quotient


def test_kink_in_ball_arithmetic_is_refused():
    problem = fp.UnivariateProblem(fp.UnivariateData([0.0, 1.0], [1.0, -1.0]), fp.logistic_loss())
    with pytest.raises(fp.KinkError):
        rigorous.univariate_balls(problem, fp.UnivariateNet([1.0], [1.0], [0.0], 0.0))
