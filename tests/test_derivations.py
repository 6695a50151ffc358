"""Symbolic derivations: sympy proves every step; the lambdified closed forms equal the numeric core and
finite differences on generated instances; the exported LaTeX matches golden files and compiles."""

import os
import re
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

import flatproof as fp
from flatproof.cli import cli
from flatproof.derivations import all_derivations, for_claim, get_derivation, names
from flatproof.derive import document, latex_section
from flatproof.model import constructions as C
from flatproof.model.losses import logistic_d1, logistic_d2
from tests._instances import central_gradient, random_homogeneous, random_univariate, seeds
from tests._tex import compile_tex, overfull, require_pdflatex

GOLDEN = Path(__file__).resolve().parent / "golden"


@pytest.mark.parametrize("name", names())
def test_sympy_proves_every_step_that_is_not_cited(name):
    d = get_derivation(name)
    reports = d.verify()
    failed = [(r.step.why, r.detail) for r in reports if r.proved is False]
    assert not failed
    proved = sum(r.proved is True for r in reports)
    assert proved >= 1
    cited = [r.step.why for r in reports if r.proved is None]
    assert len(cited) <= proved + 6, cited           # derivations are mostly proved, not cited


def test_every_derivation_supports_a_registered_claim_and_every_exact_formula_claim_has_one():
    ids = {c.id for c in fp.all_claims()}
    for d in all_derivations():
        assert set(d.claims) <= ids
    for cid in ("univariate.hessian-structure", "logistic.weighted-tv", "logistic.flat-at-infinity",
                "univariate.rescaling", "homogeneous.trace-at-interpolator", "homogeneous.orbit-minimum"):
        assert for_claim(cid)


# ---- symbolic = numeric = finite differences ----------------------------------------------------
@given(st.floats(-10, 10))
def test_logistic_derivatives(zv):
    """sympy's ℓ'' is the textbook formula, which cancels for large |z|: compared on |z| ≤ 10 only (the
    numeric core uses the stable form e^{−|z|}/(1 + e^{−|z|})², tested to ±1e6 in test_losses)."""
    d = get_derivation("logistic-identities").numeric
    assert d["ell_d1"](zv) == pytest.approx(float(logistic_d1(zv)), rel=1e-12, abs=1e-300)
    assert d["ell_d2"](zv) == pytest.approx(float(logistic_d2(zv)), rel=1e-9, abs=1e-300)
    h = 1e-5
    fd = (float(fp.logistic(zv + h)) - float(fp.logistic(zv - h))) / (2 * h)
    assert d["ell_d1"](zv) == pytest.approx(fd, rel=1e-6, abs=1e-9)


@given(seeds, st.integers(1, 25), st.integers(1, 5), st.sampled_from(["logistic", "square"]))
def test_per_pattern_hessian_assembles_to_the_dense_hessian(seed, n, m, loss):
    """∇²L = (1/n)Σ_j [φ''_j ∇f_j∇f_jᵀ + φ'_j ∇²f_j], with ∇f and ∇²f from sympy's per-neuron block."""
    problem, net = random_univariate(seed, n, m, loss)
    der = get_derivation("univariate-hessian").numeric
    x, y = problem.data.x, problem.data.y
    p = net.num_params
    H = np.zeros((p, p))
    fx = net(x)
    g1, g2 = problem.loss.d1(fx, y), problem.loss.d2(fx, y)
    for j in range(x.size):
        grad = np.zeros(p)
        hess = np.zeros((p, p))
        grad[-1] = 1.0
        for i in range(m):
            if net.w[i] * x[j] - net.b[i] <= 0:
                continue                             # inactive: the block is 0
            gi = der["grad_f"](net.v[i], net.w[i], net.b[i], net.beta, x[j])
            hi = np.array(der["hess_f"](net.v[i], net.w[i], net.b[i], net.beta, x[j]), dtype=float)
            idx = [i, m + i, 2 * m + i]
            grad[idx] = gi[:3]
            hess[np.ix_(idx, idx)] = hi[:3, :3]
        H += g2[j] * np.outer(grad, grad) + g1[j] * hess
    H = H / x.size + problem.weight_decay * np.eye(p)
    dense = fp.UnivariateDense(problem, net).hessian()
    assert np.allclose(H, dense, rtol=1e-10, atol=1e-12)
    fast = fp.UnivariateFast(problem, net)
    fd = np.column_stack([central_gradient(lambda t, k=k: fp.UnivariateFast(problem, fp.UnivariateNet.from_vector(t))
                                           .gradient()[k], net.to_vector()) for k in range(p)])
    assert np.allclose(H, 0.5 * (fd + fd.T), rtol=1e-4, atol=1e-5)
    a, c = fast.functional_blocks()
    assert float(np.max(der["functional_norm"](a, c))) == pytest.approx(fast.epsilon_F(), rel=1e-12)


@given(seeds, st.integers(2, 40), st.floats(1.0, 4.0))
def test_flat_at_infinity_bound_dominates_the_hessian_norm(seed, n, c):
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(-1, 1, n), rng.choice([-1.0, 1.0], n)
    base = C.sign_fitting_network(x, y)
    problem = fp.UnivariateProblem(fp.UnivariateData(x, y), fp.logistic_loss())
    J = fp.UnivariateDense(problem, base).jacobian()
    act = base.activation_pattern(x)
    eps0 = float(np.max(np.hypot(np.abs(x) @ act / n, act.sum(axis=0) / n)))
    gamma = float(np.min(y * base(x)))
    bound = get_derivation("flat-at-infinity").numeric["hessian_bound"](c, gamma, float(np.max(np.sum(J * J, 1))), eps0)
    H = fp.UnivariateDense(problem, C.scale_to_infinity(base, c)).hessian()
    assert np.max(np.abs(np.linalg.eigvalsh(H))) <= bound * (1 + 1e-12)


@given(seeds, st.integers(2, 30), st.integers(1, 6), st.floats(0.2, 5.0))
def test_univariate_orbit_trace_matches_the_oracle(seed, n, m, cval):
    problem, net = random_univariate(seed, n, m, wd=0.0)
    der = get_derivation("univariate-rescaling").numeric
    orc = fp.UnivariateFast(problem, net)
    d = problem.loss.d2(orc.forward(), problem.data.y)
    z = net.preactivations(problem.data.x)
    A = d @ np.maximum(z, 0) ** 2 / n
    B = net.v ** 2 * ((d * (problem.data.x ** 2 + 1)) @ (z > 0)) / n
    cs = np.full(m, cval)
    rescaled = fp.UnivariateFast(problem, C.rescale_univariate(net, cs))
    assert rescaled.trace() == pytest.approx(float(np.sum(der["orbit_trace"](cs, A, B)) + d.mean()), rel=1e-10)


@given(seeds, st.integers(2, 20), st.integers(1, 4), st.integers(1, 4), st.sampled_from([1, 2, 3]))
def test_homogeneous_trace_terms_match_the_oracle(seed, n, d, m, k):
    problem, net = random_homogeneous(seed, n, d, m, fp.relu_power(k))
    der = get_derivation("homogeneous-trace").numeric
    Z = problem.data.X @ net.W.T
    act = Z > 0
    zp = np.where(act, Z, 1.0)
    sq = np.sum(problem.data.X ** 2, axis=1)
    A = np.sum(np.where(act, der["A_term"](zp, k, n), 0.0), axis=0)
    B = np.sum(np.where(act, der["B_term"](net.a[None, :], zp, k, n) * sq[:, None], 0.0), axis=0)
    orc = fp.HomogeneousOracle(problem, net, at_kink="convention")
    A2, B2 = orc.trace_blocks()               # loss curvature d_i = 2 for (1/n)Σ(f − y)²
    assert np.allclose(A, A2, rtol=1e-10, atol=1e-14) and np.allclose(B, B2, rtol=1e-10, atol=1e-14)


# ---- export ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", names())
def test_golden_latex(name):
    text = latex_section(get_derivation(name))
    path = GOLDEN / f"derive-{name}.tex"
    if os.environ.get("FLATPROOF_UPDATE_GOLDEN"):
        path.write_text(text)
    assert text == path.read_text(), f"LaTeX of {name} changed; if intended, rerun with FLATPROOF_UPDATE_GOLDEN=1"
    assert all(ord(ch) < 128 for ch in text)


def test_repr_latex_for_jupyter():
    r = get_derivation("homogeneous-orbit")._repr_latex_()
    assert r.startswith("$$\\begin{aligned}") and r.endswith("\\end{aligned}$$")


def test_derive_all_compiles_to_pdf_without_overfull_lines(tmp_path):
    require_pdflatex()
    pdf, tex = tmp_path / "d.pdf", tmp_path / "d.tex"
    res = CliRunner().invoke(cli, ["derive", "--all", "--pdf", str(pdf), "--latex", str(tex)])
    assert res.exit_code == 0, res.output
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 20_000
    assert tex.read_text() == document(all_derivations())
    log = compile_tex(tex)
    assert overfull(log) == [], overfull(log)


def test_justifications_are_typeset_not_leaked():
    """No raw markup in the prose of a derivation: identifiers and formulas are in math mode."""
    body = document(all_derivations()).split("\\begin{document}")[1]
    prose = re.sub(r"\\begin\{align\*\}.*?\\end\{align\*\}", "", body, flags=re.S)
    prose = re.sub(r"\$[^$]*\$", "", prose)
    for leak in ("\\_", "\\textasciicircum", "[U+", "|", "^", "\\{"):
        assert leak not in prose, (leak, prose[max(0, prose.find(leak) - 80):prose.find(leak) + 40])


def test_derive_by_claim_id_and_bad_names(tmp_path, monkeypatch):
    res = CliRunner().invoke(cli, ["derive", "homogeneous.orbit-minimum"])
    assert res.exit_code == 0 and "F_{\\mathrm{sym}}" in res.output and "\\begin{align*}" in res.output
    res = CliRunner().invoke(cli, ["derive", "no-such-derivation"])
    assert res.exit_code == 2 and "unknown derivation" in res.output
    res = CliRunner().invoke(cli, ["derive"])
    assert res.exit_code == 2
    monkeypatch.setenv("PATH", str(tmp_path))              # no TeX on PATH: say so, write nothing
    pdf = tmp_path / "x.pdf"
    res = CliRunner().invoke(cli, ["derive", "weighted-tv", "--pdf", str(pdf)])
    assert res.exit_code == 2 and "neither is on PATH" in res.output and not pdf.exists()
