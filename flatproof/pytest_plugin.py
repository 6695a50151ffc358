"""The ``flatproof`` pytest plugin (entry point ``pytest11``): the ``--flatproof-found DIR`` option and
the fixtures ``flatproof_found_dir`` and ``flatproof_check``. See :mod:`flatproof.testing`."""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    group = parser.getgroup("flatproof")
    group.addoption("--flatproof-found", default=None, metavar="DIR",
                    help="where flatproof.claim_test and flatproof_check write shrunk counterexamples "
                         "(default: nowhere)")


def pytest_configure(config):
    found = config.getoption("--flatproof-found")
    if found is not None:
        from . import testing
        testing.FOUND_DIR = Path(found)


@pytest.fixture
def flatproof_found_dir(request) -> Path | None:
    """The directory counterexamples are written to (None when --flatproof-found was not given)."""
    found = request.config.getoption("--flatproof-found")
    return None if found is None else Path(found)


@pytest.fixture
def flatproof_check(flatproof_found_dir):
    """``flatproof_check(claim_id, examples=…, seed=…, params=…)`` runs ``flatproof check`` in a test and
    returns its report (counts, counterexample path, size)."""
    from .check import check_claim

    def run(claim_id: str, **kw):
        if flatproof_found_dir is None:
            kw.setdefault("write", False)
        else:
            kw.setdefault("out_dir", flatproof_found_dir)
        return check_claim(claim_id, **kw)
    return run
