"""``negsim compare DIR_A DIR_B``: what changed between two batches, deal by deal."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sim.batch.store import MANIFEST
from sim.cli.common import whole_in
from sim.compare import ALPHA, TOP, compare_batches, format_comparison
from sim.scenario import Problem, ScenarioError
from sim.scenario.problems import Origin

FORMATS = ("png", "svg", "pdf")


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "compare",
        help="what changed between two batches",
        description="Each deal's share in batch A and in batch B (typically a baseline and a "
        "variant), the change with its 95% interval, and whether it is larger than chance "
        f"(Holm-adjusted p < {ALPHA:g}); when both batches' parties have ratifiers, also the "
        "share of runs ending in a ratified deal. Runs with the same seed and run ids share "
        "their random draws and are compared as pairs (McNemar's test); otherwise as "
        "independent samples (Newcombe's interval, two-proportion test). Prints a table and "
        "writes compare.FORMAT.",
    )
    parser.add_argument("a", metavar="DIR_A", help="the first batch folder (before)")
    parser.add_argument("b", metavar="DIR_B", help="the second batch folder (after)")
    parser.add_argument(
        "--out", metavar="DIR", help="where to write the figure (default: DIR_B/figures)"
    )
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=FORMATS,
        default="png",
        help="figure format (default: png)",
    )
    parser.add_argument(
        "--top",
        type=whole_in(0, 1000),
        default=TOP,
        metavar="N",
        help="deals compared one by one, the most frequent first; the rest are compared"
        f" together as 'other deals' (default: {TOP}; 0: every deal alone)",
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (default: a table)"
    )
    parser.set_defaults(handler=run)


def _check_folders(*folders: str) -> None:
    problems = [
        Problem(
            Origin(folder),
            (),
            "not a batch folder (no manifest.json; make one with `negsim batch ... --out DIR`)",
        )
        for folder in folders
        if not (Path(folder) / MANIFEST).is_file()
    ]
    if problems:
        raise ScenarioError(problems)


def run(args: argparse.Namespace) -> int:
    """Compare two batch folders, print the table (or JSON) and write the figure."""
    _check_folders(args.a, args.b)
    # Imported here: matplotlib is slow to load and only this command needs it.
    from sim.plots.compare import write_compare_figure
    from sim.plots.data import load_batch

    comparison = compare_batches(load_batch(args.a), load_batch(args.b), top=args.top)
    out = Path(args.out) if args.out is not None else Path(args.b) / "figures"
    figure = write_compare_figure(comparison, out, args.fmt)
    if args.json:
        print(
            json.dumps({**comparison.to_json(), "figure": str(figure)}, indent=1, allow_nan=False)
        )
    else:
        print(format_comparison(comparison), end="")
        print(f"figure: {figure}")
    return 0
