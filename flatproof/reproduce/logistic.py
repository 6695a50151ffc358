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
from pathlib import Path

import numpy as np

from ..model import constructions as C
from ..measures.population import classification_error, region_risk, training_error
from ..measures.spectral import lambda_max
from ..measures.uncertain import uncertain_set
from ..measures.univariate_hessian import UnivariateProblem, univariate_oracle
from ..measures.weighted_tv import CurvatureWeight, weighted_tv
from ..model.data import LogisticTask, uniform
from ..model.expr import parse_expression
from ..model.losses import Loss, logistic_d2
from ..instances.train import gradient_descent, logistic_monitor
from ..model.univariate import UnivariateNet
from ._io import save_figure, write_csv, write_json
from ._style import data_ticks, legend, style

LOSS = Loss("logistic")


def _task(logit: str, flip: float) -> LogisticTask:
    return LogisticTask(uniform(-1, 1), parse_expression(logit), flip)


def _train(task, n, width, eta, steps, seed, record_every):
    rng = np.random.default_rng(seed)
    data = task.sample(n, rng)
    problem = UnivariateProblem(data, LOSS)
    net0 = C.random_univariate(width, rng)
    run = gradient_descent(problem, net0, eta, steps, record_every=record_every,
                           monitor=logistic_monitor(task if record_every else None, 0.1))
    return data, problem, run


def eos_study(cfg, tick) -> dict:
    task = _task("3*sin(2*x)", 0.1)
    runs = {}
    for eta in cfg["etas"]:
        data, problem, run = _train(task, cfg["n"], cfg["width"], eta, cfg["steps"], cfg["seed"], cfg["record"])
        net = run.net
        orc = univariate_oracle(problem, net, at_kink="convention")
        d = logistic_d2(orc.forward())
        weight = CurvatureWeight.from_data(data.x, d)
        runs[eta] = {"history": run.history, "net": {"v": net.v, "w": net.w, "b": net.b, "beta": net.beta},
                     "x": data.x, "y": data.y, "population_error": classification_error(net, task),
                     "weighted_tv": weighted_tv(net, weight), "tv1": net.tv1(),
                     "lambda_max": lambda_max(orc, tol=1e-10).value, "stop": run.stop_reason}
        tick()
    return {"task": "x ~ U[-1, 1], logit 3 sin 2x, 10 % flips", "bayes_error": task.bayes_error(), "runs": runs}


def infinity_study(cfg, tick) -> dict:
    task = _task("4*x", 0.2)
    data = task.sample(cfg["n_inf"], np.random.default_rng(cfg["seed"] + 1))
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
    tick()
    return {"c": cs, "lambda_max": np.array(lam), "training_error": np.array(tr_err),
            "population_error": np.array(pop), "uncertain_length": np.array(ulen), "bayes_error": task.bayes_error(),
            "n": int(data.n), "width": base.m}


def rate_study(cfg, tick) -> dict:
    task = _task("6*x", 0.0)
    rows = []
    for n in cfg["ns"]:
        for s in range(cfg["seeds"]):
            data, problem, run = _train(task, n, cfg["width"], 1.0, cfg["steps"], 1000 * n + s, 0)
            U = uncertain_set(run.net, 0.1, -1, 1)
            if U.empty:
                continue
            inside = region_risk(run.net, task, U.hull, inside=True)
            whole = region_risk(run.net, task, None)
            rows.append({"n": n, "seed": s, "excess_inside": inside.excess_logistic, "excess_all": whole.excess_logistic,
                         "error_excess": whole.error - whole.bayes_error, "region": list(U.hull)})
            tick()
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


def run(out_dir, *, quick: bool = False, seed: int = 0, progress=None, style: str = "paper") -> dict:
    """Run the study, write its figures (in ``style``) and numbers to ``out_dir``; return the numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tick = progress or (lambda: None)
    cfg = ({"n": 60, "width": 12, "etas": [0.5, 2.0], "steps": 300, "record": 20, "n_inf": 30,
            "cs": [1.0, 2.0, 3.0, 4.0, 6.0], "ns": [25, 50, 100], "seeds": 2} if quick else
           {"n": 80, "width": 16, "etas": [0.25, 0.5, 1.0, 2.0, 4.0], "steps": 1500, "record": 25, "n_inf": 40,
            "cs": list(np.linspace(1.0, 8.0, 15)), "ns": [25, 50, 100, 200, 400], "seeds": 3})
    cfg.update(seed=seed, quick=quick)
    res = {"config": cfg, "eos": eos_study(cfg, tick), "infinity": infinity_study(cfg, tick)}
    res["rate"] = rate_study(cfg, tick)
    res["figures"] = plot(res, out, style)
    write_json(out / "logistic.json", res)
    return res


def replot(out_dir, style: str = "paper") -> dict:
    """Redraw the figures from ``out_dir/logistic.json`` (written by :func:`run`) without recomputing."""
    out = Path(out_dir)
    res = json.loads((out / "logistic.json").read_text())
    res["eos"]["runs"] = {float(k): v for k, v in res["eos"]["runs"].items()}
    res["figures"] = plot(res, out, style)
    return res


def plot(res: dict, out: Path, style_name: str = "paper") -> list[str]:
    """The five figures of the study from its numbers ``res`` (and one CSV per figure); the file paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MultipleLocator

    cfg = res["config"]
    figures = []
    with style(style_name) as st:
        eos = res["eos"]
        fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
        for i, (eta, r) in enumerate(eos["runs"].items()):
            h = r["history"]
            ax.plot(h["step"], h["lambda_max"], color=f"C{i}", label=rf"$\eta = {eta:g}$")
            ax.axhline(2 / eta, color=f"C{i}", ls=":", lw=1)
        ax.plot([], [], color="0.3", ls=":", lw=1, label=r"$2/\eta$ (same colour)")
        ax.set_yscale("log")
        data_ticks(ax.yaxis, [2 / eta for eta in eos["runs"]])      # ticks at the thresholds 2/η
        ax.set_xlabel("GD step")
        ax.set_ylabel(r"$\lambda_{\max}(\nabla^2 L(\theta_t))$")
        ax.set_title(r"$\lambda_{\max}$ along GD for each step size $\eta$")
        legend(ax, ncols=3)
        figures += save_figure(fig, out, "logistic_eos")
        plt.close(fig)
        first = eos["runs"][cfg["etas"][0]]["history"]["step"]
        write_csv(out / "logistic_eos.csv", {"step": first, **{
            f"lambda_max_eta{eta:g}": r["history"]["lambda_max"] for eta, r in eos["runs"].items()
            if len(r["history"]["step"]) == len(first)}})

        eta_b = cfg["etas"][len(cfg["etas"]) // 2]
        rb = eos["runs"][eta_b]
        net = UnivariateNet(rb["net"]["v"], rb["net"]["w"], rb["net"]["b"], rb["net"]["beta"])
        grid = np.linspace(-1, 1, 801)
        U = uncertain_set(net, 0.1, -1, 1)
        g = CurvatureWeight.from_data(rb["x"], logistic_d2(net(rb["x"])))(grid)
        fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
        for k, (a, b) in enumerate(U.intervals):
            ax.axvspan(a, b, color="0.88", lw=0, label=r"$U_\delta$, $\delta = 0.1$ (shaded)" if k == 0 else None)
        ax.plot(grid, net(grid), color="C0", label=r"$f_\theta(x)$ after GD")
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
        figures += save_figure(fig, out, "logistic_function")
        plt.close(fig)
        write_csv(out / "logistic_function.csv", {"x": grid, "f": net(grid), "g_mu": g})

        etas = list(eos["runs"])
        fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
        ax.plot(etas, [eos["runs"][e]["population_error"] for e in etas], "o-", label="population 0-1 error")
        ax.axhline(eos["bayes_error"], ls=":", color="k", label="Bayes error")
        ax.set_xscale("log")
        data_ticks(ax.xaxis, etas)
        ax.set_xlabel(r"step size $\eta$")
        ax.set_ylabel("0-1 error")
        ax2 = ax.twinx()
        ax2.grid(False)
        ax2.plot(etas, [eos["runs"][e]["weighted_tv"] for e in etas], "s--", color="C1",
                 label="weighted TV (right axis)")
        ax2.set_ylabel(r"$\sum_i |v_i w_i|\, g_\mu(t_i)$")
        ax.set_title(r"Error and weighted TV of the GD solution against $\eta$")
        legend(ax, ax2)
        figures += save_figure(fig, out, "logistic_eta")
        plt.close(fig)
        write_csv(out / "logistic_eta.csv", {
            "eta": etas, "population_error": [eos["runs"][e]["population_error"] for e in etas],
            "weighted_tv": [eos["runs"][e]["weighted_tv"] for e in etas],
            "lambda_max": [eos["runs"][e]["lambda_max"] for e in etas]})

        inf = res["infinity"]
        fig, axes = plt.subplots(1, 2, figsize=st["double"], layout="constrained")
        axes[0].semilogy(inf["c"], np.maximum(inf["lambda_max"], 1e-300), "o-", label=r"$\lambda_{\max}(\theta_c)$")
        axes[0].semilogy(inf["c"], np.maximum(inf["uncertain_length"], 1e-300), "s--",
                         label=r"$|U_\delta(\theta_c)|$, $\delta = 0.01$")
        axes[0].set_xlabel("scale $c$")
        axes[0].set_ylabel("value (log scale)")
        axes[0].legend()
        axes[0].set_title(r"Curvature and uncertain length of $\theta_c$")
        axes[1].plot(inf["c"], inf["population_error"], "o-", label="population error")
        axes[1].plot(inf["c"], inf["training_error"], "s-", label="training error")
        axes[1].axhline(inf["bayes_error"], ls=":", color="k", label="Bayes error")
        axes[1].set_xlabel("scale $c$")
        axes[1].set_ylabel("0-1 error")
        axes[1].legend()
        axes[1].set_title(rf"Errors of $\theta_c$ ($n = {inf['n']}$, 20 % flipped labels)")
        figures += save_figure(fig, out, "logistic_infinity")
        plt.close(fig)
        write_csv(out / "logistic_infinity.csv", {k: inf[k] for k in ("c", "lambda_max", "training_error",
                                                                       "population_error", "uncertain_length")})

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
        ax.set_title(r"Excess risk of the GD solution against $n$ ($\eta = 1$)")
        ax.legend()
        figures += save_figure(fig, out, "logistic_rate")
        plt.close(fig)
        write_csv(out / "logistic_rate.csv", {k: [r[k] for r in rate["rows"]] for k in (
            "n", "seed", "excess_inside", "excess_all", "error_excess")})
    return figures
