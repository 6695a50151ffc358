"""Differential check of the U.5 population verdicts against 50-digit mpmath references.

    python benchmarks/differential_population.py [--instances 20] [--seed 0]

Draws instances from the hard corners of the population integrals — a 4x trend with a narrow dip (width
5e-4 to 2e-3, depth 2 to 20, anywhere in [-0.8, 0.8]) or with a fast oscillation (frequency 50 to 300,
amplitude 1 to 4) — flip 0, 0.1 or 0.2, 30 points, the sign-fitting network scaled by c = 6, and Δ at a
distance 10^U(−7, −3) either side of the true excess err − Bayes (mpmath at 50 digits, the reference of
tests/test_certified_integral.py). Counts, per claim and mode, verdicts equal to the reference's, inconclusive,
and wrong (a wrong rigorous verdict is a bug; a wrong float verdict is what an estimate can do).
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

import mpmath as mp
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import flatproof as fp  # noqa: E402
from flatproof.claims import get_claim  # noqa: E402
from flatproof.instances.instance import Instance  # noqa: E402
from flatproof.model import constructions as C  # noqa: E402
from tests.test_certified_integral import MP_LOGITS, reference  # noqa: E402


def draw(rng):
    if rng.random() < 0.5:
        c, w, d = rng.uniform(-0.8, 0.8), 10 ** rng.uniform(np.log10(5e-4), np.log10(2e-3)), rng.uniform(2, 20)
        c, w, d = (float(f"{t:.6g}") for t in (c, w, d))
        text = f"4*x - {d}*exp(-((x-({c}))/{w})**2)"
        MP_LOGITS[text] = lambda x: 4 * x - mp.mpf(d) * mp.exp(-((x - mp.mpf(c)) / mp.mpf(w)) ** 2)
        return text, 1.0
    f, a = float(int(rng.uniform(50, 300))), float(f"{rng.uniform(1, 4):.4g}")
    text = f"4*x + {a}*sin({f}*x)"
    MP_LOGITS[text] = lambda x: 4 * x + mp.mpf(a) * mp.sin(f * x)
    return text, 0.5


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    counts = {(c, m): Counter() for c in ("logistic.flat-at-infinity", "logistic.flat-implies-bayes")
              for m in ("float", "rigorous")}
    for k in range(args.instances):
        text, half = draw(rng)
        flip = float(rng.choice([0.0, 0.1, 0.2]))
        task = fp.LogisticTask(fp.uniform(-half, half), fp.parse_expression(text), flip=flip)
        data = task.sample(30, np.random.default_rng(1000 + k))
        base = C.sign_fitting_network(data.x, data.y)
        inst = Instance("univariate", data, C.scale_to_infinity(base, 6.0), fp.logistic_loss(), 0.0, task, base, 6.0)
        err, bay = reference(base, text, flip, -half, half)
        true = float(err - bay)
        delta = min(max(true + rng.choice([-1, 1]) * 10 ** rng.uniform(-7, -3), 0.0), 1.0)
        for (cid, mode), cnt in counts.items():
            if cid == "logistic.flat-at-infinity":
                v = get_claim(cid).check(inst, params={"epsilon": 1e-3, "excess": delta}, mode=mode)
                expected = "holds" if true >= delta else "violated"
            else:
                v = get_claim(cid).check(inst, params={"eta": 1.0, "excess": delta}, mode=mode)
                expected = "holds" if true <= delta else "violated"
            got = str(v.outcome)
            cnt["right" if got == expected else got if got in ("inconclusive", "hypotheses-not-met") else "WRONG"] += 1
            if got not in (expected, "inconclusive", "hypotheses-not-met"):
                print(f"wrong: {cid} {mode} {text} flip={flip} Δ={delta!r} true={true!r} got {got}")
    for (cid, mode), cnt in counts.items():
        print(f"{cid:32s} {mode:9s} " + ", ".join(f"{k}: {n}" for k, n in sorted(cnt.items())))


if __name__ == "__main__":
    main()
