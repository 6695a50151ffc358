"""The ``flatproof`` command line.

Exit status: 0 success (``verify``: every case holds), 1 some case violated, 3 some case
inconclusive or with hypotheses not met (and none violated), 2 bad input (a one-line message on
stderr naming the file, the field and the reason; no output file is written), 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import os
import re
import sys

from . import _interrupt

if os.path.basename(sys.argv[0]) in ("flatproof", "__main__.py"):   # the command line: before heavy imports
    _interrupt.install()

import click  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.markup import escape  # noqa: E402
from rich.table import Table  # noqa: E402

from . import _budget  # noqa: E402
from ._errors import FlatproofError, InputError  # noqa: E402
from ._files import output_target, write_text_atomic  # noqa: E402
from ._json import dumps_strict  # noqa: E402
from ._display import measurement_rows, num  # noqa: E402
from . import __version__  # noqa: E402

EXIT_OK, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3
_DEBUG = {"on": False}


def _bad_input(exc) -> None:
    """One line on stderr and exit 2."""
    click.echo(f"flatproof: error: {exc}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def _where(exc: BaseException) -> str:
    """file:line of the innermost frame of the traceback, and whether it is outside flatproof."""
    import traceback
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    here = os.path.dirname(os.path.abspath(__file__))
    user = [f for f in frames if not os.path.abspath(f.filename).startswith(here + os.sep)]
    f = user[-1] if user else frames[-1]
    return f"{f.filename}:{f.lineno}" + ("" if user else " (inside flatproof)")


def _unexpected(exc: BaseException, context: str) -> str:
    """One line for an exception flatproof did not expect: where it happened (in a user's claim or in
    flatproof itself); ``--debug`` prints the traceback first."""
    if _DEBUG["on"]:
        import traceback
        traceback.print_exception(exc, file=sys.stderr)
    where = _where(exc)
    kind = "internal error (please report; --debug shows the traceback)" if where.endswith("(inside flatproof)") \
        else "error in user code (--debug shows the traceback)"
    return f"flatproof: {kind}: {context}: {type(exc).__name__} at {where}: {exc}"


def _limits(fn):
    """--max-memory / --max-work: the resource limits every case is checked against before work."""
    fn = click.option("--max-work", "max_work", default=None, metavar="OPS",
                      help="Refuse a case whose estimated work exceeds OPS elementary operations "
                           f"(default {_budget.DEFAULT_MAX_WORK:.0e}, about ten minutes).")(fn)
    return click.option("--max-memory", "max_memory", default=None, metavar="SIZE",
                        help="Refuse a case whose estimated memory exceeds SIZE (e.g. 4G, 512MiB; default: "
                             "half of the memory available).")(fn)


def _apply_limits(max_memory, max_work) -> None:
    _budget.set_limits(None if max_memory is None else _budget.parse_bytes(max_memory),
                       None if max_work is None else _budget.parse_work(max_work))
_STYLE = {"holds": "bold green", "violated": "bold red", "inconclusive": "bold yellow",
          "hypotheses-not-met": "bold magenta"}


_fmt = num      # one number formatter for the terminal and the notebook (flatproof._display)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="flatproof")
@click.option("--debug", is_flag=True, help="Print the traceback of an unexpected error (a bug, or in your claim).")
def cli(debug):
    """flatproof: verify theorems about flatness in two-layer networks (see docs/)."""
    _DEBUG["on"] = debug


@cli.command()
@click.argument("case", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record instead of a table.")
@click.option("--what", default=None, metavar="Q1,Q2,…",
              help="Compute only these: loss, grad_norm, lambda_max, lambda_min, trace, frobenius (default: all).")
@click.option("--budget", default=None, type=click.IntRange(1, None), metavar="N",
              help="Hessian-vector products λ_min may spend before it is reported as bounds (default 400).")
@click.option("--strict-kinks", is_flag=True,
              help="At a kink report the loss only (default: compute with ReLU'(0) = 0 and count the kinks).")
@_limits
def measure(case, as_json, what, budget, strict_kinks, max_memory, max_work):
    """Loss, gradient norm, λ_max, λ_min, trace, Frobenius norm, kinks and 2/η of an explicit instance.

    Exit status: 0 measured, 2 bad input (one line), 3 float64 could not evaluate the instance (one line).
    """
    import numpy as np

    from .casefile import load_measure_case
    from .measures.summary import measure as run_measure, parse_what

    try:
        _apply_limits(max_memory, max_work)
        wanted = parse_what(what)
        with np.errstate(all="raise", under="ignore"):    # overflow: one line below, never a warning first
            c = load_measure_case(case)
            try:
                res = run_measure(c.oracle, eta=c.eta, tol=c.tol, seed=c.seed, what=wanted, budget=budget,
                                  at_kink="raise" if strict_kinks else "convention")
            except InputError as exc:
                raise exc.located(file=case) from None
    except InputError as exc:
        _bad_input(exc)
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


def _import_modules(modules) -> None:
    """Import the modules named by --import (they register user claims): a module name, found on the
    current folder first, or the path of a ``.py`` file. Any failure is one InputError saying where."""
    import importlib
    import importlib.util
    from pathlib import Path
    for mod in modules:
        field = f"--import {mod}"
        try:
            if mod.endswith(".py") or os.sep in mod or "/" in mod:
                p = Path(mod)
                if not p.is_file():
                    raise InputError("no such .py file", field=field)
                name = "flatproof_user_" + "".join(ch if ch.isalnum() else "_" for ch in p.stem)
                spec = importlib.util.spec_from_file_location(name, p)
                if spec is None or spec.loader is None:
                    raise InputError("not an importable .py file", field=field)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            else:
                if not mod.replace(".", "").replace("_", "").isalnum():
                    raise InputError("expected a module name (a.b.c) or a path to a .py file", field=field)
                if os.getcwd() not in sys.path and "" not in sys.path:
                    sys.path.insert(0, os.getcwd())
                importlib.import_module(mod)
        except InputError:
            raise
        except SyntaxError as exc:
            raise InputError(f"syntax error at {exc.filename}:{exc.lineno}: {exc.msg}", field=field) from None
        except ImportError as exc:
            raise InputError(f"cannot import ({exc})", field=field) from None
        except Exception as exc:
            if _DEBUG["on"] or _interrupt.cause(exc) is not None:
                raise
            raise InputError(f"{type(exc).__name__} at {_where(exc)}: {exc} (--debug shows the traceback)",
                             field=field) from None


def _claim_record(c) -> dict:
    return {"id": c.id, "tag": c.tag, "false_by_design": c.false_by_design, "title": c.title,
            "section": c.section, "reference": c.reference, "model": c.model, "modes": list(c.modes),
            "statement": c.statement, "hypotheses": list(c.hypotheses),
            "params": [{"name": p.name, "type": p.type.__name__, "default": p.default, "range": p.describe(),
                        "doc": p.doc} for p in c.params]}


def _parse_param_options(options, claim) -> dict:
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


def _scalar_items(cert: dict, prefix: str = ""):
    for k, v in cert.items():
        if isinstance(v, dict):
            yield from _scalar_items(v, f"{prefix}{k}.")
        elif isinstance(v, (bool, int, float, str)) and not (isinstance(v, str) and len(v) > 100):
            yield f"{prefix}{k}", v
        elif isinstance(v, (list, tuple)) and len(v) <= 4 and all(isinstance(t, (int, float)) for t in v):
            yield f"{prefix}{k}", "[" + ", ".join(_show(float(t)) for t in v) + "]"


def _show(v) -> str:
    if isinstance(v, float):
        return _fmt(v, 8)
    return str(v)


def _print_verdict(console: Console, case, verdict) -> None:
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
        rel = {"<=": "≤", ">=": "≥", "=": "="}[c.relation] + (f" (±{c.tol:.1e})" if c.tol else "")
        table.add_row(escape(c.name), _fmt(c.value, 10), rel, _fmt(c.bound, 10), _fmt(c.margin, 3),
                      escape(c.how), f"[{_STYLE[c.outcome]}]{c.outcome}[/]")
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
    console.print(f"  verdict: [{_STYLE[verdict.outcome]}]{escape(verdict.label)}[/]", highlight=False)


@cli.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per case (JSON Lines) instead of tables.")
@click.option("--latex", "latex_file", default=None, metavar="FILE",
              help="Write a LaTeX report of every case to FILE ('-': standard output; only if every case could "
                   "be read).")
@click.option("--import", "imports", multiple=True, metavar="MODULE",
              help="Import MODULE (a module on the current folder, or a .py file) first: it registers your own "
                   "claims with @flatproof.claims.register.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, None),
              help="Verify the cases in this many worker processes (output in the order given).")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Verify the cases on the Dask distributed scheduler at ADDRESS (the `dask` extra).")
@_limits
def verify(cases, as_json, latex_file, imports, jobs, dask_address, max_memory, max_work):
    """Verify the claim instance described by each CASE file (TOML).

    Exit status: 0 all hold, 1 some violated, 3 some inconclusive or hypotheses not met (none
    violated), 2 bad input (nothing written), 130 interrupted.
    """

    try:
        latex_file = output_target(latex_file, "--latex")
        _apply_limits(max_memory, max_work)
        _import_modules(imports)
    except InputError as exc:
        _bad_input(exc)
    from .report import report_latex

    console = Console(width=140)
    outcomes, entries, bad = [], [], False
    if jobs > 1 or dask_address:
        from ._parallel import map_until
        results = map_until(_verify_one, [(p, imports) for p in cases], jobs=jobs, dask=dask_address)
    else:
        results = (_verify_one((p, ())) for p in cases)
    for path, (kind, case, verdict) in zip(cases, results):
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
            _print_verdict(console, case, verdict)
    if bad:
        sys.exit(EXIT_BAD_INPUT)
    if latex_file:
        try:
            write_text_atomic(latex_file, report_latex(entries), encoding="ascii")
        except OSError as exc:
            _bad_input(InputError(f"cannot write ({exc.strerror or exc})", field="--latex", file=str(latex_file)))
    if "violated" in outcomes:
        sys.exit(EXIT_VIOLATED)
    if any(o != "holds" for o in outcomes):
        sys.exit(EXIT_INCONCLUSIVE)


@cli.command()
def schema():
    """Print the JSON Schema of a claim case file (generated from the fields the parser reads)."""
    from .casefile import case_json_schema
    click.echo(dumps_strict(case_json_schema(), indent=2, ensure_ascii=False))


def _verify_one(task):
    """("ok", case summary, verdict) or ("error", one-line message, None) for one case file (a worker's task)."""
    path, imports = task
    from .casefile import load_case
    if imports:
        _import_modules(imports)
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
        return "error", _unexpected(exc, str(path)), None
    return "ok", _CaseSummary(case.path, case.claim.id, case.description, dict(case.instance.provenance)), verdict


class _CaseSummary:
    """What the front end needs of a verified case (picklable, unlike the case: a worker sends it back)."""

    def __init__(self, path, claim_id, description, provenance):
        self.path, self.claim_id, self.description, self.provenance = path, claim_id, description, provenance

    @property
    def claim(self):
        from .claims import get_claim
        return get_claim(self.claim_id)


@cli.command(name="list")
@click.argument("claim_id", required=False)
@click.option("--import", "imports", multiple=True, metavar="MODULE",
              help="Import MODULE (module on the current folder, or a .py file) first (user claims).")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per claim (JSON Lines).")
def list_claims(claim_id, imports, as_json):
    """List the claims (id, tag, title), or show one CLAIM_ID with its statement, parameters and math.

    CLAIM_ID may also be a section of the math pages (U.1–U.7, M.1–M.4): its text is printed.
    """

    from . import mathpages
    from .claims import all_claims, get_claim

    try:
        _import_modules(imports)
        if as_json:
            for c in ([get_claim(claim_id, field="CLAIM_ID")] if claim_id else all_claims()):
                click.echo(dumps_strict(_claim_record(c), ensure_ascii=False))
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


@cli.command()
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
@click.option("--import", "imports", multiple=True, metavar="MODULE",
              help="Import MODULE (module on the current folder, or a .py file) first (user claims).")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, None),
              help="Worker processes (BLAS at one thread each); results do not depend on it.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run the shards on the Dask distributed scheduler at ADDRESS (the `dask` extra).")
@_limits
def check(claims, everything, examples, seed, out_dir, as_json, param_opts, imports, jobs, dask_address,
          max_memory, max_work):
    """Property-test CLAIM... (or --all) on generated instances; shrink and write a counterexample.

    Reports how many instances held, were violated, inconclusive or did not meet the hypotheses. A
    violation is shrunk by hypothesis and written to OUT/CLAIM-seedS.toml, which `flatproof verify`
    reproduces. Exit status: 0 no violation, 1 some named claim violated (with --all: some [exact] or
    true [paper] claim violated, or a FALSE BY DESIGN claim not refuted; probes never fail the run),
    2 bad input, 130 interrupted.
    """
    try:
        out_dir = output_target(out_dir, "--out", folder=True, allow_stdout=False, create=True)
        _apply_limits(max_memory, max_work)
    except InputError as exc:
        _bad_input(exc)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .check import check_claim, keep_hypothesis_out_of_cwd
    from .claims import all_claims, get_claim
    from .strategies import has_strategy

    keep_hypothesis_out_of_cwd()

    try:
        _import_modules(imports)
        if everything == bool(claims):
            raise InputError("name claims or give --all (not both)", field="CLAIM")
        chosen = [c.id for c in all_claims() if has_strategy(c.id)] if everything else [
            get_claim(c, field="CLAIM").id for c in claims]
        params = {cid: _parse_param_options(param_opts, get_claim(cid)) for cid in chosen}
        reports = []
        err_console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True, disable=as_json) as bar:
            for cid in chosen:
                task = bar.add_task(cid, total=examples)
                rep = check_claim(cid, examples=examples, seed=seed, out_dir=out_dir, params=params[cid] or None,
                                  progress=lambda k, task=task: bar.update(task, completed=k), jobs=jobs,
                                  dask=dask_address, imports=imports)
                bar.update(task, completed=examples)
                reports.append(rep)
                if as_json:
                    click.echo(dumps_strict(rep.as_dict()))
    except InputError as exc:
        _bad_input(exc)
    if not as_json:
        table = Table(title=f"flatproof check (examples {examples}, seed {seed})")
        for col in ("claim", "tag", "tried", "holds", "violated", "inconclusive", "hyp. not met", "rejected",
                    "seconds", "counterexample"):
            table.add_column(col, justify="right" if col not in ("claim", "tag", "counterexample") else "left")
        for r in reports:
            tag = escape(f"[{r.tag}]" + (" FALSE" if r.false_by_design else ""))
            cx = "—" if r.path is None else f"{r.path} {r.size}" + ("" if r.reproduced else " (NOT reproduced)")
            table.add_row(r.claim, tag, str(r.tried), str(r.counts["holds"]), str(r.counts["violated"]),
                          str(r.counts["inconclusive"]), str(r.counts["hypotheses-not-met"]), str(r.rejected),
                          f"{r.seconds:.1f}", escape(cx))
        Console(width=180).print(table)
    from .check import run_failed
    if run_failed(reports, everything):
        sys.exit(EXIT_VIOLATED)


@cli.command()
@click.argument("study", type=click.Choice(["logistic", "homogeneous"]))
@click.option("--quick", is_flag=True, help="A small version (under a minute) for tests and a first look.")
@click.option("--out", "out_dir", default=None, metavar="DIR",
              help="Output folder (default: reproduce-STUDY); filled under a temporary name and renamed when "
                   "complete, so an interrupted run leaves the previous result or nothing.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None))
@click.option("--style", "style", default="paper", show_default=True, type=click.Choice(["paper", "talk"]),
              help="Figure style: paper (journal column, small type) or talk (slides, large type).")
@click.option("--replot", is_flag=True, help="Only redraw the figures from the numbers of an earlier run in OUT.")
def reproduce(study, quick, out_dir, seed, style, replot):
    """Run the simulation STUDY and write its figures (PNG, PDF) and every plotted number (JSON, CSV)."""
    import time

    from ._files import atomic_folder
    try:
        out_dir = output_target(f"reproduce-{study}" if out_dir is None else out_dir, "--out", folder=True,
                                allow_stdout=False)
    except InputError as exc:
        _bad_input(exc)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .reproduce import homogeneous, logistic

    t0 = time.perf_counter()
    module = logistic if study == "logistic" else homogeneous
    if replot:
        import os
        if not os.path.exists(os.path.join(out_dir, f"{study}.json")):
            click.echo(f"flatproof: error: field '--replot': {out_dir}/{study}.json does not exist "
                       f"(run flatproof reproduce {study} --out {out_dir} first)", err=True)
            sys.exit(EXIT_BAD_INPUT)
        res = module.replot(out_dir, style=style)
        click.echo(f"flatproof reproduce {study}: {len(res['figures'])} files of figures redrawn in {out_dir} "
                   f"({time.perf_counter() - t0:.1f} s)")
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} steps"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar, \
            atomic_folder(out_dir) as tmp:
        task = bar.add_task(f"reproduce {study}", total=None)
        module = logistic if study == "logistic" else homogeneous
        res = module.run(tmp, quick=quick, seed=seed, progress=lambda: bar.advance(task), style=style)
    click.echo(f"flatproof reproduce {study}: {len(res['figures'])} files of figures in {out_dir} "
               f"({time.perf_counter() - t0:.1f} s)")
    if study == "logistic":
        for eta, r in res["eos"]["runs"].items():
            click.echo(f"  GD η = {eta:g}: final λ_max {r['lambda_max']:.4g} (2/η = {2 / eta:.4g}), population error "
                       f"{r['population_error']:.4f} (Bayes {res['eos']['bayes_error']:.4f}), weighted TV "
                       f"{r['weighted_tv']:.4g}")
        inf = res["infinity"]
        click.echo(f"  flat at infinity: c = {inf['c'][-1]:g}: λ_max {inf['lambda_max'][-1]:.3g}, training error "
                   f"{inf['training_error'][-1]:g}, population error {inf['population_error'][-1]:.4f} "
                   f"(Bayes {inf['bayes_error']:.4f})")
        rt = res["rate"]
        click.echo(f"  excess logistic risk inside R_δ ~ n^{rt['slope']:.3f}, 95% CI [{rt['slope_ci95'][0]:.3f}, "
                   f"{rt['slope_ci95'][1]:.3f}] ({len(rt['rows'])} runs)")
        return
    fl, mm = res["flattest"], res["memoriser"]
    for s_, r in zip(fl["noise"], fl["by_noise"]):
        click.echo(f"  flattest interpolator, noise {s_:g}: test MSE {r['test_mse']:.4g} ± {r['test_mse_se']:.2g}, "
                   f"{r['atoms']} atoms, F_min {r['F_min']:.4g}")
    for r in mm["relu"]:
        click.echo(f"  memoriser / teacher F_sym at d = n = {r['d']}: {r['ratio']:.3g} "
                   f"(memoriser test MSE {r['test_mse_memoriser']:.3g})")
    click.echo(f"  k = 2, d = n = {mm['k2']['d']}: ratio {mm['k2']['ratio']:.3g}")


@cli.command()
@click.argument("paper", type=click.Choice(["logistic", "homogeneous", "all"]))
@click.option("--pdf", "pdf_file", type=click.Path(dir_okay=False), default=None, help="Compile the report to FILE.")
@click.option("--latex", "latex_file", type=click.Path(dir_okay=False), default=None, help="Write the LaTeX to FILE.")
@click.option("--html", "html_dir", type=click.Path(file_okay=False), default=None, help="Write an HTML version to DIR.")
@click.option("--examples", default=20, show_default=True, type=click.IntRange(0, 100_000),
              help="flatproof check instances per claim (0: no property tests).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None), help="flatproof check seed.")
@click.option("--figures", "figures_dir", type=click.Path(file_okay=False), default=None,
              help="Folder of flatproof reproduce figures (default: reproduce-STUDY/, else docs/figures/).")
def report(paper, pdf_file, latex_file, html_dir, examples, seed, figures_dir):
    """One report per PAPER for a reviewer: every claim with statement, tag, derivation, verdicts, checks, figures."""
    import datetime

    from .paper_report import build

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


@cli.command()
@click.option("--copy", "copy_to", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="Copy every shipped case (and the arrays they load) into DIR, to edit and verify.")
def cases(copy_to):
    """List the example cases that ship with flatproof, or copy them with --copy DIR."""
    from .shipped import cases_dir, copy_cases, describe, shipped_cases

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


@cli.command()
@click.argument("names", nargs=-1)
@click.option("--all", "everything", is_flag=True, help="Every derivation.")
@click.option("--latex", "latex_file", default=None, metavar="FILE",
              help="Write the LaTeX document to FILE ('-': standard output).")
@click.option("--pdf", "pdf_file", default=None, metavar="FILE",
              help="Compile the document with latexmk or pdflatex and write the PDF to FILE ('-': standard output).")
def derive(names, everything, latex_file, pdf_file):
    """Export the derivations NAME... (derivation names or claim ids) as a LaTeX document.

    Every step not marked [cited] is proved by sympy before anything is written. Without --latex
    or --pdf, the document goes to standard output. Names: see `flatproof derive --all --latex -`
    or docs/derive.md.
    """
    from .claims import all_claims
    from .derivations import for_claim, get_derivation, names as der_names
    from .derive import UnprovedStep, document

    try:
        latex_file = output_target(latex_file, "--latex")
        pdf_file = output_target(pdf_file, "--pdf")
        if latex_file == "-" and pdf_file == "-":
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
    if pdf_file:
        from ._latex import compile_pdf
        try:
            compile_pdf(text, pdf_file, name="derivations")
        except FlatproofError as exc:
            click.echo(f"flatproof: error: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    if latex_file:
        write_text_atomic(latex_file, text, encoding="ascii")
    if not latex_file and not pdf_file:
        click.echo(text, nl=False)


@cli.command()
@click.argument("case", type=click.Path(dir_okay=False))
@click.option("--to", "target", required=True, type=click.Path(dir_okay=False),
              help="Output file: .safetensors, .pt, .json or .npz (a PyTorch-layout float64 state dict).")
@click.option("--format", "fmt", default=None, type=click.Choice(["pt", "safetensors", "json", "npz"]),
              help="The format, when the suffix does not say it.")
def export(case, target, fmt):
    """Write the network of CASE (a claim case or a measure case) as a state dict (docs/networks.md)."""
    from .case_writer import export_case
    try:
        net = export_case(case, target, fmt)
    except InputError as exc:
        click.echo(f"flatproof: error: {exc.located(file=exc.file or case)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    act = getattr(net, "activation", None)
    click.echo(f"flatproof export: {case} -> {target} ({type(net).__name__}, m = {net.m})"
               + (f"; the activation {act.name} is not part of a state dict: name it when you load it" if act else ""))


def main(argv=None):  # entry point
    """Run the command line: every ending is an exit status and at most one line on stderr."""
    import signal
    _interrupt.install()
    _interrupt.running()
    try:
        code = cli.main(args=argv, prog_name="flatproof", standalone_mode=False)
    except (KeyboardInterrupt, click.exceptions.Abort):
        _interrupt.exit_after(signal.SIGINT)
    except _interrupt.Terminated:
        _interrupt.exit_after(signal.SIGTERM)
    except click.exceptions.ClickException as exc:     # usage errors: one line, exit 2
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        click.echo(f"flatproof: error: {exc.format_message()}{where}", err=True)
        code = exc.exit_code
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        code = EXIT_BAD_INPUT
    except BrokenPipeError:
        code = 0
    except Exception as exc:   # never a traceback (unless --debug)
        signum = _interrupt.cause(exc)
        if signum is not None:     # an interrupt wrapped in another exception (e.g. while a class is created)
            _interrupt.exit_after(signum)
        click.echo(_unexpected(exc, "flatproof"), err=True)
        code = EXIT_BAD_INPUT
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
