"""Regenerate the shipped measurement cases (seeded): ``python cases/generate.py``."""

from pathlib import Path

import numpy as np

import flatproof as fp

HERE = Path(__file__).parent


def arr(a):
    return "[" + ", ".join(repr(float(t)) for t in a) + "]"


def main():
    rng = np.random.default_rng(20261122)
    # 1. small univariate logistic instance, inline
    task = fp.LogisticTask(fp.uniform(-1, 1), fp.parse_expression("3*sin(2*x)"), flip=0.1)
    data = task.sample(40, rng)
    m = 6
    v, w, b = rng.normal(size=m), rng.normal(size=m), rng.uniform(-0.8, 0.8, size=m)
    (HERE / "measure-univariate.toml").write_text(
        "# A width-6 univariate ReLU network under logistic loss on 40 points from\n"
        "# x ~ U[-1, 1], P(y=1|x) = s(3 sin 2x), 10% label flips (cases/generate.py, seed 20261122).\n"
        "# Run: flatproof measure cases/measure-univariate.toml\n\n"
        f"[model]\nkind = \"univariate\"\nv = {arr(v)}\nw = {arr(w)}\nb = {arr(b * np.abs(w))}\nbeta = 0.1\n\n"
        f"[data]\nx = {arr(data.x)}\ny = {arr(data.y)}\n\n"
        "[loss]\nkind = \"logistic\"\nweight_decay = 0.0\n\n"
        "[measure]\neta = 0.5\n")
    # 2. a larger univariate instance in an npz file (fast path + Lanczos)
    n, m = 5000, 1000
    data = task.sample(n, rng)
    np.savez(HERE / "univariate-large.npz", x=data.x, y=data.y, v=rng.normal(size=m) / np.sqrt(m),
             w=rng.normal(size=m), b=rng.normal(size=m) * 0.5, beta=np.array(0.0))
    (HERE / "measure-univariate-large.toml").write_text(
        "# n = 5000 points, width m = 1000 (p = 3001): the O(n + m) fast path and Lanczos.\n"
        "[model]\nkind = \"univariate\"\nfile = \"univariate-large.npz\"\n\n"
        "[data]\nfile = \"univariate-large.npz\"\n\n[loss]\nkind = \"logistic\"\n\n[measure]\neta = 0.01\n")
    # 3. a homogeneous ReLU interpolator: the student is the teacher, so f(x_i) = y_i exactly
    d, n = 5, 40
    X = rng.normal(size=(n, d))
    Wt = rng.normal(size=(2, d))
    at = np.array([1.0, -0.5])
    y = fp.HomogeneousNet(at, Wt)(X)
    np.savez(HERE / "homogeneous-interpolator.npz", X=X, y=y, a=at, W=Wt)
    (HERE / "measure-homogeneous.toml").write_text(
        "# A two-neuron ReLU network that interpolates its own labels (M.2): H = (2/n) J^T J,\n"
        "# so lambda_min = 0 (the rescaling null directions of M.3) and the trace is sum_j (A_j + B_j).\n"
        "[model]\nkind = \"homogeneous\"\nactivation = \"relu\"\nfile = \"homogeneous-interpolator.npz\"\n\n"
        "[data]\nfile = \"homogeneous-interpolator.npz\"\n\n[loss]\nkind = \"square\"\nfactor = 1.0\n")
    # 4. a point on a kink: the first data point sits exactly on neuron 0's knot
    (HERE / "measure-kink.toml").write_text(
        "# x = 0.25 is the knot t_0 = b_0/w_0 of neuron 0: the Hessian is not defined there, and\n"
        "# flatproof reports the kink instead of differentiating through it.\n"
        "[model]\nkind = \"univariate\"\nv = [1.0, -0.5]\nw = [2.0, -1.0]\nb = [0.5, 0.3]\nbeta = 0.0\n\n"
        "[data]\nx = [0.25, -0.5, 0.75]\ny = [1.0, -1.0, 1.0]\n\n[loss]\nkind = \"logistic\"\n")


if __name__ == "__main__":
    main()
