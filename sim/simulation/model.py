"""The negotiation model: a block of replicate runs of one scenario, one step per round."""

from __future__ import annotations

import sys
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any

import mesa
import numpy as np
import numpy.typing as npt

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.rng import Streams, U64Array, draw_word
from sim.simulation import kernels, prepare
from sim.simulation.agents import BlocAgent, PartyAgent
from sim.simulation.kernels import Config, State
from sim.simulation.sampling import (
    Params,
    check_draw_ids,
    draw_id,
    locate,
    sample_params,
    sampled_values,
)
from sim.simulation.tables import FLOOR, STATED, ZONE_LIMIT, Tables
from sim.strategies import build
from sim.strategies.single_text import SingleText

#: The story tells a belief's change of at least this much (or a line seen given up).
BELIEF_SHOWN = 0.05

#: How a run ended.
#: agreement: every signer accepted a text; deadline: none did by the last round;
#: no_zone: no deal could form any more (see the zone check of engine.round_one);
#: walked_out: a signatory left the table at its own deadline.
ENDINGS = ("agreement", "deadline", "no_zone", "walked_out")

#: Passes of single-issue changes in a post-settlement settlement.
SWEEPS = 3

#: The draws of one draft: how many issues, which, and which option on each.
PARTS = ("size", "issues", "options")


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
    #: (R,) the deal ratified by every ratifier of every signer: 1, not: 0, -1 without a
    #: deal (or when no party has ratifiers).
    ratified: IntArray
    informed: BoolArray  # (R, Q) the negotiator knew the ratifier's limits

    @classmethod
    def empty(
        cls,
        n_parties: int,
        n_lines: int,
        n_issues: int,
        n_events: int = 0,
        n_sampled: int = 0,
        n_ratifiers: int = 0,
    ) -> Outcomes:
        """No runs at all."""
        none = np.zeros(0, dtype=np.intp)
        return cls(
            ratified=none,
            informed=np.zeros((0, n_ratifiers), dtype=bool),
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


@lru_cache(maxsize=65536)
def _word(name: str) -> int:
    """The draw word of a named draw (:func:`sim.rng.draw_word` of its draw id)."""
    return draw_word(draw_id(name))


def _words(names: list[str], shape: tuple[int, ...]) -> U64Array:
    return np.array([_word(name) for name in names], dtype=np.uint64).reshape(shape)


#: The rounds' constants of each compiled scenario, while it is alive.
_CONFIGS: weakref.WeakKeyDictionary[Tables, Config] = weakref.WeakKeyDictionary()


def config_of(space: Tables) -> Config:
    """The constants :func:`sim.simulation.kernels.play` reads, built once per scenario.

    The draw words of every round a run can reach (the file's deadline plus every
    extension an event can give): the mediator's drafts ``mediator.{t}.{k}.*``, the
    annealer's ``anneal.{party}.{t}`` and the post-settlement drafts
    ``mediator.{t}.settle.{j}.0.*``.
    """
    found = _CONFIGS.get(space)
    if found is not None:
        return found
    spec = space.scenario
    n_parties, n_issues = len(space.parties), len(space.issues)
    horizon = spec.deadline + sum(e.extend_deadline or 0 for e in spec.events)
    strategies = [build(spec.strategy_of(pid)) for pid in space.parties]
    knobs = [s.knobs() for s in strategies]
    deadlines = [spec.parties[pid].deadline for pid in space.parties]
    walk = np.full(horizon + 2, -1, dtype=np.intp)
    for t in range(horizon + 2):
        gone = [p for p, d in enumerate(deadlines) if d is not None and t > d and space.signs[p]]
        walk[t] = gone[0] if gone else -1
    zone_round = np.zeros(horizon + 2, dtype=bool)
    zone_round[1] = True
    for event in spec.events:
        if event.round <= horizon + 1:
            zone_round[event.round] = True
    zone_on = space.n_outcomes <= ZONE_LIMIT
    texts = np.ascontiguousarray(space.enumerate()) if zone_on else np.zeros((0, n_issues), np.intp)
    mediated = spec.protocol == "mediated"
    policy = None
    if mediated:
        assert spec.mediator is not None
        chosen = strategies[space.parties.index(spec.mediator)]
        assert isinstance(chosen, SingleText)
        policy = chosen.params
    polish = policy.polish if policy is not None else 0
    rounds = range(horizon + 2)
    candidates = SingleText.CANDIDATES if mediated else 0
    drafts = [
        f"mediator.{t}.{k}.{part}" for t in rounds for k in range(candidates) for part in PARTS
    ]
    anneal = [f"anneal.{pid}.{t}" for t in rounds for pid in space.parties] if mediated else []
    settle = [
        f"mediator.{t}.settle.{j}.0.{part}" for t in rounds for j in range(polish) for part in PARTS
    ]
    config = Config(
        protocol=kernels.MEDIATED if mediated else kernels.ALTERNATING,
        mediator=space.parties.index(spec.mediator) if mediated and spec.mediator else -1,
        deadline=spec.deadline,
        code=np.array([s.code for s in strategies], dtype=np.intp),
        endurance=np.array([k[0] for k in knobs], dtype=np.float64),
        weight=np.array([k[1] for k in knobs], dtype=np.float64),
        absolute=np.array([k[2] for k in knobs], dtype=bool),
        memory=np.array([s.memory for s in strategies], dtype=np.intp),
        party_deadline=np.array([-1 if d is None else d for d in deadlines], dtype=np.intp),
        signs=space.signs.copy(),
        walk_party=walk,
        zone_round=zone_round,
        zone_on=zone_on,
        zone_texts=texts,
        zone_signer=np.ascontiguousarray(space.signers(texts)),
        temperature=policy.temperature if policy else 0.0,
        logroll=policy.logroll if policy else 0.0,
        attention=policy.attention if policy else 0.0,
        probe=policy.probe if policy else 0.0,
        polish=polish,
        sweeps=SWEEPS,
        draft_words=_words(drafts, (horizon + 2, candidates, 3)),
        anneal_words=_words(anneal, (horizon + 2, n_parties if mediated else 0)),
        settle_words=_words(settle, (horizon + 2, polish, 3)),
    )
    _CONFIGS[space] = config
    return config


def _preferences(
    space: Tables, params: Params, mediator: int, bias: float, n: int
) -> dict[str, Any]:
    """The utility tables of a block, each party's best within its lines, the mediator's draws.

    The tables have a row per party, then one per ratifier. Computed in a few compiled
    passes (:mod:`sim.simulation.prepare`), the floats of the numpy expressions they
    stand for: ``value = w / sum(w) * v``; ``issue_best`` the best value over each
    issue's options; the mediator's options by decreasing value (``order``), its draft
    weights ``exp(bias * (v - best))`` cumulated and normalised (``cdf``), and its
    favourite option per issue, the first text.
    """
    value, issue_best = prepare.preference_tables(
        params.weights, params.values, space.sizes
    )  # (R|1, P + Q, I, K), (R|1, P + Q, I)
    top, best_text = prepare.best_within(space, value, n)
    out: dict[str, Any] = {
        "value": value,
        "issue_best": issue_best,
        "top": top,
        "best_text": best_text,
    }
    rows, n_issues, width = value.shape[0], len(space.issues), space.width
    if mediator >= 0:
        cdf = np.empty((rows, n_issues, width))
        prepare.draft_exponents(value, issue_best, space.sizes, mediator, bias, cdf)
        np.exp(cdf, out=cdf)  # numpy's exponential, as before
        order = np.empty((rows, n_issues, width), dtype=np.intp)
        favourite = np.empty((rows, n_issues), dtype=np.intp)
        prepare.draft_tables(value, space.sizes, mediator, cdf, order, favourite)
        out["cdf"] = cdf
        out["order"] = order
        out["favourite"] = favourite
    else:
        shape = (1, n_issues, width)
        out["cdf"] = np.zeros(shape)
        out["order"] = np.zeros(shape, dtype=np.intp)
    return out


def _lines(space: Tables, params: Params) -> dict[str, Any]:
    """The block's per-run parameters as the rounds read them (contiguous copies).

    ``known``: a party's own line always; a ratifier's line or reservation where the
    negotiator knows that ratifier's limits. ``bar``: a ratifier's reservation, on the
    line that stands for it.
    """

    def c(x: npt.ArrayLike, dtype: Any = np.float64) -> Any:
        return np.ascontiguousarray(np.array(x, dtype=dtype))

    n = params.reservation.shape[0]
    known = np.ones((n, len(space.lines)), dtype=bool)
    bar = np.zeros((n, len(space.lines)))
    if space.ratifiers:
        of = np.array([line.ratifier_index for line in space.lines], dtype=np.intp)
        outside = of >= 0
        known[:, outside] = params.known[:, of[outside]]
        floors = space.line_kind == FLOOR
        bar[:, floors] = params.ratifier_reservation[:, of[floors]]
    return {
        "known": known,
        "bar": bar,
        "res_base": c(params.reservation),
        "cod": c(params.cost_of_delay),
        "exponent": c(params.exponent),
        "firm": c(params.firm, bool),
        "threshold": c(params.threshold),
        "dropped": c(params.dropped, bool),
        "audience": c(params.audience_cost),
    }


_NOTICED: list[bool] = []


def _notice_compilation() -> None:
    """Say once per process, on standard error, that the engine is about to be compiled."""
    if not _NOTICED:
        _NOTICED.append(True)
        if not kernels.compiled():
            print(
                "negsim: compiling the simulation engine (once after installing; about two"
                " minutes)...",
                file=sys.stderr,
                flush=True,
            )


class NegotiationModel(mesa.Model):  # type: ignore[misc]
    """Simulates a block of replicate negotiations at once; ``step()`` plays one round.

    Every party is a :class:`PartyAgent`; the block's state (:class:`State`) has a
    leading run axis, and the rounds are compiled (:func:`sim.simulation.kernels.play`,
    one loop over the block's runs). :meth:`run` plays each stretch of rounds between
    events in one call; :meth:`step` plays one round (and, with ``trace=True``, keeps
    its story: a block of one run is a single negotiation). Events are applied here,
    between rounds. Random numbers come only from (seed, run id, name), so a run's
    course does not depend on the block it is simulated in, nor on how its rounds are
    split into calls. Texts are one option per issue and everything is read from
    per-issue tables (:mod:`sim.simulation.tables`): no array over outcomes.
    """

    def __init__(
        self,
        space: Tables,
        *,
        seed: int = 0,
        runs: Sequence[int] | npt.ArrayLike = (0,),
        trace: bool = False,
        rng: Any = None,
        adjust: Callable[[Params], None] | None = None,
    ) -> None:
        """A block of runs; ``adjust`` may change its sampled parameters in place.

        ``adjust`` is applied before anything reads them (a sampling design's values,
        :mod:`sim.batch.design`).
        """
        # Mesa's own generator drives nothing here: every rule draws from `streams`.
        super().__init__(rng=seed if rng is None else rng)
        self.space = space
        self.run_seed = seed
        self.spec = spec = space.scenario
        self.deadline = spec.deadline
        check_draw_ids(space)
        self.streams = Streams(seed, np.asarray(runs, dtype=np.uint64).reshape(-1))
        self.run_ids = self.streams.runs
        self.params = params = sample_params(space, self.streams)
        if adjust is not None:
            adjust(params)
            if space.ratifiers:
                params.follow()  # ratifiers taking their party's preferences follow them
        self.n_rows = n = int(self.run_ids.shape[0])
        self.config = config = config_of(space)
        self.negotiators: list[PartyAgent] = [
            PartyAgent(self, p, build(spec.strategy_of(pid))) for p, pid in enumerate(space.parties)
        ]
        self._bias = 0.0
        if config.mediator >= 0:
            policy = self.negotiators[config.mediator].strategy
            assert isinstance(policy, SingleText)
            self._bias = policy.params.bias
        self.round = 0
        self._events = [
            (k, event, [(locate(space, path), value) for path, value in event.set.items()])
            for k, event in enumerate(spec.events)
        ]
        self._event_rounds = sorted({event.round for event in spec.events})
        self._fired = np.zeros((n, len(spec.events)), dtype=bool)
        self._sampled = sampled_values(space, params)
        self._firm_at_start = params.firm.copy()
        self.state = self._initial_state()
        self._work = kernels.work(len(space.parties), len(space.issues), len(space.lines))
        self.blocs = [
            BlocAgent(self, name, [self.negotiators[m] for m in members], rule)
            for name, members, rule in space.blocs
        ]
        self.trace: list[dict[str, Any]] | None = [] if trace else None
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "negotiating": lambda m: int(m.state.alive.sum()),
                "agreements": lambda m: int(np.count_nonzero(m.state.round >= 0)),
            }
        )
        self.running = n > 0

    def _initial_state(self) -> State:
        space, params, config = self.space, self.params, self.config
        n, n_parties, n_issues = self.n_rows, len(space.parties), len(space.issues)
        n_lines = len(space.lines)
        prefs = _preferences(space, params, config.mediator, self._bias, n)
        text = np.zeros((n, n_issues), dtype=np.intp)
        if "favourite" in prefs:
            text[...] = prefs.pop("favourite")  # the first text: the mediator's favourites
        last_event = np.zeros(n, dtype=np.intp)
        for k, event in enumerate(self.spec.events):
            last_event = np.where(
                params.fires[:, k], np.maximum(last_event, event.round), last_event
            )
        history = max(int(config.memory.max(initial=0)), 0)

        def ints(shape: tuple[int, ...], fill: int = -1) -> IntArray:
            return np.full(shape, fill, dtype=np.intp)

        def flags(shape: tuple[int, ...], fill: bool = False) -> BoolArray:
            return np.full(shape, fill, dtype=bool)

        pp, ll, ii = (n, n_parties), (n, n_lines), (n, n_issues)
        lines = _lines(space, params)
        # a ratifier's limits hold from the start where the negotiator knows them
        held = lines["known"] & lines["firm"] & ~lines["dropped"]
        held[:, space.stated] = True
        return State(
            keys=np.array(self.streams.keys, dtype=np.uint64),  # a writable copy: one type
            alive=flags((n,), True),
            deadline_of=np.full(n, self.deadline, dtype=np.intp),
            last_event=last_event,
            **lines,
            **prefs,
            res_now=np.zeros(pp),
            cost=np.zeros(pp),
            best=np.zeros(pp),
            asp=np.zeros(pp),
            reactive=np.full(pp, np.nan),
            received=np.full((n, n_parties, history), np.nan),
            pressure=np.zeros(pp),
            held=held,
            given=flags(ll),
            pushed=flags(ll),
            penalty=np.zeros(ll),
            belief=np.ascontiguousarray(np.array(params.credibility, dtype=np.float64)),
            survived=np.zeros(ll),
            peak=np.zeros(ll),
            text=text,
            vetoed=flags(ll),
            memo_ok=flags(pp),
            memo_first=ints(pp),
            memo_count=ints(pp, 0),
            memo_u=np.zeros(pp),
            named=flags(ii),
            seen=flags((n,)),
            within_ok=flags(pp),
            within_text=ints((n, n_parties, n_issues)),
            invoked=flags(ll),
            turns=np.ascontiguousarray(params.order, dtype=np.intp),
            choice=ints(ii),
            round=ints((n,)),
            utility=np.zeros(pp),
            reservation=np.zeros(pp),
            ended=ints((n,)),
            blocker=ints((n,)),
            blocked_line=ints((n,)),
            blocked_issue=ints((n,)),
            gave_up=ints(ll),
            stop=ints((n,), 0),
            proposer=ints((n,)),
            offer=ints(ii),
            asked=flags(pp),
            accept=flags(pp, True),
            line=ints(pp),
            issue=ints(pp),
            voiced=flags(pp),
            revision=ints(ii),
            base=ints(ii),
            voters=flags(pp),
            votes=flags(pp, True),
            vote_line=ints(pp),
            vote_voiced=flags(pp),
            adopted=flags((n,)),
            settled=ints(ii),
            settle_ran=flags((n,)),
            polished=ints((n,), 0),
        )

    @property
    def alive(self) -> BoolArray:
        """(R,) the runs still negotiating."""
        return self.state.alive

    # -- rounds --------------------------------------------------------------------------------
    def _play(self, t0: int, t1: int) -> None:
        _notice_compilation()
        kernels.play(self.space.kernel, self.config, self.state, self._work, t0, t1)
        self.round = t1
        if not self.state.alive.any():
            self.running = False

    def step(self) -> None:
        """Play one round in every run still negotiating (its story kept with ``trace``)."""
        if not self.running:
            return
        t = self.round + 1
        fired = self._fire_events(t)
        before, belief = self.state.held.copy(), self.state.belief.copy()
        alive = self.state.alive.copy()
        self._play(t, t)
        if self.trace is not None and alive[0]:
            self.trace.append(self._story(t, fired, before, belief))
        self.datacollector.collect(self)

    def run(self) -> Outcomes:
        """Play rounds until every run has ended; return the outcomes.

        Rounds between two events are played in one call of the compiled loop.
        """
        if self.trace is not None:
            while self.running:
                self.step()
            return self.outcomes()
        horizon = int(self.config.walk_party.shape[0]) - 2
        while self.running and self.round < horizon:
            t = self.round + 1
            self._fire_events(t)
            later = [x for x in self._event_rounds if x > t]
            self._play(t, min(later) - 1 if later else horizon)
        self.running = False
        self.datacollector.collect(self)
        return self.outcomes()

    def release(self) -> None:
        """Let go of the block's arrays and agents; the outcomes taken stay valid.

        The model and its agents refer to one another, so a finished block would
        otherwise stay in memory until Python's cyclic collector runs — several blocks
        at once, past a worker's memory budget (measured on 200,000 baseline runs in
        blocks of 20,000: 785 MiB peak without, 411 MiB with). The model cannot be
        stepped afterwards.
        """
        self.remove_all_agents()
        for name in (
            "state", "params", "_work", "_sampled", "_fired", "_firm_at_start", "blocs",
            "datacollector",
        ):  # fmt: skip
            self.__dict__.pop(name, None)
        self.running = False

    def outcomes(self) -> Outcomes:
        """The result of every run of the block (so far)."""
        st = self.state
        return Outcomes(
            runs=self.run_ids,
            agreement=st.round >= 0,
            round=st.round,
            choice=st.choice,
            utility=st.utility,
            reservation=st.reservation,
            firm=self._firm_at_start,
            ended=st.ended,
            blocker=st.blocker,
            blocked_line=st.blocked_line,
            blocked_issue=st.blocked_issue,
            fired=self._fired,
            gave_up=st.gave_up,
            sampled=self._sampled,
            ratified=self.ratified(),
            informed=self.params.known.copy(),
        )

    def ratified(self) -> IntArray:
        """(R,) whether each run's deal is ratified at home: 1, 0, or -1 (no deal, no ratifiers).

        Ratified when every ratifier of every signer of the deal accepts it: it crosses
        none of the ratifier's red lines firm in the run (and not dropped by an event)
        and is worth at least the ratifier's reservation to it (DESIGN.md, "Blocs and
        ratification") — whether or not the negotiator knew those limits.
        """
        st, space = self.state, self.space
        agreed = st.round >= 0
        out = np.where(agreed, 1, -1).astype(np.intp)
        if not space.ratifiers:
            return np.full(agreed.shape, -1, dtype=np.intp)
        rows = np.flatnonzero(agreed)
        if rows.size == 0:
            return out
        deals = np.ascontiguousarray(st.choice[rows])
        signer = space.signers(deals)
        binds = st.firm & ~st.dropped  # (R, L) the ratifiers' lines that hold at home
        ok = np.ones(rows.size, dtype=bool)
        for line, ref in enumerate(space.lines):
            if ref.kind == STATED:
                continue
            crossed = np.empty(rows.size, dtype=bool)
            kernels.crossed_rows(space.kernel, st.value, st.bar, line, rows, deals, crossed)
            if ref.kind == FLOOR:
                ok &= ~(signer[:, ref.party_index] & crossed)
            else:
                ok &= ~(signer[:, ref.party_index] & crossed & binds[rows, line])
        out[rows] = ok.astype(np.intp)
        return out

    def _fire_events(self, t: int) -> list[tuple[int, BoolArray]]:
        """Apply the events of round ``t`` in the runs still negotiating where they fire."""
        fired = []
        st, space = self.state, self.space
        for k, event, targets in self._events:
            if event.round != t:
                continue
            now = self.params.fires[:, k] & st.alive
            fired.append((k, now))
            rows = np.flatnonzero(now)
            if rows.size == 0:
                continue
            self._fired[rows, k] = True
            if event.extend_deadline is not None:
                st.deadline_of[rows] += event.extend_deadline
            for target, value in targets:
                self.params.set(target, rows, value)
            for ref in event.drop_red_lines:
                line = next(n for n, x in enumerate(self.space.lines) if x.key == ref)
                self.params.dropped[rows, line] = True
            if any(target.kind in ("weight", "value") for target, _ in targets):
                if space.ratifiers:
                    self.params.follow()
                prefs = _preferences(
                    self.space, self.params, self.config.mediator, self._bias, self.n_rows
                )
                prefs.pop("favourite", None)
                self.state = st = st._replace(**prefs)
            for name, array in _lines(space, self.params).items():
                np.copyto(getattr(st, name), array)
        return fired

    # -- the story of a single run -----------------------------------------------------------
    def _story(
        self, t: int, fired: list[tuple[int, BoolArray]], before: BoolArray, belief: FloatArray
    ) -> dict[str, Any]:
        """What happened in round ``t`` of run 0 (the state after the round)."""
        st, space = self.state, self.space
        events = [self.spec.events[k].id for k, rows in fired if rows[0]]
        if st.stop[0] != kernels.PLAYED:
            walked = []
            if st.stop[0] == kernels.STOPPED_WALKED:
                walked = [
                    agent.party
                    for agent in self.negotiators
                    if agent.left and space.signs[agent.index]
                ]
            firm = [
                ref.key
                for k, ref in enumerate(space.lines)
                if self.params.firm[0, k]
                and not self.params.dropped[0, k]
                and bool(st.known[0, k])
                and ref.kind != FLOOR
            ]
            return {
                "round": t,
                "events": events,
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
        text = st.offer[0]
        agreed = bool(st.ended[0] == kernels.AGREEMENT and st.round[0] == t)
        asked, accept = st.asked[0], st.accept[0]
        line_of, issue_of = st.line[0], st.issue[0]
        settled = bool(st.settle_ran[0]) and agreed
        if settled:
            # The deal is the text after the post-settlement changes: every signer of it
            # accepted it (engine.settle_one), so the answers are about that text.
            asked = space.signers(text[None])[0]
            accept = np.ones_like(asked)
            line_of = np.full(asked.shape, -1, dtype=np.intp)
            issue_of = np.full(asked.shape, -1, dtype=np.intp)
            # but a majority bloc may adopt a change over a member's refusal: a bloc
            # member's answer is its own on the deal (at its aspiration)
            row, texts = np.zeros(1, dtype=np.intp), np.ascontiguousarray(text[None], np.intp)
            one, first, named = np.ones(1, bool), np.full(1, -1, np.intp), np.full(1, -1, np.intp)
            for q in np.flatnonzero(asked):
                if self.spec.bloc_of(space.parties[q]) is None:
                    continue
                kernels.respond_rows(
                    space.kernel, st.value, st.issue_best, st.held, st.penalty, st.bar,
                    np.ascontiguousarray(st.asp[:, q]), int(q), row, texts, one, first, named,
                )  # fmt: skip
                accept[q], line_of[q], issue_of[q] = one[0], first[0], named[0]
        answers = []
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
                    "aspiration": float(st.asp[0, p]),
                    "red_line": space.lines[line].key if line >= 0 else None,
                    "issue": space.issues[issue] if issue >= 0 else None,
                    "bloc": self.spec.bloc_of(agent.party),
                    "heard": bool(st.voiced[0, p]) or settled,
                }
            )
        given = np.flatnonzero(before[0] & ~st.held[0] & st.given[0])
        gave_way = [
            {
                "red_line": space.lines[k].key,
                "pressure": float(st.pressure[0, space.line_owner[k]]),
                "threshold": float(st.threshold[0, k]),
            }
            for k in given
        ]
        beliefs = [
            {
                "red_line": space.lines[k].key,
                "before": float(belief[0, k]),
                "after": float(st.belief[0, k]),
            }
            for k in range(len(space.lines))
            if abs(float(st.belief[0, k]) - float(belief[0, k])) >= BELIEF_SHOWN
        ]
        revision = None
        if self.config.protocol == kernels.MEDIATED:
            shown, revised = st.base[0], st.revision[0]
            votes = [
                {
                    "party": agent.party,
                    "agree": bool(st.votes[0, agent.index]),
                    "red_line": (
                        space.lines[int(st.vote_line[0, agent.index])].key
                        if st.vote_line[0, agent.index] >= 0
                        else None
                    ),
                    "bloc": self.spec.bloc_of(agent.party),
                    "heard": bool(st.vote_voiced[0, agent.index]),
                }
                for agent in self.negotiators
                if st.voters[0, agent.index]
            ]
            revision = {
                "changes": {
                    space.issues[i]: space.options[i][int(revised[i])]
                    for i in np.flatnonzero(revised != shown)
                },
                "votes": votes,
                "adopted": bool(st.adopted[0]),
            }
        settlement = None
        if settled:
            settlement = {
                "signed": space.outcome(st.settled[0]),
                "improvements": int(st.polished[0]),
            }
        crossed = []
        if agreed:
            crossed = [
                space.lines[k].key
                for k in np.flatnonzero(st.given[0])
                if space.crosses(int(k), text[None])[0]
            ]
        return {
            "round": t,
            "events": events,
            "given_up": [space.lines[k].key for k in given],
            "gave_way": gave_way,
            "beliefs": beliefs,
            "crosses_given_up": crossed,
            "proposer": space.parties[int(st.proposer[0])],
            "offer": space.outcome(text),
            "responses": answers,
            "agreement": agreed,
            "revision": revision,
            "settlement": settlement,
        }


def run_block(
    space: Tables, seed: int, runs: Sequence[int] | npt.ArrayLike, trace: bool = False
) -> tuple[Outcomes, NegotiationModel]:
    """Simulate the given run ids of a scenario in one block.

    Without ``trace`` the model is released once its outcomes are taken
    (:meth:`NegotiationModel.release`); with it, the model keeps its story.
    """
    model = NegotiationModel(space, seed=seed, runs=runs, trace=trace)
    outcomes = model.run()
    if not trace:
        model.release()
    return outcomes, model


__all__ = ["ENDINGS", "NegotiationModel", "Outcomes", "run_block"]
