"""`flatproof report`: every registered claim of the paper and every shipped case is in the document, which
compiles without overfull lines; the document is the same for the same inputs apart from the date."""

import pytest
from click.testing import CliRunner

from flatproof.cli import cli
from flatproof.paper_report import PAPERS, paper_claims, verdict_basis
from flatproof.shipped import describe, shipped_cases
from tests._tex import compile_tex, overfull, require_pdflatex


def test_each_paper_has_its_claims():
    assert {c.id for c in paper_claims("logistic")} == {c.id for c in paper_claims("logistic")
                                                       if c.section.startswith("U.")}
    assert all(c.section.startswith("M.") for c in paper_claims("homogeneous"))
    assert len(paper_claims("logistic")) + len(paper_claims("homogeneous")) >= 19
    assert set(PAPERS) == {"logistic", "homogeneous"}


def test_basis_of_a_verdict_is_the_verdicts_own():
    from flatproof.casefile import load_case
    from flatproof.shipped import cases_dir
    v = load_case(cases_dir() / "univariate-eta-flat-rigorous.toml").verify()
    assert v.outcome == "holds" and verdict_basis(v) == "certified"
    v = load_case(cases_dir() / "false-flat-implies-bayes.toml").verify()
    if v.basis is None:                          # undecided: the reason is shown instead of a basis
        assert v.outcome == "inconclusive" and verdict_basis(v) == v.basis_note != ""
    else:
        assert verdict_basis(v).startswith(v.basis.value)


def test_report_needs_an_output():
    res = CliRunner().invoke(cli, ["report", "logistic"])
    assert res.exit_code == 2 and "--pdf" in res.output


@pytest.mark.slow
def test_report_all_contains_every_claim_and_case_and_compiles(tmp_path):
    tex = tmp_path / "report.tex"
    res = CliRunner().invoke(cli, ["report", "all", "--latex", str(tex), "--examples", "1", "--html",
                                   str(tmp_path / "html")])
    assert res.exit_code == 0, res.output
    text = tex.read_text(encoding="ascii")
    for paper in PAPERS:
        for c in paper_claims(paper):
            assert "{" + c.id.replace(".", ".\\allowbreak{}").replace("-", "-\\allowbreak{}") + "}" in text, c.id
    for p in shipped_cases():
        if describe(p)[0] != "measure":
            assert p.name.replace("-", "-\\allowbreak{}").replace(".", ".\\allowbreak{}") in text, p.name
    assert text.count("\\subsection{") >= 19
    html = (tmp_path / "html" / "index.html").read_text()
    assert all(c.id in html for paper in PAPERS for c in paper_claims(paper))
    # deterministic apart from the date
    tex2 = tmp_path / "again.tex"
    assert CliRunner().invoke(cli, ["report", "all", "--latex", str(tex2), "--examples", "1"]).exit_code == 0
    assert tex2.read_text() == text
    require_pdflatex()
    log = compile_tex(tex)
    assert overfull(log) == [], overfull(log)
