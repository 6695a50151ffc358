"""PyTorch in and out: from_torch, Instance.verify, to_torch, weights_only, case files naming a network
file, `flatproof export`, save_case (issue 14). Skipped when torch is not installed."""

import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("safetensors")

import flatproof  # noqa: E402
from flatproof import InputError  # noqa: E402
from flatproof.casefile import load_case  # noqa: E402
from flatproof.io import read_net, read_state_dict, write_net  # noqa: E402
from flatproof.measure_case import load_measure_case  # noqa: E402

nn = torch.nn


def _bits(t):
    a = t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)
    return np.ascontiguousarray(a, dtype=np.float64).view(np.uint64)


def _univariate(m=6, seed=0, dtype=torch.float64):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(1, m), nn.ReLU(), nn.Linear(m, 1)).to(dtype)


def _data(n=15, seed=1):
    g = torch.Generator().manual_seed(seed)
    x = torch.rand(n, 1, generator=g, dtype=torch.float64) * 2 - 1
    y = torch.where(torch.rand(n, generator=g, dtype=torch.float64) < torch.sigmoid(3 * x[:, 0]), 1.0, -1.0)
    return x, y.to(torch.float64)


def test_torch_flatproof_torch_is_bitwise_and_outputs_equal():
    module = _univariate()
    x, y = _data()
    inst = flatproof.from_torch(module, x, y)
    back = inst.to_torch()
    for k, t in module.state_dict().items():
        assert back.state_dict()[k].dtype == torch.float64
        assert np.array_equal(_bits(back.state_dict()[k]), _bits(t)), k
    assert torch.equal(back(x), module(x))
    # and flatproof's f agrees with torch's forward pass to rounding
    assert np.allclose(inst.net(x[:, 0].numpy()), module(x)[:, 0].detach().numpy(), rtol=0, atol=1e-14)


def test_homogeneous_activation_read_from_the_module_and_round_trip():
    torch.manual_seed(2)
    for act, name in ((nn.ReLU(), "relu"), (nn.LeakyReLU(0.2), "leaky_relu(0.2)")):
        module = nn.Sequential(nn.Linear(3, 4, bias=False), act, nn.Linear(4, 1, bias=False)).double()
        X = torch.randn(8, 3, dtype=torch.float64)
        inst = flatproof.from_torch(module, X, module(X)[:, 0].detach(), loss="square")
        assert inst.kind == "homogeneous" and inst.net.activation.name == name
        back = inst.to_torch()
        assert torch.equal(back(X), module(X))
    power = nn.Sequential(nn.Linear(3, 4, bias=False), nn.Identity(), nn.Linear(4, 1, bias=False)).double()
    X = torch.randn(5, 3, dtype=torch.float64)
    with pytest.raises(InputError, match="needs its activation named"):
        flatproof.from_torch(power, X, torch.zeros(5), loss="square")
    inst = flatproof.from_torch(power, X, torch.zeros(5), loss="square", activation="relu^2")
    out = inst.to_torch()(X)[:, 0].detach().numpy()
    by_hand = np.maximum(X.numpy() @ power[0].weight.detach().numpy().T, 0) ** 2 @ power[2].weight.detach().numpy()[0]
    assert np.allclose(out, by_hand, rtol=1e-14, atol=0)


def test_float32_module_is_widened_and_the_verdict_says_so():
    module = _univariate(dtype=torch.float32)
    x, y = _data()
    inst = flatproof.from_torch(module, x.float(), y.float())
    assert inst.net.w.dtype == np.float64
    assert inst.net.w.tolist() == [float(t) for t in module[0].weight[:, 0].tolist()]
    verdict = inst.verify("logistic.weighted-tv")
    assert any("widened exactly to float64" in n for n in verdict.notes)


def test_instance_verify_matches_the_case_file_route(tmp_path):
    module = _univariate()
    x, y = _data()
    inst = flatproof.from_torch(module, x, y)
    v = inst.verify("univariate.eta-flat", eta=0.5)
    path = flatproof.save_case(tmp_path / "c.toml", inst, "univariate.eta-flat", params={"eta": 0.5})
    case = load_case(path)
    assert np.array_equal(_bits(case.instance.net.to_vector()), _bits(inst.net.to_vector()))
    assert np.array_equal(_bits(case.instance.data.x), _bits(inst.data.x))
    w = case.verify()
    assert (v.outcome, v.value, v.bound) == (w.outcome, w.value, w.bound)
    with pytest.raises(InputError, match="unknown parameter"):
        inst.verify("univariate.eta-flat", step=0.5)


def test_weights_only_refuses_a_pickled_module(tmp_path):
    torch.save(_univariate(), tmp_path / "whole.pt")           # the module object, not its state dict
    with pytest.raises(InputError, match="weights_only=True.*save model.state_dict") as info:
        read_state_dict(tmp_path / "whole.pt")
    assert "\n" not in str(info.value)
    torch.save({"0.weight": torch.ones(2, 1), "meta": "x"}, tmp_path / "meta.pt")
    with pytest.raises(InputError, match="key 'meta': holds a str, expected a tensor"):
        read_state_dict(tmp_path / "meta.pt")
    torch.save({"0.weight": torch.ones(2, 1, dtype=torch.bfloat16)}, tmp_path / "bf.pt")
    with pytest.raises(InputError, match="dtype bfloat16, expected float32 or float64"):
        read_state_dict(tmp_path / "bf.pt")
    (tmp_path / "junk.pt").write_bytes(b"not a zip file")
    with pytest.raises(InputError, match="cannot read it as a PyTorch file"):
        read_state_dict(tmp_path / "junk.pt")


def test_pt_prefix_and_float32(tmp_path):
    class Wrapper(nn.Module):
        def __init__(self):
            super().__init__()
            self.model = _univariate(dtype=torch.float32)
    w = Wrapper()
    torch.save(w.state_dict(), tmp_path / "w.pth")
    net, notes = read_net(tmp_path / "w.pth", "univariate")
    assert notes and "float32" in notes[0]
    assert net.b.tolist() == [-float(t) for t in w.model[0].bias.tolist()]


CASE = """[case]
claim = "logistic.weighted-tv"
[data]
file = "train.csv"
[model]
kind = "univariate"
file = "{net}"
{extra}
"""


@pytest.mark.parametrize("suffix", ["safetensors", "pt", "json", "npz"])
def test_case_file_names_the_network_and_the_data(tmp_path, suffix):
    module = _univariate()
    x, y = _data()
    inst = flatproof.from_torch(module, x, y)
    flatproof.io.write_csv(tmp_path / "train.csv", inst.data)
    write_net(tmp_path / f"net.{suffix}", inst.net)
    (tmp_path / "c.toml").write_text(CASE.format(net=f"net.{suffix}", extra=""))
    case = load_case(tmp_path / "c.toml")
    assert np.array_equal(_bits(case.instance.net.to_vector()), _bits(inst.net.to_vector()))
    assert case.verify().outcome == inst.verify("logistic.weighted-tv").outcome


def test_case_file_format_prefix_keys_and_errors(tmp_path):
    module = _univariate(dtype=torch.float32)
    x, y = _data()
    flatproof.io.write_csv(tmp_path / "train.csv", flatproof.from_torch(module, x, y).data)
    sd = {f"fc{1 if k[0] == '0' else 2}.{k[2:]}": t for k, t in module.state_dict().items()}
    torch.save(sd, tmp_path / "weights.bin")
    keys = ('keys = { hidden_weight = "fc1.weight", hidden_bias = "fc1.bias", output_weight = "fc2.weight", '
            'output_bias = "fc2.bias" }')
    (tmp_path / "c.toml").write_text(CASE.format(net="weights.bin", extra='format = "pt"\n' + keys))
    case = load_case(tmp_path / "c.toml")
    assert case.instance.net.w.tolist() == [float(t) for t in module[0].weight[:, 0].tolist()]
    assert "widened exactly" in case.instance.provenance["notes"][0]
    bad = [(CASE.format(net="weights.bin", extra=""), "model.file", "cannot tell the format"),
           (CASE.format(net="weights.bin", extra='format = "pt"'), "model.file", "no key '0.weight'"),
           (CASE.format(net="weights.bin", extra='format = "onnx"'), "model.format", "unknown format 'onnx'"),
           (CASE.format(net="nope.safetensors", extra=""), "model.file", "file not found"),
           (CASE.format(net="weights.bin", extra='format = "pt"\nkeys = { hidden_weight = "fc1.weight" }'),
            "model.file", "lacks the role 'hidden_bias'"),
           (CASE.replace('file = "train.csv"', 'file = "train.csv"\nprefix = "a"').format(net="w", extra=""),
            "data.prefix", r"only a \[model\] file")]
    for text, field, message in bad:
        (tmp_path / "bad.toml").write_text(text)
        with pytest.raises(InputError, match=message) as info:
            load_case(tmp_path / "bad.toml")
        assert info.value.field == field and str(tmp_path / "bad.toml") in str(info.value), text


def _run(*args, cwd):
    import os
    from pathlib import Path
    root = str(Path(flatproof.__file__).parents[1])          # this checkout's flatproof, whatever the cwd
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "flatproof", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=env)


def test_export_command_round_trip(tmp_path):
    import flatproof as fp
    root = __import__("pathlib").Path(fp.__file__).parents[1]
    for case in ("cases/logistic-weighted-tv.toml", "cases/measure-homogeneous.toml"):
        out = tmp_path / "net.safetensors"
        res = _run("export", str(root / case), "--to", str(out), cwd=root)
        assert res.returncode == 0, res.stderr
        loaded = load_case(root / case).instance.net if "measure" not in case else \
            load_measure_case(root / case).oracle.net
        kind = "univariate" if "logistic" in case else "homogeneous"
        back, _ = read_net(out, kind, activation="relu")
        assert np.array_equal(_bits(back.to_vector()), _bits(loaded.to_vector()))
    res = _run("export", str(root / "cases/logistic-weighted-tv.toml"), "--to", str(tmp_path / "x.onnx"), cwd=root)
    assert res.returncode == 2 and res.stderr.count("\n") == 1 and "cannot tell the format" in res.stderr


def test_lambda_max_equals_autograd_hessian():
    """flatproof's λ_max against the eigenvalues of torch's autograd Hessian of the same loss."""
    module = _univariate(m=5, seed=4)
    x, y = _data(n=12, seed=5)
    inst = flatproof.from_torch(module, x, y)
    params = [p for p in module.parameters()]
    shapes = [p.shape for p in params]
    flat0 = torch.cat([p.detach().reshape(-1) for p in params])

    def loss(flat):
        out, i = [], 0
        for s in shapes:
            k = int(np.prod(s))
            out.append(flat[i:i + k].reshape(s))
            i += k
        w0, b0, w2, b2 = out
        f = (torch.relu(x @ w0.T + b0) @ w2.T + b2)[:, 0]
        return torch.nn.functional.softplus(-y * f).mean()
    H = torch.autograd.functional.hessian(loss, flat0)
    lam_torch = float(torch.linalg.eigvalsh(H)[-1])
    lam = flatproof.lambda_max(inst.oracle(), tol=1e-12).value
    assert abs(lam - lam_torch) <= 1e-10 * abs(lam_torch)
    assert abs(inst.oracle().loss() - float(loss(flat0))) <= 1e-14


def test_cli_verify_and_measure_read_a_float32_safetensors_network(tmp_path):
    from safetensors.torch import save_file
    module = _univariate(dtype=torch.float32)
    x, y = _data()
    flatproof.io.write_csv(tmp_path / "train.csv", flatproof.from_torch(module, x, y).data)
    save_file(module.state_dict(), str(tmp_path / "net.safetensors"))
    (tmp_path / "c.toml").write_text(CASE.format(net="net.safetensors", extra=""))
    res = _run("verify", str(tmp_path / "c.toml"), cwd=tmp_path)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "float32 weights (0.weight, 0.bias, 2.weight, 2.bias) widened exactly to float64" in res.stdout
    (tmp_path / "m.toml").write_text('[model]\nkind = "univariate"\nfile = "net.safetensors"\n'
                                     '[data]\nfile = "train.csv"\n[loss]\nkind = "logistic"\n')
    res = _run("measure", "--json", str(tmp_path / "m.toml"), cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    import json
    lam = json.loads(res.stdout)["lambda_max"]["value"]
    inst = flatproof.from_torch(module, x, y)                 # the data as written to train.csv
    assert lam == pytest.approx(flatproof.lambda_max(inst.oracle()).value, rel=1e-12)


def test_homogeneous_case_file_with_prefix_and_activation(tmp_path):
    torch.manual_seed(7)
    inner = nn.Sequential(nn.Linear(3, 5, bias=False), nn.ReLU(), nn.Linear(5, 1, bias=False)).double()
    outer = nn.Module()
    outer.model = inner
    X = torch.randn(9, 3, dtype=torch.float64)
    inst = flatproof.from_torch(inner, X, inner(X)[:, 0].detach(), loss="square")
    flatproof.io.write_csv(tmp_path / "train.csv", inst.data)
    assert (tmp_path / "train.csv").read_text().startswith("x1,x2,x3,y\n")
    torch.save(outer.state_dict(), tmp_path / "net.pth")
    text = ('[case]\nclaim = "homogeneous.relu-sample-bound"\n[data]\nfile = "train.csv"\n'
            '[model]\nkind = "homogeneous"\nfile = "net.pth"\nprefix = "model"\nactivation = "{act}"\n')
    (tmp_path / "c.toml").write_text(text.format(act="relu"))
    case = load_case(tmp_path / "c.toml")
    assert np.array_equal(_bits(case.instance.net.W), _bits(inner[0].weight))
    assert np.array_equal(_bits(case.instance.net.a), _bits(inner[2].weight[0]))
    assert case.verify().outcome == inst.verify("homogeneous.relu-sample-bound").outcome
    (tmp_path / "c.toml").write_text(text.format(act="relu^2"))
    assert load_case(tmp_path / "c.toml").instance.net.activation.name == "relu^2"
