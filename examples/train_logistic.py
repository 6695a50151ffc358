"""Verify the network you trained: full-batch GD at step η on logistic data, in PyTorch, then flatproof.

    python3 train_logistic.py [--out DIR] [--eta 2.0] [--steps 3000]

1. Draws n points from a known law (x ~ U[−1, 1], P(y = 1 | x) = s(3 sin 2x)) and writes them to
   DIR/train.csv.
2. Trains ``nn.Sequential(nn.Linear(1, m), nn.ReLU(), nn.Linear(m, 1))`` in float64 with full-batch GD
   (``torch.optim.SGD``, no momentum) at step η on L = (1/n) Σ log(1 + e^{−y f(x)}), and saves the
   state dict to DIR/net.safetensors.
3. Verifies, with flatproof, η-flatness (λ_max ≤ 2/η), the curvature-weighted TV bound of flatproof
   math U.4 and the uncertain set U_δ, once from Python (``flatproof.from_torch``) and once from a case
   file that names the two files (DIR/weighted-tv.toml, also ``python3 -m flatproof verify`` on it).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

import flatproof
from flatproof.io import write_csv


def make_data(n: int, seed: int):
    task = flatproof.LogisticTask(flatproof.uniform(-1.0, 1.0), flatproof.parse_expression("3*sin(2*x)"), 0.0)
    return task, task.sample(n, np.random.default_rng(seed))


def train(x, y, width: int, eta: float, steps: int, seed: int):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(1, width), torch.nn.ReLU(), torch.nn.Linear(width, 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=eta)
    X, Y = torch.tensor(x)[:, None], torch.tensor(y)
    for _ in range(steps):
        opt.zero_grad()
        loss = torch.nn.functional.softplus(-Y * model(X)[:, 0]).mean()
        loss.backward()
        opt.step()
    return model, float(loss.detach())


CASE = """# The network trained by examples/train_logistic.py, checked against the U.4 bound.
[case]
claim = "logistic.weighted-tv"
[data]
file = "train.csv"
law = "uniform"
logit = "3*sin(2*x)"
[model]
kind = "univariate"
file = "net.safetensors"
[params]
eta = {eta}
"""


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="train-logistic-out")
    ap.add_argument("--n", type=int, default=40)
    ap.add_argument("--width", type=int, default=20)
    ap.add_argument("--eta", type=float, default=2.0)
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    task, data = make_data(args.n, args.seed)
    write_csv(out / "train.csv", data)
    model, loss = train(data.x, data.y, args.width, args.eta, args.steps, args.seed)
    save_file(model.state_dict(), str(out / "net.safetensors"))
    print(f"trained: width {args.width}, {args.steps} GD steps at η = {args.eta:g}, final loss {loss:.6g}")

    inst = flatproof.from_torch(model, data.x, data.y, loss="logistic")
    print(inst)
    print(flatproof.measure(inst.oracle(), eta=args.eta))
    for claim, params in (("univariate.eta-flat", {"eta": args.eta}),
                          ("logistic.weighted-tv", {"eta": args.eta}),
                          ("logistic.uncertain-set", {"delta": 0.1})):
        print(inst.verify(claim, **params))

    (out / "weighted-tv.toml").write_text(CASE.format(eta=args.eta))
    case = flatproof.load_case(out / "weighted-tv.toml")
    print(f"from the case file {out / 'weighted-tv.toml'}:", case.verify())


if __name__ == "__main__":
    main()
