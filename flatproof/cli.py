"""The ``flatproof`` command line.

Exit status: 0 success (``verify``: every case holds), 1 some case violated, 3 some case
inconclusive or with hypotheses not met (and none violated), 2 bad input (a one-line message on
stderr naming the file, the field and the reason; no output file is written).
"""

from __future__ import annotations

import json
import re
import sys

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ._errors import FlatproofError, InputError
from ._files import write_text_atomic
from .display import measurement_rows, num

EXIT_OK, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3
_STYLE = {"holds": "bold green", "violated": "bold red", "inconclusive": "bold yellow",
          "hypotheses-not-met": "bold magenta"}


_fmt = num      # one number formatter for the terminal and the notebook (flatproof.display)


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
    for row in measurement_rows(res):
        table.add_row(*row)
    Console(width=120).print(table)
    for note in res.notes:
        click.echo(f"note: {note}")


def _import_modules(modules) -> None:
    """Import the modules named by --import (they register user claims); an InputError if one fails."""
    import importlib
    import os
    if modules and "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())        # a module in the current folder, as `python -m` would find it
    for mod in modules:
        try:
            importlib.import_module(mod)
        except ImportError as exc:
            raise InputError(f"cannot import ({exc})", field=f"--import {mod}") from None


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
    table = Table(title=escape(f"{case.path}: {claim.id} [{claim.tag}]{false}"), title_justify="left",
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
    for n in tuple(verdict.notes) + tuple(case.instance.provenance.get("notes", ())):   # e.g. float32 widened
        console.print(f"  note: {n}", highlight=False, markup=False)
    console.print(f"  mode: {verdict.mode}; tolerances: " + ", ".join(f"{k} = {v:g}" for k, v in
                                                                      verdict.tolerances.items()), highlight=False)
    console.print(f"  verdict: [{_STYLE[verdict.outcome]}]{escape(verdict.label)}[/]", highlight=False)


@cli.command()
@click.argument("cases", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON record per case (JSON Lines) instead of tables.")
@click.option("--latex", "latex_file", type=click.Path(dir_okay=False), default=None,
              help="Write a LaTeX report of every case to FILE (only if every case could be read).")
@click.option("--import", "imports", multiple=True, metavar="MODULE",
              help="Import MODULE first (it registers your own claims with @flatproof.claims.register).")
def verify(cases, as_json, latex_file, imports):
    """Verify the claim instance described by each CASE file (TOML).

    Exit status: 0 all hold, 1 some violated, 3 some inconclusive or hypotheses not met (none
    violated), 2 bad input.
    """

    from .casefile import load_case
    from .report import report_latex

    try:
        _import_modules(imports)
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    console = Console(width=140)
    outcomes, entries, bad = [], [], False
    for path in cases:
        try:
            case = load_case(path)
            verdict = case.verify()
        except InputError as exc:
            click.echo(f"flatproof: error: {exc.located(file=exc.file or path)}", err=True)
            bad = True
            continue
        except FlatproofError as exc:
            click.echo(f"flatproof: error: {path}: {exc}", err=True)
            bad = True
            continue
        except Exception as exc:  # a bug in flatproof: still one line and exit 2, never a traceback
            click.echo(f"flatproof: internal error (please report): {path}: {type(exc).__name__}: {exc}", err=True)
            bad = True
            continue
        outcomes.append(verdict.outcome)
        entries.append((str(path), case.claim, verdict, case.instance.provenance))
        if as_json:
            record = {"case": str(path), "description": case.description,
                      "provenance": {k: str(v) for k, v in case.instance.provenance.items()}, **verdict.as_dict()}
            click.echo(json.dumps(record, allow_nan=True, ensure_ascii=False))
        else:
            _print_verdict(console, case, verdict)
    if bad:
        sys.exit(EXIT_BAD_INPUT)
    if latex_file:
        write_text_atomic(latex_file, report_latex(entries), encoding="ascii")
    if "violated" in outcomes:
        sys.exit(EXIT_VIOLATED)
    if any(o != "holds" for o in outcomes):
        sys.exit(EXIT_INCONCLUSIVE)


@cli.command(name="list")
@click.argument("claim_id", required=False)
@click.option("--import", "imports", multiple=True, metavar="MODULE", help="Import MODULE first (user claims).")
def list_claims(claim_id, imports):
    """List the claims (id, tag, title), or show one CLAIM_ID with its statement, parameters and math.

    CLAIM_ID may also be a section of the math pages (U.1–U.7, M.1–M.4): its text is printed.
    """

    from . import mathpages
    from .claims import all_claims, get_claim

    try:
        _import_modules(imports)
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
@click.option("--out", "out_dir", default="cases/found", show_default=True, type=click.Path(file_okay=False),
              help="Where shrunk counterexamples are written.")
@click.option("--json", "as_json", is_flag=True, help="One JSON record per claim (JSON Lines).")
@click.option("--import", "imports", multiple=True, metavar="MODULE", help="Import MODULE first (user claims).")
def check(claims, everything, examples, seed, out_dir, as_json, imports):
    """Property-test CLAIM... (or --all) on generated instances; shrink and write a counterexample.

    Reports how many instances held, were violated, inconclusive or did not meet the hypotheses. A
    violation is shrunk by hypothesis and written to OUT/CLAIM-seedS.toml, which `flatproof verify`
    reproduces. Exit status: 0 no violation, 1 some claim violated, 2 bad input.
    """

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from .check import check_claim
    from .claims import all_claims, get_claim
    from .strategies import has_strategy

    try:
        _import_modules(imports)
        if everything == bool(claims):
            raise InputError("name claims or give --all (not both)", field="CLAIM")
        chosen = [c.id for c in all_claims() if has_strategy(c.id)] if everything else [
            get_claim(c, field="CLAIM").id for c in claims]
        reports = []
        err_console = Console(stderr=True)
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err_console, transient=True, disable=as_json) as bar:
            for cid in chosen:
                task = bar.add_task(cid, total=examples)
                rep = check_claim(cid, examples=examples, seed=seed, out_dir=out_dir,
                                  progress=lambda k, task=task: bar.update(task, completed=k))
                bar.update(task, completed=examples)
                reports.append(rep)
                if as_json:
                    click.echo(json.dumps(rep.as_dict()))
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        sys.exit(EXIT_BAD_INPUT)
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
    if any(r.counts["violated"] for r in reports):
        sys.exit(EXIT_VIOLATED)


@cli.command()
@click.argument("study", type=click.Choice(["logistic", "homogeneous"]))
@click.option("--quick", is_flag=True, help="A small version (under a minute) for tests and a first look.")
@click.option("--out", "out_dir", default=None, type=click.Path(file_okay=False),
              help="Output folder (default: reproduce-STUDY).")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None))
@click.option("--style", "style", default="paper", show_default=True, type=click.Choice(["paper", "talk"]),
              help="Figure style: paper (journal column, small type) or talk (slides, large type).")
@click.option("--replot", is_flag=True, help="Only redraw the figures from the numbers of an earlier run in OUT.")
def reproduce(study, quick, out_dir, seed, style, replot):
    """Run the simulation STUDY and write its figures (PNG, PDF) and every plotted number (JSON, CSV)."""
    import time

    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .reproduce import homogeneous, logistic

    out_dir = out_dir or f"reproduce-{study}"
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
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(f"reproduce {study}", total=None)
        res = module.run(out_dir, quick=quick, seed=seed, progress=lambda: bar.advance(task), style=style)
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
@click.option("--latex", "latex_file", type=click.Path(dir_okay=False), default=None, help="Write the LaTeX document.")
@click.option("--pdf", "pdf_file", type=click.Path(dir_okay=False), default=None,
              help="Compile the document with latexmk or pdflatex and write the PDF.")
def derive(names, everything, latex_file, pdf_file):
    """Export the derivations NAME... (derivation names or claim ids) as a LaTeX document.

    Every step not marked [cited] is proved by sympy before anything is written. Without --latex
    or --pdf, the document goes to standard output. Names: see `flatproof derive --all --latex -`
    or docs/derive.md.
    """
    from .claims import all_claims
    from .derivations import for_claim, get_derivation, names as der_names
    from .derivations.document import UnprovedStep, document

    try:
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
    from .io import export_case
    try:
        net = export_case(case, target, fmt)
    except InputError as exc:
        click.echo(f"flatproof: error: {exc.located(file=exc.file or case)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    act = getattr(net, "activation", None)
    click.echo(f"flatproof export: {case} -> {target} ({type(net).__name__}, m = {net.m})"
               + (f"; the activation {act.name} is not part of a state dict: name it when you load it" if act else ""))


def main():  # entry point
    cli()


if __name__ == "__main__":
    main()
