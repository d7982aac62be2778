"""How a round goes: a mediator's single negotiating text, or alternating offers.

Texts are (R, I) arrays of option indices, one per run (:mod:`sim.simulation.tables`);
nothing in a round is an array over outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.rng import U64Array, draw_word
from sim.simulation import kernels
from sim.simulation.beliefs import avoided
from sim.simulation.sampling import draw_id
from sim.strategies.single_text import SingleText

if TYPE_CHECKING:
    from sim.simulation.model import NegotiationModel


@dataclass
class Revision:
    """The mediator's proposed change of the current text, and the votes on it."""

    texts: IntArray  # (R, I) the revised text
    asked: BoolArray  # (R, P) signers of the current text or of the revision
    votes: BoolArray  # (R, P) the party found the revision at least as good
    line: IntArray  # (R, P) the held red line the revision crosses, -1 for none
    adopted: BoolArray  # (R,) the revision replaced the text
    base: IntArray  # (R, I) the text it revised


@dataclass
class Responses:
    """One round in every run: who proposed what, and how each party answered."""

    proposer: IntArray  # (R,) party index
    texts: IntArray  # (R, I) the text put to signature
    asked: BoolArray  # (R, P) the party had to answer (it must sign the text)
    accept: BoolArray  # (R, P)
    line: IntArray  # (R, P) the red line a refusal names, -1 for none
    issue: IntArray  # (R, P) the issue a refusal names, -1 for none
    revision: Revision | None = None
    #: (R, I) the text every signer agreed to, before post-settlement revisions.
    settled: IntArray | None = None
    #: (R,) how many post-settlement revisions replaced the signed text.
    polished: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.intp))

    @property
    def agreed(self) -> BoolArray:
        """(R,) every party that had to answer accepted."""
        return np.all(self.accept | ~self.asked, axis=1)


def collect(
    model: NegotiationModel, proposer: IntArray, texts: IntArray, rows: IntArray | None = None
) -> Responses:
    """Ask every signer of each run's text whether it would sign it (the proposer too).

    ``texts`` are those of the block's ``rows`` when given, else one per run of the block.
    """
    n, n_parties = texts.shape[0], len(model.negotiators)
    at = np.arange(n) if rows is None else rows
    asked = model.space.signers(texts) & model.alive[at, None]  # nobody answers in ended runs
    accept = np.ones((n, n_parties), dtype=bool)
    line = np.full((n, n_parties), -1, dtype=np.intp)
    issue = np.full((n, n_parties), -1, dtype=np.intp)
    for agent in model.negotiators:
        p = agent.index
        mine = np.flatnonzero(asked[:, p])
        if mine.size == 0:
            continue
        accept[mine, p], line[mine, p], issue[mine, p] = agent.respond(texts[mine], at[mine])
    return Responses(proposer, texts, asked, accept, line, issue)


class Mediated:
    """The single negotiating text (Raiffa 1982), revised by mediated search (Klein et al. 2003).

    Each round, in every run: the mediator proposes a revision of the current text
    (:class:`~sim.strategies.single_text.SingleText` says how it drafts); every signer of
    the current text answers whether it would sign that text now (its held red lines,
    its utility at least its aspiration) and every signer of the current text or of the
    revision votes whether the revision is at least as good for it
    (:meth:`~sim.simulation.agents.PartyAgent.vote`). If every signer would sign, the
    current text is the agreement. Otherwise a revision every voter voted for replaces
    the text. The mediator learns only the answers: the red lines vetoed on (it then
    avoids texts crossing them), and the issues named by objections (it then revises
    those first).
    """

    def __init__(self, model: NegotiationModel) -> None:
        self.model = model
        space = model.space
        assert space.scenario.mediator is not None
        self.mediator = space.parties.index(space.scenario.mediator)
        policy = model.negotiators[self.mediator].strategy
        assert isinstance(policy, SingleText)
        self.policy = policy
        n, n_issues = model.n_rows, len(space.issues)
        #: (R, I) the current text: the mediator's favourite option on every issue.
        self.text: IntArray = np.argmax(self._own(), axis=2).astype(np.intp)
        if self.text.shape[0] == 1:
            self.text = np.repeat(self.text, n, axis=0)
        #: (R, L) red lines some party has vetoed a text on, in this run.
        self.vetoed: BoolArray = np.zeros((n, len(space.lines)), dtype=bool)
        #: (R, I) issues the last round's answers named.
        self.named: BoolArray = np.zeros((n, n_issues), dtype=bool)
        self.changeable: BoolArray = space.sizes > 1
        self._cdf_of: tuple[FloatArray, FloatArray] | None = None
        self._order_of: tuple[FloatArray, IntArray] | None = None

    def _own(self) -> FloatArray:
        """(R|1, I, K) the mediator's ``w_i * v_i(k)``; padding options at -inf."""
        own = self.model.value[:, self.mediator]
        valid = np.arange(own.shape[2])[None, None, :] < self.model.space.sizes[None, :, None]
        return np.where(valid, own, -np.inf)

    def _cdf(self) -> FloatArray:
        """(R|1, I, K) cumulative chances of drafting each option: ``exp(bias * w * v)``."""
        value = self.model.value
        if self._cdf_of is None or self._cdf_of[0] is not value:
            own = self._own()
            top = np.where(np.isfinite(own), own, -np.inf).max(axis=2, keepdims=True)
            valid = np.isfinite(own)
            gap = np.where(valid, own - top, 0.0)
            weight = np.where(valid, np.exp(self.policy.params.bias * gap), 0.0)
            cdf = np.cumsum(weight, axis=2)
            self._cdf_of = (value, cdf / cdf[:, :, -1:])
        return self._cdf_of[1]

    def _order(self) -> IntArray:
        """(R|1, I, K) each issue's options in the mediator's order, its favourite first."""
        value = self.model.value
        if self._order_of is None or self._order_of[0] is not value:
            order = np.argsort(-self._own(), axis=2, kind="stable").astype(np.intp)
            self._order_of = (value, order)
        return self._order_of[1]

    def play(self, t: int) -> Responses:
        """One round: a revision, the answers, and what the mediator learns from them.

        The round is :func:`sim.simulation.kernels.mediated_round`, one compiled loop over
        the block's runs; the drafts draw from names ``mediator.{t}.{k}.*`` (draft ``k``
        is drawn only when every earlier one crossed a line vetoed in the run) and the
        annealer from ``anneal.{party}.{t}``, so no run's course depends on its block.
        """
        model = self.model
        params = self.policy.params
        agents = model.negotiators
        current = self.text.copy()  # the text put to signature this round
        n, n_parties = current.shape[0], len(agents)
        tau = self.policy.temperature(t, model.deadline)
        anneal = _words(tuple(f"anneal.{agent.party}.{t}" for agent in agents))[:, 0]
        revision = np.empty_like(current)
        asked = np.empty((n, n_parties), dtype=bool)
        accept = np.empty((n, n_parties), dtype=bool)
        line = np.empty((n, n_parties), dtype=np.intp)
        issue = np.empty((n, n_parties), dtype=np.intp)
        voters = np.empty((n, n_parties), dtype=bool)
        votes = np.empty((n, n_parties), dtype=bool)
        vote_line = np.empty((n, n_parties), dtype=np.intp)
        adopted = np.empty(n, dtype=bool)
        aspiration, reservation = self._stances()
        drafts = _drafts(f"mediator.{t}", self.policy.CANDIDATES)
        kernels.mediated_round(
            model.space.kernel, model.value, model.issue_best, self._cdf(), model.held,
            model.penalty, aspiration, reservation, model.alive, model.streams.keys, drafts,
            anneal, tau, params.logroll, params.attention, self.text, self.vetoed,
            self.avoided(), self.named, revision, asked, accept, line, issue, voters, votes,
            vote_line, adopted,
        )  # fmt: skip
        proposer = np.full(n, self.mediator, dtype=np.intp)
        responses = Responses(proposer, current, asked, accept, line, issue)
        responses.polished = np.zeros(n, dtype=np.intp)
        responses.revision = Revision(revision, voters, votes, vote_line, adopted, current.copy())
        last = adopted & model.alive & (t >= model.deadline_of)
        if last.any():
            self._last_call(responses, np.flatnonzero(last))
        for agent in agents:
            agent.observe(current, np.ones(n, dtype=bool))
        done = np.flatnonzero(responses.agreed & model.alive)
        if done.size and params.polish:
            signed = responses.texts
            responses.settled = signed.copy()
            responses.texts = signed.copy()
            responses.texts[done], responses.polished[done] = self.settle(t, signed[done], done)
        return responses

    def _last_call(self, responses: Responses, rows: IntArray) -> None:
        """In the last round, put a revision the voters just adopted to signature at once.

        Otherwise a text every signer voted for in the deadline round could never be
        signed: signatures are asked on the text as it stood at the start of a round.
        The answers on the adopted text replace those on the text it replaced.
        """
        if rows.size == 0:
            return
        texts = self.text[rows]
        last = collect(self.model, responses.proposer[rows], texts, rows)
        responses.texts[rows] = texts
        responses.asked[rows] = last.asked
        responses.accept[rows] = last.accept
        responses.line[rows] = last.line
        responses.issue[rows] = last.issue

    def avoided(self) -> BoolArray:
        """(R, L) the vetoed red lines the mediator avoids: those it believes firm.

        It tests a vetoed line it believes to be a bluff (belief below ``probe``): its
        drafts may cross it, which puts the line under pressure (Fearon 1995;
        :mod:`sim.simulation.beliefs`).
        """
        return np.ascontiguousarray(
            avoided(self.vetoed, self.model.belief.T, self.policy.params.probe)
        )

    def _stances(self) -> tuple[FloatArray, FloatArray]:
        """(P, R) every party's aspiration and reservation value in each run."""
        agents = self.model.negotiators
        aspiration = np.stack([agent.stance.aspiration for agent in agents])
        reservation = np.stack([agent.stance.reservation for agent in agents])
        return aspiration, reservation

    def settle(self, t: int, signed: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
        """Post-settlement settlement (Raiffa 1985): improve a signed text where all agree.

        Once every signer has agreed to a text, the mediator tries changes of it; one
        replaces the text when every signer of the changed text accepts it
        (:func:`sim.simulation.kernels.settles`: a signatory when the change is at least
        as good for it; any other party when it would sign it) — the signed text is the
        fallback, so no signatory is made worse off. A party that only the signed text
        needed has no say: the changed text does not need its signature (DESIGN.md,
        "Meaning": the signers of an outcome).
        First, up to ``SWEEPS`` passes over every single-issue change, options in the
        mediator's order of preference (its favourite first), until a pass changes
        nothing; then ``polish`` drafts drawn as in the talks (changes of one or more
        issues, from names ``mediator.{t}.settle.{j}.0.*``). Returns the final texts and
        how many changes each run adopted (:func:`sim.simulation.kernels.settle_rows`).
        """
        model = self.model
        params = self.policy.params
        texts = np.ascontiguousarray(signed, dtype=np.intp).copy()
        count = np.zeros(rows.size, dtype=np.intp)
        aspiration, _ = self._stances()
        words = _words(
            tuple(
                f"mediator.{t}.settle.{j}.0.{part}" for j in range(params.polish) for part in PARTS
            )
        ).reshape(params.polish, 3)
        kernels.settle_rows(
            model.space.kernel, model.value, self._cdf(), self._order(), model.held,
            model.penalty, aspiration,
            model.streams.keys, self.named, np.asarray(rows, dtype=np.intp), words, self.SWEEPS,
            params.logroll, params.attention, self.mediator, texts, count,
        )  # fmt: skip
        return texts, count

    #: Passes of single-issue changes in a post-settlement settlement.
    SWEEPS = 3

    def take(self, rows: IntArray) -> None:
        """Keep only the given runs."""
        self.text = self.text[rows]
        self.vetoed = self.vetoed[rows]
        self.named = self.named[rows]


#: The draws of one draft: how many issues, which, and which option on each.
PARTS = ("size", "issues", "options")


@lru_cache(maxsize=4096)
def _words(names: tuple[str, ...]) -> U64Array:
    """(n, 1) the draw word of each named draw (:func:`sim.rng.draw_word`)."""
    return np.array([[draw_word(draw_id(name))] for name in names], dtype=np.uint64)


@lru_cache(maxsize=4096)
def _drafts(name: str, candidates: int) -> U64Array:
    """(candidates, 3) the draw words of drafts ``{name}.{k}``, k < candidates."""
    names = tuple(f"{name}.{k}.{part}" for k in range(candidates) for part in PARTS)
    return _words(names).reshape(candidates, 3)


class Alternating:
    """The signatories take turns proposing, in an order drawn per run; signers answer.

    Every answer is heard by all: a red line one party invokes is avoided by the
    others' later offers (:meth:`~sim.simulation.agents.PartyAgent.propose`).
    """

    def __init__(self, model: NegotiationModel) -> None:
        self.model = model
        space = model.space
        self.previous: IntArray = np.zeros((model.n_rows, len(space.issues)), dtype=np.intp)
        self.seen: BoolArray = np.zeros(model.n_rows, dtype=bool)
        self.invoked: BoolArray = np.zeros((model.n_rows, len(space.lines)), dtype=bool)

    def play(self, t: int) -> Responses:
        """One round: the proposer of each run offers, the signers answer."""
        model = self.model
        order = model.params.order
        proposer = order[:, (t - 1) % order.shape[1]]
        texts = np.zeros_like(self.previous)
        for p in np.unique(proposer):
            offers = model.negotiators[p].propose(self.previous, self.seen, self.invoked)
            texts = np.where((proposer == p)[:, None], offers, texts)
        responses = collect(model, proposer, texts)
        for p in range(len(model.negotiators)):
            named = responses.line[:, p]
            rows = np.flatnonzero(named >= 0)
            self.invoked[rows, named[rows]] = True
        for agent in model.negotiators:
            agent.observe(texts, proposer != agent.index)
        self.previous = texts
        self.seen = np.ones_like(self.seen)
        return responses

    def take(self, rows: IntArray) -> None:
        """Keep only the given runs."""
        self.previous = self.previous[rows]
        self.seen = self.seen[rows]
        self.invoked = self.invoked[rows]
