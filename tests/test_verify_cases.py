"""Every shipped claim case ends in the outcome its comment announces; JSON and LaTeX outputs."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from flatproof.claims import all_claims
from flatproof.cli import cli
from tests._tex import compile_tex, overfull, require_pdflatex

CASES = Path(__file__).resolve().parent.parent / "cases"
CLAIM_CASES = sorted(p for p in CASES.glob("*.toml") if not p.name.startswith("measure-"))
EXIT = {"holds": 0, "violated": 1, "inconclusive": 3}


def run(*args):
    res = CliRunner().invoke(cli, list(map(str, args)))
    return res.exit_code, res.output


def expected(path: Path) -> str:
    m = re.search(r"\(expected: (holds|violated|inconclusive)", path.read_text())
    assert m, f"{path.name} does not say what it is expected to show"
    return m.group(1)


@pytest.mark.parametrize("path", CLAIM_CASES, ids=lambda p: p.stem)
def test_shipped_case_outcome(path):
    code, out = run("verify", "--json", path)
    rec = json.loads(out.splitlines()[0])
    assert rec["outcome"] == expected(path), out[-2000:]
    assert code == EXIT[rec["outcome"]]
    assert rec["tag"] in ("exact", "paper", "probe")
    if rec["outcome"] == "violated":          # violations are by design only, and say so in the file
        text = path.read_text()
        assert rec["false_by_design"] or "WRONG CONSTANT BY DESIGN" in text
        assert "BY DESIGN" in text


def test_every_claim_has_a_shipped_case_and_at_least_two_violated_by_design():
    named = {re.search(r'claim = "([^"]+)"', p.read_text()).group(1) for p in CLAIM_CASES}
    shipped = {c.id for c in all_claims() if type(c).__module__.startswith("flatproof.")}   # not tests' claims
    assert shipped <= named
    assert sum(expected(p) == "violated" for p in CLAIM_CASES) >= 2


def test_mixed_exit_status_and_latex_report(tmp_path):
    holds, violated = CASES / "logistic-weighted-tv.toml", CASES / "wrong-constant-relu-sample-bound.toml"
    out = tmp_path / "report.tex"
    code, text = run("verify", holds, violated, "--latex", out)
    assert code == 1
    assert "holds" in text and "violated" in text
    tex = out.read_text(encoding="ascii")            # pdflatex-safe: plain ASCII
    assert tex.startswith("\\documentclass") and tex.rstrip().endswith("\\end{document}")
    assert "[U+" not in tex                           # every symbol we print has a LaTeX spelling
    assert tex.count("\\section*") == 2 and "violated (certified)" in tex
    assert tex.count("{") == tex.count("}") + tex.count("\\}") - tex.count("\\{")


def test_rigorous_certificate_says_how(tmp_path):
    code, out = run("verify", "--json", CASES / "univariate-eta-flat-rigorous.toml")
    rec = json.loads(out)
    assert code == 0 and rec["mode"] == "rigorous"
    assert all(c["certified"] for c in rec["comparisons"])
    lo, hi = rec["certificate"]["lambda_max_certified"]
    assert lo <= rec["certificate"]["lambda_max"]["value"] <= hi
    assert "Weyl" in rec["certificate"]["how_certified"]


def test_list_shows_every_claim_with_its_tag():
    code, out = run("list")
    assert code == 0
    for c in all_claims():
        assert c.id in out
    assert "FALSE BY DESIGN" in out
    code, out = run("list", "logistic.weighted-tv")
    assert code == 0 and "factor" in out and "statement" in out and "[exact]" in out
    code, out = run("list", "no.such-claim")
    assert code == 2 and "unknown claim" in out


@pytest.mark.slow
def test_latex_report_of_every_shipped_case_compiles_without_overfull_lines(tmp_path):
    """The report is compiled with pdflatex (installed by .ci/run), not only inspected."""
    require_pdflatex()
    tex = tmp_path / "report.tex"
    code, _ = run("verify", *CLAIM_CASES, "--latex", tex)
    assert code == 1                                  # the violated-by-design cases
    log = compile_tex(tex)
    assert (tmp_path / "report.pdf").stat().st_size > 10_000
    assert overfull(log) == [], overfull(log)
    body = tex.read_text(encoding="ascii").split("\\begin{document}")[1]
    prose = re.sub(r"\$[^$]*\$", "", re.sub(r"\\begin\{equation\*\}.*?\\end\{equation\*\}", "", body, flags=re.S))
    for leak in ("\\textasciicircum", "[U+", "|"):   # no "λ\_max", no "|" printed as a dash
        assert leak not in prose, (leak, prose[max(0, prose.find(leak) - 80):prose.find(leak) + 40])
