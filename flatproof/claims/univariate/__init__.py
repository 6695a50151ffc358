"""Claims about the univariate two-layer ReLU network under any loss (flatproof math section U): ids ``univariate.*``."""

from . import eta_flat, hessian_structure, rescaling, stability  # noqa: F401
