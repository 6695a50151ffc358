"""``flatproof check``: property testing of claims on generated instances (the engine is flatproof.check)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .._errors import InputError
from .._files import output_target
from .._json import dumps_strict
from ..vocab import Outcome
from ._common import (
    EXIT_VIOLATED,
    IMPORT_HELP,
    apply_limits,
    bad_input,
    import_modules,
    import_option,
    limit_options,
)

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from ..claims._core import Claim


def parse_param_options(options: Iterable[str], claim: Claim) -> dict[str, Any]:
    """``--param NAME=VALUE`` (repeatable), typed by the claim's own parameter table."""
    known = {p.name: p for p in claim.params}
    raw = {}
    for opt in options:
        name, eq, text = opt.partition("=")
        field = f"--param {name.strip() or opt}"
        if not eq or not name.strip():
            raise InputError("expected NAME=VALUE", field=f"--param {opt}")
        name = name.strip()
        if name not in known:
            raise InputError(f"unknown parameter of {claim.id} (allowed: {', '.join(sorted(known)) or 'none'})",
                             field=field)
        t, text = known[name].type, text.strip()
        value: object
        try:
            if t is bool:
                if text.lower() not in ("true", "false"):
                    raise ValueError
                value = text.lower() == "true"
            else:
                value = t(text)
        except (ValueError, OverflowError):
            raise InputError(f"expected a {t.__name__}, got {text!r}", field=field) from None
        raw[name] = known[name].parse(value, field)
    return raw


@click.command()
@click.argument("claims", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every claim that has an instance strategy.")
@click.option("--examples", default=100, show_default=True, type=click.IntRange(1, 1_000_000),
              help="Generated instances per claim.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="Hypothesis seed.")
@click.option("--out", "out_dir", default="cases/found", show_default=True, metavar="DIR",
              help="Where shrunk counterexamples are written (created if missing).")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per claim (JSON Lines).")
@click.option("--param", "param_opts", multiple=True, metavar="NAME=VALUE",
              help="Fix a claim parameter instead of drawing it (repeatable; see `flatproof list CLAIM`).")
@import_option(IMPORT_HELP)
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, None),
              help="Worker processes (BLAS at one thread each); results do not depend on it.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run the shards on the Dask distributed scheduler at ADDRESS (the `dask` extra).")
@limit_options
def check(claims: tuple[str, ...], everything: bool, examples: int, seed: int, out_dir: str, as_json: bool,
          param_opts: tuple[str, ...], imports: tuple[str, ...], jobs: int, dask_address: str | None,
          max_memory: str | None, max_work: str | None) -> None:
    """Property-test CLAIM... (or --all) on generated instances; shrink and write a counterexample.

    Reports how many instances held, were violated, inconclusive or did not meet the hypotheses. A
    violation is shrunk by hypothesis and written to OUT/CLAIM-seedS.toml, which `flatproof verify`
    reproduces. Exit status: 0 no violation, 1 some named claim violated (with --all: some [exact] or
    true [paper] claim violated, or a FALSE BY DESIGN claim not refuted; probes never fail the run),
    2 bad input, 130 interrupted.
    """
    try:
        out = output_target(out_dir, "--out", folder=True, allow_stdout=False, create=True)
        apply_limits(max_memory, max_work)
    except InputError as exc:
        bad_input(exc)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from ..check import check_claim, keep_hypothesis_out_of_cwd, run_failed
    from ..claims import all_claims, get_claim
    from ..strategies import has_strategy

    keep_hypothesis_out_of_cwd()

    try:
        import_modules(imports)
        if everything == bool(claims):
            raise InputError("name claims or give --all (not both)", field="CLAIM")
        chosen = [c.id for c in all_claims() if has_strategy(c.id)] if everything else [
            get_claim(c, field="CLAIM").id for c in claims]
        params = {cid: parse_param_options(param_opts, get_claim(cid)) for cid in chosen}
        reports = []
        err_console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True, disable=as_json) as bar:
            for cid in chosen:
                task = bar.add_task(cid, total=examples)
                rep = check_claim(cid, examples=examples, seed=seed, out_dir=out, params=params[cid] or None,
                                  progress=_advance(bar, task), jobs=jobs, dask=dask_address, imports=imports)
                bar.update(task, completed=examples)
                reports.append(rep)
                if as_json:
                    click.echo(dumps_strict(rep.as_dict()))
    except InputError as exc:
        bad_input(exc)
    if not as_json:
        table = Table(title=f"flatproof check (examples {examples}, seed {seed})")
        for col in ("claim", "tag", "tried", "holds", "violated", "inconclusive", "hyp. not met", "rejected",
                    "seconds", "counterexample"):
            table.add_column(col, justify="right" if col not in ("claim", "tag", "counterexample") else "left")
        for r in reports:
            tag = escape(f"[{r.tag}]" + (" FALSE" if r.false_by_design else ""))
            cx = "—" if r.path is None else f"{r.path} {r.size}" + ("" if r.reproduced else " (NOT reproduced)")
            counts = [str(r.counts[o]) for o in (Outcome.HOLDS, Outcome.VIOLATED, Outcome.INCONCLUSIVE,
                                                 Outcome.HYPOTHESES_NOT_MET)]
            table.add_row(r.claim, tag, str(r.tried), *counts, str(r.rejected), f"{r.seconds:.1f}", escape(cx))
        Console(width=180).print(table)
    if run_failed(reports, everything):
        sys.exit(EXIT_VIOLATED)


def _advance(bar: Progress, task: TaskID) -> Callable[[int], None]:
    """A progress callback that moves ``task`` of ``bar`` to the number of examples done."""
    def tick(done: int) -> None:
        bar.update(task, completed=done)
    return tick
