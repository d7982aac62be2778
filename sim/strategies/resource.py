"""Resource-dependent concession, driven by what the talks cost (Faratin et al. 1998)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from sim.strategies.base import Strategy, StrategyParams
from sim.strategies.registry import register


@register
class Resource(Strategy):
    """Concedes as the talks use up what it can bear (Faratin, Sierra & Jennings 1998).

    A resource-dependent tactic of Faratin, Sierra & Jennings ("Negotiation decision
    functions for autonomous agents", 1998): the concession is driven by how a resource
    is being consumed — here what the stalemate costs the party, the reservation value
    it has lost to delay so far (``cost``, in utility units; Zartman's mutually hurting
    stalemate, NEGOTIATION.md). With ``endurance`` E, the utility the party can bear, the
    share of its endurance used is ``s_t = clip(cost_t / E, 0, 1)``, and

        ``aspiration(t) = r_t + (best - r_t) * (1 - s_t ** (1 / e))``  for t < T,
        ``aspiration(T) = r_T``,

    the time-dependent form with the clock ``t / T`` replaced by ``s_t``; ``r_t`` is the
    reservation value of round t (after costs of delay) and ``e`` the concession
    exponent as for the time-dependent tactics (e < 1 holds until its endurance is
    nearly spent, e > 1 gives ground at the first costs). The deadline is the only
    clock: at T it asks only for its reservation, like every tactic; a party whose
    talks cost nothing or whose reservation rises (time on its side) holds at its best
    until then, like the hardliner; one whose costs reach E concedes to its
    reservation value before the deadline. If costs fall back (an event), it asks more
    again. The aspiration stays in ``[r_t, max(best, r_t)]``.

    Parameters: ``endurance`` (default 0.25, range (0, 1]: the cost at which it asks
    only its reservation value; utilities are in [0, 1]) and ``exponent`` (default 1,
    range (0, 100]).
    """

    name = "resource"
    classifier: ClassVar[dict[str, object]] = {
        "time_dependent": True,
        "reactive": False,
        "resource_dependent": True,
    }
    code: ClassVar[int] = 2  # sim.simulation.kernels.RESOURCE

    class Params(StrategyParams):
        """``{type: resource, endurance: E, exponent: e}`` with 0 < E <= 1, 0 < e <= 100."""

        type: Literal["resource"]
        endurance: Annotated[float, Field(gt=0.0, le=1.0)] = 0.25
        exponent: Annotated[float, Field(gt=0.0, le=100.0)] = 1.0

    params: Params

    def default_exponent(self) -> float:
        """The exponent given in YAML."""
        return self.params.exponent

    def knobs(self) -> tuple[float, float, bool]:
        """Its endurance (the compiled rule's parameter)."""
        return self.params.endurance, 0.0, False
