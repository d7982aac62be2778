"""Pieces shared by several commands: the parser class, its help format, argument types.

Nothing here imports more than the standard library: every command's parser is built
before its handler runs, and ``negsim validate`` must start fast.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import Any

#: Seeds and run ids are 64-bit unsigned words (the counter-based streams of sim/rng.py).
UINT64_LIMIT = 2**64


class HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Help that states every default, as ``(default: X)``, unless the text already does.

    Flags (``--json``), options without a default and empty repeatable options have
    nothing to state; numbers from 10,000 up are written with thousands separators.
    """

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        if "default" in text or not _has_default(action):
            return text
        return text + f" (default: {_show(action.default)})".replace("%", "%%")


def _has_default(action: argparse.Action) -> bool:
    default = action.default
    if default is None or default is argparse.SUPPRESS or action.nargs == 0:
        return False
    if isinstance(default, list | tuple) and not default:
        return False
    return bool(action.option_strings) or action.nargs in ("?", "*")


def _show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}"
    return str(value)


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` with :class:`HelpFormatter`, for negsim and every command."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)


def add_overrides(parser: argparse.ArgumentParser) -> None:
    """Add ``--set PATH=VALUE`` (repeatable)."""
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="PATH=VALUE",
        help="override a field, e.g. parties.russia.reservation=0.4 or "
        "parties.russia.red_lines.no_nato_troops.credibility=0.5 (repeatable)",
    )


def add_force(parser: argparse.ArgumentParser, what: str) -> None:
    """Add ``--force``: replace the output file(s) ``what`` if they exist."""
    parser.add_argument(
        "--force", action="store_true", help=f"replace {what} if it exists (refused otherwise)"
    )


def non_negative(text: str) -> int:
    """An argparse type: a whole number >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_short(text)!r} is not a whole number") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text} is negative")
    return value


def positive(text: str) -> int:
    """An argparse type: a whole number >= 1."""
    value = non_negative(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not at least 1")
    return value


_UNITS = {
    "": 1,
    "b": 1,
    "k": 10**3,
    "kb": 10**3,
    "kib": 2**10,
    "m": 10**6,
    "mb": 10**6,
    "mib": 2**20,
    "g": 10**9,
    "gb": 10**9,
    "gib": 2**30,
    "t": 10**12,
    "tb": 10**12,
    "tib": 2**40,
}


def memory_size(text: str) -> int:
    """An argparse type: a number of bytes, with an optional unit (512MiB, 2GiB, 1.5G)."""
    match = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*", text)
    unit = match.group(2).lower() if match else ""
    if match is None or unit not in _UNITS:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a size: write bytes or a number with a unit, e.g. 512MiB or 2GiB"
        )
    value = int(float(match.group(1)) * _UNITS[unit])
    if value < 64 * 2**20:
        raise argparse.ArgumentTypeError(f"{text} is less than 64MiB")
    return value


def uint64(text: str) -> int:
    """An argparse type: a seed or run id, a whole number in [0, 2**64)."""
    value = non_negative(text)
    if value >= UINT64_LIMIT:
        raise argparse.ArgumentTypeError(
            f"{_short(text)} is too large: seeds and run ids are whole numbers below 2**64,"
            f" at most {UINT64_LIMIT - 1}"
        )
    return value


def _short(text: str) -> str:
    return text if len(text) <= 40 else text[:37] + "..."


def whole_in(low: int, high: int) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high``, or a clear message."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"expected {low} to {high}, got {value}")
        return value

    return parse
