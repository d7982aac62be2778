"""How a round goes: a mediator's single negotiating text, or alternating offers.

Texts are (R, I) arrays of option indices, one per run (:mod:`sim.simulation.tables`);
nothing in a round is an array over outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.rng import Streams
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


def collect(model: NegotiationModel, proposer: IntArray, texts: IntArray) -> Responses:
    """Ask every signer of each run's text whether it would sign it (the proposer too)."""
    n, n_parties = texts.shape[0], len(model.negotiators)
    asked = model.space.signers(texts)
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

    def draft(
        self, name: str, text: IntArray, rows: IntArray | None = None, candidates: int = 0
    ) -> IntArray:
        """A revision of ``text`` (of ``rows``, else every run), its draws named ``name``.

        See :class:`~sim.strategies.single_text.SingleText` for the rules. Draft ``k``
        draws from names ``{name}.{k}.*``; a run draws draft ``k`` only when every earlier
        draft crossed a line vetoed in it, so the draws never depend on the block.
        ``candidates`` (default: the policy's CANDIDATES) bounds the drafts.
        """
        if not self.changeable.any():
            return text.copy()
        streams = self.model.streams if rows is None else self.model.streams.take(rows)
        named = self.named if rows is None else self.named[rows]
        vetoed = self.vetoed if rows is None else self.vetoed[rows]
        cdf = self._cdf()
        if cdf.shape[0] > 1 and rows is not None:
            cdf = cdf[rows]
        out = text.copy()
        pending = np.arange(text.shape[0])
        lines = np.flatnonzero(vetoed.any(axis=0))
        for k in range(candidates or self.policy.CANDIDATES):
            at = pending if k else None  # the first draft: every run, no gather
            sub = streams if at is None else streams.take(at)
            base = text if at is None else text[at]
            part_cdf = cdf if cdf.shape[0] == 1 or at is None else cdf[at]
            part_named = named if at is None else named[at]
            draft = self._one(f"{name}.{k}", sub, base, part_named, part_cdf)
            clear = np.ones(draft.shape[0], dtype=bool)
            part_vetoed = vetoed if at is None else vetoed[at]
            for line in lines:
                clear &= ~(part_vetoed[:, line] & self.model.space.crosses(int(line), draft))
            if k == 0:
                out = draft  # kept if no other draft is clear
            else:
                out[pending[clear]] = draft[clear]
            pending = pending[~clear]
            if pending.size == 0:
                break
        return out

    def _one(
        self, name: str, streams: Streams, text: IntArray, named: BoolArray, cdf: FloatArray
    ) -> IntArray:
        """One draft per run: how many issues, which, and which option on each."""
        params = self.policy.params
        n, n_issues = text.shape
        size = streams.uniform(draw_id(f"{name}.size"), (max(n_issues - 1, 0),))
        changes = self.policy.changes(size.reshape(n, -1), np.full(n, self.changeable.sum()))
        # Issues: weighted sampling without replacement by the keys u ** (1 / w)
        # (Efraimidis & Spirakis 2006): the ``changes`` largest keys.
        weight = np.where(self.changeable[None, :], 1.0 + params.attention * named, 0.0)
        u = streams.uniform(draw_id(f"{name}.issues"), (n_issues,))
        with np.errstate(divide="ignore"):
            keys = np.where(weight > 0, u ** (1.0 / np.where(weight > 0, weight, 1.0)), -1.0)
        ranked = np.sort(keys, axis=1)
        cut = np.take_along_axis(ranked, (n_issues - changes)[:, None], axis=1)
        chosen = keys >= cut
        # Options: inverse CDF over every option (drawing the current one leaves it).
        v = streams.uniform(draw_id(f"{name}.options"), (n_issues,))
        option = (cdf < v[:, :, None]).sum(axis=2)
        option = np.minimum(option, self.model.space.sizes[None, :] - 1)
        return np.where(chosen, option, text).astype(np.intp)

    def play(self, t: int) -> Responses:
        """One round: a revision, the answers, and what the mediator learns from them."""
        model = self.model
        space = model.space
        current = self.text
        revision = self.draft(f"mediator.{t}", current)
        n = current.shape[0]
        proposer = np.full(n, self.mediator, dtype=np.intp)
        responses = collect(model, proposer, current)
        responses.polished = np.zeros(n, dtype=np.intp)
        vetoed_now = (responses.line >= 0).any(axis=1)
        asked = responses.asked | space.signers(revision)
        votes = np.ones_like(asked)
        line = np.full(asked.shape, -1, dtype=np.intp)
        tau = self.policy.temperature(t, model.deadline)
        for agent in model.negotiators:
            p = agent.index
            rows = np.flatnonzero(asked[:, p])
            if rows.size == 0:
                continue
            anneal = None
            if tau > 0:
                u = model.streams.uniform(draw_id(f"anneal.{agent.party}.{t}"))[rows]
                loss = agent.utility_of(current[rows], rows) - agent.utility_of(
                    revision[rows], rows
                )
                anneal = u < np.exp(-np.maximum(loss, 0.0) / tau)
            votes[rows, p], line[rows, p] = agent.vote(
                current[rows], revision[rows], vetoed_now[rows], anneal, rows
            )
        adopted = np.all(votes | ~asked, axis=1) & ~responses.agreed
        responses.revision = Revision(revision, asked, votes, line, adopted)
        # What the answers reveal: vetoed lines, and the issues to revise first.
        for named in (responses.line, line):
            runs, parties = np.nonzero(named >= 0)
            self.vetoed[runs, named[runs, parties]] = True
        self.named[:] = False
        runs, parties = np.nonzero(responses.issue >= 0)
        self.named[runs, responses.issue[runs, parties]] = True
        for named_line in np.unique(responses.line[responses.line >= 0]):
            hit = np.flatnonzero((responses.line == named_line).any(axis=1))
            issues = list(space.line_tables[int(named_line)].issues)
            self.named[np.ix_(hit, issues)] = True
        self.text = np.where(adopted[:, None], revision, current)
        for agent in model.negotiators:
            agent.observe(current, np.ones(n, dtype=bool))
        done = np.flatnonzero(responses.agreed)
        if done.size and self.policy.params.polish:
            responses.settled = current.copy()
            responses.texts = current.copy()
            responses.texts[done], responses.polished[done] = self.settle(t, current[done], done)
        return responses

    def settle(self, t: int, signed: IntArray, rows: IntArray) -> tuple[IntArray, IntArray]:
        """Post-settlement settlement (Raiffa 1985): improve a signed text where all agree.

        Once every signer has agreed to a text, the mediator tries changes of it; one
        replaces the text when every signer of the changed text accepts it
        (:meth:`~sim.simulation.agents.PartyAgent.settles`: a signatory when the change
        is at least as good for it; any other party when it would sign it) — the signed
        text is the fallback, so no signatory is made worse off. A party that only the
        signed text needed has no say: the changed text does not need its signature
        (DESIGN.md, "Meaning": the signers of an outcome).
        First, up to ``SWEEPS`` passes over every single-issue change, options in the
        mediator's order of preference (its favourite first), until a pass changes
        nothing; then ``polish`` drafts drawn as in the talks (changes of one or more
        issues). Returns the final texts and how many changes each run adopted.
        """
        space = self.model.space
        text = signed.copy()
        count = np.zeros(rows.size, dtype=np.intp)
        own = self._own()
        own = own if own.shape[0] == 1 else own[rows]
        order = np.argsort(-own, axis=2, kind="stable")  # (R|1, I, K) favourite first
        order = np.broadcast_to(order, (rows.size, *order.shape[1:]))
        for _ in range(self.SWEEPS):
            before = count.copy()
            for i in np.flatnonzero(self.changeable):
                for j in range(int(space.sizes[i])):
                    revision = text.copy()
                    revision[:, i] = order[:, i, j]
                    text, count = self._try(text, revision, rows, count)
            if np.array_equal(before, count):
                break
        for j in range(self.policy.params.polish):
            # One draft each: the votes, not vetoes, decide after signing.
            revision = self.draft(f"mediator.{t}.settle.{j}", text, rows, candidates=1)
            text, count = self._try(text, revision, rows, count)
        return text, count

    #: Passes of single-issue changes in a post-settlement settlement.
    SWEEPS = 3

    def _try(
        self, text: IntArray, revision: IntArray, rows: IntArray, count: IntArray
    ) -> tuple[IntArray, IntArray]:
        """Adopt each run's revision of a signed text if every signer of either accepts it."""
        model = self.model
        changed = np.any(revision != text, axis=1)
        if not changed.any():
            return text, count
        before = model.space.signers(text)
        after = model.space.signers(revision)
        ok = changed.copy()
        for agent in model.negotiators:
            p = agent.index
            voters = np.flatnonzero(changed & after[:, p])
            if voters.size == 0:
                continue
            ok[voters] &= agent.settles(
                text[voters], revision[voters], before[voters, p], rows[voters]
            )
        return np.where(ok[:, None], revision, text), count + ok

    def take(self, rows: IntArray) -> None:
        """Keep only the given runs."""
        self.text = self.text[rows]
        self.vetoed = self.vetoed[rows]
        self.named = self.named[rows]


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
