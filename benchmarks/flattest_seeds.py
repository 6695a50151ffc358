"""Seed spread of flatproof math M.4's reference numbers (d = 10, n = 200, 4000 random atoms + the 2 teacher atoms).

Run: python benchmarks/flattest_seeds.py [--seeds 5]
Prints the test MSE of the flattest ReLU interpolator (LP, HiGHS) for noise 0.1 and 0.3 over seeds
100, 101, …, their mean and standard deviation (flatproof math: ≈ 0.013 and ≈ 0.12).
"""

import argparse

import numpy as np

from flatproof.measures.homogeneous_flattest import flattest_relu_interpolator
from flatproof.measures.population import excess_mse
from flatproof.model.data import MultiIndexTask


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=5)
    args = ap.parse_args()
    relu = lambda t: np.maximum(t, 0.0)  # noqa: E731
    for noise in (0.0, 0.1, 0.3):
        mses, atoms = [], []
        for s in range(args.seeds):
            rng = np.random.default_rng(100 + s)
            task = MultiIndexTask.random(10, 2, relu, noise, rng)
            data = task.sample(200, rng)
            D = np.vstack([rng.standard_normal((4000, 10)), task.U.T])
            res = flattest_relu_interpolator(data.X, data.y, D)
            mses.append(excess_mse(res.net, task, 20000, s).mean)
            atoms.append(res.active.size)
        print(f"noise {noise}: test MSE {np.round(mses, 4).tolist()}  mean {np.mean(mses):.4g} ± {np.std(mses):.2g}"
              f"  active atoms {atoms}")


if __name__ == "__main__":
    main()
