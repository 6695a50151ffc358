"""LaTeX in one place: plain-ASCII typesetting of text and math (:func:`latex_text`, :func:`math_text`,
:func:`tt_id`; the Unicode in titles and certificates is translated symbol by symbol, anything unknown is
spelled out as its code point, never passed through) and compiling a document to PDF (``flatproof derive
--pdf``, ``flatproof report --pdf``)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from ._errors import FlatproofError, InputError
from ._files import copy_file_atomic

_MATH = {
    "θ": r"\theta", "Σ": r"\Sigma", "−": "-", "λ": r"\lambda", "∇": r"\nabla", "‖": r"\|", "≤": r"\le",
    "η": r"\eta", "≥": r"\ge", "ε": r"\varepsilon", "δ": r"\delta", "τ": r"\tau", "γ": r"\gamma", "·": r"\cdot",
    "√": r"\surd", "σ": r"\sigma", "μ": r"\mu", "Δ": r"\Delta", "∈": r"\in", "⪰": r"\succeq", "∞": r"\infty",
    "φ": r"\varphi", "β": r"\beta", "±": r"\pm", "≈": r"\approx", "⇒": r"\Rightarrow", "→": r"\to", "↦": r"\mapsto",
    "ℓ": r"\ell", "≡": r"\equiv", "∫": r"\int", "∝": r"\propto", "×": r"\times",
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


_OPERATORS = {"max": r"\max", "min": r"\min", "log": r"\log", "exp": r"\exp", "sup": r"\sup", "inf": r"\inf",
              "arg": r"\arg", "det": r"\det", "sign": r"\operatorname{sign}", "diag": r"\operatorname{diag}",
              "eig": r"\operatorname{eig}", "tr": r"\operatorname{tr}", "err": r"\operatorname{err}",
              "KL": r"\operatorname{KL}", "Bern": r"\operatorname{Bern}", "Var": r"\operatorname{Var}"}
_MATH_CHARS = set(_MATH) | set(_SUP) | set(_SUB) | set(_COMBINING) | set("_^=+<>/|‖~{}")
_SECTION_REF = re.compile(r"^\(?(?:[UM]\.\d+(?:[–-]+[UM]?\.?\d+)?|App\.|Appendix|AM[–-]GM)\)?[.,;:]?$")


def _math_word(w: str) -> str:
    """One word of a formula (``e^{−z}``, ``λ_max``, ``‖H_F‖₂``) as math-mode LaTeX: read left to right, each
    step a script, a letter with a combining mark, a square root, a run of letters or of Unicode super- or
    subscripts, else one symbol."""
    out, i = [], 0
    while i < len(w):
        for read in (_script, _combined_letter, _square_root, _letters, _unicode_scripts):
            step = read(w, i)
            if step is not None:
                text, i = step
                out.append(text)
                break
        else:
            out.append(_symbol(w[i]))
            i += 1
    return "".join(out).strip()


_Step = tuple[str, int] | None        # the LaTeX of what was read at i, and where reading goes on; None: not mine


def _closing(w: str, j: int, opening: str, closing: str) -> tuple[int, int]:
    """From just after an ``opening`` bracket: (index after its match, depth left: 0 when it is closed)."""
    depth = 1
    while j < len(w) and depth:
        depth += {opening: 1, closing: -1}.get(w[j], 0)
        j += 1
    return j, depth


def _script(w: str, i: int) -> _Step:
    """``_x``, ``^{…}``, ``_max``, ``c_ε``, and ``c_j*`` (a starred subscript)."""
    mark = w[i]
    if mark not in "_^":
        return None
    i += 1
    if i < len(w) and w[i] == "{":
        j, _ = _closing(w, i + 1, "{", "}")
        inner, i = w[i + 1:j - 1], j
    else:
        m = re.match(r"[a-z]+|[A-Z]+|[0-9]+", w[i:])    # x_j, λ_max, H_GN; A_iB_i is A_i B_i
        j = i + (len(m.group(0)) if m else 1)           # or one symbol: c_ε
        inner, i = w[i:j], j
    star = i < len(w) and w[i] == "*" and mark == "_"
    i += star
    body = _OPERATORS.get(inner) or _math_word(inner)
    return f"{mark}{{{body}}}" + ("^*" if star else ""), i


def _combined_letter(w: str, i: int) -> _Step:
    """A character followed by a combining mark (``D̄``)."""
    if i + 1 < len(w) and w[i + 1] in _COMBINING:
        return f"{_COMBINING[w[i + 1]]}{{{_MATH.get(w[i], w[i])}}}", i + 2
    return None


def _square_root(w: str, i: int) -> _Step:
    """``√(…)`` with its bracket closed."""
    if not (w[i] == "√" and w[i + 1:i + 2] == "("):
        return None
    j, depth = _closing(w, i + 2, "(", ")")
    return (rf"\sqrt{{{_math_word(w[i + 2:j - 1])}}}", j) if depth == 0 else None


def _letters(w: str, i: int) -> _Step:
    """A run of ASCII letters: an operator name (``tr``), an upright word of 3 or more letters, else italic."""
    if not (w[i].isascii() and w[i].isalpha()):
        return None
    j = i
    while j < len(w) and w[j].isascii() and w[j].isalpha() and not (
            j + 1 < len(w) and w[j + 1] in _COMBINING and j > i):
        j += 1
    word = w[i:j]
    text = _OPERATORS.get(word) or (rf"\mathrm{{{word}}}" if len(word) >= 3 else word)
    if word in _OPERATORS and j < len(w) and w[j].isalnum():
        text += " "
    return text, j


def _unicode_scripts(w: str, i: int) -> _Step:
    """A run of Unicode superscripts (``²``) or subscripts (``₂``)."""
    if w[i] not in _SUP and w[i] not in _SUB:
        return None
    table, mark = (_SUP, "^") if w[i] in _SUP else (_SUB, "_")
    run = []
    while i < len(w) and w[i] in table:
        run.append(table[w[i]])
        i += 1
    return f"{mark}{{{' '.join(run)}}}", i


def _symbol(ch: str) -> str:
    """One symbol: a Greek letter or operator, LaTeX's special characters escaped, an accented letter; an
    unknown character is shown by its code point."""
    if ch == "Σ":
        return r"\textstyle\sum "
    if ch in _MATH:
        return _MATH[ch] + " "
    special = {"–": r"\text{--}", "—": r"\text{--}", "‖": r"\|", "~": r"\sim ",
               "/": r"/\allowbreak "}                 # inline math breaks only at relations and operators
    if ch in special:
        return special[ch]
    if ch in "{}%#&$":
        return "\\" + ch                              # a set's braces (grouping braces follow _ or ^)
    if ch.isascii():
        return ch
    decomposed = unicodedata.normalize("NFD", ch)
    if len(decomposed) == 2 and decomposed[0].isascii() and decomposed[1] in _COMBINING:
        return f"{_COMBINING[decomposed[1]]}{{{decomposed[0]}}}"
    return f"\\text{{[U+{ord(ch):04X}]}}"


def _is_math_word(w: str) -> bool | None:
    """True for a formula word, False for prose, None for a bare number (it joins a formula it follows)."""
    if _SECTION_REF.match(w):
        return False
    core = w.strip("(),;:.")
    if not core:
        return False
    if any(ch in _MATH_CHARS for ch in w) or core in _OPERATORS:
        return True
    if re.search(r"(?<![A-Za-z])[A-Za-z]{1,3}'*\(", w) or ("'" in core and not re.fullmatch(r"[A-Za-z]{2,}'s", core)):
        return True                                  # f(x), s(z), g'(t), ℓ'' (but not Euler's, QW's)
    if len(core) == 1 and core.isalpha():
        return core not in "aA"                      # the article is prose
    if re.fullmatch(r"[0-9]+(?:\.[0-9]+)?(?:e[-+]?[0-9]+)?", core):
        return None
    return bool(re.fullmatch(r"[0-9]+[A-Za-z]{1,3}|[A-Za-z]{1,2}[0-9]+", core))    # 2ab, x1


def math_text(s: str) -> str:
    r"""Prose with formulas (``1/4 − s(z)s(−z) = (s(z) − 1/2)² since s(z) + s(−z) = 1``) as LaTeX text:
    each run of formula words is one ``$…$`` (sub/superscripts, Greek, norms, √(…) and operators set as
    math, so nothing like ``x\_j``, nor a ``|`` printed as a dash, reaches the page); prose stays text and
    wraps. Section references such as (U.4) stay text."""
    groups: list[tuple[bool, list[str], str]] = []      # (is formula, words, trailing punctuation)
    for w in str(s).split(" "):
        hyphen = re.fullmatch(r"(\(?)([^\s(]+?)-([a-z]{3,}\)?[,;:.]?)", w)   # η-flat, ε-net: formula, then prose
        if hyphen and _is_math_word(hyphen.group(2)):
            groups.append((False, [hyphen.group(1)], "") if hyphen.group(1) else (False, [""], ""))
            groups.append((True, [hyphen.group(2)], latex_text("-" + hyphen.group(3))))
            if not hyphen.group(1):
                groups.pop(-2)
            continue
        kind = _is_math_word(w) if w else False
        open_run = bool(groups) and groups[-1][0] and not groups[-1][2]
        if kind or (kind is None and open_run):
            core = w.rstrip(",;:.")
            inside = " ".join(groups[-1][1] + [core]) if open_run else core
            if w.endswith(",") and (inside.count("(") > inside.count(")") or inside.count("{") > inside.count("}")):
                core = w                                 # N(0, I_d): the comma is part of the formula
            if open_run:
                groups[-1][1].append(core)
                groups[-1] = (True, groups[-1][1], w[len(core):])
            else:
                groups.append((True, [core], w[len(core):]))
        else:
            groups.append((False, [w], ""))
    out: list[str] = []
    for is_math, words, tail in groups:
        if not is_math:
            out.append(latex_text(words[0]))
            continue
        formula, pre, post = " ".join(words), "", ""
        depth = 0
        for ch in formula:
            depth += {"(": 1, ")": -1}.get(ch, 0)
        if depth > 0:                                   # "z ≥ 0 (ℓ'' is even)": that parenthesis is the prose's
            opens = []
            for k, ch in enumerate(formula):
                if ch == "(":
                    opens.append(k)
                elif ch == ")" and opens:
                    opens.pop()
            start = next((k for k in opens if k == 0 or formula[k - 1] == " "), None)
            if start is not None:
                head = formula[:start].strip()
                pre, formula = (("$" + _math_word(head) + "$ ") if head else "") + "(", formula[start + 1:]
        elif depth < 0 and formula.endswith(")"):
            formula, post = formula[:-1], ")"
        out.append(pre + "$" + _math_word(formula) + "$" + post + tail)
    return " ".join(out).replace("( $", "($")


def tt_id(name: str) -> str:
    """An identifier (claim id, file name) in typewriter type that may break after its dots and hyphens."""
    return "\\texttt{" + re.sub(r"([.\-/])", r"\1\\allowbreak{}", latex_text(name)) + "}"

INSTALL_HINT = "Debian: apt-get install texlive-latex-base texlive-latex-recommended latexmk"


def compile_pdf(text: str, pdf: str | os.PathLike[str], *, name: str = "document") -> None:
    """Compile ``text`` with latexmk (or pdflatex, run twice) in a temporary folder and copy the PDF to ``pdf``.
    InputError when neither is installed; FlatproofError with TeX's error lines when compiling fails."""
    tool = shutil.which("latexmk") or shutil.which("pdflatex")
    if tool is None:
        raise InputError(f"--pdf needs latexmk or pdflatex, and neither is on PATH ({INSTALL_HINT}); "
                         "use --latex FILE to get the .tex", field="--pdf")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{name}.tex").write_text(text, encoding="ascii")
        latexmk = Path(tool).name == "latexmk"
        cmd = [tool, *(["-pdf"] if latexmk else []), "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"]
        for _ in range(1 if latexmk else 2):           # pdflatex twice: references settle
            res = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=600)
            if res.returncode != 0:
                tail = " | ".join(line for line in res.stdout.splitlines() if line.startswith("!"))[:300]
                raise FlatproofError(f"{Path(tool).name} failed: {tail}")
        copy_file_atomic(Path(tmp) / f"{name}.pdf", pdf)      # atomic: never a half-written PDF
