"""``flatproof reproduce homogeneous``: the figures of flatproof math section M.

(a) the trace along the rescaling orbit of one neuron against log c, with sympy's minimum F_sym at c*;
(b) Dinh's blow-up: λ_max and the trace along the orbit c·(1, …, 1);
(c) the flattest ReLU interpolator (LP over a dictionary): F_min and test MSE against the label noise,
    and against n;
(d) the memoriser against the teacher: F_sym ratio and test MSE against d (n = d), ReLU, plus k = 2.
Every plotted number goes to ``homogeneous.json`` and one CSV per figure.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .. import constructions as C
from ..claims.homogeneous._shared import trace_blocks
from ..claims.homogeneous.orbit_minimum import f_sym
from ..derivations import get_derivation
from ..measures.flattest import flattest_relu_interpolator
from ..measures.homogeneous import HomogeneousOracle, HomogeneousProblem
from ..measures.population import excess_mse
from ..measures.spectral import lambda_max
from ..model.activations import relu, relu_power
from ..model.data import MultiIndexTask
from ..model.losses import Loss
from ._io import save_figure, write_csv, write_json

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


def run(out_dir, *, quick: bool = False, seed: int = 0, progress=None) -> dict:
    """Run the study, write figures and numbers to ``out_dir``; return the numbers."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

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
    figures = []

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    for key, style in (("k1", "-"), ("k2", "--")):
        o = res["orbit"][key]
        ax.plot(o["log10_c"], o["F"], style, label=f"F(T_cθ), k = {key[1]} (oracle)")
        ax.plot(np.log10(o["c_star"]), o["F_at_c_star"], "o", color="k")
    ax.set_xlabel("log10 c (neuron 1 rescaled)")
    ax.set_ylabel("trace F")
    ax.set_yscale("log")
    ax.set_title("Trace along the rescaling orbit; dots: sympy's minimum at c*")
    ax.legend()
    figures += save_figure(fig, out, "homogeneous_orbit")
    plt.close(fig)
    o1 = res["orbit"]["k1"]
    write_csv(out / "homogeneous_orbit.csv", {"log10_c": o1["log10_c"], "F_k1": o1["F"], "F_k1_closed_form":
                                              o1["F_closed_form"], "F_k2": res["orbit"]["k2"]["F"]})

    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    dn = res["dinh"]
    ax.loglog(dn["c"], dn["lambda_max"], label="λ_max")
    ax.loglog(dn["c"], dn["trace"], label="trace")
    ax.set_xlabel("c (every neuron rescaled by c)")
    ax.set_title("Dinh et al.: rescaling makes an interpolator arbitrarily sharp")
    ax.legend()
    figures += save_figure(fig, out, "homogeneous_dinh")
    plt.close(fig)
    write_csv(out / "homogeneous_dinh.csv", dn)

    fl = res["flattest"]
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    fig.subplots_adjust(wspace=0.5)
    axes[0].plot(fl["noise"], [r["test_mse"] for r in fl["by_noise"]], "o-", label="test MSE")
    axes[0].set_xlabel("label noise σ")
    axes[0].set_ylabel("E(f − f*)²")
    ax2 = axes[0].twinx()
    ax2.plot(fl["noise"], [r["F_min"] for r in fl["by_noise"]], "s--", color="C1", label="F_min")
    ax2.set_ylabel("F_min (flattest, LP)")
    axes[0].set_title(f"Flattest interpolator, n = {fl['n_fixed']}, d = {fl['d']}")
    axes[1].loglog(fl["n"], [max(r["test_mse"], 1e-16) for r in fl["by_n"]], "o-")
    axes[1].set_xlabel("n")
    axes[1].set_ylabel("test MSE")
    axes[1].set_title(f"noise σ = {fl['noise_fixed']}")
    figures += save_figure(fig, out, "homogeneous_flattest")
    plt.close(fig)
    write_csv(out / "homogeneous_flattest_noise.csv", {"noise": fl["noise"], **{
        k: [r[k] for r in fl["by_noise"]] for k in ("F_min", "test_mse", "test_mse_se", "atoms", "duality_gap")}})
    write_csv(out / "homogeneous_flattest_n.csv", {"n": fl["n"], **{
        k: [r[k] for r in fl["by_n"]] for k in ("F_min", "test_mse", "test_mse_se", "atoms", "duality_gap")}})

    mm = res["memoriser"]
    fig, ax = plt.subplots(figsize=(5.5, 3.8))
    ax.plot([r["d"] for r in mm["relu"]], [r["ratio"] for r in mm["relu"]], "o-", label="ReLU")
    ax.axhline(mm["k2"]["ratio"], ls="--", color="C1", label=f"ReLU², d = {mm['k2']['d']}")
    ax.set_xlabel("d (n = d)")
    ax.set_ylabel("F_sym(memoriser) / F_sym(teacher)")
    ax.set_title("The memoriser is sharper, increasingly with d (ReLU)")
    ax.legend()
    figures += save_figure(fig, out, "homogeneous_memoriser")
    plt.close(fig)
    write_csv(out / "homogeneous_memoriser.csv", {k: [r[k] for r in mm["relu"]] for k in mm["relu"][0]})
    res["figures"] = figures
    write_json(out / "homogeneous.json", res)
    return res
