"""State-dict formats, the two layouts, key maps, one-line errors, exact round trips, CSV data (issue 14).

Expected values are written by hand from the documented map w = 0.weight[:, 0], b = −0.bias,
v = 2.weight[0], β = 2.bias[0] (homogeneous: W = 0.weight, a = 2.weight[0]).
"""

import json

import numpy as np
import pytest

from flatproof import InputError, relu
from flatproof.io import (
    net_from_state_dict,
    read_csv,
    read_net,
    read_state_dict,
    state_dict_from_net,
    write_csv,
    write_net,
    write_state_dict,
)
from flatproof.model.data import MultiIndexData, UnivariateData
from flatproof.model.homogeneous import HomogeneousNet
from flatproof.model.univariate import UnivariateNet


def _has(mod):
    try:
        __import__(mod)
        return True
    except ImportError:
        return False


HAS_TORCH, HAS_ST = _has("torch"), _has("safetensors")
FORMATS = (["json", "npz"] + (["pt"] if HAS_TORCH else []) + (["safetensors"] if HAS_ST else []))
UNI_SD = {"0.weight": np.array([[0.5], [-1.25], [3.0]]), "0.bias": np.array([0.25, -0.5, 1.0]),
          "2.weight": np.array([[1.0, -2.0, 0.125]]), "2.bias": np.array([0.75])}


def _bits(a):
    return np.asarray(a, dtype=np.float64).view(np.uint64)


def test_univariate_map_by_hand():
    net, notes = net_from_state_dict(UNI_SD, "univariate")
    assert net.w.tolist() == [0.5, -1.25, 3.0]
    assert net.b.tolist() == [-0.25, 0.5, -1.0]          # b = −bias
    assert net.v.tolist() == [1.0, -2.0, 0.125]
    assert net.beta == 0.75 and notes == []
    # the network's value at x = 1 by hand: Σ v_i relu(w_i x + bias_i) + β
    by_hand = 1.0 * max(0.5 + 0.25, 0) - 2.0 * max(-1.25 - 0.5, 0) + 0.125 * max(3.0 + 1.0, 0) + 0.75
    assert net(np.array([1.0]))[0] == by_hand


def test_homogeneous_map_by_hand():
    sd = {"0.weight": np.array([[1.0, 2.0], [-0.5, 0.25]]), "2.weight": np.array([[3.0, -1.0]])}
    net, _ = net_from_state_dict(sd, "homogeneous", activation=relu())
    assert net.W.tolist() == [[1.0, 2.0], [-0.5, 0.25]] and net.a.tolist() == [3.0, -1.0]
    assert net(np.array([[1.0, 1.0]]))[0] == 3.0 * 3.0 - 1.0 * 0.0


def test_prefix_found_and_given():
    sd = {f"model.{k}": v for k, v in UNI_SD.items()}
    a, _ = net_from_state_dict(sd, "univariate")
    b, _ = net_from_state_dict(sd, "univariate", prefix="model")
    assert np.array_equal(a.to_vector(), b.to_vector())
    two = sd | {f"other.{k}": v for k, v in UNI_SD.items()}
    with pytest.raises(InputError, match="several layers could be the hidden one"):
        net_from_state_dict(two, "univariate")


def test_key_map():
    sd = {"fc1.weight": UNI_SD["0.weight"], "fc1.bias": UNI_SD["0.bias"], "fc2.weight": UNI_SD["2.weight"],
          "fc2.bias": UNI_SD["2.bias"]}
    keys = {"hidden_weight": "fc1.weight", "hidden_bias": "fc1.bias", "output_weight": "fc2.weight",
            "output_bias": "fc2.bias"}
    net, _ = net_from_state_dict(sd, "univariate", keys=keys)
    assert net.b.tolist() == [-0.25, 0.5, -1.0]
    with pytest.raises(InputError, match="lacks the role 'output_bias'"):
        net_from_state_dict(sd, "univariate", keys={k: v for k, v in keys.items() if k != "output_bias"})
    with pytest.raises(InputError, match="unknown role 'bias'"):
        net_from_state_dict(sd, "univariate", keys=keys | {"bias": "x"})


@pytest.mark.parametrize("sd, kind, message", [
    (UNI_SD | {"4.weight": np.ones((1, 1))}, "univariate", "unexpected key '4.weight'.*extra layer"),
    ({"0.weight": np.ones((2, 3)), "0.bias": np.ones(2), "2.weight": np.ones((1, 2))}, "homogeneous",
     "unexpected key '0.bias'.*a bias the homogeneous network does not have"),
    ({k: v for k, v in UNI_SD.items() if k != "0.bias"}, "univariate", "missing key '0.bias'"),
    (UNI_SD | {"2.weight": np.ones((2, 3))}, "univariate", r"key '2.weight': expected shape \(1, 3\).*got \(2, 3\)"),
    (UNI_SD | {"0.weight": np.ones((3, 2))}, "univariate", r"key '0.weight': expected shape \(3, 1\)"),
    (UNI_SD | {"2.bias": np.ones(2)}, "univariate", r"key '2.bias': expected shape \(1,\)"),
    ({"fc.weight": np.ones((3, 1))}, "univariate", "no key '0.weight'"),
    ({"0.weight": np.ones((2, 3)), "2.weight": np.ones((1, 2))}, "homogeneous", "needs its activation named"),
])
def test_layout_errors_are_one_line(sd, kind, message):
    with pytest.raises(InputError, match=message) as info:
        net_from_state_dict(sd, kind)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("fmt", FORMATS)
def test_float64_round_trip_is_bitwise(tmp_path, fmt):
    rng = np.random.default_rng(3)
    net = UnivariateNet(rng.standard_normal(7), rng.standard_normal(7), rng.standard_normal(7) * 1e-300,
                        float(rng.standard_normal()) * 1e300)
    path = write_net(tmp_path / f"net.{fmt}", net)
    back, notes = read_net(path, "univariate")
    assert notes == []
    assert np.array_equal(_bits(back.to_vector()), _bits(net.to_vector()))
    h = HomogeneousNet(rng.standard_normal(4), rng.standard_normal((4, 3)), relu())
    back_h, _ = read_net(write_net(tmp_path / f"h.{fmt}", h), "homogeneous", activation="relu")
    assert np.array_equal(_bits(back_h.to_vector()), _bits(h.to_vector()))


@pytest.mark.parametrize("fmt", FORMATS)
def test_float32_is_widened_exactly_with_a_note(tmp_path, fmt):
    sd32 = {k: (v / 3).astype(np.float32) for k, v in UNI_SD.items()}   # /3: not representable in few bits
    write_state_dict(tmp_path / f"n.{fmt}", sd32)
    raw = read_state_dict(tmp_path / f"n.{fmt}")
    assert all(raw[k].dtype == np.float32 and np.array_equal(raw[k], sd32[k]) for k in sd32)
    net, notes = read_net(tmp_path / f"n.{fmt}", "univariate")
    assert notes and "float32" in notes[0] and "widened exactly to float64" in notes[0]
    assert net.w.tolist() == [float(t) for t in sd32["0.weight"][:, 0]]          # float(np.float32) is exact
    assert net.b.tolist() == [-float(t) for t in sd32["0.bias"]]


def test_json_form_is_documented_and_strict(tmp_path):
    write_state_dict(tmp_path / "n.json", UNI_SD)
    doc = json.loads((tmp_path / "n.json").read_text())
    assert doc["format"] == "flatproof.state_dict" and doc["version"] == 1
    assert doc["tensors"]["0.weight"] == {"dtype": "float64", "shape": [3, 1], "data": [[0.5], [-1.25], [3.0]]}
    bad = [({"format": "other"}, "expected a JSON object with"),
           (doc | {"version": 2}, "unsupported version"),
           ({**doc, "tensors": {"0.weight": {"dtype": "int64", "shape": [1], "data": [1]}}}, "dtype 'int64'"),
           ({**doc, "tensors": {"0.weight": {"dtype": "float64", "shape": [2], "data": [1.0]}}}, "shape says"),
           ({**doc, "tensors": {"0.weight": {"dtype": "float64", "shape": [1], "data": ["1"]}}}, "numbers"),
           ({**doc, "tensors": {"0.weight": {"dtype": "float32", "shape": [1], "data": [0.1]}}}, "not a float32")]
    for i, (d, message) in enumerate(bad):
        p = tmp_path / f"bad{i}.json"
        p.write_text(json.dumps(d))
        with pytest.raises(InputError, match=message) as info:
            read_state_dict(p)
        assert str(p) in str(info.value)
    (tmp_path / "nan.json").write_text('{"format": "flatproof.state_dict", "version": 1, "tensors": '
                                       '{"a": {"dtype": "float64", "shape": [1], "data": [NaN]}}}')
    with pytest.raises(InputError, match="not valid JSON"):
        read_state_dict(tmp_path / "nan.json")


def test_dtype_and_format_errors(tmp_path):
    np.savez(tmp_path / "i.npz", **{"0.weight": np.ones((2, 1), dtype=np.int64)})
    with pytest.raises(InputError, match="key '0.weight': dtype int64, expected float32 or float64"):
        read_state_dict(tmp_path / "i.npz")
    with pytest.raises(InputError, match="cannot tell the format"):
        read_state_dict(tmp_path / "net.bin")
    with pytest.raises(InputError, match="file not found"):
        read_state_dict(tmp_path / "none.json")


@pytest.mark.skipif(not HAS_ST, reason="safetensors not installed (pip install 'flatproof[torch]')")
def test_safetensors_bad_dtype_and_garbage(tmp_path):
    from safetensors.numpy import save_file
    save_file({"0.weight": np.ones((2, 1), dtype=np.float16)}, str(tmp_path / "h.safetensors"))
    with pytest.raises(InputError, match="dtype float16, expected float32 or float64"):
        read_state_dict(tmp_path / "h.safetensors")
    (tmp_path / "g.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{notjson")
    with pytest.raises(InputError, match="not a valid safetensors file"):
        read_state_dict(tmp_path / "g.safetensors")


def test_missing_extra_is_named(tmp_path, monkeypatch):
    import sys
    monkeypatch.setitem(sys.modules, "torch", None)            # import torch now fails
    monkeypatch.setitem(sys.modules, "safetensors", None)
    monkeypatch.setitem(sys.modules, "safetensors.numpy", None)
    (tmp_path / "n.pt").write_bytes(b"x")
    (tmp_path / "n.safetensors").write_bytes(b"x")
    for name in ("n.pt", "n.safetensors"):
        with pytest.raises(InputError, match=r"pip install 'flatproof\[torch\]'"):
            read_state_dict(tmp_path / name)


# ---- CSV ----------------------------------------------------------------------------------------------
def test_csv_headers(tmp_path):
    (tmp_path / "u.csv").write_text("x,y\n0.5,1\n-0.25,-1\n")
    assert {k: v.tolist() for k, v in read_csv(tmp_path / "u.csv").items()} == {"x": [0.5, -0.25], "y": [1.0, -1.0]}
    (tmp_path / "m.csv").write_text("x1,x2,x3,y\n1,2,3,4\n5,6,7,8\n")
    out = read_csv(tmp_path / "m.csv", "homogeneous")
    assert out["X"].tolist() == [[1, 2, 3], [5, 6, 7]] and out["y"].tolist() == [4, 8]


@pytest.mark.parametrize("text, kind, message", [
    ("a,b\n1,2\n", None, "header 'a,b', expected x,y"),
    ("x1,x3,y\n1,2,3\n", "homogeneous", "header 'x1,x3,y', expected x1,...,xd,y"),
    ("x1,x2,y\n1,2,3\n", "univariate", "expected x,y"),
    ("x,y\n1,2\n3\n", None, "line 3: 1 cells, the header has 2"),
    ("x,y\n1,abc\n", None, "line 2, column y: 'abc' is not a number"),
    ("x,y\n1,nan\n", None, "line 2, column y: 'nan' is not finite"),
    ("x,y\n", None, "a header but no data lines"),
    ("", None, "empty file"),
    ("y,x\n1,2\n", None, "header 'y,x'"),
    ("x1,y\n1,2\n", "trivariate", r"unknown model kind 'trivariate' \(univariate or homogeneous\)"),
])
def test_csv_errors(tmp_path, text, kind, message):
    (tmp_path / "d.csv").write_text(text)
    with pytest.raises(InputError, match=message) as info:
        read_csv(tmp_path / "d.csv", kind)
    assert "\n" not in str(info.value)


def test_csv_round_trip_is_exact(tmp_path):
    rng = np.random.default_rng(0)
    u = UnivariateData(rng.standard_normal(9) / 7, np.sign(rng.standard_normal(9)))
    m = MultiIndexData(rng.standard_normal((5, 3)) * 1e-17, rng.standard_normal(5))
    back_u = read_csv(write_csv(tmp_path / "u.csv", u), "univariate")
    back_m = read_csv(write_csv(tmp_path / "m.csv", m), "homogeneous")
    assert np.array_equal(_bits(back_u["x"]), _bits(u.x)) and np.array_equal(_bits(back_u["y"]), _bits(u.y))
    assert np.array_equal(_bits(back_m["X"]), _bits(m.X)) and np.array_equal(_bits(back_m["y"]), _bits(m.y))


def test_csv_without_a_kind_reads_x1_as_a_matrix_and_with_the_univariate_kind_as_x(tmp_path):
    (tmp_path / "d.csv").write_text("x1,y\n0.5,1\n")
    assert {k: v.shape for k, v in read_csv(tmp_path / "d.csv").items()} == {"X": (1, 1), "y": (1,)}
    assert {k: v.shape for k, v in read_csv(tmp_path / "d.csv", "univariate").items()} == {"x": (1,), "y": (1,)}
    assert {k: v.shape for k, v in read_csv(tmp_path / "d.csv", "homogeneous").items()} == {"X": (1, 1), "y": (1,)}


def test_roles_and_architecture_are_views_of_the_families():
    from flatproof.io import ARCHITECTURE, ROLES
    assert dict(ROLES) == {"univariate": {"hidden_weight": "0.weight", "hidden_bias": "0.bias",
                                          "output_weight": "2.weight", "output_bias": "2.bias"},
                           "homogeneous": {"hidden_weight": "0.weight", "output_weight": "2.weight"}}
    assert dict(ARCHITECTURE) == {
        "univariate": "nn.Sequential(nn.Linear(1, m), nn.ReLU(), nn.Linear(m, 1))",
        "homogeneous": "nn.Sequential(nn.Linear(d, m, bias=False), act, nn.Linear(m, 1, bias=False))"}


def test_state_dict_from_net_inverts_the_map():
    net, _ = net_from_state_dict(UNI_SD, "univariate")
    back = state_dict_from_net(net)
    assert set(back) == set(UNI_SD)
    assert all(np.array_equal(_bits(back[k]), _bits(UNI_SD[k])) and back[k].shape == UNI_SD[k].shape for k in back)
