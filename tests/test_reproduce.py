"""`flatproof reproduce homogeneous --quick`: files written, and the plotted numbers agree with independent
computations (the orbit with its closed form, noise-free recovery, the memoriser sharper than the teacher)."""

import json

import pytest

import numpy as np
from click.testing import CliRunner

from flatproof.cli import cli


@pytest.mark.slow
def test_reproduce_homogeneous_quick(tmp_path):
    out = tmp_path / "rh"
    res = CliRunner().invoke(cli, ["reproduce", "homogeneous", "--quick", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("homogeneous_orbit", "homogeneous_dinh", "homogeneous_flattest", "homogeneous_memoriser"):
        assert (out / f"{name}.png").stat().st_size > 5000 and (out / f"{name}.pdf").exists()
    data = json.loads((out / "homogeneous.json").read_text())
    for key in ("k1", "k2"):
        o = data["orbit"][key]
        assert np.allclose(o["F"], o["F_closed_form"], rtol=1e-10)         # oracle trace = Σ c^{2k}A + c^{-2}B
        assert min(o["F"]) >= o["F_at_c_star"] * (1 - 1e-12)               # nothing on the grid beats c*
    dinh = data["dinh"]
    # c²A + c⁻²B first falls, then blows up (k = 1): far beyond the start at c = 100
    assert dinh["trace"][-1] > 100 * dinh["trace"][0] and dinh["lambda_max"][-1] > 100 * dinh["lambda_max"][0]
    assert np.all(np.diff(dinh["trace"][len(dinh["c"]) // 2:]) > 0)
    fl = data["flattest"]
    assert fl["noise"][0] == 0.0 and fl["by_noise"][0]["test_mse"] < 1e-20 and fl["by_noise"][0]["atoms"] == 2
    assert all(r["duality_gap"] <= 1e-6 * max(1.0, r["F_min"]) for r in fl["by_noise"] + fl["by_n"])
    assert fl["by_noise"][-1]["test_mse"] > fl["by_noise"][0]["test_mse"]   # noise degrades it
    assert all(r["ratio"] > 1 for r in data["memoriser"]["relu"])
    csv = (out / "homogeneous_flattest_noise.csv").read_text().splitlines()
    assert csv[0].startswith("noise,F_min,test_mse") and len(csv) == 1 + len(fl["noise"])
    res = CliRunner().invoke(cli, ["reproduce", "nothing"])
    assert res.exit_code == 2


@pytest.mark.slow
def test_reproduce_logistic_quick(tmp_path):
    import flatproof as fp
    from flatproof.model import constructions as C
    out = tmp_path / "rl"
    res = CliRunner().invoke(cli, ["reproduce", "logistic", "--quick", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("logistic_eos", "logistic_function", "logistic_eta", "logistic_infinity", "logistic_rate"):
        assert (out / f"{name}.png").stat().st_size > 5000 and (out / f"{name}.pdf").exists()
    data = json.loads((out / "logistic.json").read_text())
    # (a) the last recorded λ_max of each run is the dense λ_max of its final network
    for eta, r in data["eos"]["runs"].items():
        net = fp.UnivariateNet(r["net"]["v"], r["net"]["w"], r["net"]["b"], r["net"]["beta"])
        problem = fp.UnivariateProblem(fp.UnivariateData(r["x"], r["y"]), fp.logistic_loss())
        lam = np.linalg.eigvalsh(fp.UnivariateDense(problem, net, at_kink="convention").hessian())[-1]
        assert r["lambda_max"] == pytest.approx(lam, rel=1e-8)
        assert 0 <= r["population_error"] <= 1 and r["population_error"] >= data["eos"]["bayes_error"] - 1e-9
    # (d) θ_c: the same classifier for every c (same population error, zero training error), flatter and surer
    inf = data["infinity"]
    assert np.allclose(inf["population_error"], inf["population_error"][0], atol=1e-8)
    assert all(e == 0 for e in inf["training_error"])
    assert np.all(np.diff(inf["lambda_max"]) < 0) and np.all(np.diff(inf["uncertain_length"]) <= 1e-12)
    assert inf["population_error"][0] > inf["bayes_error"]
    # (e) a slope with a confidence interval that contains it
    rt = data["rate"]
    assert rt["slope_ci95"][0] <= rt["slope"] <= rt["slope_ci95"][1]


def test_region_risk_against_a_direct_quadrature():
    """Excess logistic risk of f = 4x + 1 under P(y=1|x) = s(4x), x ~ U[−1, 1], against scipy.quad of the KL
    written out with logs; and zero excess for the true logit."""
    from scipy import integrate

    import flatproof as fp
    from flatproof.measures.population import region_risk
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"))
    s = lambda z: 1 / (1 + np.exp(-z))  # noqa: E731

    def kl(x):
        p, q = s(4 * x), s(4 * x + 1)
        return p * np.log(p / q) + (1 - p) * np.log((1 - p) / (1 - q))
    net = fp.UnivariateNet([4.0, -4.0], [1.0, -1.0], [0.0, 0.0], 1.0)          # 4x + 1
    direct = integrate.quad(kl, -0.5, 0.5)[0] / 1.0                          # density 1/2 on a set of mass 1/2
    assert region_risk(net, task, (-0.5, 0.5)).excess_logistic == pytest.approx(direct, rel=1e-8)
    assert region_risk(net, task, None).excess_logistic == pytest.approx(integrate.quad(kl, -1, 1)[0] / 2, rel=1e-8)
    true = fp.UnivariateNet([4.0, -4.0], [1.0, -1.0], [0.0, 0.0], 0.0)
    assert abs(region_risk(true, task, None).excess_logistic) < 1e-12
