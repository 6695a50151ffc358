"""Claims about the two-layer homogeneous network on multi-index targets (MATH.md section M)."""

from . import flattest_interpolator, orbit_minimum, relu_sample_bound, trace_at_interpolator  # noqa: F401
