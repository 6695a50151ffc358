"""LaTeX reports of verdicts (``flatproof verify --latex FILE``).

The report is plain ASCII LaTeX for ``pdflatex``: the Unicode in claim titles, comparison names
and certificates (λ, ≤, ‖, ᵀ, …) is translated symbol by symbol; anything unknown is spelled out
as its code point, never passed through.
"""

from __future__ import annotations

import math
import unicodedata

_MATH = {
    "θ": r"\theta", "Σ": r"\Sigma", "−": "-", "λ": r"\lambda", "∇": r"\nabla", "‖": r"\|", "≤": r"\le",
    "η": r"\eta", "≥": r"\ge", "ε": r"\varepsilon", "δ": r"\delta", "τ": r"\tau", "γ": r"\gamma", "·": r"\cdot",
    "√": r"\surd", "σ": r"\sigma", "μ": r"\mu", "Δ": r"\Delta", "∈": r"\in", "⪰": r"\succeq", "∞": r"\infty",
    "φ": r"\varphi", "β": r"\beta", "±": r"\pm", "≈": r"\approx", "⇒": r"\Rightarrow", "→": r"\to", "↦": r"\mapsto",
    "ℓ": r"\ell", "≡": r"\equiv", "∫": r"\int", "∝": r"\propto", "×": r"\times", "∞": r"\infty",
    "≠": r"\ne", "ψ": r"\psi", "π": r"\pi", "α": r"\alpha", "ν": r"\nu", "Γ": r"\Gamma", "Λ": r"\Lambda",
    "Θ": r"\Theta", "Φ": r"\Phi", "Ω": r"\Omega", "ω": r"\omega", "ρ": r"\rho", "κ": r"\kappa", "ζ": r"\zeta",
    "ξ": r"\xi", "χ": r"\chi", "ι": r"\iota", "υ": r"\upsilon", "Π": r"\Pi", "Ψ": r"\Psi", "Ξ": r"\Xi",
    "⊂": r"\subset", "∪": r"\cup", "∩": r"\cap", "∀": r"\forall", "∃": r"\exists", "⟨": r"\langle",
    "⟩": r"\rangle", "≪": r"\ll", "≫": r"\gg", "∂": r"\partial", "⊙": r"\odot", "…": r"\dots", "≲": r"\lesssim",
}
_SUP = {"²": "2", "¹": "1", "⁻": "-", "ᵀ": r"\top", "⁺": "+", "³": "3", "ᵏ": "k"}
_SUB = {"₂": "2", "₀": "0", "₁": "1"}
_TEXT = {"—": "---", "–": "--", "’": "'", "“": "``", "”": "''", " ": " "}
_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
            "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
            ">": r"\textgreater{}"}
_COMBINING = {"\u0302": r"\hat", "\u0304": r"\bar"}


def latex_text(s: str) -> str:
    """Translate a Unicode text string into ASCII LaTeX (text mode); runs of symbols share one $…$."""
    toks: list[tuple[bool, str]] = []          # (is_math, latex)
    chars = list(str(s))
    i = 0
    while i < len(chars):
        ch = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        if nxt in _COMBINING:                      # x̂, D̄: base letter plus a combining accent
            base = _MATH.get(ch, ch if ch.isascii() and ch.isalnum() else "?")
            toks.append((True, f"{_COMBINING[nxt]}{{{base}}}"))
            i += 2
            continue
        if ch in _SPECIAL:
            toks.append((False, _SPECIAL[ch]))
        elif ch.isascii():
            toks.append((False, ch))
        elif ch in _MATH:
            toks.append((True, _MATH[ch] + " "))
        elif ch in _SUP or ch in _SUB:             # a run of super/subscript characters is one group
            table, mark = (_SUP, "^") if ch in _SUP else (_SUB, "_")
            run = []
            while i < len(chars) and chars[i] in table:
                run.append(table[chars[i]])
                i += 1
            toks.append((True, f"{mark}{{{' '.join(run) if any(r.startswith(chr(92)) for r in run) else ''.join(run)}}}"))
            continue
        elif ch in _TEXT:
            toks.append((False, _TEXT[ch]))
        else:
            decomposed = unicodedata.normalize("NFD", ch)
            if len(decomposed) == 2 and decomposed[0].isascii() and decomposed[1] in _COMBINING:
                toks.append((True, f"{_COMBINING[decomposed[1]]}{{{decomposed[0]}}}"))
            else:
                toks.append((False, f"[U+{ord(ch):04X}]"))
        i += 1
    out, k = [], 0
    while k < len(toks):
        if toks[k][0]:
            run = []
            while k < len(toks) and toks[k][0]:
                run.append(toks[k][1])
                k += 1
            out.append("${}" + "".join(run).rstrip() + "$")
        else:
            out.append(toks[k][1])
            k += 1
    return "".join(out)


def _num(x) -> str:
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
        return f"{x:.10g}"
    return latex_text(str(x))


PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb}
\usepackage{booktabs}
\usepackage{array}
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


def verdict_latex(case_name: str, claim, verdict, provenance: dict) -> str:
    rows = []
    for c in verdict.comparisons:
        rel = {"<=": r"$\le$", ">=": r"$\ge$", "=": "$=$"}[c.relation]
        how = latex_text(c.how)
        rows.append(f"{latex_text(c.name)} & {_num(c.value)} & {rel} & {_num(c.bound)} & {_num(c.margin)} & "
                    f"{how} & {c.outcome} \\\\")
    hyps = "\n".join(f"\\item {latex_text(h.name)}: {'met' if h.met else 'NOT met'}"
                     + (f" ({latex_text(h.detail)})" if h.detail else "") for h in verdict.hypotheses)
    cert = "\n".join(f"\\item \\texttt{{{latex_text(k)}}}: {_num(v)}" for k, v in verdict.certificate.items()
                     if isinstance(v, (int, float, bool)) or (isinstance(v, str) and len(v) < 200))
    prov = "; ".join(f"{latex_text(k)} = {latex_text(str(v))}" for k, v in provenance.items())
    false_note = (r" \textbf{(false by design: a violation is the expected outcome)}" if claim.false_by_design else "")
    parts = [
        f"\\section*{{{latex_text(case_name)}}}",
        f"\\noindent\\textbf{{Claim}} \\texttt{{{latex_text(claim.id)}}} [{claim.tag}]{false_note}: "
        f"{latex_text(claim.title)}.\\\\",
        f"\\textbf{{Reference}}: {latex_text(claim.reference)}.\\\\",
        f"\\textbf{{Mode}}: {verdict.mode}. \\textbf{{Outcome}}: \\textbf{{{latex_text(verdict.label)}}}.\\\\",
        f"\\textbf{{Instance}}: {prov}.",
        "\\begin{equation*}", claim.statement, "\\end{equation*}",
    ]
    if rows:
        parts += ["\\begin{center}\\small",
                  "\\begin{tabular}{>{\\raggedright\\arraybackslash}p{5.2cm}rcrr>{\\raggedright\\arraybackslash}p{2.6cm}l}", "\\toprule",
                  "comparison & value & & bound & margin & basis & outcome \\\\", "\\midrule", *rows,
                  "\\bottomrule", "\\end{tabular}", "\\end{center}"]
    if hyps:
        parts += ["\\noindent Hypotheses:", "\\begin{itemize}", hyps, "\\end{itemize}"]
    if cert:
        parts += ["\\noindent Certificate:", "\\begin{itemize}", cert, "\\end{itemize}"]
    if verdict.notes:
        parts += ["\\noindent Notes:", "\\begin{itemize}",
                  *[f"\\item {latex_text(n)}" for n in verdict.notes], "\\end{itemize}"]
    parts.append("\\noindent Tolerances: " + ", ".join(f"{k} = {_num(v)}" for k, v in verdict.tolerances.items()))
    return "\n".join(parts) + "\n"


def report_latex(entries) -> str:
    """A complete document: ``entries`` are (case name, claim, verdict, provenance)."""
    body = "\n\\bigskip\n".join(verdict_latex(*e) for e in entries)
    return PREAMBLE + body + "\\end{document}\n"
