"""Curvature measures: loss, gradient, Hessian, HVP, exact trace, extreme eigenvalues (flatproof math U.2, M.2)."""

# the public submodules (imported by name; nothing is re-exported here)
__all__ = [
    "certified_affine",
    "certified_integral",
    "certified_logit",
    "hessian_norm",
    "homogeneous_flattest",
    "homogeneous_hessian",
    "homogeneous_orbit",
    "krylov",
    "mode_bounds",
    "norm_bound",
    "population",
    "quadrature",
    "rigorous",
    "rigorous_homogeneous",
    "spectral",
    "summary",
    "uncertain",
    "univariate_formulas",
    "univariate_gradient",
    "univariate_hessian",
    "weighted_tv",
]
