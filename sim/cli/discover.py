"""``negsim discover DIR``: under which conditions a batch's runs reach a deal (PRIM)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from sim.cli.common import whole_in
from sim.scenario import Problem, ScenarioError
from sim.scenario.problems import Origin

FORMATS = ("png", "svg", "pdf")


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "discover",
        help="which conditions give a deal (scenario discovery, PRIM)",
        description="Scenario discovery with PRIM (Friedman & Fisher 1999; Bryant & Lempert "
        "2010; EMA Workbench's implementation) over every input column of a batch: sampled "
        "parameters (param.PATH), firm red lines (firm.PARTY.LINE, and firm.PARTY.RATIFIER.LINE "
        "for a ratifier's), negotiators who knew a ratifier's limits (informed.PARTY.RATIFIER), "
        "events fired (event.ID) and swept fields. Prints the boxes (conditions) under which "
        "the target forms, in words, with their density (share of the box's runs reaching "
        "the target), coverage "
        "(share of all target runs in the box) and runs. Each box is the densest on PRIM's "
        "peeling trajectory holding at least --min-coverage of the target runs not covered by "
        "an earlier box; restrictions that are not significant (quasi-p > 0.05) are dropped. "
        "Writes the trajectories and boxes as a figure. A batch of several scenarios is "
        "discovered per scenario, unless --pool. A target in every run or in none: said, no "
        "box, exit 0; too few runs with or without it, or no varying input: an error, exit 2.",
    )
    parser.add_argument("folder", metavar="DIR", help="a batch folder (negsim batch --out)")
    parser.add_argument(
        "--target",
        default="deal",
        metavar="T",
        help="deal, no_deal, ratified (a deal ratified at home), unratified (a deal signed"
        " and not ratified: it fails at home; both need a batch whose parties have"
        " ratifiers), or a deal as issue=option,... (some or all issues)",
    )
    parser.add_argument(
        "--pool",
        action="store_true",
        help="several scenarios: one search over all their rows, the scenario one more"
        " input (without it: one search per scenario)",
    )
    parser.add_argument(
        "--scenario",
        metavar="ID",
        help="only this scenario of the batch (default: every one, each on its own)",
    )
    parser.add_argument(
        "--min-coverage",
        type=_share,
        default=0.5,
        metavar="C",
        help="the share of the (not yet covered) target runs a box must hold, in (0, 1]",
    )
    parser.add_argument(
        "--boxes", type=whole_in(1, 20), default=3, metavar="N", help="boxes searched for, at most"
    )
    parser.add_argument(
        "--out", metavar="DIR", help="where to write the figure (default: DIR/figures)"
    )
    parser.add_argument(
        "--format", dest="fmt", choices=FORMATS, default="png", help="figure format"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON object (default: words)"
    )
    parser.set_defaults(handler=run)


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share in (0, 1], got {text}")
    return value


def run(args: argparse.Namespace) -> int:
    """Discover the boxes, print them (or JSON) and write the figure."""
    from sim.batch.manifest import MANIFEST

    if not (Path(args.folder) / MANIFEST).is_file():
        raise ScenarioError(
            [
                Problem(
                    Origin(args.folder),
                    (),
                    "not a batch folder (no manifest.json; make one with"
                    " `negsim batch ... --out DIR`)",
                )
            ]
        )
    # Imported here: pandas, matplotlib and EMA Workbench are slow to load.
    from sim.analysis.discover import discover, format_discovery, plot_discovery

    found = discover(
        args.folder,
        args.target,
        scenario=args.scenario,
        min_coverage=args.min_coverage,
        boxes=args.boxes,
        pooled=args.pool,
    )
    out = Path(args.out) if args.out is not None else Path(args.folder) / "figures"
    figures = plot_discovery(found, out, args.fmt)
    if args.json:
        if len(found) == 1:
            data: dict[str, Any] = found[0].to_json()
        else:
            data = {"scenarios": {d.scenario.id: d.to_json() for d in found}}
        print(json.dumps(data, indent=1, allow_nan=False))
    else:
        print(format_discovery(found))
        for figure in figures:
            print(f"figure: {figure}")
    return 0
