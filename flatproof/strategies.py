"""Public hypothesis strategies for flatproof instances (use them in your own property tests).

Every strategy draws *case-file tables* (plain dicts of numbers, lists and strings), so that whatever
hypothesis finds — shrunk — is written as a case file that ``flatproof verify`` reproduces exactly.
:func:`cases` draws a whole case document for a claim; :func:`instances` builds it.

    from hypothesis import given
    import flatproof.strategies as fs

    @given(fs.instances("logistic.weighted-tv"))
    def test_my_bound(case):
        assert case.verify().outcome != "violated"

Your own claim gets its instances from a ``strategy()`` method returning a strategy of case documents
(build them with :func:`case` from the table strategies below); ``flatproof check`` and
:func:`cases` use it (docs/check.md has a worked example).

Univariate networks are kink-free by construction (every knot at least ``gap`` away from every
data point) unless ``kinks=True``; homogeneous inputs stay at least 0.05 away from 0 in every
coordinate, so axis-aligned teachers are kink-free too.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from hypothesis import strategies as st
from numpy.typing import ArrayLike

from .claims import Claim, get_claim

if TYPE_CHECKING:
    from .casefile import Case

Doc = dict[str, Any]                      # a case document or one of its tables

LOGITS = ("4*x", "3*sin(2*x)", "2*x", "5*x**3 - 2*x")


def _unit(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# ---- univariate -----------------------------------------------------------------------------------
@st.composite
def univariate_data(draw: st.DrawFn, min_n: int = 2, max_n: int = 30, logits: Sequence[str] = LOGITS,
                    flips: Sequence[float] = (0.0, 0.1, 0.2, 0.3), with_law: bool = True) -> Doc:
    """A ``[data]`` table: distinct x in [−1, 1], arbitrary ±1 labels, and (``with_law``) the declared law
    x ~ U[−1, 1], P(y = 1 | x) = s(logit(x)) with label flips."""
    xs = draw(st.lists(_unit(-1, 1), min_size=min_n, max_size=max_n, unique_by=lambda t: round(t, 6)))
    ys = draw(st.lists(st.sampled_from([1.0, -1.0]), min_size=len(xs), max_size=len(xs)))
    table: Doc = {"x": [float(t) for t in xs], "y": ys}
    if with_law:
        table.update({"law": "uniform", "law_params": [-1.0, 1.0], "logit": draw(st.sampled_from(logits)),
                      "flip": draw(st.sampled_from(flips))})
    return table


@st.composite
def univariate_networks(draw: st.DrawFn, x: ArrayLike, min_width: int = 1, max_width: int = 6, scale: float = 2.0,
                        knots: str = "any", gap: float = 1e-3, kinks: bool = False) -> Doc:
    """A ``[model]`` table with explicit v, w, b, beta; ``knots``: "inside" the data hull, "outside", or "any".
    Unless ``kinks``, every knot is moved at least ``gap`` away from every data point."""
    x = np.asarray(x, dtype=float)
    m = draw(st.integers(min_width, max_width))
    lo, hi = float(x.min()), float(x.max())
    span = {"inside": (lo, hi), "outside": (hi + 0.1, hi + 1.0), "any": (lo - 0.5, hi + 0.5)}[knots]
    v = draw(st.lists(_unit(-scale, scale), min_size=m, max_size=m))
    w = draw(st.lists(st.one_of(_unit(0.2, scale), _unit(-scale, -0.2)), min_size=m, max_size=m))
    t = draw(st.lists(_unit(*span), min_size=m, max_size=m))
    if not kinks:
        for i in range(m):
            while np.min(np.abs(x - t[i])) < gap:
                t[i] += gap
    beta = draw(_unit(-1, 1))
    return {"kind": "univariate", "v": v, "w": w, "b": [float(wi * ti) for wi, ti in zip(w, t, strict=True)], "beta": beta}


def rescalings(min_value: float = 1.0, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """A positive scale c (log-uniform-ish: shrinks towards ``min_value``)."""
    return _unit(0.0, 1.0).map(lambda u: float(min_value * (max_value / min_value) ** u))


def step_sizes(min_value: float = 1e-3, max_value: float = 10.0) -> st.SearchStrategy[float]:
    """A GD step size η."""
    return rescalings(min_value, max_value)


def sign_fitting_networks(min_scale: float = 1.0, max_scale: float = 10.0) -> st.SearchStrategy[Doc]:
    """A ``[model]`` table: the sign-fitting network of the data (U.5) scaled by c."""
    return rescalings(min_scale, max_scale).map(lambda c: {"kind": "univariate", "construction": "sign-fitting",
                                                           "scale": c})


# ---- homogeneous ----------------------------------------------------------------------------------
def _coord() -> st.SearchStrategy[float]:
    return st.tuples(st.sampled_from([-1.0, 1.0]), _unit(0.05, 3.0)).map(lambda p: p[0] * p[1])


@st.composite
def multi_index_data(draw: st.DrawFn, min_n: int = 1, max_n: int = 10, max_d: int = 4, max_r: int = 2, k: int = 1,
                     noise: float = 0.0) -> Doc:
    """A ``[data]`` table: X with coordinates in ±[0.05, 3], U = the first r basis vectors, and
    y = Σ_ℓ σ(u_ℓᵀx) for σ = ReLU^k (noise 0: the teacher interpolates)."""
    d = draw(st.integers(1, max_d))
    r = draw(st.integers(1, min(max_r, d)))
    n = draw(st.integers(min_n, max_n))
    X = draw(st.lists(st.lists(_coord(), min_size=d, max_size=d), min_size=n, max_size=n))
    Xa = np.array(X, dtype=float)
    y = np.sum(np.maximum(Xa[:, :r], 0.0) ** k, axis=1) + noise * np.asarray(
        draw(st.lists(_unit(-2, 2), min_size=n, max_size=n)))
    U = np.eye(d)[:, :r]
    link = "relu(x)" if k == 1 else f"relu(x)**{k}"
    return {"X": X, "y": [float(t) for t in y], "U": U.tolist(), "link": link, "noise": float(noise)}


@st.composite
def homogeneous_networks(draw: st.DrawFn, d: int, min_width: int = 1, max_width: int = 4, activation: str = "relu"
                         ) -> Doc:
    """A ``[model]`` table with explicit a (entries in [−2, 2]) and W (m × d, coordinates in ±[0.05, 3]),
    width in [min_width, max_width], and the activation named as in a case file."""
    m = draw(st.integers(min_width, max_width))
    a = draw(st.lists(_unit(-2, 2), min_size=m, max_size=m))
    W = draw(st.lists(st.lists(_coord(), min_size=d, max_size=d), min_size=m, max_size=m))
    return {"kind": "homogeneous", "a": a, "W": W, "activation": activation}


def interpolators(activation: str = "relu") -> st.SearchStrategy[Doc]:
    """A ``[model]`` table that interpolates the data of :func:`multi_index_data`: the teacher or the memoriser."""
    return st.sampled_from(["teacher", "memoriser"]).map(
        lambda how: {"kind": "homogeneous", "construction": how, "activation": activation})


# ---- whole cases ----------------------------------------------------------------------------------
def case(data: dict, model: dict, *, params: dict | None = None, loss: dict | None = None) -> dict:
    """A case document from its ``[data]``, ``[model]``, ``[params]`` and ``[loss]`` tables (what a claim's
    ``strategy`` draws; :func:`cases` fills in ``[case]``)."""
    doc = {"case": {}, "data": data, "model": model}
    if params:
        doc["params"] = params
    if loss:
        doc["loss"] = loss
    return doc


def _case(claim_id: str, data: dict, model: dict, params: dict | None = None, loss: dict | None = None) -> dict:
    doc = case(data, model, params=params, loss=loss)
    doc["case"]["claim"] = claim_id
    return doc


@st.composite
def _univariate_case(draw: st.DrawFn, claim_id: str) -> Doc:
    data = draw(univariate_data(with_law=claim_id == "logistic.uncertain-set" or False))
    model = draw(univariate_networks(data["x"]))
    loss = {"kind": draw(st.sampled_from(["logistic", "square"]))} if claim_id in (
        "univariate.hessian-structure", "logistic.weighted-tv", "univariate.rescaling", "univariate.eta-flat") \
        else None
    params = {"univariate.eta-flat": lambda: {"eta": draw(step_sizes())},
              "logistic.uncertain-set": lambda: {"delta": draw(_unit(0.01, 0.25)), "grid": 2001},
              "univariate.rescaling": lambda: {"c_max": draw(_unit(1.0, 20.0)), "seed": draw(st.integers(0, 9))},
              }.get(claim_id, dict)()
    if loss and loss["kind"] == "square":
        data["y"] = [float(t) for t in data["y"]]
    return _case(claim_id, data, model, params, loss)


@st.composite
def _norm_bound_case(draw: st.DrawFn, claim_id: str) -> Doc:
    """Logistic data with its law, a network of any scale (small ones often lie in the weight-decay sublevel set
    J ≤ log 2), weight decay 0 to 10."""
    data = draw(univariate_data(min_n=1, max_n=30))
    model = draw(univariate_networks(data["x"], scale=draw(st.sampled_from([0.25, 0.5, 2.0, 50.0]))))
    loss = {"kind": "logistic", "weight_decay": draw(st.sampled_from([0.0, 0.01, 0.1, 1.0, 10.0]))}
    params = {"delta": draw(_unit(0.01, 0.5))}
    if draw(st.booleans()):
        params["x_max"] = draw(_unit(0.1, 3.0))
    return _case(claim_id, data, model, params, loss)


@st.composite
def _scaled_sign_fitting_case(draw: st.DrawFn, claim_id: str) -> Doc:
    data = draw(univariate_data(min_n=2, max_n=30))
    model = draw(sign_fitting_networks(1.0, 8.0))
    params = ({"eta": draw(step_sizes(0.1, 10.0)), "excess": 0.05} if claim_id == "logistic.flat-implies-bayes"
              else {"epsilon": draw(_unit(1e-3, 1.0)), "excess": 0.0})
    return _case(claim_id, data, model, params)


@st.composite
def _gd_case(draw: st.DrawFn, claim_id: str) -> Doc:
    if claim_id == "univariate.stability":
        data = draw(univariate_data(min_n=3, max_n=10, with_law=False))
        model = {"kind": "univariate", "construction": "gd", "width": draw(st.integers(4, 10)),
                 "seed": draw(st.integers(0, 100)), "eta": 0.2, "steps": draw(st.integers(500, 3000))}
        return _case(claim_id, data, model, {"steps": 100}, {"kind": "square"})
    if claim_id == "logistic.region-generalisation":
        data = draw(univariate_data(min_n=10, max_n=60))
        model = {"kind": "univariate", "construction": "gd", "width": draw(st.integers(2, 12)),
                 "seed": draw(st.integers(0, 100)), "eta": draw(step_sizes(0.1, 2.0)), "steps": draw(st.integers(50, 400))}
        return _case(claim_id, data, model, {"delta": draw(_unit(0.05, 0.25)), "excess": 0.05})
    data = draw(univariate_data(min_n=4, max_n=30, with_law=False))
    model = {"kind": "univariate", "construction": "gd", "width": draw(st.integers(2, 12)),
             "seed": draw(st.integers(0, 100)), "eta": draw(step_sizes(0.5, 4.0)), "steps": draw(st.integers(50, 300))}
    return _case(claim_id, data, model, {"slack": 0.25})


@st.composite
def _homogeneous_case(draw: st.DrawFn, claim_id: str) -> Doc:
    if claim_id == "homogeneous.relu-sample-bound":
        data = draw(multi_index_data(min_n=4, max_n=12))   # with one active sample Cauchy–Schwarz is an equality
        d = len(data["X"][0])
        return _case(claim_id, data, draw(homogeneous_networks(d)))
    if claim_id == "homogeneous.flattest-interpolator":
        data = draw(multi_index_data(min_n=3, max_n=12))
        return _case(claim_id, data, {"kind": "homogeneous", "construction": "flattest",
                                      "dictionary": draw(st.integers(5, 60)), "seed": draw(st.integers(0, 9)),
                                      "include_teacher": True}, {"mse": 0.05, "samples": 2000})
    k = draw(st.sampled_from([1, 2]))
    data = draw(multi_index_data(k=k))
    act = "relu" if k == 1 else f"relu^{k}"
    params = {"interpolation_tol": 1e-7}
    if claim_id == "homogeneous.flat-by-rescaling":
        params["epsilon"] = draw(_unit(1e-3, 1.0))
    return _case(claim_id, data, draw(interpolators(act)), params)


@st.composite
def _homogeneous_any_theta_case(draw: st.DrawFn, claim_id: str) -> Doc:
    data = draw(multi_index_data())
    act = draw(st.sampled_from(["relu", "relu^2", "relu^3", "abs^2", "leaky_relu(0.2)"]))
    model = draw(homogeneous_networks(len(data["X"][0]), activation=act))
    params: dict[str, Any]
    if claim_id == "homogeneous.factorisation":
        params = {"neuron": 0, "copies": draw(st.integers(1, 8))}
    else:
        params = {"eta": draw(_unit(1e-3, 0.05)), "steps": draw(st.integers(1, 40))}
    return _case(claim_id, data, model, params)


@st.composite
def _gaussian_case(draw: st.DrawFn, claim_id: str) -> Doc:
    if claim_id == "homogeneous.gaussian-constant":
        d = draw(st.integers(1, 10))
        data = {"generator": "multi-index", "d": d, "r": 1, "n": draw(st.integers(200, 5000)),
                "seed": draw(st.integers(0, 1000)), "link": "relu(x)"}
        model = {"kind": "homogeneous", "construction": "random", "activation": draw(st.sampled_from(["relu", "relu^2"])),
                 "width": draw(st.integers(1, 4)), "seed": draw(st.integers(0, 1000))}
        return _case(claim_id, data, model, {"C": 10.0})
    # the probe's regime (flatproof math M.4): Gaussian x, n = d from 50 to 200, a ReLU teacher of one or two
    # directions, and the claim's own ρ. Below it the claim says nothing: at n = d = 5 the memoriser can be
    # flatter than the teacher, so small d made the probe "violated" by its own generated cases
    d = draw(st.integers(50, 200))
    data = {"generator": "multi-index", "d": d, "r": draw(st.integers(1, 2)), "n": d, "seed": draw(st.integers(0, 1000)),
            "link": "relu(x)"}
    return _case(claim_id, data, {"kind": "homogeneous", "construction": "memoriser"}, {})


_BUILDERS = {
    "homogeneous.factorisation": _homogeneous_any_theta_case, "homogeneous.conservation": _homogeneous_any_theta_case,
    "homogeneous.gaussian-constant": _gaussian_case, "homogeneous.memoriser-sharper": _gaussian_case,
    "univariate.hessian-structure": _univariate_case, "univariate.eta-flat": _univariate_case,
    "logistic.uncertain-set": _univariate_case, "logistic.weighted-tv": _univariate_case,
    "univariate.rescaling": _univariate_case,
    "logistic.flat-at-infinity": _scaled_sign_fitting_case, "logistic.flat-implies-bayes": _scaled_sign_fitting_case,
    "logistic.edge-of-stability": _gd_case, "univariate.stability": _gd_case,
    "logistic.region-generalisation": _gd_case, "logistic.norm-bound": _norm_bound_case,
    "homogeneous.trace-at-interpolator": _homogeneous_case, "homogeneous.orbit-minimum": _homogeneous_case,
    "homogeneous.relu-sample-bound": _homogeneous_case, "homogeneous.flattest-interpolator": _homogeneous_case,
    "homogeneous.flat-by-rescaling": _homogeneous_case,
}


def _builder(claim_id: str) -> Callable[[str], st.SearchStrategy[Doc]] | None:
    """The strategy of the claim, or of the nearest shipped claim it subclasses (a user's variant of a
    shipped claim — e.g. a copy with another constant — is tested on the same instances)."""
    claim = get_claim(claim_id, field="CLAIM")
    for cls in type(claim).__mro__:
        cid = getattr(cls, "id", None)
        if cid in _BUILDERS:
            return _BUILDERS[cid]
    return None


def _own_strategy(claim: Claim) -> st.SearchStrategy[Doc] | None:
    """The strategy a claim gives itself: its ``strategy()`` method, returning case documents."""
    fn = getattr(claim, "strategy", None)
    if fn is None:
        return None
    strat = fn()
    if not isinstance(strat, st.SearchStrategy):
        raise TypeError(f"{claim.id}.strategy() must return a hypothesis strategy of case documents "
                        f"(flatproof.strategies.case(data, model, ...)), got {type(strat).__name__}")
    return strat


def has_strategy(claim_id: str) -> bool:
    return callable(getattr(get_claim(claim_id, field="CLAIM"), "strategy", None)) or _builder(claim_id) is not None


def cases(claim_id: str, *, params: dict | None = None, mode: str = "float") -> st.SearchStrategy[Doc]:
    """Whole case documents (dicts) for ``claim_id``; ``params`` override the drawn claim parameters."""
    claim = get_claim(claim_id, field="CLAIM")
    own = _own_strategy(claim)
    builder = _builder(claim_id)

    def finish(doc: Doc) -> Doc:
        doc["case"]["claim"] = claim_id
        doc["case"]["mode"] = mode
        if params:
            doc.setdefault("params", {}).update(params)
        claim.parse_params(doc.get("params", {}))
        return doc
    if own is not None:
        return own.map(lambda doc: finish(_copy_doc(doc)))
    if builder is None:
        raise KeyError(f"no strategy for {claim_id}: give the claim a strategy() method (docs/check.md)")
    base_id = next(cid for c in type(claim).__mro__ if (cid := getattr(c, "id", None)) in _BUILDERS)
    return builder(base_id).map(finish)


def _copy_doc(doc: object) -> Doc:
    if not isinstance(doc, dict) or not isinstance(doc.get("case", {}), dict):
        raise TypeError(f"a claim strategy must draw case documents (dicts of tables), got {type(doc).__name__}")
    return {k: dict(v) for k, v in doc.items()} | {"case": dict(doc.get("case", {}))}


def instances(claim_id: str, *, params: dict | None = None, mode: str = "float") -> st.SearchStrategy[Case]:
    """Built :class:`flatproof.Case` objects (``case.verify()`` returns the verdict)."""
    from .casefile import load_case_dict
    return cases(claim_id, params=params, mode=mode).map(lambda doc: load_case_dict(doc, f"<{claim_id} instance>"))
