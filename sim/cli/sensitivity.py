"""``negsim sensitivity DIR``: which inputs the chance of a deal depends on."""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.cli.common import non_negative

if TYPE_CHECKING:
    from sim.analysis.sensitivity import Index, Outcome, Sensitivity

#: Inputs listed per outcome in the text and drawn per panel of the figure.
SHOWN = 8

FIGURE = "sensitivity.png"

_WORDS = {
    "pawn": "PAWN index (median over 10 slices of the input of how far the chance moves)",
    "sobol-total": "Sobol' total-order index (share of the outcome's variance)",
    "sobol-first": "Sobol' first-order index (share of the outcome's variance)",
}


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "sensitivity",
        help="which inputs the chance of a deal depends on",
        description="Rank a batch's inputs by how much the chance of a deal, of no deal and"
        " of each top deal depends on them; on a batch whose parties have ratifiers, also"
        " the chance of a ratified deal (ratified) and of a deal signed and not ratified"
        " (unratified: it fails at home). Uncertain parameters (param.* columns): PAWN"
        " indices (SALib) on any batch, Sobol' indices on a batch made with `negsim batch"
        " --design sobol`. Red lines (firm.* columns): the difference in the outcome's"
        " chance between runs where the line is firm and runs where it is not, and for each"
        " pair of lines the difference of differences (firm.a:firm.b), with 95%"
        " intervals; whether a negotiator knew a ratifier's limits (informed.* columns)"
        " is treated as a line is (informed minus not). Draws a figure ranking the inputs.",
    )
    parser.add_argument("folder", metavar="DIR", help="a batch folder (negsim batch --out DIR)")
    parser.add_argument(
        "--method",
        choices=("pawn", "sobol-total", "sobol-first"),
        help="index of the uncertain parameters (default: sobol-total on a batch made"
        " with --design sobol, else pawn)",
    )
    parser.add_argument(
        "--top",
        type=non_negative,
        default=3,
        metavar="K",
        help="the most frequent deals analysed besides deal and no_deal (default: 3)",
    )
    parser.add_argument(
        "--resamples",
        type=non_negative,
        default=30,
        metavar="B",
        help="bootstrap resamples behind the intervals of the parameters' indices"
        " (default: 30; 0: no interval for PAWN)",
    )
    parser.add_argument(
        "--out", metavar="FILE", help=f"where to write the figure (default: DIR/{FIGURE})"
    )
    parser.add_argument("--json", action="store_true", help="print the indices as JSON")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Compute, print, draw."""
    from sim.analysis.sensitivity import sensitivity

    found = sensitivity(args.folder, method=args.method, top=args.top, resamples=args.resamples)
    figure = Path(args.out) if args.out else Path(args.folder) / FIGURE
    draw(found, figure)
    for note in found.notes:
        print(f"note: {note}", file=sys.stderr)
    if args.json:
        print(json.dumps(_finite(found.to_json()), indent=1))
    else:
        print(format_text(found), end="")
        print(f"figure: {figure}")
    return 0


def _finite(data: Any) -> Any:
    """JSON data with NaN (an undefined index) as null."""
    if isinstance(data, dict):
        return {k: _finite(v) for k, v in data.items()}
    if isinstance(data, float) and math.isnan(data):
        return None
    return data


def _line(index: Index) -> str:
    interval = f"[{index.low:+.3f}, {index.high:+.3f}]"
    value = f"{index.index:.3f}" if index.kind == "parameter" else f"{index.index:+.3f}"
    runs = ""
    if index.kind == "firm":
        said = "informed" if index.column.startswith("informed.") else "firm"
        runs = f"  ({index.runs[0]:,} {said} / {index.runs[1]:,} not)"
    elif index.kind == "interaction":
        runs = "  (runs " + "/".join(f"{n:,}" for n in index.runs) + ": both/a/b/neither firm)"
    return f"  {index.column:<60} {value:>7}  {interval}{runs}"


def format_text(found: Sensitivity) -> str:
    """The findings in words: per outcome, the inputs that matter most."""
    lines = [
        f"{found.runs:,} runs. Parameters: {_WORDS[found.method]}.",
        "Red lines: chance when firm (informed.*: when informed) minus chance when not;"
        " pairs (a:b): the difference of differences. 95% intervals.",
    ]
    for outcome in found.outcomes:
        lines.append("")
        lines.append(f"{outcome.name}: {outcome.share:.1%} of {outcome.runs:,} runs")
        for index in outcome.indices[:SHOWN]:
            lines.append(_line(index))
        if len(outcome.indices) > SHOWN:
            lines.append(f"  ... {len(outcome.indices) - SHOWN} weaker inputs (--json lists all)")
    return "\n".join(lines) + "\n"


_COLOURS = {"parameter": "tab:blue", "firm": "tab:orange", "interaction": "tab:gray"}


def _panel(ax: Any, indices: list[Index], label: str) -> None:
    shown = indices[:SHOWN][::-1]
    if not shown:
        ax.text(0.5, 0.5, "none varies", ha="center", va="center", transform=ax.transAxes)
        ax.set_yticks([])
        return
    y = range(len(shown))
    values = [i.index for i in shown]
    low = [max(0.0, i.index - i.low) for i in shown]
    high = [max(0.0, i.high - i.index) for i in shown]
    colours = [_COLOURS[i.kind] for i in shown]
    ax.barh(y, values, color=colours, xerr=[low, high], ecolor="0.25", capsize=2)
    for k, index in enumerate(shown):  # the value beside its bar (an index of 0 has none)
        ax.annotate(
            f"{index.index:.3f}" if index.kind == "parameter" else f"{index.index:+.3f}",
            (0, k),
            xytext=(3, -9),
            textcoords="offset points",
            fontsize=7,
            color="0.2",
        )
    ax.set_yticks(list(y), [i.column.replace(":", " ×\n") for i in shown], fontsize=7)
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel(label, fontsize=8)


def draw(found: Sensitivity, path: Path) -> None:
    """One row per outcome (no_deal mirrors deal, so it is left out): parameters | lines."""
    import matplotlib

    matplotlib.use("Agg")
    import textwrap

    import matplotlib.pyplot as plt

    outcomes: list[Outcome] = [o for o in found.outcomes if o.name != "no_deal"]
    fig, axes = plt.subplots(
        len(outcomes), 2, figsize=(13, 3.0 * len(outcomes) + 0.6), squeeze=False
    )
    for row, outcome in zip(axes, outcomes, strict=True):
        title = textwrap.fill(
            f"{outcome.name.replace(',', ', ')}: {outcome.share:.1%} of {outcome.runs:,} runs",
            70,
        )
        row[0].set_title(title, fontsize=9, loc="left")
        params = outcome.of("parameter")
        lines = sorted(outcome.of("firm") + outcome.of("interaction"), key=lambda i: -abs(i.index))
        _panel(row[0], params, _WORDS[found.method])
        _panel(
            row[1],
            lines,
            "chance when firm (informed.*: informed) − when not (pairs: difference of differences)",
        )
        on_off = "red lines" + (
            " and informed negotiators"
            if any(i.column.startswith("informed.") for i in lines)
            else ""
        )
        row[1].set_title(f"{on_off}: one (orange), a pair (grey)", fontsize=9, loc="left")
        # PAWN and the lines' effects are both changes of a probability: one scale, so
        # a small index looks small; Sobol' indices are shares of variance, 0 to 1.
        reach = [abs(v) for i in lines[:SHOWN] for v in (i.index, i.low, i.high)]
        if found.method == "pawn":
            reach += [abs(v) for i in params[:SHOWN] for v in (i.index, i.low, i.high)]
            top = 1.05 * max(reach, default=1.0) or 1.0
            row[0].set_xlim(0, top)
        else:
            row[0].set_xlim(0, max(1.05, *(1.05 * i.high for i in params[:SHOWN])))
            top = 1.05 * max(reach, default=1.0) or 1.0
        row[1].set_xlim(-top, top)
    runs = f"{found.runs:,} runs"
    if found.method != "pawn" or outcomes[0].runs != found.runs:
        runs = (
            f"{found.runs:,} runs of a Sobol' design; shares and red lines from the"
            f" {outcomes[0].runs:,} independent runs of its matrix A"
        )
    fig.suptitle(f"What the outcomes depend on ({runs}; 95% intervals)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
