"""flatproof's vocabularies, defined once.

Every word a verdict, a case file or a report uses from a closed set lives here as a :class:`StrEnum`:
its members *are* strings (``Outcome.HOLDS == "holds"``), so JSON output and case files do not change,
while code names them instead of spelling them. This module is the lowest layer: it imports nothing
from flatproof, and every layer may import it.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Basis", "ModelKind", "Mode", "Outcome", "Relation", "Tag"]


class Outcome(StrEnum):
    """What a check concludes on one instance."""

    HOLDS = "holds"
    VIOLATED = "violated"
    INCONCLUSIVE = "inconclusive"
    HYPOTHESES_NOT_MET = "hypotheses-not-met"


class Relation(StrEnum):
    """The relation of a comparison ``value REL bound`` (``=`` is to a stated tolerance)."""

    LE = "<="
    GE = ">="
    EQ = "="

    @property
    def symbol(self) -> str:
        """The relation as a mathematician writes it (≤, ≥, =)."""
        return _RELATION_FORMS[self.value][0]

    @property
    def latex(self) -> str:
        """The relation in LaTeX math (``\\le``, ``\\ge``, ``=``)."""
        return _RELATION_FORMS[self.value][1]

    @property
    def ascii(self) -> str:
        """The relation in ASCII, as case files and JSON spell it (``<=``, ``>=``, ``=``)."""
        return _RELATION_FORMS[self.value][2]


#: the one table of a relation's spellings: (symbol, LaTeX, ASCII)
_RELATION_FORMS: dict[str, tuple[str, str, str]] = {"<=": ("≤", r"\le", "<="), ">=": ("≥", r"\ge", ">="),
                                                    "=": ("=", "=", "=")}


class Mode(StrEnum):
    """How a check computes: floats with error estimates, or certified enclosures."""

    FLOAT = "float"
    RIGOROUS = "rigorous"


class Basis(StrEnum):
    """How a comparison (and so a verdict) was decided, strongest first.

    ``certified``: interval or exact arithmetic from the exact binary inputs to the decision;
    ``estimated``: float computation with an error model (a Lanczos residual, a rounding allowance,
    a quadrature error estimate, Monte Carlo standard errors); ``observed``: a probe — a measurement on
    one instance, not a theorem.
    """

    CERTIFIED = "certified"
    ESTIMATED = "estimated"
    OBSERVED = "observed"

    @property
    def strength(self) -> int:
        """2 for certified, 1 for estimated, 0 for observed."""
        return {"certified": 2, "estimated": 1, "observed": 0}[self.value]


class Tag(StrEnum):
    """The status of a claim in flatproof math: a theorem, a paper's claim as formalised, or a probe."""

    EXACT = "exact"
    PAPER = "paper"
    PROBE = "probe"


class ModelKind(StrEnum):
    """The two model families: the univariate ReLU network (U) and the homogeneous network (M)."""

    UNIVARIATE = "univariate"
    HOMOGENEOUS = "homogeneous"
