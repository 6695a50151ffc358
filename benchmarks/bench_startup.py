"""Start-up: `import flatproof` and `python -m flatproof --version` against `python -c "import numpy"` and a bare
`python -c pass`, best of N fresh processes each, this checkout first on PYTHONPATH.

Usage:  python benchmarks/bench_startup.py [--repeats 10] [--root DIR]
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


def best(args, env, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *args], env=env, cwd=tempfile.gettempdir(), check=True,
                       stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - t0)
    return min(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=10)
    ap.add_argument("--root", default=str(ROOT))
    args = ap.parse_args()
    env = {**os.environ, "PYTHONPATH": args.root}
    rec = {name: best(cmd, env, args.repeats) for name, cmd in (
        ("python -c pass", ["-c", "pass"]),
        ("import numpy", ["-c", "import numpy"]),
        ("import flatproof", ["-c", "import flatproof"]),
        ("python -m flatproof --version", ["-m", "flatproof", "--version"]),
        ("from flatproof import UnivariateFast", ["-c", "from flatproof import UnivariateFast"]),
    )}
    rec["import flatproof / import numpy"] = rec["import flatproof"] / rec["import numpy"]
    print(json.dumps(rec, indent=2))


if __name__ == "__main__":
    main()
