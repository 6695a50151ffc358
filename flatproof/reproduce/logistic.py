"""``flatproof reproduce logistic``: the simulation study of flatproof math section U (arXiv 2512.01473's two sides).

(a) λ_max along GD for several step sizes η, with the 2/η lines (edge of stability);
(b) the final function with its uncertain set U_δ shaded, the data, and the curvature weight g_μ;
(c) population error of sign f and the weighted TV against η;
(d) the flat-at-infinity family θ_c of a label-fitting network: λ_max, training error, population error
    and |U_δ| against c — arbitrarily flat, never better than its overfitting classifier;
(e) excess logistic risk inside the region R_δ of the GD solution against n, with a log-log slope and its
    95 % confidence interval (the paper says "near-optimal"; this is the measured rate).
Every plotted number goes to ``logistic.json`` and one CSV per figure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, cast

import numpy as np

from ..instances.train import TrainResult, gradient_descent, logistic_monitor
from ..measures.population import bayes_error, classification_error, region_risk, training_error
from ..measures.spectral import lambda_max
from ..measures.uncertain import uncertain_set
from ..measures.univariate_hessian import UnivariateProblem, univariate_oracle
from ..measures.weighted_tv import CurvatureWeight, weighted_tv
from ..model import constructions as C
from ..model.data import LogisticTask, UnivariateData, uniform
from ..model.expr import parse_expression
from ..model.losses import Loss, logistic_d2
from ..model.univariate import UnivariateNet
from ._io import save_figure, write_csv
from ._style import data_ticks, draw, legend
from ._sweep import BAND, Shard, aggregate_columns, band, long_rows, run_study, seeds_label, series, spread, summarise

LOSS = Loss("logistic")


def _task(logit: str, flip: float) -> LogisticTask:
    return LogisticTask(uniform(-1, 1), parse_expression(logit), flip)


def _train(task: LogisticTask, n: int, width: int, eta: float, steps: int, seed: int, record_every: int
           ) -> tuple[UnivariateData, UnivariateProblem, TrainResult, UnivariateNet]:
    """GD with step ``eta`` from a random network of ``width`` neurons on ``n`` fresh samples of ``task``; the run
    and its final network."""
    rng = np.random.default_rng(seed)
    data = task.sample(n, rng)
    problem = UnivariateProblem(data, LOSS)
    net0 = C.random_univariate(width, rng)
    run = gradient_descent(problem, net0, eta, steps, record_every=record_every,
                           monitor=logistic_monitor(task if record_every else None, 0.1))
    return data, problem, run, cast(UnivariateNet, run.net)      # GD on a univariate problem: a univariate net


def eos_shard(eta: float, seed: int, cfg: dict) -> dict:
    """(a)–(c) for one step size and one seed: GD from a random start on fresh data, then its final network."""
    task = _task("3*sin(2*x)", 0.1)
    data, problem, run, net = _train(task, cfg["n"], cfg["width"], eta, cfg["steps"], seed, cfg["record"])
    orc = univariate_oracle(problem, net, at_kink="convention")
    d = logistic_d2(orc.forward())
    weight = CurvatureWeight.from_data(data.x, d)
    return {"history": run.history, "net": {"v": net.v, "w": net.w, "b": net.b, "beta": net.beta},
            "x": data.x, "y": data.y, "population_error": classification_error(net, task),
            "weighted_tv": weighted_tv(net, weight), "tv1": net.tv1(),
            "lambda_max": lambda_max(orc, tol=1e-10).value, "stop": run.stop_reason}


def infinity_shard(_setting: None, seed: int, cfg: dict) -> dict:
    """(d) for one seed: the scaled sign-fitting family θ_c of one data set."""
    task = _task("4*x", 0.2)
    data = task.sample(cfg["n_inf"], np.random.default_rng(seed + 1))
    problem = UnivariateProblem(data, LOSS)
    base = C.sign_fitting_network(data.x, data.y)
    cs = np.array(cfg["cs"])
    lam, tr_err, pop, ulen = [], [], [], []
    for c in cs:
        net = C.scale_to_infinity(base, c)
        with np.errstate(under="ignore"):
            lam.append(lambda_max(univariate_oracle(problem, net, method="dense"), tol=1e-12).value)
        tr_err.append(training_error(net, data))
        pop.append(classification_error(net, task))
        ulen.append(uncertain_set(net, 0.01, -1, 1).length)
    return {"c": cs, "lambda_max": np.array(lam), "training_error": np.array(tr_err),
            "population_error": np.array(pop), "uncertain_length": np.array(ulen), "bayes_error": bayes_error(task)[0],
            "n": int(data.n), "width": base.m}


def rate_seed(n: int, replicate: int, seed: int) -> int:
    """The data and start seed of replicate ``replicate`` at sample size ``n`` for study seed ``seed`` (seed 0
    keeps the single-seed study's 1000 n + replicate; seeds differ by 10⁶, more than any n's block)."""
    return 1000 * n + replicate + 10**6 * seed


def rate_shard(setting: tuple[int, int], seed: int, cfg: dict) -> dict | None:
    """(e) for one (n, replicate) and one seed: the excess risk of the GD solution, or None (no uncertain set)."""
    n, replicate = setting
    task = _task("6*x", 0.0)
    _, _, _, net = _train(task, n, cfg["width"], 1.0, cfg["steps"], rate_seed(n, replicate, seed), 0)
    U = uncertain_set(net, 0.1, -1, 1)
    if U.empty or U.hull is None:
        return None
    inside = region_risk(net, task, U.hull, inside=True)
    whole = region_risk(net, task, None)
    return {"n": n, "seed": seed, "replicate": replicate, "excess_inside": inside.excess_logistic,
            "excess_all": whole.excess_logistic, "error_excess": whole.error - whole.bayes_error,
            "region": list(U.hull)}


SHARDS: dict[str, Callable[..., dict | None]] = {"eos": eos_shard, "infinity": infinity_shard, "rate": rate_shard}


def rate_fit(rows: list[dict]) -> dict:
    """Least squares of log excess risk (inside R_δ) on log n over every row, with the slope's 95 % t interval."""
    ns = np.array([r["n"] for r in rows], dtype=float)
    ex = np.array([r["excess_inside"] for r in rows])
    ok = ex > 0
    X = np.column_stack([np.ones(ok.sum()), np.log(ns[ok])])
    coef, *_ = np.linalg.lstsq(X, np.log(ex[ok]), rcond=None)
    resid = np.log(ex[ok]) - X @ coef
    dof = max(int(ok.sum()) - 2, 1)
    cov = (resid @ resid / dof) * np.linalg.inv(X.T @ X)
    from scipy import stats
    half = float(stats.t.ppf(0.975, dof) * np.sqrt(cov[1, 1]))
    return {"rows": rows, "slope": float(coef[1]), "slope_ci95": [float(coef[1] - half), float(coef[1] + half)],
            "intercept": float(coef[0]), "task": "x ~ U[-1, 1], logit 6x, no flips", "eta": 1.0, "delta": 0.1}


def config(quick: bool) -> dict:
    """The sweep's settings (``--quick``: a small version)."""
    return ({"n": 60, "width": 12, "etas": [0.5, 2.0], "steps": 300, "record": 20, "n_inf": 30,
             "cs": [1.0, 2.0, 3.0, 4.0, 6.0], "ns": [25, 50, 100], "seeds": 2} if quick else
            {"n": 80, "width": 16, "etas": [0.25, 0.5, 1.0, 2.0, 4.0], "steps": 1500, "record": 25, "n_inf": 40,
             "cs": list(np.linspace(1.0, 8.0, 15)), "ns": [25, 50, 100, 200, 400], "seeds": 3})


def shards(cfg: dict, seeds: Sequence[int]) -> list[Shard]:
    """One shard per (step size, seed), per seed for θ_c, and per (n, replicate, seed) for the rate."""
    out = []
    for s in seeds:
        out += [Shard("logistic", "eos", float(eta), s, cfg) for eta in cfg["etas"]]
        out.append(Shard("logistic", "infinity", None, s, cfg))
        out += [Shard("logistic", "rate", (n, r), s, cfg) for n in cfg["ns"] for r in range(cfg["seeds"])]
    return out


def assemble(cfg: dict, seeds: Sequence[int], results: dict) -> dict:
    """The study's numbers from its shards' results: every seed's own (``per_seed``), and per figure the mean over
    seeds with its spread (``eos``, ``infinity``), and the rate fitted to every seed's rows (``rate``)."""
    etas = [float(e) for e in cfg["etas"]]
    task = _task("3*sin(2*x)", 0.1)
    per_seed = [{"seed": s, "eos": {"runs": {eta: results[("eos", eta, s)] for eta in etas}},
                 "infinity": results[("infinity", None, s)],
                 "rate_rows": [r for n in cfg["ns"] for k in range(cfg["seeds"])
                               if (r := results[("rate", (n, k), s)]) is not None]} for s in seeds]
    runs = {}
    for eta in etas:
        rs = [p["eos"]["runs"][eta] for p in per_seed]
        run = summarise(rs, ("lambda_max", "population_error", "weighted_tv", "tv1"))
        run["history"] = summarise([r["history"] for r in rs], list(rs[0]["history"]))
        run["stop"] = [r["stop"] for r in rs]
        runs[eta] = run
    infs = [p["infinity"] for p in per_seed]
    inf = summarise(infs, ("lambda_max", "training_error", "population_error", "uncertain_length"))
    inf.update(c=infs[0]["c"], bayes_error=infs[0]["bayes_error"], n=infs[0]["n"], width=[i["width"] for i in infs])
    return {"config": cfg, "seeds": list(seeds), "band": BAND, "per_seed": per_seed,
            "eos": {"task": "x ~ U[-1, 1], logit 3 sin 2x, 10 % flips", "bayes_error": bayes_error(task)[0],
                    "runs": runs},
            "infinity": inf, "rate": rate_fit([r for p in per_seed for r in p["rate_rows"]])}


def run(out_dir: str | Path, *, quick: bool = False, seed: int = 0, seeds: Sequence[int] | None = None,
        jobs: int = 1, dask: str | None = None, progress: Callable[[], None] | None = None,
        style: str = "paper", settings: dict | None = None) -> dict:
    """Run the study for ``seeds`` (default: ``seed`` alone) on ``jobs`` processes or the Dask cluster at
    ``dask``; write its figures (in ``style``) and numbers to ``out_dir``; return the numbers. The numbers do
    not depend on ``jobs`` or ``dask``."""
    seeds = list(range(seed, seed + 1) if seeds is None else seeds)
    cfg = dict(config(quick) if settings is None else settings)     # settings: a smaller sweep (tests)
    cfg.update(seed=seeds[0], seed_range=[seeds[0], seeds[-1] + 1], quick=quick)
    return run_study("logistic", cfg, seeds, out_dir, jobs=jobs, dask=dask, progress=progress, style=style)


def replot(out_dir: str | Path, style: str = "paper") -> dict:
    """Redraw the figures from ``out_dir/logistic.json`` (written by :func:`run`) without recomputing."""
    out = Path(out_dir)
    res = json.loads((out / "logistic.json").read_text())
    res["eos"]["runs"] = {float(k): v for k, v in res["eos"]["runs"].items()}
    for p in res["per_seed"]:
        p["eos"]["runs"] = {float(k): v for k, v in p["eos"]["runs"].items()}
    res["figures"] = plot(res, out, style)
    return res


def plot(res: dict, out: Path, style_name: str = "paper") -> list[str]:
    """The five figures of the study from its numbers ``res`` (and per figure a CSV of every seed's numbers and
    one of their mean and spread); the file paths. With several seeds each curve is the mean over seeds and the
    shaded band its min–max range."""
    return draw((_eos_figure, _function_figure, _eta_figure, _infinity_figure, _rate_figure), res, out, style_name)


def _eos_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(a) λ_max along GD for each step size η, with the 2/η thresholds."""
    import matplotlib.pyplot as plt
    seeds, per_seed = res["seeds"], res["per_seed"]
    eos = res["eos"]
    fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
    for i, (eta, r) in enumerate(eos["runs"].items()):
        h = r["history"]
        ax.plot(h["step"], h["lambda_max"], color=f"C{i}", label=rf"$\eta = {eta:g}$")
        band(ax, h["step"], h, "lambda_max", seeds, color=f"C{i}")
        ax.axhline(2 / eta, color=f"C{i}", ls=":", lw=1)
    ax.plot([], [], color="0.3", ls=":", lw=1, label=r"$2/\eta$ (same colour)")
    ax.set_yscale("log")
    data_ticks(ax.yaxis, [2 / eta for eta in eos["runs"]])      # ticks at the thresholds 2/η
    ax.set_xlabel("GD step")
    ax.set_ylabel(r"$\lambda_{\max}(\nabla^2 L(\theta_t))$")
    ax.set_title(r"$\lambda_{\max}$ along GD for each step size $\eta$" + f" ({seeds_label(seeds)})")
    legend(ax, ncols=3)
    paths = save_figure(fig, out, "logistic_eos")
    plt.close(fig)
    cols: dict = {"seed": [], "eta": [], "step": [], "lambda_max": []}
    for p in per_seed:
        for eta, r in p["eos"]["runs"].items():
            h = r["history"]
            cols["seed"] += [p["seed"]] * len(h["step"])
            cols["eta"] += [eta] * len(h["step"])
            cols["step"] += list(h["step"])
            cols["lambda_max"] += list(h["lambda_max"])
    write_csv(out / "logistic_eos.csv", cols)
    agg: dict = {}
    for eta, r in eos["runs"].items():
        part = aggregate_columns("step", r["history"]["step"], r["history"], ["lambda_max"])
        part = {"eta": [eta] * len(part["step"]), **part}
        for k, v in part.items():
            agg.setdefault(k, []).extend(list(v))
    write_csv(out / "logistic_eos_aggregate.csv", agg)
    return paths


def _function_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(b) The function GD learned at the middle step size, its uncertain set U_δ, the data and g_μ."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MultipleLocator
    cfg, seeds, per_seed = res["config"], res["seeds"], res["per_seed"]
    eta_b = cfg["etas"][len(cfg["etas"]) // 2]
    rb = per_seed[0]["eos"]["runs"][eta_b]
    net = UnivariateNet(rb["net"]["v"], rb["net"]["w"], rb["net"]["b"], rb["net"]["beta"])
    grid = np.linspace(-1, 1, 801)
    U = uncertain_set(net, 0.1, -1, 1)
    g = CurvatureWeight.from_data(rb["x"], logistic_d2(net(rb["x"])))(grid)
    fs = spread([UnivariateNet(q["v"], q["w"], q["b"], q["beta"])(grid)
                 for q in (p["eos"]["runs"][eta_b]["net"] for p in per_seed)])
    fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
    for i, (a, b) in enumerate(U.intervals):
        ax.axvspan(a, b, color="0.88", lw=0, label=r"$U_\delta$, $\delta = 0.1$ (shaded)" if i == 0 else None)
    if len(seeds) > 1:
        ax.fill_between(grid, fs["min"], fs["max"], color="C0", alpha=0.15, lw=0,
                        label=rf"$f_\theta$ over seeds {seeds[0]}–{seeds[-1]} (min–max)")
    ax.plot(grid, net(grid), color="C0", label=rf"$f_\theta(x)$ after GD (seed {seeds[0]})")
    ax.scatter(rb["x"], rb["y"], s=6, color="k", label=r"data $(x_j, y_j)$", zorder=3)
    ax.xaxis.set_major_locator(MultipleLocator(0.5))
    ax.set_xlabel("$x$")
    ax.set_ylabel(r"$f_\theta(x)$")
    ax2 = ax.twinx()
    ax2.grid(False)
    ax2.plot(grid, g, color="C3", ls="--", label=r"$g_\mu(x)$ (right axis)")
    ax2.set_ylabel(r"curvature weight $g_\mu(x)$")
    legend(ax, ax2)
    ax.set_title(rf"Learned function ($\eta = {eta_b:g}$), uncertain set $U_\delta$ and weight $g_\mu$")
    paths = save_figure(fig, out, "logistic_function")
    plt.close(fig)
    write_csv(out / "logistic_function.csv", {"x": grid, "f": net(grid), "g_mu": g, "f_mean": fs["mean"],
                                              "f_min": fs["min"], "f_max": fs["max"]})
    return paths


def _eta_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(c) The population error of sign f and the weighted TV of the final networks against η."""
    import matplotlib.pyplot as plt
    seeds, per_seed = res["seeds"], res["per_seed"]
    eos = res["eos"]
    etas = list(eos["runs"])
    finals = [eos["runs"][e] for e in etas]
    pop, wtv = series(finals, "population_error"), series(finals, "weighted_tv")
    fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
    ax.plot(etas, pop["population_error"], "o-", label="population 0-1 error")
    band(ax, etas, pop, "population_error", seeds, color="C0")
    ax.axhline(eos["bayes_error"], ls=":", color="k", label="Bayes error")
    ax.set_xscale("log")
    data_ticks(ax.xaxis, etas)
    ax.set_xlabel(r"step size $\eta$")
    ax.set_ylabel("0-1 error")
    ax2 = ax.twinx()
    ax2.grid(False)
    ax2.plot(etas, wtv["weighted_tv"], "s--", color="C1", label="weighted TV (right axis)")
    band(ax2, etas, wtv, "weighted_tv", seeds, color="C1")
    ax2.set_ylabel(r"$\sum_i |v_i w_i|\, g_\mu(t_i)$")
    ax.set_title(r"Error and weighted TV of the GD solution against $\eta$" + f" ({seeds_label(seeds)})")
    legend(ax, ax2)
    paths = save_figure(fig, out, "logistic_eta")
    plt.close(fig)
    eta_keys = ["population_error", "weighted_tv", "lambda_max"]
    cols: dict = {"seed": [], "eta": [], **{k: [] for k in eta_keys}}
    for p in per_seed:
        for eta, r in p["eos"]["runs"].items():
            cols["seed"].append(p["seed"])
            cols["eta"].append(eta)
            for k in eta_keys:
                cols[k].append(r[k])
    write_csv(out / "logistic_eta.csv", cols)
    write_csv(out / "logistic_eta_aggregate.csv", aggregate_columns("eta", etas, series(finals, *eta_keys), eta_keys))
    return paths


def _infinity_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(d) The family θ_c: λ_max and |U_δ|, and the training, population and Bayes errors, against c."""
    import matplotlib.pyplot as plt
    seeds, per_seed = res["seeds"], res["per_seed"]
    inf = res["infinity"]
    fig, axes = plt.subplots(1, 2, figsize=st["double"], layout="constrained")
    axes[0].semilogy(inf["c"], np.maximum(inf["lambda_max"], 1e-300), "o-", label=r"$\lambda_{\max}(\theta_c)$")
    band(axes[0], inf["c"], inf, "lambda_max", seeds, color="C0")
    axes[0].semilogy(inf["c"], np.maximum(inf["uncertain_length"], 1e-300), "s--",
                     label=r"$|U_\delta(\theta_c)|$, $\delta = 0.01$")
    band(axes[0], inf["c"], inf, "uncertain_length", seeds, color="C1")
    axes[0].set_xlabel("scale $c$")
    axes[0].set_ylabel("value (log scale)")
    axes[0].legend()
    axes[0].set_title(r"Curvature and uncertain length of $\theta_c$")
    axes[1].plot(inf["c"], inf["population_error"], "o-", label="population error")
    band(axes[1], inf["c"], inf, "population_error", seeds, color="C0")
    axes[1].plot(inf["c"], inf["training_error"], "s-", label="training error")
    axes[1].axhline(inf["bayes_error"], ls=":", color="k", label="Bayes error")
    axes[1].set_xlabel("scale $c$")
    axes[1].set_ylabel("0-1 error")
    axes[1].legend()
    axes[1].set_title(rf"Errors of $\theta_c$ ($n = {inf['n']}$, 20 % flipped labels; {seeds_label(seeds)})")
    paths = save_figure(fig, out, "logistic_infinity")
    plt.close(fig)
    inf_keys = ["lambda_max", "training_error", "population_error", "uncertain_length"]
    write_csv(out / "logistic_infinity.csv", long_rows(
        [(p["seed"], p["infinity"]) for p in per_seed], ["c", *inf_keys]))
    write_csv(out / "logistic_infinity_aggregate.csv", aggregate_columns("c", inf["c"], inf, inf_keys))
    return paths


def _rate_figure(res: dict, out: Path, st: dict[str, Any]) -> list[str]:
    """(e) The excess logistic risk inside R_δ and on the whole line against n, with the fitted rate."""
    import matplotlib.pyplot as plt
    seeds = res["seeds"]
    rate = res["rate"]
    fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
    ns = np.array([r["n"] for r in rate["rows"]])
    ax.loglog(ns, [r["excess_inside"] for r in rate["rows"]], "o", label=r"inside $R_\delta$")
    ax.loglog(ns, [r["excess_all"] for r in rate["rows"]], "x", label="whole line")
    nn = np.array(sorted(set(ns)), dtype=float)
    lo, hi = rate["slope_ci95"]
    ax.loglog(nn, np.exp(rate["intercept"]) * nn ** rate["slope"], "-",
              label=rf"fit $\propto n^{{{rate['slope']:.2f}}}$, 95 % CI [{lo:.2f}, {hi:.2f}]")
    data_ticks(ax.xaxis, ns)
    ax.set_xlabel("sample size $n$")
    ax.set_ylabel("excess logistic risk")
    ax.set_title(r"Excess risk of the GD solution against $n$ ($\eta = 1$)"
                 + ("" if len(seeds) == 1 else f", every run of seeds {seeds[0]}–{seeds[-1]}"))
    ax.legend()
    paths = save_figure(fig, out, "logistic_rate")
    plt.close(fig)
    write_csv(out / "logistic_rate.csv", {k: [r[k] for r in rate["rows"]] for k in (
        "seed", "replicate", "n", "excess_inside", "excess_all", "error_excess")})
    rate_keys = ["excess_inside", "excess_all"]
    by_n = [summarise([r for r in rate["rows"] if r["n"] == n], rate_keys) for n in nn]
    write_csv(out / "logistic_rate_aggregate.csv", {"n": nn, **{
        f"{k}_{stat}": [b[k] if stat == "mean" else b["spread"][k][stat] for b in by_n]
        for k in rate_keys for stat in ("mean", "std", "min", "max")}})
    return paths
