"""The math pages that ship with flatproof (``flatproof/math/*.md``), read through importlib.resources.

Every formula in the code cites a section of these pages ("flatproof math U.4"); ``flatproof list ID``
prints the section (or, for a claim, the sections it cites). ``docs/math/`` shows the same files.
"""

from __future__ import annotations

import re
from importlib import resources

from ._errors import InputError

PAGES = {"U": "univariate.md", "M": "homogeneous.md"}
_HEADING = re.compile(r"^## ([UM]\.\d+) ", re.MULTILINE)


def page_text(letter: str) -> str:
    """The whole page of setting ``U`` or ``M``."""
    return resources.files("flatproof").joinpath("math", PAGES[letter]).read_text(encoding="utf-8")


def sections() -> dict[str, str]:
    """Section id (``"U.4"``) → its text, from its ``## U.4`` heading up to the next ``## `` heading."""
    out: dict[str, str] = {}
    for letter in PAGES:
        text = page_text(letter)
        starts = [m.start() for m in re.finditer(r"^## ", text, re.MULTILINE)] + [len(text)]
        for m in _HEADING.finditer(text):
            end = next(s for s in starts if s > m.start())
            out[m.group(1)] = text[m.start():end].rstrip() + "\n"
    return out


def section_ids(spec: str) -> list[str]:
    """The section ids a claim's ``section`` names: ``"U.4"`` → [U.4]; ``"U.3-U.4"`` → [U.3, U.4]."""
    m = re.fullmatch(r"([UM])\.(\d+)(?:\s*[-–]\s*(?:[UM]\.)?(\d+))?", spec.strip())
    if m is None:
        raise InputError(f"not a flatproof math section: {spec!r}", field="section")
    lo = int(m.group(2))
    hi = int(m.group(3)) if m.group(3) else lo
    return [f"{m.group(1)}.{i}" for i in range(lo, hi + 1)]


def section(spec: str) -> str:
    """The text of the section(s) ``spec`` names (e.g. ``"M.3"`` or ``"U.3-U.4"``); InputError if absent."""
    known = sections()
    ids = section_ids(spec)
    missing = [s for s in ids if s not in known]
    if missing:
        raise InputError(f"no section {missing[0]} in flatproof math (known: {', '.join(known)})", field="ID")
    return "\n".join(known[s] for s in ids)


def claim_entry(claim_id: str) -> str | None:
    """The ``#### claim_id`` entry of the math pages (up to the next heading), or None if there is none."""
    for letter in PAGES:
        text = page_text(letter)
        m = re.search(rf"^#### {re.escape(claim_id)}( .*)?$", text, re.MULTILINE)
        if m:
            nxt = re.compile(r"^#{1,4} ", re.MULTILINE).search(text, m.end())
            return text[m.start():nxt.start() if nxt else len(text)].rstrip() + "\n"
    return None
