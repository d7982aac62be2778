"""The mediator's policy: a single negotiating text, revised from the parties' answers."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

import numpy as np
from pydantic import Field

from sim.arrays import Float32Array, IntArray
from sim.strategies.base import Stance, Strategy, StrategyParams
from sim.strategies.registry import register

#: Weight of the mediator's own utility in breaking ties between equally acceptable texts.
TIE = 1e-6


@register
class SingleText(Strategy):
    """Drafts one text a round and revises it from the objections it hears.

    The single negotiating text of Raiffa (1982), as at Camp David: the mediator drafts,
    the parties criticise, the mediator revises; and the mediated search of Klein,
    Faratin, Sayama & Bar-Yam (2003), keeping what the parties accept. The mediator sees
    only the answers. A veto that names a red line counts ``veto_weight`` objections
    against every text that crosses that line where its owner must sign (red lines are
    public positions, so the mediator knows which texts cross them); an objection that
    names an issue counts one against every text that keeps the option objected to; a
    rejected text counts one against itself. Old objections fade by ``forget`` a round,
    so a text refused early is tried again once positions may have moved — which is how
    a red line that was only a stated position gets tested again.

    Each round it proposes the text maximising
    ``(1 - λ_t) · u_mediator(o) - λ_t · objections(o)``: every objection standing
    against a text costs it λ_t in utility. The weight on a deal rises from
    ``deal_weight`` to 1 at the deadline:
    ``λ_t = deal_weight + (1 - deal_weight) · (t / T) ** (1 / exponent)``; ties go to
    the mediator's own preference, then to the first outcome. If the mediator must
    also sign, it accepts any text that meets its reservation value and its red lines.
    """

    name = "single_text"
    role = "mediator"
    classifier: ClassVar[dict[str, object]] = {"time_dependent": True, "reactive": True}

    class Params(StrategyParams):
        """``{type: single_text, deal_weight: w, exponent: e, forget: f, veto_weight: v}``."""

        type: Literal["single_text"]
        deal_weight: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5
        exponent: Annotated[float, Field(gt=0.0, le=100.0)] = 1.0
        forget: Annotated[float, Field(ge=0.0, le=1.0)] = 0.2
        veto_weight: Annotated[float, Field(ge=0.0, le=100.0)] = 4.0

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

    def propose(
        self, objections: Float32Array, own: Float32Array, t: int, deadline: int
    ) -> IntArray:
        """The text of round ``t`` in every run, from the objections heard so far.

        ``objections`` is (R, O); ``own`` the mediator's utilities, (R, O) or (1, O).
        Dividing the score by ``1 - λ + TIE`` leaves its maximum where it was.
        """
        weight = self.deal_weight(t, deadline)
        score = objections * np.float32(-weight / (1.0 - weight + TIE))
        score += own
        return np.asarray(np.argmax(score, axis=1), dtype=np.intp)

    def fade(self, objections: Float32Array) -> None:
        """Forget a share of old objections (in place), before this round's are added."""
        objections *= np.float32(1.0 - self.params.forget)
