import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow],
                          derandomize=True)
settings.register_profile("dev", deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])
# a long fuzzing run (e.g. nightly CI): pytest --hypothesis-profile=nightly tests/test_verify_fuzz.py
settings.register_profile("nightly", deadline=None, max_examples=2000,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("ci")


@pytest.fixture(autouse=True)
def strict_numerics():
    """Every floating-point exception is an error in flatproof's own numerics."""
    old = np.seterr(all="raise")
    yield
    np.seterr(**old)


pytest_plugins = ["pytester"]
