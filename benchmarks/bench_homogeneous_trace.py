"""Homogeneous network: exact trace against Hutchinson's estimator (100 Rademacher probes).

Usage:  python benchmarks/bench_homogeneous_trace.py [--n 2000 --d 50 --m 500 --probes 100 --repeats 3]

One instance (ReLU, square loss of M.1 at a non-interpolating θ, so both Hessian parts count).
Reference value: the trace of the dense Hessian is out of reach (p = 25500), so the reference is the
exact formula evaluated a second, independent way: Σ_k e_kᵀ H e_k over all p coordinate vectors
through HVPs would cost p products; instead we use (1/n) Σ_i d_i ‖∇f_i‖² from the explicit
Jacobian rows plus (1/n) Σ_i g_i tr ∇²f_i, computed in float64 in chunks, and report both methods'
errors against it. Times are the best of `repeats` runs.
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
    g, d = problem.loss.d1(f, y), problem.loss.d2(f, y)
    total = 0.0
    for lo in range(0, n, 100):
        Xc = X[lo:lo + 100]
        Z = Xc @ net.W.T
        rows_a = np.maximum(Z, 0.0)
        rows_w = ((Z > 0) * net.a)[:, :, None] * Xc[:, None, :]
        sq = np.sum(rows_a ** 2, axis=1) + np.sum(rows_w.reshape(len(Xc), -1) ** 2, axis=1)
        total += float(d[lo:lo + 100] @ sq)
    return total / n  # ReLU: σ'' = 0 off kinks, so tr ∇²f_i = 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--d", type=int, default=50)
    ap.add_argument("--m", type=int, default=500)
    ap.add_argument("--probes", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
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
    print(json.dumps({
        "n": args.n, "d": args.d, "m": args.m, "p": net.num_params, "probes": args.probes, "reference": ref,
        "exact": {"seconds": t_exact, "value": exact, "rel_error": abs(exact - ref) / ref},
        "hutchinson": {"seconds": t_h, "value": est, "std_error": se, "rel_error": abs(est - ref) / ref},
        "time_ratio_hutchinson_over_exact": t_h / t_exact,
    }, indent=2))


if __name__ == "__main__":
    main()
