"""A party at the table: a Mesa agent that decides for every run of its block at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.simulation.tables import best_within, utilities
from sim.space import EPS
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
        )
        self.best_text: IntArray = np.zeros((n, len(model.space.issues)), dtype=np.intp)
        self.sync()

    def sync(self) -> None:
        """Refresh what the stance takes from the block's parameters (after an event)."""
        model, p = self.model, self.index
        self.stance.reservation = model.params.reservation[:, p].copy()
        self.stance.exponent = model.params.exponent[:, p].copy()
        best, self.best_text = best_within(model.space, model.value, p, model.n_rows)
        # A party whose best is worth less than no deal asks for its reservation value:
        # aspirations always lie between the reservation value and the best.
        self.stance.best = np.maximum(best, self.stance.reservation)

    def utility_of(self, texts: IntArray, rows: IntArray | None = None) -> FloatArray:
        """The party's utility for one text per run (of ``rows``, if given)."""
        return utilities(self.model.value, self.index, texts, rows)

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
            hit = model.space.crosses(int(line), texts) & held
            found = np.where(hit, line, found)
        return found

    def most_wanted_change_at(self, texts: IntArray, rows: IntArray) -> IntArray:
        """The issue whose option costs the party most, for each text and its run.

        The cost of an issue is its weight times the gap between the party's best option
        there and the option the text takes.
        """
        model, p = self.model, self.index
        value, top = model.value, model.issue_best  # (R|1, P, I, K), (R|1, P, I)
        n_issues, width = value.shape[2], value.shape[3]
        at = rows if value.shape[0] > 1 else np.zeros_like(rows)
        columns = np.arange(n_issues) * width + texts
        base = (at * value.shape[1] + p) * (n_issues * width)
        taken = value.reshape(-1)[base[:, None] + columns]
        shortfall = top[at, p, :] - taken
        return np.asarray(np.argmax(shortfall, axis=1), dtype=np.intp)

    def respond(
        self, texts: IntArray, rows: IntArray | None = None
    ) -> tuple[BoolArray, IntArray, IntArray]:
        """Whether it would sign each run's text; a refusal names a red line or an issue.

        The party signs when the text crosses none of its red lines still held and
        gives it at least its aspiration (Baarslag et al. 2011: accept what is worth at
        least what one would ask). Otherwise its objection is the first held red line the
        text crosses, or else the issue it most wants changed.
        """
        if rows is not None:  # only the runs that ask this party
            texts = texts[rows]
        line = self.crossed_line(texts, rows)
        utility = self.utility_of(texts, rows)
        aspiration = self.stance.aspiration if rows is None else self.stance.aspiration[rows]
        accept = (line < 0) & (utility >= aspiration - EPS)
        issue = np.full(texts.shape[0], -1, dtype=np.intp)
        wanting = np.flatnonzero(~accept & (line < 0))
        if wanting.size:
            everyone = np.arange(texts.shape[0]) if rows is None else rows
            issue[wanting] = self.most_wanted_change_at(texts[wanting], everyone[wanting])
        return accept, line, issue

    def vote(
        self,
        current: IntArray,
        revision: IntArray,
        vetoed: BoolArray,
        anneal: BoolArray | None,
        rows: IntArray,
    ) -> tuple[BoolArray, IntArray]:
        """Whether each revision is at least as good for it as the current text.

        For ``rows`` of the block (``current`` and ``revision`` are theirs). It votes
        for a revision that crosses fewer of its held red lines than the current text
        (it moves toward a text the party could sign). Otherwise a revision crossing a
        held line is refused, naming the line; one within its held lines gets its vote
        when its utility is at least the current text's (Klein et al. 2003), or at
        least its aspiration (it would sign it: Baarslag et al. 2011 — a party does not
        block a text it would sign), or when the current text crosses one of its held
        lines, or when a party has vetoed the current text and the revision is worth at
        least its reservation value (a vetoed text is worth no deal).
        ``anneal`` (per row: the chance of voting for a worse revision, Klein's annealer)
        lets it accept a worse one when a uniform draw falls below it.
        """
        line = self.crossed_line(revision, rows)
        crossed_now = self._held_crossings(current, rows)
        crossed_then = self._held_crossings(revision, rows)
        mine = crossed_now > 0
        new = self.utility_of(revision, rows)
        old = self.utility_of(current, rows)
        floor = self.stance.reservation[rows]
        enough = np.minimum(old, self.stance.aspiration[rows])
        good = mine | (new >= enough - EPS) | (vetoed & (new >= floor - EPS))
        if anneal is not None:
            good |= anneal
        # A text crossing its held lines is moved toward one it could sign: a revision
        # crossing fewer of them is better for it, whatever the utilities.
        return ((line < 0) & good) | (crossed_then < crossed_now), line

    def _held_crossings(self, texts: IntArray, rows: IntArray) -> IntArray:
        """How many of its red lines still held each text (of ``rows``) crosses."""
        count = np.zeros(texts.shape[0], dtype=np.intp)
        for line in self.lines:
            count += self.model.space.crosses(int(line), texts) & self.model.held[line][rows]
        return count

    def settles(
        self, signed: IntArray, revision: IntArray, signer: BoolArray, rows: IntArray
    ) -> BoolArray:
        """After signing: whether a revision of the signed text is acceptable to it.

        A signatory (``signs: true``) that signed the signed text (``signer``) accepts a
        revision at least as good for it. Any other party that must sign the revision
        (a newly needed signatory, or a party an option ``needs``: its consent is
        required, but its gains are not what the signatories bargain over — DESIGN.md
        judges efficiency over the signatories) accepts one it would sign: at least its
        aspiration (Baarslag et al. 2011), the one acceptance rule of every party. Either
        way the revision must cross none of its held red lines (Raiffa 1985).
        """
        clear = self.crossed_line(revision, rows) < 0
        new = self.utility_of(revision, rows)
        aspiration = self.stance.aspiration[rows]
        if self.model.space.signs[self.index]:
            bar = np.where(signer, self.utility_of(signed, rows), aspiration)
        else:
            bar = aspiration
        return clear & (new >= bar - EPS)

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
        aspiration = self.stance.aspiration
        others = np.flatnonzero(invoked.any(axis=0))
        sizes = model.space.sizes
        done = (self.crossed_line(text) < 0) & (self.utility_of(text) >= aspiration - EPS)
        for _ in range(len(sizes)):
            if done.all():
                break
            top = np.full(text.shape[0], -np.inf)
            choice = text.copy()
            for issue, size in enumerate(sizes):
                for option in range(int(size)):
                    trial = text.copy()
                    trial[:, issue] = option
                    crosses = self.crossed_line(trial) >= 0
                    utility = self.utility_of(trial)
                    avoid = 0.5 * self._crossings(trial, others, invoked)
                    enough = ~crosses & (utility >= aspiration - EPS)
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
            done = (self.crossed_line(text) < 0) & (self.utility_of(text) >= aspiration - EPS)
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
