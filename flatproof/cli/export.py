"""``flatproof export``: the network of a case as a PyTorch-layout state dict."""

from __future__ import annotations

import sys

import click

from .._errors import InputError
from ._common import EXIT_BAD_INPUT


@click.command()
@click.argument("case", type=click.Path(dir_okay=False))
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False),
              help="Output file: .safetensors, .pt, .json or .npz (a PyTorch-layout float64 state dict).")
@click.option("--format", "fmt", default=None, type=click.Choice(["pt", "safetensors", "json", "npz"]),
              help="The format, when the suffix does not say it.")
def export(case: str, target: str, fmt: str | None) -> None:
    """Write the network of CASE (a claim case or a measure case) as a state dict (docs/networks.md)."""
    from ..case_writer import export_case
    try:
        net = export_case(case, target, fmt)
    except InputError as exc:
        click.echo(f"flatproof: error: {exc.located(file=exc.file or case)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    act = getattr(net, "activation", None)
    click.echo(f"flatproof export: {case} -> {target} ({type(net).__name__}, m = {net.m})"
               + (f"; the activation {act.name} is not part of a state dict: name it when you load it" if act else ""))
