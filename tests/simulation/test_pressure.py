"""Costs of delay, private deadlines, red lines under pressure, beliefs, why talks fail.

DESIGN.md (v2: "Costs of delay", "Red lines under pressure", Results) and issue 11:
each mechanism must do what it is for, measured against the same negotiation without it.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.scenario import Scenario, load_scenario
from sim.simulation import simulate
from sim.simulation.story import replay
from tests.scenarios import build

ROOT = Path(__file__).resolve().parents[2]


def _money(**x: Any) -> Scenario:
    """Two signatories split money over five options; a mediator indifferent to it."""
    share = {f"m{k}": k / 4 for k in range(5)}
    side = {"signs": True, "reservation": 0.2, "strategy": {"type": "linear"}}
    return build(
        {
            "id": "money",
            "title": "Money",
            "deadline": 30,
            "protocol": "mediated",
            "mediator": "m",
            "issues": {"money": {"options": {k: {} for k in share}}},
            "parties": {
                "x": {
                    **side,
                    "weights": {"money": 1.0},
                    "values": {"money": {k: 1.0 - v for k, v in share.items()}},
                    **x,
                },
                "y": {**side, "weights": {"money": 1.0}, "values": {"money": share}},
                "m": {
                    "signs": False,
                    "reservation": 0.0,
                    "weights": {"money": 1.0},
                    "values": {"money": dict.fromkeys(share, 0.5)},
                    "strategy": {"type": "single_text", "bias": 0.0},
                },
            },
        }
    )


def _deals(scenario: Scenario, runs: int = 400) -> Any:
    rows = simulate(scenario, seed=5, runs=runs, block=runs)
    return rows[rows.agreement]


def test_a_side_the_stalemate_hurts_concedes_earlier_and_gets_less():
    calm, hurt = _deals(_money()), _deals(_money(cost_of_delay=0.02))
    assert len(calm) > 300 and len(hurt) > 300
    assert hurt["round"].median() < calm["round"].median()
    assert hurt.u_x.mean() < calm.u_x.mean() - 0.02


def test_a_side_time_favours_holds_and_the_other_gets_less():
    calm, patient = _deals(_money()), _deals(_money(cost_of_delay=-0.01))
    assert len(patient) > 300
    assert patient.u_y.mean() < calm.u_y.mean() - 0.02


def test_the_reservation_value_falls_with_the_cost_of_delay_and_no_deal_is_below_it():
    rows = simulate(_money(cost_of_delay=0.02), seed=2, runs=300)
    end = np.where(rows.agreement, rows["round"], 30)
    assert np.allclose(rows.r_x, np.clip(0.2 - 0.02 * end, 0, 1))
    assert (rows.u_x >= rows.r_x - 1e-9).all()  # nobody accepts less than its reservation


def test_a_signatory_past_its_deadline_has_left_and_the_run_ends_walked_out():
    rows = simulate(_money(deadline=4, strategy={"type": "hardliner"}), seed=1, runs=300)
    assert (rows["round"][rows.agreement] <= 4).all()
    walked = rows[~rows.agreement]
    assert len(walked) > 0 and (walked.ended == "walked_out").all()
    assert (walked.blocker == "x").all()


def test_a_party_past_its_deadline_never_accepts():
    """A party that options need, gone after round 3: no deal after it needs it."""
    scenario = _money()
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["issues"]["venue"] = {"options": {"here": {}, "there": {"needs": ["s"]}}}
    data["parties"]["s"] = {
        "signs": False,
        "reservation": 0.0,
        "deadline": 3,
        "weights": {"venue": 1.0},
        "values": {"venue": {"here": 0.0, "there": 1.0}},
    }
    data["parties"]["m"]["values"]["venue"] = {"here": 0.0, "there": 1.0}
    data["parties"]["m"]["weights"]["venue"] = 5.0
    rows = simulate(build(data), seed=3, runs=300)
    deals = rows[rows.agreement]
    assert len(deals) > 100
    assert not ((deals.venue == "there") & (deals["round"] > 3)).any()


def _lines(resolve: float) -> Scenario:
    data = _money().model_dump(mode="json", exclude_none=True)
    data["parties"]["x"]["resolve"] = resolve
    data["parties"]["x"]["red_lines"] = [
        {"id": f"l{k}", "forbid": {"money": [f"m{k}"]}, "credibility": 0.5} for k in range(3)
    ]
    return build(data)


def test_with_resolve_1_a_partys_lines_of_one_credibility_are_all_firm_or_none():
    for resolve, together in ((1.0, True), (0.0, False)):
        rows = simulate(_lines(resolve), seed=4, runs=400)
        firm = rows[[f"firm.x.l{k}" for k in range(3)]].to_numpy()
        same = (firm.all(axis=1) | ~firm.any(axis=1)).all()
        assert same == together
        assert 0.4 < firm.mean() < 0.6  # each line still firm with its credibility


def test_a_stated_line_gives_way_only_after_its_owner_named_it_and_says_why():
    scenario = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml")
    seen = 0
    for run in range(12):
        trace = replay(scenario, seed=1, run=run).trace
        for before, entry in itertools.pairwise(trace):
            for given in entry.get("gave_way", []):
                seen += 1
                key = given["red_line"]
                named = {a["red_line"] for a in before["responses"]}
                if before.get("revision"):
                    named |= {v["red_line"] for v in before["revision"]["votes"]}
                assert key in named, f"{key} gave way in round {entry['round']} unpushed"
                assert given["pressure"] >= given["threshold"]
    assert seen > 0


def test_the_mediator_testing_bluffs_puts_stated_lines_under_pressure():
    base = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml")

    def given_up(probe: float) -> float:
        data = base.model_dump(mode="json", exclude_none=True)
        data["parties"][data["mediator"]]["strategy"]["probe"] = probe
        rows = simulate(build(data), seed=2, runs=400)
        columns = [c for c in rows.columns if c.startswith("gave_up.")]
        return float(rows[columns].notna().to_numpy().mean())

    assert given_up(1.0) > given_up(0.0)


def test_a_no_deal_rows_blocker_is_the_signer_that_refused_the_last_text():
    scenario = _money(strategy={"type": "hardliner"}, reservation=0.6)
    rows = simulate(scenario, seed=9, runs=40)
    failed = rows[~rows.agreement]
    assert len(failed) > 0
    for run in failed.run[:10]:
        last = replay(scenario, seed=9, run=int(run)).trace[-1]
        refused = [a for a in last["responses"] if not a["accept"]]
        vetoes = [a for a in refused if a["red_line"]]
        who = (vetoes or refused)[0]
        row = failed[failed.run == run].iloc[0]
        assert row.blocker == who["party"]
        assert row.blocked_on == (who["red_line"] or who["issue"])


@pytest.mark.parametrize("cost", [0.0, 0.1])
def test_an_audience_cost_is_paid_on_a_deal_crossing_a_line_given_up(cost):
    data = _lines(0.0).model_dump(mode="json", exclude_none=True)
    for line in data["parties"]["x"]["red_lines"]:
        line["credibility"] = 0.0
        line["audience_cost"] = cost
    scenario = build(data)
    rows = simulate(scenario, seed=6, runs=400)
    deals = rows[rows.agreement]
    share = {f"m{k}": k / 4 for k in range(5)}
    for _, row in deals.iterrows():
        plain = 1.0 - share[row.money]
        k = int(row.money[1:])
        crossed_given_up = k < 3 and not pd.isna(row[f"gave_up.x.l{k}"])
        expected = plain - (cost if crossed_given_up else 0.0)
        assert row.u_x == pytest.approx(expected, abs=1e-9)
