"""``negsim ui [FILE]``: the interactive page, served locally by Solara."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from sim.cli.common import positive
from sim.scenario import load_scenario


def register(commands: Any) -> None:
    """Add the subcommand."""
    parser = commands.add_parser(
        "ui",
        help="an interactive page: tweak red lines, watch the rounds",
        description="Serve the interactive page on this machine: pick a scenario, switch red "
        "lines off and set credibilities, reservation values and strategies; the agreement "
        "zone updates at once; step a negotiation round by round; run a quick batch. "
        "Works offline: every front-end asset is served locally.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="the scenario to open first")
    parser.add_argument("--port", type=positive, default=8765, metavar="P", help="default 8765")
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)"
    )
    parser.set_defaults(handler=run)


def command(file: str | None, port: int, host: str) -> tuple[list[str], dict[str, str]]:
    """The Solara command line and environment that serve the page."""
    env = {
        **os.environ,
        "SOLARA_CHECK_VERSION": "False",
        "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    }
    if file:
        env["NEGSIM_SCENARIO"] = str(Path(file))
    args = [
        sys.executable,
        "-m",
        "solara",
        "run",
        "sim.ui.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]
    return args, env


def run(args: argparse.Namespace) -> int:
    """Check the scenario, then serve the page until interrupted."""
    if args.file:
        from sim.space import check_size

        # bad input is reported here, with its lines, exit 2
        check_size(load_scenario(args.file))
    argv, env = command(args.file, args.port, args.host)
    print(f"negsim ui: http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
    try:
        return subprocess.call(argv, env=env)
    except KeyboardInterrupt:
        return 0
