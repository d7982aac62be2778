"""One validation path: a dumped scenario validates again to the same scenario (issue 9.1)."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.batch.plan import plan_batch
from sim.cli import main
from sim.scenario import Scenario, load_scenario, validate_document
from sim.scenario.yamlsource import Document
from tests.scenario.helpers import BASE, Files
from tests.scenarios import negotiation_data


def dump_and_validate(scenario: Scenario) -> Scenario:
    """What a batch does with a scenario: dump it to JSON data, then validate that."""
    return validate_document(Document(scenario.model_dump(mode="json")), sources=False)


@st.composite
def varied_data(draw: st.DrawFn) -> dict[str, Any]:
    """A generated scenario, with parts that have defaults left out or given."""
    data = copy.deepcopy(draw(negotiation_data()))
    mediator = data.get("mediator")
    if mediator is not None and draw(st.booleans()):
        del data["parties"][mediator]["strategy"]  # the default policy, as the README says
    for pid, party in data["parties"].items():
        if pid != mediator and draw(st.booleans()):
            del party["strategy"]  # the parties' default tactic
        if draw(st.booleans()):
            party["label"] = f"Party {pid}"
        for line in party["red_lines"]:
            if draw(st.booleans()):
                del line["credibility"]
            if draw(st.booleans()):
                line.update(quote="as they said", basis="implied", note="a note")
    for issue in data["issues"].values():
        if draw(st.booleans()):
            issue["label"] = "An issue"
        for option in issue["options"].values():
            if draw(st.booleans()):
                del option["needs"]
    if draw(st.booleans()):
        data["batch"] = {"sweeps": {"parties.p0.reservation": [0.1, 0.5], "deadline": [3, 4]}}
    if draw(st.booleans()):
        data["batch"] = {
            "runs": draw(st.integers(1, 10**9)),
            "seed": draw(st.integers(0, 2**64 - 1)),
        }
    return data


@settings(max_examples=150, deadline=None)
@given(varied_data())
def test_a_dumped_scenario_validates_to_the_same_scenario(data: dict[str, Any]) -> None:
    scenario = validate_document(Document(data), sources=False)
    again = dump_and_validate(scenario)
    assert again == scenario
    assert again.model_dump(mode="json") == scenario.model_dump(mode="json")
    for pid in scenario.parties:
        assert again.strategy_of(pid) == scenario.strategy_of(pid)


@settings(max_examples=60, deadline=None)
@given(varied_data())
def test_a_mediator_without_a_strategy_follows_the_single_text(data: dict[str, Any]) -> None:
    scenario = validate_document(Document(data), sources=False)
    mediator = scenario.mediator
    if mediator is not None and "strategy" not in data["parties"][mediator]:
        assert scenario.parties[mediator].strategy.type == "single_text"
        assert dump_and_validate(scenario).parties[mediator].strategy.type == "single_text"


def test_the_scenario_of_a_file_survives_a_dump(files: Files) -> None:
    scenario = files.scenario().load()  # BASE: the mediator states no strategy
    assert "strategy:" not in BASE.split("  broker:")[1]
    assert scenario.strategy_of("broker").type == "single_text"
    assert dump_and_validate(scenario) == scenario
    assert pickle.loads(pickle.dumps(scenario)) == scenario


def test_where_a_scenario_was_read_is_not_part_of_what_it_is(files: Files) -> None:
    one = files.scenario().load()
    two = files.scenario(name="elsewhere/copy.yaml").load()
    assert one.origin(("issues",)) != two.origin(("issues",))
    assert one == two


@pytest.fixture
def mediated_without_strategy(files: Files) -> Path:
    return files.scenario().path


def test_every_command_gives_the_mediator_the_default_policy(
    mediated_without_strategy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    file = str(mediated_without_strategy)
    for argv in (
        ["validate", file],
        ["analyze", file],
        ["run", file, "--seed", "3", "--json"],
        ["batch", file, "--runs", "20", "--workers", "1", "--quiet", "--out", str(tmp_path / "b")],
    ):
        assert main(argv) == 0, capsys.readouterr().err
    assert "error" not in capsys.readouterr().err
    for point in plan_batch([file], runs=5).points:
        assert point.scenario().strategy_of("broker").type == "single_text"
        assert point.scenario() == load_scenario(file)


def test_a_variant_that_drops_the_mediators_strategy_gets_the_default(files: Files) -> None:
    files.scenario(
        (
            "  broker:\n    reservation: 0.0",
            "  broker:\n    strategy: {type: single_text, bias: 0.5}\n    reservation: 0.0",
        ),
        name="base.yaml",
    )
    w = files.write("extends: base.yaml\nid: variant\nparties:\n  broker:\n    strategy: null\n")
    scenario = w.load()
    assert scenario.parties["broker"].strategy.type == "single_text"
    assert scenario.parties["broker"].strategy.bias == 4.0  # the default's, not the base's
    assert dump_and_validate(scenario) == scenario
