"""Outcome counts of the differential test, written as JSON when FLATPROOF_REF_COUNTS names a file."""

import json
import os

from _counts import COUNTS


def pytest_sessionfinish(session, exitstatus):
    path = os.environ.get("FLATPROOF_REF_COUNTS")
    if path and COUNTS:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump({" | ".join(k): dict(v) for k, v in sorted(COUNTS.items())}, fh, indent=1, sort_keys=True)
