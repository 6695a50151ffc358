"""One statement, two modes: float and rigorous mode check the same statement, so on every instance their
verdicts agree, or the rigorous one is ``inconclusive`` (it could not certify what float mode estimated), or
the float one is (float64's error allowance could not decide what ball arithmetic decides).

Run on every shipped case of a claim that supports rigorous mode (each case in both modes, whatever mode
its file names) and on instances drawn from :mod:`flatproof.strategies`. A targeted test pins the case that
used to disagree: ``logistic.weighted-tv`` with ``sided = false`` checked g_μ = min(g⁺, g⁻) in float mode
and the sided g⁺ in rigorous mode, and printed the float bound under a rigorous verdict.
"""

import copy
import tomllib
from pathlib import Path

import mpmath as mp
import numpy as np
import pytest
from hypothesis import HealthCheck, given, reject, settings
from hypothesis import strategies as st

import flatproof.strategies as fs
from flatproof._errors import InputError
from flatproof.casefile import load_case_dict
from flatproof.claims import all_claims, get_claim

EXAMPLES = 10                      # generated instances per claim and test run (each checked twice)
CASES = Path(__file__).resolve().parent.parent / "cases"
RIGOROUS = sorted(c.id for c in all_claims() if "rigorous" in c.modes and not c.id.startswith("test."))
SHIPPED = sorted(p for p in CASES.glob("*.toml") if not p.name.startswith("measure-")
                 and tomllib.loads(p.read_text())["case"]["claim"] in RIGOROUS)


def both_modes(doc: dict, name: str, base: Path | None = None):
    """The verdicts of one case document in float and in rigorous mode."""
    out = {}
    for mode in ("float", "rigorous"):
        d = copy.deepcopy(doc)
        d["case"]["mode"] = mode
        out[mode] = load_case_dict(d, name, base).verify()
    return out["float"], out["rigorous"]


def assert_agree(fl, rg, where: str):
    """Same verdict, or one side undecided: rigorous mode may fail to certify what float mode estimated, and
    exact arithmetic may decide what float64's error allowance cannot (0 ≥ 0 on an all-zero network); what
    must never happen is holds against violated, or a hypothesis met in one mode and not in the other."""
    assert rg.outcome == fl.outcome or "inconclusive" in (rg.outcome, fl.outcome), (
        f"{where}: float mode says {fl.outcome}, rigorous mode says {rg.outcome}\n"
        f"float: {[(c.name, c.outcome, c.bound_interval) for c in fl.comparisons]}\n"
        f"rigorous: {[(c.name, c.outcome, c.bound_interval) for c in rg.comparisons]}")


def test_some_shipped_cases_exercise_both_modes():
    assert len(RIGOROUS) >= 4 and len(SHIPPED) >= 6


@pytest.mark.slow                     # ~40 s: the Mulayoff case's ball Hessian is the bulk
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_case_same_verdict_in_both_modes(path):
    fl, rg = both_modes(tomllib.loads(path.read_text()), path.name, CASES)
    assert_agree(fl, rg, path.name)


@pytest.mark.slow
@pytest.mark.parametrize("claim_id, params", [(c, None) for c in RIGOROUS if fs.has_strategy(c)] + [
    ("logistic.weighted-tv", {"sided": False, "eta": 1.0, "delta": 0.05})], ids=str)
def test_generated_cases_same_verdict_in_both_modes(claim_id, params):
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(doc=fs.cases(claim_id, params=params))
    def prop(doc):
        try:
            fl, rg = both_modes(doc, f"<{claim_id}>")
        except InputError:
            reject()                       # not a valid instance (e.g. a singular memoriser)
        assert_agree(fl, rg, claim_id)
    prop()


# ---- the instance that used to disagree, against an independent 50-digit reference -------------------------
def u4_bound_reference(x, y, v, w, b, beta, factor, sided):
    """D̄(1 + factor Σ_i |v_i w_i| g(t_i)) − ε_F for the logistic loss, straight from flatproof math U.2/U.4 in
    mpmath at 50 digits (g = g^{side(i)} or min(g⁺, g⁻), by the conditional-expectation definition)."""
    with mp.workdps(50):
        X, Y = [mp.mpf(float(t)) for t in x], [mp.mpf(float(t)) for t in y]
        V, Wt, B = ([mp.mpf(float(t)) for t in a] for a in (v, w, b))
        n, m = len(X), len(V)
        pre = [[Wt[i] * X[j] - B[i] for i in range(m)] for j in range(n)]
        f = [mp.mpf(float(beta)) + sum(V[i] * max(pre[j][i], 0) for i in range(m)) for j in range(n)]
        s = lambda z: 1 / (1 + mp.exp(-z))                                   # noqa: E731
        d = [s(fj) * s(-fj) for fj in f]
        r = [Y[j] * s(-Y[j] * f[j]) for j in range(n)]
        eps_f = max(mp.sqrt(sum(r[j] * X[j] for j in range(n) if pre[j][i] > 0) ** 2
                            + sum(r[j] for j in range(n) if pre[j][i] > 0) ** 2) / n for i in range(m))

        def g(t, plus):
            side = [j for j in range(n) if (X[j] > t if plus else X[j] < t)]
            W = sum((d[j] for j in side), mp.mpf(0))
            if not side:
                return mp.mpf(0)
            E = sum(d[j] * X[j] for j in side) / W
            gap = sum(d[j] * ((X[j] - t) if plus else (t - X[j])) for j in side) / W
            return (W / sum(d)) ** 2 * gap * mp.sqrt(1 + E ** 2)

        tv = mp.mpf(0)
        for i in range(m):
            if Wt[i] == 0:
                continue
            t = B[i] / Wt[i]
            gi = g(t, Wt[i] > 0) if sided else min(g(t, True), g(t, False))
            tv += abs(V[i] * Wt[i]) * gi
        return sum(d) / n * (1 + factor * tv) - eps_f


@pytest.mark.parametrize("sided", [True, False])
def test_weighted_tv_min_g_is_checked_in_rigorous_mode_too(sided):
    """With factor 3 on the shipped GD solution, the sided bound (≈ 1.83) exceeds λ_max (≈ 1.56) while the
    min(g⁺, g⁻) bound (≈ 0.55) does not: sided = false must hold in both modes, sided = true be violated in
    both; the rigorous bound interval contains the 50-digit reference and is what the verdict prints."""
    doc = tomllib.loads((CASES / "logistic-weighted-tv.toml").read_text())
    doc["params"] = {"factor": 3.0, "sided": sided}
    fl, rg = both_modes(doc, "logistic-weighted-tv.toml", CASES)
    want = "violated" if sided else "holds"
    assert fl.outcome == want and rg.outcome == want
    case = load_case_dict(doc, "logistic-weighted-tv.toml", CASES)
    net, data = case.instance.net, case.instance.data
    ref = u4_bound_reference(data.x, data.y, net.v, net.w, net.b, net.beta, 3, sided)
    lo, hi = rg.primary.bound_interval
    assert mp.mpf(lo) <= ref <= mp.mpf(hi)
    assert lo <= rg.bound <= hi                        # the printed bound is the rigorous one's midpoint
    assert abs(fl.bound - float(ref)) <= 1e-9 * abs(float(ref))
    assert rg.certificate["g_side"] == fl.certificate["g_side"] == ("side(i)" if sided else "min(g+, g-)")


def test_weighted_tv_threshold_form_and_corollary_certified_in_rigorous_mode():
    """The η-flat corollary and the threshold form are checked in rigorous mode as certified comparisons
    (not float estimates inside a rigorous verdict), with the same names and outcomes as in float mode."""
    doc = tomllib.loads((CASES / "logistic-weighted-tv.toml").read_text())
    doc["params"]["sided"] = False
    fl, rg = both_modes(doc, "logistic-weighted-tv.toml", CASES)
    assert [c.name for c in fl.comparisons] == [c.name for c in rg.comparisons]
    assert len(rg.comparisons) == 3 and all(c.certified for c in rg.comparisons)
    for cf, cr in zip(fl.comparisons, rg.comparisons, strict=True):
        assert cf.outcome == cr.outcome == "holds"
        lo, hi = cr.bound_interval
        assert hi - lo <= 1e-9 * max(1.0, abs(cr.bound))
        assert abs(cf.bound - cr.bound) <= 1e-9 * max(1.0, abs(cr.bound))
    assert np.isfinite(rg.certificate["tv_cap_eta_flat_certified"]).all()


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(2, 12), m=st.integers(1, 4), sided=st.booleans(),
       scale=st.sampled_from([1e-3, 1.0, 30.0]))
def test_weighted_tv_rigorous_bound_contains_the_50_digit_reference(seed, n, m, sided, scale):
    """On generated θ (parameter scales 1e-3 to 30: margins from ~0 to ~10³) the rigorous right side encloses the
    mpmath value of D̄(1 + 2Σ|v_i w_i| g(t_i)) − ε_F, sided or with min(g⁺, g⁻), and float mode agrees with it."""
    from flatproof.instances.instance import Instance
    from tests._instances import random_univariate
    problem, net = random_univariate(seed, n, m, "logistic")
    net = type(net)(net.v * scale, net.w * scale, net.b * scale, net.beta * scale)
    inst = Instance("univariate", problem.data, net, problem.loss, 0.0)
    claim = get_claim("logistic.weighted-tv")
    ref = u4_bound_reference(problem.data.x, problem.data.y, net.v, net.w, net.b, net.beta, 2, sided)
    rg = claim.check(inst, params={"sided": sided}, mode="rigorous")
    fl = claim.check(inst, params={"sided": sided})
    assert rg.outcome == fl.outcome or "inconclusive" in (rg.outcome, fl.outcome)
    if rg.comparisons:
        lo, hi = rg.certificate["rhs_certified"]
        assert mp.mpf(lo) <= ref <= mp.mpf(hi)
        if rg.primary.name == claim.BETA_ROUTE:         # Σ|v_i w_i| g = 0: the bound is D̄ − ε_F ≤ ∂²L/∂β²
            assert rg.outcome == "holds" and fl.primary.name == claim.BETA_ROUTE
    if fl.comparisons:
        assert abs(fl.certificate["rhs"] - float(ref)) <= 1e-9 * max(1.0, abs(float(ref)))


@pytest.mark.parametrize("sided", [True, False])
def test_a_network_dead_on_the_data_holds_by_the_beta_direction_in_both_modes(sided):
    """Knots right of every point with w > 0 (and left with w < 0): no neuron is active on the data, so
    Σ|v_i w_i| g = 0, ε_F = 0 and the bound is D̄ + λ = ∂²L/∂β² — a tie with λ_max that both modes used to leave
    inconclusive; the β direction proves it (whatever the constant). λ_max ≥ D̄ is checked with a dense solver."""
    import flatproof as fp
    from flatproof.instances.instance import Instance
    x = np.array([-0.8, -0.1, 0.3, 0.9])
    y = np.array([1.0, -1.0, -1.0, 1.0])
    net = fp.UnivariateNet(np.array([1.5, -2.0]), np.array([1.0, -1.0]), np.array([1.2, 1.1]), 0.4)  # t = 1.2, −1.1
    problem = fp.UnivariateProblem(fp.UnivariateData(x, y), fp.logistic_loss(), 0.0)
    inst = Instance("univariate", problem.data, net, problem.loss, 0.0)
    H = fp.UnivariateDense(problem, net).hessian()
    s = 1 / (1 + np.exp(-0.4))
    assert np.linalg.eigvalsh(H)[-1] >= s * (1 - s) * (1 - 1e-12)       # D̄ = s(β)s(−β) at every point
    claim = get_claim("logistic.weighted-tv")
    for factor in (2.0, 200.0):
        for mode in ("float", "rigorous"):
            v = claim.check(inst, params={"sided": sided, "factor": factor}, mode=mode)
            assert v.outcome == "holds" and v.primary.name == claim.BETA_ROUTE, (mode, v)
    # one active point on a neuron's own side: the ordinary comparison is used again
    net2 = fp.UnivariateNet(np.array([1.5, -2.0]), np.array([1.0, -1.0]), np.array([0.5, 1.1]), 0.4)
    v = claim.check(Instance("univariate", problem.data, net2, problem.loss, 0.0), params={"sided": sided})
    assert v.primary.name != claim.BETA_ROUTE
