"""Why talks fail: per scenario and sweep point, the causes of the runs without a deal.

Every row of a batch without agreement says (DESIGN.md, "Results", v2) who refused the
last text (``blocker``), what it named (``blocked_on``: a red line ``party.line``, a
ratifier's red line ``party.ratifier.line`` or reservation ``party.ratifier``, or an
issue) and how the talks ended (``ended``: ``deadline``, ``no_zone`` or ``walked_out``).
This module counts them among the no-deal runs of each point, gives each share its 95%
Wilson score interval (Wilson 1927, from statsmodels), and says the top causes in words.

Rows of a batch made before those columns existed still have ``ended``; who refused and
on what is then reported as not recorded, never guessed. A no-deal run whose
``blocker`` or ``blocked_on`` is null is counted as :data:`NOT_NAMED`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.batch.schema import AGREEMENT, BLOCKED_ON, BLOCKER, ENDED, RUN, SCENARIO

if TYPE_CHECKING:
    from sim.scenario import Scenario

#: How a run without agreement ends, in the order the words and figures list them.
ENDINGS = ("deadline", "no_zone", "walked_out")
#: A no-deal run whose row names nobody (or nothing) in ``blocker`` / ``blocked_on``.
NOT_NAMED = "none named"
#: The columns :func:`batch_causes` reads (a batch lacking some is read without them).
COLUMNS = (SCENARIO, AGREEMENT, ENDED, BLOCKER, BLOCKED_ON)
#: Causes named in words per point (the figure draws more).
TOP_WORDS = 2
#: Points the printed text lists at most (as the batch summary).
SHOWN_POINTS = 100

#: How each ending reads in words: "ended <...> in 80% of them".
ENDING_WORDS = {
    "deadline": "at the deadline",
    "no_zone": "with no deal left that every signer could accept",
    "walked_out": "when a needed signer walked out",
}


def wilson_interval(count: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval of ``count`` in ``n`` ((0, 1) when ``n`` is 0).

    statsmodels' ``proportion_confint(method="wilson")``, as the batch summary's
    (:func:`sim.batch.summary.wilson`).
    """
    from sim.batch.summary import wilson  # pyarrow and statsmodels load on first use

    return wilson(int(count), int(n))


@dataclass(frozen=True)
class Cause:
    """One cause of no deal at a point: in how many of its ``n`` no-deal runs it was named."""

    name: str  # a party, ``party.line`` or an issue, an ending, or NOT_NAMED
    count: int
    n: int

    @property
    def share(self) -> float:
        """The share of the point's no-deal runs."""
        return self.count / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """Its 95% Wilson interval (widened by rounding, if need be, to hold the share)."""
        low, high = wilson_interval(self.count, self.n)
        return min(low, self.share), max(high, self.share)


@dataclass(frozen=True)
class PointCauses:
    """Why the runs of one scenario at one sweep point ended without a deal.

    Causes are most frequent first (ties by name); ``recorded`` is False for rows made
    before ``blocker`` and ``blocked_on`` existed (then both tuples are empty).
    ``joint`` counts no-deal runs by (blocker, blocked_on).
    """

    key: str
    scenario: str
    sweep: dict[str, Any]
    runs: int
    no_deal: int
    recorded: bool
    blockers: tuple[Cause, ...] = ()
    blocked_on: tuple[Cause, ...] = ()
    ended: tuple[Cause, ...] = ()
    joint: dict[tuple[str, str], int] = field(default_factory=dict)

    def on_line_of(self, party: str) -> Cause | None:
        """The line or issue most often named when ``party`` refused (share of all no-deal runs)."""
        named = [(n, what) for (who, what), n in self.joint.items() if who == party]
        if not named:
            return None
        count, what = max(named, key=lambda nw: (nw[0], _reverse(nw[1])))
        return Cause(what, count, self.no_deal)


def _reverse(text: str) -> tuple[int, ...]:
    """A key under which ``max`` prefers the alphabetically first name among ties."""
    return tuple(-ord(c) for c in text)


def recorded(columns: Iterable[str]) -> bool:
    """Whether rows with these columns say who refused the last text and on what."""
    names = set(columns)
    return BLOCKER in names and BLOCKED_ON in names


def sweep_columns(rows: pd.DataFrame) -> list[str]:
    """The sweep point columns of rows as a batch holds them: between ``scenario`` and ``run``."""
    names = [str(c) for c in rows.columns]
    if SCENARIO not in names or RUN not in names:
        return []
    return names[names.index(SCENARIO) + 1 : names.index(RUN)]


def frame_causes(rows: pd.DataFrame, by: Sequence[str] | None = None) -> list[PointCauses]:
    """The causes of no deal per scenario and sweep point of rows (e.g. ``load_results``).

    ``by``: the columns that tell points apart (default: ``scenario`` and the sweep
    columns, :func:`sweep_columns`). Points are in the order their first row appears.
    """
    keys = [SCENARIO, *sweep_columns(rows)] if by is None else list(by)
    if not len(rows):
        return []
    if keys:
        groups = rows.groupby(keys, sort=False, dropna=False, observed=True)
        codes = groups.ngroup().to_numpy(dtype=np.int64)
        firsts = np.full(int(codes.max()) + 1, len(codes), dtype=np.int64)
        np.minimum.at(firsts, codes, np.arange(len(codes)))
        order = np.argsort(firsts, kind="stable")  # groups by their first row
        codes = np.argsort(order)[codes]
        labels = [{c: rows[c].iloc[int(firsts[k])] for c in keys} for k in order]
    else:
        codes, labels = np.zeros(len(rows), dtype=np.int64), [{}]
    entries = []
    for k, values in enumerate(labels):
        scenario = str(values.get(SCENARIO, ""))
        sweep = {c: _plain(v) for c, v in values.items() if c != SCENARIO and not _missing(v)}
        shown = ", ".join(f"{c}={v}" for c, v in sweep.items())
        entries.append((scenario + (f"[{shown}]" if shown else "") or str(k), scenario, sweep))
    return count_causes(rows, codes, entries)


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value))


def _plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def count_causes(
    rows: pd.DataFrame,
    point: np.ndarray[Any, np.dtype[np.int64]],
    entries: Sequence[tuple[str, str, dict[str, Any]]],
) -> list[PointCauses]:
    """The causes of no deal at every point: ``point[i]`` is row i's index into ``entries``.

    ``entries`` are (key, scenario id, sweep values) of each point. Each column is
    counted once over the no-deal rows, by its category codes (no strings per row), not
    in a pass per point.
    """
    size = len(entries)
    point = np.asarray(point, dtype=np.int64)
    runs = np.bincount(point, minlength=size)
    agreed = _bools(rows[AGREEMENT]) if AGREEMENT in rows.columns else np.zeros(len(rows), bool)
    failed = ~agreed
    lost = point[failed]
    no_deal = np.bincount(lost, minlength=size)
    known = recorded(rows.columns)
    columns = ([BLOCKER, BLOCKED_ON] if known else []) + ([ENDED] if ENDED in rows.columns else [])
    coded = {c: _codes(rows[c]) for c in columns}
    tallies = {
        c: _tally([lost, codes[failed]], [size, len(names)], [None, names])
        for c, (codes, names) in coded.items()
    }
    joint: dict[int, dict[tuple[str, str], int]] = {}
    if known:
        (who, whos), (what, whats) = coded[BLOCKER], coded[BLOCKED_ON]
        pairs = _tally(
            [lost, who[failed], what[failed]], [size, len(whos), len(whats)], [None, whos, whats]
        )
        for k, counted in pairs.items():
            joint[k] = {(str(a), str(b)): n for (a, b), n in counted}

    def causes(column: str, k: int) -> tuple[Cause, ...]:
        counted = [(str(name[0]), n) for name, n in tallies.get(column, {}).get(k, [])]
        ordered = sorted(counted, key=lambda c: (-c[1], c[0]))
        return tuple(Cause(name, n, int(no_deal[k])) for name, n in ordered)

    return [
        PointCauses(
            key=key,
            scenario=scenario,
            sweep=dict(sweep),
            runs=int(runs[k]),
            no_deal=int(no_deal[k]),
            recorded=known,
            blockers=causes(BLOCKER, k),
            blocked_on=causes(BLOCKED_ON, k),
            ended=causes(ENDED, k),
            joint=joint.get(k, {}),
        )
        for k, (key, scenario, sweep) in enumerate(entries)
    ]


def _bools(column: pd.Series) -> np.ndarray[Any, np.dtype[np.bool_]]:
    return np.asarray(column.astype("boolean").fillna(False).to_numpy(dtype=bool))


def _codes(column: pd.Series) -> tuple[np.ndarray[Any, np.dtype[np.int64]], list[str]]:
    """A text column as codes into its names; null is the last name, :data:`NOT_NAMED`."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = column.cat.codes.to_numpy().astype(np.int64)
        names = [str(c) for c in column.cat.categories]
    else:
        found, uniques = pd.factorize(column, use_na_sentinel=True)
        codes, names = np.asarray(found, dtype=np.int64), [str(u) for u in uniques]
    codes[codes < 0] = len(names)
    return codes, [*names, NOT_NAMED]


def _tally(
    codes: list[np.ndarray[Any, np.dtype[np.int64]]],
    sizes: list[int],
    names: list[list[str] | None],
) -> dict[int, list[tuple[tuple[str, ...], int]]]:
    """Counts of the distinct rows of some code columns, by the first (the point).

    The codes are packed into one int64 per row and counted with ``numpy.unique``; the
    result is, per point, the names of the other columns' codes and the count.
    """
    sizes = [max(size, 1) for size in sizes]
    if math.prod(sizes) < 2**62:
        packed = np.zeros(len(codes[0]), dtype=np.int64)
        for column, size in zip(codes, sizes, strict=True):
            packed = packed * size + column
        distinct, counts = np.unique(packed, return_counts=True)
        digits = []
        for size in reversed(sizes):
            digits.append(distinct % size)
            distinct = distinct // size
        digits.reverse()
    else:  # too many codes to pack into one integer
        grouped = pd.DataFrame({k: c for k, c in enumerate(codes)}).value_counts(sort=False)
        digits = [grouped.index.get_level_values(k).to_numpy() for k in range(len(codes))]
        counts = grouped.to_numpy()
    out: dict[int, list[tuple[tuple[str, ...], int]]] = {}
    for k, *rest, n in zip(*digits, counts, strict=True):
        words = tuple(
            table[int(c)] for table, c in zip(names[1:], rest, strict=True) if table is not None
        )
        out.setdefault(int(k), []).append((words, int(n)))
    return out


def batch_causes(folder: str | Path) -> list[PointCauses]:
    """The causes of no deal at every point of a batch folder, in manifest order.

    Reads only the few columns it needs (:data:`COLUMNS`) with
    :func:`sim.batch.store.read_batch`, which checks the folder (ScenarioError if not
    sound); a batch without ``blocker``/``blocked_on`` gives ``recorded=False``.
    """
    from sim.batch.store import read_batch

    batch = read_batch(folder, list(COLUMNS))
    entries = [(p.key, p.scenario_id, dict(p.sweep)) for p in batch.manifest.points]
    return count_causes(batch.rows, batch.point, entries)


# --- in words -------------------------------------------------------------------------


def _percent(share: float, fine: bool = False) -> str:
    """A share as the words print it: 71%, 0.4%, <0.1%, 100% (``fine``: 71.3%)."""
    if share == 0:
        return "0%"
    if share < 0.001:
        return "<0.1%"
    if fine or share < 0.1 or share > 0.999:
        text = f"{100 * share:.1f}%"
        return "100%" if text == "100.0%" else text
    return f"{100 * share:.0f}%"


def _fine(cause: Cause) -> bool:
    """Whether the interval is too narrow for whole percents (it would read "50–50%")."""
    low, high = cause.interval
    return high - low < 0.03


def _share_text(cause: Cause) -> str:
    return _percent(cause.share, _fine(cause))


def _interval_text(cause: Cause) -> str:
    low, high = (_percent(end, _fine(cause)) for end in cause.interval)
    return f"{low if low.startswith('<') else low.removesuffix('%')}–{high}"  # 69–73%


def _with_interval(cause: Cause) -> str:
    return f"{_share_text(cause)} ({_interval_text(cause)})"


class Names:
    """Words for parties, lines and issues: the scenario's labels where it is known.

    ``blocked_on`` names a party's red line ``party.line``, a ratifier's red line
    ``party.ratifier.line``, a ratifier's reservation ``party.ratifier`` (what the ratifier
    would ratify) or an issue. Without the scenario, ``a.b.c`` is a ratifier's line and
    ``a.b`` a party's line.
    """

    def __init__(self, scenario: Scenario | None = None) -> None:
        self.scenario = scenario

    def party(self, party: str) -> str:
        """A party's label (its id when the scenario is not known)."""
        if self.scenario is not None and party in self.scenario.parties:
            return self.scenario.party_label(party)
        return party

    def blocker(self, party: str) -> str:
        """A party that refused, with its bloc when it is in one: "The West (Europe)"."""
        if self.scenario is not None and party in self.scenario.parties:
            bloc = self.scenario.bloc_of(party)
            if bloc is not None and len(self.scenario.blocs[bloc].members) > 1:
                return f"{self.scenario.bloc_label(bloc)} ({self.party(party)})"
        return self.party(party)

    def ratifier(self, party: str, ratifier: str) -> str:
        """A ratifier in words: "Ukraine's Verkhovna Rada"."""
        label = ratifier.replace("_", " ")
        scenario = self.scenario
        owner = scenario.parties.get(party) if scenario is not None else None
        ids = [q.id for q in owner.ratification] if owner is not None else []
        if scenario is not None and ratifier in ids:
            label = scenario.ratifier_label(party, ratifier)
        return f"{self.party(party)}'s {label}"

    def kind(self, named: str) -> str:
        """What ``blocked_on`` names: ``line``, ``ratifier_line``, ``ratifier`` or ``issue``."""
        parts = named.split(".")
        if self.scenario is None:
            return {1: "issue", 2: "line"}.get(len(parts), "ratifier_line")
        party = self.scenario.parties.get(parts[0])
        if party is None or len(parts) == 1:
            return "issue"
        ratifiers = {q.id for q in party.ratification}
        if len(parts) == 2:
            lines = {line.id for line in party.red_lines}
            return "ratifier" if parts[1] in ratifiers and parts[1] not in lines else "line"
        return "ratifier_line" if parts[1] in ratifiers else "line"

    def is_line(self, named: str) -> bool:
        """Whether ``blocked_on`` names a party's or a ratifier's limit rather than an issue."""
        return self.kind(named) != "issue"

    def named(self, named: str, blocker: str | None = None) -> str:
        """What a refusal named, in words: "on its red line x", "over the issue y"."""
        if named == NOT_NAMED:
            return "naming no line or issue"
        kind = self.kind(named)
        if kind == "ratifier_line":
            owner, ratifier, line = named.split(".", 2)
            return f"on {self.ratifier(owner, ratifier)}'s red line {line}"
        if kind == "ratifier":
            owner, _, ratifier = named.partition(".")
            return f"on what {self.ratifier(owner, ratifier)} would ratify (its reservation value)"
        if kind == "line":
            owner, _, line = named.partition(".")
            whose = "its" if owner == blocker else f"{self.party(owner)}'s"
            return f"on {whose} red line {line}"
        if self.scenario is not None and named in self.scenario.issues:
            return f"over the issue {self.scenario.issue_label(named)}"
        return f"over the issue {named}"

    def label(self, named: str) -> str:
        """A cause as a short label for a figure: "Russia: no_nato_troops", "issue: Territory"."""
        if named == NOT_NAMED:
            return NOT_NAMED
        kind = self.kind(named)
        if kind == "ratifier_line":
            owner, ratifier, line = named.split(".", 2)
            return f"{self.ratifier(owner, ratifier)}: red line {line}"
        if kind == "ratifier":
            owner, _, ratifier = named.partition(".")
            return f"{self.ratifier(owner, ratifier)}: what it would ratify"
        if kind == "line":
            owner, _, line = named.partition(".")
            return f"{self.party(owner)}: red line {line}"
        if self.scenario is not None and named in self.scenario.issues:
            return f"issue: {self.scenario.issue_label(named)}"
        return f"issue: {named}"


def describe(causes: PointCauses, scenario: Scenario | None = None, top: int = TOP_WORDS) -> str:
    """The top causes of no deal at a point, in words (one paragraph).

    E.g. "No deal in 2,345 of 10,000 runs (23.5%): Russia refused the last text in 71% of
    them (69–73%), on its red line no_nato_troops in 64% (62–66%); ... Ended at the
    deadline in 80% (78–82%); ...". Shares are of the no-deal runs, with 95% intervals.
    """
    names = Names(scenario)
    runs, lost = causes.runs, causes.no_deal
    if runs == 0:
        return "No runs."
    if lost == 0:
        return f"A deal in every one of the {runs:,} runs: no cause of failure to report."
    head = f"No deal in {lost:,} of {runs:,} runs ({lost / runs:.1%})"
    ended = _ended_text(causes)
    if not causes.recorded:
        return (
            f"{head}. Who refused the last text, and on which red line or issue, is not"
            " recorded in these rows (a batch made before the rows held blocker and"
            " blocked_on: run it again with this version of negsim to see why)."
            + (f" {ended}" if ended else "")
        )
    parts: list[str] = []
    said = False  # "refused the last text" is said once, for the first party named
    for blocker in causes.blockers[:top]:
        if blocker.name == NOT_NAMED:
            text = f"no signer is named as refusing in {_with_interval(blocker)}"
        else:
            who = names.blocker(blocker.name)
            share, interval = _share_text(blocker), _interval_text(blocker)
            text = (
                f"{who} refused the last text in {share} of them ({interval})"
                if not said
                else f"{who} in {share} ({interval})"
            )
            said = True
            line = causes.on_line_of(blocker.name)
            if line is not None:
                text += f", {names.named(line.name, blocker.name)} in {_with_interval(line)}"
        parts.append(text)
    rest = len(causes.blockers) - top
    if rest > 0:
        left = sum(c.count for c in causes.blockers[top:])
        parts.append(
            f"{rest:,} other {'signer' if rest == 1 else 'signers'} in"
            f" {_percent(left / lost)} together"
        )
    return f"{head}: " + "; ".join(parts) + "." + (f" {ended}" if ended else "")


def _ended_text(causes: PointCauses) -> str:
    shown = [c for c in causes.ended if c.count]
    if not shown:
        return ""
    order = {name: k for k, name in enumerate(ENDINGS)}
    shown.sort(key=lambda c: (-c.count, order.get(c.name, len(order)), c.name))
    words = [
        f"{ENDING_WORDS.get(c.name, c.name.replace('_', ' '))} in {_with_interval(c)}"
        for c in shown
    ]
    return "Ended " + ", ".join(words) + "."


def format_causes(
    causes: Sequence[PointCauses],
    scenarios: Mapping[str, Scenario] | None = None,
    most: int = SHOWN_POINTS,
    top: int = TOP_WORDS,
) -> str:
    """Why talks failed at each point, as the batch summary prints it (at most ``most``).

    ``scenarios`` (scenario id -> scenario) gives the parties' and issues' labels.
    """
    lines = []
    for point in causes[:most]:
        sweep = ", ".join(f"{k}={v}" for k, v in point.sweep.items())
        head = point.scenario + (f"  [{sweep}]" if sweep else "")
        scenario = (scenarios or {}).get(point.scenario)
        lines.append(f"{head}: why talks fail")
        lines.append(f"  {describe(point, scenario, top)}")
        lines.append("")
    if len(causes) > most:
        left = len(causes) - most
        lines.append(f"… and {left:,} more points not shown (negsim plot DIR draws causes.png)")
        lines.append("")
    return "\n".join(lines)


def summary_text(folder: str | Path, most: int = SHOWN_POINTS, top: int = TOP_WORDS) -> str:
    """Why talks failed at each point of a batch folder, in words (for ``negsim batch``)."""
    from sim.batch.manifest import Manifest

    causes = batch_causes(folder)
    scenarios: dict[str, Scenario] = {}
    for entry in Manifest.read(folder).points[:most]:  # one validation per scenario
        if entry.scenario_id not in scenarios:
            scenarios[entry.scenario_id] = entry.scenario()
    return format_causes(causes, scenarios, most, top)


__all__ = [
    "BLOCKED_ON",
    "BLOCKER",
    "COLUMNS",
    "ENDINGS",
    "NOT_NAMED",
    "Cause",
    "Names",
    "PointCauses",
    "batch_causes",
    "count_causes",
    "describe",
    "format_causes",
    "frame_causes",
    "recorded",
    "summary_text",
    "sweep_columns",
    "wilson_interval",
]
