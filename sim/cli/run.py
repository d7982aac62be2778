"""``negsim run FILE``: one negotiation, round by round."""

from __future__ import annotations

import argparse
import json
from typing import Any

from sim.cli.common import add_overrides, uint64


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "run",
        help="one negotiation, round by round",
        description="Simulate one negotiation and tell it round by round: who proposed what, "
        "who accepted, who vetoed on which red line, and how it ended. Run I of seed S is "
        "row I of a batch with seed S.",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument(
        "--seed", type=uint64, default=0, metavar="S", help="the batch's seed, below 2**64"
    )
    parser.add_argument(
        "--run", type=uint64, default=0, metavar="I", help="the run id (row), below 2**64"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    add_overrides(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Simulate and print one negotiation."""
    from sim.scenario import load_scenario
    from sim.simulation.story import replay, to_json, to_text

    scenario = load_scenario(args.file, args.overrides)
    model = replay(scenario, args.seed, args.run)
    if args.json:
        print(json.dumps(to_json(model), indent=1, allow_nan=False))
    else:
        print(to_text(model), end="")
    return 0
