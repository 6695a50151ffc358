"""Vectorised interval arithmetic (flatproof.arith.intervals) and the O(n + m) rigorous univariate enclosures: every
interval must contain the exact value — exact rationals (fractions) for the arithmetic, python-flint arb at
50 digits for the network's quantities — and the widths stay small."""

from fractions import Fraction

import numpy as np
import pytest
from flint import arb, ctx
from hypothesis import given
from hypothesis import strategies as st

import flatproof as fp
from flatproof.arith.intervals import Iv
from flatproof.measures import rigorous
from tests._instances import random_univariate

floats = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False, allow_subnormal=True)


def _contains(iv: Iv, exact) -> bool:
    lo, hi = iv.lo.reshape(-1), iv.hi.reshape(-1)
    return all(Fraction(float(lo[k])) <= e <= Fraction(float(hi[k])) for k, e in enumerate(exact))


@given(st.lists(st.tuples(floats, floats), min_size=1, max_size=30))
def test_arithmetic_contains_the_exact_rational_result(pairs):
    a, b = np.array([p[0] for p in pairs]), np.array([p[1] for p in pairs])
    A, B = Iv(a), Iv(b)
    fa, fb = [Fraction(t) for t in a], [Fraction(t) for t in b]
    assert _contains(A + B, [x + y for x, y in zip(fa, fb, strict=True)])
    assert _contains(A - B, [x - y for x, y in zip(fa, fb, strict=True)])
    assert _contains(A * B, [x * y for x, y in zip(fa, fb, strict=True)])
    assert _contains((A * B) / 7.0, [x * y / 7 for x, y in zip(fa, fb, strict=True)])
    assert _contains(A.square(), [x * x for x in fa])
    assert _contains((A * B).sum(), [sum(x * y for x, y in zip(fa, fb, strict=True))])
    pre = [sum(fa[:k + 1]) for k in range(len(fa))]
    assert _contains(A.cumsum(), pre)
    assert _contains(A.cumsum(reverse=True), [sum(fa[k:]) for k in range(len(fa))])
    idx = np.arange(len(fa)) % 3
    assert _contains(A.bincount(idx, 3), [sum(f for f, i in zip(fa, idx, strict=True) if i == k) for k in range(3)])


def test_cancellation_is_tracked():
    x = Iv(np.array([1e16, 1.0, -1e16, 1.0]))
    s = x.sum()
    assert s.lo <= 2.0 <= s.hi                    # float64 sums this to 0 or 2 depending on order
    assert s.hi - s.lo < 20.0


@pytest.fixture
def high_precision():
    old = ctx.prec
    ctx.prec = 170            # ≈ 51 decimal digits
    yield
    ctx.prec = old


def _in(iv_lo, iv_hi, ball: arb) -> bool:
    mid = Fraction(str(ball.mid().str(60, radius=False)))
    return Fraction(float(iv_lo)) <= mid <= Fraction(float(iv_hi))


@pytest.mark.parametrize("seed,loss,wd,spread", [(0, "logistic", 0.0, 1.0), (1, "logistic", 0.01, 3.0),
                                                 (2, "square", 0.0, 1.0)])
def test_enclosures_contain_the_50_digit_values(high_precision, seed, loss, wd, spread):
    problem, net = random_univariate(seed, 40, 9, loss, wd, spread)
    iv = rigorous.UnivariateIntervals(problem, net)
    ref = rigorous.univariate_balls(problem, net)          # arb at 170 bits, the ball Jacobian path
    inv = np.empty_like(iv.order)
    inv[iv.order] = np.arange(iv.n)
    for j in range(iv.n):
        k = inv[j]
        assert ref.f[j].rad() < 1e-40 and _in(iv.f.lo[k], iv.f.hi[k], ref.f[j])
        assert _in(iv.g.lo[k], iv.g.hi[k], ref.g[j]) and _in(iv.d.lo[k], iv.d.hi[k], ref.d[j])
    for i in range(iv.m):
        assert _in(iv.a.lo[i], iv.a.hi[i], ref.a[i]) and _in(iv.c.lo[i], iv.c.hi[i], ref.c[i])
    # widths: a few hundred ulps of the values' scale
    assert np.max(iv.f.rad) <= 1e-12 * (1 + np.max(np.abs(iv.f.mid)))
    assert np.max(iv.a.rad) <= 1e-13 and np.max(iv.c.rad) <= 1e-13
    # ε_F bound above the 50-digit ε_F, and close to it
    eps = ref.eps_f
    assert Fraction(iv.eps_f_upper()) >= Fraction(str(eps.mid().str(60, radius=False)))
    assert iv.eps_f_upper() <= float(eps.mid()) * (1 + 1e-12) + 1e-300
    # λ_max: the interval bracket contains the verified eigenvalue enclosure of the ball Hessian
    H = fp.UnivariateDense(problem, net).hessian()
    w, V = np.linalg.eigh(H)
    enc = rigorous.certified_eigenvalues(ref.hessian())
    lo, hi = iv.rayleigh_lower(V[:, -1]), iv.lambda_max_upper()
    assert lo <= enc.lambda_max[0] and enc.lambda_max[1] <= hi
    assert hi - lo <= 2 * iv.eps_f_upper() + 1e-9 * abs(w[-1]) + (0 if iv._signed_ok else abs(w[-1]))


def test_large_univariate_lambda_max_uses_intervals(monkeypatch):
    problem, net = random_univariate(4, 300, 150)                   # p = 451 > DENSE_LIMIT
    H = fp.UnivariateDense(problem, net).hessian()
    w, V = np.linalg.eigh(H)
    (lo, hi), how = rigorous.univariate_lambda_max(problem, net, V[:, -1])
    assert "Collatz–Wielandt" in how and lo <= w[-1] <= hi
    assert lo == pytest.approx(w[-1], rel=1e-10)
    balls = rigorous.univariate_balls(problem, net)
    assert not balls.jacobian_formed and len(balls.f) == 300
    f = fp.UnivariateDense(problem, net).f
    assert all(float(balls.f[j].lower()) <= f[j] + 1e-12 and f[j] - 1e-12 <= float(balls.f[j].upper())
               for j in range(300))
    # the trace by the O(n + m) formula (no Jacobian) encloses the float one from the dense Jacobian
    tr = balls.trace_gn()
    assert not balls.jacobian_formed
    dense = fp.UnivariateDense(problem, net)
    J = dense.jacobian()
    assert float(tr.lower()) - 1e-12 <= dense.d @ np.sum(J * J, axis=1) / 300 <= float(tr.upper()) + 1e-12
    # the ball Jacobian is built from the certified pattern only when a step needs it, and only up to SIZE_LIMIT
    monkeypatch.setattr(rigorous, "SIZE_LIMIT", 1000)
    with pytest.raises(fp.InputError, match="ball Jacobian"):
        rigorous.univariate_balls(problem, net).hessian()


def test_interval_pattern_refuses_a_kink():
    problem = fp.UnivariateProblem(fp.UnivariateData([0.0, 1.0, 2.0], [1.0, -1.0, 1.0]), fp.logistic_loss())
    with pytest.raises(fp.KinkError):
        rigorous.UnivariateIntervals(problem, fp.UnivariateNet([1.0], [3.0], [3.0], 0.0))     # x = 1 is the knot
