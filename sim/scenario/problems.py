"""Problems found in scenario files, each tied to a file, a line and a dotted path."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

type PathElem = str | int
type DataPath = tuple[PathElem, ...]


@dataclass(frozen=True, order=True)
class Origin:
    """Where a value came from: a file and a 1-based line, or a command-line override."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


def dotted(path: Sequence[PathElem]) -> str:
    """Render a data path as users write it: ``parties.russia.red_lines[0].forbid``."""
    out = ""
    for elem in path:
        if isinstance(elem, int):
            out += f"[{elem}]"
        else:
            out += f".{elem}" if out else elem
    return out


def shown(name: str) -> str:
    r"""A name quoted for a message; one that is not plain ASCII is shown escaped.

    ``'n\u043erth'`` (with a Cyrillic о) then differs visibly from ``'north'``.
    """
    if name.isascii():
        return repr(name)
    odd = sorted({c for c in name if not c.isascii()})
    what = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".rstrip() for c in odd[:3])
    return f"{name!a} (not plain ASCII: {what})"


def listing(names: Iterable[object], most: int = 30) -> str:
    """Names for a message, comma-separated; past ``most``, the count of the rest."""
    items = [str(n) for n in names]
    if len(items) <= most:
        return ", ".join(items)
    return ", ".join(items[:most]) + f", ... ({len(items) - most:,} more)"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: where it is and what is wrong."""

    origin: Origin
    path: DataPath
    message: str

    def __str__(self) -> str:
        where = dotted(self.path)
        if not where:
            return f"{self.origin}: {self.message}"
        return f"{self.origin}: {where}: {self.message}"


class ScenarioError(Exception):
    """Raised with every problem found in a scenario, so they can be reported in one go."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: list[Problem] = sorted(
            set(problems),
            key=lambda p: (p.origin.file, p.origin.line or 0, dotted(p.path), p.message),
        )
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type[ScenarioError], tuple[list[Problem]]]:
        # Pickled with its problems (not its message), so it crosses process boundaries.
        return (type(self), (self.problems,))

    def lines(self) -> list[str]:
        """Return one ``error: ...`` line per problem, as the command line prints them."""
        return [f"error: {p}" for p in self.problems]
