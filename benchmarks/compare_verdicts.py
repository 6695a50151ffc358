"""Do two checkouts give the same verdicts on the same generated instances? (The regression net of a refactor.)

    python benchmarks/compare_verdicts.py --old CHECKOUT [--new CHECKOUT] [--claims A,B] [--docs 60] [--seed 0]

For each claim with a strategy, draws ``--docs`` case documents once (hypothesis, seeded, with the new checkout's
strategies), pickles them, and verifies every document under each checkout in its own process (``PYTHONPATH`` =
the checkout, run from a temporary folder: ``python -m`` and a script's folder come first on ``sys.path``, so a
run from inside a checkout would import that one). Compares per document: the outcome, the basis, each
comparison's outcome and the unmet hypotheses. Prints one line per claim and the first differences.

``flatproof check`` counts for one seed are no substitute: hypothesis also draws from literal constants it finds
in the loaded code, so two versions of the code explore different examples.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

DRAW = """
import pickle, sys
from hypothesis import HealthCheck, Phase, given, seed, settings
from flatproof import strategies as fs
claim, n, s, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
docs = []

@seed(s)
@settings(max_examples=n, database=None, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.generate])
@given(fs.cases(claim))
def run(doc):
    docs.append(doc)

run()
pickle.dump(docs, open(out, "wb"))
"""

VERIFY = """
import json, pickle, sys
from flatproof._errors import InputError
from flatproof.casefile import load_case_dict
out = []
for doc in pickle.load(open(sys.argv[1], "rb")):
    try:
        v = load_case_dict(doc, "<doc>").verify()
        out.append([str(v.outcome), str(v.basis), [str(c.outcome) for c in v.comparisons],
                    [h.name for h in v.hypotheses if not h.met]])
    except InputError as exc:
        out.append(["input error", str(exc)])
json.dump(out, open(sys.argv[2], "w"))
"""

CLAIMS = """
from flatproof import strategies as fs
from flatproof.claims import all_claims
print(",".join(c.id for c in all_claims() if fs.has_strategy(c.id)))
"""


def _run(checkout: Path, code: str, *args: str, cwd: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env, capture_output=True, text=True,
                          check=True)
    return done.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", type=Path, required=True, help="the checkout to compare against")
    ap.add_argument("--new", type=Path, default=Path(__file__).resolve().parents[1], help="default: this checkout")
    ap.add_argument("--claims", default="", help="comma-separated claim ids (default: every claim with a strategy)")
    ap.add_argument("--docs", type=int, default=60)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    old, new = a.old.resolve(), a.new.resolve()
    with tempfile.TemporaryDirectory() as tmp:
        claims = a.claims.split(",") if a.claims else _run(new, CLAIMS, cwd=tmp).split(",")
        total = changed = 0
        for claim in claims:
            docs = str(Path(tmp) / f"{claim}.pkl")
            _run(new, DRAW, claim, str(a.docs), str(a.seed), docs, cwd=tmp)
            results = []
            for tag, checkout in (("old", old), ("new", new)):
                out = str(Path(tmp) / f"{claim}.{tag}.json")
                _run(checkout, VERIFY, docs, out, cwd=tmp)
                results.append(json.loads(Path(out).read_text()))
            diff = [(k, o, n) for k, (o, n) in enumerate(zip(*results, strict=True)) if o != n]
            total, changed = total + len(results[0]), changed + len(diff)
            print(f"{claim}: {len(results[0])} documents, {len(diff)} verdicts differ")
            for k, o, n in diff[:3]:
                print(f"    document {k}: old {o}\n                new {n}")
        print(f"all: {total} documents, {changed} verdicts differ")


if __name__ == "__main__":
    main()
