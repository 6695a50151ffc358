"""Claims about the univariate two-layer ReLU network under any loss (flatproof math section U): ids
``univariate.*``; importing the package registers them."""

from . import (
    eta_flat,
    hessian_structure,
    rescaling,
    stability,
)

__all__ = ["eta_flat", "hessian_structure", "rescaling", "stability"]
