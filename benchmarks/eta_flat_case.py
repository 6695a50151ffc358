"""Write an η-flat case file at scale: the random logistic instance of bench_univariate (n = m, knots between
data points) with η chosen so that 2/η = 1.05 × λ_max (flat, 5 % margin), the document bench_rigorous verifies.

Usage:  python benchmarks/eta_flat_case.py N OUT.toml [--mode rigorous|float]

Then time it end to end:  python3 -m flatproof verify OUT.toml
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_rigorous import eta_flat_doc  # noqa: E402

from flatproof.case_writer import save_case  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int, help="data points n = width m")
    ap.add_argument("out", type=Path)
    ap.add_argument("--mode", default="rigorous", choices=("rigorous", "float"))
    args = ap.parse_args()
    doc = eta_flat_doc(args.n)
    doc["case"]["mode"] = args.mode
    print(save_case(args.out, doc, comment=f"univariate.eta-flat at n = m = {args.n:,} "
                                           "(benchmarks/eta_flat_case.py)"))


if __name__ == "__main__":
    main()
