"""``flatproof list``: the claim registry, one claim in full, or a section of the math pages."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._errors import InputError
from .._json import dumps_strict
from ._common import EXIT_BAD_INPUT, IMPORT_HELP, import_modules, import_option

if TYPE_CHECKING:
    from ..claims._core import Claim


def claim_record(c: Claim) -> dict[str, Any]:
    """One claim as a JSON record (``flatproof list --json``)."""
    return {"id": c.id, "tag": c.tag, "false_by_design": c.false_by_design, "title": c.title,
            "section": c.section, "reference": c.reference, "model": c.model, "modes": list(c.modes),
            "statement": c.statement, "hypotheses": list(c.hypotheses),
            "params": [{"name": p.name, "type": p.type.__name__, "default": p.default, "range": p.describe(),
                        "doc": p.doc} for p in c.params]}


@click.command(name="list")
@click.argument("claim_id", required=False)
@import_option(IMPORT_HELP)
@click.option("--json", "as_json", is_flag=True, help="One JSON record per claim (JSON Lines).")
def list_claims(claim_id: str | None, imports: tuple[str, ...], as_json: bool) -> None:
    """List the claims (id, tag, title), or show one CLAIM_ID with its statement, parameters and math.

    CLAIM_ID may also be a section of the math pages (U.1–U.7, M.1–M.4): its text is printed.
    """

    from .. import mathpages
    from ..claims import all_claims, get_claim

    try:
        import_modules(imports)
        if as_json:
            for c in ([get_claim(claim_id, field="CLAIM_ID")] if claim_id else all_claims()):
                click.echo(dumps_strict(claim_record(c), ensure_ascii=False))
            return
        if claim_id is not None and re.fullmatch(r"[UM]\.\d+", claim_id):
            click.echo(mathpages.section(claim_id), nl=False)
            return
        if claim_id is None:
            table = Table(title="flatproof claims")
            table.add_column("id")
            table.add_column("tag")
            table.add_column("flatproof math")
            table.add_column("title")
            for c in all_claims():
                table.add_row(c.id, escape(c.tag_label()), c.section, escape(c.title))
            Console(width=160).print(table)
            return
        c = get_claim(claim_id, field="CLAIM_ID")
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    console = Console(width=120)
    console.print(f"[bold]{c.id}[/] {escape(c.tag_label())} — {escape(c.title)}", highlight=False)
    console.print(f"reference: {c.reference}", highlight=False, markup=False)
    console.print(f"model: {c.model}; modes: {', '.join(c.modes)}", highlight=False)
    console.print(f"statement (LaTeX): {c.statement}", highlight=False, markup=False)
    for h in c.hypotheses:
        console.print(f"hypothesis: {h}", highlight=False, markup=False)
    if c.params:
        table = Table(title=escape("parameters ([params] table of a case file)"))
        for col in ("name", "type", "default", "range", "meaning"):
            table.add_column(col)
        for p in c.params:
            table.add_row(p.name, p.type.__name__, str(p.default), escape(p.describe()), escape(p.doc))
        console.print(table)
    entry = mathpages.claim_entry(c.id)
    if entry:
        console.print(f"\nflatproof math {c.section} (the whole section: flatproof list "
                      f"{mathpages.section_ids(c.section)[0]}):", highlight=False, markup=False)
        console.print(entry.strip(), highlight=False, markup=False)
    else:
        doc = (type(c).__module__ and __import__(type(c).__module__, fromlist=["_"]).__doc__) or ""
        if doc:
            console.print(doc.strip(), highlight=False, markup=False)
