"""Claims about the univariate two-layer ReLU network (flatproof math section U)."""

from . import (edge_of_stability, eta_flat, flat_at_infinity, flat_implies_bayes, hessian_structure,  # noqa: F401
               norm_bound, region_generalisation, rescaling, stability, uncertain_set, weighted_tv)

__all__ = [
    "edge_of_stability",
    "eta_flat",
    "flat_at_infinity",
    "flat_implies_bayes",
    "hessian_structure",
    "norm_bound",
    "region_generalisation",
    "rescaling",
    "stability",
    "uncertain_set",
    "weighted_tv",
]
