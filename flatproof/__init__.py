"""flatproof: verify theorems about flatness and generalisation in two-layer networks.

The public surface is what this module exports; modules whose names start with ``_`` are private.
Mathematics: the math pages ``flatproof/math/`` (``flatproof list ID`` shows a section) (sections U.* and M.*), cited next to each formula.
"""

from ._errors import FlatproofError, InputError, KinkError
from ._version import __version__  # the single source of the version
from .model.activations import Activation, abs_power, leaky_relu, parse_activation, relu, relu_power
from .model.data import (InputLaw, LogisticTask, MultiIndexData, MultiIndexTask, UnivariateData, normal,
                         truncated_normal, uniform)
from .model.expr import Expr, parse_expression
from .model.homogeneous import HomogeneousNet
from .model.losses import (Loss, log_logistic_d2, logistic, logistic_d1, logistic_d2, logistic_loss, logit_width,
                           sigmoid, square_loss)
from .model.univariate import UnivariateNet
from .measures._base import CurvatureOracle, KinkReport
from .measures.homogeneous import HomogeneousOracle, HomogeneousProblem
from .measures.spectral import (EigResult, FlatnessAnswer, extreme_eigenpairs, flatness_from, hutchinson_trace, is_flat,
                                lambda_max, lambda_min, stability_threshold)
from .measures.summary import Measurements, measure
from .measures.univariate import UnivariateDense, UnivariateFast, UnivariateProblem, univariate_oracle
from .instance import Instance
from .claims import Claim, Comparison, Param, Tolerances, Verdict, all_claims, compare, get_claim, register
from .casefile import Case, load_case
from . import constructions
from .testing import claim_test

__all__ = [
    "__version__",
    "FlatproofError", "InputError", "KinkError",
    "Activation", "relu", "leaky_relu", "relu_power", "abs_power", "parse_activation",
    "UnivariateData", "MultiIndexData", "InputLaw", "uniform", "normal", "truncated_normal",
    "LogisticTask", "MultiIndexTask", "Expr", "parse_expression",
    "UnivariateNet", "HomogeneousNet",
    "Loss", "logistic_loss", "square_loss", "sigmoid", "logistic", "logistic_d1", "logistic_d2",
    "log_logistic_d2", "logit_width",
    "CurvatureOracle", "KinkReport", "UnivariateProblem", "UnivariateDense", "UnivariateFast", "univariate_oracle",
    "HomogeneousProblem", "HomogeneousOracle",
    "EigResult", "FlatnessAnswer", "extreme_eigenpairs", "lambda_max", "lambda_min", "is_flat", "flatness_from",
    "stability_threshold", "hutchinson_trace", "Measurements", "measure",
    "Instance", "Claim", "Comparison", "Param", "Tolerances", "Verdict", "all_claims", "compare", "get_claim",
    "register", "Case", "load_case", "constructions", "claim_test", "from_torch", "save_case",
]
_LAZY = {"from_torch": ("flatproof.io", "from_torch"), "save_case": ("flatproof.io", "save_case")}


def __getattr__(name):
    """The PyTorch bridge and the case writer, imported on first use (torch stays optional)."""
    if name in _LAZY:
        import importlib
        module, attr = _LAZY[name]
        return getattr(importlib.import_module(module), attr)
    raise AttributeError(f"module 'flatproof' has no attribute {name!r}")
