"""The homogeneous network on a multi-index target: train in PyTorch, verify with flatproof.

    python3 homogeneous_multi_index.py [--out DIR] [--activation relu|relu^2]

Draws X ~ N(0, I_d) and y = Σ_ℓ σ(u_ℓᵀx) for r orthonormal directions U (flatproof's multi-index
generator, seeded), trains ``nn.Sequential(nn.Linear(d, m, bias=False), act, nn.Linear(m, 1, bias=False))``
with full-batch GD on L̂ = (1/n) Σ (f(x_i) − y_i)², saves it (DIR/net.pt, a state dict) and checks, with
flatproof (math M.1–M.3): the curvature measures, the ReLU per-sample bound F ≥ F_sym ≥ (4/n)Σ…,
and the conservation law q_j = ‖w_j‖² − k a_j² with its exact GD drift, starting from the trained θ.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import torch

import flatproof
from flatproof.io import write_csv


class Power(torch.nn.Module):
    """σ(t) = (t)_+^k."""

    def __init__(self, k: int):
        super().__init__()
        self.k = k

    def forward(self, t):
        return torch.relu(t) ** self.k


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default="multi-index-out")
    ap.add_argument("--d", type=int, default=5)
    ap.add_argument("--r", type=int, default=2)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--width", type=int, default=12)
    ap.add_argument("--activation", default="relu", choices=["relu", "relu^2"])
    ap.add_argument("--eta", type=float, default=0.05)
    ap.add_argument("--steps", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    rng = np.random.default_rng(args.seed)
    link = flatproof.parse_expression("relu(x)")
    task = flatproof.MultiIndexTask.random(args.d, args.r, link, 0.0, rng)
    data = task.sample(args.n, rng)
    write_csv(out / "train.csv", data)

    torch.manual_seed(args.seed)
    act = torch.nn.ReLU() if args.activation == "relu" else Power(2)
    model = torch.nn.Sequential(torch.nn.Linear(args.d, args.width, bias=False), act,
                                torch.nn.Linear(args.width, 1, bias=False)).double()
    X, Y = torch.tensor(data.X), torch.tensor(data.y)
    opt = torch.optim.SGD(model.parameters(), lr=args.eta)
    for _ in range(args.steps):
        opt.zero_grad()
        loss = ((model(X)[:, 0] - Y) ** 2).mean()
        loss.backward()
        opt.step()
    torch.save(model.state_dict(), out / "net.pt")
    print(f"trained: d = {args.d}, r = {args.r}, n = {args.n}, width {args.width}, σ = {args.activation}, "
          f"{args.steps} GD steps at η = {args.eta:g}, training MSE {float(loss.detach()):.3e}")

    inst = flatproof.from_torch(model, data.X, data.y, loss="square", activation=args.activation)
    print(inst)
    print(flatproof.measure(inst.oracle(), eta=args.eta))
    if args.activation == "relu":
        print(inst.verify("homogeneous.relu-sample-bound"))
    print(inst.verify("homogeneous.conservation", eta=args.eta, steps=100))


if __name__ == "__main__":
    main()
