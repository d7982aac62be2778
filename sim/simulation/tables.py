"""A scenario as per-issue tables: what a simulated round reads, without enumerating outcomes.

A text is one option per issue, an ``(n, I)`` array of option indices. Everything a
round needs is a gather from a table over (issue, option) at the text's options:

* utility: ``u_p(text) = sum_i w_pi * v_pi(text_i)``, summed in issue order (the
  additions :func:`sim.space.compile_space` makes), from a ``(R|1, P, I, K)`` table;
* a ``forbid`` line is crossed when every listed issue takes a listed option, a
  ``require`` line when some listed issue takes an option outside its list
  (DESIGN.md, "Meaning"): one ``(I, K)`` mask per line, read at its listed issues only;
* the signers: every party with ``signs: true``, plus every party an option of the
  text ``needs``: one ``(I, K)`` mask per party.

So the cost of a round grows with parties, issues and options, not with the number of
outcomes, and a space of 10^9 packages simulates like one of 48 (DESIGN.md, "Scale").
The analysis still enumerates (:mod:`sim.space`), within its limit.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, NamedTuple

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.scenario.models import RedLine, Scenario
from sim.space import LineTable, RatifierRef

if TYPE_CHECKING:
    from sim.simulation.kernels import KernelTables

#: Largest number of combinations enumerated to find a party's best text within its
#: own red lines (the product of the sizes of the issues its lines list).
EXACT_LIMIT = 65_536

#: Largest outcome space in which a run's empty zone is detected (``no_zone``): the
#: check costs up to outcomes × parties × issues operations per run, once per run (and
#: after its events).
ZONE_LIMIT = 1_024


#: Kinds of the limits a negotiator applies to a text (:attr:`Line.kind`).
STATED, RATIFIER, FLOOR = 0, 1, 2


@dataclass(frozen=True)
class Line:
    """A limit a negotiator applies to texts: one of its red lines, or its ratifiers'.

    * ``STATED``: the party's own red line (``party.id``);
    * ``RATIFIER``: a red line of one of its ratifiers (``party.ratifier.id``), a limit
      of the negotiator's only in the runs where it knows the ratifier's limits
      (``informed``) and the line is firm; it never gives way under pressure;
    * ``FLOOR``: a ratifier's reservation value (``party.ratifier``): crossed by a text
      worth less than that to the ratifier, under the same condition.
    """

    party: str
    party_index: int
    id: str
    spec: RedLine | None  # None for a FLOOR
    ratifier: str | None = None
    ratifier_index: int = -1  # the ratifier's index in Tables.ratifiers

    @property
    def kind(self) -> int:
        """STATED, RATIFIER or FLOOR."""
        if self.ratifier is None:
            return STATED
        return FLOOR if self.spec is None else RATIFIER

    @property
    def key(self) -> str:
        """``party.id``, ``party.ratifier.id`` or ``party.ratifier`` (names in rows, paths)."""
        if self.ratifier is None:
            return f"{self.party}.{self.id}"
        if self.spec is None:
            return f"{self.party}.{self.ratifier}"
        return f"{self.party}.{self.ratifier}.{self.id}"

    @property
    def credibility(self) -> float:
        """The probability that the line is firm in a run (a reservation always binds)."""
        return 1.0 if self.spec is None else self.spec.credibility

    @property
    def audience_cost(self) -> float:
        """What giving the line up costs its owner (only a party's own lines give way)."""
        return self.spec.audience_cost if self.spec is not None and self.ratifier is None else 0.0


class Searches(NamedTuple):
    """Each party's search for its best text within its lines (:attr:`Tables.searches`).

    Party ``p`` searches the issues ``issues[issue_ptr[p]:issue_ptr[p + 1]]`` (J of them,
    none: no search) over the candidate texts
    ``candidates[candidate_ptr[p]:candidate_ptr[p + 1]]`` read as (C, J), an option
    of each of those issues.
    """

    issue_ptr: IntArray  # (P + 1,)
    issues: IntArray
    candidate_ptr: IntArray  # (P + 1,)
    candidates: IntArray

    @classmethod
    def of(
        cls,
        issue_ptr: list[int],
        issues: list[int],
        candidate_ptr: list[int],
        candidates: list[IntArray],
    ) -> Searches:
        """The flat arrays of the lists built party by party (``candidates``: flat grids)."""
        return cls(
            issue_ptr=np.array(issue_ptr, dtype=np.intp),
            issues=np.array(issues, dtype=np.intp),
            candidate_ptr=np.array(candidate_ptr, dtype=np.intp),
            candidates=np.concatenate([np.zeros(0, np.intp), *candidates]),
        )


@dataclass(frozen=True, eq=False)
class Tables:
    """A scenario compiled issue by issue (no outcome is enumerated).

    ``lines`` are every party's own red lines in file order, then, party by party, its
    ratifiers' red lines and reservations (:class:`Line`); a scenario without
    ratifiers has only the first. The utility tables have a row per party, then one
    per ratifier (``ratifiers``).
    """

    scenario: Scenario
    issues: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    parties: tuple[str, ...]
    sizes: IntArray  # (I,) options per issue
    width: int  # K: the most options of any issue
    reservation: FloatArray  # (P,)
    signs: BoolArray  # (P,)
    needs: BoolArray  # (P, I, K): option k of issue i needs party p's signature
    lines: tuple[Line, ...]
    line_tables: tuple[LineTable | None, ...]  # None for a FLOOR
    line_owner: IntArray  # (L,) the negotiating party whose limit each line is
    ratifiers: tuple[RatifierRef, ...] = ()
    blocs: tuple[tuple[str, tuple[int, ...], int], ...] = ()  # (name, members, rule)

    @classmethod
    def of(cls, scenario: Scenario) -> Tables:
        """Compile a scenario (in time and memory linear in its size)."""
        issues = tuple(scenario.issues)
        options = tuple(tuple(issue.options) for issue in scenario.issues.values())
        parties = tuple(scenario.parties)
        sizes = np.array([len(o) for o in options], dtype=np.intp)
        width = int(sizes.max()) if sizes.size else 1
        needs = np.zeros((len(parties), len(issues), width), dtype=bool)
        for i, spec in enumerate(scenario.issues.values()):
            for k, option in enumerate(spec.options.values()):
                for pid in option.needs:
                    needs[parties.index(pid), i, k] = True
        lines: list[Line] = []
        tables: list[LineTable | None] = []
        for p, (pid, party) in enumerate(scenario.parties.items()):
            for line in party.red_lines:
                tables.append(LineTable.of(line, issues, options, width))
                lines.append(Line(pid, p, line.id, line))
        ratifiers: list[RatifierRef] = []
        for p, (pid, party) in enumerate(scenario.parties.items()):
            for q in party.ratification:
                index = len(ratifiers)
                ratifiers.append(RatifierRef(pid, p, q.id, q))
                for line in q.red_lines:
                    tables.append(LineTable.of(line, issues, options, width))
                    lines.append(Line(pid, p, line.id, line, q.id, index))
                tables.append(None)
                lines.append(Line(pid, p, q.id, None, q.id, index))
        rules = {"unanimous": 0, "majority": 1}
        blocs = tuple(
            (name, tuple(parties.index(m) for m in bloc.members), rules[bloc.rule])
            for name, bloc in scenario.blocs.items()
        )
        return cls(
            scenario=scenario,
            issues=issues,
            options=options,
            parties=parties,
            sizes=sizes,
            width=width,
            reservation=np.array([party.reservation for party in scenario.parties.values()]),
            signs=np.array([party.signs for party in scenario.parties.values()], dtype=bool),
            needs=needs,
            lines=tuple(lines),
            line_tables=tuple(tables),
            line_owner=np.array([ref.party_index for ref in lines], dtype=np.intp),
            ratifiers=tuple(ratifiers),
            blocs=blocs,
        )

    # -- sizes ----------------------------------------------------------------------------
    @property
    def n_outcomes(self) -> int:
        """The number of packages (a Python int: it may exceed 2**63)."""
        return math.prod(int(s) for s in self.sizes)

    @cached_property
    def line_kind(self) -> IntArray:
        """(L,) each line's kind: STATED, RATIFIER or FLOOR."""
        return np.array([line.kind for line in self.lines], dtype=np.intp)

    @cached_property
    def stated(self) -> IntArray:
        """The indices of the parties' own red lines (the first lines, in file order)."""
        return np.flatnonzero(self.line_kind == STATED)

    def ratifier_row(self, ratifier: int) -> int:
        """The row of ratifier ``ratifier`` (its index) in the utility tables: P + it."""
        return len(self.parties) + ratifier

    def bloc_of(self, party: int) -> int:
        """The index of the bloc party ``party`` belongs to, -1 for none."""
        for b, (_, members, _) in enumerate(self.blocs):
            if party in members:
                return b
        return -1

    # -- reading texts ----------------------------------------------------------------------
    def crosses(self, line: int, texts: IntArray) -> BoolArray:
        """(n,) whether each text (n, I) crosses red line ``line`` (never for a FLOOR).

        A ratifier's reservation is read from utilities, not from the text's options:
        :func:`sim.simulation.kernels.read` applies it.
        """
        table = self.line_tables[line]
        if table is None:
            return np.zeros(texts.shape[0], dtype=bool)
        return table.crosses(texts)

    def signers(self, texts: IntArray) -> BoolArray:
        """(n, P) the parties that must accept each text."""
        from sim.simulation import kernels

        out = np.empty((texts.shape[0], len(self.parties)), dtype=bool)
        kernels.signers_rows(self.kernel, np.ascontiguousarray(texts, dtype=np.intp), out)
        return out

    @cached_property
    def kernel(self) -> KernelTables:
        """The rules as the flat tables the compiled kernels read (built once)."""
        from sim.rng import element_words
        from sim.simulation.kernels import KernelTables

        n_lines, n_issues = len(self.lines), len(self.issues)
        hit = np.zeros((n_lines, n_issues, self.width), dtype=bool)
        line_issue: list[int] = []
        line_ptr = [0]
        for k, table in enumerate(self.line_tables):
            if table is not None:
                for i, mask in zip(table.issues, table.hit, strict=True):
                    hit[k, i] = mask
                    line_issue.append(i)
            line_ptr.append(len(line_issue))
        # A bloc's members answer together: each one must sign a text when any must.
        signs, needs = self.signs.copy(), self.needs.copy()
        bloc_of = np.full(len(self.parties), -1, dtype=np.intp)
        bloc_member: list[int] = []
        bloc_ptr = [0]
        for b, (_, members, _) in enumerate(self.blocs):
            together = list(members)
            signs[together] = self.signs[together].any()
            needs[together] = self.needs[together].any(axis=0)
            bloc_of[together] = b
            bloc_member.extend(together)
            bloc_ptr.append(len(bloc_member))
        party_line: list[int] = []
        party_ptr = [0]
        need_issue: list[int] = []
        need_ptr = [0]
        for p in range(len(self.parties)):
            party_line.extend(int(k) for k in np.flatnonzero(self.line_owner == p))
            party_ptr.append(len(party_line))
            need_issue.extend(int(i) for i in np.flatnonzero(needs[p].any(axis=1)))
            need_ptr.append(len(need_issue))

        def ints(values: list[int]) -> IntArray:
            return np.array(values, dtype=np.intp)

        floor_row = [
            self.ratifier_row(line.ratifier_index) if line.kind == FLOOR else -1
            for line in self.lines
        ]
        return KernelTables(
            hit=hit,
            # a FLOOR lists no issue: need 1 keeps the options' rule from ever crossing it
            need=ints([1 if table is None else table.need for table in self.line_tables]),
            line_ptr=ints(line_ptr),
            line_issue=ints(line_issue),
            party_ptr=ints(party_ptr),
            party_line=ints(party_line),
            signs=signs,
            needs=np.ascontiguousarray(needs),
            need_ptr=ints(need_ptr),
            need_issue=ints(need_issue),
            sizes=self.sizes.astype(np.intp),
            changeable=self.sizes > 1,
            element=element_words(max(n_issues, 1)),
            line_owner=np.asarray(self.line_owner, dtype=np.intp),
            kind=np.asarray(self.line_kind, dtype=np.intp),
            floor_row=ints(floor_row),
            bloc_of=bloc_of,
            bloc_ptr=ints(bloc_ptr),
            bloc_member=ints(bloc_member),
            bloc_rule=ints([rule for _, _, rule in self.blocs]),
            within_issue_ptr=self.within.issue_ptr,
            within_issues=self.within.issues,
            within_ptr=self.within.candidate_ptr,
            within_candidates=self.within.candidates,
        )

    @cached_property
    def searches(self) -> Searches:
        """What each party searches for its best text within its own red lines.

        The issues its lines list, when their combinations number at most EXACT_LIMIT,
        and the combinations of their options that cross none of its lines (in the
        order of :func:`itertools.product`); none where they number more (its lines are
        then ignored there, and its best is an upper bound: its aspiration starts a
        little high and falls as usual) or where every combination crosses a line (its
        unconstrained best is used). Every other issue takes its best option.
        """
        issue_ptr, issues, candidate_ptr = [0], list[int](), [0]
        candidates: list[IntArray] = []
        for party in range(len(self.parties)):
            lines = [int(k) for k in self.stated if self.line_owner[k] == party]
            listed = [table for k in lines if (table := self.line_tables[k]) is not None]
            coupled = sorted({i for table in listed for i in table.issues})
            combos = math.prod(int(self.sizes[i]) for i in coupled)
            found = 0
            if coupled and combos <= EXACT_LIMIT:
                grid = np.array(
                    list(itertools.product(*(range(int(self.sizes[i])) for i in coupled))),
                    dtype=np.intp,
                )
                full = np.zeros((grid.shape[0], len(self.issues)), dtype=np.intp)
                full[:, coupled] = grid
                ok = np.ones(grid.shape[0], dtype=bool)
                for k in lines:
                    ok &= ~self.crosses(k, full)
                if ok.any():
                    issues.extend(coupled)
                    candidates.append(grid[ok].reshape(-1))
                    found = candidates[-1].size
            issue_ptr.append(len(issues))
            candidate_ptr.append(candidate_ptr[-1] + found)
        return Searches.of(issue_ptr, issues, candidate_ptr, candidates)

    @cached_property
    def within(self) -> Searches:
        """What each party searches, in a run, for its best text within the lines it holds.

        Its best text within its own red lines (:attr:`searches`) crosses none of the
        lines it holds in a run unless its ratifiers' limits hold there (the runs where it
        knows them) or no text is within all its own lines: then the kernel searches
        these candidates (:func:`sim.simulation.kernels.best_held`). For a party with a
        ratifier, or whose own lines no text satisfies (:attr:`searches` found none): the
        issues its limits list — its red lines', its ratifiers' red lines', and the issues
        a ratifier of its weighs in the file (a ratifier's reservation is read on the
        whole text) — and every combination of their options (in the order of
        :func:`itertools.product`, none filtered: which lines hold is the run's), when
        they number at most EXACT_LIMIT; none otherwise (the search is then not made).
        Every other issue takes the party's best option.
        """
        own = self.searches
        issue_ptr, issues, candidate_ptr = [0], list[int](), [0]
        candidates: list[IntArray] = []
        for party in range(len(self.parties)):
            mine = [k for k in range(len(self.lines)) if self.line_owner[k] == party]
            limited = any(self.lines[k].kind != STATED for k in mine)
            unmet = bool(mine and own.candidate_ptr[party + 1] == own.candidate_ptr[party])
            coupled: set[int] = set()
            for k in mine:
                table = self.line_tables[k]
                if table is not None:
                    coupled.update(int(i) for i in table.issues)
                else:
                    ref = self.ratifiers[self.lines[k].ratifier_index]
                    weights = self.scenario.parties[ref.party].normalised_ratifier_weights(ref.spec)
                    coupled.update(self.issues.index(i) for i, w in weights.items() if w > 0)
            order = sorted(coupled)
            combos = math.prod(int(self.sizes[i]) for i in order)
            found = 0
            if (limited or unmet) and order and combos <= EXACT_LIMIT:
                grid = np.array(
                    list(itertools.product(*(range(int(self.sizes[i])) for i in order))),
                    dtype=np.intp,
                )
                issues.extend(order)
                candidates.append(grid.reshape(-1))
                found = grid.size
            issue_ptr.append(len(issues))
            candidate_ptr.append(candidate_ptr[-1] + found)
        return Searches.of(issue_ptr, issues, candidate_ptr, candidates)

    # -- naming texts -------------------------------------------------------------------------
    def outcome(self, text: IntArray) -> dict[str, str]:
        """A text (I,) as {issue: option}."""
        return {issue: self.options[i][int(text[i])] for i, issue in enumerate(self.issues)}

    def describe(self, text: IntArray) -> list[str]:
        """A text as option labels, issue by issue."""
        outcome = self.outcome(text)
        return [self.scenario.option_label(issue, option) for issue, option in outcome.items()]

    def text_of(self, outcome: dict[str, str]) -> IntArray:
        """The text of an outcome given as {issue: option}."""
        return np.array(
            [self.options[i].index(outcome[issue]) for i, issue in enumerate(self.issues)],
            dtype=np.intp,
        )

    def index_of(self, text: IntArray) -> IntArray:
        """The outcome index of texts (n, I) in the analysis' numbering (-1 for none).

        The last issue varies fastest (DESIGN.md). Only meaningful below 2**63 outcomes.
        """
        index = np.zeros(text.shape[0], dtype=np.int64)
        for i in range(len(self.issues)):
            index = index * int(self.sizes[i]) + text[:, i]
        return np.where(text[:, 0] >= 0, index, -1) if len(self.issues) else index

    def enumerate(self) -> IntArray:
        """Every text (O, I), in the analysis' order; only for spaces up to ZONE_LIMIT."""
        assert self.n_outcomes <= ZONE_LIMIT
        grid = itertools.product(*(range(int(s)) for s in self.sizes))
        return np.array(list(grid), dtype=np.intp).reshape(-1, len(self.issues))
