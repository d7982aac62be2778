"""The negotiation model: a block of replicate runs of one scenario, one step per round."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import mesa
import numpy as np
import numpy.typing as npt

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.rng import Streams
from sim.simulation import kernels
from sim.simulation.agents import PartyAgent
from sim.simulation.beliefs import update as update_beliefs
from sim.simulation.protocols import Alternating, Mediated, Responses
from sim.simulation.sampling import check_draw_ids, locate, sample_params, sampled_values
from sim.simulation.tables import ZONE_LIMIT, Tables
from sim.strategies import build

#: The story tells a belief's change of at least this much (or a line seen given up).
BELIEF_SHOWN = 0.05

#: Compact the block when fewer than this share of its rows are still negotiating.
COMPACT_BELOW = 0.5

#: How a run ended.
#: agreement: every signer accepted a text; deadline: none did by the last round;
#: no_zone: no deal could form any more (see NegotiationModel._close_hopeless);
#: walked_out: a signatory left the table at its own deadline.
ENDINGS = ("agreement", "deadline", "no_zone", "walked_out")


@dataclass(frozen=True)
class Outcomes:
    """One entry per run of a block (or of several), in the order of their run ids."""

    runs: npt.NDArray[np.uint64]
    agreement: BoolArray
    round: IntArray  # round of the agreement, -1 without one
    choice: IntArray  # (R, I) the deal's option per issue, -1 without agreement
    utility: FloatArray  # (R, P): the deal's utility, or the reservation value without one
    reservation: FloatArray  # (R, P): the reservation value at the end of the run
    firm: BoolArray  # (R, L) the red lines firm in the run
    ended: IntArray  # index into ENDINGS
    #: (R,) without agreement: the signer that refused the last text (a veto before an
    #: objection, then file order), or the signatory that walked out; -1 for none.
    blocker: IntArray
    blocked_line: IntArray  # (R,) the red line the blocker named, -1 for none
    blocked_issue: IntArray  # (R,) the issue the blocker named, -1 for none
    fired: BoolArray  # (R, E) the event fired in the run
    gave_up: IntArray  # (R, L) the round a stated line was given up, -1 if it held
    sampled: FloatArray  # (R, S) the value drawn for each uncertain parameter

    @classmethod
    def empty(
        cls, n_parties: int, n_lines: int, n_issues: int, n_events: int = 0, n_sampled: int = 0
    ) -> Outcomes:
        """No runs at all."""
        none = np.zeros(0, dtype=np.intp)
        return cls(
            blocker=none,
            blocked_line=none,
            blocked_issue=none,
            fired=np.zeros((0, n_events), dtype=bool),
            gave_up=np.zeros((0, n_lines), dtype=np.intp),
            sampled=np.zeros((0, n_sampled)),
            runs=np.zeros(0, dtype=np.uint64),
            agreement=np.zeros(0, dtype=bool),
            round=none,
            choice=np.zeros((0, n_issues), dtype=np.intp),
            utility=np.zeros((0, n_parties)),
            reservation=np.zeros((0, n_parties)),
            firm=np.zeros((0, n_lines), dtype=bool),
            ended=none,
        )

    @classmethod
    def concat(cls, parts: Sequence[Outcomes]) -> Outcomes:
        """The outcomes of several blocks, one after another."""
        return cls(
            **{f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)}
        )


class NegotiationModel(mesa.Model):  # type: ignore[misc]
    """Simulates a block of replicate negotiations at once; ``step()`` plays one round.

    Every party is a :class:`PartyAgent` whose state has a leading run axis, so each
    decision is one numpy operation over the block. A block of one run is a single
    negotiation, and with ``trace=True`` it keeps the story of every round. Random
    numbers come only from (seed, run id, name), so a run's course does not depend on
    the block it is simulated in. Texts are one option per issue and everything is read
    from per-issue tables (:mod:`sim.simulation.tables`): no array over outcomes.
    """

    def __init__(
        self,
        space: Tables,
        *,
        seed: int = 0,
        runs: Sequence[int] | npt.ArrayLike = (0,),
        trace: bool = False,
        rng: Any = None,
    ) -> None:
        # Mesa's own generator drives nothing here: every rule draws from `streams`.
        super().__init__(rng=seed if rng is None else rng)
        self.space = space
        self.run_seed = seed
        self.spec = space.scenario
        self.deadline = self.spec.deadline
        check_draw_ids(space)
        self.streams = Streams(seed, np.asarray(runs, dtype=np.uint64).reshape(-1))
        self.run_ids = self.streams.runs
        self.params = sample_params(space, self.streams)
        self.n_rows = int(self.run_ids.shape[0])
        self.rows: IntArray = np.arange(self.n_rows)
        self.alive: BoolArray = np.ones(self.n_rows, dtype=bool)
        self._refresh_values()
        n_lines = len(space.lines)
        self.held: BoolArray = np.ones((n_lines, self.n_rows), dtype=bool)  # (L, R)
        #: (L, R) stated lines given up under pressure (events' drops are params.dropped).
        self.given: BoolArray = np.zeros((n_lines, self.n_rows), dtype=bool)
        #: (L, R) lines whose owner named them in an answer last round (pushed on).
        self.pushed: BoolArray = np.zeros((n_lines, self.n_rows), dtype=bool)
        #: (L, R) the audience cost a text crossing a given-up line costs its owner.
        self.penalty: FloatArray = np.zeros((n_lines, self.n_rows))
        #: (R,) the talks' deadline in each run (an event may extend it).
        self.deadline_of: IntArray = np.full(self.n_rows, self.deadline, dtype=np.intp)
        # Beliefs that each line is firm, shared by the mediator and the other parties.
        self.belief: FloatArray = np.ascontiguousarray(self.params.credibility.T.copy())
        self._survived: FloatArray = np.zeros((n_lines, self.n_rows))
        self._peak: FloatArray = np.zeros((n_lines, self.n_rows))
        self.round = 0
        n, n_parties = self.n_rows, len(space.parties)
        self._blocker = np.full(n, -1, dtype=np.intp)
        self._blocked_line = np.full(n, -1, dtype=np.intp)
        self._blocked_issue = np.full(n, -1, dtype=np.intp)
        self._fired = np.zeros((n, len(self.spec.events)), dtype=bool)
        self._gave_up = np.full((n, n_lines), -1, dtype=np.intp)
        self._sampled = sampled_values(space, self.params)
        self._choice = np.full((n, len(space.issues)), -1, dtype=np.intp)
        self._round = np.full(n, -1, dtype=np.intp)
        self._utility = np.zeros((n, n_parties))
        self._reservation = np.zeros((n, n_parties))
        self._ended = np.full(n, -1, dtype=np.intp)
        self._firm_at_start = self.params.firm.copy()
        self._refresh_lines()
        self.negotiators: list[PartyAgent] = [
            PartyAgent(self, p, build(self.spec.strategy_of(pid)))
            for p, pid in enumerate(space.parties)
        ]
        self.protocol: Mediated | Alternating = (
            Mediated(self) if self.spec.protocol == "mediated" else Alternating(self)
        )
        self._events = [
            (k, event, [(locate(space, path), value) for path, value in event.set.items()])
            for k, event in enumerate(self.spec.events)
        ]
        self.trace: list[dict[str, Any]] | None = [] if trace else None
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "negotiating": lambda m: int(m.alive.sum()),
                "agreements": lambda m: int(np.count_nonzero(m._round >= 0)),
            }
        )
        self.running = True

    def _refresh_values(self) -> None:
        """The per-issue utility tables from the block's weights and values."""
        self.value: FloatArray = self.params.value_table()  # (R|1, P, I, K)
        valid = np.arange(self.space.width)[None, :] < self.space.sizes[:, None]
        #: (R|1, P, I) each party's best ``w * v`` on each issue.
        self.issue_best: FloatArray = np.where(valid, self.value, -np.inf).max(axis=3)

    # -- one round ----------------------------------------------------------------------
    def step(self) -> None:
        """Play one round in every run still negotiating."""
        self.round = t = self.round + 1
        for agent in self.negotiators:  # round t's reservation values, before anything ends
            agent.reserve(t)
        fired = self._fire_events(t)
        walked = self._walk_out(t)
        hopeless = self._close_hopeless(t)
        if (hopeless is not None or walked) and self.trace is not None:
            self.trace.append(self._story_end(t, fired, walked))
        if not self.alive.any():
            self.running = False
            self.datacollector.collect(self)
            return
        for agent in self.negotiators:
            agent.aspire(t)
        before, belief = self.held, self.belief
        pressure = self._update_held(t)
        self._believe(before, pressure)
        responses = self.protocol.play(t)
        self._blame(responses)
        self._push(responses)
        self._record(t, responses)
        if self.trace is not None:
            self.trace.append(self._story(t, fired, before, responses, pressure, belief))
        over = np.flatnonzero(self.alive & (t >= self.deadline_of))
        if over.size:
            self._end(over, ENDINGS.index("deadline"))
        self.datacollector.collect(self)
        if not self.alive.any():
            self.running = False
        elif self.alive.sum() < COMPACT_BELOW * self.n_rows:
            self._compact()

    def run(self) -> Outcomes:
        """Play rounds until every run has ended; return the outcomes."""
        while self.running:
            self.step()
        return self.outcomes()

    def outcomes(self) -> Outcomes:
        """The result of every run of the block (so far)."""
        return Outcomes(
            runs=self.run_ids,
            agreement=self._round >= 0,
            round=self._round,
            choice=self._choice,
            utility=self._utility,
            reservation=self._reservation,
            firm=self._firm_at_start,
            ended=self._ended,
            blocker=self._blocker,
            blocked_line=self._blocked_line,
            blocked_issue=self._blocked_issue,
            fired=self._fired,
            gave_up=self._gave_up,
            sampled=self._sampled,
        )

    def pressure(self) -> FloatArray:
        """(P, R) how hard the talks press on each party, in [0, 1].

        ``pressure = 1 - (1 - conceded) * (1 - hurt)``: ``conceded`` is how far the party
        has come down from its best toward its reservation value (its aspiration's share
        of the way); ``hurt`` is what the stalemate has cost it so far (its costs of
        delay, ``stance.cost``) as a share of what it stood to gain, its best less its
        reservation value at the start (0 when time is on its side). Either alone can
        bring it to 1; without costs of delay it is the concession alone.
        """
        out = np.empty((len(self.negotiators), self.n_rows))
        for agent in self.negotiators:
            stance = agent.stance
            base = self.params.reservation[:, agent.index]
            stake = np.maximum(agent.top, base) - base
            hurt = np.where(
                stake > 1e-12,
                np.clip(stance.cost / np.where(stake > 1e-12, stake, 1.0), 0.0, 1.0),
                (stance.cost > 0).astype(float),
            )
            out[agent.index] = 1.0 - (1.0 - stance.pressure) * (1.0 - hurt)
        return out

    def _update_held(self, t: int) -> FloatArray:
        """Which red lines still hold in each run; returns this round's pressures (P, R).

        A firm line holds unless an event drops it. A line that is not firm is a stated
        position: it gives way in a round when it is pushed on — its owner named it in
        an answer the round before, refusing a text or a revision that crossed it — and
        its owner's :meth:`pressure` has reached the line's threshold (drawn per run);
        then the owner has given it up for the rest of the run (and pays its
        ``audience_cost`` on a deal crossing it). A line nobody pushes on never gives way.
        """
        pressure = self.pressure()
        give = np.zeros_like(self.given)
        for agent in self.negotiators:
            for line in agent.lines:
                give[line] = (
                    self.alive
                    & self.held[line]
                    & ~self._firm[line]
                    & self.pushed[line]
                    & (pressure[agent.index] >= self._threshold[line])
                )
        if give.any():
            self.given |= give
            rows, lines = np.nonzero(give.T)
            self._gave_up[self.rows[rows], lines] = t
        self.held = np.ascontiguousarray(~self.params.dropped.T & ~self.given)
        self.penalty = np.ascontiguousarray(np.where(self.given, self.params.audience_cost.T, 0.0))
        return pressure

    def _believe(self, before: BoolArray, pressure: FloatArray) -> None:
        """Update the beliefs that each line is firm from what this round showed.

        Every line's owner's pressure is public (its concessions and its costs are seen);
        a line seen held survived it, a line seen given up is a bluff
        (:func:`sim.simulation.beliefs.update`). Lines an event dropped tell nothing.
        """
        if not self.space.lines:
            return
        dropped = self.params.dropped.T
        owner = self.space.line_owner
        self.belief, self._survived, self._peak = update_beliefs(
            self.belief,
            self._survived,
            self._peak,
            pressure[owner],
            self.held,
            before & ~self.held & ~dropped,
        )

    def _blame(self, responses: Responses) -> None:
        """Remember, in each run without agreement, who refused this round's text and why.

        The signer that refused: one that vetoed on a red line before one that objected
        on an issue, then the first in file order.
        """
        asked = responses.asked
        veto = asked & (responses.line >= 0)
        refuse = asked & ~responses.accept
        who = np.where(veto.any(axis=1), np.argmax(veto, axis=1), np.argmax(refuse, axis=1))
        rows = np.flatnonzero(self.alive & refuse.any(axis=1))
        if rows.size == 0:
            return
        party = who[rows]
        out = self.rows[rows]
        self._blocker[out] = party
        self._blocked_line[out] = responses.line[rows, party]
        self._blocked_issue[out] = np.where(
            responses.line[rows, party] >= 0, -1, responses.issue[rows, party]
        )

    def _push(self, responses: Responses) -> None:
        """The lines their owners named this round: pushed on in the next."""
        pushed = np.zeros_like(self.pushed)
        named = [responses.line]
        if responses.revision is not None:
            named.append(responses.revision.line)
        for lines in named:
            runs, parties = np.nonzero(lines >= 0)
            pushed[lines[runs, parties], runs] = True
        self.pushed = pushed

    def _walk_out(self, t: int) -> list[str]:
        """End the runs a signatory has left (its own deadline passed): ``walked_out``."""
        gone = [
            agent
            for agent in self.negotiators
            if agent.deadline is not None and t > agent.deadline and self.space.signs[agent.index]
        ]
        rows = np.flatnonzero(self.alive)
        if not gone or rows.size == 0:
            return []
        self._end(rows, ENDINGS.index("walked_out"))
        out = self.rows[rows]
        self._blocker[out] = gone[0].index
        self._blocked_line[out] = -1
        self._blocked_issue[out] = -1
        return [agent.party for agent in gone]

    def _refresh_lines(self) -> None:
        """Cache, one contiguous row per line, which lines are firm and when others yield."""
        self._firm: BoolArray = np.ascontiguousarray(self.params.firm.T)
        self._threshold: FloatArray = np.ascontiguousarray(self.params.threshold.T)

    def _fire_events(self, t: int) -> list[tuple[int, BoolArray]]:
        fired = []
        for k, event, targets in self._events:
            if event.round != t:
                continue
            rows = np.flatnonzero(self.params.fires[:, k] & self.alive)
            fired.append((k, self.params.fires[:, k] & self.alive))
            if rows.size == 0:
                continue
            self._fired[self.rows[rows], k] = True
            if event.extend_deadline is not None:
                self.deadline_of[rows] += event.extend_deadline
            for target, value in targets:
                self.params.set(target, rows, value)
            for ref in event.drop_red_lines:
                line = next(n for n, x in enumerate(self.space.lines) if x.key == ref)
                self.params.dropped[rows, line] = True
            if any(target.kind in ("weight", "value") for target, _ in targets):
                self._refresh_values()
            for agent in self.negotiators:
                agent.sync()
            self._refresh_lines()
        return fired

    def _close_hopeless(self, t: int) -> IntArray | None:
        """End the runs in which no deal can form any more; return them (None if none).

        Once no event is still to fire in a run, its utilities and firm red lines are
        fixed and its reservation values follow their costs of delay (the lowest still
        to come is taken); aspirations never fall below reservation values, and
        only lines that are not firm can give way. If then no outcome is acceptable to
        all its signers at their reservation values and firm lines, no later round can
        bring a deal: the run ends as ``no_zone``. Checked in round 1 and in each round
        where a run's last event fires — and only when the outcome space has at most
        ZONE_LIMIT outcomes (:func:`sim.simulation.kernels.zone_rows`, which stops at the
        first text that could still be agreed), so that its cost is bounded; in a larger
        space such runs end at the deadline instead.
        """
        if t > 1 and not any(event.round == t for event in self.spec.events):
            return None
        space = self.space
        if space.n_outcomes > ZONE_LIMIT:
            return None
        pending = self._pending_events(t)
        rows = np.flatnonzero(self.alive & ~pending)
        if rows.size == 0:
            return None
        texts = np.ascontiguousarray(space.enumerate())  # (O, I)
        binding = np.ascontiguousarray(self.params.firm & ~self.params.dropped)
        # With costs of delay, the lowest reservation value still to come: at the
        # deadline when it falls, now when it rises (time on the party's side).
        cost = self.params.cost_of_delay
        horizon = np.where(cost > 0, self.deadline_of[:, None], t)
        floor = np.clip(self.params.reservation - cost * horizon, 0.0, 1.0)
        possible = np.empty(rows.size, dtype=bool)
        kernels.zone_rows(
            space.kernel, self.value, np.ascontiguousarray(floor), binding,
            texts, space.signers(texts), rows, possible,
        )  # fmt: skip
        found = rows[~possible]
        if found.size == 0:
            return None
        self._end(found, ENDINGS.index("no_zone"))
        return found

    def _pending_events(self, t: int) -> BoolArray:
        """Runs in which some event is still to fire after round ``t``."""
        pending = np.zeros(self.n_rows, dtype=bool)
        for k, event in enumerate(self.spec.events):
            if event.round > t:
                pending |= self.params.fires[:, k]
        return pending

    def _record(self, t: int, responses: Responses) -> None:
        done = np.flatnonzero(responses.agreed & self.alive)
        if done.size:
            texts = responses.texts[done]
            rows = self.rows[done]
            self._choice[rows] = texts
            self._round[rows] = t
            utility = np.stack(
                [agent.utility_of(texts, done) for agent in self.negotiators], axis=1
            )
            self._utility[rows] = utility
            self._reservation[rows] = self._reservations(done)
            self._ended[rows] = ENDINGS.index("agreement")
            self._blocker[rows] = self._blocked_line[rows] = self._blocked_issue[rows] = -1
            self.alive[done] = False

    def _reservations(self, current: IntArray) -> FloatArray:
        """(n, P) every party's reservation value now (after its costs of delay)."""
        return np.stack([agent.stance.reservation[current] for agent in self.negotiators], axis=1)

    def _end(self, current: IntArray, how: int) -> None:
        rows = self.rows[current]
        now = self._reservations(current)
        self._utility[rows] = now
        self._reservation[rows] = now
        self._ended[rows] = how
        self.alive[current] = False

    def _compact(self) -> None:
        keep = np.flatnonzero(self.alive)
        self.rows = self.rows[keep]
        self.alive = self.alive[keep]
        self.params = self.params.take(keep)
        self.streams = self.streams.take(keep)
        if self.value.shape[0] > 1:
            self.value = self.value[keep]
            self.issue_best = self.issue_best[keep]
        self.held = np.ascontiguousarray(self.held[:, keep])
        self.given = np.ascontiguousarray(self.given[:, keep])
        self.pushed = np.ascontiguousarray(self.pushed[:, keep])
        self.penalty = np.ascontiguousarray(self.penalty[:, keep])
        self.belief = np.ascontiguousarray(self.belief[:, keep])
        self._survived = np.ascontiguousarray(self._survived[:, keep])
        self._peak = np.ascontiguousarray(self._peak[:, keep])
        self.deadline_of = self.deadline_of[keep]
        for agent in self.negotiators:
            agent.take(keep)
        self.protocol.take(keep)
        self.n_rows = keep.size
        self._refresh_lines()

    # -- the story of a single run -----------------------------------------------------------
    def _story_end(
        self, t: int, fired: list[tuple[int, BoolArray]], walked: list[str]
    ) -> dict[str, Any]:
        firm = [
            ref.key
            for k, ref in enumerate(self.space.lines)
            if self.params.firm[0, k] and not self.params.dropped[0, k]
        ]
        return {
            "round": t,
            "events": [self.spec.events[k].id for k, rows in fired if rows[0]],
            "given_up": [],
            "proposer": None,
            "offer": None,
            "responses": [],
            "agreement": False,
            "revision": None,
            "settlement": None,
            "no_zone": None if walked else {"firm_red_lines": firm},
            "walked_out": walked,
        }

    def _story(
        self,
        t: int,
        fired: list[tuple[int, BoolArray]],
        before: BoolArray,
        responses: Responses,
        pressure: FloatArray,
        belief: FloatArray,
    ) -> dict[str, Any]:
        space = self.space
        text = responses.texts[0]
        answers = []
        asked, accept = responses.asked[0], responses.accept[0]
        line_of, issue_of = responses.line[0], responses.issue[0]
        if responses.settled is not None and bool(responses.agreed[0]):
            # The deal is the text after the post-settlement changes: every signer of it
            # accepted it (PartyAgent.settles), so the answers are about that text.
            asked = space.signers(text[None])[0]
            accept = np.ones_like(asked)
            line_of = issue_of = np.full(asked.shape, -1, dtype=np.intp)
        for agent in self.negotiators:
            p = agent.index
            if not asked[p]:
                continue
            line, issue = int(line_of[p]), int(issue_of[p])
            answers.append(
                {
                    "party": agent.party,
                    "accept": bool(accept[p]),
                    "utility": float(agent.utility_of(text[None], np.zeros(1, np.intp))[0]),
                    "aspiration": float(agent.stance.aspiration[0]),
                    "red_line": space.lines[line].key if line >= 0 else None,
                    "issue": space.issues[issue] if issue >= 0 else None,
                }
            )
        given = np.flatnonzero(before[:, 0] & ~self.held[:, 0] & self.given[:, 0])
        given_up = [space.lines[k].key for k in given]
        gave_way = [
            {
                "red_line": space.lines[k].key,
                "pressure": float(pressure[space.line_owner[k], 0]),
                "threshold": float(self._threshold[k, 0]),
            }
            for k in given
        ]
        beliefs = [
            {
                "red_line": space.lines[k].key,
                "before": float(belief[k, 0]),
                "after": float(self.belief[k, 0]),
            }
            for k in range(len(space.lines))
            if abs(float(self.belief[k, 0]) - float(belief[k, 0])) >= BELIEF_SHOWN
        ]
        revision = None
        if responses.revision is not None:
            r = responses.revision
            shown = r.base[0]
            votes = []
            for agent in self.negotiators:
                p = agent.index
                if not r.asked[0, p]:
                    continue
                line = int(r.line[0, p])
                votes.append(
                    {
                        "party": agent.party,
                        "agree": bool(r.votes[0, p]),
                        "red_line": space.lines[line].key if line >= 0 else None,
                    }
                )
            revision = {
                "changes": {
                    space.issues[i]: space.options[i][int(r.texts[0, i])]
                    for i in np.flatnonzero(r.texts[0] != shown)
                },
                "votes": votes,
                "adopted": bool(r.adopted[0]),
            }
        settled = None
        if responses.settled is not None and bool(responses.agreed[0]):
            settled = {
                "signed": space.outcome(responses.settled[0]),
                "improvements": int(responses.polished[0]),
            }
        crossed = []
        if bool(responses.agreed[0]):
            crossed = [
                space.lines[k].key
                for k in np.flatnonzero(self.given[:, 0])
                if space.crosses(int(k), text[None])[0]
            ]
        return {
            "round": t,
            "events": [self.spec.events[k].id for k, rows in fired if rows[0]],
            "given_up": given_up,
            "gave_way": gave_way,
            "beliefs": beliefs,
            "crosses_given_up": crossed,
            "proposer": space.parties[int(responses.proposer[0])],
            "offer": space.outcome(text),
            "responses": answers,
            "agreement": bool(responses.agreed[0]),
            "revision": revision,
            "settlement": settled,
        }


def run_block(
    space: Tables, seed: int, runs: Sequence[int] | npt.ArrayLike, trace: bool = False
) -> tuple[Outcomes, NegotiationModel]:
    """Simulate the given run ids of a scenario in one block."""
    model = NegotiationModel(space, seed=seed, runs=runs, trace=trace)
    return model.run(), model


__all__ = ["ENDINGS", "NegotiationModel", "Outcomes", "run_block"]
