"""Fuzzing `flatproof verify`: arbitrary bytes, arbitrary TOML documents and mutations of the shipped
cases must each end in a verdict (exit 0, 1 or 3) or a one-line error with exit 2, never a traceback."""

import json
import math
import tomllib
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

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


scalars = st.one_of(st.booleans(), st.integers(-3, 40), st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.floats(-5, 5), st.text(max_size=12),
                    st.sampled_from(["relu", "relu^2", "logistic", "square", "2*x", "sin(x)", "explicit", "random",
                                     "gd", "sign-fitting", "teacher", "memoriser", "flattest", "rigorous", "float",
                                     "univariate", "homogeneous", "multi-index", "uniform", "normal", "1/x",
                                     "__import__('os')", "x**1000"]))
values = st.one_of(scalars, st.lists(st.one_of(st.floats(-3, 3), st.integers(-2, 2)), max_size=6),
                   st.lists(st.lists(st.floats(-2, 2), min_size=2, max_size=2), max_size=4))


def run_and_check(tmp_path, content: bytes):
    p = tmp_path / "fuzz.toml"
    p.write_bytes(content)
    res = CliRunner().invoke(cli, ["verify", str(p)])
    assert res.exception is None or isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output and "internal error" not in res.output, res.output
    assert res.exit_code in (0, 1, 2, 3)
    if res.exit_code == 2:
        assert len([l for l in res.output.splitlines() if l.strip()]) == 1, res.output
    return res


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=200))
def test_arbitrary_bytes(tmp_path_factory, data):
    run_and_check(tmp_path_factory.mktemp("b"), data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(TABLES + ["junk"]),
                       st.dictionaries(st.sampled_from(KEYS + ["zzz"]), values, max_size=6), max_size=6))
def test_arbitrary_toml_documents(tmp_path_factory, doc):
    run_and_check(tmp_path_factory.mktemp("t"), toml_doc(doc).encode())


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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
    run_and_check(tmp_path_factory.mktemp("m"), toml_doc(doc).encode())
