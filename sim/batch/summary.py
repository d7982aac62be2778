"""The summary of a batch: per scenario and sweep point, which deals form how often."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.store import MANIFEST, load_results
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document

#: z for a two-sided 95% interval.
Z95 = 1.959963984540054


def wilson(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval of a proportion (Wilson 1927): sound near 0 and 1."""
    if n == 0:
        return (0.0, 1.0)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


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
    deals: list[Share]  # most frequent first
    no_deal: Share
    median_round: float | None


def summarise(out: str | Path, top: int = 5) -> list[PointSummary]:
    """Summaries of every point of a batch folder."""
    out = Path(out)
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    scenarios = {
        point["key"]: validate_document(Document(point["scenario"]), sources=False)
        for entry in manifest["scenarios"].values()
        for point in entry["points"]
    }
    needed = {"scenario", "agreement", "round"}
    for entry in manifest["scenarios"].values():
        for point in entry["points"]:
            needed |= set(point["sweep"]) | set(scenarios[point["key"]].issues)
    frame = load_results(out, columns=sorted(needed))  # only what the summary reads
    summaries = []
    for scenario_id, entry in manifest["scenarios"].items():
        for point in entry["points"]:
            scenario = scenarios[point["key"]]
            rows = frame[frame["scenario"].astype(str) == scenario_id]
            for path, value in point["sweep"].items():
                rows = rows[rows[path] == value]
            summaries.append(_summary(point, scenario, rows, top))
    return summaries


def _summary(point: dict[str, Any], scenario: Any, rows: pd.DataFrame, top: int) -> PointSummary:
    n = len(rows)
    issues = list(scenario.issues)
    deals = rows[rows["agreement"]]
    counts = (
        deals.groupby(issues, observed=True).size().sort_values(ascending=False, kind="stable")
        if len(deals)
        else pd.Series(dtype=int)
    )
    shares = []
    for options, count in counts.head(top).items():
        options = options if isinstance(options, tuple) else (options,)
        words = "; ".join(
            scenario.option_label(i, str(o)) for i, o in zip(issues, options, strict=True)
        )
        shares.append(Share(words, int(count), n))
    rounds = deals["round"].dropna()
    return PointSummary(
        key=point["key"],
        scenario=scenario.id,
        title=scenario.title,
        sweep=point["sweep"],
        runs=n,
        deals=shares,
        no_deal=Share("no deal", int(n - len(deals)), n),
        median_round=float(rounds.median()) if len(rounds) else None,
    )


def format_summary(summaries: list[PointSummary]) -> str:
    """The summary table printed at the end of ``negsim batch``."""
    lines = []
    for s in summaries:
        sweep = ", ".join(f"{k}={v}" for k, v in s.sweep.items())
        head = f"{s.scenario}" + (f"  [{sweep}]" if sweep else "")
        median = f"median round of a deal {s.median_round:g}" if s.median_round else "no deals"
        lines.append(f"{head}: {s.runs:,} runs, {median}")
        lines.append(f"  {s.no_deal}")
        lines.extend(f"  {deal}" for deal in s.deals)
        lines.append("")
    return "\n".join(lines)
