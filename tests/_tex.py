"""Compiling LaTeX in tests: skip with the install hint when TeX is missing, unless FLATPROOF_REQUIRE_TEX=1
(set by .ci/run), in which case a missing TeX is a failure; and read overfull boxes from the log."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

INSTALL_HINT = "apt-get install texlive-latex-base texlive-latex-recommended latexmk"
OVERFULL_LIMIT_PT = 3.0


def require_pdflatex() -> str:
    """The path of pdflatex; skip (or, under FLATPROOF_REQUIRE_TEX=1, fail) when it is not installed."""
    tool = shutil.which("pdflatex")
    if tool is None:
        msg = f"pdflatex not found (install: {INSTALL_HINT}); FLATPROOF_REQUIRE_TEX=1 makes this a failure"
        if os.environ.get("FLATPROOF_REQUIRE_TEX") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    return tool


def compile_tex(tex: Path) -> str:
    """Compile ``tex`` in its folder with pdflatex (it must succeed); return the log."""
    res = subprocess.run([require_pdflatex(), "-interaction=nonstopmode", "-halt-on-error", tex.name], cwd=tex.parent,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stdout[-3000:]
    return tex.with_suffix(".log").read_text(encoding="latin-1")


def overfull(log: str, limit_pt: float = OVERFULL_LIMIT_PT) -> list[str]:
    """The 'Overfull \\hbox (… too wide)' warnings of a pdflatex log above ``limit_pt``."""
    return [m.group(0) for m in re.finditer(r"Overfull \\hbox \(([0-9.]+)pt too wide\)[^\n]*", log)
            if float(m.group(1)) > limit_pt]
