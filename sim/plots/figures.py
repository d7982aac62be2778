"""The outcome-distribution figures of a batch, each a function of the loaded batch.

Every figure names the scenario(s) and the number of runs in its title, draws 95%
intervals (Wilson 1927 for shares; Newcombe 1998 for differences of shares) and uses
the fixed colours of :mod:`sim.plots.colours` for parties and deals. Figures drawn
per point show at most a fixed number of points (:data:`MAX_PANELS`) and say so, and
every label is capped where drawn (:mod:`sim.plots.text`), so a batch of 10,000 sweep
points or a label of a megabyte still gives figures of a readable size, quickly.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.batch.deals import RUNS, deal_counts
from sim.batch.schema import AGREEMENT, FIRM, RATIFIED, ROUND, SCENARIO
from sim.batch.summary import wilson
from sim.compare import newcombe_interval
from sim.plots import causes
from sim.plots.colours import repeats
from sim.plots.data import NO_DEAL, OTHER, BatchData, PointData, short_path
from sim.plots.text import cap, plural, wrap

#: Columns of side-by-side panels before a figure wraps onto another row.
MAX_COLUMNS = 3
#: Points drawn in a figure with one panel (or one column) per point; the rest are counted.
MAX_PANELS = 12
#: Points drawn in the red-lines figure (one row of two panels each).
MAX_RED_LINE_POINTS = 6
#: Swept fields drawn in the sweep figure (one panel each).
MAX_SWEEP_PANELS = 6
#: Hatches that tell apart deals of one colour (see :func:`sim.plots.colours.repeats`).
HATCHES = ("", "///", "...", "xxx", "\\\\\\", "ooo")
#: The part of a deal's bar signed but not ratified (outline and hatch in its colour).
UNRATIFIED_HATCH = "////"
MARKERS = ("o", "s", "^", "D", "v", "P")


def _shown(data: BatchData, most: int = MAX_PANELS) -> tuple[list[PointData], str]:
    """The points a per-point figure draws, and a note on those it leaves out."""
    n = len(data.points)
    if n <= most:
        return data.points, ""
    # Evenly spread over the batch (over a sweep grid), first and last included.
    picks = sorted({round(k * (n - 1) / (most - 1)) for k in range(most)})
    return (
        [data.points[k] for k in picks],
        f"{len(picks)} of {n:,} points drawn, evenly spread"
        + ("; sweeps.png shows them all" if data.sweeps else ""),
    )


def _title(points: list[PointData], every: list[PointData] | None = None) -> str:
    every = every or points
    runs = sum(p.runs for p in every)
    if len(every) == 1:
        return f"{cap(every[0].name, 90)} — {every[0].runs:,} runs"
    return f"{len(every):,} scenarios and points — {runs:,} runs in all"


def _grid(n: int, width: float, height: float, most: int = MAX_COLUMNS) -> tuple[Figure, list[Any]]:
    columns = max(1, min(n, most))
    rows = max(1, math.ceil(n / columns))
    # Constrained layout keeps the main title clear of the panel titles below it.
    figure, axes = plt.subplots(
        rows,
        columns,
        figsize=(width * columns, height * rows + 0.9),
        squeeze=False,
        layout="constrained",
    )
    flat = list(axes.ravel())
    for extra in flat[n:]:
        extra.set_visible(False)
    return figure, flat[:n]


def percent_ticks(low: float, high: float, signed: bool = False) -> tuple[list[float], list[str]]:
    """Ticks for shares from ``low`` to ``high`` and their labels.

    Labels have as many decimals as the tick step needs: a range under 1% gets "0.2%",
    "0.4%", ..., never "0%" at every tick.
    """
    if not high > low:
        low, high = low - 0.005, high + 0.005
    ticks = matplotlib.ticker.MaxNLocator(nbins=7, steps=[1, 2, 5, 10]).tick_values(low, high)
    ticks = [t for t in ticks if low - 1e-12 <= t <= high + 1e-12] or [low, high]
    step = min((b - a for a, b in itertools.pairwise(ticks)), default=high - low)
    decimals = max(0, -math.floor(math.log10(100 * step) + 1e-9)) if step > 0 else 1
    clean = [0.0 if abs(t) < step * 1e-6 else float(t) for t in ticks]
    sign = "+" if signed else ""
    labels = [("0%" if t == 0 else f"{100 * t:{sign}.{decimals}f}%") for t in clean]
    return clean, labels


def _percent_axis(ax: Any, low: float, high: float, signed: bool = False) -> None:
    """Set the x axis from ``low`` to ``high`` (padded) with :func:`percent_ticks`."""
    pad = 0.06 * (high - low) if high > low else 0.005
    low, high = low - pad, high + pad
    ticks, labels = percent_ticks(low, high, signed)
    ax.set_xlim(low, high)
    ax.set_xticks(ticks, labels)


def _share_bars(
    ax: Any,
    labels: list[str],
    counts: list[int],
    n: int,
    colours: list[str],
    ratified: list[int | None] | None = None,
) -> None:
    """Bars of shares with 95% whiskers; with ``ratified``, each bar split signed/ratified.

    A deal's bar is its signed share; its ratified part is solid, the part signed but
    not ratified is the same colour's outline hatched on white (told apart by pattern,
    not by a second colour), with the ratified share's interval as a second, dashed
    whisker at the end of the solid part.
    """
    shares = [c / n if n else 0.0 for c in counts]
    intervals = [wilson(c, n) for c in counts]
    y = np.arange(len(labels))
    errors = np.maximum(
        0.0,
        np.array(
            [  # rounding can put an end a hair inside the share
                [s - lo for s, (lo, _) in zip(shares, intervals, strict=True)],
                [hi - s for s, (_, hi) in zip(shares, intervals, strict=True)],
            ]
        ),
    )
    bars = ax.barh(y, shares, color=colours, xerr=errors, capsize=3, error_kw={"lw": 1})
    for bar, again in zip(bars, repeats(colours), strict=True):
        if again:  # a second deal of the same colour: hatched, never recoloured
            bar.set_hatch(HATCHES[again % len(HATCHES)])
            bar.set_edgecolor("white")
    said = [f"{share:.1%}" for share in shares]
    if ratified is not None:
        for k, (bar, count, colour) in enumerate(zip(bars, ratified, colours, strict=True)):
            if count is None:
                continue
            part = count / n if n else 0.0
            # The bar drawn so far is the signed share: redraw it as outline + hatch,
            # then the ratified part solid on top (keeping a repeat's own hatch).
            hatch = bar.get_hatch()
            bar.set_facecolor("white")
            bar.set_edgecolor(colour)
            bar.set_hatch(UNRATIFIED_HATCH)
            solid = ax.barh([k], [part], color=colour, height=bar.get_height())[0]
            if hatch:
                solid.set_hatch(hatch)
                solid.set_edgecolor("white")
            low, high = wilson(count, n)
            whisker = ax.errorbar(
                part,
                k + 0.22,
                xerr=[[max(0.0, part - low)], [max(0.0, high - part)]],
                fmt="none",
                ecolor="#000000",
                capsize=2,
                lw=0.9,
            )
            for line in whisker.lines[2]:
                line.set_linestyle("--")
            said[k] = f"{shares[k]:.1%} / {part:.1%}"
    for k, (text, (_, high)) in enumerate(zip(said, intervals, strict=True)):
        ax.text(min(high, 1.0) + 0.015, k, text, va="center", fontsize=8.5)
    ax.set_yticks(y, labels, fontsize=8.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.15 if ratified is None else 1.4)
    if ratified is None:
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    else:  # a panel narrowed by "signed / ratified" numbers: fewer ticks, none overlapping
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "", "50%", "", "100%"])
    ax.grid(axis="x", alpha=0.3)


def deal_distribution(data: BatchData) -> Figure:
    """How often each top deal forms, and no deal, per scenario/point, in rows of panels."""
    points, note = _shown(data)
    deals: list[tuple[str, ...] | str] = [NO_DEAL, *data.top_deals, OTHER]
    lines = max(len(data.label(d).splitlines()) for d in deals)
    home = [_ratified_of(p) for p in points]
    width = 4.6 if all(r is None for r in home) else 6.0  # room for "signed / ratified"
    figure, axes = _grid(len(points), width, (0.17 * lines + 0.22) * len(deals) + 1.2)
    for k, (ax, point, ratified) in enumerate(zip(axes, points, home, strict=True)):
        formed = _counts(point)
        kept = _counts(point, ratified) if ratified is not None else None
        top = set(data.top_deals)
        counts: list[int] = []
        signed_ratified: list[int | None] = []
        for deal in deals:
            if deal == NO_DEAL:
                counts.append(point.runs - sum(formed.values()))
            elif deal == OTHER:
                counts.append(sum(n for d, n in formed.items() if d not in top))
            else:
                counts.append(formed.get(deal, 0) if isinstance(deal, tuple) else 0)
            if kept is None or deal == NO_DEAL:
                signed_ratified.append(None)
            elif deal == OTHER:
                signed_ratified.append(sum(n for d, n in kept.items() if d not in top))
            else:
                signed_ratified.append(kept.get(deal, 0) if isinstance(deal, tuple) else 0)
        labels = [data.label(d) for d in deals]
        _share_bars(
            ax,
            labels,
            counts,
            point.runs,
            [data.deal_colour(d) for d in deals],
            signed_ratified if ratified is not None else None,
        )
        ax.set_title(wrap(f"{point.name} — {point.runs:,} runs", 50, 150), fontsize=9.5)
        ax.set_xlabel(
            "share of runs (95% interval)"
            + ("; numbers: signed / ratified" if ratified is not None else ""),
            fontsize=9,
        )
        if k % MAX_COLUMNS:
            ax.set_yticklabels([])
    common = data.common_text()
    extra = "; ".join(t for t in (common, note) if t)
    figure.suptitle(
        f"Which deals form — {_title(points, data.points)}" + (f"\n({extra})" if extra else ""),
        fontsize=11,
    )
    if any(r is not None for r in home):
        grey = "#555555"
        figure.legend(
            handles=[
                Patch(facecolor=grey, edgecolor=grey, label="signed and ratified"),
                Patch(
                    facecolor="white",
                    edgecolor=grey,
                    hatch=UNRATIFIED_HATCH,
                    label="signed, not ratified (fails at home)",
                ),
                Line2D([], [], color="#000000", lw=1, label="95% interval of the signed share"),
                Line2D(
                    [],
                    [],
                    color="#000000",
                    lw=0.9,
                    ls="--",
                    label="95% interval of the ratified share",
                ),
            ],
            loc="outside lower center",
            ncol=2,
            fontsize=8,
            frameon=False,
        )
    return figure


def _ratified_of(point: PointData) -> Any:
    """Which of a point's runs end in a ratified deal (None: nobody must ratify there)."""
    if RATIFIED not in point.rows.columns or not point.scenario.has_ratifiers:
        return None
    agreed = point.rows[AGREEMENT].astype("boolean").fillna(False).to_numpy(dtype=bool)
    ratified = point.rows[RATIFIED].astype("boolean").fillna(False).to_numpy(dtype=bool)
    return agreed & ratified


def _counts(point: PointData, among: Any = None) -> dict[tuple[str, ...], int]:
    """Runs of each deal of a point (of its rows ``among``, a mask; None: all of them)."""
    rows = point.rows if among is None else point.rows[among]
    counted = deal_counts(rows, point.issues)
    deals = counted[list(point.issues)].itertuples(index=False, name=None)
    return {d: int(n) for d, n in zip(deals, counted[RUNS].to_numpy(), strict=True)}


def _sweep_series(
    data: BatchData, rows: pd.DataFrame, path: str, issues: tuple[str, ...]
) -> tuple[list[Any], list[tuple[str, str, list[tuple[float, float, float]]]]]:
    """Per value of ``path`` (pooling the other swept fields): any deal and the top deals.

    One pass over the rows with ``groupby``, so a grid of thousands of points is quick.
    """
    values = sorted(rows[path].dropna().unique().tolist(), key=_sort_key)
    by_value = rows.groupby(path, sort=False, observed=True)
    n = by_value.size()
    wanted: list[tuple[str, ...] | str] = ["any deal", *data.top_deals[:3]]
    out = []
    agreed = rows[AGREEMENT].to_numpy(dtype=bool)
    for deal in wanted:
        if isinstance(deal, str):
            hit = agreed
            colour, label = "#000000", "any deal"
        else:
            if len(deal) != len(issues):
                continue
            hit = agreed.copy()
            for issue, option in zip(issues, deal, strict=True):
                hit &= rows[issue].astype(str).to_numpy() == option
            colour, label = data.deal_colour(deal), data.label(deal, 40, "; ")
        k = pd.Series(hit, index=rows.index).groupby(rows[path], sort=False, observed=True).sum()
        series = []
        for value in values:
            runs, got = int(n.get(value, 0)), int(k.get(value, 0))
            low, high = wilson(got, runs)
            series.append((got / runs if runs else 0.0, low, high))
        out.append((colour, label, series))
    return values, out


def _sort_key(value: Any) -> tuple[int, Any]:
    return (0, float(value)) if isinstance(value, int | float) else (1, str(value))


def sweep_effects(data: BatchData) -> Figure | None:
    """The chance of a deal (and of the top deals) against each swept field."""
    if not data.sweeps:
        return None
    paths = list(data.sweeps)[:MAX_SWEEP_PANELS]
    figure, axes = _grid(len(paths), 5.6, 4.0, most=2)
    rows = data.all_rows()
    scenarios = list(dict.fromkeys(p.scenario_id for p in data.points))
    styles = ["-", "--", ":", "-."]
    for ax, path in zip(axes, paths, strict=True):
        for s, scenario_id in enumerate(scenarios):
            mine = [p for p in data.points if p.scenario_id == scenario_id and path in p.sweep]
            if not mine or path not in rows:
                continue
            subset = rows[rows[SCENARIO].astype(str) == scenario_id]
            values, series = _sweep_series(data, subset, path, mine[0].issues)
            numeric = all(isinstance(v, int | float) for v in values)
            x = values if numeric else list(range(len(values)))
            many = len(values) > 40
            for m, (colour, label, points) in enumerate(series):
                ax.plot(
                    x,
                    [mid for mid, _, _ in points],
                    styles[s % len(styles)],
                    color=colour,
                    marker=None if many else MARKERS[m % len(MARKERS)],
                    ms=5,
                    label=label + (f" ({scenario_id})" if len(scenarios) > 1 else ""),
                )
                ax.fill_between(
                    x,
                    [lo for _, lo, _ in points],
                    [hi for _, _, hi in points],
                    color=colour,
                    alpha=0.15,
                )
            if not numeric:
                ax.set_xticks(x, [cap(str(v), 20) for v in values], rotation=20, ha="right")
        ax.set_xlabel(cap(short_path(path), 60), fontsize=9)
        ax.set_title(cap(path, 90), fontsize=8.5, color="#444444")
        ax.set_ylabel("share of runs (95% interval)")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        [wrap(lab, 80, 160) for lab in labels],
        loc="outside lower center",
        ncol=min(2, max(1, len(labels))),
        fontsize=8,
        frameon=False,
    )
    runs = sum(p.runs for p in data.points)
    common = data.common_text()
    left_out = len(data.sweeps) - len(paths)
    notes = [
        t
        for t in (common, f"{plural(left_out, 'more swept field')} not drawn" * bool(left_out))
        if t
    ]
    figure.suptitle(
        f"Deals against the swept fields — {runs:,} runs in {plural(len(data.points), 'point')},"
        " other swept fields pooled" + (f"\n({'; '.join(notes)})" if notes else ""),
        fontsize=11,
    )
    return figure


def rounds_to_agreement(data: BatchData) -> Figure:
    """When deals form: the distribution of the round of agreement, per scenario/point."""
    points, note = _shown(data)
    figure, axes = _grid(len(points), 4.4, 3.2)
    deadline = max(p.scenario.deadline for p in points)
    agreed = [p.rows.loc[p.rows[AGREEMENT].astype(bool), ROUND].dropna() for p in points]
    first = min((int(r.min()) for r in agreed if len(r)), default=1)
    # Start where the first deal forms (a few rounds before), not at round 0.
    start = max(0, first - max(2, (deadline - first) // 10))
    step = max(1, (deadline - start) // 40)
    bins = np.arange(start + 0.5, deadline + 1.5, step)
    for ax, point, rounds in zip(axes, points, agreed, strict=True):
        rounds = rounds.astype(float)
        ax.hist(rounds, bins=bins, color="#1f77b4", alpha=0.85)
        share = len(rounds) / point.runs if point.runs else 0.0
        median = f", median {np.median(rounds):g}" if len(rounds) else ""
        ax.set_title(
            wrap(f"{point.name} — {point.runs:,} runs", 50, 150)
            + f"\n{share:.0%} with a deal{median}",
            fontsize=9,
        )
        ax.axvline(point.scenario.deadline, color="#4d4d4d", ls="--", lw=1)
        ax.set_xlim(start, deadline + 1)
        ax.set_xlabel("round of the agreement (dashed: deadline)")
        ax.set_ylabel("runs")
        ax.grid(alpha=0.3)
    figure.suptitle(
        f"Rounds to agreement — {_title(points, data.points)}" + (f"\n({note})" if note else ""),
        fontsize=11,
    )
    return figure


#: A violin's density is estimated from this many evenly spaced quantiles of the values.
VIOLIN_QUANTILES = 2001


def _quantiles(values: np.ndarray) -> np.ndarray:
    """Evenly spaced quantiles of ``values`` (all of them when fewer than that).

    The same shape and the same median, while the kernel density, linear in the number
    of values, stays fast on a batch of any size.
    """
    if len(values) <= VIOLIN_QUANTILES:
        return values
    summary: np.ndarray = np.quantile(values, np.linspace(0.0, 1.0, VIOLIN_QUANTILES))
    return summary


def utilities(data: BatchData) -> Figure:
    """Each party's utility against its reservation value, in runs with a deal."""
    points, note = _shown(data)
    figure, axes = _grid(len(points), 5.0, 3.8)
    for ax, point in zip(axes, points, strict=True):
        parties = list(point.scenario.parties)
        deals = point.rows[point.rows[AGREEMENT].astype(bool)]
        positions = np.arange(len(parties))
        series = [deals[f"u_{p}"].to_numpy() for p in parties]
        nonempty = [k for k, s in enumerate(series) if len(s)]
        if nonempty:
            parts = ax.violinplot(
                [_quantiles(series[k]) for k in nonempty],
                positions=positions[nonempty],
                widths=0.8,
                showmedians=True,
                showextrema=False,
            )
            for body, k in zip(parts["bodies"], nonempty, strict=True):
                body.set_facecolor(data.party_colour(parties[k]))
                body.set_alpha(0.6)
            parts["cmedians"].set_color("#000000")
        reservation = [point.rows[f"r_{p}"] for p in parties]
        ax.errorbar(
            positions,
            [r.median() for r in reservation],
            yerr=[
                [r.median() - r.quantile(0.05) for r in reservation],
                [r.quantile(0.95) - r.median() for r in reservation],
            ],
            fmt="D",
            color="#000000",
            ms=4,
            capsize=3,
            lw=1,
            label="reservation (median, 5–95%)",
        )
        ax.set_xticks(
            positions,
            [cap(point.scenario.party_label(p), 24) for p in parties],
            rotation=25,
            ha="right",
            fontsize=8,
        )
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("utility in the deal")
        share = len(deals) / point.runs if point.runs else 0.0
        ax.set_title(
            wrap(f"{point.name} — {point.runs:,} runs", 50, 150) + f"\n{share:.0%} with a deal",
            fontsize=9,
        )
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    figure.suptitle(
        f"What the parties get — {_title(points, data.points)}" + (f"\n({note})" if note else ""),
        fontsize=11,
    )
    return figure


def options_in_deals(data: BatchData) -> Figure:
    """Per issue, how often each option is in the deal: a table of shares per scenario."""
    points, note = _shown(data)
    scenario = points[0].scenario
    issues = [i for i in scenario.issues if all(i in p.scenario.issues for p in points)]
    heights = [len(scenario.issues[i].options) + 0.8 for i in issues]
    headers = [wrap(p.name, 20, 80) for p in points]
    header_lines = max(h.count("\n") + 1 for h in headers)
    figure = plt.figure(
        figsize=(3.6 + 1.6 * len(points), 0.42 * sum(heights) + 0.16 * header_lines + 1.8),
        layout="constrained",
    )
    grid = figure.add_gridspec(len(issues), 1, height_ratios=heights)
    for row, issue in enumerate(issues):
        ax = figure.add_subplot(grid[row])
        options = list(scenario.issues[issue].options)
        shares = np.zeros((len(options), len(points)))
        for k, point in enumerate(points):
            deals = point.rows[point.rows[AGREEMENT].astype(bool)]
            n = len(deals)
            column = deals[issue].astype(str)
            for j, option in enumerate(options):
                count = int((column == option).sum())
                shares[j, k] = count / n if n else np.nan
                low, high = wilson(count, n)
                text = f"{shares[j, k]:.0%}\n±{(high - low) / 2:.1%}" if n else "–"
                ax.text(
                    k,
                    j,
                    text,
                    ha="center",
                    va="center",
                    fontsize=7.5,
                    color="white" if n and shares[j, k] > 0.55 else "black",
                )
        ax.imshow(shares, cmap="Blues", vmin=0, vmax=1, aspect="auto")
        ax.set_yticks(
            range(len(options)),
            [wrap(scenario.option_label(issue, o), 30) for o in options],
            fontsize=8,
        )
        ax.set_xticks(range(len(points)), headers if row == 0 else [""] * len(points), fontsize=7.5)
        ax.xaxis.tick_top()
        ax.set_ylabel(wrap(scenario.issue_label(issue), 18), fontsize=8.5)
        ax.tick_params(length=0)
    figure.suptitle(
        f"What the deals contain: share of deals with each option (± half the 95% interval)"
        f"\n{_title(points, data.points)}" + (f" ({note})" if note else ""),
        fontsize=10,
    )
    return figure


#: A red line's effect: its name, owner, the change in the chance of any deal and its
#: interval, and the deal whose share it moves most (None if no deal) with its change.
type LineEffect = tuple[
    str, str, float, float, float, tuple[tuple[str, ...], float, float, float] | None
]


def line_effects(point: PointData) -> list[LineEffect]:
    """Each red line that is firm in some runs and not in others: firm minus not firm.

    A ratifier's line is named ``ratifier.line`` (its owner the ratifier's party).

    The change in the chance of any deal, and the deal whose share changes most between
    runs with the line firm and runs with it not firm, each with Newcombe's interval.
    """
    rows = point.rows
    agreed = rows[AGREEMENT].to_numpy(dtype=bool)
    out: list[LineEffect] = []
    for party_id, party in point.scenario.parties.items():
        # A party's own lines, then its ratifiers' (named ``ratifier.line``).
        owned = [(line.id, f"{FIRM}{party_id}.{line.id}") for line in party.red_lines] + [
            (f"{q.id}.{line.id}", f"{FIRM}{party_id}.{q.id}.{line.id}")
            for q in party.ratification
            for line in q.red_lines
        ]
        for name, column in owned:
            if column not in rows:
                continue
            firm = rows[column].to_numpy(dtype=bool)
            n_a, n_b = int(firm.sum()), int((~firm).sum())
            if n_a == 0 or n_b == 0:
                continue  # no contrast: the line is firm in every run or in none
            a, b = int(agreed[firm].sum()), int(agreed[~firm].sum())
            low, high = newcombe_interval(a, n_a, b, n_b)
            counts_a, counts_b = _counts(point, firm), _counts(point, ~firm)
            moved = None
            best = -1.0
            for deal in sorted(set(counts_a) | set(counts_b)):
                x_a, x_b = counts_a.get(deal, 0), counts_b.get(deal, 0)
                change = x_a / n_a - x_b / n_b
                if abs(change) > best + 1e-12:
                    lo, hi = newcombe_interval(x_a, n_a, x_b, n_b)
                    moved, best = (deal, change, lo, hi), abs(change)
            out.append((name, party_id, a / n_a - b / n_b, low, high, moved))
    out.sort(key=lambda e: e[2])
    return out


def red_line_effects(data: BatchData) -> Figure | None:
    """How each red line's firmness changes the chance of a deal, and which deal it moves.

    ``None`` when no party of the batch has a red line (nothing to draw).
    """
    if not any(
        p.red_lines or any(q.red_lines for q in p.ratification)
        for s in data.scenarios()
        for p in s.parties.values()
    ):
        return None
    points, note = _shown(data, MAX_RED_LINE_POINTS)
    effects = [line_effects(p) for p in points]
    sizes = [max(1, len(e)) for e in effects]
    figure, axes = plt.subplots(
        len(points),
        2,
        figsize=(13.5, sum(0.42 * s + 1.5 for s in sizes) + 1.6),
        squeeze=False,
        gridspec_kw={"height_ratios": [0.42 * s + 1.5 for s in sizes], "width_ratios": [1, 1]},
        layout="constrained",
    )
    for (left, right), point, lines in zip(axes, points, effects, strict=True):
        left.set_title(
            wrap(f"{point.name} — {point.runs:,} runs", 60, 150) + "\nthe chance of any deal",
            fontsize=9,
            loc="left",
        )
        right.set_title("the deal whose share changes most", fontsize=9, loc="left")
        if not lines:
            for ax in (left, right):
                ax.text(
                    0.5,
                    0.5,
                    "no red line is firm in some runs and not in others",
                    ha="center",
                    va="center",
                    transform=ax.transAxes,
                    fontsize=8.5,
                )
                ax.set_xticks([])
                ax.set_yticks([])
            continue
        y = np.arange(len(lines))
        for k, (_, party, diff, low, high, _moved) in enumerate(lines):
            left.errorbar(
                diff,
                k,
                xerr=[[diff - low], [high - diff]],
                fmt="o",
                color=data.party_colour(party),
                capsize=3,
            )
        left.set_yticks(
            y,
            [cap(f"{point.scenario.party_label(p)}: {name}", 48) for name, p, *_ in lines],
            fontsize=8.5,
        )
        _percent_axis(
            left, min(0.0, *(e[3] for e in lines)), max(0.0, *(e[4] for e in lines)), True
        )
        left.set_xlabel("firm minus not firm, percentage points (95% interval)", fontsize=8)
        moved = [e[5] for e in lines]
        present = [m for m in moved if m is not None]
        distinct = list(dict.fromkeys(m[0] for m in present))
        # Two deals of one colour get different markers (a deal never changes colour).
        again = dict(zip(distinct, repeats([data.deal_colour(d) for d in distinct]), strict=True))
        for k, m in enumerate(moved):
            if m is None:
                continue
            deal, change, low, high = m
            right.errorbar(
                change,
                k,
                xerr=[[change - low], [high - change]],
                fmt=MARKERS[(1 + again[deal]) % len(MARKERS)],
                color=data.deal_colour(deal),
                capsize=3,
            )
        labels = ["" if m is None else data.label(m[0], 60, " · ", distinct) for m in moved]
        right.set_yticks(y, [wrap(lab, 56, 170) for lab in labels], fontsize=8)
        shared = data.common_text(distinct).removeprefix("every deal shown: ")
        if shared:
            right.set_title(
                "the deal whose share changes most\n" + wrap(f"(each of them: {shared})", 70, 200),
                fontsize=9,
                loc="left",
            )
        right.yaxis.tick_right()
        if present:
            _percent_axis(
                right, min(0.0, *(m[2] for m in present)), max(0.0, *(m[3] for m in present)), True
            )
        right.set_xlabel("its share of runs, firm minus not firm (95% interval)", fontsize=8)
        for ax in (left, right):
            ax.set_ylim(len(lines) - 0.5, -0.5)
            ax.axvline(0, color="#4d4d4d", lw=1)
            ax.grid(axis="x", alpha=0.3)
    owners = [
        p
        for p in data.parties()
        if any(
            p in q.scenario.parties
            and (
                q.scenario.parties[p].red_lines
                or any(r.red_lines for r in q.scenario.parties[p].ratification)
            )
            for q in points
        )
    ]
    handles: list[Any] = [
        Patch(color=data.party_colour(p), label=cap(_party_label(data, p), 30)) for p in owners
    ]
    handles.append(
        Line2D([], [], marker="s", ls="", color="#555555", label="a deal, in its colour")
    )
    figure.legend(
        handles=handles,
        loc="outside lower center",
        ncol=min(6, len(handles)),
        fontsize=8,
        frameon=False,
    )
    extra = note
    figure.suptitle(
        "How each red line's firmness changes the chance of a deal — "
        f"{_title(points, data.points)}\n(right of 0: more often in the runs where the line"
        " was firm than in those where it was not)" + (f"\n({extra})" if extra else ""),
        fontsize=11,
    )
    return figure


def _party_label(data: BatchData, party: str) -> str:
    scenario = next(s for s in data.scenarios() if party in s.parties)
    return scenario.party_label(party)


#: Figure names and functions, in the order `negsim plot` writes them.
FIGURES = {
    "deals": deal_distribution,
    "sweeps": sweep_effects,
    "rounds": rounds_to_agreement,
    "utilities": utilities,
    "options": options_in_deals,
    "red_lines": red_line_effects,
    "causes": causes.causes_figure,
}
#: Why a figure can be missing (its function returned None).
NOT_DRAWN = {
    "sweeps": "the batch sweeps no field",
    "red_lines": "no party has a red line",
    "causes": causes.NOT_DRAWN,
}
