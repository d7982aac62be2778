"""The figure of why runs end without a deal (``causes.png`` of ``negsim plot``).

One row of three panels per scenario and sweep point: among the point's runs without a
deal, the share in which each signer refused the last text (in the party's colour),
the share in which each red line (in its owner's colour) or issue (grey) was named,
and how the talks ended. Whiskers are 95% Wilson intervals (:mod:`sim.causes`). Each
panel draws at most :data:`TOP_CAUSES` causes; the rest are one bar, "N other causes".
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from sim.batch.schema import AGREEMENT
from sim.causes import NOT_NAMED, Cause, Names, PointCauses, count_causes, recorded
from sim.plots.colours import NO_DEAL_COLOUR, OTHER_COLOUR
from sim.plots.data import BatchData, PointData
from sim.plots.text import plural, wrap

#: Causes drawn one by one in each panel; the rest are one bar ("N other causes").
TOP_CAUSES = 6
#: Points drawn (one row of three panels each); the rest are counted in the title.
MAX_CAUSE_POINTS = 6
#: Issues named by a refusal (no party's colour: an issue belongs to nobody).
ISSUE_COLOUR = "#8c8c8c"
#: Why the figure is missing (``negsim plot`` prints it).
NOT_DRAWN = (
    "the rows do not record who refused the last text (a batch made before blocker and"
    " blocked_on), or every run ended in a deal"
)
#: How each ending is labelled in the figure.
ENDING_LABELS = {
    "deadline": "the deadline passed",
    "no_zone": "no deal left that every signer accepts",
    "walked_out": "a needed signer walked out",
}
#: The three panels of a point, left to right.
PANELS = (
    "who refused the last text",
    "the red line or issue it named",
    "how the talks ended",
)


def point_causes(point: PointData) -> PointCauses:
    """The causes of no deal of one point of a loaded batch."""
    entries = [(point.key, point.scenario_id, dict(point.sweep))]
    return count_causes(point.rows, np.zeros(len(point.rows), dtype=np.int64), entries)[0]


def _bars(causes: tuple[Cause, ...], n: int, top: int) -> list[Cause]:
    """The causes drawn one by one, then the others together as one cause."""
    shown = list(causes[:top])
    rest = causes[top:]
    if rest:
        count = sum(c.count for c in rest)
        shown.append(Cause(f"{plural(len(rest), 'other cause')}", count, n))
    return shown


def _colours(data: BatchData, kind: int, bars: list[Cause], top: int, names: Names) -> list[str]:
    colours = []
    for k, cause in enumerate(bars):
        if k >= top or cause.name == NOT_NAMED:
            colours.append(OTHER_COLOUR)
        elif kind == 0:
            colours.append(_party_colour(data, cause.name))
        elif kind == 1 and names.is_line(cause.name):
            colours.append(_party_colour(data, cause.name.partition(".")[0]))
        elif kind == 1:
            colours.append(ISSUE_COLOUR)
        else:
            colours.append(NO_DEAL_COLOUR)
    return colours


def _party_colour(data: BatchData, party: str) -> str:
    return data.party_colour(party) if party in data.parties() else OTHER_COLOUR


def _labels(kind: int, bars: list[Cause], top: int, names: Names) -> list[str]:
    labels = []
    for k, cause in enumerate(bars):
        if k >= top or cause.name == NOT_NAMED:
            text = cause.name
        elif kind == 0:
            text = names.blocker(cause.name)
        elif kind == 1:
            text = names.label(cause.name)
        else:
            text = ENDING_LABELS.get(cause.name, cause.name.replace("_", " "))
        labels.append(wrap(text, 30, 80))
    return labels


def _panel(ax: Any, bars: list[Cause], labels: list[str], colours: list[str], slots: int) -> None:
    """Bars of shares with whiskers; ``slots`` rows of the point's panels (bars as thick)."""
    shares = np.array([c.share for c in bars])
    intervals = np.array([c.interval for c in bars]).reshape(-1, 2)
    errors = np.maximum(0.0, np.array([shares - intervals[:, 0], intervals[:, 1] - shares]))
    y = np.arange(len(bars))
    ax.barh(y, shares, color=colours, xerr=errors, capsize=3, error_kw={"lw": 1})
    for k, (share, high) in enumerate(zip(shares, intervals[:, 1], strict=True)):
        ax.text(min(high, 1.0) + 0.02, k, f"{share:.0%}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_ylim(max(slots, 3, len(bars)) - 0.5, -0.5)
    ax.set_xlim(0, 1.18)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("share of the runs without a deal (95% interval)", fontsize=8)


def _empty(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=8.5)
    ax.set_xticks([])
    ax.set_yticks([])


def causes_figure(data: BatchData, top: int = TOP_CAUSES) -> Figure | None:
    """Why runs end without a deal, per scenario and sweep point, with 95% intervals.

    ``None`` (nothing drawn, :data:`NOT_DRAWN` says why) when the rows do not record
    who refused, or when every run of the batch ended in a deal.
    """
    from sim.plots.figures import _shown, _title  # figures.py registers this figure

    rows = data.all_rows()
    if not recorded(rows.columns) or not len(rows) or bool(rows[AGREEMENT].all()):
        return None
    points, note = _shown(data, MAX_CAUSE_POINTS)
    causes = [point_causes(p) for p in points]
    kinds = [
        [_bars(c.blockers, c.no_deal, top), _bars(c.blocked_on, c.no_deal, top), list(c.ended)]
        for c in causes
    ]
    slots = [max(1, *(len(b) for b in panels)) for panels in kinds]
    heights = [0.3 * max(3, k) + 1.3 for k in slots]
    figure, axes = plt.subplots(
        len(points),
        3,
        figsize=(14.5, sum(heights) + 1.4),
        squeeze=False,
        gridspec_kw={"height_ratios": heights, "width_ratios": [1, 1.25, 0.9]},
        layout="constrained",
    )
    for row, point, cause, panels, most in zip(axes, points, causes, kinds, slots, strict=True):
        names = Names(point.scenario)
        lost = f"{cause.no_deal:,} of {point.runs:,} runs without a deal"
        row[0].set_title(
            f"{wrap(point.name, 60, 160)}\n{lost} — {PANELS[0]}", fontsize=9, loc="left"
        )
        row[1].set_title(PANELS[1], fontsize=9, loc="left")
        row[2].set_title(PANELS[2], fontsize=9, loc="left")
        for kind, (ax, bars) in enumerate(zip(row, panels, strict=True)):
            if cause.no_deal == 0:
                _empty(ax, "a deal in every run")
                continue
            labels = _labels(kind, bars, top, names)
            _panel(ax, bars, labels, _colours(data, kind, bars, top, names), most)
    figure.suptitle(
        f"Why runs end without a deal — {_title(points, data.points)}\n(shares of each"
        " point's runs without a deal; a red line in its owner's colour, an issue in grey)"
        + (f"\n({note})" if note else ""),
        fontsize=11,
    )
    return figure


__all__ = ["MAX_CAUSE_POINTS", "NOT_DRAWN", "TOP_CAUSES", "causes_figure", "point_causes"]
