"""The ``negsim`` command line.

Start-up time matters (``negsim validate`` runs in editors and pre-commit hooks), so
nothing heavy is imported here: only the chosen command's module is imported and its
parser built; the others are listed by name and summary for ``negsim --help``. Each
command's module imports what its handler needs (Mesa, pandas, matplotlib, ...) when
the handler runs.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import warnings
from collections.abc import Collection, Sequence
from typing import Any

from sim.cli.common import Parser

#: Exit code for bad input (a scenario, an override, an argument).
BAD_INPUT = 2

#: Every command in the order of ``negsim --help``: its module and one-line summary
#: (the summary the module's own ``register`` gives; a test checks that they agree).
COMMANDS: dict[str, tuple[str, str]] = {
    "new": ("sim.cli.new", "write a small, commented scenario to start from"),
    "validate": ("sim.cli.validate", "check scenario files"),
    "analyze": ("sim.cli.analyze", "which agreements can form at all"),
    "run": ("sim.cli.run", "one negotiation, round by round"),
    "batch": ("sim.cli.batch", "run many negotiations"),
    "export": ("sim.cli.export", "a batch's rows as one .csv or .parquet file"),
    "plot": ("sim.cli.plot", "figures of a batch's outcomes"),
    "compare": ("sim.cli.compare", "what changed between two batches"),
    "sensitivity": ("sim.cli.sensitivity", "which inputs the chance of a deal depends on"),
    "discover": ("sim.cli.discover", "which conditions give a deal (scenario discovery, PRIM)"),
    "ui": ("sim.cli.ui", "an interactive page: tweak red lines, watch the rounds"),
    "schema": ("sim.cli.schema", "print the JSON Schema of scenario files"),
}


class _Version(argparse.Action):
    """``--version``, reading the installed version only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, argparse.SUPPRESS, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kwargs: Any) -> None:
        from sim import __version__

        parser.exit(message=f"negsim {__version__}\n")


def build_parser(built: Collection[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser; the commands in ``built`` (default: all) with their options."""
    parser = Parser(
        prog="negsim",
        description="Simulate multi-party negotiations in which every party has red lines.",
    )
    parser.add_argument("--version", action=_Version, help="print the version and exit")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module, summary) in COMMANDS.items():
        if built is None or name in built:
            importlib.import_module(module).register(commands)
        else:
            commands.add_parser(name, help=summary)
    return parser


def _command(argv: Sequence[str]) -> str | None:
    """The command named on the command line, if it is one (before it: only options)."""
    for arg in argv:
        if not arg.startswith("-"):
            return arg if arg in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command(argv)
    # With no known command, argparse prints the usage or the list of commands.
    args = build_parser([command] if command else []).parse_args(argv)
    from sim.scenario.problems import ScenarioError

    try:
        with warnings.catch_warnings():
            warnings.showwarning = _show_warning
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


def _show_warning(message: Any, *_: Any, **__: Any) -> None:
    """A warning (a results folder's file set aside, say) as one `warning: ...` line."""
    print(f"warning: {message}", file=sys.stderr)


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
