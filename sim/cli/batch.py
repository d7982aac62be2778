"""``negsim batch FILE...``: many negotiations, written to a folder, then summarised."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sim.batch.plan import DEFAULT_BLOCK, DEFAULT_MEMORY, MAX_RUNS, SEED_LIMIT
from sim.cli.common import add_overrides, memory_size, non_negative, positive

#: Deals listed per scenario and point in the summary, unless told otherwise.
DEFAULT_TOP = 3


def runs_type(text: str) -> int:
    """An argparse type: runs per scenario and point, 1 to 10**9 (as a file's batch.runs)."""
    value = positive(text)
    if value > MAX_RUNS:
        raise argparse.ArgumentTypeError(
            f"{value:,} is more than the limit of {MAX_RUNS:,} runs per scenario and point"
        )
    return value


def seed_type(text: str) -> int:
    """An argparse type: a seed, a whole number below 2**64."""
    value = non_negative(text)
    if value >= SEED_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{value} is too large: seeds are whole numbers below 2**64 (at most {SEED_LIMIT - 1})"
        )
    return value


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "batch",
        help="run many negotiations",
        description="Run scenarios × sweep points × runs, one row per run, into DIR "
        "(manifest.json and runs/*.parquet). Running the same command again after a crash "
        "or a stop completes what is missing. A scenario's `batch:` section gives its runs, "
        "seed and sweeps unless the command line does. Ctrl-C or SIGTERM stops the batch "
        "within about 2 seconds, keeping every finished block (exit 130 after Ctrl-C, "
        "143 after SIGTERM).",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument(
        "--runs",
        type=runs_type,
        metavar="N",
        help=f"runs per scenario and sweep point, at most {MAX_RUNS:,} (default: the file's"
        " batch.runs, else 1,000)",
    )
    parser.add_argument(
        "--seed",
        type=seed_type,
        metavar="S",
        help="seed of the runs' random streams, below 2**64 (default: the file's batch.seed,"
        " else 0)",
    )
    parser.add_argument("--out", required=True, metavar="DIR", help="the results folder")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive,
        metavar="W",
        help="local worker processes (default: the cores this process may use)",
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler, e.g. tcp://127.0.0.1:8786 (default: none, local workers)",
    )
    parser.add_argument(
        "--sweep",
        dest="sweeps",
        action="append",
        default=[],
        metavar="PATH=V1,V2,...",
        help="sweep a field over values (repeatable; points are all combinations, at most"
        " 10,000; a path once, each value once, never id; default: the file's"
        " batch.sweeps, else none)",
    )
    parser.add_argument(
        "--block",
        type=positive,
        default=DEFAULT_BLOCK,
        metavar="B",
        help=f"runs simulated together and written as one part (default: {DEFAULT_BLOCK:,});"
        " refused if writing the part would take over half of a worker's memory (with"
        " thousands of red lines, whose rows are wide)",
    )
    parser.add_argument(
        "--memory",
        type=memory_size,
        default=DEFAULT_MEMORY,
        metavar="SIZE",
        help="memory one worker may use, e.g. 512MiB, 2GiB; a block is simulated in pieces"
        " that fit, with the same rows (default: 1GiB = 1,073,741,824 bytes)",
    )
    parser.add_argument(
        "--top",
        type=non_negative,
        default=DEFAULT_TOP,
        metavar="K",
        help=f"deals listed per scenario and point in the summary (default: {DEFAULT_TOP})",
    )
    parser.add_argument(
        "--design",
        choices=("sobol",),
        help="give each run a point of a sampling design over uncertainty.parameters instead"
        " of its random draw: sobol = SALib's Saltelli/Sobol' design, N * (D + 2) runs per"
        " scenario and point, read by `negsim sensitivity` (default: none, random draws)",
    )
    parser.add_argument(
        "--samples",
        type=positive,
        metavar="N",
        help="base samples of the design, a power of 2; the design makes N * (D + 2) runs"
        " (default: none; needed with --design)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress and no summary")
    add_overrides(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Plan, run what is missing, summarise; a stop signal ends it tidily."""
    try:
        from sim.batch.run import Interrupted, Stopped, stop_signals
        from sim.batch.work import WorkerError
    except KeyboardInterrupt:  # Ctrl-C while negsim starts: nothing was written
        print("interrupted (SIGINT) before the batch started; nothing was written", file=sys.stderr)
        return 130
    ran: list[bool] = []
    with stop_signals():
        try:
            return _run(args, ran)
        except Interrupted as stop:
            print(
                f"interrupted: {stop.done:,} of {stop.total:,} runs are written in {args.out};"
                " run the same command again to finish",
                file=sys.stderr,
            )
            return stop.exit_code
        except Stopped as stop:  # while planning (nothing written) or summarising (all is)
            when = (
                f"after the batch; every run is written in {args.out}"
                if ran
                else "before the batch started; nothing was written"
            )
            print(f"interrupted ({signal_name(stop.signum)}) {when}", file=sys.stderr)
            return 128 + stop.signum
        except WorkerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2


def signal_name(signum: int) -> str:
    """``SIGINT`` for 2, and so on."""
    import signal

    return signal.Signals(signum).name


def _run(args: argparse.Namespace, ran: list[bool]) -> int:
    from sim.batch import execute, format_summary, plan_batch, summarise

    design = None
    if args.design is not None or args.samples is not None:
        from sim.batch.design import Design
        from sim.batch.manifest import results_error

        if args.design is None or args.samples is None:
            given, needed = (
                ("--design", "--samples N") if args.design else ("--samples", "--design")
            )
            raise results_error(given, f"{given} needs {needed}")
        design = Design(args.design, args.samples)
    plan = plan_batch(
        args.files,
        runs=args.runs,
        seed=args.seed,
        overrides=args.overrides,
        sweeps=args.sweeps,
        block=args.block,
        memory=args.memory,
        design=design,
    )
    report = execute(
        plan, args.out, workers=args.workers, scheduler=args.scheduler, progress=not args.quiet
    )
    ran.append(True)
    if not args.quiet:
        if report.skipped_runs:
            print(
                f"{report.skipped_runs:,} runs were already in {args.out};"
                f" ran the other {report.ran_runs:,}",
                file=sys.stderr,
            )
        from sim.causes import summary_text

        print(format_summary(summarise(args.out, args.top)) + summary_text(args.out), end="")
        print(f"rows: {args.out}/runs/*.parquet (sim.load_results({args.out!r}))")
    return 0
