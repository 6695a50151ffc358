"""``flatproof cases``: the example cases that ship with flatproof."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._errors import InputError
from ._common import EXIT_BAD_INPUT


@click.command()
@click.option("--copy", "copy_to", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Copy every shipped case (and the arrays they load) into DIR, to edit and verify.")
def cases(copy_to: str | None) -> None:
    """List the example cases that ship with flatproof, or copy them with --copy DIR."""
    from ..shipped import cases_dir, copy_cases, describe, shipped_cases

    try:
        if copy_to:
            copied = copy_cases(copy_to)
            click.echo(f"flatproof cases: copied {len(copied)} files to {copy_to}; try "
                       f"flatproof verify {copy_to}/logistic-flat-at-infinity.toml")
            return
        table = Table(title=escape(f"shipped cases ({cases_dir()})"), title_justify="left")
        for col in ("file", "claim", "expected"):
            table.add_column(col)
        for p in shipped_cases():
            claim, expected = describe(p)
            table.add_row(p.name, claim, expected)
        Console(width=120).print(table)
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
