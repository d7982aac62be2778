"""The outcome-distribution figures of a batch, each a function of the loaded batch.

Every figure names the scenario(s) and the number of runs in its title, draws 95%
intervals (Wilson 1927 for shares; Newcombe 1998 for differences of shares) and uses
the batch's fixed colours for parties and deals.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any

import matplotlib
import matplotlib.pyplot as plt
import matplotlib.ticker
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.batch.summary import wilson
from sim.compare import newcombe_interval
from sim.plots.data import NO_DEAL, OTHER, BatchData, PointData

#: Columns of side-by-side panels before a figure wraps onto another row.
MAX_COLUMNS = 5


def _title(points: list[PointData]) -> str:
    runs = sum(p.runs for p in points)
    if len(points) == 1:
        return f"{points[0].name} — {points[0].runs:,} runs"
    return f"{len(points)} scenarios and points — {runs:,} runs in all"


def _grid(n: int, width: float, height: float, most: int = MAX_COLUMNS) -> tuple[Figure, list[Any]]:
    columns = min(n, most)
    rows = math.ceil(n / columns)
    figure, axes = plt.subplots(
        rows, columns, figsize=(width * columns, height * rows), squeeze=False
    )
    flat = list(axes.ravel())
    for extra in flat[n:]:
        extra.set_visible(False)
    return figure, flat[:n]


def _share_bars(ax: Any, labels: list[str], counts: list[int], n: int, colours: list[str]) -> None:
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
    ax.barh(y, shares, color=colours, xerr=errors, capsize=3, error_kw={"lw": 1})
    for k, share in enumerate(shares):
        ax.text(min(share, 1.0) + 0.02, k, f"{share:.1%}", va="center", fontsize=8)
    ax.set_yticks(y, labels, fontsize=7.5)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.12)
    ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    ax.grid(axis="x", alpha=0.3)


def deal_distribution(data: BatchData) -> Figure:
    """How often each top deal forms, and no deal, per scenario/point, side by side."""
    deals: list[tuple[str, ...] | str] = [NO_DEAL, *data.top_deals, OTHER]
    lines = max(len(data.label(d).splitlines()) for d in deals)
    figure, axes = _grid(len(data.points), 5.2, (0.16 * lines + 0.25) * len(deals) + 1.6)
    for ax, point in zip(axes, data.points, strict=True):
        keys = point.deal_keys()
        counts = []
        for deal in deals:
            if deal == NO_DEAL:
                counts.append(int(keys.isna().sum()))
            elif deal == OTHER:
                known = keys.isin([d for d in data.top_deals]) | keys.isna()
                counts.append(int((~known).sum()))
            else:
                counts.append(int((keys == deal).sum()) if len(keys) else 0)
        labels = [data.label(d) for d in deals]
        _share_bars(ax, labels, counts, point.runs, [data.deal_colour(d) for d in deals])
        ax.set_title(f"{point.name}\n{point.runs:,} runs", fontsize=9)
        ax.set_xlabel("share of runs (95% interval)")
        if axes.index(ax) % MAX_COLUMNS:
            ax.set_yticklabels([])
    common = data.common_text()
    figure.suptitle(
        f"Which deals form — {_title(data.points)}" + (f"\n({common})" if common else ""),
        fontsize=11,
    )
    figure.tight_layout()
    return figure


def sweep_effects(data: BatchData) -> Figure | None:
    """The chance of a deal (and of the top deals) against each swept field."""
    if not data.sweeps:
        return None
    paths = list(data.sweeps)
    figure, axes = _grid(len(paths), 5.5, 4.0, most=2)
    scenarios = sorted({p.scenario.id for p in data.points})
    styles = ["-", "--", ":", "-."]
    for ax, path in zip(axes, paths, strict=True):
        for s, scenario_id in enumerate(scenarios):
            points = [p for p in data.points if p.scenario.id == scenario_id and path in p.sweep]
            values = sorted({p.sweep[path] for p in points})
            for series, colour, label in _sweep_series(data, points, path, values):
                lows = [lo for _, lo, _ in series]
                highs = [hi for _, _, hi in series]
                mids = [m for m, _, _ in series]
                ax.plot(
                    values,
                    mids,
                    styles[s % len(styles)],
                    color=colour,
                    marker="o",
                    label=f"{label}" + (f" ({scenario_id})" if len(scenarios) > 1 else ""),
                )
                ax.fill_between(values, lows, highs, color=colour, alpha=0.15)
        ax.set_xlabel(path.replace(".red_lines.", ".red_lines.\n"), fontsize=8)
        ax.set_ylabel("share of runs (95% interval)")
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(
        handles,
        [textwrap.fill(lab, 70) for lab in labels],
        loc="lower center",
        ncol=min(2, len(labels)),
        fontsize=7.5,
        bbox_to_anchor=(0.5, 0.0),
    )
    runs = sum(p.runs for p in data.points)
    common = data.common_text()
    figure.suptitle(
        f"Deals against the swept fields — {runs:,} runs, other swept fields pooled"
        + (f"\n({common})" if common else ""),
        fontsize=11,
    )
    rows = math.ceil(len(labels) / 2) if labels else 0
    figure.tight_layout(rect=(0, 0.06 + 0.045 * rows, 1, 1))
    return figure


def _sweep_series(
    data: BatchData, points: list[PointData], path: str, values: list[Any]
) -> list[tuple[list[tuple[float, float, float]], str, str]]:
    """Per value of ``path`` (pooling the other swept fields): any deal and each top deal."""
    out = []
    wanted: list[tuple[str, ...] | str] = ["any deal", *data.top_deals[:3]]
    for deal in wanted:
        series = []
        for value in values:
            pooled = [p for p in points if p.sweep[path] == value]
            n = sum(p.runs for p in pooled)
            if deal == "any deal":
                k = sum(int(p.rows["agreement"].sum()) for p in pooled)
            else:
                k = sum(int((p.deal_keys() == deal).sum()) for p in pooled)
            lo, hi = wilson(k, n)
            series.append((k / n if n else 0.0, lo, hi))
        colour = "#000000" if deal == "any deal" else data.deal_colour(deal)
        label = "any deal" if isinstance(deal, str) else data.label(deal).replace("\n", "; ")
        out.append((series, colour, label))
    return out


def rounds_to_agreement(data: BatchData) -> Figure:
    """When deals form: the distribution of the round of agreement, per scenario/point."""
    figure, axes = _grid(len(data.points), 4.2, 3.2, most=3)
    deadline = max(p.scenario.deadline for p in data.points)
    bins = np.arange(0.5, deadline + 1.5, max(1, deadline // 40))
    for ax, point in zip(axes, data.points, strict=True):
        rounds = point.rows.loc[point.rows["agreement"], "round"].dropna().astype(float)
        ax.hist(rounds, bins=bins, color="#1f77b4", alpha=0.85)
        share = len(rounds) / point.runs if point.runs else 0.0
        median = f", median {np.median(rounds):g}" if len(rounds) else ""
        ax.set_title(
            f"{point.name}\n{point.runs:,} runs, {share:.0%} with a deal{median}", fontsize=9
        )
        ax.axvline(point.scenario.deadline, color="#4d4d4d", ls="--", lw=1)
        ax.set_xlabel("round of the agreement (dashed: deadline)")
        ax.set_ylabel("runs")
        ax.grid(alpha=0.3)
    figure.suptitle(f"Rounds to agreement — {_title(data.points)}", fontsize=11)
    figure.tight_layout()
    return figure


def utilities(data: BatchData) -> Figure:
    """Each party's utility against its reservation value, in runs with a deal."""
    figure, axes = _grid(len(data.points), 5.0, 3.6, most=3)
    for ax, point in zip(axes, data.points, strict=True):
        parties = list(point.scenario.parties)
        deals = point.rows[point.rows["agreement"]]
        positions = np.arange(len(parties))
        series = [deals[f"u_{p}"].to_numpy() for p in parties]
        nonempty = [k for k, s in enumerate(series) if len(s)]
        if nonempty:
            parts = ax.violinplot(
                [series[k] for k in nonempty],
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
            [point.scenario.party_label(p) for p in parties],
            rotation=25,
            ha="right",
            fontsize=8,
        )
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("utility in the deal")
        share = len(deals) / point.runs if point.runs else 0.0
        ax.set_title(f"{point.name}\n{point.runs:,} runs, {share:.0%} with a deal", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(fontsize=7, loc="lower left")
    figure.suptitle(f"What the parties get — {_title(data.points)}", fontsize=11)
    figure.tight_layout()
    return figure


def options_in_deals(data: BatchData) -> Figure:
    """Per issue, how often each option is in the deal: a table of shares per scenario."""
    scenario = data.points[0].scenario
    issues = [i for i in scenario.issues if all(i in p.scenario.issues for p in data.points)]
    heights = [len(scenario.issues[i].options) + 0.8 for i in issues]
    figure = plt.figure(figsize=(3.2 + 1.5 * len(data.points), 0.42 * sum(heights) + 1.6))
    grid = figure.add_gridspec(len(issues), 1, height_ratios=heights)
    for row, issue in enumerate(issues):
        ax = figure.add_subplot(grid[row])
        options = list(scenario.issues[issue].options)
        shares = np.zeros((len(options), len(data.points)))
        for k, point in enumerate(data.points):
            deals = point.rows[point.rows["agreement"]]
            n = len(deals)
            for j, option in enumerate(options):
                count = int((deals[issue].astype(str) == option).sum())
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
            [textwrap.fill(scenario.option_label(issue, o), 30) for o in options],
            fontsize=8,
        )
        ax.set_xticks(
            range(len(data.points)),
            [textwrap.fill(p.name, 18) if row == 0 else "" for p in data.points],
            fontsize=7.5,
        )
        ax.xaxis.tick_top()
        ax.set_ylabel(textwrap.fill(scenario.issue_label(issue), 18), fontsize=8.5)
        ax.tick_params(length=0)
    figure.suptitle(
        f"What the deals contain: share of deals with each option (± half the 95% interval)"
        f"\n{_title(data.points)}",
        fontsize=10,
    )
    figure.tight_layout()
    return figure


def red_line_effects(data: BatchData) -> Figure:
    """Which red lines, when firm, most lower the chance of a deal (firm − not firm)."""
    figure, axes = _grid(len(data.points), 5.6, 3.8, most=3)
    for ax, point in zip(axes, data.points, strict=True):
        rows = point.rows
        effects = []
        lines = [
            f"firm.{pid}.{line.id}"
            for pid, party in point.scenario.parties.items()
            for line in party.red_lines
        ]
        for column in lines:
            firm = rows[column].astype(bool)
            if firm.all() or not firm.any():
                continue  # no contrast: the line is firm in every run or in none
            a, n_a = int(rows.loc[firm, "agreement"].sum()), int(firm.sum())
            b, n_b = int(rows.loc[~firm, "agreement"].sum()), int((~firm).sum())
            low, high = newcombe_interval(a, n_a, b, n_b)
            effects.append((column.removeprefix("firm."), a / n_a - b / n_b, low, high))
        effects.sort(key=lambda e: e[1])
        if not effects:
            ax.text(
                0.5,
                0.5,
                "no red line varies between runs",
                ha="center",
                va="center",
                transform=ax.transAxes,
            )
        y = np.arange(len(effects))
        for k, (name, diff, low, high) in enumerate(effects):
            party = name.split(".")[0]
            ax.errorbar(
                diff,
                k,
                xerr=[[diff - low], [high - diff]],
                fmt="o",
                color=data.party_colour(party),
                capsize=3,
            )
        ax.set_yticks(y, [e[0] for e in effects], fontsize=8)
        ax.axvline(0, color="#4d4d4d", lw=1)
        ax.set_xlabel(
            "change in the chance of a deal when the line is firm\n"
            "(firm minus not firm, 95% interval)",
            fontsize=8,
        )
        ax.xaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0, decimals=0))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(5))
        ax.set_title(f"{point.name}\n{point.runs:,} runs", fontsize=9)
        ax.grid(axis="x", alpha=0.3)
    owners = [
        p
        for p in _parties(data)
        if any(p in q.scenario.parties and q.scenario.parties[p].red_lines for q in data.points)
    ]
    handles = [Patch(color=data.party_colour(p), label=_party_label(data, p)) for p in owners]
    figure.legend(
        handles=handles,
        loc="lower center",
        ncol=min(6, len(handles)),
        fontsize=8,
        bbox_to_anchor=(0.5, -0.02),
    )
    figure.suptitle(f"Red lines that block deals — {_title(data.points)}", fontsize=11)
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return figure


def _party_label(data: BatchData, party: str) -> str:
    scenario = next(p.scenario for p in data.points if party in p.scenario.parties)
    return scenario.party_label(party)


def _parties(data: BatchData) -> list[str]:
    order: list[str] = []
    for point in data.points:
        order += [p for p in point.scenario.parties if p not in order]
    return order


#: Figure names and functions, in the order `negsim plot` writes them.
FIGURES = {
    "deals": deal_distribution,
    "sweeps": sweep_effects,
    "rounds": rounds_to_agreement,
    "utilities": utilities,
    "options": options_in_deals,
    "red_lines": red_line_effects,
}
