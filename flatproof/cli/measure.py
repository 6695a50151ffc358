"""``flatproof measure``: the quantities of an explicit instance (a measure case)."""

from __future__ import annotations

import sys

import click
from rich.console import Console
from rich.table import Table

from .. import _budget
from .._display import measurement_rows
from .._errors import InputError
from .._json import dumps_strict
from ._common import EXIT_INCONCLUSIVE, apply_limits, bad_input, limit_options


@click.command()
@click.argument("case", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record instead of a table.")
@click.option("--what", default=None, metavar="Q1,Q2,…",
              help="Compute only these: loss, grad_norm, lambda_max, lambda_min, trace, frobenius (default: all).")
@click.option("--budget", default=None, type=click.IntRange(1, None), metavar="N",
              help="Hessian-vector products λ_min may spend before it is reported as bounds (default 400).")
@click.option("--strict-kinks", is_flag=True,
              help="At a kink report the loss only (default: compute with ReLU'(0) = 0 and count the kinks).")
@limit_options
def measure(case: str, as_json: bool, what: str | None, budget: int | None, strict_kinks: bool,
            max_memory: str | None, max_work: str | None) -> None:
    """Loss, gradient norm, λ_max, λ_min, trace, Frobenius norm, kinks and 2/η of an explicit instance.

    Exit status: 0 measured, 2 bad input (one line), 3 float64 could not evaluate the instance (one line).
    """
    import numpy as np

    from ..measure_case import load_measure_case
    from ..measures.summary import measure as run_measure
    from ..measures.summary import parse_what

    try:
        apply_limits(max_memory, max_work)
        wanted = parse_what(what)
        with np.errstate(all="raise", under="ignore"):    # overflow: one line below, never a warning first
            c = load_measure_case(case)
            try:
                res = run_measure(c.oracle, eta=c.eta, tol=c.tol, seed=c.seed, what=wanted, budget=budget,
                                  at_kink="raise" if strict_kinks else "convention")
            except InputError as exc:
                raise exc.located(file=case) from None
    except InputError as exc:
        bad_input(exc)
    except (FloatingPointError, OverflowError, np.linalg.LinAlgError, _budget.WorkBoundReached) as exc:
        click.echo(f"flatproof: {case}: no measurement: float64 could not evaluate this instance "
                   f"({type(exc).__name__}: {exc})", err=True)
        sys.exit(EXIT_INCONCLUSIVE)
    if as_json:
        record = {"case": str(case), "model": c.kind, **res.as_dict()}
        click.echo(dumps_strict(record, indent=2))
        return
    table = Table(title=f"flatproof measure: {case} ({c.kind}, p = {res.num_params})")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_column("certificate / note")
    for row in measurement_rows(res):
        table.add_row(*row)
    Console(width=120).print(table)
    for note in res.notes:
        click.echo(f"note: {note}")
