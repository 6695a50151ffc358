"""Reading explicit instances from TOML case files (``flatproof measure``).

An explicit instance has a ``[model]`` table (``kind = "univariate"`` with ``v, w, b, beta``, or
``kind = "homogeneous"`` with ``activation, a, W``), a ``[data]`` table (``x, y`` or ``X, y``), a
``[loss]`` table (``kind``, ``factor``, ``weight_decay``) and an optional ``[measure]`` table
(``eta``, ``tol``, ``kink_tol``, ``seed``). Arrays are inline, or come from an ``.npz`` file named by
``file = "…"`` (relative to the case file) holding arrays named after the fields. Every error is an
:class:`~flatproof.InputError` naming the file and the field.
"""

from __future__ import annotations

import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ._errors import InputError
from ._validate import finite_scalar, integer
from .measures._base import CurvatureOracle
from .measures.homogeneous import HomogeneousOracle, HomogeneousProblem
from .measures.univariate import UnivariateProblem, univariate_oracle
from .model.activations import parse_activation
from .model.data import MultiIndexData, UnivariateData
from .model.homogeneous import HomogeneousNet
from .model.losses import Loss
from .model.univariate import UnivariateNet

_TABLES = {"model", "data", "loss", "measure"}
_MODEL_KEYS = {"univariate": {"kind", "file", "v", "w", "b", "beta"},
               "homogeneous": {"kind", "file", "activation", "a", "W"}}
_DATA_KEYS = {"univariate": {"file", "x", "y"}, "homogeneous": {"file", "X", "y"}}
_LOSS_KEYS = {"kind", "factor", "weight_decay"}
_MEASURE_KEYS = {"eta", "tol", "kink_tol", "seed", "method"}


@dataclass(frozen=True)
class MeasureCase:
    path: Path
    kind: str
    oracle: CurvatureOracle
    eta: float | None
    tol: float
    seed: int


def read_toml(path) -> dict:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read file ({exc.strerror or exc})", file=str(path)) from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError("not UTF-8 text", file=str(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"malformed TOML ({exc})", file=str(path)) from None


def _table(doc: dict, name: str, required: bool = True) -> dict:
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


def _npz(table: dict, prefix: str, base: Path) -> dict:
    if "file" not in table:
        return {}
    name = table["file"]
    if not isinstance(name, str) or not name:
        raise InputError("expected a path string", field=f"{prefix}.file")
    p = (base / name)
    try:
        with np.load(p, allow_pickle=False) as z:
            return {k: z[k] for k in z.files}
    except FileNotFoundError:
        raise InputError(f"npz file not found: {p}", field=f"{prefix}.file") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise InputError(f"cannot read npz file {p} ({exc})", field=f"{prefix}.file") from None


def _get(table: dict, arrays: dict, key: str, prefix: str, default=None, required=True):
    if key in table:
        return table[key]
    if key in arrays:
        a = arrays[key]
        return a.item() if a.ndim == 0 else a
    if required:
        raise InputError("missing field (give it inline or in the npz file)", field=f"{prefix}.{key}")
    return default


def _field(prefix: str, fn, *args):
    try:
        return fn(*args)
    except InputError as exc:
        field = exc.field if exc.field and exc.field.startswith(prefix + ".") else (
            f"{prefix}.{exc.field}" if exc.field else prefix)
        raise InputError(exc.reason, field=field) from None


def load_measure_case(path) -> MeasureCase:
    """Read a case file describing an explicit instance and build its curvature oracle."""
    path = Path(path)
    try:
        return _load(path)
    except InputError as exc:
        raise InputError(exc.reason, field=exc.field, file=str(path)) from None


def _load(path: Path) -> MeasureCase:
    doc = read_toml(path)
    for key in doc:
        if key not in _TABLES:
            raise InputError(f"unknown table or field (allowed: {', '.join(sorted(_TABLES))})", field=key)
    base = path.parent
    model, data, loss_t, meas = (_table(doc, "model"), _table(doc, "data"), _table(doc, "loss"),
                                 _table(doc, "measure", required=False))
    kind = model.get("kind")
    if kind not in _MODEL_KEYS:
        raise InputError(f"unknown model kind {kind!r} (univariate or homogeneous)", field="model.kind")
    _no_unknown(model, _MODEL_KEYS[kind], "model")
    _no_unknown(data, _DATA_KEYS[kind], "data")
    _no_unknown(loss_t, _LOSS_KEYS, "loss")
    _no_unknown(meas, _MEASURE_KEYS, "measure")
    marr, darr = _npz(model, "model", base), _npz(data, "data", base)

    lkind = loss_t.get("kind", "logistic" if kind == "univariate" else "square")
    factor = _field("loss", finite_scalar, loss_t.get("factor", 0.5 if kind == "univariate" else 1.0), "factor")
    loss = _field("loss", Loss, lkind, factor)
    wd = _field("loss", lambda x: finite_scalar(x, "weight_decay", nonnegative=True), loss_t.get("weight_decay", 0.0))
    eta = meas.get("eta")
    eta = None if eta is None else _field("measure", lambda x: finite_scalar(x, "eta", positive=True), eta)
    tol = _field("measure", lambda x: finite_scalar(x, "tol", positive=True), meas.get("tol", 1e-8))
    if tol >= 1:
        raise InputError(f"must be < 1, got {tol:g}", field="measure.tol")
    kink_tol = _field("measure", lambda x: finite_scalar(x, "kink_tol", nonnegative=True), meas.get("kink_tol", 1e-9))
    seed = _field("measure", lambda x: integer(x, "seed", minimum=0), meas.get("seed", 0))

    if kind == "univariate":
        g = lambda k, **kw: _get(model, marr, k, "model", **kw)
        net = _field("model", UnivariateNet, g("v"), g("w"), g("b"), g("beta", default=0.0, required=False))
        dat = _field("data", UnivariateData, _get(data, darr, "x", "data"), _get(data, darr, "y", "data"))
        problem = _field("data", UnivariateProblem, dat, loss, wd)
        method = meas.get("method", "fast")
        if method not in ("fast", "dense"):
            raise InputError(f"unknown method {method!r} (fast or dense)", field="measure.method")
        oracle = univariate_oracle(problem, net, method=method, kink_tol=kink_tol)
    else:
        if "method" in meas:
            raise InputError("only the univariate model has a choice of method", field="measure.method")
        act = _field("model", parse_activation, _get(model, marr, "activation", "model", default="relu",
                                                      required=False))
        net = _field("model", HomogeneousNet, _get(model, marr, "a", "model"), _get(model, marr, "W", "model"), act)
        dat = _field("data", MultiIndexData, _get(data, darr, "X", "data"), _get(data, darr, "y", "data"))
        problem = _field("data", HomogeneousProblem, dat, loss, wd)
        if net.d != dat.d:
            raise InputError(f"W has {net.d} columns but X has {dat.d}", field="model.W")
        oracle = HomogeneousOracle(problem, net, kink_tol=kink_tol)
    return MeasureCase(path, kind, oracle, eta, tol, seed)
