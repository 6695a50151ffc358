"""Measure cases: a TOML file describing one explicit instance, read for ``flatproof measure``.

A ``[model]`` table (``kind`` and the family's network fields: ``v, w, b, beta`` for the univariate model,
``activation, a, W`` for the homogeneous one), a ``[data]`` table (the family's sample fields: ``x, y`` or
``X, y``), a ``[loss]`` table (``kind``, ``factor``, ``weight_decay``) and an optional ``[measure]`` table
(``eta``, ``tol``, ``kink_tol``, ``seed``, and ``method`` where the family offers a choice). Arrays are inline
or in the file named by ``file = "…"``. The tables are read with the claim case's helpers
(:mod:`flatproof.casefile`) and the model family (:mod:`flatproof.instances.families`) builds the oracle.
"""

from __future__ import annotations

from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Any

from ._errors import InputError
from ._schema import Field, parse_table
from .casefile import build_loss, explicit_budget, get_table, in_file, no_unknown_tables, parse_loss, read_toml
from .instances.families import family
from .instances.generators import DATA_SOURCES
from .io import file_arrays
from .measures._base import CurvatureOracle

__all__ = ["MEASURE_FIELDS", "MeasureCase", "load_measure_case"]

TABLES = {"model", "data", "loss", "measure"}
MEASURE_FIELDS = (Field("eta", "number", "step size η: report 2/η and η-flatness", minimum=0.0,
                        exclusive_minimum=True),
                  Field("tol", "number", "relative tolerance of the eigensolvers", default=1e-8, minimum=0.0,
                        exclusive_minimum=True, maximum=1.0),
                  Field("kink_tol", "number", "kink tolerance", default=1e-9, minimum=0.0),
                  Field("seed", "integer", "seed of the eigensolvers' start vectors", default=0, minimum=0),
                  Field("method", "string", "univariate Hessian: fast (structured) or dense", default="fast",
                        choices=("fast", "dense")))


@dataclass(frozen=True)
class MeasureCase:
    """An explicit instance's curvature oracle and the ``[measure]`` settings."""

    path: Path
    kind: str
    oracle: CurvatureOracle
    net: Any
    eta: float | None
    tol: float
    seed: int


def load_measure_case(path: str | PathLike[str]) -> MeasureCase:
    """Read a case file describing an explicit instance and build its curvature oracle."""
    return in_file(_load_measure, path)


def _load_measure(path: Path) -> MeasureCase:
    doc = read_toml(path)
    no_unknown_tables(doc, TABLES)
    model, data, loss_t = get_table(doc, "model"), get_table(doc, "data"), get_table(doc, "loss", required=False)
    fam = family(model.get("kind"))
    measure_t = get_table(doc, "measure", required=False)
    m = parse_table(measure_t, MEASURE_FIELDS, "measure")
    if "method" in measure_t and not fam.oracle_methods:
        raise InputError(f"the {fam.kind} model has no choice of method", field="measure.method")
    act = fam.activation(model.get("activation"))
    mvals = parse_table(model, fam.net_fields, "model", arrays=file_arrays(model, "model", path.parent, fam.kind),
                        ignore=("kind", "file", "format", "prefix", "keys")
                        + (("activation",) if fam.has_activation else ()))
    dvals = parse_table(data, fam.data_fields, "data", arrays=file_arrays(data, "data", path.parent, fam.kind),
                        ignore=("file", "format"))
    loss_spec = parse_loss(fam, loss_t)
    try:
        net = fam.make_net(mvals, act)
    except InputError as exc:
        raise exc.located(prefix="model") if exc.field and not exc.field.startswith("model.") else exc from None
    sample = DATA_SOURCES["explicit"].build(fam, dvals)
    fam.check_shapes(net, sample.data)
    explicit_budget(fam, sample.data, net, True)
    try:
        problem = fam.problem(sample.data, build_loss(loss_spec), loss_spec.weight_decay)
    except InputError as exc:
        raise exc.located(prefix="data") from None
    oracle = fam.oracle(problem, net, method=m["method"], kink_tol=m["kink_tol"])
    return MeasureCase(path, fam.kind, oracle, net, m["eta"], m["tol"], m["seed"])
