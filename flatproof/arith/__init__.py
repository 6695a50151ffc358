"""Arithmetic below every layer: the contexts a formula is written against once and run in float64, vectorised
intervals or arb balls (:mod:`flatproof.arith.contexts`), the midpoint-radius intervals on numpy arrays they use
(:mod:`flatproof.arith.intervals`), their compensated prefix sums (:mod:`flatproof.arith.compensated`) and the stable float64 logistic (:mod:`flatproof.arith.logistic`). Imports
nothing from flatproof but the base modules; python-flint is loaded on first use."""

# the public submodules (imported by name; nothing is re-exported here)
__all__ = ["compensated", "contexts", "intervals", "logistic"]
