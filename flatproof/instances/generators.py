"""Where a case's sample comes from: the ``generator`` key of a case file's ``[data]`` (none: explicit).

Like the constructions, each :class:`DataSource` declares its models, its fields and a ``build``
function, returning the sample, its law when known (a ``LogisticTask`` or ``MultiIndexTask``, which the
population claims need) and a provenance line. Sizes are checked before anything is drawn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .. import _budget as budget
from .._errors import InputError
from .._schema import Field
from ..model.data import InputLaw, LogisticTask, MultiIndexTask, normal, truncated_normal, uniform
from ..model.expr import parse_expression, text_of
from ..vocab import ModelKind
from .constructions import guarded
from .families import ModelFamily

__all__ = ["DATA_SOURCES", "DataSource", "Sample", "get_data_source", "register_data_source"]

UNI, HOM = ModelKind.UNIVARIATE, ModelKind.HOMOGENEOUS


@dataclass(frozen=True)
class Sample:
    data: Any
    task: Any                      # the law, when known
    provenance: str


@dataclass(frozen=True)
class DataSource:
    name: str                      # "explicit" or the generator's name
    models: frozenset[str]
    doc: str
    fields: Callable[[ModelFamily | None], tuple[Field, ...]]
    build: Callable[[ModelFamily, dict], Sample]


SourceFn = Callable[[ModelFamily, dict], Sample]
DATA_SOURCES: dict[str, DataSource] = {}


def register_data_source(name: str, models: Iterable[str], doc: str,
                         fields: tuple[Field, ...] | Callable[[ModelFamily | None], tuple[Field, ...]]
                         ) -> Callable[[SourceFn], SourceFn]:
    def deco(fn: SourceFn) -> SourceFn:
        f = fields if callable(fields) else (lambda fam, _f=fields: _f)
        DATA_SOURCES[name] = DataSource(name, frozenset(models), doc, f, fn)
        return fn
    return deco


def get_data_source(generator: Any, kind: str) -> DataSource:
    name = "explicit" if generator is None else generator
    names = [n for n, s in DATA_SOURCES.items() if kind in s.models and n != "explicit"]
    if not isinstance(name, str) or name not in DATA_SOURCES or kind not in DATA_SOURCES[name].models:
        raise InputError(f"unknown {kind} generator {generator!r} ({', '.join(names)})", field="data.generator")
    return DATA_SOURCES[name]


# ----------------------------------------------------------------------------------------------
# Laws
# ----------------------------------------------------------------------------------------------
_LAW_DEFAULTS = {"uniform": [-1.0, 1.0], "normal": [0.0, 1.0], "truncated_normal": [0.0, 1.0, -1.0, 1.0]}
LAW_FIELDS = (Field("law", "string", "law of x", default="uniform", choices=tuple(_LAW_DEFAULTS)),
              Field("law_params", "vector", "its parameters: [lo, hi], [mean, std] or [mean, std, lo, hi]"),
              Field("logit", "expression", "the target logit g*(x): P(y = 1 | x) = s(g*(x))", default="3*sin(2*x)"),
              Field("flip", "number", "label-flip probability", default=0.0, minimum=0.0, maximum=0.5))


def law_from(values: dict, prefix: str = "data") -> InputLaw:
    kind = values["law"]
    p = values["law_params"]
    p = np.asarray(_LAW_DEFAULTS[kind] if p is None else p, dtype=float)
    if p.size != len(_LAW_DEFAULTS[kind]):
        raise InputError(f"the {kind} law takes {len(_LAW_DEFAULTS[kind])} parameters, got {p.size}",
                         field=f"{prefix}.law_params")
    with np.errstate(all="ignore"):   # samples and the quadrature live on [mean − 40 std, mean + 40 std] at most
        spread = abs(p[0]) + (p[1] - p[0] if kind == "uniform" else 40 * p[1] + (
            p[3] - p[2] if kind == "truncated_normal" else 0.0))
    if not np.isfinite(spread):
        raise InputError("parameters so large that the law's spread overflows float64", field=f"{prefix}.law_params")
    try:
        laws: dict[str, Callable[..., Any]] = {"uniform": uniform, "normal": normal, "truncated_normal": truncated_normal}
        return laws[kind](*p)
    except InputError as exc:
        raise exc.located(prefix=prefix) from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"invalid law parameters ({exc})", field=f"{prefix}.law_params") from None


def logistic_task(values: dict) -> LogisticTask:
    logit = parse_expression(values["logit"], field="data.logit")
    try:
        return LogisticTask(law_from(values), logit, values["flip"])
    except InputError as exc:
        raise exc.located(prefix="data") if exc.field and not exc.field.startswith("data.") else exc from None


_MULTI_LAW = (Field("U", "matrix", "the index directions (d × r, orthonormal columns)"),
              Field("link", "expression", "the link g_ℓ of each index", default="relu(x)"),
              Field("noise", "number", "label noise standard deviation", default=0.0, minimum=0.0))


# ----------------------------------------------------------------------------------------------
# Sources
# ----------------------------------------------------------------------------------------------
def _logistic_declared(values: dict, data: Any) -> LogisticTask | None:
    """The logistic law of a univariate sample, when [data] declares its logit."""
    if values.get("logit") is None:
        return None
    defaults = {f.name: f.default for f in LAW_FIELDS}
    return logistic_task({k: defaults[k] if values.get(k) is None else values[k] for k in defaults})


def _multi_index_declared(values: dict, data: Any) -> MultiIndexTask | None:
    """The multi-index law of a sample in R^d, when [data] declares its directions U."""
    if values.get("U") is None:
        return None
    U = values["U"]
    if U.shape[0] != data.d:
        raise InputError(f"U has {U.shape[0]} rows but the data have d = {data.d}", field="data.U")
    link = parse_expression(values.get("link") or "relu(x)", field="data.link")
    try:
        return MultiIndexTask(U, tuple([link] * U.shape[1]), values.get("noise") or 0.0)
    except InputError as exc:
        raise exc.located(prefix="data") from None


#: per model kind: the fields with which an explicit [data] declares the law it was drawn from, and the law they give
DECLARED_LAWS: dict[str, tuple[tuple[Field, ...], Callable[[dict, Any], Any]]] = {
    UNI: (LAW_FIELDS, _logistic_declared),
    HOM: (_MULTI_LAW, _multi_index_declared),
}


def _explicit_fields(fam: ModelFamily | None) -> tuple[Field, ...]:
    if fam is None:
        return ()
    declared = DECLARED_LAWS[fam.kind][0]
    return fam.data_fields + tuple(Field(f.name, f.type, f.doc + " (declares the law of the sample)",
                                         default=None, minimum=f.minimum, maximum=f.maximum, choices=f.choices)
                                   for f in declared)


@register_data_source("explicit", (UNI, HOM), "the sample written out (x, y or X, y; inline or in the .npz "
                      "named by file), optionally with the law it was drawn from", _explicit_fields)
def _explicit(fam: ModelFamily, values: dict) -> Sample:
    try:
        data = fam.make_data(values)
    except InputError as exc:
        raise exc.located(prefix="data") if exc.field and not exc.field.startswith("data.") else exc from None
    task = DECLARED_LAWS[fam.kind][1](values, data)
    return Sample(data, task, "explicit" + (" (law declared)" if task is not None else ""))


_N = Field("n", "integer", "number of points", required=True, minimum=1)
_SEED = Field("seed", "integer", "seed of the draw", required=True, minimum=0)


@register_data_source("logistic", (UNI,), "x ~ law, P(y = 1 | x) = s(g*(x)), labels flipped with probability "
                      "flip (flatproof math U.1)", (_N, _SEED) + LAW_FIELDS)
def _logistic(fam: ModelFamily, values: dict) -> Sample:
    n, seed = values["n"], values["seed"]
    budget.require("data.n", memory=8.0 * 8 * n, work=float(n) * budget.PASSES, what=f"{n:,} generated points")
    task = logistic_task(values)
    with np.errstate(all="ignore"):
        try:
            data = task.sample(n, np.random.default_rng(seed))
        except InputError as exc:
            raise exc.located(prefix="data") from None
    return Sample(data, task, f"logistic generator, n = {n}, seed = {seed}, logit {text_of(task.logit)}, "
                              f"flip {task.flip:g}")


@register_data_source("multi-index", (HOM,), "x ~ N(0, I_d), y = Σ_ℓ g(u_ℓᵀx) + noise with a random orthonormal "
                      "U (flatproof math M.1)",
                      (_N, _SEED, Field("d", "integer", "input dimension", required=True, minimum=1),
                       Field("r", "integer", "number of indices", default=1, minimum=1)) + _MULTI_LAW[1:])
def _multi_index(fam: ModelFamily, values: dict) -> Sample:
    n, seed, d, r, noise = values["n"], values["seed"], values["d"], values["r"], values["noise"]
    budget.require("data.d", memory=8.0 * 3 * n * d, work=float(n) * d * budget.PASSES,
                   what=f"{n:,} generated points in dimension {d:,}")
    if r <= d:
        budget.require("data.r", memory=8.0 * 3 * d * r, work=float(d) * r * r, what=f"a random {d:,} × {r:,} basis")
    link = parse_expression(values["link"], field="data.link")
    rng = np.random.default_rng(seed)
    try:
        task = MultiIndexTask.random(d, r, link, noise, rng)
    except InputError as exc:
        raise exc.located(prefix="data") if exc.field and not exc.field.startswith("data.") else exc from None
    if not np.isfinite(noise * 10.0):
        raise InputError("beyond what float64 can add to a Gaussian draw", field="data.noise")
    data = guarded("data.link", "the link's values overflow float64 on the generated inputs", task.sample, n, rng)
    return Sample(data, task, f"multi-index generator, d = {d}, r = {r}, link {values['link']}, noise {noise:g}, "
                              f"n = {n}, seed = {seed}")
