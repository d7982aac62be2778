"""``negsim validate FILE...``: check scenario files and report every problem."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.cli.common import add_overrides


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "validate",
        help="check scenario files",
        description="Check scenario files; print every problem as FILE:LINE: path: what is wrong.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    add_overrides(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Validate each file; exit 2 if any has a problem."""
    from sim.scenario import ScenarioError, load_scenario
    from sim.space import outcome_count

    problems: list[str] = []
    for file in args.files:
        try:
            scenario = load_scenario(file, args.overrides)
        except ScenarioError as exc:
            problems += exc.lines()
            continue
        print(
            f"ok: {file}: {scenario.id}: {len(scenario.parties)} parties, "
            f"{len(scenario.issues)} issues, {outcome_count(scenario):,} outcomes, "
            f"{sum(len(p.red_lines) for p in scenario.parties.values())} red lines"
        )
    for line in problems:
        print(line, file=sys.stderr)
    return 2 if problems else 0
