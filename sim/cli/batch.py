"""``negsim batch FILE...``: many negotiations, written to a folder, then summarised."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.batch import DEFAULT_BLOCK, Interrupted, execute, format_summary, plan_batch, summarise
from sim.cli.common import add_overrides, non_negative, positive


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "batch",
        help="run many negotiations",
        description="Run scenarios × sweep points × runs, one row per run, into DIR "
        "(manifest.json and runs/*.parquet). Running the same command again after a crash "
        "completes what is missing. A scenario's `batch:` section gives its runs, seed "
        "and sweeps unless the command line does.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--runs", type=positive, metavar="N", help="runs per scenario and point")
    parser.add_argument("--seed", type=non_negative, metavar="S", help="default 0")
    parser.add_argument("--out", required=True, metavar="DIR", help="the results folder")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=positive, metavar="W", help="local worker processes (default: cores)"
    )
    where.add_argument(
        "--scheduler", metavar="ADDRESS", help="a Dask scheduler, e.g. tcp://127.0.0.1:8786"
    )
    parser.add_argument(
        "--sweep",
        dest="sweeps",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="sweep a field over values (repeatable; points are all combinations)",
    )
    parser.add_argument(
        "--block",
        type=positive,
        default=DEFAULT_BLOCK,
        metavar="B",
        help=f"runs simulated together and written as one part (default {DEFAULT_BLOCK:,})",
    )
    parser.add_argument("--top", type=non_negative, default=3, metavar="K", help="deals listed")
    parser.add_argument("--quiet", action="store_true", help="no progress and no summary")
    add_overrides(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan, run what is missing, summarise."""
    plan = plan_batch(
        args.files,
        runs=args.runs,
        seed=args.seed,
        overrides=args.overrides,
        sweeps=args.sweeps,
        block=args.block,
    )
    try:
        report = execute(
            plan, args.out, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet
        )
    except Interrupted as stop:
        print(
            f"interrupted: {stop.done:,} of {stop.total:,} runs are written in {args.out};"
            " run the same command again to finish",
            file=sys.stderr,
        )
        return 130
    if not args.quiet:
        if report.skipped_runs:
            print(
                f"{report.skipped_runs:,} runs were already in {args.out};"
                f" ran the other {report.ran_runs:,}",
                file=sys.stderr,
            )
        print(format_summary(summarise(args.out, args.top)), end="")
        print(f"rows: {args.out}/runs/*.parquet (sim.load_results({args.out!r}))")
    return 0
