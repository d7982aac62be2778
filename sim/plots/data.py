"""A batch read for plotting: its points, their scenarios, rows, deals and colours.

Colours are fixed once per batch so that every figure agrees: one colour per party
(in the order parties first appear), one per deal (the most frequent deals over the
whole batch, in order of frequency), grey for no deal and light grey for the rest.
"""

from __future__ import annotations

import json
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.batch.store import MANIFEST, load_results
from sim.scenario import Scenario
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document

#: Qualitative palettes (Okabe & Ito 2008 for parties, colour-blind safe; tab10 for deals).
PARTY_COLOURS = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
]
DEAL_COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
]
NO_DEAL = "no deal"
NO_DEAL_COLOUR = "#4d4d4d"
OTHER = "other deals"
OTHER_COLOUR = "#c7c7c7"
#: Deals drawn one by one in the figures of `negsim plot`; the rest are "other deals".
TOP_DEALS = 6


@dataclass(frozen=True)
class PointData:
    """One scenario at one sweep point, with its rows."""

    key: str
    scenario: Scenario
    sweep: dict[str, Any]
    rows: pd.DataFrame

    @property
    def name(self) -> str:
        """Scenario id and sweep values, for titles and legends."""
        sweep = ", ".join(
            f"{k.rsplit('.', 2)[-2] if k.count('.') > 1 else k}={v}" for k, v in self.sweep.items()
        )
        return f"{self.scenario.id}" + (f" [{sweep}]" if sweep else "")

    @property
    def runs(self) -> int:
        """How many runs."""
        return len(self.rows)

    def deal_keys(self) -> pd.Series:
        """Each run's deal as a tuple of options (None without a deal)."""
        issues = list(self.scenario.issues)
        keys = pd.Series([None] * len(self.rows), index=self.rows.index, dtype=object)
        agreed = self.rows["agreement"].to_numpy()
        if agreed.any():
            options = self.rows.loc[agreed, issues].astype(str)
            keys[agreed] = list(options.itertuples(index=False, name=None))
        return keys


@dataclass
class BatchData:
    """Every point of a batch folder, the deals that matter and their colours."""

    folder: Path
    points: list[PointData]
    sweeps: dict[str, list[Any]]
    top_deals: list[tuple[str, ...]] = field(default_factory=list)
    labels: dict[tuple[str, ...], str] = field(default_factory=dict)

    def party_colour(self, party: str) -> str:
        """The colour of a party, the same in every figure."""
        order: list[str] = []
        for point in self.points:
            order += [p for p in point.scenario.parties if p not in order]
        return PARTY_COLOURS[order.index(party) % len(PARTY_COLOURS)]

    def deal_colour(self, deal: tuple[str, ...] | str) -> str:
        """The colour of a deal (or of 'no deal' / 'other deals')."""
        if deal == NO_DEAL:
            return NO_DEAL_COLOUR
        if deal in self.top_deals:
            return DEAL_COLOURS[self.top_deals.index(deal) % len(DEAL_COLOURS)]
        return OTHER_COLOUR

    def common(self) -> list[int]:
        """Issues on which every top deal takes the same option (said once, not per deal)."""
        if len(self.top_deals) < 2:
            return []
        first = self.top_deals[0]
        return [
            i
            for i in range(len(first))
            if all(len(d) == len(first) and d[i] == first[i] for d in self.top_deals)
        ]

    def common_text(self) -> str:
        """What every top deal has in common, in words ('' if nothing)."""
        if not self.top_deals or not self.common():
            return ""
        scenario = self.points[0].scenario
        issues = list(scenario.issues)
        parts = [scenario.option_label(issues[i], self.top_deals[0][i]) for i in self.common()]
        return "every deal shown: " + "; ".join(parts)

    def label(self, deal: tuple[str, ...] | str, width: int = 48) -> str:
        """A deal in words, one line per issue where the top deals differ."""
        if isinstance(deal, str):
            return deal
        scenario = next(
            (p.scenario for p in self.points if len(p.scenario.issues) == len(deal)), None
        )
        if scenario is None:
            return " · ".join(deal)
        skip = set(self.common()) if deal in self.top_deals else set()
        issues = list(scenario.issues)
        lines = [
            textwrap.shorten(scenario.option_label(issues[i], option), width, placeholder="…")
            for i, option in enumerate(deal)
            if i not in skip and option in scenario.issues[issues[i]].options
        ]
        return "\n".join(lines) or " · ".join(deal)


def short_label(scenario: Scenario, deal: tuple[str, ...]) -> str:
    """A deal as its option labels, joined."""
    return " · ".join(
        scenario.option_label(issue, option)
        for issue, option in zip(scenario.issues, deal, strict=True)
    )


def load_batch(folder: str | Path, top: int = 6) -> BatchData:
    """Read a batch folder for plotting."""
    folder = Path(folder)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    rows = load_results(folder)
    points = []
    for scenario_id, entry in manifest["scenarios"].items():
        for point in entry["points"]:
            scenario = validate_document(Document(point["scenario"]), sources=False)
            selected = rows[rows["scenario"].astype(str) == scenario_id]
            for path, value in point["sweep"].items():
                selected = selected[selected[path] == value]
            points.append(PointData(point["key"], scenario, point["sweep"], selected))
    sweeps: dict[str, list[Any]] = {}
    for grid in manifest.get("sweeps", {}).values():
        for path, values in grid.items():
            sweeps.setdefault(path, list(values))
    data = BatchData(folder, points, sweeps)
    counts: dict[tuple[str, ...], int] = {}
    for point in points:
        for deal, n in point.deal_keys().dropna().value_counts().items():
            counts[deal] = counts.get(deal, 0) + int(n)
            data.labels.setdefault(deal, short_label(point.scenario, deal))
    data.top_deals = [d for d, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:top]
    return data
