"""Short reprs and notebook HTML for flatproof's results: verdicts, instances, eigen-results,
measurement summaries, and MathJax-safe LaTeX for derivations.

A verdict shows as one line in a terminal (``<Verdict logistic.weighted-tv: holds, margin 0.12 …>``)
and as a compact table in Jupyter: outcome, its basis (certified or estimated intervals,
hypotheses) and the margin of each comparison. Eigenvectors are never printed.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import Any

from .vocab import Relation

_COLOURS = {"holds": "#1a7f37", "violated": "#cf222e", "inconclusive": "#9a6700", "hypotheses-not-met": "#8250df"}
# macros of the LaTeX documents that Jupyter's MathJax does not define, and their plain equivalents
_MATHJAX = {r"\coloneqq": r"\mathrel{:=}", r"\eqqcolon": r"\mathrel{=:}"}


def num(x: float | None, digits: int = 6) -> str:
    """A number for display: ``—`` for None, ``%g`` otherwise."""
    if x is None:
        return "—"
    if isinstance(x, float) and math.isnan(x):
        return "nan"
    return f"{x:.{digits}g}"


def _e(s: object) -> str:
    return html.escape(str(s), quote=True)


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], caption: str = "") -> str:
    cap = f"<caption style='text-align:left'>{caption}</caption>" if caption else ""
    th = "".join(f"<th style='text-align:left'>{_e(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table>{cap}<thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _outcome(o: str) -> str:
    return f"<b style='color:{_COLOURS.get(o, 'inherit')}'>{_e(o)}</b>"


def mathjax(latex: str) -> str:
    """LaTeX that Jupyter's MathJax renders: the few macros it lacks replaced by their definitions."""
    for macro, plain in _MATHJAX.items():
        latex = latex.replace(macro, plain)
    return latex


# ---- verdicts -------------------------------------------------------------------------------------
def _unmet(v: Any) -> str:
    unmet = [h.name for h in v.hypotheses if not h.met]
    return f"; hypothesis not met: {unmet[0]}" if unmet else ""


def verdict_repr(v: Any) -> str:
    margin = "" if v.margin is None else f", margin {num(v.margin, 3)}"
    false = ", FALSE BY DESIGN" if v.false_by_design else ""
    n = len(v.comparisons)
    return (f"<Verdict {v.claim} [{v.tag}{false}]: {v.label}{margin} ({v.mode}; {n} comparison{'s' if n != 1 else ''}"
            f"{_unmet(v)})>")


def verdict_html(v: Any) -> str:
    false = " <b>FALSE BY DESIGN</b>" if v.false_by_design else ""
    basis = v.label[len(str(v.outcome)):].strip()
    caption = (f"<code>{_e(v.claim)}</code> [{_e(v.tag)}]{false}: {_outcome(v.outcome)} "
               f"<small>{_e(basis)} {_e(v.mode)} mode{_e(_unmet(v))}</small>")
    rows = [[_e(c.name), num(c.value, 10), Relation(c.relation).symbol + (f" ±{c.tol:.1e}" if c.tol else ""),
             num(c.bound, 10), num(c.margin, 3), _e(c.how), _outcome(c.outcome)] for c in v.comparisons]
    rows += [[f"hypothesis: {_e(h.name)}", "", "", "", "", _e(h.detail), _outcome("hypotheses-not-met")]
             for h in v.hypotheses if not h.met]
    notes = "".join(f"<li>{_e(n)}</li>" for n in v.notes)
    return (_table(("comparison", "value", "", "bound", "margin", "basis", "outcome"), rows, caption)
            + (f"<ul>{notes}</ul>" if notes else ""))


# ---- instances ------------------------------------------------------------------------------------
def _instance_fields(inst: Any) -> list[tuple[str, str]]:
    net, data = inst.net, inst.data
    shape = f"m = {net.m}" + (f", d = {net.d}, σ = {net.activation.name}" if inst.family.has_activation else "")
    loss = inst.loss.kind + (f" (factor {inst.loss.factor:g})" if inst.loss.has_factor else "")
    rows = [("model", f"{inst.kind}, {shape}, p = {net.num_params}"), ("data", f"n = {data.n}"), ("loss", loss)]
    if inst.weight_decay:
        rows.append(("weight decay", f"{inst.weight_decay:g}"))
    if inst.task is not None:
        rows.append(("data law", type(inst.task).__name__))
    for k, val in inst.provenance.items():
        rows.append((str(k), "; ".join(map(str, val)) if isinstance(val, (tuple, list)) else str(val)))
    return rows


def instance_repr(inst: Any) -> str:
    net = inst.net
    extra = f", d={net.d}, activation={net.activation.name}" if inst.family.has_activation else ""
    return f"<Instance {inst.kind} m={net.m}{extra} n={inst.data.n} loss={inst.loss.kind}>"


def instance_html(inst: Any) -> str:
    return _table(("", ""), [[_e(k), _e(v)] for k, v in _instance_fields(inst)], "<b>flatproof Instance</b>")


# ---- measures -------------------------------------------------------------------------------------
def eig_repr(r: Any) -> str:
    which = "largest" if r.which == "LA" else "smallest"
    vals = ", ".join(num(float(t), 10) for t in r.eigenvalues[:4]) + (", …" if len(r.eigenvalues) > 4 else "")
    return (f"<EigResult {which} {len(r.eigenvalues)}: [{vals}], residual {float(r.residuals[0]):.2e}, "
            f"{'converged' if r.converged else 'NOT converged'}, {r.method}, {r.n_matvec} products>")


def eig_html(r: Any) -> str:
    rows = [[str(i), num(float(lam), 12), f"{float(res):.2e}"]
            for i, (lam, res) in enumerate(zip(r.eigenvalues, r.residuals, strict=True))]
    cap = (f"<b>{'largest' if r.which == 'LA' else 'smallest'} eigenvalues</b> ({_e(r.method)}, "
           f"{'converged' if r.converged else 'NOT converged'} to {r.tol:g}, {r.n_matvec} products)")
    return _table(("#", "λ", "residual ‖Hu − λu‖"), rows, cap)


def measurement_rows(m: Any) -> list[tuple[str, str, str]]:
    """(quantity, value, note) rows of a measurement summary: ``flatproof measure``'s table and the notebook's."""
    rows = [("loss L(θ)", num(m.loss, 10), ""), ("‖∇L(θ)‖", num(m.grad_norm), "")]
    for name, r in (("λ_max", m.lambda_max), ("λ_min", m.lambda_min)):
        note = "" if r is None else (f"{r.method}, residual {float(r.residuals[0]):.2e}, "
                                     f"{'converged' if r.converged else 'NOT converged'}")
        rows.append((name, num(None if r is None else r.value, 10), note))
    where = ", ".join(f"x[{j}] on neuron {i}" for j, i in m.kinks.examples[:3])
    rows += [("tr ∇²L (exact)", num(m.trace, 10), ""), ("‖∇²L‖_F", num(m.frobenius, 10), ""),
             ("kinks", str(m.kinks.count), f"tolerance {m.kinks.tol:g}" + (f"; {where}" if where else ""))]
    if m.threshold is not None:
        rows.append(("2/η", num(m.threshold, 10), f"η = {m.eta:g}"))
        if m.flatness is not None:
            rows.append(("η-flat", m.flatness.answer, m.flatness.reason))
    return rows


def measurements_repr(m: Any) -> str:
    lmax = None if m.lambda_max is None else m.lambda_max.value
    return (f"<Measurements p={m.num_params} loss={num(m.loss)} λ_max={num(lmax)} trace={num(m.trace)} "
            f"kinks={m.kinks.count}" + (f" 2/η={num(m.threshold)}" if m.threshold is not None else "") + ">")


def measurements_html(m: Any) -> str:
    rows = [[_e(a), _e(b), _e(c)] for a, b, c in measurement_rows(m)]
    notes = "".join(f"<li>{_e(n)}</li>" for n in m.notes)
    return (_table(("quantity", "value", "note"), rows, f"<b>flatproof measure</b> (p = {m.num_params})")
            + (f"<ul>{notes}</ul>" if notes else ""))
