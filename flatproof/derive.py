"""The LaTeX document ``flatproof derive`` writes: preamble, setting, conventions, derivations, each section
naming the claims it supports (read from the claim registry here, in the front end, so the derivations layer
never imports the claims)."""

from __future__ import annotations

from ._latex import math_text, tt_id
from .derivations._core import Derivation

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[margin=2.2cm]{geometry}
\usepackage{amsmath,amssymb,mathtools}
\allowdisplaybreaks
\emergencystretch=3em
\title{flatproof: derivations}
\date{}
\begin{document}
\maketitle
"""

SETTING = r"""\section*{Setting and conventions}
\noindent The mathematics is that of flatproof's math pages (\texttt{flatproof/math/}). Univariate network:
$f_\theta(x) = \sum_{i=1}^m v_i (w_i x - b_i)_+ + \beta$, $\theta = (v, w, b, \beta)$, knots $t_i = b_i/w_i$,
logistic loss $\ell(z) = \log(1 + e^{-z})$, $s(z) = 1/(1+e^{-z})$, $L(\theta) = \frac1n \sum_j \ell(y_j f_\theta(x_j))$
(square loss $\frac1{2n}\sum_j (f_\theta(x_j) - y_j)^2$), $d_j = s(f_j)s(-f_j)$, $r_j = y_j s(-y_j f_j)$.
Homogeneous network: $f_\theta(x) = \sum_j a_j \sigma(w_j^\top x)$ with $\sigma(ct) = c^k\sigma(t)$ for $c > 0$,
$\hat L(\theta) = \frac1n\sum_i (f_\theta(x_i) - y_i)^2$, $A_j$, $B_j$ and $F_{\mathrm{sym}}$ as in flatproof math M.2--M.3.

\noindent Conventions: ReLU$'(0) = 0$ (as in PyTorch); Hessians are taken \emph{per activation pattern}, away
from kinks, and a point with a pre-activation at a kink is reported, never differentiated through (sympy's
$\mathrm{Heaviside}(0) = 1/2$ and the $\mathrm{DiracDelta}$ in the second derivative of $\max(0, t)$ are never
used). Each step below is an equation or inequality with its justification; unless it is marked as cited,
sympy has proved it (\texttt{simplify(lhs - rhs) == 0}, or the sign of the difference decided, under the stated
assumptions). Tags: [exact] verified as a theorem; [paper] a paper's claim as formalised in flatproof math;
[probe] an observation, not a theorem.
"""


def claim_refs(derivation: Derivation) -> list[str]:
    """One LaTeX entry per claim ``derivation`` supports: its id, tag and reference."""
    from .claims import get_claim
    refs = []
    for cid in derivation.claims:
        c = get_claim(cid)
        refs.append(f"{tt_id(c.id)} [{c.tag}]{' (false by design)' if c.false_by_design else ''}"
                    f" --- {math_text(c.reference)}")
    return refs


def latex_section(derivation: Derivation) -> str:
    """``derivation`` as a LaTeX section, with the claims it supports."""
    return derivation.latex_section(claim_refs(derivation))


class UnprovedStep(Exception):
    """sympy could not prove a step that is not marked as cited: nothing is exported."""


def check_all(derivations: list[Derivation]) -> list:
    """Every proof obligation of every derivation; raises UnprovedStep on the first failure."""
    reports = []
    for d in derivations:
        for r in d.verify():
            if r.proved is False:
                raise UnprovedStep(f"{d.name}: step '{r.step.why}': {r.detail}")
            reports.append((d.name, r))
    return reports


def document(derivations: list[Derivation]) -> str:
    """The LaTeX document; every non-cited step has been proved by sympy first."""
    check_all(derivations)
    body = "\n".join(latex_section(d) for d in derivations)
    return PREAMBLE + SETTING + "\n" + body + "\\end{document}\n"
