"""Model families: everything that differs between the univariate network (flatproof math U) and the
homogeneous network (flatproof math M), in one object per family.

A :class:`ModelFamily` names its network, sample and problem types, the fields that write a network or
a sample out in a case file, the loss it defaults to, and how to build its curvature oracle. Code that
used to branch on ``kind == "univariate"`` asks :func:`family` instead, so adding a model means one
module that registers one family (and its constructions in :mod:`flatproof.instances.constructions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .._errors import InputError
from .._schema import Field
from ..measures.homogeneous_hessian import HomogeneousOracle, HomogeneousProblem
from ..measures.univariate_hessian import UnivariateProblem, univariate_oracle
from ..model import constructions as C
from ..model.activations import Activation, parse_activation
from ..model.data import MultiIndexData, UnivariateData
from ..model.homogeneous import HomogeneousNet
from ..model.univariate import UnivariateNet
from ..vocab import ModelKind

__all__ = ["FAMILIES", "ModelFamily", "family", "register_family"]


@dataclass(frozen=True)
class ModelFamily:
    """One model: its types, its explicit fields in a case file, its default loss, its oracle."""

    kind: ModelKind
    doc: str
    net_type: type
    data_type: type
    problem_type: type
    net_fields: tuple[Field, ...]            # the network written out in [model] (or its .npz)
    data_fields: tuple[Field, ...]           # the sample written out in [data] (or its .npz)
    default_loss: str                        # "logistic" or "square"
    default_factor: float                    # the loss's factor (1/(2n) vs 1/n conventions)
    has_activation: bool                     # does [model] take an ``activation``?
    make_net: Callable[[dict[str, Any], Activation | None], Any]
    make_data: Callable[[dict[str, Any]], Any]
    make_oracle: Callable[..., Any]          # (problem, net, **options) -> CurvatureOracle
    net_values: Callable[[Any], dict[str, Any]]          # a network → its net_fields (the inverse of make_net)
    data_values: Callable[[Any], dict[str, Any]]         # a sample → its data_fields (the inverse of make_data)
    random_net: Callable[..., Any]           # (width, d, activation, rng, scale=) -> a random network
    oracle_methods: tuple[str, ...] = ()     # the oracle's choices of ``method`` (none: only its one method)
    check_shapes: Callable[[Any, Any], None] = lambda net, data: None   # InputError if net and data do not fit

    def dimension(self, data: Any) -> int:
        """The input dimension d of a sample of this family (1 for the univariate model)."""
        return int(getattr(data, "d", 1))

    def problem(self, data: Any, loss: Any, weight_decay: float = 0.0) -> Any:
        return self.problem_type(data, loss, weight_decay)

    def oracle(self, problem: Any, net: Any, *, method: str = "fast", **options: Any) -> Any:
        """The curvature oracle of ``net`` on ``problem`` (``method``: one of :attr:`oracle_methods`, if any)."""
        if self.oracle_methods:
            return self.make_oracle(problem, net, method=method, **options)
        if method != "fast":
            raise InputError(f"the {self.kind} model has no choice of method", field="measure.method")
        return self.make_oracle(problem, net, **options)

    def activation(self, value: Any, field: str = "model.activation") -> Activation | None:
        """The activation named in [model] (``relu`` by default), or None for a family without one."""
        if not self.has_activation:
            return None
        try:
            return parse_activation("relu" if value is None else value)
        except InputError as exc:
            raise InputError(exc.reason, field=field) from None


FAMILIES: dict[str, ModelFamily] = {}


def register_family(fam: ModelFamily) -> ModelFamily:
    FAMILIES[str(fam.kind)] = fam
    return fam


def family(kind: Any, field: str = "model.kind") -> ModelFamily:
    """The family of a model kind, or an InputError naming the field and the known kinds."""
    if not isinstance(kind, str) or kind not in FAMILIES:
        raise InputError(f"unknown model kind {kind!r} ({' or '.join(sorted(FAMILIES))})", field=field)
    return FAMILIES[kind]


def _homogeneous_net(f: dict[str, Any], act: Activation | None) -> HomogeneousNet:
    if act is None:
        raise InputError("the homogeneous network needs its activation", field="model.activation")
    return HomogeneousNet(f["a"], f["W"], act)


def _homogeneous_shapes(net: HomogeneousNet, data: MultiIndexData) -> None:
    if net.d != data.d:
        raise InputError(f"W has {net.d} columns but the data have d = {data.d}", field="model.W")


register_family(ModelFamily(
    kind=ModelKind.UNIVARIATE,
    doc="f(x) = Σ_i v_i (w_i x − b_i)_+ + β, x ∈ R (flatproof math U.1)",
    net_type=UnivariateNet, data_type=UnivariateData, problem_type=UnivariateProblem,
    net_fields=(Field("v", "vector", "outer weights v_i", required=True, in_npz=True),
                Field("w", "vector", "inner weights w_i", required=True, in_npz=True),
                Field("b", "vector", "knot offsets b_i (knot t_i = b_i/w_i; a PyTorch bias is −b_i)",
                      required=True, in_npz=True),
                Field("beta", "number", "output bias β", default=0.0, in_npz=True)),
    data_fields=(Field("x", "vector", "inputs x_j", required=True, in_npz=True),
                 Field("y", "vector", "labels y_j (±1 for the logistic loss)", required=True, in_npz=True)),
    default_loss="logistic", default_factor=0.5, has_activation=False,
    make_net=lambda f, act: UnivariateNet(f["v"], f["w"], f["b"], f["beta"]),
    make_data=lambda f: UnivariateData(f["x"], f["y"]),
    make_oracle=univariate_oracle,
    net_values=lambda net: {"v": net.v, "w": net.w, "b": net.b, "beta": float(net.beta)},
    data_values=lambda data: {"x": data.x, "y": data.y},
    random_net=lambda width, d, act, rng, scale=1.0: C.random_univariate(width, rng, scale=scale),
    oracle_methods=("fast", "dense"),
))

register_family(ModelFamily(
    kind=ModelKind.HOMOGENEOUS,
    doc="f(x) = Σ_j a_j σ(w_jᵀx), x ∈ R^d, σ positively homogeneous of degree k (flatproof math M.1)",
    net_type=HomogeneousNet, data_type=MultiIndexData, problem_type=HomogeneousProblem,
    net_fields=(Field("a", "vector", "outer weights a_j", required=True, in_npz=True),
                Field("W", "matrix", "inner weights, one row w_j per neuron (m × d)", required=True, in_npz=True)),
    data_fields=(Field("X", "matrix", "inputs, one row x_i per point (n × d)", required=True, in_npz=True),
                 Field("y", "vector", "targets y_i", required=True, in_npz=True)),
    default_loss="square", default_factor=1.0, has_activation=True,
    make_net=_homogeneous_net,
    make_data=lambda f: MultiIndexData(f["X"], f["y"]),
    make_oracle=HomogeneousOracle,
    net_values=lambda net: {"a": net.a, "W": net.W},
    data_values=lambda data: {"X": data.X, "y": data.y},
    random_net=lambda width, d, act, rng, scale=1.0: C.random_homogeneous(width, d, act, rng, scale=scale),
    check_shapes=_homogeneous_shapes,
))
