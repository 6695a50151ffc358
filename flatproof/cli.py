"""The ``flatproof`` command line. Exit status: 0 success, 2 bad input (one-line message on stderr)."""

from __future__ import annotations

import json
import sys

import click
from rich.console import Console
from rich.table import Table

from ._errors import InputError

EXIT_BAD_INPUT = 2


def _fmt(x, digits: int = 6) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="flatproof")
def cli():
    """flatproof: verify theorems about flatness in two-layer networks (see docs/)."""


@cli.command()
@click.argument("case", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record instead of a table.")
def measure(case, as_json):
    """Loss, gradient norm, λ_max, λ_min, trace, Frobenius norm, kinks and 2/η of an explicit instance."""
    from .casefile import load_measure_case
    from .measures.summary import measure as run_measure

    try:
        c = load_measure_case(case)
        try:
            res = run_measure(c.oracle, eta=c.eta, tol=c.tol, seed=c.seed)
        except InputError as exc:
            raise exc.located(file=case) from None
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    if as_json:
        record = {"case": str(case), "model": c.kind, **res.as_dict()}
        click.echo(json.dumps(record, indent=2, allow_nan=True))
        return
    table = Table(title=f"flatproof measure: {case} ({c.kind}, p = {res.num_params})")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("certificate / note")
    table.add_row("loss L(θ)", _fmt(res.loss, 10), "")
    table.add_row("‖∇L(θ)‖", _fmt(res.grad_norm), "")
    for name, r in (("λ_max", res.lambda_max), ("λ_min", res.lambda_min)):
        note = "" if r is None else (f"{r.method}, residual {r.residuals[0]:.2e}, "
                                     f"{'converged' if r.converged else 'NOT converged'}")
        table.add_row(name, _fmt(None if r is None else r.value, 10), note)
    table.add_row("tr ∇²L (exact)", _fmt(res.trace, 10), "")
    table.add_row("‖∇²L‖_F", _fmt(res.frobenius, 10), "")
    where = ", ".join(f"x[{j}] on neuron {i}" for j, i in res.kinks.examples[:3])
    table.add_row("kinks", str(res.kinks.count), f"tolerance {res.kinks.tol:g}" + (f"; {where}" if where else ""))
    if res.threshold is not None:
        table.add_row("2/η", _fmt(res.threshold, 10), f"η = {res.eta:g}")
        if res.flatness is not None:
            table.add_row("η-flat", res.flatness.answer, res.flatness.reason)
    Console(width=120).print(table)
    for note in res.notes:
        click.echo(f"note: {note}")


def main():  # entry point
    cli()


if __name__ == "__main__":
    main()
