"""The figure of ``negsim compare``: each deal's share in A and in B, as a dumbbell plot.

One row per deal (no deal first, then by the larger of the two shares, as in the
table, then "other deals" when ``--top`` rolled the rarer ones together): a hollow dot
for A and a filled dot for B, each with its 95% Wilson interval, and an arrow from A
to B. The deals whose change is larger than chance (Holm-adjusted p < 0.05, see
:mod:`sim.compare`) are emphasised: a shaded row, bold words, a bold arrow. Options
that every deal drawn shares are said once, in the title; every row has the same
height, whatever the number of rows. A deal has its colour of every other figure
(:func:`sim.plots.colours.deal_colour`). When both points' parties have ratifiers,
a last row, below a dashed rule and in black (no deal's colour), compares the share of
runs that end in a ratified deal, tested in the same family as the deals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.compare import ALPHA, Comparison, DealChange, PairComparison
from sim.plots.colours import NO_DEAL_COLOUR, OTHER_COLOUR, deal_colour, repeats
from sim.plots.text import cap, plural, wrap

#: Rows drawn for one pair of points; the rest (rare, none larger than chance) are counted.
MAX_ROWS = 24
#: Rows per panel when the folders hold several pairs of points.
MAX_ROWS_MANY = 12
#: Pairs of points drawn (one panel each); the rest are in the table.
MAX_PAIRS = 6
#: Width of the wrapped deal labels, in characters.
LABEL_WIDTH = 62
#: Height of one row (at least), of one more line of label, and of a panel's frame.
ROW_INCHES = 0.5
LINE_INCHES = 0.14
FRAME_INCHES = 1.1
MARKERS = ("o", "s", "D", "^", "v", "P")
HIGHLIGHT = "#fff3c4"
QUIET = "#7a7a7a"
#: The row of the ratified share (not a deal: no colour of the deal palette).
RATIFIED_COLOUR = "#000000"


def _colour(pair: PairComparison, d: DealChange) -> str:
    if d is pair.ratified:
        return RATIFIED_COLOUR
    if d.is_no_deal:
        return NO_DEAL_COLOUR
    if d.deal is None:
        return OTHER_COLOUR
    return deal_colour(dict(zip(pair.issues, d.deal, strict=True)))


def _shared(drawn: list[DealChange]) -> list[int]:
    """The issues on which every deal drawn (two or more) takes the same option."""
    deals = [d.deal for d in drawn if d.deal is not None]
    if len(deals) < 2:
        return []
    first = deals[0]
    return [i for i in range(len(first)) if all(d[i] == first[i] for d in deals)]


def _row_label(d: DealChange, skip: list[int]) -> str:
    if d.deal is None:
        return d.label
    words = [cap(w) for i, w in enumerate(d.words) if i not in skip] or [cap(w) for w in d.words]
    return wrap(" · ".join(words), LABEL_WIDTH, 4 * LABEL_WIDTH)


def _shown(pair: PairComparison, most: int) -> tuple[list[DealChange], list[DealChange]]:
    """The rows drawn (in table order) and those left out: rare deals, none flagged."""
    keep = [d for d in pair.deals if d.deal is None or d.larger_than_chance]
    for d in pair.deals:
        if len(keep) >= most:
            break
        if d not in keep:
            keep.append(d)
    drawn = [d for d in pair.deals if d in keep]
    return drawn, [d for d in pair.deals if d not in keep]


def _sqrt_axis(ax: Any) -> None:
    # A square-root scale: most deals are rare, and on a linear scale every share
    # under a few percent would sit on top of the others at the left edge.
    ax.set_xscale("function", functions=(lambda x: np.sqrt(np.clip(x, 0, None)), np.square))
    ticks = [0, 0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0]
    ax.set_xticks(ticks, [f"{t:.0%}" for t in ticks])
    ax.set_xlim(0, 1.0)
    ax.grid(axis="x", alpha=0.3)


def _rows(pair: PairComparison, drawn: list[DealChange]) -> list[DealChange]:
    """The rows of a panel: the deals drawn, then the ratified share when compared."""
    return drawn + ([pair.ratified] if pair.ratified is not None else [])


def _panel(
    ax: Any, pair: PairComparison, drawn: list[DealChange], left_out: list[DealChange]
) -> None:
    skip = _shared(drawn)
    deals = len(drawn)
    drawn = _rows(pair, drawn)
    if len(drawn) > deals:  # the ratified share, below the deals
        ax.axhline(deals - 0.5, color="#999999", lw=0.8, ls="--", zorder=1)
    # Two deals of one colour get different marker shapes (a deal never changes colour).
    shapes = [MARKERS[r % len(MARKERS)] for r in repeats([_colour(pair, d) for d in drawn])]
    for k, (d, shape) in enumerate(zip(drawn, shapes, strict=True)):
        colour = _colour(pair, d)
        strong = d.larger_than_chance
        if strong:
            ax.axhspan(k - 0.5, k + 0.5, color=HIGHLIGHT, zorder=0)
        # Intervals just above (A) and below (B) the row's line, so that they never hide
        # each other; the arrow runs along the line from A's share to B's.
        for share, (low, high), dy, face in (
            (d.share_a, d.interval_a, -0.17, "white"),
            (d.share_b, d.interval_b, 0.17, colour),
        ):
            ax.plot(
                [low, high],
                [k + dy, k + dy],
                color=colour,
                lw=1.6,
                alpha=0.9,
                zorder=2,
                solid_capstyle="butt",
            )
            # clip_on=False: a share of 0% sits on the axis and would be cut in half.
            ax.plot(
                [share],
                [k + dy],
                shape,
                ms=6.5,
                mfc=face,
                mec=colour,
                mew=1.6,
                zorder=4,
                clip_on=False,
            )
        if abs(d.share_b - d.share_a) > 0:
            ax.annotate(
                "",
                xy=(d.share_b, k),
                xytext=(d.share_a, k),
                arrowprops={
                    "arrowstyle": "-|>" if strong else "->",
                    "color": (colour if colour != OTHER_COLOUR else "#555555") if strong else QUIET,
                    "lw": 2.0 if strong else 0.9,
                    "shrinkA": 0,
                    "shrinkB": 0,
                    "mutation_scale": 11 if strong else 8,
                },
                zorder=3,
            )
        change = f"{100 * d.change:+.1f} pts" if round(100 * d.change, 1) else "±0.0 pts"
        ax.text(
            1.015,
            k,
            f"{d.share_a:.1%} → {d.share_b:.1%}\n{change}" + (" *" if strong else ""),
            transform=ax.get_yaxis_transform(),
            va="center",
            ha="left",
            fontsize=7.5,
            fontweight="bold" if strong else "normal",
            color="black" if strong else QUIET,
        )
    ax.set_yticks(range(len(drawn)), [_row_label(d, skip) for d in drawn], fontsize=8)
    for tick, d in zip(ax.get_yticklabels(), drawn, strict=True):
        if d.larger_than_chance:
            tick.set_fontweight("bold")
        else:
            tick.set_color("#444444")
    ax.set_ylim(len(drawn) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0, pad=8)  # dots at 0% stick out left of the axis
    _sqrt_axis(ax)
    note = ""
    if left_out:
        most_often = max(max(d.share_a, d.share_b) for d in left_out)
        note = (
            f"\nnot drawn: {plural(len(left_out), 'rarer deal')} (each at most"
            f" {most_often:.1%} of the runs of A and of B, none changed more than chance);"
            " the table lists them all"
        )
    ax.set_xlabel("share of runs (square-root scale), 95% Wilson intervals" + note, fontsize=8)


def _title(pair: PairComparison) -> str:
    runs = (
        f"{pair.runs_a:,} runs each"
        if pair.runs_a == pair.runs_b
        else f"{pair.runs_a:,} and {pair.runs_b:,} runs"
    )
    return f"A: {cap(pair.a, 120)}  →  B: {cap(pair.b, 120)}  ({runs})"


def _common_words(drawn: list[DealChange]) -> str:
    first = next((d for d in drawn if d.deal is not None), None)
    skip = _shared(drawn)
    if first is None or not skip:
        return ""
    return "every deal shown: " + "; ".join(cap(first.words[i]) for i in skip)


def _pairs_drawn(comparison: Comparison) -> tuple[list[PairComparison], str]:
    """The pairs of points drawn (at most :data:`MAX_PAIRS`), and a note on the rest.

    With more pairs than that, those with the largest change of any row are drawn, in
    the batch's order; the table lists every pair.
    """
    pairs = list(comparison.pairs)
    if len(pairs) <= MAX_PAIRS:
        return pairs, ""
    size = [max((abs(d.change) for d in p.deals), default=0.0) for p in pairs]
    keep = sorted(sorted(range(len(pairs)), key=lambda k: (-size[k], k))[:MAX_PAIRS])
    return (
        [pairs[k] for k in keep],
        f"{MAX_PAIRS} of {len(pairs):,} pairs of points drawn: those with the largest"
        " changes; the table lists them all",
    )


def compare_figure(comparison: Comparison) -> Figure:
    """The dumbbell plot of a comparison: one panel per pair of points."""
    pairs, note = _pairs_drawn(comparison)
    most = MAX_ROWS if len(pairs) == 1 else MAX_ROWS_MANY
    shown = [_shown(p, most) for p in pairs]
    # Every row gets the same height, from the tallest label of the figure.
    lines = max(
        (_row_label(d, _shared(drawn)).count("\n") + 1 for drawn, _ in shown for d in drawn),
        default=1,
    )
    row = max(ROW_INCHES, LINE_INCHES * lines + 0.22)
    heights = [
        row * len(_rows(p, drawn)) + FRAME_INCHES
        for p, (drawn, _) in zip(pairs, shown, strict=True)
    ]
    figure, axes = plt.subplots(
        len(pairs),
        1,
        figsize=(12, sum(heights) + 1.4),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
        layout="constrained",  # makes room for the suptitle, panel titles and the legend
    )
    for ax, pair, (drawn, left_out) in zip(axes[:, 0], pairs, shown, strict=True):
        _panel(ax, pair, drawn, left_out)
        common = _common_words(drawn)
        if len(pairs) > 1:
            ax.set_title(
                wrap(_title(pair), 150, 300) + (f"\n{wrap(common, 150, 300)}" if common else ""),
                fontsize=9,
                loc="left",
            )
        elif common:
            ax.set_title(wrap(common, 150, 300), fontsize=9, loc="left")
    paired = {p.paired for p in pairs}
    how = (
        "paired runs (same seed and run ids): McNemar's test"
        if paired == {True}
        else "independent runs: Newcombe interval, two-proportion z-test"
        if paired == {False}
        else "paired or independent runs, per pair"
    )
    head = (
        _title(pairs[0])
        if len(pairs) == 1
        else (
            f"A: {cap(comparison.folder_a, 80)}  →  B: {cap(comparison.folder_b, 80)}"
            f"  ({len(comparison.pairs):,} pairs of points)"
        )
    )
    figure.suptitle(
        f"What changed — {head}\n{how}; shaded, bold, *: change larger than chance"
        f" (Holm-adjusted p < {ALPHA:g} over {comparison.tests:,} changes)"
        + (f"\n({note})" if note else ""),
        fontsize=10,
    )
    names = (pairs[0].a, pairs[0].b) if len(pairs) == 1 else ("A", "B")
    handles = [
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="white",
            mec="#333333",
            mew=1.6,
            label=f"A: {cap(names[0], 80)}" if len(pairs) == 1 else "A",
        ),
        Line2D(
            [],
            [],
            marker="o",
            ls="",
            mfc="#333333",
            mec="#333333",
            label=f"B: {cap(names[1], 80)}" if len(pairs) == 1 else "B",
        ),
        Line2D([], [], color="#333333", lw=2.0, marker=">", ms=5, label="change A → B"),
        Patch(color=HIGHLIGHT, label="change larger than chance"),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncol=4, fontsize=8, frameon=False)
    return figure


def write_compare_figure(comparison: Comparison, out: str | Path, fmt: str = "png") -> Path:
    """Draw the comparison and save it as ``compare.<fmt>`` in ``out``; return the path."""
    target = Path(out)
    target.mkdir(parents=True, exist_ok=True)
    path = target / f"compare.{fmt}"
    figure = compare_figure(comparison)
    try:
        figure.savefig(path, dpi=130, bbox_inches="tight")
    finally:
        plt.close(figure)
    return path
