"""Win-sets and blocs in the analysis, against the brute-force reference (issue 13)."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.analysis import analyze
from sim.space import compile_space
from tests.analysis.generated import two_level_data
from tests.analysis.reference import reference
from tests.scenarios import build, scenario_data

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _outcomes(space, indices):
    return [tuple(space.outcome(int(i)).values()) for i in indices]


def _same_analysis(a, b) -> None:
    """Two analyses of spaces with the same outcomes and lines say the same things."""
    assert a.feasible.tolist() == b.feasible.tolist()
    assert a.nash_product.tolist() == b.nash_product.tolist()
    assert a.pareto.tolist() == b.pareto.tolist()
    assert (a.nash, a.kalai_smorodinsky) == (b.nash, b.kalai_smorodinsky)
    assert np.array_equal(a.unlocks, b.unlocks)
    assert a.relaxations == b.relaxations
    assert a.ratifiable.tolist() == b.ratifiable.tolist()
    assert a.ratifiable_relaxations == b.ratifiable_relaxations


@SETTINGS
@given(two_level_data(), st.integers(0, 3))
def test_ratifiers_and_blocs_match_brute_force(data, max_relax: int) -> None:
    scenario = build(data)
    space = compile_space(scenario)
    result = analyze(space, max_relax)
    ref = reference(scenario, max_relax)

    # the zone under the bloc rule, and everything judged over it
    assert _outcomes(space, result.feasible) == ref.ranked
    assert [ref.products[o] for o in ref.ranked] == result.nash_product.tolist()
    pareto = {o for o, f in zip(_outcomes(space, result.feasible), result.pareto, strict=True) if f}
    assert pareto == ref.pareto
    for k, line in enumerate(space.lines):
        assert set(_outcomes(space, np.flatnonzero(result.unlocks[k]))) == ref.unlocks[line.key]
    assert [tuple(space.lines[k].key for k in r) for r in result.relaxations] == ref.relaxations

    # the ratifiable zone (win-set): ranked, Pareto among it, why the rest fails at home
    for o, outcome in enumerate(ref.outcomes):
        for q, ratifier in enumerate(space.ratifiers):
            assert space.ratifier_utility[q, o] == ref.ratifier_utilities[outcome][ratifier.key]
    assert _outcomes(space, result.ratifiable) == ref.ratifiable
    assert result.ratifiable_nash_product.tolist() == [ref.products[o] for o in ref.ratifiable]
    home_pareto = {
        o
        for o, f in zip(_outcomes(space, result.ratifiable), result.ratifiable_pareto, strict=True)
        if f
    }
    assert home_pareto == ref.ratifiable_pareto
    failing = {
        outcome: result.home_obstacles(int(o))
        for o, outcome in zip(
            result.failing_at_home, _outcomes(space, result.failing_at_home), strict=True
        )
    }
    assert failing == ref.home_obstacles
    for o in result.ratifiable.tolist():
        assert result.home_obstacles(o) == []
    for m, line in enumerate(space.ratifier_lines):
        assert result.ratifier_excludes[m] == ref.ratifier_excludes[line.key]
        unlocked = set(_outcomes(space, np.flatnonzero(result.ratifier_unlocks[m])))
        assert unlocked == ref.ratifier_unlocks[line.key]
    relaxations = [tuple(result.line_key(k) for k in r) for r in result.ratifiable_relaxations]
    assert relaxations == ref.ratifiable_relaxations


def test_generated_two_level_scenarios_reach_every_case():
    # The generator must give ratifiers that bite and majority blocs that outvote, or the
    # reference test proves little.
    seen = {"fails_at_home": False, "home_open": False, "outvoted": False, "home_relax": False}

    @given(two_level_data())
    @settings(max_examples=300, deadline=None)
    def probe(data):
        scenario = build(data)
        result = analyze(compile_space(scenario))
        if result.failing_at_home.size:
            seen["fails_at_home"] = True
        if result.ratifiable.size and scenario.has_ratifiers:
            seen["home_open"] = True
        if result.ratifiable.size == 0 and any(len(r) > 0 for r in result.ratifiable_relaxations):
            seen["home_relax"] = True
        blocked = result.zone.blocked
        for vote in result.zone.votes:
            ayes = [vote.reach[j] & ~blocked[rows].any(axis=0) for j, rows in enumerate(vote.lines)]
            if np.any(result.zone.zone & vote.signs & ~np.all(ayes, axis=0)):
                seen["outvoted"] = True  # a deal in the zone that a member of its bloc refuses

    probe()
    assert all(seen.values()), seen


@settings(max_examples=80, deadline=None)
@given(scenario_data(max_parties=5, max_issues=3, max_options=3), st.data())
def test_a_bloc_of_one_is_the_party_alone(data, draw) -> None:
    party = draw.draw(st.sampled_from(list(data["parties"])))
    rule = draw.draw(st.sampled_from(["unanimous", "majority"]))
    with_bloc = copy.deepcopy(data)
    with_bloc["blocs"] = {"solo": {"members": [party], "rule": rule}}
    _same_analysis(analyze(compile_space(build(data))), analyze(compile_space(build(with_bloc))))


@settings(max_examples=80, deadline=None)
@given(two_level_data(), st.data())
def test_a_unanimous_bloc_of_signatories_changes_no_zone(data, draw) -> None:
    data.pop("blocs", None)
    signing = [p for p, party in data["parties"].items() if party["signs"]]
    members = draw.draw(st.lists(st.sampled_from(signing), min_size=1, unique=True))
    with_bloc = copy.deepcopy(data)
    with_bloc["blocs"] = {"signers": {"members": members, "rule": "unanimous"}}
    _same_analysis(analyze(compile_space(build(data))), analyze(compile_space(build(with_bloc))))


def test_without_ratifiers_the_ratifiable_zone_is_the_zone():
    @given(scenario_data())
    @settings(max_examples=40, deadline=None)
    def check(data):
        result = analyze(compile_space(build(data)))
        assert result.ratifiable.tolist() == result.feasible.tolist()
        assert result.ratifiable_relaxations == result.relaxations
        assert result.failing_at_home.size == 0

    check()


def _win_set(rada_reservation: float, bloc_rule: str | None = None) -> dict:
    data = {
        "id": "win-set",
        "title": "Win-set",
        "deadline": 5,
        "protocol": "alternating",
        "issues": {"land": {"options": {"none": {}, "some": {}, "all": {}}}},
        "parties": {
            "kyiv": {
                "signs": True,
                "reservation": 0.0,
                "weights": {"land": 1},
                "values": {"land": {"none": 1.0, "some": 0.6, "all": 0.0}},
                "ratification": [
                    {
                        "id": "rada",
                        "reservation": rada_reservation,
                        "red_lines": [{"id": "no_all", "forbid": {"land": ["all"]}}],
                    }
                ],
            },
            "moscow": {
                "signs": True,
                "reservation": 0.2,
                "weights": {"land": 1},
                "values": {"land": {"none": 0.0, "some": 0.5, "all": 1.0}},
            },
        },
    }
    return data


def test_a_ratifier_narrows_the_zone_and_says_why():
    result = analyze(compile_space(build(_win_set(0.7))))
    space = result.space
    assert [space.outcome(int(o))["land"] for o in result.feasible] == ["some", "all"]
    assert result.ratifiable.size == 0  # "some" is 0.6 < 0.7 to the Rada, "all" crosses its line
    why = {
        space.outcome(int(o))["land"]: result.home_obstacles(int(o)) for o in result.failing_at_home
    }
    assert why == {"some": ["kyiv.rada"], "all": ["kyiv.rada.no_all", "kyiv.rada"]}
    # dropping the Rada's line does not help ("all" is worth 0 to it): no relaxation opens it
    assert result.ratifiable_relaxations == []
    assert analyze(compile_space(build(_win_set(0.5)))).ratifiable.size == 1


def test_the_frame_says_which_deals_would_be_ratified():
    result = analyze(compile_space(build(_win_set(0.5))))
    frame = result.to_frame()
    assert frame["ratified"].tolist() == [
        int(o) in set(result.ratifiable.tolist()) for o in frame.index
    ]
    assert frame["ratified"].tolist() == [True, False]  # "some" passes, "all" crosses the line
    assert (
        "ratified"
        not in analyze(
            compile_space(
                build(
                    _win_set(0.5)
                    | {
                        "parties": {
                            p: {k: v for k, v in party.items() if k != "ratification"}
                            for p, party in _win_set(0.5)["parties"].items()
                        }
                    }
                )
            )
        ).to_frame()
    )
