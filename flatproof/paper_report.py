"""``flatproof report logistic|homogeneous|all``: one document per paper that a reviewer can read and re-run.

For every claim flatproof registers in the paper's setting (flatproof math U for arXiv 2512.01473,
M for arXiv 2606.04429): its statement, tag and reference; the sympy derivations behind it; the verdict
table of its shipped cases, with the basis of each verdict; the ``flatproof check`` counts for a stated
seed and number of examples; then the figures of ``flatproof reproduce``. A front page gives the
versions, the seed and the commands that regenerate every number. The document depends only on its
inputs, apart from the date on the front page.
"""

from __future__ import annotations

import html
import platform
import shutil
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from ._errors import InputError
from ._latex import compile_pdf, latex_text, math_text, tt_id
from .check import CheckReport
from .claims import Claim, Verdict, all_claims
from .derivations import Derivation
from .vocab import Relation

PAPERS = {
    "logistic": {"letter": "U", "study": "logistic",
                 "title": "Does Flatness imply Generalization for Logistic Loss in Univariate Two-Layer ReLU "
                          "Network?", "authors": "Dan Qiao and Yu-Xiang Wang", "arxiv": "2512.01473"},
    "homogeneous": {"letter": "M", "study": "homogeneous",
                    "title": "Flatness and Generalization: Learning Multi-Index Models with Homogeneous Neural "
                             "Networks", "authors": "Harsh Vardhan, Hossein Taheri and Arya Mazumdar",
                    "arxiv": "2606.04429"},
}
FIGURES = {"logistic": ("logistic_eos", "logistic_function", "logistic_eta", "logistic_infinity", "logistic_rate"),
           "homogeneous": ("homogeneous_orbit", "homogeneous_dinh", "homogeneous_flattest", "homogeneous_memoriser")}


@dataclass
class CaseRow:
    path: str
    outcome: str
    basis: str
    mode: str
    primary: str          # the main comparison, as text
    margin: float | None


@dataclass
class ClaimPart:
    claim: Claim
    derivations: list[Derivation]
    cases: list[CaseRow]
    check: CheckReport | None  # None: no strategy, or 0 examples


def paper_claims(paper: str) -> list:
    """The registered claims of a paper: those whose flatproof math section is in its setting (U or M)."""
    letter = PAPERS[paper]["letter"]
    return [c for c in all_claims() if c.section.startswith(letter + ".") and not c.id.startswith("test.")]


def verdict_basis(verdict: Verdict) -> str:
    """How the verdict was decided (its basis: certified, estimated: what, observed), or, for an undecided
    verdict, why not."""
    if verdict.basis is not None:
        return f"{verdict.basis.value}: {verdict.basis_note}" if verdict.basis_note else verdict.basis.value
    return verdict.basis_note or "none"


def _case_rows(claim_id: str, cases: list[Path]) -> list[CaseRow]:
    from .casefile import load_case
    from .shipped import describe
    rows = []
    for p in cases:
        if describe(p)[0] != claim_id:
            continue
        v = load_case(p).verify()
        c = v.primary
        primary = "—" if c is None else f"{c.name}: {c.value:.6g} {Relation(c.relation).symbol} {c.bound:.6g}"
        rows.append(CaseRow(p.name, v.outcome, verdict_basis(v), v.mode, primary, None if c is None else c.margin))
    return rows


def collect(paper: str, *, examples: int, seed: int) -> list[ClaimPart]:
    """Verify every shipped case and check every claim of ``paper`` (the slow part)."""
    import tempfile

    from .check import check_claim
    from .derivations import for_claim
    from .shipped import shipped_cases
    from .strategies import has_strategy

    cases = shipped_cases()
    parts = []
    with tempfile.TemporaryDirectory() as tmp:
        for c in paper_claims(paper):
            rep = (check_claim(c.id, examples=examples, seed=seed, out_dir=tmp, write=False)
                   if examples > 0 and has_strategy(c.id) else None)
            parts.append(ClaimPart(c, for_claim(c.id), _case_rows(c.id, cases), rep))
    return parts


def _versions() -> list[tuple[str, str]]:
    out = [("Python", platform.python_version())]
    for dist in ("flatproof", "numpy", "scipy", "sympy", "mpmath", "python-flint", "hypothesis", "matplotlib"):
        try:
            out.append((dist, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            out.append((dist, "not installed"))
    return out


def commands(papers: list[str], *, examples: int, seed: int) -> list[str]:
    """The commands that regenerate every number of the report."""
    cmds = [f"flatproof report {' '.join(papers) if len(papers) == 1 else 'all'} --pdf REPORT.pdf "
            f"--examples {examples} --seed {seed}",
            "flatproof cases --copy cases   # the shipped cases, if this is not a source checkout"]
    for paper in papers:
        cmds.append(f"flatproof verify cases/*.toml   # the verdict tables ({paper})")
        cmds.append(f"flatproof check CLAIM --examples {examples} --seed {seed}   # each check row")
        cmds.append(f"flatproof derive {' '.join(sorted({d.name for c in paper_claims(paper) for d in _ders(c)}))}"
                    " --pdf derivations.pdf")
        cmds.append(f"flatproof reproduce {PAPERS[paper]['study']} --out reproduce-{PAPERS[paper]['study']}"
                    f"   # the figures (seed 0)")
    return cmds


def _ders(c: Claim) -> list[Derivation]:
    from .derivations import for_claim
    return for_claim(c.id)


PREAMBLE = r"""\documentclass[10pt]{article}
\usepackage[margin=2cm]{geometry}
\usepackage{amsmath,amssymb,mathtools}
\usepackage{booktabs,array,longtable}
\usepackage{graphicx}
\emergencystretch=3em
\allowdisplaybreaks
\begin{document}
"""


def latex(papers: list[str], parts: dict[str, list[ClaimPart]], *, examples: int, seed: int, date: str, figures: dict) -> str:
    """The report as one LaTeX document (ASCII): front matter, then per paper its claims and its figures."""
    out = [PREAMBLE, *_front_matter(papers, examples=examples, seed=seed, date=date)]
    for paper in papers:
        info = PAPERS[paper]
        out.append(f"\\section{{{latex_text(info['title'])}}}")
        out.append(f"\\noindent {latex_text(info['authors'])}, arXiv {info['arxiv']}. Claims of flatproof math "
                   f"{info['letter']} ({len(parts[paper])}).")
        for part in parts[paper]:
            out += _claim_section(part, examples=examples, seed=seed)
        out += _figures_section(info["study"], figures.get(paper) or [])
    out.append("\\end{document}\n")
    return "\n".join(out)


def _front_matter(papers: list[str], *, examples: int, seed: int, date: str) -> list[str]:
    """Title, what the report is, versions, seeds and the commands that regenerate every number."""
    titles = "; ".join(f"{PAPERS[p]['authors']}, \\emph{{{latex_text(PAPERS[p]['title'])}}}, arXiv {PAPERS[p]['arxiv']}"
                       for p in papers)
    out = ["\\begin{center}{\\LARGE flatproof report}\\\\[1ex]" + titles + f"\\\\[1ex]{latex_text(date)}"
           "\\end{center}\n"]
    out.append("\\noindent This report states every claim flatproof registers for the paper(s) above, as "
               "flatproof formalises it (the flatproof math pages, \\texttt{flatproof/math/}; "
               "\\texttt{flatproof list ID} prints a section), with the sympy derivation behind it, the verdicts "
               "of its shipped cases and property-test counts. Tags: [exact] verified as a theorem; [paper] a "
               "paper's qualitative claim as flatproof formalises it, never the paper's own theorem or constants; "
               "[probe] an observation on instances, not a theorem. Basis of a verdict: certified (ball "
               "arithmetic), estimated (float error estimates), observed (a probe's measurement).\n")
    out.append("\\paragraph{Versions.} " + "; ".join(f"{latex_text(k)} {latex_text(v)}" for k, v in _versions()) + ".")
    out.append(f"\\paragraph{{Seeds.}} \\texttt{{flatproof check}}: seed {seed}, {examples} generated instances per "
               "claim; the shipped cases carry their own seeds; \\texttt{flatproof reproduce}: seed 0.")
    out.append("\\paragraph{Commands that regenerate every number.}\n\\begin{itemize}\\small\\raggedright")
    out += [f"\\item \\texttt{{{latex_text(c)}}}" for c in commands(papers, examples=examples, seed=seed)]
    out.append("\\end{itemize}\n\\newpage")
    return out


def _claim_section(part: ClaimPart, *, examples: int, seed: int) -> list[str]:
    """One claim: title, reference, statement, its math-page entry, derivations, shipped cases, property test."""
    from .mathpages import claim_entry
    c = part.claim
    false = " \\textbf{(false by design: a violation is the expected verdict)}" if c.false_by_design else ""
    out = [f"\\subsection{{{tt_id(c.id)} [{c.tag}]}}",
           f"\\noindent {math_text(c.title)}.{false}\\\\\n\\textbf{{Reference}}: {math_text(c.reference)}.",
           "\\begin{gather*}" + c.statement + "\\end{gather*}"]
    entry = claim_entry(c.id)
    if entry:
        out += ["\\begin{itemize}\\small", *("\\item " + line for line in _entry_items(entry)), "\\end{itemize}"]
    for d in part.derivations:
        out.append(f"\\paragraph{{Derivation \\texttt{{{d.name}}}}} {d.setting}")
        out.append(d.latex_body())
    out.append("\\paragraph{Shipped cases.}")
    out += _cases_table(part.cases) if part.cases else ["No shipped case."]
    out.append(_property_test(c.id, part.check, examples=examples, seed=seed))
    return out


def _cases_table(cases: list[CaseRow]) -> list[str]:
    """The shipped cases' verdicts as a table."""
    return ["\\begin{center}\\small\\begin{tabular}{>{\\raggedright\\arraybackslash}p{3.6cm}l"
            ">{\\raggedright\\arraybackslash}p{3.2cm}l>{\\raggedright\\arraybackslash}p{5.4cm}}"
            "\\toprule",
            "case & verdict & basis & mode & main comparison \\\\\\midrule",
            *(f"{tt_id(r.path)} & {r.outcome} & {math_text(r.basis)} & {r.mode} & {math_text(r.primary)} \\\\"
              for r in cases),
            "\\bottomrule\\end{tabular}\\end{center}"]


def _property_test(claim_id: str, check: CheckReport | None, *, examples: int, seed: int) -> str:
    """The property test's counts (``check``: its CheckReport, None when it did not run)."""
    if check is None:
        return "\\paragraph{Property test.} " + ("not run (0 examples)." if examples == 0 else
                                                   "no instance strategy for this claim.")
    k = check.counts
    return (f"\\paragraph{{Property test}} (\\texttt{{flatproof check {latex_text(claim_id)} --examples "
            f"{examples} --seed {seed}}}): {check.tried} instances: {k['holds']} hold, "
            f"{k['violated']} violated, {k['inconclusive']} inconclusive, "
            f"{k['hypotheses-not-met']} with hypotheses not met; {check.rejected} rejected.")


def _figures_section(study: str, figs: list[Path]) -> list[str]:
    """The study's figures, or how to make them."""
    out = [f"\\subsection{{Figures of \\texttt{{flatproof reproduce {study}}}}}"]
    if not figs:
        out.append(f"No figures were found; run \\texttt{{flatproof reproduce {study}}} and pass "
                   "\\texttt{--figures DIR}.")
    for f in figs:
        out.append("\\begin{center}\\includegraphics[width=0.8\\textwidth,height=0.4\\textheight,"
                   f"keepaspectratio]{{{f.as_posix()}}}\\\\\\small\\texttt{{{latex_text(f.name)}}}\\end{{center}}")
    return out


def _entry_items(entry: str) -> list[str]:
    """The '- *Setting:* …' items of a claim's math-page entry, as LaTeX (Markdown emphasis and code dropped)."""
    items, cur = [], None
    for line in entry.splitlines()[1:]:
        if line.startswith("- "):
            if cur:
                items.append(cur)
            cur = line[2:].strip()
        elif cur is not None and line.strip():
            cur += " " + line.strip()
    if cur:
        items.append(cur)
    out = []
    for it in items:
        head, _, rest = it.partition(":*")
        label = head.strip("* ")
        rest = rest.replace("`", "").replace("*", "")
        out.append(f"\\emph{{{latex_text(label)}}}: {math_text(rest.strip())}")
    return out


def find_figures(paper: str, figures_dir: str | None) -> list[Path]:
    """The PDF (else PNG) figures of ``paper`` in ``figures_dir``, or in ``reproduce-STUDY/``, or in the
    source checkout's ``docs/figures/``."""
    cands = [Path(figures_dir)] if figures_dir else [Path(f"reproduce-{PAPERS[paper]['study']}"),
                                                     Path(__file__).resolve().parent.parent / "docs" / "figures"]
    for folder in cands:
        found = []
        for name in FIGURES[paper]:
            for ext in (".pdf", ".png"):
                if (folder / (name + ext)).exists():
                    found.append((folder / (name + ext)).resolve())
                    break
        if found:
            return found
    if figures_dir:
        raise InputError(f"no figures of {paper} in {figures_dir}", field="--figures")
    return []


def build(which: str, *, pdf: str | None, latex_file: str | None, html_dir: str | None, examples: int, seed: int,
          figures_dir: str | None, date: str) -> dict:
    """Collect, write the LaTeX / PDF / HTML; return the collected parts."""
    papers = list(PAPERS) if which == "all" else [which]
    parts = {p: collect(p, examples=examples, seed=seed) for p in papers}
    figures = {p: find_figures(p, figures_dir) for p in papers}
    text = latex(papers, parts, examples=examples, seed=seed, date=date, figures=figures)
    from ._files import write_text_atomic
    if latex_file:
        write_text_atomic(latex_file, text, encoding="ascii")
    if pdf:
        compile_pdf(text, pdf, name="report")
    if html_dir:
        write_html(papers, parts, Path(html_dir), examples=examples, seed=seed, date=date, figures=figures)
    return parts


def write_html(papers: list[str], parts: dict[str, list[ClaimPart]], out: Path, *, examples: int, seed: int, date: str, figures: dict) -> None:
    """A self-contained HTML version (statements as LaTeX source, figures copied next to it)."""
    from .mathpages import claim_entry
    out.mkdir(parents=True, exist_ok=True)
    e = html.escape
    h = ["<!doctype html><html><head><meta charset='utf-8'><title>flatproof report</title>",
         "<style>body{font-family:serif;max-width:60em;margin:auto}table{border-collapse:collapse}"
         "td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}pre{white-space:pre-wrap}</style></head><body>",
         f"<h1>flatproof report</h1><p>{e(date)}</p>",
         "<p>" + "; ".join(e(f"{k} {v}") for k, v in _versions()) + "</p>",
         f"<p>flatproof check: seed {seed}, {examples} instances per claim.</p><ul>"]
    h += [f"<li><code>{e(c)}</code></li>" for c in commands(papers, examples=examples, seed=seed)]
    h.append("</ul>")
    for paper in papers:
        info = PAPERS[paper]
        h.append(f"<h2>{e(info['title'])}</h2><p>{e(info['authors'])}, arXiv {info['arxiv']}</p>")
        for part in parts[paper]:
            c = part.claim
            h.append(f"<h3 id='{e(c.id)}'><code>{e(c.id)}</code> [{c.tag}]"
                     f"{' FALSE BY DESIGN' if c.false_by_design else ''}</h3><p>{e(c.title)}</p>"
                     f"<p>Reference: {e(c.reference)}</p><pre>{e(c.statement)}</pre>")
            entry = claim_entry(c.id)
            if entry:
                h.append(f"<pre>{e(entry)}</pre>")
            h.append("<p>Derivations: " + (", ".join(f"<code>{e(d.name)}</code>" for d in part.derivations) or "none")
                     + " (<code>flatproof derive NAME</code>)</p>")
            h.append("<table><tr><th>case</th><th>verdict</th><th>basis</th><th>mode</th><th>main comparison</th></tr>")
            h += [f"<tr><td>{e(r.path)}</td><td>{r.outcome}</td><td>{r.basis}</td><td>{r.mode}</td>"
                  f"<td>{e(r.primary)}</td></tr>" for r in part.cases]
            h.append("</table>")
            if part.check is not None:
                k = part.check.counts
                h.append(f"<p>check ({examples} examples, seed {seed}): {part.check.tried} tried, {k['holds']} hold, "
                         f"{k['violated']} violated, {k['inconclusive']} inconclusive, {k['hypotheses-not-met']} "
                         f"hypotheses not met, {part.check.rejected} rejected</p>")
        for f in figures.get(paper) or []:
            png = f.with_suffix(".png")
            if png.exists():
                shutil.copyfile(png, out / png.name)
                h.append(f"<figure><img src='{e(png.name)}' style='max-width:100%'><figcaption>{e(png.name)}"
                         "</figcaption></figure>")
    h.append("</body></html>")
    (out / "index.html").write_text("\n".join(h), encoding="utf-8")
