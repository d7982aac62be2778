"""``negsim ui [FILE]``: the interactive page, served in this process (see sim.ui.server)."""

from __future__ import annotations

import argparse
import contextlib
import signal
from types import FrameType
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
        "Works offline: every front-end asset is served locally. The page answers only "
        "requests addressed to the host and port it was started on and coming from itself.",
    )
    parser.add_argument("file", nargs="?", metavar="FILE", help="the scenario to open first")
    parser.add_argument("--port", type=_port, default=8765, metavar="P", help="default 8765")
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    parser.set_defaults(handler=run)


def _port(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    value = positive(text)
    if value > 65535:
        raise argparse.ArgumentTypeError(f"{text} is not a port (1 to 65535)")
    return value


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    """Check the scenario, then serve the page until SIGINT or SIGTERM."""
    if args.file:
        from sim.space import check_size

        # bad input is reported here, with its lines, exit 2
        check_size(load_scenario(args.file))
    from sim.ui.server import bind, serve

    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops the page as Ctrl-C does
    with contextlib.suppress(KeyboardInterrupt):
        sock = bind(args.host, args.port)  # a port in use: "error: HOST:PORT: ...", exit 2
        print(f"negsim ui: http://{args.host}:{args.port}/ (Ctrl-C to stop)", flush=True)
        serve(args.file, sock, args.host, args.port)
    print("negsim ui: stopped", flush=True)
    return 0
