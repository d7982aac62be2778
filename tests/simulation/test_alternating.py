"""Alternating offers reach a compromise that neither side ever asked for."""

from __future__ import annotations

import sim

SCENARIO = """\
id: split
title: A compromise neither side opens with
deadline: 20
protocol: alternating
issues:
  split:
    options: {buyer_best: Buyer's price, middle: Split the difference, seller_best: Seller's price}
  delivery:
    options: {fast: Fast, slow: Slow}
parties:
  buyer:
    signs: true
    reservation: 0.4
    weights: {split: 3, delivery: 1}
    values:
      split: {buyer_best: 1.0, middle: 0.6, seller_best: 0.0}
      delivery: {fast: 1.0, slow: 0.0}
    strategy: {type: linear}
  seller:
    signs: true
    reservation: 0.4
    weights: {split: 3, delivery: 1}
    values:
      split: {buyer_best: 0.0, middle: 0.6, seller_best: 1.0}
      delivery: {fast: 0.0, slow: 1.0}
    strategy: {type: linear}
"""


def test_a_middle_option_that_neither_opens_with_is_reached(tmp_path):
    # Only texts with the middle option leave both parties above 0.4; each opens with its
    # own extreme. A proposer that only mixes its best text with the last offer never
    # offers the middle option, and no deal forms.
    path = tmp_path / "split.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    scenario = sim.load_scenario(path)
    zone = sim.analyze_scenario(scenario).to_frame()
    assert set(zone["split"]) == {"Split the difference"}
    rows = sim.simulate(scenario, seed=3, runs=200)
    assert rows["agreement"].mean() > 0.95
    assert set(rows.loc[rows["agreement"], "split"]) == {"middle"}
