"""`flatproof verify` on bad input: one line naming file, field and reason; exit 2; no report written."""

import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from flatproof.cli import cli

CASES = Path(__file__).resolve().parent.parent / "cases"

GOOD = """
[case]
claim = "univariate.eta-flat"
[params]
eta = 1.0
[data]
generator = "logistic"
n = 20
seed = 1
logit = "2*x"
[model]
kind = "univariate"
construction = "random"
width = 4
seed = 2
"""


def verify(tmp_path, text, *extra, name="case.toml"):
    p = tmp_path / name
    p.write_text(text)
    res = CliRunner().invoke(cli, ["verify", str(p), *map(str, extra)])
    return res.exit_code, res.output, p


def test_the_template_is_good(tmp_path):
    code, out, _ = verify(tmp_path, GOOD)
    assert code in (0, 3), out


@pytest.mark.parametrize("old,new,field,reason", [
    ('claim = "univariate.eta-flat"', 'claim = "univariate.eta-flatt"', "case.claim", "unknown claim"),
    ('claim = "univariate.eta-flat"', 'claim = 3', "case.claim", "expected a claim id string"),
    ("[params]\neta = 1.0", "[params]\neta = -1.0", "params.eta", "must be >"),
    ("[params]\neta = 1.0", "[params]\neta = \"fast\"", "params.eta", "expected a number"),
    ("[params]\neta = 1.0", "[params]\neta = nan", "params.eta", "must be finite"),
    ("[params]\neta = 1.0", "[params]\nstep = 1.0", "params.step", "unknown parameter"),
    ("n = 20", "n = -5", "data.n", "must be >= 1"),
    ("n = 20", "n = 2e3", "data.n", "expected an integer"),
    ("seed = 1", "seed = 1.5", "data.seed", "expected an integer"),
    ("seed = 1", 'seed = "one"', "data.seed", "expected an integer"),
    ("width = 4", "width = -4", "model.width", "must be >= 1"),
    ("width = 4", "width = 0", "model.width", "must be >= 1"),
    ('logit = "2*x"', "logit = \"__import__('os').system('touch PWNED')\"", "data.logit", "not allowed"),
    ('logit = "2*x"', 'logit = "x.__class__"', "data.logit", "not allowed"),
    ('logit = "2*x"', 'logit = "exec(x)"', "data.logit", "not allowed"),
    ('logit = "2*x"', 'logit = "2*y"', "data.logit", "unknown name"),
    ('logit = "2*x"', 'logit = "2*x"\ncolour = "red"', "data.colour", "unknown field"),
    ('kind = "univariate"', 'kind = "trivariate"', "model.kind", "unknown model kind"),
    ('kind = "univariate"', 'kind = "homogeneous"', "model.kind", "claim about the univariate model"),
    ('construction = "random"', 'construction = "magic"', "model.construction", "must be one of"),
    ("[case]", "[case]\nmode = \"exact\"", "case.mode", "must be one of"),
    ("[params]", "[tolerances]\nkink = -1\n[params]", "tolerances.kink", "must be positive"),
    ("[case]", "[extra]\nx = 1\n[case]", "extra", "unknown table"),
])
def test_bad_field(tmp_path, old, new, field, reason):
    assert old in GOOD
    out_tex = tmp_path / "report.tex"
    code, out, path = verify(tmp_path, GOOD.replace(old, new, 1), "--latex", out_tex)
    assert code == 2, out
    lines = [l for l in out.splitlines() if l.strip()]
    assert len(lines) == 1 and "Traceback" not in out
    assert str(path) in lines[0] and f"field '{field}'" in lines[0] and reason in lines[0], lines[0]
    assert not out_tex.exists()                    # nothing half-written
    assert not (Path.cwd() / "PWNED").exists() and not (tmp_path / "PWNED").exists()


def test_rigorous_mode_for_a_float_only_claim(tmp_path):
    text = GOOD.replace('claim = "univariate.eta-flat"', 'claim = "univariate.rescaling"\nmode = "rigorous"') \
        .replace("[params]\neta = 1.0", "")
    code, out, _ = verify(tmp_path, text)
    assert code == 2 and "field 'case.mode'" in out and "supports mode float" in out


def test_malformed_toml_and_binary_and_missing_file(tmp_path):
    code, out, p = verify(tmp_path, "[case\nclaim = ")
    assert code == 2 and "malformed TOML" in out and str(p) in out
    b = tmp_path / "bin.toml"
    b.write_bytes(b"\xff\xfe\x00garbage")
    res = CliRunner().invoke(cli, ["verify", str(b)])
    assert res.exit_code == 2 and "not UTF-8" in res.output
    res = CliRunner().invoke(cli, ["verify", str(tmp_path / "nope.toml")])
    assert res.exit_code == 2 and "case file not found" in res.output


def test_explicit_arrays_mismatched_nan_and_missing_npz(tmp_path):
    base = """
[case]
claim = "univariate.eta-flat"
[data]
x = [0.1, 0.2, 0.3]
y = [1.0, -1.0, 1.0]
[model]
kind = "univariate"
v = [1.0, 2.0]
w = [1.0, -1.0]
b = [0.05, 0.5]
"""
    code, out, _ = verify(tmp_path, base)
    assert code in (0, 1, 3), out
    cases = [
        (base.replace("y = [1.0, -1.0, 1.0]", "y = [1.0, -1.0]"), "data.y", "expected length 3"),
        (base.replace("b = [0.05, 0.5]", "b = [0.05]"), "model.b", "expected length 2"),
        (base.replace("x = [0.1, 0.2, 0.3]", "x = [0.1, nan, 0.3]"), "data.x", "NaN"),
        (base.replace("v = [1.0, 2.0]", "v = [1.0, inf]"), "model.v", "NaN or infinity"),
        (base.replace("y = [1.0, -1.0, 1.0]", "y = [1.0, 0.0, 1.0]"), "data.y", "labels in {-1, +1}"),
        (base.replace("x = [0.1, 0.2, 0.3]\ny = [1.0, -1.0, 1.0]", 'file = "missing.npz"'), "data.file",
         "npz file not found"),
        (base.replace("v = [1.0, 2.0]", 'v = "1, 2"'), "model.v", "expected a numeric array"),
    ]
    for text, field, reason in cases:
        code, out, p = verify(tmp_path, text)
        assert code == 2, (field, out)
        assert f"field '{field}'" in out and reason in out and str(p) in out, out


def test_npz_arrays_relative_to_the_case(tmp_path):
    np.savez(tmp_path / "arrays.npz", x=np.array([0.1, 0.2, 0.3]), y=np.array([1.0, -1.0, 1.0]))
    text = """
[case]
claim = "univariate.hessian-structure"
[data]
file = "arrays.npz"
[model]
kind = "univariate"
v = [1.0]
w = [1.0]
b = [0.15]
"""
    code, out, _ = verify(tmp_path, text)
    assert code == 0, out


def test_one_bad_case_among_good_ones_is_exit_2_and_no_report(tmp_path):
    good = tmp_path / "good.toml"
    shutil.copy(CASES / "univariate-rescaling.toml", good)
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD.replace("n = 20", "n = 0"))
    tex = tmp_path / "r.tex"
    res = CliRunner().invoke(cli, ["verify", str(good), str(bad), "--latex", str(tex)])
    assert res.exit_code == 2 and not tex.exists()
    assert "field 'data.n'" in res.output


def test_import_of_a_missing_module_is_bad_input():
    res = CliRunner().invoke(cli, ["verify", "--import", "no_such_module_xyz", str(CASES / "univariate-rescaling.toml")])
    assert res.exit_code == 2 and "cannot import" in res.output
