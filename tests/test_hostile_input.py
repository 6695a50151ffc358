"""Hostile and careless input, one test per class (issue 12): sizes refused before work, files that are
not files, values float64 cannot hold, the right field, output targets, atomic writes, strict JSON,
interrupts, working-directory hygiene and extension points. Each bad input must end in one line on
stderr naming the file and field, with exit 2, before any work; a verdict must never be followed by a
traceback."""

import json
import os
import signal
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from flatproof import _budget
from flatproof._files import write_text_atomic
from flatproof.cli import cli
from tests.test_verify_bad_input import GOOD as VERIFY_GOOD

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"

GOOD = VERIFY_GOOD.replace('claim = "univariate.eta-flat"',
                          'claim = "univariate.eta-flat"\ndescription = "a small random network"')

MEASURE = """
[model]
kind = "univariate"
v = [1.0, -0.5]
w = [2.0, -1.0]
b = [0.1, 0.3]
[data]
x = [0.5, -0.5, 0.9]
y = [1.0, -1.0, 1.0]
"""


def invoke(*args, **kw):
    return CliRunner().invoke(cli, [str(a) for a in args], **kw)


def one_line_error(res, field: str | None = None, *words):
    """Exit 2, exactly one non-empty line, naming the field and containing the words; nothing before it."""
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert res.exit_code == 2, res.output
    assert len(lines) == 1 and lines[0].startswith("flatproof: error"), res.output
    assert "Traceback" not in res.output and "internal error" not in res.output
    if field:
        assert f"field '{field}'" in lines[0], lines[0]
    for w in words:
        assert w in lines[0], lines[0]
    return lines[0]


def case(tmp_path, text, name="case.toml"):
    p = tmp_path / name
    p.write_text(text)
    return p


def flatproof_subprocess(args, *, cwd=ROOT, timeout=120, env=None, preexec_fn=None):
    e = dict(os.environ, PYTHONPATH=str(ROOT), **(env or {}))
    return subprocess.run([sys.executable, "-m", "flatproof", *map(str, args)], cwd=cwd, env=e, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=preexec_fn)


# ----------------------------------------------------------------------------------------------
# Sizes are checked before work
# ----------------------------------------------------------------------------------------------
HOM_RANDOM = """
[case]
claim = "homogeneous.gaussian-constant"
[data]
generator = "multi-index"
d = {d}
n = {n}
seed = 0
[model]
kind = "homogeneous"
construction = "random"
width = {m}
seed = 1
"""


@pytest.mark.parametrize("text, field", [
    (HOM_RANDOM.format(d=10**6, n=10, m=10**5), "model.width"),          # 745 GiB of weights
    (HOM_RANDOM.format(d=10**4, n=10**8, m=10), "data.d"),               # 10¹² generated coordinates
    (GOOD.replace("n = 20", "n = 1000000000000"), "data.n"),
    (GOOD.replace("width = 4", "width = 100000000"), "model.width"),
    (GOOD.replace('construction = "random"', 'construction = "gd"\neta = 0.1\nsteps = 1000000')
     .replace("width = 4", "width = 10"), "model.steps"),
    ((CASES / "logistic-flat-at-infinity.toml").read_text().replace("n = 40", "n = 1000000")
     .replace('"logistic.flat-at-infinity"', '"logistic.weighted-tv"').replace("epsilon = 1e-3\nexcess = 0.05\n", ""),
     "model.construction"),             # sign-fitting on 10⁶ points, for a claim whose check is dense (m × n)
])
def test_declared_sizes_are_refused_before_work(tmp_path, text, field):
    t0 = time.perf_counter()
    line = one_line_error(invoke("verify", case(tmp_path, text)), field, "needs about")
    assert "--max-" in line                        # says how to raise the limit
    assert time.perf_counter() - t0 < 30           # refused up front, not after the work


def test_claim_size_parameters_and_limit_options(tmp_path):
    fl = (CASES / "homogeneous-flattest-interpolator.toml").read_text().replace("mse = 0.01",
                                                                               "mse = 0.01\nsamples = 10000000")
    one_line_error(invoke("verify", case(tmp_path, fl), "--max-memory", "1G"), "params.samples", "GiB")
    us = (CASES / "logistic-uncertain-set.toml").read_text().replace("delta = 0.1", "delta = 0.1\ngrid = 10000000")
    one_line_error(invoke("verify", case(tmp_path, us), "--max-memory", "1G"), "params.grid", "GiB")
    one_line_error(invoke("verify", case(tmp_path, GOOD), "--max-work", "1000"), None, "operations", "--max-work")
    one_line_error(invoke("verify", case(tmp_path, GOOD), "--max-memory", "lots"), "--max-memory")
    one_line_error(invoke("measure", case(tmp_path, MEASURE), "--max-memory", "100"), "data.x", "memory")
    assert invoke("verify", case(tmp_path, GOOD), "--max-memory", "2G", "--max-work", "1e12").exit_code in (0, 1, 3)


def test_the_estimator_matches_hand_counts():
    mem, ops = _budget.evaluation(n=10, m=3, d=2)
    assert mem == 8 * (6 * 30 + 20 + 12) and ops == 10 * 3 * 2 * 4
    assert _budget.parse_bytes("4G") == 4 * 2**30 and _budget.parse_bytes("512MiB") == 512 * 2**20
    assert _budget.parse_bytes("1e9") == 10**9 and _budget.parse_bytes("2KB") == 2000
    with _budget.limits_scope(max_memory=1000, max_work=50):
        _budget.require("f", memory=1000, work=50)             # at the limit: allowed
        with pytest.raises(_budget.InputError, match="field 'f'.*1000 B"):
            _budget.require("f", memory=1001)
        with pytest.raises(_budget.InputError, match="51 operations"):
            _budget.require("f", work=51)
    m = _budget.Meter(3, "loop")
    m.charge(), m.charge(), m.charge()
    with pytest.raises(_budget.WorkBoundReached):
        m.charge()


def _npy_header_only(shape_text: str) -> bytes:
    hdr = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape_text}, }}"
    hdr += " " * (63 - (len(hdr) + 10) % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr.encode()


NPZ_MEASURE = '[model]\nkind = "univariate"\nv = [1.0]\nw = [1.0]\nb = [0.5]\n[data]\nfile = "{name}"\n'


@pytest.mark.parametrize("name, make, words", [
    ("huge.npz", lambda p: _zip(p, {"x.npy": _npy_header_only("(1000000000000,)"),
                                    "y.npy": _npy_header_only("(3,)")}), ["needs about", "TiB"]),
    ("bomb.npz", lambda p: np.savez_compressed(p, x=np.zeros(40_000_000, dtype=np.int8), y=np.zeros(3)),
     ["needs about", "MiB"]),
    ("empty.npz", lambda p: p.write_bytes(b""), ["cannot read npz"]),
    ("nosuffix.npz", lambda p: _zip(p, {"x": b"hello"}), ["is not a .npy array"]),
    ("complex.npz", lambda p: np.savez(p, x=np.array([1 + 2j, 3j]), y=np.ones(2)), ["complex128"]),
    ("datetime.npz", lambda p: np.savez(p, x=np.array(["2020-01-01"], dtype="datetime64[D]"), y=np.ones(1)),
     ["datetime64"]),
    ("strings.npz", lambda p: np.savez(p, x=np.array(["a"]), y=np.ones(1)), ["<U1"]),
    ("dir.npz", lambda p: p.mkdir(), ["is a directory"]),
    ("fifo.npz", lambda p: os.mkfifo(p), ["is a FIFO"]),
])
def test_npz_headers_and_types_are_checked_before_loading(tmp_path, name, make, words):
    make(tmp_path / name)
    res = flatproof_subprocess(["measure", case(tmp_path, NPZ_MEASURE.format(name=name)), "--max-memory", "200M"],
                               timeout=60)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == 2 and len(lines) == 1 and "field 'data.file'" in lines[0], res.stderr
    assert all(w in lines[0] for w in words), lines[0]


def _zip(path, members: dict):
    with zipfile.ZipFile(path, "w") as z:
        for k, v in members.items():
            z.writestr(k, v)


# ----------------------------------------------------------------------------------------------
# Files that are not files
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("what", ["fifo", "dev-zero", "directory", "too-big"])
def test_case_files_that_are_not_regular_files_are_refused_without_blocking(tmp_path, what):
    if what == "fifo":
        target = tmp_path / "pipe.toml"
        os.mkfifo(target)
    elif what == "dev-zero":
        target = Path("/dev/zero")
    elif what == "directory":
        target = tmp_path
    else:
        target = tmp_path / "big.toml"
        with open(target, "wb") as fh:
            fh.truncate(65 * 2**20)
    for cmd in ("verify", "measure"):
        res = flatproof_subprocess([cmd, target], timeout=60)
        lines = [line for line in res.stderr.splitlines() if line.strip()]
        assert res.returncode == 2 and len(lines) == 1 and str(target) in lines[0], res.stderr
        assert any(w in lines[0] for w in ("FIFO", "device", "directory", "larger than the limit")), lines[0]


# ----------------------------------------------------------------------------------------------
# Values float64 cannot hold, and the right field
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("old, new, field, words", [
    ("width = 4", "width = 4\nscale = " + "1" + "0" * 400, "model.scale", ["float64"]),
    ("logit = \"2*x\"", "logit = \"2*x + " + "1" + "0" * 400 + "\"", "data.logit", ["float64"]),
    ("logit = \"2*x\"", "logit = \"2*x\"\nlaw = \"uniform\"\nlaw_params = [-1, " + "9" * 400 + "]",
     "data.law_params", ["float64"]),
    ("logit = \"2*x\"", "logit = \"2*x\"\nlaw_params = [-1e308, 1e308]", "data.law_params", ["overflows float64"]),
    ("eta = 1.0", "eta = 1.0\nnested = " + "[" * 1000 + "]" * 1000, None, ["nested too deeply"]),
    ("eta = 1.0", "eta = 1.0\nnested = " + "[" * 12 + "]" * 12, "params.nested", ["nested more than"]),
    ("[params]", "[loss]\nkind = \"logistic\"\nfactor = 2.0\n[params]", "loss.factor", ["no factor"]),
    ("kind = \"univariate\"", "kind = [\"univariate\"]", "model.kind", ["unknown model kind"]),
])
def test_values_float64_cannot_hold_name_the_field_the_user_wrote(tmp_path, old, new, field, words):
    assert old in GOOD
    res = flatproof_subprocess(["verify", case(tmp_path, GOOD.replace(old, new, 1))], timeout=120)
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert res.returncode == 2 and len(lines) == 1, res.stderr      # no RuntimeWarning before the line
    assert (field is None or f"field '{field}'" in lines[0]) and all(w in lines[0] for w in words), lines[0]


@pytest.mark.parametrize("scale", ["1e308", "1.7e308", "1e300"])
def test_a_huge_scale_is_an_error_on_the_scale_or_no_verdict(tmp_path, scale):
    res = flatproof_subprocess(["verify", case(tmp_path, GOOD.replace("width = 4", f"width = 4\nscale = {scale}"))])
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    if res.returncode == 2:
        assert len(lines) == 1 and "field 'model.scale'" in lines[0] and "float64" in lines[0], res.stderr
    else:   # the weights fit in float64: the claim cannot be evaluated, and says so
        assert res.returncode == 3 and not lines and "verdict: inconclusive" in res.stdout, res.stderr


def test_noise_that_overflows_is_reported_as_noise(tmp_path):
    text = HOM_RANDOM.format(d=3, n=5, m=2).replace("seed = 0", "seed = 0\nnoise = 1e308")
    one_line_error(invoke("verify", case(tmp_path, text)), "data.noise", "float64")


def test_measure_kind_as_a_list_and_the_loss_default(tmp_path):
    one_line_error(invoke("measure", case(tmp_path, MEASURE.replace('kind = "univariate"', 'kind = ["univariate"]'))),
                   "model.kind")
    res = invoke("measure", case(tmp_path, MEASURE), "--json")          # no [loss]: defaulted as in verify
    assert res.exit_code == 0, res.output
    # the default logistic loss with factor 1/n: L = (1/n) Σ log(1 + exp(−y f)), computed here by hand
    x, y = np.array([0.5, -0.5, 0.9]), np.array([1.0, -1.0, 1.0])
    f = np.maximum(np.outer(x, [2.0, -1.0]) - [0.1, 0.3], 0) @ [1.0, -0.5]
    assert json.loads(res.output)["loss"] == pytest.approx(np.mean(np.logaddexp(0, -y * f)), rel=1e-12)


# ----------------------------------------------------------------------------------------------
# Overflow in measure/verify, strict JSON
# ----------------------------------------------------------------------------------------------
def _strict(text):
    def no(constant):
        raise ValueError(f"non-strict JSON token {constant}")
    return json.loads(text, parse_constant=no)


def test_overflowing_instances_give_one_line_or_strict_json(tmp_path):
    big = MEASURE.replace("v = [1.0, -0.5]", "v = [1e300, -1e300]").replace("w = [2.0, -1.0]", "w = [1e300, 1e300]")
    res = flatproof_subprocess(["measure", case(tmp_path, big), "--json"], timeout=120)
    assert "Traceback" not in res.stderr and res.returncode in (0, 3), res.stderr
    if res.returncode == 0:
        _strict(res.stdout)
    else:
        assert len([line for line in res.stderr.splitlines() if line.strip()]) == 1
    res = invoke("verify", case(tmp_path, GOOD), "--json")
    assert res.exit_code in (0, 1, 3)
    for line in res.output.splitlines():
        _strict(line)


def test_strict_json_replaces_non_finite_values_by_null_with_a_reason():
    from flatproof._json import dumps_strict
    out = _strict(dumps_strict({"loss": float("nan"), "eig": [1.0, float("-inf")], "ok": 2}))
    assert out == {"loss": None, "eig": [1.0, None], "ok": 2,
                   "non_finite": {"$.loss": "nan", "$.eig[1]": "-inf"}}


# ----------------------------------------------------------------------------------------------
# Output targets, '-', atomic writes
# ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("target, words", [
    ("nodir/report.tex", ["does not exist"]),
    ("afile/report.tex", ["is not a folder"]),
    ("link.tex", ["symlink"]),
    ("", ["empty output name"]),
    (".", ["not a regular file"]),
])
def test_output_targets_are_validated_before_any_work(tmp_path, target, words):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "link.tex").symlink_to(tmp_path / "elsewhere.tex")
    p = case(tmp_path, GOOD)
    t = "" if target == "" else tmp_path / target
    for args in (["verify", p, "--latex", t], ["derive", "univariate-hessian", "--latex", t],
                 ["derive", "univariate-hessian", "--pdf", t]):
        res = invoke(*args)
        line = one_line_error(res, args[-2], *words)
        assert "verdict" not in res.output and "holds" not in line
    assert not (tmp_path / "elsewhere.tex").exists()
    for args in (["reproduce", "logistic", "--quick", "--out", tmp_path / "afile"],
                 ["check", "univariate.rescaling", "--examples", "1", "--out", tmp_path / "afile"],
                 ["check", "univariate.rescaling", "--examples", "1", "--out", tmp_path / "link.tex"]):
        one_line_error(invoke(*args), "--out")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only folder")
def test_read_only_folder_is_refused(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        one_line_error(invoke("verify", case(tmp_path, GOOD), "--latex", ro / "r.tex"), "--latex", "not writable")
    finally:
        ro.chmod(0o755)


def test_dash_is_standard_output(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("derive", "univariate-hessian", "--latex", "-")
    assert res.exit_code == 0 and "\\documentclass" in res.output
    res = invoke("verify", case(tmp_path, GOOD), "--latex", "-")
    assert res.exit_code in (0, 1, 3) and "\\documentclass" in res.output
    assert not (tmp_path / "-").exists()


def test_atomic_writes_use_the_umask_and_replace_symlinks_not_their_targets(tmp_path):
    old = os.umask(0o027)
    try:
        p = write_text_atomic(tmp_path / "a.txt", "hello")
    finally:
        os.umask(old)
    assert stat.S_IMODE(p.stat().st_mode) == 0o640 and p.read_text() == "hello"
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (tmp_path / "link.txt").symlink_to(victim)
    write_text_atomic(tmp_path / "link.txt", "new")
    assert victim.read_text() == "keep" and not (tmp_path / "link.txt").is_symlink()
    assert not list(tmp_path.glob(".flatproof-*"))


def test_atomic_folder_leaves_the_previous_result_or_nothing(tmp_path):
    from flatproof._files import atomic_folder
    out = tmp_path / "out"
    with atomic_folder(out) as tmp:
        (tmp / "a.csv").write_text("1")
    assert (out / "a.csv").read_text() == "1"
    with pytest.raises(KeyboardInterrupt):
        with atomic_folder(out) as tmp:
            (tmp / "b.csv").write_text("half")
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"] and (out / "a.csv").exists()
    assert not (out / "b.csv").exists()


# ----------------------------------------------------------------------------------------------
# Interrupts
# ----------------------------------------------------------------------------------------------
def _interrupt_after(args, seconds, signum=signal.SIGINT, cwd=ROOT, started=None):
    """Send ``signum`` ``seconds`` after the start, or after ``started()`` becomes true (polled)."""
    e = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-m", "flatproof", *map(str, args)], cwd=cwd, env=e,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    t0 = time.monotonic()
    while started is not None and not started(proc) and proc.poll() is None and time.monotonic() - t0 < 300:
        time.sleep(0.1)
    time.sleep(seconds)
    proc.send_signal(signum)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def _handlers_installed(proc) -> bool:
    """The command line has installed its handlers: SIGTERM is caught (SigCgt in /proc/PID/status)."""
    try:
        status = Path(f"/proc/{proc.pid}/status").read_text()
    except OSError:
        return False
    mask = int(next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:")), 16)
    return bool(mask & (1 << (signal.SIGTERM - 1)))


@pytest.mark.parametrize("seconds", [0.0, 0.5, 0.6, 0.7, 3.0])
def test_ctrl_c_exits_130_with_one_line(tmp_path, seconds):
    """From the moment the command line has installed its handlers (before click, rich and the
    numerics are imported) to the end, Ctrl-C is exit 130 and one line. 0.4–0.75 s in, the interrupt lands
    while hypothesis and the numerics are imported: ended with ``sys.exit`` the process was "killed by SIGINT"
    (-2) about one time in two, or the interrupt arrived wrapped in a RuntimeError and was reported as an error
    in user code."""
    code, out, err = _interrupt_after(["check", "logistic.flat-at-infinity", "--examples", "100000", "--out",
                                       tmp_path / "found"], seconds, started=_handlers_installed)
    assert code == 130 and [line for line in err.splitlines() if line.strip()] == ["flatproof: interrupted"], err


def test_an_interrupt_wrapped_by_python_is_still_an_interrupt():
    """CPython wraps an exception raised in ``__set_name__`` (class creation, e.g. while a library is imported)
    in a RuntimeError: a Ctrl-C at that moment must still end as an interrupt, not as "error in user code"."""
    from flatproof import _interrupt

    class Interrupting:
        def __set_name__(self, owner, name):
            raise KeyboardInterrupt

    with pytest.raises(RuntimeError) as info:
        type("Victim", (), {"attr": Interrupting()})
    assert _interrupt.cause(info.value) == signal.SIGINT
    assert _interrupt.cause(RuntimeError("plain")) is None
    try:
        raise ValueError("outer") from _interrupt.Terminated()
    except ValueError as exc:
        assert _interrupt.cause(exc) == signal.SIGTERM


def test_sigterm_during_reproduce_leaves_no_partial_folder(tmp_path):
    out = tmp_path / "rep"
    code, _, err = _interrupt_after(["reproduce", "logistic", "--quick", "--out", out], 1.0, signal.SIGTERM,
                                    started=lambda proc: any(p.name.startswith(".rep.tmp-") for p in tmp_path.iterdir()))
    assert code in (0, 143), err
    if code == 143:
        assert not out.exists() and [line for line in err.splitlines() if line.strip()] == ["flatproof: terminated"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".rep")]


# ----------------------------------------------------------------------------------------------
# Working-directory hygiene
# ----------------------------------------------------------------------------------------------
def test_check_leaves_no_hypothesis_folder_in_the_current_folder(tmp_path):
    res = flatproof_subprocess(["check", "univariate.rescaling", "--examples", "2"], cwd=tmp_path,
                               env={"XDG_CACHE_HOME": str(tmp_path / "cache")})
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cache"]


def test_pytest_plugin_writes_found_cases_only_where_asked(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(ROOT))          # this checkout's plugin, not an installed one
    pytester.makepyfile(test_user="""
        import flatproof

        @flatproof.claim_test("homogeneous.flat-by-rescaling", examples=30, expect="violated", seed=1)
        def test_refuted_as_expected(case, verdict):
            pass
    """)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-q")
    result.assert_outcomes(passed=1)
    assert not (pytester.path / "cases").exists()


# ----------------------------------------------------------------------------------------------
# Extension points
# ----------------------------------------------------------------------------------------------
USER_CLAIM = '''
from flatproof.claims import Claim, register
from flatproof.claims._core import Evaluation


@register
class Fails(Claim):
    id = "user.fails"
    title = "raises inside evaluate"
    tag = "probe"
    reference = "test"
    section = "none"
    statement = "x"
    model = "univariate"

    def evaluate(self, inst, ctx):
        raise ZeroDivisionError("user bug")
'''


def test_import_a_py_path_or_a_module_on_the_current_folder(tmp_path, monkeypatch):
    (tmp_path / "my_claims.py").write_text(USER_CLAIM)
    res = invoke("list", "--json", "--import", tmp_path / "my_claims.py")
    assert res.exit_code == 0 and any(json.loads(line)["id"] == "user.fails" for line in res.output.splitlines())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", str(tmp_path))])
    (tmp_path / "other_claims.py").write_text(USER_CLAIM.replace("user.fails", "user.fails2"))
    assert "user.fails2" in invoke("list", "--import", "other_claims").output
    one_line_error(invoke("list", "--import", tmp_path / "missing.py"), "--import " + str(tmp_path / "missing.py"))
    (tmp_path / "broken.py").write_text("def f(:\n")
    one_line_error(invoke("list", "--import", tmp_path / "broken.py"), None, "syntax error", "broken.py:1")
    (tmp_path / "raises.py").write_text("x = 1\nraise RuntimeError('boom')\n")
    one_line_error(invoke("list", "--import", tmp_path / "raises.py"), None, "RuntimeError", "raises.py:2", "boom")


def test_errors_in_a_user_claim_say_where_and_debug_shows_the_traceback(tmp_path):
    (tmp_path / "my_claims.py").write_text(USER_CLAIM.replace("user.fails", "user.fails3"))
    p = case(tmp_path, GOOD.replace("univariate.eta-flat", "user.fails3").replace("[params]\neta = 1.0\n", ""))
    res = invoke("verify", "--import", tmp_path / "my_claims.py", p)
    lineno = USER_CLAIM.splitlines().index('        raise ZeroDivisionError("user bug")') + 1
    where = f"my_claims.py:{lineno}"
    line = one_line_error(res, None, "error in user code", where, "ZeroDivisionError")
    assert "internal error" not in line
    with pytest.warns(UserWarning, match="replaces it"):      # the module is imported again: same id
        res = invoke("--debug", "verify", "--import", tmp_path / "my_claims.py", p)
    assert res.exit_code == 2 and "Traceback" in res.output


def test_check_param_list_json_and_description(tmp_path):
    res = invoke("check", "univariate.eta-flat", "--param", "eta=0.5", "--examples", "3", "--json", "--out",
                 tmp_path)
    assert res.exit_code in (0, 1), res.output
    one_line_error(invoke("check", "univariate.eta-flat", "--param", "eta=abc", "--out", tmp_path), "--param eta")
    one_line_error(invoke("check", "univariate.eta-flat", "--param", "nope=1", "--out", tmp_path), "--param nope")
    one_line_error(invoke("check", "univariate.eta-flat", "--param", "eta=-1", "--out", tmp_path), "--param eta")
    recs = [json.loads(line) for line in invoke("list", "--json").output.splitlines()]
    eta_flat = next(r for r in recs if r["id"] == "univariate.eta-flat")
    assert eta_flat["tag"] in ("exact", "paper", "probe") and any(p["name"] == "eta" for p in eta_flat["params"])
    assert "a small random network" in invoke("verify", case(tmp_path, GOOD)).output


def test_check_all_exit_rules():
    from collections import Counter

    from flatproof.check import CheckReport, run_failed

    def rep(tag, violated, false=False):
        return CheckReport("c", tag, false, 10, 0, Counter(holds=10 - violated, violated=violated))
    assert not run_failed([rep("probe", 5)], True)                   # a probe reports, never fails the run
    assert run_failed([rep("exact", 1)], True) and run_failed([rep("paper", 1)], True)
    assert not run_failed([rep("paper", 3, false=True)], True)      # refuted as expected
    assert run_failed([rep("paper", 0, false=True)], True)          # a false-by-design claim not refuted
    assert run_failed([rep("probe", 1)], False)                     # named claims: any violation


# ----------------------------------------------------------------------------------------------
# Every front end under a 4 GB address-space limit: refusals up front, never MemoryError
# ----------------------------------------------------------------------------------------------
def _limit_as():
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (4 * 2**30, 4 * 2**30))


def test_front_ends_under_a_4_gb_address_space_limit(tmp_path):
    us = (CASES / "logistic-uncertain-set.toml").read_text().replace("delta = 0.1", "delta = 0.1\ngrid = 10000000")
    fl = (CASES / "homogeneous-flattest-interpolator.toml").read_text().replace("mse = 0.01",
                                                                               "mse = 0.01\nsamples = 10000000")
    np.savez_compressed(tmp_path / "bomb.npz", x=np.zeros(1_000_000_000, dtype=np.int8), y=np.zeros(3))
    attempts = [
        ["verify", case(tmp_path, HOM_RANDOM.format(d=10**6, n=10, m=10**5), "a.toml")],
        ["verify", case(tmp_path, us, "b.toml")],
        ["verify", case(tmp_path, fl, "c.toml")],
        ["measure", case(tmp_path, NPZ_MEASURE.format(name="bomb.npz"), "d.toml")],
        ["verify", case(tmp_path, GOOD.replace("n = 20", "n = 100000000"), "e.toml")],
    ]
    for args in attempts:
        res = flatproof_subprocess(args, preexec_fn=_limit_as, timeout=300)
        lines = [line for line in res.stderr.splitlines() if line.strip()]
        assert res.returncode == 2 and len(lines) == 1 and "MemoryError" not in res.stderr, (args, res.stderr)
        assert "needs about" in lines[0], lines[0]
