"""One formula, three arithmetic contexts (issue 16): the U.2 quantities of measures/univariate_formulas evaluated in
float64, in vectorised intervals and in arb balls on random instances. Every rigorous enclosure must contain the
50-digit value — computed here independently by mpmath from the definitions of flatproof math U.2 with the dense
O(nm) sums, not the prefix sums under test — the interval and ball enclosures must therefore meet, and the float
estimate must lie in the interval enclosure up to its own rounding error."""

from __future__ import annotations

import mpmath as mp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flatproof._errors import KinkError
from flatproof.arith.contexts import BALL, FLOAT, INTERVAL, Context, for_mode
from flatproof.measures.univariate_formulas import UnivariateFormulas, univariate_formulas
from flatproof.model.univariate import UnivariateNet
from tests._instances import random_univariate, seeds


def run(ctx: Context, problem, net, u: np.ndarray, e: np.ndarray) -> dict:
    q = UnivariateFormulas()
    q._setup_formulas(ctx, problem, net)
    a, c = q.blocks()
    num, uu = q.quadratic_form(u)
    abar, cbar = q.activity_blocks()
    return {"f": q.f, "g": q.g, "d": q.d, "a": a, "c": c, "trace": q.trace_gn(), "grad": q.gradient_terms(),
            "gradsq": q.gradient_norms_sq(), "abar": abar, "cbar": cbar,
            "Ju": q.jvp_sorted(ctx.exact(u)), "JTe": q.vjp_sorted(ctx.exact(e)), "uHu": num, "uu": uu}


def reference(problem, net, u: np.ndarray, e_sorted: np.ndarray) -> dict:
    """The same quantities at 50 digits from the definitions (sorted data order where the contexts use it)."""
    order = np.argsort(problem.data.x, kind="stable")
    x, y = problem.data.x[order], problem.data.y[order]
    n, m = x.size, net.m
    with mp.workdps(50):
        v, w, b = ([mp.mpf(float(t)) for t in arr] for arr in (net.v, net.w, net.b))
        U = [mp.mpf(float(t)) for t in u]
        E = [mp.mpf(float(t)) for t in e_sorted]
        f, g, d, J, A = [], [], [], [], []
        for xj, yj in zip(x, y, strict=True):
            xj, yj = mp.mpf(float(xj)), mp.mpf(float(yj))
            z = [wi * xj - bi for wi, bi in zip(w, b, strict=True)]
            act = [zi > 0 for zi in z]
            fj = mp.mpf(float(net.beta)) + sum(vi * zi for vi, zi, ai in zip(v, z, act, strict=True) if ai)
            if problem.loss.kind == "logistic":
                s = lambda t: 1 / (1 + mp.exp(-t))      # noqa: E731
                gj, dj = yj * -s(-yj * fj), s(yj * fj) * s(-yj * fj)
            else:
                k2 = 2 * mp.mpf(float(problem.loss.factor))
                gj, dj = k2 * (fj - yj), k2
            row = ([zi if ai else mp.mpf(0) for zi, ai in zip(z, act, strict=True)]
                   + [vi * xj if ai else mp.mpf(0) for vi, ai in zip(v, act, strict=True)]
                   + [-vi if ai else mp.mpf(0) for vi, ai in zip(v, act, strict=True)] + [mp.mpf(1)])
            f.append(fj), g.append(gj), d.append(dj), J.append(row), A.append(act)
        p = 3 * m + 1
        a = [sum(g[j] * mp.mpf(float(x[j])) for j in range(n) if A[j][i]) / n for i in range(m)]
        c = [-sum(g[j] for j in range(n) if A[j][i]) / n for i in range(m)]
        Ju = [sum(J[j][k] * U[k] for k in range(p)) for j in range(n)]
        JTe = [sum(J[j][k] * E[j] for j in range(n)) for k in range(p)]
        grad = [sum(J[j][k] * g[j] for j in range(n)) / n for k in range(p)]
        trace = sum(d[j] * sum(t * t for t in J[j]) for j in range(n)) / n
        uHu = (sum(d[j] * Ju[j] ** 2 for j in range(n)) / n
               + 2 * sum(U[i] * (a[i] * U[m + i] + c[i] * U[2 * m + i]) for i in range(m)))
        abar = [sum(abs(mp.mpf(float(x[j]))) for j in range(n) if A[j][i]) / n for i in range(m)]
        cbar = [mp.mpf(sum(1 for j in range(n) if A[j][i])) / n for i in range(m)]
        return {"f": f, "g": g, "d": d, "a": a, "c": c, "trace": [trace], "grad": grad, "Ju": Ju, "JTe": JTe,
                "gradsq": [sum(t * t for t in row) for row in J], "abar": abar, "cbar": cbar,
                "uHu": [uHu], "uu": [sum(t * t for t in U)]}


def bounds(ctx: Context, x) -> tuple[np.ndarray, np.ndarray]:
    return np.atleast_1d(ctx.lower(x)).astype(float), np.atleast_1d(ctx.upper(x)).astype(float)


@settings(max_examples=40, deadline=None)
@given(seeds, st.integers(1, 25), st.integers(1, 6), st.sampled_from(["logistic", "square"]),
       st.sampled_from([1.0, 3.0]), st.booleans())
def test_three_contexts_enclose_the_50_digit_values(seed, n, m, loss, spread, zero_v):
    problem, net = random_univariate(seed, n, m, loss, 0.0, spread)
    if zero_v:                                   # a dead output weight: its a, c still count
        v = net.v.copy()
        v[0] = 0.0
        net = UnivariateNet(v, net.w, net.b, net.beta)
    rng = np.random.default_rng(seed)
    u, e = rng.normal(size=net.num_params), rng.normal(size=n)
    try:
        fl = run(FLOAT, problem, net, u, e)
        iv = run(INTERVAL, problem, net, u, e)
        bl = run(BALL, problem, net, u, e)
    except KinkError:                            # a knot closer to a data point than the float pattern can tell
        pytest.skip("pattern not certified")
    ref = reference(problem, net, u, e)
    for key, want in ref.items():
        ilo, ihi = bounds(INTERVAL, iv[key])
        blo, bhi = bounds(BALL, bl[key])
        est = np.atleast_1d(np.asarray(fl[key], dtype=float))
        assert ilo.shape == blo.shape == est.shape == (len(want),), key
        for k, exact in enumerate(want):
            assert mp.mpf(ilo[k]) <= exact <= mp.mpf(ihi[k]), (key, k, ilo[k], exact, ihi[k])
            assert mp.mpf(blo[k]) <= exact <= mp.mpf(bhi[k]), (key, k, blo[k], exact, bhi[k])
        assert np.all(np.maximum(ilo, blo) <= np.minimum(ihi, bhi)), key     # both contain the exact value
        # the float estimate: inside the interval enclosure up to its own rounding (a few ulps of the terms)
        slack = 64 * np.finfo(float).eps * (1 + np.abs(est))
        assert np.all((ilo - slack <= est) & (est <= ihi + slack)), (key, ilo, est, ihi)


def test_the_contexts_certify_signs_and_float_does_not_pretend():
    x = np.array([1e-300, 0.0, -2.0])
    assert FLOAT.sign(x).tolist() == [1, 0, -1]
    tiny = INTERVAL.exact(np.array([1.0])) * 1e-17 - INTERVAL.exact(np.array([1e-17]))   # exactly 0, enclosed
    assert INTERVAL.sign(tiny).tolist() == [0]
    assert BALL.sign(BALL.exact(np.array([3.0, -1.0, 0.0]))).tolist() == [1, -1, 0]
    assert not FLOAT.rigorous and INTERVAL.rigorous and BALL.rigorous


def test_float_guard_repairs_only_cancelling_entries():
    value = np.array([1.0, 1e-20])
    out, k = FLOAT.guard(value, lambda: np.array([1.0, 1.0]), lambda i: 42.0)
    assert k == 1 and out.tolist() == [1.0, 42.0] and value.tolist() == [1.0, 1e-20]
    iv = INTERVAL.exact(value)
    assert INTERVAL.guard(iv, lambda: None, lambda i: 42.0) == (iv, 0)


def test_a_mode_names_its_context():
    assert for_mode("float") is FLOAT and for_mode("rigorous") is INTERVAL
    with pytest.raises(ValueError):
        for_mode("exact")
    problem, net = random_univariate(5, 30, 4)
    fl, rg = univariate_formulas(problem, net, "float"), univariate_formulas(problem, net, "rigorous")
    lo, hi = rg.gradient_norms_sq().lo, rg.gradient_norms_sq().hi
    est = fl.gradient_norms_sq()
    assert np.all((lo <= est) & (est <= hi)) and np.all(hi - lo <= 1e-12 * (1 + np.abs(est)))
