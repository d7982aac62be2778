"""Behaviour-dependent concession: tit-for-tat (Faratin, Sierra & Jennings 1998)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from sim.strategies.base import Strategy, StrategyParams
from sim.strategies.registry import register


@register
class TitForTat(Strategy):
    """Reciprocates concessions, blended with a time-dependent tactic [Faratin1998].

    Faratin, Sierra & Jennings (1998) combine tactics by weights so that an agent
    still closes before its deadline. The behaviour-dependent part: the concession
    received is how much better for the party the latest offer it received is than the
    one ``window`` offers before. ``absolute``: its level falls by that much utility
    (and rises by as much after a retreat). ``relative``: it gives up the same share of
    what remains between its level and its reservation as the other side gave up of
    what remained between that older offer and the party's best. It starts at its
    best and stays between its reservation and its best.

    What it receives: in the alternating protocol, the others' offers; in the mediated
    protocol, the current text — which changes only when every signer voted for a
    revision, so a change is what the others conceded in their answers, never the
    mediator's exploratory drafts.

    The aspiration is ``β_t · level + (1 - β_t) · linear(t)``, with
    ``β_t = weight · (1 - t / T)`` and ``linear(t)`` the linear time-dependent tactic
    (e = 1): at the deadline it asks for its reservation value, like every tactic.

    Parameters: ``mode`` (``relative`` | ``absolute``, default relative), ``window``
    (1–100 offers, default 1), ``weight`` (the weight on reciprocity at the start, in
    [0, 1], default 0.5; 0 is the linear tactic, 1 pure tit-for-tat until it fades).
    """

    name = "tit_for_tat"
    classifier: ClassVar[dict[str, object]] = {"time_dependent": True, "reactive": True}
    code: ClassVar[int] = 3  # sim.simulation.kernels.TIT_FOR_TAT

    class Params(StrategyParams):
        """``{type: tit_for_tat, mode: relative|absolute, window: k, weight: w}``."""

        type: Literal["tit_for_tat"]
        mode: Literal["relative", "absolute"] = "relative"
        window: Annotated[int, Field(ge=1, le=100)] = 1
        weight: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5

    params: Params

    @property
    def memory(self) -> int:  # type: ignore[override]
        """It compares the latest offer with the one ``window`` before."""
        return self.params.window + 1

    def knobs(self) -> tuple[float, float, bool]:
        """Its weight on reciprocity and its mode (the compiled rule's parameters)."""
        return 1.0, self.params.weight, self.params.mode == "absolute"
