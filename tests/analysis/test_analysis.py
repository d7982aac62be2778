"""The analysis against the brute-force reference, on generated and shipped scenarios."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis import analyze
from sim.scenario import Scenario
from sim.space import compile_space
from tests.analysis.reference import reference
from tests.scenarios import build, scenario_data, scenarios

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcomes(space, indices):
    return [tuple(space.outcome(int(i)).values()) for i in indices]


@SETTINGS
@given(scenarios, st.integers(0, 3))
def test_analysis_matches_brute_force(scenario: Scenario, max_relax: int) -> None:
    space = compile_space(scenario)
    result = analyze(space, max_relax)
    ref = reference(scenario, max_relax)

    assert _outcomes(space, range(space.n_outcomes)) == ref.outcomes
    for o, outcome in enumerate(ref.outcomes):
        for p, party in enumerate(space.parties):
            assert space.utility[p, o] == ref.utilities[outcome][party]
    assert _outcomes(space, result.feasible) == ref.ranked
    assert [ref.products[o] for o in ref.ranked] == result.nash_product.tolist()
    pareto = {
        o for o, flag in zip(_outcomes(space, result.feasible), result.pareto, strict=True) if flag
    }
    assert pareto == ref.pareto
    nash = None if result.nash is None else _outcomes(space, [result.nash])[0]
    assert nash == ref.nash
    ks = (
        None
        if result.kalai_smorodinsky is None
        else _outcomes(space, [result.kalai_smorodinsky])[0]
    )
    assert ks == ref.ks
    for k, line in enumerate(space.lines):
        assert result.excludes[k] == ref.excludes[line.key]
        assert set(_outcomes(space, np.flatnonzero(result.unlocks[k]))) == ref.unlocks[line.key]
    assert [tuple(space.lines[k].key for k in r) for r in result.relaxations] == ref.relaxations


@given(scenarios)
@settings(max_examples=60, deadline=None)
def test_nash_point_is_in_zone_and_pareto(scenario: Scenario) -> None:
    result = analyze(compile_space(scenario))
    if result.feasible.size == 0:
        assert result.nash is None and result.kalai_smorodinsky is None
        assert result.relaxations != [()]
        return
    assert result.relaxations == [()]
    assert result.zone.zone[result.nash] and result.zone.zone[result.kalai_smorodinsky]
    assert result.pareto[0] or result.nash_product[0] <= 0  # a best product > 0 is never dominated


def _two_party(values_a, values_b, res_a=0.0, res_b=0.0, lines_a=(), needs=()):
    return build(
        {
            "id": "tiny",
            "title": "Tiny",
            "deadline": 5,
            "protocol": "alternating",
            "issues": {
                "x": {"options": {"a": {"needs": list(needs)}, "b": {}, "c": {}}},
            },
            "parties": {
                "p": {
                    "signs": True,
                    "reservation": res_a,
                    "weights": {"x": 1.0},
                    "values": {"x": values_a},
                    "red_lines": list(lines_a),
                },
                "q": {
                    "signs": True,
                    "reservation": res_b,
                    "weights": {"x": 1.0},
                    "values": {"x": values_b},
                },
                "r": {
                    "reservation": 0.9,
                    "weights": {"x": 1.0},
                    "values": {"x": {"a": 0.0, "b": 0.0, "c": 0.0}},
                },
            },
        }
    )


def test_ties_in_nash_product_go_to_the_first_outcome():
    s = _two_party({"a": 0.5, "b": 0.5, "c": 0.5}, {"a": 0.5, "b": 0.5, "c": 0.5})
    result = analyze(compile_space(s))
    assert result.feasible.tolist() == [0, 1, 2]
    assert result.nash == 0 and result.kalai_smorodinsky == 0
    assert result.pareto.tolist() == [True, True, True]  # equal points do not dominate


def test_rounding_tolerance_admits_reservation_met_up_to_1e_9():
    # 0.1 + 0.2 is 0.30000000000000004 > 0.3, and 0.7 * (1/7*...) style rounding both ways
    s = _two_party(
        {"a": 0.3, "b": 0.3 - 5e-10, "c": 0.3 - 2e-9}, {"a": 1.0, "b": 1.0, "c": 1.0}, res_a=0.3
    )
    zone = analyze(compile_space(s)).zone.zone
    assert zone.tolist() == [True, True, False]


def test_needs_makes_a_party_sign_and_its_reservation_counts():
    s = _two_party({"a": 1.0, "b": 0.6, "c": 0.2}, {"a": 1.0, "b": 0.6, "c": 0.2}, needs=["r"])
    result = analyze(compile_space(s))
    assert 0 not in result.feasible.tolist()  # r must sign option a and refuses it
    assert result.nash == 1


def test_forbid_and_require_lines_and_minimal_relaxations():
    lines = [{"id": "no_a", "forbid": {"x": ["a"]}}, {"id": "only_a", "require": {"x": ["a"]}}]
    s = _two_party({"a": 1.0, "b": 0.6, "c": 0.2}, {"a": 1.0, "b": 0.6, "c": 0.2}, lines_a=lines)
    result = analyze(compile_space(s))
    assert result.feasible.size == 0
    assert result.excludes.tolist() == [1, 2]
    assert result.unlock_counts.tolist() == [1, 2]
    assert [tuple(s) for s in result.relaxations] == [(0,), (1,)]
    assert analyze(compile_space(s), max_relax=0).relaxations == []


def test_generated_scenarios_include_empty_and_full_zones():
    # The generator must reach both extremes, or the reference test proves little.
    seen = {"empty": False, "full": False}

    @given(scenario_data())
    @settings(max_examples=300, deadline=None)
    def probe(data):
        result = analyze(compile_space(build(data)))
        if result.feasible.size == 0:
            seen["empty"] = True
        if result.feasible.size == result.space.n_outcomes:
            seen["full"] = True

    probe()
    assert seen == {"empty": True, "full": True}
