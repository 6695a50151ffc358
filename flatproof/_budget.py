"""Resource limits: what a case may cost in memory and work, estimated from its declared sizes before
any array is allocated.

One estimator for every front end. A case's sizes (data points n, dimension d, width m, dictionary
size, Monte Carlo samples, check grid, GD steps, the shape in an ``.npz`` header) are mapped to an
estimate of the bytes it allocates and of its work (elementary floating-point operations, counted
the same rough way everywhere); whatever exceeds the limit is refused with an :class:`InputError`
that names the field and the estimate, so nothing large is ever allocated on the way to a refusal.

Defaults: half of the memory the system reports as available (``MemAvailable``) and
:data:`DEFAULT_MAX_WORK` operations (about ten minutes of one core at numpy speed). The front ends
change them with ``--max-memory`` and ``--max-work``; code calls :func:`set_limits` or uses
:func:`limits_scope`.

Loops whose length a case cannot declare (adaptive quadrature, solvers) draw on a :class:`Meter`:
when its work bound is reached it raises :class:`WorkBoundReached`, which a claim reports as
``inconclusive`` (no verdict), never as a decision.
"""

from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ._errors import FlatproofError, InputError

DEFAULT_MAX_WORK = 1e12          # elementary operations: about ten minutes of one core
MEMORY_SHARE = 0.5               # of the memory the system reports as available
FALLBACK_MEMORY = 4 * 2**30      # when the system does not say
PASSES = 400                     # evaluations of the network a verification makes (Lanczos, trace, checks)
SORTED_ARRAYS = 128              # float64 arrays of length n + m an O(n + m) path holds (data, knots, Krylov basis)
SORTED_OPS = 16                  # operations per element and per level of a sort / prefix sum on the O(n + m) path
ARB_BALL = 96                    # bytes of one python-flint arb ball (struct and Python object)
ARB_OP = 2000                    # one arb operation driven from Python (a ball product, a logistic step)
ARB_MATMUL_OP = 100              # one ball multiply-add inside python-flint's arb_mat product (in C)
STEP_OVERHEAD = 2e6              # a step of an iterative method in Python (≈ 1 ms) in operations
QUAD_EVALUATIONS = 200_000       # integrand evaluations one population integral may use


class WorkBoundReached(FlatproofError):
    """A loop reached its work bound; the quantity it was computing is unknown (``inconclusive``)."""


@dataclass(frozen=True)
class Limits:
    max_memory: int       # bytes
    max_work: float       # elementary operations


def available_memory() -> int:
    """Bytes this process can still allocate: the least of the system's ``MemAvailable``, the room
    left under an address-space limit (``RLIMIT_AS``, less what is mapped now) and the room left in
    the cgroup's ``memory.max``."""
    room = [_meminfo("/proc/meminfo", "MemAvailable:")]
    try:
        import resource
        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            mapped = _meminfo("/proc/self/status", "VmSize:") or 0
            room.append(max(soft - mapped, 0))
    except (ImportError, OSError, ValueError):
        pass
    try:
        with open("/sys/fs/cgroup/memory.max", encoding="ascii") as fh:
            cap = fh.read().strip()
        if cap.isdigit():
            with open("/sys/fs/cgroup/memory.current", encoding="ascii") as fh:
                room.append(max(int(cap) - int(fh.read().strip()), 0))
    except (OSError, ValueError):
        pass
    known = [r for r in room if r is not None]
    return min(known) if known else FALLBACK_MEMORY


def _meminfo(path: str, key: str) -> int | None:
    """A ``key: N kB`` line of a /proc file, in bytes (None if absent)."""
    try:
        with open(path, encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def default_limits() -> Limits:
    return Limits(int(available_memory() * MEMORY_SHARE), DEFAULT_MAX_WORK)


_LIMITS: Limits | None = None


def limits() -> Limits:
    return _LIMITS if _LIMITS is not None else default_limits()


def set_limits(max_memory: int | None = None, max_work: float | None = None) -> Limits:
    """Set the limits (``None`` keeps the default); returns the limits now in force."""
    global _LIMITS
    d = default_limits()
    _LIMITS = Limits(d.max_memory if max_memory is None else int(max_memory),
                     d.max_work if max_work is None else float(max_work))
    return _LIMITS


@contextlib.contextmanager
def limits_scope(max_memory: int | None = None, max_work: float | None = None) -> Iterator[Limits]:
    global _LIMITS
    old = _LIMITS
    try:
        yield set_limits(max_memory, max_work)
    finally:
        _LIMITS = old


_UNITS = {"": 1, "B": 1, "K": 2**10, "KB": 10**3, "KIB": 2**10, "M": 2**20, "MB": 10**6, "MIB": 2**20,
          "G": 2**30, "GB": 10**9, "GIB": 2**30, "T": 2**40, "TB": 10**12, "TIB": 2**40}


def parse_bytes(text: str, field: str = "--max-memory") -> int:
    """``"4G"``, ``"512MiB"``, ``"1e9"`` → bytes (binary units for K/M/G/T and KiB…, decimal for KB…)."""
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*([A-Za-z]*)\s*", str(text))
    unit = m.group(2).upper() if m else None
    if m is None or unit not in _UNITS:
        raise InputError(f"expected a size such as 4G, 512MiB or 1e9, got {text!r}", field=field)
    value = float(m.group(1)) * _UNITS[unit]
    if not (math.isfinite(value) and value >= 1):
        raise InputError(f"must be a positive size, got {text!r}", field=field)
    return int(value)


def parse_work(text: str, field: str = "--max-work") -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise InputError(f"expected a number of operations such as 1e11, got {text!r}", field=field) from None
    if not (math.isfinite(value) and value >= 1):
        raise InputError(f"must be a positive number of operations, got {text!r}", field=field)
    return value


def show_bytes(b: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if b >= size:
            return f"{b / size:.3g} {unit}"
    return f"{b:.0f} B"


def require(field: str | None, *, memory: float = 0.0, work: float = 0.0, what: str = "this case") -> None:
    """Refuse (an InputError naming ``field``) if the estimate exceeds the limits in force."""
    lim = limits()
    if memory > lim.max_memory:
        raise InputError(f"{what} needs about {show_bytes(memory)} of memory, more than the limit "
                         f"{show_bytes(lim.max_memory)} (raise it with --max-memory)", field=field)
    if work > lim.max_work:
        raise InputError(f"{what} needs about {work:.2g} operations, more than the limit {lim.max_work:.2g} "
                         f"(raise it with --max-work)", field=field)


# ----------------------------------------------------------------------------------------------
# The cost model: one place that says what a size costs
# ----------------------------------------------------------------------------------------------
def evaluation(n: int, m: int, d: int = 1) -> tuple[float, float]:
    """(bytes, operations) of one evaluation of the network and its derivatives on n points: the
    n × m pre-activations (and a few arrays of that shape), the n × d inputs and the m × d weights."""
    n, m, d = int(n), int(m), int(d)
    return 8.0 * (6 * n * m + n * d + 2 * m * d), float(n) * m * d * 4


def sorted_evaluation(n: int, m: int) -> tuple[float, float]:
    """(bytes, operations) of one evaluation on the O(n + m) path of the univariate network: data and knots
    sorted once, every sum over (point, neuron) pairs a prefix sum — no n × m array. Memory counts
    :data:`SORTED_ARRAYS` arrays of length n + m (among them a Krylov basis of vectors of length 3m + 1)."""
    k = int(n) + int(m)
    return 8.0 * SORTED_ARRAYS * k, float(SORTED_OPS) * k * max(math.log2(max(k, 2)), 1.0)


def arb_balls(count: int, operations: float = 1.0) -> tuple[float, float]:
    """(bytes, operations) of ``count`` arb balls held at once, each touched ``operations`` times."""
    return float(ARB_BALL) * int(count), float(ARB_OP) * int(count) * float(operations)


@dataclass(frozen=True)
class Cost:
    """What a verification allocates (bytes held at once) and its work (operations in total); the sum of two
    costs holds both at once."""

    memory: float
    work: float

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.memory + other.memory, self.work + other.work)


def dense_verification(n: int, m: int, d: int = 1) -> Cost:
    """The default: a verification that evaluates n × m arrays :data:`PASSES` times (what a claim that does not
    declare its own path is assumed to do)."""
    mem, ops = evaluation(n, m, d)
    return Cost(mem, ops * PASSES)


def sorted_verification(n: int, m: int) -> Cost:
    """A verification on the O(n + m) path: :data:`PASSES` sorted evaluations, never an n × m array."""
    mem, ops = sorted_evaluation(n, m)
    return Cost(mem, ops * PASSES)


def network(field: str, n: int, m: int, d: int = 1, *, what: str, cost: Cost | None = None) -> None:
    """Refuse a network of width m on n points in dimension d whose verification does not fit: ``cost`` is what
    the verification's path allocates (default: the dense path, :func:`dense_verification`)."""
    c = dense_verification(n, m, d) if cost is None else cost
    require(field, memory=c.memory, work=c.work, what=what)


def array(field: str | None, shape: tuple[int, ...], itemsize: int = 8, *, what: str | None = None) -> None:
    """Refuse an array of this shape (e.g. from an ``.npz`` header) that does not fit in memory."""
    count = math.prod(int(s) for s in shape)
    require(field, memory=float(count) * max(int(itemsize), 8),
            what=what or f"an array of shape {tuple(int(s) for s in shape)}")


def claim_params(params: dict, m: int, d: int) -> None:
    """Claim parameters that are sizes: Monte Carlo ``samples`` and the check ``grid``."""
    if isinstance(params.get("samples"), int):
        k = params["samples"]
        require("params.samples", memory=8.0 * 3 * k * (m + d), work=4.0 * k * m * d,
                what=f"{k:,} Monte Carlo samples through a network of width {m:,}")
    if isinstance(params.get("grid"), int):
        k = params["grid"]
        require("params.grid", memory=8.0 * 6 * k * m, work=40.0 * k * m,
                what=f"a grid of {k:,} points through a network of width {m:,}")


def steps(field: str, steps: int, n: int, m: int, d: int = 1, *, record_every: int = 0, what: str) -> None:
    """Refuse an iterative method (GD) of ``steps`` steps, each one evaluation plus the interpreter's
    overhead of a step, and a λ_max (``PASSES`` evaluations) every ``record_every`` steps."""
    _, ops = evaluation(n, m, d)
    records = (steps // record_every + 1) if record_every else 0
    require(field, work=float(steps) * (2 * ops + STEP_OVERHEAD) + records * ops * PASSES, what=what)


# ----------------------------------------------------------------------------------------------
# Work bounds of loops whose length is not declared
# ----------------------------------------------------------------------------------------------
class Meter:
    """Counts work against a bound; ``charge`` raises :class:`WorkBoundReached` past it."""

    def __init__(self, bound: float, what: str) -> None:
        self.bound, self.what, self.used = float(bound), what, 0.0

    def charge(self, units: float = 1.0) -> None:
        self.used += units
        if self.used > self.bound:
            raise WorkBoundReached(f"{self.what}: work bound of {self.bound:.3g} reached; result unknown")


def quadrature_meter(what: str = "population integral", cost: float = 1.0) -> Meter:
    """A meter for one adaptive integral whose integrand costs ``cost`` operations per evaluation:
    at most :data:`QUAD_EVALUATIONS` evaluations and at most the work limit."""
    return Meter(min(QUAD_EVALUATIONS, limits().max_work / max(cost, 1.0)), what)

