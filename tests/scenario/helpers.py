"""Helpers for tests of bad scenario input: a minimal valid scenario, edited one thing at a time.

The ``files`` fixture (conftest.py) writes into the test's tmp_path.
``files.scenario((old, new), ...)`` writes BASE with each ``old`` (which must occur exactly
once) replaced by ``new`` and returns a :class:`Written` file, which knows the line of any
text in it (``w.line("reservation: 1.5")``) and the problems its loading reports.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.scenario import Override, Problem, Scenario, ScenarioError, load_scenario
from sim.scenario.problems import dotted

#: A small valid scenario using every part of the format except uncertainty and events.
BASE = textwrap.dedent(
    """\
    id: test-talks
    title: Test talks
    deadline: 10
    protocol: mediated
    mediator: broker
    issues:
      ceasefire:
        label: When fighting stops
        options:
          truce: Ceasefire now
          treaty: Treaty first
      security:
        options:
          troops: {label: Foreign troops, needs: [guarantor]}
          none: No guarantees
    parties:
      north:
        label: North
        signs: true
        reservation: 0.3
        weights: {ceasefire: 1, security: 2}
        values:
          ceasefire: {truce: 0.0, treaty: 1.0}
          security: {troops: 0.0, none: 1.0}
        strategy: {type: boulware, exponent: 0.3}
        red_lines:
          - id: no_troops
            forbid: {security: [troops]}
            credibility: 0.9
      south:
        signs: true
        reservation: 0.2
        weights: {ceasefire: 1, security: 1}
        values:
          ceasefire: {truce: 1.0, treaty: 0.0}
          security: {troops: 1.0, none: 0.0}
        red_lines:
          - id: guarantees_required
            require: {security: [troops]}
      guarantor:
        reservation: 0.1
        weights: {security: 1}
        values:
          security: {troops: 1.0, none: 0.2}
      broker:
        reservation: 0.0
        weights: {ceasefire: 1}
        values:
          ceasefire: {truce: 0.8, treaty: 0.6}
    """
)

#: The text that the shipped source document of tests contains (for quotes).
SOURCE_TEXT = (
    "North said that any deal with foreign troops is off the table.\n"
    "South’s  position — in its own words —\nis that “guarantees come first”.\n"
)


def edit(text: str, *edits: tuple[str, str]) -> str:
    """Replace each ``old`` with ``new``; every ``old`` must occur exactly once."""
    for old, new in edits:
        assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
        text = text.replace(old, new)
    return text


def line_of(text: str, needle: str) -> int:
    """The 1-based line on which the one occurrence of ``needle`` starts."""
    assert text.count(needle) == 1, f"{needle!r} occurs {text.count(needle)} times"
    return text[: text.index(needle)].count("\n") + 1


def where(problem: Problem) -> tuple[str, int | None, str]:
    """A problem's file name (not its folder), line and dotted path."""
    return Path(problem.origin.file).name, problem.origin.line, dotted(problem.path)


@dataclass
class Written:
    """A scenario file written by a test, and what loading it says."""

    path: Path
    text: str

    def line(self, needle: str) -> int:
        """The line of ``needle`` in this file."""
        return line_of(self.text, needle)

    def load(self, *overrides: str | Override) -> Scenario:
        """Load the file; it must be valid."""
        return load_scenario(self.path, overrides)

    def problems(self, *overrides: str | Override) -> list[Problem]:
        """Load the file; it must be invalid. Returns every problem reported."""
        with pytest.raises(ScenarioError) as caught:
            load_scenario(self.path, overrides)
        assert caught.value.problems, "ScenarioError without problems"
        return caught.value.problems

    def problem(self, *overrides: str | Override) -> Problem:
        """Load the file; it must have exactly one problem, which is returned."""
        found = self.problems(*overrides)
        assert len(found) == 1, "\n".join(str(p) for p in found)
        return found[0]


@dataclass
class Files:
    """Writes scenario files (and a source document) into a test's tmp_path."""

    root: Path

    def write(self, text: str | bytes, name: str = "scenario.yaml") -> Written:
        """Write ``text`` (as is) to ``name`` under the root."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
            return Written(path, text.decode("utf-8", errors="replace"))
        path.write_text(text, encoding="utf-8")
        return Written(path, text)

    def scenario(
        self, *edits: tuple[str, str], append: str = "", name: str = "scenario.yaml"
    ) -> Written:
        """Write BASE with ``edits`` applied and ``append`` (dedented) added at the end."""
        return self.write(edit(BASE, *edits) + textwrap.dedent(append), name)

    def source(self, name: str = "source.txt", text: str = SOURCE_TEXT) -> Path:
        """Write the source document that quotes are checked against."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path


def messages(problems: Sequence[Problem]) -> list[str]:
    """The problems as the command line prints them, without ``error: ``."""
    return [str(p) for p in problems]
