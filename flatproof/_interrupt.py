"""Interrupts of the command line: Ctrl-C ends with exit 130 and SIGTERM with 143, each with one line.

:func:`install` is called by the command line before its heavy imports. A signal raises
:class:`KeyboardInterrupt` (SIGINT) or :class:`Terminated` (SIGTERM) in the main thread, so that
``finally`` blocks remove temporary files and folders, and ``main`` prints one line. If the main
thread is stuck in compiled code (an LP solver, a long BLAS call) and does not run the handler
within :data:`GRACE` seconds, a watchdog thread woken by the signal's wakeup file descriptor prints
the line and ends the process with the same status; when the handler did run, the main thread is
cleaning up and gets :data:`CLEANUP_GRACE` seconds more first.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from types import FrameType
from typing import NoReturn

GRACE = 3.0
#: once the main thread has run the handler it is cleaning up (finally blocks, stopping a worker pool): the
#: watchdog gives it this much longer before it ends the process itself
CLEANUP_GRACE = 30.0
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143


class Terminated(BaseException):
    """SIGTERM, raised in the main thread (a BaseException, like KeyboardInterrupt)."""


_lock = threading.Lock()
_state = {"reported": False, "installed": False, "running": False, "handled": False, "pending": 0}


def report(signum: int) -> int:
    """Print the one line (once) and return the exit status for ``signum``."""
    with _lock:
        if not _state["reported"]:
            _state["reported"] = True
            what = "interrupted" if signum == signal.SIGINT else "terminated"
            try:
                sys.stderr.write(f"flatproof: {what}\n")
                sys.stderr.flush()
            except (OSError, ValueError):
                pass
    return EXIT_INTERRUPTED if signum == signal.SIGINT else EXIT_TERMINATED


def cause(exc: BaseException) -> int | None:
    """The signal behind ``exc``, if an interrupt is anywhere in its chain: Python wraps an exception raised
    while a class is created (``__set_name__``, e.g. while a library is imported) in a RuntimeError, so a
    Ctrl-C at that moment arrives as an ordinary exception with the KeyboardInterrupt as its cause."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        if isinstance(e, KeyboardInterrupt):
            return signal.SIGINT
        if isinstance(e, Terminated):
            return signal.SIGTERM
        e = e.__cause__ or e.__context__
    return None


def exit_after(signum: int) -> NoReturn:
    """End the process after an interrupt: the one line, the exit functions, flushed streams, then the status.

    Not ``sys.exit``: CPython notes a KeyboardInterrupt that escapes some of its internal evaluation entry
    points and, at the very end of finalisation under ``python -m``, kills itself with SIGINT even though the
    interrupt was caught, so the caller saw "killed by signal 2" instead of 130 (about one time in two with
    Ctrl-C 0.6–0.75 s into ``python -m flatproof check``; never since this function ends the process)."""
    import atexit
    code = report(signum)
    try:
        atexit._run_exitfuncs()
    except BaseException:  # noqa: BLE001 -- already ending: a failing exit function must not change the status
        pass
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _handler(signum: int, frame: FrameType | None) -> None:
    if not _state["running"]:      # still importing: nothing to clean up, and no traceback to show
        os._exit(report(signum))
    _state["handled"] = True        # the main thread is not stuck: it unwinds and cleans up from here
    _state["pending"] = signum      # kept: the exception below can be swallowed (see raise_pending)
    _raise(signum)


def _raise(signum: int) -> NoReturn:
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Terminated


def raise_pending() -> None:
    """Raise the interrupt again if the handler has seen one. Python runs a signal handler between any two
    bytecodes of the main thread, also inside a weakref callback or ``__del__``, where an exception is printed as
    "Exception ignored" and dropped: a Ctrl-C that landed there was lost and the sweep ran on to exit 0 (CI,
    under load). Loops that run for long (the shards of ``check`` and ``reproduce``) call this between tasks."""
    if _state["pending"]:
        _raise(int(_state["pending"]))


def _watch(fd: int) -> None:
    while True:
        try:
            data = os.read(fd, 64)
        except OSError:
            return
        if not data:
            return
        time.sleep(GRACE)
        if _state["handled"]:
            # the handler ran, so the main thread is unwinding: ending the process now would skip the removal of
            # temporary folders while, e.g., a worker pool is still being stopped (seen under load)
            time.sleep(CLEANUP_GRACE)
        # still alive: the main thread did not run the handler (stuck in compiled code), or something
        # swallowed the exception, or clean-up hangs
        os._exit(report(data[-1]))


def running() -> None:
    """From now on a signal raises in the main thread (so that clean-up runs) instead of ending the
    process at once, as it does during start-up."""
    _state["running"] = True


def install() -> None:
    """Install the handlers (main thread only; idempotent). Until :func:`running`, a signal ends the
    process at once with its line and status."""
    if _state["installed"] or threading.current_thread() is not threading.main_thread():
        return
    _state["installed"] = True
    signal.signal(signal.SIGINT, _handler)
    signal.signal(signal.SIGTERM, _handler)
    try:
        r, w = os.pipe()
        os.set_blocking(w, False)
        signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    except (OSError, ValueError):
        return
    threading.Thread(target=_watch, args=(r,), name="flatproof-interrupt", daemon=True).start()
