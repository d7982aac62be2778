"""Numbers and sizes: hostile values get clear errors, limits are stated (9.19, 14.15)."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.scenario.models import MAX_DEADLINE, MAX_ISSUES, MAX_OPTIONS, MAX_PARTIES
from sim.scenario.yamlsource import parse_scalar, parse_yaml
from tests.scenario.helpers import Files, where

# --- how numbers are written --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("3e-1", 0.3), ("3E-1", 0.3), ("1e5", 1e5), ("1.0e5", 1e5), ("-2.5e+3", -2500.0)],
)
def test_exponents_read_as_numbers(text: str, value: float) -> None:
    # YAML 1.1 (PyYAML) read these as text: its floats need a dot and a signed exponent
    assert parse_scalar(text) == value


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_float_python_writes_reads_back(value: float) -> None:
    for text in (repr(value), f"{value:.17e}", f"{value:.17E}"):
        assert parse_scalar(text) == value


@pytest.mark.parametrize("text", ["3e", "e3", "1e-", "3e-1x", "1.2.3e4"])
def test_what_is_not_a_number_stays_text(text: str) -> None:
    assert parse_scalar(text) == text


def test_a_reservation_in_exponent_form(files: Files) -> None:
    w = files.scenario(("reservation: 0.3", "reservation: 3e-1"))
    assert w.load().parties["north"].reservation == 0.3


def test_a_set_in_exponent_form(files: Files) -> None:
    scenario = files.scenario().load("parties.north.reservation=3e-1")
    assert scenario.parties["north"].reservation == 0.3


def test_a_whole_number_in_exponent_form_where_an_integer_is_wanted(files: Files) -> None:
    w = files.scenario(("deadline: 10", "deadline: 1e3"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("deadline"), "deadline")
    assert problem.message == "expected a whole number: write 1000 (got 1000.0)"


# --- hostile numbers ----------------------------------------------------------------------


def test_a_number_too_large_for_a_float_is_an_error_not_infinity(files: Files) -> None:
    w = files.scenario(("reservation: 0.3", "reservation: 1e400"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("1e400"), "parties.north.reservation")
    assert problem.message == "1e400 is too large for a number (it would be infinite)"


def test_a_negative_number_too_large(files: Files) -> None:
    w = files.scenario(("exponent: 0.3", "exponent: -1.5e999"))
    assert w.problem().message == "-1.5e999 is too large for a number (it would be infinite)"


def test_nan_is_an_error(files: Files) -> None:
    w = files.scenario(("credibility: 0.9", "credibility: .nan"))
    problem = w.problem()
    assert where(problem)[2] == "parties.north.red_lines[0].credibility"
    assert problem.message == "Input should be a finite number (got nan)"


def test_an_integer_of_thousands_of_digits_is_an_error_not_a_traceback() -> None:
    _, problems = parse_yaml("deadline: 1" + "0" * 5000 + "\n", "f.yaml")
    assert [str(p) for p in problems] == [
        "f.yaml:1: deadline: a number of 5,001 characters is too large"
    ]


def test_a_huge_integer_weight_is_not_quoted_in_full(files: Files) -> None:
    w = files.scenario(("security: 2}", "security: 1" + "0" * 400 + "}"))
    problem = w.problem()
    assert problem.message == "a number of 401 digits is too large for a number"


def test_weights_whose_sum_is_infinite(files: Files) -> None:
    w = files.scenario(("{ceasefire: 1, security: 2}", "{ceasefire: 1e308, security: 1e308}"))
    problem = w.problem()
    assert where(problem)[2] == "parties.north.weights"
    assert "their sum is not a finite number" in problem.message


def test_a_deadline_of_zero(files: Files) -> None:
    w = files.scenario(("deadline: 10", "deadline: 0"))
    assert w.problem().message == "Input should be greater than or equal to 1 (got 0)"


def test_a_deadline_of_a_billion(files: Files) -> None:
    w = files.scenario(("deadline: 10", "deadline: 1000000000"))
    assert w.problem().message == (
        f"Input should be less than or equal to {MAX_DEADLINE} (got 1000000000)"
    )


def test_the_longest_deadline_is_accepted(files: Files) -> None:
    w = files.scenario(("deadline: 10", f"deadline: {MAX_DEADLINE}"))
    assert w.load().deadline == MAX_DEADLINE


# --- sizes --------------------------------------------------------------------------------


def many_parties(n: int) -> str:
    lines = [
        "id: many",
        "title: Many parties",
        "deadline: 5",
        "protocol: alternating",
        "issues:",
        "  a: {options: {x: X, y: Y}}",
        "parties:",
    ]
    for k in range(n):
        signs = "true" if k == 0 else "false"
        lines.append(
            f"  p{k}: {{signs: {signs}, reservation: 0.1, weights: {{a: 1}},"
            " values: {a: {x: 0, y: 1}}}"
        )
    return "\n".join(lines) + "\n"


def many_options(n: int) -> str:
    options = ", ".join(f"o{k}: O" for k in range(n))
    values = ", ".join(f"o{k}: 0.5" for k in range(n))
    return (
        "id: many\ntitle: Many options\ndeadline: 5\nprotocol: alternating\n"
        f"issues:\n  a:\n    options: {{{options}}}\n"
        "parties:\n  p:\n    signs: true\n    reservation: 0.1\n    weights: {a: 1}\n"
        f"    values:\n      a: {{{values}}}\n"
    )


def test_ten_thousand_parties_are_refused_in_bounded_time(files: Files) -> None:
    # CPU time, not the wall clock: on a shared machine the clock also counts others' work.
    w = files.write(many_parties(10_000))
    start = time.process_time()
    problem = w.problem()
    assert time.process_time() - start < 30
    assert where(problem) == ("scenario.yaml", w.line("parties:"), "parties")
    assert problem.message == f"at most {MAX_PARTIES:,} entries here (got 10,000)"


def test_the_most_parties_are_accepted(files: Files) -> None:
    assert len(files.write(many_parties(MAX_PARTIES)).load().parties) == MAX_PARTIES


def test_too_many_options(files: Files) -> None:
    w = files.write(many_options(MAX_OPTIONS + 1))
    problem = w.problem()
    assert where(problem)[2] == "issues.a.options"
    assert problem.message == f"at most {MAX_OPTIONS:,} entries here (got {MAX_OPTIONS + 1:,})"


def test_ten_thousand_options_load_in_bounded_time(files: Files) -> None:
    w = files.write(many_options(10_000))
    start = time.process_time()
    assert len(w.load().issues["a"].options) == 10_000
    assert time.process_time() - start < 30


def test_too_many_issues(files: Files) -> None:
    issues = "".join(f"  i{k}: {{options: {{x: X}}}}\n" for k in range(MAX_ISSUES + 1))
    w = files.write(
        "id: many\ntitle: t\ndeadline: 5\nprotocol: alternating\nissues:\n"
        + issues
        + "parties:\n  p: {signs: true, reservation: 0, weights: {i0: 1}, values: {i0: {x: 1}}}\n"
    )
    problem = w.problem()
    assert where(problem)[2] == "issues"
    assert problem.message == f"at most {MAX_ISSUES:,} entries here (got {MAX_ISSUES + 1:,})"


# --- names that look alike ----------------------------------------------------------------


def test_a_homoglyph_in_a_set_path_is_shown_escaped_with_a_did_you_mean(files: Files) -> None:
    problem = files.scenario().problem("parties.n\u043erth.reservation=0.5")
    assert problem.message == (
        "parties has no 'n\\u043erth' (not plain ASCII: U+043E CYRILLIC SMALL LETTER O)"
        " (has: north, south, guarantor, broker); did you mean 'north'?"
    )


def test_a_homoglyph_in_a_file_is_shown_escaped(files: Files) -> None:
    w = files.scenario(("mediator: broker", "mediator: br\u043eker"))
    messages = [p.message for p in w.problems()]
    assert any(
        m.startswith("unknown party 'br\\u043eker' (not plain ASCII: U+043E CYRILLIC")
        and m.endswith("did you mean 'broker'?")
        for m in messages
    ), messages


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1e400", "1e400 is too large for a number (it would be infinite)"),
        (".nan", "Input should be a finite number (got nan)"),
        ("-.inf", "Input should be a finite number (got -inf)"),
    ],
)
def test_a_hostile_number_given_with_set(files: Files, value: str, message: str) -> None:
    problem = files.scenario().problem(f"parties.north.reservation={value}")
    assert problem.origin.file == f"--set parties.north.reservation={value}"
    assert problem.message == message


def test_a_message_lists_at_most_thirty_names(files: Files) -> None:
    w = files.write(many_parties(MAX_PARTIES))
    problem = w.problem("parties.q5.signs=true")
    assert problem.message.startswith("parties has no 'q5' (has: p0, p1, p2,")
    assert ", p29, ... (970 more))" in problem.message
    assert len(problem.message) < 300
