"""The summary of a batch: per scenario and sweep point, which deals form how often.

One pass over the rows, grouped by point and deal (no pass per point), so a grid of
10,000 sweep points summarises in about a second; a folder is counted part by part, so
a batch of any number of runs summarises within a bounded memory. The printed table
lists at most :data:`SHOWN_POINTS` points and says how many it left out.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from sim.arrays import BoolArray, IntArray
from sim.batch.deals import count_codes, deal_label, option_codes
from sim.batch.manifest import Manifest
from sim.batch.schema import AGREEMENT, ROUND, SCENARIO
from sim.batch.store import Batch, read_parts, warn_unread
from sim.scenario import Scenario

#: Points the printed summary lists at most (every point is in the folder).
SHOWN_POINTS = 100


def wilson(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """The ``1 - alpha`` Wilson score interval of a proportion (Wilson 1927): sound near 0 and 1.

    statsmodels' ``proportion_confint(method="wilson")``, which has no continuity
    correction: the same interval as the formula negsim wrote by hand before (equal within
    1e-12 on every count, ``tests/test_statistics.py``). ``(0, 1)`` when ``n`` is 0.
    """
    if n == 0:
        return (0.0, 1.0)
    from statsmodels.stats.proportion import proportion_confint  # slow to import: on use

    low, high = proportion_confint(int(successes), int(n), alpha=alpha, method="wilson")
    return (max(0.0, float(low)), min(1.0, float(high)))


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``1 run``, ``2 runs``, ``1 rarer deal``, ``1,000 rarer deals``: a count and its noun."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


@dataclass(frozen=True)
class Share:
    """How often something happened, with its 95% interval."""

    label: str
    count: int
    n: int

    @property
    def share(self) -> float:
        """The proportion."""
        return self.count / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson interval."""
        return wilson(self.count, self.n)

    def __str__(self) -> str:
        low, high = self.interval
        return f"{self.share:6.1%} [{low:5.1%}, {high:5.1%}]  {self.label}"


@dataclass(frozen=True)
class PointSummary:
    """The outcome distribution of one scenario at one sweep point."""

    key: str
    scenario: str
    title: str
    sweep: dict[str, Any]
    runs: int
    deals: list[Share]  # most frequent first, ties in outcome order
    no_deal: Share
    median_round: float | None
    rarer: Share | None = None  # the deals not listed, together (None if there are none)


def summarise(out: str | Path, top: int = 5) -> list[PointSummary]:
    """Summaries of every point of a batch folder, read part by part.

    Parts are counted as they are read, a chunk of :data:`CHUNK_ROWS` rows at a time, and
    let go, so memory does not grow with the number of runs (only with the number of
    points and of distinct deals).
    """
    out = Path(out)
    manifest = Manifest.read(out)
    scenarios = manifest.scenarios()
    issues = {i for s in scenarios.values() for i in s.issues}
    needed = sorted({SCENARIO, AGREEMENT, ROUND} | issues)  # only what the summary reads
    tally = _Tally(manifest, scenarios)
    chunk: list[_Counted] = []
    for part, table in read_parts(out, manifest, needed):
        scenario = scenarios[part.point]
        chunk.append(
            _Counted(
                np.full(table.num_rows, part.point, dtype=np.int64),
                _filled(table.column(AGREEMENT), False).astype(bool),
                _filled(table.column(ROUND), 0).astype(np.int64),
                {
                    issue: _arrow_codes(table, issue, list(spec.options))
                    for issue, spec in scenario.issues.items()
                },
            )
        )
        if sum(c.point.size for c in chunk) >= CHUNK_ROWS:
            tally.add_all(chunk)
            chunk = []
    tally.add_all(chunk)
    warn_unread(out, manifest, stacklevel=2)
    return tally.summaries(top)


def summarise_batch(batch: Batch, top: int = 5) -> list[PointSummary]:
    """Summaries of every point of a batch read back (one grouped pass over the rows)."""
    rows, point = batch.rows, batch.point
    tally = _Tally(batch.manifest, batch.manifest.scenarios())
    if len(rows):
        tally.add(
            point,
            rows[AGREEMENT].to_numpy(dtype=bool),
            rows[ROUND].to_numpy(dtype=float, na_value=0).astype(np.int64),
            lambda issue, options, mask: option_codes(rows[issue], options, mask),
        )
    return tally.summaries(top)


#: Each masked row's option as its number in the options (-1 for none): (issue, options, mask).
type Codes = Callable[[str, list[str], BoolArray], IntArray]

#: Rows of parts counted together: many small parts (a large sweep) are counted in few
#: passes, and a chunk bounds what the summary holds (about 30 bytes a row).
CHUNK_ROWS = 1 << 18


@dataclass(frozen=True)
class _Counted:
    """What the summary reads of one part: point, agreement, round, option numbers."""

    point: IntArray
    agreed: BoolArray
    rounds: IntArray
    codes: dict[str, IntArray]  # per issue of the part's scenario, in its option order


class _Tally:
    """Counts over chunks of rows: runs, deals and rounds per point, deals per point.

    Every chunk adds small count tables (one row per point and deal, per point and
    round); :meth:`summaries` adds them up, so the rows themselves are never kept.
    """

    def __init__(self, manifest: Manifest, scenarios: dict[int, Scenario]) -> None:
        self.manifest = manifest
        self.scenarios = scenarios
        self.size = len(manifest.points)
        self.runs = np.zeros(self.size, dtype=np.int64)
        self.agreed = np.zeros(self.size, dtype=np.int64)
        self.groups = _issue_groups(scenarios)
        self.rounds: list[pd.DataFrame] = []
        self.deals: list[list[pd.DataFrame]] = [[] for _ in self.groups]

    def add(self, point: IntArray, agreed: BoolArray, rounds: IntArray, codes: Codes) -> None:
        """Count a chunk of rows: each row's point, agreement, round (if agreed), deal."""
        self.runs += np.bincount(point, minlength=self.size)
        self.agreed += np.bincount(point[agreed], minlength=self.size)
        if not agreed.any():
            return
        self.rounds.append(count_codes({"point": point[agreed], "round": rounds[agreed]}))
        for g, group in enumerate(self.groups):
            mask = agreed & np.isin(point, group)
            if not mask.any():
                continue
            scenario = self.scenarios[group[0]]
            # Option numbers in file order: ties between deals are broken by outcome order.
            columns = {
                f"i{i}": codes(issue, list(scenario.issues[issue].options), mask)
                for i, issue in enumerate(scenario.issues)
            }
            self.deals[g].append(count_codes({"point": point[mask], **columns}))

    def add_all(self, parts: list[_Counted]) -> None:
        """Count the rows of several parts at once (an issue a part lacks is -1 in it)."""
        if not parts:
            return
        issues = dict.fromkeys(issue for part in parts for issue in part.codes)
        codes = {
            issue: np.concatenate(
                [p.codes.get(issue, np.full(p.point.size, -1, dtype=np.intp)) for p in parts]
            )
            for issue in issues
        }
        self.add(
            np.concatenate([p.point for p in parts]),
            np.concatenate([p.agreed for p in parts]),
            np.concatenate([p.rounds for p in parts]),
            lambda issue, options, mask: codes[issue][mask],
        )

    def summaries(self, top: int) -> list[PointSummary]:
        """The summary of every point from the counts so far."""
        medians = _medians(self.rounds)
        listed: dict[int, list[Share]] = {k: [] for k in range(self.size)}
        rarer: dict[int, Share] = {}
        for group, parts in zip(self.groups, self.deals, strict=True):
            if parts:
                self._rank(group, pd.concat(parts, ignore_index=True), top, listed, rarer)
        return [
            PointSummary(
                key=entry.key,
                scenario=entry.scenario_id,
                title=self.scenarios[k].title,
                sweep=entry.sweep,
                runs=int(self.runs[k]),
                deals=listed[k],
                no_deal=Share("no deal", int(self.runs[k] - self.agreed[k]), int(self.runs[k])),
                median_round=medians.get(k),
                rarer=rarer.get(k),
            )
            for k, entry in enumerate(self.manifest.points)
        ]

    def _rank(
        self,
        group: list[int],
        counts: pd.DataFrame,
        top: int,
        listed: dict[int, list[Share]],
        rarer: dict[int, Share],
    ) -> None:
        """Keep the ``top`` deals of each point of the group; the rest as rarer deals."""
        scenario = self.scenarios[group[0]]
        issues = list(scenario.issues)
        keys = [f"i{i}" for i in range(len(issues))]
        if len(counts) and counts.duplicated(["point", *keys]).any():  # counted in two chunks
            counts = counts.groupby(["point", *keys], sort=False)["count"].sum().reset_index()
        counts = counts.sort_values(
            ["point", "count", *keys], ascending=[True, False, *([True] * len(keys))], kind="stable"
        )
        counts["rank"] = counts.groupby("point").cumcount()
        shown = counts[counts["rank"] < top]
        options = [list(scenario.issues[issue].options) for issue in issues]
        words: dict[tuple[int, ...], str] = {}
        columns = [shown[key].to_numpy() for key in keys]
        runs = self.runs
        for k, n, *deal_codes in zip(
            shown["point"].to_numpy(), shown["count"].to_numpy(), *columns, strict=True
        ):
            deal = tuple(int(c) for c in deal_codes)
            if deal not in words:
                words[deal] = deal_label(
                    scenario, [options[i][c] if c >= 0 else None for i, c in enumerate(deal)]
                )
            listed[int(k)].append(Share(words[deal], int(n), int(runs[k])))
        rest = counts[counts["rank"] >= top]
        if len(rest):
            left = rest.groupby("point")["count"].agg(["size", "sum"])
            for k, kinds, total in zip(
                left.index.to_numpy(), left["size"].to_numpy(), left["sum"].to_numpy(), strict=True
            ):
                rarer[int(k)] = Share(counted(int(kinds), "rarer deal"), int(total), int(runs[k]))


def _medians(parts: list[pd.DataFrame]) -> dict[int, float]:
    """Each point's median round from counts by (point, round).

    The middle run's round, or the mean of the middle two: ``numpy.median`` of the
    rounds themselves.
    """
    if not parts:
        return {}
    counts = pd.concat(parts).groupby(["point", "round"])["count"].sum().sort_index()
    points = counts.index.get_level_values("point").to_numpy()
    rounds = counts.index.get_level_values("round").to_numpy()
    weights = counts.to_numpy()
    medians: dict[int, float] = {}
    starts = np.flatnonzero(np.r_[True, points[1:] != points[:-1]])
    for start, stop in zip(starts, [*starts[1:], points.size], strict=True):
        below = np.cumsum(weights[start:stop])  # runs with at most each round
        n = int(below[-1])
        low = rounds[start + np.searchsorted(below, (n - 1) // 2, side="right")]
        high = rounds[start + np.searchsorted(below, n // 2, side="right")]
        medians[int(points[start])] = (float(low) + float(high)) / 2
    return medians


def _issue_groups(scenarios: dict[int, Scenario]) -> list[list[int]]:
    """Points whose deals are counted together: the same scenario object (same issues)."""
    groups: dict[int, list[int]] = {}
    for k, scenario in scenarios.items():
        groups.setdefault(id(scenario), []).append(k)
    return list(groups.values())


def _filled(column: pa.ChunkedArray, value: Any) -> np.ndarray[Any, Any]:
    """An Arrow column as numpy, nulls replaced by ``value``."""
    return np.asarray(pc.fill_null(column, value).to_numpy())


def _arrow_codes(table: pa.Table, issue: str, options: list[str]) -> IntArray:
    """Each row's option of a dictionary-encoded column as its number in ``options``.

    -1 for none or another option, as :func:`sim.batch.deals.option_codes`; no strings are made.
    """
    column = table.column(issue)
    number = {option: k for k, option in enumerate(options)}
    pieces = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):  # a column of nulls
            pieces.append(np.full(len(chunk), -1, dtype=np.intp))
            continue
        labels = chunk.dictionary.to_pylist()
        renumber = np.array([number.get(c, -1) for c in labels] + [-1], dtype=np.intp)
        indices = np.asarray(pc.fill_null(chunk.indices, -1).to_numpy(), dtype=np.intp)
        pieces.append(renumber[indices])  # -1 (null) takes the last entry: none
    codes: IntArray = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.intp)
    return codes


def format_summary(summaries: list[PointSummary], most: int = SHOWN_POINTS) -> str:
    """The summary table printed at the end of ``negsim batch`` (at most ``most`` points)."""
    lines = []
    for s in summaries[:most]:
        sweep = ", ".join(f"{k}={v}" for k, v in s.sweep.items())
        head = f"{s.scenario}" + (f"  [{sweep}]" if sweep else "")
        median = (
            f"median round of a deal {s.median_round:g}"
            if s.median_round is not None
            else "no deals"
        )
        lines.append(f"{head}: {counted(s.runs, 'run')}, {median}")
        lines.append(f"  {s.no_deal}")
        lines.extend(f"  {deal}" for deal in s.deals)
        if s.rarer is not None:
            lines.append(f"  {s.rarer}")
        lines.append("")
    if len(summaries) > most:
        left = len(summaries) - most
        lines.append(
            f"… and {counted(left, 'more point')} not shown (the summary lists the first"
            f" {most:,}); every row is in the folder: negsim plot DIR, or sim.load_results(DIR)"
        )
        lines.append("")
    return "\n".join(lines)
