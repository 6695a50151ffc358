"""The x-domain (flatproof math U.3, U.4): one definition, ``model.data.x_domain`` — the data law's support, cut
at the 1e-15 quantiles where unbounded, hulled with the data; without a law the data's range. Expected ends are
derived independently (the support by hand, the normal quantile by mpmath)."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest

import flatproof as fp
from flatproof._errors import InputError
from flatproof.measures.uncertain import uncertain_set
from flatproof.model.data import TAIL, x_domain


def task(law: fp.InputLaw) -> fp.LogisticTask:
    return fp.LogisticTask(law, fp.parse_expression("3*x"), flip=0.0)


def normal_quantile(p: float) -> float:
    mpmath.mp.dps = 40
    return float(mpmath.findroot(lambda t: mpmath.ncdf(t) - p, -8))


def test_a_bounded_law_is_its_support_and_the_data_inside_change_nothing():
    t = task(fp.uniform(-2.0, 3.0))
    assert x_domain(t) == (-2.0, 3.0)
    assert x_domain(t, np.array([-1.0, 0.5, 2.5])) == (-2.0, 3.0)


def test_an_unbounded_law_is_cut_at_its_tail_quantiles():
    lo, hi = x_domain(task(fp.normal(0.0, 1.0)))
    q = normal_quantile(TAIL)
    assert lo == pytest.approx(q, rel=1e-9) and hi == pytest.approx(-q, rel=1e-9)
    assert -8.0 < q < -7.9


def test_data_outside_a_declared_support_are_covered():
    assert x_domain(task(fp.uniform(-1.0, 1.0)), np.array([-0.5, 1.5])) == (-1.0, 1.5)


def test_without_a_law_the_data_range_and_a_single_point_widened():
    assert x_domain(None, np.array([0.3, -0.2, 0.1])) == (-0.2, 0.3)
    assert x_domain(None, np.array([0.5, 0.5])) == (-0.5, 1.5)
    with pytest.raises(InputError, match="data law or data points"):
        x_domain(None, np.array([]))


def test_the_region_of_a_network_uncertain_everywhere_is_where_the_law_lives():
    # counter-instance to the old data-range domain: f ≡ 0 is uncertain at every x, so under a normal law
    # R_δ reaches the law's tails; the data range [−0.5, 0.5] would leave out P(|X| > 0.5) ≈ 0.62 of the mass
    net = fp.UnivariateNet(np.array([0.0]), np.array([1.0]), np.array([0.0]), 0.0)
    t, x = task(fp.normal(0.0, 1.0)), np.array([-0.5, 0.1, 0.5])
    lo, hi = x_domain(t, x)
    assert uncertain_set(net, 0.1, lo, hi).hull == (lo, hi)
    assert lo < -7.9 and hi > 7.9
