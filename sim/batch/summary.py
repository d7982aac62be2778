"""The summary of a batch: per scenario and sweep point, which deals form how often.

One pass over the rows, grouped by point and deal (no pass per point), so a grid of
10,000 sweep points summarises in about a second; a folder is counted part by part, so
a batch of any number of runs summarises within a bounded memory. The printed table
lists at most :data:`SHOWN_POINTS` points and says how many it left out.
"""

from __future__ import annotations

import textwrap
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
from sim.batch.schema import (
    AGREEMENT,
    EVENT,
    FIRM,
    GAVE_UP,
    PARAMETER,
    RATIFIED,
    ROUND,
    SCENARIO,
    UTILITY,
)
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
    #: Of the ``count`` runs, those whose deal was ratified (None: nobody must ratify).
    ratified: int | None = None

    @property
    def share(self) -> float:
        """The proportion."""
        return self.count / self.n if self.n else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson interval."""
        return wilson(self.count, self.n)

    @property
    def ratified_share(self) -> Share | None:
        """The runs whose deal was ratified, of the same ``n`` (None: nobody must ratify)."""
        if self.ratified is None:
            return None
        return Share(self.label, self.ratified, self.n)

    def numbers(self) -> str:
        """The share and its interval: `` 41.0% [38.0%, 44.1%]``."""
        low, high = self.interval
        return f"{self.share:6.1%} [{low:5.1%}, {high:5.1%}]"

    def __str__(self) -> str:
        ratified = self.ratified_share
        if ratified is None:
            return f"{self.numbers()}  {self.label}"
        return f"{self.numbers():<22}  {ratified.numbers():<22}  {self.label}"


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
    #: With ratifiers: every signed deal (``ratified`` of them ratified), of all runs.
    signed: Share | None = None
    #: With ratifiers: the signed deals not ratified (they fail at home), of the signed deals.
    failed: Share | None = None
    #: With ratifiers: which ratifier's red line or reservation value rejects the deals
    #: that fail at home, most often first, each of the failed deals (see :func:`home_failures`).
    failed_by: tuple[Share, ...] = ()


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
    home = {c for s in scenarios.values() for c in home_columns(s)}
    # only what the summary reads
    needed = sorted({SCENARIO, AGREEMENT, ROUND, RATIFIED} | issues | home)
    tally = _Tally(manifest, scenarios)
    resolved: dict[int, Scenario] = {}  # each point's scenario, for what fails at home
    chunk: list[_Counted] = []
    for part, table in read_parts(out, manifest, needed):
        scenario = scenarios[part.point]
        agreed = _filled(table.column(AGREEMENT), False).astype(bool)
        codes = {
            issue: _arrow_codes(table, issue, list(spec.options))
            for issue, spec in scenario.issues.items()
        }
        ratified = None
        if scenario.has_ratifiers and RATIFIED in table.column_names:
            ratified = _filled(table.column(RATIFIED), False).astype(bool) & agreed
            failed = agreed & ~ratified
            if failed.any():
                columns = {
                    c: _arrow_values(table.column(c), c)[failed]
                    for c in home_columns(scenario)
                    if c in table.column_names
                }
                mine = {issue: c[failed] for issue, c in codes.items()}
                # the point's own scenario: a sweep may move a ratifier's numbers
                if part.point not in resolved:
                    resolved[part.point] = manifest.points[part.point].scenario()
                own = resolved[part.point]
                tally.add_failures(part.point, home_failures(own, mine, columns))
        chunk.append(
            _Counted(
                np.full(table.num_rows, part.point, dtype=np.int64),
                agreed,
                _filled(table.column(ROUND), 0).astype(np.int64),
                codes,
                ratified,
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
    scenarios = batch.manifest.scenarios()
    tally = _Tally(batch.manifest, scenarios)
    if len(rows):
        agreed = rows[AGREEMENT].to_numpy(dtype=bool)
        ratified = None
        if RATIFIED in rows.columns and any(s.has_ratifiers for s in scenarios.values()):
            ratified = rows[RATIFIED].astype("boolean").fillna(False).to_numpy(dtype=bool)
            ratified &= agreed
            failed = agreed & ~ratified
            for k in np.unique(point[failed]):
                scenario = scenarios[int(k)]
                if not scenario.has_ratifiers:
                    continue
                mask = failed & (point == k)
                columns = {
                    c: rows[c].astype("boolean").fillna(True).to_numpy(dtype=bool)[mask]
                    if c.startswith(FIRM)
                    else rows[c].to_numpy(dtype=float, na_value=np.nan)[mask]
                    for c in home_columns(scenario)
                    if c in rows.columns
                }
                codes = {
                    issue: option_codes(rows[issue], list(spec.options), mask)
                    for issue, spec in scenario.issues.items()
                    if issue in rows.columns
                }
                own = batch.manifest.points[int(k)].scenario()  # a sweep moves its numbers
                tally.add_failures(int(k), home_failures(own, codes, columns))
        tally.add(
            point,
            agreed,
            rows[ROUND].to_numpy(dtype=float, na_value=0).astype(np.int64),
            lambda issue, options, mask: option_codes(rows[issue], options, mask),
            ratified,
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
    ratified: BoolArray | None = None  # a ratified deal (None: nobody must ratify)


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
        self.ratified = np.zeros(self.size, dtype=np.int64)
        #: Whether the rows said which deals were ratified (a ``ratified`` column).
        self.told = False
        #: Per point: how many failed deals each ratifier's limit rejects (and their number).
        self.failures: dict[int, dict[str, int]] = {}
        self.groups = _issue_groups(scenarios)
        self.rounds: list[pd.DataFrame] = []
        self.deals: list[list[pd.DataFrame]] = [[] for _ in self.groups]

    def add(
        self,
        point: IntArray,
        agreed: BoolArray,
        rounds: IntArray,
        codes: Codes,
        ratified: BoolArray | None = None,
    ) -> None:
        """Count a chunk of rows: each row's point, agreement, round (if agreed), deal.

        ``ratified``: which rows' deals were ratified (None: no scenario has ratifiers);
        deals are then counted by (point, deal, ratified).
        """
        self.runs += np.bincount(point, minlength=self.size)
        self.agreed += np.bincount(point[agreed], minlength=self.size)
        if ratified is not None:
            self.told = True
            self.ratified += np.bincount(point[agreed & ratified], minlength=self.size)
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
            if ratified is not None:
                columns["r"] = ratified[mask].astype(np.intp)
            self.deals[g].append(count_codes({"point": point[mask], **columns}))

    def add_failures(self, point: int, failures: dict[str, int]) -> None:
        """Count which ratifiers' limits reject a point's deals that fail at home."""
        mine = self.failures.setdefault(point, {})
        for reason, n in failures.items():
            mine[reason] = mine.get(reason, 0) + n

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
        ratified = None
        if any(p.ratified is not None for p in parts):
            ratified = np.concatenate(
                [
                    p.ratified if p.ratified is not None else np.zeros(p.point.size, dtype=bool)
                    for p in parts
                ]
            )
        self.add(
            np.concatenate([p.point for p in parts]),
            np.concatenate([p.agreed for p in parts]),
            np.concatenate([p.rounds for p in parts]),
            lambda issue, options, mask: codes[issue][mask],
            ratified,
        )

    def summaries(self, top: int) -> list[PointSummary]:
        """The summary of every point from the counts so far."""
        medians = _medians(self.rounds)
        listed: dict[int, list[Share]] = {k: [] for k in range(self.size)}
        rarer: dict[int, Share] = {}
        for group, parts in zip(self.groups, self.deals, strict=True):
            if parts:
                self._rank(group, pd.concat(parts, ignore_index=True), top, listed, rarer)
        out = []
        for k, entry in enumerate(self.manifest.points):
            runs, agreed = int(self.runs[k]), int(self.agreed[k])
            home = self.told and self.scenarios[k].has_ratifiers
            ratified = int(self.ratified[k])
            failures = self.failures.get(k, {})
            unratified = agreed - ratified
            out.append(
                PointSummary(
                    key=entry.key,
                    scenario=entry.scenario_id,
                    title=self.scenarios[k].title,
                    sweep=entry.sweep,
                    runs=runs,
                    deals=listed[k] if home else [_plain(d) for d in listed[k]],
                    no_deal=Share("no deal", runs - agreed, runs),
                    median_round=medians.get(k),
                    rarer=rarer.get(k) if home or k not in rarer else _plain(rarer[k]),
                    signed=Share("any deal", agreed, runs, ratified) if home else None,
                    failed=Share("signed deals not ratified", unratified, agreed) if home else None,
                    failed_by=tuple(
                        Share(failure_words(reason, self.scenarios[k]), n, unratified)
                        for reason, n in sorted(failures.items(), key=lambda rn: (-rn[1], rn[0]))
                        if n
                    )
                    if home
                    else (),
                )
            )
        return out

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
        if "r" in counts.columns:  # counted by (point, deal, ratified): one row per deal
            counts = counts.assign(
                ratified=np.where(counts["r"].fillna(0).to_numpy() == 1, counts["count"], 0)
            )
            counts = (
                counts.groupby(["point", *keys], sort=False)[["count", "ratified"]]
                .sum()
                .reset_index()
            )
        elif len(counts) and counts.duplicated(["point", *keys]).any():  # counted in two chunks
            counts = counts.groupby(["point", *keys], sort=False)["count"].sum().reset_index()
        if "ratified" not in counts.columns:
            counts = counts.assign(ratified=0)
        counts = counts.sort_values(
            ["point", "count", *keys], ascending=[True, False, *([True] * len(keys))], kind="stable"
        )
        counts["rank"] = counts.groupby("point").cumcount()
        shown = counts[counts["rank"] < top]
        options = [list(scenario.issues[issue].options) for issue in issues]
        words: dict[tuple[int, ...], str] = {}
        columns = [shown[key].to_numpy() for key in keys]
        runs = self.runs
        for k, n, r, *deal_codes in zip(
            shown["point"].to_numpy(),
            shown["count"].to_numpy(),
            shown["ratified"].to_numpy(),
            *columns,
            strict=True,
        ):
            deal = tuple(int(c) for c in deal_codes)
            if deal not in words:
                words[deal] = deal_label(
                    scenario, [options[i][c] if c >= 0 else None for i, c in enumerate(deal)]
                )
            listed[int(k)].append(Share(words[deal], int(n), int(runs[k]), int(r)))
        rest = counts[counts["rank"] >= top]
        if len(rest):
            left = rest.groupby("point").agg(
                size=("count", "size"), total=("count", "sum"), ratified=("ratified", "sum")
            )
            for k, kinds, total, r in zip(
                left.index.to_numpy(),
                left["size"].to_numpy(),
                left["total"].to_numpy(),
                left["ratified"].to_numpy(),
                strict=True,
            ):
                label = counted(int(kinds), "rarer deal")
                rarer[int(k)] = Share(label, int(total), int(runs[k]), int(r))


def _plain(share: Share) -> Share:
    """A share without its ratified count (a point whose parties have no ratifiers)."""
    return Share(share.label, share.count, share.n)


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


def _arrow_values(column: pa.ChunkedArray, name: str) -> np.ndarray[Any, Any]:
    """A column :func:`home_failures` reads: firm lines as bool (null: firm), else floats."""
    if name.startswith(FIRM):
        return _filled(column, True).astype(bool)
    return np.asarray(pc.cast(column, pa.float64()).to_numpy(zero_copy_only=False), dtype=float)


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


# --- deals that fail at home --------------------------------------------------------

#: Utilities compare with rounding allowed: ``u >= r`` holds when ``u >= r - 1e-9``.
TOLERANCE = 1e-9


def reservation_column(party: str, ratifier: str) -> str:
    """The column of a ratifier's sampled reservation value (when uncertainty samples it)."""
    return f"{PARAMETER}parties.{party}.ratification.{ratifier}.reservation"


def home_columns(scenario: Scenario) -> list[str]:
    """The columns :func:`home_failures` reads.

    The ratifiers' firm lines and sampled reservations; for a ratifier that takes its
    party's preferences whole, the party's utility in the deal (``u_<party>``, its
    preferences as drawn in the run) and when it gave up each line with an audience cost.
    """
    out = []
    for pid, party in scenario.parties.items():
        for q in party.ratification:
            out += [f"{FIRM}{pid}.{q.id}.{line.id}" for line in q.red_lines]
            out.append(reservation_column(pid, q.id))
            out += [f"{EVENT}{e.id}" for e, _ in _reservation_events(scenario, pid, q.id)]
            keys = {f"{pid}.{q.id}.{line.id}" for line in q.red_lines}
            out += [f"{EVENT}{e.id}" for e in scenario.events if keys & set(e.drop_red_lines)]
        if any(_follows(q) for q in party.ratification):
            out.append(f"{UTILITY}{pid}")
            out += [f"{GAVE_UP}{pid}.{line.id}" for line in party.red_lines if line.audience_cost]
    return out


def _reservation_events(scenario: Scenario, party: str, ratifier: str) -> list[tuple[Any, float]]:
    """The events that set a ratifier's reservation value, in the order they fire."""
    path = reservation_column(party, ratifier).removeprefix(PARAMETER)
    found = [(e, float(e.set[path])) for e in scenario.events if path in (e.set or {})]
    return sorted(found, key=lambda ev: ev[0].round)


def _follows(ratifier: Any) -> bool:
    """Whether a ratifier takes its party's weights and values whole (none of its own)."""
    return ratifier.weights is None and not ratifier.values


def _crossed(rule: dict[str, list[str]], forbid: bool, scenario: Scenario, codes: Any) -> BoolArray:
    """Which rows' deals (option numbers per issue) cross a ``forbid`` or ``require`` line."""
    n = len(next(iter(codes.values()))) if codes else 0
    hit = np.ones(n, dtype=bool) if forbid else np.zeros(n, dtype=bool)
    for issue, listed in rule.items():
        options = list(scenario.issues[issue].options)
        member = np.array([o in listed for o in options] + [False])  # -1: no option
        inside = member[codes[issue]] if issue in codes else np.zeros(n, dtype=bool)
        hit = hit & inside if forbid else hit | ~inside
    return hit


def home_failures(
    scenario: Scenario, codes: dict[str, IntArray], columns: dict[str, Any]
) -> dict[str, int]:
    """How many of some deals that failed at home each ratifier's limit rejects.

    The counts of :func:`home_rejections`.
    """
    return {key: int(mask.sum()) for key, mask in home_rejections(scenario, codes, columns).items()}


def home_rejections(
    scenario: Scenario, codes: dict[str, IntArray], columns: dict[str, Any]
) -> dict[str, BoolArray]:
    """Which of some deals each ratifier's limit rejects (a mask per limit).

    ``codes``: each deal's option numbers per issue (file order); ``columns``: the rows'
    ``firm.<party>.<ratifier>.<line>`` columns and sampled reservation values
    (:func:`home_columns`; a missing firm column counts its line as firm). The deal is
    checked as the contract says a ratifier accepts (DESIGN.md, "Blocs and
    ratification"): a ratifier of a signer of the deal (a bloc-mate of a signer signs
    too) rejects it when it crosses one of its firm red lines (key
    ``party.ratifier.line``) or is worth less than its reservation value to it (key
    ``party.ratifier``). A deal can count under several keys. Recomputed from the rows
    and the point's scenario: a ratifier that takes its party's preferences whole is
    worth the party's ``u_<party>`` (as the run drew its preferences) plus the audience
    costs it paid; a ratifier with weights or values of its own is worth them as the
    scenario states them (preference noise and events that move them are not in the
    rows), so for it the counts are a reading of the rows, not the engine's record.
    """
    n = len(next(iter(codes.values()))) if codes else 0
    out: dict[str, BoolArray] = {}
    if n == 0:
        return out
    signer = {pid: np.full(n, party.signs) for pid, party in scenario.parties.items()}
    for issue, spec in scenario.issues.items():
        if issue not in codes:
            continue
        for k, option in enumerate(spec.options.values()):
            for needed in option.needs:
                if needed in signer:
                    signer[needed] = signer[needed] | (codes[issue] == k)
    for bloc in scenario.blocs.values():
        members = [m for m in bloc.members if m in signer]
        if members:
            any_member = np.logical_or.reduce([signer[m] for m in members])
            for m in members:
                signer[m] = any_member
    for pid, party in scenario.parties.items():
        for q in party.ratification:
            worth = columns.get(f"{UTILITY}{pid}")
            if _follows(q) and worth is not None:
                # The party's own utility as the run drew it (noise and events included),
                # with the audience costs of the lines it gave up added back.
                utility = np.asarray(worth, dtype=float).copy()
                for line in party.red_lines:
                    given = columns.get(f"{GAVE_UP}{pid}.{line.id}")
                    if not line.audience_cost or given is None:
                        continue
                    crossed = _crossed(line.rule, line.kind == "forbid", scenario, codes)
                    gave = ~np.isnan(np.asarray(given, dtype=float))
                    utility += line.audience_cost * (crossed & gave)
            else:
                weights = party.normalised_ratifier_weights(q)
                _, values = party.ratifier_preferences(q)
                utility = np.zeros(n)
                for issue, weight in weights.items():
                    if issue not in codes or issue not in scenario.issues:
                        continue
                    options = scenario.issues[issue].options
                    table = [values.get(issue, {}).get(o, 0.0) for o in options]
                    utility += weight * np.array([*table, np.nan])[codes[issue]]
            reservation = columns.get(reservation_column(pid, q.id))
            limit = np.full(n, q.reservation)
            if reservation is not None:
                drawn = np.asarray(reservation, dtype=float)
                limit = np.where(np.isnan(drawn), q.reservation, drawn)
            for event, value in _reservation_events(scenario, pid, q.id):
                fired = columns.get(f"{EVENT}{event.id}")
                if fired is not None:  # an event fires only while the talks go on: before the deal
                    limit = np.where(np.asarray(fired, dtype=bool), value, limit)
            low = signer[pid] & (utility < limit - TOLERANCE)
            out[f"{pid}.{q.id}"] = low
            for line in q.red_lines:
                firm = columns.get(f"{FIRM}{pid}.{q.id}.{line.id}")
                held = np.ones(n, dtype=bool) if firm is None else np.asarray(firm, dtype=bool)
                for event in scenario.events:  # a line an event dropped no longer binds
                    fired = columns.get(f"{EVENT}{event.id}")
                    if f"{pid}.{q.id}.{line.id}" in event.drop_red_lines and fired is not None:
                        held = held & ~np.asarray(fired, dtype=bool)
                crossed = _crossed(line.rule, line.kind == "forbid", scenario, codes)
                out[f"{pid}.{q.id}.{line.id}"] = signer[pid] & held & crossed
    return out


def failure_words(reason: str, scenario: Scenario) -> str:
    """A ratifier's limit in words, as :class:`sim.causes.Names` says it."""
    from sim.causes import Names

    return Names(scenario).named(reason)


def _failed_lines(s: PointSummary) -> list[str]:
    """How often signed deals fail at home, and on which ratifier's limit, in words."""
    failed = s.failed
    if failed is None:
        return []
    if failed.n == 0:
        return ["  No deal was signed, so none could fail at home."]
    low, high = failed.interval
    lines = [
        f"  Signed deals that fail at home (not ratified): {counted(failed.count, 'deal')} of"
        f" {failed.n:,} signed, {failed.share:.1%} [{low:.1%}, {high:.1%}]."
    ]
    if failed.count and s.failed_by:
        parts = []
        for reason in s.failed_by[:2]:
            r_low, r_high = reason.interval
            parts.append(
                f"{reason.label} in {reason.share:.1%} [{r_low:.1%}, {r_high:.1%}] of them"
            )
        said = "Most often failed " + "; then ".join(parts) + "."
        lines += textwrap.wrap(said, 100, initial_indent="    ", subsequent_indent="      ")
    elif failed.count:
        lines.append("    No ratifier's limit recomputed from the rows rejects them.")
    return lines


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
        if s.signed is not None:
            lines.append(f"  {'signed [95%]':<22}  {'ratified [95%]':<22}  (shares of all runs)")
            blank = " " * 22
            lines.append(f"  {s.no_deal.numbers():<22}  {blank}  {s.no_deal.label}")
            lines.append(f"  {s.signed}")
        else:
            lines.append(f"  {s.no_deal}")
        lines.extend(f"  {deal}" for deal in s.deals)
        if s.rarer is not None:
            lines.append(f"  {s.rarer}")
        if s.failed is not None:
            lines.extend(_failed_lines(s))
        lines.append("")
    if len(summaries) > most:
        left = len(summaries) - most
        lines.append(
            f"… and {counted(left, 'more point')} not shown (the summary lists the first"
            f" {most:,}); every row is in the folder: negsim plot DIR, or sim.load_results(DIR)"
        )
        lines.append("")
    return "\n".join(lines)
