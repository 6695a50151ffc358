"""Derivations for the two-layer homogeneous network (flatproof math M.2–M.3), for symbolic k and per activation.

The symbolic-k steps use σ(t) = t^k on the active side t > 0 (ReLU^k); each concrete activation
(ReLU, leaky ReLU, ReLU^k, |t|^k) is then checked piece by piece on t > 0 and t < 0 for the two
facts everything rests on: positive homogeneity σ(ct) = c^kσ(t) and Euler's identity tσ'(t) = kσ(t).
Vectors are written in dimension 2 where sympy needs coordinates; the identities hold coordinatewise.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sympy as sp

from ._core import Derivation, M, Step, U, matrix_zero, raw, tex
from .orbit import orbit_minimum

a = sp.Symbol("a_j", real=True)
t = sp.Symbol("t", positive=True)            # a pre-activation on the active side
tn = sp.Symbol("t", negative=True)           # ... and on the other side
k = sp.Symbol("k", positive=True)
c = sp.Symbol("c_j", positive=True)
n = sp.Symbol("n", positive=True)
w1, w2, x1, x2 = sp.symbols("w_{j1} w_{j2} x_{i1} x_{i2}", real=True)
phi = sp.Function("varphi")
alpha = sp.Symbol("alpha", positive=True)

# (name, degree, piece on t > 0, piece on t < 0) for the activations flatproof knows
ACTIVATIONS = (
    ("ReLU", 1, t, sp.Integer(0)),
    ("leaky ReLU(α)", 1, t, alpha * tn),
    ("ReLU²", 2, t ** 2, sp.Integer(0)),
    ("ReLU³", 3, t ** 3, sp.Integer(0)),
    ("|t|", 1, t, -tn),
    ("|t|²", 2, t ** 2, tn ** 2),
    ("|t|³", 3, t ** 3, -tn ** 3),
)


def _euler_and_homogeneity(name: str, kk: Any, pos: Any, neg: Any) -> list[Step]:
    """Steps: σ(ct) = c^kσ(t) and tσ'(t) = kσ(t) on both sides of 0."""
    out = []
    for piece, var in ((pos, t), (neg, tn)):
        if piece == 0:
            continue
        side = "t > 0" if var is t else "t < 0"
        sig = sp.Lambda(var, piece)
        ck = sp.latex(c ** kk)
        out.append(Step(raw(r"\sigma(c_j t)"), "=", raw(f"{tex(sig(c * var))} = {ck}\\,\\sigma(t)"),
                        f"{name}, {side}: homogeneous of degree {kk}",
                        proof=sig(c * var) - c ** kk * sig(var)))
        out.append(Step(raw(r"t\,\sigma'(t)"), "=",
                        raw(f"t \\cdot {tex(sp.diff(piece, var))} = {kk}\\,\\sigma(t)"),
                        f"{name}, {side}: Euler's identity with k = {kk}",
                        proof=var * sp.diff(piece, var) - kk * piece))
    return out


@cache
def homogeneous_trace() -> Derivation:
    sigma = lambda u: u ** k                  # noqa: E731  (active side)
    z = w1 * x1 + w2 * x2
    fj = a * sigma(z)
    g_a, g_w = sp.diff(fj, a), sp.Matrix([sp.diff(fj, w1), sp.diff(fj, w2)])
    sq = g_a ** 2 + (g_w.T * g_w)[0]
    target = z ** (2 * k) + a ** 2 * (k * z ** (k - 1)) ** 2 * (x1 ** 2 + x2 ** 2)
    A_, B_ = sp.symbols("A_j B_j", positive=True)
    steps = (
        Step(raw(r"\nabla^2 \hat L"), "=", raw(r"\frac2n \sum_i \big(\nabla f_i \nabla f_i^\top + "
                                                  r"(f_i - y_i)\nabla^2 f_i\big)"),
             "L̂ = (1/n)Σ(f_i − y_i)², chain rule (M.1)", proof=None),
        Step(raw(r"\nabla^2 \hat L"), "=", raw(r"\frac2n J^\top J"),
             "at an interpolator every residual f_i − y_i is 0: PSD, rank ≤ n, spectrum (2/n) eig(JJᵀ)", proof=None),
        Step(raw(r"\|\nabla_{(a_j, w_j)} f(x_i)\|^2"), "=", U(sigma(raw("z_{ij}")) ** 2,
                                                             M(a ** 2, raw(r"\sigma'(z_{ij})^2 \|x_i\|^2"))),
             "∇_a f = σ(w_jᵀx_i), ∇_w f = a_j σ'(w_jᵀx_i) x_i (checked with σ = t^k, d = 2)", proof=sq - target),
        Step(raw(r"F(\theta) = \operatorname{tr}\nabla^2\hat L"), "=", raw(r"\sum_j (A_j + B_j)"),
             "A_j = (2/n)Σ_i σ(w_jᵀx_i)², B_j = (2/n) a_j² Σ_i σ'(w_jᵀx_i)²‖x_i‖²", proof=None),
    )
    return Derivation(
        "homogeneous-trace", "The trace of the Hessian at an interpolator", "M.2",
        ("homogeneous.trace-at-interpolator", "homogeneous.relu-sample-bound"),
        ("square loss (1/n)Σ(f − y)²", "θ interpolates", "a fixed activation pattern"),
        r"$f_\theta(x) = \sum_j a_j \sigma(w_j^\top x)$ with $\sigma$ positively homogeneous of degree $k$.",
        steps, {"A_term": 2 * t ** (2 * k) / n, "B_term": 2 * a ** 2 * (k * t ** (k - 1)) ** 2 / n},
        {"A_term": sp.lambdify((t, k, n), 2 * t ** (2 * k) / n, modules="numpy", cse=True),
         "B_term": sp.lambdify((a, t, k, n), 2 * a ** 2 * (k * t ** (k - 1)) ** 2 / n, modules="numpy", cse=True)})


@cache
def homogeneous_orbit() -> Derivation:
    om = orbit_minimum()
    A_, B_ = om.A, om.B
    sigma = lambda u: u ** k                  # noqa: E731
    dsigma = lambda u: k * u ** (k - 1)       # noqa: E731
    # Hessian covariance for one neuron in d = 2 with k = 2 (sympy needs a concrete degree for the matrices)
    kk = 2
    theta = (a, w1, w2)
    fexpr = a * (w1 * x1 + w2 * x2) ** kk
    H = sp.hessian(phi(fexpr), theta)
    H_T = H.subs({a: a * c ** (-kk), w1: c * w1, w2: c * w2}, simultaneous=True)
    S = sp.diag(c ** (-kk), c, c)
    cov = S * H_T * S - H
    z = w1 * x1 + w2 * x2
    null = sp.diff(a * z ** k, a) * (-k * a) + sp.diff(a * z ** k, w1) * w1 + sp.diff(a * z ** k, w2) * w2
    r = sp.Symbol("r_i", real=True)            # φ'(f_i)
    conserve = (w1 * r * sp.diff(a * z ** k, w1) + w2 * r * sp.diff(a * z ** k, w2)) - k * a * r * sp.diff(a * z ** k, a)
    Fsym = om.F_sym
    hand = M(U(k, 1), k ** (-k / (k + 1)), A_ ** (1 / (k + 1)), B_ ** (k / (k + 1)))
    steps = [
        Step(raw(r"T_c(a_j, w_j)"), "def", sp.Tuple(M(c ** (-k), a), M(c, raw("w_j"))), "c_j > 0 (M.3)", proof=None),
        Step(M(c ** (-k), a, sigma(M(c, t))), "=", M(a, sigma(t)), "homogeneity: f is unchanged",
             proof=c ** (-k) * a * sigma(c * t) - a * sigma(t)),
        Step(sigma(M(c, t)) ** 2, "=", M(c ** (2 * k), sigma(t) ** 2), "so A_j(T_cθ) = c_j^{2k} A_j",
             proof=sigma(c * t) ** 2 - c ** (2 * k) * sigma(t) ** 2),
        Step(M((c ** (-k) * a) ** 2, dsigma(M(c, t)) ** 2), "=", M(c ** -2, a ** 2, dsigma(t) ** 2),
             "σ' has degree k − 1: B_j(T_cθ) = c_j^{−2} B_j",
             proof=(c ** (-k) * a) ** 2 * dsigma(c * t) ** 2 - c ** -2 * a ** 2 * dsigma(t) ** 2),
        Step(raw(r"F(T_c\theta)"), "=", raw(r"\sum_j \big(c_j^{2k} A_j + c_j^{-2} B_j\big)"),
             "at an interpolator (M.2): unbounded as c_j → ∞ if A_j > 0 (Dinh et al.)", proof=None),
        Step(raw(r"\frac{\partial}{\partial c}\big(c^{2k}A_j + c^{-2}B_j\big) = 0"), "=>", om.c_star,
             "sympy solve: the only critical point c_j*", proof=None),
        Step(raw(r"c^{*\,2k}A_j + c^{*\,-2}B_j"), "=", hand, "sympy substitutes c*: F_sym's term",
             proof=Fsym - (k + 1) * k ** (-k / (k + 1)) * A_ ** (1 / (k + 1)) * B_ ** (k / (k + 1))),
        Step(raw(r"\partial_c^2\big(c^{2k}A_j + c^{-2}B_j\big)\big|_{c^*}"), ">=", 0,
             "the critical point is a minimum: sympy decides the sign of F''(c*)",
             proof=sp.diff(om.F, om.c, 2).subs(om.c, om.c_star)),
        Step(raw(r"\frac{c^{*\,2k}A_j}{F_{\mathrm{sym},j}}"), "=", 1 / U(k, 1),
             "balance: the a-block carries 1/(k+1) of each neuron's flatness", proof=om.a_share - 1 / (k + 1)),
        Step(Fsym.subs({A_: c ** (2 * k) * A_, B_: c ** -2 * B_}, simultaneous=True), "=", Fsym,
             "F_sym is invariant under T_c", proof=Fsym.subs({A_: c ** (2 * k) * A_, B_: c ** -2 * B_},
                                                               simultaneous=True) - Fsym),
        Step(raw(r"\nabla^2\hat L(T_c\theta)"), "=", raw(r"S^{-1}\nabla^2\hat L(\theta) S^{-1}"),
             "S = diag(c_j^{−k} on a_j, c_j on w_j); checked for any φ with k = 2, d = 2", proof=matrix_zero(cov)),
        Step(raw(r"J\,(-k a_j e_j;\ w_j)"), "=", 0, "null direction: −k a_j σ(z) + a_j σ'(z) z = 0 (Euler)",
             proof=null),
        Step(raw(r"\tfrac{d}{dt}\big(\|w_j\|^2 - k a_j^2\big)"), "=", 0,
             "gradient flow: w_jᵀ∇_{w_j}L − k a_j ∂_{a_j}L = Σ_i φ'_i a_j (σ'(z)z − kσ(z)) = 0", proof=conserve),
        ("text", r"The two facts used above hold for every activation flatproof knows, on both sides of the kink:"),
    ]
    for name, deg, pos, neg in ACTIVATIONS:
        steps += _euler_and_homogeneity(name, deg, pos, neg)
    return Derivation(
        "homogeneous-orbit", "The rescaling orbit of a homogeneous network and its minimum F_sym", "M.3",
        ("homogeneous.orbit-minimum", "homogeneous.relu-sample-bound"),
        ("c_j > 0", "k > 0", "a fixed activation pattern", "square loss, no weight decay"),
        r"Per neuron, $T_c$ rescales $(a_j, w_j)$; along the orbit the trace at an interpolator is "
        r"$\sum_j c_j^{2k}A_j + c_j^{-2}B_j$, minimised by sympy in closed form.",
        tuple(steps), {"F_sym": Fsym, "c_star": om.c_star},
        {"F_sym": om.F_sym_fn, "c_star": om.c_star_fn})
