"""What `measure` reports, against the dense eigensolver (stop-20 audit of measure, three classes; each test fails
on the main before the fix):

- LOBPCG stopped on a small residual before any step when its start block lay in a large eigenspace (weight decay
  on 199 dead neurons, λ = 0.1): λ_min = +0.0995 'converged' against a true −0.074;
- with λ_min alone requested (no λ_max), the convergence scale had a floor of 1, so a residual 1.3e-2 relative to
  ‖H‖ = 6.6e-7 passed as converged, and the flag depended on ``--what``;
- with ``kink_tol = 0`` the fast univariate path misplaced a point 1e-10 from its knot (|b| = 1.5e6) without
  reporting it: λ_max 5.9e5 against 7.5e10."""

from __future__ import annotations

import numpy as np

import flatproof as fp
from flatproof.measures.homogeneous_hessian import HomogeneousOracle, HomogeneousProblem
from flatproof.measures.summary import measure
from flatproof.measures.univariate_hessian import UnivariateFast, UnivariateProblem
from flatproof.model.activations import relu
from flatproof.model.losses import square_loss


def test_lambda_min_is_not_stopped_in_the_weight_decay_eigenspace():
    r = np.random.default_rng(0)
    m, d = 200, 4
    X = np.abs(r.standard_normal((2, d))) + 0.5
    W = -np.abs(r.standard_normal((m, d)))
    W[0] = np.abs(r.standard_normal(d))                    # one live neuron, 199 dead ones
    a = r.standard_normal(m)
    a[0] = 3000.0
    y = np.maximum(X @ W.T, 0) @ a + 5e3 * np.array([1.0, -0.3])
    orc = HomogeneousOracle(HomogeneousProblem(fp.MultiIndexData(X, y), square_loss(1.0), 0.1),
                            fp.HomogeneousNet(a, W, relu()))
    ev = np.linalg.eigvalsh(orc.hessian())
    res = measure(orc, what="lambda_max,lambda_min")
    lmin = res.lambda_min
    assert lmin is not None and res.lambda_max is not None
    assert lmin.value < 0 and abs(lmin.value - ev[0]) <= 1e-6 * abs(ev[-1])
    assert lmin.bounds[1] >= ev[0]                          # the Rayleigh quotient is above λ_min


def test_lambda_min_alone_is_judged_on_the_hessian_scale():
    r = np.random.default_rng(2)
    m, d, n = 120, 5, 6
    a, W, X, y = r.standard_normal(m), r.standard_normal((m, d)), r.standard_normal((n, d)), r.standard_normal(n)
    orc = HomogeneousOracle(HomogeneousProblem(fp.MultiIndexData(X, y), square_loss(1e-9)), fp.HomogeneousNet(a, W, relu()))
    ev = np.linalg.eigvalsh(orc.hessian())
    alone = measure(orc, what="lambda_min").lambda_min
    assert alone is not None
    if alone.converged:                                     # converged means: residual ≤ tol · ‖H‖ (or a tight bracket)
        assert abs(alone.value - ev[0]) <= 1e-6 * abs(ev[-1])
    assert alone.bounds[0] <= ev[0] <= alone.bounds[1] + 1e-12 * abs(ev[-1])


def test_kink_tol_zero_reports_a_point_the_float_pattern_cannot_place():
    x = np.array([1870259.7010517083, 1128314.1607715576, 1454517.0578459946, 1621235.7762382326, 1050073.3367374486,
                  1248666.4403916742, 1847897.7617742624, 1023355.36769679, 1643422.1459994093, 1120226.4711181894,
                  1328888.1104039266, 1835620.877903293, 1388068.1977998484, 1353141.1820798488, 1766696.702279596,
                  1239070.7454298611, 1462578.381111624, 1024744.9330055052, 1794172.9504577937, 1510865.0038725263])
    net = fp.UnivariateNet(np.array([-1.3308064342671821]), np.array([-0.8443951655036074]),
                           np.array([-1549989.3949990282]), 0.0)
    from fractions import Fraction
    z = [Fraction(float(net.w[0])) * Fraction(float(t)) - Fraction(float(net.b[0])) for t in x]
    tiny = [j for j, zj in enumerate(z) if zj != 0 and abs(zj) < Fraction(1, 10**6)]
    y = np.where(np.arange(20) % 2 == 0, 1.0, -1.0)
    orc = UnivariateFast(UnivariateProblem(fp.UnivariateData(x, y), fp.logistic_loss()), net, kink_tol=0.0,
                         at_kink="convention")
    assert tiny and orc.kinks.count >= len(tiny)           # every pre-activation the float knot cannot place
