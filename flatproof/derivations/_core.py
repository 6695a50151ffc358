"""Derivations: named chains of equalities and inequalities that sympy checks, rendered as LaTeX.

A :class:`Step` states ``lhs REL rhs`` with a one-line justification. Both sides are sympy
expressions written in the math pages' notation (unevaluated ``Add``/``Mul`` keep the term order as
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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from .._latex import latex_text, math_text
from ..vocab import Relation

REL_LATEX = {**{r.ascii: r.latex for r in Relation}, "=>": r"\Longrightarrow", "def": r"\coloneqq"}


def U(*terms: Any) -> Any:
    """An unevaluated sum: prints in the order written."""
    return sp.Add(*terms, evaluate=False)


def M(*factors: Any) -> Any:
    """An unevaluated product: prints in the order written."""
    return sp.Mul(*factors, evaluate=False)


def tex(expr: Any) -> str:
    if isinstance(expr, str):
        return expr
    return sp.latex(expr, order="none")


class Raw(sp.Symbol):
    """A display-only atom whose name is raw LaTeX (sympy would otherwise read "_" as a subscript)."""

    def _latex(self, printer: Any) -> str:
        return self.name


def raw(latex: str) -> Raw:
    return Raw(latex)


def matrix_zero(A: Any) -> Any:
    """A scalar that is 0 iff the (real) matrix A is 0: the sum of its squared entries."""
    return sum((e ** 2 for e in A), sp.Integer(0))


def ball_function(args: Any, expr: Any) -> Callable[..., Any]:
    """``expr`` lambdified onto python-flint balls (``exp``, ``sqrt`` mapped to the ball methods), so that
    rigorous mode evaluates sympy's closed form itself rather than a re-typed copy."""
    return sp.lambdify(args, expr, modules=[{"exp": lambda q: q.exp(), "sqrt": lambda q: q.sqrt()}])


@dataclass(frozen=True)
class Step:
    lhs: Any                         # sympy expression or LaTeX string
    rel: str                         # "=", "<=", ">=", "=>", "def"
    rhs: Any
    why: str                         # one-line justification (Unicode allowed; translated for LaTeX)
    proof: object = "auto"           # "auto": from lhs/rhs; None: cited; a sympy expression: must simplify to 0
    witness: object = None           # for inequalities: an expression ≥ 0 by construction equal to the gap

    def obligation(self) -> Any:
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


def _expr(e: Any) -> Any:
    """A sympy object from an expression built in code (``strict``: never parses a string)."""
    return sp.sympify(e, strict=True)


def normalise(e: Any) -> Any:
    """Expand powers and cancel their exponents (valid for the positive symbols derivations use), then simplify."""
    e = sp.powsimp(sp.expand_power_base(sp.expand(_expr(e)), force=True), force=True)
    return sp.simplify(e.replace(lambda q: q.is_Pow, lambda q: q.base ** sp.cancel(q.exp)))


def _prove_zero(e: Any) -> bool:
    e = _expr(e)
    if e == 0:
        return True
    for attempt in (sp.simplify, normalise, lambda t: sp.simplify(sp.expand(t.rewrite(sp.exp)))):
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
    section: str                      # flatproof math section(s)
    claims: tuple[str, ...]           # ids of the claims it supports
    assumptions: tuple[str, ...]
    setting: str                      # LaTeX paragraph
    steps: tuple                      # Step or ("text", "…") paragraphs between chains
    results: dict = field(default_factory=dict)     # name -> sympy expression
    numeric: dict = field(default_factory=dict)     # name -> lambdified function

    def verify(self) -> list[ProofReport]:
        out = []
        for st in self.steps:
            if not isinstance(st, Step):
                continue
            ob = st.obligation()
            if ob is None:
                out.append(ProofReport(st, None, "cited: " + st.why))
                continue
            ok = _prove_zero(ob)
            if ok and st.rel in ("<=", ">=") and st.witness is not None:
                ok = bool(_expr(st.witness).is_nonnegative)
            elif ok and st.rel in ("<=", ">=") and st.witness is None:
                ok = True       # the gap simplified to 0: equality, a fortiori the inequality
            elif not ok and st.rel in ("<=", ">=") and st.witness is None:
                ok = bool(sp.simplify(ob).is_nonnegative) or bool(normalise(ob).is_nonnegative)
            out.append(ProofReport(st, ok, "proved by sympy" if ok else f"sympy could not prove: {ob}"))
        return out

    # -- rendering ------------------------------------------------------------------------------
    @staticmethod
    def _row(st: Step, lhs: str, why: str) -> str:
        return f"{lhs} &{REL_LATEX[st.rel]} {tex(st.rhs)} && \\text{{{why}}}"

    def _chain(self, steps: Sequence[Step], first: int) -> str:
        """An align* of the steps, each tagged (first), (first+1), …, then their justifications as wrapped
        text below it (a justification is prose with formulas: it never widens the display)."""
        rows, notes = [], []
        prev_rhs = None
        for k, st in enumerate(steps, start=first):
            lhs = "" if prev_rhs is not None and st.lhs is prev_rhs else tex(st.lhs)
            rows.append(f"{lhs} &{REL_LATEX[st.rel]} {tex(st.rhs)} \\tag*{{({k})}}")
            cited = " \\emph{[cited]}" if st.obligation() is None else ""
            notes.append(f"\\item[({k})] {math_text(st.why)}{cited}")
            prev_rhs = st.rhs
        return ("\\begin{align*}\n" + " \\\\\n".join(rows) + "\n\\end{align*}\n"
                "\\begin{itemize}\\small\\setlength{\\itemsep}{0pt}\n" + "\n".join(notes) + "\n\\end{itemize}")

    def latex_body(self) -> str:
        parts, run, first = [], [], 1
        for st in self.steps:
            if isinstance(st, Step):
                run.append(st)
                continue
            if run:
                parts.append(self._chain(run, first))
                first += len(run)
                run = []
            parts.append(st[1])
        if run:
            parts.append(self._chain(run, first))
        return "\n".join(parts)

    def latex_section(self, supports: Sequence[str] = ()) -> str:
        """This derivation as a LaTeX section. ``supports`` has one LaTeX entry per claim the derivation supports
        (id, tag, reference): the front end renders them from the claim registry, which sits above this layer
        (:func:`flatproof.derive.latex_section`)."""
        refs = list(supports)
        head = [f"\\section{{{math_text(self.title)}}}\\label{{der:{self.name}}}",
                f"\\noindent\\textbf{{Derivation}} \\texttt{{{self.name}}} (flatproof math {latex_text(self.section)}).",
                "\\textbf{Supports}: " + ("; ".join(refs) if refs else "---") + ".",
                "\\textbf{Assumptions}: " + "; ".join(math_text(a) for a in self.assumptions) + ".\n",
                self.setting]
        return "\n".join(head) + "\n" + self.latex_body() + "\n"

    def _repr_latex_(self) -> str:
        rows = [self._row(st, tex(st.lhs), f"({st.why})") for st in self.steps if isinstance(st, Step)]
        from .._display import mathjax
        return mathjax("$$\\begin{aligned}" + " \\\\ ".join(rows) + "\\end{aligned}$$")
