"""Certified population integrals (rigorous mode) against QUADPACK (float mode): time, width, verdicts.

    python benchmarks/bench_certified_population.py [--seeds 20]

For each logit family (linear, a 1e-3-wide dip, a fast oscillation) and each seed: the U.5 instance
(40 points of x ~ U[-1, 1], 20 % flips, sign-fitting network scaled by c = 6), the certified population
error, Bayes error and excess (seconds, largest radius), and the verdict of logistic.flat-at-infinity
(ε = 1e-3, Δ = 0.05) in both modes with its basis. Prints one row per family and the counts.
"""

from __future__ import annotations

import argparse
import time
from collections import Counter

import numpy as np

import flatproof as fp
from flatproof.model import constructions as C
from flatproof.claims import get_claim
from flatproof.instances.instance import Instance
from flatproof.measures.certified_integral import NotCertified, certified_population

FAMILIES = {"linear": "4*x", "dip": "4*x - 12*exp(-((x-0.3)/0.001)**2)", "oscillating": "4*x + 3*sin(200*x)"}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    args = ap.parse_args()
    claim = get_claim("logistic.flat-at-infinity")
    print("| logit | seconds (median) | largest radius | float verdicts | rigorous verdicts |")
    print("|---|---|---|---|---|")
    for family, logit in FAMILIES.items():
        times, radii, outs = [], [], {"float": Counter(), "rigorous": Counter()}
        for seed in range(args.seeds):
            task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression(logit), flip=0.2)
            data = task.sample(40, np.random.default_rng(seed))
            base = C.sign_fitting_network(data.x, data.y)
            net = C.scale_to_infinity(base, 6.0)
            t = time.perf_counter()
            try:
                r = certified_population(net, task)
                radii.append(r.max_radius)
            except NotCertified:
                radii.append(float("inf"))
            times.append(time.perf_counter() - t)
            inst = Instance("univariate", data, net, fp.logistic_loss(), 0.0, task, base, 6.0)
            for mode in ("float", "rigorous"):
                v = claim.check(inst, params={"epsilon": 1e-3, "excess": 0.05}, mode=mode)
                outs[mode][f"{v.outcome} ({v.basis})"] += 1
        fmt = lambda c: ", ".join(f"{k}: {n}" for k, n in sorted(c.items()))        # noqa: E731
        print(f"| {family} `{logit}` | {np.median(times):.2f} | {max(radii):.1e} | {fmt(outs['float'])} | "
              f"{fmt(outs['rigorous'])} |")


if __name__ == "__main__":
    main()
