"""An instance a claim is checked on: data, network, loss, and (when known) the data law.

Built by :mod:`flatproof.casefile` from a case file, or directly in Python. ``provenance`` records
how it was built (generator and seed, construction, training run) for reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .._errors import InputError
from ..measures.univariate_hessian import DEFAULT_KINK_TOL
from ..model.data import MultiIndexData, UnivariateData
from ..model.homogeneous import HomogeneousNet
from ..model.losses import Loss
from ..model.univariate import UnivariateNet
from .families import ModelFamily, family

if TYPE_CHECKING:
    from ..claims._core import Tolerances, Verdict
    from ..measures._base import CurvatureOracle


@dataclass(frozen=True, eq=False)
class Instance:
    kind: str                               # a ModelKind: "univariate" or "homogeneous"
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

    def __post_init__(self) -> None:
        fam = self.family
        if not isinstance(self.data, fam.data_type) or not isinstance(self.net, fam.net_type):
            raise InputError(f"a {self.kind} instance needs {fam.data_type.__name__} and {fam.net_type.__name__}",
                             field="model")
        fam.check_shapes(self.net, self.data)

    @property
    def family(self) -> ModelFamily:
        """The model family (flatproof.instances.families) of this instance's kind."""
        return family(self.kind)

    @cached_property
    def problem(self) -> Any:
        return self.family.problem(self.data, self.loss, self.weight_decay)

    def oracle(self, net: Any = None, *, method: str = "fast", kink_tol: float = DEFAULT_KINK_TOL,
               at_kink: str = "raise") -> CurvatureOracle:
        """The curvature oracle at this instance's θ (or at ``net``, same data and loss)."""
        net = self.net if net is None else net
        return self.family.oracle(self.problem, net, method=method, kink_tol=kink_tol, at_kink=at_kink)

    # ---- Python API ---------------------------------------------------------------------------
    def verify(self, claim: str, *, mode: str = "float", seed: int = 0, tolerances: Tolerances | None = None,
               **params: Any) -> Verdict:
        """Check ``claim`` (an id such as ``"logistic.weighted-tv"``) on this instance; keyword arguments are
        the claim's parameters (``flatproof list CLAIM`` shows them). Notes on how the instance was read
        (e.g. float32 weights widened to float64) are added to the verdict's notes."""
        from dataclasses import replace

        from ..claims import get_claim
        verdict = get_claim(claim, field="claim").check(self, params=params, tolerances=tolerances, mode=mode,
                                                        seed=seed)
        extra = tuple(self.provenance.get("notes", ()))
        return replace(verdict, notes=verdict.notes + extra) if extra else verdict

    def to_torch(self, dtype: Any = None) -> Any:
        """The network as a ``torch.nn.Sequential`` with exactly these parameters (float64 by default)."""
        from ..io import to_torch
        return to_torch(self.net, dtype)

    def __repr__(self) -> str:
        from .._display import instance_repr
        return instance_repr(self)

    def _repr_html_(self) -> str:
        from .._display import instance_html
        return instance_html(self)

