"""Reading TOML case files: explicit instances (``flatproof measure``) and claim cases (``flatproof verify``).

An explicit instance has a ``[model]`` table (``kind = "univariate"`` with ``v, w, b, beta``, or
``kind = "homogeneous"`` with ``activation, a, W``), a ``[data]`` table (``x, y`` or ``X, y``), a
``[loss]`` table (``kind``, ``factor``, ``weight_decay``) and an optional ``[measure]`` table
(``eta``, ``tol``, ``kink_tol``, ``seed``). Arrays are inline, or come from an ``.npz`` file named by
``file = "…"`` (relative to the case file) holding arrays named after the fields. Every error is an
:class:`~flatproof.InputError` naming the file and the field.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import _budget as budget
from ._errors import InputError
from ._files import MAX_CASE_BYTES, read_regular
from ._validate import finite_array, finite_scalar, integer
from .measures._base import CurvatureOracle
from .measures.homogeneous import HomogeneousOracle, HomogeneousProblem
from .measures.univariate import UnivariateProblem, univariate_oracle
from .model.activations import parse_activation
from .model.data import MultiIndexData, UnivariateData
from .model.homogeneous import HomogeneousNet
from .model.losses import Loss
from .model.univariate import UnivariateNet

_TABLES = {"model", "data", "loss", "measure"}
_FILE_KEYS = {"file", "format", "prefix", "keys"}      # read by flatproof.io
_MODEL_KEYS = {"univariate": {"kind", "v", "w", "b", "beta"} | _FILE_KEYS,
               "homogeneous": {"kind", "activation", "a", "W"} | _FILE_KEYS}
_DATA_KEYS = {"univariate": {"file", "format", "x", "y"}, "homogeneous": {"file", "format", "X", "y"}}
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


FLOAT_MAX = 1.7976931348623157e308
MAX_NESTING = 8          # tables and arrays inside each other (a matrix inside a table is depth 3)


def read_toml(path) -> dict:
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


def scan_document(doc) -> None:
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




def _npz(table: dict, prefix: str, base: Path, kind: str | None = None) -> dict:
    """Arrays from the table's ``file = ...`` (.npz, .csv, or a network's state dict: :mod:`flatproof.io`)."""
    from .io import file_arrays
    return file_arrays(table, prefix, base, kind)


def _get(table: dict, arrays: dict, key: str, prefix: str, default=None, required=True):
    if key in table:
        return table[key]
    if key in arrays:
        a = arrays[key]
        return a.item() if a.ndim == 0 else a
    if required:
        raise InputError("missing field (give it inline or in the npz file)", field=f"{prefix}.{key}")
    return default


def _field(prefix: str, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except InputError as exc:
        field = exc.field if exc.field and exc.field.startswith(prefix + ".") else (
            f"{prefix}.{exc.field}" if exc.field else prefix)
        raise InputError(exc.reason, field=field) from None


def _in_file(loader, path):
    """Run ``loader(path)``, naming the file in any InputError it raises."""
    path = Path(path)
    try:
        return loader(path)
    except InputError as exc:
        raise InputError(exc.reason, field=exc.field, file=str(path)) from None


def _explicit_net(kind: str, f: "_Fields", activation=None):
    """The network written out in a [model] table (or its npz): v, w, b, beta or a, W (and an activation)."""
    if kind == "univariate":
        return _field("model", UnivariateNet, f.raw("v", required=True), f.raw("w", required=True),
                      f.raw("b", required=True), f.raw("beta", 0.0))
    return _field("model", HomogeneousNet, f.raw("a", required=True), f.raw("W", required=True), activation)


def _explicit_data(kind: str, f: "_Fields"):
    """The sample written out in a [data] table (or its npz): x, y or X, y."""
    if kind == "univariate":
        return _field("data", UnivariateData, f.raw("x", required=True), f.raw("y", required=True))
    return _field("data", MultiIndexData, f.raw("X", required=True), f.raw("y", required=True))


def _loss(kind: str, table: dict):
    """(Loss, weight decay) from a [loss] table; defaults: logistic with 1/(2n)… for U, square (1/n) for M."""
    lf = _Fields(table, "loss")
    lkind = lf.str("kind", "logistic" if kind == "univariate" else "square", choices=("logistic", "square"))
    if lkind == "logistic" and "factor" in table:
        raise InputError("the logistic loss has no factor (it applies to the square loss only)", field="loss.factor")
    factor = lf.number("factor", 0.5 if kind == "univariate" else 1.0, positive=True)
    wd = lf.number("weight_decay", 0.0, nonnegative=True)
    lf.done()
    return _field("loss", Loss, lkind, factor), wd


def load_measure_case(path) -> MeasureCase:
    """Read a case file describing an explicit instance and build its curvature oracle."""
    return _in_file(_load, path)


def _load(path: Path) -> MeasureCase:
    doc = read_toml(path)
    for key in doc:
        if key not in _TABLES:
            raise InputError(f"unknown table or field (allowed: {', '.join(sorted(_TABLES))})", field=key)
    base = path.parent
    model, data, loss_t, meas = (_table(doc, "model"), _table(doc, "data"), _table(doc, "loss", required=False),
                                 _table(doc, "measure", required=False))
    kind = model.get("kind")
    if not isinstance(kind, str) or kind not in _MODEL_KEYS:
        raise InputError(f"unknown model kind {kind!r} (univariate or homogeneous)", field="model.kind")
    _no_unknown(model, _MODEL_KEYS[kind], "model")
    _no_unknown(data, _DATA_KEYS[kind], "data")
    _no_unknown(loss_t, _LOSS_KEYS, "loss")
    _no_unknown(meas, _MEASURE_KEYS, "measure")
    mf = _Fields(model, "model", _npz(model, "model", base, kind))
    df = _Fields(data, "data", _npz(data, "data", base, kind))
    loss, wd = _loss(kind, loss_t)
    eta = meas.get("eta")
    eta = None if eta is None else _field("measure", lambda x: finite_scalar(x, "eta", positive=True), eta)
    tol = _field("measure", lambda x: finite_scalar(x, "tol", positive=True), meas.get("tol", 1e-8))
    if tol >= 1:
        raise InputError(f"must be < 1, got {tol:g}", field="measure.tol")
    kink_tol = _field("measure", lambda x: finite_scalar(x, "kink_tol", nonnegative=True), meas.get("kink_tol", 1e-9))
    seed = _field("measure", lambda x: integer(x, "seed", minimum=0), meas.get("seed", 0))

    act = _field("model", parse_activation, mf.raw("activation", "relu")) if kind == "homogeneous" else None
    net, dat = _explicit_net(kind, mf, act), _explicit_data(kind, df)
    _explicit_budget(kind, dat, net, True)
    if kind == "univariate":
        problem = _field("data", UnivariateProblem, dat, loss, wd)
        method = meas.get("method", "fast")
        if method not in ("fast", "dense"):
            raise InputError(f"unknown method {method!r} (fast or dense)", field="measure.method")
        oracle = univariate_oracle(problem, net, method=method, kink_tol=kink_tol)
    else:
        if "method" in meas:
            raise InputError("only the univariate model has a choice of method", field="measure.method")
        problem = _field("data", HomogeneousProblem, dat, loss, wd)
        if net.d != dat.d:
            raise InputError(f"W has {net.d} columns but X has {dat.d}", field="model.W")
        oracle = HomogeneousOracle(problem, net, kink_tol=kink_tol)
    return MeasureCase(path, kind, oracle, eta, tol, seed)


# ==============================================================================================
# Claim cases (``flatproof verify``)
# ==============================================================================================
_CASE_TABLES = {"case", "data", "model", "loss", "params", "tolerances"}


def _explicit_budget(kind: str, data, net, explicit_data: bool) -> None:
    """Refuse an instance whose evaluation does not fit: n points, width m, dimension d."""
    d = 1 if kind == "univariate" else data.d
    blame = ("data.x" if kind == "univariate" else "data.X") if explicit_data and data.n >= net.m else (
        "model.v" if kind == "univariate" else "model.a")
    budget.network(blame, data.n, net.m, d, what=f"a network of width {net.m:,} on {data.n:,} points"
                   + (f" in dimension {d:,}" if kind == "homogeneous" else ""))


def _guarded(field: str, reason: str, fn, *args, **kwargs):
    """Run a construction that turns the user's number ``field`` into arrays: if float64 overflows
    there, the error names that field (not the array it produced) and no RuntimeWarning is printed."""
    import warnings
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return fn(*args, **kwargs)
        except InputError as exc:
            raise InputError(f"{reason} ({exc.reason})", field=field) from None


class _Fields:
    """Reads a TOML table field by field and refuses what it did not read (unknown fields)."""

    def __init__(self, table: dict, prefix: str, arrays: dict | None = None):
        self.table, self.prefix, self.arrays = table, prefix, arrays or {}
        self.used = set(_FILE_KEYS) if prefix in ("model", "data") else {"file"}

    def has(self, key: str) -> bool:
        return key in self.table or key in self.arrays

    def raw(self, key: str, default=None, required: bool = False):
        self.used.add(key)
        return _get(self.table, self.arrays, key, self.prefix, default=default, required=required)

    def number(self, key, default=None, *, positive=False, nonnegative=False, required=False):
        v = self.raw(key, default, required)
        return None if v is None else _field(self.prefix, lambda t: finite_scalar(t, key, positive=positive,
                                                                                  nonnegative=nonnegative), v)

    def int(self, key, default=None, *, minimum=None, required=False):
        v = self.raw(key, default, required)
        return None if v is None else _field(self.prefix, lambda t: integer(t, key, minimum=minimum), v)

    def str(self, key, default=None, *, choices=None, required=False):
        v = self.raw(key, default, required)
        if v is None:
            return None
        if not isinstance(v, str):
            raise InputError(f"expected a string, got {type(v).__name__}", field=f"{self.prefix}.{key}")
        if choices is not None and v not in choices:
            raise InputError(f"must be one of {', '.join(choices)}, got {v!r}", field=f"{self.prefix}.{key}")
        return v

    def bool(self, key, default=None):
        v = self.raw(key, default)
        if not isinstance(v, bool):
            raise InputError(f"expected true or false, got {v!r}", field=f"{self.prefix}.{key}")
        return v

    def done(self) -> None:
        for key in self.table:
            if key not in self.used:
                raise InputError(f"unknown field (allowed here: {', '.join(sorted(self.used - _FILE_KEYS))})",
                                 field=f"{self.prefix}.{key}")


@dataclass(frozen=True)
class Case:
    """A claim, its parameters and tolerances, the mode, and the instance it is checked on."""

    path: Path
    claim: object
    mode: str
    seed: int
    params: dict
    tolerances: object
    instance: object
    description: str = ""

    def verify(self):
        return self.claim.check(self.instance, params=self.params, tolerances=self.tolerances, mode=self.mode,
                                seed=self.seed)


def load_case(path) -> Case:
    """Read a claim case file; every problem is an InputError naming the file and the field."""
    return _in_file(_load_case, path)


def _law(f: _Fields):
    from .model.data import normal, truncated_normal, uniform
    kind = f.str("law", "uniform", choices=("uniform", "normal", "truncated_normal"))
    defaults = {"uniform": [-1.0, 1.0], "normal": [0.0, 1.0], "truncated_normal": [0.0, 1.0, -1.0, 1.0]}
    p = f.raw("law_params", defaults[kind])
    p = _field(f.prefix, lambda t: finite_array(t, "law_params", ndim=1), p)
    need = len(defaults[kind])
    if p.size != need:
        raise InputError(f"the {kind} law takes {need} parameters, got {p.size}", field=f"{f.prefix}.law_params")
    with np.errstate(all="ignore"):   # samples and the quadrature live on [mean − 40 std, mean + 40 std] at most
        spread = abs(p[0]) + (p[1] - p[0] if kind == "uniform" else 40 * p[1] + (
            p[3] - p[2] if kind == "truncated_normal" else 0.0))
    if not np.isfinite(spread):
        raise InputError("parameters so large that the law's spread overflows float64", field=f"{f.prefix}.law_params")
    try:
        return {"uniform": uniform, "normal": normal, "truncated_normal": truncated_normal}[kind](*p)
    except InputError as exc:
        raise exc.located(prefix=f.prefix) from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"invalid law parameters ({exc})", field=f"{f.prefix}.law_params") from None


def _link(text: str, field: str):
    from .model.expr import parse_expression
    return parse_expression(text, field=field)


def _data(kind: str, t: dict, base: Path):
    """(data, task, provenance) from the [data] table."""
    import numpy as np

    from .model.data import LogisticTask, MultiIndexTask
    from .model.expr import parse_expression
    arrays = _npz(t, "data", base, kind)
    f = _Fields(t, "data", arrays)
    gen = f.str("generator", None)
    if gen is None:
        data = _explicit_data(kind, f)
        task = None
        # an explicit sample may declare the law it was drawn from (population claims need it)
        if kind == "univariate" and f.has("logit"):
            task = _field("data", LogisticTask, _law(f), parse_expression(f.str("logit"), field="data.logit"),
                          f.number("flip", 0.0, nonnegative=True))
        elif kind == "homogeneous" and f.has("U"):
            U = _field("data", lambda t: finite_array(t, "U", ndim=2), f.raw("U"))
            if U.shape[0] != data.d:
                raise InputError(f"U has {U.shape[0]} rows but the data have d = {data.d}", field="data.U")
            link = _link(f.str("link", "relu(x)"), "data.link")
            task = _field("data", MultiIndexTask, U, tuple([link] * U.shape[1]), f.number("noise", 0.0,
                                                                                        nonnegative=True))
        f.done()
        return data, task, {"data": "explicit" + (" (law declared)" if task is not None else "")}
    n = f.int("n", required=True, minimum=1)
    budget.require("data.n", memory=8.0 * 8 * n, work=float(n) * budget.PASSES, what=f"{n:,} generated points")
    seed = f.int("seed", required=True, minimum=0)
    rng = np.random.default_rng(seed)
    if kind == "univariate":
        if gen != "logistic":
            raise InputError(f"unknown univariate generator {gen!r} (logistic)", field="data.generator")
        law = _law(f)
        logit = parse_expression(f.str("logit", "3*sin(2*x)"), field="data.logit")
        flip = f.number("flip", 0.0, nonnegative=True)
        f.done()
        task = _field("data", LogisticTask, law, logit, flip)
        with np.errstate(all="ignore"):
            data = _field("data", task.sample, n, rng)
        return data, task, {"data": f"logistic generator, n = {n}, seed = {seed}, logit {logit.text}, flip {flip:g}"}
    if gen != "multi-index":
        raise InputError(f"unknown homogeneous generator {gen!r} (multi-index)", field="data.generator")
    d = f.int("d", required=True, minimum=1)
    budget.require("data.d", memory=8.0 * 3 * n * d, work=float(n) * d * budget.PASSES,
                   what=f"{n:,} generated points in dimension {d:,}")
    r = f.int("r", 1, minimum=1)
    if r <= d:
        budget.require("data.r", memory=8.0 * 3 * d * r, work=float(d) * r * r, what=f"a random {d:,} × {r:,} basis")
    text = f.str("link", "relu(x)")
    link = _link(text, "data.link")
    noise = f.number("noise", 0.0, nonnegative=True)
    f.done()
    task = _field("data", MultiIndexTask.random, d, r, link, noise, rng)
    if not np.isfinite(noise * 10.0):
        raise InputError("beyond what float64 can add to a Gaussian draw", field="data.noise")
    data = _guarded("data.link", "the link's values overflow float64 on the generated inputs", task.sample, n, rng)
    return data, task, {"data": f"multi-index generator, d = {d}, r = {r}, link {text}, noise {noise:g}, "
                                f"n = {n}, seed = {seed}"}


def _model(kind: str, t: dict, base: Path, data, task, problem_for):
    """(net, extras dict for Instance, provenance) from the [model] table."""
    import numpy as np

    from . import constructions as C
    arrays = _npz(t, "model", base, kind)
    f = _Fields(t, "model", arrays)
    f.used.add("kind")
    explicit_keys = ("v", "w", "b") if kind == "univariate" else ("a", "W")
    default = "explicit" if any(f.has(k) for k in explicit_keys) else None
    choices = (("explicit", "random", "sign-fitting", "gd") if kind == "univariate"
               else ("explicit", "random", "teacher", "memoriser", "flattest", "gd"))
    how = f.str("construction", default, choices=choices)
    if how is None:
        raise InputError(f"give the network (v, w, b, ...) or a construction ({', '.join(choices)})",
                         field="model.construction")
    extras: dict = {}
    prov = {"construction": how} | getattr(arrays, "provenance", {})
    act = None
    if kind == "homogeneous" and how in ("explicit", "random", "gd", "teacher", "memoriser"):
        act = _field("model", parse_activation, f.raw("activation", "relu"))
    if how == "explicit":
        net = _explicit_net(kind, f, act)
    elif how in ("random", "gd"):
        width = f.int("width", required=True, minimum=1)
        d = 1 if kind == "univariate" else data.d
        budget.network("model.width", data.n, width, d, what=f"a network of width {width:,} on {data.n:,} points"
                       + (f" in dimension {d:,}" if kind == "homogeneous" else ""))
        seed = f.int("seed", required=True, minimum=0)
        scale = f.number("scale", 1.0, positive=True)
        rng = np.random.default_rng(seed)
        why = f"scale {scale:g} overflows float64 in the network's weights"
        if kind == "univariate":
            net = _guarded("model.scale", why, C.random_univariate, width, rng, scale=scale)
        else:
            net = _guarded("model.scale", why, C.random_homogeneous, width, data.d, act, rng, scale=scale)
        prov.update(width=width, seed=seed, scale=scale)
        if how == "gd":
            from .train import gradient_descent
            eta = f.number("eta", required=True, positive=True)
            steps = f.int("steps", required=True, minimum=0)
            every = f.int("record_every", 0, minimum=0)
            budget.steps("model.steps", steps, data.n, width, d, record_every=every,
                         what=f"{steps:,} GD steps at width {width:,} on {data.n:,} points")
            f.done()
            run = gradient_descent(problem_for(net), net, eta, steps, record_every=every)
            extras["training"] = run
            prov.update(eta=eta, steps=steps, steps_taken=run.steps, stop_reason=run.stop_reason)
            net = run.net
    elif how == "sign-fitting":
        c = f.number("scale", 1.0, positive=True)
        ys = data.y[np.argsort(data.x, kind="stable")]
        m = max(1, 2 * int(np.count_nonzero(np.diff(ys))))
        budget.network("model.construction", data.n, m, what=f"the sign-fitting network ({m:,} neurons) on "
                                                             f"{data.n:,} points")
        base_net = _field("model", C.sign_fitting_network, data.x, data.y)
        extras.update(base_net=base_net, scale=c)
        net = _guarded("model.scale", f"scale {c:g} overflows float64 in the network's weights",
                       C.scale_to_infinity, base_net, c)
        prov.update(scale=c, width=base_net.m)
    elif how in ("teacher", "memoriser"):
        if how == "teacher":
            if task is None:
                raise InputError("the teacher needs data from the multi-index generator", field="model.construction")
            net = C.teacher_network(task.U, activation=act)
        else:
            budget.require("model.construction", memory=8.0 * 3 * data.n * (data.n + data.d),
                           work=float(data.n) ** 3 + float(data.n) ** 2 * data.d * budget.PASSES,
                           what=f"the memoriser ({data.n:,} neurons, an {data.n:,} × {data.n:,} solve)")
            net = _field("model", C.memoriser, data.X, data.y, act)
    elif _field("model", parse_activation, f.raw("activation", "relu")).k >= 2:   # flattest, k ≥ 2: fixed width
        from .measures.homogeneous_flatness import flattest_fixed_width
        act = _field("model", parse_activation, f.raw("activation"))
        width = f.int("width", required=True, minimum=1)
        budget.require("model.width", work=float(width * (data.d + 1)) ** 2 * data.n * 100,
                       what=f"SLSQP over {width * (data.d + 1):,} parameters on {data.n:,} points")
        if width > 1000:
            raise InputError(f"at most 1000 neurons for the fixed-width solver, got {width}", field="model.width")
        seed = f.int("seed", 0, minimum=0)
        res = flattest_fixed_width(data.X, data.y, width, act, seed=seed)
        net = res.net
        extras["extras"] = {"flattest_fixed_width": res}
        prov.update(width=width, seed=seed, solver="SLSQP at fixed width")
    else:  # flattest, ReLU: the LP over a dictionary
        from .measures.flattest import flattest_relu_interpolator
        f.raw("activation", "relu")
        size = f.int("dictionary", 1000, minimum=1)
        budget.require("model.dictionary", memory=8.0 * 6 * data.n * size + 8.0 * size * data.d,
                       work=float(data.n) ** 2 * size * 4 + float(data.n) * size * data.d,
                       what=f"the flattest-interpolator LP over {size:,} atoms and {data.n:,} points")
        seed = f.int("seed", 0, minimum=0)
        with_teacher = f.bool("include_teacher", True)
        D = np.random.default_rng(seed).standard_normal((size, data.d))
        if with_teacher:
            if task is None:
                raise InputError("include_teacher needs data from the multi-index generator",
                                 field="model.include_teacher")
            D = np.vstack([D, task.U.T])
        res = _field("model", flattest_relu_interpolator, data.X, data.y, D)
        net = res.net
        extras["extras"] = {"flattest": res}
        prov.update(dictionary=size, seed=seed, include_teacher=with_teacher)
    f.done()
    return net, extras, prov


def _params_budget(params: dict, m: int, d: int) -> None:
    """Claim parameters that are sizes: Monte Carlo ``samples`` and the check ``grid``."""
    if isinstance(params.get("samples"), int):
        k = params["samples"]
        budget.require("params.samples", memory=8.0 * 3 * k * (m + d), work=4.0 * k * m * d,
                       what=f"{k:,} Monte Carlo samples through a network of width {m:,}")
    if isinstance(params.get("grid"), int):
        k = params["grid"]
        budget.require("params.grid", memory=8.0 * 6 * k * m, work=40.0 * k * m,
                       what=f"a grid of {k:,} points through a network of width {m:,}")


def _load_case(path: Path) -> Case:
    return case_from_dict(read_toml(path), path)


def load_case_dict(doc: dict, name: str = "<case>", base: Path | None = None) -> Case:
    """Build a case from an already parsed TOML document (what ``flatproof check`` generates)."""
    path = Path(name) if base is None else Path(base) / name
    return _in_file(lambda p: case_from_dict(doc, p), path)


def case_from_dict(doc: dict, path: Path) -> Case:
    from .claims import Tolerances, get_claim
    from .instance import Instance
    if not isinstance(doc, dict):
        raise InputError("a case is a TOML document (a table)", field="case")
    for key in doc:
        if key not in _CASE_TABLES:
            raise InputError(f"unknown table or field (allowed: {', '.join(sorted(_CASE_TABLES))})", field=key)
    cf = _Fields(_table(doc, "case"), "case")
    claim = get_claim(cf.raw("claim", required=True))
    mode = cf.str("mode", "float", choices=("float", "rigorous"))
    seed = cf.int("seed", 0, minimum=0)
    desc = cf.str("description", "")
    cf.done()
    if mode not in claim.modes:
        raise InputError(f"{claim.id} supports mode {' or '.join(claim.modes)}, not {mode!r}", field="case.mode")
    params = claim.parse_params(_table(doc, "params", required=False))
    tf = _Fields(_table(doc, "tolerances", required=False), "tolerances")
    tol = Tolerances(**{k: tf.number(k, getattr(Tolerances, k), positive=True) for k in Tolerances.FIELDS})
    tf.done()
    if tol.lanczos >= 1 or tol.identity >= 1:
        raise InputError("tolerances must be < 1", field="tolerances")

    model_t = _table(doc, "model")
    kind = model_t.get("kind", claim.model)
    if not isinstance(kind, str) or kind not in _MODEL_KEYS:
        raise InputError(f"unknown model kind {kind!r} (univariate or homogeneous)", field="model.kind")
    if kind != claim.model:
        raise InputError(f"{claim.id} is a claim about the {claim.model} model", field="model.kind")
    data, task, prov = _data(kind, _table(doc, "data"), path.parent)
    loss, wd = _loss(kind, _table(doc, "loss", required=False))
    _field("data", loss.check_labels, data.y)

    def problem_for(net):
        cls = UnivariateProblem if kind == "univariate" else HomogeneousProblem
        return _field("data", cls, data, loss, wd)

    net, extras, mprov = _model(kind, model_t, path.parent, data, task, problem_for)
    prov.update(mprov)
    if kind == "homogeneous" and net.d != data.d:
        raise InputError(f"W has {net.d} columns but the data have d = {data.d}", field="model.W")
    _explicit_budget(kind, data, net, "generator" not in _table(doc, "data"))
    _params_budget(params, net.m, 1 if kind == "univariate" else data.d)
    inst = Instance(kind, data, net, loss, wd, task, extras.get("base_net"), extras.get("scale"),
                    extras.get("training"), extras.get("extras", {}), prov)
    return Case(path, claim, mode, seed, params, tol, inst, desc)
