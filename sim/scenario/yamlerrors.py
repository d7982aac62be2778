"""YAML syntax errors in plain words, at the line to fix.

PyYAML says where its parser gave up, in its own terms (``expected <block end>, but
found '<block mapping start>'``). The common mistakes in a hand-written file each leave
a recognisable trace; this module names the mistake, and the line where it is, from
the error and the text around it. Anything it does not recognise keeps PyYAML's words.
"""

from __future__ import annotations

import re

import yaml

#: A ``key:`` at the start of a line: a plain or quoted key, then a colon ending the
#: line or followed by a space.
_KEY = re.compile(r"""^\s*(?:-\s+)?(?:"[^"]*"|'[^']*'|[^\s#'"][^#]*?)\s*:(?:\s|$)""")


class _Lines:
    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()

    def text(self, line: int) -> str:
        """The text of a 1-based line ('' past the end)."""
        return self.lines[line - 1] if 0 < line <= len(self.lines) else ""

    def indent(self, line: int) -> int:
        text = self.text(line)
        return len(text) - len(text.lstrip(" "))

    def previous(self, line: int) -> int | None:
        """The nearest line above with content (not blank, not only a comment)."""
        for n in range(line - 1, 0, -1):
            stripped = self.text(n).strip()
            if stripped and not stripped.startswith("#"):
                return n
        return None


def _no_space_after_colon(text: str) -> bool:
    return bool(re.search(r"^\s*(?:-\s+)?[A-Za-z_][\w-]*:[^\s:]", text))


def _key_only(text: str) -> bool:
    """A line that opens a mapping or list below it: ``key:`` and nothing else."""
    return bool(re.fullmatch(r"\s*(?:-\s+)?[^#]*:\s*(?:#.*)?", text))


def explain(exc: yaml.MarkedYAMLError, text: str) -> tuple[int | None, str]:
    """The line to fix and what is wrong there, in words."""
    lines = _Lines(text)
    problem = exc.problem or ""
    context = exc.context or ""
    at = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
    start = exc.context_mark.line + 1 if exc.context_mark is not None else None
    try:
        found = _recognise(lines, problem, context, at, start, exc)
    except (IndexError, ValueError):  # marks past the text: PyYAML's own words, then
        found = None
    if found is not None:
        return found
    return _pyyaml_words(exc)


def _recognise(
    lines: _Lines,
    problem: str,
    context: str,
    at: int | None,
    start: int | None,
    exc: yaml.MarkedYAMLError,
) -> tuple[int | None, str] | None:
    if "'\\t'" in problem:
        return at, (
            "a tab character: YAML indents and separates with spaces only;"
            " replace the tab with spaces"
        )
    if "quoted scalar" in context and start is not None:
        quote = lines.text(start)[exc.context_mark.column] if exc.context_mark else '"'
        return start, (
            f"an unclosed quote ({quote}) starting at line {start}:"
            f" end the text with {quote} on the line where it belongs"
        )
    if context.startswith("while parsing a flow") and start is not None and at is not None:
        opening, closing = ("[", "]") if "sequence" in context else ("{", "}")
        if "<stream end>" in problem or at != start:
            still = f" (still open at line {at})" if at != start else ""
            return start, (
                f"an unclosed {opening!r} starting at line {start}{still}:"
                f" close it with {closing!r}"
            )
        got = re.search(r"but got '(.)'$", problem)
        if got is not None and got.group(1) in "]}" and got.group(1) != closing:
            return at, f"{opening!r} is closed with {got.group(1)!r}: close it with {closing!r}"
        return None
    if "could not find expected ':'" in problem and start is not None:
        return start, _missing_colon(lines.text(start))
    if problem == "mapping values are not allowed here" and at is not None:
        return _mapping_values(lines, at, exc)
    if context == "while parsing a block mapping" and at is not None:
        if "'-'" in problem:
            return at, (
                f"a list item ('- ') among the keys of the mapping that starts at line {start}:"
                " one indentation holds either 'key: value' lines or '- ' items, not both"
            )
        if "<block sequence start>" in problem:
            above = lines.previous(at)
            return at, (
                f"a list ('- ' items) where the mapping above expects a key: if it is the"
                f" value of the key on line {above}, leave nothing after that key's colon"
            )
        if "<block mapping start>" in problem:
            return at, _indented_less(lines, at)
        if "<scalar>" in problem and re.search(
            r"""^[^'"#]*:\s*(['"]).*?\1\s*[^\s#]""", lines.text(at)
        ):
            return at, "text after a closing quote: put the whole value inside the quotes"
        if "']'" in problem or "'}'" in problem:
            return at, "a closing bracket with no opening one: remove it, or quote the value"
    if context == "while parsing a block collection" and at is not None and "'?'" in problem:
        return at, (
            f"a key among the items of the list that starts at line {start}: start it with"
            " '- ' to make it an item, or indent it under the item it belongs to"
        )
    if "cannot start any token" in problem and at is not None:
        char = re.search(r"found character '(.*?)'", problem)
        shown = char.group(1) if char else "this character"
        return at, f"a value cannot start with '{shown}': put the value in quotes"
    if "expected a single document" in context:
        return at, "a second document ('---'): a scenario file holds exactly one"
    if "found undefined alias" in problem:
        name = problem.rsplit(" ", 1)[-1].strip("'")
        return at, f"*{name} refers to no anchor: mark the value it stands for with &{name}"
    return None


def _missing_colon(text: str) -> str:
    if _no_space_after_colon(text):
        return "a colon must be followed by a space: write 'key: value'"
    return "this line has no colon after its key: write 'key: value'"


def _mapping_values(lines: _Lines, at: int, exc: yaml.MarkedYAMLError) -> tuple[int, str]:
    text = lines.text(at)
    column = exc.problem_mark.column if exc.problem_mark is not None else 0
    key = _KEY.match(text)
    if key is not None and key.end() <= column:
        return at, (
            "a colon followed by a space inside a value: put the value in quotes"
            ' (title: "Talks: round two")'
        )
    above = lines.previous(at)
    if above is not None and lines.indent(above) <= lines.indent(at):
        above_text = lines.text(above)
        if _no_space_after_colon(above_text):
            return above, "a colon must be followed by a space: write 'key: value'"
        if not _KEY.match(above_text) and not above_text.lstrip().startswith("- "):
            return above, "this line has no colon after its key: write 'key: value'"
        if lines.indent(above) < lines.indent(at) and not _key_only(above_text):
            return at, (
                f"this line is indented more than the mapping above it expects (line {above}"
                " already has its value): indent it like the keys beside it"
            )
    return at, "this line is indented more than the mapping above it expects"


def _indented_less(lines: _Lines, at: int) -> str:
    levels: list[int] = []  # the indentation of each key that this line could belong to
    line = lines.previous(at)
    while line is not None and (not levels or levels[-1] > 0):
        if not levels or lines.indent(line) < levels[-1]:
            levels.append(lines.indent(line))
        line = lines.previous(line)
    shown = ", ".join(str(n) for n in levels)
    return (
        f"this line is indented {_spaces(lines.indent(at))}, which lines it up with no key"
        f" above it (those are indented {shown}): indent it like the keys it belongs with"
    )


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"


def _pyyaml_words(exc: yaml.MarkedYAMLError) -> tuple[int | None, str]:
    # a token the scanner cannot finish is wrong where it starts; the parser fails
    # where the structure breaks
    marks = [exc.problem_mark, exc.context_mark]
    if isinstance(exc, yaml.scanner.ScannerError):
        marks.reverse()
    mark = next((m for m in marks if m is not None), None)
    line = mark.line + 1 if mark is not None else None
    context = exc.context
    if context and exc.context_mark is not None and exc.context_mark.line + 1 != line:
        context += f" (from line {exc.context_mark.line + 1})"
    return line, " ".join(str(part) for part in (context, exc.problem) if part)
