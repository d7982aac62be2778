"""The Python API: ``import sim`` is light, its names load on use, results read in words."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings

import sim
from sim.analysis.report import to_text
from tests.scenarios import scenarios

ROOT = Path(__file__).resolve().parents[1]
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"
CLOSED = ROOT / "scenarios" / "ukraine_2025_recognition_demand.yaml"


@pytest.mark.parametrize("name", sim.__all__)
def test_every_public_name_resolves_by_attribute_and_by_from_import(name):
    value = getattr(sim, name)
    namespace: dict[str, object] = {}
    exec(f"from sim import {name} as value", namespace)  # the `from sim import X` form
    assert namespace["value"] is value
    assert name in dir(sim)


def test_public_names_are_those_of_their_modules():
    assert sim.simulate is importlib.import_module("sim.simulation").simulate
    assert sim.load_results is importlib.import_module("sim.batch").load_results
    assert isinstance(sim.__version__, str) and sim.__version__


def test_subpackages_load_on_first_use_as_they_did_when_sim_imported_them():
    code = (
        "import sim\n"
        "assert callable(sim.space.compile_space) and callable(sim.batch.load_results)\n"
        "assert callable(sim.plots.load_batch) and callable(sim.compare.compare_batches)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_an_unknown_name_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'simulat'"):
        sim.simulat  # noqa: B018
    with pytest.raises(ImportError):
        exec("from sim import simulat", {})


def _label(scenario, issue: str, option: str) -> str:
    spec = scenario.issues[issue].options[option]
    return spec.label or option.replace("_", " ")


def test_to_frame_gives_the_baseline_deals_in_words():
    result = sim.analyze_scenario(sim.load_scenario(BASE))
    frame = result.to_frame()
    assert list(frame.index) == result.feasible.tolist() and frame.index.name == "outcome"
    first = frame.iloc[0]
    assert first["ceasefire"] == "Comprehensive peace treaty before any truce"
    assert first["territory"] == "Russian control acknowledged de facto"
    assert first["u_russia"] == pytest.approx(0.68) and first["u_ukraine"] == pytest.approx(0.5)
    assert first["nash_product"] == pytest.approx((0.68 - 0.45) * (0.5 - 0.35))
    assert first["nash"] and first["kalai_smorodinsky"] and first["pareto"]
    assert frame["pareto"].tolist() == [True, False]
    assert {f"u_{p}" for p in result.space.parties} <= set(frame.columns)


@settings(max_examples=40, deadline=None)
@given(scenarios)
def test_to_frame_has_one_row_per_feasible_deal_in_labels(scenario):
    result = sim.analyze_scenario(scenario)
    frame = result.to_frame()
    space = result.space
    assert len(frame) == result.feasible.size
    assert frame["pareto"].tolist() == result.pareto.tolist()
    assert frame["nash"].sum() == (1 if result.feasible.size else 0)
    assert frame["nash_product"].is_monotonic_decreasing
    for outcome, row in frame.iterrows():
        for issue, option in space.outcome(int(outcome)).items():
            assert row[issue] == _label(scenario, issue, option)
        for p, party in enumerate(space.parties):
            assert row[f"u_{party}"] == space.utility[p, outcome]


def test_an_empty_zone_gives_an_empty_frame_with_the_columns():
    result = sim.analyze_scenario(sim.load_scenario(CLOSED))
    frame = result.to_frame()
    assert frame.empty and {"nash_product", "pareto", "u_russia", "security"} <= set(frame)
    assert isinstance(frame, pd.DataFrame)


def test_repr_and_summary_speak_in_words():
    result = sim.analyze_scenario(sim.load_scenario(BASE))
    text = repr(result)
    assert text.startswith("<Analysis of 'ukraine-2025-08': 2 of 48 deals can form")
    assert "Russian control acknowledged de facto" in text
    assert "array(" not in text and len(text) < 400
    assert str(result) == result.summary() == to_text(result)
    assert "2 deals can form" in result.summary(top=1)
    closed = repr(sim.analyze_scenario(sim.load_scenario(CLOSED)))
    assert "0 of 48 deals can form" in closed and "array(" not in closed
