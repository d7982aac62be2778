"""Worked examples on the shipped scenarios, with exact numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.analysis import analyze
from sim.cli import main
from sim.scenario import load_scenario
from sim.space import compile_space

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BASE = ROOT / "scenarios" / "ukraine_2025.yaml"


def _analysis(name: str, *overrides: str):
    return analyze(compile_space(load_scenario(ROOT / "scenarios" / name, list(overrides))))


def _deal(analysis, index):
    return analysis.space.outcome(int(index))


def test_baseline_two_deals_form():
    a = _analysis("ukraine_2025.yaml")
    assert a.space.n_outcomes == 2 * 3 * 4 * 2
    assert [_deal(a, o) for o in a.feasible] == [
        {
            "ceasefire": "treaty_first",
            "territory": "de_facto",
            "security": "guarantees_without_troops",
            "leaders_meeting": "summit",
        },
        {
            "ceasefire": "treaty_first",
            "territory": "de_facto",
            "security": "guarantees_without_troops",
            "leaders_meeting": "no_summit",
        },
    ]
    nash = a.nash
    russia, ukraine = a.space.utility[0, nash], a.space.utility[1, nash]
    # Russia: (2*1.0 + 4*0.6 + 3*0.6 + 1*0.6)/10; Ukraine: (3*0.4 + 3*0.5 + 4*0.5 + 0.8)/11
    assert russia == pytest.approx(0.68) and ukraine == pytest.approx(0.5)
    assert a.nash_product[0] == pytest.approx((0.68 - 0.45) * (0.5 - 0.35))
    assert a.kalai_smorodinsky == nash
    assert a.pareto.tolist() == [True, False]
    keys = [line.key for line in a.space.lines]
    assert dict(zip(keys, a.unlock_counts.tolist(), strict=True))["russia.no_nato_troops"] == 2
    assert a.relaxations == [()]


def test_dropping_the_nato_veto_unlocks_two_deals_that_europe_must_sign():
    a = _analysis("ukraine_2025_no_nato_veto.yaml")
    assert a.feasible.size == 4
    nato = [o for o in a.feasible if _deal(a, o)["security"] == "nato_troops"]
    assert len(nato) == 2
    parties = list(a.space.parties)
    for o in nato:
        assert a.space.signer[parties.index("europe"), o]
        assert a.space.signer[parties.index("united_kingdom"), o]


def test_recognition_demand_closes_the_zone_and_names_the_way_out():
    a = _analysis("ukraine_2025_recognition_demand.yaml")
    assert a.feasible.size == 0 and a.nash is None
    assert [[a.space.lines[k].key for k in r] for r in a.relaxations] == [
        ["russia.recognition_required"],
        ["ukraine.no_de_jure_recognition"],
    ]


def test_set_override_changes_the_analysis():
    a = _analysis("ukraine_2025.yaml", "parties.ukraine.reservation=0.6")
    assert a.feasible.size == 0


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_every_shipped_scenario_validates_and_quotes_its_source(path):
    scenario = load_scenario(path)
    assert scenario.source is not None and (ROOT / scenario.source).is_file()
    stated = [x for p in scenario.parties.values() for x in p.red_lines if x.basis == "stated"]
    implied = [x for p in scenario.parties.values() for x in p.red_lines if x.basis == "implied"]
    assert all(line.quote for line in stated + implied)
    # an implied line is never held as firmly as a line the article states
    assert max(line.credibility for line in implied) < min(line.credibility for line in stated)


def test_analyze_json_has_the_design_keys(capsys):
    assert main(["analyze", str(BASE), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    for key in (
        "scenario",
        "parties",
        "signatories",
        "outcomes",
        "feasible",
        "nash",
        "red_lines",
        "minimal_relaxations",
    ):
        assert key in out
    assert out["outcomes"] == 48 and out["signatories"] == ["russia", "ukraine"]
    assert set(out["feasible"][0]) == {"outcome", "utilities", "nash_product", "pareto"}
    assert out["nash"]["outcome"] == out["feasible"][0]["outcome"]
    assert out["minimal_relaxations"] == [[]]
    veto = next(r for r in out["red_lines"] if r["id"] == "no_nato_troops")
    assert veto["party"] == "russia" and veto["excludes"] == 12 and veto["unlocks"] == 2


def test_analyze_text_answers_in_words_on_one_screen(capsys):
    assert main(["analyze", str(ROOT / "scenarios" / "ukraine_2025_recognition_demand.yaml")]) == 0
    out = capsys.readouterr().out
    assert "None of the 48 possible deals can form:" in out and "the other" not in out
    assert "russia.recognition_required  → 2 deals" in out
    assert len(out.splitlines()) <= 40
    assert main(["analyze", str(BASE)]) == 0
    out = capsys.readouterr().out
    assert "Russian control acknowledged de facto" in out  # labels, not ids
    assert "2 deals can form" in out
