"""Parse, then build: one field declaration parses a case file, yields its JSON Schema and the docs' tables.

The shipped cases are the regression net for behaviour (tests/test_verify_cases.py); here the schema is
checked against the parser in both directions, and the registries against the case files."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path

import jsonschema
import pytest

from flatproof._errors import InputError
from flatproof.casefile import build_case, case_json_schema, parse_case
from flatproof.instances.constructions import CONSTRUCTIONS, construction_names
from flatproof.instances.families import FAMILIES

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted(p for p in (ROOT / "cases").glob("*.toml") if not p.name.startswith("measure-"))


def doc(path: Path) -> dict:
    return tomllib.loads(path.read_text())


def test_the_schema_is_valid_json_schema():
    jsonschema.Draft202012Validator.check_schema(case_json_schema())


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_every_shipped_case_satisfies_the_schema_and_parses(path):
    d = doc(path)
    jsonschema.validate(d, case_json_schema())
    spec = parse_case(d, path.parent)
    assert spec.claim.id == d["case"]["claim"]
    assert spec.model.construction in construction_names(spec.model.kind)


@pytest.mark.parametrize("table,key", [("case", "colour"), ("model", "colour"), ("data", "colour"),
                                       ("loss", "colour"), ("tolerances", "colour")])
def test_an_unknown_field_is_refused_by_the_schema_and_by_the_parser(table, key):
    d = doc(ROOT / "cases" / "logistic-weighted-tv.toml")
    d.setdefault(table, {})[key] = 1
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(d, case_json_schema())
    with pytest.raises(InputError) as e:
        parse_case(d, ROOT / "cases")
    assert e.value.field == f"{table}.{key}"


@pytest.mark.parametrize("table,key,value", [("case", "seed", -1), ("case", "mode", "exact"),
                                             ("loss", "weight_decay", -1.0), ("tolerances", "kink", 0.0),
                                             ("tolerances", "identity", 2.0)])
def test_an_out_of_range_value_is_refused_by_both(table, key, value):
    d = doc(ROOT / "cases" / "logistic-weighted-tv.toml")
    d.setdefault(table, {})[key] = value
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(d, case_json_schema())
    with pytest.raises(InputError) as e:
        parse_case(d, ROOT / "cases")
    assert e.value.field == f"{table}.{key}"


def test_every_construction_field_is_in_the_schema():
    model = case_json_schema()["properties"]["model"]["properties"]
    for c in CONSTRUCTIONS.values():
        for fam in FAMILIES.values():
            for f in c.all_fields(fam):
                assert f.name in model, (c.name, f.name)


def test_parsing_builds_nothing_and_building_is_deterministic():
    """A spec is inert data; building it twice gives the same network bit for bit."""
    import numpy as np
    path = ROOT / "cases" / "logistic-flat-at-infinity.toml"
    spec = parse_case(doc(path), path.parent)
    a, b = build_case(spec, path).instance, build_case(copy.deepcopy(spec), path).instance
    assert np.array_equal(a.net.v, b.net.v) and np.array_equal(a.data.x, b.data.x)
    assert a.provenance == b.provenance


def test_each_family_names_its_explicit_fields_once():
    for fam in FAMILIES.values():
        names = [f.name for f in fam.net_fields + fam.data_fields]
        assert len(names) == len(set(names) - {"y"}) + names.count("y")
        assert CONSTRUCTIONS["explicit"].fields_for(fam, None) == fam.net_fields


def test_the_docs_field_tables_are_the_generated_ones():
    """docs/case-files.md shows the tables the parser reads (regenerate: python -c 'from flatproof.casefile
    import field_tables_markdown; print(field_tables_markdown())')."""
    from flatproof.casefile import field_tables_markdown
    text = (ROOT / "docs" / "case-files.md").read_text()
    inside = text.split("<!-- fields:begin -->\n", 1)[1].split("<!-- fields:end -->", 1)[0]
    assert inside == field_tables_markdown()


def test_the_leaky_teacher_construction_is_the_teacher_with_a_leaky_relu():
    """f(x) = Σ_ℓ max(u_ℓᵀx, α u_ℓᵀx), computed directly from the generator's U."""
    import numpy as np
    path = ROOT / "cases" / "homogeneous-leaky-teacher.toml"
    inst = build_case(parse_case(doc(path), path.parent), path).instance
    z = inst.data.X @ inst.task.U
    expected = np.maximum(z, 0.2 * z).sum(axis=1)
    assert np.allclose(inst.net(inst.data.X), expected, rtol=1e-14, atol=1e-14)
    assert inst.provenance["construction"] == "leaky-teacher" and inst.provenance["slope"] == 0.2
