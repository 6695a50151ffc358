"""``flatproof derive``: the symbolic derivations as a LaTeX document or PDF (the document is flatproof.derive)."""

from __future__ import annotations

import sys

import click

from .._errors import FlatproofError, InputError
from .._files import output_target, write_text_atomic
from ._common import EXIT_BAD_INPUT, EXIT_VIOLATED


@click.command()
@click.argument("names", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every derivation.")
@click.option("--latex", "latex_file", default=None, metavar="FILE",
              help="Write the LaTeX document to FILE ('-': standard output).")
@click.option("--pdf", "pdf_file", default=None, metavar="FILE",
              help="Compile the document with latexmk or pdflatex and write the PDF to FILE ('-': standard output).")
def derive(names: tuple[str, ...], everything: bool, latex_file: str | None, pdf_file: str | None) -> None:
    """Export the derivations NAME... (derivation names or claim ids) as a LaTeX document.

    Every step not marked [cited] is proved by sympy before anything is written. Without --latex
    or --pdf, the document goes to standard output. Names: see `flatproof derive --all --latex -`
    or docs/derive.md.
    """
    from ..claims import all_claims
    from ..derivations import for_claim, get_derivation
    from ..derivations import names as der_names
    from ..derive import UnprovedStep, document

    try:
        latex_to = output_target(latex_file, "--latex")
        pdf_to = output_target(pdf_file, "--pdf")
        if latex_to == "-" and pdf_to == "-":
            raise InputError("--latex and --pdf cannot both go to standard output", field="--pdf")
        if everything:
            if names:
                raise InputError("give names or --all, not both", field="NAME")
            chosen = [get_derivation(nm) for nm in der_names()]
        elif not names:
            raise InputError(f"name a derivation ({', '.join(der_names())}), a claim id, or --all", field="NAME")
        else:
            chosen = []
            claim_ids = {c.id for c in all_claims()}
            for nm in names:
                ds = for_claim(nm) if nm in claim_ids else [get_derivation(nm)]
                if not ds:
                    raise InputError(f"claim {nm} has no symbolic derivation", field="NAME")
                chosen += [d for d in ds if d not in chosen]
        text = document(chosen)
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except UnprovedStep as exc:
        click.echo(f"flatproof: error: sympy could not prove {exc}; nothing written", err=True)
        sys.exit(EXIT_VIOLATED)
    if pdf_to:
        from .._latex import compile_pdf
        try:
            compile_pdf(text, pdf_to, name="derivations")
        except FlatproofError as exc:
            click.echo(f"flatproof: error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    if latex_to:
        write_text_atomic(latex_to, text, encoding="ascii")
    if not latex_to and not pdf_to:
        click.echo(text, nl=False)
