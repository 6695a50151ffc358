"""`flatproof check`: examples per second for every claim with a strategy, and `--jobs 2` against `--jobs 1`.

Usage:  python benchmarks/bench_check.py [--examples 50] [--seed 0] [--jobs 1,2] [--root DIR] [--baseline DIR]

Each (claim, jobs) run is a fresh `python -m flatproof check CLAIM --json` subprocess with DIR (default: this
checkout) first on PYTHONPATH, so `--root /path/to/an/older/checkout` measures the same table before a change
(an older checkout without --jobs is run without it). Prints one JSON line per run (with the 1-minute load
average when it started: the machine may be shared) and the ratio (seconds at jobs 1) / (seconds at jobs 2) per
claim and in total; "seconds" is check's own timer (no start-up), shrinking a counterexample included.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(root: str, claim: str, examples: int, seed: int, jobs: int | None) -> dict:
    env = {**os.environ, "PYTHONPATH": root}
    cmd = [sys.executable, "-m", "flatproof", "check", claim, "--examples", str(examples), "--seed", str(seed),
           "--json", "--out", os.path.join(tempfile.gettempdir(), "flatproof-bench-found")]
    if jobs is not None:
        cmd += ["--jobs", str(jobs)]
    load = os.getloadavg()[0]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tempfile.gettempdir())
    rec = json.loads(out.stdout.strip().splitlines()[-1])
    found = rec["counterexample"]
    return {"root": root, "claim": claim, "jobs": jobs, "load": load, "tried": rec["tried"], "seconds": rec["seconds"],
            "examples_per_second": rec["tried"] / rec["seconds"] if rec["seconds"] else None,
            "counts": rec["counts"], "counterexample": found,
            "document": Path(found).read_text().split("\n[", 1)[-1] if found else None}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=50)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", default="1,2", help="comma-separated; 'none' runs without the option")
    ap.add_argument("--root", default=str(ROOT))
    ap.add_argument("--baseline", default=None, help="an unmodified checkout to measure before this one")
    ap.add_argument("--claims", default=None, help="comma-separated (default: every claim with a strategy)")
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": args.root}
    if args.claims:
        claims = args.claims.split(",")
    else:
        code = ("from flatproof.claims import all_claims; from flatproof.strategies import has_strategy;"
                "print(','.join(c.id for c in all_claims() if has_strategy(c.id)))")
        claims = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                                cwd=tempfile.gettempdir(), check=True).stdout.strip().split(",")
    jobs = [None if j == "none" else int(j) for j in args.jobs.split(",")]
    total = {j: 0.0 for j in jobs}
    for claim in claims:
        if args.baseline:
            before = run(args.baseline, claim, args.examples, args.seed, jobs[0])
            print(json.dumps({k: v for k, v in before.items() if k != "document"}), flush=True)
        recs = {j: run(args.root, claim, args.examples, args.seed, j) for j in jobs}
        if args.baseline:
            after = recs[jobs[0]]
            print(json.dumps({"claim": claim, "before_after": [before["examples_per_second"],
                                                               after["examples_per_second"]],
                              "speedup": before["seconds"] / after["seconds"] * after["tried"] / before["tried"],
                              "same_counts": before["counts"] == after["counts"],
                              "same_counterexample": before["document"] == after["document"]}), flush=True)
        for j, r in recs.items():
            total[j] += r["seconds"]
            print(json.dumps({k: v for k, v in r.items() if k != "document"}), flush=True)
        if 1 in recs and 2 in recs:
            same = recs[1]["counts"] == recs[2]["counts"]
            print(json.dumps({"claim": claim, "speedup_jobs2": recs[1]["seconds"] / recs[2]["seconds"],
                              "same_counts": same}), flush=True)
    print(json.dumps({"total_seconds": total,
                      **({"speedup_jobs2": total[1] / total[2]} if 1 in total and 2 in total else {})}))


if __name__ == "__main__":
    main()
