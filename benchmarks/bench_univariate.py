"""Univariate logistic Hessian: flatproof's fast-path Lanczos against autograd HVP + power iteration.

Usage (by hand; torch comes with the `bench` extra):

    python benchmarks/bench_univariate.py speedup [--n 10000] [--torch-budget 600]
    python benchmarks/bench_univariate.py scale   [--n 1000000]

`speedup`: on one instance (n = m), times λ_max to relative residual 1e-8 by
  (a) flatproof: UnivariateFast set-up + ARPACK Lanczos on its O(n + m) HVP, and
  (b) the baseline PyHessian uses: power iteration on torch autograd Hessian-vector products
      (double backward, CPU, float64), stopped at the same relative residual ‖Hu − λu‖/|λ| ≤ 1e-8
      or at the time budget (then the ratio is a lower bound and says so).
  Both λ_max values are printed, and each method's residual is recomputed with flatproof's HVP.
`scale`: λ_max at n = m = 1e6 in a fresh process: wall time and peak resident memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import numpy as np

import flatproof as fp

TOL = 1e-8


def instance(n: int, m: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("3*sin(2*x)"), flip=0.1)
    data = task.sample(n, rng)
    w = rng.normal(size=m)
    xs = np.sort(data.x)                      # knots midway between neighbouring points: no kinks
    wide = np.flatnonzero(np.diff(xs) > 1e-7)  # (a few gaps of 1e-6 points are narrower than the tolerance)
    k = wide[rng.integers(0, wide.size, m)]
    t = 0.5 * (xs[k] + xs[k + 1])
    net = fp.UnivariateNet(rng.normal(size=m) / np.sqrt(m), w, w * t, 0.0)
    return fp.UnivariateProblem(data, fp.logistic_loss()), net


def flatproof_lambda_max(problem, net):
    t0 = time.perf_counter()
    oracle = fp.UnivariateFast(problem, net)
    res = fp.lambda_max(oracle, tol=TOL)
    return time.perf_counter() - t0, res, oracle


def torch_power_iteration(problem, net, budget: float):
    import torch
    torch.set_default_dtype(torch.float64)
    x = torch.tensor(problem.data.x)
    y = torch.tensor(problem.data.y)
    params = [torch.tensor(a, requires_grad=True) for a in (net.v, net.w, net.b, np.array([net.beta]))]

    def loss_fn():
        v, w, b, beta = params
        f = torch.relu(x[:, None] * w[None, :] - b[None, :]) @ v + beta
        return torch.nn.functional.softplus(-y * f).mean()

    t0 = time.perf_counter()
    loss = loss_fn()
    grads = torch.autograd.grad(loss, params, create_graph=True)

    def hvp(vecs):
        return torch.autograd.grad(grads, params, grad_outputs=vecs, retain_graph=True)

    gen = torch.Generator().manual_seed(0)
    u = [torch.randn(p.shape, generator=gen) for p in params]
    norm = torch.sqrt(sum((a * a).sum() for a in u))
    u = [a / norm for a in u]
    lam, iters, rel_res = float("nan"), 0, float("inf")
    while True:
        Hu = hvp(u)
        iters += 1
        lam = float(sum((a * h).sum() for a, h in zip(u, Hu, strict=True)))
        rel_res = float(torch.sqrt(sum(((h - lam * a) ** 2).sum() for a, h in zip(u, Hu, strict=True)))) / abs(lam)
        if rel_res <= TOL or time.perf_counter() - t0 > budget:
            break
        norm = torch.sqrt(sum((h * h).sum() for h in Hu))
        u = [h / norm for h in Hu]
    vec = np.concatenate([a.detach().numpy().reshape(-1) for a in u])
    return time.perf_counter() - t0, lam, iters, rel_res <= TOL, vec


def speedup(args):
    problem, net = instance(args.n, args.n)
    t_fp, res, oracle = flatproof_lambda_max(problem, net)
    rec = {"n": args.n, "m": args.n, "tol": TOL,
           "flatproof": {"seconds": t_fp, "lambda_max": res.value, "rel_residual": res.residuals[0] / abs(res.value),
                         "converged": res.converged, "n_matvec": res.n_matvec}}
    print(json.dumps(rec["flatproof"]), flush=True)
    t_t, lam_t, iters, conv, vec = torch_power_iteration(problem, net, args.torch_budget)
    u = vec / np.linalg.norm(vec)
    check = np.linalg.norm(oracle.hvp(u) - lam_t * u) / abs(lam_t)
    rec["torch_power_iteration"] = {"seconds": t_t, "lambda_max": lam_t, "iterations": iters, "converged": conv,
                                    "rel_residual_by_flatproof_hvp": float(check)}
    ratio = t_t / t_fp
    rec["speedup"] = ratio
    rec["speedup_is_lower_bound"] = not conv
    print(json.dumps(rec, indent=2))


def scale(args):
    code = (
        "import json, resource, time, sys; sys.path.insert(0, 'benchmarks');"
        "from bench_univariate import instance, flatproof_lambda_max;"
        f"problem, net = instance({args.n}, {args.n});"
        "t, res, _ = flatproof_lambda_max(problem, net);"
        "print(json.dumps({'seconds': t, 'lambda_max': res.value, 'rel_residual': res.residuals[0] / abs(res.value),"
        " 'converged': res.converged, 'n_matvec': res.n_matvec,"
        " 'peak_rss_MB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    rec = json.loads(out.stdout)
    rec.update({"n": args.n, "m": args.n})
    print(json.dumps(rec, indent=2))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("speedup")
    s.add_argument("--n", type=int, default=10_000)
    s.add_argument("--torch-budget", type=float, default=600.0)
    c = sub.add_parser("scale")
    c.add_argument("--n", type=int, default=1_000_000)
    args = ap.parse_args()
    {"speedup": speedup, "scale": scale}[args.cmd](args)


if __name__ == "__main__":
    main()
