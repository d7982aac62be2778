"""benchmarks/bench_robustness.py: its generated negotiations and what it judges them by."""

from __future__ import annotations

import copy
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.analysis.reference import reference
from tests.benchmark_scripts import load_benchmark

bench = load_benchmark("bench_robustness")


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000))
def test_a_generated_negotiation_is_valid_seeded_and_mediated(index):
    data = bench.generated(index)
    assert data == bench.generated(index), "the same index gives the same document"
    scenario = bench.variant(data, True)
    assert scenario.protocol == "mediated" and scenario.mediator == "m"
    assert not scenario.parties["m"].signs and scenario.parties["m"].weights
    assert sum(p.signs for p in scenario.parties.values()) >= 2
    assert all(line.credibility == 1.0 for p in scenario.parties.values() for line in p.red_lines)
    needed = {n for i in scenario.issues.values() for o in i.options.values() for n in o.needs}
    assert needed <= {"s"} and ("s" in scenario.parties or not needed)


def test_variant_leaves_the_document_as_it_was():
    data = bench.generated(3)
    before = copy.deepcopy(data)
    scenario = bench.variant(data, True, bias=50.0, polish=0)
    assert data == before
    params = scenario.strategy_of("m")
    assert params.bias == 50.0 and params.polish == 0 and params.logroll == 0.5


@pytest.fixture(scope="module")
def chosen():
    return bench.generated_set(12)


def test_the_generated_set_is_fixed_and_every_zone_is_open(chosen):
    assert [d["id"] for d, _ in chosen] == [d["id"] for d, _ in bench.generated_set(12)]
    assert all(len(zone.zone) >= bench.MIN_ZONE for _, zone in chosen)


def test_zone_and_pareto_set_agree_with_the_brute_force_reference(chosen):
    """The dominated share is judged by sim.analysis; it must match DESIGN.md's definitions."""
    for data, zone in chosen:
        ref = reference(bench.variant(data, True), 0)
        assert zone.zone == set(ref.zone), data["id"]
        assert zone.pareto == ref.pareto, data["id"]


def test_a_sample_counts_dominated_deals_against_the_reference(chosen):
    data, zone = chosen[1]
    scenario = bench.variant(data, True, polish=0)
    ref = reference(scenario, 0)
    s = bench.sample(scenario, 60, zone)
    assert s.n_deals == sum(s.deals.values()) > 0
    assert s.outside == 0, "every firm deal lies in the zone (DESIGN.md invariant)"
    assert s.dominated == sum(n for d, n in s.deals.items() if d not in ref.pareto)


@given(
    st.dictionaries(st.sampled_from("abcde"), st.integers(1, 20), min_size=1),
    st.dictionaries(st.sampled_from("abcde"), st.integers(1, 20), min_size=1),
)
def test_deals_moved_is_a_total_variation_distance(a, b):
    x = bench.Sample(sum(a.values()), Counter({(k,): v for k, v in a.items()}))
    y = bench.Sample(sum(b.values()), Counter({(k,): v for k, v in b.items()}))
    d = bench.distance(x, y)
    assert 0.0 <= d <= 1.0 + 1e-12
    assert d == pytest.approx(bench.distance(y, x))
    assert bench.distance(x, x) == 0.0
    if not set(a) & set(b):
        assert d == pytest.approx(1.0)
