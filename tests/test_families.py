"""Instance dispatch goes through the model families (issue 16): the case-file reader, the measure-case reader,
the case writer, the Instance and flatproof.io name no model kind, and each family's inverse maps (net_values,
data_values, its torch layout's state_dict) give back exactly what make_net / make_data / assemble read, so a
written case or state dict reads back to the same instance."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from flatproof._errors import InputError
from flatproof.instances.families import FAMILIES, family
from flatproof.instances.instance import Instance
from flatproof.measure_case import load_measure_case
from flatproof.model.activations import parse_activation
from flatproof.model.data import MultiIndexData, UnivariateData
from flatproof.model.homogeneous import HomogeneousNet
from flatproof.model.losses import Loss
from flatproof.model.univariate import UnivariateNet
from flatproof.vocab import ModelKind

PKG = Path(__file__).resolve().parents[1] / "flatproof"
ROUTED = ["casefile.py", "measure_case.py", "case_writer.py", "instances/instance.py",
          "io/__init__.py", "io/_layout.py", "io/_data.py", "io/_torch.py"]


@pytest.mark.parametrize("name", ROUTED)
def test_no_model_kind_is_named_in_the_routed_modules(name: str) -> None:
    """No string literal "univariate"/"homogeneous" and no ModelKind member in code (docstrings aside)."""
    tree = ast.parse((PKG / name).read_text(encoding="utf-8"))
    docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                  if isinstance(n, (ast.Module, ast.ClassDef, ast.FunctionDef)) and n.body
                  and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
    kinds = {str(k) for k in ModelKind}
    named = [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docstrings
             and isinstance(n.value, str) and n.value in kinds]
    named += [n.lineno for n in ast.walk(tree) if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
              and n.value.id == "ModelKind"]
    assert named == [], f"{name} names a model kind on lines {named}"


def _nets(rng: np.random.Generator) -> dict[str, tuple[object, object]]:
    uni = UnivariateNet(rng.normal(size=3), rng.normal(size=3), rng.normal(size=3), 0.25)
    hom = HomogeneousNet(rng.normal(size=4), rng.normal(size=(4, 2)), parse_activation("relu"))
    return {"univariate": (uni, UnivariateData(rng.normal(size=5), np.sign(rng.normal(size=5)))),
            "homogeneous": (hom, MultiIndexData(rng.normal(size=(5, 2)), rng.normal(size=5)))}


def test_every_family_is_tested() -> None:
    assert set(FAMILIES) == {str(k) for k in ModelKind} == set(_nets(np.random.default_rng(0)))


@pytest.mark.parametrize("kind", ["univariate", "homogeneous"])
def test_net_and_data_values_invert_make_net_and_make_data(kind: str) -> None:
    fam = family(kind)
    net, data = _nets(np.random.default_rng(1))[kind]
    values = fam.net_values(net)
    assert set(values) == {f.name for f in fam.net_fields}
    back = fam.make_net(values, getattr(net, "activation", None))
    assert type(back) is type(net)
    assert all(np.array_equal(np.asarray(values[k]), np.asarray(fam.net_values(back)[k])) for k in values)
    dvalues = fam.data_values(data)
    assert set(dvalues) == {f.name for f in fam.data_fields}
    dback = fam.make_data(dvalues)
    assert all(np.array_equal(dvalues[k], fam.data_values(dback)[k]) for k in dvalues)


def test_homogeneous_shapes_are_checked_by_the_family_for_the_instance() -> None:
    rng = np.random.default_rng(2)
    net = HomogeneousNet(rng.normal(size=4), rng.normal(size=(4, 3)), parse_activation("relu"))
    data = MultiIndexData(rng.normal(size=(5, 2)), rng.normal(size=5))
    with pytest.raises(InputError) as err:
        Instance("homogeneous", data, net, Loss("square", 1.0))
    assert err.value.field == "model.W" and "3 columns" in str(err.value) and "d = 2" in str(err.value)


def test_instance_refuses_an_unknown_kind_and_mismatched_types() -> None:
    net, data = _nets(np.random.default_rng(3))["univariate"]
    with pytest.raises(InputError, match="unknown model kind"):
        Instance("trivariate", data, net, Loss("logistic"))
    hnet, hdata = _nets(np.random.default_rng(3))["homogeneous"]
    with pytest.raises(InputError, match="needs MultiIndexData and HomogeneousNet"):
        Instance("homogeneous", data, hnet, Loss("square"))


def test_oracle_method_is_offered_only_where_the_family_has_one() -> None:
    nets = _nets(np.random.default_rng(4))
    uni = Instance("univariate", nets["univariate"][1], nets["univariate"][0], Loss("logistic"))
    fast, dense = uni.oracle(at_kink="convention"), uni.oracle(method="dense", at_kink="convention")
    np.testing.assert_allclose(fast.hessian(), dense.hessian(), rtol=1e-12, atol=1e-14)
    hom = Instance("homogeneous", nets["homogeneous"][1], nets["homogeneous"][0], Loss("square", 1.0))
    hom.oracle(at_kink="convention")
    with pytest.raises(InputError, match="no choice of method"):
        hom.oracle(method="dense", at_kink="convention")


def test_measure_case_method_on_a_family_without_methods_is_refused(tmp_path: Path) -> None:
    case = tmp_path / "m.toml"
    case.write_text('[model]\nkind = "homogeneous"\na = [1.0, -1.0]\nW = [[1.0, 0.5], [0.2, -1.0]]\n'
                    '[data]\nX = [[1.0, 2.0], [-0.5, 0.3], [0.7, 0.1]]\ny = [1.0, 0.0, 2.0]\n'
                    '[measure]\nmethod = "fast"\n')
    with pytest.raises(InputError) as err:
        load_measure_case(case)
    assert err.value.field == "measure.method" and err.value.file == str(case)
    case.write_text(case.read_text().replace('[measure]\nmethod = "fast"\n', ""))
    assert load_measure_case(case).kind == "homogeneous"


def test_a_python_logit_cannot_be_saved_but_an_expression_round_trips(tmp_path: Path) -> None:
    from flatproof.case_writer import case_document, save_case
    from flatproof.casefile import load_case
    from flatproof.model.data import LogisticTask, uniform
    from flatproof.model.expr import parse_expression
    net, data = _nets(np.random.default_rng(5))["univariate"]
    task = LogisticTask(uniform(-1.0, 1.0), lambda x: 3 * np.sin(2 * x), 0.0)
    inst = Instance("univariate", data, net, Loss("logistic"), task=task)
    with pytest.raises(InputError) as err:
        case_document(inst, "univariate.hessian-structure")
    assert err.value.field == "data.logit"
    expr_task = LogisticTask(uniform(-1.0, 1.0), parse_expression("3*sin(2*x)"), 0.0)
    inst = Instance("univariate", data, net, Loss("logistic"), task=expr_task)
    path = save_case(tmp_path / "c.toml", inst, "univariate.hessian-structure")
    back = load_case(path).instance
    assert back.task.logit.text == "3*sin(2*x)"
    assert all(np.array_equal(a, b) for a, b in zip(back.net.to_vector(), net.to_vector(), strict=True))


@pytest.mark.parametrize("kind", ["univariate", "homogeneous"])
def test_each_torch_layout_and_csv_form_round_trips_through_io(kind: str, tmp_path: Path) -> None:
    from flatproof.io import net_from_state_dict, read_csv, state_dict_from_net, write_csv
    fam = family(kind)
    net, data = _nets(np.random.default_rng(6))[kind]
    sd = state_dict_from_net(net)
    assert list(sd) == [key for _, key in fam.layout.roles]
    back, notes = net_from_state_dict(sd, kind, activation=getattr(net, "activation", None))
    assert type(back) is type(net) and notes == []
    assert all(np.array_equal(np.asarray(v), np.asarray(fam.net_values(back)[k])) for k, v in fam.net_values(net).items())
    for read_kind in (kind, None):           # with no kind, the header says which family's fields
        values = read_csv(write_csv(tmp_path / "d.csv", data), read_kind)
        assert {k: v.tolist() for k, v in values.items()} == {k: v.tolist() for k, v in fam.data_values(data).items()}
    x = fam.data_values(data)[fam.csv.inputs]
    shaped = fam.layout.sample(x.reshape(len(x), -1), data.y)
    assert type(shaped) is fam.data_type
