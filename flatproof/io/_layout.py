"""Which state-dict keys hold which parameters of flatproof's networks (docs/networks.md); each model
family's :class:`~flatproof.instances.families.TorchLayout` names its roles, keys and module, and this
module finds the keys and checks them, the same way for every family.

Univariate network ``nn.Sequential(nn.Linear(1, m), nn.ReLU(), nn.Linear(m, 1))``::

    w = 0.weight[:, 0]     b = −0.bias     v = 2.weight[0]     β = 2.bias[0]

(PyTorch computes ``w x + bias``, flatproof ``w x − b``: b is minus the bias.)

Homogeneous network ``nn.Sequential(nn.Linear(d, m, bias=False), act, nn.Linear(m, 1, bias=False))``::

    W = 0.weight (m × d)     a = 2.weight[0]

Keys may carry a prefix (``model.0.weight``: found automatically when only one prefix fits), and
a key map names other layouts role by role: ``hidden_weight``, ``hidden_bias``, ``output_weight``,
``output_bias`` (the last two of the univariate network only for the biases). Every other key is
refused, so an extra layer or a bias the model does not have is an error, never ignored. float32
tensors are widened to float64, which is exact.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

import numpy as np

from .._errors import InputError
from ..instances.families import FAMILIES, ModelFamily, family, family_of_net
from ..model.activations import Activation

T = TypeVar("T")


class _PerFamily(Mapping[str, T]):
    """A read-only view, kind -> one thing of each registered family's torch layout."""

    def __init__(self, get: Callable[[ModelFamily], T]) -> None:
        self._get = get

    def __getitem__(self, kind: str) -> T:
        return self._get(FAMILIES[kind])

    def __iter__(self) -> Iterator[str]:
        return iter(FAMILIES)

    def __len__(self) -> int:
        return len(FAMILIES)

    def __repr__(self) -> str:
        return repr(dict(self))


ROLES: Mapping[str, dict[str, str]] = _PerFamily(lambda fam: fam.layout.keys)    # kind -> role -> key
ARCHITECTURE: Mapping[str, str] = _PerFamily(lambda fam: fam.layout.architecture)


def _keys_for(sd: dict, kind: str, prefix: str | None, keys: dict | None) -> dict[str, str]:
    """role -> state-dict key."""
    roles = FAMILIES[kind].layout.keys
    if keys is not None:
        if not isinstance(keys, dict):
            raise InputError("the key map is a table of role = \"state-dict key\"")
        for role, key in keys.items():
            if role not in roles:
                raise InputError(f"unknown role {role!r} in the key map (roles of the {kind} network: "
                                 f"{', '.join(roles)})")
            if not isinstance(key, str):
                raise InputError(f"key map role {role!r}: expected a key string, got {type(key).__name__}")
        missing = [r for r in roles if r not in keys]
        if missing:
            raise InputError(f"the key map lacks the role {missing[0]!r} (the {kind} network needs "
                             f"{', '.join(roles)})")
        return dict(keys)
    if prefix is None:
        found = sorted({k[:-len("0.weight")] for k in sd if k == "0.weight" or k.endswith(".0.weight")})
        if not found:
            raise InputError(f"no key '0.weight' (or PREFIX.0.weight): expected the state dict of "
                             f"{FAMILIES[kind].layout.architecture}; keys found: {', '.join(list(sd)[:6])}"
                             f"{' ...' if len(sd) > 6 else ''} (give a prefix or a key map)")
        if len(found) > 1:
            raise InputError(f"several layers could be the hidden one ({', '.join(p + '0.weight' for p in found)}): "
                             f"give the prefix")
        prefix = found[0]
    elif not isinstance(prefix, str):
        raise InputError(f"the prefix must be a string, got {type(prefix).__name__}")
    elif prefix and not prefix.endswith("."):
        prefix += "."
    return {role: prefix + k for role, k in roles.items()}


def _shaped(sd: dict[str, np.ndarray], key: str, shape: tuple[int, ...], what: str) -> np.ndarray:
    if key not in sd:
        raise InputError(f"missing key {key!r} ({what})")
    arr = sd[key]
    if arr.shape != shape:
        raise InputError(f"key {key!r}: expected shape {tuple(shape)} ({what}), got {tuple(arr.shape)}")
    return arr.astype(np.float64)      # float32 -> float64 is exact


def net_from_state_dict(sd: dict, kind: str | None, *, activation: Activation | None = None, prefix: str | None = None,
                        keys: dict | None = None) -> tuple[Any, list[str]]:
    """(network, notes) from a state dict of float32/float64 arrays; notes say what was widened."""
    fam = family(kind, field=None)
    layout = fam.layout
    where = _keys_for(sd, fam.kind, prefix, keys)
    used = set(where.values())
    for k in sd:
        if k not in used:
            why = (f"a bias the {fam.kind} network does not have (nn.Linear(..., bias=False))"
                   if not layout.has_bias and k.endswith("bias") else "an extra layer or buffer?")
            raise InputError(f"unexpected key {k!r}: the {fam.kind} network is {layout.architecture} with the keys "
                             f"{', '.join(where.values())} only ({why})")
    hidden = sd.get(where["hidden_weight"])
    if hidden is None:
        raise InputError(f"missing key {where['hidden_weight']!r} (the hidden layer's weight)")
    if hidden.ndim != 2:
        raise InputError(f"key {where['hidden_weight']!r}: expected a matrix (m × {layout.inputs}),"
                         f" got shape {tuple(hidden.shape)}")

    def take(role: str, shape: tuple[int, ...], what: str) -> np.ndarray:
        return _shaped(sd, where[role], shape, what)

    net = layout.assemble(take, hidden.shape[0], hidden.shape[1], activation)
    narrow = [k for k in where.values() if sd[k].dtype == np.float32]
    notes = [f"float32 weights ({', '.join(narrow)}) widened exactly to float64"] if narrow else []
    return net, notes


def state_dict_from_net(net: Any) -> dict[str, np.ndarray]:
    """The float64 state dict (PyTorch layout, no prefix) of a flatproof network: the inverse map."""
    fam = family_of_net(net)
    if fam is None:
        raise TypeError(f"expected a {' or '.join(f.net_type.__name__ for f in FAMILIES.values())}, "
                        f"got {type(net).__name__}")
    return fam.layout.state_dict(net)
