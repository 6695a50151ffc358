"""A study's sweep as shards, and the aggregation of its numbers over seeds.

A shard is one (part, setting, seed) of a study: a plain, picklable :class:`Shard` whose result depends on
nothing else, so the shards can run in any process (``--jobs N``: a local pool with BLAS at one thread per
worker; ``--dask ADDRESS``: an existing Dask cluster) through :func:`flatproof._parallel.map_until` and come
back in shard order. Every shard runs with BLAS held to one thread, also in-process, so the numbers are the
same bit for bit whatever the number of workers.

Across the seeds of ``--seeds A:B`` every plotted quantity is summarised by :func:`spread`: the mean and the
min–max band (the figures draw the band), plus the standard deviation (in the JSON and CSV only).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .._errors import InputError
from ._io import write_json

#: the most seeds one sweep runs (``--seeds A:B`` with B − A above it is refused)
MAX_SEEDS = 1000
#: the band the figures draw around the mean over seeds (said in their legends)
BAND = "min–max over seeds"


def parse_seeds(text: str, field: str = "--seeds") -> range:
    """``"A:B"`` → range(A, B): integers 0 ≤ A < B with B − A ≤ :data:`MAX_SEEDS`; anything else is an
    :class:`InputError` naming ``field``."""
    parts = str(text).split(":")
    if len(parts) != 2:
        raise InputError(f"expected A:B (seeds A to B−1), got {text!r}", field=field)
    try:
        lo, hi = (int(p.strip(), 10) for p in parts)
    except ValueError:
        raise InputError(f"expected integers A:B, got {text!r}", field=field) from None
    if lo < 0:
        raise InputError(f"seeds must be >= 0, got {text!r}", field=field)
    if hi <= lo:
        raise InputError(f"empty range {text!r}: B must be larger than A (A:B runs seeds A..B−1)", field=field)
    if hi - lo > MAX_SEEDS:
        raise InputError(f"{hi - lo} seeds is more than the limit of {MAX_SEEDS}", field=field)
    return range(lo, hi)


@dataclass(frozen=True)
class Shard:
    """One piece of a sweep: ``study``'s part ``part`` at ``setting`` (a number or a tuple) for ``seed``; the
    study's configuration is carried along (a dict of plain numbers and lists) so that a worker needs nothing
    else."""
    study: str
    part: str
    setting: Any
    seed: int
    config: dict

    @property
    def key(self) -> tuple[str, Any, int]:
        return (self.part, self.setting, self.seed)


def run_shard(shard: Shard) -> Any:
    """Run one shard (in whichever process): the study module's ``SHARDS[part](setting, seed, config)``, with
    BLAS at one thread."""
    from .._parallel import blas_threads
    module = importlib.import_module(f"flatproof.reproduce.{shard.study}")
    with blas_threads(1):
        return module.SHARDS[shard.part](shard.setting, shard.seed, shard.config)


def run_shards(shards: Sequence[Shard], *, jobs: int = 1, dask: str | None = None,
               tick: Callable[[], None] | None = None) -> dict[tuple[str, Any, int], Any]:
    """Every shard's result, keyed by :attr:`Shard.key`; the same whatever ``jobs`` or ``dask``."""
    from .._parallel import map_until
    unique = list({s.key: s for s in shards}.values())       # a setting shared by two figures runs once
    done = map_until(run_shard, unique, jobs=jobs, dask=dask,
                     on_result=None if tick is None else (lambda _r: tick()))
    return {s.key: r for s, r in zip(unique, done, strict=True)}


def run_study(study: str, cfg: dict, seeds: list[int], out_dir: str | Path, *, jobs: int = 1,
              dask: str | None = None, progress: Callable[[], None] | None = None, style: str = "paper") -> dict:
    """Run study module ``study``'s sweep for ``cfg`` and ``seeds`` (its ``shards``, ``assemble`` and ``plot``);
    write its figures and ``<study>.json`` to ``out_dir``; return the numbers (independent of ``jobs``/``dask``)."""
    module = importlib.import_module(f"flatproof.reproduce.{study}")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = run_shards(module.shards(cfg, seeds), jobs=jobs, dask=dask, tick=progress)
    res: dict = module.assemble(cfg, seeds, results)
    res["figures"] = module.plot(res, out, style)
    write_json(out / f"{study}.json", res)
    return res


def _stack(values: Iterable[Any]) -> np.ndarray:
    """Seeds × quantity; 1-d series of different lengths (a GD run that stopped early) are cut to the shortest."""
    arrays = [np.asarray(v, dtype=float) for v in values]
    if arrays and arrays[0].ndim == 1:
        n = min(a.shape[0] for a in arrays)
        arrays = [a[:n] for a in arrays]
    return np.stack(arrays)


def spread(values: Iterable[Any]) -> dict[str, Any]:
    """Mean, standard deviation (population, ddof = 0), min and max over seeds of a number or a series."""
    S = _stack(values)
    out = {"mean": S.mean(axis=0), "std": S.std(axis=0), "min": S.min(axis=0), "max": S.max(axis=0)}
    return {k: (float(v) if np.ndim(v) == 0 else v) for k, v in out.items()}


def summarise(per_seed: Sequence[dict], keys: Iterable[str]) -> dict[str, Any]:
    """For the dicts of one quantity set over seeds: each key's mean at the key, and its spread under
    ``"spread"`` ({key: {"std", "min", "max"}})."""
    out: dict[str, Any] = {}
    band: dict[str, Any] = {}
    for k in keys:
        s = spread([d[k] for d in per_seed])
        out[k] = s.pop("mean")
        band[k] = s
    out["spread"] = band
    return out


def long_rows(per_seed: Sequence[tuple[int, dict]], keys: Sequence[str]) -> dict[str, list]:
    """CSV columns with one row per (seed, point): ``seed`` then ``keys`` (each a series over the points)."""
    cols: dict[str, list] = {"seed": [], **{k: [] for k in keys}}
    for seed, d in per_seed:
        n = min(len(np.atleast_1d(d[k])) for k in keys)
        cols["seed"] += [seed] * n
        for k in keys:
            cols[k] += list(np.atleast_1d(np.asarray(d[k]))[:n])
    return cols


def aggregate_columns(x_key: str, x: Sequence, summary: dict, keys: Sequence[str]) -> dict[str, Any]:
    """CSV columns of the aggregate: ``x_key`` then, per key, its mean, std, min and max over seeds."""
    n = len(x)
    cols: dict[str, Any] = {x_key: list(x)}
    for k in keys:
        cols[f"{k}_mean"] = np.atleast_1d(summary[k])[:n]
        for stat in ("std", "min", "max"):
            cols[f"{k}_{stat}"] = np.atleast_1d(summary["spread"][k][stat])[:n]
    return cols


def series(rows: Sequence[dict], *keys: str) -> dict[str, Any]:
    """Quantities of a list of summarised settings (one per point of an x axis; :func:`summarise`) as series
    over the points: each key's means, and under ``"spread"`` its std, min and max."""
    return {**{k: [r[k] for r in rows] for k in keys},
            "spread": {k: {stat: [r["spread"][k][stat] for r in rows] for stat in ("std", "min", "max")}
                       for k in keys}}


def band(ax: Any, x: Sequence, summary: dict, key: str, seeds: Sequence[int], **kw: Any) -> None:
    """Shade the min–max band of ``key`` over seeds behind its mean line (nothing for one seed)."""
    if len(seeds) < 2:
        return
    s = summary["spread"][key]
    n = min(len(x), len(np.atleast_1d(s["min"])))
    ax.fill_between(np.asarray(x, dtype=float)[:n], np.atleast_1d(s["min"])[:n], np.atleast_1d(s["max"])[:n],
                    alpha=0.2, lw=0, **kw)


def seeds_label(seeds: Sequence[int]) -> str:
    """What a figure's numbers are: "seed 3", or "mean of seeds 0–4, band min–max"."""
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    return f"mean of seeds {seeds[0]}–{seeds[-1]}, band min–max"
