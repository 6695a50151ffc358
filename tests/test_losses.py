"""The logistic loss and its derivatives: stable at margins ±1e6, accurate against mpmath."""

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import flatproof as fp


@pytest.fixture(autouse=True)
def _fifty_digits(mpmath_precision):
    """50-digit references in this module (restored after each test by conftest's ``mpmath_precision``)."""
    mpmath_precision.dps = 50


def exact(z):
    z = mp.mpf(z)
    # s(z) s(−z) written without 1 − s, which would cancel even at 50 digits for z ~ 100
    return mp.log1p(mp.e ** (-z)), -1 / (1 + mp.e ** z), 1 / ((1 + mp.e ** (-z)) * (1 + mp.e ** z))


@given(st.floats(-700, 700))
def test_logistic_matches_mpmath(z):
    ell, d1, d2 = exact(z)
    for got, want in ((fp.logistic(z), ell), (fp.logistic_d1(z), d1), (fp.logistic_d2(z), d2)):
        want = float(want)
        assert abs(float(got) - want) <= 4e-15 * abs(want) + 1e-300


@pytest.mark.parametrize("z", [1e6, -1e6, 1e3, -1e3, 745.5, -745.5])
def test_extreme_margins_match_asymptotics(z):
    # ℓ(z) → max(−z, 0) + e^{−|z|}, ℓ'(z) → −s(−z), ℓ''(z) → e^{−|z|}; e^{−|z|} underflows to 0 here.
    z = np.array(z)
    assert fp.logistic(z) == max(-float(z), 0.0)
    assert fp.logistic_d1(z) == (-1.0 if z < 0 else 0.0)
    assert fp.logistic_d2(z) == 0.0
    assert fp.log_logistic_d2(z) == pytest.approx(-abs(float(z)), rel=1e-15)


def test_tiny_curvature_is_not_lost():
    # z = 40: 1 − s(z) rounds to 0 in float64, yet ℓ''(40) ≈ e^{−40} must survive.
    for z in (40.0, 200.0, 700.0, 740.0):
        want = float(exact(z)[2])
        assert float(fp.logistic_d2(z)) == pytest.approx(want, rel=1e-12 if z < 709 else 1e-3)
        assert float(fp.log_logistic_d2(z)) == pytest.approx(float(mp.log(exact(z)[2])), rel=1e-15)


def test_vectorised_no_warnings_at_huge_margins():
    z = np.array([-1e6, -50.0, 0.0, 50.0, 1e6])
    for fn in (fp.logistic, fp.logistic_d1, fp.logistic_d2, fp.sigmoid, fp.log_logistic_d2):
        assert np.all(np.isfinite(fn(z)))


@given(st.floats(1e-6, 0.25))
def test_logit_width_solves_curvature_equation(delta):
    tau = fp.logit_width(delta)
    assert tau >= 0
    assert float(fp.logistic_d2(tau)) == pytest.approx(delta, rel=1e-9)


def test_logit_width_rejects_out_of_range():
    for bad in (0.0, 0.3, -1.0):
        with pytest.raises(fp.InputError, match="delta"):
            fp.logit_width(bad)


def test_square_loss_derivatives():
    loss = fp.square_loss(0.5)
    f, y = np.array([1.5, -2.0]), np.array([1.0, 1.0])
    assert np.allclose(loss.value(f, y), 0.5 * (f - y) ** 2)
    assert np.allclose(loss.d1(f, y), f - y)
    assert np.allclose(loss.d2(f, y), 1.0)
