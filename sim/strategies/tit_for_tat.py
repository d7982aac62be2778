"""Behaviour-dependent concession: tit-for-tat (Faratin, Sierra & Jennings 1998)."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from sim.strategies.base import Stance, Strategy, StrategyParams
from sim.strategies.registry import register


@register
class TitForTat(Strategy):
    """Reciprocates the concessions it receives [Faratin1998, behaviour-dependent tactics].

    The concession received is how much better for the party the latest offer it
    received is than the one ``window`` offers before. ``absolute``: its aspiration
    falls by that much utility (and rises by as much after a retreat). ``relative``:
    it gives up the same share of what remains between its aspiration and its
    reservation as the other side gave up of what remained between that older offer
    and the party's best. It starts at its best, always stays between its reservation
    and its best, and has no deadline pressure of its own.
    """

    name = "tit_for_tat"
    classifier: ClassVar[dict[str, object]] = {"time_dependent": False, "reactive": True}

    class Params(StrategyParams):
        """``{type: tit_for_tat, mode: relative|absolute, window: k}``."""

        type: Literal["tit_for_tat"]
        mode: Literal["relative", "absolute"] = "relative"
        window: Annotated[int, Field(ge=1, le=100)] = 1

    params: Params

    @property
    def memory(self) -> int:  # type: ignore[override]
        """It compares the latest offer with the one ``window`` before."""
        return self.params.window + 1

    def aspire(self, stance: Stance, t: int, deadline: int) -> None:
        """Move the aspiration by the concession received."""
        if t == 1:
            stance.aspiration = stance.best.copy()
            return
        new, old = stance.received[:, -1], stance.received[:, 0]
        gain = np.where(np.isnan(new) | np.isnan(old), 0.0, new - old)
        if self.params.mode == "absolute":
            step = gain
        else:
            room = stance.best - np.where(np.isnan(old), 0.0, old)
            share = np.where(room > 1e-12, gain / np.where(room > 1e-12, room, 1.0), 0.0)
            step = share * (stance.aspiration - stance.reservation)
        stance.aspiration = np.clip(stance.aspiration - step, stance.reservation, stance.best)
