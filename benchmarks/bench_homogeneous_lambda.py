"""Homogeneous network: λ_max by flatproof's fused HVP + ARPACK against torch.func HVP + the same ARPACK.

Usage (by hand; torch comes with the `bench` extra):

    python benchmarks/bench_homogeneous_lambda.py [--n 10000 --d 100 --m 1000 --threads 0]

One instance (ReLU, square loss of M.1 at a random, non-interpolating θ so both Hessian parts count),
p = m(d + 1). In one run it measures:
  * the time of one flatproof HVP against the two n × d × m products it needs (X U_Wᵀ and Mᵀ X, timed
    on the same arrays): the per-HVP overhead beyond BLAS;
  * λ_max to relative tolerance 1e-8 by flatproof (oracle set-up + ARPACK eigsh on its HVP) and by
    torch.func (jvp of grad, forward-over-reverse, float64, CPU) feeding the same eigsh with the same
    start vector; both λ_max values and the ratio of times.
`--threads N` sets torch's and BLAS's thread count (0: leave the defaults).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

import flatproof as fp

TOL = 1e-8


def limit_threads(n: int) -> None:
    """Hold torch and BLAS to n threads (0: leave the defaults)."""
    if n:
        import torch
        from threadpoolctl import threadpool_limits
        torch.set_num_threads(n)
        threadpool_limits(n)


def instance(n, d, m, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.maximum(X[:, 0], 0) + 0.1 * rng.standard_normal(n)
    W = rng.standard_normal((m, d)) / np.sqrt(d)
    a = rng.standard_normal(m) / np.sqrt(m)
    return (fp.HomogeneousProblem(fp.MultiIndexData(X, y), fp.square_loss(1.0)),
            fp.HomogeneousNet(a, W, fp.relu()))


def best_of(fn, repeats=5):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def eig_top(matvec, p, v0):
    op = LinearOperator((p, p), matvec=matvec, dtype=float)
    vals, vecs = eigsh(op, k=1, which="LA", tol=TOL, v0=v0, ncv=20)
    return float(vals[0]), vecs[:, 0]


def torch_hvp(problem, net):
    import torch
    from torch.func import grad, jvp
    X = torch.tensor(problem.data.X)
    y = torch.tensor(problem.data.y)
    m, d = net.W.shape

    def loss(theta):
        a, W = theta[:m], theta[m:].reshape(m, d)
        f = torch.relu(X @ W.T) @ a
        return ((f - y) ** 2).mean()

    theta0 = torch.tensor(net.to_vector())
    g = grad(loss)

    def hvp(u):
        return jvp(g, (theta0,), (torch.from_numpy(np.ascontiguousarray(u)),))[1].numpy()
    return hvp


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--m", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=0)
    args = ap.parse_args()
    limit_threads(args.threads)
    problem, net = instance(args.n, args.d, args.m)
    o = fp.HomogeneousOracle(problem, net, at_kink="convention")
    p = o.num_params
    rng = np.random.default_rng(1)
    u = rng.standard_normal(p)
    UW = u[args.m:].reshape(args.m, args.d)
    M = rng.standard_normal((args.n, args.m))
    o.hvp(u)                                                  # the once-per-oracle cross term
    t_products = best_of(lambda: (o.X @ UW.T, M.T @ o.X))
    t_hvp = best_of(lambda: o.hvp(u))
    rec = {"n": args.n, "d": args.d, "m": args.m, "p": p, "kinks": o.kinks.count,
           "hvp_seconds": t_hvp, "two_products_seconds": t_products, "hvp_over_products": t_hvp / t_products}
    print(json.dumps(rec), flush=True)

    v0 = rng.standard_normal(p)
    t0 = time.perf_counter()
    o2 = fp.HomogeneousOracle(problem, net, at_kink="convention")
    count = [0]

    def mv(x):
        count[0] += 1
        return o2.hvp(x)
    lam_fp, vec = eig_top(mv, p, v0)
    t_fp = time.perf_counter() - t0
    res_fp = np.linalg.norm(o2.hvp(vec) - lam_fp * vec) / lam_fp
    rec["flatproof"] = {"seconds": t_fp, "lambda_max": lam_fp, "n_matvec": count[0], "rel_residual": float(res_fp)}
    print(json.dumps(rec["flatproof"]), flush=True)

    t0 = time.perf_counter()
    hvp = torch_hvp(problem, net)
    count_t = [0]

    def mv_t(x):
        count_t[0] += 1
        return hvp(x)
    lam_t, vec_t = eig_top(mv_t, p, v0)
    t_t = time.perf_counter() - t0
    res_t = np.linalg.norm(o2.hvp(vec_t) - lam_t * vec_t) / lam_t
    rec["torch_func_eigsh"] = {"seconds": t_t, "lambda_max": lam_t, "n_matvec": count_t[0],
                               "rel_residual_by_flatproof_hvp": float(res_t)}
    rec["speedup"] = t_t / t_fp
    rec["lambda_rel_diff"] = abs(lam_t - lam_fp) / lam_fp
    print(json.dumps(rec, indent=2))


if __name__ == "__main__":
    main()
