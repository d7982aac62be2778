"""Tit-for-tat blended with a time-dependent tactic (Faratin, Sierra & Jennings 1998)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.scenario import load_scenario
from sim.simulation import simulate
from sim.simulation.story import replay
from sim.strategies import Stance, build
from sim.strategies.tit_for_tat import TitForTat

ROOT = Path(__file__).resolve().parents[2]


def _stance(received: list[float]) -> Stance:
    n = 1
    return Stance(
        reservation=np.full(n, 0.2),
        best=np.full(n, 1.0),
        exponent=np.ones(n),
        aspiration=np.full(n, 1.0),
        received=np.array([received]),
        reactive=np.full(n, np.nan),
    )


def test_worked_example_relative_reciprocity_blended_with_the_clock():
    tactic = build(TitForTat.Params(type="tit_for_tat", weight=0.5))
    stance = _stance([np.nan, np.nan])
    tactic.aspire(stance, 1, 10)
    # level 1.0; clock 0.2 + 0.8 * 0.9 = 0.92; beta 0.5 * 0.9 = 0.45
    assert stance.aspiration[0] == pytest.approx(0.45 * 1.0 + 0.55 * 0.92)
    stance.received = np.array([[0.4, 0.7]])  # the other side gave up half of what remained
    tactic.aspire(stance, 2, 10)
    level = 1.0 - 0.5 * (1.0 - 0.2)  # gives up half of what remains above its reservation
    assert stance.reactive[0] == pytest.approx(level)
    assert stance.aspiration[0] == pytest.approx(0.4 * level + 0.6 * (0.2 + 0.8 * 0.8))


@pytest.mark.parametrize("weight", [0.0, 0.5, 1.0])
def test_it_asks_for_its_reservation_value_at_the_deadline(weight):
    tactic = build(TitForTat.Params(type="tit_for_tat", weight=weight))
    stance = _stance([0.9, 0.1])  # a retreat: pure reciprocity would hold out
    for t in range(1, 11):
        tactic.aspire(stance, t, 10)
    assert stance.aspiration[0] == pytest.approx(0.2)


def test_in_the_mediated_protocol_it_closes_like_a_time_dependent_party():
    """Ukraine as tit-for-tat: about as many deals as Ukraine linear, not far fewer."""
    path = ROOT / "scenarios" / "ukraine_2025.yaml"
    as_linear = simulate(load_scenario(path, ["parties.ukraine.strategy.type=linear"]), 5, 400)
    as_tft = simulate(load_scenario(path, ["parties.ukraine.strategy.type=tit_for_tat"]), 5, 400)
    assert as_tft.agreement.mean() >= as_linear.agreement.mean() - 0.1


def test_in_the_mediated_protocol_it_hears_only_the_agreed_text():
    """What it receives is the current text, which changes only by an adopted revision."""
    path = ROOT / "scenarios" / "ukraine_2025.yaml"
    model = replay(load_scenario(path, ["parties.ukraine.strategy.type=tit_for_tat"]), 2, 0)
    texts = [entry["offer"] for entry in model.trace if entry["offer"] is not None]
    for before, after, entry in zip(texts, texts[1:], model.trace, strict=False):
        if before != after:
            assert entry["revision"]["adopted"]
