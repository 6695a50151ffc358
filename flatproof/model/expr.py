"""Whitelisted univariate expressions for target logits and links, e.g. ``"3*sin(2*x)"``.

Text is parsed with :func:`ast.parse` (which only parses) and every node is checked against a
whitelist; nothing is ever passed to ``eval``, ``exec`` or ``sympify``. The result is a tree of
numpy operations in the single variable ``x``.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from .._errors import InputError

MAX_LENGTH = 500
MAX_DEPTH = 40

_FUNCS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "sin": np.sin, "cos": np.cos, "tan": np.tan, "tanh": np.tanh, "sinh": np.sinh, "cosh": np.cosh,
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "abs": np.abs, "sign": np.sign,
    "relu": lambda t: np.maximum(t, 0.0),
}
_CONSTS = {"pi": math.pi, "e": math.e}
_BINOPS = {ast.Add: np.add, ast.Sub: np.subtract, ast.Mult: np.multiply, ast.Div: np.divide, ast.Pow: np.power}
_UNARY = {ast.USub: np.negative, ast.UAdd: np.positive}


@dataclass(frozen=True)
class Expr:
    """A parsed expression in ``x``; call it on an array."""

    text: str
    _fn: Callable[[np.ndarray], np.ndarray]

    def __reduce__(self) -> tuple[Callable[[str], Expr], tuple[str]]:
        """Pickled as its text and parsed again on loading (closures do not pickle), so that instances and
        cases travel to worker processes (``--jobs``, ``--dask``); the text passed the whitelist once already."""
        return (parse_expression, (self.text,))

    def __call__(self, x: np.typing.ArrayLike) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            out = np.broadcast_to(self._fn(x), x.shape).astype(float)
        return out


def text_of(fn: object) -> str | None:
    """The source text of a function of x when it is a parsed :class:`Expr` (what a case file can hold), else None."""
    return fn.text if isinstance(fn, Expr) else None


def parse_expression(text: str, field: str = "expr") -> Expr:
    """Parse a whitelisted expression in ``x`` (numbers, + − * / **, sin cos tan tanh sinh cosh
    exp log sqrt abs sign relu, pi, e)."""
    if not isinstance(text, str):
        raise InputError(f"expected an expression string, got {type(text).__name__}", field=field)
    if len(text) > MAX_LENGTH:
        raise InputError(f"expression longer than {MAX_LENGTH} characters", field=field)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError(f"not a valid expression: {text!r}", field=field) from None
    return Expr(text, _compile(tree.body, field, 0))


def _compile(node: ast.AST, field: str, depth: int) -> Callable[[np.ndarray], np.ndarray]:
    if depth > MAX_DEPTH:
        raise InputError("expression nested too deeply", field=field)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        try:
            value = float(node.value)
        except OverflowError:
            raise InputError("a constant in the expression is beyond float64's range (±1.8e308)",
                             field=field) from None
        if not math.isfinite(value):
            raise InputError("non-finite constant in expression", field=field)
        return lambda x: np.full(x.shape, value)
    if isinstance(node, ast.Name):
        if node.id == "x":
            return lambda x: x
        if node.id in _CONSTS:
            c = _CONSTS[node.id]
            return lambda x: np.full(x.shape, c)
        raise InputError(f"unknown name {node.id!r} (only x, pi, e are allowed)", field=field)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        op = _BINOPS[type(node.op)]
        left, right = _compile(node.left, field, depth + 1), _compile(node.right, field, depth + 1)
        return lambda x: op(left(x), right(x))
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        uop = _UNARY[type(node.op)]
        arg = _compile(node.operand, field, depth + 1)
        return lambda x: uop(arg(x))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS:
        if len(node.args) != 1 or node.keywords:
            raise InputError(f"{node.func.id}() takes exactly one argument", field=field)
        fn = _FUNCS[node.func.id]
        arg = _compile(node.args[0], field, depth + 1)
        return lambda x: fn(arg(x))
    what = type(node).__name__
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else "?"
        raise InputError(f"function {name!r} is not allowed (allowed: {', '.join(sorted(_FUNCS))})", field=field)
    raise InputError(f"{what} is not allowed in an expression", field=field)


# ----------------------------------------------------------------------------------------------
# The same expressions on balls (rigorous mode): python-flint arb / acb
# ----------------------------------------------------------------------------------------------
def ball_function(expr: Expr, kind: str = "jet", field: str = "expr") -> Callable:
    """The whitelisted expression ``expr`` evaluated in ball arithmetic, walking the syntax tree that
    :func:`parse_expression` checked (``ast.parse`` of the same text; only its whitelisted nodes are
    accepted, nothing is evaluated by Python).

    ``kind = "jet"``: ``F(X) -> (g, g')`` for an ``arb`` ball X, enclosures of g(X) and of the derivative
    (Clarke's generalised derivative at the kinks of ``abs``/``relu``; a ball of ``sign`` that meets 0 gives
    an undefined derivative, since ``sign`` jumps there). Points where g is undefined give a non-finite ball.

    ``kind = "acb"``: ``F(z, analytic) -> g(z)`` for an ``acb`` ball z, the form ``acb.integral`` needs: with
    ``analytic`` true, a non-finite ball wherever the extension is not holomorphic (``abs``, ``sign``,
    ``relu``, ``sqrt``, ``log`` and non-integer powers are their piecewise-analytic real extensions).

    ``pi`` and ``e`` are the real constants; numeric literals are the binary numbers Python parsed."""
    if kind not in ("jet", "acb"):
        raise ValueError(f"kind must be 'jet' or 'acb', got {kind!r}")
    if not isinstance(expr, Expr):
        raise InputError("a ball evaluation needs a parsed expression (parse_expression)", field=field)
    tree = ast.parse(expr.text.strip(), mode="eval")
    return _ball_compile(tree.body, _JET if kind == "jet" else _ACB, field, 0)


def _int_exponent(node: ast.AST) -> int | None:
    """k if ``node`` is an integer-valued numeric literal (possibly negated), else None."""
    sign = 1
    if isinstance(node, ast.UnaryOp) and type(node.op) in (ast.USub, ast.UAdd):
        sign = -1 if isinstance(node.op, ast.USub) else 1
        node = node.operand
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        v = node.value
        if isinstance(v, int) or (math.isfinite(v) and float(v).is_integer() and abs(v) <= 2 ** 31):
            return sign * int(v)
    return None


def _ball_compile(node: ast.AST, B: Any, field: str, depth: int) -> Callable[[Any, bool], Any]:
    if depth > MAX_DEPTH:
        raise InputError("expression nested too deeply", field=field)
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        c = B.const(node.value)
        return lambda x, an: c
    if isinstance(node, ast.Name):
        if node.id == "x":
            return B.var
        if node.id in _CONSTS:
            c = B.named(node.id)
            return lambda x, an: c
    elif isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _ball_compile(node.left, B, field, depth + 1)
        if isinstance(node.op, ast.Pow) and _int_exponent(node.right) is not None:
            k = _int_exponent(node.right)
            return lambda x, an: B.ipow(left(x, an), k)
        right = _ball_compile(node.right, B, field, depth + 1)
        op = B.binops[type(node.op)]
        return lambda x, an: op(left(x, an), right(x, an), an)
    elif isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        arg = _ball_compile(node.operand, B, field, depth + 1)
        if isinstance(node.op, ast.USub):
            return lambda x, an: B.neg(arg(x, an))
        return arg
    elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _FUNCS
          and len(node.args) == 1 and not node.keywords):
        fn = B.funcs[node.func.id]
        arg = _ball_compile(node.args[0], B, field, depth + 1)
        return lambda x, an: fn(arg(x, an), an)
    raise InputError(f"{type(node).__name__} is not allowed in an expression", field=field)


class _JetOps:
    """(value, derivative) pairs of arb balls: forward-mode differentiation on intervals."""

    def __init__(self) -> None:
        from flint import arb
        self.arb = arb
        one, zero = arb(1), arb(0)
        self.binops = {ast.Add: lambda u, v, an: (u[0] + v[0], u[1] + v[1]),
                       ast.Sub: lambda u, v, an: (u[0] - v[0], u[1] - v[1]),
                       ast.Mult: lambda u, v, an: (u[0] * v[0], u[1] * v[0] + u[0] * v[1]),
                       ast.Div: lambda u, v, an: (u[0] / v[0], (u[1] * v[0] - u[0] * v[1]) / (v[0] * v[0])),
                       ast.Pow: self._pow}

        def heaviside(t: Any) -> Any:           # enclosure of 1{t > 0} (and of the Clarke derivative of relu at 0)
            return one if t > 0 else zero if t < 0 else arb(0.5, 0.5)

        def sgn(t: Any) -> Any:
            return one if t > 0 else -one if t < 0 else zero if t == 0 else arb(0, 1)

        def sign(u: Any, an: bool) -> Any:
            s = sgn(u[0])
            return (s, zero if (u[0] > 0 or u[0] < 0 or u[0] == 0) else arb.nan())

        self.funcs = {
            "sin": lambda u, an: (u[0].sin(), u[0].cos() * u[1]),
            "cos": lambda u, an: (u[0].cos(), -u[0].sin() * u[1]),
            "tan": lambda u, an: (u[0].tan(), u[1] / (u[0].cos() ** 2)),
            "tanh": lambda u, an: (u[0].tanh(), u[1] * u[0].sech() ** 2),
            "sinh": lambda u, an: (u[0].sinh(), u[0].cosh() * u[1]),
            "cosh": lambda u, an: (u[0].cosh(), u[0].sinh() * u[1]),
            "exp": lambda u, an: (u[0].exp(), u[0].exp() * u[1]),
            "log": lambda u, an: (u[0].log() if u[0] > 0 else arb.nan(), u[1] / u[0]),
            "sqrt": lambda u, an: (u[0].sqrt(), u[1] / (2 * u[0].sqrt())),
            "abs": lambda u, an: (abs(u[0]), sgn(u[0]) * u[1]),
            "sign": sign,
            "relu": lambda u, an: (u[0].max(zero), heaviside(u[0]) * u[1]),
        }
        self.one, self.zero = one, zero

    def const(self, value: float) -> Any:
        return (self.arb(value), self.zero)

    def named(self, name: str) -> Any:
        return (self.arb.pi() if name == "pi" else self.arb(1).exp(), self.zero)

    def var(self, x: Any, an: bool = False) -> Any:
        return (x, self.one)

    def neg(self, u: Any) -> Any:
        return (-u[0], -u[1])

    def ipow(self, u: Any, k: int) -> Any:
        if k == 0:
            return (self.one, self.zero)
        return (u[0] ** k, k * u[0] ** (k - 1) * u[1])

    def _pow(self, u: Any, v: Any, an: bool) -> Any:
        """u^v = exp(v log u), defined for u > 0 only (numpy gives nan for a negative base)."""
        if not u[0] > 0:
            return (self.arb.nan(), self.arb.nan())
        lu = u[0].log()
        val = (v[0] * lu).exp()
        return (val, val * (v[1] * lu + v[0] * u[1] / u[0]))


class _AcbOps:
    """acb balls with the ``analytic`` flag of ``acb.integral``."""

    def __init__(self) -> None:
        from flint import acb, arb
        self.acb, self.arb = acb, arb
        self.binops = {ast.Add: lambda u, v, an: u + v, ast.Sub: lambda u, v, an: u - v,
                       ast.Mult: lambda u, v, an: u * v, ast.Div: lambda u, v, an: u / v,
                       ast.Pow: lambda u, v, an: (v * u.log(analytic=an)).exp()}
        zero = acb(0)
        self.funcs = {
            "sin": lambda u, an: u.sin(), "cos": lambda u, an: u.cos(), "tan": lambda u, an: u.tan(),
            "tanh": lambda u, an: u.tanh(), "sinh": lambda u, an: u.sinh(), "cosh": lambda u, an: u.cosh(),
            "exp": lambda u, an: u.exp(), "log": lambda u, an: u.log(analytic=an),
            "sqrt": lambda u, an: u.real_sqrt(analytic=an), "abs": lambda u, an: u.real_abs(analytic=an),
            "sign": lambda u, an: u.real_sgn(analytic=an), "relu": lambda u, an: u.real_max(zero, analytic=an),
        }

    def const(self, value: float) -> Any:
        return self.acb(self.arb(value))

    def named(self, name: str) -> Any:
        return self.acb(self.arb.pi() if name == "pi" else self.arb(1).exp())

    def var(self, x: Any, an: bool = False) -> Any:
        return x

    def neg(self, u: Any) -> Any:
        return -u

    def ipow(self, u: Any, k: int) -> Any:
        return u ** k if k >= 0 else 1 / u ** (-k)


class _LazyOps:
    """Build the backend on first use, so importing this module does not import python-flint."""

    def __init__(self, cls: type) -> None:
        self._cls, self._ops = cls, None

    def __getattr__(self, name: str) -> Any:
        if self._ops is None:
            self._ops = self._cls()
        return getattr(self._ops, name)


_JET = _LazyOps(_JetOps)
_ACB = _LazyOps(_AcbOps)
