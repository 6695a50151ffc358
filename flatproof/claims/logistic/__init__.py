"""Claims about the univariate two-layer ReLU network under logistic loss (flatproof math section U): ids
``logistic.*``; importing the package registers them."""

from . import (
    edge_of_stability,
    flat_at_infinity,
    flat_implies_bayes,
    norm_bound,
    region_generalisation,
    uncertain_set,
    weighted_tv,
)

__all__ = ["edge_of_stability", "flat_at_infinity", "flat_implies_bayes", "norm_bound", "region_generalisation",
           "uncertain_set", "weighted_tv"]
