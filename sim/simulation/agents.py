"""A party at the table: a Mesa agent that decides for every run of its block at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.space import EPS
from sim.strategies import Stance, Strategy

if TYPE_CHECKING:
    from sim.simulation.model import NegotiationModel


class PartyAgent(mesa.Agent):  # type: ignore[misc]
    """One party: its strategy and its stance in every run of the block.

    The agent decides; the model owns time, the red lines' state and the data.
    """

    def __init__(self, model: NegotiationModel, index: int, strategy: Strategy) -> None:
        super().__init__(model)
        self.index = index
        self.party = model.space.parties[index]
        self.strategy = strategy
        space = model.space
        #: Global indices of this party's red lines, in file order.
        self.lines: IntArray = np.flatnonzero(space.line_owner == index)
        #: Outcomes that cross none of its red lines: where its best utility is sought.
        within = ~space.crosses[self.lines].any(axis=0)
        self.within: IntArray = (
            np.flatnonzero(within) if within.any() else np.arange(space.n_outcomes)
        )
        n = model.n_rows
        self.stance = Stance(
            reservation=np.empty(n),
            best=np.empty(n),
            exponent=np.empty(n),
            aspiration=np.empty(n),
            received=np.full((n, strategy.memory), np.nan),
        )
        self.sync()

    def sync(self) -> None:
        """Refresh what the stance takes from the block's parameters (after an event)."""
        model, p = self.model, self.index
        self.stance.reservation = model.params.reservation[:, p].copy()
        self.stance.exponent = model.params.exponent[:, p].copy()
        own = model.utility[:, p, :][:, self.within]
        best = np.broadcast_to(own.max(axis=1), (model.n_rows,))
        # A party whose best is worth less than no deal asks for its reservation value:
        # aspirations always lie between the reservation value and the best.
        self.stance.best = np.maximum(best, self.stance.reservation)

    def utility_of(self, texts: IntArray) -> FloatArray:
        """The party's utility for one outcome per run."""
        utility: FloatArray = self.model.utility_at(self.index, texts)
        return utility

    def aspire(self, t: int) -> None:
        """Set this round's aspiration by the party's strategy."""
        self.strategy.aspire(self.stance, t, self.model.deadline)

    def observe(self, texts: IntArray, seen: BoolArray) -> None:
        """Remember the utility of the offer received, where one was received."""
        if self.strategy.memory == 0:
            return  # its tactic never looks at what it receives
        received = self.stance.received
        utility = np.where(seen, self.utility_of(texts), np.nan)
        keep = np.where(seen[:, None], np.roll(received, -1, axis=1), received)
        keep[:, -1] = np.where(seen, utility, received[:, -1])
        self.stance.received = keep

    def crossed_line(self, texts: IntArray, rows: IntArray | None = None) -> IntArray:
        """The first of its red lines still held that each text crosses (-1 for none).

        ``texts`` are those of ``rows`` when given, else of every run.
        """
        model = self.model
        found = np.full(texts.shape[0], -1, dtype=np.intp)
        for line in self.lines[::-1]:  # reversed, so the first line in file order wins
            held = model.held[line] if rows is None else model.held[line][rows]
            hit = model.space.crosses[line, texts] & held
            found = np.where(hit, line, found)
        return found

    def most_wanted_change_at(self, texts: IntArray, rows: IntArray) -> IntArray:
        """The issue whose option costs the party most, for each text and its run.

        The cost of an issue is its weight times the gap between the party's best option
        there and the option the text takes.
        """
        model, p = self.model, self.index
        table = model.preferences.shortfall  # (R|1, P, I * W)
        columns = model.option_column[texts]  # (n, I): i * W + option
        per_party = table.shape[2]
        at = rows if table.shape[0] > 1 else np.zeros_like(rows)
        flat = (at * table.shape[1] + p)[:, None] * per_party + columns
        shortfall = table.ravel().take(flat)
        return np.asarray(np.argmax(shortfall, axis=1), dtype=np.intp)

    def respond(
        self, texts: IntArray, rows: IntArray | None = None
    ) -> tuple[BoolArray, IntArray, IntArray]:
        """Accept or reject each run's text; a rejection names a red line or an issue.

        The party accepts when the text crosses none of its red lines still held and
        gives it at least its aspiration (Baarslag et al. 2011: accept what is worth at
        least what one would ask). Otherwise its objection is the first held red line the
        text crosses, or else the issue it most wants changed.
        """
        if rows is not None:  # only the runs that ask this party
            texts = texts[rows]
        line = self.crossed_line(texts, rows)
        utility = self.model.utility_at(self.index, texts, rows)
        aspiration = self.stance.aspiration if rows is None else self.stance.aspiration[rows]
        accept = (line < 0) & (utility >= aspiration - EPS)
        issue = np.full(texts.shape[0], -1, dtype=np.intp)
        wanting = np.flatnonzero(~accept & (line < 0))
        if wanting.size:
            everyone = np.arange(texts.shape[0]) if rows is None else rows
            issue[wanting] = self.most_wanted_change_at(texts[wanting], everyone[wanting])
        return accept, line, issue

    def propose(self, previous: IntArray, avoid: BoolArray) -> IntArray:
        """An offer per run: at least its aspiration, like the last offer, within its lines.

        Among the outcomes that cross none of its held red lines and give it at least its
        aspiration, it offers the one that agrees with the last offer on the table on the
        most issues — the similarity trade-off of Faratin, Sierra & Jennings (2002) —
        then the one best for itself, then the first. Outcomes ``avoid`` marks (crossing
        red lines others have invoked) are left out while any candidate remains.
        """
        model, p = self.model, self.index
        space = model.space
        own = model.utility[:, p, :]
        ok = own >= self.stance.aspiration[:, None] - EPS
        for line in self.lines:
            ok = ok & ~(space.crosses[line][None, :] & model.held[line][:, None])
        preferred = ok & ~avoid
        candidates = np.where(preferred.any(axis=1, keepdims=True), preferred, ok)
        similarity = np.zeros(candidates.shape, dtype=np.float64)
        seen = previous >= 0
        last = space.choice[np.where(seen, previous, 0)]
        for i in range(len(space.issues)):
            same = space.choice[None, :, i] == last[:, i, None]
            similarity += same & seen[:, None]
        # Never empty: the party's best outcome crosses none of its lines and gives it its
        # best, and an aspiration never exceeds the best (sync, Stance).
        score = np.where(candidates, similarity + 0.5 * own, -np.inf)
        return np.asarray(np.argmax(score, axis=1), dtype=np.intp)

    def take(self, rows: IntArray) -> None:
        """Keep only the given runs (the block is being compacted)."""
        self.stance = self.stance.take(rows)
