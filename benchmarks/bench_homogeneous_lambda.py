"""Homogeneous network: λ_max by flatproof against torch.func HVP + scipy's eigsh, and one HVP against its floor.

Usage (by hand; torch comes with the `bench` extra):

    python benchmarks/bench_homogeneous_lambda.py [--n 10000 --d 100 --m 1000 --threads 0]

One instance (ReLU, square loss of M.1 at a random, non-interpolating θ so both Hessian parts count),
p = m(d + 1). In one run it measures:
  * one flatproof HVP against its floor, the two n × m × d products it is made of (S' V and S'ᵀ Y, timed on
    the same arrays): the per-HVP overhead beyond BLAS;
  * λ_max to relative tolerance 1e-8 end to end: flatproof (oracle set-up + ``fp.lambda_max``, thick-restart
    Lanczos) against torch.func (jvp of grad, forward-over-reverse, float64, CPU) feeding ARPACK's eigsh
    (ncv = 20, the same random start), the way a user would call it;
  * the same torch HVP inside flatproof's Lanczos, which separates the HVP's share of the speed-up from the
    solver's.
Every λ_max's relative residual ‖Hv − λv‖/λ is recomputed with flatproof's HVP (equal accuracy).
`--threads N` sets torch's and BLAS's thread count (0: leave the defaults).

With ``--certified`` it instead brackets λ_max rigorously (:mod:`flatproof.measures.rigorous_homogeneous`):
the float Lanczos λ_max, the certified bracket [Rayleigh lower bound, upper bound], its relative width, the
three pieces of the upper bound and the time of each step.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable

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


def instance(n: int, d: int, m: int, seed: int = 0) -> tuple[fp.HomogeneousProblem, fp.HomogeneousNet]:
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    y = np.maximum(X[:, 0], 0) + 0.1 * rng.standard_normal(n)
    W = rng.standard_normal((m, d)) / np.sqrt(d)
    a = rng.standard_normal(m) / np.sqrt(m)
    return (fp.HomogeneousProblem(fp.MultiIndexData(X, y), fp.square_loss(1.0)),
            fp.HomogeneousNet(a, W, fp.relu()))


def interleaved(first: Callable[[], object], second: Callable[[], object], repeats: int = 7) -> tuple[float, float]:
    """Best times of two functions run alternately, so that a load change on a shared machine hits both."""
    t1, t2 = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        first()
        t1.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        second()
        t2.append(time.perf_counter() - t0)
    return min(t1), min(t2)


def torch_hvp(problem: fp.HomogeneousProblem, net: fp.HomogeneousNet) -> Callable[[np.ndarray], np.ndarray]:
    import torch
    from torch.func import grad, jvp
    X = torch.tensor(problem.data.X)
    y = torch.tensor(problem.data.y)
    m, d = net.W.shape

    def loss(theta: torch.Tensor) -> torch.Tensor:
        a, W = theta[:m], theta[m:].reshape(m, d)
        f = torch.relu(X @ W.T) @ a
        return ((f - y) ** 2).mean()

    theta0 = torch.tensor(net.to_vector())
    g = grad(loss)

    def hvp(u: np.ndarray) -> np.ndarray:
        return jvp(g, (theta0,), (torch.from_numpy(np.ascontiguousarray(u)),))[1].numpy()
    return hvp


def counted(fn: Callable[[np.ndarray], np.ndarray]) -> tuple[Callable[[np.ndarray], np.ndarray], list[int]]:
    count = [0]

    def mv(x: np.ndarray) -> np.ndarray:
        count[0] += 1
        return fn(np.asarray(x, dtype=float).reshape(-1))
    return mv, count


def certified(problem: fp.HomogeneousProblem, net: fp.HomogeneousNet) -> None:
    from flatproof.measures.rigorous_homogeneous import HomogeneousIntervals
    t0 = time.perf_counter()
    res = fp.lambda_max(fp.HomogeneousOracle(problem, net, at_kink="convention"), tol=1e-10)
    t1 = time.perf_counter()
    enc = HomogeneousIntervals(problem, net)
    t2 = time.perf_counter()
    up = enc.lambda_max_upper()
    t3 = time.perf_counter()
    lo = float(enc.rayleigh(res.eigenvectors[:, 0]).lo)
    t4 = time.perf_counter()
    print(json.dumps({"lambda_max_float": res.value, "certified": [lo, up.hi], "rel_width": (up.hi - lo) / lo,
                      "upper_pieces": {"gauss_newton_a": up.gauss_newton_a, "gauss_newton_w": up.gauss_newton_w,
                                       "functional": up.functional},
                      "seconds": {"float_lanczos": t1 - t0, "interval_setup": t2 - t1, "upper": t3 - t2,
                                  "rayleigh_lower": t4 - t3}}, indent=2))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10_000)
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--m", type=int, default=1000)
    ap.add_argument("--threads", type=int, default=0)
    ap.add_argument("--certified", action="store_true", help="the certified λ_max bracket instead")
    args = ap.parse_args()
    limit_threads(args.threads)
    problem, net = instance(args.n, args.d, args.m)
    if args.certified:
        certified(problem, net)
        return
    o = fp.HomogeneousOracle(problem, net, at_kink="convention")
    p = o.num_params
    rng = np.random.default_rng(1)
    u = rng.standard_normal(p)
    V = rng.standard_normal((args.m, args.d))
    Y = rng.standard_normal((args.n, args.d))
    o.hvp(u)                                                  # the once-per-oracle cross term and buffers
    t_products, t_hvp = interleaved(lambda: (o.S1 @ V, o.S1.T @ Y), lambda: o.hvp(u))
    rec: dict = {"n": args.n, "d": args.d, "m": args.m, "p": p, "kinks": o.kinks.count,
                 "hvp_seconds": t_hvp, "floor_two_products_seconds": t_products, "hvp_over_floor": t_hvp / t_products}
    print(json.dumps(rec), flush=True)

    def check(vec: np.ndarray, lam: float) -> float:
        vec = vec / np.linalg.norm(vec)
        return float(np.linalg.norm(o.hvp(vec) - lam * vec) / abs(lam))

    t0 = time.perf_counter()
    res = fp.lambda_max(fp.HomogeneousOracle(problem, net, at_kink="convention"), tol=TOL, seed=2)
    t_fp = time.perf_counter() - t0
    rec["flatproof"] = {"seconds": t_fp, "lambda_max": res.value, "n_matvec": res.n_matvec, "method": res.method,
                        "converged": res.converged, "rel_residual": check(res.eigenvectors[:, 0], res.value)}
    print(json.dumps(rec["flatproof"]), flush=True)

    v0 = np.random.default_rng(2).standard_normal(p)
    t0 = time.perf_counter()
    mv_t, count_t = counted(torch_hvp(problem, net))
    vals, vecs = eigsh(LinearOperator((p, p), matvec=mv_t, dtype=float), k=1, which="LA", tol=TOL, v0=v0, ncv=20)
    t_t = time.perf_counter() - t0
    rec["torch_func_eigsh"] = {"seconds": t_t, "lambda_max": float(vals[0]), "n_matvec": count_t[0],
                               "rel_residual": check(vecs[:, 0], float(vals[0]))}
    print(json.dumps(rec["torch_func_eigsh"]), flush=True)

    t0 = time.perf_counter()
    mv_l, count_l = counted(torch_hvp(problem, net))
    res_l = fp.lambda_max((mv_l, p), tol=TOL, seed=2)
    t_l = time.perf_counter() - t0
    rec["torch_func_flatproof_lanczos"] = {"seconds": t_l, "lambda_max": res_l.value, "n_matvec": count_l[0],
                                           "rel_residual": check(res_l.eigenvectors[:, 0], res_l.value)}
    rec["speedup_vs_torch_eigsh"] = t_t / t_fp
    rec["speedup_same_lanczos"] = t_l / t_fp
    rec["lambda_rel_diff"] = abs(float(vals[0]) - res.value) / res.value
    print(json.dumps(rec, indent=2))


if __name__ == "__main__":
    main()
