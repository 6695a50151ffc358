"""Claims about the two-layer homogeneous network on multi-index targets (MATH.md section M)."""

from . import (flat_by_rescaling, flattest_interpolator, orbit_minimum, relu_sample_bound,  # noqa: F401
               trace_at_interpolator)
