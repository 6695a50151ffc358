"""Named constructions of a network from a sample: the ``construction`` key of a case file's ``[model]``.

Each :class:`Construction` declares the models it applies to, the fields it reads (so the same
definition parses a case file, yields the JSON Schema and the docs' field table) and a ``build``
function from a :class:`BuildContext` (family, sample, law, loss) and its parsed fields to a
:class:`Built` network with its provenance. Register a new one with :func:`register_construction`:
nothing else in flatproof needs to change.

Sizes are checked before work (:mod:`flatproof._budget`): every construction refuses, naming the field
and the estimate, what would not fit in memory or in the work limit, before it allocates anything.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from .. import _budget as budget
from .._errors import InputError
from .._schema import Field
from ..model import constructions as C
from ..model.activations import Activation
from ..vocab import ModelKind
from .families import ModelFamily

__all__ = ["CONSTRUCTIONS", "BuildContext", "Built", "Construction", "construction_names", "get_construction",
           "guarded", "register_construction"]


@dataclass(frozen=True)
class BuildContext:
    """What a construction is given: the model family, the sample, its law (if known), the loss."""

    family: ModelFamily
    data: Any
    task: Any
    loss: Any
    weight_decay: float
    activation: Activation | None
    #: what the claim to be checked allocates on a network of width m on n points in dimension d (the claim's
    #: ``cost`` in the case's mode), so that a construction refuses only what the check would really allocate
    cost: Callable[[int, int, int], budget.Cost | None] | None = None

    def network_budget(self, field: str, n: int, m: int, *, what: str) -> None:
        """Refuse a network of width m on n points whose check does not fit (the claim's path, else dense)."""
        budget.network(field, n, m, self.d, what=what, cost=self.cost(n, m, self.d) if self.cost else None)

    @property
    def d(self) -> int:
        return self.family.dimension(self.data)

    def problem(self) -> Any:
        return self.family.problem(self.data, self.loss, self.weight_decay)


@dataclass
class Built:
    """A constructed network and what the instance keeps besides it."""

    net: Any
    provenance: dict = field(default_factory=dict)
    base_net: Any = None           # e.g. the sign-fitting θ before the scaling θ ↦ θ_c (U.5)
    scale: float | None = None
    training: Any = None           # TrainResult of a GD run
    extras: dict = field(default_factory=dict)


FieldsFor = Callable[[ModelFamily | None, Activation | None], tuple[Field, ...]]


@dataclass(frozen=True)
class Construction:
    name: str
    models: frozenset[str]
    doc: str
    fields: tuple[Field, ...] | FieldsFor
    build: Callable[[BuildContext, dict], Built]

    def fields_for(self, fam: ModelFamily, activation: Activation | None) -> tuple[Field, ...]:
        """The fields this construction reads for this model and activation."""
        return self.fields(fam, activation) if callable(self.fields) else self.fields

    def all_fields(self, fam: ModelFamily | None = None) -> tuple[Field, ...]:
        """Every field this construction may read (for the schema and the docs)."""
        return self.fields(fam, None) if callable(self.fields) else self.fields


T = TypeVar("T")
BuildFn = Callable[[BuildContext, dict], Built]
CONSTRUCTIONS: dict[str, Construction] = {}


def register_construction(name: str, models: Iterable[str], doc: str, fields: tuple[Field, ...] | FieldsFor = ()
                          ) -> Callable[[BuildFn], BuildFn]:
    """Decorator: register ``build(ctx, values) -> Built`` as the construction ``name`` for ``models``."""
    def deco(fn: BuildFn) -> BuildFn:
        CONSTRUCTIONS[name] = Construction(name, frozenset(map(str, models)), doc, fields, fn)
        return fn
    return deco


def construction_names(kind: str) -> tuple[str, ...]:
    return tuple(n for n, c in CONSTRUCTIONS.items() if kind in c.models)


def get_construction(name: Any, kind: str, field: str = "model.construction") -> Construction:
    names = construction_names(kind)
    if not isinstance(name, str) or name not in names:
        raise InputError(f"must be one of {', '.join(names)}, got {name!r}", field=field)
    return CONSTRUCTIONS[name]


def guarded(field: str, reason: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn`` that turns the user's number ``field`` into arrays: if float64 overflows there, the error
    names that field (not the array it produced) and no RuntimeWarning is printed."""
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            raise InputError(f"{reason} ({exc.reason})", field=field) from None


def _located(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn``; an InputError it raises is placed under ``model.``."""
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        raise exc.located(prefix="model") if exc.field and not exc.field.startswith("model.") else exc from None


# ----------------------------------------------------------------------------------------------
# The constructions
# ----------------------------------------------------------------------------------------------
UNI, HOM = ModelKind.UNIVARIATE, ModelKind.HOMOGENEOUS
_WIDTH = Field("width", "integer", "number of neurons m", required=True, minimum=1)
_SEED = Field("seed", "integer", "seed of the random initialisation", required=True, minimum=0)
_SCALE = Field("scale", "number", "scale of the random weights", default=1.0, minimum=0.0, exclusive_minimum=True)


@register_construction("explicit", (UNI, HOM), "the network written out (v, w, b, beta or a, W; inline or in "
                       "the .npz named by file)", fields=lambda fam, act: () if fam is None else fam.net_fields)
def _explicit(ctx: BuildContext, values: dict) -> Built:
    net = _located(ctx.family.make_net, values, ctx.activation)
    return Built(net)


def _random_net(ctx: BuildContext, values: dict) -> Any:
    width, seed, scale = values["width"], values["seed"], values["scale"]
    ctx.network_budget("model.width", ctx.data.n, width,
                       what=f"a network of width {width:,} on {ctx.data.n:,} points"
                       + (f" in dimension {ctx.d:,}" if ctx.family.has_activation else ""))
    rng = np.random.default_rng(seed)
    why = f"scale {scale:g} overflows float64 in the network's weights"
    return guarded("model.scale", why, ctx.family.random_net, width, ctx.d, ctx.activation, rng, scale=scale)


@register_construction("random", (UNI, HOM), "a random network (v_i ~ N(0, scale²/m); knots uniform for U, "
                       "w_j ~ N(0, scale² I/d) for M)", fields=(_WIDTH, _SEED, _SCALE))
def _random(ctx: BuildContext, values: dict) -> Built:
    return Built(_random_net(ctx, values), dict(width=values["width"], seed=values["seed"], scale=values["scale"]))


@register_construction("gd", (UNI, HOM), "full-batch gradient descent from a random network",
                       fields=(_WIDTH, _SEED, _SCALE,
                               Field("eta", "number", "step size η", required=True, minimum=0.0,
                                     exclusive_minimum=True),
                               Field("steps", "integer", "number of GD steps", required=True, minimum=0),
                               Field("record_every", "integer", "record λ_max every so many steps (0: never)",
                                     default=0, minimum=0)))
def _gd(ctx: BuildContext, values: dict) -> Built:
    from .train import gradient_descent
    net = _random_net(ctx, values)
    eta, steps, width = values["eta"], values["steps"], values["width"]
    budget.steps("model.steps", steps, ctx.data.n, width, ctx.d, record_every=values["record_every"],
                 what=f"{steps:,} GD steps at width {width:,} on {ctx.data.n:,} points")
    run = gradient_descent(ctx.problem(), net, eta, steps, record_every=values["record_every"])
    prov = dict(width=width, seed=values["seed"], scale=values["scale"], eta=eta, steps=steps,
                steps_taken=run.steps, stop_reason=run.stop_reason)
    return Built(run.net, prov, training=run)


@register_construction("sign-fitting", (UNI,), "the ReLU network with f(x_j) = y_j, knots strictly between "
                       "data, scaled to θ_c (flatproof math U.5)",
                       fields=(Field("scale", "number", "the scale c of θ_c = (cv, cw, cb, c²β)", default=1.0,
                                     minimum=0.0, exclusive_minimum=True),))
def _sign_fitting(ctx: BuildContext, values: dict) -> Built:
    data, c = ctx.data, values["scale"]
    ys = data.y[np.argsort(data.x, kind="stable")]
    m = max(1, 2 * int(np.count_nonzero(np.diff(ys))))
    ctx.network_budget("model.construction", data.n, m,
                       what=f"the sign-fitting network ({m:,} neurons) on {data.n:,} points")
    base_net = _located(C.sign_fitting_network, data.x, data.y)
    net = guarded("model.scale", f"scale {c:g} overflows float64 in the network's weights",
                  C.scale_to_infinity, base_net, c)
    return Built(net, dict(scale=c, width=base_net.m), base_net=base_net, scale=c)


@register_construction("teacher", (HOM,), "the teacher f*(x) = Σ_ℓ σ(u_ℓᵀx) of the multi-index generator")
def _teacher(ctx: BuildContext, values: dict) -> Built:
    if ctx.task is None or not hasattr(ctx.task, "U"):
        raise InputError("the teacher needs data from the multi-index generator (or a declared U)",
                         field="model.construction")
    return Built(C.teacher_network(ctx.task.U, activation=ctx.activation))


@register_construction("memoriser", (HOM,), "one neuron per sample, w_i = x_i/‖x_i‖, a solving the "
                       "interpolation system (flatproof math M.4)")
def _memoriser(ctx: BuildContext, values: dict) -> Built:
    n, d = ctx.data.n, ctx.d
    budget.require("model.construction", memory=8.0 * 3 * n * (n + d), work=float(n) ** 3 + float(n) ** 2 * d
                   * budget.PASSES, what=f"the memoriser ({n:,} neurons, an {n:,} × {n:,} solve)")
    return Built(_located(C.memoriser, ctx.data.X, ctx.data.y, ctx.activation))


_FLATTEST_RELU = (Field("dictionary", "integer", "number of random dictionary directions (ReLU)", default=1000,
                        minimum=1),
                  Field("seed", "integer", "seed of the dictionary (ReLU) or of the initialisation (k ≥ 2)",
                        default=0, minimum=0),
                  Field("include_teacher", "bool", "add the teacher directions to the dictionary (ReLU)",
                        default=True))
_FLATTEST_K = (Field("width", "integer", "width m of the fixed-width solver (k ≥ 2)", required=True, minimum=1,
                     maximum=1000),
               _FLATTEST_RELU[1])


def _flattest_fields(fam: ModelFamily | None, act: Activation | None) -> tuple[Field, ...]:
    if act is None:                      # describing the construction (schema, docs): every field it may read
        return (_FLATTEST_K[0],) + _FLATTEST_RELU
    return _FLATTEST_K if act.k >= 2 else _FLATTEST_RELU


@register_construction("flattest", (HOM,), "the flattest interpolator: the LP over a dictionary of directions "
                       "for ReLU, SLSQP at fixed width for k ≥ 2 (flatproof math M.4)", fields=_flattest_fields)
def _flattest(ctx: BuildContext, values: dict) -> Built:
    data = ctx.data
    if ctx.activation is not None and ctx.activation.k >= 2:
        from ..measures.homogeneous_orbit import flattest_fixed_width
        width = values["width"]
        budget.require("model.width", work=float(width * (data.d + 1)) ** 2 * data.n * 100,
                       what=f"SLSQP over {width * (data.d + 1):,} parameters on {data.n:,} points")
        res = flattest_fixed_width(data.X, data.y, width, ctx.activation, seed=values["seed"])
        return Built(res.net, dict(width=width, seed=values["seed"], solver="SLSQP at fixed width"),
                     extras={"flattest_fixed_width": res})
    from ..measures.homogeneous_flattest import flattest_relu_interpolator
    size, seed, with_teacher = values["dictionary"], values["seed"], values["include_teacher"]
    budget.require("model.dictionary", memory=8.0 * 6 * data.n * size + 8.0 * size * data.d,
                   work=float(data.n) ** 2 * size * 4 + float(data.n) * size * data.d,
                   what=f"the flattest-interpolator LP over {size:,} atoms and {data.n:,} points")
    D = np.random.default_rng(seed).standard_normal((size, data.d))
    if with_teacher:
        if ctx.task is None or not hasattr(ctx.task, "U"):
            raise InputError("include_teacher needs data from the multi-index generator",
                             field="model.include_teacher")
        D = np.vstack([D, ctx.task.U.T])
    lp = _located(flattest_relu_interpolator, data.X, data.y, D)
    return Built(lp.net, dict(dictionary=size, seed=seed, include_teacher=with_teacher), extras={"flattest": lp})


@register_construction("leaky-teacher", (HOM,), "the teacher's index directions with a leaky ReLU of the given "
                       "slope: f(x) = Σ_ℓ σ_α(u_ℓᵀx), σ_α(t) = max(t, αt)",
                       fields=(Field("slope", "number", "the negative-side slope α of the leaky ReLU", default=0.1,
                                     minimum=0.0, maximum=0.999),))
def _leaky_teacher(ctx: BuildContext, values: dict) -> Built:
    from ..model.activations import parse_activation
    if ctx.task is None or not hasattr(ctx.task, "U"):
        raise InputError("the leaky teacher needs data from the multi-index generator (or a declared U)",
                         field="model.construction")
    act = parse_activation(f"leaky_relu({values['slope']!r})")
    return Built(C.teacher_network(ctx.task.U, activation=act), dict(slope=values["slope"]))
