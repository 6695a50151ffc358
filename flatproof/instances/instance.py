"""An instance a claim is checked on: data, network, loss, and (when known) the data law.

Built by :mod:`flatproof.casefile` from a case file, or directly in Python. ``provenance`` records
how it was built (generator and seed, construction, training run) for reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from .._errors import InputError
from ..measures.homogeneous_hessian import HomogeneousOracle, HomogeneousProblem
from ..measures.univariate_hessian import DEFAULT_KINK_TOL, UnivariateProblem, univariate_oracle
from ..model.data import MultiIndexData, UnivariateData
from ..model.homogeneous import HomogeneousNet
from ..model.losses import Loss
from ..model.univariate import UnivariateNet


@dataclass(frozen=True, eq=False)
class Instance:
    kind: str                               # "univariate" or "homogeneous"
    data: UnivariateData | MultiIndexData
    net: UnivariateNet | HomogeneousNet
    loss: Loss
    weight_decay: float = 0.0
    task: object = None                     # LogisticTask / MultiIndexTask when the law is known
    base_net: object = None                 # e.g. the sign-fitting θ before the scaling θ ↦ θ_c (U.5)
    scale: float | None = None              # that c
    training: object = None                 # TrainResult when the network was trained by GD
    extras: dict = field(default_factory=dict)      # construction results (e.g. the LP certificate)
    provenance: dict = field(default_factory=dict)

    def __post_init__(self):
        expected = {"univariate": (UnivariateData, UnivariateNet), "homogeneous": (MultiIndexData, HomogeneousNet)}
        if self.kind not in expected:
            raise InputError(f"unknown model kind {self.kind!r}", field="model.kind")
        dcls, ncls = expected[self.kind]
        if not isinstance(self.data, dcls) or not isinstance(self.net, ncls):
            raise InputError(f"a {self.kind} instance needs {dcls.__name__} and {ncls.__name__}", field="model")
        if self.kind == "homogeneous" and self.net.d != self.data.d:
            raise InputError(f"W has {self.net.d} columns but X has {self.data.d}", field="model.W")

    @cached_property
    def problem(self):
        cls = UnivariateProblem if self.kind == "univariate" else HomogeneousProblem
        return cls(self.data, self.loss, self.weight_decay)

    def oracle(self, net=None, *, method: str = "fast", kink_tol: float = DEFAULT_KINK_TOL, at_kink: str = "raise"):
        """The curvature oracle at this instance's θ (or at ``net``, same data and loss)."""
        net = self.net if net is None else net
        if self.kind == "univariate":
            return univariate_oracle(self.problem, net, method=method, kink_tol=kink_tol, at_kink=at_kink)
        return HomogeneousOracle(self.problem, net, kink_tol=kink_tol, at_kink=at_kink)

    # ---- Python API ---------------------------------------------------------------------------
    def verify(self, claim: str, *, mode: str = "float", seed: int = 0, tolerances=None, **params):
        """Check ``claim`` (an id such as ``"logistic.weighted-tv"``) on this instance; keyword arguments are
        the claim's parameters (``flatproof list CLAIM`` shows them). Notes on how the instance was read
        (e.g. float32 weights widened to float64) are added to the verdict's notes."""
        from dataclasses import replace

        from ..claims import get_claim
        verdict = get_claim(claim, field="claim").check(self, params=params, tolerances=tolerances, mode=mode,
                                                        seed=seed)
        extra = tuple(self.provenance.get("notes", ()))
        return replace(verdict, notes=verdict.notes + extra) if extra else verdict

    def to_torch(self, dtype=None):
        """The network as a ``torch.nn.Sequential`` with exactly these parameters (float64 by default)."""
        from ..io import to_torch
        return to_torch(self.net, dtype)

    def __repr__(self) -> str:
        from .._display import instance_repr
        return instance_repr(self)

    def _repr_html_(self) -> str:
        from .._display import instance_html
        return instance_html(self)

