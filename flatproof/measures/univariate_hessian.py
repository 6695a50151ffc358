"""Curvature of the univariate network under a per-sample loss (flatproof math U.2).

Two independent implementations of the same quantities, held against each other by the tests:

* :class:`UnivariateDense` forms the n × p Jacobian J. It is the straightforward reference.
* :class:`UnivariateFast` uses that neuron i is active on a prefix or a suffix of the data sorted by
  x. After an O((n + m) log(n + m)) set-up per θ (sorting, one ``searchsorted`` per knot), the
  forward pass, the gradient, the exact trace and every Hessian-vector product cost O(n + m) and
  never form an n × m array: sums over a neuron's active data are read off prefix/suffix sums over
  the sorted data, and sums over the neurons active at a data point are read off cumulative sums of
  per-knot deposits.

Formulas (U.2), with φ the per-sample loss, g_j = φ'(f_j), d_j = φ''(f_j) and 1_i(x) = [w_i x − b_i > 0]:

    ∂f/∂v_i = (w_i x − b_i)_+,  ∂f/∂w_i = v_i 1_i(x) x,  ∂f/∂b_i = −v_i 1_i(x),  ∂f/∂β = 1
    ∇L = (1/n) Σ_j g_j ∇f_j,    H_GN = (1/n) Σ_j d_j ∇f_j ∇f_jᵀ,    H_F = (1/n) Σ_j g_j ∇²f_j
    H_F block of neuron i in (v_i, w_i, b_i): [[0, a_i, c_i], [a_i, 0, 0], [c_i, 0, 0]],
        a_i = (1/n) Σ_j g_j 1_i(x_j) x_j,   c_i = −(1/n) Σ_j g_j 1_i(x_j)
    tr H = (1/n) Σ_j d_j ‖∇f_j‖²   (tr H_F = 0)

For the logistic loss g_j = −r_j with r_j = y_j s(−y_j f_j), so a_i, c_i are those of U.2.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .._errors import InputError
from ..arith.contexts import FLOAT
from ..model.data import UnivariateData
from ..model.losses import Loss
from ..model.univariate import UnivariateNet
from ._base import DEFAULT_KINK_TOL, CurvatureOracle, KinkReport, Matrix, Problem, Vector
from .univariate_formulas import UnivariateFormulas, _col


@dataclass(frozen=True, eq=False)
class UnivariateProblem(Problem):
    """Data, loss and weight decay λ: the objective L(θ) + (λ/2)‖θ‖² of U.1."""

    data: UnivariateData
    loss: Loss
    weight_decay: float = 0.0

    @cached_property
    def order(self) -> np.ndarray:
        return np.argsort(self.data.x, kind="stable")

    @cached_property
    def sorted_x(self) -> np.ndarray:
        return self.data.x[self.order]

    @cached_property
    def sorted_y(self) -> np.ndarray:
        return self.data.y[self.order]

    @cached_property
    def center(self) -> float:
        """Centre c of the data for the fast path, which works with x − c: data far from 0 with a small spread
        (x ∈ [10⁶, 10⁶ + 1]) keep their sums well conditioned. c ≠ 0 only when every x_j − c is exact (Sterbenz:
        x_j within a factor 2 of c, on its side of 0; for positive data, x_max ≤ 3 x_min), so centring never
        costs a point its resolution: with c = 5·10³⁰⁷ every point of [−1, 1] would have become −c, and with
        c = 2.5·10⁷ the activation pattern would have been read off (b − w c)/w with an error of ε|c|, 10⁷ times
        the kink tolerance's reach. Otherwise c = 0."""
        lo, hi = float(self.sorted_x[0]), float(self.sorted_x[-1])
        c = 0.5 * lo + 0.5 * hi                      # no overflow at ±1.8e308
        if (c > 0 and 0.5 * c <= lo and hi <= 2.0 * c) or (c < 0 and 2.0 * c <= lo and hi <= 0.5 * c):
            return c
        return 0.0


#: relative rounding of the fast path's knot positions (b − w c)/w against x − c (a few operations, c exact)
KNOT_ROUNDING = 8 * float(np.finfo(float).eps)


def kink_mask(net: UnivariateNet, x: np.ndarray, tol: float) -> np.ndarray:
    """|w_i x_j − b_i| <= tol · max(|w_i|, |b_i|), i.e. |x_j − t_i| <= tol · max(1, |t_i|): shape (n, m)."""
    z = net.preactivations(x)
    with np.errstate(under="ignore"):        # a threshold below the normal range is still a threshold
        return np.abs(z) <= tol * np.maximum(np.abs(net.w), np.abs(net.b))


def _functional_bottom(a: np.ndarray, c: np.ndarray, p: int, k: int) -> tuple[float, np.ndarray]:
    """H_F's neuron blocks [[0, a_i, c_i], [a_i, 0, 0], [c_i, 0, 0]] have eigenvalues ±r_i, 0 with r_i = √(a_i² + c_i²);
    the eigenvector of −r_i is (e_{v_i} − (a_i e_{w_i} + c_i e_{b_i})/r_i)/√2. Returns (−max r_i, the eigenvectors of
    the k most negative −r_i as columns; r_i = 0 neurons are skipped)."""
    m = a.shape[0]
    r = np.hypot(a, c)
    order = np.argsort(-r, kind="stable")
    order = order[r[order] > 0][:k]
    U = np.zeros((p, order.size))
    cols = np.arange(order.size)
    U[order, cols] = np.sqrt(0.5)
    U[m + order, cols] = -a[order] / r[order] * np.sqrt(0.5)
    U[2 * m + order, cols] = -c[order] / r[order] * np.sqrt(0.5)
    return -float(r.max(initial=0.0)), U


class UnivariateDense(CurvatureOracle):
    """Reference implementation through the dense Jacobian J (n × (3m+1)). O(nm) memory."""

    smoothness = 0

    def __init__(self, problem: UnivariateProblem, net: UnivariateNet, *, kink_tol: float = DEFAULT_KINK_TOL,
                 at_kink: str = "raise") -> None:
        super().__init__(problem.weight_decay, at_kink)
        self.problem, self.net = problem, net
        self.num_params = net.num_params
        self.theta = net.to_vector()
        x, y = problem.data.x, problem.data.y
        self.n = x.shape[0]
        z = net.preactivations(x)
        mask = kink_mask(net, x, kink_tol)
        js, is_ = np.nonzero(mask)
        self.kinks = KinkReport(int(mask.sum()), kink_tol, tuple(zip(js[:10].tolist(), is_[:10].tolist(), strict=True)))
        act = (z > 0).astype(float)
        self._act, self._x = act, x
        self._J = np.hstack([np.maximum(z, 0.0), act * net.v * x[:, None], -act * net.v, np.ones((self.n, 1))])
        self.f = np.maximum(z, 0.0) @ net.v + net.beta
        self.g = problem.loss.d1(self.f, y)
        self.d = problem.loss.d2(self.f, y)
        self._phi = problem.loss.value(self.f, y)

    def forward(self) -> Vector:
        return self.f.copy()

    def jacobian(self) -> Matrix:
        """J_jk = ∂f(x_j)/∂θ_k, shape (n, 3m+1): columns (w_i x − b_i)_+, v_i 1_i x, −v_i 1_i, 1 (U.2)."""
        return self._J.copy()

    def functional_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """(a_i, c_i) of the H_F blocks."""
        a = (self.g * self._x) @ self._act / self.n
        c = -(self.g @ self._act) / self.n
        return a, c

    def _loss(self) -> float:
        return float(np.mean(self._phi))

    def _gradient(self) -> Vector:
        return self._J.T @ self.g / self.n

    def gauss_newton_hvp(self, u: Vector) -> Vector:
        J = self._J
        return J.T @ (self.d * (J @ self._vector(u))) / self.n

    def functional_hvp(self, u: Vector) -> Vector:
        return self._functional_matrix() @ self._vector(u)

    def _functional_matrix(self) -> Matrix:
        m, p = self.net.m, self.num_params
        a, c = self.functional_blocks()
        HF = np.zeros((p, p))
        i = np.arange(m)
        HF[i, m + i] = HF[m + i, i] = a
        HF[i, 2 * m + i] = HF[2 * m + i, i] = c
        return HF

    def _trace(self) -> float:
        return float(self.d @ np.sum(self._J * self._J, axis=1) / self.n)

    def functional_bottom(self, k: int) -> tuple[float, Matrix] | None:
        return _functional_bottom(*self.functional_blocks(), self.num_params, k)

    def _build_hessian(self) -> Matrix:
        GN, HF = self.hessian_parts()
        return GN + HF + self.weight_decay * np.eye(self.num_params)

    def hessian_parts(self) -> tuple[Matrix, Matrix]:
        self._require(2, "Hessian")
        self._dense_ok()
        J = self._J
        return (J.T * self.d) @ J / self.n, self._functional_matrix()


class UnivariateFast(UnivariateFormulas, CurvatureOracle):
    """O(n + m) per operation after an O((n + m) log(n + m)) set-up; no n × m array is formed. The formulas of U.2
    are those of :mod:`~flatproof.measures.univariate_formulas` in the float64 context (the same code rigorous mode
    runs in interval and ball arithmetic); this class adds the kink report and the oracle's interface."""

    smoothness = 0

    def __init__(self, problem: UnivariateProblem, net: UnivariateNet, *, kink_tol: float = DEFAULT_KINK_TOL,
                 at_kink: str = "raise") -> None:
        super().__init__(problem.weight_decay, at_kink)
        if not (np.isfinite(kink_tol) and kink_tol >= 0):
            raise InputError(f"kink tolerance must be >= 0, got {kink_tol!r}", field="kink_tol")
        self.problem = problem
        self.num_params = net.num_params
        self.theta = net.to_vector()
        self._setup_formulas(FLOAT, problem, net)
        self._report_kinks(kink_tol)
        self._phi = problem.loss.value(self.f, problem.sorted_y)

    def _report_kinks(self, kink_tol: float) -> None:
        """Data within κ_i = max(tol·max(1, |t_i|), KNOT_ROUNDING·(|t_i| + |c|)) of the knot t_i (w_i = b_i = 0:
        every point). The second term is where the float pattern itself may be wrong: it compares x_j − c with
        (b_i − w_i c)/w_i, a few roundings of |t_i| + |c| away from the true knot, so even ``kink_tol = 0`` reports
        (never silently misplaces) a point the pattern cannot place (a pre-activation of 1e-10 beside |b| = 1.5e6)."""
        xs, n, w, b = self.xs, self.n, self.net.w, self.net.b
        zero = w == 0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            t = np.where(w != 0, b / np.where(w != 0, w, 1.0), 0.0)
        # b/w overflows only when |b| > |w|·1.8e308 ≥ |w x| for every float x: then |w x − b| ≥ |b| − |w x| is far
        # from 0 and no point is near the knot (a subnormal w with b = O(1): t = ±inf, not "every point")
        far = ~np.isfinite(t)
        t = np.where(far, 0.0, t)
        kappa = np.maximum(kink_tol * np.maximum(1.0, np.abs(t)), KNOT_ROUNDING * (np.abs(t) + abs(self.center)))
        with np.errstate(over="ignore", invalid="ignore"):
            hi = np.searchsorted(xs, t + kappa, side="right")
            lo = np.searchsorted(xs, t - kappa, side="left")
        per_neuron = np.where(zero, np.where(b == 0, n, 0), np.where(far, 0, hi - lo))
        examples = []
        for i in np.flatnonzero(per_neuron)[:10]:
            j0 = 0 if zero[i] else lo[i]
            examples.append((int(self.order[j0]), int(i)))
        self.kinks = KinkReport(int(per_neuron.sum()), kink_tol, tuple(examples))

    # ---- oracle --------------------------------------------------------------------------------
    def forward(self) -> Vector:
        out = np.empty(self.n)
        out[self.order] = self.f
        return out

    def functional_blocks(self) -> tuple[np.ndarray, np.ndarray]:
        """(a_i, c_i) of the H_F blocks (Σ_j g_j x_j over the active data, repaired where it cancels)."""
        return self.blocks()

    def epsilon_F(self) -> float:
        """ε_F(θ) = ‖H_F‖₂ = max_i √(a_i² + c_i²)."""
        a, c = self.functional_blocks()
        return float(np.max(np.hypot(a, c)))

    def _loss(self) -> float:
        return float(np.mean(self._phi))

    def _gradient(self) -> Vector:
        return self.gradient_terms()

    def jvp(self, u: Vector) -> Vector:
        """(J u)_j in sorted order; u of shape (p,) or a block (p, k)."""
        return self.jvp_sorted(self._vector(u) if np.ndim(u) < 2 else self._block(u))

    def vjp(self, e: Vector) -> Vector:
        """Jᵀ e for a data vector e (or block (n, k)) in sorted order."""
        return self.vjp_sorted(e)

    def gauss_newton_hvp(self, u: Vector) -> Vector:
        Ju = self.jvp(u)
        return self.vjp(_col(self.d, Ju.ndim) * Ju) / self.n

    def functional_hvp(self, u: Vector) -> Vector:
        u = self._vector(u) if np.ndim(u) < 2 else self._block(u)
        m = self.m
        uv, uw, ub = u[:m], u[m:2 * m], u[2 * m:3 * m]
        a, c = (_col(t, u.ndim) for t in self.functional_blocks())
        return np.concatenate([a * uw + c * ub, a * uv, c * uv, np.zeros_like(u[:1])])

    def _hvp_block(self, U: Matrix) -> Matrix:
        return self.gauss_newton_hvp(U) + self.functional_hvp(U)

    def functional_bottom(self, k: int) -> tuple[float, Matrix] | None:
        return _functional_bottom(*self.functional_blocks(), self.num_params, k)

    def _trace(self) -> float:
        return float(self.trace_gn())


def univariate_oracle(problem: UnivariateProblem, net: UnivariateNet, *, method: str = "fast",
                      kink_tol: float = DEFAULT_KINK_TOL, at_kink: str = "raise") -> CurvatureOracle:
    """The curvature oracle of ``method`` ``"fast"`` (default) or ``"dense"``."""
    if method == "fast":
        return UnivariateFast(problem, net, kink_tol=kink_tol, at_kink=at_kink)
    if method == "dense":
        return UnivariateDense(problem, net, kink_tol=kink_tol, at_kink=at_kink)
    raise InputError(f"unknown method {method!r} (fast or dense)", field="method")
