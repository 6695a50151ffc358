"""The worked examples in examples/ run as a user runs them, and flatproof's λ_max on the networks they
trained equals the top eigenvalue of torch autograd's Hessian to 1e-10 relative (issue 14).

The Hessian here is built from the saved state dict and the saved data alone (torch's own forward
pass and loss), not from anything flatproof computed. Skipped when torch or safetensors is absent.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

import flatproof  # noqa: E402
from flatproof.io import read_csv, read_state_dict  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"


def run_example(name, out, *args):
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    res = subprocess.run([sys.executable, str(EXAMPLES / name), "--out", str(out), *args], capture_output=True,
                         text=True, timeout=600, env=env, cwd=EXAMPLES)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout


def outcome(stdout, claim):
    """The outcome printed for ``claim`` (the verdict's repr names the claim, then its outcome)."""
    m = re.search(r"<Verdict " + re.escape(claim) + r" \[[^\]]*\]: (holds|violated|inconclusive|hypotheses-not-met)",
                  stdout)
    assert m, f"no verdict for {claim} in:\n{stdout[:3000]}"
    return m.group(1)


def autograd_lambda_max(sd_path, csv_path, kind, loss, activation=None):
    sd = {k: torch.from_numpy(v.astype(np.float64)) for k, v in read_state_dict(sd_path).items()}
    data = read_csv(csv_path, kind)
    keys = list(sd)
    shapes = [sd[k].shape for k in keys]
    flat0 = torch.cat([sd[k].reshape(-1) for k in keys])
    X = torch.from_numpy(data["x"][:, None] if kind == "univariate" else data["X"])
    y = torch.from_numpy(data["y"])

    def L(flat):
        p, i = {}, 0
        for k, s in zip(keys, shapes, strict=True):
            n = int(np.prod(s))
            p[k] = flat[i:i + n].reshape(s)
            i += n
        z = X @ p["0.weight"].T + (p["0.bias"] if "0.bias" in p else 0)
        h = torch.relu(z) if activation in (None, "relu") else torch.relu(z) ** 2
        f = (h @ p["2.weight"].T)[:, 0] + (p["2.bias"][0] if "2.bias" in p else 0)
        if loss == "logistic":
            return torch.nn.functional.softplus(-y * f).mean()
        return ((f - y) ** 2).mean()
    H = torch.autograd.functional.hessian(L, flat0)
    return float(torch.linalg.eigvalsh(H)[-1]), float(L(flat0))


def flatproof_lambda_max(sd_path, csv_path, kind, loss, activation="relu"):
    from flatproof.io import read_net
    from flatproof.model.data import MultiIndexData, UnivariateData
    net, _ = read_net(sd_path, kind, activation=activation)
    d = read_csv(csv_path, kind)
    data = UnivariateData(d["x"], d["y"]) if kind == "univariate" else MultiIndexData(d["X"], d["y"])
    inst = flatproof.Instance(kind, data, net, flatproof.Loss(loss, 0.5 if kind == "univariate" else 1.0))
    orc = inst.oracle()
    return flatproof.lambda_max(orc, tol=1e-12).value, orc.loss()


def check_lambda_max(out, sd_name, kind, loss, activation="relu"):
    lam_t, loss_t = autograd_lambda_max(out / sd_name, out / "train.csv", kind, loss, activation)
    lam_f, loss_f = flatproof_lambda_max(out / sd_name, out / "train.csv", kind, loss, activation)
    assert abs(lam_f - lam_t) <= 1e-10 * abs(lam_t), (lam_f, lam_t)
    assert abs(loss_f - loss_t) <= 1e-12 * abs(loss_t)
    return lam_t


def test_train_logistic(tmp_path):
    out = run_example("train_logistic.py", tmp_path, "--steps", "1500")
    lam = check_lambda_max(tmp_path, "net.safetensors", "univariate", "logistic")
    eta = 2.0
    assert outcome(out, "univariate.eta-flat") == ("holds" if lam < 2 / eta else "violated")
    assert outcome(out, "logistic.weighted-tv") == "holds"          # [exact]: a theorem at any kink-free θ
    assert outcome(out, "logistic.uncertain-set") == "holds"
    assert "from the case file" in out and (tmp_path / "weighted-tv.toml").exists()
    res = subprocess.run([sys.executable, "-m", "flatproof", "verify", str(tmp_path / "weighted-tv.toml")],
                         capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert res.returncode == 0, res.stdout[-2000:] + res.stderr


def test_separable_increasing_step(tmp_path):
    out = run_example("separable_increasing_step.py", tmp_path)
    lam = check_lambda_max(tmp_path, "net.safetensors", "univariate", "logistic")
    rows = [line.split() for line in out.splitlines() if re.match(r"\s*\d+\s", line)]
    lams = [float(r[3]) for r in rows]
    assert lams[-1] < lams[1] / 10 and abs(lams[-1] - lam) <= 1e-6 * lam   # λ_max falls as ‖θ‖ grows
    assert all(float(r[3]) < float(r[2]) for r in rows[1:])              # stable: λ_max < 2/η_t throughout
    assert float(rows[-1][6]) == 0.0                                       # the data are separated
    assert outcome(out, "logistic.flat-at-infinity") == "holds"


def test_homogeneous_multi_index(tmp_path):
    out = run_example("homogeneous_multi_index.py", tmp_path)
    check_lambda_max(tmp_path, "net.pt", "homogeneous", "square")
    assert outcome(out, "homogeneous.relu-sample-bound") == "holds"
    assert outcome(out, "homogeneous.conservation") == "holds"


@pytest.mark.parametrize("name", ["verify_your_network.ipynb", "property_test_your_claim.ipynb"])
def test_notebook_runs(name, monkeypatch):
    """The notebooks run top to bottom (their cells assert what they show); outputs are not committed."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("ipykernel")
    monkeypatch.setenv("PYTHONPATH", str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    nb = nbformat.read(EXAMPLES / name, as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(EXAMPLES)}}).execute()
    html = [o["data"]["text/html"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
            if "text/html" in o.get("data", {})]
    assert all(len(h) < 20_000 for h in html)                  # compact tables, no eigenvector dumps
    if name.startswith("verify"):
        assert any("flatproof Instance" in h for h in html) and any("flatproof measure" in h for h in html)
    assert any("<code>mine.tv-bound</code>" in h or "<code>logistic.weighted-tv</code>" in h for h in html)
