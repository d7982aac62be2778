"""The statistics of ``negsim compare`` against values worked out by hand."""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.compare import (
    EXACT_BELOW,
    Comparison,
    DealChange,
    compare_points,
    fisher_p,
    format_comparison,
    holm,
    mcnemar_p,
    newcombe_interval,
    pair_points,
    paired_difference,
    pairing,
    two_proportion_p,
    wrap_deal,
)
from sim.plots.data import PointData
from sim.scenario import Scenario, ScenarioError, validate_document
from sim.scenario.yamlsource import Document

TINY: dict[str, Any] = {
    "id": "tiny",
    "title": "Tiny",
    "deadline": 5,
    "protocol": "alternating",
    "issues": {
        "x": {"options": {"a": "Option A", "b": "Option B"}},
        "y": {"options": {"c": "Option C", "d": "Option D"}},
    },
    "parties": {
        p: {
            "signs": True,
            "reservation": 0.2,
            "weights": {"x": 1, "y": 1},
            "values": {"x": {"a": v, "b": 1 - v}, "y": {"c": v, "d": 1 - v}},
        }
        for p, v in (("p", 1), ("q", 0))
    },
}


def scenario(data: dict[str, Any] = TINY) -> Scenario:
    return validate_document(Document(copy.deepcopy(data)), sources=False)


def point(deals: list[tuple[str, ...] | None], the: Scenario | None = None) -> PointData:
    """A point whose run i ended in deals[i] (None: no deal)."""
    the = the or scenario()
    issues = list(the.issues)
    rows = pd.DataFrame(
        {
            "scenario": the.id,
            "run": np.arange(len(deals), dtype=np.uint64),
            "agreement": [d is not None for d in deals],
            **{
                issue: [None if d is None else d[k] for d in deals]
                for k, issue in enumerate(issues)
            },
        }
    )
    return PointData(the.id, the, {}, rows)


# --- McNemar --------------------------------------------------------------------------


def test_mcnemar_exact_by_hand():
    # 1 vs 6 discordant: 2 * P(X <= 1), X ~ Bin(7, 1/2) = 2 * (1 + 7) / 128.
    assert mcnemar_p(1, 6) == pytest.approx(0.125)
    assert mcnemar_p(6, 1) == pytest.approx(0.125)
    assert mcnemar_p(0, 5) == pytest.approx(2 / 32)
    assert mcnemar_p(3, 3) == 1.0
    assert mcnemar_p(0, 0) == 1.0


def test_mcnemar_goes_chi_square_at_25_discordant_pairs():
    # 6 vs 18 (24 pairs) is exact: 2 * sum_{j<=6} C(24, j) / 2**24 = 2 * 190051 / 16777216.
    assert EXACT_BELOW == 25
    assert mcnemar_p(6, 18) == pytest.approx(2 * 190051 / 16777216)  # 0.02266
    # 10 vs 20 (30 pairs): chi-square (20 - 10)**2 / 30 = 3.333 on 1 df, p = 0.06789.
    assert mcnemar_p(10, 20) == pytest.approx(0.067889, abs=1e-6)


def test_paired_difference_of_a_tiny_paired_dataset():
    # 10 runs of the deal (a, c): run 0 in A only, runs 1-6 in B only, run 7 in both.
    deal = ("a", "c")
    a = point([deal, None, None, None, None, None, None, deal, None, None])
    b = point([None, deal, deal, deal, deal, deal, deal, deal, None, None])
    pair = compare_points(a, 7, b, 7)
    assert pair.paired
    row = next(d for d in pair.deals if d.deal == deal)
    assert (row.count_a, row.count_b, row.discordant) == (2, 7, (1, 6))
    # mean difference (6 - 1) / 10; sum of squared deviations 7 - 25/10 = 4.5, so the
    # paired SE is sqrt(4.5 / 9 / 10) = 0.22361 and the interval 0.5 ± 1.95996 * 0.22361.
    assert row.change == pytest.approx(0.5)
    assert row.low == pytest.approx(0.06174, abs=1e-5)
    assert row.high == pytest.approx(0.93826, abs=1e-5)
    assert row.p == pytest.approx(0.125)  # McNemar exact, 1 vs 6
    none = pair.deals[0]
    assert none.deal is None and none.label == "no deal"
    assert none.discordant == (6, 1) and none.change == pytest.approx(-0.5)
    assert paired_difference(1, 6, 10) == pytest.approx((0.5, 0.06174, 0.93826), abs=1e-5)


def test_paired_difference_without_discordant_pairs_is_zero():
    assert paired_difference(0, 0, 100) == (0.0, 0.0, 0.0)


# --- independent runs ---------------------------------------------------------------


def test_newcombe_textbook_example():
    # Newcombe (1998), Table II: 56/70 vs 48/80, difference 0.2, method 10: 0.0524 to 0.3339.
    low, high = newcombe_interval(56, 70, 48, 80)
    assert round(low, 4) == 0.0524
    assert round(high, 4) == 0.3339


def test_two_proportion_z_by_hand():
    # pooled 104/150; SE = sqrt(.69333 * .30667 * (1/70 + 1/80)) = .075467; z = 2.6502.
    assert two_proportion_p(56, 70, 48, 80) == pytest.approx(0.008045, abs=2e-6)
    assert two_proportion_p(0, 100, 0, 50) == 1.0


def test_fisher_replaces_z_for_tiny_counts():
    # 2 of 2,000 against 0 of 20,000: given 2 successes in all, P(both in A) is
    # C(2000, 2) / C(22000, 2); the other two tables are more likely, so that is p.
    hand = 2000 * 1999 / (22000 * 21999)
    assert fisher_p(2, 2000, 0, 20000) == pytest.approx(hand, rel=1e-9)
    assert two_proportion_p(2, 2000, 0, 20000) == pytest.approx(hand, rel=1e-9)
    # A 2x2 table by hand: 0/5 vs 5/5, p = 2 / C(10, 5).
    assert fisher_p(0, 5, 5, 5) == pytest.approx(2 / 252)


def test_unpaired_comparison_uses_newcombe():
    deal = ("a", "c")
    a = point([deal] * 56 + [None] * 14)
    b = point([deal] * 48 + [None] * 32)
    pair = compare_points(b, 1, a, 2)  # B − A = 56/70 − 48/80
    assert not pair.paired and "different seeds (1 and 2)" in pair.why
    row = next(d for d in pair.deals if d.deal == deal)
    assert row.discordant is None
    assert row.change == pytest.approx(0.2)
    assert (round(row.low, 4), round(row.high, 4)) == (0.0524, 0.3339)


# --- Holm ---------------------------------------------------------------------------


def test_holm_by_hand():
    # sorted: .005 * 4 = .02, .01 * 3 = .03, .03 * 2 = .06, .04 * 1 = .04 -> max(.06, .04).
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []


def test_larger_than_chance_means_adjusted_p_below_five_percent():
    def change(p_adjusted: float) -> DealChange:
        return DealChange(None, "no deal", 1, 10, 2, 10, 0.1, -0.2, 0.4, 0.01, p_adjusted)

    assert change(0.049).larger_than_chance
    assert not change(0.05).larger_than_chance
    assert not change(0.06).larger_than_chance


# --- pairing ------------------------------------------------------------------------


def test_pairing_needs_the_same_seed_and_runs():
    runs = np.arange(1000)
    assert pairing(1, runs, 1, runs[::-1].copy())[0] is True
    assert pairing(1, runs, 2, runs)[0] is False
    same_seed, why = pairing(1, runs, 1, np.arange(2000))
    assert same_seed is False and "different run ids" in why
    assert pairing(None, runs, 1, runs)[0] is False


def test_pair_points():
    assert pair_points(["x"], ["y"]) == ([(0, 0)], "")
    assert pair_points(["s@0", "s@1"], ["s@1", "s@0"]) == ([(0, 1), (1, 0)], "")
    pairs, how = pair_points(["s@0", "s@1"], ["t@0", "t@1"])
    assert pairs == [(0, 0), (1, 1)] and "in order" in how
    with pytest.raises(ScenarioError) as caught:
        pair_points(["s"], ["t@0", "t@1", "t@2"])
    message = str(caught.value)
    assert "A holds 1 point (s)" in message and "B holds 3 points (t@0, t@1, t@2)" in message


# --- scenarios with different issues -----------------------------------------------


def test_compared_on_shared_issues_with_a_note():
    other = copy.deepcopy(TINY)
    other["id"] = "other"
    other["issues"]["z"] = other["issues"].pop("y")
    for party in other["parties"].values():
        party["weights"]["z"] = party["weights"].pop("y")
        party["values"]["z"] = party["values"].pop("y")
    b_scenario = scenario(other)
    a = point([("a", "c"), ("b", "d"), None, ("a", "d")])
    b = point([("a", "c"), ("a", "c"), None, None], b_scenario)
    pair = compare_points(a, 0, b, 0)
    assert pair.issues == ("x",)
    assert any(
        "different issues" in n and "A only: y" in n and "B only: z" in n for n in pair.notes
    )
    by_deal = {d.deal: d for d in pair.deals}
    assert (by_deal[("a",)].count_a, by_deal[("a",)].count_b) == (2, 2)
    assert by_deal[("a",)].label == "Option A"
    disjoint = copy.deepcopy(other)
    disjoint["issues"]["w"] = disjoint["issues"].pop("x")
    for party in disjoint["parties"].values():
        party["weights"]["w"] = party["weights"].pop("x")
        party["values"]["w"] = party["values"].pop("x")
    with pytest.raises(ScenarioError, match="share no issue"):
        compare_points(a, 0, point([None], scenario(disjoint)), 0)


def test_deals_are_ordered_and_the_table_fits(tmp_path: Path):
    a = point([("a", "c")] * 5 + [("b", "d")] * 3 + [None] * 2)
    b = point([("a", "c")] * 1 + [("b", "d")] * 7 + [None] * 2)
    pair = compare_points(a, 0, b, 0)
    assert [d.deal for d in pair.deals] == [None, ("b", "d"), ("a", "c")]
    text = format_comparison(Comparison("A", "B", (pair,)))
    assert "Option B; Option D" in text
    assert max(len(line) for line in text.splitlines()) <= 120
    long = "; ".join(["Comprehensive peace treaty before any truce"] * 4)
    assert all(len(line) <= 60 for line in wrap_deal(long, 60))
    assert math.isclose(pair.deals[0].change, 0.0)
