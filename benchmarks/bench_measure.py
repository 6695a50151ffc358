"""`measure` end to end (loss, ‖∇L‖, λ_max, λ_min, trace; Frobenius is omitted above the dense limit) against
torch power iteration for λ_max alone (PyHessian's method) on the same instance.

Usage:  python benchmarks/bench_measure.py [--sizes 3000,10000] [--torch-budget 600] [--threads 1]

Instance: bench_univariate.instance (logistic, n = m, knots between data points). The flatproof time
includes the oracle set-up. `--threads N` holds BLAS and torch to N threads (0: defaults).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_homogeneous_lambda import limit_threads  # noqa: E402
from bench_univariate import instance, torch_power_iteration  # noqa: E402

import flatproof as fp  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="3000,10000")
    ap.add_argument("--torch-budget", type=float, default=600.0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    limit_threads(args.threads)
    for n in map(int, args.sizes.split(",")):
        problem, net = instance(n, n)
        t0 = time.perf_counter()
        res = fp.measure(fp.UnivariateFast(problem, net), eta=0.01)
        t_fp = time.perf_counter() - t0
        t_t, lam_t, iters, conv, _ = torch_power_iteration(problem, net, args.torch_budget)
        lmin = res.lambda_min
        print(json.dumps({
            "n": n, "m": n, "p": res.num_params,
            "measure_seconds": t_fp, "lambda_max": res.lambda_max.value, "lambda_max_products": res.lambda_max.n_matvec,
            "lambda_min": lmin.value, "lambda_min_bounds": [float(t) for t in lmin.bounds],
            "lambda_min_converged": lmin.converged, "lambda_min_products": lmin.n_matvec, "trace": res.trace,
            "torch_power_iteration_seconds": t_t, "torch_lambda_max": lam_t, "torch_iterations": iters,
            "torch_converged": conv, "torch_seconds_over_measure_seconds": t_t / t_fp}), flush=True)


if __name__ == "__main__":
    main()
