"""Whitelisted univariate expressions for target logits and links, e.g. ``"3*sin(2*x)"``.

Text is parsed with :func:`ast.parse` (which only parses) and every node is checked against a
whitelist; nothing is ever passed to ``eval``, ``exec`` or ``sympify``. The result is a tree of
numpy operations in the single variable ``x``.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Callable

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

    def __call__(self, x) -> np.ndarray:
        x = np.asarray(x, dtype=float)
        with np.errstate(all="ignore"):
            out = np.broadcast_to(self._fn(x), x.shape).astype(float)
        return out


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
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
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
        op = _UNARY[type(node.op)]
        arg = _compile(node.operand, field, depth + 1)
        return lambda x: op(arg(x))
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
