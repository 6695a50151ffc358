"""Writing case files: :func:`save_case` (an Instance or a Case back to a case file that ``flatproof verify``
reads to the same instance, bit for bit) and ``flatproof export`` (a case's network to a weights file).
A front end: it reads case files through :mod:`flatproof.casefile`; the network formats live in
:mod:`flatproof.io`."""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._errors import InputError
from .io import write_net

if TYPE_CHECKING:
    from .instances.instance import Instance


def export_case(case_path: str | PathLike[str], target: str | PathLike[str], fmt: str | None = None) -> Any:
    """Write the network of a case file (claim case or measure case) to ``target``; returns the network."""
    from .casefile import load_case, read_toml
    from .measure_case import load_measure_case
    doc = read_toml(case_path)
    net = load_case(case_path).instance.net if "case" in doc else load_measure_case(case_path).net
    try:
        write_net(target, net, fmt)
    except InputError as exc:
        raise exc.located(file=exc.file or str(target)) from None
    return net


# ---- case files -----------------------------------------------------------------------------------
def _inline(value: Any) -> Any:
    """An array as nested lists, a scalar as a float: the round-trip form a TOML document holds."""
    return value.tolist() if isinstance(value, np.ndarray) and value.ndim else float(value)


def case_document(instance: Instance, claim: str, *, params: dict | None = None, mode: str = "float",
                  seed: int = 0, description: str = "") -> dict[str, Any]:
    """The case document (a dict of TOML tables, arrays inline) of an explicit instance and a claim."""
    from .model.data import LogisticTask, MultiIndexTask
    from .model.expr import text_of
    case = {"claim": claim, "mode": mode, "seed": int(seed)} | ({"description": description} if description else {})
    fam, net, t = instance.family, instance.net, instance.task
    dt = {k: _inline(v) for k, v in fam.data_values(instance.data).items()}
    model: dict[str, Any] = {"kind": str(fam.kind)}
    act = getattr(net, "activation", None)
    if fam.has_activation and act is not None:
        model["activation"] = act.name
    model.update({k: _inline(v) for k, v in fam.net_values(net).items()})
    if isinstance(t, LogisticTask):           # the law the sample was drawn from, as the explicit source reads it
        logit = text_of(t.logit)
        if logit is None:
            raise InputError("the target logit is a Python function: only an expression can be written to a case "
                             "file", field="data.logit")
        dt.update({"law": t.law.kind, "law_params": list(map(float, t.law.params)), "logit": logit,
                   "flip": float(t.flip)})
    elif isinstance(t, MultiIndexTask) and len(links := {text_of(g) for g in t.links}) == 1 and None not in links:
        dt.update({"U": t.U.tolist(), "link": links.pop(), "noise": float(t.noise_std)})
    loss: dict[str, Any] = {"kind": instance.loss.kind, "weight_decay": float(instance.weight_decay)}
    if instance.loss.has_factor:                 # the logistic loss has no factor
        loss["factor"] = float(instance.loss.factor)
    doc = {"case": case, "data": dt, "model": model, "loss": loss}
    if params:
        doc["params"] = dict(params)
    return doc


def save_case(path: str | PathLike[str], what: Any, claim: str | None = None, *, params: dict | None = None,
              mode: str = "float", seed: int = 0, description: str = "", comment: str = "") -> Path:
    """Write a case file that ``flatproof verify`` reads back to the same instance, bit for bit.

    ``what`` is an :class:`~flatproof.Instance` (with ``claim``), a :class:`~flatproof.Case`, or a
    case document (a dict, e.g. drawn from :mod:`flatproof.strategies`). Arrays are written inline
    in round-trip form. The document is loaded once before writing: a case that would not load is
    an InputError and no file is written.
    """
    from ._files import write_text_atomic
    from ._toml import dumps
    from .casefile import Case, load_case_dict
    from .instances.instance import Instance
    if isinstance(what, Case):
        doc = case_document(what.instance, what.claim.id, params=what.params, mode=what.mode, seed=what.seed,
                            description=description or what.description)
    elif isinstance(what, Instance):
        if claim is None:
            raise InputError("save_case needs the claim id of the case", field="claim")
        doc = case_document(what, claim, params=params, mode=mode, seed=seed, description=description)
    elif isinstance(what, dict):
        doc = what
    else:
        raise InputError(f"expected an Instance, a Case or a case document, got {type(what).__name__}")
    path = Path(path)
    load_case_dict(doc, path.name, base=path.parent)
    return write_text_atomic(path, dumps(doc, comment))
