"""The quantities of flatproof math U.2 written once, against an arithmetic context (:mod:`flatproof.arith.contexts`).

The float oracle :class:`~flatproof.measures.univariate_hessian.UnivariateFast` runs them in float64, rigorous mode
(:mod:`flatproof.measures.rigorous`) in vectorised intervals (:class:`UnivariateIntervals` there) and in arb balls
(:func:`~flatproof.measures.rigorous.univariate_balls`), so the modes cannot drift apart.

Neuron i is active (w_i x − b_i > 0) on a suffix [k_i, n) of the data sorted by x when w_i > 0 and on a prefix
[0, k_i) when w_i < 0 (w_i = 0: everywhere or nowhere). Sums over a neuron's active data are prefix/suffix sums over
the sorted data, sums over the neurons active at a point are cumulative sums of per-knot deposits: after the
O((n + m) log(n + m)) sort and ``searchsorted``, every quantity costs O(n + m) and no n × m array is formed. The
inputs are centred, x − c with c the centre of the data, so that sums stay well conditioned (w x − b = w (x − c) − b̃,
b̃ = b − w c). With g_j = φ'(f_j), d_j = φ''(f_j), 1_i(x) = [w_i x − b_i > 0]:

    f_j = β + Σ_i v_i (w_i x_j − b_i)_+
    ∂f/∂v_i = (w_i x − b_i)_+,  ∂f/∂w_i = v_i 1_i(x) x,  ∂f/∂b_i = −v_i 1_i(x),  ∂f/∂β = 1
    a_i = (1/n) Σ_j g_j 1_i(x_j) x_j,   c_i = −(1/n) Σ_j g_j 1_i(x_j)      (the H_F block of neuron i)
    ∇L = (1/n) Jᵀ g,   H_GN u = (1/n) Jᵀ (d ⊙ J u),   tr H_GN = (1/n) Σ_j d_j ‖∇f_j‖²
    uᵀ H u = (1/n) Σ_j d_j (J u)_j² + 2 Σ_i u_{v_i} (a_i u_{w_i} + c_i u_{b_i})

The activation pattern comes from float ``searchsorted``; a rigorous context then certifies it by the sign of
w_i x − b_i at the two sorted points on either side of each knot (monotonicity in x covers the rest): an undecided
sign is a kink (:class:`~flatproof._errors.KinkError`), and a decided one that contradicts the float pattern moves
the boundary to where the certified signs put it. The float context instead
reports points within a tolerance of a knot (the oracle's kink report) and repairs sums that cancel (``guard``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .._errors import KinkError
from ..arith.contexts import Context, for_mode
from ..model.univariate import UnivariateNet, accurate_preactivation
from ..vocab import Mode

Elt = Any   # an element (array) of the context in use


def _col(a: Any, ndim: int) -> Any:
    """A per-neuron or per-point vector shaped to broadcast against a block of ``ndim`` dimensions."""
    return a[:, None] if ndim == 2 else a


class UnivariateFormulas:
    """U.2 on one (problem, θ) in the arithmetic of ``self.ctx``: the set-up computes the sorted data, the
    activation pattern (certified in a rigorous context), f, φ', φ'' and the per-neuron sums G_i = Σ_{j active} g_j,
    GXt_i = Σ_{j active} g_j (x_j − c); the methods give the rest. Elements are in sorted order."""

    ctx: Context
    repaired_neurons: int = 0

    def _setup_formulas(self, ctx: Context, problem: Any, net: UnivariateNet) -> None:
        self.ctx, self.net = ctx, net
        xs, ys = problem.sorted_x, problem.sorted_y
        n, m = xs.shape[0], net.m
        self.n, self.m = n, m
        self.order, self.xs = problem.order, xs
        c = problem.center
        self.center = c
        xt = xs - c                                            # centred, sorted inputs (float: the pattern's axis)
        w, b = net.w, net.b
        bt = b - w * c                                         # w x − b = w (x − c) − b̃
        pos, neg = w > 0, w < 0
        zero = ~(pos | neg)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            tt = np.where(w != 0, bt / np.where(w != 0, w, 1.0), 0.0)
        idx = np.empty(m, dtype=np.int64)
        idx[pos] = np.searchsorted(xt, tt[pos], side="right")    # active on [idx, n)
        idx[neg] = np.searchsorted(xt, tt[neg], side="left")     # active on [0, idx)
        idx[zero] = np.where(b[zero] < 0, 0, n)                 # w = 0: constant pre-activation −b
        if ctx.rigorous:
            idx = self._certify_pattern(net, pos, zero, idx)
        self.idx, self.suffix = idx, ~neg
        self._prefix = neg
        self._idx_s, self._idx_p = idx[~neg], idx[neg]          # knots of the suffix and of the prefix neurons
        self.xt = ctx.exact(xt) if not ctx.rigorous else ctx.exact(xs) - c
        self.v, self.w = ctx.exact(net.v), ctx.exact(w)
        self.bt = ctx.exact(bt) if not ctx.rigorous else ctx.exact(b) - self.w * c
        self.beta = ctx.exact(float(net.beta))
        self.f = self.beta + self.xt * self._data_sums(self.v * self.w) - self._data_sums(self.v * self.bt)
        self.g, self.d = self._loss_derivatives(problem.loss, ys)
        self.G, self.GXt = self._neuron_sums(self.g, self.g * self.xt)

    # ---- the activation pattern -------------------------------------------------------------------------------
    def _certify_pattern(self, net: UnivariateNet, pos: np.ndarray, zero: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """The activation pattern with every boundary certified: the sign of w_i x − b_i at the sorted points on
        either side of each knot (monotonicity in x covers the rest). A sign the context cannot decide is a kink
        (:class:`KinkError`); a decided sign that contradicts the float pattern (x within rounding of the float
        knot) moves the boundary to where the certified signs put it (:meth:`_certified_boundaries`)."""
        ctx, xs, n = self.ctx, self.xs, self.n
        w, b = ctx.exact(net.w), ctx.exact(net.b)
        undecided = zero & (net.b == 0) & (n > 0)
        wrong = np.zeros(self.m, dtype=bool)
        for side, want in ((0, -1), (1, 1)):          # the point just before the boundary, the first after
            j = idx - 1 + side
            ok = (j >= 0) & (j < n) & ~zero
            if n == 0:
                break
            sign = ctx.sign(w * ctx.exact(xs[np.clip(j, 0, n - 1)]) - b)
            undecided |= ok & (sign == 0)
            wrong |= ok & (sign == -np.where(pos, want, -want))   # w > 0: inactive before, active after; w < 0 reversed
        if undecided.any():
            raise KinkError(int(undecided.sum()), "certified Hessian (a pre-activation ball contains 0)")
        if wrong.any():
            idx = idx.copy()
            idx[wrong] = self._certified_boundaries(net, np.flatnonzero(wrong))
        return idx

    def _certified_boundaries(self, net: UnivariateNet, sel: np.ndarray) -> np.ndarray:
        """For the neurons ``sel``, the first sorted index j at which w_i x_j − b_i has the sign of w_i (active
        after the knot for w_i > 0, inactive for w_i < 0), by a vectorised binary search on certified signs:
        O(log n) sign evaluations per neuron; an undecided sign on the way is a kink."""
        ctx, xs, n = self.ctx, self.xs, self.n
        w, b, after = ctx.exact(net.w[sel]), ctx.exact(net.b[sel]), np.where(net.w[sel] > 0, 1, -1)
        lo, hi = np.zeros(sel.size, dtype=np.int64), np.full(sel.size, n, dtype=np.int64)
        while np.any(lo < hi):
            live = lo < hi
            mid = (lo + hi) // 2
            sign = ctx.sign(w * ctx.exact(xs[np.minimum(mid, n - 1)]) - b)
            if np.any(live & (sign == 0)):
                raise KinkError(int(np.sum(live & (sign == 0))), "certified Hessian (a pre-activation ball contains 0)")
            left = live & (sign == after)
            hi, lo = np.where(left, mid, hi), np.where(live & ~left, mid + 1, lo)
        return lo

    def active_pattern(self) -> np.ndarray:
        """n × m booleans in the data's order: neuron i active at x_j (certified in a rigorous context)."""
        j = np.arange(self.n)[:, None]
        inv = np.empty_like(self.order)
        inv[self.order] = np.arange(self.n)
        return np.where(self.suffix[None, :], j >= self.idx[None, :], j < self.idx[None, :])[inv]

    def _active(self, i: int) -> slice:
        """The sorted data on which neuron i is active."""
        return slice(int(self.idx[i]), self.n) if self.suffix[i] else slice(0, int(self.idx[i]))

    # ---- the two prefix-sum primitives ------------------------------------------------------------------------
    def _neuron_sums(self, *es: Elt, ctx: Context | None = None) -> list[Elt]:
        """For each data vector e (n,) or float block (n, k): (Σ_{j active for neuron i} e_j)_i, O(n + m)
        (in ``ctx``, default the formulas' own)."""
        ctx, out = ctx or self.ctx, []
        for e in es:
            zero = ctx.zeros((1,) + tuple(np.shape(e)[1:]))
            prefix = ctx.concat([zero, ctx.cumsum(e)])                       # Σ_{j<k}
            suffix = ctx.concat([ctx.cumsum(e, reverse=True), zero])         # Σ_{j>=k}
            out.append(ctx.where(self.suffix, ctx.take(suffix, self.idx), ctx.take(prefix, self.idx)))
        return out

    def _data_sums(self, alpha: Elt, ctx: Context | None = None) -> Elt:
        """(Σ_{i active at x_j} α_i)_j for α of shape (m,) (or a float block (m, k)), O(n + m)."""
        ctx, n, suf = ctx or self.ctx, self.n, self.suffix
        dep_s = ctx.deposit(self._idx_s, alpha[suf], n + 1)
        dep_p = ctx.deposit(self._idx_p, alpha[self._prefix], n + 1)
        # suffix neurons count at j when idx <= j; prefix neurons when idx > j
        return ctx.cumsum(dep_s)[:n] + ctx.cumsum(dep_p, reverse=True)[1:]

    # ---- the loss ----------------------------------------------------------------------------------------------
    def _loss_derivatives(self, loss: Any, ys: np.ndarray) -> tuple[Elt, Elt]:
        """(φ'(f_j), φ''(f_j)): logistic φ = ℓ(y f) gives y ℓ'(y f), ℓ''(y f); square φ = k (f − y)² gives 2k(f − y), 2k."""
        ctx = self.ctx
        y = ctx.exact(ys)
        if loss.kind == "logistic":
            d1, d2 = ctx.logistic_derivatives(y * self.f)
            return y * d1, d2
        k2 = 2.0 * float(loss.factor)                 # exact: doubling a float
        return ctx.exact(k2) * (self.f - y), ctx.exact(np.full(self.n, k2))

    # ---- cancellation near a knot (float context) -------------------------------------------------------------
    def _guarded(self, value: Elt, magnitude: Callable[[], Elt], direct: Callable[[int, slice], float]) -> Elt:
        """A per-neuron difference of prefix sums, recomputed directly on neuron i's active data where it cancels
        (float context; see :meth:`~flatproof.arith.contexts.FloatContext.guard`)."""
        out, k = self.ctx.guard(value, magnitude, lambda i: direct(i, self._active(i)))
        if k:
            self.repaired_neurons = self.repaired_neurons + k
        return out

    def _preactivation(self, i: int, sl: slice) -> np.ndarray:
        """w_i x_j − b_i on neuron i's active data with one rounding relative to itself (Dekker TwoProduct)."""
        return accurate_preactivation(self.net.w[i], self.xs[sl], self.net.b[i])

    net: UnivariateNet

    # ---- U.2 ---------------------------------------------------------------------------------------------------
    def blocks(self) -> tuple[Elt, Elt]:
        """(a_i, c_i) of the H_F blocks: Σ_j g_j x_j over the active data is GXt + c G (guarded)."""
        if not hasattr(self, "_gx"):
            xs, g = self.xs, self.g
            self._gx = self._guarded(self.GXt + self.center * self.G,
                                     lambda: np.abs(self.GXt) + np.abs(self.center * self.G),
                                     lambda i, sl: float(np.sum(g[sl] * xs[sl])))
        return self._gx / self.n, -self.G / self.n

    def gradient_terms(self) -> Elt:
        """∇L = (1/n) Jᵀ g in the layout (v, w, b, β), without weight decay."""
        v, w, n, G, GXt = self.v, self.w, self.n, self.G, self.GXt
        gz = self._guarded(w * GXt - self.bt * G, lambda: np.abs(w * GXt) + np.abs(self.bt * G),
                           lambda i, sl: float(np.sum(self.g[sl] * self._preactivation(i, sl))))
        gx = self.blocks()[0] * n
        return self.ctx.concat([gz / n, v * gx / n, -v * G / n, self.ctx.sum(self.g) / n])

    def jvp_sorted(self, u: Elt) -> Elt:
        """(J u)_j in sorted order; u (p,) in the context, or a float block (p, k)."""
        m, nd = self.m, (u.ndim if isinstance(u, np.ndarray) else 1)
        uv, uw, ub, ubeta = u[:m], u[m:2 * m], u[2 * m:3 * m], u[3 * m]
        v, w, bt = _col(self.v, nd), _col(self.w, nd), _col(self.bt, nd)
        return (ubeta + _col(self.xt, nd) * self._data_sums(uv * w + uw * v)
                + self._data_sums(-uv * bt + uw * v * self.center - ub * v))

    def vjp_sorted(self, e: Elt) -> Elt:
        """Jᵀ e for a data vector e (or float block (n, k)) in sorted order."""
        nd = e.ndim if isinstance(e, np.ndarray) else 1
        v, w, bt = _col(self.v, nd), _col(self.w, nd), _col(self.bt, nd)
        E, EXt = self._neuron_sums(e, e * _col(self.xt, nd))
        return self.ctx.concat([w * EXt - bt * E, v * (EXt + self.center * E), -v * E, self.ctx.sum(e)])

    def trace_gn(self) -> Elt:
        """tr H_GN = (1/n) Σ_j d_j ‖∇f_j‖² = (1/n)[Σ_j d_j + Σ_i Σ_{j active} d_j ((w_i x_j − b_i)² + v_i²(x_j² + 1))]."""
        v, w, bt, xt, d = self.v, self.w, self.bt, self.xt, self.d
        x = xt + self.center
        D, DX, DX2, DXo2 = self._neuron_sums(d, d * xt, d * xt * xt, d * x * x)
        with np.errstate(over="ignore", invalid="ignore"):
            zz = self._guarded(w * w * DX2 - 2.0 * w * bt * DX + bt * bt * D,
                               lambda: w * w * DX2 + 2.0 * np.abs(w * bt * DX) + bt * bt * D,
                               lambda i, sl: float(np.sum(self.d[sl] * self._preactivation(i, sl) ** 2)))
            per_neuron = zz + v * v * (DXo2 + D)
            return (self.ctx.sum(d) + self.ctx.sum(per_neuron)) / self.n

    def quadratic_form(self, u: np.ndarray) -> tuple[Elt, Elt]:
        """(uᵀ ∇²L u without weight decay, uᵀu) for a float vector u in the layout (v, w, b, β)."""
        ctx, m = self.ctx, self.m
        U = ctx.exact(np.asarray(u, dtype=float))
        a, c = self.blocks()
        gn = ctx.sum(self.d * ctx.square(self.jvp_sorted(U))) / self.n
        hf = ctx.sum(U[:m] * (a * U[m:2 * m] + c * U[2 * m:3 * m])) * 2.0
        return gn + hf, ctx.sum(ctx.square(U))

    def gradient_norms_sq(self) -> Elt:
        """‖∇f(x_j)‖² = 1 + Σ_{i active at x_j} [(w_i x_j − b_i)² + v_i² (x_j² + 1)] per point (sorted order), read off
        per-knot deposits in O(n + m): (w x − b)² = w²(x − c)² − 2 w b̃ (x − c) + b̃² (the U.5 input max_j ‖∇f_j‖²)."""
        v, w, bt, xt, ds = self.v, self.w, self.bt, self.xt, self._data_sums
        x = xt + self.center
        return (xt * xt * ds(w * w) - xt * ds(w * bt) * 2.0 + ds(bt * bt) + (x * x + 1.0) * ds(v * v) + 1.0)

    def activity_blocks(self) -> tuple[Elt, Elt]:
        """(ā_i, c̄_i) = ((1/n) Σ_{j active} |x_j|, (1/n) #{j active}): the label-free bounds |a_i| ≤ ā_i, |c_i| ≤ c̄_i
        whose norm max_i √(ā_i² + c̄_i²) is the U.5 input ε₀."""
        ctx = self.ctx
        A, C = self._neuron_sums(ctx.exact(np.abs(self.xs)), ctx.exact(np.ones(self.n)))
        return A / self.n, C / self.n


def univariate_formulas(problem: Any, net: UnivariateNet, mode: Mode | str = Mode.FLOAT) -> UnivariateFormulas:
    """The U.2 formulas at θ in the arithmetic of ``mode`` (:func:`~flatproof.arith.contexts.for_mode`): a check
    written against this runs unchanged in float and in rigorous mode. Rigorous mode raises
    :class:`~flatproof._errors.KinkError` when the activation pattern cannot be certified."""
    q = UnivariateFormulas()
    q._setup_formulas(for_mode(mode), problem, net)
    return q


def values_at(net: UnivariateNet, x: np.ndarray) -> np.ndarray:
    """f_θ at the points ``x`` (any order, returned in that order) in O((k + m) log(k + m)) float64 by the prefix sums
    of this module: no k × m array, for a wide network at many points (its knots, for level sets)."""
    from ..model.data import UnivariateData
    from ..model.losses import logistic_loss
    from .univariate_hessian import UnivariateProblem
    pts = np.asarray(x, dtype=float)
    problem = UnivariateProblem(UnivariateData(pts, np.ones_like(pts)), logistic_loss())
    out = np.empty_like(pts)
    out[problem.order] = univariate_formulas(problem, net, Mode.FLOAT).f
    return out
