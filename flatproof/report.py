"""LaTeX reports of verdicts (``flatproof verify --latex FILE``).

The report is plain ASCII LaTeX for ``pdflatex``: the Unicode in claim titles, comparison names
and certificates (λ, ≤, ‖, ᵀ, …) is translated symbol by symbol; anything unknown is spelled out
as its code point, never passed through.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from ._latex import latex_text, math_text, tt_id  # noqa: F401  (re-exported: the report's typesetting)
from .claims import Claim, Verdict
from .vocab import Relation


def _num(x: object, digits: int = 10) -> str:
    if x is None:
        return "---"
    if isinstance(x, bool):
        return "true" if x else "false"
    if isinstance(x, int):
        return str(x)
    if isinstance(x, float):
        if math.isnan(x):
            return "NaN"
        if math.isinf(x):
            return r"$\infty$" if x > 0 else r"$-\infty$"
        return f"{x:.{digits}g}"
    return latex_text(str(x))


PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{booktabs}
\usepackage{array}
\emergencystretch=3em
\title{flatproof verification report}
\date{}
\begin{document}
\maketitle
\noindent Conventions: ReLU$'(0) = 0$; Hessians are taken per activation pattern and a point at a kink
is reported, never differentiated through; univariate losses are $(1/n)\sum_j \ell(y_j f(x_j))$ or
$(1/(2n))\sum_j (f(x_j)-y_j)^2$, homogeneous ones $(1/n)\sum_i (f(x_i)-y_i)^2$ (flatproof math).
Tags: [exact] identity or inequality verified as a theorem; [paper] a paper's qualitative claim as
formalised in flatproof math; [probe] an observation on an instance, not a theorem.
Every comparison and verdict states its basis: certified (interval or exact arithmetic), estimated (floats
with an error model) or observed (a probe). In rigorous mode only certified comparisons decide.
"""


def verdict_latex(case_name: str, claim: Claim, verdict: Verdict, provenance: dict) -> str:
    rows = []
    for c in verdict.comparisons:
        rel = f"${Relation(c.relation).latex}$"
        how = latex_text(c.how)
        rows.append(f"{math_text(c.name)} & {_num(c.value, 8)} & {rel} & {_num(c.bound, 8)} & {_num(c.margin, 3)} & "
                    f"{how} & {c.outcome} \\\\")
    hyps = "\n".join(f"\\item {math_text(h.name)}: {'met' if h.met else 'NOT met'}"
                     + (f" ({math_text(h.detail)})" if h.detail else "") for h in verdict.hypotheses)
    cert = "\n".join(f"\\item \\texttt{{{latex_text(k)}}}: {math_text(v) if isinstance(v, str) else _num(v)}"
                     for k, v in verdict.certificate.items()
                     if isinstance(v, (int, float, bool)) or (isinstance(v, str) and len(v) < 200))
    prov = "; ".join(f"{latex_text(k)} = {latex_text(str(v))}" for k, v in provenance.items())
    false_note = (r" \textbf{(false by design: a violation is the expected outcome)}" if claim.false_by_design else "")
    parts = [
        f"\\section*{{{tt_id(case_name)}}}",
        f"\\noindent\\textbf{{Claim}} {tt_id(claim.id)} [{claim.tag}]{false_note}: "
        f"{math_text(claim.title)}.\\\\",
        f"\\textbf{{Reference}}: {math_text(claim.reference)}.\\\\",
        f"\\textbf{{Mode}}: {verdict.mode}. \\textbf{{Outcome}}: \\textbf{{{latex_text(verdict.label)}}}.\\\\",
        f"\\textbf{{Instance}}: {prov}.",
        "\\begin{equation*}", claim.statement, "\\end{equation*}",
    ]
    if rows:
        parts += ["\\begin{center}\\small",
                  "\\begin{tabular}{>{\\raggedright\\arraybackslash}p{4.6cm}rcrr>{\\raggedright\\arraybackslash}p{2.4cm}l}", "\\toprule",
                  "comparison & value & & bound & margin & basis & outcome \\\\", "\\midrule", *rows,
                  "\\bottomrule", "\\end{tabular}", "\\end{center}"]
    if hyps:
        parts += ["\\noindent Hypotheses:", "\\begin{itemize}", hyps, "\\end{itemize}"]
    if cert:
        parts += ["\\noindent Certificate:", "\\begin{itemize}", cert, "\\end{itemize}"]
    if verdict.notes:
        parts += ["\\noindent Notes:", "\\begin{itemize}",
                  *[f"\\item {math_text(n)}" for n in verdict.notes], "\\end{itemize}"]
    parts.append("\\noindent Tolerances: " + ", ".join(f"{k} = {_num(v)}" for k, v in verdict.tolerances.items()))
    return "\n".join(parts) + "\n"


def report_latex(entries: Iterable[tuple[str, Claim, Verdict, dict]]) -> str:
    """A complete document: ``entries`` are (case name, claim, verdict, provenance)."""
    body = "\n\\bigskip\n".join(verdict_latex(*e) for e in entries)
    return PREAMBLE + body + "\\end{document}\n"
