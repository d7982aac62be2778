"""The ``negsim`` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from sim.cli import analyze, batch, compare, plot, run, schema, ui, validate
from sim.scenario.problems import ScenarioError

#: Exit code for bad input (a scenario, an override, an argument).
BAD_INPUT = 2

_COMMANDS = (validate, analyze, run, batch, compare, plot, ui, schema)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="negsim",
        description="Simulate multi-party negotiations in which every party has red lines.",
    )
    from sim import __version__

    parser.add_argument("--version", action="version", version=f"negsim {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for command in _COMMANDS:
        command.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.handler(args)
    except ScenarioError as exc:
        for line in exc.lines():
            print(line, file=sys.stderr)
        return BAD_INPUT
    except BrokenPipeError:  # `negsim analyze ... | head`
        sys.stderr.close()
        return 0
    except OSError as exc:  # a folder that cannot be written, a disk that is full, ...
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return BAD_INPUT
    return code


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
