"""A party at the table: a Mesa agent that decides for every run of its block at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.simulation import kernels
from sim.simulation.tables import best_within
from sim.strategies import Stance, Strategy

if TYPE_CHECKING:
    from sim.simulation.model import NegotiationModel


class PartyAgent(mesa.Agent):  # type: ignore[misc]
    """One party: its strategy and its stance in every run of the block.

    The agent decides; the model owns time, the red lines' state and the data. Texts
    are (n, I) arrays of option indices (:mod:`sim.simulation.tables`).
    """

    def __init__(self, model: NegotiationModel, index: int, strategy: Strategy) -> None:
        super().__init__(model)
        self.index = index
        self.party = model.space.parties[index]
        self.strategy = strategy
        #: The last round it stays at the table (None: the talks' deadline).
        self.deadline: int | None = model.spec.parties[self.party].deadline
        #: Global indices of this party's red lines, in file order.
        self.lines: IntArray = np.flatnonzero(model.space.line_owner == index)
        n = model.n_rows
        self.stance = Stance(
            reservation=np.empty(n),
            best=np.empty(n),
            exponent=np.empty(n),
            aspiration=np.empty(n),
            received=np.full((n, strategy.memory), np.nan),
            reactive=np.full(n, np.nan),
            cost=np.zeros(n),
        )
        #: (R,) its best utility within its own red lines (before any reservation value).
        self.top: FloatArray = np.empty(n)
        self.best_text: IntArray = np.zeros((n, len(model.space.issues)), dtype=np.intp)
        self.sync()

    def sync(self) -> None:
        """Refresh what the stance takes from the block's parameters (after an event)."""
        model, p = self.model, self.index
        self.stance.reservation = model.params.reservation[:, p].copy()
        self.stance.exponent = model.params.exponent[:, p].copy()
        self.top, self.best_text = best_within(model.space, model.value, p, model.n_rows)
        self.reserve(model.round)

    def reserve(self, t: int) -> None:
        """Round ``t``'s reservation value: ``clip(reservation - cost_of_delay * t, 0, 1)``.

        Costs of delay make a stalemate hurt (Zartman 1985): each round without a deal
        lowers what no deal is worth to the party (raises it when the cost is negative:
        time is on its side). ``stance.cost`` is what it has lost so far.
        """
        model, p = self.model, self.index
        base = model.params.reservation[:, p]
        now = np.clip(base - model.params.cost_of_delay[:, p] * t, 0.0, 1.0)
        self.stance.reservation = now
        self.stance.cost = base - now
        # A party whose best is worth less than no deal asks for its reservation value:
        # aspirations always lie between the reservation value and the best.
        self.stance.best = np.maximum(self.top, now)

    def utility_of(self, texts: IntArray, rows: IntArray | None = None) -> FloatArray:
        """The party's worth of one text per run (of ``rows``, if given).

        Its utility, less the audience cost of every red line it gave up that the text
        crosses (:func:`sim.simulation.kernels.read`).
        """
        texts, at = self._rows(texts, rows)
        out = np.empty(texts.shape[0])
        model = self.model
        kernels.worth_rows(
            model.space.kernel, model.value, model.held, model.penalty, self.index, at, texts, out
        )
        return out

    def aspire(self, t: int) -> None:
        """Set this round's aspiration by the party's strategy.

        Past its own deadline the party has left the table and refuses every text.
        """
        model = self.model  # round t's reservation value is set (NegotiationModel.step)
        self.strategy.aspire(self.stance, t, model.deadline_of)
        if self.deadline is not None and t > self.deadline:
            self.stance.aspiration = np.full_like(self.stance.aspiration, np.inf)

    @property
    def left(self) -> bool:
        """Whether the party has left the table (its own deadline has passed)."""
        return self.deadline is not None and self.model.round > self.deadline

    def observe(self, texts: IntArray, seen: BoolArray) -> None:
        """Remember the utility of the offer received, where one was received."""
        if self.strategy.memory == 0:
            return  # its tactic never looks at what it receives
        received = self.stance.received
        utility = np.where(seen, self.utility_of(texts), np.nan)
        keep = np.where(seen[:, None], np.roll(received, -1, axis=1), received)
        keep[:, -1] = np.where(seen, utility, received[:, -1])
        self.stance.received = keep

    def _rows(self, texts: IntArray, rows: IntArray | None) -> tuple[IntArray, IntArray]:
        texts = np.ascontiguousarray(texts, dtype=np.intp)
        at = np.arange(texts.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
        return texts, at

    def respond(
        self, texts: IntArray, rows: IntArray | None = None
    ) -> tuple[BoolArray, IntArray, IntArray]:
        """Whether it would sign each run's text; a refusal names a red line or an issue.

        ``texts`` are those of ``rows`` when given, else one per run. The rule is
        :func:`sim.simulation.kernels.accepts`: it signs a text within its held red lines
        worth at least its aspiration (Baarslag et al. 2011); otherwise its objection is
        the first held red line the text crosses, or else the issue it most wants changed
        (:func:`sim.simulation.kernels.objection`).
        """
        texts, at = self._rows(texts, rows)
        n = texts.shape[0]
        accept = np.empty(n, dtype=bool)
        line = np.empty(n, dtype=np.intp)
        issue = np.empty(n, dtype=np.intp)
        model = self.model
        kernels.respond_rows(
            model.space.kernel, model.value, model.issue_best, model.held, model.penalty,
            self.stance.aspiration, self.index, at, texts, accept, line, issue,
        )  # fmt: skip
        return accept, line, issue

    def propose(self, previous: IntArray, seen: BoolArray, invoked: BoolArray) -> IntArray:
        """An offer per run: at least its aspiration, close to the last offer, within its lines.

        The similarity trade-off of Faratin, Sierra & Jennings (2002) — among the texts
        worth at least its aspiration, the one most like the last offer on the table —
        found greedily instead of by scanning every outcome: the party starts from the
        last offer and, while that text crosses one of its held red lines or is worth
        less than its aspiration, changes the one issue whose change helps most: any
        option of any issue, so a compromise neither side has offered is reachable.
        A change is judged first by whether the text then crosses none of its held
        lines and reaches its aspiration — and among those by asking the least above
        it, so that it concedes no more of the last offer than it must — then by how
        many of the lines others have invoked (``invoked``, (R, L)) it crosses, then by
        its own utility. When one change per issue does not reach its aspiration within
        its lines, it offers its best text within its own lines. Without a last
        offer it offers its best text. The cost is O(I · sum of options · L) per run.
        """
        model = self.model
        best = self.best_text
        if not seen.any():
            return best.copy()
        text = np.where(seen[:, None], previous, best)
        others = np.flatnonzero(invoked.any(axis=0))
        sizes = model.space.sizes
        done = self.respond(text)[0]
        for _ in range(len(sizes)):
            if done.all():
                break
            top = np.full(text.shape[0], -np.inf)
            choice = text.copy()
            for issue, size in enumerate(sizes):
                for option in range(int(size)):
                    trial = text.copy()
                    trial[:, issue] = option
                    enough, line, _ = self.respond(trial)
                    crosses = line >= 0
                    utility = self.utility_of(trial)
                    avoid = 0.5 * self._crossings(trial, others, invoked)
                    # A change that reaches its aspiration within its lines beats any
                    # other, and among those the least it asks for (the least departure
                    # from the last offer in its own utility); otherwise the most gain.
                    score = np.where(
                        enough, 10.0 - utility - avoid, utility - avoid - 4.0 * crosses
                    )
                    better = score > top
                    top = np.where(better, score, top)
                    choice = np.where(better[:, None], trial, choice)
            text = np.where(done[:, None], text, choice)
            done = self.respond(text)[0]
        return np.where(done[:, None], text, best)

    def _crossings(self, texts: IntArray, lines: IntArray, invoked: BoolArray) -> IntArray:
        """How many of the invoked ``lines`` (of other parties) each text crosses."""
        count = np.zeros(texts.shape[0], dtype=np.intp)
        for line in lines:
            if self.model.space.line_owner[line] == self.index:
                continue
            count += self.model.space.crosses(int(line), texts) & invoked[:, line]
        return count

    def take(self, rows: IntArray) -> None:
        """Keep only the given runs (the block is being compacted)."""
        self.stance = self.stance.take(rows)
        self.best_text = self.best_text[rows]
        self.top = self.top[rows]
