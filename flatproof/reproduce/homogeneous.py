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
from pathlib import Path

import numpy as np

from ..model import constructions as C
from ..measures.homogeneous_orbit import f_sym, trace_blocks
from ..derivations import get_derivation
from ..measures.homogeneous_flattest import flattest_relu_interpolator
from ..measures.homogeneous_hessian import HomogeneousOracle, HomogeneousProblem
from ..measures.population import excess_mse
from ..measures.spectral import lambda_max
from ..model.activations import relu, relu_power
from ..model.data import MultiIndexTask
from ..model.losses import Loss
from ._io import save_figure, write_csv, write_json
from ._style import data_ticks, legend, style

RELU = lambda t: np.maximum(t, 0.0)  # noqa: E731


def _problem(data):
    return HomogeneousProblem(data, Loss("square", 1.0))


def orbit_study(seed: int, n: int, d: int) -> dict:
    rng = np.random.default_rng(seed)
    out = {}
    for k in (1, 2):
        task = MultiIndexTask.random(d, 2, (lambda t, k=k: RELU(t) ** k), 0.0, rng)
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


def flattest_study(seed: int, d: int, n_list, noises, n_fixed: int, noise_fixed: float, dictionary: int,
                   samples: int, progress) -> dict:
    def one(n, noise, s):
        rng = np.random.default_rng(s)
        task = MultiIndexTask.random(d, 2, RELU, noise, rng)
        data = task.sample(n, rng)
        D = np.vstack([rng.standard_normal((dictionary, d)), task.U.T])
        res = flattest_relu_interpolator(data.X, data.y, D)
        mc = excess_mse(res.net, task, samples, s + 1)
        At, Bt = trace_blocks(C.teacher_network(task.U), data.X)
        progress()
        return {"F_min": res.F_min, "test_mse": mc.mean, "test_mse_se": mc.stderr, "atoms": int(res.active.size),
                "duality_gap": res.duality_gap, "F_sym_teacher": f_sym(At, Bt, 1)}
    by_noise = [one(n_fixed, s_, seed) for s_ in noises]
    by_n = [one(n_, noise_fixed, seed) for n_ in n_list]
    return {"noise": list(noises), "by_noise": by_noise, "n": list(n_list), "noise_fixed": noise_fixed,
            "n_fixed": n_fixed, "by_n": by_n, "dictionary": dictionary, "d": d}


def memoriser_study(seed: int, ds, d_k2: int, samples: int, progress) -> dict:
    rows = []
    for d in ds:
        rng = np.random.default_rng(seed + d)
        task = MultiIndexTask.random(d, 2, RELU, 0.0, rng)
        data = task.sample(d, rng)
        mem = C.memoriser(data.X, data.y)
        teacher = C.teacher_network(task.U)
        A, B = trace_blocks(mem, data.X)
        At, Bt = trace_blocks(teacher, data.X)
        rows.append({"d": d, "F_sym_memoriser": f_sym(A, B, 1), "F_sym_teacher": f_sym(At, Bt, 1),
                     "ratio": f_sym(A, B, 1) / f_sym(At, Bt, 1),
                     "test_mse_memoriser": excess_mse(mem, task, samples, seed).mean})
        progress()
    rng = np.random.default_rng(seed + 7)
    task = MultiIndexTask.random(d_k2, 2, lambda t: RELU(t) ** 2, 0.0, rng)
    data = task.sample(d_k2, rng)
    mem, teacher = C.memoriser(data.X, data.y, relu_power(2)), C.teacher_network(task.U, activation=relu_power(2))
    A, B = trace_blocks(mem, data.X)
    At, Bt = trace_blocks(teacher, data.X)
    progress()
    return {"relu": rows, "k2": {"d": d_k2, "ratio": f_sym(A, B, 2) / f_sym(At, Bt, 2)}}


def run(out_dir, *, quick: bool = False, seed: int = 0, progress=None, style: str = "paper") -> dict:
    """Run the study, write figures and numbers to ``out_dir``; return the numbers."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    tick = progress or (lambda: None)
    cfg = ({"n": 100, "d": 10, "dictionary": 500, "samples": 5000, "noises": [0.0, 0.1, 0.3], "n_list": [50, 100],
            "ds": [20, 40, 80], "d_k2": 20} if quick else
           {"n": 200, "d": 10, "dictionary": 4000, "samples": 20000, "noises": [0.0, 0.05, 0.1, 0.2, 0.3],
            "n_list": [50, 100, 200, 400], "ds": [50, 100, 200], "d_k2": 50})
    res = {"config": {**cfg, "quick": quick, "seed": seed}}
    res["orbit"] = orbit_study(seed, cfg["n"], cfg["d"])
    tick()
    res["dinh"] = dinh_study(seed, cfg["n"], cfg["d"])
    tick()
    res["flattest"] = flattest_study(seed, cfg["d"], cfg["n_list"], cfg["noises"], cfg["n"], 0.1, cfg["dictionary"],
                                     cfg["samples"], tick)
    res["memoriser"] = memoriser_study(seed, cfg["ds"], cfg["d_k2"], cfg["samples"], tick)
    res["figures"] = plot(res, out, style)
    write_json(out / "homogeneous.json", res)
    return res


def replot(out_dir, style: str = "paper") -> dict:
    """Redraw the figures from ``out_dir/homogeneous.json`` (written by :func:`run`) without recomputing."""
    out = Path(out_dir)
    res = json.loads((out / "homogeneous.json").read_text())
    res["figures"] = plot(res, out, style)
    return res


def plot(res: dict, out: Path, style_name: str = "paper") -> list[str]:
    """The four figures of the study from its numbers ``res`` (and one CSV per figure); the file paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = []
    with style(style_name) as st:
        fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
        for key, ls in (("k1", "-"), ("k2", "--")):
            o = res["orbit"][key]
            ax.plot(o["log10_c"], o["F"], ls, label=rf"$F(T_c\theta)$, $k = {key[1]}$ (oracle)")
        ax.plot([np.log10(res["orbit"][k]["c_star"]) for k in ("k1", "k2")],
                [res["orbit"][k]["F_at_c_star"] for k in ("k1", "k2")], "o", color="k",
                label=r"sympy's minimiser $c^*$ and minimum")
        ax.set_xlabel(r"$\log_{10} c$ (neuron 1 rescaled by $c$)")
        ax.set_ylabel(r"$F = \mathrm{tr}\,\nabla^2 \hat L$")
        ax.set_yscale("log")
        ax.set_title("Trace of the Hessian along the rescaling orbit")
        ax.legend()
        figures += save_figure(fig, out, "homogeneous_orbit")
        plt.close(fig)
        o1 = res["orbit"]["k1"]
        write_csv(out / "homogeneous_orbit.csv", {"log10_c": o1["log10_c"], "F_k1": o1["F"], "F_k1_closed_form":
                                                  o1["F_closed_form"], "F_k2": res["orbit"]["k2"]["F"]})

        fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
        dn = res["dinh"]
        ax.loglog(dn["c"], dn["lambda_max"], label=r"$\lambda_{\max}(\nabla^2 \hat L)$")
        ax.loglog(dn["c"], dn["trace"], "--", label=r"$\mathrm{tr}\,\nabla^2 \hat L$")
        ax.set_xlabel(r"$c$ (every neuron rescaled by $c$)")
        ax.set_ylabel("curvature (log scale)")
        ax.set_title(r"Curvature of one interpolator along the orbit $T_c\theta$")
        ax.legend()
        figures += save_figure(fig, out, "homogeneous_dinh")
        plt.close(fig)
        write_csv(out / "homogeneous_dinh.csv", dn)

        fl = res["flattest"]
        fig, axes = plt.subplots(1, 2, figsize=st["double"], layout="constrained")
        axes[0].plot(fl["noise"], [r["test_mse"] for r in fl["by_noise"]], "o-", label="test MSE (left axis)")
        axes[0].set_xlabel(r"label noise $\sigma$")
        axes[0].set_ylabel(r"test MSE $\mathbb{E}\,(f - f^*)^2$")
        ax2 = axes[0].twinx()
        ax2.grid(False)
        ax2.plot(fl["noise"], [r["F_min"] for r in fl["by_noise"]], "s--", color="C1",
                 label=r"$F_{\min}$ (right axis)")
        ax2.set_ylabel(r"$F_{\min}$ of the flattest interpolator (LP)")
        axes[0].set_title(rf"Flattest interpolator against noise ($n = {fl['n_fixed']}$, $d = {fl['d']}$)")
        legend(axes[0], ax2)
        axes[1].loglog(fl["n"], [max(r["test_mse"], 1e-16) for r in fl["by_n"]], "o-",
                       label=rf"test MSE, $\sigma = {fl['noise_fixed']:g}$")
        data_ticks(axes[1].xaxis, fl["n"])
        axes[1].set_xlabel("sample size $n$")
        axes[1].set_ylabel("test MSE")
        axes[1].set_title(rf"Flattest interpolator against $n$ ($\sigma = {fl['noise_fixed']:g}$)")
        axes[1].legend()
        figures += save_figure(fig, out, "homogeneous_flattest")
        plt.close(fig)
        write_csv(out / "homogeneous_flattest_noise.csv", {"noise": fl["noise"], **{
            k: [r[k] for r in fl["by_noise"]] for k in ("F_min", "test_mse", "test_mse_se", "atoms", "duality_gap")}})
        write_csv(out / "homogeneous_flattest_n.csv", {"n": fl["n"], **{
            k: [r[k] for r in fl["by_n"]] for k in ("F_min", "test_mse", "test_mse_se", "atoms", "duality_gap")}})

        mm = res["memoriser"]
        fig, ax = plt.subplots(figsize=st["single"], layout="constrained")
        ax.plot([r["d"] for r in mm["relu"]], [r["ratio"] for r in mm["relu"]], "o-", label=r"ReLU, $n = d$")
        ax.axhline(mm["k2"]["ratio"], ls="--", color="C1", label=rf"ReLU$^2$, $n = d = {mm['k2']['d']}$")
        ax.axhline(1.0, ls=":", color="k", lw=1, label="ratio 1")
        ax.set_xlabel("input dimension $d$")
        ax.set_ylabel(r"$F_{\mathrm{sym}}$(memoriser) / $F_{\mathrm{sym}}$(teacher)")
        ax.set_title(r"$F_{\mathrm{sym}}$ of the memoriser relative to the teacher")
        ax.legend()
        figures += save_figure(fig, out, "homogeneous_memoriser")
        plt.close(fig)
        write_csv(out / "homogeneous_memoriser.csv", {k: [r[k] for r in mm["relu"]] for k in mm["relu"][0]})
    return figures
