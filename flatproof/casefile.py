"""Reading TOML claim case files (``flatproof verify``); explicit instances for ``flatproof measure`` are read by
:mod:`flatproof.measure_case` with the same table helpers.

Parse, then build. :func:`parse_case` turns a TOML document into a typed :class:`CaseSpec` — every
field validated against its declaration (:class:`~flatproof._schema.Field`), nothing computed — and
:func:`build_case` turns a specification into an :class:`~flatproof.instances.instance.Instance` through
the model family (:mod:`flatproof.instances.families`), the data source
(:mod:`flatproof.instances.generators`) and the construction (:mod:`flatproof.instances.constructions`)
it names. The same field declarations give :func:`case_json_schema` and the docs' field tables.

Arrays are inline, or come from a file named by ``file = "…"`` (relative to the case file) holding arrays
named after the fields. Every error is an :class:`~flatproof.InputError` naming the file and the field.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Any, TypeVar

from . import _budget as budget
from ._errors import InputError
from ._files import MAX_CASE_BYTES, read_regular
from ._schema import Field, json_schema, parse_table
from .claims import Claim, Tolerances, Verdict, get_claim
from .instances.constructions import BuildContext, construction_names, get_construction
from .instances.families import ModelFamily, family
from .instances.generators import DATA_SOURCES, get_data_source
from .instances.instance import Instance
from .model.activations import Activation
from .model.losses import Loss, takes_factor
from .vocab import Mode

__all__ = ["Case", "CaseSpec", "DataSpec", "LossSpec", "ModelSpec", "build_case", "build_instance", "build_loss",
           "case_from_dict", "case_json_schema", "explicit_budget", "field_tables_markdown", "get_table", "in_file",
           "load_case", "load_case_dict", "no_unknown_tables", "parse_case", "parse_loss", "read_toml"]

T = TypeVar("T")
_CASE_TABLES = {"case", "data", "model", "loss", "params", "tolerances"}
FLOAT_MAX = 1.7976931348623157e308
MAX_NESTING = 8          # tables and arrays inside each other (a matrix inside a table is depth 3)


def read_toml(path: str | PathLike[str]) -> dict:
    """Parse a case file: a regular file of at most MAX_CASE_BYTES, UTF-8 TOML, not nested deeper than
    MAX_NESTING, every integer one float64 can hold."""
    raw = read_regular(path, limit=MAX_CASE_BYTES, what="case file")
    try:
        doc = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed TOML ({exc})", file=str(path)) from None
    except RecursionError:
        raise InputError("arrays or tables nested too deeply", file=str(path)) from None
    except ValueError as exc:     # an integer literal with more digits than Python converts
        raise InputError(f"malformed TOML ({exc})".split(";")[0] + ")", file=str(path)) from None
    try:
        scan_document(doc)
    except InputError as exc:
        raise exc.located(file=str(path)) from None
    return doc


def scan_document(doc: object) -> None:
    """Refuse nesting deeper than MAX_NESTING and integers beyond float64's range, naming the field
    (iteratively: a hostile document cannot exhaust the stack here)."""
    stack = [(doc, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > MAX_NESTING:
            raise InputError(f"nested more than {MAX_NESTING} levels deep", field=where or None)
        if isinstance(value, dict):
            stack.extend((v, f"{where}.{k}" if where else str(k), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, where, depth + 1) for v in value)
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > FLOAT_MAX:
            raise InputError(f"an integer of {value.bit_length()} bits is beyond float64's range (±1.8e308)",
                             field=where or None)


def get_table(doc: dict, name: str, required: bool = True) -> dict:
    if name not in doc:
        if required:
            raise InputError("missing table", field=name)
        return {}
    t = doc[name]
    if not isinstance(t, dict):
        raise InputError(f"expected a table, got {type(t).__name__}", field=name)
    return t


def _no_unknown(table: dict, allowed: set, prefix: str) -> None:
    for key in table:
        if key not in allowed:
            raise InputError(f"unknown field (allowed: {', '.join(sorted(allowed))})", field=f"{prefix}.{key}")


def _npz(table: dict, prefix: str, base: Path, kind: str | None = None) -> dict:
    """Arrays from the table's ``file = ...`` (.npz, .csv, or a network's state dict: :mod:`flatproof.io`)."""
    from .io import file_arrays
    return file_arrays(table, prefix, base, kind)


def in_file(loader: Callable[[Path], T], path: str | PathLike[str]) -> T:
    """Run ``loader(path)``, naming the file in any InputError it raises."""
    path = Path(path)
    try:
        return loader(path)
    except InputError as exc:
        raise InputError(exc.reason, field=exc.field, file=str(path)) from None


# ==============================================================================================
# Parse: a TOML document → a typed specification (nothing is built here)
# ==============================================================================================
CASE_FIELDS = (Field("claim", "string", "the claim's id (flatproof list)", required=True),
               Field("mode", "string", "float (error estimates) or rigorous (certified enclosures)",
                     default="float", choices=tuple(Mode)),
               Field("seed", "integer", "seed handed to the claim's check", default=0, minimum=0),
               Field("description", "string", "a sentence shown with the verdict", default=""))
LOSS_FIELDS = (Field("kind", "string", "logistic (univariate default) or square (homogeneous default)",
                     choices=("logistic", "square")),
               Field("factor", "number", "square loss factor: 1/2 gives (1/(2n))Σ(f − y)², 1 gives (1/n)Σ(f − y)²",
                     minimum=0.0, exclusive_minimum=True),
               Field("weight_decay", "number", "λ of the penalty (λ/2)‖θ‖²", default=0.0, minimum=0.0))
TOLERANCE_FIELDS = tuple(Field(k, "number", doc, default=getattr(Tolerances, k), minimum=0.0, exclusive_minimum=True,
                               maximum=1.0)
                         for k, doc in (("identity", "relative tolerance of an [exact] identity in floats"),
                                        ("lanczos", "relative residual asked of Lanczos"),
                                        ("kink", "|w x − b| ≤ kink · scale counts as a kink")))
_MODEL_COMMON = ("kind", "file", "format", "prefix", "keys", "construction", "activation")
_DATA_COMMON = ("file", "format", "generator")


@dataclass(frozen=True)
class ModelSpec:
    """[model]: the family, the construction and its parsed fields."""

    kind: str
    construction: str
    activation: Activation | None
    values: dict
    file: dict = field(default_factory=dict)      # what the network file said of itself (format, notes)


@dataclass(frozen=True)
class DataSpec:
    """[data]: the source (``explicit`` or a generator) and its parsed fields."""

    source: str
    values: dict


@dataclass(frozen=True)
class LossSpec:
    kind: str
    factor: float
    weight_decay: float


@dataclass(frozen=True)
class CaseSpec:
    """A claim case as declared: every field parsed and validated, nothing built yet."""

    claim: Claim
    mode: Mode
    seed: int
    description: str
    params: dict
    tolerances: Tolerances
    model: ModelSpec
    data: DataSpec
    loss: LossSpec


def no_unknown_tables(doc: dict, allowed: set) -> None:
    if not isinstance(doc, dict):
        raise InputError("a case is a TOML document (a table)", field="case")
    for key in doc:
        if key not in allowed:
            raise InputError(f"unknown table or field (allowed: {', '.join(sorted(allowed))})", field=key)


def parse_loss(fam: ModelFamily, table: dict) -> LossSpec:
    v = parse_table(table, LOSS_FIELDS, "loss")
    kind = v["kind"] or fam.default_loss
    if v["factor"] is not None and not takes_factor(kind):
        raise InputError("the logistic loss has no factor (it applies to the square loss only)", field="loss.factor")
    factor = fam.default_factor if v["factor"] is None else v["factor"]
    return LossSpec(kind, factor, v["weight_decay"])


def parse_model(fam: ModelFamily, table: dict, base: Path) -> ModelSpec:
    arrays = _npz(table, "model", base, fam.kind)
    how = table.get("construction")
    if how is None:
        if not any(f.name in table or f.name in arrays for f in fam.net_fields if f.required):
            names = ", ".join(f.name for f in fam.net_fields)
            raise InputError(f"give the network ({names}) or a construction "
                             f"({', '.join(construction_names(fam.kind))})", field="model.construction")
        how = "explicit"
    cons = get_construction(how, fam.kind)
    if "activation" in table and not fam.has_activation:
        raise InputError(f"the {fam.kind} model has no activation", field="model.activation")
    act = fam.activation(table.get("activation"))
    values = parse_table(table, cons.fields_for(fam, act), "model", arrays=arrays, ignore=_MODEL_COMMON)
    return ModelSpec(fam.kind, how, act, values, dict(getattr(arrays, "provenance", {})))


def parse_data(fam: ModelFamily, table: dict, base: Path) -> DataSpec:
    arrays = _npz(table, "data", base, fam.kind)
    src = get_data_source(table.get("generator"), fam.kind)
    values = parse_table(table, src.fields(fam), "data", arrays=arrays, ignore=_DATA_COMMON)
    return DataSpec(src.name, values)


def parse_case(doc: dict, base: Path) -> CaseSpec:
    """Parse and validate a claim case document (``base``: the folder its files are relative to)."""
    no_unknown_tables(doc, _CASE_TABLES)
    case_t = get_table(doc, "case")
    c = parse_table(case_t, CASE_FIELDS[1:], "case", ignore=("claim",))
    if "claim" not in case_t:
        raise InputError("missing field", field="case.claim")
    claim = get_claim(case_t["claim"])
    mode = Mode(c["mode"])
    if mode not in claim.modes:
        raise InputError(f"{claim.id} supports mode {' or '.join(claim.modes)}, not {str(mode)!r}", field="case.mode")
    params = claim.parse_params(get_table(doc, "params", required=False))
    tol = Tolerances(**parse_table(get_table(doc, "tolerances", required=False), TOLERANCE_FIELDS, "tolerances"))
    model_t = get_table(doc, "model")
    kind = model_t.get("kind", claim.model)
    fam = family(kind)
    if fam.kind != claim.model:
        raise InputError(f"{claim.id} is a claim about the {claim.model} model", field="model.kind")
    data = parse_data(fam, get_table(doc, "data"), base)
    loss = parse_loss(fam, get_table(doc, "loss", required=False))
    model = parse_model(fam, model_t, base)
    return CaseSpec(claim, mode, c["seed"], c["description"], params, tol, model, data, loss)


# ==============================================================================================
# Build: a specification → an instance (through the model family and the registries)
# ==============================================================================================
@dataclass(frozen=True)
class Case:
    """A claim, its parameters and tolerances, the mode, and the instance it is checked on."""

    path: Path
    claim: Claim
    mode: str
    seed: int
    params: dict
    tolerances: Tolerances
    instance: Instance
    description: str = ""

    def verify(self) -> Verdict:
        return self.claim.check(self.instance, params=self.params, tolerances=self.tolerances, mode=self.mode,
                                seed=self.seed)


def build_loss(spec: LossSpec) -> Loss:
    try:
        return Loss(spec.kind, spec.factor)
    except InputError as exc:
        raise exc.located(prefix="loss") from None


def explicit_budget(fam: ModelFamily, data: Any, net: Any, explicit_data: bool, claim: Claim | None = None,
                    mode: str = Mode.FLOAT) -> None:
    """Refuse an instance whose verification does not fit: n points, width m, dimension d. The estimate is the
    one the claim declares for its path in this mode (a ``cost(n, m, d, mode)`` class method: e.g. O(n + m) for
    η-flatness); a claim that declares none, or no claim, is assumed to evaluate n × m arrays."""
    d = fam.dimension(data)
    data_key, net_key = fam.data_fields[0].name, fam.net_fields[0].name
    blame = (f"model.{net_key}" if data.n < net.m else f"data.{data_key}" if explicit_data else "data.n")
    cost = claim.cost(data.n, net.m, d, mode) if claim is not None else None
    budget.network(blame, data.n, net.m, d, what=f"a network of width {net.m:,} on {data.n:,} points"
                   + (f" in dimension {d:,}" if fam.has_activation else "")
                   + (f" ({claim.id}, {mode} mode)" if cost is not None and claim is not None else ""), cost=cost)


def build_instance(spec: CaseSpec) -> Instance:
    """The instance a parsed case describes: the sample from its source, the network from its construction."""
    fam = family(spec.model.kind)
    sample = DATA_SOURCES[spec.data.source].build(fam, spec.data.values)
    loss = build_loss(spec.loss)
    try:
        loss.check_labels(sample.data.y)
    except InputError as exc:
        raise exc.located(prefix="data") from None
    claim, mode = spec.claim, spec.mode
    ctx = BuildContext(fam, sample.data, sample.task, loss, spec.loss.weight_decay, spec.model.activation,
                       cost=(lambda n, m, d: claim.cost(n, m, d, mode)) if claim is not None else None)
    built = get_construction(spec.model.construction, fam.kind).build(ctx, spec.model.values)
    fam.check_shapes(built.net, sample.data)
    explicit_budget(fam, sample.data, built.net, spec.data.source == "explicit", spec.claim, spec.mode)
    budget.claim_params(spec.params, built.net.m, fam.dimension(sample.data))
    prov = {"data": sample.provenance, "construction": spec.model.construction, **spec.model.file,
            **built.provenance}
    return Instance(fam.kind, sample.data, built.net, loss, spec.loss.weight_decay, sample.task, built.base_net,
                    built.scale, built.training, built.extras, prov)


def build_case(spec: CaseSpec, path: Path) -> Case:
    return Case(path, spec.claim, spec.mode, spec.seed, spec.params, spec.tolerances, build_instance(spec),
                spec.description)


def load_case(path: str | PathLike[str]) -> Case:
    """Read a claim case file; every problem is an InputError naming the file and the field."""
    return in_file(lambda p: case_from_dict(read_toml(p), p), path)


def load_case_dict(doc: dict, name: str = "<case>", base: Path | None = None) -> Case:
    """Build a case from an already parsed TOML document (what ``flatproof check`` generates)."""
    path = Path(name) if base is None else Path(base) / name
    return in_file(lambda p: case_from_dict(doc, p), path)


def case_from_dict(doc: dict, path: Path) -> Case:
    return build_case(parse_case(doc, path.parent), path)


# ==============================================================================================
# The schema of a claim case file
# ==============================================================================================
def case_json_schema() -> dict:
    """JSON Schema of a claim case file, generated from the same fields the parser reads."""
    from .instances.constructions import CONSTRUCTIONS
    from .instances.families import FAMILIES
    from .instances.generators import DATA_SOURCES as SOURCES

    def union(groups: Iterable[Iterable[Field]]) -> dict:
        props: dict = {}
        for fields in groups:
            for f in fields:
                props.setdefault(f.name, f.json())
        return props

    model_props = union([c.all_fields(fam) for c in CONSTRUCTIONS.values() for fam in FAMILIES.values()])
    model_props.update(kind={"enum": sorted(FAMILIES)}, file={"type": "string"},
                       construction={"enum": sorted(CONSTRUCTIONS)}, activation={"type": "string"})
    data_props = union([s.fields(fam) for s in SOURCES.values() for fam in FAMILIES.values()])
    data_props.update(file={"type": "string"}, generator={"enum": sorted(n for n in SOURCES if n != "explicit")})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "flatproof claim case",
        "type": "object",
        "additionalProperties": False,
        "required": ["case", "data", "model"],
        "properties": {
            "case": json_schema(CASE_FIELDS),
            "data": {"type": "object", "properties": data_props, "additionalProperties": False},
            "model": {"type": "object", "properties": model_props, "additionalProperties": False},
            "loss": json_schema(LOSS_FIELDS),
            "params": {"type": "object", "description": "the claim's parameters (flatproof list CLAIM)"},
            "tolerances": json_schema(TOLERANCE_FIELDS),
        },
    }


def field_tables_markdown() -> str:
    """The documentation's field tables (docs/case-files.md), generated from the parser's declarations."""
    from ._schema import markdown_table
    from .instances.constructions import CONSTRUCTIONS
    from .instances.families import FAMILIES
    from .instances.generators import DATA_SOURCES as SOURCES

    out = ["### `[case]`", "", markdown_table(CASE_FIELDS), "", "### `[loss]`", "", markdown_table(LOSS_FIELDS), "",
           "### `[tolerances]`", "", markdown_table(TOLERANCE_FIELDS), ""]
    for kind, fam in sorted(FAMILIES.items()):
        out += [f"### `[data]` of the {kind} model", ""]
        for name, src in sorted(SOURCES.items()):
            if kind in src.models:
                title = "no `generator` (explicit sample)" if name == "explicit" else f'`generator = "{name}"`'
                out += [f"{title}: {src.doc}.", "", markdown_table(src.fields(fam)), ""]
        out += [f"### `[model]` of the {kind} model", "",
                "`kind`, `construction`" + (", `activation` (`relu`, `leaky_relu(a)`, `relu^k`, `abs^k`)"
                                            if fam.has_activation else "") + ", `file` (an .npz of the arrays), and:",
                ""]
        for name, c in sorted(CONSTRUCTIONS.items()):
            if kind in c.models:
                fields = c.all_fields(fam)
                out += [f'`construction = "{name}"`: {c.doc}.', ""]
                out += [markdown_table(fields), ""] if fields else ["(no fields)", ""]
    return "\n".join(out).rstrip() + "\n"
