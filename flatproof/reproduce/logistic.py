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

from pathlib import Path

import numpy as np

from .. import constructions as C
from ..measures.population import classification_error, region_risk, training_error
from ..measures.spectral import lambda_max
from ..measures.uncertain import uncertain_set
from ..measures.univariate import UnivariateProblem, univariate_oracle
from ..measures.weighted_tv import CurvatureWeight, weighted_tv
from ..model.data import LogisticTask, uniform
from ..model.expr import parse_expression
from ..model.losses import Loss, logistic_d2
from ..train import gradient_descent, logistic_monitor
from ._io import save_figure, write_csv, write_json

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


def run(out_dir, *, quick: bool = False, seed: int = 0, progress=None) -> dict:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    figures = []

    eos = res["eos"]
    fig, ax = plt.subplots(figsize=(6, 4))
    for i, (eta, r) in enumerate(eos["runs"].items()):
        h = r["history"]
        ax.plot(h["step"], h["lambda_max"], color=f"C{i}", label=f"η = {eta:g}")
        ax.axhline(2 / eta, color=f"C{i}", ls=":", lw=1)
    ax.set_yscale("log")
    ax.set_xlabel("GD step")
    ax.set_ylabel("λ_max(∇²L)")
    ax.set_title("λ_max along GD; dotted: the thresholds 2/η")
    ax.legend(fontsize=8)
    figures += save_figure(fig, out, "logistic_eos")
    plt.close(fig)
    write_csv(out / "logistic_eos.csv", {"step": eos["runs"][cfg["etas"][0]]["history"]["step"],
                                         **{f"lambda_max_eta{eta:g}": r["history"]["lambda_max"]
                                            for eta, r in eos["runs"].items()
                                            if len(r["history"]["step"]) == len(
                                                eos["runs"][cfg["etas"][0]]["history"]["step"])}})

    eta_b = cfg["etas"][len(cfg["etas"]) // 2]
    rb = eos["runs"][eta_b]
    from ..model.univariate import UnivariateNet
    net = UnivariateNet(rb["net"]["v"], rb["net"]["w"], rb["net"]["b"], rb["net"]["beta"])
    grid = np.linspace(-1, 1, 801)
    U = uncertain_set(net, 0.1, -1, 1)
    weight = CurvatureWeight.from_data(rb["x"], logistic_d2(net(rb["x"])))
    g = weight(grid)
    fig, ax = plt.subplots(figsize=(6.5, 4))
    for a, b in U.intervals:
        ax.axvspan(a, b, color="0.85")
    ax.plot(grid, net(grid), color="C0", label="f(x) after GD")
    ax.scatter(rb["x"], rb["y"], s=10, color="k", label="data (±1)")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax2 = ax.twinx()
    ax2.plot(grid, g, color="C3", ls="--", label="g_μ")
    ax2.set_ylabel("curvature weight g_μ")
    ax.set_title(f"Final function (η = {eta_b:g}); shaded: U_δ, δ = 0.1")
    ax.legend(loc="upper left", fontsize=8)
    figures += save_figure(fig, out, "logistic_function")
    plt.close(fig)
    write_csv(out / "logistic_function.csv", {"x": grid, "f": net(grid), "g_mu": g})

    etas = list(eos["runs"])
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot(etas, [eos["runs"][e]["population_error"] for e in etas], "o-", label="population error")
    ax.axhline(eos["bayes_error"], ls=":", color="k", label="Bayes error")
    ax.set_xscale("log")
    ax.set_xlabel("η")
    ax.set_ylabel("error")
    ax2 = ax.twinx()
    ax2.plot(etas, [eos["runs"][e]["weighted_tv"] for e in etas], "s--", color="C1", label="weighted TV")
    ax2.set_ylabel("Σ|v_i w_i| g_μ(t_i)")
    ax.set_title("Larger steps, flatter solutions: error and weighted TV")
    ax.legend(loc="upper left", fontsize=8)
    figures += save_figure(fig, out, "logistic_eta")
    plt.close(fig)
    write_csv(out / "logistic_eta.csv", {"eta": etas, "population_error": [eos["runs"][e]["population_error"]
                                                                           for e in etas],
                                         "weighted_tv": [eos["runs"][e]["weighted_tv"] for e in etas],
                                         "lambda_max": [eos["runs"][e]["lambda_max"] for e in etas]})

    inf = res["infinity"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4))
    fig.subplots_adjust(wspace=0.35)
    axes[0].semilogy(inf["c"], np.maximum(inf["lambda_max"], 1e-300), "o-", label="λ_max(θ_c)")
    axes[0].semilogy(inf["c"], np.maximum(inf["uncertain_length"], 1e-300), "s--", label="|U_δ(θ_c)|, δ = 0.01")
    axes[0].set_xlabel("c")
    axes[0].legend(fontsize=8)
    axes[0].set_title("θ_c: arbitrarily flat, ever more certain")
    axes[1].plot(inf["c"], inf["population_error"], "o-", label="population error")
    axes[1].plot(inf["c"], inf["training_error"], "s-", label="training error")
    axes[1].axhline(inf["bayes_error"], ls=":", color="k", label="Bayes error")
    axes[1].set_xlabel("c")
    axes[1].legend(fontsize=8)
    axes[1].set_title(f"… and still overfitting (n = {inf['n']}, 20 % flips)")
    figures += save_figure(fig, out, "logistic_infinity")
    plt.close(fig)
    write_csv(out / "logistic_infinity.csv", {k: inf[k] for k in ("c", "lambda_max", "training_error",
                                                                   "population_error", "uncertain_length")})

    rate = res["rate"]
    fig, ax = plt.subplots(figsize=(6, 4))
    ns = np.array([r["n"] for r in rate["rows"]])
    ax.loglog(ns, [r["excess_inside"] for r in rate["rows"]], "o", label="excess logistic risk inside R_δ")
    ax.loglog(ns, [r["excess_all"] for r in rate["rows"]], "x", label="excess logistic risk, whole line")
    nn = np.array(sorted(set(ns)), dtype=float)
    ax.loglog(nn, np.exp(rate["intercept"]) * nn ** rate["slope"], "-",
              label=f"fit n^{rate['slope']:.2f} (95% CI [{rate['slope_ci95'][0]:.2f}, {rate['slope_ci95'][1]:.2f}])")
    ax.set_xlabel("n")
    ax.set_title("Flat GD solutions inside the uncertain region")
    ax.legend(fontsize=8)
    figures += save_figure(fig, out, "logistic_rate")
    plt.close(fig)
    write_csv(out / "logistic_rate.csv", {k: [r[k] for r in rate["rows"]] for k in ("n", "seed", "excess_inside",
                                                                                    "excess_all", "error_excess")})
    res["figures"] = figures
    write_json(out / "logistic.json", res)
    return res
