"""The command line split into one module per command keeps its surface: ``--help`` of the group and of every
command is the text recorded from the single-module cli before the split (tests/golden/cli-help.txt), and the
entry points (console script target, ``python -m flatproof``) still run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from flatproof.cli import cli, main

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "cli-help.txt"


def _blocks() -> dict[str, str]:
    """'$ flatproof ARGS --help' → the help text recorded for it."""
    out: dict[str, str] = {}
    for block in GOLDEN.read_text(encoding="utf-8").split("$ flatproof ")[1:]:
        head, _, body = block.partition("\n")
        out[head] = body
    return out


def test_golden_names_every_command_and_nothing_else() -> None:
    heads = set(_blocks())
    assert heads == {"--help"} | {f"{name} --help" for name in cli.commands}
    assert len(heads) == 11     # the group and its ten commands: cases check derive export list measure report
    #                             reproduce schema verify


def test_help_text_is_unchanged() -> None:
    for head, expected in _blocks().items():
        res = CliRunner().invoke(cli, head.split(), prog_name="flatproof", terminal_width=100)
        assert res.exit_code == 0, (head, res.output)
        assert res.output.rstrip("\n") == expected.rstrip("\n"), head


def test_console_script_target_and_module_entry_point() -> None:
    import tomllib
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["flatproof"]
    module, _, attr = target.partition(":")
    assert getattr(__import__(module, fromlist=[attr]), attr) is main
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for args in (["-m", "flatproof", "list", "--help"], ["-m", "flatproof.cli", "list", "--help"]):
        res = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, timeout=120)
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith("Usage: flatproof list [OPTIONS] [CLAIM_ID]"), res.stdout
