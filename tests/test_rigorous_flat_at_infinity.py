"""logistic.flat-at-infinity in rigorous mode above the dense limit (p = 3m + 1 > 400): every comparison, the
Hessian-norm bound (ii) included, is certified by the O(n + m) enclosures, and the enclosure of ‖∇²L(θ_c)‖₂
contains the dense float64 eigensolver's norm."""

from __future__ import annotations

import numpy as np

import flatproof as fp
from flatproof.claims import get_claim
from flatproof.instances.instance import Instance
from flatproof.measures import rigorous
from flatproof.model import constructions as C


def test_certified_above_the_dense_limit():
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.2)
    data = task.sample(600, np.random.default_rng(7))
    base = C.sign_fitting_network(data.x, data.y)
    c = 3.0
    net = C.scale_to_infinity(base, c)
    assert 3 * net.m + 1 > rigorous.DENSE_LIMIT
    inst = Instance("univariate", data, net, fp.logistic_loss(), 0.0, task, base, c)
    v = get_claim("logistic.flat-at-infinity").check(inst, params={"epsilon": 1e-3, "excess": 0.05},
                                                      mode="rigorous")
    assert v.outcome == "holds" and v.basis == "certified", v
    assert all(k.certified for k in v.comparisons)
    row = next(k for k in v.comparisons if k.name.startswith("‖∇²L"))
    lam = np.linalg.eigvalsh(fp.UnivariateDense(fp.UnivariateProblem(data, fp.logistic_loss()), net).hessian())
    norm = max(abs(lam[0]), abs(lam[-1]))
    assert row.value_interval[0] <= norm * (1 + 1e-12) and norm <= row.value_interval[1] * (1 + 1e-12)
    assert row.value_interval[1] <= row.bound_interval[0]
    lo, hi = v.certificate["u5_inputs_certified"]["gamma"]
    assert 0 < lo <= float(np.min(data.y * base(data.x))) * (1 + 1e-9) and hi >= lo
    assert v.certificate["training_error"] == 0.0


def test_gamma_not_certified_positive_is_inconclusive(monkeypatch):
    """When γ's enclosure straddles 0 the hypothesis γ > 0 is undecided: the verdict is inconclusive, neither
    hypotheses-not-met nor holds, whatever the midpoint says (both signs of the midpoint are tried)."""
    import dataclasses

    from flatproof.claims.logistic import flat_at_infinity as mod

    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.2)
    data = task.sample(40, np.random.default_rng(3))
    base = C.sign_fitting_network(data.x, data.y)
    inst = Instance("univariate", data, C.scale_to_infinity(base, 3.0), fp.logistic_loss(), 0.0, task, base, 3.0)
    real = mod.u5_inputs
    for gamma in ((-1e-3, 2e-3), (-2e-3, 1e-3)):
        def straddling(problem, net, mode, gamma=gamma):
            return dataclasses.replace(real(problem, net, mode), gamma=gamma)
        monkeypatch.setattr(mod, "u5_inputs", straddling)
        v = get_claim("logistic.flat-at-infinity").check(inst, params={"epsilon": 1e-3}, mode="rigorous")
        assert v.outcome == "inconclusive", v
        assert all(h.met for h in v.hypotheses)
    monkeypatch.setattr(mod, "u5_inputs", real)
    assert get_claim("logistic.flat-at-infinity").check(inst, params={"epsilon": 1e-3}, mode="rigorous").outcome \
        == "holds"


def test_rigorous_mode_decides_near_kinks_by_the_certified_pattern():
    """A knot 1e-12 from a data point is within float mode's kink tolerance (hypotheses-not-met there), but θ is
    off every kink: rigorous mode decides on the certified activation pattern and certifies eta-flat. A knot
    exactly on a data point (w x + b = 0 in exact arithmetic) stays hypotheses-not-met in both modes."""
    x = np.array([-0.7, -0.2, 0.3, 0.8])
    data = fp.UnivariateData(x, np.array([1.0, -1.0, 1.0, -1.0]))
    claim = get_claim("univariate.eta-flat")
    for b1, rigorous_outcome in ((0.3 + 2.0 ** -40, "holds"), (0.3, "hypotheses-not-met")):
        net = fp.UnivariateNet(np.array([0.5, -0.25]), np.array([1.0, 1.0]), np.array([b1, -0.1]), 0.05)
        z = net.preactivations(x)[2, 0]                                # w x_3 − b_1, exact in binary here
        assert (z == 0) == (b1 == 0.3) and abs(z) < 1e-9
        inst = Instance("univariate", data, net, fp.logistic_loss(), 0.0)
        assert claim.check(inst, params={"eta": 1.0}, mode="float").outcome == "hypotheses-not-met"
        v = claim.check(inst, params={"eta": 1.0}, mode="rigorous")
        assert v.outcome == rigorous_outcome, v
        if rigorous_outcome == "holds":
            assert v.basis == "certified"
