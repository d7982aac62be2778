"""Reading YAML: syntax errors, tabs, duplicate keys, yes/no, keys, aliases, tags, bad files."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest

from sim.scenario.problems import dotted
from sim.scenario.yamlsource import MAX_VALUES, parse_scalar, parse_yaml, read_yaml
from tests.scenario.helpers import BASE, Files, Written, edit, line_of, where


def only(text: str) -> tuple[int | None, str, str]:
    """Parse ``text``; it must have exactly one problem: (line, dotted path, message)."""
    _, problems = parse_yaml(text, "f.yaml")
    assert len(problems) == 1, [str(p) for p in problems]
    problem = problems[0]
    assert problem.origin.file == "f.yaml"
    return problem.origin.line, dotted(problem.path), problem.message


# --- syntax errors, with the line of the mistake ------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        # an unclosed flow list: where it opens, though the parser notices on the next line
        ("id: x\ntitle: [a, b\ndeadline: 3\n", 2, "an unclosed '[' starting at line 2"),
        # a key without its colon is wrong where it starts, not on the line after
        ("id: x\ntitle t\ndeadline: 3\nprotocol: mediated\n", 2, "has no colon after its key"),
        ("id: x\ntitle t\n", 2, "has no colon after its key"),
        # an unclosed quote: where it opens, not at the end of the file
        ('id: x\ntitle: "Talks\ndeadline: 3\nprotocol: mediated\n', 2, "an unclosed quote"),
        # a line indented too far
        ("id: x\ntitle: t\n  deadline: 3\nprotocol: mediated\n", 3, "indented more than"),
        # a line indented too little
        ("parties:\n  north:\n    signs: true\n   reservation: 1\n", 4, "indented 3 spaces"),
        # a colon inside an unquoted value
        ("id: x\ntitle: Talks: round two\n", 2, "put the value in quotes"),
        # a list item in the middle of a mapping
        ("id: x\n- title: t\n", 2, "a list item ('- ') among the keys"),
        # two documents in one file
        ("id: x\n---\nid: y\n", 2, "a second document"),
        # an alias to an anchor that was never set
        ("id: x\ntitle: *nowhere\n", 2, "*nowhere refers to no anchor"),
        # characters that cannot start a value
        ("id: x\ntitle: @home\n", 2, "cannot start with '@'"),
        ("id: x\ntitle: `t`\n", 2, "cannot start with '`'"),
    ],
)
def test_syntax_error_names_the_line(text: str, line: int, words: str) -> None:
    got_line, path, message = only(text)
    assert (got_line, path) == (line, "")
    assert message.startswith("YAML: ")
    assert words in message


def test_syntax_error_in_a_scenario_file(files: Files) -> None:
    w = files.scenario(
        ("weights: {ceasefire: 1, security: 2}", "weights: {ceasefire: 1, security: 2")
    )
    problem = w.problem()
    # the flow mapping runs on into the next line, where the parser gives up; the
    # mistake is where it opens
    opened = w.line("weights: {ceasefire: 1, security: 2")
    assert where(problem) == ("scenario.yaml", opened, "")
    noticed = w.line("    values:\n      ceasefire: {truce: 0.0")
    assert f"unclosed '{{' starting at line {opened} (still open at line {noticed})" in (
        problem.message
    )


def test_a_tab_in_the_indentation(files: Files) -> None:
    w = files.scenario(("    reservation: 0.3", "\treservation: 0.3"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("\treservation"), "")
    assert "a tab character" in problem.message


def test_a_tab_after_a_colon(files: Files) -> None:
    w = files.scenario(("deadline: 10", "deadline:\t10"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("deadline:\t10"), "")
    assert "a tab character" in problem.message


def test_windows_line_endings_and_a_byte_order_mark(files: Files) -> None:
    w = files.write(("\ufeff" + BASE).replace("\n", "\r\n").encode("utf-8"))
    assert w.load().id == "test-talks"
    bad = files.write(
        edit(BASE, ("reservation: 0.3", "reservation: 1.3")).replace("\n", "\r\n").encode(),
        "bad.yaml",
    )
    assert where(bad.problem()) == (
        "bad.yaml",
        line_of(BASE, "reservation: 0.3"),
        "parties.north.reservation",
    )


# --- duplicate keys -----------------------------------------------------------------------


def test_duplicate_top_level_key(files: Files) -> None:
    w = files.scenario(("deadline: 10\n", "deadline: 10\ndeadline: 12\n"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("deadline: 12"), "deadline")
    assert problem.message == f"duplicate key (first given at line {w.line('deadline: 10')})"


def test_duplicate_nested_key(files: Files) -> None:
    w = files.scenario(("    reservation: 0.2\n", "    reservation: 0.2\n    reservation: 0.25\n"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("reservation: 0.25"),
        "parties.south.reservation",
    )
    assert problem.message == f"duplicate key (first given at line {w.line('reservation: 0.2\n')})"


def test_duplicate_key_in_a_flow_mapping(files: Files) -> None:
    w = files.scenario(("{truce: 0.0, treaty: 1.0}", "{truce: 0.0, treaty: 1.0, truce: 0.5}"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("truce: 0.5"),
        "parties.north.values.ceasefire.truce",
    )
    assert "duplicate key" in problem.message


def test_a_party_given_twice(files: Files) -> None:
    w = files.scenario(("  broker:\n", "  north:\n    reservation: 0.5\n  broker:\n"))
    problem = w.problem()
    assert where(problem) == (
        "scenario.yaml",
        w.line("  north:\n    reservation: 0.5"),
        "parties.north",
    )
    assert problem.message == f"duplicate key (first given at line {w.line('  north:\n    label')})"


def test_every_duplicate_is_reported(files: Files) -> None:
    w = files.scenario(
        ("deadline: 10\n", "deadline: 10\ndeadline: 11\n"),
        ("    reservation: 0.1\n", "    reservation: 0.1\n    reservation: 0.15\n"),
    )
    assert [where(p) for p in w.problems()] == [
        ("scenario.yaml", w.line("deadline: 11"), "deadline"),
        ("scenario.yaml", w.line("reservation: 0.15"), "parties.guarantor.reservation"),
    ]


# --- yes / no / on / off stay text --------------------------------------------------------


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO", "On", "OFF", "y", "n"])
def test_yes_no_on_off_stay_text(word: str) -> None:
    document, problems = parse_yaml(f"a: {word}\n{word}: 1\nb: [{word}]\n", "f.yaml")
    assert problems == []
    assert document.data == {"a": word, word: 1, "b": [word]}


@pytest.mark.parametrize(
    ("word", "value"),
    [("true", True), ("false", False), ("True", True), ("FALSE", False)],
)
def test_only_true_and_false_are_booleans(word: str, value: bool) -> None:
    document, problems = parse_yaml(f"a: {word}\n", "f.yaml")
    assert problems == []
    assert document.data == {"a": value}


@pytest.mark.parametrize("word", ["no", "yes", "off", "on"])
def test_an_option_named_like_a_boolean_stays_its_name(files: Files, word: str) -> None:
    w = files.scenario(
        ("      none: No guarantees", f"      {word}: No guarantees"),
        ("security: {troops: 0.0, none: 1.0}", f"security: {{troops: 0.0, {word}: 1.0}}"),
        ("security: {troops: 1.0, none: 0.0}", f"security: {{troops: 1.0, {word}: 0.0}}"),
        ("security: {troops: 1.0, none: 0.2}", f"security: {{troops: 1.0, {word}: 0.2}}"),
        ("forbid: {security: [troops]}", f"forbid: {{security: [{word}]}}"),
    )
    scenario = w.load()
    assert list(scenario.issues["security"].options) == ["troops", word]
    assert scenario.parties["north"].values["security"] == {"troops": 0.0, word: 1.0}
    assert scenario.parties["north"].red_lines[0].rule == {"security": [word]}


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "Yes", "NO"])
def test_signs_yes_is_an_error_that_says_true_or_false(files: Files, word: str) -> None:
    w = files.scenario(("label: North\n    signs: true", f"label: North\n    signs: {word}"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line(f"signs: {word}"), "parties.north.signs")
    assert problem.message == f"{word!r} is text here, not a boolean: write true or false"


def test_signs_quoted_true_is_not_a_boolean(files: Files) -> None:
    w = files.scenario(("label: North\n    signs: true", 'label: North\n    signs: "true"'))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line('signs: "true"'), "parties.north.signs")
    assert "valid boolean" in problem.message


def test_signs_one_is_not_a_boolean(files: Files) -> None:
    w = files.scenario(("label: North\n    signs: true", "label: North\n    signs: 1"))
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", w.line("signs: 1"), "parties.north.signs")
    assert "valid boolean (got 1)" in problem.message


# --- keys that are not names --------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "kind"),
    [("1", "int"), ("2.5", "float"), ("null", "NoneType"), ("~", "NoneType"), ("true", "bool")],
)
def test_a_key_that_is_not_text(files: Files, key: str, kind: str) -> None:
    w = files.scenario(("      treaty: Treaty first", f"      {key}: Treaty first"))
    problems = w.problems()
    # parse problems stop the load: nothing else is reported
    assert len(problems) == 1
    assert where(problems[0]) == (
        "scenario.yaml",
        w.line(f"{key}: Treaty first"),
        "issues.ceasefire.options",
    )
    assert problems[0].message == (
        f"key {key!r} is read as {kind}, not a name; quote it if it is meant as text"
    )


def test_a_quoted_number_key_is_text_and_then_not_a_name(files: Files) -> None:
    w = files.scenario(("      treaty: Treaty first", '      "1": Treaty first'))
    problems = w.problems()
    assert where(problems[0]) == (
        "scenario.yaml",
        w.line('"1": Treaty'),
        "issues.ceasefire.options.1",
    )
    assert "is not a name" in problems[0].message


@pytest.mark.parametrize(
    "text", ["id: x\n[a, b]: 1\n", "id: x\n{a: 1}: 1\n", "id: x\n? [a]\n: 1\n"]
)
def test_a_key_that_is_a_collection(text: str) -> None:
    line, path, message = only(text)
    assert (line, path, message) == (2, "", "a key must be a plain name")


# --- anchors, aliases, merge keys ---------------------------------------------------------


def test_anchors_and_aliases_work(files: Files) -> None:
    w = files.scenario(
        (
            "      ceasefire: {truce: 1.0, treaty: 0.0}",
            "      ceasefire: &pro_truce {truce: 1.0, treaty: 0.0}",
        ),
        ("weights: {ceasefire: 1}", "weights: {ceasefire: 1, security: 1}"),
        (
            "ceasefire: {truce: 0.8, treaty: 0.6}",
            "ceasefire: *pro_truce\n      security: {troops: 0.5, none: 0.5}",
        ),
    )
    assert w.load().parties["broker"].values["ceasefire"] == {"truce": 1.0, "treaty": 0.0}


def test_merge_keys_work_and_local_keys_win() -> None:
    document, problems = parse_yaml(
        "base: &b {reservation: 0.3, signs: true}\nparty:\n  <<: *b\n  reservation: 0.5\n", "f.yaml"
    )
    assert problems == []
    assert document.data["party"] == {"reservation": 0.5, "signs": True}
    # a merged value remembers where it was written
    assert document.origin(("party", "signs")).line == 1
    assert document.origin(("party", "reservation")).line == 4


def test_an_error_in_an_aliased_value_points_at_the_alias_use(files: Files) -> None:
    w = files.scenario(
        ("    reservation: 0.3", "    reservation: &r 1.5"),
        ("    reservation: 0.2", "    reservation: *r"),
    )
    assert [where(p) for p in w.problems()] == [
        ("scenario.yaml", w.line("reservation: &r 1.5"), "parties.north.reservation"),
        ("scenario.yaml", w.line("reservation: *r"), "parties.south.reservation"),
    ]


def test_a_merge_key_needs_a_mapping() -> None:
    assert only("a:\n  <<: 3\n  b: 1\n") == (
        2,
        "a",
        "a merge key (<<) takes a mapping or a list of them",
    )


@pytest.mark.parametrize(
    "text",
    ["a: &x [1, *x]\n", "a: &x\n  b: *x\n", "a: &x\n  b:\n    - c: *x\n"],
)
def test_a_recursive_alias(text: str) -> None:
    line, path, message = only(text)
    assert message == "an alias refers to itself"
    assert line is not None and path.startswith("a")


@pytest.mark.parametrize("text", ["a: &x\n  b: 1\n  <<: *x\n", "a: &x\n  b:\n    <<: *x\n"])
def test_a_recursive_merge_key(text: str) -> None:
    line, path, message = only(text)
    assert message == "a merge key (<<) refers to its own mapping"
    assert line in (1, 2) and path.startswith("a")


def test_an_alias_bomb_stops_quickly_with_an_error(files: Files) -> None:
    levels = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    w = files.write("\n".join(levels) + "\n")
    # CPU time, not wall time: the machines are shared. Expanding the bomb would take
    # hours and gigabytes; stopping at MAX_VALUES takes about a second.
    start = time.process_time()
    problem = w.problem()
    assert time.process_time() - start < 10
    assert problem.message == f"more than {MAX_VALUES:,} values (an alias bomb?)"
    assert problem.origin.file == str(w.path)


def test_absurdly_deep_nesting_is_an_error_not_a_crash() -> None:
    _, path, message = only("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert (path, message) == ("", "YAML: nested too deeply")


# --- tags: nothing is ever constructed or run ---------------------------------------------


@pytest.fixture
def no_system(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) any call of os.system while reading YAML."""
    calls: list[str] = []
    monkeypatch.setattr(os, "system", lambda command: calls.append(command) or 0)
    return calls


@pytest.mark.parametrize(
    "value",
    [
        '!!python/object/apply:os.system ["touch {pwned}"]',
        "!!python/object/apply:os.system\n  args: ['touch {pwned}']",
        '!!python/object/new:os.system ["touch {pwned}"]',
        "!!python/object:os.system {{}}",
        '!!python/object/apply:builtins.open ["{pwned}", "w"]',
    ],
)
def test_a_python_tag_on_a_collection_never_runs(
    files: Files, no_system: list[str], value: str
) -> None:
    pwned = files.root / "PWNED"
    w = files.scenario(("title: Test talks", "title: " + value.format(pwned=pwned)))
    problem = w.problem()
    assert no_system == []
    assert not pwned.exists()
    assert where(problem) == ("scenario.yaml", w.line("title: !!python"), "title")
    assert "python/object" in problem.message and "is not allowed" in problem.message


@pytest.mark.parametrize(
    "value",
    ["!!python/name:os.system", "!!python/module:os", '!!python/object/apply:os.system "x"'],
)
def test_a_python_tag_on_a_scalar_never_runs(
    files: Files, no_system: list[str], value: str
) -> None:
    w = files.scenario(("title: Test talks", f"title: {value}"))
    problem = w.problem()
    assert no_system == []
    assert where(problem) == ("scenario.yaml", w.line("title: !!python"), "")
    assert problem.message.startswith("YAML: ") and "python/" in problem.message


@pytest.mark.parametrize("value", ["!!set {a, b}", "!!omap [{a: 1}]", "!!pairs [{a: 1}]"])
def test_other_collection_tags_are_errors(value: str) -> None:
    line, path, message = only(f"id: x\ntitle: {value}\n")
    assert (line, path) == (2, "title")
    assert "is not allowed: plain data only" in message


def test_an_unknown_local_tag_is_an_error() -> None:
    line, path, message = only("id: x\ntitle: !include other.yaml\n")
    assert (line, path) == (2, "")
    assert "!include" in message


def test_harmless_standard_scalar_tags_work() -> None:
    document, problems = parse_yaml("a: !!str 12\nb: !!int '7'\nc: !!float 1\n", "f.yaml")
    assert problems == []
    assert document.data == {"a": "12", "b": 7, "c": 1.0}


# --- files that are not scenarios ---------------------------------------------------------


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_an_empty_file(files: Files, text: str) -> None:
    w = files.write(text)
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", 1, "")
    assert problem.message == "a scenario is a mapping, this file is empty"


@pytest.mark.parametrize(
    ("text", "what"),
    [("- id: x\n- title: t\n", "a list"), ("just some text\n", "a str"), ("42\n", "a int")],
)
def test_a_file_that_is_not_a_mapping(files: Files, text: str, what: str) -> None:
    problem = files.write(text).problem()
    assert where(problem) == ("scenario.yaml", 1, "")
    assert problem.message == f"a scenario is a mapping, this file is {what}"


def test_a_file_that_is_not_utf8(files: Files) -> None:
    w = files.write(b"id: x\ntitle: caf\xe9\ndeadline: 3\n")
    problem = w.problem()
    assert where(problem) == ("scenario.yaml", 2, "")
    assert problem.message == "not UTF-8 text"


def test_a_directory(files: Files) -> None:
    folder = files.root / "scenarios.yaml"
    folder.mkdir()
    problem = Written(folder, "").problem()
    assert str(problem) == f"{folder}: is a directory, not a scenario file"


def test_a_file_not_found(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    document, problems = read_yaml(missing)
    assert document.data is None
    assert [str(p) for p in problems] == [f"{missing}: file not found"]


def test_a_file_shown_under_another_name(tmp_path: Path) -> None:
    _, problems = read_yaml(tmp_path / "nowhere.yaml", shown_as="scenarios/x.yaml")
    assert [str(p) for p in problems] == ["scenarios/x.yaml: file not found"]


# --- values given on the command line -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5),
        ("no", "no"),
        ("true", True),
        ("", None),
        ("[a, b]", ["a", "b"]),
        ("{type: linear}", {"type": "linear"}),
        ("'0.5'", "0.5"),
    ],
)
def test_parse_scalar(text: str, value: object) -> None:
    assert parse_scalar(text) == value


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("[a", "an unclosed '['"),
        ("!!python/name:os.system", "python/name"),
        ("!!python/object/apply:os.system [x]", "is not allowed"),
        ("{1: a}", "read as int"),
    ],
)
def test_parse_scalar_errors(no_system: list[str], text: str, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        parse_scalar(text)
    assert no_system == []
