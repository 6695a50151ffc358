"""Arithmetic contexts: a formula is written once against a context and run in float64, in vectorised intervals
or in arb balls (after mpmath's ``ctx`` design: the context supplies the arithmetic, the formula the algebra).

A context's *elements* are arrays whose ``+``, ``−``, ``×`` and ``/ n`` (n a positive count) are that context's
arithmetic; the context supplies what operators cannot say:

* ``exact(x)``: float64 data taken as exact numbers; ``zeros(n)``;
* reductions along axis 0: ``sum``, ``cumsum`` (prefix or suffix sums), ``take`` (gather rows), ``where``
  (row select), ``concat``, ``deposit`` (out[k] = Σ_{i: idx_i = k} x_i);
* ``square``; the transcendental step of the logistic loss, ``logistic_derivatives(z) = (ℓ'(z), ℓ''(z))``
  with ℓ(z) = log(1 + e^{−z});
* ``sign(x)``: +1 / −1 where the sign is certain, 0 where it is undecided (the kink test);
* ``lower(x)``, ``upper(x)``: float64 bounds (in the float context, the estimate itself);
* ``guard(value, magnitude, direct)``: what to do where a difference of sums cancels. The float context
  recomputes those entries directly (``direct(i)``) — the float behaviour of the fast oracle; the rigorous
  contexts carry the cancellation in their radii and return ``value`` unchanged.

Three contexts: :class:`FloatContext` (numpy float64, the fast path: elements are plain arrays, every method a
numpy call), :class:`IntervalContext` (:class:`~flatproof.arith.intervals.Iv`, midpoint-radius with rigorous
rounding bounds; the logistic step per point on arb balls) and :class:`BallContext` (numpy object arrays of
python-flint ``arb``; for small problems and as the reference). ``rigorous`` says whether bounds are certified.
python-flint is imported on first use only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, ClassVar, Protocol

import numpy as np

from ..vocab import Mode
from .intervals import Iv, concatenate
from .logistic import logistic_d1, logistic_d2

#: a per-neuron cancellation test: more than this factor between the terms and their sum is repaired (float only)
CANCELLATION = 16.0


# ---- arb helpers: outward rounding to floats, the logistic function on balls ------------------------------------
def down(x: Any) -> float:
    """A float ≤ every point of the ball x."""
    from flint import arb
    lo = x.lower()
    f = float(lo)
    if not (arb(f) <= lo):
        f = math.nextafter(f, -math.inf)
    return f


def up(x: Any) -> float:
    """A float ≥ every point of the ball x."""
    from flint import arb
    hi = x.upper()
    f = float(hi)
    if not (arb(f) >= hi):
        f = math.nextafter(f, math.inf)
    return f


def _sigmoid_form(z: Any) -> Any:
    """s(z) = 1/(1 + e^{−z}), or e^{z}/(1 + e^{z}) when z is certainly negative (then e^{z} ≤ 1 is a small ball)."""
    if z < 0:
        e = z.exp()
        return e / (1 + e)
    return 1 / (1 + (-z).exp())


def ball_sigmoid(z: Any) -> Any:
    """s(z) on an arb ball (no overflow: arb exponents are unbounded). A wide ball far from 0 or about 0 makes
    e^{∓z} a ball about 0 of enormous radius (z = −5·10¹⁹ ± 2·10⁴: radius 10^(2·10¹⁹)), so 1 + e^{∓z} contains 0
    and the quotient is NaN; s is increasing, so then s(z) ⊂ hull(s(lower end), s(upper end)), each end a narrow
    ball (a margin of 10¹⁹ had made φ'' NaN and the certified Hessian unusable)."""
    s = _sigmoid_form(z)
    if s.is_finite():
        return s
    return _sigmoid_form(z.lower()).union(_sigmoid_form(z.upper()))


def _ball_logistic_derivatives(z: Any) -> tuple[Any, Any]:
    """(ℓ'(z), ℓ''(z)) = (−s(−z), s(z) s(−z)) on one ball."""
    s_neg = ball_sigmoid(-z)
    return -s_neg, ball_sigmoid(z) * s_neg


# ---- the protocol ---------------------------------------------------------------------------------------------
class Context(Protocol):
    """The arithmetic a formula is written against (see the module docstring)."""

    name: ClassVar[str]
    rigorous: ClassVar[bool]

    def exact(self, x: Any) -> Any: ...
    def zeros(self, shape: int | tuple[int, ...]) -> Any: ...
    def sum(self, x: Any) -> Any: ...
    def cumsum(self, x: Any, reverse: bool = False) -> Any: ...
    def take(self, x: Any, idx: np.ndarray) -> Any: ...
    def where(self, mask: np.ndarray, a: Any, b: Any) -> Any: ...
    def concat(self, parts: Sequence[Any]) -> Any: ...
    def deposit(self, idx: np.ndarray, x: Any, length: int) -> Any: ...
    def square(self, x: Any) -> Any: ...
    def logistic_derivatives(self, z: Any) -> tuple[Any, Any]: ...
    def sign(self, x: Any) -> np.ndarray: ...
    def lower(self, x: Any) -> np.ndarray: ...
    def upper(self, x: Any) -> np.ndarray: ...
    def guard(self, value: Any, magnitude: Callable[[], Any], direct: Callable[[int], float]) -> tuple[Any, int]: ...


# ---- float64 ---------------------------------------------------------------------------------------------------
class FloatContext:
    """numpy float64: elements are arrays of shape (k,) or blocks (k, r); reductions act on axis 0."""

    name: ClassVar[str] = "float"
    rigorous: ClassVar[bool] = False

    def exact(self, x: Any) -> Any:
        return np.asarray(x, dtype=float)

    def zeros(self, shape: int | tuple[int, ...]) -> np.ndarray:
        return np.zeros(shape)

    def sum(self, x: np.ndarray) -> Any:
        return np.sum(x, axis=0)

    def cumsum(self, x: np.ndarray, reverse: bool = False) -> np.ndarray:
        return x[::-1].cumsum(axis=0)[::-1] if reverse else x.cumsum(axis=0)

    def take(self, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return x[idx]

    def where(self, mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(mask if a.ndim == 1 else mask[:, None], a, b)

    def concat(self, parts: Sequence[Any]) -> np.ndarray:
        """Rows stacked; a part of one dimension less (a sum over the rows) is one row."""
        nd = parts[0].ndim
        return np.concatenate([p if p.ndim == nd else p[None] for p in parts])

    def deposit(self, idx: np.ndarray, x: np.ndarray, length: int) -> np.ndarray:
        if x.ndim == 1:
            return np.bincount(idx, weights=x, minlength=length)
        out = np.zeros((length,) + x.shape[1:])
        np.add.at(out, idx, x)
        return out

    def square(self, x: np.ndarray) -> np.ndarray:
        return x * x

    def logistic_derivatives(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return logistic_d1(z), logistic_d2(z)

    def sign(self, x: np.ndarray) -> np.ndarray:
        return np.sign(x).astype(np.int8)

    def lower(self, x: Any) -> np.ndarray:
        return np.asarray(x, dtype=float)

    upper = lower

    def guard(self, value: np.ndarray, magnitude: Callable[[], np.ndarray],
              direct: Callable[[int], float]) -> tuple[np.ndarray, int]:
        """Per-neuron sums read off prefix sums as a difference of terms lose about log10(magnitude/|value|)
        digits; where more than ``CANCELLATION`` is lost the entry is recomputed by ``direct(i)``. Returns
        (the repaired values, how many were repaired)."""
        with np.errstate(invalid="ignore", over="ignore"):
            bad = np.flatnonzero(~(magnitude() <= CANCELLATION * np.abs(value)))
        if bad.size == 0:
            return value, 0
        out = value.copy()
        for i in bad:
            out[i] = direct(int(i))
        return out, int(bad.size)


# ---- vectorised intervals --------------------------------------------------------------------------------------
class IntervalContext:
    """Midpoint-radius intervals on numpy arrays (:class:`Iv`), 1-D; the logistic step per point on arb balls."""

    name: ClassVar[str] = "interval"
    rigorous: ClassVar[bool] = True

    def exact(self, x: Any) -> Iv:
        return Iv(x)

    def zeros(self, shape: int | tuple[int, ...]) -> Iv:
        return Iv(np.zeros(shape))

    def sum(self, x: Iv) -> Iv:
        return x.sum()

    def cumsum(self, x: Iv, reverse: bool = False) -> Iv:
        return x.cumsum(reverse=reverse)

    def take(self, x: Iv, idx: np.ndarray) -> Iv:
        return x[idx]

    def where(self, mask: np.ndarray, a: Iv, b: Iv) -> Iv:
        return Iv(np.where(mask, a.mid, b.mid), np.where(mask, a.rad, b.rad))

    def concat(self, parts: Sequence[Any]) -> Iv:
        ivs = [p if isinstance(p, Iv) else Iv(p) for p in parts]
        return concatenate([Iv(np.atleast_1d(p.mid), np.atleast_1d(p.rad)) for p in ivs])

    def deposit(self, idx: np.ndarray, x: Iv, length: int) -> Iv:
        return x.bincount(idx, length)

    def square(self, x: Iv) -> Iv:
        return x.square()

    def logistic_derivatives(self, z: Iv) -> tuple[Iv, Iv]:
        from flint import arb
        k = z.mid.size
        g_lo, g_hi, d_lo, d_hi = (np.empty(k) for _ in range(4))
        for j in range(k):
            g, d = _ball_logistic_derivatives(arb(float(z.mid[j]), float(z.rad[j])))
            g_lo[j], g_hi[j] = down(g), up(g)
            d_lo[j], d_hi[j] = down(d), up(d)
        return Iv.from_bounds(g_lo, g_hi), Iv.from_bounds(np.maximum(d_lo, 0.0), d_hi)

    def sign(self, x: Iv) -> np.ndarray:
        return np.where(x.lo > 0, 1, np.where(x.hi < 0, -1, 0)).astype(np.int8)

    def lower(self, x: Iv) -> np.ndarray:
        return x.lo

    def upper(self, x: Iv) -> np.ndarray:
        return x.hi

    def guard(self, value: Iv, magnitude: Callable[[], Any], direct: Callable[[int], float]) -> tuple[Iv, int]:
        return value, 0


# ---- arb balls -------------------------------------------------------------------------------------------------
class BallContext:
    """numpy object arrays of python-flint ``arb`` balls (at python-flint's working precision ``flint.ctx.prec``),
    1-D. Every operation is one arb operation per entry: for small problems, and as the reference."""

    name: ClassVar[str] = "ball"
    rigorous: ClassVar[bool] = True

    def exact(self, x: Any) -> Any:
        from flint import arb
        a = np.asarray(x, dtype=float)
        if a.ndim == 0:
            return arb(float(a))
        out = np.empty(a.shape, dtype=object)
        out[...] = [arb(float(t)) for t in a.reshape(-1)] if a.ndim == 1 else [
            [arb(float(t)) for t in row] for row in a]
        return out

    def zeros(self, shape: int | tuple[int, ...]) -> np.ndarray:
        from flint import arb
        out = np.empty(shape, dtype=object)
        out[...] = arb(0)
        return out

    def sum(self, x: np.ndarray) -> Any:
        from flint import arb
        return sum(x.tolist(), arb(0))

    def cumsum(self, x: np.ndarray, reverse: bool = False) -> np.ndarray:
        if x.size == 0:
            return x.copy()
        return np.cumsum(x[::-1], axis=0)[::-1] if reverse else np.cumsum(x, axis=0)

    def take(self, x: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return x[idx]

    def where(self, mask: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(mask, a, b)

    def concat(self, parts: Sequence[Any]) -> np.ndarray:
        arrays = []
        for p in parts:
            if isinstance(p, np.ndarray) and p.dtype == object:
                arrays.append(p.reshape(-1))
            else:
                q = np.empty(1, dtype=object)
                q[0] = p
                arrays.append(q)
        return np.concatenate(arrays)

    def deposit(self, idx: np.ndarray, x: np.ndarray, length: int) -> np.ndarray:
        out = self.zeros(length)
        np.add.at(out, idx, x)
        return out

    def square(self, x: np.ndarray) -> np.ndarray:
        return np.array([t.sqr() if hasattr(t, "sqr") else t * t for t in x.tolist()], dtype=object).reshape(
            x.shape)

    def logistic_derivatives(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pairs = [_ball_logistic_derivatives(t) for t in z.tolist()]
        g, d = np.empty(len(pairs), dtype=object), np.empty(len(pairs), dtype=object)
        g[...] = [p[0] for p in pairs]
        d[...] = [p[1] for p in pairs]
        return g, d

    def sign(self, x: np.ndarray) -> np.ndarray:
        return np.array([1 if t > 0 else -1 if t < 0 else 0 for t in np.asarray(x).reshape(-1).tolist()],
                        dtype=np.int8).reshape(np.shape(x))

    def lower(self, x: Any) -> np.ndarray:
        return np.array([down(t) for t in np.asarray(x, dtype=object).reshape(-1).tolist()]).reshape(np.shape(x))

    def upper(self, x: Any) -> np.ndarray:
        return np.array([up(t) for t in np.asarray(x, dtype=object).reshape(-1).tolist()]).reshape(np.shape(x))

    def guard(self, value: np.ndarray, magnitude: Callable[[], Any],
              direct: Callable[[int], float]) -> tuple[np.ndarray, int]:
        return value, 0


FLOAT = FloatContext()
INTERVAL = IntervalContext()
BALL = BallContext()


def for_mode(mode: Mode | str) -> Context:
    """The context a check in ``mode`` computes in: float64 estimates, or (rigorous) vectorised intervals, whose
    O(n + m) cost scales; arb balls are for small dense problems and scalar steps and are asked for by name."""
    contexts: dict[Mode, Context] = {Mode.FLOAT: FLOAT, Mode.RIGOROUS: INTERVAL}
    return contexts[Mode(mode)]
