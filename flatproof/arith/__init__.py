"""Arithmetic contexts below every layer: vectorised midpoint-radius intervals on numpy arrays
(:mod:`flatproof.arith.intervals`). Imports nothing from flatproof but the base modules."""

# the public submodules (imported by name; nothing is re-exported here)
__all__ = ["intervals"]
