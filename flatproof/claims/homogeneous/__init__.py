"""Claims about the two-layer homogeneous network on multi-index targets (flatproof math section M)."""

from . import (conservation, factorisation, flat_by_rescaling, flattest_interpolator,  # noqa: F401
               gaussian_constant, memoriser_sharper, orbit_minimum, relu_sample_bound, trace_at_interpolator)
