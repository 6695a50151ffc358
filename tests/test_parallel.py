"""`check --jobs N` / `--dask`: shards fixed by (seed, shard index), so the counts and the first counterexample
do not depend on the number of workers."""

import os

import pytest

import flatproof as fp
from flatproof._parallel import map_until
from flatproof.check import SHARD, check_claim

FALSE = [c.id for c in fp.all_claims() if c.false_by_design]


def _square(x):
    return x * x


def test_map_until_is_ordered_and_truncated_whatever_the_workers():
    tasks = list(range(12))
    for jobs in (1, 2, 3):
        assert map_until(_square, tasks, jobs=jobs) == [t * t for t in tasks]
        assert map_until(_square, tasks, jobs=jobs, stop=lambda r: r >= 25) == [0, 1, 4, 9, 16, 25]


def test_counts_do_not_depend_on_jobs(tmp_path):
    runs = [check_claim("univariate.hessian-structure", examples=2 * SHARD + 5, seed=3, out_dir=tmp_path, jobs=j)
            for j in (1, 2)]
    assert runs[0].counts == runs[1].counts and runs[0].rejected == runs[1].rejected
    assert runs[0].tried == 2 * SHARD + 5                      # every shard ran to its max_examples


def test_first_counterexample_does_not_depend_on_jobs(tmp_path):
    claim = FALSE[0]
    one = check_claim(claim, examples=3 * SHARD, seed=1, out_dir=tmp_path / "1", jobs=1)
    two = check_claim(claim, examples=3 * SHARD, seed=1, out_dir=tmp_path / "2", jobs=2)
    assert one.counts["violated"] == 1
    assert one.counts == two.counts and one.counterexample == two.counterexample and two.reproduced


def test_dask_local_cluster_gives_the_same_result(tmp_path):
    """A 2-worker LocalCluster. CI installs the dask extra and sets FLATPROOF_REQUIRE_DASK=1, so there a missing
    `distributed` is a failure, not a silent skip."""
    if os.environ.get("FLATPROOF_REQUIRE_DASK"):
        import distributed
    else:
        distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster:
        rep = check_claim("univariate.hessian-structure", examples=SHARD + 5, seed=3, out_dir=tmp_path,
                          dask=cluster.scheduler_address)
    ref = check_claim("univariate.hessian-structure", examples=SHARD + 5, seed=3, out_dir=tmp_path, jobs=1)
    assert rep.counts == ref.counts and rep.rejected == ref.rejected


def test_verify_jobs_gives_the_same_records_in_order():
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from flatproof.cli import cli
    cases = Path(__file__).resolve().parent.parent / "cases"
    files = [str(cases / f) for f in ("univariate-hessian-structure.toml", "measure-kink.toml",
                                      "univariate-rescaling.toml", "false-flat-by-rescaling.toml")]
    outs = [CliRunner().invoke(cli, ["verify", "--json", "--jobs", str(j), *files]) for j in (1, 2)]
    assert outs[0].exit_code == outs[1].exit_code == 2            # measure-kink.toml is not a claim case
    recs = [[json.loads(line) for line in o.stdout.splitlines() if line.startswith("{")] for o in outs]
    assert [r["case"] for r in recs[0]] == [files[0], files[2], files[3]]
    assert [(r["case"], r["outcome"]) for r in recs[0]] == [(r["case"], r["outcome"]) for r in recs[1]]
    assert outs[0].stderr == outs[1].stderr and "measure-kink.toml" in outs[1].stderr


def _slow_after_first(task):
    import time
    folder, t = task
    if t > 0:
        time.sleep(20)
    (folder / f"done-{t}").touch()
    return t


def test_interrupt_stops_the_workers_at_once(tmp_path):
    """Ctrl-C in the parent (here: raised while it handles the first result) ends the pool without waiting for
    the running tasks (none of them finishes), no worker process outlives map_until, and the interrupt
    propagates."""
    import multiprocessing

    def interrupt(_r):
        raise KeyboardInterrupt
    before = set(multiprocessing.active_children())
    with pytest.raises(KeyboardInterrupt):
        map_until(_slow_after_first, [(tmp_path, t) for t in range(4)], jobs=2, on_result=interrupt)
    assert not [p for p in multiprocessing.active_children() if p not in before and p.is_alive()]
    assert sorted(f.name for f in tmp_path.iterdir()) == ["done-0"]


def test_workers_ignore_sigint_and_hold_blas_to_one_thread():
    """A worker leaves Ctrl-C to the parent (which stops the pool) and starts with BLAS at one thread."""
    assert map_until(_worker_state, [0, 1], jobs=2) == [("ignored", "1")] * 2


def _worker_state(_t):
    import os
    import signal
    return ("ignored" if signal.getsignal(signal.SIGINT) is signal.SIG_IGN else "not ignored",
            os.environ.get("OPENBLAS_NUM_THREADS"))


SWALLOWED = """
import os, signal, sys
from flatproof import _interrupt
from flatproof._parallel import map_until

_interrupt.install()
_interrupt.running()


class Bomb:
    def __del__(self):                       # the handler runs in here and its exception is "ignored"
        os.kill(os.getpid(), signal.SIGINT)
        for _ in range(10_000):
            pass


def task(k):
    return k


def on_result(r):                            # runs in the main process, whatever the number of workers
    if r == 1:
        Bomb()


try:
    out = map_until(task, range(6), jobs=int(sys.argv[1]), on_result=on_result)
    print("completed", out)
except KeyboardInterrupt:
    print("interrupted")
"""


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_interrupt_swallowed_by_a_finaliser_still_stops_the_run(tmp_path, jobs):
    """A Ctrl-C whose KeyboardInterrupt is raised inside __del__ (or a weakref callback) is dropped by Python
    ("Exception ignored"); the run must still stop at the next task instead of completing (CI saw a parallel
    sweep finish with exit 0 after Ctrl-C)."""
    import subprocess
    import sys
    from pathlib import Path
    script = tmp_path / "swallow.py"
    script.write_text(SWALLOWED)
    root = Path(__file__).resolve().parents[1]
    run = subprocess.run([sys.executable, str(script), str(jobs)], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(root)})
    assert "Exception ignored" in run.stderr              # the finaliser did swallow it
    assert run.stdout.strip() == "interrupted", run.stdout + run.stderr
