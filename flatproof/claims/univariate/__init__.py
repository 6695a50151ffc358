"""Claims about the univariate two-layer ReLU network (MATH.md section U)."""

from . import (eta_flat, flat_at_infinity, flat_implies_bayes, hessian_structure, rescaling,  # noqa: F401
               edge_of_stability, uncertain_set, weighted_tv)
