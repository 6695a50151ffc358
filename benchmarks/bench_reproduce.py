"""`flatproof reproduce`: wall time of a sweep at --jobs 1 against --jobs 2 (and more), and the same numbers.

Usage:  python benchmarks/bench_reproduce.py [--study logistic|homogeneous] [--seeds 0:2] [--jobs 1,2] [--full]

Each run is a fresh `python -m flatproof reproduce STUDY [--quick] --seeds A:B --jobs J --out TMP` subprocess of
this checkout; the time is the wall time of the whole command (start-up and figures included). Prints one JSON
line per run, then the ratio (seconds at jobs 1) / (seconds at jobs J) and whether every CSV and the JSON
(without the figure paths) are byte-for-byte the same as at jobs 1.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def numbers(out: Path) -> dict[str, bytes]:
    files = {p.name: p.read_bytes() for p in sorted(out.glob("*.csv"))}
    for p in out.glob("*.json"):
        data = json.loads(p.read_text())
        data.pop("figures", None)
        files[p.name] = json.dumps(data, sort_keys=True).encode()
    return files


def run(study: str, seeds: str, jobs: int, quick: bool, out: Path) -> float:
    cmd = [sys.executable, "-m", "flatproof", "reproduce", study, "--seeds", seeds, "--jobs", str(jobs),
           "--out", str(out)] + (["--quick"] if quick else [])
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=tempfile.gettempdir(),
                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--study", default="logistic", choices=["logistic", "homogeneous"])
    ap.add_argument("--seeds", default="0:2")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--full", action="store_true", help="the full study instead of --quick")
    args = ap.parse_args()
    jobs = [int(j) for j in args.jobs.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        secs, nums = {}, {}
        for j in jobs:
            out = Path(tmp) / f"jobs{j}"
            secs[j] = run(args.study, args.seeds, j, not args.full, out)
            nums[j] = numbers(out)
            print(json.dumps({"study": args.study, "quick": not args.full, "seeds": args.seeds, "jobs": j,
                              "seconds": round(secs[j], 2)}), flush=True)
        for j in jobs[1:]:
            print(json.dumps({"study": args.study, f"speedup_jobs{j}": secs[jobs[0]] / secs[j],
                              "same_numbers": nums[j] == nums[jobs[0]]}), flush=True)


if __name__ == "__main__":
    main()
