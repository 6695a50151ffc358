"""The ``flatproof`` pytest plugin (entry point ``pytest11``): the ``--flatproof-found DIR`` option and
the fixtures ``flatproof_found_dir`` and ``flatproof_check``. See :mod:`flatproof.testing`.

Registering the plugin imports nothing heavy (no numpy, sympy, hypothesis): every pytest session of an
environment where flatproof is installed loads this module, including projects that never use flatproof.
:mod:`flatproof.testing` and :mod:`flatproof.check` are imported only by the tests that use them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:                  # types only: the plugin must stay light to import
    from .check import CheckReport


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flatproof")
    group.addoption("--flatproof-found", default=None, metavar="DIR",
                    help="where flatproof.claim_test and flatproof_check write shrunk counterexamples "
                         "(default: nowhere)")


def _point_testing_at(config: pytest.Config) -> None:
    """Set flatproof.testing.FOUND_DIR from --flatproof-found if a test module has imported it."""
    testing = sys.modules.get("flatproof.testing")
    found = config.getoption("--flatproof-found")
    if testing is not None and found is not None:      # found cases are written only where asked
        vars(testing)["FOUND_DIR"] = Path(found)


def pytest_collection_finish(session: pytest.Session) -> None:
    _point_testing_at(session.config)


def pytest_runtest_setup(item: pytest.Item) -> None:
    _point_testing_at(item.config)


@pytest.fixture
def flatproof_found_dir(request: pytest.FixtureRequest) -> Path | None:
    """The directory counterexamples are written to (None when --flatproof-found was not given)."""
    found = request.config.getoption("--flatproof-found")
    return None if found is None else Path(found)


@pytest.fixture
def flatproof_check(flatproof_found_dir: Path | None) -> Callable[..., CheckReport]:
    """``flatproof_check(claim_id, examples=…, seed=…, params=…)`` runs ``flatproof check`` in a test and
    returns its report (counts, counterexample path, size)."""
    from .check import check_claim

    def run(claim_id: str, **kw: Any) -> CheckReport:
        if flatproof_found_dir is None:
            kw.setdefault("write", False)
        else:
            kw.setdefault("out_dir", flatproof_found_dir)
        return check_claim(claim_id, **kw)
    return run
