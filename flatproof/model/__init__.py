"""Networks, losses and data generators (flatproof math U.1, M.1)."""

# the public submodules (imported by name; nothing is re-exported here)
__all__ = ["activations", "constructions", "data", "expr", "homogeneous", "losses", "univariate"]
