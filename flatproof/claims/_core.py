"""Claims, their parameters and context, and the registry (issue 4).

A :class:`Claim` encodes one statement of flatproof math: id, title, tag ([exact], [paper] or [probe]),
reference, statement in LaTeX, hypotheses, parameters (:class:`Param`), and a check. Its
:meth:`Claim.evaluate` returns an :class:`Evaluation` (comparisons, hypotheses, certificate), which
:meth:`Claim.check` turns into a :class:`Verdict` by the decision rule of :mod:`flatproof.claims._verdict`
(comparisons between intervals; a margin inside the numeric error is ``inconclusive``, never ``holds``).
"""

from __future__ import annotations

import math
import numbers
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any, ClassVar, Protocol, TypeVar

import numpy as np

from .._budget import Cost, WorkBoundReached
from .._errors import InputError
from ..vocab import Basis, Mode, ModelKind, Tag
from ._verdict import (
    OUTCOMES,
    RELATIONS,
    Comparison,
    Hypothesis,
    Verdict,
    combine,
    compare,
    decide_in_mode,
    verdict_basis,
)

# the verdict machinery is imported from here by the claims and the front ends
__all__ = ["MODES", "OUTCOMES", "RELATIONS", "TAGS", "Claim", "Comparison", "Context", "Evaluation", "Hypothesis",
           "Instance", "Param", "Tolerances", "Verdict", "all_claims", "combine", "compare", "decide_in_mode",
           "get_claim", "register", "verdict_basis"]

TAGS = tuple(Tag)
MODES = tuple(Mode)


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

    @classmethod
    def cost(cls, n: int, m: int, d: int, mode: str) -> Cost | None:
        """What this check allocates on a network of width m on n points in dimension d (the case file's
        resource estimate, made before anything is built); None: the dense estimate (n × m arrays)."""
        return None

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
            raise InputError(f"{self.id} supports mode {' or '.join(self.modes)}, not {str(mode)!r}", field="case.mode")
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
