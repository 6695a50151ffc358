"""Curvature measures: loss, gradient, Hessian, HVP, exact trace, extreme eigenvalues (flatproof math U.2, M.2)."""
