"""The mediator's policy: a single negotiating text, revised from the parties' answers."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field

from sim.strategies.base import Stance, Strategy, StrategyParams
from sim.strategies.registry import register


@register
class SingleText(Strategy):
    """Drafts one text a round and revises it from the objections it hears.

    The single negotiating text of Raiffa (1982), as at Camp David: the mediator drafts,
    the parties criticise, the mediator revises; and the mediated search of Klein,
    Faratin, Sayama & Bar-Yam (2003), keeping what the parties accept. The mediator sees
    only the answers. An objection that names a red line tells it every text that
    crosses that line for that party; an objection that names an issue counts against
    every text that keeps the option objected to; a rejected text counts against
    itself. Old objections fade by ``forget`` a round, so a text refused early can be
    tried again once positions may have moved.

    Each round it proposes the text maximising
    ``(1 - λ_t) · u_mediator(o) + λ_t · exp(-objections(o))``, where the weight on a
    deal rises from ``deal_weight`` to 1 at the deadline:
    ``λ_t = deal_weight + (1 - deal_weight) · (t / T) ** (1 / exponent)``; ties go to
    the mediator's own preference, then to the first outcome. If the mediator must
    also sign, it accepts any text that meets its reservation value and its red lines.
    """

    name = "single_text"
    role = "mediator"
    classifier: ClassVar[dict[str, object]] = {"time_dependent": True, "reactive": True}

    class Params(StrategyParams):
        """``{type: single_text, deal_weight: w, exponent: e, forget: f}``."""

        type: Literal["single_text"]
        deal_weight: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
        exponent: Annotated[float, Field(gt=0.0, le=100.0)] = 1.0
        forget: Annotated[float, Field(ge=0.0, le=1.0)] = 0.2

    params: Params

    def default_exponent(self) -> float:
        """The exponent given in YAML."""
        return self.params.exponent

    def aspire(self, stance: Stance, t: int, deadline: int) -> None:
        """As a signer, the mediator asks only for its reservation value."""
        stance.aspiration = stance.reservation.copy()

    def deal_weight(self, t: int, deadline: int) -> float:
        """λ_t: the weight on reaching a deal against the mediator's own preferences."""
        w, e = self.params.deal_weight, self.params.exponent
        return float(w + (1.0 - w) * (t / deadline) ** (1.0 / e))

    @property
    def forget(self) -> float:
        """The share of old objections forgotten each round."""
        return self.params.forget
