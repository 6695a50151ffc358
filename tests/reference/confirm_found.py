"""Confirm the counterexamples ``flatproof check`` wrote, with the 50-digit reference.

    python3 tests/reference/confirm_found.py DIR [DIR ...]

For every ``*.toml`` in DIR: a counterexample to an [exact] claim is reported as such (there should be none);
one to a false-by-design claim is re-decided by the reference (``homogeneous.flat-by-rescaling``: F_sym against
ε, infimum attained or not; ``logistic.flat-implies-bayes``: λ_max against 2/η and err − Bayes against Δ by
mp quadrature split at every zero of f and of the target logit). Prints one line per file and exits 1 if
any written counterexample is not confirmed.

The target logit text is evaluated in mp by walking its syntax tree over the same whitelist flatproof accepts
(numbers, x, + − * / **, sin cos tan tanh sinh cosh exp log sqrt abs, pi, e); nothing is eval'd.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _mpref import Hom, Logit, Uni, flat_by_rescaling_verdict, flat_implies_bayes_verdict  # noqa: E402
from mpmath import mp  # noqa: E402

_F = {"sin": mp.sin, "cos": mp.cos, "tan": mp.tan, "tanh": mp.tanh, "sinh": mp.sinh, "cosh": mp.cosh,
      "exp": mp.exp, "log": mp.log, "sqrt": mp.sqrt, "abs": abs}
_C = {"pi": mp.pi, "e": mp.e}


def mp_logit(text: str) -> Logit:
    tree = ast.parse(text.strip(), mode="eval").body

    def ev(node, x):
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return mp.mpf(node.value)
        if isinstance(node, ast.Name):
            if node.id == "x":
                return x
            return _C[node.id]
        if isinstance(node, ast.UnaryOp):
            v = ev(node.operand, x)
            return -v if isinstance(node.op, ast.USub) else v
        if isinstance(node, ast.BinOp):
            a, b = ev(node.left, x), ev(node.right, x)
            return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                    ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}[type(node.op)]()
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1:
            return _F[node.func.id](ev(node.args[0], x))
        raise ValueError(f"not in the whitelist: {ast.dump(node)}")
    return Logit(text, lambda t: ev(tree, t), (), 0.05)     # period 0.05: a fine grid for zero finding


def confirm(path: Path) -> tuple[bool, str]:
    from flatproof.casefile import load_case
    case = load_case(path)
    claim = case.claim
    if claim.tag == "probe" or (claim.tag == "paper" and not claim.false_by_design):
        return True, f"{claim.tag_label()} claim {claim.id}: an observation, not a theorem (not re-decided)"
    if not claim.false_by_design:
        return False, f"counterexample to the {claim.tag_label()} claim {claim.id}"
    inst = case.instance
    if claim.id == "homogeneous.flat-by-rescaling":
        h = Hom.from_instance(inst)
        ref, info = flat_by_rescaling_verdict(h, case.params["epsilon"])
        # a float interpolator is exact only to rounding: accept residuals ≤ 1e-12·max(1, max|y|) whose part of the
        # trace (0 for ReLU; c⁻²-scaling for k ≥ 2) is ≤ 1e-9 of F_sym, and say so
        res = max(abs(r) for r in h.residuals())
        near = res <= mp.mpf(1e-12) * max([mp.mpf(1)] + [abs(t) for t in h.y])
        func = abs(mp.fsum(h.functional_traces()))
        if not (h.interpolates() or (near and func <= mp.mpf(1e-9) * info["F_sym"])):
            ref = "hypotheses-not-met (not an interpolator)"
        elif not h.interpolates():
            info["max_residual"] = res
        return ref == "violated", f"reference {ref}: " + ", ".join(f"{k} = {mp.nstr(v, 20) if isinstance(v, mp.mpf) else v}"
                                                               for k, v in info.items())
    if claim.id == "logistic.flat-implies-bayes":
        task = inst.task
        if task is None or task.law.kind != "uniform":
            return False, "no uniform law: not confirmed by this tool"
        logit = mp_logit(task.logit.text)
        lo, hi = task.law.params
        if (lo, hi) != (-1.0, 1.0):
            return False, "law other than U[-1, 1]: not confirmed by this tool"
        ref, info = flat_implies_bayes_verdict(Uni.from_instance(inst), case.params["eta"], logit, task.flip,
                                               case.params["excess"])
        return ref == "violated", f"reference {ref}: " + ", ".join(f"{k} = {mp.nstr(v, 20)}" for k, v in info.items())
    return False, f"no reference for {claim.id}"


def main(dirs) -> int:
    bad = 0
    for d in dirs:
        for p in sorted(Path(d).glob("*.toml")):
            ok, msg = confirm(p)
            bad += not ok
            print(f"{'ok' if ok else 'NOT CONFIRMED'}: {p}: {msg}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
