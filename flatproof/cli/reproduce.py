"""``flatproof reproduce``: the simulation studies, their figures and every plotted number."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.console import Console

from .._errors import InputError
from .._files import output_target
from ._common import EXIT_BAD_INPUT, bad_input


@click.command()
@click.argument("study", type=click.Choice(["logistic", "homogeneous"]))
@click.option("--quick", is_flag=True, help="A small version (under a minute) for tests and a first look.")
@click.option("--out", "out_dir", default=None, metavar="DIR",
              help="Output folder (default: reproduce-STUDY); filled under a temporary name and renamed when "
                   "complete, so an interrupted run leaves the previous result or nothing.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(0, None))
@click.option("--seeds", "seed_range", default=None, metavar="A:B",
              help="Run seeds A..B-1 and aggregate them: each figure shows the mean over seeds with a min-max band; "
                   "the JSON and CSVs carry every seed's numbers and the mean, std, min and max.")
@click.option("--jobs", "-j", default=1, show_default=True, type=click.IntRange(1, None),
              help="Worker processes (BLAS at one thread each); results do not depend on it.")
@click.option("--dask", "dask_address", default=None, metavar="ADDRESS",
              help="Run the sweep's shards on the Dask distributed scheduler at ADDRESS (the `dask` extra).")
@click.option("--style", "style", default="paper", show_default=True, type=click.Choice(["paper", "talk"]),
              help="Figure style: paper (journal column, small type) or talk (slides, large type).")
@click.option("--replot", is_flag=True, help="Only redraw the figures from the numbers of an earlier run in OUT.")
def reproduce(study: str, quick: bool, out_dir: str | None, seed: int, seed_range: str | None, jobs: int,
              dask_address: str | None, style: str, replot: bool) -> None:
    """Run the simulation STUDY and write its figures (PNG, PDF) and every plotted number (JSON, CSV)."""
    import os
    import time

    from .._files import atomic_folder
    from ..reproduce._sweep import parse_seeds
    try:
        out = output_target(f"reproduce-{study}" if out_dir is None else out_dir, "--out", folder=True,
                            allow_stdout=False)
        seeds = range(seed, seed + 1) if seed_range is None else parse_seeds(seed_range, "--seeds")
        if seed_range is not None and seed != 0:
            raise InputError("give --seed S or --seeds A:B, not both", field="--seeds")
    except InputError as exc:
        bad_input(exc)
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ..reproduce import homogeneous, logistic

    t0 = time.perf_counter()
    module = logistic if study == "logistic" else homogeneous
    if replot:
        if not os.path.exists(os.path.join(out, f"{study}.json")):
            click.echo(f"flatproof: error: field '--replot': {out}/{study}.json does not exist "
                       f"(run flatproof reproduce {study} --out {out} first)", err=True)
            sys.exit(EXIT_BAD_INPUT)
        res = module.replot(out, style=style)
        click.echo(f"flatproof reproduce {study}: {len(res['figures'])} files of figures redrawn in {out} "
                   f"({time.perf_counter() - t0:.1f} s)")
        return
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TextColumn("{task.completed} steps"),
                  TimeElapsedColumn(), console=Console(stderr=True), transient=True) as bar, \
            atomic_folder(out) as tmp:
        task = bar.add_task(f"reproduce {study}", total=None)
        try:
            res = module.run(tmp, quick=quick, seeds=seeds, jobs=jobs, dask=dask_address,
                             progress=lambda: bar.advance(task), style=style)
        except InputError as exc:              # e.g. --dask without dask.distributed: nothing is kept
            bar.stop()
            bad_input(exc)
    click.echo(f"flatproof reproduce {study}: {len(res['figures'])} files of figures in {out} "
               f"({time.perf_counter() - t0:.1f} s)")
    if study == "logistic":
        _summary_logistic(res)
    else:
        _summary_homogeneous(res)


def _summary_logistic(res: dict[str, Any]) -> None:
    if len(res["seeds"]) > 1:
        click.echo(f"  seeds {res['seeds'][0]}..{res['seeds'][-1]}: means over seeds (spreads in logistic.json and "
                   "the *_aggregate.csv files)")
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


def _summary_homogeneous(res: dict[str, Any]) -> None:
    fl, mm = res["flattest"], res["memoriser"]
    if len(res["seeds"]) > 1:
        click.echo(f"  seeds {res['seeds'][0]}..{res['seeds'][-1]}: means over seeds (spreads in homogeneous.json and "
                   "the *_aggregate.csv files)")
    for s_, r in zip(fl["noise"], fl["by_noise"], strict=True):
        click.echo(f"  flattest interpolator, noise {s_:g}: test MSE {r['test_mse']:.4g} ± {r['test_mse_se']:.2g}, "
                   f"{r['atoms']:g} atoms, F_min {r['F_min']:.4g}")
    for r in mm["relu"]:
        click.echo(f"  memoriser / teacher F_sym at d = n = {r['d']}: {r['ratio']:.3g} "
                   f"(memoriser test MSE {r['test_mse_memoriser']:.3g})")
    click.echo(f"  k = 2, d = n = {mm['k2']['d']}: ratio {mm['k2']['ratio']:.3g}")
