"""Homogeneous network: exact trace against Hutchinson's estimator (100 Rademacher probes).

Usage:  python benchmarks/bench_homogeneous_trace.py [--n 2000 --d 50 --m 500 --probes 100 --repeats 3]
        python benchmarks/bench_homogeneous_trace.py --kinks [--n 10000 --d 50 --m 2000 --planted 3]

One instance (ReLU, square loss of M.1 at a non-interpolating θ, so both Hessian parts count).
Reference value: the trace of the dense Hessian is out of reach (p = 25500), so the reference is the
exact formula evaluated a second, independent way: Σ_k e_kᵀ H e_k over all p coordinate vectors
through HVPs would cost p products; instead we use (1/n) Σ_i d_i ‖∇f_i‖² from the explicit
Jacobian rows plus (1/n) Σ_i g_i tr ∇²f_i, computed in float64 in chunks, and report both methods'
errors against it, and the certified enclosure of :mod:`flatproof.measures.rigorous_homogeneous` (its
time and relative width). Times are the best of `repeats` runs.

With ``--kinks`` it is instead the kinks-at-scale regression of issue 13: a random instance (n·m
pre-activations, by default 2·10⁷) with ``--planted`` points moved onto a neuron's kink (x_i ⟂ w_j);
``measure``'s trace must come back (ReLU'(0) = 0) with the near-kink count and its note, while the
strict oracle still refuses. It prints the count against the number planted, the time, and the count an
absolute 1e-9 tolerance would give (the pre-issue rule).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

import flatproof as fp


def reference_trace(problem, net):
    """Trace from explicit Jacobian rows (chunked) — an implementation independent of the oracle's."""
    X, y = problem.data.X, problem.data.y
    n = X.shape[0]
    f = net(X)
    d = problem.loss.d2(f, y)
    total = 0.0
    for lo in range(0, n, 100):
        Xc = X[lo:lo + 100]
        Z = Xc @ net.W.T
        rows_a = np.maximum(Z, 0.0)
        rows_w = ((Z > 0) * net.a)[:, :, None] * Xc[:, None, :]
        sq = np.sum(rows_a ** 2, axis=1) + np.sum(rows_w.reshape(len(Xc), -1) ** 2, axis=1)
        total += float(d[lo:lo + 100] @ sq)
    return total / n  # ReLU: σ'' = 0 off kinks, so tr ∇²f_i = 0


def kinks_at_scale(n: int, d: int, m: int, planted: int) -> None:
    rng = np.random.default_rng(0)
    task = fp.MultiIndexTask.random(d, 2, lambda t: np.maximum(t, 0.0), 0.1, rng)
    data = task.sample(n, rng)
    X = data.X.copy()
    W = rng.normal(size=(m, d)) / np.sqrt(d)
    for c in range(planted):                            # x_i ⟂ w_j to rounding
        i, j = 17 + 1000 * c, 3 + 7 * c
        X[i] -= (X[i] @ W[j]) / (W[j] @ W[j]) * W[j]
    problem = fp.HomogeneousProblem(fp.MultiIndexData(X, data.y), fp.square_loss(1.0))
    net = fp.HomogeneousNet(rng.normal(size=m) / m, W)
    t0 = time.perf_counter()
    oracle = fp.HomogeneousOracle(problem, net)
    res = fp.measure(oracle, what="trace")
    seconds = time.perf_counter() - t0
    try:
        oracle.trace()
        strict = "computed"
    except fp.KinkError:
        strict = "KinkError"
    absolute = int(np.count_nonzero(np.abs(X @ W.T) <= 1e-9))
    print(json.dumps({"n": n, "d": d, "m": m, "preactivations": n * m, "planted": planted,
                      "near_kinks": res.kinks.count, "examples": [list(e) for e in res.kinks.examples],
                      "absolute_1e-9_count": absolute, "trace": res.trace, "seconds": seconds,
                      "strict_oracle_trace": strict, "notes": list(res.notes)}, indent=2))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--d", type=int, default=50)
    ap.add_argument("--m", type=int, default=500)
    ap.add_argument("--probes", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--kinks", action="store_true", help="the kinks-at-scale regression instead")
    ap.add_argument("--planted", type=int, default=3)
    args = ap.parse_args()
    if args.kinks:
        kinks_at_scale(args.n, args.d, args.m, args.planted)
        return
    rng = np.random.default_rng(0)
    task = fp.MultiIndexTask.random(args.d, 2, lambda t: np.maximum(t, 0.0), 0.1, rng)
    data = task.sample(args.n, rng)
    net = fp.HomogeneousNet(rng.normal(size=args.m) / args.m, rng.normal(size=(args.m, args.d)) / np.sqrt(args.d))
    problem = fp.HomogeneousProblem(data, fp.square_loss(1.0))
    ref = reference_trace(problem, net)

    def best(fn):
        times, out = [], None
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            out = fn()
            times.append(time.perf_counter() - t0)
        return min(times), out

    t_exact, exact = best(lambda: fp.HomogeneousOracle(problem, net).trace())

    def hutch():
        o = fp.HomogeneousOracle(problem, net)
        return fp.hutchinson_trace(o.hvp, o.num_params, probes=args.probes, seed=1)

    t_h, (est, se) = best(hutch)
    from flatproof.measures.rigorous_homogeneous import HomogeneousIntervals
    t_c, enc = best(lambda: HomogeneousIntervals(problem, net).trace())
    print(json.dumps({
        "n": args.n, "d": args.d, "m": args.m, "p": net.num_params, "probes": args.probes, "reference": ref,
        "exact": {"seconds": t_exact, "value": exact, "rel_error": abs(exact - ref) / ref},
        "hutchinson": {"seconds": t_h, "value": est, "std_error": se, "rel_error": abs(est - ref) / ref},
        "certified": {"seconds": t_c, "enclosure": [float(enc.lo), float(enc.hi)],
                      "rel_width": float(enc.hi - enc.lo) / ref, "contains_reference": bool(enc.lo <= ref <= enc.hi)},
        "time_ratio_hutchinson_over_exact": t_h / t_exact,
    }, indent=2))


if __name__ == "__main__":
    main()
