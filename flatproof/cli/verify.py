"""``flatproof verify``: the verdict of each claim case file, as tables, JSON Lines or a LaTeX report."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from .. import _interrupt
from .._display import num
from .._errors import FlatproofError, InputError
from .._files import output_target, write_text_atomic
from .._json import dumps_strict
from ..vocab import Outcome, Relation
from ._common import (
    EXIT_BAD_INPUT,
    EXIT_INCONCLUSIVE,
    EXIT_VIOLATED,
    apply_limits,
    bad_input,
    import_modules,
    import_option,
    limit_options,
    unexpected,
)

if TYPE_CHECKING:
    from ..claims._core import Claim, Verdict

STYLE = {Outcome.HOLDS: "bold green", Outcome.VIOLATED: "bold red", Outcome.INCONCLUSIVE: "bold yellow",
         Outcome.HYPOTHESES_NOT_MET: "bold magenta"}


@click.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per case (JSON Lines) instead of tables.")
@click.option("--latex", "latex_file", default=None, metavar="FILE",
              help="Write a LaTeX report of every case to FILE ('-': standard output; only if every case could "
                   "be read).")
@import_option("Import MODULE (a module on the current folder, or a .py file) first: it registers your own "
               "claims with @flatproof.claims.register.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, None),
              help="Verify the cases in this many worker processes (output in the order given).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Verify the cases on the Dask distributed scheduler at ADDRESS (the `dask` extra).")
@limit_options
def verify(cases: tuple[str, ...], as_json: bool, latex_file: str | None, imports: tuple[str, ...], jobs: int,
           dask_address: str | None, max_memory: str | None, max_work: str | None) -> None:
    """Verify the claim instance described by each CASE file (TOML).

    Exit status: 0 all hold, 1 some violated, 3 some inconclusive or hypotheses not met (none
    violated), 2 bad input (nothing written), 130 interrupted.
    """

    try:
        target = output_target(latex_file, "--latex")
        apply_limits(max_memory, max_work)
        import_modules(imports)
    except InputError as exc:
        bad_input(exc)
    from ..report import report_latex

    console = Console(width=140)
    outcomes: list[str] = []
    entries: list[tuple[str, Any, Any, dict]] = []
    bad = False
    results: Iterable[tuple[str, Any, Any]]
    if jobs > 1 or dask_address:
        from .._parallel import map_until
        results = map_until(verify_one, [(p, imports) for p in cases], jobs=jobs, dask=dask_address)
    else:
        results = (verify_one((p, ())) for p in cases)
    for path, (kind, case, verdict) in zip(cases, results, strict=True):
        if kind != "ok":
            click.echo(case, err=True)
            bad = True
            continue
        outcomes.append(verdict.outcome)
        entries.append((str(path), case.claim, verdict, case.provenance))
        if as_json:
            record = {"case": str(path), "description": case.description,
                      "provenance": {k: str(v) for k, v in case.provenance.items()}, **verdict.as_dict()}
            click.echo(dumps_strict(record, ensure_ascii=False))
        else:
            print_verdict(console, case, verdict)
    if bad:
        sys.exit(EXIT_BAD_INPUT)
    if target:
        try:
            write_text_atomic(target, report_latex(entries), encoding="ascii")
        except OSError as exc:
            bad_input(InputError(f"cannot write ({exc.strerror or exc})", field="--latex", file=str(target)))
    if Outcome.VIOLATED in outcomes:
        sys.exit(EXIT_VIOLATED)
    if any(o != Outcome.HOLDS for o in outcomes):
        sys.exit(EXIT_INCONCLUSIVE)


def verify_one(task: tuple[str, Iterable[str]]) -> tuple[str, Any, Verdict | None]:
    """("ok", case summary, verdict) or ("error", one-line message, None) for one case file (a worker's task)."""
    path, imports = task
    from ..casefile import load_case
    if imports:
        import_modules(imports)
    try:
        case = load_case(path)
        verdict = case.verify()
    except InputError as exc:
        return "error", f"flatproof: error: {exc.located(file=exc.file or path)}", None
    except FlatproofError as exc:
        return "error", f"flatproof: error: {path}: {exc}", None
    except Exception as exc:  # a bug (in flatproof or a user's claim): still one line and exit 2
        if _interrupt.cause(exc) is not None:
            raise                 # a Ctrl-C wrapped in another exception is an interrupt, not an error
        return "error", unexpected(exc, str(path)), None
    return "ok", CaseSummary(case.path, case.claim.id, case.description, dict(case.instance.provenance)), verdict


class CaseSummary:
    """What the front end needs of a verified case (picklable, unlike the case: a worker sends it back)."""

    def __init__(self, path: str | Path, claim_id: str, description: str | None, provenance: dict) -> None:
        self.path, self.claim_id, self.description, self.provenance = path, claim_id, description, provenance

    @property
    def claim(self) -> Claim:
        from ..claims import get_claim
        return get_claim(self.claim_id)


def _scalar_items(cert: dict, prefix: str = "") -> Iterator[tuple[str, object]]:
    for k, v in cert.items():
        if isinstance(v, dict):
            yield from _scalar_items(v, f"{prefix}{k}.")
        elif isinstance(v, (bool, int, float, str)) and not (isinstance(v, str) and len(v) > 100):
            yield f"{prefix}{k}", v
        elif isinstance(v, (list, tuple)) and len(v) <= 4 and all(isinstance(t, (int, float)) for t in v):
            yield f"{prefix}{k}", "[" + ", ".join(_show(float(t)) for t in v) + "]"


def _show(v: object) -> str:
    if isinstance(v, float):
        return num(v, 8)
    return str(v)


def print_verdict(console: Console, case: CaseSummary, verdict: Verdict) -> None:
    """One case's verdict as a table: comparisons, hypotheses, certificate, notes, mode, verdict."""
    claim = case.claim
    false = "  FALSE BY DESIGN (violation expected)" if claim.false_by_design else ""
    desc = f" — {case.description}" if case.description else ""
    table = Table(title=escape(f"{case.path}: {claim.id} [{claim.tag}]{false}{desc}"), title_justify="left",
                  caption=escape(f"{claim.title} — {claim.reference}"), caption_justify="left")
    table.add_column("comparison", max_width=58)
    table.add_column("value", justify="right")
    table.add_column("", justify="center")
    table.add_column("bound", justify="right")
    table.add_column("margin", justify="right")
    table.add_column("basis", max_width=30)
    table.add_column("outcome")
    for c in verdict.comparisons:
        rel = Relation(c.relation).symbol + (f" (±{c.tol:.1e})" if c.tol else "")
        table.add_row(escape(c.name), num(c.value, 10), rel, num(c.bound, 10), num(c.margin, 3),
                      escape(c.how), f"[{STYLE[Outcome(c.outcome)]}]{c.outcome}[/]")
    console.print(table)
    for h in verdict.hypotheses:
        mark = "[green]met[/]" if h.met else "[magenta]NOT met[/]"
        console.print(f"  hypothesis: {escape(h.name)}: {mark}" + (f" ({escape(h.detail)})" if h.detail else ""),
                      highlight=False)
    items = list(_scalar_items(verdict.certificate))
    if items:
        console.print(escape("  certificate: " + "; ".join(f"{k} = {_show(v)}" for k, v in items)), highlight=False)
    for n in tuple(verdict.notes) + tuple(case.provenance.get("notes", ())):   # e.g. float32 widened
        console.print(f"  note: {n}", highlight=False, markup=False)
    console.print(f"  mode: {verdict.mode}; tolerances: " + ", ".join(f"{k} = {v:g}" for k, v in
                                                                      verdict.tolerances.items()), highlight=False)
    console.print(f"  verdict: [{STYLE[Outcome(verdict.outcome)]}]{escape(verdict.label)}[/]", highlight=False)
