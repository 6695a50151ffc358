"""The compensated interval context of measures/rigorous: prefix sums by a TwoSum scan and per-bin deposit bounds,
checked against exact rational sums (fractions.Fraction of the float inputs), on sums that cancel the way the
sign-fitting network's slope jumps do (alternating terms of size up to 10¹², true partial sums of size 1)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from flatproof.arith.compensated import INTERVAL_COMPENSATED, compensated_cumsum
from flatproof.arith.contexts import INTERVAL
from flatproof.arith.intervals import Iv
from tests._instances import seeds


def cancelling(seed: int, n: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    big = 10.0 ** rng.uniform(0, 12, n)
    t = np.empty(n)
    t[0::2] = big[0::2]
    t[1::2] = -big[0:n - 1:2][: t[1::2].size] + rng.uniform(-1, 1, t[1::2].size)
    return t


def exact_prefix(t: np.ndarray) -> list[Fraction]:
    out, acc = [], Fraction(0)
    for v in t:
        acc += Fraction(float(v))
        out.append(acc)
    return out


@settings(max_examples=60, deadline=None)
@given(seeds, st.integers(1, 3000))
def test_compensated_prefix_sums_enclose_the_exact_sums_tightly(seed, n):
    t = cancelling(seed, n)
    value, bound = compensated_cumsum(t)
    exact = exact_prefix(t)
    for j in range(n):
        assert abs(Fraction(float(value[j])) - exact[j]) <= Fraction(float(bound[j]))
    # tight: a few ulps of the true partial sums plus u² times the magnitudes, not γ_n Σ|t|
    scale = np.cumsum(np.abs(t))
    assert np.all(bound <= 4e-16 * np.abs(value) + 1e-28 * scale * max(1, np.log2(n)) + 1e-300)


@settings(max_examples=30, deadline=None)
@given(seeds, st.integers(2, 2000), st.booleans())
def test_context_cumsum_and_deposit_contain_the_exact_values(seed, n, reverse):
    rng = np.random.default_rng(seed)
    x = Iv(cancelling(seed, n), rng.uniform(0, 1e-3, n))
    got = INTERVAL_COMPENSATED.cumsum(x, reverse=reverse)
    mids = x.mid[::-1] if reverse else x.mid
    rads = x.rad[::-1] if reverse else x.rad
    exact, radsum = exact_prefix(mids), exact_prefix(rads)
    lo, hi = (got.lo[::-1], got.hi[::-1]) if reverse else (got.lo, got.hi)
    for j in range(n):       # every point of the input box: the midpoint sum ± the summed radii
        assert Fraction(float(lo[j])) <= exact[j] - radsum[j] and exact[j] + radsum[j] <= Fraction(float(hi[j]))
    plain = INTERVAL.cumsum(x, reverse=reverse)
    assert np.max(got.rad) < np.max(plain.rad)               # the point of it: tighter where sums cancel
    length = int(rng.integers(1, 50))
    idx = rng.integers(0, length, n)
    dep = INTERVAL_COMPENSATED.deposit(idx, x, length)
    for k in range(length):
        terms = [Fraction(float(v)) for v in x.mid[idx == k]]
        r = sum((Fraction(float(v)) for v in x.rad[idx == k]), Fraction(0))
        s = sum(terms, Fraction(0))
        assert Fraction(float(dep.lo[k])) <= s - r and s + r <= Fraction(float(dep.hi[k]))
