"""Fuzzing `flatproof verify`: arbitrary bytes, arbitrary TOML documents and mutations of the shipped
cases must each end in a verdict (exit 0, 1 or 3) or a one-line error with exit 2, never a traceback.

The fuzzed space includes hostile values (integers beyond float64, deep nesting, huge declared
sizes), files that are not files (FIFOs, devices, folders) and hostile ``.npz`` files (oversize
headers, complex and datetime dtypes) as ``data.file``, unwritable output targets, and interrupts at
arbitrary moments of an atomic write. Example counts come from the hypothesis settings profile
(tests/conftest.py: ``ci`` by default; ``--hypothesis-profile=nightly`` for a larger run)."""

import json
import math
import os
import tomllib
import zipfile
from pathlib import Path

import numpy as np
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flatproof.cli import cli

CASES = Path(__file__).resolve().parent.parent / "cases"
SHIPPED = {p.name: tomllib.loads(p.read_text()) for p in sorted(CASES.glob("*.toml"))
           if not p.name.startswith("measure-") and "flattest" not in p.name}
KEYS = sorted({k for doc in SHIPPED.values() for t in doc.values() for k in t} | {"x", "y", "v", "w", "b", "a", "W",
                                                                                 "file", "beta", "factor"})
TABLES = ["case", "data", "model", "loss", "params", "tolerances"]


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(t) for t in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(t)}" for k, t in v.items()) + "}"
    raise TypeError(type(v))


def toml_doc(doc: dict) -> str:
    lines = []
    for name, table in doc.items():
        if isinstance(table, dict):
            lines.append(f"[{json.dumps(name)}]")
            lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in table.items()]
        else:
            lines.insert(0, f"{json.dumps(name)} = {toml_value(table)}")
    return "\n".join(lines) + "\n"


HOSTILE_NUMBERS = st.sampled_from([10**400, -(10**309), 2**63, 2**64 + 1, 10**7, 10**9, 10**12, 1e308, -1e308, 5e-324])
DEEP = st.integers(9, 40).map(lambda k: json.loads("[" * k + "]" * k))
scalars = st.one_of(st.booleans(), st.integers(-3, 40), HOSTILE_NUMBERS,
                    st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.floats(-5, 5), st.text(max_size=12),
                    st.sampled_from(["relu", "relu^2", "logistic", "square", "2*x", "sin(x)", "explicit", "random",
                                     "gd", "sign-fitting", "teacher", "memoriser", "flattest", "rigorous", "float",
                                     "univariate", "homogeneous", "multi-index", "uniform", "normal", "1/x",
                                     "__import__('os')", "x**1000", "3*sin(1e6*x)", "1" + "0" * 400,
                                     "fifo.npz", "dir.npz", "/dev/zero", "complex.npz", "datetime.npz",
                                     "huge.npz", "empty.npz"]))
values = st.one_of(scalars, st.lists(st.one_of(st.floats(-3, 3), st.integers(-2, 2), HOSTILE_NUMBERS), max_size=6),
                   st.lists(st.lists(st.floats(-2, 2), min_size=2, max_size=2), max_size=4), DEEP)


def hostile_files(folder: Path) -> None:
    """Files a case may name as data.file or model.file: a FIFO, a folder, an oversize header, complex,
    datetime and empty archives (and /dev/zero, named absolutely)."""
    os.mkfifo(folder / "fifo.npz")
    (folder / "dir.npz").mkdir()
    np.savez(folder / "complex.npz", x=np.array([1 + 1j]), y=np.ones(1))
    np.savez(folder / "datetime.npz", x=np.array(["2020-01-01"], dtype="datetime64[D]"), y=np.ones(1))
    (folder / "empty.npz").write_bytes(b"")
    hdr = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    hdr += " " * (63 - (len(hdr) + 10) % 64) + "\n"
    with zipfile.ZipFile(folder / "huge.npz", "w") as z:
        z.writestr("x.npy", b"\x93NUMPY\x01\x00" + len(hdr).to_bytes(2, "little") + hdr.encode())


def run_and_check(tmp_path, content: bytes, *extra):
    hostile_files(tmp_path)
    p = tmp_path / "fuzz.toml"
    p.write_bytes(content)
    res = CliRunner().invoke(cli, ["verify", str(p), *map(str, extra)])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    assert res.exit_code in (0, 1, 2, 3)
    if res.exit_code == 2:
        assert len([l for l in res.output.splitlines() if l.strip()]) == 1, res.output
    return res


@settings(deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes(tmp_path_factory, data):
    run_and_check(tmp_path_factory.mktemp("b"), data)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(TABLES + ["junk"]),
                       st.dictionaries(st.sampled_from(KEYS + ["zzz"]), values, max_size=6), max_size=6))
def test_arbitrary_toml_documents(tmp_path_factory, doc):
    run_and_check(tmp_path_factory.mktemp("t"), toml_doc(doc).encode())


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(SHIPPED)), st.data())
def test_mutations_of_shipped_cases(tmp_path_factory, name, data):
    doc = json.loads(json.dumps(SHIPPED[name]))       # deep copy
    table = data.draw(st.sampled_from(sorted(doc)))
    action = data.draw(st.sampled_from(["replace", "delete", "add"]))
    if action == "replace" and doc[table]:
        key = data.draw(st.sampled_from(sorted(doc[table])))
        doc[table][key] = data.draw(values)
    elif action == "delete" and doc[table]:
        del doc[table][data.draw(st.sampled_from(sorted(doc[table])))]
    else:
        doc[table][data.draw(st.sampled_from(KEYS))] = data.draw(values)
    folder = tmp_path_factory.mktemp("m")
    (folder / "afile").write_text("x")
    (folder / "link.tex").symlink_to(folder / "elsewhere.tex")
    target = data.draw(st.sampled_from([None, "afile/r.tex", "missing/r.tex", "link.tex", "", "report.tex", "."]))
    extra = () if target is None else ("--latex", "" if target == "" else folder / target)
    res = run_and_check(folder, toml_doc(doc).encode(), *extra)
    assert not (folder / "elsewhere.tex").exists() and not list(folder.glob(".flatproof-*"))
    if target not in (None, "report.tex"):
        assert res.exit_code == 2 and "--latex" in res.output, res.output   # refused before any verdict


@settings(deadline=None)
@given(st.binary(max_size=5000), st.integers(0, 6000), st.booleans())
def test_interrupt_at_any_moment_of_an_atomic_write(tmp_path_factory, payload, at, previous):
    """A KeyboardInterrupt (Ctrl-C) raised after ``at`` bytes leaves the previous file or the new one
    whole, and no temporary file."""
    import flatproof._files as files
    folder = tmp_path_factory.mktemp("w")
    target = folder / "out.bin"
    if previous:
        target.write_bytes(b"previous")
    real_fdopen = os.fdopen

    class Interrupting:
        def __init__(self, fh):
            self.fh, self.written = fh, 0

        def write(self, data):
            if self.written + len(data) > at:
                self.fh.write(data[:max(at - self.written, 0)])
                raise KeyboardInterrupt
            self.written += len(data)
            return self.fh.write(data)

        def __getattr__(self, name):
            return getattr(self.fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()

    files.os.fdopen = lambda fd, mode: Interrupting(real_fdopen(fd, mode))
    try:
        files.write_bytes_atomic(target, payload)
        assert target.read_bytes() == payload and at >= len(payload)
    except KeyboardInterrupt:
        assert (target.read_bytes() == b"previous") if previous else not target.exists()
    finally:
        files.os.fdopen = real_fdopen
    assert [p.name for p in folder.iterdir()] == ([target.name] if target.exists() else [])
