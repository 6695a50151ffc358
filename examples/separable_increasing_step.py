"""Flat at infinity, on a network you trained: GD with an increasing step on separable data.

    python3 separable_increasing_step.py [--out DIR] [--steps 2000]

On data whose labels the network separates, the logistic loss has no minimiser: GD drives ‖θ‖ to
infinity, the loss and λ_max(∇²L) to 0, so ever larger steps stay stable (2/η grows slower than
1/λ_max shrinks). This script trains ``nn.Sequential(nn.Linear(1, m), nn.ReLU(), nn.Linear(m, 1))``
with full-batch GD at a step that grows geometrically, prints flatproof's λ_max, 2/η, the margin and
the training error along the way, and then checks the flat-at-infinity claim of flatproof math U.5 on
the trained network θ: for every ε > 0 a rescaling θ_c = (cv, cw, cb, c²β) of it is ε-flat, separates
the training data, and has the population error of sign f_θ (which, against the known data law,
exceeds the Bayes error).
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

import flatproof
from flatproof.io import write_csv


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="separable-out")
    ap.add_argument("--n", type=int, default=16)
    ap.add_argument("--width", type=int, default=24)
    ap.add_argument("--eta0", type=float, default=0.5)
    ap.add_argument("--growth", type=float, default=1.002, help="η_t = η0 · growth^t")
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    # labels follow sign(sin 3x) except near its zeros: a steep logit, no flips
    task = flatproof.LogisticTask(flatproof.uniform(-1.0, 1.0), flatproof.parse_expression("20*sin(3*x)"), 0.0)
    data = task.sample(args.n, np.random.default_rng(args.seed))
    write_csv(out / "train.csv", data)

    torch.manual_seed(args.seed)
    model = torch.nn.Sequential(torch.nn.Linear(1, args.width), torch.nn.ReLU(),
                                torch.nn.Linear(args.width, 1)).double()
    X, Y = torch.tensor(data.x)[:, None], torch.tensor(data.y)
    opt = torch.optim.SGD(model.parameters(), lr=args.eta0)
    print(f"{'step':>6} {'η':>9} {'2/η':>9} {'λ_max':>11} {'loss':>11} {'margin':>9} {'train err':>9}")
    for t in range(args.steps + 1):
        eta = args.eta0 * args.growth ** t
        if t % (args.steps // 8) == 0 or t == args.steps:
            inst = flatproof.from_torch(model, data.x, data.y)
            lam = flatproof.lambda_max(inst.oracle()).value
            margin = float(np.min(data.y * inst.net(data.x)))
            err = float(np.mean(np.sign(inst.net(data.x)) != data.y))
            print(f"{t:6d} {eta:9.4g} {2 / eta:9.4g} {lam:11.4e} {inst.oracle().loss():11.4e} {margin:9.3g} {err:9.3g}")
        if t == args.steps:
            break
        for group in opt.param_groups:
            group["lr"] = eta
        opt.zero_grad()
        torch.nn.functional.softplus(-Y * model(X)[:, 0]).mean().backward()
        opt.step()
    save_file(model.state_dict(), str(out / "net.safetensors"))

    trained = flatproof.from_torch(model, data.x, data.y)
    # the claim is about the rescalings θ_c of this θ (c ≥ 1), under the known law of the data
    inst = dataclasses.replace(trained, task=task, base_net=trained.net, scale=1.0,
                               provenance=trained.provenance | {"construction": "trained by GD (this script)"})
    print(inst.verify("logistic.flat-at-infinity", epsilon=1e-6))


if __name__ == "__main__":
    main()
