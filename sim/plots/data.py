"""A batch read for plotting: its points, their scenarios, rows, deals and colours.

Colours follow from what they colour, never from the batch: a deal's colour from its
options (:func:`sim.plots.colours.deal_colour`), so the same deal has the same colour
in every figure of every batch; a party's from the order parties first appear; dark
grey for no deal and light grey for the deals drawn together as "other deals".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.batch.deals import RUNS, deal_counts, deal_keys
from sim.batch.schema import SCENARIO
from sim.batch.store import Batch
from sim.plots import colours
from sim.plots.colours import NO_DEAL_COLOUR, OTHER_COLOUR, PARTY_COLOURS
from sim.plots.text import cap
from sim.scenario import Scenario, ScenarioError
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document

NO_DEAL = "no deal"
OTHER = "other deals"
#: Deals drawn one by one in the figures of `negsim plot`; the rest are "other deals".
TOP_DEALS = 6
#: Set fields named in a point's name; more are counted ("and 3 more").
NAMED_SETS = 3

__all__ = [
    "NO_DEAL",
    "NO_DEAL_COLOUR",
    "OTHER",
    "OTHER_COLOUR",
    "PARTY_COLOURS",
    "TOP_DEALS",
    "BatchData",
    "PointData",
    "load_batch",
    "short_path",
]


def short_path(path: str) -> str:
    """A dotted scenario path by its last two parts: ``russia.reservation``."""
    return ".".join(path.split(".")[-2:])


class PointData:
    """One scenario at one sweep point, with its rows.

    ``changed`` holds what differs from the scenario's file other than the swept
    fields (the batch's ``--set`` values), as (path, value) pairs.
    """

    def __init__(
        self,
        key: str,
        scenario: Scenario | Callable[[], Scenario],
        sweep: Mapping[str, Any],
        rows: pd.DataFrame,
        *,
        scenario_id: str | None = None,
        changed: tuple[tuple[str, Any], ...] = (),
        issues: tuple[str, ...] | None = None,
    ) -> None:
        self.key = key
        self.sweep = dict(sweep)
        self.rows = rows
        self.changed = changed
        self._scenario = scenario
        if issues is not None:
            self.issues = issues  # fills the cached property: no validation needed
        # Known without validating the scenario (a sweep of 10,000 points draws few).
        self.scenario_id = scenario_id or self.scenario.id

    @cached_property
    def scenario(self) -> Scenario:
        """The point's resolved scenario (validated on first use)."""
        got = self._scenario
        return got if isinstance(got, Scenario) else got()

    @property
    def name(self) -> str:
        """Scenario id, what was set and the sweep values, for titles and legends."""
        name = self.scenario_id
        if self.changed:
            shown = [f"{short_path(p)}={cap(str(v), 24)}" for p, v in self.changed[:NAMED_SETS]]
            more = len(self.changed) - NAMED_SETS
            name += " with " + ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        if self.sweep:
            values = ", ".join(f"{short_path(k)}={cap(str(v), 24)}" for k, v in self.sweep.items())
            name += f" [{values}]"
        return name

    @property
    def runs(self) -> int:
        """How many runs."""
        return len(self.rows)

    @cached_property
    def issues(self) -> tuple[str, ...]:
        """The point's issues, in file order."""
        return tuple(self.scenario.issues)

    def deal_keys(self) -> pd.Series:
        """Each run's deal as a tuple of options (None without a deal)."""
        return self._deal_keys.copy()

    @cached_property
    def _deal_keys(self) -> pd.Series:
        return deal_keys(self.rows, self.issues)


@dataclass
class BatchData:
    """Every point of a batch folder, the deals that matter and their colours."""

    folder: Path
    points: list[PointData]
    sweeps: dict[str, list[Any]]
    top_deals: list[tuple[str, ...]] = field(default_factory=list)
    labels: dict[tuple[str, ...], str] = field(default_factory=dict)
    #: The issues of each deal (its options in this order), for its colour and words.
    deal_issues: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)
    #: Every row of the batch (None: the points' rows together).
    rows: pd.DataFrame | None = None

    def all_rows(self) -> pd.DataFrame:
        """Every row of the batch, in one frame."""
        if self.rows is None:
            frames = [p.rows for p in self.points]
            self.rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        return self.rows

    def scenarios(self) -> list[Scenario]:
        """One scenario per scenario id (the first point's), in batch order.

        Sweep points change values, never the parties, issues or options, so this is
        enough for colours and words, and validates few scenarios however many points.
        """
        first: dict[str, PointData] = {}
        for point in self.points:
            first.setdefault(point.scenario_id, point)
        return [p.scenario for p in first.values()]

    def parties(self) -> list[str]:
        """Every party, in the order they first appear."""
        order: list[str] = []
        for scenario in self.scenarios():
            order += [p for p in scenario.parties if p not in order]
        return order

    def party_colour(self, party: str) -> str:
        """The colour of a party, the same in every figure."""
        return colours.party_colour(self.parties(), party)

    def deal_colour(self, deal: tuple[str, ...] | str) -> str:
        """The colour of a deal (or of 'no deal' / 'other deals'), the same in every batch."""
        if deal == NO_DEAL:
            return NO_DEAL_COLOUR
        if isinstance(deal, str):
            return OTHER_COLOUR
        issues = self.deal_issues.get(deal) or self._scenario_for(deal).issues
        return colours.deal_colour(dict(zip(issues, deal, strict=True)))

    def _scenario_for(self, deal: tuple[str, ...]) -> Scenario:
        scenario = next((s for s in self.scenarios() if len(s.issues) == len(deal)), None)
        if scenario is None:
            raise KeyError(f"no scenario of the batch has {len(deal)} issues")
        return scenario

    def common(self, among: list[tuple[str, ...]] | None = None) -> list[int]:
        """Issues on which every deal of ``among`` (default: the top deals) agrees.

        A figure says these options once, not per deal.
        """
        deals = self.top_deals if among is None else among
        if len(deals) < 2:
            return []
        first = deals[0]
        return [
            i
            for i in range(len(first))
            if all(len(d) == len(first) and d[i] == first[i] for d in deals)
        ]

    def common_text(self, among: list[tuple[str, ...]] | None = None) -> str:
        """What every deal of ``among`` (default: the top deals) has in common, in words."""
        deals = self.top_deals if among is None else among
        if not deals or not self.common(deals):
            return ""
        scenario = self._scenario_for(deals[0])
        issues = list(scenario.issues)
        parts = [cap(scenario.option_label(issues[i], deals[0][i])) for i in self.common(deals)]
        return "every deal shown: " + "; ".join(parts)

    def label(
        self,
        deal: tuple[str, ...] | str,
        width: int = 48,
        sep: str = "\n",
        among: list[tuple[str, ...]] | None = None,
    ) -> str:
        """A deal in words, one line per issue where it is not like all the others.

        Issues on which every deal of ``among`` (default: the top deals) agrees are left
        out (the figure says them once); each option is capped at ``width`` characters.
        """
        if isinstance(deal, str):
            return deal
        try:
            scenario = self._scenario_for(deal)
        except KeyError:
            return sep.join(cap(o, width) for o in deal)
        deals = self.top_deals if among is None else among
        # Issues said once for the figure (every such deal agrees), unless this one differs.
        first = deals[0] if deals else deal
        skip = {i for i in self.common(deals) if i < len(deal) and deal[i] == first[i]}
        issues = list(scenario.issues)
        lines = [
            cap(scenario.option_label(issues[i], option), width)
            for i, option in enumerate(deal)
            if i not in skip and option in scenario.issues[issues[i]].options
        ]
        return sep.join(lines) or sep.join(cap(o, width) for o in deal)


def short_label(scenario: Scenario, deal: tuple[str, ...]) -> str:
    """A deal as its option labels, joined."""
    return " · ".join(
        cap(scenario.option_label(issue, option))
        for issue, option in zip(scenario.issues, deal, strict=True)
    )


_GONE = object()


def _differences(base: Any, now: Any, path: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """The dotted paths (red lines by id) where ``now`` sets a value ``base`` does not.

    What ``now`` lacks is left out: setting a sampled field removes its ``uncertainty``
    entry, a consequence of the setting rather than a setting of its own.
    """
    if now is _GONE:
        return []
    if isinstance(base, dict) and isinstance(now, dict):
        out = []
        for key in [*base, *(k for k in now if k not in base)]:
            out += _differences(base.get(key, _GONE), now.get(key, _GONE), (*path, str(key)))
        return out
    if _by_id(base) is not None and _by_id(now) is not None:
        return _differences(_by_id(base), _by_id(now), path)
    return [] if base == now else [(".".join(path), now)]


def _by_id(items: Any) -> dict[str, Any] | None:
    if isinstance(items, list) and all(isinstance(i, dict) and "id" in i for i in items):
        return {str(i["id"]): i for i in items}
    return None


def _what_was_set(
    entry: Mapping[str, Any], resolved: Mapping[str, Any], sweep: Mapping[str, Any]
) -> tuple[tuple[str, Any], ...]:
    """What a point sets beyond its sweep: the manifest's record, else a diff with the file.

    A batch made with ``--set`` stores the resolved scenario; comparing it with the file
    (as it is now) finds what was set. A file that cannot be read gives nothing.
    """
    recorded = entry.get("overrides")
    if isinstance(recorded, list):
        from sim.scenario.yamlsource import parse_scalar

        pairs = [str(o).partition("=") for o in recorded]
        return tuple((p.strip(), parse_scalar(v.strip())) for p, _, v in pairs if p not in sweep)
    from sim.scenario import load_scenario

    try:
        base = load_scenario(str(entry["file"])).model_dump(mode="json")
    except (ScenarioError, OSError, KeyError, TypeError, ValueError):
        return ()
    return tuple((p, v) for p, v in _differences(base, dict(resolved)) if p not in sweep)


def _lazy(raw: dict[str, Any]) -> Callable[[], Scenario]:
    return lambda: validate_document(Document(raw), sources=False)


def load_batch(folder: str | Path, top: int = TOP_DEALS) -> BatchData:
    """Read a batch folder for plotting (checked by :meth:`sim.batch.store.Batch.open`)."""
    folder = Path(folder)
    batch = Batch.open(folder)
    manifest = batch.manifest
    rows = batch.rows
    # Each point's rows in one pass (a grid of 10,000 points is not 10,000 scans).
    order = np.argsort(batch.point, kind="stable")
    bounds = np.searchsorted(batch.point[order], np.arange(len(manifest.points) + 1))
    points = []
    changed: dict[str, tuple[tuple[str, Any], ...]] = {}
    for k, entry in enumerate(manifest.points):
        if entry.scenario_id not in changed:  # a scenario's points share their --set
            changed[entry.scenario_id] = _what_was_set(
                {"file": entry.file, "overrides": list(entry.overrides)}, entry.data, entry.sweep
            )
        at = order[bounds[k] : bounds[k + 1]]
        # A point's rows are usually one run of the frame: a slice is far cheaper than take.
        contiguous = len(at) and at[-1] - at[0] + 1 == len(at)
        selected = rows.iloc[int(at[0]) : int(at[-1]) + 1] if contiguous else rows.iloc[at]
        points.append(
            PointData(
                entry.key,
                _lazy(entry.data),
                entry.sweep,
                selected,
                scenario_id=entry.scenario_id,
                changed=changed[entry.scenario_id],
                issues=tuple(entry.data["issues"]),
            )
        )
    data = BatchData(folder, points, manifest.swept(), rows=rows)
    counts: dict[tuple[str, ...], int] = {}
    first: dict[str, PointData] = {}
    for point in points:  # one scenario per id gives the deals' issues and words
        first.setdefault(point.scenario_id, point)
    scenario_of = rows[SCENARIO].astype(str).to_numpy() if len(rows) else np.array([])
    for scenario_id, owner in first.items():  # one pass over each scenario's rows
        mine = deal_counts(rows[scenario_of == scenario_id], owner.issues)
        deals = mine[list(owner.issues)].itertuples(index=False, name=None)
        for key, n in zip(deals, mine[RUNS].to_numpy(), strict=True):
            counts[key] = counts.get(key, 0) + int(n)
            if key not in data.labels:
                data.labels[key] = short_label(owner.scenario, key)
                data.deal_issues[key] = owner.issues
    data.top_deals = [d for d, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))][:top]
    return data
