"""Process-level parallelism: BLAS thread limits and a deterministic sharded map over a process pool or a
Dask cluster.

Results never depend on the number of workers: work is split into shards whose contents and seeds are
fixed by the inputs alone, and the shards' results are combined in shard order.
"""

from __future__ import annotations

import contextlib
import os

#: environment variables that cap the BLAS/OpenMP thread pools of a freshly started process
_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextlib.contextmanager
def blas_threads(n: int = 1):
    """Hold the BLAS thread pools of this process to ``n`` threads inside the block (threadpoolctl when it is
    installed; otherwise nothing changes). Thin products (p × k blocks with k ≈ 10) are slower with several
    threads, markedly so on a loaded machine."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def _init_worker() -> None:
    for var in _BLAS_ENV:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1)
