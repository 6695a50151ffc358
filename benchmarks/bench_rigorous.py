"""Rigorous mode at scale: `univariate.eta-flat` and `logistic.flat-at-infinity` verified (mode = "rigorous")
end to end on explicit instances of growing size, timed, with the certified λ_max interval and its width.

Usage:  python benchmarks/bench_rigorous.py [--sizes 1000,3000,10000,100000] [--claims eta-flat,flat-at-infinity]
        [--max-memory 64GiB] [--kink 1e-15]

``--max-memory`` raises the casefile's resource limit (flatproof._budget), whose estimate for a network of width m
on n points is the dense n × m evaluation: it refuses the sign-fitting network at n = 10⁵ (m ≈ 8·10⁴) although the
rigorous flat-at-infinity path is O(n + m) in memory. ``--kink`` sets the cases' ``[tolerances] kink``: at n = 10⁵
the sign-fitting knots (midway between neighbouring points, whose smallest gap is ~1/n²) come within the default
1e-9 of a data point, and the float kink test of the λ_max step reports θ as at a kink although rigorous mode
certifies the activation pattern. Each line gives the peak resident memory so far.

Each line also gives the widths of the certified population error, Bayes error and excess (flat-at-infinity),
how the integrals were obtained, and the comparisons that are not certified (they keep a verdict inconclusive).

eta-flat: the random logistic instance of bench_univariate (knots between data points, n = m), η chosen so
that 2/η = 1.05 × λ_max (flat, 5 % margin). flat-at-infinity: the shipped case's generator (logistic data,
flip 0.2) with n points and a sign-fitting network scaled by c = 6.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_univariate import instance  # noqa: E402

import flatproof as fp  # noqa: E402
from flatproof._budget import limits_scope, parse_bytes  # noqa: E402
from flatproof.casefile import load_case_dict  # noqa: E402


def eta_flat_doc(n):
    problem, net = instance(n, n)
    lam = fp.lambda_max(fp.UnivariateFast(problem, net)).value
    return {"case": {"claim": "univariate.eta-flat", "mode": "rigorous"}, "params": {"eta": 2 / (1.05 * lam)},
            "data": {"x": problem.data.x.tolist(), "y": problem.data.y.tolist()},
            "model": {"kind": "univariate", "v": net.v.tolist(), "w": net.w.tolist(), "b": net.b.tolist(),
                      "beta": float(net.beta)},
            "loss": {"kind": "logistic"}}


def flat_at_infinity_doc(n):
    return {"case": {"claim": "logistic.flat-at-infinity", "mode": "rigorous"},
            "params": {"epsilon": 1e-3, "excess": 0.05},
            "data": {"generator": "logistic", "n": n, "seed": 7, "logit": "4*x", "flip": 0.2},
            "model": {"kind": "univariate", "construction": "sign-fitting", "scale": 6.0}}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,3000,10000,100000")
    ap.add_argument("--claims", default="eta-flat,flat-at-infinity")
    ap.add_argument("--max-memory", default=None, help="raise the casefile's memory limit (e.g. 1TiB)")
    ap.add_argument("--kink", type=float, default=None, help="the cases' [tolerances] kink (default: the casefile's)")
    args = ap.parse_args()
    max_memory = parse_bytes(args.max_memory) if args.max_memory else None
    with limits_scope(max_memory=max_memory, max_work=1e30 if max_memory else None):
        run(args)


def run(args):
    makers = {"eta-flat": eta_flat_doc, "flat-at-infinity": flat_at_infinity_doc}
    for claim in args.claims.split(","):
        for n in map(int, args.sizes.split(",")):
            doc = makers[claim](n)
            if args.kink is not None:
                doc["tolerances"] = {"kink": args.kink}
            t0 = time.perf_counter()
            case = load_case_dict(doc, f"<{claim} n={n}>")
            t1 = time.perf_counter()
            verdict = case.verify()
            t2 = time.perf_counter()
            cert = verdict.certificate
            lo_hi = cert.get("lambda_max_certified")
            pop = {k: cert[k][1] - cert[k][0] for k in ("population_error_certified", "bayes_error_certified",
                                                        "excess_error_certified") if k in cert}
            print(json.dumps({"claim": claim, "n": n, "width": case.instance.net.m, "outcome": verdict.outcome,
                              "basis": verdict.basis,
                              "build_seconds": round(t1 - t0, 2), "verify_seconds": round(t2 - t1, 2),
                              "lambda_max_certified": lo_hi,
                              "width_of_enclosure": None if not lo_hi else lo_hi[1] - lo_hi[0],
                              "population_widths": pop or None, "integration": cert.get("integration"),
                              "undecided": [c.name for c in verdict.comparisons if c.basis != "certified"],
                              "hypotheses_not_met": [h.name for h in verdict.hypotheses if not h.met],
                              "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}),
                  flush=True)


if __name__ == "__main__":
    main()
