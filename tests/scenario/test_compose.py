"""Variants (``extends``) and ``--set`` overrides: merge semantics and where errors point."""

from __future__ import annotations

import textwrap

import pytest

from sim.cli import main
from sim.scenario import Override
from sim.scenario.compose import resolve_path
from tests.scenario.helpers import BASE, Files, Written, edit, line_of, where


def variant(files: Files, text: str, name: str = "variant.yaml", base: str = BASE) -> Written:
    """Write ``base`` as base.yaml and ``text`` (dedented) as a variant of it."""
    files.write(base, "base.yaml")
    return files.write(textwrap.dedent(text), name)


# --- merge semantics ----------------------------------------------------------------------


def test_a_variant_changes_only_what_it_states(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: test-talks-late
        deadline: 20
        parties:
          north:
            reservation: 0.5
        """,
    )
    scenario = w.load()
    assert (scenario.id, scenario.deadline, scenario.title) == ("test-talks-late", 20, "Test talks")
    north = scenario.parties["north"]
    assert north.reservation == 0.5
    assert north.weights == {"ceasefire": 1, "security": 2}
    assert [line.id for line in north.red_lines] == ["no_troops"]
    assert list(scenario.parties) == ["north", "south", "guarantor", "broker"]


def test_key_null_deletes(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        issues:
          ceasefire:
            label: null
        parties:
          north:
            label: ~
            strategy: null
        """,
    )
    scenario = w.load()
    assert scenario.issues["ceasefire"].label is None
    assert scenario.parties["north"].label is None
    assert scenario.parties["north"].strategy.type == "linear"


def test_deleting_a_required_field_points_at_the_null(files: Files) -> None:
    w = variant(files, "extends: base.yaml\nid: v\ntitle: null\n")
    problem = w.problem()
    assert where(problem) == ("variant.yaml", 3, "title")
    assert problem.message == "missing (required)"


def test_deleting_a_party(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          guarantor: null
        """,
    )
    problem = w.problem()
    # the option that needs the deleted party is in the base file
    assert where(problem) == (
        "base.yaml",
        line_of(BASE, "needs: [guarantor]"),
        "issues.security.options.troops.needs[0]",
    )
    assert problem.message.startswith("unknown party 'guarantor' (known: north, south, broker)")


def test_named_lists_merge_by_id(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: no_troops
                credibility: 0.4
        """,
    )
    (line,) = w.load().parties["north"].red_lines
    assert (line.id, line.kind, line.rule, line.credibility) == (
        "no_troops",
        "forbid",
        {"security": ["troops"]},
        0.4,
    )


def test_a_merged_item_can_switch_forbid_to_require(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: no_troops
                forbid: null
                require: {security: [none]}
        """,
    )
    (line,) = w.load().parties["north"].red_lines
    assert (line.kind, line.rule, line.credibility) == ("require", {"security": ["none"]}, 0.9)


def test_remove_true_drops_an_item(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: no_troops
                remove: true
              - id: treaty_first
                forbid: {ceasefire: [truce]}
        """,
    )
    scenario = w.load()
    assert [line.id for line in scenario.parties["north"].red_lines] == ["treaty_first"]
    assert [line.id for line in scenario.parties["south"].red_lines] == ["guarantees_required"]


def test_new_ids_are_appended_in_order_after_the_base_items(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: treaty_first
                forbid: {ceasefire: [truce]}
              - id: no_troops
                credibility: 0.5
              - id: no_nothing
                forbid: {security: [none]}
        """,
    )
    lines = w.load().parties["north"].red_lines
    assert [(line.id, line.credibility) for line in lines] == [
        ("no_troops", 0.5),
        ("treaty_first", 1.0),
        ("no_nothing", 1.0),
    ]


def test_a_list_that_is_not_named_replaces(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        issues:
          security:
            options:
              troops: {needs: [guarantor, broker]}
        """,
    )
    option = w.load().issues["security"].options["troops"]
    assert option.needs == ["guarantor", "broker"]
    assert option.label == "Foreign troops"


def test_an_empty_list_replaces_a_named_list(files: Files) -> None:
    w = variant(files, "extends: base.yaml\nid: v\nparties:\n  north:\n    red_lines: []\n")
    assert w.load().parties["north"].red_lines == []


def test_events_merge_by_id(files: Files) -> None:
    base = BASE + textwrap.dedent(
        """\
        events:
          - id: summit
            round: 3
            set: {parties.north.reservation: 0.2}
          - id: offensive
            round: 5
            set: {parties.south.reservation: 0.1}
        """
    )
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        events:
          - id: offensive
            round: 6
          - id: summit
            remove: true
        """,
        base=base,
    )
    (event,) = w.load().events
    assert (event.id, event.round, event.set) == (
        "offensive",
        6,
        {"parties.south.reservation": 0.1},
    )


def test_a_variant_of_a_variant(files: Files) -> None:
    variant(files, "extends: base.yaml\nid: one\ndeadline: 20\n", name="one.yaml")
    w = files.write(
        "extends: one.yaml\nid: two\nparties:\n  north:\n    reservation: 0.4\n", "two.yaml"
    )
    scenario = w.load()
    assert (scenario.id, scenario.deadline, scenario.parties["north"].reservation) == (
        "two",
        20,
        0.4,
    )


def test_extends_is_relative_to_the_variant(files: Files) -> None:
    files.write(BASE, "scenarios/base.yaml")
    w = files.write("extends: ../scenarios/base.yaml\nid: v\n", "variants/v.yaml")
    assert w.load().id == "v"


# --- where errors point -------------------------------------------------------------------


def test_an_error_in_the_variant_points_at_the_variant(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            reservation: 2
          south:
            red_lines:
              - id: guarantees_required
                require: {security: [troop]}
        """,
    )
    assert [where(p) for p in w.problems()] == [
        ("variant.yaml", 5, "parties.north.reservation"),
        ("variant.yaml", 9, "parties.south.red_lines[0].require.security[0]"),
    ]


def test_an_error_in_the_inherited_part_points_at_the_base(files: Files) -> None:
    base = edit(
        BASE, ("reservation: 0.1", "reservation: 1.1"), ("mediator: broker", "mediator: brokr")
    )
    w = variant(files, "extends: base.yaml\nid: v\ndeadline: 0\n", base=base)
    assert [where(p) for p in w.problems()] == [
        ("base.yaml", 5, "mediator"),
        ("base.yaml", line_of(base, "reservation: 1.1"), "parties.guarantor.reservation"),
        ("variant.yaml", 3, "deadline"),
    ]


def test_an_error_in_a_merged_item_points_at_the_variant_line(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: no_troops
                credibilty: 0.4
        """,
    )
    problem = w.problem()
    assert where(problem) == ("variant.yaml", 7, "parties.north.red_lines[0].credibilty")
    assert problem.message.endswith("did you mean 'credibility'?")


def test_an_error_in_an_unchanged_field_of_a_merged_item_points_at_the_base(files: Files) -> None:
    base = edit(BASE, ("forbid: {security: [troops]}", "forbid: {security: [tropps]}"))
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: no_troops
                credibility: 0.4
        """,
        base=base,
    )
    assert where(w.problem()) == (
        "base.yaml",
        line_of(base, "tropps"),
        "parties.north.red_lines[0].forbid.security[0]",
    )


def test_an_appended_item_points_at_the_variant(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: treaty_first
                forbid: {ceasefire: [tretay]}
        """,
    )
    assert where(w.problem()) == (
        "variant.yaml",
        7,
        "parties.north.red_lines[1].forbid.ceasefire[0]",
    )


def test_removing_an_unknown_id_is_reported(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            red_lines:
              - id: no_tanks
                remove: true
        """,
    )
    problems = w.problems()
    assert [where(p) for p in problems] == [
        ("variant.yaml", 7, "parties.north.red_lines[0].remove")
    ]
    assert "nothing to remove" in problems[0].message


def test_an_error_in_the_middle_of_a_chain_points_at_its_file(files: Files) -> None:
    variant(
        files, "extends: base.yaml\nid: one\nparties:\n  north:\n    reservation: -1\n", "one.yaml"
    )
    w = files.write("extends: one.yaml\nid: two\ndeadline: 12\n", "two.yaml")
    assert where(w.problem()) == ("one.yaml", 5, "parties.north.reservation")


def test_a_yaml_error_in_the_base(files: Files) -> None:
    base = edit(BASE, ("title: Test talks", "title: [Test talks"))
    w = variant(files, "extends: base.yaml\nid: v\n", base=base)
    problem = w.problem()
    # reported where the bracket opens, the line to fix
    assert where(problem)[:2] == ("base.yaml", 2)
    assert problem.message.startswith("YAML: an unclosed '['")


# --- bad extends --------------------------------------------------------------------------


def test_a_variant_without_its_own_id(files: Files) -> None:
    w = variant(files, "extends: base.yaml\ndeadline: 20\n")
    assert str(w.problem()) == f"{w.path}:1: a variant needs an id of its own"


def test_extends_a_missing_file(files: Files) -> None:
    w = files.write("id: v\nextends: nowhere.yaml\n")
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", 2, "extends")
    assert problem.message == (
        f"extends 'nowhere.yaml': no such file ({(files.root / 'nowhere.yaml').resolve()})"
    )


def test_extends_a_directory(files: Files) -> None:
    (files.root / "base.yaml").mkdir()
    problem = files.write("extends: base.yaml\nid: v\n").problem()
    assert where(problem) == ("scenario.yaml", 1, "extends")
    assert problem.message == "extends 'base.yaml': is a directory, not a file"


@pytest.mark.parametrize("value", ["3", "''", "[base.yaml]", "null"])
def test_extends_that_is_not_a_path(files: Files, value: str) -> None:
    problem = files.write(f"extends: {value}\nid: v\n").problem()
    assert where(problem) == ("scenario.yaml", 1, "extends")
    assert problem.message == "expected the path of a scenario file"


def test_an_extends_loop_of_two(files: Files) -> None:
    files.write("extends: b.yaml\nid: a\n", "a.yaml")
    b = files.write("id: b\nextends: a.yaml\n", "b.yaml")
    problem = Written(files.root / "a.yaml", "").problem()
    assert where(problem) == ("b.yaml", b.line("extends"), "extends")
    assert problem.message == f"extends loops: {files.root / 'a.yaml'} -> {b.path} -> a.yaml"


def test_a_file_that_extends_itself(files: Files) -> None:
    w = files.write("extends: self.yaml\nid: a\n", "self.yaml")
    problem = w.problem()
    assert where(problem) == ("self.yaml", 1, "extends")
    assert problem.message == f"extends loops: {w.path} -> self.yaml"


def test_a_loop_through_another_folder(files: Files) -> None:
    files.write("extends: ../b/b.yaml\nid: a\n", "a/a.yaml")
    files.write("extends: ../a/./a.yaml\nid: b\n", "b/b.yaml")
    problem = Written(files.root / "a" / "a.yaml", "").problem()
    assert where(problem) == ("b.yaml", 1, "extends")
    assert problem.message.startswith("extends loops: ")


def test_a_source_inherited_from_the_base_is_found_next_to_the_base(files: Files) -> None:
    files.source("base/article.txt")
    files.write(
        edit(
            BASE,
            ("title: Test talks", "title: Test talks\nsource: article.txt"),
            (
                "        credibility: 0.9\n",
                "        credibility: 0.9\n        quote: off the table\n",
            ),
        ),
        "base/base.yaml",
    )
    w = files.write("extends: ../base/base.yaml\nid: v\n", "variants/v.yaml")
    assert w.load().source == "article.txt"


# --- --set overrides ----------------------------------------------------------------------


def test_a_valid_override_changes_the_value(files: Files) -> None:
    w = files.scenario()
    scenario = w.load(
        "parties.north.reservation=0.5",
        "parties.north.red_lines.no_troops.credibility=0.25",
        "parties.south.red_lines.0.require={security: [troops, none]}",
        "parties.north.strategy={type: linear}",
        "deadline=25",
    )
    north = scenario.parties["north"]
    assert (north.reservation, north.red_lines[0].credibility, north.strategy.type) == (
        0.5,
        0.25,
        "linear",
    )
    assert scenario.parties["south"].red_lines[0].rule == {"security": ["troops", "none"]}
    assert scenario.deadline == 25


def test_an_override_of_a_field_left_at_its_default(files: Files) -> None:
    scenario = files.scenario().load("parties.south.red_lines.guarantees_required.credibility=0.3")
    assert scenario.parties["south"].red_lines[0].credibility == 0.3


def test_an_override_object(files: Files) -> None:
    override = Override.parse("parties.north.reservation=0.45")
    assert (override.path, override.value, override.text) == (
        "parties.north.reservation",
        0.45,
        "parties.north.reservation=0.45",
    )
    assert files.scenario().load(override).parties["north"].reservation == 0.45


def test_an_override_of_a_variant(files: Files) -> None:
    w = variant(files, "extends: base.yaml\nid: v\ndeadline: 20\n")
    scenario = w.load("deadline=30", "parties.north.reservation=0.6")
    assert (scenario.deadline, scenario.parties["north"].reservation) == (30, 0.6)


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (
            "parties.north.reservation=2",
            "parties.north.reservation",
            "less than or equal to 1 (got 2)",
        ),
        ("parties.north.reservation=abc", "parties.north.reservation", "valid number (got 'abc')"),
        (
            "parties.north.red_lines.no_troops.credibility=-1",
            "parties.north.red_lines[0].credibility",
            "greater than or equal to 0 (got -1)",
        ),
        (
            "parties.north.signs=yes",
            "parties.north.signs",
            "'yes' is text here, not a boolean: write true or false",
        ),
        (
            "parties.north.red_lines.no_troops.forbid={security: [tanks]}",
            "parties.north.red_lines[0].forbid.security[0]",
            "unknown option 'tanks' (known: troops, none)",
        ),
        (
            "dedline=12",
            "dedline",
            "unknown field (allowed: id, title, source, deadline, protocol, mediator, issues,"
            " parties, uncertainty, events, blocs, batch); did you mean 'deadline'?",
        ),
        ("mediator=", "protocol", "protocol mediated needs a mediator (a party id)"),
    ],
)
def test_a_bad_override_value_is_reported_with_its_origin(
    files: Files, text: str, path: str, message: str
) -> None:
    problem = files.scenario().problem(text)
    if path == "protocol":  # the problem is in the file, which the override made wrong
        assert where(problem) == ("scenario.yaml", 4, path)
    else:
        assert (problem.origin.file, problem.origin.line) == (f"--set {text}", None)
        assert where(problem)[2] == path
    assert message in problem.message


def test_a_bad_override_value_on_the_command_line(
    files: Files, capsys: pytest.CaptureFixture[str]
) -> None:
    w = files.scenario()
    code = main(["validate", str(w.path), "--set", "parties.north.reservation=2"])
    assert code == 2
    assert capsys.readouterr().err == (
        "error: --set parties.north.reservation=2: parties.north.reservation:"
        " Input should be less than or equal to 1 (got 2)\n"
    )


def test_an_override_that_breaks_a_cross_check(files: Files) -> None:
    problem = files.scenario().problem(
        "parties.south.weights.ceasefire=0", "parties.south.weights.security=0"
    )
    # the weights mapping itself is still the file's; its values are the overrides'
    assert where(problem) == (
        "scenario.yaml",
        line_of(BASE, "weights: {ceasefire: 1, security: 1}"),
        "parties.south.weights",
    )
    assert problem.message == "weights must not all be zero"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "parties.nowhere.reservation=0.5",
            "parties has no 'nowhere' (has: north, south, guarantor, broker)",
        ),
        (
            "partys.north.reservation=0.5",
            "the scenario has no 'partys' (has: id, title, deadline, protocol, mediator, issues,"
            " parties); did you mean 'parties'?",
        ),
        (
            "parties.north.red_lines.no_tanks.credibility=0.5",
            "parties.north.red_lines has no item 'no_tanks' (has: no_troops)",
        ),
        (
            "parties.north.red_lines.3.credibility=0.5",
            "parties.north.red_lines has no item '3' (has: no_troops)",
        ),
        (
            "parties.north.reservation.low=0.5",
            "parties.north.reservation is a value, it has no 'low'",
        ),
        ("parties..reservation=0.5", "'parties..reservation' is not a dotted path"),
        ("parties.north.=0.5", "'parties.north.' is not a dotted path"),
        ("noequals", "expected PATH=VALUE"),
        ("=0.5", "expected PATH=VALUE"),
        (
            "title=[Test",
            "YAML: an unclosed '[' starting at line 1: close it with ']'",
        ),
    ],
)
def test_a_bad_override_path_gives_a_clear_error(files: Files, text: str, message: str) -> None:
    problem = files.scenario().problem(text)
    assert str(problem) == f"--set {text}: {message}"


def test_every_bad_override_is_reported(files: Files) -> None:
    problems = files.scenario().problems("noequals", "parties.nowhere.reservation=1", "deadline=5")
    assert [p.origin.file for p in problems] == [
        "--set noequals",
        "--set parties.nowhere.reservation=1",
    ]


def test_a_python_tag_in_an_override_never_runs(
    files: Files, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)
    for text in [
        "title=!!python/object/apply:os.system [echo hi]",
        "title=!!python/name:os.system",
    ]:
        problem = files.scenario().problem(text)
        assert problem.origin.file == f"--set {text}"
        assert "python/" in problem.message
    assert calls == []


def test_overrides_on_a_broken_file_report_the_file(files: Files) -> None:
    w = files.write("id: x\ntitle: [a\n")
    problem = w.problem("parties.north.reservation=0.5")
    assert where(problem)[0] == "scenario.yaml"


@pytest.mark.parametrize(("text", "what"), [("", "empty"), ("- a\n", "a list")])
def test_overrides_on_a_file_that_is_not_a_mapping(files: Files, text: str, what: str) -> None:
    problem = files.write(text).problem("parties.north.reservation=0.5", "0=1")
    assert str(problem).endswith(f"scenario.yaml:1: a scenario is a mapping, this file is {what}")


# --- dotted paths -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "concrete"),
    [
        ("parties.north.reservation", ("parties", "north", "reservation")),
        (
            "parties.north.red_lines.no_troops.credibility",
            ("parties", "north", "red_lines", 0, "credibility"),
        ),
        ("parties.north.red_lines.0", ("parties", "north", "red_lines", 0)),
        (
            "issues.security.options.troops.needs.0",
            ("issues", "security", "options", "troops", "needs", 0),
        ),
    ],
)
def test_resolve_path(files: Files, path: str, concrete: tuple[object, ...]) -> None:
    from sim.scenario.yamlsource import parse_yaml

    document, _ = parse_yaml(BASE, "base.yaml")
    assert resolve_path(document.data, path) == concrete


def test_resolve_path_allows_a_new_last_key_only_when_asked() -> None:
    data = {"parties": {"north": {"red_lines": [{"id": "a"}]}}}
    with pytest.raises(KeyError, match="has no 'credibility'"):
        resolve_path(data, "parties.north.red_lines.a.credibility")
    assert resolve_path(data, "parties.north.red_lines.a.credibility", allow_new=True) == (
        "parties",
        "north",
        "red_lines",
        0,
        "credibility",
    )
    with pytest.raises(KeyError, match="has no 'south'"):
        resolve_path(data, "parties.south.reservation", allow_new=True)


def test_merge_problems_and_validation_problems_come_in_one_go(files: Files) -> None:
    w = variant(
        files,
        """\
        extends: base.yaml
        id: v
        parties:
          north:
            reservation: 1.5
            red_lines:
              - id: no_tanks
                remove: true
        """,
    )
    found = sorted(where(p) for p in w.problems())
    assert found == [
        ("variant.yaml", 5, "parties.north.reservation"),
        ("variant.yaml", 8, "parties.north.red_lines[0].remove"),
    ]


def test_setting_a_sampled_field_fixes_it(tmp_path) -> None:
    from pathlib import Path

    from sim.scenario import load_scenario

    base = Path(__file__).resolve().parents[2] / "scenarios" / "ukraine_2025.yaml"
    scenario = load_scenario(base, ["parties.ukraine.reservation=0.6"])
    assert scenario.parties["ukraine"].reservation == 0.6
    assert "parties.ukraine.reservation" not in scenario.uncertainty.parameters
    assert "parties.russia.reservation" in scenario.uncertainty.parameters
