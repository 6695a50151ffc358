"""Comparisons and verdicts: the decision rule of flatproof's claims (issue 4).

A check's outcome is built from :class:`Comparison` s, each an inequality or identity ``value REL bound``
between two *intervals*: in float mode the intervals are value ± an error estimate (Lanczos residual,
rounding, quadrature error); in rigorous mode they are certified enclosures (:mod:`flatproof.measures.rigorous`).

Decision rule for ``value REL bound`` with value ∈ [v_lo, v_hi], bound ∈ [b_lo, b_hi]:

* ``<=``: holds if v_hi ≤ b_lo, violated if v_lo > b_hi, else inconclusive (``>=`` symmetrically);
* ``=`` (to a tolerance τ): holds if every point of one interval is within τ of every point of the
  other, violated if no two points are within τ, else inconclusive.

So a margin inside the numeric error is ``inconclusive``, never ``holds``. A :class:`Verdict` assembles the
comparisons and hypotheses of one check (:func:`combine`, :func:`verdict_basis`, :func:`decide_in_mode`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .._json import plain
from ..vocab import Basis, Mode, Outcome, Relation

OUTCOMES = tuple(Outcome)
RELATIONS = {r.value: r.symbol for r in Relation}


@dataclass(frozen=True)
class Comparison:
    """One inequality or identity ``value REL bound`` between intervals, with its outcome."""

    name: str                       # e.g. "λ_max ≥ D̄(1 + 2 TV_g) − ε_F"
    value: float                    # best estimate of the left side
    bound: float                    # best estimate of the right side
    relation: str                   # "<=", ">=", "="
    value_interval: tuple[float, float]
    bound_interval: tuple[float, float]
    tol: float                      # accepted discrepancy for "="; 0 for inequalities
    basis: Basis | None             # how the intervals were obtained; None until Claim.check fills it
    outcome: Outcome
    margin: float                   # > 0 means "on the right side": bound − value (<=), value − bound (>=),
                                    # tol − |value − bound| (=)
    basis_note: str = ""            # what the estimate is, e.g. "population error by quadrature"

    @property
    def certified(self) -> bool:
        """True when both intervals are certified enclosures (interval or exact arithmetic)."""
        return self.basis == Basis.CERTIFIED

    @property
    def how(self) -> str:
        """The basis as printed: ``certified``, or ``estimated: <what>``."""
        if self.basis is None:
            return "unstated"
        return f"{self.basis.value}: {self.basis_note}" if self.basis_note else self.basis.value

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "bound": self.bound, "relation": self.relation,
                "value_interval": list(self.value_interval), "bound_interval": list(self.bound_interval),
                "tol": self.tol, "certified": self.certified, "basis": self.basis, "basis_note": self.basis_note,
                "outcome": self.outcome, "margin": self.margin}


def compare(name: str, value: float, relation: str, bound: float, *, value_error: float = 0.0,
            bound_error: float = 0.0, value_interval: tuple[float, float] | None = None,
            bound_interval: tuple[float, float] | None = None, tol: float = 0.0,
            certified: bool = False, basis: Basis | None = None, basis_note: str = "") -> Comparison:
    """Decide ``value REL bound``. Give either errors (half-widths) or explicit intervals.

    The basis says how the intervals were obtained: ``certified=True`` (or ``basis=Basis.CERTIFIED``) only
    when they are enclosures computed in interval or exact arithmetic from the exact inputs; otherwise
    ``Basis.ESTIMATED`` with a ``basis_note`` naming the estimate. Left ``None``, :meth:`Claim.check` fills
    ``observed`` for a [probe] claim and ``estimated`` for the others.
    """
    if relation not in RELATIONS:
        raise ValueError(f"unknown relation {relation!r}")
    relation = Relation(relation)
    if certified:
        if basis not in (None, Basis.CERTIFIED):
            raise ValueError(f"certified=True contradicts basis={basis!r}")
        basis = Basis.CERTIFIED
    elif basis is not None:
        basis = Basis(basis)
    value, bound = float(value), float(bound)
    vi = (float(value_interval[0]), float(value_interval[1])) if value_interval else (value - value_error,
                                                                                      value + value_error)
    bi = (float(bound_interval[0]), float(bound_interval[1])) if bound_interval else (bound - bound_error,
                                                                                      bound + bound_error)
    H, V, I = Outcome.HOLDS, Outcome.VIOLATED, Outcome.INCONCLUSIVE
    if any(math.isnan(t) for t in (value, bound, *vi, *bi)):
        outcome, margin = I, math.nan
    elif relation == Relation.LE:
        margin = bound - value
        outcome = H if vi[1] <= bi[0] else V if vi[0] > bi[1] else I
    elif relation == Relation.GE:
        margin = value - bound
        outcome = H if vi[0] >= bi[1] else V if vi[1] < bi[0] else I
    else:
        far = max(vi[1] - bi[0], bi[1] - vi[0])            # largest distance between the intervals
        near = max(0.0, vi[0] - bi[1], bi[0] - vi[1])       # smallest distance
        margin = tol - abs(value - bound)
        outcome = H if far <= tol else V if near > tol else I
    return Comparison(name, value, bound, relation, vi, bi, float(tol), basis, outcome, float(margin),
                      str(basis_note))


@dataclass(frozen=True)
class Hypothesis:
    name: str
    met: bool
    detail: str = ""


@dataclass(frozen=True)
class Verdict:
    """What a check concludes on one instance; the first comparison is the claim's main inequality.

    ``basis`` says how the outcome was decided: for ``holds`` the weakest basis among the comparisons (all
    of them decide it), for ``violated`` the strongest among the violated ones (one suffices); ``None`` for
    ``inconclusive`` and ``hypotheses-not-met``, where ``basis_note`` gives the reason instead.
    """

    claim: str
    title: str
    tag: str
    false_by_design: bool
    mode: str
    outcome: Outcome
    comparisons: tuple[Comparison, ...]
    hypotheses: tuple[Hypothesis, ...]
    certificate: dict[str, Any]
    tolerances: dict[str, float]
    notes: tuple[str, ...] = ()
    basis: Basis | None = None
    basis_note: str = ""

    @property
    def primary(self) -> Comparison | None:
        return self.comparisons[0] if self.comparisons else None

    @property
    def value(self) -> float | None:
        return None if self.primary is None else self.primary.value

    @property
    def bound(self) -> float | None:
        return None if self.primary is None else self.primary.bound

    @property
    def relation(self) -> str | None:
        return None if self.primary is None else self.primary.relation

    @property
    def margin(self) -> float | None:
        return None if self.primary is None else self.primary.margin

    @property
    def label(self) -> str:
        """The outcome with its basis, as printed: ``holds (certified)``,
        ``holds (estimated: population error by quadrature)``, ``inconclusive (…reason…)``."""
        if self.basis is not None:
            how = f"{self.basis.value}: {self.basis_note}" if self.basis_note else self.basis.value
        else:
            how = self.basis_note
        return f"{self.outcome} ({how})" if how else str(self.outcome)

    def __repr__(self) -> str:          # one line; the whole record is as_dict()
        from .._display import verdict_repr
        return verdict_repr(self)

    def _repr_html_(self) -> str:
        from .._display import verdict_html
        return verdict_html(self)

    def as_dict(self) -> dict[str, Any]:
        return {"claim": self.claim, "title": self.title, "tag": self.tag, "false_by_design": self.false_by_design,
                "mode": self.mode, "outcome": self.outcome, "basis": self.basis, "basis_note": self.basis_note,
                "value": self.value, "bound": self.bound,
                "relation": self.relation, "margin": self.margin,
                "comparisons": [c.as_dict() for c in self.comparisons],
                "hypotheses": [{"name": h.name, "met": h.met, "detail": h.detail} for h in self.hypotheses],
                "certificate": plain(self.certificate), "tolerances": dict(self.tolerances),
                "notes": list(self.notes)}


def combine(comparisons: Sequence[Comparison], hypotheses: Iterable[Hypothesis]) -> Outcome:
    """hypotheses-not-met if one is not met; else violated > inconclusive > holds."""
    if any(not h.met for h in hypotheses):
        return Outcome.HYPOTHESES_NOT_MET
    outs = [c.outcome for c in comparisons]
    if not outs:
        return Outcome.INCONCLUSIVE
    for o in (Outcome.VIOLATED, Outcome.INCONCLUSIVE):
        if o in outs:
            return o
    return Outcome.HOLDS


def verdict_basis(outcome: Outcome, comparisons: Sequence[Comparison],
                  hypotheses: Iterable[Hypothesis]) -> tuple[Basis | None, str]:
    """The basis of a verdict and its note (see :class:`Verdict`)."""
    if outcome == Outcome.HYPOTHESES_NOT_MET:
        names = ", ".join(h.name for h in hypotheses if not h.met)
        return None, f"not met: {names}"
    if outcome == Outcome.HOLDS:
        deciding = list(comparisons)
        basis = min((c.basis for c in deciding if c.basis is not None), key=lambda b: b.strength)
    elif outcome == Outcome.VIOLATED:
        deciding = [c for c in comparisons if c.outcome == Outcome.VIOLATED]
        basis = max((c.basis for c in deciding if c.basis is not None), key=lambda b: b.strength)
    else:
        undecided = [c.name for c in comparisons if c.outcome == Outcome.INCONCLUSIVE]
        if not comparisons:
            return None, "no comparison could be made"
        return None, "undecided: " + "; ".join(undecided)
    notes = list(dict.fromkeys(c.basis_note for c in deciding if c.basis == basis and c.basis_note))
    return basis, "; ".join(notes)


def decide_in_mode(comparisons: Iterable[Comparison], mode: Mode,
                   default_basis: Basis) -> tuple[list[Comparison], list[str]]:
    """Fill unstated bases, and in rigorous mode turn every decided comparison that is not certified into
    ``inconclusive`` (an estimate never decides a rigorous verdict). Returns the comparisons and notes."""
    out: list[Comparison] = []
    notes: list[str] = []
    for c in comparisons:
        if c.basis is None:
            c = dataclasses.replace(c, basis=default_basis)
        if (mode == Mode.RIGOROUS and c.basis != Basis.CERTIFIED
                and c.outcome in (Outcome.HOLDS, Outcome.VIOLATED)):
            notes.append(f"rigorous mode: '{c.name}' would be {c.outcome} but is only {c.how}, "
                         "so it decides nothing")
            c = dataclasses.replace(c, outcome=Outcome.INCONCLUSIVE,
                                    basis_note=(c.basis_note + "; " if c.basis_note else "") + "not certified")
        out.append(c)
    return out, notes

