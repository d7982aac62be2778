"""Quotes with omissions (``...``), and the closest sentence of a quote not found (9.11)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.quotes import Source, normalise_quote
from tests.scenario.helpers import SOURCE_TEXT, Files, where


def with_source() -> tuple[str, str]:
    return ("title: Test talks\n", "title: Test talks\nsource: source.txt\n")


def with_quote(quote: str) -> tuple[str, str]:
    return ("        credibility: 0.9\n", f"        credibility: 0.9\n        quote: {quote}\n")


@pytest.mark.parametrize(
    "quote",
    [
        '"North said that ... is off the table."',
        '"North said that … is off the table."',
        '"North said that [...] is off the table."',
        '"North said that [ … ] is off the table."',
        # an omission at either end, and two of them
        '"... any deal with foreign troops ..."',
        '"North said ... foreign troops ... guarantees come first"',
        # a full stop, then the omission
        '"is off the table.... South\'s position"',
        # across the line break and typography of the source
        '"South\'s position ... is that \\"guarantees come first\\""',
    ],
)
def test_a_quote_with_omissions_is_found(files: Files, quote: str) -> None:
    files.source()
    assert files.scenario(with_source(), with_quote(quote)).load().source == "source.txt"


def test_the_parts_must_appear_in_order(files: Files) -> None:
    files.source()
    w = files.scenario(with_source(), with_quote('"is off the table ... North said that"'))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("quote:"), "parties.north.red_lines[0].quote")
    assert problem.message == (
        "quote not found in source.txt: its part “North said that” stands there, but before"
        " the part that precedes it in the quote (the parts around '...' must appear in order)"
    )


def test_a_missing_part_is_named_with_the_closest_sentence(files: Files) -> None:
    files.source()
    w = files.scenario(with_source(), with_quote('"North said ... guarantees come last"'))
    assert w.problem().message == (
        "quote not found in source.txt: its part 2 of 2, “guarantees come last”, is not there;"
        " the closest sentence (line 2): “South's position - in its own words - is that"
        ' "guarantees come first".”'
    )


def test_a_quote_of_nothing_but_an_omission(files: Files) -> None:
    files.source()
    w = files.scenario(with_source(), with_quote('"..."'))
    assert w.problem().message == "a quote of nothing but an omission (...)"


SOURCE = """\
The talks opened in Geneva on Monday.
Delegates met for six hours. Nothing was agreed!

Russia has rejected the idea of a temporary truce, instead pushing for a comprehensive
peace treaty from the outset. Ukraine wants a ceasefire first?
"""


@pytest.mark.parametrize(
    ("quote", "line", "sentence"),
    [
        (
            "Russia has refused a temporary truce",
            4,
            "Russia has rejected the idea of a temporary truce, instead pushing for a"
            " comprehensive peace treaty from the outset.",
        ),
        ("Ukraine wants a truce first", 5, "Ukraine wants a ceasefire first?"),
        ("Nothing has been agreed", 2, "Nothing was agreed!"),
        ("The talks began in Geneva on Monday", 1, "The talks opened in Geneva on Monday."),
    ],
)
def test_the_closest_sentence_and_its_line(quote: str, line: int, sentence: str) -> None:
    source = Source("a.txt", SOURCE)
    assert source.check(quote) == (
        f"quote not found verbatim in a.txt; the closest sentence (line {line}): “{sentence}”"
    )


def test_a_long_closest_sentence_is_cut() -> None:
    source = Source("a.txt", "Words " * 200 + "end.")
    message = source.check("Words words")
    assert message is not None
    assert message.endswith("…”")
    assert len(message) < 250


def test_the_closest_sentence_of_a_long_source_is_found_quickly() -> None:
    text = " ".join(
        f"Sentence number {k} says something about item {k * 7}." for k in range(20_000)
    )
    source = Source("long.txt", text + " The parties agreed on a ceasefire in May.")
    start = time.perf_counter()
    message = source.check("The parties agreed to a ceasefire in May")
    assert time.perf_counter() - start < 10
    assert message is not None
    assert message.endswith("“The parties agreed on a ceasefire in May.”")


@settings(max_examples=300)
@given(
    st.lists(st.integers(0, len(SOURCE_TEXT)), min_size=4, max_size=4, unique=True).map(sorted),
    st.sampled_from(["...", "…", "[...]", " ... "]),
)
def test_any_two_pieces_in_order_are_found(cuts: list[int], mark: str) -> None:
    a, b, c, d = cuts
    first, second = SOURCE_TEXT[a:b], SOURCE_TEXT[c:d]
    if not normalise_quote(first) or not normalise_quote(second):
        return
    # a piece of punctuation alone is no quote: "." + "..." + "." reads as an omission
    if not any(ch.isalnum() for ch in first) or not any(ch.isalnum() for ch in second):
        return
    # a piece cut inside a run of white space is not a whole piece of the folded text
    if any(SOURCE_TEXT[i - 1 : i + 1].isspace() for i in (a, b, c, d) if 0 < i < len(SOURCE_TEXT)):
        return
    assert Source("s.txt", SOURCE_TEXT).check(f"{first}{mark}{second}") is None
