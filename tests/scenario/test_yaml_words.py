"""YAML syntax errors in plain words, at the line to fix (issue 9.13).

Each case is one common mistake made in an otherwise valid scenario file; the problem
must name the line where the mistake is and say what it is, without PyYAML's jargon.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.scenario.yamlsource import parse_yaml
from tests.scenario.helpers import BASE, Files

#: PyYAML's own terms, which a user should not have to decode.
JARGON = ("<block", "<scalar>", "<stream", "expected <", "simple key", "while parsing", "token")

CASES = [
    pytest.param(
        ("    reservation: 0.3", "      reservation: 0.3"),
        "reservation: 0.3",
        "indented more than the mapping above it expects",
        id="indented-too-far",
    ),
    pytest.param(
        ("    reservation: 0.3", "   reservation: 0.3"),
        "reservation: 0.3",
        "indented 3 spaces, which lines it up with no key above it (those are indented 4, 2, 0)",
        id="indented-between-levels",
    ),
    pytest.param(
        ("    reservation: 0.3", "\treservation: 0.3"),
        "reservation: 0.3",
        "a tab character",
        id="tab",
    ),
    pytest.param(
        ("title: Test talks", 'title: "Test talks'),
        "title:",
        'an unclosed quote (") starting at line 2',
        id="unclosed-double-quote",
    ),
    pytest.param(
        ("truce: Ceasefire now", "truce: 'Ceasefire now"),
        "truce: 'Ceasefire now",
        "an unclosed quote (') starting at line",
        id="unclosed-single-quote",
    ),
    pytest.param(
        ("weights: {ceasefire: 1, security: 2}", "weights: {ceasefire: 1, security: 2"),
        "weights: {ceasefire: 1, security: 2",
        "an unclosed '{' starting at line",
        id="unclosed-brace",
    ),
    pytest.param(
        ("needs: [guarantor]", "needs: [guarantor"),
        "needs: [guarantor",
        "'[' is closed with '}': close it with ']'",
        id="bracket-closed-by-brace",
    ),
    pytest.param(
        ("deadline: 10", "deadline: [10"),
        "deadline: [10",
        "an unclosed '[' starting at line 3 (still open at line 4)",
        id="unclosed-bracket",
    ),
    pytest.param(
        ("    signs: true\n    reservation: 0.3", "    signs true\n    reservation: 0.3"),
        "signs true",
        "this line has no colon after its key",
        id="missing-colon",
    ),
    pytest.param(
        ("deadline: 10", "deadline 10"),
        "deadline 10",
        "this line has no colon after its key",
        id="missing-colon-top-level",
    ),
    pytest.param(
        ("    signs: true\n    reservation: 0.3", "    signs:true\n    reservation: 0.3"),
        "signs:true",
        "a colon must be followed by a space",
        id="no-space-after-colon",
    ),
    pytest.param(
        ("    reservation: 0.3", "    - reservation: 0.3"),
        "- reservation: 0.3",
        "a list item ('- ') among the keys of the mapping",
        id="list-item-among-keys",
    ),
    pytest.param(
        ("        credibility: 0.9", "      credibility: 0.9"),
        "credibility: 0.9",
        "a key among the items of the list",
        id="key-among-list-items",
    ),
    pytest.param(
        ("title: Test talks", "title: Test talks: round two"),
        "title:",
        "a colon followed by a space inside a value: put the value in quotes",
        id="colon-in-value",
    ),
    pytest.param(
        ("title: Test talks", 'title: "Test" talks'),
        "title:",
        "text after a closing quote",
        id="text-after-quote",
    ),
]


@pytest.mark.parametrize(("change", "at", "words"), CASES)
def test_a_common_mistake_in_plain_words(
    files: Files, change: tuple[str, str], at: str, words: str
) -> None:
    w = files.scenario(change)
    problem = w.problem()
    assert problem.origin.line == w.line(at), str(problem)
    assert words in problem.message, problem.message
    assert not [j for j in JARGON if j in problem.message], problem.message
    # one line on the command line, as every other error
    assert "\n" not in str(problem)


def test_a_control_character_is_an_error_with_its_line(files: Files) -> None:
    w = files.scenario(("title: Test talks", "title: Test\x07talks"))
    problem = w.problem()
    assert problem.origin.line == w.line("title:")
    assert "control character (U+0007)" in problem.message


def test_a_mistake_never_seen_keeps_the_parsers_words(files: Files) -> None:
    # a flow list closed twice: rare enough to fall back on PyYAML, with its line
    w = files.scenario(("needs: [guarantor]", "needs: [guarantor]]"))
    problem = w.problem()
    assert problem.origin.line == w.line("needs: [guarantor]]")
    assert problem.message.startswith("YAML: ")


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(BASE) - 1),
            st.sampled_from([":", " ", "  ", "\t", '"', "'", "[", "]", "{", "}", "-", "\n", "#"]),
            st.booleans(),
        ),
        min_size=1,
        max_size=3,
    )
)
def test_a_mangled_file_always_gets_a_located_problem_or_loads(
    edits: list[tuple[int, str, bool]],
) -> None:
    text = BASE
    for at, char, insert in edits:
        at = min(at, len(text) - 1)
        text = text[:at] + char + text[at + (0 if insert else 1) :]
    _, problems = parse_yaml(text, "f.yaml")
    syntax = [p for p in problems if p.message.startswith("YAML: ")]
    for problem in syntax:
        assert problem.origin.line is not None
        assert 1 <= problem.origin.line <= text.count("\n") + 1
        assert "\n" not in problem.message
