"""Float against rigorous mode on generated instances: how often each pair of verdicts occurs.

Run from the repository root: PYTHONPATH=. python3 benchmarks/modes_agreement.py [--examples 50]
For every claim that supports rigorous mode and has a strategy (flatproof.strategies), draws ``--examples``
case documents (derandomized, so the run is reproducible), checks each in both modes and prints the
(float, rigorous) outcome pairs; a contradiction is a pair of different decided outcomes (holds against
violated, or a hypothesis met in one mode only). Then the same for logistic.norm-bound on the hard float64
corners of tests/test_norm_bound.py (weights 1e-300 to 1e150, subnormal β, λ from 0 to 1e6), with the
number of wrong verdicts against the 50-digit reference.
"""

import argparse
import collections
import copy

import mpmath as mp
from hypothesis import HealthCheck, given, settings

import flatproof.strategies as fs
from flatproof._errors import InputError
from flatproof.casefile import load_case_dict
from flatproof.claims import all_claims, get_claim

SETTINGS = dict(deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck))


def both(doc, name):
    out = []
    for mode in ("float", "rigorous"):
        d = copy.deepcopy(doc)
        d["case"]["mode"] = mode
        out.append(str(load_case_dict(d, name).verify().outcome))
    return tuple(out)


def decided_apart(pair) -> bool:
    return pair[0] != pair[1] and "inconclusive" not in pair


def generated(examples: int) -> None:
    for claim in all_claims():
        if "rigorous" not in claim.modes or not fs.has_strategy(claim.id) or claim.id.startswith("test."):
            continue
        pairs = collections.Counter()

        @settings(max_examples=examples, **SETTINGS)
        @given(doc=fs.cases(claim.id))
        def run(doc, pairs=pairs, claim=claim):
            try:
                pairs[both(doc, f"<{claim.id}>")] += 1
            except InputError:
                pairs[("invalid instance", "")] += 1
        run()
        bad = sum(c for p, c in pairs.items() if decided_apart(p))
        print(f"{claim.id}: {dict(pairs)}; contradictions: {bad}")


def corners(examples: int) -> None:
    from tests.test_norm_bound import instance, networks, ref_quantities
    claim = get_claim("logistic.norm-bound")
    counts = {"float": collections.Counter(), "rigorous": collections.Counter()}
    wrong = []

    @settings(max_examples=examples, **SETTINGS)
    @given(networks())
    def run(net):
        v, w, b, beta, x, y, lam = net
        inst = instance(v, w, b, beta, x, y, lam)
        excess = ref_quantities(v, w, b, beta, x, y, lam, max(abs(t) for t in x))[3]
        for mode, cnt in counts.items():
            vd = claim.check(inst, mode=mode)
            cnt[str(vd.outcome)] += 1
            met = len(vd.hypotheses) < 2 or vd.hypotheses[1].met
            if vd.outcome == "violated" or (vd.outcome == "holds" and lam > 0 and met and excess > 0):
                wrong.append((mode, str(vd.outcome), net, float(excess), [h.detail for h in vd.hypotheses]))
    with mp.workdps(50):
        run()
    for mode, cnt in counts.items():
        print(f"logistic.norm-bound corners, {mode}: {dict(cnt)}")
    print(f"wrong verdicts against the 50-digit reference: {len(wrong)}")
    for item in wrong[:5]:
        print("  ", item)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--examples", type=int, default=50)
    ap.add_argument("--corners-only", action="store_true")
    args = ap.parse_args()
    if not args.corners_only:
        generated(args.examples)
    corners(10 * args.examples)


if __name__ == "__main__":
    main()
