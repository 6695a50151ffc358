"""PyTorch modules in and out: :func:`from_torch` (module + data → :class:`~flatproof.Instance`) and
:func:`to_torch` (network → ``nn.Sequential`` in float64 with exactly the same parameters)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .._errors import InputError
from ..instances.families import FAMILIES, ModelFamily, family, family_of_net
from ..model.activations import Activation, leaky_relu, parse_activation, relu
from ._formats import require, tensor_to_numpy
from ._layout import net_from_state_dict, state_dict_from_net

if TYPE_CHECKING:
    from ..instances.instance import Instance


def as_array(value: Any, name: str) -> np.ndarray:
    """A torch tensor, numpy array or list as a float64 numpy array (float32 widened exactly)."""
    if hasattr(value, "detach"):
        value = tensor_to_numpy(name, value)
    try:
        return np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError("expected numbers (a tensor, array or list)", field=name) from None


def _activation_of(module: Any) -> Activation | None:
    """The activation of ``module[1]`` when it is one torch names exactly (ReLU, LeakyReLU)."""
    try:
        act = module[1]
    except (TypeError, IndexError, KeyError):
        return None
    name = type(act).__name__
    if name == "ReLU":
        return relu()
    if name == "LeakyReLU":
        return leaky_relu(float(act.negative_slope))
    spec = getattr(act, "flatproof_activation", None)   # the power activations to_torch builds
    return parse_activation(spec) if isinstance(spec, str) else None


def _guess_family(sd: dict[str, np.ndarray]) -> ModelFamily:
    """The family a state dict is of when no kind is given: the first whose module has biases if it has any."""
    biased = any(k.endswith("bias") for k in sd)
    found = next((fam for fam in FAMILIES.values() if fam.layout.has_bias == biased), None)
    if found is None:
        raise InputError(f"no model {'with' if biased else 'without'} biases: give the kind", field="kind")
    return found


def from_torch(module: Any, x: Any, y: Any, loss: str = "logistic", *, kind: str | None = None,
               activation: Activation | str | None = None, weight_decay: float = 0.0, factor: float | None = None,
               prefix: str | None = None, keys: dict | None = None) -> Instance:
    """An :class:`~flatproof.Instance` from a trained ``torch.nn`` module (or its state dict) and its data.

    ``kind`` is found from the shapes when not given: inputs x of shape (n,) or (n, 1) with a
    hidden bias make the univariate network, inputs X of shape (n, d) without biases the homogeneous
    one (whose activation is read from ``module[1]`` when it is ReLU or LeakyReLU, else give
    ``activation="relu^2"`` etc.). ``loss`` is ``"logistic"`` (labels ±1) or ``"square"``; ``factor``
    defaults to 1/2 for the univariate model and 1 for the homogeneous one (flatproof math U.1, M.1).
    """
    from ..instances.instance import Instance
    from ..model.losses import Loss

    sd = module.state_dict() if hasattr(module, "state_dict") else module
    sd = {k: tensor_to_numpy(k, t) for k, t in sd.items()}
    X = as_array(x, "x")
    y = as_array(y, "y").reshape(-1)
    fam = _guess_family(sd) if kind is None else family(kind, field=None)
    kind = str(fam.kind) if kind is None else kind
    data = fam.layout.sample(X, y)
    act = None
    if fam.has_activation:
        if isinstance(activation, str):
            activation = parse_activation(activation)
        act = activation or (_activation_of(module) if hasattr(module, "state_dict") else None)
    net, notes = net_from_state_dict(sd, kind, activation=act, prefix=prefix, keys=keys)
    loss_obj = Loss(loss, fam.default_factor if factor is None else factor)
    loss_obj.check_labels(data.y)
    prov: dict[str, Any] = {"construction": "explicit", "source": f"from_torch({type(module).__name__})"}
    if notes:
        prov["notes"] = tuple(notes)
    return Instance(kind, data, net, loss_obj, float(weight_decay), provenance=prov)


def _power_module(torch: Any, act: Activation) -> Any:
    class Power(torch.nn.Module):
        """σ(t) = (t)_+^k or |t|^k, as flatproof defines it."""

        flatproof_activation = act.name

        def forward(self, t: Any) -> Any:
            base = torch.relu(t) if act.family == "relu_power" else torch.abs(t)
            return base ** act.k

        def extra_repr(self) -> str:
            return act.name
    return Power()


def _activation_module(torch: Any, act: Activation) -> Any:
    """The torch module computing ``act``: nn.ReLU, nn.LeakyReLU, or a Power module."""
    nn = torch.nn
    if act.family == "relu":
        return nn.ReLU()
    if act.family == "leaky_relu":
        return nn.LeakyReLU(act.alpha)
    return _power_module(torch, act)


def to_torch(net: Any, dtype: Any = None) -> Any:
    """``nn.Sequential`` holding exactly ``net``'s parameters (float64 unless ``dtype`` is given)."""
    torch = require("torch", "to_torch")
    dtype = torch.float64 if dtype is None else dtype
    sd = state_dict_from_net(net)
    fam = family_of_net(net)
    assert fam is not None                  # state_dict_from_net refused anything else
    module = fam.layout.module(torch.nn, net, lambda act: _activation_module(torch, act))
    module = module.to(dtype)
    module.load_state_dict({k: torch.from_numpy(np.ascontiguousarray(v)).to(dtype) for k, v in sd.items()})
    return module
