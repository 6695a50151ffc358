"""The ``flatproof`` command line: the click group and :func:`main`; one module per command.

Exit status: 0 success (``verify``: every case holds), 1 some case violated, 3 some case
inconclusive or with hypotheses not met (and none violated), 2 bad input (a one-line message on
stderr naming the file, the field and the reason; no output file is written), 130 interrupted
(Ctrl-C), 143 terminated (SIGTERM).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from .. import _interrupt

if os.path.basename(sys.argv[0]) in ("flatproof", "__main__.py"):   # the command line: before heavy imports
    _interrupt.install()

import click  # noqa: E402

from .._errors import InputError  # noqa: E402
from .._version import __version__  # noqa: E402
from . import cases, check, derive, export, measure, report, reproduce, schema, verify  # noqa: E402
from . import list as list_  # noqa: E402
from ._common import DEBUG, EXIT_BAD_INPUT, unexpected  # noqa: E402

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="flatproof")
@click.option("--debug", is_flag=True, help="Print the traceback of an unexpected error (a bug, or in your claim).")
def cli(debug: bool) -> None:
    """flatproof: verify theorems about flatness in two-layer networks (see docs/)."""
    DEBUG["on"] = debug


for _command in (measure.measure, verify.verify, schema.schema, list_.list_claims, check.check,
                 reproduce.reproduce, report.report, cases.cases, derive.derive, export.export):
    cli.add_command(_command)


def main(argv: Sequence[str] | None = None) -> None:  # entry point
    """Run the command line: every ending is an exit status and at most one line on stderr."""
    import signal
    _interrupt.install()
    _interrupt.running()
    try:
        code = cli.main(args=argv, prog_name="flatproof", standalone_mode=False)
        _interrupt.raise_pending()       # an interrupt some library swallowed still ends the run as one
    except (KeyboardInterrupt, click.exceptions.Abort):
        _interrupt.exit_after(signal.SIGINT)
    except _interrupt.Terminated:
        _interrupt.exit_after(signal.SIGTERM)
    except click.exceptions.ClickException as exc:     # usage errors: one line, exit 2
        ctx = getattr(exc, "ctx", None)
        where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
        click.echo(f"flatproof: error: {exc.format_message()}{where}", err=True)
        code = exc.exit_code
    except InputError as exc:
        click.echo(f"flatproof: error: {exc}", err=True)
        code = EXIT_BAD_INPUT
    except BrokenPipeError:
        code = 0
    except Exception as exc:   # never a traceback (unless --debug)
        signum = _interrupt.cause(exc)
        if signum is not None:     # an interrupt wrapped in another exception (e.g. while a class is created)
            _interrupt.exit_after(signum)
        click.echo(unexpected(exc, "flatproof"), err=True)
        code = EXIT_BAD_INPUT
    sys.exit(code if isinstance(code, int) else 0)
