"""Curvature measures: loss, gradient, Hessian, HVP, exact trace, extreme eigenvalues (MATH.md U.2, M.2)."""
