"""``flatproof report``: one reviewer's report per paper (the builder is flatproof.paper_report)."""

from __future__ import annotations

import sys

import click

from .._errors import FlatproofError
from ._common import EXIT_BAD_INPUT


@click.command()
@click.argument("paper", type=click.Choice(["logistic", "homogeneous", "all"]))
@click.option("--pdf", "pdf_file", type=click.Path(dir_okay=False), default=None, help="Compile the report to FILE.")
@click.option("--latex", "latex_file", type=click.Path(dir_okay=False), default=None, help="Write the LaTeX to FILE.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False), default=None, help="Write an HTML version to DIR.")
@click.option("--examples", default=20, show_default=True, type=click.IntRange(0, 100_000),
              help="flatproof check instances per claim (0: no property tests).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="flatproof check seed.")
@click.option("--figures", "figures_dir", type=click.Path(file_okay=False), default=None,
              help="Folder of flatproof reproduce figures (default: reproduce-STUDY/, else docs/figures/).")
def report(paper: str, pdf_file: str | None, latex_file: str | None, html_dir: str | None, examples: int, seed: int,
           figures_dir: str | None) -> None:
    """One report per PAPER for a reviewer: every claim with statement, tag, derivation, verdicts, checks, figures."""
    import datetime

    from ..paper_report import build

    if not (pdf_file or latex_file or html_dir):
        click.echo("flatproof: error: field '--pdf': give --pdf FILE, --latex FILE or --html DIR", err=True)
        sys.exit(EXIT_BAD_INPUT)
    try:
        parts = build(paper, pdf=pdf_file, latex_file=latex_file, html_dir=html_dir, examples=examples, seed=seed,
                      figures_dir=figures_dir, date=datetime.date.today().isoformat())
    except FlatproofError as exc:                  # bad input, or TeX failed: one line, exit 2
        click.echo(f"flatproof: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    n = sum(len(p) for p in parts.values())
    click.echo(f"flatproof report {paper}: {n} claims, "
               f"{sum(len(c.cases) for p in parts.values() for c in p)} shipped cases"
               + "".join(f"; {what} {where}" for what, where in (("PDF", pdf_file), ("LaTeX", latex_file),
                                                                  ("HTML", html_dir)) if where))
