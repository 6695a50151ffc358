"""Short reprs and notebook HTML (issue 14): one line for a terminal, a compact table for Jupyter, never an
eigenvector dump, and derivations in LaTeX that Jupyter's MathJax can render."""

import re

import numpy as np

import flatproof
from flatproof import _display as display
from flatproof.claims import Hypothesis, Verdict, compare
from flatproof.derivations import get_derivation, names
from flatproof.vocab import Basis


def _verdict(outcome="holds", met=True):
    c = compare("λ_max ≥ <bound> & more", 1.5, ">=", 1.25, value_error=1e-12, basis="estimated",
                basis_note="Lanczos residual")
    return Verdict("logistic.weighted-tv", "title", "exact", False, "float", outcome, (c,),
                   (Hypothesis("off every kink", met, "detail <x>"),), {"v": np.arange(1000.0)},
                   {"identity": 1e-9}, ("a note",), basis=Basis.ESTIMATED if met else None,
                   basis_note="Lanczos residual" if met else "a hypothesis is not met")


def test_verdict_repr_is_one_short_line():
    text = display.verdict_repr(_verdict())
    assert "\n" not in text and len(text) < 200
    assert text.startswith("<Verdict logistic.weighted-tv [exact]: holds (estimated: Lanczos residual), margin 0.25")
    assert "hypothesis not met: off every kink" in display.verdict_repr(_verdict("hypotheses-not-met", met=False))


def test_verdict_html_is_a_compact_escaped_table():
    html = display.verdict_html(_verdict())
    assert html.count("<tr>") == 2                          # header + one comparison (met hypotheses are not rows)
    assert "&lt;bound&gt; &amp; more" in html and "<bound>" not in html
    assert "0.25" in html and "estimated: Lanczos residual" in html and "a note" in html
    assert "999.0" not in html                              # certificate arrays are not dumped
    unmet = display.verdict_html(_verdict("hypotheses-not-met", met=False))
    assert "detail &lt;x&gt;" in unmet and unmet.count("<tr>") == 3


def test_eig_result_repr_never_prints_eigenvectors():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((300, 300))
    res = flatproof.extreme_eigenpairs((A + A.T) / 2, k=6)
    top = np.linalg.eigvalsh((A + A.T) / 2)[::-1][:4]
    text = repr(res)
    assert "\n" not in text and len(text) < 250 and text.count(",") < 15
    assert f"{top[0]:.10g}" in text and ", …]" in text          # first four eigenvalues, then an ellipsis
    html = res._repr_html_()
    assert html.count("<tr>") == 7 and len(html) < 3000


def test_instance_and_measurements_reprs():
    inst = flatproof.Instance("univariate", flatproof.UnivariateData([0.1, 0.5, -0.3], [1.0, -1.0, 1.0]),
                              flatproof.UnivariateNet([1.0, -1.0], [1.0, 2.0], [0.2, -0.4], 0.5),
                              flatproof.logistic_loss(), provenance={"notes": ("float32 widened",)})
    assert repr(inst) == "<Instance univariate m=2 n=3 loss=logistic>"
    assert "float32 widened" in inst._repr_html_() and "p = 7" in inst._repr_html_()
    m = flatproof.measure(inst.oracle(), eta=0.5)
    text = repr(m)
    assert text.startswith("<Measurements p=7 ") and "2/η=4" in text and "\n" not in text
    assert m._repr_html_().count("<tr>") == 10


def test_derivations_render_in_mathjax():
    """Every macro in a derivation's notebook LaTeX is one MathJax defines (\\coloneqq is not)."""
    known = {"begin", "end", "aligned", "le", "ge", "Longrightarrow", "mathrel", "frac", "left", "right", "sum",
             "sqrt", "cdot", "lambda", "max", "min", "mu", "beta", "theta", "sigma", "eta", "varepsilon", "delta",
             "tau", "gamma", "ell", "nabla", "operatorname", "mathbb", "mathrm", "text", "quad", "qquad", "limits",
             "infty", "partial", "prod", "log", "exp", "bar", "hat", "tilde", "top", "dots", "ldots",
             "cdots", "geq", "leq", "neq", "in", "times", "int", "mid", "vert", "lvert", "rvert", "Vert", "big", "Big",
             "bigl", "bigr", "displaystyle", "tfrac", "dfrac", "alpha", "pi", "phi", "psi",
             "xi", "zeta", "rho", "kappa", "nu", "omega", "Delta", "Sigma", "Lambda", "Gamma", "Omega", "Phi",
             "mathbf", "boldsymbol", "overline", "underline", "pm", "mp", "approx",
             "equiv", "to", "rightarrow", "Rightarrow", "iff", "forall", "exists", "sin", "cos", "tanh",
             "textstyle", "scriptstyle", "cap", "cup", "subset", "emptyset", "lfloor", "rfloor", "lceil", "rceil",
             "odot", "circ", "prime", "not", "neg", "land", "lor", "sign", "textrm", "textbf",
             "textit", "det", "inf", "sup", "arg", "mathcal", "varphi", "vartheta", "epsilon", "chi", "upsilon", "omicron", "iota"}
    for name in names():
        tex = get_derivation(name)._repr_latex_()
        assert r"\coloneqq" not in tex
        unknown = set(re.findall(r"(?<!\\)\\([A-Za-z]+)", tex)) - known
        assert not unknown, (name, sorted(unknown))
    assert display.mathjax(r"a \coloneqq b") == r"a \mathrel{:=} b"

