"""Hypothesis strategies for test instances (kink-free by construction)."""

import numpy as np
from hypothesis import strategies as st

import flatproof as fp

seeds = st.integers(0, 2**32 - 1)


def random_univariate(seed, n, m, loss="logistic", wd=0.0, spread=1.0):
    """Random univariate instance whose knots stay at least 1e-6 away from every data point."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-spread, spread, n)
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    if loss == "square":
        y = y + 0.3 * rng.standard_normal(n)
    w = rng.normal(size=m)
    w[np.abs(w) < 0.05] = 0.5
    t = rng.uniform(-1.2 * spread, 1.2 * spread, m)
    for i in range(m):  # push knots off the data
        while np.min(np.abs(x - t[i])) < 1e-6 * max(1.0, abs(t[i])) * 10:
            t[i] += 1e-3
    net = fp.UnivariateNet(rng.normal(size=m), w, w * t, rng.normal())
    lossobj = fp.logistic_loss() if loss == "logistic" else fp.square_loss()
    return fp.UnivariateProblem(fp.UnivariateData(x, y), lossobj, wd), net


@st.composite
def univariate_instances(draw, max_n=60, max_m=12, losses=("logistic", "square")):
    seed = draw(seeds)
    n = draw(st.integers(1, max_n))
    m = draw(st.integers(1, max_m))
    loss = draw(st.sampled_from(losses))
    wd = draw(st.sampled_from([0.0, 0.0, 0.01]))
    spread = draw(st.sampled_from([1.0, 3.0]))
    return random_univariate(seed, n, m, loss, wd, spread)


ACTIVATIONS = [fp.relu(), fp.leaky_relu(0.2), fp.relu_power(2), fp.relu_power(3), fp.abs_power(1),
               fp.abs_power(2), fp.abs_power(3)]


def random_homogeneous(seed, n, d, m, act, loss="square", wd=0.0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    W = rng.normal(size=(m, d))
    if loss == "logistic":
        y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
        lossobj = fp.logistic_loss()
    else:
        y = rng.normal(size=n)
        lossobj = fp.square_loss(1.0)
    return fp.HomogeneousProblem(fp.MultiIndexData(X, y), lossobj, wd), fp.HomogeneousNet(rng.normal(size=m), W, act)


@st.composite
def homogeneous_instances(draw, max_n=30, max_d=5, max_m=5):
    return random_homogeneous(draw(seeds), draw(st.integers(1, max_n)), draw(st.integers(1, max_d)),
                              draw(st.integers(1, max_m)), draw(st.sampled_from(ACTIVATIONS)),
                              draw(st.sampled_from(["square", "logistic"])), draw(st.sampled_from([0.0, 0.05])))


def central_gradient(fun, theta, h=1e-6):
    g = np.empty_like(theta)
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        g[k] = (fun(theta + e) - fun(theta - e)) / (2 * h)
    return g


def central_jacobian(fun, theta, h=1e-6):
    cols = []
    for k in range(theta.size):
        e = np.zeros_like(theta)
        e[k] = h
        cols.append((fun(theta + e) - fun(theta - e)) / (2 * h))
    return np.column_stack(cols)


def rel(a, b):
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.linalg.norm(a - b) / max(np.linalg.norm(b), 1e-300))
