"""Validation of hand-edited scenarios: every mistake names its file, line and dotted path."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from tests.scenario.helpers import BASE, Files, line_of, messages, where

#: What every error line printed by the command line looks like.
ERROR_LINE = re.compile(
    r"^error: (?P<file>[^:]+):(?P<line>\d+): (?P<path>[\w.\[\]-]+): (?P<msg>.+)$"
)

SAMPLEABLE_HINT = "is not a numeric field that can change (can: parties.P.reservation"


def test_the_base_scenario_is_valid(files: Files) -> None:
    scenario = files.scenario().load()
    assert scenario.id == "test-talks"
    assert list(scenario.parties) == ["north", "south", "guarantor", "broker"]
    assert scenario.signatories == ["north", "south"]


def test_the_shipped_example_is_valid() -> None:
    root = Path(__file__).resolve().parents[2]
    assert main(["validate", str(root / "scenarios" / "ukraine_2025.yaml")]) == 0


# --- unknown fields -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "allowed", "hint"),
    [
        (
            "deadline: 10",
            "deadline: 10\ndedline: 12",
            "dedline",
            "id, title, source, deadline, protocol, mediator, issues, parties, uncertainty,"
            " events, blocs, batch",
            "deadline",
        ),
        (
            "    reservation: 0.2",
            "    reservation: 0.2\n    reservaton: 0.3",
            "parties.south.reservaton",
            "label, signs, reservation, weights, values, strategy, red_lines, cost_of_delay,"
            " deadline, resolve, ratification",
            "reservation",
        ),
        (
            "        credibility: 0.9",
            "        credibility: 0.9\n        credibilty: 0.8",
            "parties.north.red_lines[0].credibilty",
            "id, forbid, require, credibility, audience_cost, quote, basis, note",
            "credibility",
        ),
        (
            "{type: boulware, exponent: 0.3}",
            "{type: boulware, exponnt: 0.3}",
            "parties.north.strategy.exponnt",
            "type, exponent",
            "exponent",
        ),
        (
            "    label: When fighting stops",
            "    lable: When fighting stops",
            "issues.ceasefire.lable",
            "label, options",
            "label",
        ),
        (
            "{label: Foreign troops, needs: [guarantor]}",
            "{label: Foreign troops, need: [guarantor]}",
            "issues.security.options.troops.need",
            "label, needs",
            "needs",
        ),
    ],
)
def test_an_unknown_field_lists_the_allowed_ones_and_suggests(
    files: Files, old: str, new: str, path: str, allowed: str, hint: str
) -> None:
    w = files.scenario((old, new))
    # a misspelt required field is also missing; the unknown one is on its own line
    unknown = [p for p in w.problems() if "unknown field" in p.message]
    assert len(unknown) == 1
    bad_line = new.splitlines()[-1].strip()
    assert where(unknown[0]) == ("scenario.yaml", w.line(bad_line), path)
    assert unknown[0].message == f"unknown field (allowed: {allowed}); did you mean {hint!r}?"


def test_a_misspelt_required_field_is_also_missing(files: Files) -> None:
    w = files.scenario(("    reservation: 0.2", "    reservaton: 0.2"))
    assert [(where(p), p.message) for p in w.problems()] == [
        (("scenario.yaml", w.line("  south:"), "parties.south.reservation"), "missing (required)"),
        (
            ("scenario.yaml", w.line("reservaton"), "parties.south.reservaton"),
            "unknown field (allowed: label, signs, reservation, weights, values, strategy,"
            " red_lines, cost_of_delay, deadline, resolve, ratification); did you mean"
            " 'reservation'?",
        ),
    ]


def test_an_unknown_field_without_a_close_match(files: Files) -> None:
    w = files.scenario(("deadline: 10", "deadline: 10\ncolour: blue"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("colour"), "colour")
    assert problem.message.startswith("unknown field (allowed: id, title,")
    assert "did you mean" not in problem.message


def test_an_unknown_field_of_an_event_and_of_noise(files: Files) -> None:
    w = files.scenario(
        append="""\
        uncertainty:
          noise: {weights: 0.1, value: 0.1}
        events:
          - id: summit
            round: 3
            probabilty: 0.5
            set: {parties.north.reservation: 0.2}
        """
    )
    assert [(where(p), p.message) for p in w.problems()] == [
        (
            ("scenario.yaml", w.line("value: 0.1"), "uncertainty.noise.value"),
            "unknown field (allowed: weights, values); did you mean 'values'?",
        ),
        (
            ("scenario.yaml", w.line("probabilty"), "events[0].probabilty"),
            "unknown field (allowed: id, label, round, probability, set, drop_red_lines,"
            " extend_deadline, quote);"
            " did you mean 'probability'?",
        ),
    ]


# --- missing required fields --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "at", "path"),
    [
        ("title: Test talks\n", "", "id: test-talks", "title"),
        ("deadline: 10\n", "", "id: test-talks", "deadline"),
        ("    reservation: 0.3\n", "", "  north:", "parties.north.reservation"),
        ("    weights: {security: 1}\n", "", "  guarantor:", "parties.guarantor.weights"),
        (
            "      - id: no_troops\n        forbid",
            "      - forbid",
            "- forbid",
            "parties.north.red_lines[0].id",
        ),
        (
            "    options:\n      troops: {label: Foreign troops, needs: [guarantor]}\n"
            "      none: No guarantees\n",
            "    label: Security\n",
            "  security:\n    label: Security",
            "issues.security.options",
        ),
    ],
)
def test_a_missing_required_field(files: Files, old: str, new: str, at: str, path: str) -> None:
    w = files.scenario((old, new))
    found = [p for p in w.problems() if p.message == "missing (required)"]
    assert [where(p) for p in found] == [("scenario.yaml", w.line(at), path)]


def test_a_missing_parties_section(files: Files) -> None:
    text = BASE[: BASE.index("parties:")]
    w = files.write(text)
    assert [(where(p), p.message) for p in w.problems()] == [
        (("scenario.yaml", 1, "parties"), "missing (required)"),
        (("scenario.yaml", 5, "mediator"), "unknown party 'broker' (known: none)"),
        (
            (
                "scenario.yaml",
                w.line("needs: [guarantor]"),
                "issues.security.options.troops.needs[0]",
            ),
            "unknown party 'guarantor' (known: none)",
        ),
    ]


# --- wrong types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        ("deadline: 10", "deadline: ten", "deadline", "valid integer (got 'ten')"),
        ("deadline: 10", "deadline: 10.5", "deadline", "valid integer (got 10.5)"),
        ("deadline: 10", "deadline: '10'", "deadline", "valid integer (got '10')"),
        (
            "reservation: 0.3",
            'reservation: "0.3"',
            "parties.north.reservation",
            "valid number (got '0.3')",
        ),
        ("reservation: 0.3", "reservation: [0.3]", "parties.north.reservation", "valid number"),
        (
            "title: Test talks",
            "title: 2025-08-18",
            "title",
            "valid string (got datetime.date(2025, 8, 18))",
        ),
        ("title: Test talks", "title: 12", "title", "valid string (got 12)"),
        ("title: Test talks", "title: ''", "title", "at least 1 character"),
        (
            "    options:\n      truce: Ceasefire now\n      treaty: Treaty first",
            "    options: [truce, treaty]",
            "issues.ceasefire.options",
            "valid dictionary",
        ),
        (
            "      truce: Ceasefire now",
            "      truce: 3",
            "issues.ceasefire.options.truce",
            "(got 3)",
        ),
        (
            "needs: [guarantor]",
            "needs: guarantor",
            "issues.security.options.troops.needs",
            "valid list (got 'guarantor')",
        ),
        (
            "      - id: guarantees_required\n        require",
            "      guarantees_required:\n        require",
            "parties.south.red_lines",
            "valid list",
        ),
        (
            "ceasefire: {truce: 1.0, treaty: 0.0}",
            "ceasefire: [1.0, 0.0]",
            "parties.south.values.ceasefire",
            "valid dictionary",
        ),
        (
            "weights: {ceasefire: 1, security: 1}",
            "weights: [ceasefire, security]",
            "parties.south.weights",
            "valid dictionary",
        ),
        (
            "forbid: {security: [troops]}",
            "forbid: {security: troops}",
            "parties.north.red_lines[0].forbid.security",
            "valid list",
        ),
    ],
)
def test_a_wrong_type(files: Files, old: str, new: str, path: str, words: str) -> None:
    w = files.scenario((old, new))
    problem = w.problem()
    # a value given as a block below its key is reported on the key's line
    at = (
        "red_lines:\n      guarantees"
        if "guarantees_required:" in new
        else new.strip().splitlines()[0]
    )
    assert where(problem) == ("scenario.yaml", w.line(at), path)
    assert words in problem.message


def test_a_party_without_a_body(files: Files) -> None:
    w = files.scenario(
        (
            "  broker:\n    reservation: 0.0\n    weights: {ceasefire: 1}\n    values:\n"
            "      ceasefire: {truce: 0.8, treaty: 0.6}\n",
            "  broker:\n",
        ),
    )
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("  broker:"), "parties.broker")
    assert "valid dictionary" in problem.message


# --- out of range -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "words"),
    [
        (
            "reservation: 0.3",
            "reservation: 1.5",
            "parties.north.reservation",
            "less than or equal to 1 (got 1.5)",
        ),
        (
            "reservation: 0.3",
            "reservation: -0.2",
            "parties.north.reservation",
            "greater than or equal to 0 (got -0.2)",
        ),
        (
            "credibility: 0.9",
            "credibility: -0.1",
            "parties.north.red_lines[0].credibility",
            "greater than or equal to 0 (got -0.1)",
        ),
        (
            "credibility: 0.9",
            "credibility: 1.1",
            "parties.north.red_lines[0].credibility",
            "less than or equal to 1 (got 1.1)",
        ),
        (
            "weights: {ceasefire: 1, security: 2}",
            "weights: {ceasefire: -1, security: 2}",
            "parties.north.weights.ceasefire",
            "greater than or equal to 0 (got -1)",
        ),
        (
            "ceasefire: {truce: 0.0, treaty: 1.0}",
            "ceasefire: {truce: 0.0, treaty: 1.2}",
            "parties.north.values.ceasefire.treaty",
            "less than or equal to 1 (got 1.2)",
        ),
        ("deadline: 10", "deadline: 0", "deadline", "greater than or equal to 1 (got 0)"),
        ("deadline: 10", "deadline: 1000000", "deadline", "less than or equal to 100000"),
        (
            "{type: boulware, exponent: 0.3}",
            "{type: boulware, exponent: 1.5}",
            "parties.north.strategy.exponent",
            "less than 1 (got 1.5)",
        ),
        (
            "{type: boulware, exponent: 0.3}",
            "{type: conceder, exponent: 0.5}",
            "parties.north.strategy.exponent",
            "greater than 1 (got 0.5)",
        ),
        (
            "{type: boulware, exponent: 0.3}",
            "{type: tit_for_tat, window: 0}",
            "parties.north.strategy.window",
            "greater than or equal to 1 (got 0)",
        ),
        (
            "{type: boulware, exponent: 0.3}",
            "{type: tit_for_tat, mode: fair}",
            "parties.north.strategy.mode",
            "'fair': input should be 'relative' or 'absolute'",
        ),
        (
            "        credibility: 0.9",
            "        credibility: 0.9\n        basis: rumour",
            "parties.north.red_lines[0].basis",
            "'rumour': input should be 'stated' or 'implied'",
        ),
    ],
)
def test_out_of_range(files: Files, old: str, new: str, path: str, words: str) -> None:
    w = files.scenario((old, new))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line(new.strip().splitlines()[-1]), path)
    assert words in problem.message


@pytest.mark.parametrize(
    ("value", "got"), [(".inf", "inf"), ("-.inf", "-inf"), (".nan", "nan"), (".NaN", "nan")]
)
def test_infinite_and_nan_numbers(files: Files, value: str, got: str) -> None:
    w = files.scenario(
        ("weights: {ceasefire: 1, security: 2}", f"weights: {{ceasefire: {value}, security: 2}}")
    )
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line(value), "parties.north.weights.ceasefire")
    assert problem.message == f"Input should be a finite number (got {got})"


def test_an_infinite_reservation_is_not_a_number(files: Files) -> None:
    w = files.scenario(("reservation: 0.1", "reservation: .inf"))
    assert "finite number" in w.problem().message


# --- names --------------------------------------------------------------------------------


NOT_A_NAME = "is not a name: use lowercase snake_case (a-z, 0-9, _; starting with a letter)"


@pytest.mark.parametrize(
    ("old", "new", "bad", "path"),
    [
        (
            "truce: Ceasefire",
            "Truce-Now: Ceasefire",
            "Truce-Now",
            "issues.ceasefire.options.Truce-Now",
        ),
        (
            "truce: Ceasefire",
            "1st_truce: Ceasefire",
            "1st_truce",
            "issues.ceasefire.options.1st_truce",
        ),
        ("truce: Ceasefire", "truce_now_: Ceasefire", None, None),
        ("- id: no_troops", "- id: No Troops", "No Troops", "parties.north.red_lines[0].id"),
        ("- id: no_troops", "- id: no-troops", "no-troops", "parties.north.red_lines[0].id"),
        (
            "needs: [guarantor]",
            "needs: [Guarantor]",
            "Guarantor",
            "issues.security.options.troops.needs[0]",
        ),
        ("  broker:", "  the_broker:", None, None),
    ],
)
def test_a_name_that_is_not_snake_case(
    files: Files, old: str, new: str, bad: str | None, path: str | None
) -> None:
    w = files.scenario((old, new))
    problems = [p for p in w.problems() if NOT_A_NAME in p.message]
    if bad is None:  # a good name: any problems are about references to the old one
        assert problems == []
        return
    assert [(where(p), p.message) for p in problems] == [
        (("scenario.yaml", w.line(new), path), f"{bad!r} {NOT_A_NAME}")
    ]


def test_an_issue_that_is_not_snake_case_and_its_uses(files: Files) -> None:
    w = files.scenario(("  ceasefire:\n    label", "  Ceasefire:\n    label"))
    problems = w.problems()
    assert (where(problems[0]), problems[0].message) == (
        ("scenario.yaml", w.line("Ceasefire:"), "issues.Ceasefire"),
        f"'Ceasefire' {NOT_A_NAME}",
    )
    # the parties still weigh `ceasefire`, which is now unknown (with a suggestion)
    assert "unknown issue 'ceasefire' (known: Ceasefire, security); did you mean 'Ceasefire'?" in (
        problems[1].message
    )


def test_a_party_that_is_not_snake_case(files: Files) -> None:
    w = files.scenario(("  guarantor:\n", "  Guarantor:\n"))
    assert [(where(p), p.message) for p in w.problems()] == [
        (
            (
                "scenario.yaml",
                w.line("needs: [guarantor]"),
                "issues.security.options.troops.needs[0]",
            ),
            "unknown party 'guarantor' (known: north, south, Guarantor, broker);"
            " did you mean 'Guarantor'?",
        ),
        (("scenario.yaml", w.line("Guarantor:"), "parties.Guarantor"), f"'Guarantor' {NOT_A_NAME}"),
    ]


@pytest.mark.parametrize("bad", ["Test talks", "test.talks", "-talks", "TEST"])
def test_a_scenario_id_that_is_not_an_id(files: Files, bad: str) -> None:
    w = files.scenario(("id: test-talks", f"id: {bad}"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", 1, "id")
    assert problem.message == f"{bad!r} is not an id: use lowercase letters, digits, '-' and '_'"


# --- references to unknown issues, options and parties ------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "path", "message"),
    [
        (
            "weights: {ceasefire: 1, security: 1}",
            "weights: {ceasefire: 1, security: 1, territory: 1}",
            "parties.south.weights.territory",
            "unknown issue 'territory' (known: ceasefire, security)",
        ),
        (
            "      security: {troops: 1.0, none: 0.0}",
            "      security: {troops: 1.0, none: 0.0}\n      securty: {troops: 1.0}",
            "parties.south.values.securty",
            "unknown issue 'securty' (known: ceasefire, security); did you mean 'security'?",
        ),
        (
            "ceasefire: {truce: 1.0, treaty: 0.0}",
            "ceasefire: {truce: 1.0, treaty: 0.0, armistice: 0.5}",
            "parties.south.values.ceasefire.armistice",
            "unknown option 'armistice' (known: truce, treaty)",
        ),
        (
            "forbid: {security: [troops]}",
            "forbid: {security: [tropps]}",
            "parties.north.red_lines[0].forbid.security[0]",
            "unknown option 'tropps' (known: troops, none); did you mean 'troops'?",
        ),
        (
            "forbid: {security: [troops]}",
            "forbid: {securty: [troops]}",
            "parties.north.red_lines[0].forbid.securty",
            "unknown issue 'securty' (known: ceasefire, security); did you mean 'security'?",
        ),
        (
            "require: {security: [troops]}",
            "require: {security: [troops, nato]}",
            "parties.south.red_lines[0].require.security[1]",
            "unknown option 'nato' (known: troops, none)",
        ),
        (
            "require: {security: [troops]}",
            "require: {territory: [all]}",
            "parties.south.red_lines[0].require.territory",
            "unknown issue 'territory' (known: ceasefire, security)",
        ),
        (
            "needs: [guarantor]",
            "needs: [guarantor, guarantr]",
            "issues.security.options.troops.needs[1]",
            "unknown party 'guarantr' (known: north, south, guarantor, broker);"
            " did you mean 'guarantor'?",
        ),
        (
            "mediator: broker",
            "mediator: brokr",
            "mediator",
            "unknown party 'brokr' (known: north, south, guarantor, broker);"
            " did you mean 'broker'?",
        ),
    ],
)
def test_an_unknown_reference(files: Files, old: str, new: str, path: str, message: str) -> None:
    w = files.scenario((old, new))
    problem = w.problem()
    assert str(problem) == f"{w.path}:{w.line(new.strip().splitlines()[-1])}: {path}: {message}"


def test_values_for_an_issue_not_in_weights(files: Files) -> None:
    w = files.scenario(
        (
            "      security: {troops: 1.0, none: 0.2}",
            "      security: {troops: 1.0, none: 0.2}\n      ceasefire: {truce: 0.5, treaty: 0.5}",
        ),
    )
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("ceasefire: {truce: 0.5, treaty: 0.5}"),
        "parties.guarantor.values.ceasefire",
    )
    assert problem.message == "values for 'ceasefire', which weights does not list"


def test_a_misspelt_weight_reports_both_ends(files: Files) -> None:
    w = files.scenario(
        ("weights: {ceasefire: 1, security: 2}", "weights: {ceasfire: 1, security: 2}")
    )
    assert [(where(p), p.message) for p in w.problems()] == [
        (
            ("scenario.yaml", w.line("ceasfire: 1"), "parties.north.weights.ceasfire"),
            "unknown issue 'ceasfire' (known: ceasefire, security); did you mean 'ceasefire'?",
        ),
        (
            (
                "scenario.yaml",
                w.line("ceasefire: {truce: 0.0, treaty: 1.0}"),
                "parties.north.values.ceasefire",
            ),
            "values for 'ceasefire', which weights does not list",
        ),
    ]


# --- red lines ----------------------------------------------------------------------------


def test_a_red_line_with_both_forbid_and_require(files: Files) -> None:
    w = files.scenario(
        (
            "        forbid: {security: [troops]}\n",
            "        forbid: {security: [troops]}\n        require: {ceasefire: [treaty]}\n",
        ),
    )
    assert str(w.problem()) == (
        f"{w.path}:{w.line('- id: no_troops')}: parties.north.red_lines[0]:"
        " a red line has exactly one of forbid or require"
    )


def test_a_red_line_with_neither_forbid_nor_require(files: Files) -> None:
    w = files.scenario(("        forbid: {security: [troops]}\n", ""))
    assert str(w.problem()) == (
        f"{w.path}:{w.line('- id: no_troops')}: parties.north.red_lines[0]:"
        " a red line has exactly one of forbid or require"
    )


def test_a_red_line_that_names_nothing(files: Files) -> None:
    w = files.scenario(("forbid: {security: [troops]}", "forbid: {}"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("- id: no_troops"),
        "parties.north.red_lines[0]",
    )
    assert problem.message == "a red line names at least one issue"


def test_a_red_line_with_an_empty_option_list(files: Files) -> None:
    w = files.scenario(("forbid: {security: [troops]}", "forbid: {security: []}"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("forbid: {security: []}"),
        "parties.north.red_lines[0].forbid.security",
    )
    assert "at least 1 item" in problem.message


def test_duplicate_red_line_ids(files: Files) -> None:
    w = files.scenario(
        (
            "        credibility: 0.9\n",
            "        credibility: 0.9\n      - id: no_troops\n"
            "        forbid: {ceasefire: [truce]}\n",
        ),
    )
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("- id: no_troops\n        forbid: {ceasefire"),
        "parties.north.red_lines[1].id",
    )
    assert problem.message == "red line id 'no_troops' is used twice"


def test_the_same_red_line_id_in_two_parties_is_fine(files: Files) -> None:
    w = files.scenario(("- id: guarantees_required", "- id: no_troops"))
    assert w.load().parties["south"].red_lines[0].id == "no_troops"


# --- preferences --------------------------------------------------------------------------


def test_a_weighed_issue_missing_some_values(files: Files) -> None:
    w = files.scenario(("security: {troops: 0.0, none: 1.0}", "security: {troops: 0.0}"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("security: {troops: 0.0}"),
        "parties.north.values.security",
    )
    assert problem.message == "north weighs 'security' but gives no value for: none"


def test_a_weighed_issue_missing_all_values(files: Files) -> None:
    w = files.scenario(("      security: {troops: 0.0, none: 1.0}\n", ""))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("    values:\n      ceasefire: {truce: 0.0"),
        "parties.north.values",
    )
    assert problem.message == "north weighs 'security' but gives no value for: troops, none"


def test_an_issue_weighed_zero_needs_no_values(files: Files) -> None:
    w = files.scenario(
        ("weights: {ceasefire: 1, security: 2}", "weights: {ceasefire: 1, security: 0}"),
        ("      security: {troops: 0.0, none: 1.0}\n", ""),
    )
    assert w.load().parties["north"].normalised_weights() == {"ceasefire": 1.0, "security": 0.0}


def test_all_weights_zero(files: Files) -> None:
    w = files.scenario(
        ("weights: {ceasefire: 1, security: 1}", "weights: {ceasefire: 0, security: 0.0}")
    )
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("weights: {ceasefire: 0,"),
        "parties.south.weights",
    )
    assert problem.message == "weights must not all be zero"


def test_no_weights_at_all(files: Files) -> None:
    w = files.scenario(("weights: {security: 1}", "weights: {}"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("weights: {}"), "parties.guarantor.weights")
    assert "at least 1 item" in problem.message


# --- protocol, mediator, signatories ------------------------------------------------------


def test_no_party_signs(files: Files) -> None:
    w = files.scenario(
        ("label: North\n    signs: true", "label: North\n    signs: false"),
        ("  south:\n    signs: true\n", "  south:\n"),
    )
    assert str(w.problem()) == (
        f"{w.path}:{w.line('parties:')}: parties:"
        " no party signs: give at least one party signs: true"
    )


def test_mediated_without_a_mediator(files: Files) -> None:
    w = files.scenario(("mediator: broker\n", ""))
    assert str(w.problem()) == (
        f"{w.path}:4: protocol: protocol mediated needs a mediator (a party id)"
    )


def test_alternating_with_a_mediator(files: Files) -> None:
    w = files.scenario(("protocol: mediated", "protocol: alternating"))
    assert str(w.problem()) == f"{w.path}:5: mediator: only protocol mediated has a mediator"


def test_alternating_without_a_mediator_is_fine(files: Files) -> None:
    w = files.scenario(("protocol: mediated\nmediator: broker\n", "protocol: alternating\n"))
    assert w.load().mediator is None


def test_an_unknown_protocol(files: Files) -> None:
    w = files.scenario(("protocol: mediated", "protocol: auction"))
    assert str(w.problem()) == (
        f"{w.path}:4: protocol: 'auction': input should be 'mediated' or 'alternating'"
    )


@pytest.mark.parametrize(
    ("new", "path", "message"),
    [
        (
            "{type: bolware}",
            "parties.north.strategy",
            "unknown type 'bolware' (known: 'resource', 'boulware', 'linear', 'conceder',"
            " 'hardliner', 'tit_for_tat', 'single_text')",
        ),
        ("{exponent: 0.3}", "parties.north.strategy", "missing type"),
        (
            "boulware",
            "parties.north.strategy",
            "Input should be a valid dictionary or object to extract fields from (got 'boulware')",
        ),
    ],
)
def test_a_bad_strategy(files: Files, new: str, path: str, message: str) -> None:
    w = files.scenario(("{type: boulware, exponent: 0.3}", new))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("strategy:"), path)
    assert problem.message == message


# --- events -------------------------------------------------------------------------------


def event(body: str) -> str:
    """An events section holding one event with ``body`` (YAML lines at item indent)."""
    lines = "\n".join(f"    {line}" for line in body.strip().splitlines())
    return f"events:\n  - id: summit\n{lines}\n"


def test_a_valid_event(files: Files) -> None:
    w = files.scenario(
        append=event(
            "round: 10\nprobability: 0.5\nset: {parties.north.reservation: 0.2,"
            " parties.south.red_lines.guarantees_required.credibility: 0.5}\n"
            "drop_red_lines: [north.no_troops]"
        )
    )
    assert w.load().events[0].round == 10


def test_an_event_after_the_deadline(files: Files) -> None:
    w = files.scenario(append=event("round: 11\nset: {parties.north.reservation: 0.2}"))
    assert str(w.problem()) == (
        f"{w.path}:{w.line('round: 11')}: events[0].round: round 11 is after the deadline (10)"
    )


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            "parties.nowhere.reservation",
            "parties has no 'nowhere' (has: north, south, guarantor, broker)",
        ),
        (
            "parties.north.reservaton",
            "parties.north has no 'reservaton' (has: label, signs, reservation,"
            " weights, values, strategy, red_lines); did you mean 'reservation'?",
        ),
        (
            "parties.north.red_lines.no_tanks.credibility",
            "parties.north.red_lines has no item 'no_tanks' (has: no_troops)",
        ),
        (
            "parties.north.weights.territory",
            "parties.north.weights has no 'territory' (has: ceasefire, security)",
        ),
        ("parties.north.reservation.low", "parties.north.reservation is a value, it has no 'low'"),
    ],
)
def test_an_event_that_sets_an_unknown_path(files: Files, target: str, message: str) -> None:
    w = files.scenario(append=event(f"round: 3\nset: {{{target}: 0.5}}"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("set:"), f"events[0].set.{target}")
    assert problem.message == f"{target!r}: {message}"


@pytest.mark.parametrize(
    "target", ["deadline", "parties.north.label", "parties.north.signs", "mediator"]
)
def test_an_event_that_sets_a_field_that_is_not_numeric(files: Files, target: str) -> None:
    w = files.scenario(append=event(f"round: 3\nset: {{{target}: 1}}"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("set:"), f"events[0].set.{target}")
    assert problem.message.startswith(f"{target!r} {SAMPLEABLE_HINT}")


@pytest.mark.parametrize(
    ("target", "value", "message"),
    [
        ("parties.north.reservation", 1.2, "1.2 is outside a reservation value in [0, 1]"),
        ("parties.north.weights.security", -1, "-1 is outside a weight in [0, ∞]"),
        ("parties.north.values.security.none", 2, "2 is outside a value in [0, 1]"),
        (
            "parties.north.red_lines.no_troops.credibility",
            1.5,
            "1.5 is outside a credibility in [0, 1]",
        ),
        (
            "parties.north.strategy.exponent",
            2,
            "2 is outside a boulware exponent in [0.001, 0.999]",
        ),
    ],
)
def test_an_event_that_sets_a_value_out_of_range(
    files: Files, target: str, value: float, message: str
) -> None:
    w = files.scenario(append=event(f"round: 3\nset: {{{target}: {value}}}"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("set:"), f"events[0].set.{target}")
    assert problem.message == message


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        (
            "north.no_troop",
            "unknown red line of north 'no_troop' (known: no_troops); did you mean 'no_troops'?",
        ),
        ("guarantor.no_troops", "unknown red line of guarantor 'no_troops' (known: none)"),
        ("nobody.no_troops", "unknown party 'nobody' (known: north, south, guarantor, broker)"),
        (
            "no_troops",
            "'no_troops': name a red line as party.line_id (or party.ratifier.line_id)",
        ),
    ],
)
def test_an_event_that_drops_an_unknown_red_line(files: Files, ref: str, message: str) -> None:
    w = files.scenario(append=event(f"round: 3\ndrop_red_lines:\n  - north.no_troops\n  - {ref}"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line(f"- {ref}\n"), "events[0].drop_red_lines[1]")
    assert problem.message == message


def test_an_event_that_does_nothing(files: Files) -> None:
    w = files.scenario(append=event("round: 3\nprobability: 0.5"))
    assert str(w.problem()) == (
        f"{w.path}:{w.line('- id: summit')}: events[0]:"
        " an event changes something: give set, drop_red_lines or extend_deadline"
    )


def test_duplicate_event_ids(files: Files) -> None:
    w = files.scenario(
        append=event("round: 3\nset: {parties.north.reservation: 0.2}")
        + "  - id: summit\n    round: 4\n    set: {parties.north.reservation: 0.25}\n"
    )
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("- id: summit\n    round: 4"), "events[1].id")
    assert problem.message == "event id 'summit' is used twice"


def test_an_event_with_a_bad_round_and_probability(files: Files) -> None:
    w = files.scenario(
        append=event("round: 0\nprobability: 1.5\nset: {parties.north.reservation: 0.2}")
    )
    assert [where(p) for p in w.problems()] == [
        ("scenario.yaml", w.line("round: 0"), "events[0].round"),
        ("scenario.yaml", w.line("probability: 1.5"), "events[0].probability"),
    ]


def test_events_that_are_not_a_list_with_a_source(files: Files) -> None:
    files.source()
    w = files.scenario(
        ("title: Test talks", "title: Test talks\nsource: source.txt"), append="events: 1\n"
    )
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("events: 1"), "events")
    assert "valid list (got 1)" in problem.message


def test_an_event_can_change_a_credibility_left_at_its_default(files: Files) -> None:
    target = "parties.south.red_lines.guarantees_required.credibility"
    w = files.scenario(append=event(f"round: 3\nset: {{{target}: 0.5}}"))
    assert w.load().events[0].set == {target: 0.5}
    w = files.scenario(append=event(f"round: 3\nset: {{{target}: 1.5}}"))
    assert w.problem().message == "1.5 is outside a credibility in [0, 1]"


# --- uncertainty --------------------------------------------------------------------------


def uncertain(*lines: str) -> str:
    """An uncertainty section with these ``path: distribution`` lines."""
    return "uncertainty:\n  parameters:\n" + "".join(f"    {line}\n" for line in lines)


def test_valid_uncertainty(files: Files) -> None:
    w = files.scenario(
        append=uncertain(
            "parties.north.reservation: {dist: uniform, low: 0.2, high: 0.4}",
            "parties.north.weights.security: {dist: normal, mean: 2, sd: 0.5}",
            "parties.north.values.security.none: {dist: beta, a: 2, b: 2}",
            "parties.north.red_lines.no_troops.credibility: {dist: choice, values: [0.5, 0.9]}",
            "parties.north.strategy.exponent: {dist: triangular, low: 0.1, mode: 0.3, high: 0.9}",
            "parties.north.red_lines.0.credibility: {dist: uniform, low: 0, high: 1}",
        )
    )
    assert len(w.load().uncertainty.parameters) == 6


@pytest.mark.parametrize(
    "target", ["deadline", "parties.north.label", "parties.north.signs", "issues.ceasefire.label"]
)
def test_uncertainty_of_a_field_that_is_not_numeric(files: Files, target: str) -> None:
    w = files.scenario(append=uncertain(f"{target}: {{dist: uniform, low: 0.1, high: 0.2}}"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line(f"    {target}:"),
        f"uncertainty.parameters.{target}",
    )
    assert problem.message.startswith(f"{target!r} {SAMPLEABLE_HINT}")


def test_uncertainty_of_a_linear_strategy_exponent(files: Files) -> None:
    w = files.scenario(
        ("{type: boulware, exponent: 0.3}", "{type: linear}"),
        append=uncertain("parties.north.strategy.exponent: {dist: uniform, low: 0.1, high: 0.2}"),
    )
    assert w.problem().message.startswith(f"'parties.north.strategy.exponent' {SAMPLEABLE_HINT}")


def test_uncertainty_of_an_unknown_path(files: Files) -> None:
    w = files.scenario(append=uncertain("parties.nobody.reservation: {dist: beta, a: 1, b: 1}"))
    assert str(w.problem()) == (
        f"{w.path}:{w.line('parties.nobody')}: uncertainty.parameters.parties.nobody.reservation:"
        " 'parties.nobody.reservation': parties has no 'nobody'"
        " (has: north, south, guarantor, broker)"
    )


@pytest.mark.parametrize(
    ("target", "dist", "message"),
    [
        (
            "parties.north.reservation",
            "{dist: uniform, low: 0.5, high: 1.5}",
            "uniform reaches [0.5, 1.5], outside a reservation value in [0, 1]",
        ),
        (
            "parties.north.red_lines.no_troops.credibility",
            "{dist: choice, values: [0.5, 1.2]}",
            "choice reaches [0.5, 1.2], outside a credibility in [0, 1]",
        ),
        (
            "parties.south.reservation",
            "{dist: triangular, low: -0.1, mode: 0.1, high: 0.3}",
            "triangular reaches [-0.1, 0.3], outside a reservation value in [0, 1]",
        ),
        (
            "parties.north.weights.security",
            "{dist: uniform, low: -1, high: 2}",
            "uniform reaches [-1, 2], outside a weight in [0, ∞]",
        ),
        (
            "parties.north.strategy.exponent",
            "{dist: beta, a: 2, b: 2}",
            "beta reaches [0, 1], outside a boulware exponent in [0.001, 0.999]",
        ),
    ],
)
def test_a_distribution_outside_the_field_range(
    files: Files, target: str, dist: str, message: str
) -> None:
    w = files.scenario(append=uncertain(f"{target}: {dist}"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line(f"{target}:"),
        f"uncertainty.parameters.{target}",
    )
    assert problem.message == message


def test_a_normal_distribution_is_clipped_not_checked(files: Files) -> None:
    w = files.scenario(
        append=uncertain("parties.north.reservation: {dist: normal, mean: 0.9, sd: 0.5}")
    )
    assert w.load().uncertainty.parameters["parties.north.reservation"].dist == "normal"


@pytest.mark.parametrize(
    ("dist", "path_tail", "words"),
    [
        ("{dist: uniform, low: 0.4, high: 0.2}", "", "low must not exceed high"),
        ("{dist: triangular, low: 0.1, mode: 0.5, high: 0.3}", "", "needs low <= mode <= high"),
        (
            "{dist: choice, values: [0.1, 0.2], weights: [1]}",
            "",
            "weights must have one entry per value",
        ),
        ("{dist: choice, values: [0.1], weights: [0]}", "", "weights must not all be zero"),
        ("{dist: normal, mean: 0.3, sd: -0.1}", ".sd", "greater than or equal to 0"),
        ("{dist: beta, a: 0, b: 1}", ".a", "greater than 0"),
        ("{dist: uniform, low: 0.1}", ".high", "missing (required)"),
        (
            "{dist: gamma, k: 2}",
            "",
            "unknown dist 'gamma' (known: 'uniform', 'normal', 'triangular', 'beta', 'choice')",
        ),
        ("{low: 0.1, high: 0.2}", "", "missing dist"),
        (
            "{dist: uniform, low: 0.1, hi: 0.2}",
            ".hi",
            "unknown field (allowed: dist, low, high); did you mean 'high'?",
        ),
    ],
)
def test_a_bad_distribution(files: Files, dist: str, path_tail: str, words: str) -> None:
    w = files.scenario(append=uncertain(f"parties.north.reservation: {dist}"))
    found = w.problems()
    path = f"uncertainty.parameters.parties.north.reservation{path_tail}"
    assert [where(p)[1:] for p in found if words in p.message] == [
        (w.line("parties.north.reservation:"), path)
    ]


def test_one_bad_distribution_hides_no_other_uncertainty_problem(files: Files) -> None:
    w = files.scenario(
        append=uncertain(
            "parties.north.reservation: {dist: uniform, low: 0.4, high: 0.2}",
            "parties.nobody.reservation: {dist: uniform, low: 0.1, high: 0.2}",
            "parties.south.reservation: {dist: uniform, low: 0.5, high: 1.5}",
        )
    )
    assert [where(p)[1:] for p in w.problems()] == [
        (w.line("parties.north.reservation:"), "uncertainty.parameters.parties.north.reservation"),
        (
            w.line("parties.nobody.reservation:"),
            "uncertainty.parameters.parties.nobody.reservation",
        ),
        (w.line("parties.south.reservation:"), "uncertainty.parameters.parties.south.reservation"),
    ]


def test_uncertainty_of_a_credibility_left_at_its_default(files: Files) -> None:
    target = "parties.south.red_lines.guarantees_required.credibility"
    w = files.scenario(append=uncertain(f"{target}: {{dist: uniform, low: 0.3, high: 0.9}}"))
    assert target in w.load().uncertainty.parameters


def test_uncertainty_of_a_field_a_red_line_cannot_have(files: Files) -> None:
    w = files.scenario(
        append=uncertain(
            "parties.north.red_lines.no_troops.quote: {dist: uniform, low: 0.3, high: 0.9}"
        )
    )
    assert w.problem().message == (
        "'parties.north.red_lines.no_troops.quote': parties.north.red_lines[0] has no 'quote'"
        " (has: id, forbid, credibility)"
    )


@pytest.mark.parametrize(
    ("value", "words"), [("6", "less than or equal to 5"), ("-0.1", "greater than or equal to 0")]
)
def test_noise_out_of_range(files: Files, value: str, words: str) -> None:
    w = files.scenario(append=f"uncertainty:\n  noise: {{weights: {value}}}\n")
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("noise:"), "uncertainty.noise.weights")
    assert words in problem.message


# --- quotes and the source ----------------------------------------------------------------


def with_source(source: str = "source.txt") -> tuple[str, str]:
    """The edit that names a source document."""
    return ("title: Test talks\n", f"title: Test talks\nsource: {source}\n")


def with_quote(quote: str) -> tuple[str, str]:
    """The edit that quotes the source in north's red line."""
    return ("        credibility: 0.9\n", f"        credibility: 0.9\n        quote: {quote}\n")


@pytest.mark.parametrize(
    "quote",
    [
        '"any deal with foreign troops is off the table"',
        # white space and typography are folded: the source has ’ — “ ” and a line break
        '"South\'s position - in its own words - is that \\"guarantees come first\\""',
    ],
)
def test_a_quote_found_in_the_source(files: Files, quote: str) -> None:
    files.source()
    assert files.scenario(with_source(), with_quote(quote)).load().source == "source.txt"


def test_a_quote_not_found_verbatim(files: Files) -> None:
    files.source()
    w = files.scenario(
        with_source(), with_quote('"any deal with foreign soldiers is off the table"')
    )
    assert str(w.problem()) == (
        f"{w.path}:{w.line('quote:')}: parties.north.red_lines[0].quote:"
        " quote not found verbatim in source.txt; the closest sentence (line 1):"
        " “North said that any deal with foreign troops is off the table.”"
    )


def test_an_event_quote_not_found_verbatim(files: Files) -> None:
    files.source()
    w = files.scenario(
        with_source(),
        append=event(
            "round: 3\nquote: North will sign anything\nset: {parties.north.reservation: 0.2}"
        ),
    )
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("quote:"), "events[0].quote")
    assert problem.message.startswith("quote not found verbatim in source.txt; the closest")


def test_a_missing_source_file(files: Files) -> None:
    w = files.scenario(with_source("seeds/nowhere.txt"), with_quote("anything"))
    assert str(w.problem()) == (
        f"{w.path}:{w.line('source:')}: source: source file 'seeds/nowhere.txt' not found"
        f" (looked in {files.root.resolve()} and the folders above it)"
    )


def test_a_source_that_is_a_directory(files: Files) -> None:
    (files.root / "seeds").mkdir()
    w = files.scenario(with_source("seeds"))
    assert w.problem().message == "source file 'seeds': is a directory, not a file"


def test_the_source_is_found_from_a_parent_folder(files: Files) -> None:
    files.source("seeds/article.txt")
    w = files.scenario(
        with_source("seeds/article.txt"), with_quote("off the table"), name="scenarios/x.yaml"
    )
    assert w.load().source == "seeds/article.txt"


# --- every problem in one go --------------------------------------------------------------


def test_three_unrelated_mistakes_give_three_problems(files: Files) -> None:
    w = files.scenario(
        ("deadline: 10", "deadline: 0"),
        ("require: {security: [troops]}", "require: {security: [tropps]}"),
        ("  guarantor:\n    reservation: 0.1", "  guarantor:\n    reservation: 1.1"),
    )
    assert [where(p) for p in w.problems()] == [
        ("scenario.yaml", w.line("deadline: 0"), "deadline"),
        ("scenario.yaml", w.line("tropps"), "parties.south.red_lines[0].require.security[0]"),
        ("scenario.yaml", w.line("reservation: 1.1"), "parties.guarantor.reservation"),
    ]


def test_many_mistakes_are_reported_in_file_order(files: Files) -> None:
    w = files.scenario(
        ("id: test-talks", "id: Test Talks"),
        ("mediator: broker", "mediator: nobody"),
        ("needs: [guarantor]", "needs: [garantor]"),
        ("label: North\n    signs: true", "label: North\n    signs: yes"),
        ("weights: {ceasefire: 1, security: 1}", "weights: {ceasefire: 1, security: -1}"),
        ("      ceasefire: {truce: 0.8, treaty: 0.6}", "      ceasefire: {truce: 0.8}"),
        append=event("round: 30\nset: {deadline: 3}"),
    )
    lines = [p.origin.line or 0 for p in w.problems()]
    assert lines == sorted(lines)
    assert [where(p)[2] for p in w.problems()] == [
        "id",
        "mediator",
        "issues.security.options.troops.needs[0]",
        "parties.north.signs",
        "parties.south.weights.security",
        "parties.broker.values.ceasefire",
        "events[0].round",
        "events[0].set.deadline",
    ]


def test_one_bad_party_does_not_hide_another(files: Files) -> None:
    w = files.scenario(
        ("reservation: 0.3", "reservation: 3"),
        ("weights: {ceasefire: 1, security: 1}", "weights: {ceasefire: 1, securty: 1}"),
    )
    assert [where(p)[2] for p in w.problems()] == [
        "parties.north.reservation",
        "parties.south.weights.securty",
        "parties.south.values.security",
    ]


# --- the command line ---------------------------------------------------------------------


def test_cli_reports_every_problem_and_exits_2(
    files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    w = files.scenario(
        ("deadline: 10", "deadline: 0"),
        ("require: {security: [troops]}", "require: {security: [tropps]}"),
        ("  guarantor:\n    reservation: 0.1", "  guarantor:\n    reservation: 1.1"),
    )
    assert main(["validate", str(w.path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == 3
    parsed = [ERROR_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [(m["file"], int(m["line"]), m["path"]) for m in parsed if m] == [
        (str(w.path), w.line("deadline: 0"), "deadline"),
        (str(w.path), w.line("tropps"), "parties.south.red_lines[0].require.security[0]"),
        (str(w.path), w.line("reservation: 1.1"), "parties.guarantor.reservation"),
    ]
    assert lines[1] == (
        f"error: {w.path}:{w.line('tropps')}: parties.south.red_lines[0].require.security[0]:"
        " unknown option 'tropps' (known: troops, none); did you mean 'troops'?"
    )


def test_cli_good_and_bad_files(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    good = files.scenario(name="good.yaml")
    bad = files.scenario(("mediator: broker", "mediator: brokr"), name="bad.yaml")
    missing = files.root / "missing.yaml"
    assert main(["validate", str(good.path), str(bad.path), str(missing)]) == 2
    out, err = capsys.readouterr()
    assert out == f"ok: {good.path}: test-talks: 4 parties, 2 issues, 4 outcomes, 2 red lines\n"
    assert err.splitlines() == [
        f"error: {bad.path}:5: mediator: unknown party 'brokr'"
        " (known: north, south, guarantor, broker); did you mean 'broker'?",
        f"error: {missing}: file not found",
    ]


def test_cli_valid_file_exits_0(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    w = files.scenario()
    assert main(["validate", str(w.path)]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"ok: {w.path}: test-talks:")
    assert err == ""


@pytest.mark.parametrize(
    "text",
    [
        b"id: x\ntitle: caf\xe9\n",
        b"- a\n- b\n",
        b"",
        b"a: &x\n  <<: *x\n",
        b"a: [" + b"[" * 3000 + b"]" * 3000 + b"]\n",
        b"title: !!python/object/apply:os.system [echo hi]\n",
        b"id: x\ntitle t\n",
        b"events: 1\nsource: nowhere.txt\n",
    ],
)
def test_cli_never_shows_a_traceback(
    files: Files, capsys: pytest.CaptureFixture[str], text: bytes
) -> None:
    w = files.write(text)
    assert main(["validate", str(w.path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err and out == ""
    assert err.startswith(f"error: {w.path}")


def test_cli_on_a_directory(files: Files, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["validate", str(files.root)]) == 2
    assert capsys.readouterr().err == f"error: {files.root}: is a directory, not a scenario file\n"


def test_installed_command_exits_2_without_a_traceback(files: Files) -> None:
    negsim = Path(sys.executable).parent / "negsim"
    if not negsim.exists():
        pytest.skip("the negsim command is not installed next to this Python")
    w = files.scenario(
        ("reservation: 0.3", "reservation: 1.5"), ("mediator: broker", "mediator: brokr")
    )
    done = subprocess.run(
        [str(negsim), "validate", str(w.path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        f"error: {w.path}:5: mediator: unknown party 'brokr'"
        " (known: north, south, guarantor, broker); did you mean 'broker'?",
        f"error: {w.path}:{line_of(w.text, 'reservation: 1.5')}: parties.north.reservation:"
        " Input should be less than or equal to 1 (got 1.5)",
    ]


def test_problems_print_as_documented(files: Files) -> None:
    w = files.scenario(("forbid: {security: [troops]}", "forbid: {security: [nato]}"))
    assert messages(w.problems()) == [
        f"{w.path}:{w.line('nato')}: parties.north.red_lines[0].forbid.security[0]:"
        " unknown option 'nato' (known: troops, none)"
    ]


def test_party_listed_twice_in_needs(files):
    f = files.scenario(("needs: [guarantor]", "needs: [guarantor, guarantor]"))
    assert any("listed twice" in p.message and p.path[-1] == 1 for p in f.problems())


def test_the_mediator_follows_a_mediators_policy(files: Files) -> None:
    w = files.scenario(
        ("weights: {ceasefire: 1}\n", "weights: {ceasefire: 1}\n    strategy: {type: linear}\n")
    )
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("strategy: {type: linear}"),
        "parties.broker.strategy.type",
    )
    assert "broker mediates" in problem.message and "single_text" in problem.message


def test_a_party_that_does_not_mediate_cannot_use_the_mediators_policy(files: Files) -> None:
    w = files.scenario(("{type: boulware, exponent: 0.3}", "{type: single_text}"))
    problem = w.problem()
    assert where(problem)[2] == "parties.north.strategy.type"
    assert "north does not mediate" in problem.message
