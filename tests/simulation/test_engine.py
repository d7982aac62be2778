"""The compiled rounds: a run's course does not depend on how its rounds are called."""

from __future__ import annotations

import gc
import weakref
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.scenario import load_scenario
from sim.simulation import kernels
from sim.simulation.model import NegotiationModel, run_block
from sim.simulation.tables import Tables
from sim.strategies import REGISTRY, build
from sim.strategies.base import Stance
from tests.scenarios import negotiations

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _equal(a, b) -> None:
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        assert np.array_equal(x, y, equal_nan=x.dtype.kind == "f"), f.name


@SETTINGS
@given(negotiations, st.integers(0, 2**32 - 1), st.integers(1, 7))
def test_a_round_at_a_time_gives_the_rows_of_whole_stretches(scenario, seed, runs):
    """``step()`` (one compiled call per round) and ``run()`` (one per stretch) agree.

    ``run()`` plays every stretch of rounds between two events in one call, run by run;
    ``step()`` plays round by round, every run each time: the loops are ordered the
    other way round, so shared state between runs or rounds would show here.
    """
    space = Tables.of(scenario)
    whole = NegotiationModel(space, seed=seed, runs=range(runs)).run()
    stepped = NegotiationModel(space, seed=seed, runs=range(runs))
    while stepped.running:
        stepped.step()
    _equal(whole, stepped.outcomes())


@SETTINGS
@given(negotiations, st.integers(0, 2**32 - 1), st.data())
def test_a_run_is_the_same_alone_and_in_any_block(scenario, seed, data):
    space = Tables.of(scenario)
    ids = data.draw(st.lists(st.integers(0, 10**6), min_size=2, max_size=6, unique=True))
    block = NegotiationModel(space, seed=seed, runs=ids).run()
    for k, run in enumerate(ids):
        alone = NegotiationModel(space, seed=seed, runs=[run]).run()
        for f in fields(block):
            x, y = getattr(block, f.name)[k], getattr(alone, f.name)[0]
            assert np.array_equal(x, y, equal_nan=np.asarray(x).dtype.kind == "f"), f.name


@SETTINGS
@given(
    st.floats(0.0, 0.9),
    st.floats(0.0, 1.0),
    st.floats(0.05, 20.0),
    st.integers(1, 40),
    st.integers(0, 40),
)
def test_the_time_dependent_rule_is_faratin_s_formula(res, gain, exponent, deadline, t):
    """``aspire_one`` for the time-dependent tactics: r + (b - r)(1 - (t/T)^(1/e))."""
    t = min(t, deadline)
    best = res + gain * (1.0 - res)
    tactic = build(REGISTRY["linear"].Params(type="linear"))  # e is the stance's, per run
    stance = Stance(
        reservation=np.array([res]),
        best=np.array([best]),
        exponent=np.array([exponent]),
        aspiration=np.array([np.nan]),
        received=np.zeros((1, 0)),
        reactive=np.array([np.nan]),
    )
    tactic.aspire(stance, t, deadline)
    expected = res + (best - res) * (1.0 - (t / deadline) ** (1.0 / exponent))
    assert stance.aspiration[0] == expected
    assert res - 1e-12 <= stance.aspiration[0] <= best + 1e-12


@SETTINGS
@given(st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.5))
def test_pressure_is_one_minus_the_product_of_what_is_left(res, gain, share, base, cost):
    """``pressure_one``: 1 - (1 - conceded)(1 - hurt), each share clipped to [0, 1]."""
    best = res + gain * (1.0 - res)
    aspiration = best - share * (best - res)
    top = best
    out = np.empty(1)
    kernels.pressure_rows(
        np.array([best]), np.array([res]), np.array([aspiration]), np.array([top]),
        np.array([base]), np.array([cost]), out,
    )  # fmt: skip
    conceded = min(max((best - aspiration) / (best - res), 0), 1) if best - res > 1e-12 else 1.0
    stake = max(top, base) - base
    hurt = min(max(cost / stake, 0), 1) if stake > 1e-12 else float(cost > 0)
    assert out[0] == 1.0 - (1.0 - conceded) * (1.0 - hurt)
    assert 0.0 <= out[0] <= 1.0


def test_a_process_is_told_once_when_the_engine_must_be_compiled(monkeypatch, capsys):
    from sim.simulation import model as module

    monkeypatch.setattr(module, "_NOTICED", [])
    monkeypatch.setattr(kernels, "compiled", lambda: False)
    space = Tables.of(_tiny())
    NegotiationModel(space, runs=[0]).run()
    NegotiationModel(space, runs=[1]).run()
    assert capsys.readouterr().err.count("compiling the simulation engine") == 1
    monkeypatch.setattr(module, "_NOTICED", [])
    monkeypatch.setattr(kernels, "compiled", lambda: True)
    NegotiationModel(space, runs=[0]).run()
    assert "compiling" not in capsys.readouterr().err


def _tiny():
    from sim.scenario.validate import validate_document
    from sim.scenario.yamlsource import Document
    from sim.simulation.warm import _scenario

    return validate_document(Document(_scenario("mediated")), sources=False)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(negotiations.filter(lambda s: s.protocol == "mediated"), st.integers(0, 2**32 - 1))
def test_kept_readings_of_the_text_are_the_readings_afresh(scenario, seed):
    """A party's reading of the current text is kept from round to round (``memo_*``).

    ``step()`` plays one round per compiled call, and every call reads the text afresh;
    ``run()`` keeps the readings over a whole stretch. Forty runs of each negotiation,
    so that lines give way under pressure while the text stays, and revisions are
    adopted: a reading kept past a change of the text or of a line differs here.
    """
    space = Tables.of(scenario)
    whole = NegotiationModel(space, seed=seed, runs=range(40)).run()
    stepped = NegotiationModel(space, seed=seed, runs=range(40))
    while stepped.running:
        stepped.step()
    _equal(whole, stepped.outcomes())


@pytest.mark.parametrize("name", ["ukraine_2025.yaml", "ukraine_2025_west_bloc.yaml"])
def test_a_released_block_frees_its_arrays_at_once_and_keeps_its_outcomes(name):
    """``release`` frees a finished block's arrays without waiting for the cyclic collector.

    The model and its agents (a bloc's meta-agent too) refer to one another; without
    ``release`` a block's state lives until ``gc`` runs, and finished blocks pile up in a
    worker past its memory budget. ``run_block`` releases every block it does not trace.
    """
    space = Tables.of(load_scenario(ROOT / "scenarios" / name))
    expected = NegotiationModel(space, seed=3, runs=range(50)).run()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        model = NegotiationModel(space, seed=3, runs=range(50))
        outcomes = model.run()
        arrays = [model.state.value, model.state.held, model.state.belief, model.params.weights]
        refs = [weakref.ref(a) for a in arrays]
        del arrays
        assert all(ref() is not None for ref in refs)
        model.release()
        assert [ref() is None for ref in refs] == [True] * len(refs)
    finally:
        if was_enabled:
            gc.enable()
    _equal(outcomes, expected)
    traced = run_block(space, 3, [7], trace=True)[1]
    assert traced.trace and traced.state is not None  # a traced block keeps its story
