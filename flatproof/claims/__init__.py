"""The claim library: one claim per module, in families whose folder is the first part of the
claim id (``univariate``, ``logistic``, ``homogeneous``).

Public surface: :class:`Claim`, :class:`Param`, :class:`Verdict`, :class:`Comparison`,
:func:`compare`, :func:`register`, :func:`get_claim`, :func:`all_claims`, and the types a check
is written against, :class:`Instance` (the shape of what it checks) and :class:`Context`. See docs/claims.md for
how to add your own claim.
"""

from . import homogeneous, logistic, univariate  # noqa: F401  (registers the shipped claims)
from ._core import (
                    MODES,
                    OUTCOMES,
                    TAGS,
                    Claim,
                    Comparison,
                    Context,
                    Evaluation,
                    Hypothesis,
                    Instance,
                    Param,
                    Tolerances,
                    Verdict,
                    all_claims,
                    compare,
                    get_claim,
                    register,
)

__all__ = ["Claim", "Param", "Verdict", "Comparison", "Hypothesis", "Evaluation", "Context", "Instance", "Tolerances",
           "compare", "register", "get_claim", "all_claims", "TAGS", "OUTCOMES", "MODES"]
