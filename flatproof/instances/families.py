"""Model families: everything that differs between the univariate network (flatproof math U) and the
homogeneous network (flatproof math M), in one object per family.

A :class:`ModelFamily` names its network, sample and problem types, the fields that write a network or
a sample out in a case file, the loss it defaults to, how to build its curvature oracle, its PyTorch
layout (:class:`TorchLayout`, read and written by :mod:`flatproof.io`) and its CSV header
(:class:`CsvForm`). Code that used to branch on ``kind == "univariate"`` asks :func:`family` instead, so
adding a model means one module that registers one family (and its constructions in
:mod:`flatproof.instances.constructions`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

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

__all__ = ["FAMILIES", "CsvForm", "ModelFamily", "Take", "TorchLayout", "family", "family_of_net",
           "register_family"]

# (role, expected shape, what it is in torch's terms) -> that array as float64, or an InputError when the
# state dict lacks its key or holds another shape (flatproof.io locates the key and words the messages)
Take = Callable[[str, tuple[int, ...], str], np.ndarray]


@dataclass(frozen=True)
class TorchLayout:
    """A family's network as a PyTorch ``nn.Sequential`` and its state dict (docs/networks.md).

    flatproof.io finds the keys (a prefix, a key map) and refuses every other key; the family says which
    roles there are, how the located arrays make its network, and the way back. Every layout has the role
    ``hidden_weight``, an m × d matrix whose shape gives m and d to ``assemble``.

    ``module(nn, net, activation_module)`` builds the ``nn.Sequential`` (parameters not yet loaded) from
    ``torch.nn``; ``activation_module`` gives the torch module of a flatproof activation. ``sample(x, y)``
    is the family's data from inputs and labels, the inputs reshaped as the model reads them.
    """

    roles: tuple[tuple[str, str], ...]       # (role, state-dict key without prefix), in the order they are read
    architecture: str                        # the module, as messages name it
    inputs: str                              # the hidden weight's columns in messages ("1", "d")
    assemble: Callable[[Take, int, int, Activation | None], Any]     # (take, m, d, activation) -> network
    state_dict: Callable[[Any], dict[str, np.ndarray]]               # network -> float64 state dict, no prefix
    module: Callable[[Any, Any, Callable[[Activation], Any]], Any]
    sample: Callable[[np.ndarray, np.ndarray], Any]

    @property
    def keys(self) -> dict[str, str]:
        """role -> state-dict key (no prefix)."""
        return dict(self.roles)

    @property
    def has_bias(self) -> bool:
        """Does the module have biases (``nn.Linear(..., bias=True)``)?"""
        return any(role.endswith("bias") for role, _ in self.roles)


@dataclass(frozen=True)
class CsvForm:
    """A family's data as a CSV file: a header of input columns, then ``y``."""

    header: str                              # as messages name it: "x,y" or "x1,...,xd,y"
    inputs: str                              # the data field the input columns fill
    columns: int | None                      # input columns (None: any d); with 1, a vector, headed x or x1

    def reads(self, xs: list[str], *, alias: bool = True) -> bool:
        """Does this family read the input columns named ``xs``? One column is ``x``, or ``x1`` when ``alias``
        (the model is named; unnamed, ``x1,...,xd,y`` is the header of d input columns for any d)."""
        if self.columns == 1 and xs == ["x"]:
            return True
        if self.columns == 1 and not alias:
            return False
        return bool(xs) and xs == [f"x{i}" for i in range(1, len(xs) + 1)] and self.columns in (None, len(xs))

    def arrays(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """The data fields from the CSV's rows (inputs, then y)."""
        inputs = values[:, 0] if self.columns == 1 else values[:, :-1]
        return {self.inputs: inputs.copy(), "y": values[:, -1].copy()}


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
    layout: TorchLayout                      # its PyTorch module and state dict (flatproof.io)
    csv: CsvForm                             # its data as a CSV file (flatproof.io)
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


def family(kind: Any, field: str | None = "model.kind") -> ModelFamily:
    """The family of a model kind, or an InputError naming the field (if any) and the known kinds."""
    if not isinstance(kind, str) or kind not in FAMILIES:
        raise InputError(f"unknown model kind {kind!r} ({' or '.join(FAMILIES)})", field=field)
    return FAMILIES[kind]


def family_of_net(net: Any) -> ModelFamily | None:
    """The family whose network type ``net`` is, or None."""
    return next((fam for fam in FAMILIES.values() if isinstance(net, fam.net_type)), None)


def _homogeneous_net(f: dict[str, Any], act: Activation | None) -> HomogeneousNet:
    if act is None:
        raise InputError("the homogeneous network needs its activation", field="model.activation")
    return HomogeneousNet(f["a"], f["W"], act)


def _homogeneous_shapes(net: HomogeneousNet, data: MultiIndexData) -> None:
    if net.d != data.d:
        raise InputError(f"W has {net.d} columns but the data have d = {data.d}", field="model.W")


def _univariate_from_torch(take: Take, m: int, d: int, act: Activation | None) -> UnivariateNet:
    W = take("hidden_weight", (m, 1), f"nn.Linear(1, {m}).weight")
    bias = take("hidden_bias", (m,), f"nn.Linear(1, {m}).bias")
    out = take("output_weight", (1, m), f"nn.Linear({m}, 1).weight")
    beta = take("output_bias", (1,), f"nn.Linear({m}, 1).bias")
    return UnivariateNet(out[0], W[:, 0], -bias, float(beta[0]))      # torch adds its bias, flatproof subtracts b


def _univariate_state_dict(net: UnivariateNet) -> dict[str, np.ndarray]:
    return {"0.weight": net.w.reshape(-1, 1).copy(), "0.bias": -net.b, "2.weight": net.v.reshape(1, -1).copy(),
            "2.bias": np.array([net.beta])}


def _univariate_sample(x: np.ndarray, y: np.ndarray) -> UnivariateData:
    return UnivariateData(x[:, 0] if x.ndim == 2 and x.shape[1] == 1 else x, y)


def _homogeneous_from_torch(take: Take, m: int, d: int, act: Activation | None) -> HomogeneousNet:
    W = take("hidden_weight", (m, d), f"nn.Linear({d}, {m}, bias=False).weight")
    out = take("output_weight", (1, m), f"nn.Linear({m}, 1, bias=False).weight")
    if act is None:
        raise InputError("the homogeneous network needs its activation named (relu, leaky_relu(a), relu^k, abs^k)")
    return HomogeneousNet(out[0], W, act)


def _homogeneous_module(nn: Any, net: HomogeneousNet, activation_module: Callable[[Activation], Any]) -> Any:
    return nn.Sequential(nn.Linear(net.d, net.m, bias=False), activation_module(net.activation),
                         nn.Linear(net.m, 1, bias=False))


def _homogeneous_sample(x: np.ndarray, y: np.ndarray) -> MultiIndexData:
    return MultiIndexData(x[:, None] if x.ndim == 1 else x, y)


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
    layout=TorchLayout(
        roles=(("hidden_weight", "0.weight"), ("hidden_bias", "0.bias"), ("output_weight", "2.weight"),
               ("output_bias", "2.bias")),
        architecture="nn.Sequential(nn.Linear(1, m), nn.ReLU(), nn.Linear(m, 1))", inputs="1",
        assemble=_univariate_from_torch, state_dict=_univariate_state_dict,
        module=lambda nn, net, activation_module: nn.Sequential(nn.Linear(1, net.m), nn.ReLU(), nn.Linear(net.m, 1)),
        sample=_univariate_sample),
    csv=CsvForm(header="x,y", inputs="x", columns=1),
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
    layout=TorchLayout(
        roles=(("hidden_weight", "0.weight"), ("output_weight", "2.weight")),
        architecture="nn.Sequential(nn.Linear(d, m, bias=False), act, nn.Linear(m, 1, bias=False))", inputs="d",
        assemble=_homogeneous_from_torch,
        state_dict=lambda net: {"0.weight": net.W.copy(), "2.weight": net.a.reshape(1, -1).copy()},
        module=_homogeneous_module, sample=_homogeneous_sample),
    csv=CsvForm(header="x1,...,xd,y", inputs="X", columns=None),
    check_shapes=_homogeneous_shapes,
))
