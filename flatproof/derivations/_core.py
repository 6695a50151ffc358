"""Derivations: named chains of equalities and inequalities that sympy checks, rendered as LaTeX.

A :class:`Step` states ``lhs REL rhs`` with a one-line justification. Both sides are sympy
expressions written in MATH.md's notation (unevaluated ``Add``/``Mul`` keep the term order as
written), and the step carries the *proof obligation* sympy must discharge:

* ``=``: ``simplify(lhs − rhs) == 0`` under the derivation's assumptions (positive symbols, a fixed
  activation pattern);
* ``≥`` / ``≤``: the difference is shown non-negative: either sympy decides its sign, or the step
  gives a witness (e.g. a square) with ``simplify(difference − witness) == 0`` and the witness is
  non-negative by construction;
* a step with ``proof=None`` is a cited fact (e.g. "Rayleigh quotient ≤ λ_max"); it is printed with
  its justification and never counted as proved.

:meth:`Derivation.verify` runs every obligation and reports which were proved; the tests fail if
sympy can no longer prove one. ``results`` are the derivation's closed forms and ``numeric`` their
``lambdify``-ed (``cse=True``) numpy versions, used by or checked against the numeric core.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sympy as sp

import re

from ..report import latex_text

_IDENT = re.compile(r"(?<![A-Za-z\\])([A-Za-z])_(\{[^}]*\}|[A-Za-z0-9]+\*?)")


def why_latex(text: str) -> str:
    """A justification in text mode, with identifiers such as x_j or c_i* set in math."""
    out, pos = [], 0
    for m in _IDENT.finditer(text):
        out.append(latex_text(text[pos:m.start()]))
        sub = m.group(2).strip("{}").replace("*", "^*")
        out.append(f"${m.group(1)}_{{{sub}}}$")
        pos = m.end()
    out.append(latex_text(text[pos:]))
    return "".join(out)

REL_LATEX = {"=": "=", "<=": r"\le", ">=": r"\ge", "=>": r"\Longrightarrow", "def": r"\coloneqq"}


def U(*terms):
    """An unevaluated sum: prints in the order written."""
    return sp.Add(*terms, evaluate=False)


def M(*factors):
    """An unevaluated product: prints in the order written."""
    return sp.Mul(*factors, evaluate=False)


def tex(expr, names: dict | None = None) -> str:
    if isinstance(expr, str):
        return expr
    return sp.latex(expr, order="none", symbol_names=names or {})


@dataclass(frozen=True)
class Step:
    lhs: object                      # sympy expression or LaTeX string
    rel: str                         # "=", "<=", ">=", "=>", "def"
    rhs: object
    why: str                         # one-line justification (Unicode allowed; translated for LaTeX)
    proof: object = "auto"           # "auto": from lhs/rhs; None: cited; a sympy expression: must simplify to 0
    witness: object = None           # for inequalities: an expression ≥ 0 by construction equal to the gap
    subs: dict = field(default_factory=dict)   # substitutions (definitions) applied before proving

    def obligation(self):
        """The expression sympy must show is 0 (or None for a cited step)."""
        if self.proof is None or self.rel in ("=>",):
            return None
        if self.proof != "auto":
            return self.proof
        if isinstance(self.lhs, str) or isinstance(self.rhs, str):
            return None
        gap = self.lhs - self.rhs if self.rel in ("=", "def", ">=") else self.rhs - self.lhs
        if self.rel in ("<=", ">=") and self.witness is not None:
            return gap - self.witness
        return gap


def normalise(e):
    """Expand powers and cancel their exponents (valid for the positive symbols derivations use), then simplify."""
    e = sp.powsimp(sp.expand_power_base(sp.expand(sp.sympify(e)), force=True), force=True)
    return sp.simplify(e.replace(lambda q: q.is_Pow, lambda q: q.base ** sp.cancel(q.exp)))


def _prove_zero(e) -> bool:
    e = sp.sympify(e)
    if e == 0:
        return True
    for attempt in (lambda t: sp.simplify(t),
                    lambda t: sp.simplify(sp.powsimp(sp.expand_power_base(sp.expand(t), force=True), force=True)
                                          .replace(lambda q: q.is_Pow, lambda q: q.base ** sp.cancel(q.exp))),
                    lambda t: sp.simplify(sp.expand(sp.exp(0) * t.rewrite(sp.exp)))):
        try:
            if attempt(e) == 0:
                return True
        except (TypeError, ValueError, AttributeError):
            continue
    return False


@dataclass(frozen=True)
class ProofReport:
    step: Step
    proved: bool | None               # None: cited, not proved
    detail: str


@dataclass(frozen=True)
class Derivation:
    name: str
    title: str
    section: str                      # MATH.md section(s)
    claims: tuple[str, ...]           # ids of the claims it supports
    assumptions: tuple[str, ...]
    setting: str                      # LaTeX paragraph
    steps: tuple                      # Step or ("text", "…") paragraphs between chains
    results: dict = field(default_factory=dict)     # name -> sympy expression
    numeric: dict = field(default_factory=dict)     # name -> lambdified function
    names: dict = field(default_factory=dict)       # symbol -> LaTeX name overrides

    def verify(self) -> list[ProofReport]:
        out = []
        for st in self.steps:
            if not isinstance(st, Step):
                continue
            ob = st.obligation()
            if ob is None:
                out.append(ProofReport(st, None, "cited: " + st.why))
                continue
            ob = ob.subs(st.subs) if st.subs else ob
            ok = _prove_zero(ob)
            if ok and st.rel in ("<=", ">=") and st.witness is not None:
                w = sp.sympify(st.witness)
                ok = bool(w.is_nonnegative)
            elif ok and st.rel in ("<=", ">=") and st.witness is None:
                ok = True       # the gap simplified to 0: equality, a fortiori the inequality
            elif not ok and st.rel in ("<=", ">=") and st.witness is None:
                ok = bool(sp.simplify(ob).is_nonnegative) or bool(normalise(ob).is_nonnegative)
            out.append(ProofReport(st, ok, "proved by sympy" if ok else f"sympy could not prove: {ob}"))
        return out

    # -- rendering ------------------------------------------------------------------------------
    def _chain(self, steps) -> str:
        rows = []
        prev_rhs = None
        for st in steps:
            lhs = "" if prev_rhs is not None and st.lhs is prev_rhs else tex(st.lhs, self.names)
            cited = " [cited]" if st.obligation() is None else ""
            rows.append(f"{lhs} &{REL_LATEX[st.rel]} {tex(st.rhs, self.names)} && "
                        f"\\text{{{why_latex(st.why)}{cited}}}")
            prev_rhs = st.rhs
        return "\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}"

    def latex_body(self) -> str:
        parts, run = [], []
        for st in self.steps:
            if isinstance(st, Step):
                run.append(st)
                continue
            if run:
                parts.append(self._chain(run))
                run = []
            parts.append(st[1])
        if run:
            parts.append(self._chain(run))
        return "\n".join(parts)

    def latex_section(self, claim_lookup: Callable[[str], object] | None = None) -> str:
        from ..claims import get_claim
        lookup = claim_lookup or get_claim
        refs = []
        for cid in self.claims:
            c = lookup(cid)
            refs.append(f"\\texttt{{{latex_text(c.id)}}} [{c.tag}]{' (false by design)' if c.false_by_design else ''}"
                        f" --- {latex_text(c.reference)}")
        head = [f"\\section{{{latex_text(self.title)}}}\\label{{der:{self.name}}}",
                f"\\noindent\\textbf{{Derivation}} \\texttt{{{self.name}}} (MATH.md {latex_text(self.section)}).",
                "\\textbf{Supports}: " + ("; ".join(refs) if refs else "---") + ".",
                "\\textbf{Assumptions}: " + "; ".join(latex_text(a) for a in self.assumptions) + ".\n",
                self.setting]
        return "\n".join(head) + "\n" + self.latex_body() + "\n"

    def _repr_latex_(self) -> str:
        rows = []
        for st in self.steps:
            if isinstance(st, Step):
                rows.append(f"{tex(st.lhs, self.names)} &{REL_LATEX[st.rel]} {tex(st.rhs, self.names)}"
                            f" && \\text{{({st.why})}}")
        return "$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$"
