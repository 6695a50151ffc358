"""Property-test claims inside your own pytest suite.

    import flatproof

    @flatproof.claim_test("logistic.weighted-tv", examples=100)
    def test_weighted_tv(case, verdict):
        # runs on `examples` generated instances; fails (and shrinks) if the claim is violated.
        # Add your own assertions on the case and the verdict here.
        assert verdict.certificate["D_bar"] > 0

A failing example is shrunk by hypothesis and, if pytest is given ``--flatproof-found DIR`` (the
``flatproof`` pytest plugin adds the option), written as a case file to DIR so that ``flatproof
verify`` reproduces it; without the option nothing is written. As in ``flatproof check``, a violation is
re-verified as strictly as the claim allows (rigorous mode where it has one, hypothesis tolerances at their
defaults) before it counts: one that is not confirmed is not a counterexample (the example is discarded as
inconclusive), and the file written is the re-verified document. ``expect="violated"`` turns the test
around: it passes when a counterexample is found (for claims that are false by design), and the
expected counterexample is not written.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from hypothesis import HealthCheck, given, reject, settings
from hypothesis import seed as hypothesis_seed

from ._errors import InputError
from ._files import write_text_atomic
from ._toml import dumps
from .casefile import load_case_dict
from .check import reverify
from .claims import get_claim
from .strategies import cases
from .vocab import Outcome

if TYPE_CHECKING:
    from .casefile import Case
    from .claims import Verdict

#: where counterexamples go (None: nowhere); the pytest plugin sets it from --flatproof-found
FOUND_DIR: Path | None = None


def _write(claim_id: str, name: str, doc: dict) -> Path | None:
    if FOUND_DIR is None:
        return None
    FOUND_DIR.mkdir(parents=True, exist_ok=True)
    path = FOUND_DIR / f"{claim_id}-{name}.toml"
    comment = (f"Counterexample to {claim_id} found by the pytest test {name} (shrunk by hypothesis).\n"
               f"Run: flatproof verify {path}")
    write_text_atomic(path, dumps(doc, comment))
    return path


def claim_test(claim_id: str, *, examples: int = 50, params: dict | None = None, expect: str = "no-violation",
               seed: int | None = None) -> Callable[[Callable[[Case, Verdict], object]], Callable[[], None]]:
    """Decorate ``fn(case, verdict)`` into a hypothesis property test of ``claim_id`` (``seed``: reproducible)."""
    if expect not in ("no-violation", "violated"):
        raise ValueError("expect must be 'no-violation' or 'violated'")
    strategy = cases(claim_id, params=params)
    claim = get_claim(claim_id, field="claim")

    def decorate(fn: Callable[[Case, Verdict], object]) -> Callable[[], None]:
        @settings(max_examples=examples, deadline=None, database=None, report_multiple_bugs=False,
                  suppress_health_check=list(HealthCheck))
        @given(doc=strategy)
        def prop(doc: dict) -> None:
            try:
                case = load_case_dict(doc, f"<{claim_id}>")
            except InputError:
                reject()                 # not a valid instance (e.g. a singular memoriser): draw another
            verdict = case.verify()
            if verdict.outcome == Outcome.VIOLATED:
                strict, unconfirmed = reverify(claim, doc)
                if unconfirmed is not None:
                    reject()             # a float-mode violation the strict re-verification does not confirm
                doc = strict
            try:
                assert verdict.outcome != Outcome.VIOLATED, (
                    f"{claim_id} [{verdict.tag}] violated: " + "; ".join(
                        f"{c.name}: {c.value:.6g} {c.relation} {c.bound:.6g}" for c in verdict.comparisons
                        if c.outcome == Outcome.VIOLATED))
                fn(case, verdict)
            except AssertionError:
                if expect == "no-violation":
                    _write(claim_id, fn.__name__, doc)
                raise

        if seed is not None:
            prop = hypothesis_seed(seed)(prop)
        if expect == "no-violation":
            def test() -> None:
                prop()
        else:
            def test() -> None:
                try:
                    prop()
                except AssertionError:
                    return
                raise AssertionError(f"no counterexample to {claim_id} found in {examples} examples")
        test.__name__ = fn.__name__
        test.__doc__ = fn.__doc__
        test.__dict__["__wrapped_claim__"] = claim_id
        return test
    return decorate
