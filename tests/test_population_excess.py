"""err(sign f) − Bayes error in both modes (measures/population.population_excess): the float interval (the
vectorised Gauss–Kronrod estimate) must contain the truth — held against the certified enclosure on random
instances from the hard corners (narrow dips, fast oscillations, steep zeros of the logit) and against mpmath
at 30 digits, with the features split out by hand, on the two instances that the quadrature used to get wrong."""

from __future__ import annotations

from typing import Any

import mpmath as mp
import numpy as np
import pytest

import flatproof as fp
from flatproof.measures.population import graded, population_excess
from flatproof.model import constructions as C
from flatproof.vocab import Mode

IDENTITY = fp.UnivariateNet([1.0, -1.0], [1.0, -1.0], [0.0, 0.0], 0.0)        # f(x) = x


def hard_instance(rng: np.random.Generator, k: int) -> tuple[Any, Any]:
    kind = k % 4
    if kind == 0:          # a narrow dip, 2 to 20 grid spacings of the logit's sampling wide, no zero
        c, w, d = rng.uniform(-0.8, 0.8), 10 ** rng.uniform(np.log10(2e-4), np.log10(2e-3)), rng.uniform(2, 20)
        text, half = f"4*x - {d:.6g}*exp(-((x-({c:.6g}))/{w:.6g})**2)", 1.0
    elif kind == 1:        # a fast oscillation
        text, half = f"4*x + {rng.uniform(1, 4):.4g}*sin({int(rng.uniform(50, 300))}*x)", 0.5
    elif kind == 2:        # a steep zero: η jumps from flip to 1 − flip over 1e-2 to 1e-5
        text, half = f"{10 ** rng.uniform(2, 5):.4g}*(x - {rng.uniform(-0.8, 0.8):.4g})", 1.0
    else:
        text, half = f"{rng.uniform(-5, 5):.4g}*x + {rng.uniform(-1, 1):.4g}", 1.0
    task = fp.LogisticTask(fp.uniform(-half, half), fp.parse_expression(text), flip=float(rng.choice([0.0, 0.1, 0.2])))
    data = task.sample(int(rng.integers(5, 40)), rng)
    if rng.random() < 0.5:
        return C.scale_to_infinity(C.sign_fitting_network(data.x, data.y), 6.0), task
    return C.random_univariate(int(rng.integers(1, 10)), rng), task


@pytest.mark.parametrize("seed", range(4))
def test_float_interval_contains_the_certified_enclosure_on_hard_instances(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for k in range(12):
        net, task = hard_instance(rng, k)
        fl = population_excess(net, task)
        cert = population_excess(net, task, Mode.RIGOROUS)
        assert cert.certified and not fl.certified
        e = (fl.interval[1] - fl.interval[0]) / 2
        assert 0 < e < 1e-12
        # the float estimate is honest when no point of the enclosure (so not the truth) lies beyond it
        assert fl.interval[0] <= cert.interval[1] and cert.interval[0] <= fl.interval[1], (task, net)
        assert fl.error == pytest.approx(cert.error, abs=1e-12) and fl.bayes == pytest.approx(cert.bayes, abs=1e-12)


def mp_identity_reference(g: Any, flip: float, cuts: list[mp.mpf]) -> tuple[mp.mpf, mp.mpf]:
    """(err(sign x), Bayes error) for x ~ U[−1, 1], the label law of logit g, at 30 digits: mpmath quadrature on
    pieces split by hand at 0 (f's zero), the logit's zeros and around its features (``cuts``)."""
    with mp.workdps(30):
        p = mp.mpf(flip)

        def eta(x: mp.mpf) -> mp.mpf:
            return p + (1 - 2 * p) / (1 + mp.exp(-g(x)))
        edges = sorted({mp.mpf(-1), mp.mpf(0), mp.mpf(1), *cuts})
        err = bay = mp.mpf(0)
        for a, b in zip(edges[:-1], edges[1:], strict=True):
            m = (a + b) / 2
            ie = mp.quad(eta, [a, m, b])
            err += (b - a - ie) if m > 0 else ie
            bay += ie if eta(m) < mp.mpf(1) / 2 else (b - a - ie)
        return err / 2, bay / 2


def test_a_steep_zero_of_the_logit_is_integrated_within_the_estimate() -> None:
    # η jumps over 1e-4 at the zero 0.3: it used to lie between a piece's end and its first node (off by 2.8e-5)
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("10000*(x - 0.3)"), flip=0.1)
    err, bay = mp_identity_reference(lambda x: 10000 * (x - mp.mpf("0.3")), 0.1,
                                     [mp.mpf("0.3") + k * mp.mpf("1e-4") for k in range(-30, 31)])
    fl = population_excess(IDENTITY, task)
    e = (fl.interval[1] - fl.interval[0]) / 2
    assert abs(fl.error - float(err)) + abs(fl.bayes - float(bay)) <= e < 1e-13


def test_a_narrow_dip_without_a_zero_is_integrated_within_the_estimate() -> None:
    # a dip 2.7 grid spacings wide, found as two turns of the logit 9e-4 apart (off by 2.3e-6, estimated 1e-14)
    text = "4*x - 7.18995*exp(-((x-(-0.438609))/0.000266431)**2)"
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression(text), flip=0.1)
    c, w = mp.mpf("-0.438609"), mp.mpf("0.000266431")
    err, bay = mp_identity_reference(lambda x: 4 * x - mp.mpf("7.18995") * mp.exp(-((x - c) / w) ** 2), 0.1,
                                     [c + k * w / 2 for k in range(-20, 21)])
    fl = population_excess(IDENTITY, task)
    e = (fl.interval[1] - fl.interval[0]) / 2
    assert abs(fl.excess - float(err - bay)) <= e < 1e-13
    assert fl.error == pytest.approx(float(err), abs=e) and fl.bayes == pytest.approx(float(bay), abs=e)


def test_graded_mesh_halves_towards_each_point_and_stops_at_half_the_gap() -> None:
    out = np.sort(graded(np.array([0.0]), np.array([-1.0, 0.5]), 0.01))
    left, right = out[out < 0], out[out > 0]
    assert np.allclose(right, [0.01, 0.02, 0.04, 0.08, 0.16])                  # < 0.25 = half the gap to 0.5
    assert np.allclose(left, [-0.32, -0.16, -0.08, -0.04, -0.02, -0.01])       # < 0.5 = half the gap to −1
    assert graded(np.array([]), np.array([0.0, 1.0]), 0.01).size == 0


def test_region_risks_of_both_sides_in_one_pass_against_scipy() -> None:
    """Inside and outside R = [−0.3, 0.6] of f = 4x + 1 under P(y=1|x) = s(4x), x ~ U[−1, 1]: masses, errors and
    excess logistic risks against scipy.quad of the KL written out with logs and the errors written by hand."""
    from scipy import integrate

    from flatproof.measures.population import region_risks

    def s(z: float) -> float:
        return 1 / (1 + np.exp(-z))

    def kl(x: float) -> float:
        p, q = s(4 * x), s(4 * x + 1)
        return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))

    def err(x: float) -> float:                     # sign f = +1 right of −1/4: wrong with probability 1 − η
        return 1 - s(4 * x) if x > -0.25 else s(4 * x)
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"))
    net = fp.UnivariateNet([4.0, -4.0], [1.0, -1.0], [0.0, 0.0], 1.0)          # 4x + 1
    inside, outside = region_risks(net, task, (-0.3, 0.6))
    assert inside.mass == pytest.approx(0.45, rel=1e-13) and outside.mass == pytest.approx(0.55, rel=1e-13)
    k_in = integrate.quad(kl, -0.3, 0.6, epsabs=1e-14)[0]
    k_out = integrate.quad(kl, -1, -0.3, epsabs=1e-14)[0] + integrate.quad(kl, 0.6, 1, epsabs=1e-14)[0]
    assert inside.excess_logistic == pytest.approx(k_in / 0.9, rel=1e-9)
    assert outside.excess_logistic == pytest.approx(k_out / 1.1, rel=1e-9)
    e_in = integrate.quad(err, -0.3, 0.6, points=[-0.25], epsabs=1e-14)[0]
    e_out = integrate.quad(err, -1, -0.3, epsabs=1e-14)[0] + integrate.quad(err, 0.6, 1, epsabs=1e-14)[0]
    assert inside.error == pytest.approx(e_in / 0.9, rel=1e-9) and outside.error == pytest.approx(e_out / 1.1, rel=1e-9)
