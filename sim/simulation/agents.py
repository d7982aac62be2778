"""A party at the table: a Mesa agent whose decisions are the compiled rules."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from mesa.experimental.meta_agents.meta_agent import MetaAgent

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.simulation import kernels
from sim.strategies import Strategy

if TYPE_CHECKING:
    from sim.simulation.model import NegotiationModel


class PartyAgent(mesa.Agent):  # type: ignore[misc]
    """One party: its strategy, and its decisions on texts in every run of the block.

    The rounds themselves are compiled (:mod:`sim.simulation.kernels`): the agent's
    stance lives in the model's block state, one row per run, and its methods here
    apply the same compiled rules (:mod:`sim.simulation.kernels`) to texts a caller
    gives — the story, the page, the tests. Texts are (n, I) arrays of option indices.
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

    @property
    def left(self) -> bool:
        """Whether the party has left the table (its own deadline has passed)."""
        return self.deadline is not None and self.model.round > self.deadline

    def _rows(self, texts: IntArray, rows: IntArray | None) -> tuple[IntArray, IntArray]:
        texts = np.ascontiguousarray(texts, dtype=np.intp)
        at = np.arange(texts.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
        return texts, at

    def utility_of(self, texts: IntArray, rows: IntArray | None = None) -> FloatArray:
        """The party's worth of one text per run (of ``rows``, if given).

        Its utility, less the audience cost of every red line it gave up that the text
        crosses (:func:`sim.simulation.kernels.read`).
        """
        texts, at = self._rows(texts, rows)
        out = np.empty(texts.shape[0])
        state = self.model.state
        kernels.worth_rows(
            self.model.space.kernel, state.value, state.held, state.penalty, state.bar,
            self.index, at, texts, out,
        )  # fmt: skip
        return out

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
        state = self.model.state
        kernels.respond_rows(
            self.model.space.kernel, state.value, state.issue_best, state.held, state.penalty,
            state.bar, np.ascontiguousarray(state.asp[:, self.index]), self.index, at, texts,
            accept, line, issue,
        )  # fmt: skip
        return accept, line, issue


class BlocAgent(MetaAgent):  # type: ignore[misc]
    """Parties that negotiate as one voice: a Mesa meta-agent over their party agents.

    Mesa's meta-agent (``mesa.experimental.meta_agents``) holds the members (each member
    agent gets ``meta_agent`` set to its bloc); the decisions are not made here, one
    agent at a time, but in the compiled rounds, for every run of the block at once:
    :func:`sim.simulation.kernels.verdict` applies the bloc's rule to its members'
    answers and :func:`sim.simulation.kernels.speak` picks the one answer the others
    hear. :meth:`respond` applies the same two functions to texts a caller gives.
    """

    def __init__(
        self, model: NegotiationModel, name: str, members: list[PartyAgent], rule: int
    ) -> None:
        super().__init__(model, set(members), name=name)
        self.bloc = name
        self.label = model.spec.bloc_label(name)
        #: Members in file order (the meta-agent's own set has no order).
        self.members = sorted(members, key=lambda agent: agent.index)
        self.rule = "majority" if rule == kernels.MAJORITY else "unanimous"

    def respond(self, texts: IntArray, rows: IntArray | None = None) -> tuple[BoolArray, BoolArray]:
        """Whether the bloc accepts each run's text, and which member speaks for it.

        Returns ``accept`` (n,) and ``voiced`` (n, P): the member whose answer is heard.
        """
        texts = np.ascontiguousarray(texts, dtype=np.intp)
        n, n_parties = texts.shape[0], len(self.model.space.parties)
        asked = np.zeros((n, n_parties), dtype=bool)
        accept = np.ones((n, n_parties), dtype=bool)
        line = np.full((n, n_parties), -1, dtype=np.intp)
        for agent in self.members:
            ok, named, _ = agent.respond(texts, rows)
            asked[:, agent.index], accept[:, agent.index], line[:, agent.index] = True, ok, named
        kernel = self.model.space.kernel
        verdict = np.empty(n, dtype=bool)
        kernels.verdict_rows(kernel, asked, accept, verdict)
        voiced = np.zeros((n, n_parties), dtype=bool)
        kernels.speak_rows(kernel, asked, accept, line, voiced)
        return verdict, voiced
