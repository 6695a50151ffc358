"""Population quantities of a trained network under a known data law.

Univariate (U.5): the 0-1 error of the classifier x ↦ sign f(x) (+1 where f > 0, −1 elsewhere) is

    err(f) = E[ η(X) 1{f(X) ≤ 0} + (1 − η(X)) 1{f(X) > 0} ],   η(x) = P(Y = +1 | X = x),

an integral over finitely many intervals: f is piecewise linear, so between its knots and zeros its sign is
constant, and with the zeros and turns of the target logit as breakpoints too (and a mesh graded towards them,
:func:`graded`) the integrand is smooth on each piece. The Bayes error is E[min(η, 1 − η)]. Float mode
integrates on all pieces at once (:func:`integrate_pieces`: vectorised Gauss–Kronrod 7-15 with bisection of
the pieces whose estimate is not yet good enough); its error is an *estimate* (|K15 − G7| per piece, the mass
cut off an unbounded support, and a rounding floor), not a bound. Rigorous mode encloses the same integrals in
:mod:`flatproof.measures.certified_integral`.

Multi-index (M.4): the test MSE E[(f(X) − f*(X))²] has no closed form for a general network; it is
estimated by Monte Carlo with its standard error.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .._validate import integer
from ..arith.contexts import down, up
from ..model.data import LOGIT_SAMPLES, LogisticTask, MultiIndexTask, UnivariateData, x_domain
from ..vocab import Mode
from .certified_integral import (
    PiecewiseAffine,
    _integer_pieces,
    certified_population,
    certified_region_excess,
    network_sign_pieces,
    piecewise_affine,
)
from .quadrature import integrate_pieces

if TYPE_CHECKING:
    from ..model.homogeneous import HomogeneousNet
    from ..model.univariate import UnivariateNet

def _window_and_cut(task: LogisticTask) -> tuple[float, float, float]:
    """(lo, hi, mass outside [lo, hi]): the support, or the task's window where the support is unbounded."""
    lo, hi = task.law.support
    if np.isfinite(lo) and np.isfinite(hi):
        return float(lo), float(hi), 0.0
    wlo, whi = x_domain(task)
    return wlo, whi, float(task.law.cdf(wlo) + (1.0 - task.law.cdf(whi)))


def expect_on_pieces(task: LogisticTask, fn: Callable[[np.ndarray], np.ndarray], breaks: Sequence[float] | np.ndarray,
                     what: str = "population integral") -> tuple[np.ndarray, np.ndarray]:
    """(E[fn_k(X)], estimated errors) for k integrands ``fn(x) -> (k, len(x))`` under the task's law, by
    :func:`integrate_pieces` split at ``breaks``. Beyond the window of an unbounded support the mass cut off
    times max(1, |fn| at the window's ends) is added to the error (as float mode always did)."""
    lo, hi, cut = _window_and_cut(task)
    inner = np.asarray(breaks, dtype=float)
    inner = inner[np.isfinite(inner) & (inner > lo) & (inner < hi)]
    edges = np.unique(np.concatenate([[lo], inner, [hi]]))
    with np.errstate(under="ignore"):       # a term below the smallest normal is far below the tolerance
        r = integrate_pieces(lambda x: np.asarray(fn(x), dtype=float).reshape(-1, x.size) * task.law.pdf(x),
                             edges, what=what)
    if cut > 0:
        ends = np.abs(np.asarray(fn(np.array([lo, hi])), dtype=float).reshape(-1, 2)).max(axis=1)
        return r.values, r.errors + cut * np.maximum(1.0, ends)
    return r.values, r.errors


@dataclass(frozen=True)
class NetworkPieces:
    """f on the integration window, for float integrands: its affine table (:class:`PiecewiseAffine`, O(log m)
    per point), the float roundings of its zeros (from the exact rational ones) and its sign between them."""

    table: PiecewiseAffine
    zeros: np.ndarray           # increasing: the ends of the sign pieces inside the window
    signs: np.ndarray           # σ_f on each sign piece (+1 where f > 0, −1 where f ≤ 0): len(zeros) + 1

    def sign(self, x: np.ndarray) -> np.ndarray:
        """σ_f at points that are not zeros of f (the quadrature nodes, interior to the pieces)."""
        return self.signs[np.searchsorted(self.zeros, x, side="right")]


def network_pieces(net: UnivariateNet, task: LogisticTask) -> NetworkPieces:
    """:class:`NetworkPieces` of f on the window of the task's law, from f's exact pieces (O(m log m))."""
    lo, hi, _ = _window_and_cut(task)
    exact = _integer_pieces(net, lo, hi)
    sp = network_sign_pieces(net, lo, hi, exact)
    return NetworkPieces(piecewise_affine(net, lo, hi, exact), np.array([float(q) for _, q, _ in sp[:-1]], dtype=float),
                         np.array([s for _, _, s in sp], dtype=float))


def graded(points: np.ndarray, fixed: np.ndarray, h: float) -> np.ndarray:
    """Breakpoints t − h·2^k and t + h·2^k (k = 0, 1, …) around each t of ``points``, while h·2^k is under half
    the distance from t to its neighbour on that side in ``points`` ∪ ``fixed``: a mesh graded towards t. A
    feature of the integrand at t of width w ≳ h (a narrow dip of the logit, a steep zero) then lies on pieces of
    length comparable to their distance from t, where Gauss–Kronrod sees it; without them it can fall between a
    piece's end and its first node (0.85 % of the piece in), where K15 and G7 both miss it and agree."""
    t = np.unique(np.asarray(points, dtype=float))
    if t.size == 0 or not h > 0:
        return np.empty(0)
    every = np.unique(np.concatenate([t, np.asarray(fixed, dtype=float)]))
    i = np.searchsorted(every, t)
    left = t - every[np.maximum(i - 1, 0)]
    right = every[np.minimum(i + 1, every.size - 1)] - t
    span = float(every[-1] - every[0])
    left = np.where(i == 0, span, left) / 2
    right = np.where(i == every.size - 1, span, right) / 2
    steps = h * 2.0 ** np.arange(int(np.ceil(np.log2(max(span / h, 1.0)))) + 1)
    return np.concatenate([(t[:, None] - steps[None, :])[steps[None, :] < left[:, None]],
                           (t[:, None] + steps[None, :])[steps[None, :] < right[:, None]]])


def logit_breaks(task: LogisticTask, lo: float, hi: float, fixed: np.ndarray, samples: int = LOGIT_SAMPLES) -> np.ndarray:
    """The zeros and turns of the target logit on [lo, hi] that sampling on ``samples`` points finds
    (:meth:`~flatproof.model.data.LogisticTask.logit_breakpoints`), with a mesh :func:`graded` towards each at
    the sampling's spacing (the other breakpoints ``fixed`` and the ends bound its reach)."""
    t = task.logit_breakpoints(lo, hi, samples)
    h = (hi - lo) / (samples - 1)
    return np.concatenate([t, graded(t, np.concatenate([np.asarray(fixed, dtype=float), [lo, hi]]), h)])


def breakpoints(net: UnivariateNet, task: LogisticTask, pieces: NetworkPieces | None = None) -> np.ndarray:
    """Where the population integrands are not smooth or change fastest: the knots of f, the zeros of f (both
    from f's exact pieces) and the zeros and turns of the target logit that sampling finds, graded towards
    (:func:`logit_breaks`; float mode; rigorous mode isolates them all,
    :mod:`flatproof.measures.certified_integral`)."""
    pieces = pieces or network_pieces(net, task)
    lo, hi = x_domain(task)
    fixed = np.concatenate([pieces.table.cuts, pieces.zeros])
    return np.concatenate([fixed, logit_breaks(task, lo, hi, fixed)])


def classification_error(net: UnivariateNet, task: LogisticTask) -> float:
    """Population 0-1 error of sign f under the task's law (:func:`classification_error_with_error`)."""
    return classification_error_with_error(net, task)[0]


def classification_error_with_error(net: UnivariateNet, task: LogisticTask) -> tuple[float, float]:
    """(population 0-1 error of sign f, estimated error): :func:`population_errors` without the Bayes error."""
    err, e_err, _, _ = _errors(net, task, bayes=False)
    return err, e_err


def population_errors(net: UnivariateNet, task: LogisticTask) -> tuple[float, float, float, float]:
    """(population 0-1 error of sign f, its estimated error, Bayes error E[min(η, 1 − η)], its estimated error)
    in one pass of :func:`expect_on_pieces`, cut at the zeros of f (its sign is taken from its exact pieces, so f
    is never evaluated) and at the zeros and turns of the logit that sampling finds."""
    return _errors(net, task, bayes=True)


@dataclass(frozen=True)
class PopulationExcess:
    """err(sign f), the Bayes error and the excess err − Bayes, with an interval for the excess: an enclosure
    (``certified``: validated integrals) or the float value ± the quadrature's estimated error (an estimate, not
    a bound). ``certificate`` holds the figures a check reports, ``note`` how they were obtained."""

    error: float
    bayes: float
    excess: float
    interval: tuple[float, float]
    certified: bool
    certificate: dict[str, object]
    note: str


def population_excess(net: UnivariateNet, task: LogisticTask, mode: Mode | str = Mode.FLOAT) -> PopulationExcess:
    """:class:`PopulationExcess` of sign f under the task's law (U.5). Float mode: :func:`population_errors`
    (one vectorised Gauss–Kronrod pass for both errors; the interval is the sum of their estimated errors).
    Rigorous mode: :func:`~flatproof.measures.certified_integral.certified_population`, which raises
    :class:`~flatproof.measures.certified_integral.NotCertified` when it cannot enclose the integrals."""
    if Mode(mode) == Mode.RIGOROUS:
        pop = certified_population(net, task)
        lo, hi = down(pop.excess), up(pop.excess)
        err, bay, exc = float(pop.error.mid()), float(pop.bayes.mid()), float(pop.excess.mid())
        cert: dict[str, object] = {
            "population_error": err, "bayes_error": bay, "excess_error": exc,
            "population_error_certified": [down(pop.error), up(pop.error)],
            "bayes_error_certified": [down(pop.bayes), up(pop.bayes)], "excess_error_certified": [lo, hi],
            "integration": f"validated (acb.integral) on {pop.pieces} pieces, {pop.logit_zeros} zeros of the logit "
                           f"isolated, {pop.seconds:.2f} s"}
        return PopulationExcess(err, bay, exc, (lo, hi), True, cert,
                                "population and Bayes errors by validated integration")
    err, e_err, bay, e_bay = population_errors(net, task)
    e = e_err + e_bay
    cert = {"population_error": err, "bayes_error": bay, "excess_error": err - bay, "quadrature_error_estimate": e}
    return PopulationExcess(err, bay, err - bay, (err - bay - e, err - bay + e), False, cert,
                            "population and Bayes errors by vectorised Gauss–Kronrod 7-15 split at the knots and "
                            "zeros of f and at the zeros and turns of the logit found on a grid; the interval is "
                            "its error estimate (an estimate, not a bound)")


def _errors(net: UnivariateNet, task: LogisticTask, bayes: bool) -> tuple[float, float, float, float]:
    pieces = network_pieces(net, task)
    lo, hi = x_domain(task)

    def integrands(x: np.ndarray) -> np.ndarray:
        eta = task.prob_positive(x)
        rows = [np.where(pieces.sign(x) > 0, 1.0 - eta, eta)]
        if bayes:
            rows.append(np.minimum(eta, 1.0 - eta))
        return np.stack(rows)
    breaks = np.concatenate([pieces.zeros, logit_breaks(task, lo, hi, pieces.zeros)])
    val, e = expect_on_pieces(task, integrands, breaks)
    if not bayes:
        return float(val[0]), float(e[0]), math.nan, math.nan
    return float(val[0]), float(e[0]), float(val[1]), float(e[1])


def bayes_error(task: LogisticTask) -> tuple[float, float]:
    """(Bayes error E[min(η, 1 − η)] of the task, its estimated error): one pass of :func:`expect_on_pieces`,
    cut at the zeros and turns of the logit that sampling finds. The population error of the Bayes classifier
    sign(logit), which no classifier beats (flatproof math U.5)."""
    lo, hi = x_domain(task)

    def integrand(x: np.ndarray) -> np.ndarray:
        eta = task.prob_positive(x)
        return np.minimum(eta, 1.0 - eta)[None, :]
    val, e = expect_on_pieces(task, integrand, logit_breaks(task, lo, hi, np.array([])))
    return float(val[0]), float(e[0])


def training_error(net: UnivariateNet, data: UnivariateData) -> float:
    """Fraction of training points with y_j f(x_j) ≤ 0."""
    return float(np.mean(data.y * net(data.x) <= 0))


@dataclass(frozen=True)
class MonteCarlo:
    mean: float
    stderr: float
    samples: int


def excess_mse(net: HomogeneousNet, task: MultiIndexTask, samples: int = 20000, seed: int = 0) -> MonteCarlo:
    """E[(f(X) − f*(X))²] for X ~ N(0, I_d) by Monte Carlo (the population risk is this plus σ²)."""
    samples = integer(samples, "samples", minimum=2)
    X = np.random.default_rng(seed).standard_normal((samples, task.d))
    e = (net(X) - task.target(X)) ** 2
    return MonteCarlo(float(e.mean()), float(e.std(ddof=1) / np.sqrt(samples)), samples)


def _kl_bernoulli(eta: np.ndarray, f: np.ndarray) -> np.ndarray:
    """KL(Bern(η) ‖ Bern(s(f))) = η log(η/s(f)) + (1−η) log((1−η)/s(−f)), stable for large |f| (U.4)."""
    from scipy.special import xlogy

    from ..model.losses import logistic
    return xlogy(eta, eta) + eta * logistic(f) + xlogy(1 - eta, 1 - eta) + (1 - eta) * logistic(-f)


@dataclass(frozen=True)
class RegionRisk:
    mass: float             # P(X in the set)
    error: float            # P(sign f ≠ Y | X in the set)
    bayes_error: float      # P(Bayes classifier wrong | X in the set)
    excess_logistic: float  # E[KL(Bern(η(X)) ‖ Bern(s(f(X)))) | X in the set]: the excess logistic risk
    excess_logistic_error: float = math.nan   # QUADPACK's error estimates, propagated through the ratio


def region_risk(net: UnivariateNet, task: LogisticTask, region: tuple[float, float] | None, inside: bool = True) -> RegionRisk:
    """Conditional population quantities on R = [lo, hi] (``inside``) or on its complement
    (:func:`region_risks`). ``region=None`` means the whole line."""
    return region_risks(net, task, region)[0 if inside else 1]


def region_risks(net: UnivariateNet, task: LogisticTask, region: tuple[float, float] | None) -> tuple[RegionRisk, RegionRisk]:
    """(:class:`RegionRisk` on R = [lo, hi], on its complement) in one pass of :func:`expect_on_pieces` (mass,
    error, Bayes error and excess logistic risk on both sides: eight integrands on the same pieces) with
    :func:`breakpoints` and the ends of R as breakpoints. ``region=None`` means the whole line (the complement
    is then empty)."""
    lo, hi = region if region is not None else (-math.inf, math.inf)
    pieces = network_pieces(net, task)
    breaks = np.concatenate([breakpoints(net, task, pieces), [lo, hi]])

    def quantities(x: np.ndarray) -> np.ndarray:
        ins = ((x >= lo) & (x <= hi)).astype(float)
        eta, f = task.prob_positive(x), pieces.table(x)
        q = np.stack([np.ones_like(x), np.where(pieces.sign(x) > 0, 1.0 - eta, eta), np.minimum(eta, 1.0 - eta),
                      _kl_bernoulli(eta, f)])
        return np.concatenate([ins * q, (1.0 - ins) * q])
    val, e = expect_on_pieces(task, quantities, breaks)
    return _conditional(val[:4], e[:4]), _conditional(val[4:], e[4:])


def _conditional(val: np.ndarray, e: np.ndarray) -> RegionRisk:
    """The :class:`RegionRisk` of (mass, error, Bayes, KL) integrals and their estimated errors."""
    (mass, err, bay, kl), (e_mass, _, _, e_kl) = val, e
    if mass <= 0:
        return RegionRisk(0.0, float("nan"), float("nan"), float("nan"))
    e_ratio = (e_kl + abs(kl) * e_mass / mass) / max(mass - e_mass, 0.0) if mass > e_mass else math.inf
    return RegionRisk(float(mass), float(err / mass), float(bay / mass), float(kl / mass), float(e_ratio))


@dataclass(frozen=True)
class RegionExcess:
    """The excess logistic risk inside R_δ with an interval: an enclosure (``certified``: R_δ's ends as balls,
    validated integrals) or the float value ± the quadrature's estimated error (an estimate, not a bound);
    ``certificate`` holds what a check reports of it."""

    excess: float
    interval: tuple[float, float]
    certified: bool
    certificate: dict[str, object]


def region_excess(net: UnivariateNet, task: LogisticTask, delta: float, lo: float, hi: float, inside: RegionRisk,
                  mode: Mode | str = Mode.FLOAT) -> RegionExcess:
    """:class:`RegionExcess` of the network's R_δ on [lo, hi] (U.3–U.4). Float mode: ``inside``, the
    :class:`RegionRisk` on R_δ (:func:`region_risks`). Rigorous mode:
    :func:`~flatproof.measures.certified_integral.certified_region_excess`, which raises
    :class:`~flatproof.measures.certified_integral.NotCertified` when it cannot enclose the integral."""
    if Mode(mode) == Mode.RIGOROUS:
        cert = certified_region_excess(net, task, delta, lo, hi)
        iv = (down(cert.excess), up(cert.excess))
        return RegionExcess(float(cert.excess.mid()), iv, True, {
            "excess_inside_certified": list(iv),
            "region_certified": [[down(cert.left), up(cert.left)], [down(cert.right), up(cert.right)]],
            "mass_inside_certified": [down(cert.mass), up(cert.mass)]})
    v, e = inside.excess_logistic, inside.excess_logistic_error
    return RegionExcess(v, (v - e, v + e), False, {})


def logistic_risk_with_error(net: UnivariateNet, task: LogisticTask) -> tuple[float, float]:
    """(population logistic risk E[ℓ(Y f(X))] = E[η ℓ(f) + (1 − η) ℓ(−f)], estimated error), on the pieces of
    :func:`breakpoints` (stable ℓ: no overflow for large |f|). A float estimate."""
    from ..model.losses import logistic
    pieces = network_pieces(net, task)

    def risk(x: np.ndarray) -> np.ndarray:
        eta, f = task.prob_positive(x), pieces.table(x)
        return eta * logistic(f) + (1.0 - eta) * logistic(-f)
    val, e = expect_on_pieces(task, risk, breakpoints(net, task, pieces))
    return float(val[0]), float(e[0])
