"""Closed forms derived by sympy, checked by sympy, lambdified (``cse=True``) for the numeric core,
and exported as LaTeX (``flatproof derive``). See :mod:`flatproof.derivations._core`.

Derivations (flatproof math section → name):

* U.1–U.2 ``logistic-identities``, ``univariate-hessian``
* U.4 ``weighted-tv``, ``norm-bound``;  U.5 ``flat-at-infinity``;  U.6 ``univariate-rescaling``
* M.2 ``homogeneous-trace``;  M.3 ``homogeneous-orbit`` (uses :func:`orbit.orbit_minimum`)
"""

from __future__ import annotations

from .._errors import InputError
from ._core import Derivation, ProofReport, Step
from .homogeneous import homogeneous_orbit, homogeneous_trace
from .orbit import orbit_minimum
from .univariate import (
    flat_at_infinity,
    logistic_identities,
    norm_bound,
    univariate_hessian,
    univariate_rescaling,
    weighted_tv,
)

_BUILDERS = {
    "logistic-identities": logistic_identities,
    "univariate-hessian": univariate_hessian,
    "weighted-tv": weighted_tv,
    "norm-bound": norm_bound,
    "flat-at-infinity": flat_at_infinity,
    "univariate-rescaling": univariate_rescaling,
    "homogeneous-trace": homogeneous_trace,
    "homogeneous-orbit": homogeneous_orbit,
}


def names() -> list[str]:
    return list(_BUILDERS)


def get_derivation(name: str) -> Derivation:
    """The derivation called ``name`` (built once, then cached)."""
    if not isinstance(name, str) or name not in _BUILDERS:
        import difflib
        close = difflib.get_close_matches(str(name), list(_BUILDERS), n=1)
        hint = f" (did you mean {close[0]}?)" if close else f" (known: {', '.join(_BUILDERS)})"
        raise InputError(f"unknown derivation {name!r}{hint}", field="NAME")
    return _BUILDERS[name]()


def all_derivations() -> list[Derivation]:
    return [b() for b in _BUILDERS.values()]


def for_claim(claim_id: str) -> list[Derivation]:
    """The derivations behind a claim."""
    return [d for d in all_derivations() if claim_id in d.claims]


__all__ = ["Derivation", "Step", "ProofReport", "get_derivation", "all_derivations", "for_claim", "names",
           "orbit_minimum"]
