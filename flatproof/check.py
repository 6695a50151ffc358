"""Property-test a claim on many generated instances (``flatproof check``), outside pytest.

Hypothesis draws whole case documents from :mod:`flatproof.strategies`; each is built with the same
loader as ``flatproof verify`` and checked. Outcomes are counted over the generated examples; the
first ``violated`` one is shrunk by hypothesis to a minimal instance, written as a case file (arrays
inline) and verified again from that file, so the counterexample is exactly what ``verify``
reproduces. Runs are reproducible by seed.

A violation counts only if it survives re-verification (:func:`reverify`): in rigorous mode when the claim
supports it, and with the claim's own (default) hypothesis tolerances — parameters named ``*_tol`` — in
place of any looser ones the strategy drew. One that does not survive (e.g. a float-mode "violation" that
the certified enclosures cannot confirm) is counted ``inconclusive`` and is never written; the file
written is the re-verified document.
"""

from __future__ import annotations

import copy
import hashlib
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import HealthCheck, Phase, Verbosity, given, reject, settings
from hypothesis import seed as hypothesis_seed

from ._errors import InputError
from ._files import write_text_atomic
from ._toml import dumps
from .casefile import load_case, load_case_dict
from .claims import Claim, get_claim
from .strategies import cases, has_strategy
from .vocab import Outcome, Tag


class _Violation(Exception):
    pass


def cache_folder() -> Path:
    """flatproof's cache: ``$XDG_CACHE_HOME/flatproof`` (default ``~/.cache/flatproof``)."""
    import os
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "flatproof"


def keep_hypothesis_out_of_cwd() -> None:
    """Point hypothesis's storage (it creates ``.hypothesis/`` in the current folder even without an
    example database) at flatproof's cache folder, so ``flatproof check`` leaves the user's folder alone."""
    from hypothesis.configuration import set_hypothesis_home_dir
    set_hypothesis_home_dir(str(cache_folder() / "hypothesis"))


def run_failed(reports: Iterable[CheckReport], everything: bool) -> bool:
    """Does a ``check`` run fail (exit 1)? Named claims: if any was violated. ``--all``: only if an
    [exact] or true [paper] claim was violated, or a FALSE BY DESIGN claim was *not* refuted; [probe]
    claims report what they observed and never fail the run."""
    if not everything:
        return any(r.counts[Outcome.VIOLATED] for r in reports)
    for r in reports:
        if r.false_by_design:
            if not r.counts[Outcome.VIOLATED]:
                return True
        elif r.tag in (Tag.EXACT, Tag.PAPER) and r.counts[Outcome.VIOLATED]:
            return True
    return False


@dataclass
class CheckReport:
    claim: str
    tag: str
    false_by_design: bool
    examples: int                     # examples asked for
    seed: int
    counts: Counter = field(default_factory=Counter)   # outcome -> number, over the generated examples
    rejected: int = 0                 # generated documents that were not valid instances (e.g. singular memoriser)
    seconds: float = 0.0
    counterexample: dict | None = None
    path: str | None = None
    size: dict | None = None          # n, d, width of the shrunk counterexample
    reproduced: bool | None = None    # verify on the written file gave `violated` again
    note: str = ""
    unconfirmed: int = 0              # float-mode violations that re-verification did not confirm (counted inconclusive)

    @property
    def tried(self) -> int:
        return sum(self.counts.values())

    def as_dict(self) -> dict:
        return {"claim": self.claim, "tag": self.tag, "false_by_design": self.false_by_design,
                "examples": self.examples, "seed": self.seed, "tried": self.tried, "counts": dict(self.counts),
                "rejected": self.rejected, "seconds": self.seconds, "counterexample": self.path, "size": self.size,
                "reproduced": self.reproduced, "note": self.note, "unconfirmed": self.unconfirmed}


def _size(doc: dict) -> dict:
    data, model = doc.get("data", {}), doc.get("model", {})
    out = {}
    if "x" in data:
        out["n"] = len(data["x"])
    if "X" in data:
        out["n"], out["d"] = len(data["X"]), len(data["X"][0]) if data["X"] else 0
    for key in ("v", "a"):
        if key in model:
            out["width"] = len(model[key])
    if "width" in model:
        out["width"] = model["width"]
    if "construction" in model:
        out["construction"] = model["construction"]
    return out


def _import_flag(claim: Claim) -> str:
    """``--import MODULE `` for a claim defined outside flatproof (a user's), so the Run line works as written."""
    module = type(claim).__module__
    return "" if module.split(".")[0] == "flatproof" else f"--import {module} "


def reverify(claim: Claim, doc: dict) -> tuple[dict, str | None]:
    """Re-verify a document that ``verify`` found violated, as strictly as the claim allows: rigorous mode if the
    claim has it, and every hypothesis tolerance (a parameter named ``*_tol``) at the claim's default. Returns the
    re-verified document and None if it is still violated, else the reason it is not a counterexample."""
    strict = copy.deepcopy(doc)
    how = []
    if "rigorous" in claim.modes and strict["case"].get("mode", "float") != "rigorous":
        strict["case"]["mode"] = "rigorous"
        how.append("rigorous mode")
    params = strict.get("params", {})
    for p in claim.params:
        if p.name.endswith("_tol") and p.name in params and params[p.name] != p.default:
            params[p.name] = p.default
            how.append(f"{p.name} = {p.default:g}")
    if not how:
        return strict, None
    try:
        verdict = load_case_dict(strict, f"<{claim.id} re-verification>").verify()
    except InputError as exc:
        return strict, f"not confirmed: the strict document is not an instance ({exc})"
    if verdict.outcome == Outcome.VIOLATED:
        return strict, None
    return strict, f"not confirmed by re-verification ({', '.join(how)}): {verdict.outcome}"


#: examples per shard: a run of ``examples`` is split into ceil(examples / SHARD) hypothesis runs whose seeds
#: depend only on (seed, shard index), so the result does not depend on how many workers run the shards
SHARD = 25


def _shard_seed(seed: int, shard: int) -> int:
    if shard == 0:
        return seed                      # one shard: exactly the unsharded run of this seed
    digest = hashlib.sha256(f"flatproof-check/{seed}/{shard}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


@dataclass
class _ShardResult:
    counts: Counter
    rejected: int
    counterexample: dict | None
    unconfirmed: int = 0           # violations that re-verification did not confirm (counted inconclusive)
    why: str | None = None         # the reason of one of them


def _run_shard(claim_id: str, examples: int, seed: int, params: dict | None,
               progress: Callable[[int], None] | None = None) -> _ShardResult:
    """One hypothesis run: counts up to the first violation, which is shrunk."""
    result, counting = _ShardResult(Counter(), 0, None), [True]     # counting stops at the first violation
    claim = get_claim(claim_id, field="CLAIM")

    @hypothesis_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None, derandomize=False, verbosity=Verbosity.quiet,
              suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
              phases=[Phase.generate, Phase.shrink])
    @given(cases(claim_id, params=params))
    def prop(doc: dict) -> None:
        try:
            verdict = load_case_dict(doc, f"<{claim_id}>").verify()
        except InputError:
            if counting[0]:
                result.rejected += 1
            reject()
        outcome: Outcome = verdict.outcome
        strict = None
        if outcome == Outcome.VIOLATED:
            strict, why = reverify(claim, doc)
            if why is not None:                  # not a counterexample after all: never shrunk, never written
                outcome = Outcome.INCONCLUSIVE
                if counting[0]:
                    result.unconfirmed += 1
                    result.why = why
        if counting[0]:
            result.counts[outcome] += 1
            if progress is not None:
                progress(1)
        if outcome == Outcome.VIOLATED:
            counting[0] = False
            result.counterexample = strict
            raise _Violation()

    try:
        prop()
    except _Violation:
        pass
    return result


def _shard_task(task: _ShardTask) -> _ShardResult:
    from ._parallel import blas_threads
    claim_id, examples, seed, params, imports = task
    import importlib
    for mod in imports:
        importlib.import_module(mod)
    with blas_threads(1):
        return _run_shard(claim_id, examples, seed, params)


def check_claim(claim_id: str, *, examples: int = 100, seed: int = 0, out_dir: str | Path = "cases/found",
                params: dict | None = None, progress: Callable[[int], None] | None = None, write: bool = True,
                jobs: int = 1, dask: str | None = None, imports: tuple[str, ...] = ()) -> CheckReport:
    """Run ``examples`` generated instances of ``claim_id``; shrink and write the first violation.

    The examples are split into shards of :data:`SHARD` with seeds fixed by (``seed``, shard); ``jobs``
    processes (or the Dask scheduler at ``dask``) run them. Counts are summed over the shards up to and
    including the first shard with a violation, whose shrunk counterexample is the report's: the same
    for every ``jobs``. ``imports``: modules the workers import first (user claims)."""
    claim = get_claim(claim_id, field="CLAIM")
    if not has_strategy(claim_id):
        raise InputError(f"no instance strategy for {claim_id} (write one with flatproof.strategies)", field="CLAIM")
    rep = CheckReport(claim.id, claim.tag, claim.false_by_design, examples, seed)
    sizes = [min(SHARD, examples - lo) for lo in range(0, examples, SHARD)]
    tasks = [(claim.id, size, _shard_seed(seed, k), params, tuple(imports)) for k, size in enumerate(sizes)]
    t0 = time.perf_counter()
    results = _run_until_violation(tasks, jobs=jobs, dask=dask, progress=progress)
    _tally(rep, results)
    rep.seconds = time.perf_counter() - t0
    doc = results[-1].counterexample if results else None
    if doc is not None:
        rep.counterexample, rep.size = doc, _size(doc)
        if write:
            _write_counterexample(rep, claim, doc, Path(out_dir))
    return rep


_ShardTask = tuple[str, int, int, dict | None, tuple[str, ...]]   # claim id, examples, seed, params, imports


def _run_until_violation(tasks: list[_ShardTask], *, jobs: int, dask: str | None,
                         progress: Callable[[int], None] | None) -> list[_ShardResult]:
    """The shards' results in order, up to the first with a counterexample: in this process one after the other,
    else on ``jobs`` processes or the Dask scheduler at ``dask``. ``progress`` hears the examples done so far."""
    done = [0]

    def tick(k: int) -> None:
        done[0] += k
        if progress is not None:
            progress(done[0])
    if jobs <= 1 and dask is None:
        results: list[_ShardResult] = []
        for task in tasks:
            results.append(_run_shard(*task[:4], progress=tick))
            if results[-1].counterexample is not None:
                break
        return results
    from ._parallel import map_until
    return map_until(_shard_task, tasks, jobs=jobs, dask=dask, stop=lambda r: r.counterexample is not None,
                     on_result=lambda res: tick(sum(res.counts.values())))


def _tally(rep: CheckReport, results: list[_ShardResult]) -> None:
    """Sum the shards' counts into the report, with a note on the violations re-verification did not confirm."""
    for res in results:
        rep.counts.update(res.counts)
        rep.rejected += res.rejected
    unconfirmed = [r for r in results if r.unconfirmed]
    if unconfirmed:
        rep.unconfirmed = sum(r.unconfirmed for r in unconfirmed)
        rep.note = (f"{rep.unconfirmed} violation(s) counted inconclusive, e.g. {unconfirmed[0].why}"
                    + (f"; {rep.note}" if rep.note else ""))


def _write_counterexample(rep: CheckReport, claim: Claim, doc: dict, out: Path) -> None:
    """Write the shrunk counterexample as a case file in ``out`` with how it was found and how to run it, and
    verify the written file again."""
    claim_id, examples, seed = rep.claim, rep.examples, rep.seed
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{claim_id}-seed{seed}.toml"
    comment = (f"Counterexample to {claim_id} [{claim.tag}]"
               + (" (FALSE BY DESIGN)" if claim.false_by_design else "") +
               f", found by `flatproof check {_import_flag(claim)}{claim_id} --examples {examples} --seed {seed}`\n"
               f"and shrunk by hypothesis; size: {rep.size}.\n"
               f"Run: flatproof verify {_import_flag(claim)}{path}      (expected: violated, exit 1)")
    write_text_atomic(path, dumps(doc, comment))
    rep.path = str(path)
    rep.reproduced = load_case(path).verify().outcome == Outcome.VIOLATED
