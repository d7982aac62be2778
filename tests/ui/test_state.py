"""What the page computes, without the page: tweaks, the zone, stepping, quick batches."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sim.analysis import analyze
from sim.plots.colours import NO_DEAL_COLOUR, deal_colour
from sim.scenario import ScenarioError, load_scenario
from sim.simulation import simulate
from sim.space import compile_space
from sim.ui.state import Stepper, Tweaks, party_strategies, quick_batch, tweak, zone_view

ROOT = Path(__file__).resolve().parents[2]
BASE = load_scenario(ROOT / "scenarios" / "ukraine_2025.yaml")


def test_switching_off_the_nato_veto_opens_two_new_deals():
    view = zone_view(tweak(BASE, Tweaks(off=frozenset({"russia.no_nato_troops"}))), BASE)
    assert (view.size, view.new) == (4, 2)
    assert all("NATO troops in Ukraine" in row.words for row in view.rows if row.new)
    assert zone_view(BASE, BASE).new == 0


def test_tweaks_equal_the_same_change_made_in_the_file():
    tweaked = tweak(
        BASE,
        Tweaks(
            reservation={"ukraine": 0.5},
            credibility={"russia.no_nato_troops": 0.2},
            strategy={"russia": "conceder"},
        ),
    )
    assert tweaked.parties["ukraine"].reservation == 0.5
    assert "parties.ukraine.reservation" not in tweaked.uncertainty.parameters
    assert tweaked.parties["russia"].red_lines[0].credibility == 0.2
    assert tweaked.parties["russia"].strategy.type == "conceder"
    variant = load_scenario(ROOT / "scenarios" / "ukraine_2025_no_nato_veto.yaml")
    mine = tweak(BASE, Tweaks(off=frozenset({"russia.no_nato_troops"})))
    assert (
        analyze(compile_space(mine)).feasible.tolist()
        == analyze(compile_space(variant)).feasible.tolist()
    )


def test_a_tweak_the_scenario_cannot_take_is_an_error():
    with pytest.raises(ScenarioError):
        tweak(BASE, Tweaks(strategy={"russia": "single_text"}))
    assert "single_text" in party_strategies(BASE, "united_states")
    assert "single_text" not in party_strategies(BASE, "russia")


def test_stepping_is_the_same_negotiation_as_a_batch_row():
    stepper = Stepper(BASE, seed=4, run=0)
    first = stepper.step()
    assert first[0].startswith("Round  1  United States proposed:")
    stepper.play()
    assert stepper.done and stepper.step() == []
    row = simulate(BASE, seed=4, runs=1).iloc[0]
    assert stepper.ending().startswith("Agreement") == bool(row.agreement)


def test_quick_batch_shares_add_up_and_name_deals_in_words():
    bars = quick_batch(BASE, runs=500, seed=2)
    shares = [bar.share for bar in bars]
    assert shares[0].label == "no deal" and shares[0].n == 500
    assert sum(s.count for s in shares) <= 500
    assert "Russian control acknowledged de facto" in shares[1].label


def test_quick_batch_bars_take_each_deal_s_own_colour():
    space = compile_space(BASE)
    bars = quick_batch(BASE, runs=300, seed=5)
    assert bars[0].deal is None and bars[0].colour == NO_DEAL_COLOUR
    for bar in bars[1:]:
        assert bar.deal is not None
        assert "; ".join(space.describe(space.index_of(dict(bar.deal)))) == bar.share.label
        assert bar.colour == deal_colour(bar.deal)  # as deals.png and compare.png draw it
    # the same deal keeps its colour when another batch ranks it elsewhere
    other = {b.share.label: b.colour for b in quick_batch(BASE, runs=300, seed=9)}
    assert all(other.get(b.share.label, b.colour) == b.colour for b in bars[1:])


def test_ui_command_checks_the_scenario_before_serving(tmp_path, capsys):
    from sim.cli import main

    assert main(["ui", str(tmp_path / "missing.yaml")]) == 2
    assert "file not found" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_:
        main(["ui", "--port", "70000"])
    assert exit_.value.code == 2 and "not a port" in capsys.readouterr().err
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        assert main(["ui", "--port", str(port)]) == 2
    assert capsys.readouterr().err == f"error: 127.0.0.1:{port}: Address already in use\n"
