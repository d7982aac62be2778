"""The mediator's policy: a single negotiating text, revised one change at a time."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Literal

import numpy as np
from pydantic import Field, model_validator

from sim.strategies.base import Strategy, StrategyParams
from sim.strategies.registry import register

#: Parameters of v0.1's single_text that no longer exist, and what replaced them.
REMOVED = {
    "deal_weight": "the parties now sign the current text when it meets their aspirations,"
    " so there is no weight of a deal against the mediator's preferences; the mediator's"
    " preferences act through 'bias'",
    "exponent": "the mediator no longer has a concession clock; 'temperature' (annealing)"
    " is what falls over time",
    "forget": "the mediator keeps one current text instead of objection scores, so there is"
    " nothing to forget; 'attention' weighs the issues the last answers named",
    "veto_weight": "a vetoed red line is now avoided outright: the mediator drafts revisions"
    " that cross no line a party has vetoed on while it has any other candidate",
}


@register
class SingleText(Strategy):
    """Holds one text and proposes a revision of it each round (Raiffa 1982; Klein et al. 2003).

    The single negotiating text of Raiffa (*The Art and Science of Negotiation*, 1982),
    as at Camp David: the mediator drafts one text, the parties criticise it, the
    mediator revises it. Revisions follow the mediated search of Klein, Faratin, Sayama
    & Bar-Yam ("Negotiating complex contracts", 2003): each round the mediator proposes
    a change of the current text; every signer votes whether the change is at least as
    good for it as the current text; a change all vote for replaces the text.

    The first text takes the mediator's favourite option on every issue. A revision
    changes ``m`` issues, ``m = 1`` plus one more issue with probability ``logroll``
    each time (a geometric count, capped at the issues there are), so trades across
    issues — log-rolling — are reachable (Klein et al. 2003). Which issues: drawn without
    replacement with weight 1 each, plus ``attention`` for every issue the last round's
    answers named (an objection naming an issue; an issue listed by a red line a party
    vetoed the current text on). Which option on a chosen issue: any of its options,
    drawn with weight ``exp(bias * w_i * v_i(k))`` from the mediator's own normalised
    weights and values (drawing the current option leaves that issue as it is) — its
    preferences bias what it proposes, never what the parties accept. Red lines are
    public: of ``CANDIDATES`` drafts it proposes the first that crosses no line a party
    has vetoed on in the run (the first draft if all do).

    When every signer would sign the current text, that text is agreed; then the
    mediator looks for a post-settlement settlement (Raiffa, "Post-settlement
    settlements", Negotiation Journal, 1985): it tries every single-issue change of the
    signed text (its favourite options first, a few passes) and then ``polish`` drafts
    as above, each replacing the text when every signer finds it at least as good (the
    signed text is the fallback, so nobody can lose). This is what takes a deal off a
    point that another deal in the zone dominates, and what lets the mediator's
    preference decide between texts the signatories are indifferent between.
    Every draw is from the run's own stream, named by the round.

    The mediator never sees utilities, only answers. If it must also sign a text, it
    signs any that meets its reservation value and its red lines.

    Parameters (documented with their ranges in the README, "Simulating negotiations"):

    * ``bias`` (default 4, range [0, 50]): how strongly the mediator drafts its own
      favourite options; 0 draws every other option alike. Its weight on an option is
      ``exp(bias * w_i * v_i(k))``.
    * ``logroll`` (default 0.5, range [0, 1)): probability of changing one more issue in
      the same revision; 0 changes one issue at a time (Klein's single mutations).
    * ``attention`` (default 4, range [0, 100]): extra weight of an issue the last
      answers named, against 1 for any issue; 0 ignores what the objections named.
    * ``temperature`` (default 0, range [0, 1]): annealing (Klein et al. 2003). A signer
      that finds a revision worse than the current text by ``d`` in utility still votes
      for it with probability ``exp(-d / τ_t)``, ``τ_t = temperature * (1 - t / T)``, so
      the chance falls to 0 by the deadline. 0 is pure hill-climbing: with every line
      firm, accepted revisions never make a signer worse off, which is what keeps deals
      efficient; a revision crossing a red line its voter holds is never kept.
    * ``probe`` (default 0.5, range [0, 1]): the mediator tests a vetoed red line while
      its belief that the line is firm (:mod:`sim.simulation.beliefs`, Fearon 1995) is
      below ``probe`` — its drafts may then cross the line, which puts the line under
      pressure — and avoids it once it believes the line firm; 0 avoids every vetoed
      line, 1 tests every line not known to be firm.
    * ``polish`` (default 20, range [0, 1000]): random post-settlement drafts tried once
      a text is agreed, after the single-issue passes; 0 turns the post-settlement
      settlement off (the deal is the text first agreed).
    """

    name = "single_text"
    role = "mediator"
    classifier: ClassVar[dict[str, object]] = {"time_dependent": False, "reactive": True}
    #: As a signer, the mediator asks only for its reservation value.
    code: ClassVar[int] = 4  # sim.simulation.kernels.SINGLE_TEXT

    #: Drafts per round among which the mediator looks for one that crosses no vetoed line.
    CANDIDATES: ClassVar[int] = 4

    class Params(StrategyParams):
        """``{type: single_text, bias, logroll, attention, temperature, polish, probe}``."""

        type: Literal["single_text"]
        bias: Annotated[float, Field(ge=0.0, le=50.0)] = 4.0
        logroll: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.5
        attention: Annotated[float, Field(ge=0.0, le=100.0)] = 4.0
        temperature: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
        polish: Annotated[int, Field(ge=0, le=1000)] = 20
        probe: Annotated[float, Field(ge=0.0, le=1.0)] = 0.5

        @model_validator(mode="before")
        @classmethod
        def _removed(cls, data: Any) -> Any:
            if isinstance(data, dict):
                for key, why in REMOVED.items():
                    if key in data:
                        raise ValueError(f"'{key}' was removed in negsim 0.2: {why}")
            return data

    params: Params

    def temperature(self, t: int, deadline: int) -> float:
        """τ_t: the annealing temperature of round ``t``, falling linearly to 0 at T."""
        return float(self.params.temperature * max(0.0, 1.0 - t / deadline))

    def changes(self, uniforms: np.ndarray, changeable: np.ndarray) -> np.ndarray:
        """How many issues each revision changes, from (R, I-1) uniforms; at least 1."""
        more = np.cumprod(uniforms < self.params.logroll, axis=1).sum(axis=1)
        out: np.ndarray = np.minimum(1 + more, np.maximum(changeable, 1))
        return out
