"""`flatproof reproduce homogeneous --quick`: files written, and the plotted numbers agree with independent
computations (the orbit with its closed form, noise-free recovery, the memoriser sharper than the teacher)."""

import json
import os

import numpy as np
import pytest
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
    assert csv[0].startswith("seed,noise,F_min,test_mse") and len(csv) == 1 + len(fl["noise"])
    assert data["seeds"] == [0] and data["per_seed"][0]["flattest"]["by_noise"][0]["atoms"] == 2
    res = CliRunner().invoke(cli, ["reproduce", "nothing"])
    assert res.exit_code == 2


@pytest.mark.slow
def test_reproduce_logistic_quick(tmp_path):
    import flatproof as fp
    out = tmp_path / "rl"
    res = CliRunner().invoke(cli, ["reproduce", "logistic", "--quick", "--out", str(out)])
    assert res.exit_code == 0, res.output
    for name in ("logistic_eos", "logistic_function", "logistic_eta", "logistic_infinity", "logistic_rate"):
        assert (out / f"{name}.png").stat().st_size > 5000 and (out / f"{name}.pdf").exists()
    data = json.loads((out / "logistic.json").read_text())
    # (a) the last recorded λ_max of each run is the dense λ_max of its final network
    assert data["seeds"] == [0]
    for eta, r in data["per_seed"][0]["eos"]["runs"].items():
        assert data["eos"]["runs"][eta]["lambda_max"] == r["lambda_max"]       # one seed: the mean is its value
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


# ---- sweeps: shards, workers, seeds ---------------------------------------------------------------------------
TINY = {
    "logistic": {"n": 16, "width": 4, "etas": [0.5, 2.0], "steps": 30, "record": 15, "n_inf": 10, "cs": [1.0, 3.0],
                 "ns": [16, 32], "seeds": 1},
    "homogeneous": {"n": 20, "d": 3, "dictionary": 20, "samples": 200, "noises": [0.0, 0.2], "n_list": [10, 20],
                    "noise_fixed": 0.2, "ds": [4, 6], "d_k2": 4},
}


def _tiny(study, out, **kw):
    from flatproof.reproduce import homogeneous, logistic
    module = logistic if study == "logistic" else homogeneous
    return module.run(out, settings=TINY[study], **kw)


def _numbers(study, **kw):
    """The study's numbers (every seed's and the aggregate) for seeds 3 and 4, as strict JSON text."""
    from flatproof._json import dumps_strict
    from flatproof.reproduce import homogeneous, logistic
    from flatproof.reproduce._sweep import run_shards
    module = logistic if study == "logistic" else homogeneous
    seeds = [3, 4]
    res = module.assemble(TINY[study], seeds, run_shards(module.shards(TINY[study], seeds), **kw))
    return dumps_strict(res)


@pytest.mark.slow
@pytest.mark.parametrize("study", ["logistic", "homogeneous"])
def test_sweep_numbers_do_not_depend_on_the_workers(study):
    """jobs 1, jobs 2 and a 2-worker Dask LocalCluster give the same numbers, bit for bit (as in test_parallel,
    FLATPROOF_REQUIRE_DASK=1 makes a missing `distributed` a failure)."""
    one = _numbers(study, jobs=1)
    assert _numbers(study, jobs=2) == one
    if os.environ.get("FLATPROOF_REQUIRE_DASK"):       # CI: the dask extra is installed, a skip would be a failure
        import distributed
    else:
        distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        assert _numbers(study, dask=cluster.scheduler_address) == one


def _close(a, b):
    return np.allclose(np.asarray(a, dtype=float), np.asarray(b, dtype=float), rtol=0, atol=0, equal_nan=True)


@pytest.mark.slow
def test_logistic_seeds_are_aggregated(tmp_path):
    """A seed's numbers do not depend on the range it is run in; the aggregate is the mean and min–max of the
    per-seed numbers (recomputed here with numpy), and the CSVs carry one row per seed and point."""
    import csv
    res = _tiny("logistic", tmp_path / "r", seeds=range(0, 3))
    alone = _tiny("logistic", tmp_path / "alone", seed=2)
    assert res["seeds"] == [0, 1, 2] and alone["seeds"] == [2]
    assert json.dumps(res["per_seed"][2], default=str) == json.dumps(alone["per_seed"][0], default=str)
    # one seed: the aggregate is that seed's numbers, with no spread
    a_inf = alone["infinity"]
    assert _close(a_inf["lambda_max"], alone["per_seed"][0]["infinity"]["lambda_max"])
    assert np.all(np.asarray(a_inf["spread"]["lambda_max"]["std"]) == 0)
    # three seeds: mean and min–max over the per-seed values
    lam = np.array([p["infinity"]["lambda_max"] for p in res["per_seed"]])
    inf = res["infinity"]
    assert np.allclose(inf["lambda_max"], lam.sum(axis=0) / 3, rtol=1e-15)
    assert _close(inf["spread"]["lambda_max"]["min"], lam.min(axis=0))
    assert _close(inf["spread"]["lambda_max"]["max"], lam.max(axis=0))
    pop = [p["eos"]["runs"][2.0]["population_error"] for p in res["per_seed"]]
    run = res["eos"]["runs"][2.0]
    assert run["population_error"] == pytest.approx(sum(pop) / 3, rel=1e-15)
    assert run["spread"]["population_error"]["min"] == min(pop) and run["spread"]["population_error"]["max"] == max(pop)
    assert run["spread"]["population_error"]["std"] == pytest.approx(float(np.std(pop)), rel=1e-12)
    # the rate is fitted to every seed's rows
    assert {r["seed"] for r in res["rate"]["rows"]} <= {0, 1, 2}
    assert len(res["rate"]["rows"]) == sum(len(p["rate_rows"]) for p in res["per_seed"])
    with (tmp_path / "r" / "logistic_eta.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert [(int(r["seed"]), float(r["eta"])) for r in rows] == [(s, e) for s in range(3) for e in (0.5, 2.0)]
    with (tmp_path / "r" / "logistic_eta_aggregate.csv").open() as fh:
        agg = {float(r["eta"]): r for r in csv.DictReader(fh)}
    assert float(agg[2.0]["population_error_mean"]) == pytest.approx(sum(pop) / 3, rel=1e-15)
    assert float(agg[2.0]["population_error_max"]) == max(pop)
    inf_rows = list(csv.DictReader((tmp_path / "r" / "logistic_infinity.csv").read_text().splitlines()))
    assert len(inf_rows) == 3 * len(TINY["logistic"]["cs"])


@pytest.mark.slow
def test_homogeneous_seeds_are_aggregated(tmp_path):
    res = _tiny("homogeneous", tmp_path / "h", seeds=range(0, 3))
    ratios = np.array([[r["ratio"] for r in p["memoriser"]["relu"]] for p in res["per_seed"]])
    mm = res["memoriser"]["relu"]
    assert np.allclose([r["ratio"] for r in mm], ratios.mean(axis=0), rtol=1e-15)
    assert _close([r["spread"]["ratio"]["min"] for r in mm], ratios.min(axis=0))
    for p in res["per_seed"]:                     # each seed's orbit agrees with its closed form
        for key in ("k1", "k2"):
            o = p["orbit"][key]
            assert np.allclose(o["F"], o["F_closed_form"], rtol=1e-10)
            assert min(o["F"]) >= o["F_at_c_star"] * (1 - 1e-12)
    assert [r["d"] for r in mm] == TINY["homogeneous"]["ds"]


@pytest.mark.parametrize("text, why", [("3:3", "B must be larger"), ("5:2", "B must be larger"),
                                       ("a:b", "integers"), ("1.5:3", "integers"), ("3", "A:B"),
                                       ("1:2:3", "A:B"), ("-1:4", ">= 0"), ("0:100000", "limit")])
def test_bad_seeds_are_one_line_naming_the_option(text, why):
    from flatproof._errors import InputError
    from flatproof.reproduce._sweep import parse_seeds
    with pytest.raises(InputError) as exc:
        parse_seeds(text)
    msg = str(exc.value)
    assert "--seeds" in msg and why in msg and "\n" not in msg


def test_good_seeds():
    from flatproof.reproduce._sweep import MAX_SEEDS, parse_seeds
    assert parse_seeds("0:5") == range(0, 5) and parse_seeds(" 7 : 8 ") == range(7, 8)
    assert len(parse_seeds(f"0:{MAX_SEEDS}")) == MAX_SEEDS


@pytest.mark.slow
def test_shipped_cases_and_instances_pickle():
    """Every shipped claim case and its instance survive a pickle round trip (they travel to --jobs/--dask
    workers): the same claim, parameters, data, network and law."""
    import pickle
    from pathlib import Path

    from flatproof._errors import InputError
    from flatproof.casefile import load_case
    cases = sorted((Path(__file__).resolve().parent.parent / "cases").glob("*.toml"))
    done = 0
    for path in cases:
        try:
            case = load_case(path)
        except InputError:                     # a `measure` case, not a claim case
            continue
        copy = pickle.loads(pickle.dumps(case))
        inst, back = case.instance, pickle.loads(pickle.dumps(case.instance))
        assert (copy.claim.id, copy.mode, copy.seed, copy.tolerances) == (case.claim.id, case.mode, case.seed,
                                                                          case.tolerances), path.name
        assert repr(copy.params) == repr(case.params) and back.provenance == inst.provenance, path.name
        assert np.array_equal(back.net.to_vector(), inst.net.to_vector()), path.name
        for key, val in vars(inst.data).items():
            if isinstance(val, np.ndarray):
                assert np.array_equal(getattr(back.data, key), val), (path.name, key)
        if inst.task is not None:              # the law (a parsed logit or link) draws the same samples
            a, b = inst.task.sample(7, np.random.default_rng(1)), back.task.sample(7, np.random.default_rng(1))
            assert all(np.array_equal(x, y) for x, y in zip(vars(a).values(), vars(b).values(), strict=True)
                       if isinstance(x, np.ndarray)), path.name
        done += 1
    assert done >= 20


@pytest.mark.parametrize("args, why", [(["--seeds", "4:2"], "B must be larger"), (["--seeds", "0:1.5"], "integers"),
                                       (["--seeds", "0:2", "--seed", "3"], "not both")])
def test_reproduce_bad_seeds_on_the_command_line(tmp_path, args, why):
    res = CliRunner().invoke(cli, ["reproduce", "homogeneous", "--quick", "--out", str(tmp_path / "o"), *args])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "'--seeds'" in lines[0] and why in lines[0]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_during_a_parallel_sweep_leaves_nothing(tmp_path):
    """Ctrl-C (SIGINT to the whole process group, as a terminal sends it) while the workers run: exit 130 with one
    line, no output folder, no temporary folder, and no process of the group left."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    out = tmp_path / "sweep"
    proc = subprocess.Popen([sys.executable, "-m", "flatproof", "reproduce", "logistic", "--quick", "--seeds", "0:4",
                             "--jobs", "2", "--out", str(out)], cwd=tmp_path, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(root)})
    try:
        deadline = time.monotonic() + 300
        while not list(tmp_path.glob(".sweep.tmp-*")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        time.sleep(3)                                   # the workers are running shards now
        assert proc.poll() is None, proc.communicate()
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "flatproof: interrupted"
    assert list(tmp_path.iterdir()) == []
    time.sleep(1)
    with pytest.raises(ProcessLookupError):
        os.killpg(proc.pid, 0)
