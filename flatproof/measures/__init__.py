"""Curvature measures: loss, gradient, Hessian, HVP, exact trace, extreme eigenvalues (flatproof math U.2, M.2)."""

# the public submodules (imported by name; nothing is re-exported here)
__all__ = [
    "certified_affine",
    "certified_integral",
    "certified_logit",
    "homogeneous_flattest",
    "homogeneous_hessian",
    "homogeneous_orbit",
    "krylov",
    "norm_bound",
    "population",
    "rigorous",
    "spectral",
    "summary",
    "uncertain",
    "univariate_hessian",
    "weighted_tv",
]
