"""``flatproof reproduce homogeneous``: the figures of flatproof math section M.

(a) the trace along the rescaling orbit of one neuron against log c, with sympy's minimiser c* and minimum;
(b) Dinh's blow-up: λ_max and the trace along the orbit c·(1, …, 1);
(c) the flattest ReLU interpolator (LP over a dictionary): F_min and test MSE against the label noise,
    and against n;
(d) the memoriser against the teacher: F_sym ratio and test MSE against d (n = d), ReLU, plus k = 2.
Every plotted number goes to ``homogeneous.json`` and one CSV per figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..derivations import get_derivation
from ..measures.homogeneous_flattest import flattest_relu_interpolator
from ..measures.homogeneous_hessian import HomogeneousOracle, HomogeneousProblem
from ..measures.homogeneous_orbit import f_sym, trace_blocks
from ..measures.population import excess_mse
from ..measures.spectral import lambda_max
from ..model import constructions as C
from ..model.activations import relu, relu_power
from ..model.data import MultiIndexData, MultiIndexTask
from ..model.losses import Loss
from ._io import save_figure, write_csv
from ._style import data_ticks, draw, legend
from ._sweep import BAND, Shard, aggregate_columns, band, long_rows, run_study, seeds_label, series, summarise

RELU = lambda t: np.maximum(t, 0.0)  # noqa: E731


def _problem(data: MultiIndexData) -> HomogeneousProblem:
    return HomogeneousProblem(data, Loss("square", 1.0))


def _relu_power_link(k: int) -> Callable[[np.ndarray], np.ndarray]:
    """The link t ↦ ReLU(t)^k."""
    def link(t: np.ndarray) -> np.ndarray:
        return RELU(t) ** k
    return link


def orbit_study(seed: int, n: int, d: int) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for k in (1, 2):
        task = MultiIndexTask.random(d, 2, _relu_power_link(k), 0.0, rng)
        data = task.sample(n, rng)
        net = C.teacher_network(task.U, activation=relu_power(k) if k > 1 else relu())
        A, B = trace_blocks(net, data.X)
        logc = np.linspace(-1.5, 1.5, 61)
        F = []
        for lc in logc:
            c = np.ones(net.m)
            c[0] = 10.0 ** lc
            F.append(HomogeneousOracle(_problem(data), C.rescale_homogeneous(net, c)).trace())
        der = get_derivation("homogeneous-orbit").numeric
        cstar = float(der["c_star"](A[0], B[0], float(k)))
        closed = np.sum(A[1:] + B[1:]) + (10.0 ** logc) ** (2 * k) * A[0] + (10.0 ** logc) ** -2 * B[0]
        out[f"k{k}"] = {"log10_c": logc, "F": np.array(F), "F_closed_form": closed, "c_star": cstar,
                        "F_at_c_star": float(np.sum(A[1:] + B[1:]) + f_sym(A[:1], B[:1], k)),
                        "F_sym": f_sym(A, B, k)}
    return out


def dinh_study(seed: int, n: int, d: int) -> dict:
    rng = np.random.default_rng(seed)
    task = MultiIndexTask.random(d, 2, RELU, 0.0, rng)
    data = task.sample(n, rng)
    net = C.teacher_network(task.U)
    cs = np.logspace(0, 2, 21)
    lam, tr = [], []
    for c in cs:
        orc = HomogeneousOracle(_problem(data), C.rescale_homogeneous(net, np.full(net.m, c)))
        lam.append(lambda_max(orc, tol=1e-10).value)
        tr.append(orc.trace())
    return {"c": cs, "lambda_max": np.array(lam), "trace": np.array(tr)}


def flattest_shard(setting: tuple[int, float], seed: int, cfg: dict) -> dict:
    """(c) for one (n, noise) and one seed: the LP's flattest ReLU interpolator over a random dictionary plus the
    teacher's directions, its test MSE (Monte Carlo) and the teacher's F_sym on the same data."""
    n, noise = setting
    d, dictionary, samples = cfg["d"], cfg["dictionary"], cfg["samples"]
    rng = np.random.default_rng(seed)
    task = MultiIndexTask.random(d, 2, RELU, noise, rng)
    data = task.sample(n, rng)
    D = np.vstack([rng.standard_normal((dictionary, d)), task.U.T])
    res = flattest_relu_interpolator(data.X, data.y, D)
    mc = excess_mse(res.net, task, samples, seed + 1)
    At, Bt = trace_blocks(C.teacher_network(task.U), data.X)
    return {"F_min": res.F_min, "test_mse": mc.mean, "test_mse_se": mc.stderr, "atoms": int(res.active.size),
            "duality_gap": res.duality_gap, "F_sym_teacher": f_sym(At, Bt, 1)}


def memoriser_shard(d: int, seed: int, cfg: dict) -> dict:
    """(d) for one dimension and one seed: F_sym of the ReLU memoriser and of the teacher on n = d points."""
    rng = np.random.default_rng(seed + d)
    task = MultiIndexTask.random(d, 2, RELU, 0.0, rng)
    data = task.sample(d, rng)
    mem = C.memoriser(data.X, data.y)
    teacher = C.teacher_network(task.U)
    A, B = trace_blocks(mem, data.X)
    At, Bt = trace_blocks(teacher, data.X)
    return {"d": d, "F_sym_memoriser": f_sym(A, B, 1), "F_sym_teacher": f_sym(At, Bt, 1),
            "ratio": f_sym(A, B, 1) / f_sym(At, Bt, 1),
            "test_mse_memoriser": excess_mse(mem, task, cfg["samples"], seed).mean}


def memoriser_k2_shard(d: int, seed: int, cfg: dict) -> dict:
    """(d) for ReLU²: the memoriser's F_sym over the teacher's at n = d."""
    rng = np.random.default_rng(seed + 7)
    task = MultiIndexTask.random(d, 2, lambda t: RELU(t) ** 2, 0.0, rng)
    data = task.sample(d, rng)
    mem, teacher = C.memoriser(data.X, data.y, relu_power(2)), C.teacher_network(task.U, activation=relu_power(2))
    A, B = trace_blocks(mem, data.X)
    At, Bt = trace_blocks(teacher, data.X)
    return {"d": d, "ratio": f_sym(A, B, 2) / f_sym(At, Bt, 2)}


SHARDS: dict[str, Callable[..., dict]] = {"orbit": lambda _s, seed, cfg: orbit_study(seed, cfg["n"], cfg["d"]),
          "dinh": lambda _s, seed, cfg: dinh_study(seed, cfg["n"], cfg["d"]),
          "flattest": flattest_shard, "memoriser": memoriser_shard, "memoriser_k2": memoriser_k2_shard}

FLATTEST_KEYS = ("F_min", "test_mse", "test_mse_se", "atoms", "duality_gap", "F_sym_teacher")
MEMORISER_KEYS = ("F_sym_memoriser", "F_sym_teacher", "ratio", "test_mse_memoriser")


def config(quick: bool) -> dict:
    """The sweep's settings (``--quick``: a small version)."""
    cfg = ({"n": 100, "d": 10, "dictionary": 500, "samples": 5000, "noises": [0.0, 0.1, 0.3], "n_list": [50, 100],
            "ds": [20, 40, 80], "d_k2": 20} if quick else
           {"n": 200, "d": 10, "dictionary": 4000, "samples": 20000, "noises": [0.0, 0.05, 0.1, 0.2, 0.3],
            "n_list": [50, 100, 200, 400], "ds": [50, 100, 200], "d_k2": 50})
    cfg["noise_fixed"] = 0.1
    return cfg


def _flattest_settings(cfg: dict) -> tuple[list[tuple[int, float]], list[tuple[int, float]]]:
    return ([(cfg["n"], float(s)) for s in cfg["noises"]], [(n, cfg["noise_fixed"]) for n in cfg["n_list"]])


def shards(cfg: dict, seeds: Sequence[int]) -> list[Shard]:
    """Per seed: the orbit, Dinh's blow-up, one shard per flattest (n, noise), per memoriser d, and ReLU²."""
    by_noise, by_n = _flattest_settings(cfg)
    out = []
    for s in seeds:
        out += [Shard("homogeneous", "orbit", None, s, cfg), Shard("homogeneous", "dinh", None, s, cfg)]
        out += [Shard("homogeneous", "flattest", st, s, cfg) for st in by_noise + by_n]
        out += [Shard("homogeneous", "memoriser", int(d), s, cfg) for d in cfg["ds"]]
        out.append(Shard("homogeneous", "memoriser_k2", int(cfg["d_k2"]), s, cfg))
    return out


def assemble(cfg: dict, seeds: Sequence[int], results: dict) -> dict:
    """The study's numbers: every seed's own (``per_seed``) and per figure the mean over seeds with its spread."""
    by_noise, by_n = _flattest_settings(cfg)
    per_seed = []
    for s in seeds:
        per_seed.append({
            "seed": s, "orbit": results[("orbit", None, s)], "dinh": results[("dinh", None, s)],
            "flattest": {"by_noise": [results[("flattest", st, s)] for st in by_noise],
                         "by_n": [results[("flattest", st, s)] for st in by_n]},
            "memoriser": {"relu": [results[("memoriser", int(d), s)] for d in cfg["ds"]],
                          "k2": results[("memoriser_k2", int(cfg["d_k2"]), s)]}})
    orbit = {}
    for k in ("k1", "k2"):
        os_ = [p["orbit"][k] for p in per_seed]
        orbit[k] = {"log10_c": os_[0]["log10_c"],
                    **summarise(os_, ("F", "F_closed_form", "c_star", "F_at_c_star", "F_sym"))}
    dinh = {"c": per_seed[0]["dinh"]["c"], **summarise([p["dinh"] for p in per_seed], ("lambda_max", "trace"))}
    flattest = {"noise": list(cfg["noises"]), "n": list(cfg["n_list"]), "noise_fixed": cfg["noise_fixed"],
                "n_fixed": cfg["n"], "dictionary": cfg["dictionary"], "d": cfg["d"]}
    for part in ("by_noise", "by_n"):
        flattest[part] = [summarise([p["flattest"][part][i] for p in per_seed], FLATTEST_KEYS)
                          for i in range(len(per_seed[0]["flattest"][part]))]
    memoriser = {"relu": [{"d": int(d), **summarise([p["memoriser"]["relu"][i] for p in per_seed], MEMORISER_KEYS)}
                          for i, d in enumerate(cfg["ds"])],
                 "k2": {"d": int(cfg["d_k2"]), **summarise([p["memoriser"]["k2"] for p in per_seed], ("ratio",))}}
    return {"config": cfg, "seeds": list(seeds), "band": BAND, "per_seed": per_seed, "orbit": orbit, "dinh": dinh,
            "flattest": flattest, "memoriser": memoriser}


def run(out_dir: str | Path, *, quick: bool = False, seed: int = 0, seeds: Sequence[int] | None = None,
        jobs: int = 1, dask: str | None = None, progress: Callable[[], None] | None = None,
        style: str = "paper", settings: dict | None = None) -> dict:
    """Run the study for ``seeds`` (default: ``seed`` alone) on ``jobs`` processes or the Dask cluster at
    ``dask``; write figures and numbers to ``out_dir``; return the numbers (independent of ``jobs``/``dask``)."""
    seeds = list(range(seed, seed + 1) if seeds is None else seeds)
    cfg = dict(config(quick) if settings is None else settings)     # settings: a smaller sweep (tests)
    cfg.update(quick=quick, seed=seeds[0], seed_range=[seeds[0], seeds[-1] + 1])
    return run_study("homogeneous", cfg, seeds, out_dir, jobs=jobs, dask=dask, progress=progress, style=style)


def replot(out_dir: str | Path, style: str = "paper") -> dict:
    """Redraw the figures from ``out_dir/homogeneous.json`` (written by :func:`run`) without recomputing."""
    out = Path(out_dir)
    res = json.loads((out / "homogeneous.json").read_text())
    res["figures"] = plot(res, out, style)
    return res


def plot(res: dict, out: Path, style_name: str = "paper") -> list[str]:
    """The four figures of the study from its numbers ``res`` (and per figure a CSV of every seed's numbers and
    one of their mean and spread); the file paths. With several seeds each curve is the mean over seeds and the
    shaded band its min–max range."""
    return draw((_orbit_figure, _dinh_figure, _flattest_figure, _memoriser_figure), res, out, style_name)


def _orbit_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(a) The trace along the rescaling orbit of one neuron, k = 1 and 2, with sympy's minimiser."""
    import matplotlib.pyplot as plt
    seeds, per_seed = res["seeds"], res["per_seed"]
    fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
    for i, (key, ls) in enumerate((("k1", "-"), ("k2", "--"))):
        o = res["orbit"][key]
        ax.plot(o["log10_c"], o["F"], ls, color=f"C{i}", label=rf"$F(T_c\theta)$, $k = {key[1]}$ (oracle)")
        band(ax, o["log10_c"], o, "F", seeds, color=f"C{i}")
    ax.plot([np.log10(p["orbit"][k]["c_star"]) for p in per_seed for k in ("k1", "k2")],
            [p["orbit"][k]["F_at_c_star"] for p in per_seed for k in ("k1", "k2")], "o", color="k",
            label=r"sympy's minimiser $c^*$ and minimum" + ("" if len(seeds) == 1 else " (each seed)"))
    ax.set_xlabel(r"$\log_{10} c$ (neuron 1 rescaled by $c$)")
    ax.set_ylabel(r"$F = \mathrm{tr}\,\nabla^2 \hat L$")
    ax.set_yscale("log")
    ax.set_title(f"Trace of the Hessian along the rescaling orbit ({seeds_label(seeds)})")
    ax.legend()
    paths = save_figure(fig, out, "homogeneous_orbit")
    plt.close(fig)
    orbit_rows = [(p["seed"], {"log10_c": p["orbit"]["k1"]["log10_c"], "F_k1": p["orbit"]["k1"]["F"],
                               "F_k1_closed_form": p["orbit"]["k1"]["F_closed_form"],
                               "F_k2": p["orbit"]["k2"]["F"]}) for p in per_seed]
    write_csv(out / "homogeneous_orbit.csv", long_rows(orbit_rows, ["log10_c", "F_k1", "F_k1_closed_form", "F_k2"]))
    o1, o2 = res["orbit"]["k1"], res["orbit"]["k2"]
    both = {"F_k1": o1["F"], "F_k2": o2["F"], "spread": {"F_k1": o1["spread"]["F"], "F_k2": o2["spread"]["F"]}}
    write_csv(out / "homogeneous_orbit_aggregate.csv", aggregate_columns("log10_c", o1["log10_c"], both,
                                                                         ["F_k1", "F_k2"]))
    return paths


def _dinh_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(b) Dinh's blow-up: λ_max and the trace along the orbit c·(1, …, 1)."""
    import matplotlib.pyplot as plt
    seeds, per_seed = res["seeds"], res["per_seed"]
    fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
    dn = res["dinh"]
    ax.loglog(dn["c"], dn["lambda_max"], color="C0", label=r"$\lambda_{\max}(\nabla^2 \hat L)$")
    band(ax, dn["c"], dn, "lambda_max", seeds, color="C0")
    ax.loglog(dn["c"], dn["trace"], "--", color="C1", label=r"$\mathrm{tr}\,\nabla^2 \hat L$")
    band(ax, dn["c"], dn, "trace", seeds, color="C1")
    ax.set_xlabel(r"$c$ (every neuron rescaled by $c$)")
    ax.set_ylabel("curvature (log scale)")
    ax.set_title(rf"Curvature of one interpolator along the orbit $T_c\theta$ ({seeds_label(seeds)})")
    ax.legend()
    paths = save_figure(fig, out, "homogeneous_dinh")
    plt.close(fig)
    write_csv(out / "homogeneous_dinh.csv", long_rows([(p["seed"], p["dinh"]) for p in per_seed],
                                                      ["c", "lambda_max", "trace"]))
    write_csv(out / "homogeneous_dinh_aggregate.csv", aggregate_columns("c", dn["c"], dn, ["lambda_max", "trace"]))
    return paths


def _flattest_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(c) The flattest interpolator: F_min and test MSE against the label noise, and test MSE against n."""
    import matplotlib.pyplot as plt
    seeds, per_seed = res["seeds"], res["per_seed"]
    fl = res["flattest"]
    mse_noise, fmin_noise = series(fl["by_noise"], "test_mse"), series(fl["by_noise"], "F_min")
    mse_n = series(fl["by_n"], "test_mse")
    fig, axes = plt.subplots(1, 2, figsize=st["double"], layout="constrained")
    axes[0].plot(fl["noise"], mse_noise["test_mse"], "o-", color="C0", label="test MSE (left axis)")
    band(axes[0], fl["noise"], mse_noise, "test_mse", seeds, color="C0")
    axes[0].set_xlabel(r"label noise $\sigma$")
    axes[0].set_ylabel(r"test MSE $\mathbb{E}\,(f - f^*)^2$")
    ax2 = axes[0].twinx()
    ax2.grid(False)
    ax2.plot(fl["noise"], fmin_noise["F_min"], "s--", color="C1", label=r"$F_{\min}$ (right axis)")
    band(ax2, fl["noise"], fmin_noise, "F_min", seeds, color="C1")
    ax2.set_ylabel(r"$F_{\min}$ of the flattest interpolator (LP)")
    axes[0].set_title(rf"Flattest interpolator against noise ($n = {fl['n_fixed']}$, $d = {fl['d']}$)")
    legend(axes[0], ax2)
    axes[1].loglog(fl["n"], [max(v, 1e-16) for v in mse_n["test_mse"]], "o-", color="C0",
                   label=rf"test MSE, $\sigma = {fl['noise_fixed']:g}$")
    band(axes[1], fl["n"], mse_n, "test_mse", seeds, color="C0")
    data_ticks(axes[1].xaxis, fl["n"])
    axes[1].set_xlabel("sample size $n$")
    axes[1].set_ylabel("test MSE")
    axes[1].set_title(rf"Flattest interpolator against $n$ ($\sigma = {fl['noise_fixed']:g}$; {seeds_label(seeds)})")
    axes[1].legend()
    paths = save_figure(fig, out, "homogeneous_flattest")
    plt.close(fig)
    keys = ["F_min", "test_mse", "test_mse_se", "atoms", "duality_gap"]
    for part, x_key in (("by_noise", "noise"), ("by_n", "n")):
        name = "homogeneous_flattest_" + x_key
        write_csv(out / f"{name}.csv", long_rows(
            [(p["seed"], {x_key: fl[x_key], **{k: [r[k] for r in p["flattest"][part]] for k in keys}})
             for p in per_seed], [x_key, *keys]))
        write_csv(out / f"{name}_aggregate.csv", aggregate_columns(x_key, fl[x_key], series(fl[part], *keys), keys))
    return paths


def _memoriser_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(d) The memoriser's F_sym over the teacher's against d (n = d), ReLU, and the ReLU² ratio."""
    import matplotlib.pyplot as plt
    seeds, per_seed = res["seeds"], res["per_seed"]
    mm = res["memoriser"]
    ds = [r["d"] for r in mm["relu"]]
    ratio = series(mm["relu"], "ratio")
    fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
    ax.plot(ds, ratio["ratio"], "o-", color="C0", label=r"ReLU, $n = d$")
    band(ax, ds, ratio, "ratio", seeds, color="C0")
    ax.axhline(mm["k2"]["ratio"], ls="--", color="C1", label=rf"ReLU$^2$, $n = d = {mm['k2']['d']}$")
    if len(seeds) > 1:
        ax.axhspan(mm["k2"]["spread"]["ratio"]["min"], mm["k2"]["spread"]["ratio"]["max"], color="C1", alpha=0.2,
                   lw=0)
    ax.axhline(1.0, ls=":", color="k", lw=1, label="ratio 1")
    ax.set_xlabel("input dimension $d$")
    ax.set_ylabel(r"$F_{\mathrm{sym}}$(memoriser) / $F_{\mathrm{sym}}$(teacher)")
    ax.set_title(rf"$F_{{\mathrm{{sym}}}}$ of the memoriser relative to the teacher ({seeds_label(seeds)})")
    ax.legend()
    paths = save_figure(fig, out, "homogeneous_memoriser")
    plt.close(fig)
    write_csv(out / "homogeneous_memoriser.csv", long_rows(
        [(p["seed"], {"d": ds, **{k: [r[k] for r in p["memoriser"]["relu"]] for k in MEMORISER_KEYS}})
         for p in per_seed], ["d", *MEMORISER_KEYS]))
    write_csv(out / "homogeneous_memoriser_aggregate.csv",
              aggregate_columns("d", ds, series(mm["relu"], *MEMORISER_KEYS), list(MEMORISER_KEYS)))
    return paths
