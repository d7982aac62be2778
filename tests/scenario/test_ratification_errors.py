"""Validation of ratifiers and blocs (issue 13): every mistake names its file, line and path."""

from __future__ import annotations

import textwrap

import pytest

from sim.cli import main
from tests.scenario.helpers import Files, Written, where
from tests.scenario.test_errors import ERROR_LINE, event, uncertain, with_source

#: North's line, after which its ratification goes.
AFTER = "        credibility: 0.9\n"

#: North's assembly: its own red line, the party's weights and values.
ASSEMBLY = """\
    ratification:
      - id: assembly
        reservation: 0.4
        red_lines:
          - id: no_truce
            forbid: {ceasefire: [truce]}
"""


def ratifier(body: str = ASSEMBLY) -> tuple[str, str]:
    """The edit that gives north a ratification section (``body`` at party-field indent)."""
    return (AFTER, AFTER + textwrap.indent(textwrap.dedent(body), "    "))


def with_assembly(files: Files, *more: tuple[str, str], body: str = ASSEMBLY, append: str = ""):
    return files.scenario(ratifier(body), *more, append=append)


def one(w: Written, needle: str, path: str) -> str:
    """The one problem, which must be at ``needle``'s line and ``path``; its message."""
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line(needle), path), str(problem)
    return problem.message


def test_a_ratifier_and_a_bloc_load(files: Files) -> None:
    w = with_assembly(files, append="blocs:\n  pair: {members: [north, guarantor]}\n")
    scenario = w.load()
    assert [q.id for q in scenario.parties["north"].ratification] == ["assembly"]
    assert scenario.blocs["pair"].members == ["north", "guarantor"]


R = "parties.north.ratification[0]"


@pytest.mark.parametrize(
    ("body", "needle", "path", "message"),
    [
        (
            "weights: {ceasfire: 1}",
            "ceasfire",
            f"{R}.weights.ceasfire",
            "unknown issue 'ceasfire' (known: ceasefire, security); did you mean 'ceasefire'?",
        ),
        (
            "values: {ceasefire: {truce: 0.5, treaty: 0.5, armistice: 1}}",
            "armistice",
            f"{R}.values.ceasefire.armistice",
            "unknown option 'armistice' (known: truce, treaty)",
        ),
        (
            "values: {security: {troops: 1.0}}",
            "values: {security",
            f"{R}.values.security",
            "north.assembly weighs 'security' but gives no value for: none",
        ),
        (
            "weights: {ceasefire: 1}\nvalues: {security: {troops: 1.0, none: 0.0}}",
            "values: {security",
            f"{R}.values.security",
            "values for 'security', which its weights do not list",
        ),
        (
            "weights: {ceasefire: 0, security: 0}",
            "weights: {ceasefire: 0",
            f"{R}.weights",
            "weights must not all be zero",
        ),
    ],
)
def test_a_ratifiers_preferences(
    files: Files, body: str, needle: str, path: str, message: str
) -> None:
    w = with_assembly(
        files,
        body=ASSEMBLY.replace(
            "reservation: 0.4\n", "reservation: 0.4\n" + textwrap.indent(body + "\n", " " * 8)
        ),
    )
    assert one(w, needle, path) == message


def test_values_default_issue_by_issue_to_the_partys(files: Files) -> None:
    # its own values on ceasefire; north's on security: complete, nothing to report
    body = ASSEMBLY.replace(
        "reservation: 0.4", "reservation: 0.4\n        values: {ceasefire: {truce: 1, treaty: 0}}"
    )
    scenario = with_assembly(files, body=body).load()
    north = scenario.parties["north"]
    _, values = north.ratifier_preferences(north.ratification[0])
    assert values == {
        "ceasefire": {"truce": 1.0, "treaty": 0.0},
        "security": north.values["security"],
    }


def test_own_weights_on_an_issue_the_party_gives_no_values_needs_values(files: Files) -> None:
    # the guarantor weighs only security; its ratifier weighs ceasefire too
    w = files.scenario(
        (
            "      security: {troops: 1.0, none: 0.2}\n",
            "      security: {troops: 1.0, none: 0.2}\n"
            "    ratification:\n"
            "      - {id: senate, reservation: 0.1, weights: {security: 1, ceasefire: 1}}\n",
        ),
    )
    assert one(w, "id: senate", "parties.guarantor.ratification[0].weights.ceasefire") == (
        "guarantor.senate weighs 'ceasefire' but gives no value for: truce, treaty"
    )


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "forbid: {ceasefire: [truce]}",
            "forbid: {ceasefire: [truse]}",
            f"{R}.red_lines[0].forbid.ceasefire[0]",
            "unknown option 'truse' (known: truce, treaty); did you mean 'truce'?",
        ),
        (
            "forbid: {ceasefire: [truce]}",
            "forbid: {ceasefire: [truce]}\n      - {id: no_truce, require: {security: [none]}}",
            f"{R}.red_lines[1].id",
            "red line id 'no_truce' is used twice",
        ),
        (
            "forbid: {ceasefire: [truce]}",
            "forbid: {ceasefire: [truce]}\n        audience_cost: 0.1",
            f"{R}.red_lines[0].audience_cost",
            "a ratifier does not back down: its red lines have no audience cost (give"
            " audience_cost to a party's red line)",
        ),
    ],
)
def test_a_ratifiers_red_lines(files: Files, old: str, new: str, path: str, message: str) -> None:
    w = with_assembly(files, body=ASSEMBLY.replace(old, new.replace("\n", "\n    ")))
    assert one(w, new.strip().splitlines()[-1].strip(), path) == message


def test_ratifier_ids_are_unique_and_differ_from_the_partys_lines(files: Files) -> None:
    body = (
        ASSEMBLY
        + "      - {id: assembly, reservation: 0.1}\n"
        + "      - {id: no_troops, reservation: 0.1}\n"
    )
    w = with_assembly(files, body=body)
    assert [(where(p), p.message) for p in w.problems()] == [
        (
            ("scenario.yaml", w.line("{id: assembly"), "parties.north.ratification[1].id"),
            "ratifier id 'assembly' is used twice",
        ),
        (
            ("scenario.yaml", w.line("{id: no_troops"), "parties.north.ratification[2].id"),
            "ratifier id 'no_troops' is also a red line of north: both would be named"
            " north.no_troops (rename one)",
        ),
    ]


def test_a_ratifiers_quote_is_checked_against_the_source(files: Files) -> None:
    files.source()
    good = ASSEMBLY + '            quote: "any deal with foreign troops is off the table"\n'
    assert with_assembly(files, with_source(), body=good).load().source == "source.txt"
    bad = ASSEMBLY + '            quote: "any deal with foreign soldiers is off the table"\n'
    w = with_assembly(files, with_source(), body=bad)
    assert one(w, "quote:", f"{R}.red_lines[0].quote") == (
        "quote not found verbatim in source.txt; the closest sentence (line 1):"
        " “North said that any deal with foreign troops is off the table.”"
    )


# --- blocs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocs", "needle", "path", "message"),
    [
        (
            "west: {members: [north, nort]}",
            "west:",
            "blocs.west.members[1]",
            "unknown party 'nort' (known: north, south, guarantor, broker); did you mean 'north'?",
        ),
        (
            "west: {members: [north, north]}",
            "west:",
            "blocs.west.members[1]",
            "party 'north' is listed twice",
        ),
        (
            "west: {members: [north, south]}\n  east: {members: [guarantor, south]}",
            "east:",
            "blocs.east.members[1]",
            "south is already in bloc 'west': a party is in at most one bloc",
        ),
        (
            "north: {members: [south]}",
            "north: {members",
            "blocs.north",
            "bloc 'north' has the name of a party: give the bloc another name",
        ),
        (
            "west: {members: [north, broker]}",
            "west:",
            "blocs.west.members[1]",
            "broker mediates, and the mediator is in no bloc",
        ),
        (
            "west: {members: [north], rule: consensus}",
            "west:",
            "blocs.west.rule",
            "'consensus': input should be 'unanimous' or 'majority'",
        ),
    ],
)
def test_a_bad_bloc(files: Files, blocs: str, needle: str, path: str, message: str) -> None:
    w = files.scenario(append=f"blocs:\n  {blocs}\n")
    assert one(w, needle, path) == message


# --- events, uncertainty, --set -----------------------------------------------------------


@pytest.mark.parametrize("ref", ["north.assembly.no_truce", "north.no_troops"])
def test_an_event_drops_a_ratifiers_line(files: Files, ref: str) -> None:
    w = with_assembly(files, append=event(f"round: 3\ndrop_red_lines: [{ref}]"))
    assert w.load().events[0].drop_red_lines == [ref]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "north.assembly.no_truse",
            "unknown red line of north.assembly 'no_truse' (known: no_truce);"
            " did you mean 'no_truce'?",
        ),
        (
            "north.asembly.no_truce",
            "unknown ratifier of north 'asembly' (known: assembly); did you mean 'assembly'?",
        ),
        ("south.assembly.no_truce", "unknown ratifier of south 'assembly' (known: none)"),
    ],
)
def test_an_event_drops_an_unknown_ratifier_line(files: Files, ref: str, message: str) -> None:
    w = with_assembly(files, append=event(f"round: 3\ndrop_red_lines: [{ref}]"))
    assert one(w, "drop_red_lines", "events[0].drop_red_lines[0]") == message


Q = "parties.north.ratification.assembly"


@pytest.mark.parametrize(
    "target",
    [
        f"{Q}.reservation",
        f"{Q}.informed",  # left at its default
        f"{Q}.red_lines.no_truce.credibility",  # left at its default
    ],
)
def test_a_ratifiers_numbers_can_change(files: Files, target: str) -> None:
    w = with_assembly(files, append=event(f"round: 3\nset: {{{target}: 0.5}}"))
    assert w.load().events[0].set == {target: 0.5}
    w = with_assembly(files, append=uncertain(f"{target}: {{dist: uniform, low: 0.2, high: 0.6}}"))
    assert list(w.load().uncertainty.parameters) == [target]
    w = with_assembly(files, append=event(f"round: 3\nset: {{{target}: 1.5}}"))
    assert w.problem().message.startswith("1.5 is outside a")
    assert w.problem().message.endswith("in [0, 1]")


def test_a_ratifiers_own_weights_and_values_can_change(files: Files) -> None:
    body = ASSEMBLY.replace(
        "reservation: 0.4",
        "reservation: 0.4\n        weights: {ceasefire: 1}\n"
        "        values: {ceasefire: {truce: 1, treaty: 0}}",
    )
    sets = f"{{{Q}.weights.ceasefire: 2, {Q}.values.ceasefire.treaty: 0.5}}"
    assert with_assembly(files, body=body, append=event(f"round: 3\nset: {sets}")).load()
    w = with_assembly(
        files, body=body, append=event(f"round: 3\nset: {{{Q}.weights.ceasefire: -1}}")
    )
    assert w.problem().message == "-1 is outside a weight in [0, ∞]"
    w = with_assembly(
        files, body=body, append=event(f"round: 3\nset: {{{Q}.values.ceasefire.treaty: 2}}")
    )
    assert w.problem().message == "2 is outside a value in [0, 1]"


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            f"{Q}.weights.security",
            "north.assembly has no weights of its own (it takes north's): change"
            " parties.north.weights.security, or give the ratifier its own weights",
        ),
        (
            f"{Q}.values.security.none",
            "north.assembly has no values of its own for 'security' (it takes north's): change"
            " parties.north.values.security..., or give the ratifier its own values for"
            " 'security'",
        ),
    ],
)
def test_a_borrowed_weight_or_value_cannot_change(files: Files, target: str, message: str) -> None:
    w = with_assembly(files, append=event(f"round: 3\nset: {{{target}: 0.5}}"))
    assert one(w, "set:", f"events[0].set.{target}") == f"{target!r}: {message}"
    w = with_assembly(files, append=uncertain(f"{target}: {{dist: uniform, low: 0.2, high: 0.6}}"))
    assert w.problem().message == f"{target!r}: {message}"


def test_a_ratifier_lines_audience_cost_is_no_field_that_changes(files: Files) -> None:
    target = f"{Q}.red_lines.no_truce.audience_cost"
    w = with_assembly(files, append=event(f"round: 3\nset: {{{target}: 0.1}}"))
    assert "is not a numeric field that can change" in w.problem().message


def test_set_on_the_command_line_reaches_a_ratifier(files: Files) -> None:
    scenario = with_assembly(files).load(f"{Q}.reservation=0.9")
    assert scenario.parties["north"].ratification[0].reservation == 0.9


def test_the_command_line_reports_ratifier_and_bloc_problems_and_exits_2(
    files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    w = with_assembly(
        files,
        body=ASSEMBLY.replace("[truce]", "[truse]"),
        append="blocs:\n  west: {members: [north, nort]}\n",
    )
    assert main(["validate", str(w.path)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and "Traceback" not in err
    parsed = [ERROR_LINE.match(line) for line in err.splitlines()]
    assert all(parsed), err
    assert [(m["file"], int(m["line"]), m["path"]) for m in parsed if m] == [
        (str(w.path), w.line("truse"), f"{R}.red_lines[0].forbid.ceasefire[0]"),
        (str(w.path), w.line("west:"), "blocs.west.members[1]"),
    ]
