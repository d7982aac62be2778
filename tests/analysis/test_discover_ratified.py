"""Issue 13.3: ``ratified`` / ``unratified`` targets and ``informed.*`` inputs of
``negsim discover`` and ``negsim sensitivity``, on planted rows."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.analysis import sensitivity as sens
from sim.analysis.discover import (
    Target,
    box_words,
    discover_rows,
    format_discovery,
    input_columns,
    parse_target,
    path_words,
)
from sim.batch.manifest import manifest_of
from sim.batch.plan import Plan, Point
from sim.batch.store import Batch
from sim.scenario import ScenarioError
from sim.scenario.validate import validate_document
from sim.scenario.yamlsource import Document
from tests.analysis.test_discover import LINE, PARAM, PLANTED

#: The seller's Senate must ratify: its line against hard terms, known to the
#: negotiator in about half the runs.
SENATE = {
    "id": "senate",
    "label": "Senate",
    "reservation": 0.1,
    "informed": 0.5,
    "red_lines": [{"id": "no_deal_here", "forbid": {"venue": ["here"]}, "credibility": 0.5}],
}
HOME = dict(PLANTED, parties=copy.deepcopy(PLANTED["parties"]))
HOME["parties"]["seller"]["ratification"] = [SENATE]
SENATE_LINE = "firm.seller.senate.no_deal_here"
INFORMED = "informed.seller.senate"


@pytest.fixture(scope="module")
def scenario() -> Any:
    return validate_document(Document(copy.deepcopy(HOME)), sources=False)


def planted(runs: int, seed: int) -> pd.DataFrame:
    """Rows in which a deal forms exactly when the seller's line is not firm and its draw
    is at most 0.5, and fails at home exactly when the Senate's line is firm and the
    negotiator did not know it (an uninformed negotiator signs what the Senate rejects)."""
    rng = np.random.default_rng(seed)
    firm = rng.random(runs) < 0.5
    drawn = rng.uniform(0.0, 1.0, runs)
    senate = rng.random(runs) < 0.5
    informed = rng.random(runs) < 0.5
    agreed = ~firm & (drawn <= 0.5)
    fails = agreed & senate & ~informed
    return pd.DataFrame(
        {
            "scenario": "planted",
            "run": np.arange(runs),
            "agreement": agreed,
            "terms": pd.Categorical(np.where(agreed, "soft", None)),
            "ratified": pd.array(np.where(agreed, ~fails, None), dtype="boolean"),
            LINE: firm,
            SENATE_LINE: senate,
            INFORMED: informed,
            PARAM: drawn,
            "param.parties.buyer.reservation": rng.uniform(0.1, 0.5, runs),
        }
    )


def test_the_targets_are_parsed_and_reach_the_right_rows(scenario):
    assert parse_target("ratified", [scenario], "DIR") == Target("ratified")
    assert parse_target(" unratified", [scenario], "DIR") == Target("unratified")
    rows = pd.DataFrame(
        {
            "agreement": [True, True, False],
            "ratified": pd.array([True, False, None], dtype="boolean"),
        }
    )
    assert Target("ratified").reached(rows).tolist() == [True, False, False]
    assert Target("unratified").reached(rows).tolist() == [False, True, False]
    plain = validate_document(Document(copy.deepcopy(PLANTED)), sources=False)
    with pytest.raises(ScenarioError, match="no party of planted has ratifiers"):
        parse_target("ratified", [plain], "DIR")


def test_informed_columns_are_inputs(scenario):
    assert INFORMED in input_columns(planted(200, 0), [])


def test_prim_finds_the_planted_box_of_deals_that_fail_at_home(scenario):
    rows = planted(4000, 1)
    found = discover_rows(rows, scenario, Target("unratified"))
    expected = int((rows["agreement"] & rows[SENATE_LINE] & ~rows[INFORMED]).sum())
    assert found.hits == expected
    conditions = {c.column: c for c in found.boxes[0].conditions}
    assert {SENATE_LINE, INFORMED, LINE} <= set(conditions)
    assert conditions[SENATE_LINE].value is True and conditions[INFORMED].value is False
    words = box_words(found.boxes[0], found)
    assert "Seller's Senate's red line no_deal_here is firm" in words
    assert "Seller's negotiator does not know the Senate's limits" in words
    assert "a deal that fails at home (signed, not ratified)" in format_discovery([found])


def test_prim_finds_the_ratified_deals(scenario):
    found = discover_rows(planted(4000, 2), scenario, Target("ratified"))
    first = {c.column: c.value for c in found.boxes[0].conditions}
    assert first.get(LINE) is False  # no deal at all while the seller's line holds


def test_paths_of_a_ratifier_in_words(scenario):
    base = "parties.seller.ratification.senate"
    assert path_words(f"{base}.reservation", scenario) == (
        "Seller's Senate's reservation value (what it would ratify)"
    )
    assert path_words(f"{base}.informed", scenario) == (
        "the chance that Seller's negotiator knows the Senate's limits"
    )
    assert path_words(f"{base}.red_lines.no_deal_here.credibility", scenario) == (
        "the credibility of Seller's Senate's red line no_deal_here"
    )


# -- sensitivity ---------------------------------------------------------------------


def as_batch(rows: pd.DataFrame) -> Batch:
    data = copy.deepcopy(HOME)
    point = Point("planted", "planted.yaml", "planted", 0, {}, data, len(rows), 0)
    plan = Plan((point,), block=10**9, sweeps={})
    return Batch(manifest_of(plan, ()), rows, np.zeros(len(rows), dtype=np.int64), 0)


def test_sensitivity_ranks_what_makes_deals_fail_at_home(monkeypatch):
    rows = planted(3000, 3)
    monkeypatch.setattr(Batch, "open", classmethod(lambda cls, out, **kw: as_batch(rows)))
    found = sens.sensitivity("DIR", resamples=0)
    names = [o.name for o in found.outcomes]
    assert "ratified" in names and "unratified" in names
    assert INFORMED in found.lines
    unratified = found.outcome("unratified")
    fails = rows["agreement"] & rows[SENATE_LINE] & ~rows[INFORMED]
    assert unratified.count == int(fails.sum())
    effect = next(i for i in unratified.indices if i.column == INFORMED)
    informed = rows[INFORMED].to_numpy(dtype=bool)
    # the difference of the shares in the rows, informed minus not
    by_hand = fails[informed].mean() - fails[~informed].mean()
    assert effect.index == pytest.approx(by_hand) and effect.index < -0.05
    assert effect.low < effect.index < effect.high < 0
    # the informed negotiator does not change the chance of a (signed) deal
    assert abs(next(i for i in found.outcome("deal").indices if i.column == INFORMED).index) < 0.05
    from sim.cli.sensitivity import format_text

    assert f"({int(informed.sum()):,} informed / {int((~informed).sum()):,} not)" in format_text(
        found
    )


def test_no_ratified_outcomes_without_the_column():
    rows = planted(300, 4).drop(columns=["ratified"])
    assert set(sens.outcome_columns(rows, ["terms"], 0)) == {"deal", "no_deal"}
