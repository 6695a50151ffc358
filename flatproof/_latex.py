"""Compiling a LaTeX document to PDF (``flatproof derive --pdf``, ``flatproof report --pdf``)."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from ._errors import FlatproofError, InputError
from ._files import copy_file_atomic

INSTALL_HINT = "Debian: apt-get install texlive-latex-base texlive-latex-recommended latexmk"


def compile_pdf(text: str, pdf, *, name: str = "document") -> None:
    """Compile ``text`` with latexmk (or pdflatex, run twice) in a temporary folder and copy the PDF to ``pdf``.
    InputError when neither is installed; FlatproofError with TeX's error lines when compiling fails."""
    tool = shutil.which("latexmk") or shutil.which("pdflatex")
    if tool is None:
        raise InputError(f"--pdf needs latexmk or pdflatex, and neither is on PATH ({INSTALL_HINT}); "
                         "use --latex FILE to get the .tex", field="--pdf")
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"{name}.tex").write_text(text, encoding="ascii")
        latexmk = Path(tool).name == "latexmk"
        cmd = [tool, *(["-pdf"] if latexmk else []), "-interaction=nonstopmode", "-halt-on-error", f"{name}.tex"]
        for _ in range(1 if latexmk else 2):           # pdflatex twice: references settle
            res = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=600)
            if res.returncode != 0:
                tail = " | ".join(line for line in res.stdout.splitlines() if line.startswith("!"))[:300]
                raise FlatproofError(f"{Path(tool).name} failed: {tail}")
        copy_file_atomic(Path(tmp) / f"{name}.pdf", pdf)      # atomic: never a half-written PDF
