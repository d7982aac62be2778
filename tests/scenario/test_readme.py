"""The README's "scenario format, by example" block is a valid scenario as it stands (9.11)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.analysis import analyze
from sim.scenario import ScenarioError, validate_document
from sim.scenario.yamlsource import parse_yaml
from sim.space import compile_space

README = Path(__file__).resolve().parents[2] / "README.md"


def example_block() -> tuple[int, str]:
    """The first YAML block under the heading, and the README line it starts on."""
    text = README.read_text(encoding="utf-8")
    heading = text.index("## The scenario format, by example")
    found = re.compile(r"^```yaml\n(.*?)^```$", re.M | re.S).search(text, heading)
    assert found is not None, "no yaml block under the heading"
    return text[: found.start(1)].count("\n") + 1, found.group(1)


def test_the_example_block_validates_as_it_stands() -> None:
    first, block = example_block()
    # read as if from README.md itself: its source is found from the README's folder,
    # and a problem names the README's own line
    document, problems = parse_yaml("\n" * (first - 1) + block, str(README))
    assert problems == []
    scenario = validate_document(document)
    assert scenario.id == "ukraine-2025-08"
    assert scenario.strategy_of("united_states").type == "single_text"
    # it shows every part of the format it explains
    assert {line.kind for p in scenario.parties.values() for line in p.red_lines} == {
        "forbid",
        "require",
    }
    assert any("..." in (line.quote or "") for line in scenario.parties["russia"].red_lines)
    assert scenario.uncertainty.parameters and scenario.events
    space = compile_space(scenario)
    assert space.n_outcomes == 4
    analyze(space, 3)  # and the analysis runs on it


def test_a_problem_in_the_block_names_the_readme_line() -> None:
    first, block = example_block()
    broken = block.replace("reservation: 0.45", "reservation: 1.45")
    document, _ = parse_yaml("\n" * (first - 1) + broken, str(README))
    with pytest.raises(ScenarioError) as caught:
        validate_document(document)
    (problem,) = caught.value.problems
    lines = README.read_text(encoding="utf-8").splitlines()
    assert problem.origin.file == str(README)
    assert "reservation: 0.45" in lines[problem.origin.line - 1]
