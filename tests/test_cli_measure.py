"""`flatproof measure`: shipped cases, JSON output, and one-line errors with exit status 2 on bad input."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import flatproof as fp
from flatproof.cli import cli

CASES = Path(__file__).resolve().parent.parent / "cases"


def run(*args):
    res = CliRunner().invoke(cli, list(map(str, args)))
    return res.exit_code, res.output


def test_measure_univariate_json_matches_dense_eigvalsh():
    code, out = run("measure", CASES / "measure-univariate.toml", "--json")
    assert code == 0
    rec = json.loads(out)
    import tomllib
    doc = tomllib.loads((CASES / "measure-univariate.toml").read_text())
    m, d = doc["model"], doc["data"]
    net = fp.UnivariateNet(m["v"], m["w"], m["b"], m["beta"])
    problem = fp.UnivariateProblem(fp.UnivariateData(d["x"], d["y"]), fp.logistic_loss())
    H = fp.UnivariateDense(problem, net).hessian()
    eig = np.linalg.eigvalsh(H)
    assert rec["lambda_max"]["value"] == pytest.approx(eig[-1], rel=1e-12)
    assert rec["lambda_min"]["value"] == pytest.approx(eig[0], rel=1e-10)
    assert rec["trace"] == pytest.approx(np.trace(H), rel=1e-12)
    assert rec["frobenius"] == pytest.approx(np.linalg.norm(H), rel=1e-12)
    assert rec["stability_threshold"] == pytest.approx(2 / doc["measure"]["eta"])
    assert rec["eta_flat"]["answer"] == ("flat" if eig[-1] < 2 / doc["measure"]["eta"] else "sharp")
    assert rec["kinks"]["count"] == 0


def test_measure_homogeneous_interpolator():
    code, out = run("measure", CASES / "measure-homogeneous.toml", "--json")
    assert code == 0
    rec = json.loads(out)
    with np.load(CASES / "homogeneous-interpolator.npz") as z:
        X, a, W = z["X"], z["a"], z["W"]
    n = X.shape[0]
    Z = X @ W.T
    A = 2 / n * np.sum(np.maximum(Z, 0) ** 2, axis=0)
    B = 2 / n * a ** 2 * np.sum((Z > 0) * np.sum(X * X, axis=1)[:, None], axis=0)
    assert rec["loss"] == pytest.approx(0.0, abs=1e-28)
    assert rec["trace"] == pytest.approx(np.sum(A + B), rel=1e-12)    # M.2
    assert abs(rec["lambda_min"]["value"]) <= 1e-12 * rec["lambda_max"]["value"]  # null directions (M.3)


def test_measure_strict_kinks_reports_no_hessian():
    code, out = run("measure", CASES / "measure-kink.toml", "--json", "--strict-kinks")
    assert code == 0
    rec = json.loads(out)
    assert rec["kinks"]["count"] == 1 and rec["kinks"]["examples"] == [[0, 0]]
    assert rec["lambda_max"] is None and rec["trace"] is None and rec["grad_norm"] is None


def test_measure_at_a_kink_uses_relu_prime_zero_and_counts():
    """Default: computed with ReLU'(0) = 0, as autograd would; checked against the dense Jacobian built by hand
    with the active set {z > 0} (the point at the knot counts as inactive)."""
    import tomllib
    code, out = run("measure", CASES / "measure-kink.toml", "--json")
    assert code == 0
    rec = json.loads(out)
    assert rec["kinks"]["count"] == 1
    assert any("1 pre-activation" in n and "convention" in n for n in rec["notes"])
    doc = tomllib.loads((CASES / "measure-kink.toml").read_text())
    m, d = doc["model"], doc["data"]
    v, w, b = (np.array(m[k]) for k in ("v", "w", "b"))
    x, y = np.array(d["x"]), np.array(d["y"])
    z = np.outer(x, w) - b
    act = (z > 0).astype(float)
    J = np.hstack([np.maximum(z, 0), act * v * x[:, None], -act * v, np.ones((x.size, 1))])
    f = np.maximum(z, 0) @ v + m["beta"]
    s = 1 / (1 + np.exp(y * f))                       # σ(−y f)
    dd = s * (1 - s)
    assert rec["trace"] == pytest.approx(np.sum(dd[:, None] * J * J) / x.size, rel=1e-12)
    assert rec["grad_norm"] == pytest.approx(np.linalg.norm(J.T @ (-y * s)) / x.size, rel=1e-12)


def test_measure_what_computes_only_what_is_asked():
    code, out = run("measure", CASES / "measure-univariate-large.toml", "--json", "--what", "lambda_max,trace")
    assert code == 0
    rec = json.loads(out)
    assert rec["lambda_max"]["converged"] and rec["trace"] > 0
    assert rec["lambda_min"] is None and rec["grad_norm"] is None and rec["frobenius"] is None
    code, out = run("measure", CASES / "measure-univariate-large.toml", "--what", "lambda_max,bogus")
    assert code == 2 and "bogus" in out and "what" in out


def test_measure_lambda_min_budget_gives_bounds():
    code, out = run("measure", CASES / "measure-univariate-large.toml", "--json", "--what", "lambda_max,lambda_min",
                    "--budget", "8")
    assert code == 0
    rec = json.loads(out)
    lo, hi = rec["lambda_min"]["bounds"]
    assert rec["lambda_min"]["n_matvec"] <= 9
    assert lo <= rec["lambda_min"]["value"] <= hi
    if not rec["lambda_min"]["converged"]:
        assert any("λ_min ∈" in n for n in rec["notes"])


def test_measure_large_case_uses_lanczos():
    code, out = run("measure", CASES / "measure-univariate-large.toml", "--json")
    assert code == 0
    rec = json.loads(out)
    assert rec["lambda_max"]["method"].startswith("Lanczos") and rec["lambda_max"]["converged"]
    assert rec["lambda_max"]["residual"] <= 1e-8 * rec["lambda_max"]["value"]


def test_table_output_names_the_quantities():
    code, out = run("measure", CASES / "measure-univariate.toml")
    assert code == 0
    for word in ("λ_max", "λ_min", "tr ∇²L", "‖∇²L‖_F", "kinks", "2/η", "η-flat"):
        assert word in out


GOOD = """
[model]
kind = "univariate"
v = [1.0, -0.5]
w = [2.0, -1.0]
b = [0.1, 0.3]
beta = 0.0
[data]
x = [0.5, -0.5, 0.9]
y = [1.0, -1.0, 1.0]
[loss]
kind = "logistic"
"""

BAD = [
    ("missing field", GOOD.replace("b = [0.1, 0.3]\n", ""), "model.b"),
    ("wrong shape", GOOD.replace("w = [2.0, -1.0]", "w = [2.0]"), "model.w"),
    ("NaN", GOOD.replace("x = [0.5, -0.5, 0.9]", "x = [nan, -0.5, 0.9]"), "data.x"),
    ("inf", GOOD.replace("beta = 0.0", "beta = inf"), "model.beta"),
    ("unknown kind", GOOD.replace('kind = "univariate"', 'kind = "trivariate"'), "model.kind"),
    ("unknown field", GOOD.replace("beta = 0.0", "beta = 0.0\ngamma = 1"), "model.gamma"),
    ("unknown table", GOOD + "[extra]\na = 1\n", "extra"),
    ("labels", GOOD.replace("y = [1.0, -1.0, 1.0]", "y = [1.0, 0.0, 1.0]"), "data.y"),
    ("length mismatch", GOOD.replace("y = [1.0, -1.0, 1.0]", "y = [1.0, -1.0]"), "data.y"),
    ("negative eta", GOOD + "[measure]\neta = -0.1\n", "measure.eta"),
    ("seed not integer", GOOD + "[measure]\nseed = 1.5\n", "measure.seed"),
    ("string array", GOOD.replace("v = [1.0, -0.5]", 'v = "1.0"'), "model.v"),
    ("loss kind", GOOD.replace('kind = "logistic"', 'kind = "hinge"'), "loss.kind"),
    ("weight decay", GOOD.replace('kind = "logistic"', 'kind = "logistic"\nweight_decay = -1'),
     "loss.weight_decay"),
    ("missing npz", GOOD.replace("x = [0.5, -0.5, 0.9]\ny = [1.0, -1.0, 1.0]", 'file = "nope.npz"'), "data.file"),
    ("malformed", GOOD.replace("[loss]", "[loss"), "malformed TOML"),
]


@pytest.mark.parametrize("name,text,needle", BAD, ids=[b[0] for b in BAD])
def test_bad_input_is_one_line_exit_2(tmp_path, name, text, needle):
    path = tmp_path / "case.toml"
    path.write_text(text)
    before = set(tmp_path.iterdir())
    proc = subprocess.run([sys.executable, "-m", "flatproof", "measure", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2, proc.stderr
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert str(path) in lines[0] and needle in lines[0]
    assert set(tmp_path.iterdir()) == before            # nothing written


def test_unreadable_and_binary_files(tmp_path):
    code = subprocess.run([sys.executable, "-m", "flatproof", "measure", str(tmp_path / "absent.toml")],
                          capture_output=True, text=True)
    assert code.returncode == 2 and "absent.toml" in code.stderr
    junk = tmp_path / "junk.toml"
    junk.write_bytes(b"\xff\xfe\x00garbage")
    proc = subprocess.run([sys.executable, "-m", "flatproof", "measure", str(junk)], capture_output=True, text=True)
    assert proc.returncode == 2 and "junk.toml" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_npz_case_relative_to_case_file(tmp_path):
    shutil.copy(CASES / "homogeneous-interpolator.npz", tmp_path / "inst.npz")
    (tmp_path / "c.toml").write_text('[model]\nkind = "homogeneous"\nfile = "inst.npz"\n'
                                     '[data]\nfile = "inst.npz"\n[loss]\nkind = "square"\n')
    code, out = run("measure", tmp_path / "c.toml", "--json")
    assert code == 0 and json.loads(out)["num_params"] == 12
