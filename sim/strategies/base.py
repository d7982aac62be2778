"""What every strategy is: a small class with a name, traits, parameters and one decision.

A strategy decides for a whole block of replicate runs at once: its state holds one
entry per run, and each call is a numpy operation over the block (no loop over runs).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
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

    @property
    def pressure(self) -> FloatArray:
        """How far the party has conceded from its best toward its reservation, in [0, 1]."""
        span = self.best - self.reservation
        safe = np.where(span > 1e-12, span, 1.0)
        return np.where(span > 1e-12, np.clip((self.best - self.aspiration) / safe, 0.0, 1.0), 1.0)


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

    @abstractmethod
    def aspire(self, stance: Stance, t: int, deadline: Deadline) -> None:
        """Set ``stance.aspiration`` for round ``t`` of ``deadline`` (1-based, or per run)."""

    def default_exponent(self) -> float:
        """The exponent a run uses unless uncertainty samples one."""
        return 1.0
