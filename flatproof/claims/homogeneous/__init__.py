"""Claims about the two-layer homogeneous network on multi-index targets (flatproof math section M): ids
``homogeneous.*``; importing the package registers them."""

from . import (
    conservation,
    factorisation,
    flat_by_rescaling,
    flattest_interpolator,
    gaussian_constant,
    memoriser_sharper,
    orbit_minimum,
    relu_sample_bound,
    trace_at_interpolator,
)

__all__ = ["conservation", "factorisation", "flat_by_rescaling", "flattest_interpolator", "gaussian_constant",
           "memoriser_sharper", "orbit_minimum", "relu_sample_bound", "trace_at_interpolator"]
