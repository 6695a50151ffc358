"""Networks and data in and out of flatproof: PyTorch modules and state-dict files, safetensors, a JSON
form, ``.npz``; data from CSV, ``.npz`` and tensors (docs/networks.md). Case files are written by
:mod:`flatproof.case_writer`, a front end.

torch and safetensors are optional (``pip install 'flatproof[torch]'``); a format that needs one says
so in a one-line :class:`~flatproof.InputError`. Everything here is float64 on flatproof's side:
float32 tensors are widened (exactly) and the instance's provenance says so.
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np

from .._errors import InputError
from ._data import read_csv, write_csv
from ._formats import FORMATS, JSON_FORMAT, read_state_dict, write_state_dict
from ._layout import ARCHITECTURE, ROLES, net_from_state_dict, state_dict_from_net
from ._torch import from_torch, to_torch

if TYPE_CHECKING:
    from ..model.activations import Activation

__all__ = ["FORMATS", "JSON_FORMAT", "ROLES", "ARCHITECTURE", "read_state_dict", "write_state_dict",
           "net_from_state_dict", "state_dict_from_net", "read_net", "write_net", "read_csv", "write_csv",
           "from_torch", "to_torch", "file_arrays", "read_npz_checked"]

def read_net(path: str | PathLike[str], kind: str, *, fmt: str | None = None, activation: Activation | str | None = None,
             prefix: str | None = None, keys: dict | None = None) -> tuple[Any, list[str]]:
    """(network, notes) from a state-dict file; ``activation`` (homogeneous) as an Activation or a name."""
    from ..model.activations import parse_activation
    if isinstance(activation, str):
        activation = parse_activation(activation)
    try:
        return net_from_state_dict(read_state_dict(path, fmt), kind, activation=activation, prefix=prefix, keys=keys)
    except InputError as exc:
        raise exc.located(file=exc.file or str(path)) from None


def write_net(path: str | PathLike[str], net: Any, fmt: str | None = None) -> Path:
    """Write a flatproof network as a float64 state dict (PyTorch layout) in the format of ``path``."""
    return write_state_dict(path, state_dict_from_net(net), fmt)


class FileArrays(dict):
    """The arrays read from a ``file = ...`` of a case table, with what the reading did (``provenance``)."""

    provenance: dict = {}


def file_arrays(table: dict, prefix: str, base: Path, kind: str | None = None) -> dict:
    """Arrays named after the table's fields, read from its ``file`` (case files, ``[model]``/``[data]``).

    ``[data]``: ``.csv`` (header x,y or x1..xd,y) or ``.npz`` (arrays x/X, y). ``[model]``: ``.npz``
    with the fields' names (v, w, b, beta or a, W), or a state dict (``.pt``, ``.pth``,
    ``.safetensors``, ``.json``, ``.npz`` with PyTorch keys), with optional ``format``, ``prefix`` and
    ``keys`` (role = "state-dict key").
    """
    from ..instances.families import family
    extra = [k for k in ("format", "prefix", "keys") if k in table and (prefix == "model" or k == "format")]
    if "file" not in table:
        if extra:
            raise InputError("only used with file = \"...\"", field=f"{prefix}.{extra[0]}")
        return FileArrays()
    for k in ("prefix", "keys"):
        if prefix != "model" and k in table:
            raise InputError("only a [model] file has state-dict keys", field=f"{prefix}.{k}")
    name, fmt = table["file"], table.get("format")
    if not isinstance(name, str) or not name:
        raise InputError("expected a path string", field=f"{prefix}.file")
    if fmt is not None and not isinstance(fmt, str):
        raise InputError(f"expected a string, got {type(fmt).__name__}", field=f"{prefix}.format")
    path = Path(base) / name
    suffix = path.suffix.lower()
    try:
        if prefix == "data":
            fmt = fmt or ("csv" if suffix == ".csv" else "npz")
            if fmt not in ("csv", "npz"):
                raise InputError(f"unknown data format {fmt!r} (csv or npz)", field="data.format")
            return FileArrays(read_csv(path, kind) if fmt == "csv" else _npz(path, prefix))
        from ._formats import format_of
        fmt = format_of(path, fmt, field=f"{prefix}.{'file' if fmt is None else 'format'}")
        if fmt == "npz":
            arrays = _npz(path, prefix)
            if kind is None or any(f.name in arrays for f in family(kind).net_fields):   # flatproof's own names
                return FileArrays(arrays)
            sd = read_state_dict(path, "npz")
        else:
            sd = read_state_dict(path, fmt)
        from ..model.activations import relu
        net, notes = net_from_state_dict(sd, kind, activation=relu(), prefix=table.get("prefix"),
                                         keys=table.get("keys"))
    except InputError as exc:
        if exc.field:
            raise
        raise InputError(f"{name}: {exc.reason}", field=f"{prefix}.file") from None
    out = FileArrays({k: np.asarray(v) for k, v in family(kind).net_values(net).items()})
    out.provenance = {"file": f"{name} ({fmt} state dict)"} | ({"notes": tuple(notes)} if notes else {})
    return out


def _npz(path: Path, prefix: str) -> dict:
    return read_npz_checked(path, f"{prefix}.file")


_NPZ_KINDS = "biuf"      # bool, integers, floats; never complex, datetime, strings, objects


def read_npz_checked(p: Path, field: str | None) -> dict:
    """The arrays of an .npz: a regular file, each member a ``.npy`` of a real dtype whose shape (read from
    its header before anything is loaded) fits in the memory limit (:mod:`flatproof._budget`)."""
    import zipfile

    from .. import _budget as budget
    from .._files import MAX_NPZ_BYTES, open_regular
    arrays = {}
    with open_regular(p, limit=MAX_NPZ_BYTES, field=field, what="npz file") as fh:
        try:
            with zipfile.ZipFile(fh) as z:
                members = z.infolist()
                total = 0
                for info in members:
                    if not info.filename.endswith(".npy"):
                        raise InputError(f"{p}: member {info.filename!r} is not a .npy array", field=field)
                    with z.open(info) as member:
                        shape, dtype = _npy_header(member, p, info.filename, field)
                    total += int(np.prod(shape, dtype=object)) * max(dtype.itemsize, 8)
                    budget.array(field, shape, dtype.itemsize, what=f"{p}: array {info.filename!r} of shape {shape}")
                budget.require(field, memory=total, what=f"{p}: its arrays together")
                for info in members:
                    with z.open(info) as member:
                        arrays[info.filename[:-4]] = np.lib.format.read_array(member, allow_pickle=False)
        except InputError:
            raise
        except (OSError, ValueError, EOFError, zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError) as exc:
            raise InputError(f"cannot read npz file {p} ({type(exc).__name__}: {exc})", field=field) from None
    return arrays


def _npy_header(member: IO[bytes], p: Path, name: str, field: str | None) -> tuple[tuple[int, ...], np.dtype]:
    try:
        version = np.lib.format.read_magic(member)
        if version == (1, 0):
            shape, _, dtype = np.lib.format.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, _, dtype = np.lib.format.read_array_header_2_0(member)
        else:
            raise ValueError(f"unsupported .npy version {version}")
    except (ValueError, EOFError, OSError, SyntaxError) as exc:
        raise InputError(f"{p}: member {name!r} is not a valid .npy array ({exc})", field=field) from None
    if dtype.kind not in _NPZ_KINDS or dtype.hasobject:
        raise InputError(f"{p}: array {name!r} has dtype {dtype} (only real numbers are accepted)", field=field)
    return tuple(int(s) for s in shape), dtype
