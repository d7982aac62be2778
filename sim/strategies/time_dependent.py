"""Time-dependent concession (Faratin, Sierra & Jennings 1998) and the hardliner."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from sim.strategies.base import Strategy, StrategyParams
from sim.strategies.registry import register


class TimeDependent(Strategy):
    """Aspiration falls from the best utility to the reservation value as the deadline nears.

    ``aspiration(t) = r + (best - r) * (1 - (t / T) ** (1 / e))`` (Faratin, Sierra &
    Jennings, "Negotiation decision functions for autonomous agents", 1998), with the
    best utility a party can reach within its own red lines in place of 1. At the
    deadline every tactic asks only for its reservation value.
    """

    classifier: ClassVar[dict[str, object]] = {"time_dependent": True, "reactive": False}
    code: ClassVar[int] = 0  # sim.simulation.kernels.TIME_DEPENDENT

    def default_exponent(self) -> float:
        """The exponent given in YAML."""
        return float(getattr(self.params, "exponent", 1.0))


@register
class Boulware(TimeDependent):
    """Holds firm and concedes late (e < 1) [Faratin1998]."""

    name = "boulware"

    class Params(StrategyParams):
        """``{type: boulware, exponent: e}`` with 0 < e < 1."""

        type: Literal["boulware"]
        exponent: Annotated[float, Field(gt=0.0, lt=1.0)] = 0.2


@register
class Linear(TimeDependent):
    """Concedes at a constant pace (e = 1) [Faratin1998]."""

    name = "linear"

    class Params(StrategyParams):
        """``{type: linear}``."""

        type: Literal["linear"]


@register
class Conceder(TimeDependent):
    """Gives ground early (e > 1) [Faratin1998]."""

    name = "conceder"

    class Params(StrategyParams):
        """``{type: conceder, exponent: e}`` with e > 1."""

        type: Literal["conceder"]
        exponent: Annotated[float, Field(gt=1.0, le=100.0)] = 2.0


@register
class Hardliner(Strategy):
    """Never concedes below its opening demand until the deadline, then takes its reservation.

    The limiting case of a Boulware tactic as e → 0 [Faratin1998]; NEGOTIATION.md.
    """

    name = "hardliner"
    classifier: ClassVar[dict[str, object]] = {"time_dependent": True, "reactive": False}
    code: ClassVar[int] = 1  # sim.simulation.kernels.HARDLINER

    class Params(StrategyParams):
        """``{type: hardliner}``."""

        type: Literal["hardliner"]
