"""``negsim analyze FILE``: which agreements can form, and which red lines block the rest."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sim.cli.common import add_overrides, non_negative
from sim.space import MAX_OUTCOMES


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "analyze",
        help="which agreements can form at all",
        description="The agreement zone ranked by Nash product, the Pareto set, the Nash and "
        "Kalai–Smorodinsky points, what each red line excludes and unlocks, and the minimal "
        "relaxations that open a closed zone.",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--max-relax",
        type=non_negative,
        default=3,
        metavar="K",
        help="largest set of red lines to consider dropping",
    )
    parser.add_argument("--top", type=non_negative, default=10, metavar="N", help="deals to list")
    parser.add_argument(
        "--max-outcomes",
        type=non_negative,
        default=MAX_OUTCOMES,
        metavar="N",
        help="refuse outcome spaces larger than this",
    )
    add_overrides(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Analyse one scenario and print the result."""
    from sim.analysis import analyze
    from sim.analysis.report import to_json, to_text
    from sim.scenario import load_scenario
    from sim.space import compile_space

    scenario = load_scenario(args.file, args.overrides)
    analysis = analyze(compile_space(scenario, args.max_outcomes), args.max_relax)
    if args.json:
        print(json.dumps(to_json(analysis), indent=1, allow_nan=False))
    else:
        print(to_text(analysis, args.top), end="")
    return 0
