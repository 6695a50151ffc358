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
