"""Quotes checked against the scenario's source document.

A quote stands in its source verbatim, up to white space and typography (curly quotes,
dashes). ``...`` or ``…`` (also in brackets, ``[...]``) marks an omission: the parts
around it must each stand in the source, in the order given. A quote that is not found
is reported with the sentence of the source that comes closest to it (difflib).
"""

from __future__ import annotations

import difflib
import heapq
import re
from dataclasses import dataclass
from pathlib import Path

_TYPOGRAPHY = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})

#: An omission in a quote: three dots (or more: a full stop before them) or an ellipsis,
#: bare or in brackets.
_OMISSION = re.compile(r"\[\s*(?:\.{3,}|…)\s*\]|\.{3,}|…")

#: The end of a sentence: its closing mark (and any closing quote or bracket) before
#: white space, or a blank line.
_SENTENCE_END = re.compile(r"""[.!?…]+["'”’)\]]*(?=\s)|\n[ \t]*\n""")

#: Longest sentence shown in a message.
_SHOWN = 160


def normalise_quote(text: str) -> str:
    """Fold white space and typographic quotes and dashes, so a quote matches its source."""
    return re.sub(r"\s+", " ", text.translate(_TYPOGRAPHY)).strip()


def find_source(source: str, start: Path) -> Path | None:
    """Find a source document relative to the scenario's folder or one of its ancestors.

    The first path that exists is the one meant, even when it cannot be read: reading
    reports what is wrong with it rather than looking further.
    """
    for folder in [start.resolve(), *start.resolve().parents]:
        candidate = folder / source
        if candidate.exists() or candidate.is_symlink():
            return candidate
    return None


@dataclass(frozen=True)
class Sentence:
    """One sentence of the source: the line it starts on and its folded text."""

    line: int
    text: str


class Source:
    """A source document, folded once, against which quotes are checked."""

    def __init__(self, name: str, text: str) -> None:
        self.name = name
        self.text = normalise_quote(text)
        self._raw = text
        self._sentences: list[Sentence] | None = None

    def sentences(self) -> list[Sentence]:
        """The sentences of the source, in order (computed when first needed)."""
        if self._sentences is None:
            out: list[Sentence] = []
            start, line = 0, 1
            for end in [m.end() for m in _SENTENCE_END.finditer(self._raw)] + [len(self._raw)]:
                piece = self._raw[start:end]
                stripped = piece.lstrip()
                first = line + piece[: len(piece) - len(stripped)].count("\n")
                if stripped:
                    out.append(Sentence(first, normalise_quote(stripped)))
                line += piece.count("\n")
                start = end
            self._sentences = out
        return self._sentences

    def closest(self, part: str) -> Sentence | None:
        """The sentence most like ``part`` (difflib's ratio, after a quick first cut)."""
        sentences = self.sentences()
        if not sentences:
            return None
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(part)

        def quick(sentence: Sentence) -> float:
            matcher.set_seq1(sentence.text)
            return matcher.quick_ratio()

        shortlist = heapq.nlargest(20, sentences, key=quick)

        def ratio(sentence: Sentence) -> float:
            matcher.set_seq1(sentence.text)
            return matcher.ratio()

        return max(shortlist, key=ratio)

    def check(self, quote: str) -> str | None:
        """None if the quote stands in the source; else what is wrong, in words."""
        parts = [p for p in (normalise_quote(p) for p in _OMISSION.split(quote)) if p]
        if not parts:
            return "a quote of nothing but an omission (...)"
        at = 0
        for n, part in enumerate(parts):
            found = self.text.find(part, at)
            if found >= 0:
                at = found + len(part)
                continue
            if len(parts) == 1:
                message = f"quote not found verbatim in {self.name}"
            elif self.text.find(part) >= 0:
                return (
                    f"quote not found in {self.name}: its part {_shown(part)} stands there,"
                    " but before the part that precedes it in the quote (the parts around"
                    " '...' must appear in order)"
                )
            else:
                message = (
                    f"quote not found in {self.name}: its part {n + 1} of {len(parts)},"
                    f" {_shown(part)}, is not there"
                )
            closest = self.closest(part)
            if closest is not None:
                message += f"; the closest sentence (line {closest.line}): {_shown(closest.text)}"
            return message
        return None


def _shown(text: str) -> str:
    if len(text) > _SHOWN:
        text = text[: _SHOWN - 1].rstrip() + "…"
    return f"“{text}”"
