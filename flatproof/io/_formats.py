"""State-dict files: PyTorch (``.pt``/``.pth``), safetensors, flatproof's JSON form, ``.npz``.

A state dict here is a plain ``{key: numpy array}`` mapping, as ``module.state_dict()`` gives it
in PyTorch. Only float32 and float64 tensors are accepted; nothing is ever unpickled
(``torch.load(..., weights_only=True)``, ``np.load(..., allow_pickle=False)``), and the
safetensors files are read through the package's numpy API, so reading them does not need torch.

The JSON form (``.json``)::

    {"format": "flatproof.state_dict", "version": 1,
     "tensors": {"0.weight": {"dtype": "float64", "shape": [3, 1], "data": [[0.5], [-1.25], [2.0]]},
                 ...}}

``data`` is a nested list of the given shape (a bare number for shape ``[]``). Numbers are written
in Python's shortest round-trip form, so a float64 (or float32) tensor survives a write and a read
bit for bit.
"""

from __future__ import annotations

import json
from os import PathLike
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from .._errors import InputError
from .._files import write_text_atomic

FORMATS = ("pt", "safetensors", "json", "npz")
_SUFFIXES = {".pt": "pt", ".pth": "pt", ".safetensors": "safetensors", ".json": "json", ".npz": "npz"}
_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))
JSON_FORMAT = "flatproof.state_dict"
EXTRA = "pip install 'flatproof[torch]'"


def format_of(path: str | PathLike[str], fmt: str | None = None, *, field: str = "file") -> str:
    """The format named by ``fmt``, else by the file's suffix."""
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})", field=field)
        return fmt
    suffix = Path(path).suffix.lower()
    if suffix not in _SUFFIXES:
        raise InputError(f"cannot tell the format of {Path(path).name!r} from its suffix "
                         f"(.pt, .pth, .safetensors, .json, .npz; or give format = ...)", field=field)
    return _SUFFIXES[suffix]


def require(module: str, what: str) -> Any:
    """Import an optional dependency, or an InputError that names the extra to install."""
    import importlib
    try:
        return importlib.import_module(module)
    except ImportError:
        raise InputError(f"{what} needs the {module.split('.')[0]} package: {EXTRA}") from None


def _checked(key: str, arr: np.ndarray) -> np.ndarray:
    if not isinstance(key, str):
        raise InputError(f"state-dict key {key!r} is not a string")
    arr = np.asarray(arr)
    if arr.dtype not in _DTYPES:
        raise InputError(f"key {key!r}: dtype {arr.dtype}, expected float32 or float64")
    if not np.all(np.isfinite(arr)):
        raise InputError(f"key {key!r}: contains NaN or infinity")
    return arr


def tensor_to_numpy(key: str, t: Any) -> np.ndarray:
    """A torch tensor (or array) as a numpy array of the same dtype and values (no copy needed)."""
    if hasattr(t, "detach"):
        if t.is_complex() or not t.is_floating_point() or str(t.dtype) not in ("torch.float32", "torch.float64"):
            raise InputError(f"key {key!r}: dtype {str(t.dtype).replace('torch.', '')}, expected float32 or float64")
        t = t.detach().cpu().numpy()
    return _checked(key, t)


def read_state_dict(path: str | PathLike[str], fmt: str | None = None) -> dict[str, np.ndarray]:
    """Read a state-dict file into ``{key: float32/float64 array}``; an InputError names what is wrong."""
    path = Path(path)
    fmt = format_of(path, fmt)
    if not path.is_file():
        raise InputError(f"file not found: {path}")
    reader = {"pt": _read_pt, "safetensors": _read_safetensors, "json": _read_json, "npz": _read_npz}[fmt]
    try:
        sd = reader(path)
        if not sd:
            raise InputError("the state dict is empty")
        return {k: _checked(k, v) for k, v in sd.items()}
    except InputError as exc:
        raise exc.located(file=exc.file or str(path)) from None


def _read_pt(path: Path) -> dict:
    torch = require("torch", "reading a .pt/.pth file")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises UnpicklingError, RuntimeError, EOFError, ... on bad input
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if "Unsupported global" in str(exc):          # a pickled class: weights_only refused to build it
            raise InputError("refused: it holds pickled Python objects, and flatproof loads .pt files with "
                             "weights_only=True (tensors only): save model.state_dict(), not the model") from None
        raise InputError(f"cannot read it as a PyTorch file saved by torch.save ({type(exc).__name__}: "
                         f"{first[:80]})") from None
    if not isinstance(obj, dict):
        raise InputError(f"holds a {type(obj).__name__}, expected a state dict (model.state_dict())")
    return {k: tensor_to_numpy(k, t) if hasattr(t, "detach") else _not_tensor(k, t) for k, t in obj.items()}


def _not_tensor(key: str, value: object) -> NoReturn:
    raise InputError(f"key {key!r}: holds a {type(value).__name__}, expected a tensor (a flat state dict)")


def _read_safetensors(path: Path) -> dict:
    st = require("safetensors.numpy", "reading a .safetensors file")
    try:
        return dict(st.load_file(str(path)))
    except TypeError as exc:          # a dtype numpy does not have (e.g. bfloat16)
        raise InputError(f"unsupported tensor dtype ({exc}); expected float32 or float64") from None
    except Exception as exc:          # SafetensorError on a malformed header or truncated data
        raise InputError(f"not a valid safetensors file ({str(exc).splitlines()[0][:160]})") from None


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a finite number")


def _read_json(path: Path) -> dict:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"not valid JSON ({exc})") from None
    except RecursionError:
        raise InputError("not valid JSON (nested too deeply)") from None
    if not isinstance(doc, dict) or doc.get("format") != JSON_FORMAT:
        raise InputError(f"expected a JSON object with \"format\": \"{JSON_FORMAT}\"")
    if doc.get("version") != 1:
        raise InputError(f"unsupported version {doc.get('version')!r} (1)")
    unknown = set(doc) - {"format", "version", "tensors"}
    if unknown:
        raise InputError(f"unknown field {sorted(unknown)[0]!r} (format, version, tensors)")
    tensors = doc.get("tensors")
    if not isinstance(tensors, dict):
        raise InputError("\"tensors\" must be an object of key: tensor")
    out: dict[str, np.ndarray] = {}
    for key, t in tensors.items():
        if not isinstance(t, dict) or set(t) != {"dtype", "shape", "data"}:
            raise InputError(f"key {key!r}: expected {{\"dtype\", \"shape\", \"data\"}}")
        if t["dtype"] not in ("float32", "float64"):
            raise InputError(f"key {key!r}: dtype {t['dtype']!r}, expected float32 or float64")
        shape = t["shape"]
        if not isinstance(shape, list) or not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
                                                  for s in shape):
            raise InputError(f"key {key!r}: shape must be a list of non-negative integers")
        data = t["data"]
        try:
            ok = _numeric_nest(data) and len(shape) <= 8
        except RecursionError:
            ok = False
        if not ok:
            raise InputError(f"key {key!r}: data must be numbers in nested lists (at most 8 deep)")
        try:
            arr = np.array(data, dtype=np.float64)
        except ValueError:
            raise InputError(f"key {key!r}: data is ragged") from None
        if list(arr.shape) != shape:
            raise InputError(f"key {key!r}: data has shape {list(arr.shape)}, shape says {shape}")
        if t["dtype"] == "float32":
            narrow = arr.astype(np.float32)
            if not np.array_equal(narrow.astype(np.float64), arr):
                raise InputError(f"key {key!r}: a value is not a float32 number")
            out[key] = narrow
        else:
            out[key] = arr
    return out


def _numeric_nest(data: object) -> bool:
    if isinstance(data, list):
        return all(_numeric_nest(t) for t in data)
    return isinstance(data, (int, float)) and not isinstance(data, bool)


def _read_npz(path: Path) -> dict:
    from . import read_npz_checked  # one reader of .npz files: regular, header-checked, budgeted
    return read_npz_checked(path, None)


# ---- writing --------------------------------------------------------------------------------------
def write_state_dict(path: str | PathLike[str], sd: dict, fmt: str | None = None) -> Path:
    """Write ``{key: array}`` in the format of ``path``'s suffix (or ``fmt``); dtypes are kept."""
    path = Path(path)
    fmt = format_of(path, fmt)
    sd = {k: np.ascontiguousarray(_checked(k, v)) for k, v in sd.items()}
    if fmt == "json":
        doc = {"format": JSON_FORMAT, "version": 1,
               "tensors": {k: {"dtype": str(v.dtype), "shape": list(v.shape), "data": v.astype(np.float64).tolist()}
                           for k, v in sd.items()}}
        write_text_atomic(path, json.dumps(doc, indent=1, allow_nan=False) + "\n")
        return path
    tmp = path.with_name(f".{path.name}.partial")
    try:
        if fmt == "pt":
            torch = require("torch", "writing a .pt file")
            torch.save({k: torch.from_numpy(v.copy()) for k, v in sd.items()}, tmp)
        elif fmt == "safetensors":
            require("safetensors.numpy", "writing a .safetensors file").save_file(sd, str(tmp))
        else:
            with open(tmp, "wb") as fh:
                np.savez(fh, **sd)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
