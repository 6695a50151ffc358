"""Population integrals: certified (rigorous mode), vectorised Gauss–Kronrod (float mode) and QUADPACK (the
scalar per-piece quadrature float mode used before), timed in the same run; widths and verdicts.

    python benchmarks/bench_certified_population.py [--seeds 20] [--sizes 1000,10000,100000]

For each logit family (linear, a 1e-3-wide dip, a fast oscillation) and each seed: the U.5 instance
(40 points of x ~ U[-1, 1], 20 % flips, sign-fitting network scaled by c = 6), the certified population
error, Bayes error and excess (seconds, largest radius), the float error and Bayes error both ways (seconds,
largest distance from the certified ball's midpoint), and the verdict of logistic.flat-at-infinity
(ε = 1e-3, Δ = 0.05) in both modes with its basis. Then, on the linear family at the given sizes n = m-ish,
the seconds and widths of the certified and float population errors.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np
from scipy import integrate

import flatproof as fp
from flatproof.claims import get_claim
from flatproof.instances.instance import Instance
from flatproof.measures.certified_integral import NotCertified, certified_population
from flatproof.measures.population import breakpoints, population_errors
from flatproof.model import constructions as C
from flatproof.model.data import x_domain

FAMILIES = {"linear": "4*x", "dip": "4*x - 12*exp(-((x-0.3)/0.001)**2)", "oscillating": "4*x + 3*sin(200*x)"}



def quadpack(task, fn, breaks) -> float:
    """The baseline: E[fn(X)] by scalar QUADPACK (scipy.integrate.quad) on each piece between ``breaks`` (what
    float mode did before its one vectorised Gauss–Kronrod pass)."""
    lo, hi = x_domain(task)
    edges = [lo, *sorted({float(b) for b in np.ravel(breaks) if lo < b < hi}), hi]
    return sum(integrate.quad(lambda t: float(fn(np.array([t]))[0] * task.law.pdf(t)), a, b, limit=200)[0]
               for a, b in zip(edges[:-1], edges[1:], strict=True))

def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--sizes", default="1000,10000,100000")
    args = ap.parse_args()
    claim = get_claim("logistic.flat-at-infinity")
    print("| logit | certified s (median) | largest radius | float s: Gauss–Kronrod / QUADPACK (median) | "
          "float off the certified midpoint: GK / QUADPACK (max) | float verdicts | rigorous verdicts |")
    print("|---|---|---|---|---|---|---|")
    for family, logit in FAMILIES.items():
        times, radii, outs = [], [], {"float": Counter(), "rigorous": Counter()}
        t_gk, t_qp, off_gk, off_qp = [], [], [0.0], [0.0]
        for seed in range(args.seeds):
            task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression(logit), flip=0.2)
            data = task.sample(40, np.random.default_rng(seed))
            base = C.sign_fitting_network(data.x, data.y)
            net = C.scale_to_infinity(base, 6.0)
            t = time.perf_counter()
            r = None
            try:
                r = certified_population(net, task)
                radii.append(r.max_radius)
            except NotCertified:
                radii.append(float("inf"))
            times.append(time.perf_counter() - t)
            t = time.perf_counter()
            err, _, bay, _ = population_errors(net, task)
            t_gk.append(time.perf_counter() - t)
            t = time.perf_counter()
            eta = task.prob_positive
            qerr = quadpack(task, lambda x, net=net, eta=eta: np.where(net(x) > 0, 1.0 - eta(x), eta(x)),
                            breakpoints(net, task))
            qbay = quadpack(task, lambda x, eta=eta: np.minimum(eta(x), 1.0 - eta(x)),
                            task.logit_breakpoints(*x_domain(task)))
            t_qp.append(time.perf_counter() - t)
            if r is not None:
                off_gk.append(max(abs(err - float(r.error.mid())), abs(bay - float(r.bayes.mid()))))
                off_qp.append(max(abs(qerr - float(r.error.mid())), abs(qbay - float(r.bayes.mid()))))
            inst = Instance("univariate", data, net, fp.logistic_loss(), 0.0, task, base, 6.0)
            for mode in ("float", "rigorous"):
                v = claim.check(inst, params={"epsilon": 1e-3, "excess": 0.05}, mode=mode)
                outs[mode][f"{v.outcome} ({v.basis})"] += 1
        fmt = lambda c: ", ".join(f"{k}: {n}" for k, n in sorted(c.items()))        # noqa: E731
        print(f"| {family} `{logit}` | {np.median(times):.2f} | {max(radii):.1e} | "
              f"{np.median(t_gk):.3f} / {np.median(t_qp):.3f} | {max(off_gk):.1e} / {max(off_qp):.1e} | "
              f"{fmt(outs['float'])} | {fmt(outs['rigorous'])} |")
    print()
    print("| n | m | pieces | certified s | largest radius | float s (Gauss–Kronrod) | float off the midpoint |")
    print("|---|---|---|---|---|---|---|")
    for n in map(int, args.sizes.split(",")):
        task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("4*x"), flip=0.2)
        data = task.sample(n, np.random.default_rng(7))
        net = C.scale_to_infinity(C.sign_fitting_network(data.x, data.y), 6.0)
        t = time.perf_counter()
        r = certified_population(net, task)
        t_c = time.perf_counter() - t
        t = time.perf_counter()
        err, _, bay, _ = population_errors(net, task)
        t_f = time.perf_counter() - t
        off = max(abs(err - float(r.error.mid())), abs(bay - float(r.bayes.mid())))
        print(f"| {n} | {net.m} | {r.pieces} | {t_c:.2f} | {r.max_radius:.1e} | {t_f:.2f} | {off:.1e} |", flush=True)


if __name__ == "__main__":
    main()
