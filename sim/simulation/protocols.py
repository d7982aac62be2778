"""How a round goes: a mediator's single text, or alternating offers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import BoolArray, Float32Array, FloatArray, IntArray
from sim.strategies.single_text import SingleText

if TYPE_CHECKING:
    from sim.simulation.model import NegotiationModel


@dataclass
class Responses:
    """One round in every run: who proposed what, and how each party answered."""

    proposer: IntArray  # (R,) party index
    texts: IntArray  # (R,) outcome index
    asked: BoolArray  # (R, P) the party had to answer (it must sign the text)
    accept: BoolArray  # (R, P)
    line: IntArray  # (R, P) the red line a rejection names, -1 for none
    issue: IntArray  # (R, P) the issue a rejection names, -1 for none

    @property
    def agreed(self) -> BoolArray:
        """(R,) every party that had to answer accepted."""
        return np.all(self.accept | ~self.asked, axis=1)


def collect(model: NegotiationModel, proposer: IntArray, texts: IntArray) -> Responses:
    """Ask every signer of each run's text, the proposer too (by the same rule as all)."""
    n, n_parties = texts.shape[0], len(model.negotiators)
    asked = model.space.signer[:, texts].T
    accept = np.ones((n, n_parties), dtype=bool)
    line = np.full((n, n_parties), -1, dtype=np.intp)
    issue = np.full((n, n_parties), -1, dtype=np.intp)
    for agent in model.negotiators:
        p = agent.index
        rows = np.flatnonzero(asked[:, p])
        if rows.size == 0:
            continue
        if rows.size == n:
            accept[:, p], line[:, p], issue[:, p] = agent.respond(texts)
        else:  # a party needed by some texts only answers for those
            accept[rows, p], line[rows, p], issue[rows, p] = agent.respond(texts, rows)
    return Responses(proposer, texts, asked, accept, line, issue)


class Mediated:
    """A mediator drafts one text a round and revises it (Raiffa 1982; Klein et al. 2003).

    The mediator learns only the answers. What it infers from them is kept as an
    objection score over outcomes (see :class:`~sim.strategies.single_text.SingleText`):
    a red line named by a party counts against every text that crosses it where that
    party must sign, an issue named counts against every text that keeps the option
    objected to, and a rejected text counts against itself.
    """

    def __init__(self, model: NegotiationModel) -> None:
        self.model = model
        space = model.space
        assert space.scenario.mediator is not None
        self.mediator = space.parties.index(space.scenario.mediator)
        policy = model.negotiators[self.mediator].strategy
        assert isinstance(policy, SingleText)
        self.policy = policy
        # Objection counts are kept in single precision: they are small sums of whole
        # numbers faded by a constant, and this halves the memory traffic of a round.
        self.objections: Float32Array = np.zeros((model.n_rows, space.n_outcomes), np.float32)
        self._own: tuple[FloatArray, Float32Array] | None = None
        # What each possible objection reveals: row 0 nothing, then one row per red line
        # (the texts crossing it where its owner must sign), then one per (issue, option)
        # (the texts keeping that option).
        line_rows = policy.params.veto_weight * (space.crosses & space.signer[space.line_owner])
        # Option rows are laid out like model.option_column: issue i, option k at
        # i * width + k (rows for padding options are never used).
        width = model.preferences.width
        option_rows = [
            space.choice[:, i] == k for i in range(len(space.issues)) for k in range(width)
        ]
        self.table: Float32Array = np.vstack(
            [np.zeros((1, space.n_outcomes)), line_rows, np.array(option_rows)]
        ).astype(np.float32)
        self.option_base = 1 + len(space.lines)
        self.pairs: Float32Array = (self.table[:, None, :] + self.table[None, :, :]).reshape(
            -1, space.n_outcomes
        )

    def play(self, t: int) -> Responses:
        """One round: draft, answers, and what the mediator learns from them."""
        model = self.model
        texts = self.policy.propose(self.objections, self.own(), t, model.deadline)
        proposer = np.full(texts.shape[0], self.mediator, dtype=np.intp)
        responses = collect(model, proposer, texts)
        self.policy.fade(self.objections)
        choice = model.option_column[texts]  # (R, I) option rows, less the offset
        n = texts.shape[0]
        rows: list[IntArray | None] = []
        for agent in model.negotiators:
            p = agent.index
            rejected = ~responses.accept[:, p]
            if not rejected.any():
                rows.append(None)  # table row 0 everywhere: adds nothing
                continue
            line, issue = responses.line[:, p], responses.issue[:, p]
            option = self.option_base + choice[np.arange(n), np.maximum(issue, 0)]
            rows.append(np.where(line >= 0, 1 + line, np.where(rejected, option, 0)))
        # Parties in fixed pairs (0, 1), (2, 3), ...: a table of the sums of any two rows
        # adds a pair's objections in one gather. The pairs never depend on the block, so
        # every run gets the same additions in the same order.
        revealed = np.empty_like(self.objections)
        size = self.table.shape[0]
        for k in range(0, len(rows), 2):
            first, second = rows[k], rows[k + 1] if k + 1 < len(rows) else None
            if first is None and second is None:
                continue
            if first is None or second is None:  # the other adds row 0, which is nothing
                only = first if first is not None else second
                assert only is not None
                np.take(self.table, only, axis=0, out=revealed)
            else:
                np.take(self.pairs, first * size + second, axis=0, out=revealed)
            self.objections += revealed
        refused = np.flatnonzero(~responses.agreed)
        self.objections[refused, texts[refused]] += 1.0
        for agent in model.negotiators:
            agent.observe(texts, np.ones(texts.shape[0], dtype=bool))
        return responses

    def own(self) -> Float32Array:
        """The mediator's utilities, in single precision like the objections."""
        utility = self.model.utility
        if self._own is None or self._own[0] is not utility:
            self._own = (utility, utility[:, self.mediator, :].astype(np.float32))
        return self._own[1]

    def take(self, rows: IntArray) -> None:
        """Keep only the given runs."""
        self.objections = self.objections[rows]


class Alternating:
    """The signatories take turns proposing, in an order drawn per run; signers answer.

    Every answer is heard by all: a red line one party invokes is avoided by the
    others' later offers while they have any other candidate.
    """

    def __init__(self, model: NegotiationModel) -> None:
        self.model = model
        space = model.space
        self.previous: IntArray = np.full(model.n_rows, -1, dtype=np.intp)
        self.invoked: BoolArray = np.zeros((model.n_rows, len(space.lines)), dtype=bool)
        self.line_rows: BoolArray = space.crosses & space.signer[space.line_owner]

    def play(self, t: int) -> Responses:
        """One round: the proposer of each run offers, the signers answer."""
        model = self.model
        order = model.params.order
        proposer = order[:, (t - 1) % order.shape[1]]
        avoid = np.zeros((model.n_rows, model.space.n_outcomes), dtype=bool)
        for line in np.flatnonzero(self.invoked.any(axis=0)):
            avoid |= self.invoked[:, line, None] & self.line_rows[line][None, :]
        texts = np.zeros(model.n_rows, dtype=np.intp)
        for p in np.unique(proposer):
            offers = model.negotiators[p].propose(self.previous, avoid)
            texts = np.where(proposer == p, offers, texts)
        responses = collect(model, proposer, texts)
        for p in range(len(model.negotiators)):
            named = responses.line[:, p]
            rows = np.flatnonzero(named >= 0)
            self.invoked[rows, named[rows]] = True
        for agent in model.negotiators:
            agent.observe(texts, proposer != agent.index)
        self.previous = texts
        return responses

    def take(self, rows: IntArray) -> None:
        """Keep only the given runs."""
        self.previous = self.previous[rows]
        self.invoked = self.invoked[rows]
