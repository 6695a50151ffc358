"""Every shipped claim's module docstring follows the claim template (issue 16), and says true things.

The template, in this order: a one-line summary, then the sections ``Setting:``, ``Claim:`` (with the tag and
the relation of the main comparison), ``Reference:`` (the flatproof math section), ``Hypotheses:``,
``Certificate:`` (one ``- ``key``: meaning`` line per key of the certificate dict; ``- ``key`` (when …): meaning``
for a key only some runs carry) and ``Example:`` (a shipped case and the verdict its check prints). Section
bodies are indented. The example is run here: its printed verdict must be the one the docstring shows, and the
certificate of that real check must carry exactly the documented keys (the conditional ones may be absent).
"""

from __future__ import annotations

import importlib
import re
from functools import cache
from pathlib import Path

import pytest

import flatproof
from flatproof.claims import Claim, Verdict, all_claims
from flatproof.vocab import Relation

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = ["Setting", "Claim", "Reference", "Hypotheses", "Certificate", "Example"]
KEY_LINE = re.compile(r"^- ``([^`]+)``(?:\s*\(([^)]*)\))?:\s*\S")
EXAMPLE = re.compile(r'>>> flatproof\.load_case\("(cases/[\w.-]+\.toml)"\)\.verify\(\)\n(<Verdict [^\n]*>)')


def shipped_claims() -> list[Claim]:
    return [c for c in all_claims() if type(c).__module__.startswith("flatproof.claims.")]


def sections(doc: str) -> dict[str, str]:
    """The template's sections of a docstring, in order of appearance: header line ``Name:`` at column 0, body
    indented (dedented here)."""
    out: dict[str, str] = {}
    current = None
    for line in doc.splitlines()[1:]:
        m = re.fullmatch(r"([A-Z]\w*):", line)
        if m:
            current = m.group(1)
            assert current not in out, f"section {current} appears twice"
            out[current] = ""
        elif current is not None:
            assert not line.strip() or line.startswith("    "), f"{current}: body lines are indented: {line!r}"
            out[current] += line[4:] + "\n"
        else:
            assert not line.strip() or line.startswith(" ") or not line.endswith(":"), line
    return out


def documented_keys(cert_section: str) -> dict[str, bool]:
    """key → True when it is conditional (``- ``key`` (when …): …``)."""
    keys: dict[str, bool] = {}
    for line in cert_section.splitlines():
        m = KEY_LINE.match(line)
        if m:
            assert m.group(1) not in keys, f"{m.group(1)} listed twice"
            keys[m.group(1)] = m.group(2) is not None
        else:
            assert not line.startswith("-"), f"a certificate line reads '- ``key``: meaning': {line!r}"
    return keys


@cache
def run_example(case: str) -> Verdict:
    return flatproof.load_case(ROOT / case).verify()


def doc_of(claim: Claim) -> str:
    doc = importlib.import_module(type(claim).__module__).__doc__
    assert doc, f"{type(claim).__module__} has no docstring"
    return doc


def test_every_shipped_claim_is_covered():
    assert len(shipped_claims()) >= 20


@pytest.mark.parametrize("claim", shipped_claims(), ids=lambda c: c.id)
def test_docstring_has_the_template_sections_in_order(claim):
    doc = doc_of(claim)
    secs = sections(doc)
    assert list(secs) == SECTIONS, f"{claim.id}: sections {list(secs)}"
    assert all(s.strip() for s in secs.values()), f"{claim.id}: an empty section"
    assert f"[{claim.tag}]" in secs["Claim"].split("\n\n")[0], f"{claim.id}: the Claim section starts with its tag"
    first = claim.section.replace("–", "-").split("-")[0]
    assert f"flatproof math {first}" in secs["Reference"], f"{claim.id}: the Reference names flatproof math {first}"
    assert documented_keys(secs["Certificate"]), f"{claim.id}: the Certificate section lists no key"
    assert EXAMPLE.search(secs["Example"]), f"{claim.id}: the Example runs a shipped case"


@pytest.mark.parametrize("claim", shipped_claims(), ids=lambda c: c.id)
def test_example_and_certificate_match_a_real_check(claim):
    secs = sections(doc_of(claim))
    case, shown = EXAMPLE.search(secs["Example"]).groups()
    verdict = run_example(case)
    assert verdict.claim == claim.id, f"{case} checks {verdict.claim}, not {claim.id}"
    assert repr(verdict) == shown, f"{claim.id}: the example prints {verdict!r}"
    keys = documented_keys(secs["Certificate"])
    real = set(verdict.certificate)
    undocumented = real - set(keys)
    missing = {k for k, conditional in keys.items() if not conditional} - real
    assert not undocumented and not missing, (f"{claim.id}: certificate keys not documented {sorted(undocumented)}, "
                                              f"documented but absent {sorted(missing)}")
    relation = Relation(verdict.primary.relation)
    assert f"relation {relation.symbol}" in secs["Claim"], (f"{claim.id}: the Claim section names the main "
                                                           f"comparison's relation ({relation.symbol})")


def test_the_parser_rejects_what_the_template_forbids():
    """The checks above can fail: a swapped order, an unindented body and a malformed key line are caught."""
    good = "Summary.\n\nSetting:\n    s\n\nClaim:\n    [exact] c, relation ≤\n"
    assert list(sections(good)) == ["Setting", "Claim"]
    with pytest.raises(AssertionError):
        sections("Summary.\n\nSetting:\nunindented body\n")
    assert list(sections("Summary.\n\nClaim:\n    c\n\nSetting:\n    s\n")) != SECTIONS[:2]
    assert documented_keys("- ``a``: one\n- ``b`` (rigorous mode): two\n") == {"a": False, "b": True}
    with pytest.raises(AssertionError):
        documented_keys("- a: no backquotes\n")
