"""Invariants of the negotiation model on generated scenarios and the shipped ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis import analyze
from sim.scenario import load_scenario
from sim.simulation import simulate
from sim.simulation.story import replay
from sim.space import EPS, compile_space
from tests.scenarios import certain_negotiations, negotiations

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _check_trace(space, model) -> None:
    """Per round: offers in the space; no acceptance across a held firm line or below r."""
    firm = model.outcomes().firm[0]
    dropped_by_event: set[str] = set()
    for entry in model.trace:
        for event_id in entry["events"]:
            event = next(e for e in space.scenario.events if e.id == event_id)
            dropped_by_event |= set(event.drop_red_lines)
        if entry["offer"] is None:
            continue
        index = space.index_of(entry["offer"])
        assert 0 <= index < space.n_outcomes
        for answer in entry["responses"]:
            if not answer["accept"]:
                continue
            p = space.parties.index(answer["party"])
            for k, ref in enumerate(space.lines):
                if ref.party_index == p and firm[k] and ref.key not in dropped_by_event:
                    assert not space.crosses[k, index], (entry["round"], ref.key)
            assert answer["utility"] >= answer["aspiration"] - EPS


@SETTINGS
@given(negotiations, st.integers(0, 2**32 - 1))
def test_no_party_accepts_across_a_firm_line_or_below_its_reservation(scenario, seed):
    space = compile_space(scenario)
    rows = simulate(space, seed=seed, runs=40, block=40)
    parties = list(space.parties)
    for row in rows[rows.agreement].itertuples(index=False):
        outcome = space.index_of({i: getattr(row, i) for i in space.issues})
        values = row._asdict()
        for p, pid in enumerate(parties):
            if not space.signer[p, outcome]:
                continue
            assert values[f"u_{pid}"] >= values[f"r_{pid}"] - EPS
    for run in range(3):
        _check_trace(space, replay(space, seed, run))


@SETTINGS
@given(certain_negotiations, st.integers(0, 2**32 - 1))
def test_with_firm_lines_and_no_uncertainty_agreements_lie_in_the_zone(scenario, seed):
    space = compile_space(scenario)
    zone = analyze(space).zone.zone
    rows = simulate(space, seed=seed, runs=30, block=30)
    assert rows["firm." + space.lines[0].key].all() if space.lines else True
    for row in rows[rows.agreement].itertuples(index=False):
        outcome = space.index_of({i: getattr(row, i) for i in space.issues})
        assert zone[outcome]
    if not zone.any():
        assert not rows.agreement.any()
        assert (rows.ended == "no_zone").all()


@SETTINGS
@given(negotiations, st.integers(0, 2**32 - 1), st.sampled_from([1, 3, 7, 64]))
def test_rows_do_not_depend_on_the_block_size(scenario, seed, block):
    space = compile_space(scenario)
    whole = simulate(space, seed=seed, runs=64, block=64)
    split = simulate(space, seed=seed, runs=64, block=block)
    pd.testing.assert_frame_equal(whole, split)
    scattered = simulate(space, seed=seed, runs=np.array([63, 5, 17]), block=2)
    pd.testing.assert_frame_equal(
        scattered.reset_index(drop=True),
        whole.iloc[[63, 5, 17]].reset_index(drop=True),
    )


@SETTINGS
@given(negotiations, st.integers(0, 2**32 - 1))
def test_same_seed_same_trace_and_the_trace_is_the_row(scenario, seed):
    space = compile_space(scenario)
    first, second = replay(space, seed, 4), replay(space, seed, 4)
    assert first.trace == second.trace
    row = simulate(space, seed=seed, runs=8, block=8).iloc[4]
    result = first.outcomes()
    assert bool(result.agreement[0]) == bool(row.agreement)
    if row.agreement:
        assert first.trace[-1]["agreement"]
        assert first.trace[-1]["offer"] == {i: row[i] for i in space.issues}
        assert int(row["round"]) == first.trace[-1]["round"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_keep_the_invariants(path):
    space = compile_space(load_scenario(path))
    rows = simulate(space, seed=7, runs=300, block=128)
    pd.testing.assert_frame_equal(rows, simulate(space, seed=7, runs=300, block=300))
    for run in (0, 1, 2):
        _check_trace(space, replay(space, 7, run))
    assert rows.agreement.any(), "the shipped scenarios should reach deals in some runs"
