"""Outcome counts of the differential test, written as JSON when FLATPROOF_REF_COUNTS names a file."""

import json
import os

import pytest
from _counts import COUNTS
from _mpref import DPS


@pytest.fixture(autouse=True)
def reference_precision(mpmath_precision):
    """Every reference test runs at the reference's working precision, whatever ran before it."""
    mpmath_precision.dps = DPS


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("FLATPROOF_REF_COUNTS")
    if path and COUNTS:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({" | ".join(k): dict(v) for k, v in sorted(COUNTS.items())}, fh, indent=1, sort_keys=True)
