"""The outcome space of a scenario, compiled once into numpy arrays.

Outcome ``o`` is one option per issue; outcomes are numbered in file order with the
last issue varying fastest (DESIGN.md), so outcome 0 takes every issue's first option.
Everything later (analysis, simulation) only gathers from and compares these arrays.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sim.arrays import BoolArray, FloatArray, IntArray
from sim.scenario.models import Ratifier, RedLine, Scenario
from sim.scenario.problems import Problem, ScenarioError

#: Utility comparisons allow for floating-point rounding: ``u >= r`` when ``u >= r - EPS``.
EPS = 1e-9

#: Default largest outcome space that is enumerated (parties × outcomes float64 each).
MAX_OUTCOMES = 2_000_000


class OutcomeSpaceTooLarge(ScenarioError):
    """The scenario's outcome space is larger than the enumeration limit."""


@dataclass(frozen=True)
class RedLineRef:
    """One red line in the compiled space: its owner and id."""

    party: str
    party_index: int
    id: str
    spec: RedLine

    @property
    def key(self) -> str:
        """``party.id``, the name used in relaxations and paths."""
        return f"{self.party}.{self.id}"


@dataclass(frozen=True)
class RatifierRef:
    """One ratifier in the compiled space: the party it ratifies for, and its id."""

    party: str
    party_index: int
    id: str
    spec: Ratifier

    @property
    def key(self) -> str:
        """``party.ratifier``, the name of its reservation in exclusions and rows."""
        return f"{self.party}.{self.id}"


@dataclass(frozen=True)
class RatifierLineRef:
    """One ratifier's red line in the compiled space."""

    party: str
    party_index: int
    ratifier: str
    ratifier_index: int  # into OutcomeSpace.ratifiers
    id: str
    spec: RedLine

    @property
    def key(self) -> str:
        """``party.ratifier.line``, the name used in relaxations, rows and paths."""
        return f"{self.party}.{self.ratifier}.{self.id}"


@dataclass(frozen=True)
class BlocRef:
    """A bloc in the compiled space: its members (party indices, as listed) and rule."""

    id: str
    members: tuple[int, ...]
    rule: str  # "unanimous" | "majority"

    @property
    def need(self) -> int:
        """How many members must accept: all, or strictly more than half."""
        return len(self.members) if self.rule == "unanimous" else len(self.members) // 2 + 1


@dataclass(frozen=True)
class LineTable:
    """One red line issue by issue: the one implementation of its rule (DESIGN.md).

    The analysis applies it to every enumerated outcome, the simulation to each run's
    text, so both read a line the same way.
    """

    forbid: bool
    issues: tuple[int, ...]
    listed: tuple[BoolArray, ...]  # per listed issue: (K,) option is in the line's list

    @classmethod
    def of(
        cls,
        line: RedLine,
        issues: tuple[str, ...],
        options: tuple[tuple[str, ...], ...],
        width: int,
    ) -> LineTable:
        """Compile a red line over issues with at most ``width`` options each."""
        listed_issues = []
        listed = []
        for issue, allowed in line.rule.items():
            i = issues.index(issue)
            mask = np.zeros(width, dtype=bool)
            mask[: len(options[i])] = np.isin(np.array(options[i]), allowed)
            listed_issues.append(i)
            listed.append(mask)
        return cls(line.kind == "forbid", tuple(listed_issues), tuple(listed))

    @property
    def hit(self) -> tuple[BoolArray, ...]:
        """Per listed issue, (K,) whether taking that option counts toward crossing."""
        return self.listed if self.forbid else tuple(~listed for listed in self.listed)

    @property
    def need(self) -> int:
        """How many listed issues must count for the line to be crossed.

        A ``forbid`` line is crossed when every listed issue takes a listed option; a
        ``require`` line when some listed issue takes an option outside its list. So a
        text crosses the line when ``sum_i hit[i][text_i] >= need`` — the rule, which the
        analysis reads through :meth:`crosses` and the simulation's compiled kernels
        (:mod:`sim.simulation.kernels`) through the same ``hit`` and ``need``.
        """
        return len(self.issues) if self.forbid else 1

    def crosses(self, texts: npt.NDArray[np.integer]) -> BoolArray:
        """(n,) whether each text (n, I option indices) crosses the line (see :attr:`need`)."""
        count = np.zeros(texts.shape[0], dtype=np.intp)
        for i, hit in zip(self.issues, self.hit, strict=True):
            count += hit[texts[:, i]]
        out: BoolArray = count >= self.need
        return out


@dataclass(frozen=True, eq=False)
class OutcomeSpace:
    """A scenario compiled into arrays over parties (P), outcomes (O) and red lines (L).

    With ratification (DESIGN.md v2) it also holds the ratifiers (Q), their utilities and
    reservations, and their red lines (M); and the blocs. ``signer`` counts bloc-mates:
    when any member of a bloc must sign an outcome, every member does.
    """

    scenario: Scenario
    issues: tuple[str, ...]
    options: tuple[tuple[str, ...], ...]
    parties: tuple[str, ...]
    choice: npt.NDArray[np.int16]  # O × I: option index per issue
    utility: FloatArray  # P × O
    reservation: FloatArray  # P
    signs: BoolArray  # P: signs every agreement
    signer: BoolArray  # P × O: must accept outcome o
    lines: tuple[RedLineRef, ...]
    crosses: BoolArray  # L × O: outcome o crosses line l
    line_owner: IntArray = field(repr=False)  # L: party index
    ratifiers: tuple[RatifierRef, ...] = ()
    ratifier_utility: FloatArray = field(default_factory=lambda: np.zeros((0, 0)), repr=False)
    ratifier_reservation: FloatArray = field(default_factory=lambda: np.zeros(0), repr=False)
    ratifier_owner: IntArray = field(  # Q: the party index each ratifier ratifies for
        default_factory=lambda: np.zeros(0, dtype=np.intp), repr=False
    )
    ratifier_lines: tuple[RatifierLineRef, ...] = ()
    ratifier_crosses: BoolArray = field(  # M × O: outcome o crosses ratifier line m
        default_factory=lambda: np.zeros((0, 0), dtype=bool), repr=False
    )
    ratifier_line_owner: IntArray = field(  # M: ratifier index
        default_factory=lambda: np.zeros(0, dtype=np.intp), repr=False
    )
    blocs: tuple[BlocRef, ...] = ()

    @property
    def all_lines(self) -> tuple[RedLineRef | RatifierLineRef, ...]:
        """Party lines then ratifier lines: the numbering of the ratifiable analysis."""
        return (*self.lines, *self.ratifier_lines)

    def bloc_index(self) -> IntArray:
        """P: the index of each party's bloc, -1 for a party in none."""
        out = np.full(len(self.parties), -1, dtype=np.intp)
        for b, bloc in enumerate(self.blocs):
            out[list(bloc.members)] = b
        return out

    @property
    def n_outcomes(self) -> int:
        """Number of outcomes."""
        return int(self.choice.shape[0])

    def outcome(self, index: int) -> dict[str, str]:
        """Outcome ``index`` as {issue: option}."""
        row = self.choice[index]
        return {issue: self.options[i][int(row[i])] for i, issue in enumerate(self.issues)}

    def index_of(self, outcome: dict[str, str]) -> int:
        """The index of an outcome given as {issue: option}."""
        index = 0
        for i, issue in enumerate(self.issues):
            index = index * len(self.options[i]) + self.options[i].index(outcome[issue])
        return index

    def describe(self, index: int) -> list[str]:
        """Outcome ``index`` as option labels, issue by issue."""
        return [
            self.scenario.option_label(issue, option)
            for issue, option in self.outcome(index).items()
        ]


def outcome_count(scenario: Scenario) -> int:
    """The number of outcomes, computed without enumerating them."""
    return math.prod(len(issue.options) for issue in scenario.issues.values())


def check_size(scenario: Scenario, max_outcomes: int = MAX_OUTCOMES) -> None:
    """Raise OutcomeSpaceTooLarge, at the file and line of ``issues:``, past the limit."""
    sizes = [len(issue.options) for issue in scenario.issues.values()]
    count = math.prod(sizes)
    if count <= max_outcomes:
        return
    shape = " × ".join(str(s) for s in sizes[:12]) + (" × …" if len(sizes) > 12 else "")
    # a space of 10^4 issues has a count too long to print (or even to turn into text)
    amount = f"{count:,}" if count < 10**40 else f"about 10^{math.floor(math.log10(count))}"
    raise OutcomeSpaceTooLarge(
        [
            Problem(
                scenario.origin(("issues",)),
                ("issues",),
                f"the outcome space has {amount} outcomes ({shape} options), more than"
                f" the limit of {max_outcomes:,}; merge or drop options, or raise the limit",
            )
        ]
    )


def compile_space(scenario: Scenario, max_outcomes: int = MAX_OUTCOMES) -> OutcomeSpace:
    """Enumerate the outcomes and build the utility, signer and red-line arrays."""
    check_size(scenario, max_outcomes)
    sizes = [len(issue.options) for issue in scenario.issues.values()]
    count = math.prod(sizes)
    issues = tuple(scenario.issues)
    options = tuple(tuple(issue.options) for issue in scenario.issues.values())
    parties = tuple(scenario.parties)
    party_index = {pid: p for p, pid in enumerate(parties)}
    choice = np.empty((count, len(issues)), dtype=np.int16)
    # Last issue varies fastest: column i repeats each option `inner` times, `outer` times.
    inner = count
    for i, size in enumerate(sizes):
        inner //= size
        choice[:, i] = np.tile(
            np.repeat(np.arange(size, dtype=np.int16), inner), count // (inner * size)
        )

    utility = np.zeros((len(parties), count))
    for p, party in enumerate(scenario.parties.values()):
        weights = party.normalised_weights()
        for i, issue in enumerate(issues):
            weight = weights.get(issue, 0.0)
            if weight == 0.0:
                continue
            table = np.array([party.values[issue][o] for o in options[i]])
            utility[p] += weight * table[choice[:, i]]

    signs = np.array([party.signs for party in scenario.parties.values()], dtype=bool)
    signer = np.repeat(signs[:, None], count, axis=1)
    for i, spec in enumerate(scenario.issues.values()):
        for k, option in enumerate(spec.options.values()):
            if option.needs:
                chosen = choice[:, i] == k
                for pid in option.needs:
                    signer[party_index[pid]] |= chosen

    blocs = tuple(
        BlocRef(bid, tuple(party_index[m] for m in bloc.members), bloc.rule)
        for bid, bloc in scenario.blocs.items()
    )
    for bloc in blocs:  # a bloc answers as one: when any member signs, every member does
        members = list(bloc.members)
        signer[members] |= signer[members].any(axis=0)

    lines: list[RedLineRef] = []
    crosses = np.empty((sum(len(p.red_lines) for p in scenario.parties.values()), count), bool)
    for p, (pid, party) in enumerate(scenario.parties.items()):
        for line in party.red_lines:
            crosses[len(lines)] = LineTable.of(line, issues, options, max(sizes)).crosses(choice)
            lines.append(RedLineRef(pid, p, line.id, line))

    ratifiers: list[RatifierRef] = []
    ratifier_lines: list[RatifierLineRef] = []
    for p, (pid, party) in enumerate(scenario.parties.items()):
        for ratifier in party.ratification:
            for line in ratifier.red_lines:
                ratifier_lines.append(
                    RatifierLineRef(pid, p, ratifier.id, len(ratifiers), line.id, line)
                )
            ratifiers.append(RatifierRef(pid, p, ratifier.id, ratifier))
    ratifier_utility = np.zeros((len(ratifiers), count))
    for q, who in enumerate(ratifiers):
        party = scenario.parties[who.party]
        weights = party.normalised_ratifier_weights(who.spec)
        _, values = party.ratifier_preferences(who.spec)
        for i, issue in enumerate(issues):
            weight = weights.get(issue, 0.0)
            if weight == 0.0:
                continue
            table = np.array([values[issue][o] for o in options[i]])
            ratifier_utility[q] += weight * table[choice[:, i]]
    ratifier_crosses = np.empty((len(ratifier_lines), count), bool)
    for m, line_ref in enumerate(ratifier_lines):
        rule = LineTable.of(line_ref.spec, issues, options, max(sizes))
        ratifier_crosses[m] = rule.crosses(choice)

    return OutcomeSpace(
        scenario=scenario,
        issues=issues,
        options=options,
        parties=parties,
        choice=choice,
        utility=utility,
        reservation=np.array([party.reservation for party in scenario.parties.values()]),
        signs=signs,
        signer=signer,
        lines=tuple(lines),
        crosses=crosses,
        line_owner=np.array([line.party_index for line in lines], dtype=np.intp),
        ratifiers=tuple(ratifiers),
        ratifier_utility=ratifier_utility,
        ratifier_reservation=np.array([q.spec.reservation for q in ratifiers], dtype=float),
        ratifier_owner=np.array([q.party_index for q in ratifiers], dtype=np.intp),
        ratifier_lines=tuple(ratifier_lines),
        ratifier_crosses=ratifier_crosses,
        ratifier_line_owner=np.array([m.ratifier_index for m in ratifier_lines], dtype=np.intp),
        blocs=blocs,
    )
