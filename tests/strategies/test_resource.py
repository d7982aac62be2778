"""The resource-dependent tactic (Faratin, Sierra & Jennings 1998): what the talks cost."""

from __future__ import annotations

import copy
import inspect
import pickle
import re
from typing import TYPE_CHECKING

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.strategies import REGISTRY, Stance, build

if TYPE_CHECKING:
    from sim.strategies.resource import Resource


def _resource() -> type[Resource]:
    """The class, imported when a test runs, not when pytest collects this file: until
    sim/strategies/__init__.py imports the module, registering it before
    test_contract.py is collected would put it in that file's list of strategies the
    scenario schema cannot yet parse."""
    from sim.strategies.resource import Resource

    return Resource


unit = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
endurance = st.floats(min_value=0.01, max_value=1.0, allow_nan=False)
exponent = st.floats(min_value=0.05, max_value=100.0, allow_nan=False)
rounds = st.integers(min_value=1, max_value=60)


def _stance(reservation: float, best: float, e: float, cost: float | None) -> Stance:
    """One run's stance; ``cost`` is set as the attribute the engine will add (None: absent)."""
    stance = Stance(
        reservation=np.array([reservation]),
        best=np.array([max(best, reservation)]),  # the engine keeps best >= reservation
        exponent=np.array([e]),
        aspiration=np.array([np.nan]),
        received=np.zeros((1, 0)),
        reactive=np.array([np.nan]),
    )
    if cost is not None:
        stance.cost = np.array([cost])  # type: ignore[attr-defined]
    return stance


def _tactic(endurance: float = 0.25, exponent: float = 1.0) -> Resource:
    cls = _resource()
    tactic = build(cls.Params(type="resource", endurance=endurance, exponent=exponent))
    assert isinstance(tactic, cls)
    return tactic


def _aspiration(tactic: Resource, stance: Stance, t: int, deadline: int) -> float:
    tactic.aspire(stance, t, deadline)
    return float(stance.aspiration[0])


def test_worked_example():
    """r = 0.2, best = 1, E = 0.25, cost 0.1 so far: it has used s = 0.1 / 0.25 = 0.4.

    e = 1: aspiration = 0.2 + 0.8 * (1 - 0.4) = 0.68.
    e = 2: aspiration = 0.2 + 0.8 * (1 - 0.4 ** 0.5) = 0.2 + 0.8 * (1 - 0.63246) = 0.49403.
    cost 0.3 >= E: s = 1, aspiration = 0.2 before the deadline.
    """
    assert _aspiration(_tactic(), _stance(0.2, 1.0, 1.0, 0.1), 3, 10) == pytest.approx(0.68)
    assert _aspiration(_tactic(exponent=2.0), _stance(0.2, 1.0, 2.0, 0.1), 3, 10) == (
        pytest.approx(0.2 + 0.8 * (1 - 0.4**0.5))
    )
    assert _aspiration(_tactic(), _stance(0.2, 1.0, 1.0, 0.3), 3, 10) == pytest.approx(0.2)


@given(unit, unit, exponent, st.floats(-1.0, 1.0), endurance, rounds, rounds)
def test_aspiration_lies_between_reservation_and_best(r, best, e, cost, E, t, deadline):
    stance = _stance(r, best, e, cost)
    a = _aspiration(_tactic(E, min(e, 100.0)), stance, t, deadline)
    assert stance.reservation[0] - 1e-12 <= a <= stance.best[0] + 1e-12


@given(unit, unit, exponent, st.floats(-1.0, 1.0), endurance, rounds, st.integers(0, 5))
def test_at_the_deadline_it_asks_only_its_reservation(r, best, e, cost, E, deadline, late):
    a = _aspiration(_tactic(E, e), _stance(r, best, e, cost), deadline + late, deadline)
    assert a == r


@given(unit, unit, exponent, st.floats(-1.0, 0.0), endurance, rounds)
def test_when_time_is_on_its_side_it_holds_at_its_best_until_the_deadline(
    r, best, e, cost, E, deadline
):
    for t in range(1, deadline):
        stance = _stance(r, best, e, cost)
        assert _aspiration(_tactic(E, e), stance, t, deadline) == stance.best[0]


def test_without_costs_it_holds_like_a_hardliner():
    """A Stance whose ``cost`` is left at its default: nothing is spent, it holds."""
    for t in range(1, 10):
        assert _aspiration(_tactic(), _stance(0.3, 0.9, 1.0, None), t, 10) == 0.9
    assert _aspiration(_tactic(), _stance(0.3, 0.9, 1.0, None), 10, 10) == 0.3


@given(unit, unit, exponent, unit, unit, endurance, rounds, rounds)
def test_higher_cost_never_asks_more(r, best, e, low, high, E, t, deadline):
    low, high = min(low, high), max(low, high)
    tactic = _tactic(E, e)
    assert _aspiration(tactic, _stance(r, best, e, high), t, deadline) <= (
        _aspiration(tactic, _stance(r, best, e, low), t, deadline) + 1e-12
    )


@pytest.mark.parametrize("e", [0.2, 1.0, 5.0])
def test_a_party_whose_stalemate_hurts_more_concedes_earlier(e):
    """Two parties alike but for their cost of delay (0.01 and 0.025 of utility a round;
    reservation 0.6 at the start, falling by it): the one that loses more asks less in
    every round before the deadline, and it gives up any share of the way from its best
    to its reservation no later, for some shares strictly earlier."""
    tactic, deadline = _tactic(0.3, e), 20
    paths, shares = {}, {}
    for rate in (0.01, 0.025):
        path, share = [], []
        for t in range(1, deadline + 1):
            cost = rate * (t - 1)  # reservation lost before round t
            a = _aspiration(tactic, _stance(0.6 - cost, 1.0, e, cost), t, deadline)
            path.append(a)
            share.append((1.0 - a) / (1.0 - (0.6 - cost)))
        paths[rate], shares[rate] = np.array(path), np.array(share)
    hurt, patient = paths[0.025], paths[0.01]
    assert (hurt[1:-1] < patient[1:-1]).all()
    first = {
        rate: [int(np.argmax(s >= level)) for level in (0.25, 0.5, 0.75, 0.9)]
        for rate, s in shares.items()
    }
    assert all(a <= b for a, b in zip(first[0.025], first[0.01], strict=True))
    assert any(a < b for a, b in zip(first[0.025], first[0.01], strict=True))


def test_parameters_defaults_ranges_and_contract():
    """What the strategy contract asks of every registered strategy (tests/strategies/
    test_contract.py), checked here with an explicit import."""
    Resource = _resource()
    assert REGISTRY["resource"] is Resource
    assert Resource.Params.model_fields["type"].annotation.__args__ == ("resource",)
    params = Resource.Params(type="resource")
    assert (params.endurance, params.exponent) == (0.25, 1.0)
    assert build(params).default_exponent() == 1.0
    assert re.search(r"(1[89]|20)\d\d", inspect.getdoc(Resource) or "")
    assert pickle.loads(pickle.dumps(params)) == params
    assert copy.deepcopy(build(params)).params == params
    for bad in ({"endurance": 0.0}, {"endurance": 1.5}, {"exponent": 0.0}, {"shape": 1}):
        with pytest.raises(ValidationError):
            Resource.Params.model_validate({"type": "resource", **bad})


def test_it_decides_for_every_run_of_a_block_at_once():
    """Vectorised over runs: each run's aspiration is the one it gets alone."""
    rng = np.random.default_rng(7)
    n = 50
    r, best, cost = rng.uniform(0, 0.5, n), rng.uniform(0.5, 1, n), rng.uniform(-0.2, 0.5, n)
    e = rng.uniform(0.2, 5, n)
    tactic = _tactic(0.3)
    block = Stance(r, best, e, np.full(n, np.nan), np.zeros((n, 0)), np.full(n, np.nan))
    block.cost = cost  # type: ignore[attr-defined]
    tactic.aspire(block, 4, 10)
    alone = [_aspiration(tactic, _stance(r[k], best[k], e[k], cost[k]), 4, 10) for k in range(n)]
    assert block.aspiration == pytest.approx(alone)
