"""An alternating proposer's offers stay within the limits it holds, its ratifiers' included.

The reference is brute force over every outcome of a generated two-level negotiation,
with the lines and the ratifiers' preferences read from the document (no preference
noise in these documents); only which lines a run holds is read from the engine.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings

from sim.simulation import kernels
from sim.simulation.model import NegotiationModel
from sim.simulation.tables import FLOOR, RATIFIER, Tables
from tests.scenarios import build
from tests.simulation.two_level import (
    EPS,
    _crosses,
    _utility,
    outcomes,
    ratifier_utility,
    two_level_data,
)


def _alternating(data: dict[str, Any]) -> dict[str, Any]:
    """The document with alternating offers (a mediator's tactic replaced by linear)."""
    data["protocol"] = "alternating"
    data.pop("mediator", None)
    for party in data["parties"].values():
        if party["strategy"]["type"] == "single_text":
            party["strategy"] = {"type": "linear"}
    return data


def _limit(data: dict[str, Any], space: Tables, k: int) -> Any:
    """Line ``k`` as a test on a deal: True when the deal crosses it (from the document)."""
    line = space.lines[k]
    party = data["parties"][line.party]
    if line.kind == RATIFIER or line.kind == FLOOR:
        ratifier = next(q for q in party["ratification"] if q["id"] == line.ratifier)
        if line.kind == FLOOR:
            return lambda deal: (
                ratifier_utility(data, line.party, ratifier, deal) < ratifier["reservation"] - EPS
            )
        spec = next(x for x in ratifier["red_lines"] if x["id"] == line.id)
    else:
        spec = next(x for x in party["red_lines"] if x["id"] == line.id)
    return lambda deal: _crosses(spec, deal)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(two_level_data())
def test_an_offer_is_within_the_proposers_held_limits_whenever_some_text_is(data):
    data = _alternating(data)
    space = Tables.of(build(data))
    deals = outcomes(data)
    tests = [_limit(data, space, k) for k in range(len(space.lines))]
    crossing = np.array([[test(deal) for deal in deals] for test in tests], dtype=bool)
    crossing = crossing.reshape(len(tests), len(deals))  # (L, outcomes)
    model = NegotiationModel(space, seed=5, runs=range(12))
    st = model.state
    while model.running:
        alive = st.alive.copy()
        first_round = model.round == 0
        model.step()
        for r in np.flatnonzero(alive & (st.stop == kernels.PLAYED)):
            p = int(st.proposer[r])
            mine = (space.line_owner == p) & st.held[r]
            within = ~crossing[mine].any(axis=0)
            if not within.any():
                continue
            offer = space.outcome(st.offer[r])
            crossed = [space.lines[k].key for k in np.flatnonzero(mine) if tests[k](offer)]
            assert not crossed, f"run {r}, round {model.round}: {crossed}"
            if first_round and not (st.dropped[r] | st.given[r])[space.line_owner == p].any():
                # the opening offer is the proposer's best text within those limits
                party = data["parties"][space.parties[p]]
                worth = [_utility(party["weights"], party["values"], d) for d in deals]
                best = max(w for w, ok in zip(worth, within, strict=True) if ok)
                assert _utility(party["weights"], party["values"], offer) >= best - 1e-9
