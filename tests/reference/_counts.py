"""Per (claim, mode, instance family) counts of flatproof's and the reference's verdicts."""

from collections import Counter, defaultdict

COUNTS: dict = defaultdict(Counter)


def record(claim: str, mode: str, family: str, flatproof: str, reference: str, ok: bool) -> None:
    c = COUNTS[(claim, mode, family)]
    c["examples"] += 1
    c[flatproof] += 1
    c["reference " + reference] += 1
    if not ok:
        c["WRONG"] += 1
