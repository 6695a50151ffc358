"""The float context against another checkout of flatproof, in one process: UnivariateFast set-up + λ_max (Lanczos
to 1e-8) + exact trace, and one Hessian-vector product, on the random logistic instance of bench_univariate (n = m),
the two versions interleaved so that both see the same machine load.

Usage:  python benchmarks/bench_contexts.py --baseline DIR [--sizes 300,3000,30000] [--repeats 15]

DIR is a checkout of the code to compare with (e.g. ``mkdir DIR && git archive <commit> flatproof | tar -x -C DIR``).
Its package is imported under the name ``flatproof_baseline`` (a symlink in a temporary directory; the measures'
imports are relative). Prints, per size, the minimum times and the median of the per-round ratios (this checkout /
baseline), and checks that λ_max, the trace and the HVP are bit-identical.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from bench_univariate import instance  # noqa: E402


def load_baseline(root: Path):
    tmp = Path(tempfile.mkdtemp(prefix="flatproof-baseline-"))
    (tmp / "flatproof_baseline").symlink_to(root.resolve() / "flatproof")
    sys.path.insert(0, str(tmp))
    hess = importlib.import_module("flatproof_baseline.measures.univariate_hessian")
    spec = importlib.import_module("flatproof_baseline.measures.spectral")
    return hess.UnivariateFast, spec.lambda_max


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", required=True)
    ap.add_argument("--sizes", default="300,3000,30000")
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    from flatproof.measures.spectral import lambda_max
    from flatproof.measures.univariate_hessian import UnivariateFast
    versions = {"this": (UnivariateFast, lambda_max), "baseline": load_baseline(Path(args.baseline))}
    for n in map(int, args.sizes.split(",")):
        problem, net = instance(n, n)
        u = np.random.default_rng(0).normal(size=net.num_params)
        oracles = {k: cls(problem, net) for k, (cls, _) in versions.items()}
        identical = bool(np.array_equal(oracles["this"].hvp(u), oracles["baseline"].hvp(u))
                         and oracles["this"].trace() == oracles["baseline"].trace())
        reps = max(5, 100_000 // n)
        hvp: dict[str, list[float]] = {k: [] for k in versions}
        full: dict[str, list[float]] = {k: [] for k in versions}
        lam: dict[str, float] = {}
        for _ in range(args.repeats):
            for k, (cls, lmax) in versions.items():
                t = time.perf_counter()
                for _ in range(reps):
                    oracles[k].hvp(u)
                hvp[k].append((time.perf_counter() - t) / reps)
                t = time.perf_counter()
                o = cls(problem, net)
                lam[k] = lmax(o, tol=1e-8).value
                o.trace()
                full[k].append(time.perf_counter() - t)
        identical = identical and lam["this"] == lam["baseline"]

        def ratio(d: dict[str, list[float]]) -> float:
            return round(float(np.median(np.array(d["this"]) / np.array(d["baseline"]))), 3)
        print(json.dumps({"n": n, "m": n, "bit_identical": identical,
                          "hvp_us_min": {k: round(min(v) * 1e6, 1) for k, v in hvp.items()},
                          "hvp_ratio_median": ratio(hvp),
                          "setup_lambda_max_trace_s_min": {k: round(min(v), 4) for k, v in full.items()},
                          "setup_lambda_max_trace_ratio_median": ratio(full)}), flush=True)


if __name__ == "__main__":
    main()
