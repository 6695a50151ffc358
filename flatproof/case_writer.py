"""Writing case files: :func:`save_case` (an Instance or a Case back to a case file that ``flatproof verify``
reads to the same instance, bit for bit) and ``flatproof export`` (a case's network to a weights file).
A front end: it reads case files through :mod:`flatproof.casefile`; the network formats live in
:mod:`flatproof.io`."""

from __future__ import annotations

from pathlib import Path

from ._errors import InputError
from .io import write_net


def export_case(case_path, target, fmt: str | None = None):
    """Write the network of a case file (claim case or measure case) to ``target``; returns the network."""
    from .casefile import load_case, load_measure_case, read_toml
    doc = read_toml(case_path)
    net = load_case(case_path).instance.net if "case" in doc else load_measure_case(case_path).oracle.net
    try:
        write_net(target, net, fmt)
    except InputError as exc:
        raise exc.located(file=exc.file or str(target)) from None
    return net


# ---- case files -----------------------------------------------------------------------------------
def case_document(instance, claim: str, *, params: dict | None = None, mode: str = "float", seed: int = 0,
                  description: str = "") -> dict:
    """The case document (a dict of TOML tables, arrays inline) of an explicit instance and a claim."""
    from .model.data import LogisticTask, MultiIndexTask
    case = {"claim": claim, "mode": mode, "seed": int(seed)} | ({"description": description} if description else {})
    net, data = instance.net, instance.data
    if instance.kind == "univariate":
        dt = {"x": data.x.tolist(), "y": data.y.tolist()}
        model = {"kind": "univariate", "v": net.v.tolist(), "w": net.w.tolist(), "b": net.b.tolist(),
                 "beta": float(net.beta)}
        if isinstance(instance.task, LogisticTask):
            t = instance.task
            dt.update({"law": t.law.kind, "law_params": list(map(float, t.law.params)), "logit": t.logit.text,
                       "flip": float(t.flip)})
    else:
        dt = {"X": data.X.tolist(), "y": data.y.tolist()}
        model = {"kind": "homogeneous", "activation": net.activation.name, "a": net.a.tolist(), "W": net.W.tolist()}
        t = instance.task
        if isinstance(t, MultiIndexTask) and len({g.text for g in t.links}) == 1:
            dt.update({"U": t.U.tolist(), "link": t.links[0].text, "noise": float(t.noise_std)})
    loss = {"kind": instance.loss.kind, "weight_decay": float(instance.weight_decay)}
    if instance.loss.kind == "square":                 # the logistic loss has no factor
        loss["factor"] = float(instance.loss.factor)
    doc = {"case": case, "data": dt, "model": model, "loss": loss}
    if params:
        doc["params"] = dict(params)
    return doc


def save_case(path, what, claim: str | None = None, *, params: dict | None = None, mode: str = "float",
              seed: int = 0, description: str = "", comment: str = "") -> Path:
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
