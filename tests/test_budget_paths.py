"""The resource estimate of a case describes the claim's path in its mode: η-flatness runs on the O(n + m)
sorted path (accepted at n = m = 10⁵, where n × m arrays would need ~447 GiB), while a path that is really
dense (a claim that declares none; the ball Jacobian of the dense rigorous spectrum) is still refused before
anything is allocated, in one line naming file, field and estimate. Nothing here runs a verification."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from flatproof import _budget
from flatproof.casefile import load_case
from flatproof.claims import get_claim
from flatproof.claims._common import flatness_cost
from flatproof.measures import rigorous
from flatproof.vocab import Mode
from tests.test_hostile_input import invoke, one_line_error

N = 100_000
GiB = 2**30


def write_case(tmp_path: Path, claim: str, mode: str, n: int = N, m: int = N, params: str = "eta = 0.001") -> Path:
    """A case with a generated sample of n points and an explicit network of width m (in an .npz)."""
    rng = np.random.default_rng(0)
    w = rng.normal(size=m)
    np.savez(tmp_path / "net.npz", v=rng.normal(size=m) / np.sqrt(m), w=w, b=w * rng.uniform(-1, 1, m),
             beta=np.array(0.0))
    path = tmp_path / "case.toml"
    path.write_text(f'[case]\nclaim = "{claim}"\nmode = "{mode}"\n[params]\n{params}\n'
                    f'[data]\ngenerator = "logistic"\nn = {n}\nseed = 1\nlogit = "3*x"\n'
                    '[model]\nkind = "univariate"\nfile = "net.npz"\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("mode", [Mode.FLOAT, Mode.RIGOROUS])
def test_eta_flat_at_1e5_is_estimated_on_its_sorted_path(mode):
    cost = get_claim("univariate.eta-flat").cost(N, N, 1, mode)
    # measured: the rigorous 10⁵ case peaks at ~230 MiB resident; n × m float64 arrays alone would be 75 GiB
    assert 64 * 2**20 < cost.memory < 1 * GiB
    assert cost.work < _budget.DEFAULT_MAX_WORK
    dense = _budget.dense_verification(N, N)
    assert dense.memory > 6 * 8 * N * N                      # what the old estimate said: ~447 GiB
    assert dense.memory > 100 * cost.memory


@pytest.mark.parametrize("mode", [Mode.FLOAT, Mode.RIGOROUS])
def test_a_1e5_eta_flat_case_file_is_accepted(tmp_path, mode):
    path = write_case(tmp_path, "univariate.eta-flat", mode)
    with _budget.limits_scope(max_memory=2 * GiB, max_work=_budget.DEFAULT_MAX_WORK):
        case = load_case(path)                                # builds the instance; does not verify
    assert case.instance.data.n == N and case.instance.net.m == N


def test_a_dense_claim_at_1e5_is_still_refused_in_one_line(tmp_path):
    path = write_case(tmp_path, "univariate.hessian-structure", Mode.FLOAT, params="")
    line = one_line_error(invoke("verify", path, "--max-memory", "8G"), "data.n", "needs about", "GiB",
                          "--max-memory")
    assert str(path) in line


def test_the_dense_rigorous_spectrum_counts_its_ball_jacobian(tmp_path):
    # p = 3m + 1 ≤ DENSE_LIMIT and n·p ≤ SIZE_LIMIT: the verified eigendecomposition forms the n × p ball Jacobian
    m = (rigorous.DENSE_LIMIT - 1) // 3
    n = rigorous.SIZE_LIMIT // (3 * m + 1)
    p = 3 * m + 1
    rig, flt = flatness_cost(n, m, Mode.RIGOROUS), flatness_cost(n, m, Mode.FLOAT)
    assert rig.memory - flt.memory >= 2 * n * p * 48          # two n × p ball matrices, ≥ 48 bytes per arb_t
    path = write_case(tmp_path, "univariate.eta-flat", Mode.RIGOROUS, n=n, m=m)
    line = one_line_error(invoke("verify", path, "--max-memory", "128M"), "data.n", "needs about", "MiB",
                          "rigorous mode")
    assert str(path) in line
    # the same instance in float mode stays on the sorted path and fits
    float_path = write_case(tmp_path, "univariate.eta-flat", Mode.FLOAT, n=n, m=m)
    with _budget.limits_scope(max_memory=128 * 2**20):
        load_case(float_path)
    # above DENSE_LIMIT rigorous mode uses O(n + m) intervals: a wider network on the same points costs less
    assert flatness_cost(n, m + 200, Mode.RIGOROUS).memory < rig.memory


def sign_fitting_case(tmp_path: Path, claim: str, params: str, mode: str = Mode.RIGOROUS) -> Path:
    """A generated sample of 10⁵ noisy labels and the sign-fitting construction (width ~8·10⁴, built by the
    loader: the construction's own resource check is the one under test)."""
    path = tmp_path / "sf.toml"
    path.write_text(f'[case]\nclaim = "{claim}"\nmode = "{mode}"\n[params]\n{params}\n'
                    f'[data]\ngenerator = "logistic"\nn = {N}\nseed = 7\nlogit = "4*x"\nflip = 0.2\n'
                    '[model]\nkind = "univariate"\nconstruction = "sign-fitting"\nscale = 6.0\n', encoding="utf-8")
    return path


def test_a_construction_is_estimated_on_the_claims_path(tmp_path):
    """The sign-fitting construction at n = 10⁵ is accepted for flat-at-infinity (its O(n + m) path in both
    modes), and refused, before it is built, for a claim that declares no path (the dense estimate)."""
    ok = sign_fitting_case(tmp_path, "logistic.flat-at-infinity", "epsilon = 0.001")
    with _budget.limits_scope(max_memory=2 * GiB, max_work=_budget.DEFAULT_MAX_WORK):
        case = load_case(ok)
    assert case.instance.data.n == N and case.instance.net.m > N // 2
    for mode in (Mode.FLOAT, Mode.RIGOROUS):
        assert get_claim("logistic.flat-at-infinity").cost(N, case.instance.net.m, 1, mode).memory < GiB
    assert get_claim("logistic.uncertain-set").cost(N, N, 1, Mode.FLOAT) is None
    dense = sign_fitting_case(tmp_path, "logistic.uncertain-set", "", Mode.FLOAT)
    line = one_line_error(invoke("verify", dense, "--max-memory", "2G"), "model.construction", "needs about",
                          "GiB")
    assert "sign-fitting" in line
    wrong = sign_fitting_case(tmp_path, "logistic.uncertain-set", "", Mode.RIGOROUS)
    line = one_line_error(invoke("verify", wrong), "case.mode", "supports mode float, not 'rigorous'")
