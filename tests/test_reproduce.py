"""`flatproof reproduce homogeneous --quick`: files written, and the plotted numbers agree with independent
computations (the orbit with its closed form, noise-free recovery, the memoriser sharper than the teacher)."""

import json

import numpy as np
from click.testing import CliRunner

from flatproof.cli import cli


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
