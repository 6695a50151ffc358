"""What every command of the command line shares: exit statuses, the one-line error handlers, the resource-limit
options and ``--import`` of user modules."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import NoReturn, TypeVar

import click

from .. import _budget, _interrupt
from .._errors import InputError

EXIT_OK, EXIT_VIOLATED, EXIT_BAD_INPUT, EXIT_INCONCLUSIVE = 0, 1, 2, 3
DEBUG = {"on": False}      # set by the group's --debug; read when an unexpected error is reported

F = TypeVar("F", bound=Callable[..., object])


def bad_input(exc: object) -> NoReturn:
    """One line on stderr and exit 2."""
    click.echo(f"flatproof: error: {exc}", err=True)
    sys.exit(EXIT_BAD_INPUT)


def where(exc: BaseException) -> str:
    """file:line of the innermost frame of the traceback, and whether it is outside flatproof."""
    import traceback
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return ""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))      # the flatproof package
    user = [f for f in frames if not os.path.abspath(f.filename).startswith(here + os.sep)]
    f = user[-1] if user else frames[-1]
    return f"{f.filename}:{f.lineno}" + ("" if user else " (inside flatproof)")


def unexpected(exc: BaseException, context: str) -> str:
    """One line for an exception flatproof did not expect: where it happened (in a user's claim or in
    flatproof itself); ``--debug`` prints the traceback first."""
    if DEBUG["on"]:
        import traceback
        traceback.print_exception(exc, file=sys.stderr)
    at = where(exc)
    kind = "internal error (please report; --debug shows the traceback)" if at.endswith("(inside flatproof)") \
        else "error in user code (--debug shows the traceback)"
    return f"flatproof: {kind}: {context}: {type(exc).__name__} at {at}: {exc}"


def limit_options(fn: F) -> F:
    """--max-memory / --max-work: the resource limits every case is checked against before work."""
    fn = click.option("--max-work", "max_work", default=None, metavar="OPS",
                      help="Refuse a case whose estimated work exceeds OPS elementary operations "
                           f"(default {_budget.DEFAULT_MAX_WORK:.0e}, about ten minutes).")(fn)
    return click.option("--max-memory", "max_memory", default=None, metavar="SIZE",
                        help="Refuse a case whose estimated memory exceeds SIZE (e.g. 4G, 512MiB; default: "
                             "half of the memory available).")(fn)


def apply_limits(max_memory: str | None, max_work: str | None) -> None:
    _budget.set_limits(None if max_memory is None else _budget.parse_bytes(max_memory),
                       None if max_work is None else _budget.parse_work(max_work))


def import_option(help: str) -> Callable[[F], F]:
    """--import MODULE (repeatable): user modules that register claims."""
    return click.option("--import", "imports", multiple=True, metavar="MODULE", help=help)


IMPORT_HELP = "Import MODULE (module on the current folder, or a .py file) first (user claims)."


def import_modules(modules: Iterable[str]) -> None:
    """Import the modules named by --import (they register user claims): a module name, found on the
    current folder first, or the path of a ``.py`` file. Any failure is one InputError saying where."""
    import importlib
    import importlib.util
    from pathlib import Path
    for mod in modules:
        field = f"--import {mod}"
        try:
            if mod.endswith(".py") or os.sep in mod or "/" in mod:
                p = Path(mod)
                if not p.is_file():
                    raise InputError("no such .py file", field=field)
                name = "flatproof_user_" + "".join(ch if ch.isalnum() else "_" for ch in p.stem)
                spec = importlib.util.spec_from_file_location(name, p)
                if spec is None or spec.loader is None:
                    raise InputError("not an importable .py file", field=field)
                module = importlib.util.module_from_spec(spec)
                sys.modules[name] = module
                spec.loader.exec_module(module)
            else:
                if not mod.replace(".", "").replace("_", "").isalnum():
                    raise InputError("expected a module name (a.b.c) or a path to a .py file", field=field)
                if os.getcwd() not in sys.path and "" not in sys.path:
                    sys.path.insert(0, os.getcwd())
                importlib.import_module(mod)
        except InputError:
            raise
        except SyntaxError as exc:
            raise InputError(f"syntax error at {exc.filename}:{exc.lineno}: {exc.msg}", field=field) from None
        except ImportError as exc:
            raise InputError(f"cannot import ({exc})", field=field) from None
        except Exception as exc:
            if DEBUG["on"] or _interrupt.cause(exc) is not None:
                raise
            raise InputError(f"{type(exc).__name__} at {where(exc)}: {exc} (--debug shows the traceback)",
                             field=field) from None
