"""Words drawn in figures: capped in length where drawn, wrapped between words.

A label (an option, an issue, a party, a sweep value) can be any length in a scenario
file; a figure draws at most :data:`LABEL_LIMIT` characters of it and ends a cut label
with an ellipsis, so a long label costs neither time nor memory nor a giant image.
"""

from __future__ import annotations

import re

#: The most characters of one label drawn in a figure (a cut label ends with "…").
LABEL_LIMIT = 60


def cap(text: str, limit: int = LABEL_LIMIT) -> str:
    """``text`` cut to at most ``limit`` characters, ending with "…" when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + "…"


#: Where a line may break: after a space, a hyphen, a dot, "/" or ",".
_PIECES = re.compile(r"[^\s\-./,]+[\s\-./,]*|[\s\-./,]+")


def wrap(text: str, width: int, limit: int = LABEL_LIMIT) -> str:
    """``text`` capped, then wrapped at ``width``, never inside a word.

    Lines break between words or after a hyphen, dot, "/" or "," (so
    ``ukraine-2025-08-de-jure`` can break at its hyphens); a word longer than ``width``
    keeps a line of its own.
    """
    lines: list[str] = []
    current = ""
    for text_line in cap(text, limit).splitlines() or [""]:
        for piece in _PIECES.findall(text_line):
            if current and len((current + piece).rstrip()) > width:
                lines.append(current.rstrip())
                current = piece.lstrip()
            else:
                current += piece
        lines.append(current.rstrip())
        current = ""
    return "\n".join(lines)


def plural(n: int, one: str, many: str | None = None) -> str:
    """``n`` and the noun, singular for exactly one: "1 rarer deal", "2 rarer deals"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"
