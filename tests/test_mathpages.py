"""The math pages ship with the package, cover every registered claim, and are what docs/math shows."""

import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from flatproof import mathpages
from flatproof.claims import all_claims
from flatproof.cli import cli

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [f"U.{i}" for i in range(1, 8)] + [f"M.{i}" for i in range(1, 5)]


def test_every_section_the_code_cites_exists():
    assert list(mathpages.sections()) == SECTIONS
    cited = set()
    for path in (ROOT / "flatproof").rglob("*.py"):
        cited |= set(re.findall(r"flatproof math ([UM]\.\d)", path.read_text(encoding="utf-8")))
    assert cited and cited <= set(SECTIONS), cited - set(SECTIONS)


@pytest.mark.parametrize("claim", [c for c in all_claims() if type(c).__module__.startswith("flatproof.")],
                         ids=lambda c: c.id)
def test_every_claim_has_an_entry_with_its_tag_in_its_section(claim):
    entry = mathpages.claim_entry(claim.id)
    assert entry is not None, f"{claim.id} is not described in flatproof math"
    assert f"[{claim.tag}]" in entry.splitlines()[0]
    assert ("FALSE BY DESIGN" in entry.splitlines()[0]) == claim.false_by_design
    for field in ("*Setting:*", "*Statement", "*Derivation", "*Paper:*", "*Ours:*"):
        assert field in entry, (claim.id, field)
    # the entry sits in (one of) the section(s) the claim cites
    assert any(entry in mathpages.sections()[s] for s in mathpages.section_ids(claim.section)), claim.id


def test_section_ids_parse_ranges_and_reject_garbage():
    assert mathpages.section_ids("U.3-U.4") == ["U.3", "U.4"]
    assert mathpages.section_ids("U.3–U.4") == ["U.3", "U.4"]
    assert mathpages.section_ids("M.2") == ["M.2"]
    with pytest.raises(Exception, match="not a flatproof math section"):
        mathpages.section_ids("see elsewhere")


def test_docs_math_shows_the_shipped_files():
    for name in mathpages.PAGES.values():
        shipped = (ROOT / "flatproof" / "math" / name).read_bytes()
        assert (ROOT / "docs" / "math" / name).read_bytes() == shipped, f"docs/math/{name} drifted"


def test_list_prints_a_section_and_a_claims_entry():
    res = CliRunner().invoke(cli, ["list", "M.3"])
    assert res.exit_code == 0
    assert res.output.startswith("## M.3 ") and "## M.4" not in res.output
    assert "F_sym" in res.output
    res = CliRunner().invoke(cli, ["list", "logistic.flat-at-infinity"])
    assert res.exit_code == 0 and "flatproof math U.5" in res.output and "*Ours:*" in res.output
    res = CliRunner().invoke(cli, ["list", "U.8"])
    assert res.exit_code == 2 and "no section U.8" in res.output


def test_nothing_in_the_repository_points_outside_it():
    outside = "/".join(("shared", "spec"))          # spelled in two parts so that this file does not match
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    offenders = [f for f in files if not f.startswith(".ci/") and (ROOT / f).is_file()
                 and outside in (ROOT / f).read_text(encoding="utf-8", errors="replace")]
    assert offenders == []
