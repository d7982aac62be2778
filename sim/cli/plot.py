"""``negsim plot DIR``: the outcome distribution figures of a batch."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from sim.batch.store import MANIFEST
from sim.cli.common import whole_in
from sim.plots import FORMATS, plot_batch
from sim.plots.data import TOP_DEALS
from sim.scenario import Problem, ScenarioError
from sim.scenario.problems import Origin


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "plot",
        help="figures of a batch's outcomes",
        description="Write the figures of a batch: which deals form (with 95% intervals), "
        "deals against swept fields, rounds to agreement, utilities against reservation "
        "values, options in deals, how each red line's firmness changes the chance of "
        "a deal and which deal it moves most, and why runs end without a deal.",
    )
    parser.add_argument("folder", metavar="DIR", help="a batch folder (negsim batch --out)")
    parser.add_argument("--out", metavar="DIR", help="where to write (default: DIR/figures)")
    parser.add_argument(
        "--format", choices=FORMATS, default="png", help="figure format (default: png)"
    )
    parser.add_argument(
        "--top",
        type=whole_in(1, 100),
        default=TOP_DEALS,
        metavar="N",
        help=f"deals drawn one by one; the rest are drawn as 'other deals' (default: {TOP_DEALS})",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Draw and save every figure."""
    import matplotlib

    matplotlib.use("Agg")  # files only: never open a window, whatever the display
    from sim.plots.figures import FIGURES, NOT_DRAWN

    if not (Path(args.folder) / MANIFEST).is_file():
        raise ScenarioError(
            [Problem(Origin(args.folder), (), f"not a batch folder (no {MANIFEST})")]
        )
    written = plot_batch(args.folder, args.out, args.format, top=args.top)
    folder = written[0].parent if written else Path(args.out or args.folder)
    print(f"{len(written)} figures in {folder}: {', '.join(p.name for p in written)}")
    drawn = {p.stem for p in written}
    for name in FIGURES:
        if name not in drawn:
            print(f"no {name}.{args.format}: {NOT_DRAWN.get(name, 'nothing to draw')}")
    return 0
