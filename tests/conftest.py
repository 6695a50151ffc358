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


@pytest.fixture(autouse=True)
def mpmath_precision():
    """mpmath's working precision is global: a test that needs more digits sets it here (or with
    ``mpmath.workdps``) and it is restored after the test, so no test depends on which test ran before it
    (the reference tests at 60 digits once ran at 40 after test_rigorous and saw verdicts change)."""
    import mpmath
    old = mpmath.mp.prec
    mpmath.mp.prec = 53          # mpmath's default: what a module set at import does not leak into a test
    yield mpmath.mp
    mpmath.mp.prec = old


pytest_plugins = ["pytester"]
