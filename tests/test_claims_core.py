"""The verdict machinery: decision rule on intervals, outcome combination, parameters, registry."""

import math

import pytest

from flatproof import InputError
from flatproof.claims import Claim, Evaluation, Hypothesis, Param, compare, get_claim, register
from flatproof.claims._core import combine


@pytest.mark.parametrize("value,rel,bound,verr,berr,expected", [
    (1.0, "<=", 2.0, 0.1, 0.1, "holds"),
    (1.95, "<=", 2.0, 0.1, 0.0, "inconclusive"),      # margin 0.05 inside the error 0.1
    (2.2, "<=", 2.0, 0.1, 0.05, "violated"),
    (2.1, "<=", 2.0, 0.1, 0.0, "inconclusive"),       # 2.1 − 0.1 = 2.0 is not > 2.0
    (3.0, ">=", 2.0, 0.5, 0.5, "holds"),
    (2.0, ">=", 2.0, 0.0, 0.0, "holds"),              # equality satisfies ≥ exactly
    (1.0, ">=", 2.0, 0.4, 0.4, "violated"),
    (1.9, ">=", 2.0, 0.1, 0.1, "inconclusive"),
])
def test_inequality_decisions(value, rel, bound, verr, berr, expected):
    assert compare("c", value, rel, bound, value_error=verr, bound_error=berr).outcome == expected


def test_equality_with_tolerance():
    assert compare("c", 1.0, "=", 1.0 + 1e-12, value_error=1e-13, tol=1e-9).outcome == "holds"
    assert compare("c", 1.0, "=", 1.1, value_error=1e-3, tol=1e-9).outcome == "violated"
    # |v − b| = 0.5 tol but the error 0.7 tol makes the far end exceed tol
    assert compare("c", 1.0, "=", 1.0 + 0.5e-9, value_error=0.7e-9, tol=1e-9).outcome == "inconclusive"


def test_nan_is_inconclusive_never_holds():
    assert compare("c", math.nan, "<=", 1.0).outcome == "inconclusive"
    assert compare("c", 0.0, "<=", 1.0, value_interval=(0.0, math.inf)).outcome == "inconclusive"


def test_combination_order():
    h_ok, h_bad = Hypothesis("h", True), Hypothesis("h", False)
    ok = compare("a", 0, "<=", 1)
    bad = compare("b", 2, "<=", 1)
    unsure = compare("c", 1, "<=", 1, value_error=0.1)
    assert combine([ok, ok], [h_ok]) == "holds"
    assert combine([ok, unsure], [h_ok]) == "inconclusive"
    assert combine([unsure, bad], [h_ok]) == "violated"
    assert combine([bad], [h_bad]) == "hypotheses-not-met"
    assert combine([], []) == "inconclusive"        # nothing checked is never "holds"


def test_param_parsing_errors_name_the_field():
    p = Param("eta", float, 1.0, "step", minimum=0.0, exclusive_minimum=True)
    assert p.parse(2, "params.eta") == 2.0
    for bad, why in ((0.0, "must be >"), (-1, "must be >"), ("x", "expected a number"), (True, "expected a number"),
                     (math.inf, "finite")):
        with pytest.raises(InputError, match=why) as e:
            p.parse(bad, "params.eta")
        assert e.value.field == "params.eta"
    with pytest.raises(InputError, match="expected an integer"):
        Param("seed", int, 0, "s").parse(1.5, "params.seed")


def test_unknown_claim_suggests_a_close_id():
    with pytest.raises(InputError, match="did you mean logistic.weighted-tv"):
        get_claim("logistic.weighted_tv")


def test_user_claim_by_decorator_is_verified_like_the_shipped_ones():
    from flatproof.instances.instance import Instance
    from tests._instances import random_univariate

    @register
    class BetaIsSmall(Claim):
        id = "test.beta-small"
        title = "|β| ≤ bound"
        tag = "probe"
        reference = "test"
        section = "none"
        statement = r"|\beta| \le B"
        model = "univariate"
        params = (Param("B", float, 10.0, "bound", minimum=0.0),)

        def evaluate(self, inst, ctx):
            ev = Evaluation()
            ev.comparisons.append(compare("|β| ≤ B", abs(inst.net.beta), "<=", ctx.params["B"]))
            return ev

    problem, net = random_univariate(0, 10, 3)
    inst = Instance("univariate", problem.data, net, problem.loss)
    assert get_claim("test.beta-small").check(inst, params={"B": abs(net.beta) + 1}).outcome == "holds"
    assert get_claim("test.beta-small").check(inst, params={"B": abs(net.beta) / 2}).outcome == "violated"
    with pytest.raises(InputError, match="unknown parameter"):
        get_claim("test.beta-small").check(inst, params={"C": 1})
    with pytest.warns(UserWarning, match="replaces it"):     # a notebook cell run twice: the new class wins
        Other = register(type("Other", (BetaIsSmall,), {}))
    assert type(get_claim("test.beta-small")) is Other


def test_user_claim_from_an_entry_point(tmp_path, monkeypatch):
    """A package that declares ``[project.entry-points."flatproof.claims"]`` is loaded by list/verify."""
    import sys

    from click.testing import CliRunner

    from flatproof.claims import _core
    from flatproof.cli import cli

    (tmp_path / "my_flat_claims.py").write_text('''
from flatproof.claims import Claim, Evaluation, compare, register

@register
class LossIsFinite(Claim):
    id = "user.loss-finite"
    title = "the loss is finite"
    tag = "probe"
    reference = "a user's own claim"
    section = "none"
    statement = r"L(\\theta) < \\infty"
    model = "univariate"

    def evaluate(self, inst, ctx):
        ev = Evaluation()
        ev.comparisons.append(compare("L < 1e300", inst.oracle().loss(), "<=", 1e300))
        return ev
''')
    dist = tmp_path / "my_flat_claims-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: my-flat-claims\nVersion: 0.1\n")
    (dist / "entry_points.txt").write_text("[flatproof.claims]\nmine = my_flat_claims\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(_core, "_PLUGINS_LOADED", False)
    res = CliRunner().invoke(cli, ["list"])
    assert res.exit_code == 0 and "user.loss-finite" in res.output
    case = tmp_path / "c.toml"
    case.write_text('[case]\nclaim = "user.loss-finite"\n[data]\nx = [0.1, 0.5]\ny = [1.0, -1.0]\n'
                    '[model]\nkind = "univariate"\nv = [1.0]\nw = [1.0]\nb = [0.3]\n')
    res = CliRunner().invoke(cli, ["verify", str(case)])
    assert res.exit_code == 0, res.output
    _core._REGISTRY.pop("user.loss-finite", None)
    sys.modules.pop("my_flat_claims", None)


# ----------------------------------------------------------------------------------------------
# The basis of a comparison and of a verdict (issue 11: every verdict says how it was decided)
# ----------------------------------------------------------------------------------------------
def _toy_claim(tag, modes, rows):
    """A throwaway claim whose evaluation returns the given comparisons (not registered)."""
    from tests._instances import random_univariate

    class Toy(Claim):
        id = "test.toy"
        title = "toy"
        reference = "test"
        section = "none"
        statement = "x"
        model = "univariate"

        def evaluate(self, inst, ctx):
            return Evaluation(comparisons=list(rows))

    Toy.tag, Toy.modes = tag, modes
    from flatproof.instances.instance import Instance
    problem, net = random_univariate(1, 6, 2)
    return Toy(), Instance("univariate", problem.data, net, problem.loss)


def test_basis_defaults_to_estimated_for_theorems_and_observed_for_probes():
    row = compare("a", 0, "<=", 1)
    assert row.basis is None                                   # unstated until a claim checks it
    exact, inst = _toy_claim("exact", ("float",), [row])
    v = exact.check(inst)
    assert (v.outcome, v.basis, v.comparisons[0].basis) == ("holds", "estimated", "estimated")
    probe, inst = _toy_claim("probe", ("float",), [row])
    assert probe.check(inst).basis == "observed"
    assert compare("a", 0, "<=", 1, certified=True).basis == "certified"
    with pytest.raises(ValueError, match="contradicts"):
        compare("a", 0, "<=", 1, certified=True, basis="estimated")


def test_holds_takes_the_weakest_basis_and_violated_the_strongest_violated_row():
    cert_ok = compare("c", 0, "<=", 1, certified=True)
    est_ok = compare("e", 0, "<=", 1, basis="estimated", basis_note="quadrature")
    cert_bad = compare("cb", 2, "<=", 1, certified=True)
    est_bad = compare("eb", 2, "<=", 1, basis="estimated")
    claim, inst = _toy_claim("exact", ("float",), [cert_ok, est_ok])
    v = claim.check(inst)
    assert v.outcome == "holds" and v.basis == "estimated" and v.label == "holds (estimated: quadrature)"
    claim, inst = _toy_claim("exact", ("float",), [est_ok, est_bad, cert_bad])
    v = claim.check(inst)
    assert v.outcome == "violated" and v.basis == "certified" and v.label == "violated (certified)"
    claim, inst = _toy_claim("exact", ("float",), [cert_ok])
    assert claim.check(inst).label == "holds (certified)"


def test_rigorous_mode_never_lets_an_estimate_decide():
    """An estimated row that holds (or is violated) is inconclusive in rigorous mode, with a note."""
    cert_ok = compare("c", 0, "<=", 1, certified=True)
    for est in (compare("e", 0, "<=", 1, basis="estimated", basis_note="QUADPACK"),
                compare("e", 2, "<=", 1, basis="estimated", basis_note="QUADPACK")):
        claim, inst = _toy_claim("exact", ("float", "rigorous"), [cert_ok, est])
        v = claim.check(inst, mode="rigorous")
        assert v.outcome == "inconclusive" and v.basis is None
        assert "e" in v.basis_note and any("decides nothing" in n for n in v.notes)
        assert v.comparisons[1].outcome == "inconclusive"
        # the same rows in float mode decide, and say they are estimates
        f = claim.check(inst, mode="float")
        assert f.outcome in ("holds", "violated") and f.basis in ("estimated", "certified")
    claim, inst = _toy_claim("exact", ("float", "rigorous"), [cert_ok, compare("c2", 2, "<=", 1, certified=True)])
    assert claim.check(inst, mode="rigorous").label == "violated (certified)"


def test_basis_is_in_the_json_record():
    import json
    claim, inst = _toy_claim("exact", ("float",), [compare("c", 0, "<=", 1, certified=True)])
    rec = json.loads(json.dumps(claim.check(inst).as_dict()))
    assert rec["basis"] == "certified" and rec["comparisons"][0]["basis"] == "certified"
    assert rec["outcome"] == "holds"


def test_the_instance_protocol_names_only_what_a_real_instance_has():
    """claims/_core.Instance (the shape a check reads) against flatproof.instances.instance.Instance: every
    member of the protocol is a field, property or method of the real class, and the oracle takes the same
    keyword arguments. A member the real instance lacked would make a typed check read an attribute that is
    not there."""
    import dataclasses
    import inspect

    from flatproof.claims._core import Instance as Shape
    from flatproof.instances.instance import Instance as Real

    shape = {n for n in vars(Shape) if not n.startswith("_")}
    real = {f.name for f in dataclasses.fields(Real)} | {n for n in vars(Real) if not n.startswith("_")}
    assert shape and shape <= real, sorted(shape - real)
    assert (list(inspect.signature(Shape.oracle).parameters)
            == list(inspect.signature(Real.oracle).parameters))
