"""A claim written by a user (examples/my_claim.py) gets its instances from its own strategy() method:
`check` shrinks a counterexample to the wrong constant C = 4, `verify --import` reproduces it, and the
true constant C = 2 (flatproof math U.4) is never violated (issue 14).

The counterexample is recomputed independently: λ_max from a dense central-difference Hessian of the
logistic loss written out here, the weighted TV from the formula of U.4 evaluated by hand."""

import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _forget(module: str, claim_id: str) -> None:
    """Unregister a user claim again, so that later tests see only the shipped claims."""
    from flatproof.claims import _core
    _core._REGISTRY.pop(claim_id, None)
    sys.modules.pop(module, None)


@pytest.fixture(scope="module")
def my_claim():
    sys.path.insert(0, str(ROOT / "examples"))
    try:
        import my_claim
        yield my_claim
    finally:
        sys.path.remove(str(ROOT / "examples"))
        _forget("my_claim", "mine.tv-bound")


def _loss(theta, x, y, m):
    v, w, b, beta = theta[:m], theta[m:2 * m], theta[2 * m:3 * m], theta[3 * m]
    f = np.maximum(np.outer(x, w) - b, 0.0) @ v + beta
    return np.mean(np.logaddexp(0.0, -y * f)), f


def _fd_lambda_max(theta, x, y, m, h=1e-4):
    p = theta.size
    H = np.zeros((p, p))
    E = np.eye(p) * h
    for i in range(p):
        for j in range(p):
            H[i, j] = (_loss(theta + E[i] + E[j], x, y, m)[0] - _loss(theta + E[i] - E[j], x, y, m)[0]
                       - _loss(theta - E[i] + E[j], x, y, m)[0] + _loss(theta - E[i] - E[j], x, y, m)[0]) / (4 * h * h)
    return np.linalg.eigvalsh((H + H.T) / 2)[-1]


def _weighted_tv(v, w, b, x, d):
    """Σ_i |v_i w_i| g^{side(i)}(t_i), g⁺(t) = P(X>t)² E[X−t | X>t] √(1 + E[X | X>t]²) under μ ∝ Σ d_j δ_{x_j}."""
    total = 0.0
    for vi, wi, bi in zip(v, w, b, strict=True):
        t = bi / wi
        side = x > t if wi > 0 else x < t
        if not side.any():
            continue
        P = d[side].sum() / d.sum()
        EX = (d[side] * x[side]).sum() / d[side].sum()
        gap = EX - t if wi > 0 else t - EX
        total += abs(vi * wi) * P ** 2 * gap * np.sqrt(1 + EX ** 2)
    return total


def test_wrong_constant_gets_a_shrunk_reproduced_counterexample(my_claim, tmp_path):
    from flatproof.casefile import load_case
    from flatproof.check import check_claim
    rep = check_claim("mine.tv-bound", examples=100, seed=0, out_dir=tmp_path)
    assert rep.counts["violated"] >= 1 and rep.reproduced
    assert rep.size["n"] <= 4 and rep.size["width"] <= 2          # shrunk (drawn: up to 12 points, 4 neurons)
    doc = tomllib.loads(Path(rep.path).read_text())
    x, y = np.array(doc["data"]["x"]), np.array(doc["data"]["y"])
    mdl = doc["model"]
    v, w, b, beta = (np.array(mdl[k], dtype=float) for k in ("v", "w", "b", "beta"))
    m = v.size
    theta = np.concatenate([v, w, b, [beta]])
    lam = _fd_lambda_max(theta, x, y, m)
    f = _loss(theta, x, y, m)[1]
    s = 1 / (1 + np.exp(-y * f))
    d = s * (1 - s)                                                # φ''(f) for the logistic loss
    eps_f = load_case(rep.path).instance.oracle().epsilon_F()
    wtv = _weighted_tv(v, w, b, x, d)
    assert lam < d.mean() * (1 + 4 * wtv) - eps_f - 1e-4           # C = 4 is violated here ...
    assert lam > d.mean() * (1 + 2 * wtv) - eps_f + 1e-4           # ... and the theorem's C = 2 holds
    res = subprocess.run([sys.executable, "-m", "flatproof", "verify", "--import", "my_claim", rep.path],
                         cwd=ROOT / "examples", capture_output=True, text=True, timeout=300,
                         env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert res.returncode == 1 and "violated" in res.stdout, res.stderr


def test_true_constant_is_never_violated(my_claim, tmp_path):
    from flatproof.check import check_claim
    rep = check_claim("mine.tv-bound", examples=60, seed=1, out_dir=tmp_path, params={"C": 2.0})
    assert rep.tried > 0 and rep.counts["violated"] == 0 and rep.counts["holds"] > rep.tried // 2


def test_strategy_must_return_a_strategy(my_claim):
    import flatproof.strategies as fs
    from flatproof.claims import get_claim
    claim = get_claim("mine.tv-bound")
    original = type(claim).strategy
    try:
        type(claim).strategy = lambda self: [1, 2]
        with pytest.raises(TypeError, match="must return a hypothesis strategy"):
            fs.cases("mine.tv-bound")
    finally:
        type(claim).strategy = original


def test_import_finds_a_module_in_the_current_folder(tmp_path, monkeypatch):
    """`flatproof check --import my_module` from the folder that holds my_module.py (the console script does
    not put the current folder on sys.path by itself)."""
    from click.testing import CliRunner

    from flatproof.cli import cli
    text = (ROOT / "examples" / "my_claim.py").read_text().replace("mine.tv-bound", "mine.tv-bound-here")
    (tmp_path / "my_claim_here.py").write_text(text)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    try:
        res = CliRunner().invoke(cli, ["check", "--import", "my_claim_here", "mine.tv-bound-here", "--examples",
                                       "100", "--out", str(tmp_path / "found"), "--json"])
    finally:
        _forget("my_claim_here", "mine.tv-bound-here")
    assert res.exit_code == 1, res.output
    written = (tmp_path / "found" / "mine.tv-bound-here-seed0.toml").read_text()
    assert "Run: flatproof verify --import my_claim_here " in written
