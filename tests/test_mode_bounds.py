"""measures.mode_bounds: the quantities flatness comparisons use, one call in both modes. The expected λ_max is
the dense eigensolver's on the dense Hessian (not Lanczos, not arb); the quotient's is exact rational arithmetic."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import mpmath
import numpy as np
import pytest

from flatproof.casefile import load_case
from flatproof.measures.mode_bounds import lambda_max_bounds, quotient_bounds
from flatproof.measures.spectral import lambda_max
from flatproof.vocab import Basis, Mode

CASE = Path(__file__).resolve().parent.parent / "cases" / "univariate-eta-flat-rigorous.toml"


@pytest.fixture(scope="module")
def setting():
    inst = load_case(CASE).instance
    dense = float(np.linalg.eigvalsh(inst.oracle(method="dense").hessian())[-1])
    return inst, lambda_max(inst.oracle(), tol=1e-10), dense


@pytest.mark.parametrize("mode, basis", [(Mode.FLOAT, Basis.ESTIMATED), (Mode.RIGOROUS, Basis.CERTIFIED)])
def test_lambda_max_bounds_contain_the_dense_eigenvalue_in_both_modes(setting, mode, basis):
    inst, res, dense = setting
    b = lambda_max_bounds(inst.problem, inst.net, res, mode)
    assert b.basis == basis and b.certified == (mode == Mode.RIGOROUS) and b.how
    lo, hi = b.interval
    assert lo <= dense * (1 + 1e-12) and dense * (1 - 1e-12) <= hi
    assert hi - lo < 1e-6 * dense                          # tight, not an interval that says nothing
    assert b.value == res.value                            # the table prints the same Ritz value in both modes


def test_quotient_bounds_enclose_the_exact_quotient():
    exact = Fraction(2) / Fraction(0.3)
    r = quotient_bounds(2.0, 0.3, Mode.RIGOROUS)
    assert Fraction(r.interval[0]) < exact < Fraction(r.interval[1]) and r.certified
    f = quotient_bounds(2.0, 0.3, Mode.FLOAT)
    assert f.interval == (2.0 / 0.3, 2.0 / 0.3) and not f.certified
    assert quotient_bounds(2.0, 0.5, Mode.RIGOROUS).interval == (4.0, 4.0)   # exact quotients stay points


@pytest.mark.parametrize("mode", [Mode.FLOAT, Mode.RIGOROUS])
def test_tv_bound_terms_give_a_right_side_below_the_dense_lambda_max(setting, mode):
    from flatproof.measures import rigorous
    from flatproof.measures.mode_bounds import tv_bound_terms
    inst, _, dense = setting
    orc = inst.oracle()
    d = inst.loss.d2(orc.forward(), inst.data.y)
    balls = rigorous.univariate_balls(inst.problem, inst.net) if mode == Mode.RIGOROUS else None
    t = tv_bound_terms(inst.data.x, inst.net, d, orc.epsilon_F(), inst.weight_decay, 2.0, True, mode, balls)
    assert t.rhs_bounds.certified == (mode == Mode.RIGOROUS) == t.wtv_bounds.certified
    assert t.rhs_bounds.interval[0] <= t.rhs <= t.rhs_bounds.interval[1]      # the float value in the interval
    assert t.wtv_bounds.interval[0] <= t.wtv <= t.wtv_bounds.interval[1]
    assert t.d_mean == pytest.approx(float(np.mean(d)), rel=1e-15) and t.wtv > 0 and not t.vanishes
    assert t.rhs_bounds.interval[1] <= dense * (1 + 1e-12)                    # U.4: the bound is below λ_max
    assert t.eps_f_bounds.interval[0] >= 0.0


def _u4_terms(inst, mode):
    from flatproof.measures import rigorous
    from flatproof.measures.mode_bounds import tv_bound_terms
    orc = inst.oracle()
    d = inst.loss.d2(orc.forward(), inst.data.y)
    balls = rigorous.univariate_balls(inst.problem, inst.net) if mode == Mode.RIGOROUS else None
    return d, balls, tv_bound_terms(inst.data.x, inst.net, d, orc.epsilon_F(), inst.weight_decay, 2.0, True, mode,
                                    balls)


@pytest.mark.parametrize("mode", [Mode.FLOAT, Mode.RIGOROUS])
def test_eta_cap_bounds_follow_flatness_and_bound_the_weighted_tv(setting, mode):
    """θ η-flat (λ_max ≤ 2/η, by the dense eigenvalue) ⇒ the weighted TV is below the cap; not η-flat ⇒ no cap."""
    from flatproof.measures.mode_bounds import eta_cap_bounds
    inst, res, dense = setting
    d, balls, t = _u4_terms(inst, mode)
    lam = lambda_max_bounds(inst.problem, inst.net, res, mode, balls=balls)
    flat = eta_cap_bounds(lam, 1.9 / dense, 2.0, t, mode, balls)           # 2/η = 1.05 λ_max
    assert flat.flat and flat.cap is not None and flat.cap.certified == (mode == Mode.RIGOROUS)
    by_hand = ((dense / 0.95 + t.eps_f_bounds.value) / float(np.mean(d)) - 1.0) / 2.0
    assert flat.cap.interval[0] <= by_hand * (1 + 1e-9) and by_hand * (1 - 1e-9) <= flat.cap.interval[1]
    assert t.wtv_bounds.interval[1] <= flat.cap.interval[0]                  # the corollary holds here
    sharp = eta_cap_bounds(lam, 4.0 / dense, 2.0, t, mode, balls)           # 2/η = λ_max / 2
    assert not sharp.flat and sharp.cap is None
    assert eta_cap_bounds(lam, 1.9 / dense, 0.0, t, mode, balls).cap is None   # factor 0: no cap stated


@pytest.mark.parametrize("mode", [Mode.FLOAT, Mode.RIGOROUS])
def test_threshold_terms_count_the_uncertain_points_and_stay_below_the_dense_lambda_max(setting, mode):
    from flatproof.measures.mode_bounds import threshold_terms
    inst, _, dense = setting
    d, balls, t = _u4_terms(inst, mode)
    delta = float(np.median(d))                                             # about half the points are uncertain
    h = threshold_terms(inst.data.x, inst.net, d, delta, t.eps_f_bounds.value, inst.weight_decay, 2.0, True, mode,
                        balls)
    count = int(np.sum(d >= delta))
    assert h.undecided == 0 and h.count == count and 0 < count < d.size
    assert h.gamma == pytest.approx(delta * count / d.size, rel=1e-15)
    assert h.rhs is not None and h.rhs.certified == (mode == Mode.RIGOROUS)
    assert h.rhs.interval[1] <= dense * (1 + 1e-12)                         # U.4's threshold form is below λ_max
    none = threshold_terms(inst.data.x, inst.net, d, float(d.max()) * 2, t.eps_f_bounds.value,
                           inst.weight_decay, 2.0, True, mode, balls)
    assert none.count == 0 and none.rhs is None


@pytest.mark.parametrize("mode", [Mode.FLOAT, Mode.RIGOROUS])
def test_norm_bound_terms_by_hand(mode):
    # f(x) = (3x + 4)_+ (v = 1, w = 3, b = −4): P = 1·√(9 + 16) = 5, ‖θ‖² = 1 + 9 + 16 = 26,
    # sup_{|x| ≤ 1} |f − β| = 7 (at x = 1), P√(1 + 1) = 5√2, 2 log 2/λ at λ = 0.1 = 20 log 2
    from flatproof.measures.mode_bounds import norm_bound_terms
    from flatproof.model.univariate import UnivariateNet
    net = UnivariateNet(np.array([1.0]), np.array([3.0]), np.array([-4.0]), 0.0)
    x, y = np.array([-0.5, 0.5]), np.array([-1.0, 1.0])
    t = norm_bound_terms(net, x, y, 1.0, 0.1, mode)
    expect = ((t.path_norm, 5.0), (t.half_sq, 13.0), (t.sq, 26.0), (t.sup, 7.0),
              (t.sup_bound, float(5 * mpmath.sqrt(2))), (t.cap, float(20 * mpmath.log(2))))
    for b, value in expect:
        assert b.interval[0] <= value <= b.interval[1] and b.interval[1] - b.interval[0] < 1e-12 * max(value, 1)
        assert b.certified == (mode == Mode.RIGOROUS)
    # J(θ) − log 2 = mean log(1 + e^{−y f}) − log 2 + λ‖θ‖²/2 with f(−0.5) = 2.5, f(0.5) = 5.5
    j = (mpmath.log(1 + mpmath.e ** 2.5) + mpmath.log(1 + mpmath.e ** -5.5)) / 2 - mpmath.log(2) + 0.05 * 26
    assert t.excess is not None and t.excess.interval[0] <= float(j) <= t.excess.interval[1]


@pytest.mark.parametrize("mode", [Mode.FLOAT, Mode.RIGOROUS])
def test_relu_sample_terms_enclose_the_mpmath_values(mode):
    # A_j = (2/n) Σ_i (w_jᵀx_i)_+², B_j = (2/n) a_j² Σ_i 1[w_jᵀx_i > 0] ‖x_i‖², F_sym = Σ_j 2√(A_j B_j),
    # bound = (4/n) Σ_i ‖x_i‖ Σ_j |a_j| (w_jᵀx_i)_+, all at 50 digits from the float64 inputs
    from flatproof.measures.mode_bounds import relu_sample_terms
    inst = load_case(CASE.parent / "homogeneous-relu-sample-bound.toml").instance
    X, net = inst.data.X, inst.net
    mpmath.mp.dps = 50
    n = X.shape[0]
    Xm = [[mpmath.mpf(float(t)) for t in row] for row in X]
    nx = [mpmath.sqrt(sum(t * t for t in row)) for row in Xm]
    fsym, bound = mpmath.mpf(0), mpmath.mpf(0)
    for j in range(net.m):
        w, a = [mpmath.mpf(float(t)) for t in net.W[j]], mpmath.mpf(float(net.a[j]))
        z = [sum(wq * xq for wq, xq in zip(w, row, strict=True)) for row in Xm]
        A = 2 * sum(max(zi, 0) ** 2 for zi in z) / n
        B = 2 * a * a * sum(nx[i] ** 2 for i in range(n) if z[i] > 0) / n
        fsym += 2 * mpmath.sqrt(A * B)
        bound += 4 * abs(a) * sum(nx[i] * max(z[i], 0) for i in range(n)) / n
    t = relu_sample_terms(inst.problem, net, inst.oracle().trace(), 4.0, mode)
    for b, value in ((t.f_sym, fsym), (t.bound, bound)):
        lo, hi = b.interval
        assert mpmath.mpf(lo) <= value <= mpmath.mpf(hi) and hi - lo < 1e-9 * float(value)
        assert b.certified == (mode == Mode.RIGOROUS)
    assert t.trace.interval[0] <= t.trace.value <= t.trace.interval[1]
