"""``flatproof schema``: the JSON Schema of a claim case file."""

from __future__ import annotations

import click

from .._json import dumps_strict


@click.command()
def schema() -> None:
    """Print the JSON Schema of a claim case file (generated from the fields the parser reads)."""
    from ..casefile import case_json_schema
    click.echo(dumps_strict(case_json_schema(), indent=2, ensure_ascii=False))
