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
from typing import TYPE_CHECKING

import numpy as np

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.scenario.models import Scenario
from sim.space import LineTable, RedLineRef

if TYPE_CHECKING:
    from sim.simulation.kernels import KernelTables

#: Largest number of combinations enumerated to find a party's best text within its
#: own red lines (the product of the sizes of the issues its lines list).
EXACT_LIMIT = 65_536

#: Largest outcome space in which a run's empty zone is detected (``no_zone``): the
#: check costs up to outcomes × parties × issues operations per run, once per run (and
#: after its events).
ZONE_LIMIT = 1_024


@dataclass(frozen=True, eq=False)
class Tables:
    """A scenario compiled issue by issue (no outcome is enumerated)."""

    scenario: Scenario
    issues: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    parties: tuple[str, ...]
    sizes: IntArray  # (I,) options per issue
    width: int  # K: the most options of any issue
    reservation: FloatArray  # (P,)
    signs: BoolArray  # (P,)
    needs: BoolArray  # (P, I, K): option k of issue i needs party p's signature
    lines: tuple[RedLineRef, ...]
    line_tables: tuple[LineTable, ...]
    line_owner: IntArray  # (L,)

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
        lines: list[RedLineRef] = []
        tables: list[LineTable] = []
        for p, (pid, party) in enumerate(scenario.parties.items()):
            for line in party.red_lines:
                tables.append(LineTable.of(line, issues, options, width))
                lines.append(RedLineRef(pid, p, line.id, line))
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
        )

    # -- sizes ----------------------------------------------------------------------------
    @property
    def n_outcomes(self) -> int:
        """The number of packages (a Python int: it may exceed 2**63)."""
        return math.prod(int(s) for s in self.sizes)

    # -- reading texts ----------------------------------------------------------------------
    def crosses(self, line: int, texts: IntArray) -> BoolArray:
        """(n,) whether each text (n, I) crosses red line ``line``."""
        return self.line_tables[line].crosses(texts)

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
            for i, mask in zip(table.issues, table.hit, strict=True):
                hit[k, i] = mask
                line_issue.append(i)
            line_ptr.append(len(line_issue))
        party_line: list[int] = []
        party_ptr = [0]
        need_issue: list[int] = []
        need_ptr = [0]
        for p in range(len(self.parties)):
            party_line.extend(int(k) for k in np.flatnonzero(self.line_owner == p))
            party_ptr.append(len(party_line))
            need_issue.extend(int(i) for i in np.flatnonzero(self.needs[p].any(axis=1)))
            need_ptr.append(len(need_issue))

        def ints(values: list[int]) -> IntArray:
            return np.array(values, dtype=np.intp)

        return KernelTables(
            hit=hit,
            need=ints([table.need for table in self.line_tables]),
            line_ptr=ints(line_ptr),
            line_issue=ints(line_issue),
            party_ptr=ints(party_ptr),
            party_line=ints(party_line),
            signs=self.signs.copy(),
            needs=np.ascontiguousarray(self.needs),
            need_ptr=ints(need_ptr),
            need_issue=ints(need_issue),
            sizes=self.sizes.astype(np.intp),
            changeable=self.sizes > 1,
            element=element_words(max(n_issues, 1)),
            line_owner=np.asarray(self.line_owner, dtype=np.intp),
        )

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


def utilities(value: FloatArray, party: int, texts: IntArray, rows: IntArray | None) -> FloatArray:
    """Each text's utility for ``party``, from a (R|1, P, I, K) table of ``w * v``.

    ``rows`` are the runs the texts belong to (all runs in order when None). Added in
    issue order, as the analysis adds them (:func:`sim.simulation.kernels.utility`).
    """
    from sim.simulation import kernels

    at = np.arange(texts.shape[0]) if rows is None else np.asarray(rows, dtype=np.intp)
    out = np.empty(texts.shape[0])
    kernels.utility_rows(value, party, at, np.ascontiguousarray(texts, dtype=np.intp), out)
    return out


def best_within(
    tables: Tables, value: FloatArray, party: int, n: int
) -> tuple[FloatArray, IntArray]:
    """Each run's best utility for ``party`` within its own red lines, and that text.

    For ``n`` runs. Issues that none of its lines lists take their best option each; the issues its
    lines list are searched together, exactly, when their combinations number at most
    EXACT_LIMIT. Past that the lines are ignored here and the result is an upper bound
    (its aspiration then starts a little high and falls as usual). Ties: first option.
    If every combination crosses one of its lines, its unconstrained best is returned.
    """
    own = value[:, party]  # (R|1, I, K)
    valid = np.arange(tables.width)[None, None, :] < tables.sizes[None, :, None]
    masked = np.where(valid, own, -np.inf)
    text = np.argmax(masked, axis=2).astype(np.intp)  # (R|1, I)
    lines = [int(k) for k in np.flatnonzero(tables.line_owner == party)]
    coupled = sorted({i for k in lines for i in tables.line_tables[k].issues})
    combos = math.prod(int(tables.sizes[i]) for i in coupled)
    if coupled and combos <= EXACT_LIMIT:
        grid = np.array(
            list(itertools.product(*(range(int(tables.sizes[i])) for i in coupled))), dtype=np.intp
        )
        full = np.zeros((grid.shape[0], len(tables.issues)), dtype=np.intp)
        full[:, coupled] = grid
        ok = np.ones(grid.shape[0], dtype=bool)
        for k in lines:
            ok &= ~tables.crosses(k, full)
        if ok.any():
            candidates = grid[ok]
            score = np.zeros((own.shape[0], candidates.shape[0]))
            for j, i in enumerate(coupled):
                score += own[:, i, :][:, candidates[:, j]]
            pick = np.argmax(score, axis=1)
            text[:, coupled] = candidates[pick]
    text = np.broadcast_to(text, (n, len(tables.issues))).copy()
    best = utilities(value, party, text[: value.shape[0]], None)
    return np.broadcast_to(best, (n,)).copy(), text
