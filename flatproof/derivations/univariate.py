"""Derivations for the univariate two-layer ReLU network (flatproof math U.1–U.6).

Everything is derived per activation pattern: a neuron's block is written once for the *active*
pattern (w_i x − b_i > 0, where (w_i x − b_i)_+ = w_i x − b_i) and the inactive pattern contributes 0;
sympy never differentiates through ``Max`` (whose second derivative is a ``DiracDelta``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import sympy as sp

from ._core import Derivation, M, Raw, Step, U, ball_function, matrix_zero, raw
from .orbit import orbit_minimum

# Notation of flatproof math
v, w, b, x, y = sp.symbols("v_i w_i b_i x_j y_j", real=True)
beta = sp.Symbol("beta", real=True)
z, f = sp.symbols("z f", real=True)
c = sp.Symbol("c_i", positive=True)
s = sp.Function("s")                       # the logistic sigmoid, s(t) = 1/(1 + e^{−t})
phi = sp.Function("varphi")                # a per-sample loss as a function of f


def _sig(t: Any) -> Any:
    return 1 / (1 + sp.exp(-t))


def _unfold(e: Any) -> Any:
    """Replace s(·) by its definition."""
    return e.replace(s, lambda t: _sig(t))


def _both_labels(e: Any) -> Any:
    """Zero iff e vanishes for y = 1 and for y = −1 (sum of squares of the two real cases)."""
    return e.subs(y, 1) ** 2 + e.subs(y, -1) ** 2


LOGISTIC = sp.log(1 + sp.exp(-z))


@cache
def logistic_identities() -> Derivation:
    d1, d2 = sp.diff(LOGISTIC, z), sp.diff(LOGISTIC, z, 2)
    steps = (
        Step(raw(r"\ell(z)"), "def", LOGISTIC, "logistic loss (U.1)", proof=None),
        Step(raw(r"\ell'(z)"), "=", -s(-z), "differentiate; s(t) = 1/(1 + e^{−t})", proof=d1 - _unfold(-s(-z))),
        Step(raw(r"\ell''(z)"), "=", M(s(z), s(-z)), "differentiate again",
             proof=d2 - _unfold(s(z) * s(-z))),
        Step(M(s(z), s(-z)), "<=", sp.Rational(1, 4), "1/4 − s(z)s(−z) = (s(z) − 1/2)² since s(z) + s(−z) = 1",
             witness=(_sig(z) - sp.Rational(1, 2)) ** 2, proof=U(sp.Rational(1, 4), -_sig(z) * _sig(-z))
             - (_sig(z) - sp.Rational(1, 2)) ** 2),
        ("text", r"For one sample, $\varphi(f) = \ell(y_j f)$ with $y_j \in \{-1, +1\}$:"),
        Step(raw(r"\varphi'(f)"), "=", M(-y, s(M(-y, f))), "chain rule: y ℓ'(y f) = −r_j, r_j = y_j s(−y_j f_j)",
             proof=_both_labels(y * d1.subs(z, y * f) + y * _sig(-y * f))),
        Step(raw(r"\varphi''(f)"), "=", M(s(f), s(-f)), "y² = 1 and ℓ'' is even: d_j does not depend on y_j",
             proof=_both_labels(y ** 2 * d2.subs(z, y * f) - _sig(f) * _sig(-f))),
    )
    num = {"ell_d1": sp.lambdify(z, d1, modules="numpy", cse=True),
           "ell_d2": sp.lambdify(z, d2, modules="numpy", cse=True)}
    return Derivation(
        "logistic-identities", "Logistic loss: derivatives, curvature and residual", "U.1--U.2",
        ("univariate.hessian-structure", "logistic.uncertain-set"),
        ("z real", "labels y_j in {-1, +1}"),
        r"The per-sample logistic loss and the two identities every curvature formula uses.",
        steps, {"ell_d1": d1, "ell_d2": d2}, num)


@cache
def univariate_hessian() -> Derivation:
    theta = (v, w, b, beta)
    f_eval = v * (w * x - b) + beta
    grad = sp.Matrix([sp.diff(f_eval, t) for t in theta])
    grad_disp = sp.Matrix([U(M(w, x), -b), M(v, x), -v, 1])
    hess = sp.hessian(f_eval, theta)
    hess_disp = sp.Matrix([[0, x, -1, 0], [x, 0, 0, 0], [-1, 0, 0, 0], [0, 0, 0, 0]])
    fsym = sp.Symbol("f_j")
    d1p = sp.Subs(sp.Derivative(phi(fsym), fsym), fsym, f_eval).doit()
    d2p = sp.Subs(sp.Derivative(phi(fsym), fsym, 2), fsym, f_eval).doit()
    chain = sp.hessian(phi(f_eval), theta) - (d2p * grad * grad.T + d1p * hess)
    a_, c_, lam = sp.symbols("a_i c_i lambda", real=True)
    block = sp.Matrix([[0, a_, c_], [a_, 0, 0], [c_, 0, 0]])
    charpoly = (lam * sp.eye(3) - block).det()
    eig = block.eigenvals()
    radius = sp.sqrt(a_ ** 2 + c_ ** 2)
    steps = (
        Step(raw(r"f_\theta(x)"), "=", U(M(v, raw(r"(w_i x - b_i)_+")), beta),
             "model (U.1); neuron i active on the side where w_i x − b_i > 0", proof=None),
        ("text", r"On a fixed activation pattern with neuron $i$ active at $x_j$ (inactive neurons contribute 0; "
                 r"ReLU$'(0) = 0$ by convention and points at a kink are excluded):"),
        Step(raw(r"\nabla_{(v_i, w_i, b_i, \beta)} f(x_j)"), "=", grad_disp, "differentiate the active branch",
             proof=matrix_zero(grad - grad_disp)),
        Step(raw(r"\nabla^2_{(v_i, w_i, b_i, \beta)} f(x_j)"), "=", hess_disp, "only the v_i–w_i and v_i–b_i entries",
             proof=matrix_zero(hess - hess_disp)),
        Step(raw(r"\nabla^2 \varphi(f(x_j))"), "=",
             raw(r"\varphi''(f_j)\, \nabla f_j \nabla f_j^\top + \varphi'(f_j)\, \nabla^2 f_j"),
             "chain rule, for any twice differentiable φ", proof=matrix_zero(chain)),
        ("text", r"Averaging over the data, with $d_j = \varphi''(f_j)$ and, for the logistic loss, "
                 r"$\varphi'(f_j) = -r_j$: $\nabla^2 L = H_{GN} + H_F$, $H_{GN} = \frac1n\sum_j d_j\nabla f_j\nabla f_j^\top$ "
                 r"(the coupling between neurons $i, k$ is the block $\frac1n\sum_j d_j \nabla_i f_j \nabla_k f_j^\top$), "
                 r"and $H_F = \frac1n\sum_j \varphi'(f_j)\nabla^2 f_j$ is block diagonal over neurons with block "
                 r"$\begin{pmatrix}0&a_i&c_i\\ a_i&0&0\\ c_i&0&0\end{pmatrix}$, "
                 r"$a_i = -\frac1n\sum_j r_j 1_i(x_j) x_j$, $c_i = \frac1n\sum_j r_j 1_i(x_j)$."),
        Step(raw(r"\det(\lambda I - H_F^{(i)})"), "=", M(lam, U(lam ** 2, -a_ ** 2, -c_ ** 2)),
             "characteristic polynomial of the 3 × 3 block", proof=charpoly - lam * (lam ** 2 - a_ ** 2 - c_ ** 2)),
        Step(raw(r"\operatorname{spec} H_F^{(i)}"), "=", sp.FiniteSet(0, radius, -radius),
             "its roots: so ‖H_F‖₂ = max_i √(a_i² + c_i²) = ε_F",
             proof=sum(((r - e) ** 2 for r, e in zip(sorted(eig, key=sp.default_sort_key),
                                                     sorted([0, radius, -radius], key=sp.default_sort_key),
                                                     strict=True)),
                       sp.Integer(0))),
        Step(raw(r"\operatorname{tr}\nabla^2 L"), "=", raw(r"\frac1n \sum_j d_j \|\nabla f_j\|^2"),
             "tr H_F = 0: every diagonal entry of ∇²f_j vanishes", proof=hess.trace()),
    )
    results = {"grad_f": grad, "hess_f": hess, "functional_norm": radius}
    num = {"grad_f": sp.lambdify((v, w, b, beta, x), list(grad), modules="numpy", cse=True),
           "hess_f": sp.lambdify((v, w, b, beta, x), hess.tolist(), modules="numpy", cse=True),
           "functional_norm": sp.lambdify((a_, c_), radius, modules="numpy", cse=True)}
    return Derivation(
        "univariate-hessian", "Gradient and Hessian of the univariate network, per activation pattern", "U.1--U.2",
        ("univariate.hessian-structure", "univariate.eta-flat"),
        ("a fixed activation pattern (no data point at a kink)", "ReLU'(0) = 0", "φ twice differentiable"),
        r"$f_\theta(x) = \sum_{i=1}^m v_i (w_i x - b_i)_+ + \beta$, $\theta = (v, w, b, \beta)$, "
        r"$L(\theta) = \frac1n\sum_j \varphi(f_\theta(x_j))$; the block of one neuron is written once, for any width $m$.",
        steps, results, num)


@cache
def univariate_rescaling() -> Derivation:
    f_T = (v / c) * (c * w * x - c * b)
    S = sp.diag(1 / c, c, c, 1)
    fexpr = v * (w * x - b) + beta
    H = sp.hessian(phi(fexpr), (v, w, b, beta))
    H_T = H.subs({v: v / c, w: c * w, b: c * b}, simultaneous=True)
    covariance = S * H_T * S - H
    grad_T = sp.Matrix([c * (w * x - b), v / c * x, -v / c])
    A_, B_ = sp.symbols("A_i B_i", positive=True)
    om = orbit_minimum()
    k1 = {om.k: 1}
    steps = (
        Step(raw(r"T_c(v_i, w_i, b_i)"), "def", sp.Tuple(v / c, M(c, w), M(c, b)), "c_i > 0, β unchanged (U.6)",
             proof=None),
        Step(M(v / c, U(M(c, w, x), M(-c, b))), "=", M(v, U(M(w, x), -b)),
             "c_i > 0 keeps the activation pattern (sign(c z) = sign z) and cancels", proof=f_T - v * (w * x - b)),
        Step(M(c, b) / M(c, w), "=", b / w, "the knot t_i is invariant", proof=(c * b) / (c * w) - b / w),
        Step(M(v / c, c, w), "=", M(v, w), "so is the slope jump v_i w_i (and v_i b_i)", proof=(v / c) * (c * w) - v * w),
        Step(raw(r"\nabla^2 L(T_c\theta)"), "=", raw(r"S^{-1}\, \nabla^2 L(\theta)\, S^{-1}"),
             "differentiate L(Sθ) = L(θ) twice; S = diag(1/c_i, c_i, c_i, 1); checked for any φ",
             proof=matrix_zero(covariance)),
        Step(raw(r"\|\nabla_{(v_i,w_i,b_i)} f(x_j)\|^2_{T_c\theta}"), "=",
             U(M(c ** 2, U(M(w, x), -b) ** 2), M(c ** -2, v ** 2, U(x ** 2, 1))), "the gradient at T_cθ, active side",
             proof=(grad_T.T * grad_T)[0] - (c ** 2 * (w * x - b) ** 2 + v ** 2 * (x ** 2 + 1) / c ** 2)),
        ("text", r"Averaging with weights $d_j/n$: $\operatorname{tr} H_{GN}(T_c\theta) = \sum_i (c_i^2 A_i + c_i^{-2} B_i)"
                 r" + \bar D$ with $A_i = \frac1n\sum_j d_j (w_i x_j - b_i)_+^2$, "
                 r"$B_i = \frac1n\sum_j d_j v_i^2 1_i(x_j)(x_j^2 + 1)$; the $\beta$ entry gives $\bar D$."),
        Step(raw(r"\operatorname{arg\,min}_{c_i>0}\ c_i^2 A_i + c_i^{-2} B_i"), "=", om.c_star.subs(k1).subs(
            {om.A: A_, om.B: B_}), "sympy solves the derivative = 0 (orbit minimum with k = 1)",
             proof=om.c_star.subs(k1) - (om.B / om.A) ** sp.Rational(1, 4)),
        Step(raw(r"\inf_{c_i > 0}\ c_i^2 A_i + c_i^{-2} B_i"), "=", M(2, sp.sqrt(M(A_, B_))),
             "substitute c_i*: rescaling cannot make θ arbitrarily flat",
             proof=om.F_sym.subs(k1) - 2 * sp.sqrt(om.A * om.B)),
    )
    return Derivation(
        "univariate-rescaling", "The rescaling symmetry of the univariate network and the trace along its orbit", "U.6",
        ("univariate.rescaling",), ("c_i > 0", "a fixed activation pattern", "no weight decay"),
        r"Per neuron, $T_c$ rescales $(v_i, w_i, b_i)$; $f$, both losses and the population risk are unchanged.",
        steps, {"orbit_trace": c ** 2 * A_ + B_ / c ** 2, "orbit_min": 2 * sp.sqrt(A_ * B_)},
        {"orbit_trace": sp.lambdify((c, A_, B_), c ** 2 * A_ + B_ / c ** 2, modules="numpy", cse=True),
         "orbit_min": sp.lambdify((A_, B_), 2 * sp.sqrt(A_ * B_), modules="numpy", cse=True)})


@cache
def flat_at_infinity() -> Derivation:
    e = sp.Symbol("e", nonnegative=True)              # c = 1 + e ≥ 1
    cc = sp.Symbol("c", positive=True)
    zn = sp.Symbol("z", nonnegative=True)
    mg = sp.Symbol("m", real=True)
    gamma, G, eps0 = sp.symbols("gamma G epsilon_0", positive=True)
    f_c = (cc * v) * (cc * w * x - cc * b) + cc ** 2 * beta
    grad_c = sp.Matrix([cc * (w * x - b), cc * v * x, -cc * v, 1])
    grad = sp.Matrix([w * x - b, v * x, -v, 1])
    gap = (cc ** 2 * (grad.T * grad)[0] - (grad_c.T * grad_c)[0]).subs(cc, 1 + e)
    d2 = sp.exp(-zn) / (1 + sp.exp(-zn)) ** 2
    bound = sp.exp(-cc ** 2 * gamma) * (cc ** 2 * G + eps0)
    steps = (
        Step(raw(r"\theta_c"), "def", sp.Tuple(M(cc, v), M(cc, w), M(cc, b), M(cc ** 2, beta)), "scaling of U.5, c ≥ 1",
             proof=None),
        Step(raw(r"f_{\theta_c}(x)"), "=", M(cc ** 2, raw(r"f_\theta(x)")),
             "same knots and activation pattern; degree 2 in (v, w, b), β scaled by c²",
             proof=f_c - cc ** 2 * (v * (w * x - b) + beta)),
        Step(raw(r"\nabla f_{\theta_c}(x)"), "=", sp.Matrix([M(cc, U(M(w, x), -b)), M(cc, v, x), M(-cc, v), 1]),
             "each (v, w, b) entry is c times that at θ; the β entry stays 1", proof=matrix_zero(grad_c - sp.Matrix(
                 [cc * (w * x - b), cc * v * x, -cc * v, 1]))),
        Step(raw(r"c^2\|\nabla f_\theta(x)\|^2 - \|\nabla f_{\theta_c}(x)\|^2"), "=", U(cc ** 2, -1),
             "only the β entry differs", proof=(cc ** 2 * (grad.T * grad)[0] - (grad_c.T * grad_c)[0]) - (cc ** 2 - 1)),
        Step(U(cc ** 2, -1), ">=", 0, "c = 1 + e, e ≥ 0", proof=gap - (e ** 2 + 2 * e), witness=e ** 2 + 2 * e),
        Step(raw(r"\ell''(z)"), "<=", sp.exp(-zn), "for z ≥ 0 (ℓ'' is even): e^{−z}/(1 + e^{−z})² ≤ e^{−z}",
             proof=(sp.exp(-zn) - d2) - sp.exp(-zn) * ((1 + sp.exp(-zn)) ** 2 - 1) / (1 + sp.exp(-zn)) ** 2,
             witness=sp.exp(-zn) * (2 * sp.exp(-zn) + sp.exp(-2 * zn)) / (1 + sp.exp(-zn)) ** 2),
        Step(raw(r"|r_j| = s(-m_j)"), "<=", sp.exp(-mg), "margin m_j = y_j f_j: 1/(1 + e^{m}) ≤ e^{−m}",
             proof=(sp.exp(-mg) - 1 / (1 + sp.exp(mg))) - sp.exp(-mg) / (1 + sp.exp(mg)),
             witness=sp.exp(-mg) / (1 + sp.exp(mg))),
        ("text", r"With margins $m_j = c^2 y_j f_\theta(x_j) \ge c^2\gamma$: $\|H_{GN}\|_2 \le \max_j d_j "
                 r"\|\nabla f_{\theta_c}(x_j)\|^2 \le e^{-c^2\gamma} c^2 \max_j\|\nabla f_\theta(x_j)\|^2$, and "
                 r"$|a_i| \le e^{-c^2\gamma}\bar a_i$, $|c_i| \le e^{-c^2\gamma}\bar c_i$ (the second derivatives of $f$ "
                 r"do not scale), so $\|H_F\|_2 \le e^{-c^2\gamma}\varepsilon_0$:"),
        Step(raw(r"\|\nabla^2 L(\theta_c)\|_2"), "<=", M(sp.exp(-cc ** 2 * gamma), U(M(cc ** 2, G), eps0)),
             "G = max_j ‖∇f_θ(x_j)‖², ε₀ = max_i √(ā_i² + c̄_i²); → 0 super-exponentially in c", proof=None),
    )
    return Derivation(
        "flat-at-infinity", "Flat solutions at infinity: the scaling θ ↦ θ_c and the Hessian bound", "U.5",
        ("logistic.flat-at-infinity", "logistic.flat-implies-bayes"),
        ("c ≥ 1", "γ = min_j y_j f_θ(x_j) > 0", "logistic loss, no weight decay", "a fixed activation pattern"),
        r"A network $\theta$ whose signs fit the labels with margin $\gamma > 0$ is scaled to $\theta_c$.",
        steps, {"hessian_bound": bound},
        {"hessian_bound": sp.lambdify((cc, gamma, G, eps0), bound, modules="numpy", cse=True),
         "hessian_bound_ball": ball_function((cc, gamma, G, eps0), bound)})


@cache
def weighted_tv() -> Derivation:
    P, gap, E = sp.symbols("P Delta E", nonnegative=True)
    va, wa = Raw(r"|v_i|", positive=True), Raw(r"|w_i|", positive=True)   # display names, not subscripts
    Dbar, epsF, lam = sp.symbols(r"\bar{D} varepsilon_F lambda_max", real=True)
    block = (wa * P * gap) ** 2 + (va * P) ** 2 * (E ** 2 + 1)
    g = P ** 2 * gap * sp.sqrt(1 + E ** 2)
    amgm = (wa * P * gap - va * P * sp.sqrt(1 + E ** 2)) ** 2
    steps = (
        Step(raw(r"u"), "def", raw(r"\mathbb E_\mu[\nabla f] = \frac{\sum_j d_j \nabla f_j}{\sum_j d_j}"),
             "μ ∝ Σ_j d_j δ_{x_j} (U.4)", proof=None),
        Step(raw(r"\lambda_{\max}(\nabla^2 L)"), ">=", raw(r"\frac{u^\top H_{GN} u + u^\top H_F u}{\|u\|^2}"),
             "Rayleigh quotient", proof=None),
        Step(raw(r"u^\top H_{GN} u = \bar D\, \mathbb E_\mu[(\nabla f^\top u)^2]"), ">=",
             raw(r"\bar D\, (\mathbb E_\mu[\nabla f]^\top u)^2 = \bar D \|u\|^4"), "Jensen", proof=None),
        Step(raw(r"u^\top H_F u"), ">=", raw(r"-\varepsilon_F \|u\|^2"), "‖H_F‖₂ = ε_F (U.2)", proof=None),
        Step(raw(r"\|u\|^2"), "=", raw(r"1 + \sum_i \Big(\mathbb E_\mu[(w_iX - b_i)_+]^2 + v_i^2\,\mathbb E_\mu[1_i X]^2"
                                        r" + v_i^2\,\mathbb E_\mu[1_i]^2\Big)"), "β contributes 1; per neuron", proof=None),
        ("text", r"For $w_i > 0$ write $P = P_\mu(X > t_i)$, $\Delta = \mathbb E_\mu[X - t_i \mid X > t_i]$, "
                 r"$E = \mathbb E_\mu[X \mid X > t_i]$ (and symmetrically for $w_i < 0$): "
                 r"$\mathbb E_\mu[(w_iX - b_i)_+] = |w_i| P \Delta$, $\mathbb E_\mu[1_i X] = P E$, $\mathbb E_\mu[1_i] = P$."),
        Step(raw(r"\text{neuron } i\text{'s share of } \|u\|^2"), "=", U((wa * P * gap) ** 2, M((va * P) ** 2,
                                                                                             U(E ** 2, 1))),
             "the three terms", proof=None),
        Step(U((wa * P * gap) ** 2, M((va * P) ** 2, U(E ** 2, 1))), ">=", M(2, va, wa, g),
             "a² + b² ≥ 2ab (AM–GM); g⁺_μ(t_i) = P²Δ√(1 + E²)", proof=(block - 2 * va * wa * g) - amgm, witness=amgm),
        Step(lam, ">=", U(M(Dbar, U(1, M(2, raw(r"\sum_i |v_i w_i|\, g^{\mathrm{side}(i)}_\mu(t_i)")))), -epsF),
             "combine: λ_max ≥ D̄‖u‖² − ε_F", proof=None),
    )
    return Derivation(
        "weighted-tv", "The curvature-weighted TV(1) bound", "U.4", ("logistic.weighted-tv",),
        ("any θ off the kinks", "φ'' ≥ 0 (logistic or square loss)"),
        r"The direction $u = \mathbb E_\mu[\nabla f]$ certifies a lower bound on $\lambda_{\max}$.",
        steps, {"g_side": g}, {"g_side": sp.lambdify((P, gap, E), g, modules="numpy", cse=True),
                               "g_side_ball": ball_function((P, gap, E), g)})


@cache
def norm_bound() -> Derivation:
    va, r, lam = sp.symbols(r"{\lvert{}v_i\rvert} r_i lambda", positive=True)
    w, b, x = sp.symbols("w_i b_i x", real=True)
    S, Lv, s = sp.symbols(r"\|\theta\|^2 L(\theta) s", nonnegative=True)
    log2 = sp.log(2)
    steps = (
        Step(raw(r"r_i"), "def", raw(r"\sqrt{w_i^2 + b_i^2},\quad P(\theta) = \sum_i |v_i|\, r_i"), "the path norm",
             proof=None),
        Step(M(va, r), "<=", M(sp.Rational(1, 2), U(va ** 2, r ** 2)), "AM–GM: 2|v|r ≤ v² + r²",
             witness=(va - r) ** 2 / 2),
        Step(raw(r"P(\theta)"), "<=", raw(r"\tfrac12\sum_i (v_i^2 + w_i^2 + b_i^2) \le \tfrac12\|\theta\|^2"),
             "sum over neurons; β² ≥ 0", proof=None),
        Step((w * x - b) ** 2, "<=", M(U(w ** 2, b ** 2), U(1, x ** 2)),
             "Cauchy–Schwarz for (w, b)·(x, −1)", witness=(w + b * x) ** 2),
        Step(raw(r"\sup_{|x|\le x_{\max}} |f_\theta(x) - \beta|"), "<=",
             raw(r"\sum_i |v_i|\, r_i \sqrt{1 + x_{\max}^2} = P(\theta)\sqrt{1 + x_{\max}^2}"),
             "|(wx − b)_+| ≤ |wx − b|, then the line above", proof=None),
        Step(raw(r"\ell(0) = \log(1 + e^{0})"), "=", log2, "the logistic loss of θ = 0 (f ≡ 0)",
             proof=sp.log(1 + sp.exp(sp.Integer(0))) - log2),
        ("text", r"Any minimiser $\theta$ of $J = L + \frac\lambda2\|\theta\|^2$ has $J(\theta) \le J(0) = \log 2$; write "
                 r"$J(\theta) + s = \log 2$ with slack $s \ge 0$. Since $L \ge 0$:"),
        Step(M(2, U(log2, -Lv, -s), 1 / lam), "<=", M(2, log2, 1 / lam),
             "‖θ‖² = 2(log 2 − L(θ) − s)/λ; L(θ) ≥ 0, s ≥ 0", witness=2 * (Lv + s) / lam),
        ("text", r"Rademacher complexity (constants ours): with $\bar P = \log 2/\lambda$, $\bar B = \sqrt{2\log 2/\lambda}$, "
                 r"the class $\{\|\theta\|^2 \le 2\log 2/\lambda\}$ has $\mathcal R_n \le (2\bar P\sqrt{1 + x_{\max}^2} + "
                 r"\bar B)/\sqrt n$ (Ledoux--Talagrand contraction with absolute values, then Jensen), and the 1-Lipschitz "
                 r"logistic loss with range $[0, c]$, $c = \log(1 + e^{\bar P\sqrt{1 + x_{\max}^2} + \bar B})$, gives "
                 r"$R - \hat R \le 2\mathcal R_n + c\sqrt{\log(1/\delta)/(2n)}$ with probability $\ge 1 - \delta$ "
                 r"(Bartlett--Mendelson)."),
    )
    return Derivation(
        "norm-bound", "Norm-bounded solutions: path norm, sup-norm, the weight-decay ball", "U.4",
        ("logistic.norm-bound",), ("any θ (path norm, sup-norm)", "logistic loss, λ > 0, J(θ) ≤ J(0) (weight-decay ball)"),
        r"The univariate network $f_\theta(x) = \sum_i v_i (w_i x - b_i)_+ + \beta$ on $|x| \le x_{\max}$.", steps)
