"""measures/hessian_norm against the independent 50-digit reference (_mpref): the certified enclosure of
‖∇²L(θ)‖₂ contains the norm of the reference's Hessian (mpmath eigsy), and the certified U.5 inputs γ,
max_j ‖∇f_θ(x_j)‖², ε₀ contain the reference's values, on a few random instances and scaled sign-fitting networks."""

from __future__ import annotations

import numpy as np
import pytest
from _mpref import M, Uni, scaled, u5_bound
from mpmath import mp

import flatproof as fp
from flatproof.measures.hessian_norm import hessian_norm, u5_inputs, univariate_bounds
from flatproof.model import constructions as C


def _random(seed: int, n: int, m: int, wd: float):
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1, 1, n)
    y = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    w = rng.normal(size=m)
    w[np.abs(w) < 0.05] = 0.5
    t = rng.uniform(-1.2, 1.2, m)
    for i in range(m):
        while np.min(np.abs(x - t[i])) < 1e-5:
            t[i] += 1e-3
    net = fp.UnivariateNet(rng.normal(size=m), w, w * t, rng.normal())
    return fp.UnivariateProblem(fp.UnivariateData(x, y), fp.logistic_loss(), wd), net


def _inside(bounds: tuple[float, float], ref) -> bool:
    return M(bounds[0]) <= ref <= M(bounds[1])


@pytest.mark.parametrize("seed,n,m,wd", [(1, 12, 3, 0.0), (2, 20, 5, 0.0), (3, 9, 4, 0.25), (4, 25, 6, 0.0)])
def test_norm_enclosure_contains_the_50_digit_norm(seed, n, m, wd):
    problem, net = _random(seed, n, m, wd)
    u = Uni.from_arrays(net.v, net.w, net.b, net.beta, problem.data.x, problem.data.y, wd=wd)
    eig = u.eig()
    norm = max(abs(eig[0]), abs(eig[-1]))
    h = hessian_norm(univariate_bounds(problem, net, "rigorous"))
    assert _inside((h.lower, h.upper), norm), (h, mp.nstr(norm, 30))


@pytest.mark.parametrize("seed,n,c", [(7, 15, 1.0), (8, 30, 3.0), (9, 22, 6.0)])
def test_u5_inputs_and_norm_on_the_u5_family(seed, n, c):
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.2)
    data = task.sample(n, np.random.default_rng(seed))
    base = C.sign_fitting_network(data.x, data.y)
    problem = fp.UnivariateProblem(data, fp.logistic_loss())
    ub = Uni.from_arrays(base.v, base.w, base.b, base.beta, data.x, data.y)
    _, ref = u5_bound(ub, c)
    got = u5_inputs(problem, base, "rigorous")
    assert _inside(got.gamma, ref["gamma"]) and _inside(got.max_grad_f_sq, ref["G"])
    assert _inside(got.epsilon_0, ref["eps0"])
    eig = scaled(ub, c).eig()
    h = hessian_norm(univariate_bounds(problem, C.scale_to_infinity(base, c), "rigorous"))
    assert _inside((h.lower, h.upper), max(abs(eig[0]), abs(eig[-1])))
