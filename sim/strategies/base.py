"""What every strategy is: a small class with a name, traits, parameters and one decision.

A strategy is its name, traits and parameters; its rule is compiled with the rounds
(:mod:`sim.simulation.kernels`, ``aspire_one``) and :meth:`Strategy.aspire` applies that
same rule to a stance of any number of runs.
"""

from __future__ import annotations

from abc import ABC
from dataclasses import dataclass, field, fields
from typing import ClassVar, Literal, Self

import numpy as np
from pydantic import BaseModel, ConfigDict

from sim.arrays import FloatArray, IntArray

#: The talks' deadline: one round for every run, or one per run (an event may extend it).
type Deadline = int | IntArray


class StrategyParams(BaseModel):
    """Parameters of a strategy as written in YAML: ``{type: NAME, ...}``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    type: str


@dataclass
class Stance:
    """One party's bargaining state, one entry per run of the block."""

    reservation: FloatArray  # (R,) utility of no agreement
    best: FloatArray  # (R,) the best utility the party can get within its own red lines
    exponent: FloatArray  # (R,) the concession exponent (time-dependent tactics), per run
    aspiration: FloatArray  # (R,) the least utility the party accepts this round
    received: FloatArray  # (R, H) utilities of the last H offers received, newest last; NaN unseen
    reactive: FloatArray  # (R,) a behaviour-dependent tactic's own level (tit-for-tat)
    #: (R,) the reservation value lost to delay so far (``cost_of_delay * t`` within the
    #: clip to [0, 1]; negative when time is on the party's side).
    cost: FloatArray = field(default_factory=lambda: np.zeros(0))

    def take(self, rows: IntArray) -> Self:
        """The stance of a subset of runs (for compacting a block)."""
        return type(self)(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


class Strategy(ABC):
    """A party's concession tactic, or the mediator's policy (``role = "mediator"``)."""

    #: The name used in YAML (``strategy: {type: NAME}``).
    name: ClassVar[str]
    #: Who may use it: a negotiating party, or the mediator of a mediated protocol.
    role: ClassVar[Literal["party", "mediator"]] = "party"
    #: Traits, in the manner of Axelrod's classifier: for filtering and documentation.
    classifier: ClassVar[dict[str, object]]
    #: The YAML parameters.
    Params: ClassVar[type[StrategyParams]]

    def __init__(self, params: StrategyParams) -> None:
        self.params = params

    #: How many past received offers the strategy looks at (0: none).
    memory: int = 0

    #: The tactic's rule in the compiled rounds (:func:`sim.simulation.kernels.aspire_one`,
    #: which states every tactic's formula): one of the codes of :mod:`sim.simulation.kernels`.
    code: ClassVar[int]

    def knobs(self) -> tuple[float, float, bool]:
        """The parameters the compiled rule reads: (endurance, weight, absolute)."""
        return 1.0, 0.0, False

    def aspire(self, stance: Stance, t: int, deadline: Deadline) -> None:
        """Set ``stance.aspiration`` for round ``t`` of ``deadline`` (1-based, or per run).

        The rule is the compiled one the rounds apply
        (:func:`sim.simulation.kernels.aspire_one`), run over the stance's runs; a
        tit-for-tat's level (``stance.reactive``) moves with it.
        """
        from sim.simulation.kernels import aspire_rows

        n = stance.reservation.shape[0]
        cost = stance.cost if np.size(stance.cost) == n else np.zeros(n)
        received = np.ascontiguousarray(stance.received, dtype=np.float64).reshape(n, -1)
        reactive = np.array(stance.reactive, dtype=np.float64).reshape(n)
        aspiration = np.empty(n)
        endurance, weight, absolute = self.knobs()
        aspire_rows(
            self.code, endurance, weight, absolute, t,
            np.broadcast_to(np.asarray(deadline, dtype=np.intp), (n,)).copy(),
            np.asarray(stance.reservation, dtype=np.float64),
            np.asarray(stance.best, dtype=np.float64),
            np.asarray(stance.exponent, dtype=np.float64),
            np.asarray(cost, dtype=np.float64), received, reactive, aspiration,
        )  # fmt: skip
        stance.aspiration = aspiration
        stance.reactive = reactive

    def default_exponent(self) -> float:
        """The exponent a run uses unless uncertainty samples one."""
        return 1.0
