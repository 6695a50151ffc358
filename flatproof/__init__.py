"""flatproof: verify theorems about flatness and generalisation in two-layer networks.

The public surface is what this module exports; modules whose names start with ``_`` are private.
Mathematics: the math pages ``flatproof/math/`` (``flatproof list ID`` shows a section) (sections U.* and M.*), cited next to each formula.

``import flatproof`` is cheap: every public name is imported from its module on first access (PEP 562),
so sympy, scipy, python-flint, hypothesis and matplotlib load only when something that needs them is used.
"""

from __future__ import annotations

import importlib
from typing import Any

from ._errors import FlatproofError, InputError, KinkError
from ._version import __version__  # the single source of the version

# public name -> the module (relative to this package) that defines it
_LAZY = {
    **dict.fromkeys(["Activation", "relu", "leaky_relu", "relu_power", "abs_power", "parse_activation"],
                    ".model.activations"),
    **dict.fromkeys(["UnivariateData", "MultiIndexData", "InputLaw", "uniform", "normal", "truncated_normal",
                     "LogisticTask", "MultiIndexTask"], ".model.data"),
    **dict.fromkeys(["Expr", "parse_expression"], ".model.expr"),
    "UnivariateNet": ".model.univariate",
    "HomogeneousNet": ".model.homogeneous",
    **dict.fromkeys(["Loss", "logistic_loss", "square_loss", "sigmoid", "logistic", "logistic_d1", "logistic_d2",
                     "log_logistic_d2", "logit_width"], ".model.losses"),
    **dict.fromkeys(["CurvatureOracle", "KinkReport"], ".measures._base"),
    **dict.fromkeys(["HomogeneousOracle", "HomogeneousProblem"], ".measures.homogeneous_hessian"),
    **dict.fromkeys(["EigResult", "FlatnessAnswer", "extreme_eigenpairs", "flatness_from", "hutchinson_trace",
                     "is_flat", "lambda_max", "lambda_min", "stability_threshold"], ".measures.spectral"),
    **dict.fromkeys(["Measurements", "measure"], ".measures.summary"),
    **dict.fromkeys(["UnivariateDense", "UnivariateFast", "UnivariateProblem", "univariate_oracle"],
                    ".measures.univariate_hessian"),
    "Instance": ".instances.instance",
    **dict.fromkeys(["Claim", "Comparison", "Param", "Tolerances", "Verdict", "all_claims", "compare", "get_claim",
                     "register"], ".claims"),
    **dict.fromkeys(["Case", "load_case"], ".casefile"),
    "claim_test": ".testing",
    "from_torch": ".io",                                       # the PyTorch bridge (torch optional)
    "save_case": ".case_writer",
}
_SUBMODULES = {"constructions": ".model.constructions"}   # public name -> module

__all__ = ["__version__", "FlatproofError", "InputError", "KinkError", *_LAZY, *sorted(_SUBMODULES)]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(_SUBMODULES[name], __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value       # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
