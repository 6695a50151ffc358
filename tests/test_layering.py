"""The package's layers only import downwards, and claims are leaves (issue 16).

Layers, lowest first: base (vocabularies, errors, validation, files, LaTeX typesetting, arithmetic contexts) →
model → derivations → measures → claims → instances (builders, the Instance, network formats) → front ends
(case files, check, report, reproduce, derive, cli, plugin). A module may import
its own layer and the layers below it; a claim module imports no other claim module (shared pieces live
in ``claims/_core.py``, ``claims/_verdict.py``, ``claims/_common.py`` or the measures). Imports are read from the source (AST),
including those inside functions, so a lazy import cannot hide an upward dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parent.parent / "flatproof"

LAYERS = ["base", "model", "derivations", "measures", "claims", "instances", "front"]
# the first matching prefix wins; everything not listed is a front end
PREFIXES = [
    ("flatproof.__main__", "front"),
    ("flatproof.vocab", "base"), ("flatproof.arith", "base"), ("flatproof._", "base"),
    ("flatproof.model", "model"),
    ("flatproof.derivations", "derivations"),
    ("flatproof.measures", "measures"),
    ("flatproof.claims", "claims"),
    ("flatproof.instances", "instances"), ("flatproof.io", "instances"),
]


def layer(mod: str) -> str:
    if mod == "flatproof":
        return "front"
    for prefix, name in PREFIXES:
        if mod == prefix or mod.startswith(prefix + ".") or (prefix.endswith("_") and mod.startswith(prefix)):
            return name
    return "front"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path):
    """(line, imported module) for every flatproof import in the file, relative ones resolved."""
    mod = module_name(path)
    here = mod.split(".") if path.name == "__init__.py" else mod.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[:len(here) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("flatproof"):
                continue
            if node.module is None:          # from . import a, b: each name may be a submodule
                for a in node.names:
                    yield node.lineno, f"{target}.{a.name}"
            else:
                yield node.lineno, target
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("flatproof"):
                    yield node.lineno, a.name


FILES = sorted(PKG.rglob("*.py"))


def claim_modules() -> set[str]:
    """Modules under flatproof/claims/ that define claims (not the core, the shared helpers, or packages)."""
    return {module_name(p) for p in (PKG / "claims").rglob("*.py")
            if not p.name.startswith("_") and p.name != "__init__.py"}


def test_the_layer_map_covers_a_real_tree():
    assert len(FILES) > 40
    assert {layer(module_name(p)) for p in FILES} == set(LAYERS)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(PKG)))
def test_imports_only_go_down(path):
    mod = module_name(path)
    mine = LAYERS.index(layer(mod))
    upward = [f"line {line}: {target} ({layer(target)})" for line, target in imports(path)
              if LAYERS.index(layer(target)) > mine]
    assert not upward, f"{mod} ({layer(mod)}) imports a higher layer: " + "; ".join(upward)


@pytest.mark.parametrize("path", sorted((PKG / "claims").rglob("*.py")), ids=lambda p: str(p.relative_to(PKG)))
def test_claims_are_leaves(path):
    mod = module_name(path)
    claims = claim_modules()
    if mod not in claims:
        return
    others = [f"line {line}: {t}" for line, t in imports(path)
              if any(t == c or t.startswith(c + ".") for c in claims - {mod})]
    assert not others, f"claim module {mod} imports another claim module: " + "; ".join(others)


def test_one_claim_per_module():
    import flatproof.claims as fc
    by_module: dict[str, list[str]] = {}
    for claim in fc.all_claims():
        by_module.setdefault(type(claim).__module__, []).append(claim.id)
    shipped = {m: ids for m, ids in by_module.items() if m.startswith("flatproof.")}
    assert shipped and all(len(ids) == 1 for ids in shipped.values()), shipped
