"""Claims, their parameters, verdicts, and the registry (issue 4).

A :class:`Claim` encodes one statement of flatproof math: id, title, tag ([exact], [paper] or [probe]),
reference, statement in LaTeX, hypotheses, parameters, and a check. A check returns a
:class:`Verdict` built from :class:`Comparison` s, each an inequality or identity between two
*intervals*: in float mode the intervals are value ± an error estimate (Lanczos residual, rounding,
quadrature error); in rigorous mode they are certified enclosures (:mod:`flatproof.measures.rigorous`).

Decision rule for ``value REL bound`` with value ∈ [v_lo, v_hi], bound ∈ [b_lo, b_hi]:

* ``<=``: holds if v_hi ≤ b_lo, violated if v_lo > b_hi, else inconclusive (``>=`` symmetrically);
* ``=`` (to a tolerance τ): holds if every point of one interval is within τ of every point of the
  other, violated if no two points are within τ, else inconclusive.

So a margin inside the numeric error is ``inconclusive``, never ``holds``.
"""

from __future__ import annotations

import dataclasses
import math
import numbers
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, TypeVar

import numpy as np

from .._budget import WorkBoundReached
from .._errors import InputError
from .._json import plain
from ..vocab import Basis, Mode, ModelKind, Outcome, Relation, Tag

TAGS = tuple(Tag)
OUTCOMES = tuple(Outcome)
RELATIONS = {r.value: r.symbol for r in Relation}
MODES = tuple(Mode)


# ----------------------------------------------------------------------------------------------
# Comparisons and verdicts
# ----------------------------------------------------------------------------------------------
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
    basis_note: str = ""            # what the estimate is, e.g. "population error by QUADPACK"

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
        ``holds (estimated: population error by QUADPACK)``, ``inconclusive (…reason…)``."""
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


# ----------------------------------------------------------------------------------------------
# Parameters and tolerances
# ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Param:
    """A claim parameter: type (float, int, str, bool), default, range and a one-line description."""

    name: str
    type: type
    default: Any
    doc: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    choices: tuple[Any, ...] | None = None

    def parse(self, value: Any, field: str) -> Any:
        t = self.type
        if t is bool:
            if not isinstance(value, bool):
                raise InputError(f"expected true or false, got {value!r}", field=field)
            return value
        if t is str:
            if not isinstance(value, str):
                raise InputError(f"expected a string, got {type(value).__name__}", field=field)
        elif t is int:
            if isinstance(value, bool) or not isinstance(value, numbers.Integral):
                raise InputError(f"expected an integer, got {type(value).__name__} {value!r}", field=field)
            value = int(value)
        else:
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise InputError(f"expected a number, got {type(value).__name__} {value!r}", field=field)
            value = float(value)
            if not math.isfinite(value):
                raise InputError("must be finite", field=field)
        if self.choices is not None and value not in self.choices:
            raise InputError(f"must be one of {', '.join(map(str, self.choices))}, got {value!r}", field=field)
        if self.minimum is not None and (value < self.minimum or (self.exclusive_minimum and value == self.minimum)):
            rel = ">" if self.exclusive_minimum else ">="
            raise InputError(f"must be {rel} {self.minimum:g}, got {value!r}", field=field)
        if self.maximum is not None and value > self.maximum:
            raise InputError(f"must be <= {self.maximum:g}, got {value!r}", field=field)
        return value

    def describe(self) -> str:
        rng = ""
        if self.choices:
            rng = "one of " + ", ".join(map(str, self.choices))
        elif self.minimum is not None or self.maximum is not None:
            lo = "(" if self.exclusive_minimum else "["
            rng = f"{lo}{'-∞' if self.minimum is None else f'{self.minimum:g}'}, " \
                  f"{'∞)' if self.maximum is None else f'{self.maximum:g}]'}"
        return rng


@dataclass(frozen=True)
class Tolerances:
    """Numeric tolerances a check uses (case file table ``[tolerances]``)."""

    identity: float = 1e-9      # relative tolerance of an [exact] identity checked in floating point
    lanczos: float = 1e-10      # relative residual asked of Lanczos
    kink: float = 1e-9          # |w x − b| ≤ kink · max(|w|, |b|) is "at a kink"

    FIELDS: ClassVar[tuple[str, ...]] = ("identity", "lanczos", "kink")

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in self.FIELDS}


@dataclass(frozen=True)
class Context:
    """What a check is given besides the instance: parameters, tolerances, mode, seed."""

    params: dict[str, Any]
    tolerances: Tolerances = field(default_factory=Tolerances)
    mode: str = Mode.FLOAT
    seed: int = 0


class Instance(Protocol):
    """What a check reads from the instance it is given. :class:`flatproof.instances.instance.Instance` is one;
    the claims layer sits below the instances layer, so it names the shape, not the class. ``data``, ``net``
    and ``task`` are the model kind's own types (``UnivariateData``/``MultiIndexData``, ``UnivariateNet``/
    ``HomogeneousNet``, ``LogisticTask``/``MultiIndexTask``): a claim is about one kind (``Claim.model``)."""

    @property
    def kind(self) -> str: ...
    @property
    def data(self) -> Any: ...
    @property
    def net(self) -> Any: ...
    @property
    def loss(self) -> Any: ...
    @property
    def weight_decay(self) -> float: ...
    @property
    def task(self) -> Any: ...
    @property
    def base_net(self) -> Any: ...
    @property
    def scale(self) -> float | None: ...
    @property
    def training(self) -> Any: ...
    @property
    def extras(self) -> dict[str, Any]: ...
    @property
    def provenance(self) -> dict[str, Any]: ...
    @property
    def problem(self) -> Any: ...

    def oracle(self, net: Any = None, *, method: str = "fast", kink_tol: float = ...,
               at_kink: str = "raise") -> Any:
        """The curvature oracle at θ (or at ``net``), same data and loss."""
        ...


# ----------------------------------------------------------------------------------------------
# Claims and the registry
# ----------------------------------------------------------------------------------------------
class Claim(ABC):
    """Base class. Subclasses set the class attributes and implement :meth:`evaluate`.

    ``evaluate(instance, ctx)`` returns an :class:`Evaluation`; :meth:`check` turns it into a
    :class:`Verdict` (outcome, tag, tolerances, mode).
    """

    id: ClassVar[str]
    title: ClassVar[str]
    tag: ClassVar[str]
    reference: ClassVar[str]
    section: ClassVar[str]                 # flatproof math section, e.g. "U.4"
    statement: ClassVar[str]               # LaTeX
    hypotheses: ClassVar[tuple[str, ...]] = ()
    params: ClassVar[tuple[Param, ...]] = ()
    model: ClassVar[str]                   # a ModelKind
    modes: ClassVar[tuple[str, ...]] = (Mode.FLOAT,)
    false_by_design: ClassVar[bool] = False

    @abstractmethod
    def evaluate(self, instance: Instance, ctx: Context) -> Evaluation:
        """Compute the comparisons, hypotheses and certificate of this claim on ``instance``."""

    # -- shared ---------------------------------------------------------------------------------
    def parse_params(self, raw: dict[str, Any], prefix: str = "params") -> dict[str, Any]:
        known = {p.name: p for p in self.params}
        for key in raw:
            if key not in known:
                allowed = ", ".join(sorted(known)) or "none"
                raise InputError(f"unknown parameter of {self.id} (allowed: {allowed})", field=f"{prefix}.{key}")
        return {name: (p.parse(raw[name], f"{prefix}.{name}") if name in raw else p.default)
                for name, p in known.items()}

    def check(self, instance: Instance, *, params: dict[str, Any] | None = None,
              tolerances: Tolerances | None = None, mode: str = Mode.FLOAT, seed: int = 0) -> Verdict:
        if mode not in self.modes:
            raise InputError(f"{self.id} supports mode {' or '.join(self.modes)}, not {mode!r}", field="case.mode")
        if instance.kind != self.model:
            raise InputError(f"{self.id} is a claim about the {self.model} model, the instance is {instance.kind}",
                             field="model.kind")
        ctx = Context(self.parse_params(params or {}), tolerances or Tolerances(), mode, seed)
        # Underflow to 0 is benign here (logistic tails); overflow or an invalid operation means float64
        # cannot evaluate this instance, and the honest answer is then "inconclusive".
        try:
            with np.errstate(under="ignore", over="raise", invalid="raise", divide="raise"):
                ev = self.evaluate(instance, ctx)
        except (FloatingPointError, OverflowError, np.linalg.LinAlgError) as exc:
            ev = Evaluation(notes=[f"float64 could not evaluate this instance ({exc}); no verdict"])
        except WorkBoundReached as exc:
            ev = Evaluation(notes=[f"{exc}; no verdict"])
        default = Basis.OBSERVED if self.tag == Tag.PROBE else Basis.ESTIMATED
        comparisons, mode_notes = decide_in_mode(ev.comparisons, Mode(mode), default)
        outcome = combine(comparisons, ev.hypotheses)
        basis, basis_note = verdict_basis(outcome, comparisons, ev.hypotheses)
        return Verdict(self.id, self.title, self.tag, self.false_by_design, Mode(mode), outcome, tuple(comparisons),
                       tuple(ev.hypotheses), dict(ev.certificate), ctx.tolerances.as_dict(),
                       tuple(ev.notes) + tuple(mode_notes), basis, basis_note)

    @classmethod
    def tag_label(cls) -> str:
        return f"[{cls.tag}]" + (" FALSE BY DESIGN" if cls.false_by_design else "")


@dataclass
class Evaluation:
    """What :meth:`Claim.evaluate` returns: comparisons (the first is the main one), hypotheses, the
    certificate (documented per claim in its module docstring) and notes."""

    comparisons: list[Comparison] = field(default_factory=list)
    hypotheses: list[Hypothesis] = field(default_factory=list)
    certificate: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def hypothesis(self, name: str, met: bool, detail: str = "") -> bool:
        self.hypotheses.append(Hypothesis(name, bool(met), detail))
        return bool(met)

    @property
    def hypotheses_met(self) -> bool:
        return all(h.met for h in self.hypotheses)


_REGISTRY: dict[str, Claim] = {}
_PLUGINS_LOADED = False


C = TypeVar("C", bound=type[Claim])


def register(cls: C) -> C:
    """Class decorator: register a :class:`Claim` subclass under its ``id`` (user claims too)."""
    for attr in ("id", "title", "tag", "reference", "section", "statement", "model"):
        if not hasattr(cls, attr):
            raise TypeError(f"claim {cls.__name__} lacks the attribute {attr!r}")
    if cls.tag not in TAGS:
        raise TypeError(f"claim {cls.id}: tag must be one of {TAGS}, got {cls.tag!r}")
    if cls.model not in tuple(ModelKind):
        raise TypeError(f"claim {cls.id}: model must be 'univariate' or 'homogeneous'")
    for mode in cls.modes:
        if mode not in MODES:
            raise TypeError(f"claim {cls.id}: unknown mode {mode!r}")
    if cls.id in _REGISTRY and type(_REGISTRY[cls.id]) is not cls:
        import warnings  # re-running a notebook cell redefines the class: the new one replaces the old
        warnings.warn(f"claim {cls.id!r} was registered before; the new definition {cls.__module__}."
                      f"{cls.__qualname__} replaces it", UserWarning, stacklevel=2)
    _REGISTRY[cls.id] = cls()
    return cls


def _load_plugins() -> None:
    """Import the modules named by the ``flatproof.claims`` entry-point group (user claims)."""
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for ep in entry_points(group="flatproof.claims"):
        ep.load()


def all_claims() -> list[Claim]:
    _load_plugins()
    return [_REGISTRY[k] for k in sorted(_REGISTRY)]


def get_claim(claim_id: str, field: str = "case.claim") -> Claim:
    _load_plugins()
    if not isinstance(claim_id, str):
        raise InputError(f"expected a claim id string, got {type(claim_id).__name__}", field=field)
    if claim_id not in _REGISTRY:
        import difflib
        close = difflib.get_close_matches(claim_id, list(_REGISTRY), n=1)
        hint = f" (did you mean {close[0]}?)" if close else " (see `flatproof list`)"
        raise InputError(f"unknown claim {claim_id!r}{hint}", field=field)
    return _REGISTRY[claim_id]
