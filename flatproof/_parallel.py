"""Process-level parallelism: BLAS thread limits and a deterministic sharded map over a process pool or a
Dask cluster.

Results never depend on the number of workers: work is split into shards whose contents and seeds are
fixed by the inputs alone, and the shards' results are combined in shard order.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from . import _interrupt

#: environment variables that cap the BLAS/OpenMP thread pools of a freshly started process
_BLAS_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")


@contextlib.contextmanager
def blas_threads(n: int = 1) -> Iterator[None]:
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
    # the parent handles Ctrl-C and SIGTERM (it stops the pool): a worker neither raises KeyboardInterrupt
    # between tasks nor writes to the parent's signal wake-up pipe (which it inherited by fork)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    with contextlib.suppress(ValueError, OSError):
        signal.set_wakeup_fd(-1)
    for var in _BLAS_ENV:
        os.environ[var] = "1"
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return
    threadpool_limits(limits=1)


def map_until(fn: Callable[[Any], Any], tasks: Iterable[Any], *, jobs: int = 1, dask: str | None = None,
              stop: Callable[[Any], bool] | None = None, on_result: Callable[[Any], None] | None = None) -> list:
    """[fn(t) for t in tasks] in order, run by ``jobs`` worker processes (BLAS at one thread each) or by the
    Dask distributed scheduler at address ``dask``, truncated after the first result r with ``stop(r)``:
    the returned list is the same whatever the number of workers (tasks after that one may have run; their
    results are dropped, and tasks not yet started are cancelled). ``fn`` and the tasks must be picklable."""
    tasks = list(tasks)
    if dask is not None:
        return _map_dask(fn, tasks, dask, stop, on_result)
    if jobs <= 1:
        out = []
        for t in tasks:
            _interrupt.raise_pending()
            out.append(fn(t))
            if on_result is not None:
                on_result(out[-1])
            if stop is not None and stop(out[-1]):
                break
        _interrupt.raise_pending()
        return out
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    results: dict[int, object] = {}
    first_stop = len(tasks)
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else None
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_init_worker)
    try:
        futures = {pool.submit(fn, t): k for k, t in enumerate(tasks)}
        pending = set(futures)
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            _interrupt.raise_pending()
            for fut in done:
                k = futures[fut]
                if fut.cancelled():
                    continue
                results[k] = fut.result()
                if on_result is not None:
                    on_result(results[k])
                if stop is not None and stop(results[k]) and k < first_stop:
                    first_stop = k
                    for other, j in futures.items():
                        if j > k:
                            other.cancel()
            pending = {f for f in pending if not f.cancelled() and futures[f] < first_stop}
    except BaseException:            # Ctrl-C, SIGTERM, a failed task: stop the workers now, do not wait for them
        _abandon(pool)
        raise
    pool.shutdown(wait=True)
    _interrupt.raise_pending()
    return [results[k] for k in range(min(first_stop + 1, len(tasks)))]


#: seconds to wait for a killed worker, and then for the pool's manager thread, to be gone (a bound, rarely reached)
KILL_WAIT = 30.0


def _abandon(pool: Any) -> None:
    """End a process pool at once: queued tasks are cancelled and running workers terminated (their partial
    results are never used), so an interrupt does not wait for the longest task."""
    procs = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)      # shutdown() forgets it
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.terminate()
    for proc in procs:
        with contextlib.suppress(Exception):
            proc.join(2)
    # a worker forked a moment ago may not have run _init_worker yet and still carry the parent's Python SIGTERM
    # handler, which catches the terminate: SIGKILL cannot be caught
    for proc in procs:
        with contextlib.suppress(Exception):
            if proc.is_alive():
                proc.kill()
    for proc in procs:       # SIGKILL cannot be caught, but under load the exit itself can take seconds
        with contextlib.suppress(Exception):
            proc.join(KILL_WAIT)
    # the pool's manager thread reaps the same workers: until it ends, a Process whose pid it reaped first can
    # still report is_alive() (its waitpid gets ECHILD), so a caller could see a dead worker as running
    if manager is not None:
        manager.join(KILL_WAIT)


def _map_dask(fn: Callable[[Any], Any], tasks: list, address: str, stop: Callable[[Any], bool] | None,
              on_result: Callable[[Any], None] | None) -> list:
    try:
        from distributed import Client
    except ImportError:
        from ._errors import InputError
        raise InputError("--dask needs dask.distributed (pip install 'flatproof[dask]')", field="--dask") from None
    try:
        client = Client(address, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as exc:
        from ._errors import InputError
        raise InputError(f"cannot reach a Dask scheduler at {address!r} ({exc})", field="--dask") from None
    try:
        futures = client.map(fn, tasks, pure=False)
        out = []
        for k, fut in enumerate(futures):
            out.append(fut.result())
            if on_result is not None:
                on_result(out[-1])
            if stop is not None and stop(out[-1]):
                client.cancel(futures[k + 1:])
                break
        return out
    finally:
        client.close()
