"""The summary of a batch: per scenario and sweep point, which deals form how often.

One pass over the rows, grouped by point and deal (no pass per point), so a grid of
10,000 sweep points summarises in about a second; the printed table lists at most
:data:`SHOWN_POINTS` points and says how many it left out.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.manifest import Manifest, read_manifest
from sim.batch.schema import AGREEMENT, ROUND, SCENARIO
from sim.batch.store import Batch, read_batch
from sim.scenario import Scenario

#: z for a two-sided 95% interval.
Z95 = 1.959963984540054

#: Points the printed summary lists at most (every point is in the folder).
SHOWN_POINTS = 100


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (Wilson 1927): sound near 0 and 1."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


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
    """Summaries of every point of a batch folder."""
    manifest = read_manifest(out)
    issues = {i for s in _scenarios(manifest).values() for i in s.issues}
    needed = sorted({SCENARIO, AGREEMENT, ROUND} | issues)  # only what the summary reads
    return summarise_batch(read_batch(out, needed, manifest=manifest), top)


def _scenarios(manifest: Manifest) -> dict[int, Scenario]:
    """The typed scenario of every point; validated once per scenario and issue list.

    Sweeps move numbers, not the issues and their labels, so points with the same
    issues share one validated scenario for naming deals.
    """
    typed: dict[tuple[str, str], Scenario] = {}
    out: dict[int, Scenario] = {}
    for k, point in enumerate(manifest.points):
        key = (point.scenario_id, repr(point.data.get("issues")))
        if key not in typed:
            typed[key] = point.scenario()
        out[k] = typed[key]
    return out


def summarise_batch(batch: Batch, top: int = 5) -> list[PointSummary]:
    """Summaries of every point of a batch read back (one grouped pass over the rows)."""
    manifest, rows, point = batch.manifest, batch.rows, batch.point
    scenarios = _scenarios(manifest)
    size = len(manifest.points)
    runs = np.bincount(point, minlength=size)
    agreed = rows[AGREEMENT].to_numpy(dtype=bool) if len(rows) else np.zeros(0, dtype=bool)
    deals = np.bincount(point[agreed], minlength=size)
    rounds = (
        pd.Series(rows[ROUND].to_numpy(dtype=float, na_value=np.nan)[agreed])
        .groupby(point[agreed])
        .median()
    )
    listed: dict[int, list[Share]] = {k: [] for k in range(size)}
    rarer: dict[int, Share] = {}
    for group in _issue_groups(scenarios):
        _count_deals(group, scenarios, rows, point, agreed, runs, top, listed, rarer)
    return [
        PointSummary(
            key=entry.key,
            scenario=entry.scenario_id,
            title=scenarios[k].title,
            sweep=entry.sweep,
            runs=int(runs[k]),
            deals=listed[k],
            no_deal=Share("no deal", int(runs[k] - deals[k]), int(runs[k])),
            median_round=float(rounds[k]) if k in rounds.index else None,
            rarer=rarer.get(k),
        )
        for k, entry in enumerate(manifest.points)
    ]


def _issue_groups(scenarios: dict[int, Scenario]) -> list[list[int]]:
    """Points whose deals are counted together: the same scenario object (same issues)."""
    groups: dict[int, list[int]] = {}
    for k, scenario in scenarios.items():
        groups.setdefault(id(scenario), []).append(k)
    return list(groups.values())


def _count_deals(
    group: list[int],
    scenarios: dict[int, Scenario],
    rows: pd.DataFrame,
    point: np.ndarray[Any, np.dtype[np.int64]],
    agreed: np.ndarray[Any, np.dtype[np.bool_]],
    runs: np.ndarray[Any, np.dtype[np.int64]],
    top: int,
    listed: dict[int, list[Share]],
    rarer: dict[int, Share],
) -> None:
    """Count each deal at each point of the group; keep the ``top`` of each point."""
    scenario = scenarios[group[0]]
    issues = list(scenario.issues)
    mask = agreed & np.isin(point, group)
    if not mask.any():
        return
    # Option numbers in file order: ties between deals are broken by the outcome order.
    codes = {
        f"i{i}": _option_codes(rows[issue], list(scenario.issues[issue].options), mask)
        for i, issue in enumerate(issues)
    }
    frame = pd.DataFrame({"point": point[mask], **codes})
    keys = list(codes)
    counts = frame.groupby(["point", *keys], sort=False).size().rename("count").reset_index()
    counts = counts.sort_values(
        ["point", "count", *keys], ascending=[True, False, *([True] * len(keys))], kind="stable"
    )
    counts["rank"] = counts.groupby("point").cumcount()
    shown = counts[counts["rank"] < top]
    options = [list(scenario.issues[issue].options) for issue in issues]
    words: dict[tuple[int, ...], str] = {}
    columns = [shown[key].to_numpy() for key in keys]
    for k, n, *deal_codes in zip(
        shown["point"].to_numpy(), shown["count"].to_numpy(), *columns, strict=True
    ):
        deal = tuple(int(c) for c in deal_codes)
        if deal not in words:
            words[deal] = "; ".join(
                scenario.option_label(issue, options[i][c]) if c >= 0 else "?"
                for i, (issue, c) in enumerate(zip(issues, deal, strict=True))
            )
        listed[int(k)].append(Share(words[deal], int(n), int(runs[k])))
    rest = counts[counts["rank"] >= top]
    if len(rest):
        left = rest.groupby("point")["count"].agg(["size", "sum"])
        for k, kinds, total in zip(
            left.index.to_numpy(), left["size"].to_numpy(), left["sum"].to_numpy(), strict=True
        ):
            rarer[int(k)] = Share(counted(int(kinds), "rarer deal"), int(total), int(runs[k]))


def _option_codes(
    column: pd.Series, options: list[str], mask: np.ndarray[Any, np.dtype[np.bool_]]
) -> np.ndarray[Any, np.dtype[np.intp]]:
    """Each masked row's option as its number in ``options`` (-1 for none or another).

    A text column read back is categorical: its codes are renumbered through its
    categories, never turned into strings (a million rows in milliseconds).
    """
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return np.asarray(pd.Categorical(column.to_numpy()[mask], categories=options).codes)
    number = {option: k for k, option in enumerate(options)}
    renumber = np.array([number.get(c, -1) for c in column.cat.categories] + [-1], dtype=np.intp)
    codes: np.ndarray[Any, np.dtype[np.intp]] = renumber[column.cat.codes.to_numpy()[mask]]
    return codes  # code -1 took the last entry: none


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
